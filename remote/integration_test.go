package remote_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
	"github.com/offline-edit/offline-edit/remote/netsim"
)

// mockEnv is the embedded org reached in-process through the network switch.
type mockEnv struct {
	org   *mockorg.Org
	net   *netsim.Network
	c     *remote.Client
	admin *remote.MockAdmin
}

const mockURL = "http://mockorg.invalid"

func newMockEnv(t testing.TB, opts mockorg.Options) *mockEnv {
	t.Helper()
	org, err := mockorg.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { org.Close() })
	env := &mockEnv{org: org, net: netsim.New(remote.InProcess(org.Handler()), 1)}
	env.c = env.client(t, "alex@demo.example", nil)
	adminTok, err := org.IssueToken("admin@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	env.admin = remote.NewMockAdmin(mockURL, adminTok, env.net)
	return env
}

func (e *mockEnv) client(t testing.TB, user string, tweak func(*remote.Config)) *remote.Client {
	t.Helper()
	tok, err := e.org.IssueToken(user)
	if err != nil {
		t.Fatal(err)
	}
	cfg := remote.Config{InstanceURL: mockURL, AccessToken: tok, Transport: e.net, Username: user}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := remote.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantCode(t *testing.T, err error, status int, code string) *remote.Error {
	t.Helper()
	e, ok := remote.AsError(err)
	if !ok {
		t.Fatalf("err = %v (%T), want *remote.Error %d %s", err, err, status, code)
	}
	if e.Status != status || (code != "" && !e.HasCode(code)) {
		t.Fatalf("err = %v, want %d %s", err, status, code)
	}
	return e
}

func TestMockOrgCRUD(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 1})
	ctx := context.Background()
	c := env.c
	if c.APIVersion() != remote.MaxAPIVersion {
		t.Errorf("APIVersion = %q", c.APIVersion())
	}
	id, err := c.Create(ctx, "Contact", remote.Fields{"LastName": "Okafor", "Email": "ada@example.com"}, remote.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := c.Retrieve(ctx, "Contact", id, []string{"Id", "LastName", "Email", "LastModifiedDate", "SystemModstamp"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Type != "Contact" || rec.ID() != id || rec.Fields["LastName"] != "Okafor" {
		t.Fatalf("retrieved %+v", rec)
	}
	if _, err := remote.ParseTime(rec.Fields["SystemModstamp"].(string)); err != nil {
		t.Errorf("SystemModstamp: %v", err)
	}
	if err := c.Update(ctx, "Contact", id, remote.Fields{"LastName": "Okafor-Ndiaye"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	rec, err = c.Retrieve(ctx, "Contact", id, []string{"LastName"})
	if err != nil || rec.Fields["LastName"] != "Okafor-Ndiaye" {
		t.Fatalf("after update %+v, %v", rec, err)
	}
	if err := c.Delete(ctx, "Contact", id); err != nil {
		t.Fatal(err)
	}
	wantCode(t, c.Delete(ctx, "Contact", id), 404, "ENTITY_IS_DELETED")
	wantCode(t, c.Update(ctx, "Contact", id, remote.Fields{"LastName": "x"}, remote.WriteOptions{}), 404, "ENTITY_IS_DELETED")
	_, err = c.Create(ctx, "Contact", remote.Fields{"FirstName": "NoLastName"}, remote.WriteOptions{})
	e := wantCode(t, err, 400, "REQUIRED_FIELD_MISSING")
	if len(e.Items[0].Fields) == 0 || e.Items[0].Fields[0] != "LastName" {
		t.Errorf("fields = %v", e.Items[0].Fields)
	}
	if c.LimitInfo() == "" {
		t.Error("no Sforce-Limit-Info remembered")
	}
}

func TestMockOrgQueryPaging(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 2, Size: 3000})
	ctx := context.Background()
	page, err := env.c.Query(ctx, "SELECT Id, Name, Account.Name FROM Contact ORDER BY Name", 200)
	if err != nil {
		t.Fatal(err)
	}
	total := page.TotalSize
	if total <= 200 || page.Done {
		t.Fatalf("first page: total %d done %v (need more than one page)", total, page.Done)
	}
	ids := map[string]bool{}
	pages := 0
	for {
		pages++
		for _, r := range page.Records {
			if r.Type != "Contact" || ids[r.ID()] {
				t.Fatalf("bad or repeated record %+v", r)
			}
			ids[r.ID()] = true
			if acc, ok := r.Fields["Account"].(map[string]any); ok {
				if _, has := acc["attributes"]; has {
					t.Fatal("nested Account kept attributes")
				}
			}
		}
		if page.Done {
			break
		}
		if page.NextRecordsURL[:len(v)] != v {
			t.Fatalf("next URL %q not under %s", page.NextRecordsURL, v)
		}
		if page, err = env.c.QueryMore(ctx, page.NextRecordsURL); err != nil {
			t.Fatal(err)
		}
	}
	if len(ids) != total || pages < 2 {
		t.Errorf("%d records in %d pages, totalSize %d", len(ids), pages, total)
	}
	_, err = env.c.Query(ctx, "SELECT Id FROM Contact WHERE", 0)
	wantCode(t, err, 400, "MALFORMED_QUERY")
}

func TestMockOrgCompositeWithReference(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 3})
	ctx := context.Background()
	res, err := env.c.Composite(ctx, false, []remote.Subrequest{
		{Method: "POST", URL: "/sobjects/Account/", ReferenceID: "acc", Body: remote.Fields{"Name": "Parent Co"}},
		{Method: "POST", URL: "/sobjects/Contact/", ReferenceID: "con", Body: remote.Fields{"LastName": "Child", "AccountId": "@{acc.id}"}},
		{Method: "POST", URL: "/sobjects/Contact/", ReferenceID: "bad", Body: remote.Fields{"FirstName": "No last name"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err() != nil || res[1].Err() != nil || res[0].StatusCode != 201 {
		t.Fatalf("subresponses %+v / %v / %v", res, res[0].Err(), res[1].Err())
	}
	if e, ok := remote.AsError(res[2].Err()); !ok || !e.HasCode("REQUIRED_FIELD_MISSING") {
		t.Errorf("third subresponse err = %v", res[2].Err())
	}
	var acc, con struct{ ID string }
	_ = json.Unmarshal(res[0].Body, &acc)
	_ = json.Unmarshal(res[1].Body, &con)
	rec, err := env.c.Retrieve(ctx, "Contact", con.ID, []string{"AccountId"})
	if err != nil || rec.Fields["AccountId"] != acc.ID {
		t.Fatalf("child AccountId = %v (%v), want %s", rec.Fields["AccountId"], err, acc.ID)
	}

	// allOrNone: one failure rolls the others back with PROCESSING_HALTED.
	res, err = env.c.Composite(ctx, true, []remote.Subrequest{
		{Method: "POST", URL: "/sobjects/Account/", ReferenceID: "a1", Body: remote.Fields{"Name": "Rolled back"}},
		{Method: "POST", URL: "/sobjects/Contact/", ReferenceID: "c1", Body: remote.Fields{"FirstName": "x"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := remote.AsError(res[0].Err()); !ok || !e.HasCode("PROCESSING_HALTED") {
		t.Errorf("allOrNone sibling err = %v", res[0].Err())
	}
}

func TestMockOrgConditionalUpdates(t *testing.T) {
	for _, profile := range []mockorg.Profile{mockorg.ProfileDemo, mockorg.ProfileReal} {
		t.Run(string(profile), func(t *testing.T) {
			env := newMockEnv(t, mockorg.Options{Seed: 4, Profile: profile})
			ctx := context.Background()
			accID, err := env.c.Create(ctx, "Account", remote.Fields{"Name": "Etag Inc"}, remote.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			acc, err := env.c.Retrieve(ctx, "Account", accID, nil)
			if err != nil || acc.ETag == "" {
				t.Fatalf("Account retrieve ETag %q, %v", acc.ETag, err)
			}
			if err := env.c.Update(ctx, "Account", accID, remote.Fields{"Phone": "1"}, remote.WriteOptions{IfMatch: acc.ETag}); err != nil {
				t.Fatalf("update with the current ETag: %v", err)
			}
			e := wantCode(t, env.c.Update(ctx, "Account", accID, remote.Fields{"Phone": "2"}, remote.WriteOptions{IfMatch: acc.ETag}), 412, "")
			if profile == mockorg.ProfileReal && len(e.Items) != 0 {
				t.Errorf("real profile 412 has items %v", e.Items)
			}

			conID, err := env.c.Create(ctx, "Contact", remote.Fields{"LastName": "Window"}, remote.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			con, err := env.c.Retrieve(ctx, "Contact", conID, []string{"LastModifiedDate"})
			if err != nil {
				t.Fatal(err)
			}
			lm, _ := remote.ParseTime(con.Fields["LastModifiedDate"].(string))
			if err := env.c.Update(ctx, "Contact", conID, remote.Fields{"Title": "a"}, remote.WriteOptions{IfUnmodifiedSince: lm.Add(time.Second)}); err != nil {
				t.Fatalf("unmodified since: %v", err)
			}
			wantCode(t, env.c.Update(ctx, "Contact", conID, remote.Fields{"Title": "b"}, remote.WriteOptions{IfUnmodifiedSince: lm.Add(-time.Hour)}), 412, "")
		})
	}
}

func TestMockOrgLostReplyUpsertIsExactlyOnce(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 5})
	ctx := context.Background()
	key := "7b0c8e2e-5b8a-4c61-9a57-3f1f1f3b9a11"
	fields := remote.Fields{"LastName": "Once"}
	env.net.SetConditions(netsim.Conditions{LossyRate: 1})
	_, _, err := env.c.Upsert(ctx, "Contact", "Offline_Key__c", key, fields, remote.WriteOptions{})
	if !errors.Is(err, netsim.ErrReplyLost) {
		t.Fatalf("err = %v, want ErrReplyLost", err)
	}
	env.net.SetConditions(netsim.Conditions{})
	id, created, err := env.c.Upsert(ctx, "Contact", "Offline_Key__c", key, fields, remote.WriteOptions{})
	if err != nil || created || id == "" {
		t.Fatalf("retry = %q created=%v, %v; want the record the lost call made", id, created, err)
	}
	res, err := env.c.Query(ctx, fmt.Sprintf("SELECT Id FROM Contact WHERE Offline_Key__c = '%s'", key), 0)
	if err != nil || res.TotalSize != 1 {
		t.Fatalf("records with the key: %d, %v", res.TotalSize, err)
	}
}

func TestMockOrgOfflineAndRecovery(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 6})
	ctx := context.Background()
	env.net.SetOnline(false)
	_, err := env.c.Query(ctx, "SELECT Id FROM Account", 0)
	if !errors.Is(err, remote.ErrOffline) {
		t.Fatalf("err = %v", err)
	}
	env.net.SetOnline(true)
	env.net.SetConditions(netsim.Conditions{DropRate: 1})
	if _, err := env.c.Query(ctx, "SELECT Id FROM Account", 0); !errors.Is(err, netsim.ErrDropped) {
		t.Fatalf("err = %v", err)
	}
	env.net.SetConditions(netsim.Conditions{ErrorRate: 1})
	_, err = env.c.Query(ctx, "SELECT Id FROM Account", 0)
	if e, ok := remote.AsError(err); !ok || (e.Status != 503 && !e.HasCode("UNABLE_TO_LOCK_ROW")) {
		t.Fatalf("err = %v", err)
	}
}

func TestMockOrgExpiredSessionIsRefreshed(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 7})
	ctx := context.Background()
	refreshes := 0
	c := env.client(t, "sam@demo.example", func(cfg *remote.Config) {
		cfg.Refresh = func(context.Context) (string, error) { refreshes++; return env.org.IssueToken("sam@demo.example") }
	})
	if err := env.admin.Expire(ctx, "sam@demo.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeGlobal(ctx); err != nil || refreshes != 1 {
		t.Fatalf("after expiry: %v, %d refreshes", err, refreshes)
	}
	plain := env.client(t, "sam@demo.example", nil)
	if err := env.admin.Expire(ctx, "sam@demo.example"); err != nil {
		t.Fatal(err)
	}
	_, err := plain.DescribeGlobal(ctx)
	wantCode(t, err, 401, "INVALID_SESSION_ID")
}

func TestMockOrgPasswordLogin(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 8})
	ctx := context.Background()
	tok, err := remote.PasswordLogin(ctx, env.net, mockURL, "alex@demo.example", mockorg.Password)
	if err != nil {
		t.Fatal(err)
	}
	c, err := remote.NewClient(ctx, remote.Config{InstanceURL: tok.InstanceURL, AccessToken: tok.AccessToken, Transport: env.net, IdentityURL: tok.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeGlobal(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Identity().UserID == "" {
		t.Errorf("no user id from %q", tok.ID)
	}
	_, err = remote.PasswordLogin(ctx, env.net, mockURL, "alex@demo.example", "nope")
	if e, ok := remote.AsError(err); !ok || e.Status != 400 || e.Code() == "" {
		t.Fatalf("bad password err = %v", err)
	}
}

func TestMockOrgAdminRulesAndDuplicates(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 9})
	ctx := context.Background()
	kinds, err := env.admin.RuleKinds(ctx)
	if err != nil || len(kinds) == 0 {
		t.Fatalf("RuleKinds = %v, %v", kinds, err)
	}
	ruleID, err := env.admin.AddRule(ctx, remote.Rule{Object: "Contact", Kind: "required", Field: "Title", Message: "Title is required"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.c.Create(ctx, "Contact", remote.Fields{"LastName": "NoTitle"}, remote.WriteOptions{})
	e := wantCode(t, err, 400, "FIELD_CUSTOM_VALIDATION_EXCEPTION")
	if e.Items[0].Message != "Title is required" {
		t.Errorf("message = %q", e.Items[0].Message)
	}
	rules, err := env.admin.Rules(ctx)
	found := false
	for _, r := range rules {
		found = found || r.ID == ruleID
	}
	if err != nil || !found {
		t.Fatalf("Rules = %+v, %v", rules, err)
	}
	if err := env.admin.RemoveRule(ctx, ruleID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.c.Create(ctx, "Contact", remote.Fields{"LastName": "NoTitle"}, remote.WriteOptions{}); err != nil {
		t.Fatalf("after RemoveRule: %v", err)
	}

	if _, err := env.admin.AddRule(ctx, remote.Rule{Object: "Lead", Kind: "duplicate", Field: "Email", Message: "Duplicate lead"}); err != nil {
		t.Fatal(err)
	}
	lead := remote.Fields{"LastName": "Dup", "Company": "Dup Co", "Email": "dup@example.com"}
	if _, err := env.c.Create(ctx, "Lead", lead, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = env.c.Create(ctx, "Lead", lead, remote.WriteOptions{})
	e = wantCode(t, err, 400, "DUPLICATES_DETECTED")
	if e.Duplicate == nil || !e.Duplicate.AllowSave {
		t.Errorf("Duplicate = %+v", e.Duplicate)
	}
	if _, err := env.c.Create(ctx, "Lead", lead, remote.WriteOptions{AllowDuplicates: true}); err != nil {
		t.Fatalf("save anyway: %v", err)
	}
	wantCode(t, env.admin.Share(ctx, "001000000000000AAA", "nobody@demo.example", "edit"), 400, "")
	_, err = remote.NewMockAdmin(mockURL, "not-a-token", env.net).RuleKinds(ctx)
	wantCode(t, err, 401, "")
}

func TestMockOrgSharingAndAccess(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 10})
	ctx := context.Background()
	sam := env.client(t, "sam@demo.example", nil)
	id, err := sam.Create(ctx, "Account", remote.Fields{"Name": "Sam's"}, remote.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.c.Retrieve(ctx, "Account", id, nil)
	wantCode(t, err, 404, "NOT_FOUND")
	if err := env.admin.Share(ctx, id, "alex@demo.example", "read"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.c.Retrieve(ctx, "Account", id, nil); err != nil {
		t.Fatalf("shared read: %v", err)
	}
	wantCode(t, env.c.Update(ctx, "Account", id, remote.Fields{"Name": "x"}, remote.WriteOptions{}), 400, "INSUFFICIENT_ACCESS_OR_READONLY")
}

func TestMockOrgUpdatedDeletedAndDescribe(t *testing.T) {
	var clock atomic.Int64
	t0 := time.Now().UTC().Truncate(time.Minute).Add(-10 * time.Minute)
	clock.Store(t0.UnixNano())
	env := newMockEnv(t, mockorg.Options{Seed: 11, Now: func() time.Time { return time.Unix(0, clock.Load()) }})
	ctx := context.Background()
	start := t0.Add(-time.Hour)
	clock.Store(t0.Add(30 * time.Second).UnixNano())
	id, err := env.c.Create(ctx, "Account", remote.Fields{"Name": "Soon gone"}, remote.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.c.Delete(ctx, "Account", id); err != nil {
		t.Fatal(err)
	}
	clock.Store(t0.Add(3 * time.Minute).UnixNano())
	end := t0.Add(2 * time.Minute)
	del, err := env.c.Deleted(ctx, "Account", start, end)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range del.DeletedRecords {
		found = found || (d.ID == id && !d.DeletedDate.IsZero())
	}
	if !found || del.EarliestDateAvailable.IsZero() {
		t.Errorf("Deleted = %+v", del)
	}
	if _, err := env.c.Updated(ctx, "Account", start, end); err != nil {
		t.Fatal(err)
	}
	objs, err := env.c.DescribeGlobal(ctx)
	if err != nil || len(objs) < 6 {
		t.Fatalf("DescribeGlobal = %d, %v", len(objs), err)
	}
	d, err := env.c.Describe(ctx, "Opportunity")
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := d.Field("StageName"); !ok || f.Type != "picklist" || len(f.PicklistValues) == 0 {
		t.Errorf("StageName = %+v", f)
	}
	if vs, err := env.c.Versions(ctx); err != nil || len(vs) == 0 {
		t.Errorf("Versions = %v, %v", vs, err)
	}
	_, err = env.c.Describe(ctx, "NoSuchObject")
	if e, ok := remote.AsError(err); !ok || e.Status != http.StatusNotFound {
		t.Errorf("unknown object err = %v", err)
	}
}

// BenchmarkUpdateThroughMockOrg is one PATCH through the client, InProcess and the mock org.
func BenchmarkUpdateThroughMockOrg(b *testing.B) {
	env := newMockEnv(b, mockorg.Options{Seed: 1, DailyLimit: 1 << 30})
	ctx := context.Background()
	id, err := env.c.Create(ctx, "Account", remote.Fields{"Name": "Bench"}, remote.WriteOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if err := env.c.Update(ctx, "Account", id, remote.Fields{"Phone": fmt.Sprint(i)}, remote.WriteOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMockOrgRequestLimitExceeded(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 12, DailyLimit: 5})
	ctx := context.Background()
	var err error
	for range 10 {
		if _, err = env.c.DescribeGlobal(ctx); err != nil {
			break
		}
	}
	wantCode(t, err, 403, "REQUEST_LIMIT_EXCEEDED")
	if env.c.LimitInfo() == "" {
		t.Error("no Sforce-Limit-Info")
	}
}

func TestMockOrgConcurrentCallsUnderBadNetwork(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 13, DailyLimit: 1 << 30})
	ctx := context.Background()
	var refreshes atomic.Int64
	c := env.client(t, "alex@demo.example", func(cfg *remote.Config) {
		cfg.Refresh = func(context.Context) (string, error) {
			refreshes.Add(1)
			return env.org.IssueToken("alex@demo.example")
		}
	})
	env.net.SetConditions(netsim.Conditions{DropRate: 0.15, LossyRate: 0.1, ErrorRate: 0.1})
	errs := make(chan error, 400)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3 {
			time.Sleep(5 * time.Millisecond)
			_ = env.admin.Expire(ctx, "alex@demo.example")
		}
	}()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				_, _, err := c.Upsert(ctx, "Contact", "Offline_Key__c", fmt.Sprintf("k-%d-%d", g, i), remote.Fields{"LastName": "C"}, remote.WriteOptions{})
				errs <- err
			}
		}()
	}
	wg.Wait()
	<-done
	close(errs)
	var ok, net, api int
	for err := range errs {
		switch e, isAPI := remote.AsError(err); {
		case err == nil:
			ok++
		case errors.Is(err, netsim.ErrDropped) || errors.Is(err, netsim.ErrReplyLost):
			net++
		case isAPI && (e.Status == 503 || e.HasCode("UNABLE_TO_LOCK_ROW") || e.Status == 401):
			api++
		default:
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok == 0 || net == 0 || api == 0 {
		t.Errorf("ok=%d network=%d api=%d; want some of each", ok, net, api)
	}
}

func TestUnencodableBodiesAreRefused(t *testing.T) {
	r := newReplay(t)
	c := r.client(t, nil)
	ctx := context.Background()
	if err := c.Update(ctx, "Account", "001D000000IqhSLIAZ", remote.Fields{"x": make(chan int)}, remote.WriteOptions{}); err == nil {
		t.Error("a channel value was sent")
	}
	if _, err := c.Composite(ctx, false, []remote.Subrequest{{Method: "POST", URL: "/sobjects/Account/", ReferenceID: "a", Body: func() {}}}); err == nil {
		t.Error("a func body was sent")
	}
}

func TestDescribeIfModifiedAnswersOnlyWhenTheMetadataChanged(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)
	clk := func() time.Time { return now }
	e := newMockEnv(t, mockorg.Options{Seed: 1, Now: clk})
	ctx := context.Background()
	check := func(name string, since time.Time, wantModified bool) *remote.Describe {
		t.Helper()
		d, modified, err := e.c.DescribeIfModified(ctx, "Account", since)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if modified != wantModified || (d != nil) != wantModified {
			t.Fatalf("%s: modified %v, describe %v; want modified %v", name, modified, d != nil, wantModified)
		}
		return d
	}
	check("unconditional", time.Time{}, true)
	check("since just now", now, false)
	check("since a year ago: metadata older still", now.Add(-365*24*time.Hour), false)
	d := check("since before the org's metadata", now.Add(-500*24*time.Hour), true)
	if _, ok := d.Field("Offline_Key__c"); !ok {
		t.Fatal("the demo profile's Account describe lacks Offline_Key__c")
	}
	now = now.Add(time.Hour)
	e.org.SetProfile(mockorg.ProfileReal)
	d = check("since before the profile switch", now.Add(-time.Second), true)
	if _, ok := d.Field("Offline_Key__c"); ok {
		t.Fatal("the real profile's Account describe has Offline_Key__c")
	}
	check("since the switch, same second", now, false)
	e.org.SetProfile(mockorg.ProfileReal) // no switch: nothing changed
	now = now.Add(time.Minute)
	check("after setting the same profile again", now.Add(-30*time.Second), false)
}

// The API version a client looks up before its first request is its own request, not part of
// the changes that request was tagged with: the log keeps it out of their records' stories.
func TestTheVersionLookupIsNotTaggedWithTheRequestThatNeededIt(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 1, Size: 20})
	var infos []remote.RequestInfo
	env.net.SetOnline(false) // the app started offline: the client could not look it up then
	c := env.client(t, "alex@demo.example", func(cfg *remote.Config) {
		cfg.Observe = func(i remote.RequestInfo) {
			if i.Err == nil {
				infos = append(infos, i)
			}
		}
	})
	env.net.SetOnline(true)
	ctx := remote.WithTag(context.Background(), "entry-7")
	_, _ = c.Query(ctx, "SELECT Id FROM Account LIMIT 1", 0)
	if len(infos) != 2 || infos[0].Path != "/services/data/" || infos[0].Tag != "" || infos[1].Tag != "entry-7" {
		t.Fatalf("requests: %+v", infos)
	}
}
