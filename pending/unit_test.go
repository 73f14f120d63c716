package pending

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/netsim"
)

func TestClassifyPutsEveryOutcomeInExactlyOneClass(t *testing.T) {
	api := func(status int, code string, fields ...string) error {
		e := &remote.Error{Status: status}
		if code != "" {
			e.Items = []remote.ErrorItem{{Code: code, Message: "m", Fields: fields}}
		}
		return fmt.Errorf("wrapped: %w", e)
	}
	cases := []struct {
		name string
		err  error
		want Class
	}{
		{"success", nil, ClassOK},
		{"offline", fmt.Errorf("x: %w", remote.ErrOffline), ClassOffline},
		{"cancelled", context.Canceled, ClassCanceled},
		{"dropped by the network", netsim.ErrDropped, ClassTransient},
		{"reply lost", netsim.ErrReplyLost, ClassTransient},
		{"timeout", context.DeadlineExceeded, ClassTransient},
		{"500", api(500, "UNKNOWN_EXCEPTION"), ClassTransient},
		{"502 no body", api(502, ""), ClassTransient},
		{"503", api(503, "SERVER_UNAVAILABLE"), ClassTransient},
		{"429", api(429, ""), ClassTransient},
		{"row lock", api(400, "UNABLE_TO_LOCK_ROW"), ClassTransient},
		{"api limit", api(403, "REQUEST_LIMIT_EXCEEDED"), ClassTransient},
		{"401 session", api(401, "INVALID_SESSION_ID"), ClassAuth},
		{"401 header", api(401, "INVALID_AUTH_HEADER"), ClassAuth},
		{"412 empty body", api(412, ""), ClassConflict},
		{"upsert key several records carry", api(300, remote.CodeMultipleChoices), ClassFailed},
		{"300 without a code", api(300, ""), ClassFailed},
		{"412 with body", api(412, "PRECONDITION_FAILED"), ClassConflict},
		{"validation rule", api(400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Amount"), ClassInvalid},
		{"required", api(400, "REQUIRED_FIELD_MISSING", "LastName"), ClassInvalid},
		{"too long", api(400, "STRING_TOO_LONG", "Name"), ClassInvalid},
		{"picklist", api(400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "StageName"), ClassInvalid},
		{"email", api(400, "INVALID_EMAIL_ADDRESS", "Email"), ClassInvalid},
		{"duplicates", api(400, "DUPLICATES_DETECTED"), ClassInvalid},
		{"duplicate value", api(400, "DUPLICATE_VALUE"), ClassInvalid},
		{"bad lookup value", api(400, "INVALID_CROSS_REFERENCE_KEY", "AccountId"), ClassInvalid},
		{"record itself gone", api(400, "INVALID_CROSS_REFERENCE_KEY"), ClassFailed},
		{"not found", api(404, "NOT_FOUND"), ClassFailed},
		{"deleted", api(404, "ENTITY_IS_DELETED"), ClassFailed},
		{"read only", api(400, "INSUFFICIENT_ACCESS_OR_READONLY"), ClassFailed},
		{"cross reference access", api(400, "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY"), ClassFailed},
		{"403 other", api(403, "INSUFFICIENT_PRIVILEGES"), ClassFailed},
		{"dependent subrequest halted", api(400, "PROCESSING_HALTED"), ClassHeld},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Classify(c.err); got != c.want {
				t.Fatalf("Classify = %v, want %v", got, c.want)
			}
		})
	}
}

func TestBackoffIsExponentialWithFullJitterAndHonoursRetryAfter(t *testing.T) {
	b := Backoff{Base: time.Second, Cap: time.Minute}
	rng := rand.New(rand.NewPCG(1, 2))
	for attempts := 1; attempts <= 12; attempts++ {
		ceiling := min(time.Minute, time.Second<<(attempts-1))
		var maxSeen time.Duration
		for i := 0; i < 300; i++ {
			d := b.Delay(attempts, 0, rng)
			if d < 0 || d > ceiling {
				t.Fatalf("attempt %d: %v outside [0, %v]", attempts, d, ceiling)
			}
			maxSeen = max(maxSeen, d)
		}
		if maxSeen < ceiling/2 {
			t.Fatalf("attempt %d: jitter never came near the ceiling %v (max %v)", attempts, ceiling, maxSeen)
		}
	}
	if d := b.Delay(1, 30*time.Second, rng); d < 30*time.Second {
		t.Fatalf("Retry-After ignored: %v", d)
	}
	if d := b.Delay(1000, 0, rng); d > time.Minute {
		t.Fatalf("cap exceeded: %v", d)
	}
}

func TestARetryAfterLongerThanTheBackoffCapIsHonoured(t *testing.T) {
	b := Backoff{Base: time.Second, Cap: 5 * time.Minute}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, attempts := range []int{1, 5, 20, 1000} {
		for _, retryAfter := range []time.Duration{5*time.Minute + time.Second, 10 * time.Minute, time.Hour} {
			if d := b.Delay(attempts, retryAfter, rng); d < retryAfter {
				t.Errorf("attempt %d, Retry-After %v: delay %v, want at least the Retry-After", attempts, retryAfter, d)
			}
		}
	}
}

func TestRetryMomentRoundsUpToTheMillisecondTheQueueStores(t *testing.T) {
	base := time.Date(2024, 3, 4, 10, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"whole millisecond stays", base.Add(7 * time.Millisecond), base.Add(7 * time.Millisecond)},
		{"a nanosecond past rounds up", base.Add(7*time.Millisecond + time.Nanosecond), base.Add(8 * time.Millisecond)},
		{"just under the next rounds up", base.Add(8*time.Millisecond - 50*time.Microsecond), base.Add(8 * time.Millisecond)},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got := ceilMillisecond(tt.in)
			if !got.Equal(tt.want) {
				t.Fatalf("ceilMillisecond(%v) = %v, want %v", tt.in, got, tt.want)
			}
			if stored := cache.FromMS(cache.MS(got)); stored.Before(tt.in) {
				t.Fatalf("stored %v is sooner than %v", stored, tt.in)
			}
		})
	}
}

func TestStatusSashesAndLocks(t *testing.T) {
	cases := []struct {
		s      Status
		sash   Sash
		locked bool
	}{
		{StatusPending, SashGreen, false}, {StatusSyncing, SashGreen, false}, {StatusWaiting, SashGreen, false},
		{StatusConflict, SashOrange, true}, {StatusInvalid, SashOrange, true}, {StatusFailed, SashRed, true},
		{"", SashNone, false},
	}
	for _, c := range cases {
		if c.s.Sash() != c.sash || c.s.Locked() != c.locked {
			t.Errorf("%q: sash %v locked %v", c.s, c.s.Sash(), c.s.Locked())
		}
	}
}

func TestSameValueTreatsEmptyAsNullAndDatetimesAsInstants(t *testing.T) {
	cases := []struct {
		a, b any
		want bool
	}{
		{"", nil, true}, {"x", "x", true}, {"x", "y", false}, {1, 1.0, true}, {1.0, "1", false},
		{"2024-01-02T03:04:05.000+0000", "2024-01-02T03:04:05Z", true},
		{"2024-01-02T03:04:05.000+0000", "2024-01-02T03:04:06Z", false},
		{true, true, true}, {true, false, false}, {nil, false, false},
	}
	for _, c := range cases {
		if got := sameValue(c.a, c.b); got != c.want {
			t.Errorf("sameValue(%#v, %#v) = %v", c.a, c.b, got)
		}
	}
}

func TestCoalescingKeepsOneEntryPerRecord(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	ctx := context.Background()
	c := h.firstOwned(t, "Contact")
	phone0, title0 := c.Server["Phone"], c.Server["Title"]

	t.Run("edit after edit is the union with the first base", func(t *testing.T) {
		if err := h.eng.Edit(ctx, "Contact", c.ID, remote.Fields{"Phone": "1"}); err != nil {
			t.Fatal(err)
		}
		first := h.entryOf(t, c.ID)
		if err := h.eng.Edit(ctx, "Contact", c.ID, remote.Fields{"Phone": "2", "Title": "T"}); err != nil {
			t.Fatal(err)
		}
		en := h.entryOf(t, c.ID)
		if en.ID != first.ID || en.Seq != first.Seq || en.Op != OpUpdate || en.Changes["Phone"] != "2" || en.Changes["Title"] != "T" {
			t.Fatalf("%+v", en)
		}
		if !sameValue(en.Base["Phone"], phone0) || !sameValue(en.Base["Title"], title0) || en.BaseVersion != first.BaseVersion {
			t.Fatalf("base moved: %+v", en.Base)
		}
	})
	t.Run("delete after edit is a delete that keeps the base", func(t *testing.T) {
		before := h.entryOf(t, c.ID)
		if err := h.eng.Delete(ctx, "Contact", c.ID); err != nil {
			t.Fatal(err)
		}
		en := h.entryOf(t, c.ID)
		if en.ID != before.ID || en.Op != OpDelete || en.BaseVersion != before.BaseVersion || !sameValue(en.Base["Phone"], phone0) {
			t.Fatalf("%+v", en)
		}
		if err := h.eng.Edit(ctx, "Contact", c.ID, remote.Fields{"Phone": "3"}); !errors.Is(err, ErrNotAllowed) {
			t.Fatalf("edit of a deleted record: %v", err)
		}
	})
	t.Run("edit after create is still one create", func(t *testing.T) {
		id, err := h.eng.Create(ctx, "Account", remote.Fields{"Name": "Coalesce Co"})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.eng.Edit(ctx, "Account", id, remote.Fields{"Phone": "9"}); err != nil {
			t.Fatal(err)
		}
		en := h.entryOf(t, id)
		if en.Op != OpCreate || en.Changes["Name"] != "Coalesce Co" || en.Changes["Phone"] != "9" {
			t.Fatalf("%+v", en)
		}
	})
	t.Run("delete after create sends nothing", func(t *testing.T) {
		id, _ := h.eng.Create(ctx, "Account", remote.Fields{"Name": "Never Sent"})
		if err := h.eng.Delete(ctx, "Account", id); err != nil {
			t.Fatal(err)
		}
		if _, err := h.eng.Record(ctx, "Account", id); !errors.Is(err, ErrNotFound) {
			t.Fatalf("record still there: %v", err)
		}
	})
	t.Run("an edit to the current values queues nothing", func(t *testing.T) {
		o := h.firstOwned(t, "Opportunity")
		if err := h.eng.Edit(ctx, "Opportunity", o.ID, remote.Fields{"Name": o.Fields["Name"]}); err != nil {
			t.Fatal(err)
		}
		if rv, _ := h.eng.Record(ctx, "Opportunity", o.ID); rv.Entry != nil {
			t.Fatalf("no-op edit queued %+v", rv.Entry)
		}
	})
	t.Run("bad input is refused with a clear error", func(t *testing.T) {
		o := h.firstOwned(t, "Opportunity")
		for _, f := range []remote.Fields{{"NoSuchField": 1}, {"CreatedDate": "2020-01-01"}, {"Name": map[string]any{"a": 1}}, {"Name": make(chan int)}} {
			if err := h.eng.Edit(ctx, "Opportunity", o.ID, f); !errors.Is(err, ErrNotAllowed) {
				t.Fatalf("edit %v: %v", f, err)
			}
		}
		if err := h.eng.Edit(ctx, "Opportunity", "006000000000000AAA", remote.Fields{"Name": "x"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown record: %v", err)
		}
		if _, err := h.eng.Create(ctx, "Lead", remote.Fields{"LastName": "x"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("uncached object: %v", err)
		}
	})
	h.eng.SetOnline(true)
	s := h.sync(t)
	if s.Synced != 2 || s.Attention != 0 {
		t.Fatalf("summary %+v", s)
	}
	if n := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name = 'Never Sent'"); n != 0 {
		t.Fatalf("a create deleted offline reached the org")
	}
	if n := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name = 'Coalesce Co' AND Phone = '9'"); n != 1 {
		t.Fatalf("coalesced create on the org: %d", n)
	}
	if n := countOnOrg(t, h, "SELECT Id FROM Contact WHERE Id = '"+c.ID+"'"); n != 0 {
		t.Fatalf("the deleted contact is still on the org")
	}
}

func TestADeleteFoldedOverAnEditCarriesNoChanges(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	c := h.firstOwned(t, "Contact")
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "555-0199", "Title": "Folded"}); err != nil {
		t.Fatal(err)
	}
	if err := h.eng.Delete(bg, "Contact", c.ID); err != nil {
		t.Fatal(err)
	}
	ents, err := h.eng.Entries(bg)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		t.Fatalf("%d entries, want one: %+v", len(ents), ents)
	}
	if en := ents[0]; en.RecordID != c.ID || en.Op != OpDelete || len(en.Changes) != 0 {
		t.Fatalf("entry: op %s, changes %v; want a delete of %s with no changes", en.Op, en.Changes, c.ID)
	}
}

// A field the user may set on a new record but not change afterwards (createable, not
// updateable) can still be edited while its record's create is queued: the org gets it with the
// create.
func TestEditingAQueuedCreateIsCheckedAsACreate(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	d, err := h.db.Describe(bg, "Account")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for i := range d.Fields {
		if d.Fields[i].Name == "Phone" {
			d.Fields[i].Createable, d.Fields[i].Updateable = true, false
			found = true
		}
	}
	if !found {
		t.Fatal("the Account describe has no Phone")
	}
	if err := h.db.Update(bg, func(tx *cache.Tx) error { return tx.PutDescribe(bg, d, h.clock.Now()) }); err != nil {
		t.Fatal(err)
	}
	a := h.firstOwned(t, "Account")
	if err := h.eng.Edit(bg, "Account", a.ID, remote.Fields{"Phone": "555-0101"}); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("edit of a read-only field on a synced record: %v, want ErrNotAllowed", err)
	}
	id, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Set Once Ltd", "Phone": "555-0102"})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.eng.Edit(bg, "Account", id, remote.Fields{"Phone": "555-0103"}); err != nil {
		t.Fatalf("edit of a createable field on a queued create: %v", err)
	}
	if en := h.entryOf(t, id); en.Op != OpCreate || en.Changes["Phone"] != "555-0103" {
		t.Fatalf("entry: op %s, changes %v", en.Op, en.Changes)
	}
}

func TestDiscardRestoresTheServerCopyAndOrphansDependents(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	c := h.firstOwned(t, "Contact")
	_ = h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "1"})
	en := h.entryOf(t, c.ID)
	if err := h.eng.Discard(bg, en.ID); err != nil {
		t.Fatal(err)
	}
	rv, _ := h.eng.Record(bg, "Contact", c.ID)
	if rv.Entry != nil || !sameValue(rv.Fields["Phone"], c.Server["Phone"]) {
		t.Fatalf("after discard %+v", rv)
	}
	acc, _ := h.eng.Create(bg, "Account", remote.Fields{"Name": "Parent"})
	kid, _ := h.eng.Create(bg, "Contact", remote.Fields{"LastName": "Kid", "AccountId": acc})
	if err := h.eng.Discard(bg, h.entryOf(t, acc).ID); err != nil {
		t.Fatal(err)
	}
	ke := h.entryOf(t, kid)
	if ke.Status != StatusInvalid || len(ke.Errors) != 1 || ke.Errors[0].Field != "AccountId" {
		t.Fatalf("orphan %+v", ke)
	}
	if err := h.eng.Fix(bg, ke.ID, remote.Fields{"AccountId": nil}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	if s := h.sync(t); s.Synced != 1 {
		t.Fatalf("summary %+v", s)
	}
	assertNoLocalIDs(t, h)
}

func TestEventsNeverBlockTheEngine(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	done := make(chan struct{})
	go func() {
		for i := 0; i < eventBuffer*2; i++ {
			h.eng.emit(Event{Kind: EventEntryChanged})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("emit blocked with nobody reading")
	}
	if len(h.eng.Events()) != eventBuffer {
		t.Fatalf("buffer holds %d", len(h.eng.Events()))
	}
}

func TestBackgroundLoopSyncsWhenGoingOnline(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.eng.Start(ctx)
	if err := h.eng.Edit(ctx, "Contact", c.ID, remote.Fields{"Phone": "loop"}); err != nil {
		t.Fatal(err)
	}
	drain(h.eng)
	h.eng.SetOnline(true)
	deadline := time.After(20 * time.Second)
	for {
		select {
		case ev := <-h.eng.Events():
			if ev.Kind == EventSyncFinished && ev.Summary != nil && ev.Summary.Synced == 1 {
				if got := h.serverRecord(t, "Contact", c.ID).Fields["Phone"]; got != "loop" {
					t.Fatalf("org has %v", got)
				}
				return
			}
		case <-deadline:
			t.Fatal("no sync after going online")
		}
	}
}

func TestOnlyARefusalOfTheKeyFieldItselfMakesACreateGoKeyless(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  *remote.Error
		want bool
	}{
		{"404 external id field missing", &remote.Error{Status: 404, Items: []remote.ErrorItem{{Code: "NOT_FOUND", Message: "Provided external ID field does not exist or is not accessible: Offline_Key__c"}}}, true},
		{"invalid field naming the key", &remote.Error{Status: 400, Items: []remote.ErrorItem{{Code: "INVALID_FIELD", Message: "No such column 'Offline_Key__c' on sobject of type Account"}}}, true},
		{"duplicate key: a record exists", &remote.Error{Status: 400, Items: []remote.ErrorItem{{Code: "DUPLICATE_VALUE", Message: "duplicate value found: Offline_Key__c duplicates value on record with id: 001A"}}}, false},
		{"invalid field, another one", &remote.Error{Status: 400, Items: []remote.ErrorItem{{Code: "INVALID_FIELD", Message: "No such column 'Foo__c'"}}}, false},
		{"validation", &remote.Error{Status: 400, Items: []remote.ErrorItem{{Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION", Message: "Offline_Key__c is odd"}}}, false},
		{"no error", nil, false},
	} {
		if got := keyFieldGone(tc.err); got != tc.want {
			t.Errorf("%s: keyFieldGone = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCauseTellsADeletedRecordFromOneOutOfReach(t *testing.T) {
	cases := []struct {
		name string
		e    Entry
		want Cause
	}{
		{"found in the recycle bin after NOT_FOUND", Entry{Status: StatusFailed, Code: "NOT_FOUND", Message: msgDeleted}, CauseDeleted},
		{"found in the recycle bin after INVALID_CROSS_REFERENCE_KEY", Entry{Status: StatusFailed, Code: "INVALID_CROSS_REFERENCE_KEY", Message: msgDeleted}, CauseDeleted},
		{"the org said deleted", Entry{Status: StatusFailed, Code: "ENTITY_IS_DELETED"}, CauseDeleted},
		{"NOT_FOUND, not in the recycle bin", Entry{Status: StatusFailed, Code: "NOT_FOUND", Message: msgNoAccess}, CauseNoAccess},
		{"read-only share", Entry{Status: StatusFailed, Code: "INSUFFICIENT_ACCESS_OR_READONLY", Message: msgNoAccessToChange}, CauseNoAccess},
		{"another refusal", Entry{Status: StatusFailed, Code: "FIELD_INTEGRITY_EXCEPTION", Message: "The org can't apply this change: x"}, CauseOther},
		{"not red", Entry{Status: StatusConflict, Code: "NOT_FOUND", Message: msgDeleted}, CauseOther},
	}
	for _, c := range cases {
		if got := c.e.Cause(); got != c.want {
			t.Errorf("%s: Cause() = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestAContactsNewNameShowsBeforeTheOrgComposesIt(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"LastName": "Okonkwo"}); err != nil {
		t.Fatal(err)
	}
	rv, err := h.eng.Record(bg, "Contact", c.ID)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := rv.Fields["FirstName"].(string)
	want := strings.TrimSpace(first + " Okonkwo")
	if rv.Name != want || rv.Fields["Name"] != want || rv.Entry == nil || rv.Entry.Name != want {
		t.Fatalf("name %q, Full Name %v, entry %+v: want %q everywhere", rv.Name, rv.Fields["Name"], rv.Entry, want)
	}
	if _, sent := rv.Entry.Changes["Name"]; sent {
		t.Fatal("the composed name went into the change: the org refuses to be told it")
	}
	id, err := h.eng.Create(bg, "Contact", remote.Fields{"FirstName": "Ada", "LastName": "Obi"})
	if err != nil {
		t.Fatal(err)
	}
	if rv, err := h.eng.Record(bg, "Contact", id); err != nil || rv.Fields["Name"] != "Ada Obi" || rv.Name != "Ada Obi" {
		t.Fatalf("a contact created offline reads %q / %v (%v), want Ada Obi", rv.Name, rv.Fields["Name"], err)
	}
	// Online, the org's own composition takes over and agrees.
	h.eng.SetOnline(true)
	h.sync(t)
	if rv, err := h.eng.Record(bg, "Contact", c.ID); err != nil || rv.Fields["Name"] != want || rv.Entry != nil {
		t.Fatalf("after sync: %v %+v (%v)", rv.Fields["Name"], rv.Entry, err)
	}
}

func TestTruncateCutsAtACharacterBoundary(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc…"},
		{"aé", 2, "a…"}, // é is two bytes: not cut in half
		{"日本語", 4, "日…"},
	} {
		if got := truncate(c.s, c.n); got != c.want || !utf8.ValidString(got) {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}

func TestARecordCreatedOfflineAnswersToItsLocalIDAfterItSynced(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	local, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Followed Co"})
	if err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	rv, err := h.eng.Record(bg, "Account", local)
	if err != nil {
		t.Fatalf("the local id after the sync: %v", err)
	}
	if rv.ID == local || IsLocalID(rv.ID) || rv.Name != "Followed Co" || rv.Entry != nil {
		t.Fatalf("got %+v, want the synced record under its server id", rv)
	}
	if _, err := h.eng.Record(bg, "Account", "local-0000000000000000"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an unknown local id: %v, want ErrNotFound", err)
	}
}

func TestSOQLLiteralsCarryOnlyWhatTheirTypeAllows(t *testing.T) {
	cases := []struct {
		typ  string
		v    any
		want string
		ok   bool
	}{
		{"string", "O'Brien \\ \"Ltd\"\n\t", `'O\'Brien \\ \"Ltd\"\n\t'`, true},
		{"string", "\r\b\f", `'\r\b\f'`, true},
		{"date", "2024-02-29", "2024-02-29", true},
		{"date", "2023-02-29", "", false},
		{"date", "1' OR Id!=", "", false},
		{"date", "2024-1-1", "", false},
		{"boolean", true, "true", true},
		{"double", 1.5, "1.5", true},
		{"reference", "001Dm00000000HPIAY", "'001Dm00000000HPIAY'", true},
		{"reference", newLocalID(), "", false}, // the org has no record by a local id
	}
	for _, c := range cases {
		got, ok := soqlLiteral(c.typ, c.v)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("soqlLiteral(%s, %q) = %q, %v; want %q, %v", c.typ, c.v, got, ok, c.want, c.ok)
		}
	}
}

func TestAnEntryInJSONHasTheSameKeysWhateverItsState(t *testing.T) {
	keys := func(e Entry) []string {
		t.Helper()
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return slices.Sorted(maps.Keys(m))
	}
	fresh := Entry{ID: "e1", Object: "Account", RecordID: "001A", Op: OpUpdate, Status: StatusPending}
	red := Entry{ID: "e2", Object: "Contact", RecordID: "003A", Op: OpCreate, Status: StatusFailed,
		Changes: remote.Fields{"LastName": "X"}, Base: remote.Fields{}, Code: "ENTITY_IS_DELETED", Message: "gone",
		Errors:    []FieldError{{Code: "ENTITY_IS_DELETED", Message: "gone"}},
		Conflicts: []Conflict{{Field: "Phone", Mine: "1"}}, WaitingOn: "local-0123456789ab",
		Attempts: 3, NextAttempt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if a, b := keys(fresh), keys(red); !slices.Equal(a, b) {
		t.Fatalf("keys differ:\n%v\n%v", a, b)
	}
	b, _ := json.Marshal(fresh)
	for _, want := range []string{`"errors":[]`, `"conflicts":[]`, `"nextAttempt":null`, `"changes":{}`, `"code":""`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("a fresh entry lacks %s: %s", want, b)
		}
	}
	var back Entry // and it reads back
	if err := json.Unmarshal(b, &back); err != nil || back.ID != "e1" || !back.NextAttempt.IsZero() {
		t.Fatalf("read back %+v %v", back, err)
	}
}

func TestEveryFieldOfAnEntryReachesItsJSON(t *testing.T) {
	b, err := json.Marshal(Entry{})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeOf(Entry{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if key == "" || key == "-" {
			t.Errorf("Entry.%s has no JSON key", f.Name)
			continue
		}
		if _, ok := m[key]; !ok {
			t.Errorf("Entry.%s (%q) is left out of Entry's JSON: add it to MarshalJSON", f.Name, key)
		}
	}
}

// A number with more digits before the decimal point than the field's precision and scale allow
// is refused when queued (the org would refuse it, NUMBER_OUTSIDE_VALID_RANGE); decimals beyond
// the scale are the org's to keep as sent.
func TestANumberTooLargeForItsFieldIsRefusedWhenQueued(t *testing.T) {
	amount := remote.Field{Name: "Amount", Type: "currency", Precision: 18, Scale: 2}
	rating := remote.Field{Name: "Rating__c", Type: "double", Precision: 3, Scale: 1}
	noPrecision := remote.Field{Name: "NumberOfEmployees", Type: "int"}
	cases := []struct {
		f  remote.Field
		v  float64
		ok bool
	}{
		{amount, 1234.567, true},
		{amount, 999999999999999.9, true},
		{amount, 1e16, false},
		{amount, -1e16, false},
		{rating, 99.9, true},
		{rating, -99.99, true},
		{rating, 100, false},
		{noPrecision, 1e12, true},
	}
	for _, c := range cases {
		err := checkValue(c.f, c.v)
		if (err == nil) != c.ok {
			t.Errorf("%s = %v: %v; want accepted %v", c.f.Name, c.v, err, c.ok)
		}
	}
}

func TestMessagesNameALookupByItsShownLabel(t *testing.T) {
	d := &remote.Describe{Name: "Contact", Fields: []remote.Field{
		{Name: "AccountId", Label: "Account ID", Type: "reference", ReferenceTo: []string{"Account"}},
		{Name: "Title", Label: "Title", Type: "string"},
		{Name: "Legacy_ID__c", Label: "Legacy ID", Type: "string"}, // text: keeps its label
	}}
	got := fieldLabels(d, []string{"AccountId", "Title", "Legacy_ID__c"})
	if !strings.Contains(got, "Account") || strings.Contains(got, "Account ID") || !strings.Contains(got, "Legacy ID") {
		t.Fatalf("labels %q: want Account (not Account ID) and Legacy ID", got)
	}
}

func TestShownValuesKeepAmpersandsAndAngles(t *testing.T) {
	if got := shownValue("A&B <x>"); got != `"A&B <x>"` {
		t.Fatalf("shown as %s", got)
	}
}

// A value made of characters that do not print still shows in the log as what it is, not as ""
// once the screen drops them; a long one is cut whole, never inside an escape.
func TestNoteValuesEscapeWhatDoesNotPrint(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{"\u009b2J\u009d0;x\u009c", `"\u009b2J\u009d0;x\u009c"`},
		{"\u202e", `"\u202e"`},
		{"zero\u200bwidth", `"zero\u200bwidth"`},
		{"A&B <x> é 日本", `"A&B <x> é 日本"`},
		{strings.Repeat("\u009b", 50), `"` + strings.Repeat(`\u009b`, 39) + `…"`},
		{1250.0, "1250"},
		{nil, "empty"},
	} {
		if got := noteValue(c.in); got != c.want {
			t.Errorf("noteValue(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// A date or date-time outside the years an org keeps (1700 to 4000) is refused when queued.
func TestADateOutsideTheYearsAnOrgKeepsIsRefusedWhenQueued(t *testing.T) {
	date := remote.Field{Name: "Birthdate", Type: "date"}
	when := remote.Field{Name: "Next_Meeting__c", Type: "datetime"}
	for _, c := range []struct {
		f  remote.Field
		v  string
		ok bool
	}{
		{date, "1700-01-01", true},
		{date, "4000-12-31", true},
		{date, "0000-12-31", false},
		{date, "1699-12-31", false},
		{date, "4001-01-01", false},
		{when, "2026-12-01T09:00:00.000+0000", true},
		{when, "1699-12-31T23:00:00Z", false},
		{when, "4000-12-31T23:00:00-02:00", false},
		{when, "4000-12-31T00:00:00Z", true},
		{when, "4000-12-31T00:00:01Z", false},
	} {
		if err := checkValue(c.f, c.v); (err == nil) != c.ok {
			t.Errorf("%s = %s: %v; want accepted %v", c.f.Name, c.v, err, c.ok)
		}
	}
}

// A change pointing at two records created offline, both discarded one after the other, is
// flagged on both fields: the second discard adds to what the first flagged.
func TestASecondDiscardedParentKeepsTheFirstOnesFlag(t *testing.T) {
	for _, order := range [][2]string{{"AccountId", "ContactId"}, {"ContactId", "AccountId"}} {
		h := newHarness(t, harnessOpts{objects: []string{"Account", "Contact", "Case"}})
		h.sync(t)
		h.eng.SetOnline(false)
		acc, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "P3"})
		if err != nil {
			t.Fatal(err)
		}
		con, err := h.eng.Create(bg, "Contact", remote.Fields{"LastName": "C3", "AccountId": acc})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := h.eng.Create(bg, "Case", remote.Fields{"Subject": "K3", "Status": "New", "Origin": "Phone", "AccountId": acc, "ContactId": con})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{"AccountId": acc, "ContactId": con}
		for _, f := range order {
			if err := h.eng.Discard(bg, h.entryOf(t, ids[f]).ID); err != nil {
				t.Fatal(err)
			}
		}
		en := h.entryOf(t, cs)
		var fields []string
		for _, fe := range en.Errors {
			fields = append(fields, fe.Field)
		}
		if en.Status != StatusInvalid || strings.Join(fields, ",") != "AccountId,ContactId" && strings.Join(fields, ",") != "ContactId,AccountId" ||
			!strings.Contains(en.Message, "Account") || !strings.Contains(en.Message, "Contact") {
			t.Fatalf("discarded %v: %+v; want both fields flagged and named", order, en)
		}
	}
}

// SyncSoon has the background loop run now, rather than at its next timer (an hour on when
// nothing waits): the network came back.
func TestSyncSoonRunsTheLoopNow(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.eng.Start(ctx)
	waitFor := func(kind EventKind, within time.Duration) bool {
		deadline := time.After(within)
		for {
			select {
			case ev := <-h.eng.Events():
				if ev.Kind == kind {
					return true
				}
			case <-deadline:
				return false
			}
		}
	}
	if !waitFor(EventSyncFinished, 20*time.Second) {
		t.Fatal("the loop's first run did not finish")
	}
	drain(h.eng)
	h.eng.SyncSoon()
	if !waitFor(EventSyncStarted, 5*time.Second) {
		t.Fatal("SyncSoon started no run")
	}
}

// A push packs updates of one object 24 to a Composite request with the one Collections
// retrieve that reads them back: 25 subrequests, the most a Composite may carry.
func TestAPushPacksTwentyFourUpdatesAndTheirRetrievePerComposite(t *testing.T) {
	for _, tc := range []struct{ updates, composites int }{{24, 1}, {25, 2}, {48, 2}, {49, 3}} {
		t.Run(fmt.Sprint(tc.updates), func(t *testing.T) {
			h := newHarness(t, harnessOpts{objects: []string{"Account"}, size: 1500})
			h.sync(t)
			h.eng.SetOnline(false)
			queueUpdates(t, h, tc.updates, 1)
			var mu sync.Mutex
			var sizes []int
			h.faults.set(func(r *http.Request) string {
				if isComposite(r) {
					body, _ := io.ReadAll(r.Body)
					r.Body = io.NopCloser(bytes.NewReader(body))
					var c struct {
						CompositeRequest []json.RawMessage `json:"compositeRequest"`
					}
					_ = json.Unmarshal(body, &c)
					mu.Lock()
					sizes = append(sizes, len(c.CompositeRequest))
					mu.Unlock()
				}
				return ""
			})
			h.eng.SetOnline(true)
			if s := h.sync(t); s.Synced != tc.updates {
				t.Fatalf("summary %+v", s)
			}
			mu.Lock()
			defer mu.Unlock()
			slices.Sort(sizes) // requests of a wave go in parallel
			if len(sizes) != tc.composites {
				t.Errorf("%d updates went in %d Composite requests of %v subrequests, want %d", tc.updates, len(sizes), sizes, tc.composites)
			}
			for _, n := range sizes {
				if n > remote.MaxSubrequests {
					t.Errorf("a Composite request of %d subrequests", n)
				}
			}
		})
	}
}

// The schema's migration marks an older build's unrecorded send with what the engine writes for
// one: the engine reads the mark back, and a send clears it.
func TestTheMigrationsMarkIsTheEnginesOwn(t *testing.T) {
	if got := encodeSent(nil, time.Time{}, true); got != cache.UnrecordedSentMark {
		t.Fatalf("encodeSent of an unrecorded send is %q, the migration writes %q", got, cache.UnrecordedSentMark)
	}
	if gens, _, unrecorded, err := decodeSent(cache.UnrecordedSentMark); err != nil || !unrecorded || len(gens) != 0 {
		t.Fatalf("decodeSent of the mark: %v, %v, %v", gens, unrecorded, err)
	}
}
