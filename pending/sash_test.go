package pending

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

var bg = context.Background()

func TestOfflineEditSyncsWhenBackOnlineAndLeavesTheQueue(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "+1 555 0100"}); err != nil {
		t.Fatal(err)
	}
	rv, _ := h.eng.Record(bg, "Contact", c.ID)
	if rv.Fields["Phone"] != "+1 555 0100" || rv.Entry == nil || rv.Entry.Status != StatusPending || rv.Entry.Status.Sash() != SashGreen {
		t.Fatalf("offline view %+v entry %+v", rv.Fields["Phone"], rv.Entry)
	}
	if _, err := h.eng.Sync(bg); !errors.Is(err, remote.ErrOffline) {
		t.Fatalf("sync while offline: %v", err)
	}
	h.eng.SetOnline(true)
	s := h.sync(t)
	if s.Synced != 1 || s.Attention != 0 {
		t.Fatalf("summary %+v", s)
	}
	if got := h.serverRecord(t, "Contact", c.ID).Fields["Phone"]; got != "+1 555 0100" {
		t.Fatalf("org has %v", got)
	}
	rv, _ = h.eng.Record(bg, "Contact", c.ID)
	if rv.Entry != nil || rv.Server["Phone"] != "+1 555 0100" {
		t.Fatalf("after sync: entry %+v server %v", rv.Entry, rv.Server["Phone"])
	}
	if total, _, _ := h.eng.Counts(bg); total != 0 {
		t.Fatalf("queue holds %d", total)
	}
	acts, _ := h.eng.Activity(bg, c.ID, 10)
	found := false
	for _, a := range acts {
		if a.Method == http.MethodPost && strings.HasSuffix(a.Path, "/composite") && a.Status == 200 {
			found = true
		}
	}
	if !found {
		t.Fatalf("composite request not in the record's activity: %+v", acts)
	}
}

func TestSameFieldChangedByAnotherUserIsAConflictAndLocksTheRecord(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	oldPhone := c.Fields["Phone"]
	h.editMeetingTheirs(t, "Contact", c.ID, remote.Fields{"Phone": "111", "Title": "Boss"}, remote.Fields{"Phone": "222"})
	s := h.sync(t)
	if s.Attention != 1 || s.Synced != 0 {
		t.Fatalf("summary %+v", s)
	}
	en := h.entryOf(t, c.ID)
	if en.Status != StatusConflict || en.Status.Sash() != SashOrange || en.Message != "Another user changed Business Phone" {
		t.Fatalf("entry %+v", en)
	}
	if len(en.Conflicts) != 1 {
		t.Fatalf("conflicts %+v", en.Conflicts)
	}
	cf := en.Conflicts[0]
	if cf.Field != "Phone" || !sameValue(cf.Base, oldPhone) || cf.Theirs != "222" || cf.Mine != "111" || cf.TheirsBy != h.users["admin@demo.example"].ID || cf.TheirsAt.IsZero() {
		t.Fatalf("conflict %+v", cf)
	}
	if got := h.serverRecord(t, "Contact", c.ID).Fields["Title"]; got == "Boss" {
		t.Fatal("a conflicting entry was partly written")
	}
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "333"}); !errors.Is(err, ErrLocked) {
		t.Fatalf("edit of a conflicted record: %v", err)
	}
	if err := h.eng.Delete(bg, "Contact", c.ID); !errors.Is(err, ErrLocked) {
		t.Fatalf("delete of a conflicted record: %v", err)
	}
	if err := h.eng.Dismiss(bg, en.ID); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("dismiss of a conflict: %v", err)
	}
	// Sent again as it is, a conflict would only meet the other change again: it is resolved.
	if err := h.eng.Retry(bg, en.ID); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("retry of a conflict: %v", err)
	}
	// A typed value gets the checks of any typed value: the org would refuse these.
	for _, bad := range []remote.Fields{{"Phone": strings.Repeat("5", 41)}, {"Birthdate": "yesterday"}} {
		choices := map[string]Choice{}
		for f, v := range bad {
			choices[f] = Choice{Take: TakeValue, Value: v}
		}
		if err := h.eng.Resolve(bg, en.ID, choices); err == nil {
			t.Fatalf("resolving with %v was taken", bad)
		}
	}
	if got := h.entryOf(t, c.ID); got.Status != StatusConflict || len(got.Conflicts) != 1 {
		t.Fatalf("a refused resolution changed the entry: %+v", got)
	}
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Phone": {Take: TakeValue, Value: "444"}, "Title": {Take: TakeMine}}); err != nil {
		t.Fatal(err)
	}
	acts, _ := h.eng.Activity(bg, c.ID, 20)
	if !hasNote(acts, `conflict resolved by the user: Title mine ("Boss"), Business Phone a new value ("444")`) {
		t.Fatalf("the log does not say what was chosen: %+v", acts)
	}
	h.sync(t)
	srv := h.serverRecord(t, "Contact", c.ID).Fields
	if srv["Phone"] != "444" || srv["Title"] != "Boss" {
		t.Fatalf("after resolve org has %v %v", srv["Phone"], srv["Title"])
	}
}

func TestConflictsListTheirFieldsInTheFormsOrder(t *testing.T) {
	h := newHarness(t, harnessOpts{strict: true})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	d, err := h.db.Describe(bg, "Contact")
	if err != nil {
		t.Fatal(err)
	}
	// Three fields whose API names sort otherwise than the form lists them.
	change := remote.Fields{"Title": "Boss", "Phone": "111", "Department": "Sales"}
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, change); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	theirs := remote.Fields{"Title": "Chief", "Phone": "222", "Department": "Ops"}
	if err := h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, theirs, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	var got, want []string
	for _, cf := range h.entryOf(t, c.ID).Conflicts {
		got = append(got, cf.Field)
	}
	for _, f := range d.Fields {
		if _, ok := change[f.Name]; ok {
			want = append(want, f.Name)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("conflicts in order %v, want the form's %v", got, want)
	}
}

func TestResolveTakingTheirsForEveryFieldDropsTheEntry(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	_ = h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "111"})
	h.clock.Set(h.clock.Now().Add(2e9))
	_ = h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Phone": "222"}, remote.WriteOptions{})
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, c.ID)
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Phone": {Take: TakeTheirs}}); err != nil {
		t.Fatal(err)
	}
	rv, _ := h.eng.Record(bg, "Contact", c.ID)
	if rv.Entry != nil || rv.Fields["Phone"] != "222" {
		t.Fatalf("after taking theirs: %+v %v", rv.Entry, rv.Fields["Phone"])
	}
}

func TestDisjointChangesAutoMergeAndAreLogged(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	_ = h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "111"})
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Title": "Chief"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	s := h.sync(t)
	if s.Synced != 1 || s.Merged != 1 || s.Attention != 0 {
		t.Fatalf("summary %+v", s)
	}
	srv := h.serverRecord(t, "Contact", c.ID).Fields
	if srv["Phone"] != "111" || srv["Title"] != "Chief" {
		t.Fatalf("org has %v %v", srv["Phone"], srv["Title"])
	}
	acts, _ := h.eng.Activity(bg, c.ID, 50)
	if !hasNote(acts, "auto-merged: another user changed Title") {
		t.Fatalf("no merge note: %+v", acts)
	}
	rv, _ := h.eng.Record(bg, "Contact", c.ID)
	if rv.Fields["Title"] != "Chief" {
		t.Fatalf("cache did not take the server copy: %v", rv.Fields["Title"])
	}
}

func hasNote(acts []Activity, prefix string) bool {
	for _, a := range acts {
		if strings.HasPrefix(a.Note, prefix) {
			return true
		}
	}
	return false
}

func TestStrictModeMakesEveryRemoteChangeAConflict(t *testing.T) {
	h := newHarness(t, harnessOpts{strict: true})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	_ = h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "111"})
	h.clock.Set(h.clock.Now().Add(2e9))
	_ = h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Title": "Chief"}, remote.WriteOptions{})
	h.eng.SetOnline(true)
	s := h.sync(t)
	en := h.entryOf(t, c.ID)
	if s.Attention != 1 || en.Status != StatusConflict || !strings.Contains(en.Message, "Title") || len(en.Conflicts) != 1 || en.Conflicts[0].Field != "Phone" {
		t.Fatalf("summary %+v entry %+v", s, en)
	}
	if err := h.eng.Resolve(bg, en.ID, nil); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if srv := h.serverRecord(t, "Contact", c.ID).Fields; srv["Phone"] != "111" || srv["Title"] != "Chief" {
		t.Fatalf("org has %v %v", srv["Phone"], srv["Title"])
	}
}

func TestValidationRefusalIsInvalidUntilFixed(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	o := h.firstOwned(t, "Opportunity")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Opportunity", o.ID, remote.Fields{"Amount": -5}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	s := h.sync(t)
	en := h.entryOf(t, o.ID)
	if s.Attention != 1 || en.Status != StatusInvalid || en.Code != "FIELD_CUSTOM_VALIDATION_EXCEPTION" || en.Message == "" {
		t.Fatalf("summary %+v entry %+v", s, en)
	}
	flagged := false
	for _, fe := range en.Errors {
		if fe.Field == "Amount" {
			flagged = true
		}
	}
	if !flagged {
		t.Fatalf("Amount not flagged: %+v", en.Errors)
	}
	if err := h.eng.Edit(bg, "Opportunity", o.ID, remote.Fields{"Amount": 1}); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "fix it first") {
		t.Fatalf("edit of an invalid record: %v; want it locked until fixed", err)
	}
	if err := h.eng.Fix(bg, en.ID, remote.Fields{"Amount": 1250}); err != nil {
		t.Fatal(err)
	}
	if acts, _ := h.eng.Activity(bg, o.ID, 20); !hasNote(acts, "fixed by the user: Amount=1250") {
		t.Fatalf("the log does not say how the change was fixed: %+v", acts)
	}
	s = h.sync(t)
	if s.Synced != 1 {
		t.Fatalf("summary after fix %+v", s)
	}
	if got := h.serverRecord(t, "Opportunity", o.ID).Fields["Amount"]; got != 1250.0 {
		t.Fatalf("org has %v", got)
	}
}

func TestRecordDeletedByAnotherUserFailsAndDismissDropsIt(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	_ = h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "111"})
	if err := h.as(t, "admin@demo.example").Delete(bg, "Contact", c.ID); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	s := h.sync(t)
	en := h.entryOf(t, c.ID)
	if s.Attention != 1 || en.Status != StatusFailed || en.Status.Sash() != SashRed || en.Message != "Record was deleted by another user" || en.Cause() != CauseDeleted {
		t.Fatalf("summary %+v entry %+v", s, en)
	}
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "2"}); !errors.Is(err, ErrLocked) {
		t.Fatalf("edit of a failed record: %v", err)
	}
	if err := h.eng.Dismiss(bg, en.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.eng.Record(bg, "Contact", c.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("dismissed record still cached: %v", err)
	}
	if total, _, _ := h.eng.Counts(bg); total != 0 {
		t.Fatalf("queue holds %d", total)
	}
}

func TestLostAccessFails(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	sam := h.as(t, "sam@demo.example")
	res, err := sam.Query(bg, "SELECT Id FROM Account WHERE OwnerId = '"+h.users["sam@demo.example"].ID+"' LIMIT 1", 0)
	if err != nil || len(res.Records) == 0 {
		t.Fatalf("sam's account: %v", err)
	}
	id := res.Records[0].ID()
	if err := h.admin(t).Share(bg, id, "alex@demo.example", "edit"); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "111"}); err != nil {
		t.Fatal(err)
	}
	if err := h.admin(t).Share(bg, id, "alex@demo.example", "none"); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, id)
	if en.Status != StatusFailed || en.Message != "You no longer have access to this record" || en.Cause() != CauseNoAccess {
		t.Fatalf("entry %+v", en)
	}
}

func TestReadOnlyShareFails(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	sam := h.as(t, "sam@demo.example")
	res, _ := sam.Query(bg, "SELECT Id FROM Account WHERE OwnerId = '"+h.users["sam@demo.example"].ID+"' LIMIT 1", 0)
	id := res.Records[0].ID()
	_ = h.admin(t).Share(bg, id, "alex@demo.example", "edit")
	h.sync(t)
	h.eng.SetOnline(false)
	_ = h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "111"})
	_ = h.admin(t).Share(bg, id, "alex@demo.example", "read")
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, id)
	if en.Status != StatusFailed || en.Code != "INSUFFICIENT_ACCESS_OR_READONLY" || en.Message != "You no longer have access to change this record" || en.Cause() != CauseNoAccess {
		t.Fatalf("entry %+v", en)
	}
	if err := h.eng.Dismiss(bg, en.ID); err != nil {
		t.Fatal(err)
	}
	rv, err := h.eng.Record(bg, "Account", id)
	if err != nil || rv.Entry != nil || rv.Fields["Phone"] == "111" {
		t.Fatalf("a read-only record should stay, as the server has it: %+v %v", rv.Fields["Phone"], err)
	}
}

func TestParentAndChildCreatedOfflineSyncWithServerIDs(t *testing.T) {
	for _, profile := range []mockorg.Profile{mockorg.ProfileDemo, mockorg.ProfileReal} {
		t.Run(string(profile), func(t *testing.T) {
			h := newHarness(t, harnessOpts{profile: profile})
			h.sync(t)
			h.eng.SetOnline(false)
			acc, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Offline Parent " + string(profile)})
			if err != nil {
				t.Fatal(err)
			}
			if !IsLocalID(acc) {
				t.Fatalf("local id %q", acc)
			}
			kid, err := h.eng.Create(bg, "Contact", remote.Fields{"LastName": "Child", "AccountId": acc})
			if err != nil {
				t.Fatal(err)
			}
			if en := h.entryOf(t, kid); en.Status != StatusWaiting || en.WaitingOn != acc {
				t.Fatalf("child entry %+v", en)
			}
			opp, err := h.eng.Create(bg, "Opportunity", remote.Fields{"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2027-01-31", "AccountId": acc})
			if err != nil {
				t.Fatal(err)
			}
			_ = opp
			// An edit after the create stays one create with merged fields.
			if err := h.eng.Edit(bg, "Contact", kid, remote.Fields{"FirstName": "Kim"}); err != nil {
				t.Fatal(err)
			}
			h.eng.SetOnline(true)
			s := h.sync(t)
			if s.Synced != 3 || s.Attention != 0 {
				t.Fatalf("summary %+v", s)
			}
			ents, _ := h.eng.Entries(bg)
			if len(ents) != 0 {
				t.Fatalf("queue %+v", ents)
			}
			assertNoLocalIDs(t, h)
			res, err := h.as(t, "admin@demo.example").Query(bg, "SELECT Id FROM Account WHERE Name = 'Offline Parent "+string(profile)+"'", 0)
			if err != nil || len(res.Records) != 1 {
				t.Fatalf("accounts on the org: %v %v", len(res.Records), err)
			}
			accID := res.Records[0].ID()
			res, _ = h.as(t, "admin@demo.example").Query(bg, "SELECT Id, FirstName, AccountId FROM Contact WHERE LastName = 'Child'", 0)
			if len(res.Records) != 1 || res.Records[0].Fields["AccountId"] != accID || res.Records[0].Fields["FirstName"] != "Kim" {
				t.Fatalf("child on the org: %+v", res.Records)
			}
			rv, err := h.eng.Record(bg, "Contact", res.Records[0].ID())
			if err != nil || rv.Fields["AccountId"] != accID || rv.Names[accID] != "Offline Parent "+string(profile) {
				t.Fatalf("cached child %+v %v", rv, err)
			}
		})
	}
}

func assertNoLocalIDs(t *testing.T, h *harness) {
	t.Helper()
	for _, q := range []string{
		`SELECT COUNT(*) FROM records WHERE id LIKE 'local-%' OR view LIKE '%"local-%' OR server LIKE '%"local-%'`,
		`SELECT COUNT(*) FROM entries WHERE record_id LIKE 'local-%' OR changes LIKE '%"local-%' OR waiting_on != ''`,
	} {
		var n int
		if err := h.db.SQL().QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%d rows still hold local ids: %s", n, q)
		}
	}
}

func TestChildOfAParentThatFailsValidationWaitsAndIsNotOrphaned(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	opp, _ := h.eng.Create(bg, "Opportunity", remote.Fields{"Name": "Bad", "StageName": "Prospecting", "CloseDate": "2027-01-31", "Amount": -1})
	acc, _ := h.eng.Create(bg, "Account", remote.Fields{"Name": "Independent"})
	_, _ = opp, acc
	h.eng.SetOnline(true)
	s := h.sync(t)
	if s.Synced != 1 || s.Attention != 1 {
		t.Fatalf("head-of-line blocking? summary %+v", s)
	}
	en := h.entryOf(t, opp)
	if en.Status != StatusInvalid {
		t.Fatalf("%+v", en)
	}
	if err := h.eng.Fix(bg, en.ID, remote.Fields{"Amount": 10}); err != nil {
		t.Fatal(err)
	}
	if s := h.sync(t); s.Synced != 1 {
		t.Fatalf("after fix %+v", s)
	}
	assertNoLocalIDs(t, h)
}

func TestExpiredSessionPausesSyncAndAsksToSignIn(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	_ = h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "111"})
	if err := h.admin(t).Expire(bg, "alex@demo.example"); err != nil {
		t.Fatal(err)
	}
	drain(h.eng)
	_, err := h.eng.Sync(bg)
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("sync after expiry: %v", err)
	}
	if !sawEvent(h.eng, EventAuthRequired) {
		t.Fatal("no EventAuthRequired")
	}
	en := h.entryOf(t, c.ID)
	if en.Status != StatusPending || en.Attempts != 0 {
		t.Fatalf("entry after 401 %+v", en)
	}
}

func drain(e *Engine) {
	for {
		select {
		case <-e.Events():
		default:
			return
		}
	}
}

func sawEvent(e *Engine, k EventKind) bool {
	for {
		select {
		case ev := <-e.Events():
			if ev.Kind == k {
				return true
			}
		default:
			return false
		}
	}
}

func TestSignInAgainResumesSync(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	_ = h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "after sign-in"})
	_ = h.admin(t).Expire(bg, "alex@demo.example")
	if _, err := h.eng.Sync(bg); !errors.Is(err, ErrAuth) || !h.eng.AuthPaused() {
		t.Fatalf("expected an auth pause: %v", err)
	}
	h.eng.SetOrg(h.as(t, "alex@demo.example"))
	if h.eng.AuthPaused() {
		t.Fatal("still paused after signing in")
	}
	if s := h.sync(t); s.Synced != 1 {
		t.Fatalf("summary %+v", s)
	}
}

func TestAnEditBetweenPlanningAndSendingIsNotLost(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	_ = h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "first"})
	edited := false
	h.eng.crashAt = func(step string) bool {
		if step == "settled" && !edited {
			edited = true
			// The user saves again after the engine read the queue, before it sends.
			if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Title": "second"}); err != nil {
				t.Errorf("edit: %v", err)
			}
		}
		return false
	}
	s := h.sync(t)
	if s.Synced != 1 {
		t.Fatalf("summary %+v", s)
	}
	srv := h.serverRecord(t, "Contact", c.ID).Fields
	if srv["Phone"] != "first" || srv["Title"] != "second" {
		t.Fatalf("org has %v / %v", srv["Phone"], srv["Title"])
	}
	if total, _, _ := h.eng.Counts(bg); total != 0 {
		t.Fatalf("queue holds %d", total)
	}
}

func TestNewRecordsPointingAtEachOtherDoNotWaitForever(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	a, _ := h.eng.Create(bg, "Account", remote.Fields{"Name": "Cycle A"})
	b, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Cycle B", "ParentId": a})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.eng.Edit(bg, "Account", a, remote.Fields{"ParentId": b}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	s := h.sync(t)
	if s.Attention != 1 {
		t.Fatalf("summary %+v", s)
	}
	en := h.entryOf(t, a)
	if en.Status != StatusInvalid || en.Code != "REFERENCE_CYCLE" || en.Errors[0].Field != "ParentId" {
		t.Fatalf("%+v", en)
	}
	if err := h.eng.Fix(bg, en.ID, remote.Fields{"ParentId": nil}); err != nil {
		t.Fatal(err)
	}
	if s := h.sync(t); s.Synced != 2 {
		t.Fatalf("after fix %+v", s)
	}
	assertNoLocalIDs(t, h)
}

func TestThreeLevelGraphCreatedOfflineSyncsInOneGo(t *testing.T) {
	h := newHarness(t, harnessOpts{objects: []string{"Account", "Contact", "Case"}})
	h.sync(t)
	h.eng.SetOnline(false)
	acc, _ := h.eng.Create(bg, "Account", remote.Fields{"Name": "Graph Root"})
	con, err := h.eng.Create(bg, "Contact", remote.Fields{"LastName": "Graph Middle", "AccountId": acc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.eng.Create(bg, "Case", remote.Fields{"Subject": "Graph Leaf", "ContactId": con, "AccountId": acc, "Status": "New", "Origin": "Phone"}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	s := h.sync(t)
	if s.Synced != 3 || s.Attention != 0 {
		ents, _ := h.eng.Entries(bg)
		t.Fatalf("summary %+v %+v", s, ents)
	}
	res, _ := h.as(t, "admin@demo.example").Query(bg, "SELECT Id, ContactId, AccountId, Contact.LastName FROM Case WHERE Subject = 'Graph Leaf'", 0)
	if len(res.Records) != 1 {
		t.Fatalf("cases %d", len(res.Records))
	}
	cs := res.Records[0].Fields
	if c, _ := cs["ContactId"].(string); c == "" || IsLocalID(c) {
		t.Fatalf("case contact %v", cs["ContactId"])
	}
	assertNoLocalIDs(t, h)
}

func TestAChangeTheOrgRefusedCountsItsAttempt(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "111"}); err != nil {
		t.Fatal(err)
	}
	if err := h.as(t, "admin@demo.example").Delete(bg, "Contact", c.ID); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	if en := h.entryOf(t, c.ID); en.Status != StatusFailed || en.Attempts != 1 {
		t.Fatalf("a change sent once and refused: status %s, attempts %d, want failed after 1", en.Status, en.Attempts)
	}
}

// In strict mode a change the other user did not touch still conflicts; the conflict lists the
// change's own fields, so the message says which fields they changed and to what.
func TestAStrictConflictSaysWhatTheOtherUserChangedAndToWhat(t *testing.T) {
	h := newHarness(t, harnessOpts{strict: true})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.editMeetingTheirs(t, "Contact", c.ID, remote.Fields{"Phone": "111"}, remote.Fields{"Title": "Chief Of Staff", "Department": nil})
	h.sync(t)
	en := h.entryOf(t, c.ID)
	if en.Status != StatusConflict || !strings.Contains(en.Message, `Title (now "Chief Of Staff")`) {
		t.Fatalf("entry %+v", en)
	}
}

// Each change's row of the activity log says what its request sent: the fields and values of
// an update or a create, or that it deleted, so support can tell what left the device.
func TestTheLogSaysWhatEachChangeSent(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	a := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	long := strings.Repeat("x", 100)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "A&B <1>", "Description": long}); err != nil {
		t.Fatal(err)
	}
	kid, err := h.eng.Create(bg, "Contact", remote.Fields{"LastName": "Lee", "AccountId": a.ID})
	if err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	if s := h.sync(t); s.Synced != 2 {
		t.Fatalf("summary %+v", s)
	}
	acts, _ := h.eng.Activity(bg, c.ID, 50)
	want := `update Description="` + strings.Repeat("x", 39) + `…" Phone="A&B <1>"`
	if !hasNote(acts, want) {
		t.Errorf("the edit's log rows %+v; want a note %s", acts, want)
	}
	rv, err := h.eng.Record(bg, "Contact", kid)
	if err != nil {
		t.Fatal(err)
	}
	acts, _ = h.eng.Activity(bg, rv.ID, 50)
	created, _ := h.eng.Activity(bg, kid, 50)
	if want := `create AccountId="` + a.ID + `" LastName="Lee"`; !hasNote(append(acts, created...), want) {
		t.Errorf("the create's log rows %+v %+v; want a note %s", acts, created, want)
	}
}

// A strict conflict names the other side's values as the app shows them: a checkbox Yes or No,
// a number in full.
func TestOtherSidesValuesAreSaidAsTheAppShowsThem(t *testing.T) {
	d := &remote.Describe{Name: "Contact", Fields: []remote.Field{
		{Name: "DoNotCall", Label: "Do Not Call", Type: "boolean"},
		{Name: "Revenue__c", Label: "Revenue", Type: "currency"},
	}}
	got := orRecordWithValues(d, []string{"DoNotCall", "Revenue__c"}, remote.Fields{"DoNotCall": true, "Revenue__c": 1.5e6})
	if !strings.Contains(got, "Do Not Call (now Yes)") || !strings.Contains(got, "Revenue (now 1500000)") {
		t.Errorf("got %q", got)
	}
}

// The same value saved by another user meanwhile leaves nothing to send, and the log does not
// claim an earlier send of mine reached the org.
func TestTheSameValueSavedByAnotherUserIsSaidSo(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.editMeetingTheirs(t, "Contact", c.ID, remote.Fields{"Phone": "555-0123"}, remote.Fields{"Phone": "555-0123"})
	if s := h.sync(t); s.Synced != 1 || s.Attention != 0 {
		t.Fatalf("summary %+v", s)
	}
	acts, _ := h.eng.Activity(bg, c.ID, 50)
	if !hasNote(acts, "the org already has these values (another user saved them)") || hasNote(acts, "the org already has these values (an earlier send") {
		t.Fatalf("log: %+v", acts)
	}
}

// Weeks later, support reads in the log whose value a conflict kept, not only which side.
func TestTheLogSaysWhoseValueAResolvedConflictKept(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.editMeetingTheirs(t, "Contact", c.ID, remote.Fields{"Phone": "111"}, remote.Fields{"Phone": "222"})
	h.sync(t)
	en := h.entryOf(t, c.ID)
	if en.Status != StatusConflict {
		t.Fatalf("entry %+v", en)
	}
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Phone": {Take: TakeTheirs}}); err != nil {
		t.Fatal(err)
	}
	acts, _ := h.eng.Activity(bg, c.ID, 20)
	want := `conflict resolved by the user: Business Phone theirs (` + h.users["admin@demo.example"].Name + `'s "222")`
	if h.users["admin@demo.example"].Name == "" || !hasNote(acts, want) {
		t.Fatalf("want the note %q in %+v", want, acts)
	}
}

// Strict mode asks about every field of my change, but one another user set to my own value:
// there is nothing to decide there.
func TestStrictModeDoesNotAskAboutAFieldBothSetAlike(t *testing.T) {
	h := newHarness(t, harnessOpts{strict: true})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.editMeetingTheirs(t, "Contact", c.ID, remote.Fields{"Phone": "111", "Department": "Sales Ops"}, remote.Fields{"Title": "Chief", "Department": "Sales Ops"})
	h.sync(t)
	en := h.entryOf(t, c.ID)
	if en.Status != StatusConflict || len(en.Conflicts) != 1 || en.Conflicts[0].Field != "Phone" {
		t.Fatalf("entry %+v; want a conflict on Phone alone", en)
	}
}

// A merge with the user's own save from elsewhere (another device, an automation running as
// them) says so in the log, not "another user".
func TestAMergeWithMyOwnOtherSaveSaysYou(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "111"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := h.as(t, "alex@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Title": "Chief"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	if s := h.sync(t); s.Merged != 1 {
		t.Fatalf("summary %+v", s)
	}
	acts, _ := h.eng.Activity(bg, c.ID, 50)
	if !hasNote(acts, "auto-merged: you (on another device or through an automation) changed Title") {
		t.Fatalf("no merge note naming the user's own save: %+v", acts)
	}
}
