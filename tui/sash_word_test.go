package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
)

// The list words of a change waiting to sync and of one waiting for its parent read apart.
func TestAChangeWaitingForItsParentReadsApartFromOneToSync(t *testing.T) {
	toSync, waits := shortWord(pending.StatusPending, pending.OpUpdate), shortWord(pending.StatusWaiting, pending.OpCreate)
	if waits == toSync || !strings.Contains(waits, "parent") || strings.HasPrefix(waits, "Waiting") {
		t.Fatalf("a list shows %q for a change to sync and %q for one waiting for its parent", toSync, waits)
	}
}
