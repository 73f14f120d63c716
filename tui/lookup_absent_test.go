package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// A lookup whose record the device does not have (deleted on the org since, say) shows its id
// as a record not on this device, with no ✓ that would pass it for a record chosen; one at a
// cached record keeps its name and its ✓.
func TestALookupAtARecordNotOnTheDeviceIsNotMarkedChosen(t *testing.T) {
	cases := []struct {
		name, account string
		want          string
		tick          bool
	}{
		{"record gone from the device", "001Dm00000000IHIAY", "001Dm00000000IHIAY  (not on this device)", false},
		{"cached record", "001000000000000000", "Acme 000000", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := seededFake(1)
			f.add("Contact", remote.Fields{"Id": "local-000000000c02", "LastName": "Orphan", "Name": "Orphan", "AccountId": c.account})
			f.sortAll()
			f.setEntry(pending.Entry{ID: "e1", Object: "Contact", RecordID: "local-000000000c02", Name: "Orphan", Op: pending.OpCreate,
				Status: pending.StatusInvalid, Code: "INVALID_CROSS_REFERENCE_KEY", Message: "Account: the record it points at was deleted on the org or is out of your reach; choose another",
				Errors:  []pending.FieldError{{Field: "AccountId", Code: "INVALID_CROSS_REFERENCE_KEY", Message: "the record it points at was deleted on the org or is out of your reach; choose another"}},
				Changes: remote.Fields{"LastName": "Orphan", "AccountId": c.account}})
			d := newDriver(t, f, 100, 30)
			d.keys("o", "p", "enter", "r")
			d.requireView("Fix Contact")
			line := ""
			for _, l := range strings.Split(d.view(), "\n") {
				if strings.Contains(l, "Account") && strings.Contains(l, c.want) {
					line = l
				}
			}
			if line == "" {
				d.t.Fatalf("no Account line with %q:\n%s", c.want, d.view())
			}
			if got := strings.Contains(line, "✓"); got != c.tick {
				t.Fatalf("✓ shown: %v, want %v: %q", got, c.tick, line)
			}
			// Leaving the field shows the same, without the cursor.
			d.keys("tab")
			d.requireView(c.want)
		})
	}
}
