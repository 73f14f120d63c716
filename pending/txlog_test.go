package pending

import (
	"database/sql/driver"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/offline-edit/offline-edit/remote"
)

// inTxHook runs inside a SQLite statement (through a trigger that calls in_tx_hook()): a point
// in the middle of a transaction, where the engine's step hooks cannot reach.
var inTxHook atomic.Pointer[func()]

func init() {
	sqlite.MustRegisterScalarFunction("in_tx_hook", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		if f := inTxHook.Load(); f != nil {
			(*f)()
		}
		return int64(0), nil
	})
}

func countNotes(acts []Activity, prefix string) int {
	n := 0
	for _, a := range acts {
		if strings.HasPrefix(a.Note, prefix) {
			n++
		}
	}
	return n
}

// waitForConnection waits until a goroutine is queued for the database's one connection (which
// the transaction running the hook holds).
func waitForConnection(t *testing.T, h *harness, before int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.db.SQL().Stats().WaitCount == before {
		if time.Now().After(deadline) {
			t.Error("the user's action never waited for the database")
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// A sync records a wave and its transaction fails (the disk is full) after it noted "created X".
// A user who discards another change, or opens the log, at that moment writes the activity
// logged before their action: not the rolled-back transaction's notes, which would tell of a
// create the device did not record (and the next sync, which records it, would tell it again).
func TestUserActionDuringAFailedSyncTransactionDoesNotLogWhatItRolledBack(t *testing.T) {
	for _, action := range []string{"alone", "discard", "log"} {
		t.Run(action, func(t *testing.T) {
			h := newHarness(t, harnessOpts{})
			h.sync(t)
			c := h.firstOwned(t, "Contact")
			h.editMeetingTheirs(t, "Contact", c.ID, remote.Fields{"Phone": "555-mine"}, remote.Fields{"Phone": "555-theirs"})
			h.sync(t)
			conf := h.entryOf(t, c.ID)
			if conf.Status != StatusConflict {
				t.Fatalf("premise: a conflict to discard, got %+v", conf)
			}
			h.eng.SetOnline(false)
			local, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Ghost Of A Rollback"})
			if err != nil {
				t.Fatal(err)
			}
			createID := h.entryOf(t, local).ID
			// The disk fills as the wave's transaction takes the accepted create off the queue.
			if _, err := h.db.SQL().Exec(`CREATE TRIGGER full_disk BEFORE DELETE ON entries WHEN OLD.status = 'syncing'
				BEGIN SELECT in_tx_hook(); SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			var fired atomic.Bool
			hook := func() {
				if action == "alone" || !fired.CompareAndSwap(false, true) {
					return
				}
				waits := h.db.SQL().Stats().WaitCount
				go func() {
					if action == "log" {
						_, err := h.eng.Activity(bg, "", 10) // the log screen, opened meanwhile
						done <- err
						return
					}
					done <- h.eng.Discard(bg, conf.ID)
				}()
				waitForConnection(t, h, waits)
			}
			inTxHook.Store(&hook)
			defer inTxHook.Store(nil)
			h.eng.SetOnline(true)
			if _, err := h.eng.Sync(bg); err == nil || !strings.Contains(err.Error(), "disk is full") {
				t.Fatalf("sync on a full device: %v", err)
			}
			if action != "alone" {
				if err := <-done; err != nil {
					t.Fatalf("%s: %v", action, err)
				}
			}
			if _, err := h.db.SQL().Exec(`DROP TRIGGER full_disk`); err != nil {
				t.Fatal(err)
			}
			if en, err := h.eng.Entry(bg, createID); err != nil || en.Op != OpCreate {
				t.Fatalf("the create should still be queued (nothing was recorded): %+v %v", en, err)
			}
			acts, err := h.eng.Activity(bg, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if n := countNotes(acts, "created "); n != 0 {
				t.Errorf("after the rolled-back sync the log tells of %d create(s) the device did not record", n)
			}
			h.sync(t) // room again: the create is found on the org and recorded, once
			acts, err = h.eng.Activity(bg, local, 0)
			if err != nil {
				t.Fatal(err)
			}
			if n := countNotes(acts, "created "); n != 1 {
				t.Errorf("one create, %d 'created' notes in its history", n)
			}
			if n := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name = 'Ghost Of A Rollback'"); n != 1 {
				t.Errorf("the org holds %d records for one create", n)
			}
		})
	}
}

// A discard whose transaction fails after it marked the change pointing at the discarded record
// invalid tells nobody so: that change is still waiting.
func TestDiscardThatRollsBackDoesNotAnnounceTheOrphanedChild(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	acc, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Parent Kept"})
	if err != nil {
		t.Fatal(err)
	}
	kid, err := h.eng.Create(bg, "Contact", remote.Fields{"LastName": "Child Kept", "AccountId": acc})
	if err != nil {
		t.Fatal(err)
	}
	parent, child := h.entryOf(t, acc), h.entryOf(t, kid)
	if _, err := h.db.SQL().Exec(`CREATE TRIGGER full_disk BEFORE INSERT ON activity BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
		t.Fatal(err)
	}
	drain(h.eng)
	if err := h.eng.Discard(bg, parent.ID); err == nil {
		t.Fatal("a discard on a full device reported no error")
	}
	if _, err := h.db.SQL().Exec(`DROP TRIGGER full_disk`); err != nil {
		t.Fatal(err)
	}
	if now := h.entryOf(t, kid); now.Status == StatusInvalid {
		t.Fatalf("premise: the discard rolled back, yet the child is %s", now.Status)
	}
	for {
		select {
		case ev := <-h.eng.Events():
			if ev.EntryID == child.ID && ev.Status == StatusInvalid {
				t.Fatalf("told the child went invalid; the discard rolled back (%+v)", ev)
			}
			continue
		default:
		}
		break
	}
	// Once there is room, the discard goes through and says so.
	if err := h.eng.Discard(bg, parent.ID); err != nil {
		t.Fatal(err)
	}
	told := false
	for {
		select {
		case ev := <-h.eng.Events():
			told = told || (ev.EntryID == child.ID && ev.Status == StatusInvalid)
			continue
		default:
		}
		break
	}
	if !told {
		t.Error("the child's change was marked invalid and nobody was told")
	}
}
