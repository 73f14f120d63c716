package pending

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// once applies action to the first request matching match, then lets everything through.
func once(match func(*http.Request) bool, action string) func(*http.Request) string {
	var done atomic.Bool
	return func(r *http.Request) string {
		if match(r) && done.CompareAndSwap(false, true) {
			return action
		}
		return ""
	}
}

func isComposite(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/composite")
}

func countOnOrg(t *testing.T, h *harness, soql string) int {
	t.Helper()
	res, err := h.as(t, "admin@demo.example").Query(bg, soql, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(res.Records)
}

func TestLostReplyOfACreateDoesNotDuplicateIt(t *testing.T) {
	names := []string{"Lost Reply Ltd", "Lost\tReply\nLtd 'quoted' \"double\" back\\slash\r\f\b"}
	for _, profile := range []mockorg.Profile{mockorg.ProfileDemo, mockorg.ProfileReal} {
		for i, name := range names {
			t.Run(fmt.Sprintf("%s/%d", profile, i), func(t *testing.T) {
				h := newHarness(t, harnessOpts{profile: profile})
				h.sync(t)
				h.eng.SetOnline(false)
				local, err := h.eng.Create(bg, "Account", remote.Fields{"Name": name, "Phone": "123"})
				if err != nil {
					t.Fatal(err)
				}
				byName := "SELECT Id FROM Account WHERE Name = '" + soqlEscape(name) + "'"
				h.faults.set(once(isComposite, "lose"))
				h.eng.SetOnline(true)
				s, err := h.eng.Sync(bg)
				if err == nil {
					t.Fatal("a lost reply must report a network failure")
				}
				if s.Retrying != 1 {
					t.Fatalf("summary %+v", s)
				}
				if n := countOnOrg(t, h, byName); n != 1 {
					t.Fatalf("the org should have applied the create once, has %d", n)
				}
				en := h.entryOf(t, local)
				if en.Status != StatusPending || en.Attempts != 1 || !en.NextAttempt.After(time.Time{}) {
					t.Fatalf("entry %+v", en)
				}
				h.clock.Set(h.clock.Now().Add(10 * time.Minute))
				s = h.sync(t)
				if s.Synced != 1 {
					t.Fatalf("second sync %+v", s)
				}
				if n := countOnOrg(t, h, byName); n != 1 {
					t.Fatalf("duplicate created: %d records", n)
				}
				assertNoLocalIDs(t, h)
				acts, _ := h.eng.Activity(bg, "", 100)
				if !hasNote(acts, "found the record an earlier send created") {
					t.Fatalf("the lookup was not used: %+v", acts)
				}
			})
		}
	}
}

// On an object without Offline_Key__c a lost create is looked up by its values among the
// records created since shortly before it was sent: the org's clock a minute or two behind the
// device's still finds it, and the next sync sends no duplicate.
func TestALostKeylessCreateIsFoundThoughTheOrgsClockIsBehind(t *testing.T) {
	for _, behind := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		t.Run(behind.String(), func(t *testing.T) {
			h := newHarness(t, harnessOpts{profile: mockorg.ProfileReal, orgBehind: behind})
			h.sync(t)
			h.eng.SetOnline(false)
			if _, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Slow Clock Ltd", "Phone": "555-0112"}); err != nil {
				t.Fatal(err)
			}
			h.faults.set(once(isComposite, "lose"))
			h.eng.SetOnline(true)
			if _, err := h.eng.Sync(bg); err == nil {
				t.Fatal("a lost reply must report a network failure")
			}
			byName := "SELECT Id FROM Account WHERE Name = 'Slow Clock Ltd'"
			if n := countOnOrg(t, h, byName); n != 1 {
				t.Fatalf("the org should have applied the create once, has %d", n)
			}
			h.clock.Set(h.clock.Now().Add(10 * time.Minute))
			h.sync(t)
			if n := countOnOrg(t, h, byName); n != 1 {
				t.Fatalf("duplicate created: %d records", n)
			}
			if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
				t.Fatalf("still queued: %+v", ents)
			}
			assertNoLocalIDs(t, h)
			if acts, _ := h.eng.Activity(bg, "", 100); !hasNote(acts, "found the record an earlier send created") {
				t.Fatalf("the lookup was not used: %+v", acts)
			}
		})
	}
}

// onlyFirstCreate rewrites a composite to carry only its first create and that create's read:
// the org sees nothing of the rest (as when a connection breaks part way).
func onlyFirstCreate(t *testing.T, r *http.Request) {
	t.Helper()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		AllOrNone        bool              `json:"allOrNone"`
		CompositeRequest []json.RawMessage `json:"compositeRequest"`
	}
	if err := json.Unmarshal(body, &c); err != nil || len(c.CompositeRequest) < 2 {
		t.Fatalf("composite %s: %v", body, err)
	}
	c.CompositeRequest = c.CompositeRequest[:2]
	if body, err = json.Marshal(c); err != nil {
		t.Fatal(err)
	}
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
}

// Two creates alike, both sent with their offline keys in one request whose reply was lost,
// and only the first reached the org. The next sync finds the first by its key; the second,
// not found by its key, must not take the first's record by its values (that record carries
// the first's key): it is sent again, and the device ends with two records.
func TestALostCreateNeverTakesTheRecordOfAnotherCreateByItsValues(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	fields := remote.Fields{"Name": "Twin Reply Ltd", "Phone": "555-0111"}
	var locals []string
	for range 2 {
		id, err := h.eng.Create(bg, "Account", fields)
		if err != nil {
			t.Fatal(err)
		}
		locals = append(locals, id)
	}
	var done atomic.Bool
	h.faults.set(func(r *http.Request) string {
		if isComposite(r) && done.CompareAndSwap(false, true) {
			onlyFirstCreate(t, r)
			return "lose"
		}
		return ""
	})
	h.eng.SetOnline(true)
	if _, err := h.eng.Sync(bg); err == nil {
		t.Fatal("a lost reply must report a network failure")
	}
	byName := "SELECT Id FROM Account WHERE Name = 'Twin Reply Ltd'"
	if n := countOnOrg(t, h, byName); n != 1 {
		t.Fatalf("the org should hold the first create only, has %d", n)
	}
	for _, id := range locals {
		if en := h.entryOf(t, id); !en.InDoubt {
			t.Fatalf("entry %s is not in doubt: %+v", id, en)
		}
	}
	h.clock.Set(h.clock.Now().Add(10 * time.Minute))
	h.sync(t)
	if n := countOnOrg(t, h, byName); n != 2 {
		t.Errorf("the org holds %d records, want 2", n)
	}
	ids := map[string]bool{}
	for _, local := range locals {
		id, err := h.eng.ServerID(bg, local)
		if err != nil || id == "" {
			t.Fatalf("the create %s has no org id: %q, %v", local, id, err)
		}
		ids[id] = true
	}
	if len(ids) != 2 {
		t.Errorf("the two creates have the ids %v on the device, want two distinct ids", ids)
	}
	if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
		t.Errorf("still queued: %+v", ents)
	}
}

func TestTransientFailuresRetryWithBackoffThenSucceed(t *testing.T) {
	for _, action := range []string{"503", "lock", "429", "drop", "500"} {
		t.Run(action, func(t *testing.T) {
			h := newHarness(t, harnessOpts{})
			h.sync(t)
			c := h.firstOwned(t, "Contact")
			h.eng.SetOnline(false)
			_ = h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "555"})
			h.faults.set(once(isComposite, action))
			h.eng.SetOnline(true)
			before := h.clock.Now()
			s, _ := h.eng.Sync(bg)
			en := h.entryOf(t, c.ID)
			if s.Retrying != 1 || en.Status != StatusPending || en.Attempts != 1 || en.Status.Sash() != SashGreen {
				t.Fatalf("summary %+v entry %+v", s, en)
			}
			// In doubt only when the org may have done it: no answer, or a 500 (the work may be
			// done); a 503, a lock or a request limit say it was not taken.
			if want := action == "drop" || action == "500"; en.InDoubt != want {
				t.Fatalf("in doubt %v after %s, want %v", en.InDoubt, action, want)
			}
			if action == "429" && en.NextAttempt.Sub(before) < 2*time.Second {
				t.Fatalf("Retry-After not honoured: next attempt in %v", en.NextAttempt.Sub(before))
			}
			// A change the org may have is not said to be unsynced.
			prefix := map[bool]string{false: "Not synced yet (", true: "No confirmation ("}[en.InDoubt]
			if !strings.HasPrefix(en.Message, prefix) || !strings.HasSuffix(en.Message, "will retry automatically") {
				t.Fatalf("message %q (in doubt %v)", en.Message, en.InDoubt)
			}
			if !en.NextAttempt.After(before) {
				t.Fatalf("no backoff: next attempt %v", en.NextAttempt)
			}
			// Not before its time (full jitter may make the wait short)...
			if en.NextAttempt.After(h.clock.Now().Add(time.Second)) {
				if s := h.sync(t); s.Synced != 0 {
					t.Fatalf("retried before the backoff expired: %+v", s)
				}
			}
			// ...and at once on Retry.
			if err := h.eng.Retry(bg, en.ID); err != nil {
				t.Fatal(err)
			}
			h.sync(t)
			if got := h.serverRecord(t, "Contact", c.ID).Fields["Phone"]; got != "555" {
				t.Fatalf("org has %v", got)
			}
			if total, _, _ := h.eng.Counts(bg); total != 0 {
				t.Fatalf("queue holds %d", total)
			}
		})
	}
}

func TestLostReplyOfAnUpdateIsRecognisedAsOurs(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	_ = h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "777"})
	h.faults.set(once(isComposite, "lose"))
	h.eng.SetOnline(true)
	_, _ = h.eng.Sync(bg)
	h.clock.Set(h.clock.Now().Add(10 * time.Minute))
	s := h.sync(t)
	if s.Synced != 1 || s.Attention != 0 {
		t.Fatalf("summary %+v", s)
	}
	acts, _ := h.eng.Activity(bg, c.ID, 100)
	if !hasNote(acts, "the org already has these values") {
		t.Fatalf("412 not recognised as ours: %+v", acts)
	}
}

func TestDeleteOfARecordChangedSinceIsAConflict(t *testing.T) {
	for _, anyway := range []bool{true, false} {
		h := newHarness(t, harnessOpts{})
		h.sync(t)
		c := h.firstOwned(t, "Contact")
		h.eng.SetOnline(false)
		if err := h.eng.Delete(bg, "Contact", c.ID); err != nil {
			t.Fatal(err)
		}
		h.clock.Set(h.clock.Now().Add(2 * time.Second))
		_ = h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Title": "Still here"}, remote.WriteOptions{})
		h.eng.SetOnline(true)
		h.sync(t)
		en := h.entryOf(t, c.ID)
		if en.Status != StatusConflict || en.Message != "Another user changed Title before your delete reached the org" {
			t.Fatalf("entry %+v", en)
		}
		if err := h.eng.ResolveDelete(bg, en.ID, anyway); err != nil {
			t.Fatal(err)
		}
		h.sync(t)
		n := countOnOrg(t, h, "SELECT Id FROM Contact WHERE Id = '"+c.ID+"'")
		_, cacheErr := h.eng.Record(bg, "Contact", c.ID)
		if anyway && (n != 0 || cacheErr == nil) {
			t.Fatalf("delete anyway: org %d cache %v", n, cacheErr)
		}
		if !anyway && (n != 1 || cacheErr != nil) {
			t.Fatalf("keep: org %d cache %v", n, cacheErr)
		}
	}
}

func TestDeleteOfAnAlreadyDeletedRecordIsDone(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	_ = h.eng.Delete(bg, "Contact", c.ID)
	_ = h.as(t, "admin@demo.example").Delete(bg, "Contact", c.ID)
	h.eng.SetOnline(true)
	s := h.sync(t)
	if s.Synced != 1 || s.Attention != 0 {
		t.Fatalf("summary %+v", s)
	}
}

func TestDuplicateRuleIsInvalidAndSavingUnchangedSendsSaveAnyway(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	if _, err := h.admin(t).AddRule(bg, remote.Rule{Object: "Account", Kind: "duplicate", Field: "Name", Message: "Looks like a duplicate"}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	a := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	local, _ := h.eng.Create(bg, "Account", remote.Fields{"Name": a.Name})
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, local)
	if en.Status != StatusInvalid || en.Code != "DUPLICATES_DETECTED" {
		t.Fatalf("entry %+v", en)
	}
	if err := h.eng.Fix(bg, en.ID, nil); err != nil {
		t.Fatal(err)
	}
	if s := h.sync(t); s.Synced != 1 {
		t.Fatalf("save anyway: %+v", s)
	}
	if n := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name = '"+soqlEscape(a.Name)+"'"); n != 2 {
		t.Fatalf("org has %d", n)
	}
}

// sentSaveAnyway reports whether a request asks the org to save despite its duplicate rules
// (the header on a REST call, or on a subrequest of a composite).
func sentSaveAnyway(r *http.Request) bool {
	if r.Header.Get("Sforce-Duplicate-Rule-Header") != "" {
		return true
	}
	if r.Body == nil {
		return false
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return bytes.Contains(body, []byte("Sforce-Duplicate-Rule-Header"))
}

// A duplicate-rule refusal that allows saving anyway, then a fix with other values: the fix is
// a new attempt, not the "save anyway" the refusal offered. When the org refuses it for another
// reason, the message offers no saving unchanged, and sending it again unchanged asks for no
// exception to the duplicate rule.
func TestAFixWithNewValuesForgetsTheDuplicateRulesSaveAnyway(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	admin := h.admin(t)
	if _, err := admin.AddRule(bg, remote.Rule{Object: "Account", Kind: "duplicate", Field: "Name", Message: "Looks like a duplicate"}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AddRule(bg, remote.Rule{Object: "Account", Kind: "forbid_value", Field: "Name", Value: "Forbidden Fix Ltd", Message: "Not that name"}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	a := h.firstOwned(t, "Account")
	var saveAnyway atomic.Int32
	h.faults.set(func(r *http.Request) string {
		if sentSaveAnyway(r) {
			saveAnyway.Add(1)
		}
		return ""
	})
	h.eng.SetOnline(false)
	local, err := h.eng.Create(bg, "Account", remote.Fields{"Name": a.Name})
	if err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, local)
	if en.Status != StatusInvalid || en.Code != "DUPLICATES_DETECTED" || !strings.Contains(en.Message, "save again unchanged") {
		t.Fatalf("after the duplicate: status %s, code %s, message %q", en.Status, en.Code, en.Message)
	}
	if err := h.eng.Fix(bg, en.ID, remote.Fields{"Name": "Forbidden Fix Ltd"}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	en = h.entryOf(t, local)
	if en.Status != StatusInvalid || en.Code == "DUPLICATES_DETECTED" {
		t.Fatalf("after the fix: status %s, code %s, message %q; want refused by the other rule", en.Status, en.Code, en.Message)
	}
	if strings.Contains(en.Message, "save again unchanged") {
		t.Errorf("after the fix the message still offers saving anyway: %q", en.Message)
	}
	if err := h.eng.Fix(bg, en.ID, nil); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if n := saveAnyway.Load(); n != 0 {
		t.Errorf("%d requests asked to save despite the duplicate rule after the fix gave new values", n)
	}
	if n := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name = 'Forbidden Fix Ltd'"); n != 0 {
		t.Fatalf("the org holds %d records of the refused name", n)
	}
}

func TestADeviceThatCannotWriteNeverCountsOrAnnouncesAChangeAsSynced(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	rows := h.owned(t, "Account")[:20]
	for i, r := range rows {
		if err := h.eng.Edit(bg, "Account", r.id, remote.Fields{"Description": fmt.Sprintf("disk full %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	// The device's storage fills up just as the sync records what the org accepted: the last
	// write of the transaction (the activity log) fails, after every change was applied in it.
	if _, err := h.db.SQL().Exec(`CREATE TRIGGER full_device BEFORE INSERT ON activity BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	drain(h.eng)
	sum, err := h.eng.Sync(bg)
	if err == nil {
		t.Fatal("a sync on a full device reported no error")
	}
	left, _, _ := h.eng.Counts(bg)
	if sum.Synced != len(rows)-left {
		t.Fatalf("summary says %d synced, but %d of %d changes are still queued", sum.Synced, left, len(rows))
	}
	// Listeners never heard of a removal that did not happen.
	for {
		select {
		case ev := <-h.eng.Events():
			if ev.Kind == EventEntryRemoved {
				t.Fatalf("event says entry %s left the queue; %d of %d are still queued", ev.EntryID, left, len(rows))
			}
			continue
		default:
		}
		break
	}
	// Room again: everything reaches the org, once.
	if _, err := h.db.SQL().Exec(`DROP TRIGGER full_device`); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if n, _, _ := h.eng.Counts(bg); n != 0 {
		ents, _ := h.eng.Entries(bg)
		t.Fatalf("left after a sync with room: %+v", ents)
	}
	for i, r := range rows {
		if got := h.serverRecord(t, "Account", r.id).Fields["Description"]; got != fmt.Sprintf("disk full %d", i) {
			t.Fatalf("%s: org has %v", r.id, got)
		}
	}
}

// A create whose reply was lost is found on the org by the next sync before anything is sent;
// when the device cannot record that, the summary must not count it and the log must not say
// the record was created (nothing of it was saved: it is looked up again next time).
func TestAFoundCreateTheDeviceCannotRecordIsNeitherCountedNorLogged(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	var locals []string
	for i := range 3 {
		local, err := h.eng.Create(bg, "Account", remote.Fields{"Name": fmt.Sprintf("Found But Full %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		locals = append(locals, local)
	}
	h.faults.set(once(isComposite, "lose"))
	h.eng.SetOnline(true)
	if _, err := h.eng.Sync(bg); err == nil {
		t.Fatal("a lost reply must report a network failure")
	}
	if _, err := h.db.SQL().Exec(`CREATE TRIGGER full_device BEFORE DELETE ON entries BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(10 * time.Minute))
	sum, err := h.eng.Sync(bg)
	if err == nil {
		t.Fatal("a sync on a full device reported no error")
	}
	left, _, _ := h.eng.Counts(bg)
	if left != len(locals) || sum.Synced != 0 {
		t.Fatalf("summary says %d synced with %d of %d creates still queued", sum.Synced, left, len(locals))
	}
	if _, err := h.db.SQL().Exec(`DROP TRIGGER full_device`); err != nil {
		t.Fatal(err)
	}
	acts, _ := h.eng.Activity(bg, "", 0)
	if hasNote(acts, "created ") {
		t.Fatalf("the log tells of creates the device never recorded: %+v", acts)
	}
	// Room again: each is found once more, and recorded.
	if s := h.sync(t); s.Synced != len(locals) {
		t.Fatalf("sync with room: %+v", s)
	}
	for i := range locals {
		if n := countOnOrg(t, h, fmt.Sprintf("SELECT Id FROM Account WHERE Name = 'Found But Full %d'", i)); n != 1 {
			t.Fatalf("org has %d of create %d", n, i)
		}
	}
	assertNoLocalIDs(t, h)
}

// A fix or a retry the device could not save leaves the change as it was, and the log says
// nothing of it: the note is written with the change, or not at all.
func TestSettlingTheDeviceCannotSaveLeavesNoNoteInTheLog(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	o := h.firstOwned(t, "Opportunity")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Opportunity", o.ID, remote.Fields{"Amount": -5}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, o.ID)
	if en.Status != StatusInvalid {
		t.Fatalf("entry %+v", en)
	}
	if _, err := h.db.SQL().Exec(`CREATE TRIGGER full_device BEFORE UPDATE ON entries BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`); err != nil {
		t.Fatal(err)
	}
	if err := h.eng.Fix(bg, en.ID, remote.Fields{"Amount": 1250}); err == nil {
		t.Fatal("a fix on a full device reported no error")
	}
	if err := h.eng.Retry(bg, en.ID); err == nil {
		t.Fatal("a retry on a full device reported no error")
	}
	if _, err := h.db.SQL().Exec(`DROP TRIGGER full_device`); err != nil {
		t.Fatal(err)
	}
	if got := h.entryOf(t, o.ID); got.Status != StatusInvalid {
		t.Fatalf("entry after the failed fix: %+v", got)
	}
	acts, _ := h.eng.Activity(bg, o.ID, 0)
	if hasNote(acts, "fixed by the user") || hasNote(acts, "retried by the user") {
		t.Fatalf("the log tells of a fix the device never saved: %+v", acts)
	}
	if err := h.eng.Fix(bg, en.ID, remote.Fields{"Amount": 1250}); err != nil {
		t.Fatal(err)
	}
	if acts, _ := h.eng.Activity(bg, o.ID, 0); !hasNote(acts, "fixed by the user: Amount=1250") {
		t.Fatalf("the fix that was saved is not in the log: %+v", acts)
	}
}

// A create whose reply was lost, found by its other fields, is found even when its long text
// was changed on the org meanwhile (a trigger, a person): the long text is compared only to
// choose, not to refuse the one record the query picked out.
func TestALostCreateIsFoundThoughItsLongTextChangedOnTheOrg(t *testing.T) {
	h := newHarness(t, harnessOpts{profile: mockorg.ProfileReal, objects: []string{"Account", "Contact", "Case"}})
	h.sync(t)
	h.eng.SetOnline(false)
	local, err := h.eng.Create(bg, "Case", remote.Fields{"Subject": "Pump broken", "Description": "Leaks at night", "Status": "New", "Origin": "Phone"})
	if err != nil {
		t.Fatal(err)
	}
	h.faults.set(once(isComposite, "lose"))
	h.eng.SetOnline(true)
	if _, err := h.eng.Sync(bg); err == nil {
		t.Fatal("a lost reply must report a network failure")
	}
	bySubject := "SELECT Id FROM Case WHERE Subject = 'Pump broken'"
	res, err := h.as(t, "admin@demo.example").Query(bg, bySubject, 0)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("the org's case: %v", err)
	}
	if err := h.as(t, "admin@demo.example").Update(bg, "Case", res.Records[0].ID(), remote.Fields{"Description": "Leaks at night."}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(10 * time.Minute))
	h.sync(t)
	if n := countOnOrg(t, h, bySubject); n != 1 {
		t.Fatalf("the create was sent again: %d cases", n)
	}
	if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
		t.Fatalf("the create of %s is still queued: %+v", local, ents)
	}
	assertNoLocalIDs(t, h)
}

// A create's reply lost, and the lookup that would settle it not made yet, while a refresh
// brought the org's copy of the record it made: the device holds it twice, and the user edited
// the org's copy. The next sync finds the create on the org: one record, both the user's
// changes on it, and the queue empties (renaming the create's entry to the org's id failed on
// the other change's, and every sync after stopped there).
func TestAFoundCreateWhoseOrgCopyTheUserEditedFoldsIntoThatChange(t *testing.T) {
	for _, deleted := range []bool{false, true} {
		t.Run(map[bool]string{false: "edited", true: "deleted"}[deleted], func(t *testing.T) {
			foundCreateWithOrgCopyChanged(t, deleted)
		})
	}
}

func foundCreateWithOrgCopyChanged(t *testing.T, deleted bool) {
	h := newHarness(t, harnessOpts{profile: mockorg.ProfileReal})
	h.sync(t)
	h.eng.SetOnline(false)
	local, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Twice Held Ltd", "Phone": "123"})
	if err != nil {
		t.Fatal(err)
	}
	h.faults.set(once(isComposite, "lose"))
	h.eng.SetOnline(true)
	if _, err := h.eng.Sync(bg); err == nil {
		t.Fatal("a lost reply must report a network failure")
	}
	res, err := h.as(t, "admin@demo.example").Query(bg, "SELECT Id, Name, Phone, OwnerId, LastModifiedDate, SystemModstamp FROM Account WHERE Name = 'Twice Held Ltd'", 0)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("the org should hold the create once: %v %+v", err, res.Records)
	}
	id := res.Records[0].ID()
	// What a refresh stores: the org's copy, under its own id.
	rec := cache.Record{Object: "Account", ID: id, Server: res.Records[0].Fields, View: res.Records[0].Fields, Name: "Twice Held Ltd",
		Version: versionOf(res.Records[0].Fields, "")}
	if err := h.db.Update(bg, func(tx *cache.Tx) error { return tx.PutRecord(bg, rec) }); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(false)
	if deleted {
		err = h.eng.Delete(bg, "Account", id)
	} else {
		err = h.eng.Edit(bg, "Account", id, remote.Fields{"Website": "https://twice.example"})
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := h.eng.Edit(bg, "Account", local, remote.Fields{"Phone": "456"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(10 * time.Minute))
	h.eng.SetOnline(true)
	for range 2 {
		if _, err := h.eng.Sync(bg); err != nil {
			t.Fatalf("sync: %v", err)
		}
	}
	if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
		t.Fatalf("the queue still holds %+v", ents)
	}
	want := 1
	if deleted {
		want = 0
	}
	if n := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name = 'Twice Held Ltd'"); n != want {
		t.Fatalf("the org holds %d records, want %d", n, want)
	}
	if !deleted {
		got := h.serverRecord(t, "Account", id).Fields
		if got["Website"] != "https://twice.example" || got["Phone"] != "456" {
			t.Fatalf("the org holds Website %v, Phone %v; want both of the user's changes", got["Website"], got["Phone"])
		}
	}
	assertNoLocalIDs(t, h)
}
