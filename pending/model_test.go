package pending

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// model is the oracle: what the user asked for, per record, that the org must end up with.
type model struct {
	h             *harness
	t             *rapid.T
	known         []string                 // record ids (server or local) the user can work on
	object        map[string]string        // record id → object
	mine          map[string]remote.Fields // record id → values the user set and the org must get
	deleted       map[string]bool          // the user deleted it
	created       map[string]string        // local id → unique Name/LastName tag
	tags          map[string]bool          // every create tag ever used
	remoteOp      int
	n             int
	remoteGone    map[string]bool            // deleted by another user, or access revoked
	remoteChanged map[string]map[string]bool // record → fields another user changed since the last sync
	shared        map[string]bool            // sam's records shared with alex
	parent        map[string]string          // Contact → its Account (model key or server id)
	inDoubt       map[string]bool            // records a send may have reached with its reply lost
}

// parentGone reports whether a Contact's Account is no longer on the org: deleting an Account
// deletes its Contacts there (and refuses new ones), whatever the device had queued for them.
func (m *model) parentGone(t *rapid.T, k string) bool {
	p := m.parent[k]
	if p == "" {
		return false
	}
	if _, ok := m.object[p]; ok {
		if p = m.serverID(p); p == "" {
			return m.created[m.parent[k]] == "" // an offline create that was dropped
		}
	}
	_, err := m.h.as(t, "admin@demo.example").Retrieve(bg, "Account", p, []string{"Id"})
	return err != nil
}

// modelFields are the fields the model edits on each object: text, long text, and the two
// fields whose values the org stores in a form of its own: a multi-select (the org keeps the
// chosen values in the picklist's order, "Software;Hardware" is stored "Hardware;Software") and
// a datetime (any zone and precision in, milliseconds in UTC out).
var modelFields = map[string][]string{
	"Account": {"Phone", "Description", "Product_Interest__c"},
	"Contact": {"Phone", "Description", "Next_Meeting__c"},
}

// mineValues are the values the user types into each field. Two of them name one value in two
// forms; none of them is ever a value theirValue gives, so that the same field changed on both
// sides is always a conflict.
var mineValues = map[string][]string{
	"Phone":               {"a", "b", "c", "666"},
	"Description":         {"a", "b", "c"},
	"Product_Interest__c": {"Hardware", "Software;Hardware", "Hardware;Software", ""},
	"Next_Meeting__c":     {"2026-01-05T09:00:00.000+0000", "2026-01-05T10:00:00+01:00", "2026-02-01T10:30:00Z", ""},
}

// theirValue is another user's value number n of field f: a new one each time for text and
// datetimes, one of the values the user never chooses for the multi-select.
func theirValue(f string, n int) any {
	switch f {
	case "Product_Interest__c":
		return []string{"Cloud Services", "Training;Support Plans", "Support Plans"}[n%3]
	case "Next_Meeting__c":
		return time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute).Format("2006-01-02T15:04:05.000Z")
	}
	return fmt.Sprintf("theirs-%d", n)
}

// sameModelValue compares what the user set with what the org holds: a multi-select as the
// set of values it chooses, anything else as the org stores it.
func sameModelValue(f string, a, b any) bool {
	if f != "Product_Interest__c" {
		return sameValue(a, b)
	}
	set := func(v any) string {
		s, _ := v.(string)
		if s == "" {
			return ""
		}
		parts := strings.Split(s, ";")
		sort.Strings(parts)
		return strings.Join(parts, ";")
	}
	return set(a) == set(b)
}

func (m *model) pickKnown(t *rapid.T) string {
	if len(m.known) == 0 {
		t.Skip("no records")
	}
	k := rapid.SampledFrom(m.known).Draw(t, "record")
	m.noteParent(k)
	return k
}

// noteParent remembers the Account of a cached Contact the first time the model touches it.
func (m *model) noteParent(k string) {
	if m.parent[k] != "" || m.object[k] != "Contact" || IsLocalID(k) {
		return
	}
	if rv, err := m.h.eng.Record(bg, "", k); err == nil {
		if p, _ := rv.Fields["AccountId"].(string); p != "" && !IsLocalID(p) {
			m.parent[k] = p
		}
	}
}

// serverID maps a local id to its server id once created ("" before).
func (m *model) serverID(id string) string {
	if !IsLocalID(id) {
		return id
	}
	var sid string
	_ = m.h.db.SQL().QueryRow(`SELECT server_id FROM idmap WHERE local_id = ?`, id).Scan(&sid)
	return sid
}

func (m *model) currentID(id string) string {
	if sid := m.serverID(id); sid != "" {
		return sid
	}
	return id
}

func (m *model) Create(t *rapid.T) {
	m.n++
	obj := rapid.SampledFrom([]string{"Account", "Contact"}).Draw(t, "object")
	tag := fmt.Sprintf("Model %s %d-%d", obj, time.Now().UnixNano()%1e9, m.n)
	fields := remote.Fields{"Phone": "p0"}
	if obj == "Account" {
		fields["Name"] = tag
	} else {
		fields["LastName"] = tag
		// Sometimes under an account created offline, sometimes under a cached one.
		var parents []string
		for _, id := range m.known {
			if m.object[id] == "Account" && !m.deleted[id] {
				parents = append(parents, id)
			}
		}
		if len(parents) > 0 && rapid.Bool().Draw(t, "withParent") {
			p := rapid.SampledFrom(parents).Draw(t, "parent")
			fields["AccountId"] = m.currentID(p)
			defer func() { m.parent[m.known[len(m.known)-1]] = m.keyOf(p) }()
		}
	}
	id, err := m.h.eng.Create(bg, obj, fields)
	if err != nil {
		if errors.Is(err, ErrNotAllowed) {
			return // e.g. a parent whose create was discarded
		}
		t.Fatalf("create: %v", err)
	}
	m.known = append(m.known, id)
	m.object[id] = obj
	m.created[id] = tag
	m.tags[tag] = true
	m.mine[id] = remote.Fields{"Phone": "p0"}
}

func (m *model) Edit(t *rapid.T) {
	id := m.currentID(m.pickKnown(t))
	f := rapid.SampledFrom(modelFields[m.object[m.keyOf(id)]]).Draw(t, "field")
	v := rapid.SampledFrom(mineValues[f]).Draw(t, "value")
	// Typing again the value the queued change already holds is no new wish of the user's: what
	// the model expects of that field (none, after another user's edit met a send in doubt)
	// stays as it was.
	again := false
	if rv, err := m.h.eng.Record(bg, "", id); err == nil && rv.Entry != nil && hasField(rv.Entry.Changes, f) && sameModelValue(f, rv.Entry.Changes[f], v) {
		again = true
	}
	err := m.h.eng.Edit(bg, m.object[m.keyOf(id)], id, remote.Fields{f: v})
	switch {
	case err == nil && again:
	case err == nil:
		k := m.keyOf(id)
		if m.mine[k] == nil {
			m.mine[k] = remote.Fields{}
		}
		m.mine[k][f] = v
		// Setting a field to the value the org already has is no change: the engine keeps no
		// entry for it, and a later remote edit of that field is simply the org's truth.
		if rv, err := m.h.eng.Record(bg, "", id); err == nil && (rv.Entry == nil || !hasField(rv.Entry.Changes, f)) {
			delete(m.mine[k], f)
		}
	case errors.Is(err, ErrLocked):
		rv, _ := m.h.eng.Record(bg, "", id)
		if rv.Entry == nil || !rv.Entry.Status.Locked() {
			t.Fatalf("ErrLocked on a record whose entry is %+v", rv.Entry)
		}
	case errors.Is(err, ErrNotAllowed), errors.Is(err, ErrNotFound):
	default:
		t.Fatalf("edit: %v", err)
	}
}

// keyOf returns the model key (the id first used) of a record id.
func (m *model) keyOf(id string) string {
	if _, ok := m.object[id]; ok {
		return id
	}
	for k := range m.object {
		if m.serverID(k) == id {
			return k
		}
	}
	return id
}

func (m *model) Delete(t *rapid.T) {
	k := m.pickKnown(t)
	id := m.currentID(k)
	err := m.h.eng.Delete(bg, m.object[k], id)
	switch {
	case err == nil:
		if IsLocalID(id) {
			// Deleting an offline create drops it: nothing reaches the org.
			delete(m.mine, k)
			m.created[k] = "" // expect no record with its tag
		} else {
			m.deleted[k] = true
			delete(m.mine, k) // the delete supersedes the edits
		}
		m.forget(k)
	case errors.Is(err, ErrLocked), errors.Is(err, ErrNotAllowed), errors.Is(err, ErrNotFound):
	default:
		t.Fatalf("delete: %v", err)
	}
}

func (m *model) forget(k string) {
	for i, id := range m.known {
		if id == k {
			m.known = append(m.known[:i], m.known[i+1:]...)
			return
		}
	}
}

func (m *model) RemoteEdit(t *rapid.T) {
	k := m.pickKnown(t)
	id := m.serverID(k)
	if id == "" {
		t.Skip("not on the org yet")
	}
	f, ok := m.theirEdit(t, k, id)
	if !ok {
		return
	}
	if m.remoteChanged[k] == nil {
		m.remoteChanged[k] = map[string]bool{}
	}
	m.remoteChanged[k][f] = true
}

// theirEdit has another user change one field of record k (server id id), outside the
// one-second window of If-Unmodified-Since. It reports the field, and false when the org
// changed nothing (it refused, or already held the value).
func (m *model) theirEdit(t *rapid.T, k, id string) (string, bool) {
	m.h.clock.Set(m.h.clock.Now().Add(1100 * time.Millisecond))
	f := rapid.SampledFrom(modelFields[m.object[k]]).Draw(t, "field")
	m.remoteOp++
	v := theirValue(f, m.remoteOp)
	admin := m.h.as(t, "admin@demo.example")
	if cur, err := admin.Retrieve(bg, m.object[k], id, []string{f}); err == nil && sameModelValue(f, cur.Fields[f], v) {
		return f, false
	}
	// Nor back to what the device holds (the few values of the multi-select come round): the
	// other user's edits would then add up to no change, and the model would expect a conflict
	// where the engine rightly sees none.
	if rv, err := m.h.eng.Record(bg, "", id); err == nil {
		if sameModelValue(f, rv.Server[f], v) {
			return f, false
		}
		if rv.Entry != nil && hasField(rv.Entry.Base, f) && sameModelValue(f, rv.Entry.Base[f], v) {
			return f, false
		}
	}
	return f, admin.Update(bg, m.object[k], id, remote.Fields{f: v}, remote.WriteOptions{}) == nil
}

func (m *model) RevokeAccess(t *rapid.T) {
	var ids []string
	for _, k := range m.known {
		if m.shared[k] {
			ids = append(ids, k)
		}
	}
	if len(ids) == 0 {
		t.Skip("nothing shared")
	}
	k := rapid.SampledFrom(ids).Draw(t, "shared")
	if err := m.h.admin(t).Share(bg, k, "alex@demo.example", "none"); err != nil {
		t.Fatal(err)
	}
	m.remoteOp++
	delete(m.mine, k)
	delete(m.deleted, k)
	m.shared[k] = false
	m.remoteGone[k] = true
}

func (m *model) AddRule(t *rapid.T) {
	if _, err := m.h.admin(t).AddRule(bg, remote.Rule{Object: "Contact", Kind: "forbid_value", Field: "Phone", Value: "666", Message: "Not that number"}); err != nil {
		t.Fatal(err)
	}
}

func (m *model) RemoteDelete(t *rapid.T) {
	k := m.pickKnown(t)
	id := m.serverID(k)
	if id == "" {
		t.Skip("not on the org yet")
	}
	if err := m.h.as(t, "admin@demo.example").Delete(bg, m.object[k], id); err != nil {
		return
	}
	m.remoteOp++
	m.deleted[k] = false // the user's intents on it are void; it may come back as failed
	delete(m.mine, k)
	m.forget(k)
	m.remoteGone[k] = true
}

func (m *model) Toggle(t *rapid.T) { m.h.eng.SetOnline(!m.h.eng.Online()) }

// SwitchProfile changes the org's metadata under the device: the real-org profile has no
// Offline_Key__c (creates must go keyless, sync-down's query must drop the field) and answers
// 412 without a body; the demo profile brings the field back.
func (m *model) SwitchProfile(t *rapid.T) {
	p := mockorg.ProfileDemo
	if rapid.Bool().Draw(t, "realProfile") {
		p = mockorg.ProfileReal
	}
	m.h.org.SetProfile(p)
}

func (m *model) Sync(t *rapid.T) {
	if !m.h.eng.Online() {
		if _, err := m.h.eng.Sync(bg); !errors.Is(err, remote.ErrOffline) {
			t.Fatalf("offline sync: %v", err)
		}
		return
	}
	// What the sync must decide for records another user changed: an entry that changes one
	// of the same fields (or a delete) conflicts; one that changes only other fields merges.
	expect := map[string]bool{} // record id → must conflict
	for k, fields := range m.remoteChanged {
		id := m.serverID(k)
		rv, err := m.h.eng.Record(bg, "", id)
		if err != nil || rv.Entry == nil || (rv.Entry.Status != StatusPending && rv.Entry.Status != StatusWaiting) {
			continue
		}
		overlap := rv.Entry.Op == OpDelete
		for f := range fields {
			if _, ok := rv.Entry.Changes[f]; ok {
				overlap = true
			}
		}
		if !m.remoteGone[k] {
			expect[id] = overlap
		}
	}
	if _, err := m.h.eng.Sync(bg); err != nil {
		t.Fatalf("sync: %v", err)
	}
	m.remoteChanged = map[string]map[string]bool{}
	for id, conflict := range expect {
		if m.parentGone(t, m.keyOf(id)) {
			continue // deleted with its Account: nothing left to conflict with
		}
		rv, err := m.h.eng.Record(bg, "", id)
		if err != nil {
			t.Fatalf("record %s: %v", id, err)
		}
		switch {
		case conflict && (rv.Entry == nil || rv.Entry.Status != StatusConflict):
			t.Fatalf("%s: overlapping changes did not conflict: %+v", id, rv.Entry)
		case !conflict && rv.Entry != nil && rv.Entry.Status == StatusConflict:
			t.Fatalf("%s: disjoint changes conflicted: %+v", id, rv.Entry)
		}
	}
	m.checkSynced(t)
}

// checkSynced: every record whose entry left the queue has the user's values on the org.
func (m *model) checkSynced(t *rapid.T) {
	for k, want := range m.mine {
		id := m.serverID(k)
		if id == "" {
			continue
		}
		rv, err := m.h.eng.Record(bg, "", id)
		if err == nil && rv.Entry != nil {
			continue
		}
		if m.remoteGone[k] {
			continue
		}
		if m.parentGone(t, k) {
			delete(m.mine, k) // went with its Account
			continue
		}
		rec, err := m.h.as(t, "admin@demo.example").Retrieve(bg, m.object[k], id, nil)
		if err != nil {
			t.Fatalf("%s synced but not on the org: %v", id, err)
		}
		for f, v := range want {
			if !sameModelValue(f, rec.Fields[f], v) {
				t.Fatalf("%s.%s: org has %v, the user set %v", id, f, rec.Fields[f], v)
			}
		}
		delete(m.mine, k)
	}
}

// Check runs after every action: the queue's invariants.
func (m *model) Check(t *rapid.T) {
	ents, err := m.h.eng.Entries(bg)
	if err != nil {
		t.Fatal(err)
	}
	total, attention, _ := m.h.eng.Counts(bg)
	att := 0
	byRecord := map[string]bool{}
	creates := map[string]bool{}
	for _, e := range ents {
		if e.Op == OpCreate {
			creates[e.RecordID] = true
		}
	}
	for _, e := range ents {
		switch e.Status {
		case StatusPending, StatusWaiting, StatusConflict, StatusInvalid, StatusFailed:
		default:
			t.Fatalf("entry %s in status %q outside a sync", e.ID, e.Status)
		}
		if e.Status.Locked() {
			att++
		}
		if byRecord[e.RecordID] {
			t.Fatalf("two entries for %s", e.RecordID)
		}
		byRecord[e.RecordID] = true
		if e.Status == StatusWaiting && !creates[e.WaitingOn] {
			t.Fatalf("entry %s waits on %q, which no create provides", e.ID, e.WaitingOn)
		}
		for _, ref := range localRefs(e.Changes) {
			if !creates[ref] && e.Code != "REFERENCE_DISCARDED" {
				t.Fatalf("entry %s refers to %s, which no create provides", e.ID, ref)
			}
		}
		if e.Op == OpUpdate {
			for f := range e.Changes {
				if _, ok := e.Base[f]; !ok {
					t.Fatalf("entry %s changes %s without a base", e.ID, f)
				}
			}
		}
	}
	if total != len(ents) || attention != att {
		t.Fatalf("counts %d/%d, queue %d/%d", total, attention, len(ents), att)
	}
	for tag := range m.tags {
		if n := m.orgCount(t, tag); n > 1 {
			t.Fatalf("%d records with tag %q: duplicated", n, tag)
		}
	}
}

func (m *model) orgCount(t *rapid.T, tag string) int {
	n := 0
	for _, q := range []string{"SELECT Id FROM Account WHERE Name = '" + tag + "'", "SELECT Id FROM Contact WHERE LastName = '" + tag + "'"} {
		res, err := m.h.as(t, "admin@demo.example").Query(bg, q, 0)
		if err != nil {
			t.Fatal(err)
		}
		n += len(res.Records)
	}
	return n
}

// settle goes online and works through every entry needing the user, the way a user would:
// conflicts keep mine, refused changes are discarded, failed ones dismissed.
func (m *model) settle(t *rapid.T) {
	m.h.eng.SetOnline(true)
	for round := 0; round < 10; round++ {
		m.h.clock.Set(m.h.clock.Now().Add(10 * time.Minute)) // past every backoff
		if _, err := m.h.eng.Sync(bg); err != nil {
			t.Fatalf("sync: %v", err)
		}
		m.checkSynced(t)
		ents, _ := m.h.eng.Entries(bg)
		if len(ents) == 0 {
			return
		}
		for _, e := range ents {
			k := m.keyOf(e.RecordID)
			var err error
			switch {
			case e.Status == StatusConflict && e.Op == OpDelete:
				err = m.h.eng.ResolveDelete(bg, e.ID, true)
			case e.Status == StatusConflict:
				// Mine, as the conflict found theirs; when a later sync brought newer values of
				// theirs, nothing is resolved until the user takes them in view.
				if err = m.h.eng.Resolve(bg, e.ID, nil); errors.Is(err, ErrTheirsMoved) {
					if again, gerr := m.h.eng.Entry(bg, e.ID); gerr != nil || again.Status != StatusConflict {
						t.Fatalf("a resolve refused for newer theirs changed the entry: %+v %v", again, gerr)
					}
					err = m.h.eng.ResolveAgainst(bg, e.ID, nil, nil)
				}
			case e.Status == StatusInvalid:
				err = m.h.eng.Discard(bg, e.ID)
				delete(m.mine, k)
				delete(m.deleted, k)
				if IsLocalID(e.RecordID) {
					m.created[k] = ""
				}
			case e.Status == StatusFailed:
				err = m.h.eng.Dismiss(bg, e.ID)
				delete(m.mine, k)
				delete(m.deleted, k)
			}
			if err != nil {
				t.Fatalf("settling %+v: %v", e, err)
			}
		}
	}
	ents, _ := m.h.eng.Entries(bg)
	t.Fatalf("the queue did not drain: %+v", ents)
}

func (m *model) final(t *rapid.T) {
	m.settle(t)
	if len(m.mine) != 0 {
		keys := make([]string, 0, len(m.mine))
		for k := range m.mine {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Fatalf("changes never reached the org: %v", keys)
	}
	for k, tag := range m.created {
		want := 1
		if tag == "" {
			continue
		}
		if m.remoteGone[k] || m.deleted[k] {
			continue
		}
		if m.parentGone(t, k) {
			want = 0 // deleting an Account deletes its Contacts (or their create is refused)
		}
		if n := m.orgCount(t, tag); n != want {
			t.Fatalf("create %s (%s): %d records on the org", k, tag, n)
		}
	}
	for k, del := range m.deleted {
		if !del {
			continue
		}
		if n := len(mustQuery(t, m.h, "SELECT Id FROM "+m.object[k]+" WHERE Id = '"+m.serverID(k)+"'")); n != 0 {
			t.Fatalf("%s was deleted by the user but is on the org", k)
		}
	}
	var n int
	_ = m.h.db.SQL().QueryRow(`SELECT COUNT(*) FROM records WHERE id LIKE 'local-%' OR view LIKE '%"local-%'`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d cached records still hold local ids", n)
	}
}

func mustQuery(t *rapid.T, h *harness, q string) []remote.Record {
	res, err := h.as(t, "admin@demo.example").Query(context.Background(), q, 0)
	if err != nil {
		t.Fatal(err)
	}
	return res.Records
}

func TestQueueAgainstModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(t, harnessOpts{size: 40, objects: []string{"Account", "Contact"}})
		defer h.close()
		// The model's own checks query the org after every step: their requests are not the
		// device's, and a long sequence would otherwise reach the org's daily API limit.
		h.org.SetDailyLimit(1 << 30)
		sam := h.as(rt, "sam@demo.example")
		res, err := sam.Query(bg, "SELECT Id FROM Account WHERE OwnerId = '"+h.users["sam@demo.example"].ID+"' LIMIT 3", 0)
		if err != nil {
			rt.Fatal(err)
		}
		var shared []string
		for _, r := range res.Records {
			if err := h.admin(rt).Share(bg, r.ID(), "alex@demo.example", "edit"); err != nil {
				rt.Fatal(err)
			}
			shared = append(shared, r.ID())
		}
		if _, err := h.eng.Sync(bg); err != nil {
			rt.Fatal(err)
		}
		m := newSyncedModel(h, rt)
		for _, id := range shared {
			m.known = append(m.known, id)
			m.object[id] = "Account"
			m.shared[id] = true
		}
		if rapid.Bool().Draw(rt, "ruleOn") {
			_, _ = h.admin(t).AddRule(bg, remote.Rule{Object: "Account", Kind: "forbid_value", Field: "Phone", Value: "666", Message: "Not that number"})
		}
		rt.Repeat(map[string]func(*rapid.T){
			"":             m.Check,
			"create":       m.Create,
			"edit":         m.Edit,
			"delete":       m.Delete,
			"remoteEdit":   m.RemoteEdit,
			"remoteDelete": m.RemoteDelete,
			"toggle":       m.Toggle,
			"profile":      m.SwitchProfile,
			"revokeAccess": m.RevokeAccess,
			"addRule":      m.AddRule,
			"sync":         m.Sync,
		})
		m.final(rt)
	})
}

func hasField(fields remote.Fields, f string) bool {
	_, ok := fields[f]
	return ok
}
