package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// conflictWith opens the conflict screen on a one-field conflict of a seeded record, the fake's
// describes first changed by tweak.
func conflictWith(t *testing.T, tweak func(f *fakeBackend), object, id, field string, base, theirs, mine any) *driver {
	t.Helper()
	f := seededFake(3)
	if tweak != nil {
		tweak(f)
	}
	f.setEntry(pending.Entry{ID: "e1", Object: object, RecordID: id, Name: "the record",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{field: mine},
		Conflicts: []pending.Conflict{{Field: field, Base: base, Theirs: theirs, Mine: mine}}})
	d := newDriver(t, f, 100, 30)
	d.send(openConflictMsg{entryID: "e1"})
	d.requireView("Resolve conflict")
	return d
}

// rowOf is the text of the conflict screen's row named which ("theirs", "mine", …), without
// its mark and its note.
func rowOf(t *testing.T, d *driver, which string) string {
	t.Helper()
	for _, l := range strings.Split(d.view(), "\n") {
		l = strings.TrimLeft(strings.TrimPrefix(strings.TrimSpace(l), "✓"), " ")
		if rest, ok := strings.CutPrefix(l, which+" "); ok {
			rest = strings.TrimSpace(rest)
			if i := strings.Index(rest, "  ("); i >= 0 {
				rest = rest[:i]
			}
			return rest
		}
	}
	t.Fatalf("no %s row:\n%s", which, d.view())
	return ""
}

func TestConflictRowsThatWouldLookAlikeShowTheirValuesPrecisely(t *testing.T) {
	const acct, contact = "001000000000000000", "003000000000000001"
	meeting := func(f *fakeBackend) {
		c := f.desc["Contact"]
		c.Fields = append(c.Fields, remote.Field{Name: "Next_Meeting__c", Label: "Next Meeting", Type: "datetime", Createable: true, Updateable: true, Nillable: true})
	}
	scaled := func(f *fakeBackend) {
		a := f.desc["Account"]
		for i := range a.Fields {
			if a.Fields[i].Name == "AnnualRevenue" {
				a.Fields[i].Precision, a.Fields[i].Scale = 18, 2
			}
		}
	}
	cases := []struct {
		name                           string
		tweak                          func(*fakeBackend)
		object, id, field              string
		base, theirs, mine             any
		wantTheirs, wantMine, wantBase string
	}{
		{"a number past the field's scale", scaled, "Account", acct, "AnnualRevenue", 100.0, 500.001, 500.0, "500.001", "500.00", "100.00"},
		{"a currency without precision", nil, "Account", acct, "AnnualRevenue", 100.0, 1500.001, 1500.0, "1,500.001", "1,500.00", "100.00"},
		{"text with a space at its end", nil, "Account", acct, "Name", "Old", "Demo ", "Demo", `"Demo "`, `"Demo"`, "Old"},
		{"moments in the same minute", meeting, "Contact", contact, "Next_Meeting__c", nil,
			"2027-01-05T14:00:59.000+0000", "2027-01-05T14:00:00.000+0000", "Jan 5 2027 14:00:59 UTC", "Jan 5 2027 14:00:00 UTC", "(empty)"},
		{"moments in the same second", meeting, "Contact", contact, "Next_Meeting__c", nil,
			"2027-01-05T14:00:00.250+0000", "2027-01-05T14:00:00.000+0000", "Jan 5 2027 14:00:00.250 UTC", "Jan 5 2027 14:00:00.000 UTC", "(empty)"},
		// Values that show apart already keep the ordinary display.
		{"numbers that show apart", scaled, "Account", acct, "AnnualRevenue", 100.0, 500.001, 600.0, "500.00", "600.00", "100.00"},
		{"one moment written two ways", meeting, "Contact", contact, "Next_Meeting__c", nil,
			"2027-01-05T14:00:00Z", "2027-01-05T14:00:00.000+0000", "Jan 5 2027 14:00 UTC", "Jan 5 2027 14:00 UTC", "(empty)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := conflictWith(t, c.tweak, c.object, c.id, c.field, c.base, c.theirs, c.mine)
			if got := rowOf(t, d, "theirs"); got != c.wantTheirs {
				t.Errorf("theirs shows %q, want %q:\n%s", got, c.wantTheirs, d.view())
			}
			if got := rowOf(t, d, "mine"); got != c.wantMine {
				t.Errorf("mine shows %q, want %q:\n%s", got, c.wantMine, d.view())
			}
			if got := rowOf(t, d, "base"); got != c.wantBase {
				t.Errorf("base shows %q, want %q:\n%s", got, c.wantBase, d.view())
			}
		})
	}
}

func TestConflictNewValueThatLooksLikeTheirsShowsPrecisely(t *testing.T) {
	const acct = "001000000000000000"
	d := conflictWith(t, nil, "Account", acct, "Name", "Old", "Demo", "Mine")
	d.keys("v", "Demo ", "enter")
	if got := rowOf(t, d, "new"); got != `"Demo "` {
		t.Fatalf("the new value shows %q, want it quoted:\n%s", got, d.view())
	}
	if got := rowOf(t, d, "theirs"); got != `"Demo"` {
		t.Fatalf("theirs shows %q, want it quoted:\n%s", got, d.view())
	}
}
