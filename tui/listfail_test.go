package tui

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// listFailing fails every List past the first page, up to 30 times (then answers, so that a
// test of a loop still ends).
type listFailing struct {
	*fakeBackend
	failed atomic.Int32
}

func (b *listFailing) List(ctx context.Context, q pending.ListQuery) (pending.Page, error) {
	if q.Offset > 0 && b.failed.Load() < 30 {
		b.failed.Add(1)
		return pending.Page{}, errors.New("database is locked")
	}
	return b.fakeBackend.List(ctx, q)
}

// A page the list failed to read is asked for again at the user's next move, not at once after
// every message (a busy loop while the failure lasts).
func TestAFailedPageIsNotAskedAgainAtOnce(t *testing.T) {
	f := newFakeBackend()
	f.quiet = true
	for i := 0; i < 500; i++ {
		f.add("Account", remote.Fields{"Id": fmt.Sprintf("001%015d", i), "Name": fmt.Sprintf("Acct %04d", i)})
	}
	f.sortAll()
	b := &listFailing{fakeBackend: f}
	d := newDriver(t, b, 80, 24)
	d.keys("home", "enter")
	d.keys("G")
	if n := b.failed.Load(); n > 1 {
		t.Fatalf("one key to the end of the list asked for the failing page %d times", n)
	}
}
