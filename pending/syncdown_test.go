package pending

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

func TestIncrementalRefreshTakesRemoteChangesAndDeletes(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	a := h.firstOwned(t, "Contact")
	admin := h.as(t, "admin@demo.example")
	if err := admin.Update(bg, "Contact", a.ID, remote.Fields{"Title": "Refreshed"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	// Within the same minute getUpdated (truncated to minutes) does not report it yet...
	h.sync(t)
	// ...the overlap of the next window does.
	h.clock.Set(h.clock.Now().Add(2 * time.Minute))
	b := h.firstOwned(t, "Opportunity")
	if err := admin.Delete(bg, "Opportunity", b.ID); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Minute))
	drain(h.eng)
	h.sync(t)
	rv, err := h.eng.Record(bg, "Contact", a.ID)
	if err != nil || rv.Fields["Title"] != "Refreshed" {
		t.Fatalf("remote change not refreshed: %v %v", rv.Fields["Title"], err)
	}
	if _, err := h.eng.Record(bg, "Opportunity", b.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("remote delete not refreshed: %v", err)
	}
	if !sawEvent(h.eng, EventCacheRefreshed) {
		t.Fatal("no EventCacheRefreshed")
	}
}

func TestRefreshNeverOverwritesAPendingChangeOrItsBase(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "mine"}); err != nil {
		t.Fatal(err)
	}
	before := h.entryOf(t, c.ID)
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	_ = h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Phone": "theirs", "Title": "New title"}, remote.WriteOptions{})
	h.clock.Set(h.clock.Now().Add(3 * time.Minute))
	h.eng.SetOnline(true)
	r := newRun(&Summary{})
	if err := h.eng.ensureDescribes(bg, r); err != nil {
		t.Fatal(err)
	}
	if err := h.eng.syncDown(bg, r); err != nil {
		t.Fatal(err)
	}
	rv, _ := h.eng.Record(bg, "Contact", c.ID)
	if rv.Fields["Phone"] != "mine" || rv.Fields["Title"] != "New title" || rv.Server["Phone"] != "theirs" {
		t.Fatalf("view %v/%v server %v", rv.Fields["Phone"], rv.Fields["Title"], rv.Server["Phone"])
	}
	after := h.entryOf(t, c.ID)
	if after.BaseVersion != before.BaseVersion || !sameValue(after.Base["Phone"], before.Base["Phone"]) || after.Changes["Phone"] != "mine" {
		t.Fatalf("entry changed by a refresh: %+v", after)
	}
}

func TestDeleteLogGapForcesAFullRefresh(t *testing.T) {
	h := newHarness(t, harnessOpts{profile: mockorg.ProfileReal})
	h.org.SetDeleteLogRetention(time.Hour)
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	if err := h.as(t, "admin@demo.example").Delete(bg, "Contact", c.ID); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(3 * time.Hour)) // the delete fell out of the org's log
	h.sync(t)
	if _, err := h.eng.Record(bg, "Contact", c.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a record deleted beyond the delete log is still cached: %v", err)
	}
	acts, _ := h.eng.Activity(bg, "", 200)
	if !hasNote(acts, "Contact: the org's delete log starts after the last refresh") {
		t.Fatalf("no full-refresh note: %+v", acts)
	}
}

func TestRealOrgProfileConflictsAndMergesWithEmpty412(t *testing.T) {
	h := newHarness(t, harnessOpts{profile: mockorg.ProfileReal})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	d := h.firstOwned(t, "Opportunity")
	h.eng.SetOnline(false)
	_ = h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "mine"})
	_ = h.eng.Edit(bg, "Opportunity", d.ID, remote.Fields{"Description": "mine"})
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	admin := h.as(t, "admin@demo.example")
	_ = admin.Update(bg, "Contact", c.ID, remote.Fields{"Phone": "theirs"}, remote.WriteOptions{})
	_ = admin.Update(bg, "Opportunity", d.ID, remote.Fields{"NextStep": "Call"}, remote.WriteOptions{})
	h.eng.SetOnline(true)
	s := h.sync(t)
	if s.Synced != 1 || s.Merged != 1 || s.Attention != 1 {
		t.Fatalf("summary %+v", s)
	}
	if en := h.entryOf(t, c.ID); en.Status != StatusConflict || en.Message != "Another user changed Business Phone" {
		t.Fatalf("%+v", en)
	}
}

func TestActivityLogIsBoundedAndHoldsNoToken(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	tok, _ := h.org.IssueToken("alex@demo.example")
	for i := 0; i < activityLimit+50; i++ {
		h.eng.Observe(remote.RequestInfo{Method: "GET", Path: "/services/data/v62.0/x", Status: 200})
	}
	acts, err := h.eng.Activity(bg, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	_ = h.db.SQL().QueryRow(`SELECT COUNT(*) FROM activity`).Scan(&n)
	if len(acts) != activityLimit || n > activityLimit {
		t.Fatalf("activity %d rows (table %d)", len(acts), n)
	}
	var hits int
	_ = h.db.SQL().QueryRow(`SELECT COUNT(*) FROM activity WHERE path LIKE ? OR note LIKE ?`, "%"+tok[:12]+"%", "%"+tok[:12]+"%").Scan(&hits)
	if hits != 0 {
		t.Fatal("a token reached the activity log")
	}
}

func TestAnObjectTheOrgWillNotDescribeIsSkippedNotFatal(t *testing.T) {
	h := newHarness(t, harnessOpts{objects: []string{"Account", "NoSuchObject__c"}})
	s := h.sync(t)
	if s.Err != nil {
		t.Fatal(s.Err)
	}
	if p, err := h.eng.List(bg, ListQuery{Object: "Account"}); err != nil || p.Total == 0 {
		t.Fatalf("the other objects were not cached: %v", err)
	}
	if _, err := h.eng.Describe(bg, "NoSuchObject__c"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("describe of the missing object: %v", err)
	}
	acts, _ := h.eng.Activity(bg, "", 100)
	if !hasNote(acts, "skipped NoSuchObject__c") {
		t.Fatal("no note about the skipped object")
	}
}

func TestRefreshSoonAfterTheLastOneNeitherErrsNorReloads(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	// Start early in a minute so every sync below falls in the same minute.
	h.clock.Set(h.clock.Now().Truncate(time.Minute).Add(2*time.Minute + 5*time.Second))
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	admin := h.as(t, "admin@demo.example")
	if err := admin.Update(bg, "Contact", c.ID, remote.Fields{"Title": "Seen at once"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	o := h.firstOwned(t, "Opportunity")
	if err := admin.Delete(bg, "Opportunity", o.ID); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	h.sync(t)
	acts, _ := h.eng.Activity(bg, "", 500)
	for _, a := range acts {
		if a.Status >= 400 || strings.Contains(a.Note, "reloading") {
			t.Fatalf("a refresh soon after the last one: %+v", a)
		}
	}
	if rv, _ := h.eng.Record(bg, "Contact", c.ID); rv.Fields["Title"] != "Seen at once" {
		t.Fatalf("a change made seconds ago is not refreshed: %v", rv.Fields["Title"])
	}
	// The delete is picked up once getDeleted's window is long enough.
	h.clock.Set(h.clock.Now().Add(3 * time.Minute))
	h.sync(t)
	if _, err := h.eng.Record(bg, "Opportunity", o.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("remote delete not refreshed: %v", err)
	}
	acts, _ = h.eng.Activity(bg, "", 500)
	for _, a := range acts {
		if a.Status >= 400 || strings.Contains(a.Note, "reloading") {
			t.Fatalf("a later refresh: %+v", a)
		}
	}
}

func TestRefreshTakesInNewlySharedRecordsAndDropsUnsharedOnes(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	sam := h.as(t, "sam@demo.example")
	res, err := sam.Query(bg, "SELECT Id FROM Account WHERE OwnerId = '"+h.users["sam@demo.example"].ID+"' ORDER BY Name", 0)
	if err != nil {
		t.Fatalf("sam's accounts: %v", err)
	}
	var hidden []string // sam's accounts alex cannot see
	for _, r := range res.Records {
		if _, err := h.client.Retrieve(bg, "Account", r.ID(), []string{"Id"}); err != nil {
			hidden = append(hidden, r.ID())
		}
	}
	if len(hidden) < 3 {
		t.Fatalf("only %d of sam's accounts are hidden from alex", len(hidden))
	}
	shared, gone, pinned := hidden[0], hidden[1], hidden[2]
	admin := h.admin(t)
	for _, id := range []string{gone, pinned} {
		if err := admin.Share(bg, id, "alex@demo.example", "edit"); err != nil {
			t.Fatal(err)
		}
	}
	h.sync(t)
	if _, err := h.eng.Record(bg, "Account", shared); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a record alex cannot see is cached: %v", err)
	}
	// alex has a change waiting on pinned: losing access must not drop it from under the entry.
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", pinned, remote.Fields{"Phone": "555"}); err != nil {
		t.Fatal(err)
	}
	for id, access := range map[string]string{shared: "read", gone: "none", pinned: "none"} {
		if err := admin.Share(bg, id, "alex@demo.example", access); err != nil {
			t.Fatal(err)
		}
	}
	h.eng.SetOnline(true)
	h.clock.Set(h.clock.Now().Add(DefaultMembershipEvery + time.Second))
	h.sync(t)
	if rv, err := h.eng.Record(bg, "Account", shared); err != nil || rv.Server == nil {
		t.Fatalf("a record newly shared with alex is not cached: %v", err)
	}
	if _, err := h.eng.Record(bg, "Account", gone); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a record alex can no longer see is still cached: %v", err)
	}
	if rv, err := h.eng.Record(bg, "Account", pinned); err != nil || rv.Entry == nil {
		t.Fatalf("a record with an entry was dropped: %v", err)
	}
}

func TestMembershipIsComparedAtMostOnceAnInterval(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	var queries int
	h.faults.set(func(req *http.Request) string {
		if strings.HasPrefix(req.URL.Query().Get("q"), "SELECT Id FROM ") {
			queries++
		}
		return ""
	})
	h.sync(t)
	if queries != 0 {
		t.Fatalf("%d ids-only queries right after the prime", queries)
	}
	h.clock.Set(h.clock.Now().Add(DefaultMembershipEvery + time.Second))
	h.sync(t)
	if queries != len(h.opts.Objects) {
		t.Fatalf("%d ids-only queries after the interval, want one per object", queries)
	}
}

func TestListFilterFindsARecordByItsPhone(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "(212) 555-0199"}); err != nil {
		t.Fatal(err)
	}
	p, err := h.eng.List(bg, ListQuery{Object: "Contact", Filter: "555-0199"})
	if err != nil || p.Total != 1 || len(p.Rows) != 1 || p.Rows[0].ID != c.ID {
		t.Fatalf("filter by phone: %+v %v", p, err)
	}
}

func TestComingBackOnlineDropsRecordsDeletedOnTheOrgMeanwhile(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	if err := h.as(t, "admin@demo.example").Delete(bg, "Contact", c.ID); err != nil {
		t.Fatal(err)
	}
	// A sync a moment later keeps it: getDeleted works in whole minutes, and the periodic
	// comparison of ids is not due.
	h.sync(t)
	if _, err := h.eng.Record(bg, "Contact", c.ID); err != nil {
		t.Fatalf("the record left before its time (the test's premise): %v", err)
	}
	// Off and on again, as the user does to see the org's state: it goes at once.
	h.eng.SetOnline(false)
	h.eng.SetOnline(true)
	h.sync(t)
	if _, err := h.eng.Record(bg, "Contact", c.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a record deleted on the org is still cached after coming back online: %v", err)
	}
}

func TestARecordPushedOutOfTheCacheKeepsItsNameInLookups(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.opts.PerObject = 30
	h.reopen(t)
	h.sync(t)
	// A cached contact whose account is cached too: its page names the account.
	var contact, account, name string
	p, err := h.eng.List(bg, ListQuery{Object: "Contact", Limit: 30})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range p.Rows {
		rv, err := h.eng.Record(bg, "Contact", row.ID)
		if err != nil {
			t.Fatal(err)
		}
		if id, _ := rv.Fields["AccountId"].(string); id != "" && rv.Names[id] != "" {
			contact, account, name = row.ID, id, rv.Names[id]
			break
		}
	}
	if contact == "" {
		t.Fatal("no cached contact with a cached account")
	}
	// Thirty other accounts alex sees change on the org: the account is no longer among the
	// thirty most recent the device keeps.
	res, err := h.client.Query(bg, "SELECT Id FROM Account WHERE Id != '"+account+"' LIMIT 30", 0)
	if err != nil || len(res.Records) < 30 {
		t.Fatalf("accounts to change: %d, %v", len(res.Records), err)
	}
	admin := h.as(t, "admin@demo.example")
	h.clock.Set(h.clock.Now().Add(time.Minute))
	for _, r := range res.Records {
		if err := admin.Update(bg, "Account", r.ID(), remote.Fields{"Description": "busy"}, remote.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	h.eng.SetOnline(false)
	h.eng.SetOnline(true)
	h.sync(t)
	if _, err := h.eng.Record(bg, "Account", account); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the account is still cached (the test's premise): %v", err)
	}
	rv, err := h.eng.Record(bg, "Contact", contact)
	if err != nil {
		t.Fatal(err)
	}
	if got := rv.Names[account]; got != name {
		t.Fatalf("the contact's account reads %q, want %q", got, name)
	}
}

func TestADeleteLogThatNoLongerReachesTheWatermarkReloadsTheObject(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.opts.MembershipEvery = 24 * time.Hour // only getDeleted can tell of the delete
	h.reopen(t)
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	if err := h.as(t, "admin@demo.example").Delete(bg, "Contact", c.ID); err != nil {
		t.Fatal(err)
	}
	h.faults.set(func(req *http.Request) string {
		if strings.HasSuffix(req.URL.Path, "/sobjects/Contact/deleted/") {
			return "replication"
		}
		return ""
	})
	// Each sync in a process of its own, as `offline-edit sync` runs (whose first comparison
	// of ids is left out here: only getDeleted is to tell of the delete).
	h.clock.Set(h.clock.Now().Add(3 * time.Minute))
	h.reopen(t)
	h.eng.recheckMembers = false
	h.sync(t)
	if _, err := h.eng.Record(bg, "Contact", c.ID); err != nil {
		t.Fatalf("a refused window of minutes (clocks that disagree) reloaded the object: %v", err)
	}
	h.clock.Set(h.clock.Now().Add(replicationSkew))
	h.reopen(t)
	h.eng.recheckMembers = false
	h.sync(t)
	if _, err := h.eng.Record(bg, "Contact", c.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the delete log refused a window over an hour old and the deleted record is still cached: %v", err)
	}
	acts, _ := h.eng.Activity(bg, "", 100)
	if !hasNote(acts, "Contact: the org's delete log no longer covers") {
		t.Fatalf("the reload is not in the activity log: %+v", acts)
	}
}

// A sync in a process of its own (as `offline-edit sync` runs) compares the cached ids with the
// org's at once: a record deleted on the org seconds before leaves the device in that sync, not
// when getDeleted's window of minutes or the periodic comparison comes round, and the record's
// own log says why it left.
func TestASyncRightAfterADeleteOnTheOrgRemovesTheRecordAndSaysWhy(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	a := h.firstOwned(t, "Account")
	if err := h.as(t, "admin@demo.example").Delete(bg, "Account", a.ID); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(5 * time.Second))
	h.reopen(t)
	h.sync(t)
	if _, err := h.eng.Record(bg, "Account", a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the deleted account is still on the device: %v", err)
	}
	acts, err := h.eng.Activity(bg, a.ID, 20)
	if err != nil {
		t.Fatal(err)
	}
	// Named: once the record is gone, nothing on the device turns its id into a name.
	if !hasNote(acts, strconv.Quote(a.Name)+": deleted on the org: removed from this device") {
		t.Fatalf("the record's log does not say it left the device, naming it: %+v", acts)
	}
}

// "My change is gone": the log shows the later change of another user a refresh brought, on a
// record this device sent a change for, and says nothing of records it never changed.
func TestARefreshLogsAnotherUsersLaterChangeOfARecordISent(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	owned := h.owned(t, "Contact")
	mine, untouched := owned[0], owned[1]
	if err := h.eng.Edit(bg, "Contact", mine.id, remote.Fields{"Phone": "555-3333"}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	h.clock.Set(h.clock.Now().Add(2e9))
	admin := h.as(t, "admin@demo.example")
	for _, id := range []string{mine.id, untouched.id} {
		if err := admin.Update(bg, "Contact", id, remote.Fields{"Phone": "555-2222"}, remote.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	h.sync(t)
	want := "refreshed: " + h.users["admin@demo.example"].Name + ` changed Business Phone to "555-2222" after your change reached the org`
	if acts, _ := h.eng.Activity(bg, mine.id, 50); !hasNote(acts, want) {
		t.Fatalf("want %q in the record's log: %+v", want, acts)
	}
	if acts, _ := h.eng.Activity(bg, untouched.id, 50); hasNote(acts, "refreshed: ") {
		t.Fatalf("a record this device never changed: %+v", acts)
	}
}

// A change the org refused, then discarded, never reached the org: another user's later change
// of the record is not "after your change".
func TestARefreshDoesNotCallAChangeTheOrgRefusedOverwritten(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	o := h.firstOwned(t, "Opportunity")
	if err := h.eng.Edit(bg, "Opportunity", o.ID, remote.Fields{"Amount": -5}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	en := h.entryOf(t, o.ID)
	if en.Status != StatusInvalid {
		t.Fatalf("entry %+v", en)
	}
	if err := h.eng.Discard(bg, en.ID); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := h.as(t, "admin@demo.example").Update(bg, "Opportunity", o.ID, remote.Fields{"Description": "later"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	h.sync(t)
	if acts, _ := h.eng.Activity(bg, o.ID, 50); hasNote(acts, "refreshed: ") {
		t.Fatalf("a refused change called overwritten: %+v", acts)
	}
}

// A record the org reports deleted (getDeleted, minutes later) leaves the device with its name
// said in its log: the device keeps no name for the id of a deleted record.
func TestARecordTheOrgReportsDeletedIsNamedInTheLog(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	if err := h.as(t, "admin@demo.example").Delete(bg, "Contact", c.ID); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(3 * time.Minute))
	h.sync(t)
	if _, err := h.eng.Record(bg, "Contact", c.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the deleted contact is still on the device: %v", err)
	}
	acts, err := h.eng.Activity(bg, c.ID, 20)
	if err != nil {
		t.Fatal(err)
	}
	if !hasNote(acts, strconv.Quote(c.Name)+": deleted on the org: removed from this device") {
		t.Fatalf("the log does not name the record that left: %+v", acts)
	}
}

// A data load over many records the user can see brings at most the configured number of them
// to the device at the next sync (it brought every one, to drop most at the next comparison of
// ids), and still refreshes each cached record it changed, however many others it changed later.
func TestARefreshAfterADataLoadTakesNoMoreThanTheDeviceKeeps(t *testing.T) {
	h := newHarness(t, harnessOpts{size: 3000, objects: []string{"Account"}})
	h.opts.PerObject = 50
	h.reopen(t)
	h.sync(t)
	cached := func() []string {
		t.Helper()
		var ids []string
		if err := h.db.View(bg, func(tx *cache.Tx) error {
			var err error
			ids, err = tx.RecordIDs(bg, "Account")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	before := cached()
	if len(before) != 50 {
		t.Fatalf("%d accounts cached after the prime, want 50", len(before))
	}
	admin := h.as(t, "admin@demo.example")
	// First a cached record, then a load over 300 others: the cached one is the oldest change.
	h.clock.Set(h.clock.Now().Add(time.Second))
	if err := admin.Update(bg, "Account", before[0], remote.Fields{"Description": "changed before the load"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := admin.Query(bg, "SELECT Id FROM Account ORDER BY Name", 2000)
	if err != nil {
		t.Fatal(err)
	}
	loaded := 0
	for _, rec := range res.Records {
		if loaded == 300 {
			break
		}
		if rec.ID() == before[0] {
			continue
		}
		h.clock.Set(h.clock.Now().Add(time.Millisecond))
		if err := admin.Update(bg, "Account", rec.ID(), remote.Fields{"Description": "data load"}, remote.WriteOptions{}); err != nil {
			continue // not every account is the user's to see
		}
		loaded++
	}
	h.clock.Set(h.clock.Now().Add(30 * time.Second))
	h.eng.recheckMembers = false // the refresh alone: no comparison of ids in this sync
	h.sync(t)
	if n := len(cached()); n > 100 {
		t.Fatalf("%d accounts cached after a data load over %d, want at most the 50 kept plus the 50 most recent", n, loaded)
	}
	rec, err := h.eng.Record(bg, "Account", before[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Fields["Description"]; got != "changed before the load" {
		t.Fatalf("the cached account changed before the load shows %q, want the org's value", got)
	}
}
