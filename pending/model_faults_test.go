package pending

import (
	"errors"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/offline-edit/offline-edit/remote"
)

// syncFault syncs with one Composite request spoiled by action, and checks what the engine
// recorded.
func (m *model) syncFault(t *rapid.T, action string) {
	if !m.h.eng.Online() {
		return
	}
	for k := range m.remoteChanged {
		if rv, err := m.h.eng.Record(bg, "", m.serverID(k)); err != nil || rv.Entry == nil {
			delete(m.remoteChanged, k) // a refresh in the faulty run may take it in: no expectation
		}
	}
	m.h.faults.set(once(isComposite, action))
	_, err := m.h.eng.Sync(bg)
	m.h.faults.set(nil)
	m.checkSynced(t)
	for k := range m.remoteChanged {
		if rv, err := m.h.eng.Record(bg, "", m.serverID(k)); err != nil || rv.Entry == nil {
			// Its change settled in this run (an earlier send had landed) and the refresh
			// took in the other user's: a later edit starts from theirs.
			delete(m.remoteChanged, k)
		}
	}
	if err != nil && (errors.Is(err, ErrAuth) || Classify(err) != ClassTransient && Classify(err) != ClassOffline) {
		t.Fatalf("faulty sync: %v (%v)", err, Classify(err))
	}
	m.h.clock.Set(m.h.clock.Now().Add(time.Duration(rapid.IntRange(0, 600).Draw(t, "secs")) * time.Second))
	// remote changes stay expected for the next clean sync
}

// SyncLose syncs with one Composite reply lost after the org applied the request.
func (m *model) SyncLose(t *rapid.T) {
	if ents, err := m.h.eng.Entries(bg); err == nil {
		for _, e := range ents {
			k := m.keyOf(e.RecordID)
			m.inDoubt[k] = true
			// What another user changed on it before may now meet the user's own landed
			// values in either order: no expectation either way from here on.
			delete(m.remoteChanged, k)
		}
	}
	m.syncFault(t, "lose")
}

// A remote edit of a record whose send may have landed: the user's value may already have
// been applied, so the later remote value legitimately wins. No expectation either way.
func (m *model) RemoteEditInDoubt(t *rapid.T) {
	k := m.pickKnown(t)
	id := m.serverID(k)
	if id == "" {
		t.Skip("not on the org yet")
	}
	f, ok := m.theirEdit(t, k, id)
	if !ok {
		return
	}
	if m.inDoubt[k] {
		if m.mine[k] != nil {
			delete(m.mine[k], f)
		}
		// Nor for what other users changed on it before: with this edit either may conflict.
		delete(m.remoteChanged, k)
		return
	}
	if m.remoteChanged[k] == nil {
		m.remoteChanged[k] = map[string]bool{}
	}
	m.remoteChanged[k][f] = true
}

// SyncDrop syncs with one Composite request that never reaches the org.
func (m *model) SyncDrop(t *rapid.T) { m.syncFault(t, "drop") }

// Reopen restarts the device: the engine on the same database.
func (m *model) Reopen(t *rapid.T) {
	on := m.h.eng.Online()
	m.h.reopen(t)
	m.h.eng.SetOnline(on)
}

// The model with faults on the way: syncs whose Composite reply is lost after the org applied
// it, or that never reach the org, and restarts of the device between steps. The queue is never
// lost or duplicated, and a final clean sync leaves the org as the user left it, except fields
// another user changed after a send of the user's may have landed (either value may rightly
// win there). Lost replies followed by more changes are where a change was once taken for
// another user's, and an edit after a lost create was dropped.
func TestQueueAgainstModelWithLostRepliesDropsAndRestarts(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(t, harnessOpts{size: 40, objects: []string{"Account", "Contact"}})
		defer h.close()
		// The model's own checks query the org after every step: their requests are not the
		// device's, and a long sequence would otherwise reach the org's daily API limit.
		h.org.SetDailyLimit(1 << 30)
		if _, err := h.eng.Sync(bg); err != nil {
			rt.Fatal(err)
		}
		m := newSyncedModel(h, rt)
		rt.Repeat(map[string]func(*rapid.T){
			"":           m.Check,
			"create":     m.Create,
			"edit":       m.Edit,
			"delete":     m.Delete,
			"remoteEdit": m.RemoteEditInDoubt,
			"toggle":     m.Toggle,
			"profile":    m.SwitchProfile,
			"sync":       m.Sync,
			"syncLose":   m.SyncLose,
			"syncDrop":   m.SyncDrop,
			"reopen":     m.Reopen,
		})
		m.final(rt)
	})
}

// newSyncedModel is the model of a harness that synced once: the accounts and contacts the
// user owns are the records it knows.
func newSyncedModel(h *harness, rt *rapid.T) *model {
	m := &model{h: h, t: rt, object: map[string]string{}, mine: map[string]remote.Fields{}, deleted: map[string]bool{},
		created: map[string]string{}, tags: map[string]bool{}, remoteGone: map[string]bool{},
		remoteChanged: map[string]map[string]bool{}, shared: map[string]bool{}, parent: map[string]string{},
		inDoubt: map[string]bool{}}
	for _, r := range h.owned(rt, "Account", "Contact") {
		m.known = append(m.known, r.id)
		m.object[r.id] = r.object
	}
	return m
}
