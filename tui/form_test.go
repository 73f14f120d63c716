package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/remote"
)

// postalCodeFake has an account with an editable field whose label is longer than 20 cells.
func postalCodeFake() *fakeBackend {
	f := seededFake(1)
	d := f.desc["Account"]
	d.Fields = append(d.Fields, remote.Field{Name: "BillingPostalCode", Label: "Billing Zip/Postal Code", Type: "string",
		Length: 20, Createable: true, Updateable: true, Nillable: true})
	f.records["Account"][0]["BillingPostalCode"] = "54036"
	return f
}

func TestEditFormLabelsTakeTheLongestLabelsWidthWithinAThirdOfTheScreen(t *testing.T) {
	tests := []struct {
		width, height int
		whole         bool // "Billing Zip/Postal Code" shows whole
	}{
		{60, 20, false},
		{80, 24, true},
		{200, 60, true},
	}
	for _, tc := range tests {
		t.Run(sprintf("%dx%d", tc.width, tc.height), func(t *testing.T) {
			d := newDriver(t, postalCodeFake(), tc.width, tc.height)
			d.keys("enter", "enter", "e")
			d.requireView("Edit Account")
			v := d.view()
			lines := linesWith(v, "54036")
			if len(lines) != 1 {
				t.Fatalf("the postal code shows on %d lines:\n%s", len(lines), v)
			}
			line := lines[0]
			if got := strings.Contains(line, "Billing Zip/Postal Code "); got != tc.whole {
				t.Fatalf("label whole = %v, want %v: %q", got, tc.whole, line)
			}
			// The values start in one column, after the labels, within a third of the screen.
			labelEnd := lipgloss.Width(line[:strings.Index(line, "54036")])
			if labelEnd > 2+tc.width/3+1 {
				t.Fatalf("the label column ends at %d, past a third of %d: %q", labelEnd, tc.width, line)
			}
			name := linesWith(v, "Account Name *")
			if len(name) != 1 || lipgloss.Width(name[0][:strings.Index(name[0], "Acme 000000")]) != labelEnd {
				t.Fatalf("the values do not start in one column (%d):\n%s", labelEnd, v)
			}
		})
	}
}
