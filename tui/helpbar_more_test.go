package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
)

// cutItem reports whether the help bar cuts one of its items (a "…" that is not an item of
// its own, saying keys were left out).
func cutItem(bar string) bool {
	for _, part := range strings.Split(bar, " · ") {
		if strings.Contains(part, "…") && part != "…" {
			return true
		}
	}
	return false
}

// aboveHelpBar is a view without its help bar.
func aboveHelpBar(v string) string {
	lines := strings.Split(v, "\n")
	return strings.Join(lines[:len(lines)-1], "\n")
}

func TestHelpBarSaysSoWhenItLeavesKeysOut(t *testing.T) {
	tests := []struct {
		name string
		w    int
		keys []string
		more bool
	}{
		{"menu at 80", 80, nil, true},
		{"list at 80", 80, []string{"enter"}, true},
		{"record page at 80", 80, []string{"enter", "enter"}, true},
		{"menu at 200", 200, nil, false},
		{"record page at 200", 200, []string{"enter", "enter"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, seededFake(2), tc.w, 24)
			d.keys(tc.keys...)
			bar := helpBarOf(d.view())
			if got := strings.Contains(bar, " · …"); got != tc.more {
				t.Errorf("the help bar says keys are left out: %v, want %v: %q", got, tc.more, bar)
			}
			if !strings.HasPrefix(bar, "? help") || cutItem(bar) || lipgloss.Width(bar) > tc.w {
				t.Errorf("the help bar is cut or lost ? help: %q", bar)
			}
			// Every key the full bar would show is either shown, or the bar says so.
			if !tc.more {
				for _, b := range d.model().shortHelp() {
					if b.Enabled() && !strings.Contains(bar, b.Help().Key+" "+b.Help().Desc) {
						t.Errorf("at %d columns the bar leaves out %q without saying so: %q", tc.w, b.Help().Key, bar)
					}
				}
			}
		})
	}
}

func TestRecordPageHelpBarOffersTheNewRecordKeysOfItsActionBar(t *testing.T) {
	f := seededFake(2)
	d := newDriver(t, f, 200, 24)
	d.keys("enter", "enter") // an Account: [t] New Task  [c] New Contact
	d.requireView("[c] New Contact")
	bar := helpBarOf(d.view())
	for _, want := range []string{"t new task", "c new contact"} {
		if !strings.Contains(bar, want) {
			t.Errorf("the account's help bar lacks %q: %q", want, bar)
		}
	}

}

func TestRecordPageHelpBarOffersTheNewKeyOfTheRelatedListInView(t *testing.T) {
	s := newStorySized(t, newWorld(t), 200, 40)
	s.press("enter")
	s.wait("Accounts", "records")
	s.press("enter")
	s.wait("[c] New Contact", "tab next") // tab: its related lists are read too
	// Moved to a related list whose kind t and c do not make, the action bar offers [n].
	for range 5 {
		if strings.Contains(s.view(), "[n] New ") {
			break
		}
		s.press("tab")
	}
	v := s.view()
	i := strings.Index(v, "[n] New ")
	if i < 0 {
		t.Fatalf("no related list of the account offers [n]:\n%s", v)
	}
	kind := strings.Fields(v[i+len("[n] New "):])[0]
	bar := helpBarOf(v)
	if !strings.Contains(bar, "n new "+strings.ToLower(kind)) || !strings.Contains(bar, "c new contact") {
		t.Errorf("the bar does not follow the action bar's [n] New %s: %q", kind, bar)
	}
}

func TestBackstageHelpBarDoesNotOfferTheBackstage(t *testing.T) {
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusPending})
	d := newDriver(t, f, 200, 24)
	if !strings.Contains(helpBarOf(d.view()), "B backstage") {
		t.Fatalf("the menu's bar lacks B backstage: %q", helpBarOf(d.view()))
	}
	d.keys("B")
	d.requireView("SIMULATION — backstage")
	if bar := helpBarOf(d.view()); strings.Contains(bar, "B backstage") {
		t.Errorf("inside the backstage the bar offers it: %q", bar)
	}
	d.keys("esc", "L")
	if bar := helpBarOf(d.view()); strings.Contains(bar, "L log") {
		t.Errorf("inside the log the bar offers it: %q", bar)
	}
}
