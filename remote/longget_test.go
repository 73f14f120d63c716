package remote_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// wideFields are every field of Account a query can name, on an org whose Account has 600
// custom fields more: too many to name in the URL of a GET.
func wideFields(t *testing.T, env *mockEnv) []string {
	t.Helper()
	d, err := env.c.Describe(context.Background(), "Account")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range d.Fields {
		if f.Type != "address" && f.Type != "location" {
			out = append(out, f.Name)
		}
	}
	return out
}

func TestQueryTooLongForAGetGoesInsideComposite(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 1, Size: 8000, ExtraFields: map[string]int{"Account": 600}})
	ctx := context.Background()
	fields := wideFields(t, env)
	last := fields[len(fields)-1]
	soql := "SELECT " + strings.Join(fields, ", ") + " FROM Account ORDER BY Name, Id LIMIT 450"

	// The org refuses it as a GET, as a real org does.
	u := mockURL + "/services/data/v" + remote.MaxAPIVersion + "/query?" + url.Values{"q": {soql}}.Encode()
	if len(u) <= mockorg.MaxRequestHead {
		t.Fatalf("the query's URL is %d bytes: not over the org's limit", len(u))
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	resp, err := env.net.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestURITooLong {
		t.Fatalf("a plain GET of it: status %d, want 414", resp.StatusCode)
	}

	res, err := env.c.Query(ctx, soql, 200)
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	if len(res.Records) != 200 || res.Done {
		t.Fatalf("first page: %d records, done %v (the batch size header must go with the subrequest)", len(res.Records), res.Done)
	}
	if _, ok := res.Records[0].Fields[last]; !ok {
		t.Fatalf("a record lacks %s: %v", last, res.Records[0].Fields)
	}
	var ids []string
	for {
		for _, r := range res.Records {
			ids = append(ids, r.ID())
		}
		if res.Done {
			break
		}
		if res, err = env.c.QueryMore(ctx, res.NextRecordsURL); err != nil {
			t.Fatal(err)
		}
	}
	short, err := env.c.Query(ctx, "SELECT Id FROM Account ORDER BY Name, Id LIMIT 450", 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range short.Records {
		want = append(want, r.ID())
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("the long query's %d records differ from the short one's %d", len(ids), len(want))
	}

	// A refusal is the same typed error as a GET's.
	_, err = env.c.Query(ctx, "SELECT "+strings.Join(fields, ", ")+", No_Such_Field__c FROM Account", 0)
	wantCode(t, err, http.StatusBadRequest, "INVALID_FIELD")

	// A record asked for with all of them.
	rec, err := env.c.Retrieve(ctx, "Account", ids[0], fields)
	if err != nil {
		t.Fatalf("Retrieve: %v", err)
	}
	if rec.ID() != ids[0] {
		t.Fatalf("Retrieve gave %q", rec.ID())
	}
	if _, ok := rec.Fields[last]; !ok {
		t.Fatalf("the retrieved record lacks %s", last)
	}
	_, err = env.c.Retrieve(ctx, "Account", "001000000000000AAA", fields)
	wantCode(t, err, http.StatusNotFound, "NOT_FOUND")
}

// A read sent inside a Composite request is reported as the read, with the org's answer to it
// (not the Composite's 200), and the Composite that carried it.
func TestACarriedReadIsReportedAsTheRead(t *testing.T) {
	env := newMockEnv(t, mockorg.Options{Seed: 1, ExtraFields: map[string]int{"Account": 600}})
	var seen []remote.RequestInfo
	c := env.client(t, "alex@demo.example", func(cfg *remote.Config) {
		cfg.Observe = func(ri remote.RequestInfo) { seen = append(seen, ri) }
	})
	fields := wideFields(t, env)
	seen = nil
	_, err := c.Query(remote.WithTag(context.Background(), "e1"), "SELECT "+strings.Join(fields, ", ")+", No_Such_Field__c FROM Account", 0)
	wantCode(t, err, http.StatusBadRequest, "INVALID_FIELD")
	vp := "/services/data/v" + remote.MaxAPIVersion
	if len(seen) != 1 {
		t.Fatalf("%d requests reported: %+v", len(seen), seen)
	}
	ri := seen[0]
	if ri.Method != http.MethodGet || ri.Path != vp+"/query" || ri.Status != http.StatusBadRequest || ri.Code != "INVALID_FIELD" ||
		ri.Via != "POST "+vp+"/composite" || ri.Tag != "e1" {
		t.Fatalf("reported %+v", ri)
	}
	seen = nil
	if _, err := c.Query(context.Background(), "SELECT "+strings.Join(fields, ", ")+" FROM Account LIMIT 1", 0); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].Status != http.StatusOK || seen[0].Code != "" || seen[0].Method != http.MethodGet {
		t.Fatalf("reported %+v", seen)
	}
}
