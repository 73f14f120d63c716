package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
)

// queueOf puts orange (fix errors) and red (can't be saved) changes in f's queue, in place of
// what it held.
func queueOf(f *fakeBackend, orange, red int) {
	f.mu.Lock()
	f.entries = nil
	f.mu.Unlock()
	for i := 0; i < orange+red; i++ {
		e := pending.Entry{ID: sprintf("q%d", i), Object: "Account", RecordID: sprintf("001%015d", i), Name: sprintf("Acme %06d", i),
			Op: pending.OpUpdate, Status: pending.StatusInvalid, UpdatedAt: f.now}
		if i >= orange {
			e.Status, e.Code = pending.StatusFailed, "ENTITY_IS_DELETED"
		}
		f.setEntry(e)
	}
}

func finished(attention int) eventMsg {
	return eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: attention}}}
}

// A run cut short (offline mid-sync) raises the alert; the next run finds more: the alert, still
// open, says the next run's numbers, as the status bar does, not the first run's.
func TestOpenSyncAlertShowsTheLatestRunsCounts(t *testing.T) {
	f := seededFake(12)
	d := newDriver(t, f, 80, 24)
	queueOf(f, 4, 3)
	d.send(finished(7))
	requireAlert(t, d, "7 changes could not be synced: 4 need your attention and 3 can't be saved")
	queueOf(f, 9, 3)
	d.send(finished(12))
	requireAlert(t, d, "12 changes could not be synced: 9 need your attention and 3 can't be saved")
	// Closed, it stays closed when a run finds no more.
	d.keys("esc")
	d.send(finished(12))
	d.refuseView("Sync needs your attention")
}

// Only the sync's alert is refreshed: a confirmation open when a run ends stays as it is.
func TestSyncRunLeavesAnOpenConfirmationAlone(t *testing.T) {
	f := seededFake(12)
	d := newDriver(t, f, 80, 24)
	queueOf(f, 4, 3)
	m := d.model()
	m.modal = modal{kind: modalConfirm, title: "Discard this change?", body: "It is gone for good.", yes: "discard"}
	d.m = m
	d.send(finished(7))
	if got := d.model().modal; got.kind != modalConfirm || got.title != "Discard this change?" {
		t.Fatalf("the confirmation gave way to %+v", got)
	}
	d.refuseView("Sync needs your attention")
}

func requireAlert(t *testing.T, d *driver, want string) {
	t.Helper()
	m := d.model().modal
	if m.kind != modalAlert || m.title != "Sync needs your attention" || !strings.Contains(m.body, want) {
		t.Fatalf("the alert says %q, want %q:\n%s", m.body, want, d.view())
	}
	d.requireView("Sync needs your attention")
}
