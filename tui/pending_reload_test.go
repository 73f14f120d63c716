package tui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/offline-edit/offline-edit/pending"
)

// slowEntries is the fake engine with a queue that takes delay to read, as a queue of thousands
// does while a sync writes to it.
type slowEntries struct {
	*fakeBackend
	delay time.Duration
}

func (s slowEntries) Entries(ctx context.Context) ([]pending.Entry, error) {
	time.Sleep(s.delay)
	return s.fakeBackend.Entries(ctx)
}

var pendingTitle = regexp.MustCompile(`Pending Changes  (\d+)`)

func pendingShown(v string) string {
	if m := pendingTitle.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return ""
}

// A reload asked while another is in flight (an event came) does not throw the first one's
// answer away: the list shows it, the cursor stays on its entry, and the reload follows.
func TestPendingChangesShowsALoadThatALaterReloadOvertook(t *testing.T) {
	f := seededFake(12)
	queueOf(f, 6, 0)
	d := newDriver(t, f, 80, 24)
	d.keys("p", "down", "down", "down")
	d.requireView("Pending Changes  6", "▸ ▲ Fix errors Account Acme 000003")

	m := d.model()
	m, first := m.reload(ScreenPending) // a sync event: the list loads again
	if err := f.remove("q0"); err != nil {
		t.Fatal(err)
	}
	answer := first() // read with q0 gone
	if err := f.remove("q1"); err != nil {
		t.Fatal(err)
	}
	m, second := m.reload(ScreenPending) // the next event, while the first load is in flight
	var tm tea.Model = m
	var next tea.Cmd
	tm, next = tm.Update(answer)
	d.m = tm
	d.requireView("Pending Changes  5", "▸ ▲ Fix errors Account Acme 000003")
	// The reload asked in between shows the queue as it is now.
	d.run(next)
	d.run(second)
	d.requireView("Pending Changes  4", "▸ ▲ Fix errors Account Acme 000003")
}

// During a big sync events come faster than the queue can be read: Pending Changes follows the
// queue all the same, not only once the events stop (it showed a stale list for 5 to 19 s).
func TestPendingChangesFollowsTheQueueWhileEventsComeFasterThanItLoads(t *testing.T) {
	f := seededFake(12)
	f.quiet = false
	queueOf(f, 200, 0)
	b := slowEntries{f, 150 * time.Millisecond}
	m := endsWithTest(t, New(Options{Backend: b}))
	m.c.now = clockFrom(f.dataNow())
	tm := teatest.NewTestModel(t, harness{m}, teatest.WithInitialTermSize(80, 24))
	t.Cleanup(func() { _ = tm.Quit() })
	s := &story{t: t, b: b, tm: tm}
	s.press("p")
	s.wait("Pending Changes  200")

	// The sync takes a change off the queue every 20 ms for 2 s, each with its event.
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		if err := f.remove(sprintf("q%d", i)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		if i%5 == 4 {
			seen[pendingShown(s.view())] = true
		}
	}
	delete(seen, "200")
	delete(seen, "")
	if len(seen) < 2 {
		t.Fatalf("while the sync ran, Pending Changes showed %v besides its first 200: the list stayed stale\n%s", seen, s.view())
	}
	s.wait("Pending Changes  100")
	if v := s.view(); !strings.Contains(v, "Acme 000100") {
		t.Fatalf("the list lacks the first change left:\n%s", v)
	}
}
