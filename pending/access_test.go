package pending

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
)

// hiddenAccountOfSam is one of sam's accounts that alex cannot see until it is shared.
func hiddenAccountOfSam(t *testing.T, h *harness) string {
	t.Helper()
	sam := h.as(t, "sam@demo.example")
	res, err := sam.Query(bg, "SELECT Id FROM Account WHERE OwnerId = '"+h.users["sam@demo.example"].ID+"' ORDER BY Name", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Records {
		if _, err := h.client.Retrieve(bg, "Account", r.ID(), []string{"Id"}); err != nil {
			return r.ID()
		}
	}
	t.Fatal("no account of sam's hidden from alex")
	return ""
}

func (h *harness) share(t *testing.T, id, access string) {
	t.Helper()
	if err := h.admin(t).Share(bg, id, "alex@demo.example", access); err != nil {
		t.Fatal(err)
	}
}

func TestASharedRecordOffersWhatItsShareAllows(t *testing.T) {
	cases := []struct {
		share            string
		want             Access
		canEdit, canDrop bool
		editSays         string
		deleteSays       string
	}{
		{share: "read", want: AccessRead, editSays: "shared with you read-only", deleteSays: "shared with you read-only"},
		{share: "edit", want: AccessEdit, canEdit: true, deleteSays: "to edit, not to delete"},
	}
	for _, c := range cases {
		t.Run(c.share, func(t *testing.T) {
			h := newHarness(t, harnessOpts{})
			id := hiddenAccountOfSam(t, h)
			h.share(t, id, c.share)
			h.sync(t)
			rv, err := h.eng.Record(bg, "Account", id)
			if err != nil {
				t.Fatal(err)
			}
			if rv.Access != c.want || rv.Access.CanEdit() != c.canEdit || rv.Access.CanDelete() != c.canDrop {
				t.Fatalf("access %q (edit %v, delete %v); want %q", rv.Access, rv.Access.CanEdit(), rv.Access.CanDelete(), c.want)
			}
			h.eng.SetOnline(false)
			err = h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "555-0101"})
			if c.canEdit {
				if err != nil {
					t.Fatalf("edit of a record shared to edit: %v", err)
				}
			} else if !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), c.editSays) {
				t.Fatalf("edit of a record shared %s: %v", c.share, err)
			}
			if err := h.eng.Edit(bg, "Account", id, remote.Fields{"OwnerId": h.users["alex@demo.example"].ID}); !errors.Is(err, ErrNotAllowed) {
				t.Fatalf("giving away a record shared %s: %v", c.share, err)
			}
			err = h.eng.Delete(bg, "Account", id)
			if !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), c.deleteSays) {
				t.Fatalf("delete of a record shared %s: %v", c.share, err)
			}
			ents, _ := h.eng.Entries(bg)
			wantQueued := 0
			if c.canEdit {
				wantQueued = 1
			}
			if len(ents) != wantQueued || (wantQueued == 1 && ents[0].Op != OpUpdate) {
				t.Fatalf("queue %+v; want %d update", ents, wantQueued)
			}
		})
	}
}

func TestOwnRecordsOfferEverything(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	rv := h.firstOwned(t, "Account")
	if rv.Access != AccessFull {
		t.Fatalf("own account: access %q", rv.Access)
	}
	if err := h.eng.Delete(bg, "Account", rv.ID); err != nil {
		t.Fatal(err)
	}
}

func TestAShareChangedWhileOfflineIsLearntOnComingBackOnline(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id := hiddenAccountOfSam(t, h)
	h.share(t, id, "read")
	h.sync(t)
	h.eng.SetOnline(false)
	h.share(t, id, "edit")
	h.eng.SetOnline(true)
	h.sync(t)
	if rv, err := h.eng.Record(bg, "Account", id); err != nil || rv.Access != AccessEdit {
		t.Fatalf("after the share became edit: %q %v", rv.Access, err)
	}
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "555-0102"}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if got := h.serverRecord(t, "Account", id).Fields["Phone"]; got != "555-0102" {
		t.Fatalf("org has Phone %v", got)
	}
	// Taken back to read-only: the next check says so.
	h.eng.SetOnline(false)
	h.share(t, id, "read")
	h.eng.SetOnline(true)
	h.sync(t)
	if rv, _ := h.eng.Record(bg, "Account", id); rv.Access != AccessRead {
		t.Fatalf("after the share became read: %q", rv.Access)
	}
}

// CheckAccess asks the org about one record now: a share widened since the last check is
// learnt without waiting for the next comparison of ids, one taken away removes the record
// from the device, and offline or for the user's own records nothing is asked.
func TestCheckAccessLearnsAShareChangedSinceTheLastCheck(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id := hiddenAccountOfSam(t, h)
	h.share(t, id, "read")
	h.sync(t)
	own := h.firstOwned(t, "Account")
	requests := func() int {
		acts, err := h.eng.Activity(bg, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range acts {
			if strings.HasSuffix(a.Path, "/query") { // the log keeps no query text
				n++
			}
		}
		return n
	}
	h.share(t, id, "edit")
	h.eng.SetOnline(false)
	if acc, err := h.eng.CheckAccess(bg, id); err != nil || acc != AccessRead {
		t.Fatalf("offline: %q %v; want what the device knew (read)", acc, err)
	}
	h.eng.SetOnline(true)
	before := requests()
	if acc, err := h.eng.CheckAccess(bg, own.ID); err != nil || acc != AccessFull {
		t.Fatalf("own record: %q %v", acc, err)
	}
	if requests() != before {
		t.Fatal("asked the org about the user's own record")
	}
	if acc, err := h.eng.CheckAccess(bg, id); err != nil || acc != AccessEdit {
		t.Fatalf("after the share was widened: %q %v; want edit", acc, err)
	}
	if requests() != before+1 {
		t.Fatalf("%d queries, want 1 (UserRecordAccess)", requests()-before)
	}
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "555-0103"}); err != nil {
		t.Fatalf("edit after the check: %v", err)
	}
	if err := h.eng.Discard(bg, mustEntryFor(t, h, id)); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.share(t, id, "none")
	if _, err := h.eng.CheckAccess(bg, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after the share was taken away: %v; want ErrNotFound", err)
	}
	if _, err := h.eng.Record(bg, "Account", id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the record stayed on the device: %v", err)
	}
}

func mustEntryFor(t *testing.T, h *harness, recordID string) string {
	t.Helper()
	ents, err := h.eng.Entries(bg)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range ents {
		if en.RecordID == recordID {
			return en.ID
		}
	}
	t.Fatalf("no entry for %s", recordID)
	return ""
}

func TestAnOrgThatWillNotSayWhatIsSharedLeavesEditToTheSync(t *testing.T) {
	h := newHarness(t, harnessOpts{objects: []string{"Account"}})
	id := hiddenAccountOfSam(t, h)
	h.share(t, id, "read")
	asked := 0
	h.faults.set(func(req *http.Request) string {
		if q, _ := url.QueryUnescape(req.URL.RawQuery); strings.Contains(q, "FROM UserRecordAccess") {
			asked++
			return "badquery"
		}
		return ""
	})
	sum := h.sync(t)
	if sum.Err != nil {
		t.Fatalf("sync: %v", sum.Err)
	}
	if asked != 1 {
		t.Fatalf("asked %d times after a refusal; want once a run for the object", asked)
	}
	rv, err := h.eng.Record(bg, "Account", id)
	if err != nil || rv.Access != AccessFull {
		t.Fatalf("access %q %v; want Edit still offered", rv.Access, err)
	}
	acts, err := h.eng.Activity(bg, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	said := false
	for _, a := range acts {
		said = said || (strings.Contains(a.Note, "which Account records you may only read") && a.Code == "MALFORMED_QUERY")
	}
	if !said {
		t.Fatal("the log does not say the org refused to tell")
	}
	// The edit goes, and the org refuses it at sync: red, as before the device asked.
	h.faults.set(nil)
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "555-0103"}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if en := h.entryOf(t, id); en.Status != StatusFailed || en.Code != "INSUFFICIENT_ACCESS_OR_READONLY" {
		t.Fatalf("entry %+v", en)
	}
}

func TestTheUsersIDIsLearntWhenTheSignInDoesNotSayIt(t *testing.T) {
	h := newHarness(t, harnessOpts{noIdentity: true})
	id := hiddenAccountOfSam(t, h)
	h.share(t, id, "read")
	h.sync(t)
	if got, want := h.eng.myID(), h.users["alex@demo.example"].ID; got != want {
		t.Fatalf("learnt id %q, want %q", got, want)
	}
	if rv, _ := h.eng.Record(bg, "Account", id); rv.Access != AccessRead {
		t.Fatalf("shared read-only: access %q", rv.Access)
	}
	// A row left from before the record became the user's own does not hold: owners may do
	// everything. The device keeps the id, so this holds offline after a restart too.
	own := h.firstOwned(t, "Account")
	if err := h.db.Update(bg, func(tx *cache.Tx) error {
		return tx.SetAccess(bg, h.users["alex@demo.example"].ID, map[string]string{own.ID: cache.AccessRead}, h.clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(false)
	h.reopen(t)
	h.eng.SetOnline(false)
	if rv, _ := h.eng.Record(bg, "Account", own.ID); rv.Access != AccessFull {
		t.Fatalf("own record after a restart offline: access %q", rv.Access)
	}
	if err := h.eng.Edit(bg, "Account", own.ID, remote.Fields{"Phone": "555-0104"}); err != nil {
		t.Fatal(err)
	}
}

func TestARecordGivenToAnotherUserLeavesTheDeviceAtOnce(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	own := h.firstOwned(t, "Account")
	if err := h.eng.Edit(bg, "Account", own.ID, remote.Fields{"OwnerId": h.users["sam@demo.example"].ID}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	// Given away, alex no longer sees it (sam's accounts are private): the same sync asks, and
	// the record leaves the device, saying why, rather than staying as if shared read-only.
	if rv, err := h.eng.Record(bg, "Account", own.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after giving it to sam: %v, access %q", err, rv.Access)
	}
	acts, err := h.eng.Activity(bg, own.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	said := false
	for _, a := range acts {
		said = said || strings.Contains(a.Note, "no longer visible to you")
	}
	if !said {
		t.Fatalf("the record's log does not say why it left: %+v", acts)
	}
}

// A delete that conflicts on a record now shared with the user to edit cannot be pushed through
// with "delete anyway": the org would refuse it.
func TestDeleteAnywayIsRefusedOnARecordTheUserMayNotDelete(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	own := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Delete(bg, "Account", own.ID); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := h.as(t, "admin@demo.example").Update(bg, "Account", own.ID, remote.Fields{"OwnerId": h.users["sam@demo.example"].ID}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.share(t, own.ID, "edit")
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, own.ID)
	if en.Status != StatusConflict || en.Op != OpDelete {
		t.Fatalf("entry %+v; want a delete conflict", en)
	}
	if rv, _ := h.eng.Record(bg, "Account", own.ID); rv.Access != AccessEdit {
		t.Fatalf("access %q; want edit", rv.Access)
	}
	if err := h.eng.ResolveDelete(bg, en.ID, true); !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), "not to delete") {
		t.Fatalf("delete anyway: %v", err)
	}
	if err := h.eng.ResolveDelete(bg, en.ID, false); err != nil {
		t.Fatalf("keeping the record: %v", err)
	}
}

// An org that answers with 15-character record ids is understood.
func TestAccessAnsweredWithShortIDsIsKept(t *testing.T) {
	h := newHarness(t, harnessOpts{objects: []string{"Account"}})
	id := hiddenAccountOfSam(t, h)
	h.share(t, id, "read")
	h.faults.set(func(req *http.Request) string {
		if q, _ := url.QueryUnescape(req.URL.RawQuery); strings.Contains(q, "FROM UserRecordAccess") {
			return "shortids"
		}
		return ""
	})
	h.sync(t)
	if rv, _ := h.eng.Record(bg, "Account", id); rv.Access != AccessRead {
		t.Fatalf("access %q after an answer in 15-character ids", rv.Access)
	}
}

// The org failing to say who the user is (503) does not hold up the push: the id is asked
// again at the next sync.
func TestAFailureToLearnTheUsersIDDoesNotStopThePush(t *testing.T) {
	h := newHarness(t, harnessOpts{noIdentity: true})
	h.faults.set(func(req *http.Request) string {
		if strings.Contains(req.URL.Query().Get("q"), "FROM User WHERE Username") || req.URL.Path == "/services/oauth2/userinfo" {
			return "503"
		}
		return ""
	})
	h.sync(t)
	if id := h.eng.myID(); id != "" {
		t.Fatalf("learnt %q through a 503", id)
	}
	own := h.firstOwned(t, "Account")
	if err := h.eng.Edit(bg, "Account", own.ID, remote.Fields{"Phone": "555-0105"}); err != nil {
		t.Fatal(err)
	}
	sum, err := h.eng.Sync(bg)
	if err != nil || sum.Synced != 1 {
		t.Fatalf("sync: %+v %v; want the edit pushed", sum, err)
	}
	// An org that will not say whose the token is (userinfo refused for the token's scopes)
	// is asked by name.
	h.faults.set(func(req *http.Request) string {
		if req.URL.Path == "/services/oauth2/userinfo" {
			return "403"
		}
		return ""
	})
	h.sync(t)
	if got, want := h.eng.myID(), h.users["alex@demo.example"].ID; got != want {
		t.Fatalf("after the org answered: %q, want %q", got, want)
	}
}

func TestALookupTakesOnlyARecordID(t *testing.T) {
	f := remote.Field{Name: "OwnerId", Type: "reference"}
	for v, ok := range map[any]bool{
		"005Dm0000000002IAA":     true,
		"005Dm0000000002":        true,
		"local-14c9f44a1f05bd3a": true,
		nil:                      true,
		"sam@demo.example":       false,
		"005Dm00000000 2IAA":     false,
		"":                       true, // cleared, as null
		42.0:                     false,
	} {
		if err := checkValue(f, v); (err == nil) != ok {
			t.Errorf("checkValue(%v) = %v; want accepted %v", v, err, ok)
		}
	}
}

// A bare token named by the user as theirs (nothing else says whose it is) is asked of the org
// before anything goes out: another user's token stops the sync with nothing sent, and the
// queue waits as it was.
func TestAnotherUsersTokenSendsNothingOfTheDevicesQueue(t *testing.T) {
	h := newHarness(t, harnessOpts{noIdentity: true})
	h.sync(t) // primed with alex's own token: the device knows alex's id
	h.ho.tokenOf = "admin@demo.example"
	h.reopen(t)
	acct := func() string {
		res, err := h.as(t, "admin@demo.example").Query(bg, "SELECT Id, Phone FROM Account WHERE OwnerId = '"+h.users["alex@demo.example"].ID+"' LIMIT 1", 0)
		if err != nil || len(res.Records) != 1 {
			t.Fatalf("alex's account: %v", err)
		}
		return res.Records[0].ID()
	}()
	if err := h.eng.Edit(bg, "Account", acct, remote.Fields{"Phone": "555-0177"}); err != nil {
		t.Fatal(err)
	}
	_, err := h.eng.Sync(bg)
	var other *AnotherUserError
	if !errors.As(err, &other) || !errors.Is(err, ErrAuth) || other.Token != "admin@demo.example" || other.Device != "alex@demo.example" {
		t.Fatalf("sync with the admin's token on alex's device: %v", err)
	}
	if got := h.serverRecord(t, "Account", acct).Fields["Phone"]; got == "555-0177" {
		t.Fatal("alex's change went out with the admin's token")
	}
	if en := h.entryOf(t, acct); en.Status != StatusPending || en.Attempts != 0 {
		t.Fatalf("the queued change after the refused sync: %+v", en)
	}
}

// Alex's own bare token: the org's answer gives the user's id, with no query of User.
func TestTheOrgSaysWhoseTokenItIs(t *testing.T) {
	h := newHarness(t, harnessOpts{noIdentity: true})
	h.sync(t)
	if got, want := h.eng.myID(), h.users["alex@demo.example"].ID; got != want {
		t.Fatalf("id %q, want %q", got, want)
	}
	acts, _ := h.eng.Activity(bg, "", 500)
	for _, a := range acts {
		if strings.Contains(a.Path, "FROM+User+WHERE+Username") || strings.Contains(a.Path, "FROM User WHERE Username") {
			t.Fatalf("the user's id was asked by name: %+v", a)
		}
	}
}

// A record out of the user's sight that stays on the device because a change of theirs waits
// on it is still one CheckAccess says is not found: the level the device keeps for it
// (read-only or nothing) must not pass for a share.
func TestCheckAccessSaysNotFoundForARecordKeptOnlyForAChange(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id := hiddenAccountOfSam(t, h)
	h.share(t, id, "edit")
	h.sync(t)
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "555-0104"}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.share(t, id, "none")
	if _, err := h.eng.CheckAccess(bg, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unshared, kept for its change: %v; want ErrNotFound", err)
	}
	if _, err := h.eng.Record(bg, "Account", id); err != nil {
		t.Fatalf("the record left the device though a change waits on it: %v", err)
	}
	h.share(t, id, "read")
	if acc, err := h.eng.CheckAccess(bg, id); err != nil || acc != AccessRead {
		t.Fatalf("shared read-only again: %q %v; want read", acc, err)
	}
}

// A bare token whose user was only named (--user), with an org that does not say whose it is
// (userinfo refused, or its reply lost): nothing is sent and nothing refreshed, whoever's the
// token turns out to be.
func TestAnUnverifiedTokenSendsAndRefreshesNothing(t *testing.T) {
	for _, fault := range []string{"403", "drop"} {
		h := newHarness(t, harnessOpts{noIdentity: true})
		h.sync(t) // primed with alex's own token
		acct := h.firstOwned(t, "Account")
		before := h.serverRecord(t, "Account", acct.ID).Fields["Phone"]
		h.ho.tokenOf = "sam@demo.example"
		h.opts.VerifyTokenOwner = true
		h.reopen(t)
		if err := h.eng.Edit(bg, "Account", acct.ID, remote.Fields{"Phone": "555-0188"}); err != nil {
			t.Fatal(err)
		}
		cached, _ := h.eng.List(bg, ListQuery{Object: "Account", Limit: 1000})
		h.faults.set(func(req *http.Request) string {
			if req.URL.Path == "/services/oauth2/userinfo" {
				return fault
			}
			return ""
		})
		_, err := h.eng.Sync(bg)
		if _, ok := errors.AsType[*UnknownTokenOwnerError](err); !ok {
			t.Fatalf("userinfo %s: sync ended with %v; want it stopped, the token's user unknown", fault, err)
		}
		if got := h.serverRecord(t, "Account", acct.ID).Fields["Phone"]; got != before {
			t.Fatalf("userinfo %s: the change went out with sam's token: phone %v", fault, got)
		}
		if after, _ := h.eng.List(bg, ListQuery{Object: "Account", Limit: 1000}); len(after.Rows) != len(cached.Rows) {
			t.Fatalf("userinfo %s: the cache was refreshed as sam sees the org: %d accounts, were %d", fault, len(after.Rows), len(cached.Rows))
		}
		if en := h.entryOf(t, acct.ID); en.Status != StatusPending || en.Attempts != 0 {
			t.Fatalf("userinfo %s: the queued change: %+v", fault, en)
		}
	}
}

// A record shared with the user and then deleted on the org: the org says nothing of it when
// asked what the user may do, which is not an answer that they may read it again.
func TestCheckAccessOfADeletedRecordIsNotFound(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id := hiddenAccountOfSam(t, h)
	h.share(t, id, "edit")
	h.sync(t)
	if err := h.as(t, "admin@demo.example").Delete(bg, "Account", id); err != nil {
		t.Fatal(err)
	}
	if _, err := h.eng.CheckAccess(bg, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a deleted record's access: %v; want ErrNotFound", err)
	}
}
