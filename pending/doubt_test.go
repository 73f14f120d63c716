package pending

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// A send lands but its reply is lost, a refresh brings the landed value, and another user then
// changes the field. The user, not knowing, types another value and then the first one again.
// The device's copy says the org holds it; the org holds the other user's: the change is a
// conflict, not settled as already there.
func TestAValueTypedAgainAfterALostReplyIsAskedOfTheOrgNotTakenFromTheCache(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	id := h.owned(t, "Account")[0].id
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "a"}); err != nil {
		t.Fatal(err)
	}
	h.faults.set(once(isComposite, "lose"))
	_, _ = h.eng.Sync(bg)
	h.faults.set(nil)
	if en := h.entryOf(t, id); en.Status != StatusPending {
		t.Fatalf("after the lost reply the change is %+v", en)
	}
	if rv, err := h.eng.Record(bg, "Account", id); err != nil || rv.Server["Phone"] != "a" {
		t.Fatalf("the refresh did not bring the landed value: %v %v", rv.Server["Phone"], err)
	}
	h.clock.Set(h.clock.Now().Add(1100 * time.Millisecond))
	if err := h.as(t, "admin@demo.example").Update(bg, "Account", id, remote.Fields{"Phone": "theirs"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(false)
	for _, v := range []string{"666", "a"} {
		if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": v}); err != nil {
			t.Fatal(err)
		}
	}
	h.eng.SetOnline(true)
	h.sync(t)
	org := h.serverRecord(t, "Account", id).Fields["Phone"]
	rv, err := h.eng.Record(bg, "Account", id)
	if err != nil {
		t.Fatal(err)
	}
	if rv.Entry == nil {
		t.Fatalf("the change left the queue; the org has Phone %v, the user set a", org)
	}
	if rv.Entry.Status != StatusConflict || len(rv.Entry.Conflicts) != 1 || rv.Entry.Conflicts[0].Theirs != "theirs" {
		t.Fatalf("want a conflict on Phone with theirs; entry %+v", rv.Entry)
	}
}

// A conflict on a field an earlier send set (its reply lost) says which value that send
// carried: the org may have taken it before the other user's change, and the base alone (the
// value before it) would not tell the user so.
func TestAConflictSaysWhatAnEarlierSendInDoubtCarried(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	id := h.owned(t, "Account")[0].id
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "555-0104"}); err != nil {
		t.Fatal(err)
	}
	h.faults.set(once(isComposite, "lose")) // the org applies it, the reply is lost
	_, _ = h.eng.Sync(bg)
	h.faults.set(nil)
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "555-0105"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(1100 * time.Millisecond))
	if err := h.as(t, "admin@demo.example").Update(bg, "Account", id, remote.Fields{"Phone": "555-0199"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, id)
	if en.Status != StatusConflict || len(en.Conflicts) != 1 {
		t.Fatalf("want a conflict on Phone; entry %+v", en)
	}
	c := en.Conflicts[0]
	if c.Theirs != "555-0199" || c.Mine != "555-0105" || len(c.Sent) != 1 || c.Sent[0] != "555-0104" {
		t.Fatalf("conflict %+v; want theirs 555-0199, mine 555-0105, sent [555-0104]", c)
	}
	acts, _ := h.eng.Activity(bg, id, 20)
	if want := `Account Phone theirs "555-0199", mine "555-0105", sent before with no reply "555-0104"`; !slices.ContainsFunc(acts, func(a Activity) bool {
		return strings.Contains(a.Note, want)
	}) {
		t.Fatalf("the log's conflict note does not say %q: %+v", want, acts)
	}
}
