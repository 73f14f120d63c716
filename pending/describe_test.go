package pending

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// describeRequests are the activity rows of describe requests for object, oldest first.
func describeRequests(t *testing.T, h *harness, object string) []Activity {
	t.Helper()
	acts, err := h.eng.Activity(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []Activity
	for _, a := range acts {
		if strings.HasSuffix(a.Path, "/sobjects/"+object+"/describe/") {
			out = append(out, a)
		}
	}
	if len(out) > 1 && out[0].At.After(out[len(out)-1].At) {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

func cachedHasField(t *testing.T, h *harness, object, field string) bool {
	t.Helper()
	d, err := h.db.Describe(context.Background(), object)
	if err != nil {
		t.Fatal(err)
	}
	_, ok := d.Field(field)
	return ok
}

func TestCachedDescribeIsRecheckedOnceOlderThanItsMaxAge(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	if n := len(describeRequests(t, h, "Account")); n != 1 {
		t.Fatalf("%d describe requests after the first sync, want 1", n)
	}
	// Younger than the max age: no request at all.
	h.clock.Set(h.clock.Now().Add(DefaultDescribeMaxAge / 2))
	h.sync(t)
	if n := len(describeRequests(t, h, "Account")); n != 1 {
		t.Fatalf("%d describe requests after a sync within the max age, want 1", n)
	}
	// Older: one conditional request, answered 304, and the cache keeps its describe.
	before, err := h.db.DescribeFetchedAt(context.Background(), "Account")
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(DefaultDescribeMaxAge))
	h.sync(t)
	reqs := describeRequests(t, h, "Account")
	if len(reqs) != 2 || reqs[1].Status != http.StatusNotModified {
		t.Fatalf("describe requests %+v, want a second one answered 304", reqs)
	}
	after, err := h.db.DescribeFetchedAt(context.Background(), "Account")
	if err != nil {
		t.Fatal(err)
	}
	if !after.After(before.Add(DefaultDescribeMaxAge)) {
		t.Fatalf("fetch time %v not moved on from %v by a 304", after, before)
	}
	// Confirmed: the next sync asks nothing.
	h.sync(t)
	if n := len(describeRequests(t, h, "Account")); n != 2 {
		t.Fatalf("%d describe requests right after a confirmation, want 2", n)
	}
}

func TestMetadataChangedOnTheOrgReachesTheCacheAtTheNextCheck(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	if !cachedHasField(t, h, "Account", OfflineKeyField) {
		t.Fatalf("the demo org's Account describe lacks %s", OfflineKeyField)
	}
	h.org.SetProfile(mockorg.ProfileReal)
	h.clock.Set(h.clock.Now().Add(DefaultDescribeMaxAge + time.Minute))
	h.sync(t)
	if cachedHasField(t, h, "Account", OfflineKeyField) {
		t.Fatalf("the cached Account describe still has %s after the org dropped it", OfflineKeyField)
	}
	reqs := describeRequests(t, h, "Account")
	if last := reqs[len(reqs)-1]; last.Status != http.StatusOK {
		t.Fatalf("the re-check was answered %d, want 200 with the new describe", last.Status)
	}
	// A create now takes the path for orgs without the key field, and syncs once.
	if _, err := h.eng.Create(context.Background(), "Account", remote.Fields{"Name": "After The Switch"}); err != nil {
		t.Fatal(err)
	}
	sum := h.sync(t)
	if sum.Synced != 1 {
		t.Fatalf("summary %+v", sum)
	}
	res, err := h.as(t, "alex@demo.example").Query(context.Background(), "SELECT Id FROM Account WHERE Name = 'After The Switch'", 0)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("org holds %d such accounts (%v), want 1", len(res.Records), err)
	}
}

func TestARefusedRefreshQueryFetchesTheDescribeAgainAndTheRefreshGoesThrough(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	acct := h.firstOwned(t, "Account")
	// The field the cached describe lists disappears (well within the max age), and another
	// user changes a record: the refresh query names the gone field.
	h.org.SetProfile(mockorg.ProfileReal)
	if err := h.as(t, "admin@demo.example").Update(context.Background(), "Account", acct.ID, remote.Fields{"Description": "changed by the admin"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	got, err := h.eng.Record(context.Background(), "Account", acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Fields["Description"] != "changed by the admin" {
		t.Fatalf("cached Description %v: the refresh did not go through", got.Fields["Description"])
	}
	if cachedHasField(t, h, "Account", OfflineKeyField) {
		t.Fatalf("the cached describe still lists %s", OfflineKeyField)
	}
	acts, _ := h.eng.Activity(context.Background(), "", 0)
	for _, a := range acts {
		if strings.HasPrefix(a.Note, "could not refresh") {
			t.Fatalf("activity says %q", a.Note)
		}
	}
}

func TestARefusedQueryWithAnUnchangedDescribeIsNotedNotRetried(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	// The org refuses every query for a while (a rule of the org), the describe is unchanged.
	h.faults.set(func(req *http.Request) string {
		if strings.Contains(req.URL.Path, "/query") {
			return "badquery"
		}
		return ""
	})
	h.clock.Set(h.clock.Now().Add(time.Minute))
	h.sync(t)
	acts, _ := h.eng.Activity(context.Background(), "", 0)
	refused := 0
	for _, a := range acts {
		if strings.HasPrefix(a.Note, "could not refresh Account") {
			refused++
		}
	}
	if refused != 1 {
		t.Fatalf("%d notes that Account could not be refreshed, want 1", refused)
	}
	reqs := describeRequests(t, h, "Account")
	if len(reqs) != 2 || reqs[1].Status != http.StatusOK {
		t.Fatalf("describe requests %+v, want one unconditional re-fetch after the refusal", reqs)
	}
}

func TestACreateQueuedBeforeTheOrgDroppedTheKeyFieldStillSyncsOnce(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	acc, err := h.eng.Create(context.Background(), "Account", remote.Fields{"Name": "Keyed Before The Switch"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.eng.Create(context.Background(), "Contact", remote.Fields{"LastName": "Child Of The Switch", "AccountId": acc}); err != nil {
		t.Fatal(err)
	}
	h.org.SetProfile(mockorg.ProfileReal) // well within the describe's max age
	h.eng.SetOnline(true)
	// One sync: the refused keyed create goes again, keyless, in the same run.
	if sum := h.sync(t); sum.Synced != 2 {
		t.Fatalf("summary %+v, want both creates synced", sum)
	}
	ents, _ := h.eng.Entries(context.Background())
	if len(ents) != 0 {
		t.Fatalf("left in the queue: %+v", ents)
	}
	admin := h.as(t, "admin@demo.example")
	for _, q := range []string{"SELECT Id FROM Account WHERE Name = 'Keyed Before The Switch'", "SELECT Id FROM Contact WHERE LastName = 'Child Of The Switch'"} {
		res, err := admin.Query(context.Background(), q, 0)
		if err != nil || len(res.Records) != 1 {
			t.Fatalf("%s: %d records (%v), want 1", q, len(res.Records), err)
		}
	}
}

func TestAConflictIsStillJudgedAfterTheOrgDroppedAFieldTheDeviceAsksFor(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	acct := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(context.Background(), "Account", acct.ID, remote.Fields{"Description": "mine"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := h.as(t, "admin@demo.example").Update(context.Background(), "Account", acct.ID, remote.Fields{"Description": "theirs"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.org.SetProfile(mockorg.ProfileReal) // 412s without a body, and no Offline_Key__c
	h.eng.SetOnline(true)
	h.sync(t)
	if en := h.entryOf(t, acct.ID); en.Status != StatusConflict {
		acts, _ := h.eng.Activity(context.Background(), "", 60)
		for _, a := range acts {
			t.Logf("%s %s %d %s %s", a.Method, a.Path, a.Status, a.Code, a.Note)
		}
		t.Fatalf("entry %s (%s), want a conflict", en.Status, en.Message)
	}
	if red, err := h.eng.RedCount(context.Background()); err != nil || red != 0 {
		t.Fatalf("RedCount = %d (%v) with only an orange change", red, err)
	}
}

func TestACreateSentKeylessAndLostIsFoundAgainWhenTheKeyComesBack(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	if _, err := h.eng.Create(context.Background(), "Account", remote.Fields{"Name": "Keyless Twin", "Phone": "555-0142"}); err != nil {
		t.Fatal(err)
	}
	// The org drops the key field; the keyed create is refused, goes again keyless, and the
	// org applies that but its reply is lost.
	h.org.SetProfile(mockorg.ProfileReal)
	refused := false
	h.faults.set(func(req *http.Request) string {
		if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/composite") {
			if refused {
				return "lose"
			}
			refused = true // the first composite is the keyed attempt: let the org refuse it
		}
		return ""
	})
	h.eng.SetOnline(true)
	_, _ = h.eng.Sync(context.Background())
	h.faults.set(nil)
	// The key comes back, and the next check of the describe sees it: the next run is keyed.
	h.org.SetProfile(mockorg.ProfileDemo)
	h.clock.Set(h.clock.Now().Add(DefaultDescribeMaxAge + time.Minute))
	for range 3 {
		if n, _, _ := h.eng.Counts(context.Background()); n == 0 {
			break
		}
		_, _ = h.eng.Sync(context.Background())
		h.clock.Set(h.clock.Now().Add(time.Minute))
	}
	res, err := h.as(t, "admin@demo.example").Query(context.Background(), "SELECT Id FROM Account WHERE Name = 'Keyless Twin'", 0)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("the org holds %d such accounts (%v), want exactly 1", len(res.Records), err)
	}
	if n, _, _ := h.eng.Counts(context.Background()); n != 0 {
		ents, _ := h.eng.Entries(context.Background())
		t.Fatalf("left: %+v", ents)
	}
}

func TestActivityOfARecordCreatedOfflineFindsItUnderEitherID(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	bg := context.Background()
	h.sync(t)
	h.eng.SetOnline(false)
	local, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Logged Both Ways"})
	if err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	server, err := h.eng.ServerID(bg, local)
	if err != nil || server == "" {
		t.Fatalf("server id %q (%v)", server, err)
	}
	// Edited after it synced: logged under the org's id.
	if err := h.eng.Edit(bg, "Account", server, remote.Fields{"Phone": "555-0177"}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	for _, id := range []string{local, server} {
		acts, err := h.eng.Activity(bg, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		var create, edit bool
		for _, a := range acts {
			create = create || strings.HasPrefix(a.Note, "create ") && a.RecordID == local
			edit = edit || strings.HasPrefix(a.Note, "update Phone=") && a.RecordID == server
		}
		if !create || !edit {
			t.Errorf("the log of %s: the create sent %v, the later edit %v; want both\n%+v", id, create, edit, acts)
		}
	}
}
