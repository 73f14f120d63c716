package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/scenario"
)

// A long text field shows whole on the record page, wrapped under its label (the page
// scrolls), not cut after its first line; lines break only on spaces and none overflows.
func TestRecordPageShowsALongDescriptionWhole(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 5000; i++ {
		b.WriteString(sprintf("Lorem ipsum dolor sit amet %04d. ", i))
	}
	text := strings.TrimSpace(b.String()) + "\nSecond paragraph ends here."
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := seededFake(2)
			f.records["Account"][0]["Description"] = text
			d := newDriver(t, f, size[0], size[1])
			d.keys("enter", "enter")
			d.requireView("Description", "Lorem ipsum dolor sit amet 0000.")
			var seen strings.Builder
			for range 200 {
				for _, l := range strings.Split(d.view(), "\n") {
					if w := lipgloss.Width(l); w > size[0] {
						t.Fatalf("a line is %d cells wide at %d:\n%s", w, size[0], l)
					}
					seen.WriteString(strings.TrimSpace(l) + " ")
				}
				d.keys("pgdown")
			}
			all := flat(seen.String())
			for _, w := range []string{"amet 0150.", "Second paragraph ends here."} {
				if !strings.Contains(all, w) {
					t.Errorf("the record page never shows %q of the description", w)
				}
			}
		})
	}
}

// stageRefusing is a backstage whose every action fails as the org refuses it.
type stageRefusing struct{ err error }

func (s stageRefusing) Do(_ context.Context, st scenario.Step) scenario.StepResult {
	return scenario.StepResult{Text: "as sam: delete Account 001000000000000000", Err: s.err}
}
func (stageRefusing) RuleKinds(context.Context) ([]string, error)  { return nil, nil }
func (stageRefusing) Rules(context.Context) ([]remote.Rule, error) { return nil, nil }
func (stageRefusing) UserID(context.Context, string) (string, error) {
	return "005000000000000002", nil
}

// At 80×24 the backstage shows the whole result of an action, with its advice, under the menu
// (a failure that took several lines lost its last ones, and with them what to do).
func TestBackstageShowsTheWholeResultAndItsAdviceAt80x24(t *testing.T) {
	notFound := &remote.Error{Status: 404, Items: []remote.ErrorItem{{Code: "NOT_FOUND", Message: "The requested resource does not exist"}}}
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d := newDriverWith(t, Options{Backend: seededFake(2), Backstage: stageRefusing{notFound}}, size[0], size[1])
			d.keys("enter", "enter", "B", "down", "enter")
			v := flat(d.view())
			for _, w := range []string{"✖ as sam: delete Account", "The requested resource does not exist", "share it with sam first."} {
				if !strings.Contains(v, w) {
					t.Errorf("backstage lacks %q:\n%s", w, d.view())
				}
			}
			if n := strings.Count(v, "The requested resource does not exist"); n != 1 {
				t.Errorf("the failure shows %d times, want once (in the panel):\n%s", n, d.view())
			}
			d.requireView("Delete this record as sam")
		})
	}
}

// A record that left the cache says so whole at 80 columns, with the way back.
func TestRecordGoneFromTheCacheSaysWhyAndTheWayBackAt80(t *testing.T) {
	f := seededFake(2)
	d := newDriver(t, f, 80, 24)
	d.keys("enter", "enter")
	f.mu.Lock()
	f.records["Account"] = f.records["Account"][1:]
	f.mu.Unlock()
	d.send(refreshMsg{})
	v := flat(d.view())
	for _, w := range []string{"you lost access", "Press esc to go back."} {
		if !strings.Contains(v, w) {
			t.Errorf("view lacks %q:\n%s", w, d.view())
		}
	}
}
