package tui

import (
	"context"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
)

// slowRelated is a backend whose related lists (a list matched on a field's value) take as long
// as the test likes: on a device with tens of thousands of children each reads all of them.
type slowRelated struct {
	*fakeBackend
	release chan struct{}
}

func (b slowRelated) List(ctx context.Context, q pending.ListQuery) (pending.Page, error) {
	if len(q.Where) > 0 {
		select {
		case <-b.release:
		case <-ctx.Done():
		}
	}
	return b.fakeBackend.List(ctx, q)
}

// A record's page shows its fields as soon as the record is read; its related lists follow
// when they are read.
func TestARecordPageShowsBeforeItsRelatedListsAreRead(t *testing.T) {
	b := slowRelated{familyFake(), make(chan struct{})}
	d := newDriver(t, b, 80, 24)
	d.keys("enter", "enter")
	d.requireView("Account  Acme 000000", "[e] Edit")
	d.refuseView("Tasks (")
	close(b.release) // read now: opened again, the page has them
	d.keys("esc", "enter", "tab", "tab")
	d.requireView("Account  Acme 000000", "▸ Tasks (0)")
}
