package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// twoFieldConflict is an orange change of two conflicting fields on the first account, opened
// from Pending Changes.
func twoFieldConflict(t *testing.T, w, h int) (*driver, *fakeBackend) {
	t.Helper()
	f := seededFake(2)
	at := time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Code: "CONFLICT", Message: "Another user changed Industry, Account Phone",
		Changes: remote.Fields{"Phone": "555-0111", "Industry": "Retail"},
		Conflicts: []pending.Conflict{
			{Field: "Industry", Base: "Banking", Theirs: "Energy", Mine: "Retail", TheirsBy: "005A", TheirsAt: at},
			{Field: "Phone", Base: "555-0100", Theirs: "555-0122", Mine: "555-0111", TheirsBy: "005A", TheirsAt: at},
		}})
	d := newDriver(t, f, w, h)
	d.keys("p")
	d.requireView("▲ Conflict")
	d.keys("r")
	d.requireView("Resolve conflict")
	return d, f
}

func TestConflictEscAsksBeforeDroppingChoicesAndTheHelpBarSaysSo(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		d, f := twoFieldConflict(t, size[0], size[1])
		// Nothing chosen yet: esc goes back at once, and says the change stays unresolved.
		if !strings.Contains(flat(d.view()), "esc back, still unresolved") {
			t.Fatalf("%dx%d: the screen does not say what esc does:\n%s", size[0], size[1], d.view())
		}
		if bar := helpBarOf(d.view()); !strings.Contains(bar, "esc back") || strings.Contains(bar, "asks") {
			t.Fatalf("%dx%d: the help bar is %q", size[0], size[1], bar)
		}
		d.keys("esc")
		if d.model().modal.open() || d.model().active() != ScreenPending {
			t.Fatalf("%dx%d: esc with nothing chosen did not go back:\n%s", size[0], size[1], d.view())
		}
		d.keys("r")
		d.requireView("Resolve conflict")
		d.keys("t", "down", "v", "555-0133", "enter")
		bar := helpBarOf(d.view())
		// Each key the bar keeps says what it does; at 80 columns ↑/↓ keeps its place beside
		// them (m and t name the row they take in a word).
		for _, want := range []string{"esc back (asks)", "ctrl+s save", "m mine", "t theirs", "↑/↓ fields"} {
			if !strings.Contains(bar, want) {
				t.Fatalf("%dx%d: with choices made the help bar lacks %q: %q", size[0], size[1], want, bar)
			}
		}
		if !strings.Contains(flat(d.view()), "esc back: asks before dropping your choices") { // the screen's own hint, whole
			t.Fatalf("%dx%d: the screen does not say what esc does:\n%s", size[0], size[1], d.view())
		}
		if size[0] == 80 {
			t.Run("choices", func(t *testing.T) { teatest.RequireEqualOutput(t, []byte(d.view())) })
		}
		d.keys("esc")
		d.requireView("Drop your choices?", "y drop them")
		if v := boxText(d.view()); !strings.Contains(v, "you chose theirs for Industry, a new value for Account Phone.") {
			t.Fatalf("%dx%d: the question does not say what would be dropped:\n%s", size[0], size[1], d.view())
		}
		if d.model().active() != ScreenConflict {
			t.Fatalf("%dx%d: esc left the screen before the answer", size[0], size[1])
		}
		if size[0] == 80 {
			t.Run("asks", func(t *testing.T) { teatest.RequireEqualOutput(t, []byte(d.view())) })
		}
		d.keys("n")
		// No keeps the screen and every choice.
		d.requireView("Resolve conflict", "new     555-0133")
		if ch := d.model().conflict.choices; ch[0].Take != pending.TakeTheirs || ch[1].Take != pending.TakeValue {
			t.Fatalf("%dx%d: no lost the choices: %+v", size[0], size[1], ch)
		}
		// p goes back to Pending Changes below: it asks too.
		d.keys("p")
		d.requireView("Drop your choices?")
		d.keys("esc")
		if d.model().active() != ScreenConflict {
			t.Fatalf("%dx%d: p left the screen although the answer was no", size[0], size[1])
		}
		d.keys("esc", "y")
		if d.model().active() != ScreenPending {
			t.Fatalf("%dx%d: yes did not go back:\n%s", size[0], size[1], d.view())
		}
		if f.resolved != nil {
			t.Fatalf("%dx%d: leaving resolved the conflict: %+v", size[0], size[1], f.resolved)
		}
	}
}

func TestConflictChoicesHoldAQuitAsAFormsEditsDo(t *testing.T) {
	d, _ := twoFieldConflict(t, 100, 30)
	if d.model().holdsQuit() {
		t.Fatal("a conflict screen with nothing chosen holds the quit")
	}
	d.keys("t")
	if got := quitFilter(d.model(), tea.QuitMsg{}); got != (quitHeldMsg{}) {
		t.Fatalf("a quit with a choice made went through: %#v", got)
	}
	d.send(quitHeldMsg{})
	d.requireView("Unsaved changes")
	if v := boxText(d.view()); !strings.Contains(v, "The conflict screen has choices that are not saved: theirs for Industry.") {
		t.Fatalf("the question does not say what a quit loses:\n%s", d.view())
	}
	// Keeping mine again is what the screen started with: nothing to lose.
	d.keys("n", "m")
	if d.model().holdsQuit() {
		t.Fatal("keeping mine again still holds the quit")
	}
}

func TestDeleteConflictKeepChoiceAsksBeforeEsc(t *testing.T) {
	f := seededFake(2)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpDelete, Status: pending.StatusConflict, Message: "Another user changed Account Phone after you deleted it",
		Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "555-0199"}}})
	d := newDriver(t, f, 100, 24)
	d.keys("p", "r")
	d.requireView("Delete anyway")
	d.keys("down")
	d.requireView("esc back: asks before dropping your choices")
	if bar := helpBarOf(d.view()); !strings.Contains(bar, "esc back (asks)") {
		t.Fatalf("the help bar is %q", bar)
	}
	d.keys("esc")
	d.requireView("Drop your choices?")
	if v := boxText(d.view()); !strings.Contains(v, "you chose to keep the record") {
		t.Fatalf("the question does not say what would be dropped:\n%s", d.view())
	}
}

// boxText is a view's words with a pop-up's borders taken out, so a sentence wrapped inside the
// box reads whole.
func boxText(v string) string {
	return flat(strings.NewReplacer("│", " ", "─", " ", "┌", " ", "┐", " ", "└", " ", "┘", " ").Replace(v))
}

// T takes theirs on every field, M keeps mine on every field: a conflict of sixty fields is
// not 120 keys. The choice of one field afterwards still counts.
func TestConflictTakesOneSideOnEveryFieldAtOnce(t *testing.T) {
	for _, c := range []struct {
		keys []string
		want map[string]pending.Take
	}{
		{[]string{"T"}, map[string]pending.Take{"Industry": pending.TakeTheirs, "Phone": pending.TakeTheirs}},
		{[]string{"T", "M"}, map[string]pending.Take{"Industry": pending.TakeMine, "Phone": pending.TakeMine}},
		{[]string{"T", "down", "m"}, map[string]pending.Take{"Industry": pending.TakeTheirs, "Phone": pending.TakeMine}},
		// A value typed stays: it was chosen one by one.
		{[]string{"down", "v", "ctrl+u", "9", "enter", "T"}, map[string]pending.Take{"Industry": pending.TakeTheirs, "Phone": pending.TakeValue}},
	} {
		d, f := twoFieldConflict(t, 80, 24)
		if !strings.Contains(flat(d.view()), "M, T: on every field not given a value") {
			t.Fatalf("the hint does not offer M and T:\n%s", d.view())
		}
		d.keys(c.keys...)
		d.keys("ctrl+s")
		d.refuseView("Resolve conflict")
		f.mu.Lock()
		got := f.resolved
		f.mu.Unlock()
		for field, take := range c.want {
			if got[field].Take != take {
				t.Errorf("%v: %s resolved %+v, want %v", c.keys, field, got[field], take)
			}
		}
	}
}
