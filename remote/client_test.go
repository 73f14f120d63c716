package remote_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/netsim"
)

const v = "/services/data/v62.0"

func TestNewClientDiscoversNewestSupportedVersion(t *testing.T) {
	r := newReplay(t)
	c := r.client(t, nil)
	if got := c.APIVersion(); got != "62.0" {
		t.Fatalf("APIVersion = %q, want 62.0 (63.0 is above MaxAPIVersion)", got)
	}
}

func TestNewClientUsesGivenVersionWithoutDiscovery(t *testing.T) {
	for _, in := range []string{"59.0", "v59.0", "59"} {
		r := newReplay(t)
		c := r.client(t, func(c *remote.Config) { c.APIVersion = in })
		if c.APIVersion() != "59.0" {
			t.Errorf("APIVersion(%q) = %q, want 59.0", in, c.APIVersion())
		}
		if n := len(r.requests()); n != 0 {
			t.Errorf("given version %q still made %d requests", in, n)
		}
	}
}

func TestNewClientFailsWhenOrgOffersNoSupportedVersion(t *testing.T) {
	r := newReplay(t)
	r.on("GET /services/data/", route{status: 200, body: `[{"label":"x","url":"/services/data/v63.0","version":"63.0"},{"version":"junk"}]`})
	_, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: r.srv.URL, AccessToken: testToken})
	if err == nil || !strings.Contains(err.Error(), "no API version") {
		t.Fatalf("err = %v, want a no-supported-version error", err)
	}
}

func TestNewClientRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  remote.Config
		want string
	}{
		{"no instance URL", remote.Config{AccessToken: "t"}, "instance URL is required"},
		{"not http", remote.Config{InstanceURL: "ftp://x", AccessToken: "t"}, "https://"},
		{"no host", remote.Config{InstanceURL: "https://", AccessToken: "t"}, "no host"},
		{"credentials in URL", remote.Config{InstanceURL: "https://u:p@x.example", AccessToken: "t"}, "credentials"},
		{"no token and no refresh", remote.Config{InstanceURL: "https://x.example"}, "access token"},
		{"bad version", remote.Config{InstanceURL: "https://x.example", AccessToken: "t", APIVersion: "62.5"}, "not of the form"},
		{"garbage version", remote.Config{InstanceURL: "https://x.example", AccessToken: "t", APIVersion: "latest"}, "not of the form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := remote.NewClient(context.Background(), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestNewClientDefersDiscoveryWhileOffline(t *testing.T) {
	r := newReplay(t)
	r.on("GET "+v+"/sobjects/Account/describe/", route{status: 200, body: `{"name":"Account","fields":[]}`})
	net := netsim.New(http.DefaultTransport, 1)
	net.SetOnline(false)
	c := r.client(t, func(c *remote.Config) { c.Transport = net })
	if c.APIVersion() != "" {
		t.Fatalf("APIVersion = %q before discovery", c.APIVersion())
	}
	if _, err := c.Describe(context.Background(), "Account"); !errors.Is(err, remote.ErrOffline) {
		t.Fatalf("offline Describe err = %v, want ErrOffline", err)
	}
	net.SetOnline(true)
	d, err := c.Describe(context.Background(), "Account")
	if err != nil || d.Name != "Account" || c.APIVersion() != "62.0" {
		t.Fatalf("online Describe = %v, %v, version %q", d, err, c.APIVersion())
	}
}

func TestQueryFollowsNextRecordsURL(t *testing.T) {
	r := newReplay(t)
	r.on("GET "+v+"/query", route{status: 200, file: "query_page1.json"})
	r.on("GET "+v+"/query/01gRO0000016PIAYA2-2", route{status: 200, file: "query_page2.json"})
	c := r.client(t, nil)
	ctx := context.Background()
	soql := "SELECT Id, Name, Owner.Name FROM Account WHERE Name LIKE 'Gene%' AND Type = 'A+B'"
	page, err := c.Query(ctx, soql, 200)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := r.last("GET", v+"/query")
	q, _ := url.ParseQuery(req.rawQuery)
	if q.Get("q") != soql {
		t.Errorf("q = %q, want %q", q.Get("q"), soql)
	}
	if got := req.header.Get("Sforce-Query-Options"); got != "batchSize=200" {
		t.Errorf("Sforce-Query-Options = %q", got)
	}
	if got := req.header.Get("Authorization"); got != "Bearer "+testToken {
		t.Errorf("Authorization = %q", got)
	}
	if page.Done || page.TotalSize != 3 || len(page.Records) != 2 || page.NextRecordsURL != v+"/query/01gRO0000016PIAYA2-2" {
		t.Fatalf("page 1 = %+v", page)
	}
	rec := page.Records[0]
	if rec.Type != "Account" || rec.ID() != "001D000000IqhSLIAZ" || rec.Fields["Name"] != "GenePoint" {
		t.Errorf("record = %+v", rec)
	}
	if _, ok := rec.Fields["attributes"]; ok {
		t.Error("attributes kept in the record")
	}
	owner, _ := rec.Fields["Owner"].(map[string]any)
	if _, ok := owner["attributes"]; ok || owner["Name"] != "Alex Rep" {
		t.Errorf("nested Owner = %v, want Name without attributes", owner)
	}
	page2, err := c.QueryMore(ctx, page.NextRecordsURL)
	if err != nil {
		t.Fatal(err)
	}
	if !page2.Done || page2.NextRecordsURL != "" || len(page2.Records) != 1 || page2.Records[0].Fields["Owner"] != nil {
		t.Fatalf("page 2 = %+v", page2)
	}
}

func TestQueryAllUsesQueryAllResource(t *testing.T) {
	r := newReplay(t)
	r.on("GET "+v+"/queryAll", route{status: 200, body: `{"totalSize":0,"done":true,"records":[]}`})
	c := r.client(t, nil)
	res, err := c.QueryAll(context.Background(), "SELECT Id FROM Account WHERE IsDeleted = true", 0)
	if err != nil || !res.Done || len(res.Records) != 0 {
		t.Fatalf("QueryAll = %+v, %v", res, err)
	}
	req, _ := r.last("GET", v+"/queryAll")
	if req.header.Get("Sforce-Query-Options") != "" {
		t.Error("batch size 0 still sent Sforce-Query-Options")
	}
}

func TestQueryMoreRefusesURLsOutsideTheInstance(t *testing.T) {
	r := newReplay(t)
	c := r.client(t, nil)
	for _, u := range []string{"https://evil.example/services/data/v62.0/query/x", "//evil.example/services/data/q",
		"/services/data/v62.0/query/../../../x", "/other/path", "", "/services/data/v62.0/query/x?steal=1"} {
		if _, err := c.QueryMore(context.Background(), u); err == nil {
			t.Errorf("QueryMore(%q) succeeded", u)
		}
	}
	for _, s := range r.requests() {
		if s.path != "/services/data/" {
			t.Errorf("a refused URL still sent %s %s", s.method, s.path)
		}
	}
}

func TestRetrieveDecodesRecordAndETag(t *testing.T) {
	r := newReplay(t)
	const etag = `"U5iWijwWbQD18jeiXwsqxeGpZQk=-gzip"`
	r.on("GET "+v+"/sobjects/Account/001D000000IqhSLIAZ", route{status: 200, file: "record_account.json", header: map[string]string{"ETag": etag}})
	c := r.client(t, nil)
	rec, err := c.Retrieve(context.Background(), "Account", "001D000000IqhSLIAZ", []string{"Name", "LastModifiedDate"})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := r.last("GET", v+"/sobjects/Account/001D000000IqhSLIAZ")
	if q, _ := url.ParseQuery(req.rawQuery); q.Get("fields") != "Name,LastModifiedDate" {
		t.Errorf("fields = %q", q.Get("fields"))
	}
	if rec.ETag != etag || rec.Type != "Account" || rec.Fields["NumberOfEmployees"] != 265.0 || rec.Fields["IsDeleted"] != false {
		t.Errorf("record = %+v", rec)
	}
	lm, err := remote.ParseTime(rec.Fields["LastModifiedDate"].(string))
	if err != nil || !lm.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("LastModifiedDate = %v, %v", lm, err)
	}
	contacts := rec.Fields["Contacts"].(map[string]any)["records"].([]any)
	if _, ok := contacts[0].(map[string]any)["attributes"]; ok {
		t.Error("subquery record kept attributes")
	}
}

func TestCallsRefuseBadNamesAndIDsBeforeSending(t *testing.T) {
	r := newReplay(t)
	c := r.client(t, nil)
	ctx := context.Background()
	calls := map[string]func() error{
		"local id":        func() error { _, err := c.Retrieve(ctx, "Account", "local-1234", nil); return err },
		"slash in object": func() error { _, err := c.Describe(ctx, "Account/../x"); return err },
		"bad field": func() error {
			_, err := c.Retrieve(ctx, "Account", "001D000000IqhSLIAZ", []string{"Name,Id"})
			return err
		},
		"empty object": func() error { return c.Update(ctx, "", "001D000000IqhSLIAZ", nil, remote.WriteOptions{}) },
		"empty ext value": func() error {
			_, _, err := c.Upsert(ctx, "Contact", "Offline_Key__c", "", nil, remote.WriteOptions{})
			return err
		},
		"delete bad id":  func() error { return c.Delete(ctx, "Account", "001D000000IqhSLIA!") },
		"empty soql":     func() error { _, err := c.Query(ctx, "  ", 0); return err },
		"negative batch": func() error { _, err := c.Query(ctx, "SELECT Id FROM Account", -1); return err },
		"window reversed": func() error {
			_, err := c.Updated(ctx, "Account", time.Now(), time.Now().Add(-time.Hour))
			return err
		},
	}
	for name, call := range calls {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n := len(r.requests()); n != 1 { // only version discovery
		t.Errorf("%d requests left the client, want 1", n)
	}
}

func TestWritesSendOptionHeaders(t *testing.T) {
	r := newReplay(t)
	r.on("POST "+v+"/sobjects/Contact/", route{status: 201, file: "create_201.json"})
	r.on("PATCH "+v+"/sobjects/Account/001D000000IqhSLIAZ", route{status: 204})
	c := r.client(t, nil)
	ctx := context.Background()
	when := time.Date(2024, 1, 2, 3, 4, 5, 999e6, time.FixedZone("CET", 3600))
	id, err := c.Create(ctx, "Contact", remote.Fields{"LastName": "Frank", "AccountId": nil}, remote.WriteOptions{AllowDuplicates: true})
	if err != nil || id != "001D000000IqhSLIAZ" {
		t.Fatalf("Create = %q, %v", id, err)
	}
	req, _ := r.last("POST", v+"/sobjects/Contact/")
	var body map[string]any
	if err := json.Unmarshal([]byte(req.body), &body); err != nil || body["LastName"] != "Frank" || body["AccountId"] != nil {
		t.Errorf("create body = %s (%v)", req.body, err)
	}
	if req.header.Get("Content-Type") != "application/json" || req.header.Get("Sforce-Duplicate-Rule-Header") != "allowSave=true" {
		t.Errorf("create headers = %v", req.header)
	}
	err = c.Update(ctx, "Account", "001D000000IqhSLIAZ", remote.Fields{"Name": "X"},
		remote.WriteOptions{IfMatch: `"abc"`, IfUnmodifiedSince: when})
	if err != nil {
		t.Fatal(err)
	}
	req, _ = r.last("PATCH", v+"/sobjects/Account/001D000000IqhSLIAZ")
	if got := req.header.Get("If-Unmodified-Since"); got != "Tue, 02 Jan 2024 02:04:05 GMT" {
		t.Errorf("If-Unmodified-Since = %q", got)
	}
	if req.header.Get("If-Match") != `"abc"` || req.header.Get("Sforce-Duplicate-Rule-Header") != "" {
		t.Errorf("update headers = %v", req.header)
	}
}

func TestUpsertReportsCreatedOrUpdated(t *testing.T) {
	r := newReplay(t)
	key := "PATCH " + v + "/sobjects/Contact/Offline_Key__c/0f8e-uuid%20x"
	r.on(strings.ReplaceAll(key, "%20", " "),
		route{status: 201, file: "upsert_created_201.json"},
		route{status: 200, file: "upsert_updated_200.json"},
		route{status: 204})
	r.on("GET "+v+"/sobjects/Contact/Offline_Key__c/0f8e-uuid x", route{status: 200, body: `{"attributes":{"type":"Contact"},"Id":"003D000000QV9n2IAD"}`})
	c := r.client(t, nil)
	ctx := context.Background()
	for i, want := range []bool{true, false, false} {
		id, created, err := c.Upsert(ctx, "Contact", "Offline_Key__c", "0f8e-uuid x", remote.Fields{"LastName": "Y"}, remote.WriteOptions{})
		if err != nil || id != "003D000000QV9n2IAD" || created != want {
			t.Errorf("upsert %d = %q, %v, %v; want created=%v", i, id, created, err, want)
		}
	}
}

func TestUpsertMatchingSeveralRecordsIsMultipleChoicesNamingThem(t *testing.T) {
	tests := []struct {
		name, body string
		wantIDs    []string
	}{
		{"record URLs", "", []string{"003D000000QV9n2IAD", "003D000000QV9n3IAD"}},
		{"record objects", `[{"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/003D000000QV9n2IAD"}},{"Id":"003D000000QV9n3IAD"}]`,
			[]string{"003D000000QV9n2IAD", "003D000000QV9n3IAD"}},
		{"not JSON", "<html>300</html>", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReplay(t)
			reply := route{status: 300, file: "upsert_multiple_300.json"}
			if tt.body != "" {
				reply = route{status: 300, body: tt.body}
			}
			r.on("PATCH "+v+"/sobjects/Contact/Offline_Key__c/k-1", reply)
			c := r.client(t, nil)
			_, _, err := c.Upsert(context.Background(), "Contact", "Offline_Key__c", "k-1", remote.Fields{"LastName": "Y"}, remote.WriteOptions{})
			e, ok := remote.AsError(err)
			if !ok || e.Status != 300 || e.Code() != remote.CodeMultipleChoices {
				t.Fatalf("err = %v, want a 300 %s *remote.Error", err, remote.CodeMultipleChoices)
			}
			for _, id := range tt.wantIDs {
				if !strings.Contains(e.Items[0].Message, id) {
					t.Errorf("message %q does not name %s", e.Items[0].Message, id)
				}
			}
			if tt.wantIDs == nil && e.Raw == "" {
				t.Errorf("an unreadable 300 body is not kept in Raw: %+v", e)
			}
		})
	}
}

func TestDeleteSucceedsOn204(t *testing.T) {
	r := newReplay(t)
	r.on("DELETE "+v+"/sobjects/Account/001D000000IqhSLIAZ", route{status: 204}, route{status: 404, file: "entity_deleted_404.json"})
	c := r.client(t, nil)
	if err := c.Delete(context.Background(), "Account", "001D000000IqhSLIAZ"); err != nil {
		t.Fatal(err)
	}
	err := c.Delete(context.Background(), "Account", "001D000000IqhSLIAZ")
	if e, ok := remote.AsError(err); !ok || e.Status != 404 || e.Code() != "ENTITY_IS_DELETED" {
		t.Fatalf("second delete err = %v", err)
	}
}

func TestErrorRepliesBecomeTypedErrors(t *testing.T) {
	future := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name      string
		reply     route
		status    int
		codes     []string
		fields    []string
		retryMin  time.Duration
		retryMax  time.Duration
		raw       string
		duplicate bool
	}{
		{name: "required field", reply: route{status: 400, file: "error_required_400.json"}, status: 400, codes: []string{"REQUIRED_FIELD_MISSING"}, fields: []string{"LastName"}},
		{name: "several errors", reply: route{status: 400, file: "error_multiple_400.json"}, status: 400,
			codes: []string{"FIELD_CUSTOM_VALIDATION_EXCEPTION", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"}, fields: []string{"Amount"}},
		{name: "deleted record", reply: route{status: 404, file: "entity_deleted_404.json"}, status: 404, codes: []string{"ENTITY_IS_DELETED"}},
		{name: "expired session", reply: route{status: 401, file: "invalid_session_401.json"}, status: 401, codes: []string{"INVALID_SESSION_ID"}},
		{name: "request limit", reply: route{status: 403, file: "request_limit_403.json"}, status: 403, codes: []string{"REQUEST_LIMIT_EXCEEDED"}},
		{name: "empty 412", reply: route{status: 412}, status: 412},
		{name: "412 with an error array", reply: route{status: 412, body: `[{"errorCode":"PRECONDITION_FAILED","message":"modified"}]`}, status: 412, codes: []string{"PRECONDITION_FAILED"}},
		{name: "duplicate rule", reply: route{status: 400, file: "duplicates_detected_400.json"}, status: 400, codes: []string{"DUPLICATES_DETECTED"}, duplicate: true},
		{name: "503 with Retry-After seconds", reply: route{status: 503, body: "", header: map[string]string{"Retry-After": "7"}}, status: 503, retryMin: 7 * time.Second, retryMax: 7 * time.Second},
		{name: "429 with Retry-After date", reply: route{status: 429, body: "[]", header: map[string]string{"Retry-After": future}}, status: 429, retryMin: 80 * time.Second, retryMax: 91 * time.Second},
		{name: "500 with an HTML page", reply: route{status: 500, body: "<html><body>Maintenance</body></html>"}, status: 500, raw: "<html><body>Maintenance</body></html>"},
		{name: "300 multiple matches", reply: route{status: 300, body: `["/services/data/v62.0/sobjects/Contact/003D000000QV9n2IAD","/services/data/v62.0/sobjects/Contact/003D000000QV9n3IAD"]`}, status: 300, codes: []string{"MULTIPLE_CHOICES"}},
		{name: "300 with an empty body", reply: route{status: 300}, status: 300, codes: []string{"MULTIPLE_CHOICES"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReplay(t)
			r.on("PATCH "+v+"/sobjects/Contact/003D000000QV9n2IAD", tt.reply)
			c := r.client(t, nil)
			err := c.Update(context.Background(), "Contact", "003D000000QV9n2IAD", remote.Fields{"LastName": "Z"}, remote.WriteOptions{})
			e, ok := remote.AsError(err)
			if !ok {
				t.Fatalf("err = %v (%T), want *remote.Error", err, err)
			}
			if e.Status != tt.status {
				t.Errorf("Status = %d, want %d", e.Status, tt.status)
			}
			var codes []string
			for _, it := range e.Items {
				codes = append(codes, it.Code)
			}
			if strings.Join(codes, ",") != strings.Join(tt.codes, ",") {
				t.Errorf("codes = %v, want %v", codes, tt.codes)
			}
			if tt.fields != nil && strings.Join(e.Items[0].Fields, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields = %v, want %v", e.Items[0].Fields, tt.fields)
			}
			if e.RetryAfter < tt.retryMin || e.RetryAfter > tt.retryMax {
				t.Errorf("RetryAfter = %v, want in [%v, %v]", e.RetryAfter, tt.retryMin, tt.retryMax)
			}
			if tt.raw != "" && e.Raw != tt.raw {
				t.Errorf("Raw = %q", e.Raw)
			}
			if tt.duplicate {
				if e.Duplicate == nil || !e.Duplicate.AllowSave || e.Duplicate.DuplicateRule != "Standard_Contact_Duplicate_Rule" ||
					len(e.Duplicate.MatchIDs) != 1 || e.Duplicate.MatchIDs[0] != "003D000000QV9n2IAD" {
					t.Errorf("Duplicate = %+v", e.Duplicate)
				}
			}
			if e.Error() == "" || !strings.Contains(e.Error(), http.StatusText(tt.status)) {
				t.Errorf("Error() = %q", e.Error())
			}
		})
	}
}

func TestDuplicateRuleDetailIsReadUnderEitherSpelling(t *testing.T) {
	for _, key := range []string{"duplicateResut", "duplicateResult"} {
		t.Run(key, func(t *testing.T) {
			body := `[{"` + key + `":{"allowSave":true,"duplicateRule":"Rule","errorMessage":"dup","matchResults":[{"matchRecords":[{"record":{"Id":"003D000000QV9n2IAD"}}]}]},` +
				`"errorCode":"DUPLICATES_DETECTED","message":"You're creating a duplicate record."}]`
			e := remote.ParseErrorBody(400, []byte(body))
			if e.Code() != "DUPLICATES_DETECTED" {
				t.Fatalf("Code = %q", e.Code())
			}
			if e.Duplicate == nil || !e.Duplicate.AllowSave || e.Duplicate.DuplicateRule != "Rule" ||
				len(e.Duplicate.MatchIDs) != 1 || e.Duplicate.MatchIDs[0] != "003D000000QV9n2IAD" {
				t.Fatalf("Duplicate = %+v, want allowSave from %q", e.Duplicate, key)
			}
		})
	}
}

func TestMalformedSuccessRepliesAreClearErrors(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		reply route
		call  func(*remote.Client) error
	}{
		{"HTML instead of a query page", "GET " + v + "/query", route{status: 200, body: "<html>captive portal</html>"},
			func(c *remote.Client) error {
				_, err := c.Query(context.Background(), "SELECT Id FROM Account", 0)
				return err
			}},
		{"truncated query page", "GET " + v + "/query", route{status: 200, body: `{"totalSize":3,"done":true,"records":[{"attributes":{"type":"Acc`},
			func(c *remote.Client) error {
				_, err := c.Query(context.Background(), "SELECT Id FROM Account", 0)
				return err
			}},
		{"records not an array", "GET " + v + "/query", route{status: 200, body: `{"totalSize":1,"done":true,"records":{"Id":"x"}}`},
			func(c *remote.Client) error {
				_, err := c.Query(context.Background(), "SELECT Id FROM Account", 0)
				return err
			}},
		{"page not done without next URL", "GET " + v + "/query", route{status: 200, body: `{"totalSize":5,"done":false,"records":[]}`},
			func(c *remote.Client) error {
				_, err := c.Query(context.Background(), "SELECT Id FROM Account", 0)
				return err
			}},
		{"record Id a number", "GET " + v + "/query", route{status: 200, body: `{"totalSize":1,"done":true,"records":[{"Id":5}]}`},
			func(c *remote.Client) error {
				_, err := c.Query(context.Background(), "SELECT Id FROM Account", 0)
				return err
			}},
		{"create without id", "POST " + v + "/sobjects/Account/", route{status: 201, body: `{"success":true}`},
			func(c *remote.Client) error {
				_, err := c.Create(context.Background(), "Account", remote.Fields{"Name": "x"}, remote.WriteOptions{})
				return err
			}},
		{"empty record", "GET " + v + "/sobjects/Account/001D000000IqhSLIAZ", route{status: 200, body: ""},
			func(c *remote.Client) error {
				_, err := c.Retrieve(context.Background(), "Account", "001D000000IqhSLIAZ", nil)
				return err
			}},
		{"describe wrong shape", "GET " + v + "/sobjects/Account/describe/", route{status: 200, body: `[1,2]`},
			func(c *remote.Client) error { _, err := c.Describe(context.Background(), "Account"); return err }},
		{"composite without compositeResponse", "POST " + v + "/composite", route{status: 200, body: `{}`},
			func(c *remote.Client) error {
				_, err := c.Composite(context.Background(), false, []remote.Subrequest{{Method: "GET", URL: "/limits", ReferenceID: "a"}})
				return err
			}},
		{"deleted with a bad date", "GET " + v + "/sobjects/Account/deleted/", route{status: 200, body: `{"deletedRecords":[{"id":"x","deletedDate":"yesterday"}]}`},
			func(c *remote.Client) error {
				_, err := c.Deleted(context.Background(), "Account", time.Now().Add(-time.Hour), time.Now())
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReplay(t)
			r.on(tt.key, tt.reply)
			err := tt.call(r.client(t, nil))
			if !errors.Is(err, remote.ErrMalformedReply) {
				t.Fatalf("err = %v, want ErrMalformedReply", err)
			}
		})
	}
}

func TestCreateWithSuccessFalseIsAnError(t *testing.T) {
	r := newReplay(t)
	r.on("POST "+v+"/sobjects/Account/", route{status: 201, body: `{"success":false,"errors":[{"statusCode":"DUPLICATE_VALUE","message":"duplicate value found"}]}`})
	_, err := r.client(t, nil).Create(context.Background(), "Account", remote.Fields{"Name": "x"}, remote.WriteOptions{})
	if e, ok := remote.AsError(err); !ok || e.Code() != "DUPLICATE_VALUE" {
		t.Fatalf("err = %v", err)
	}
}

func TestReplyBodyIsCapped(t *testing.T) {
	r := newReplay(t)
	r.on("GET "+v+"/query", route{status: 200, body: `{"totalSize":0,"done":true,"records":[]}` + strings.Repeat(" ", 4096)})
	c := r.client(t, func(c *remote.Config) { c.MaxReplyBytes = 1024 })
	if _, err := c.Query(context.Background(), "SELECT Id FROM Account", 0); !errors.Is(err, remote.ErrReplyTooLarge) {
		t.Fatalf("err = %v, want ErrReplyTooLarge", err)
	}
}

func TestRefreshOnInvalidSessionRetriesOnce(t *testing.T) {
	r := newReplay(t)
	r.on("GET "+v+"/sobjects/Account/describe/",
		route{status: 401, file: "invalid_session_401.json"},
		route{status: 200, body: `{"name":"Account"}`},
		route{status: 401, file: "invalid_session_401.json"})
	calls := 0
	c := r.client(t, func(c *remote.Config) {
		c.Refresh = func(context.Context) (string, error) { calls++; return "fresh-token-" + string(rune('0'+calls)), nil }
	})
	if _, err := c.Describe(context.Background(), "Account"); err != nil {
		t.Fatalf("Describe after refresh: %v", err)
	}
	req, _ := r.last("GET", v+"/sobjects/Account/describe/")
	if req.header.Get("Authorization") != "Bearer fresh-token-1" || calls != 1 {
		t.Fatalf("retry sent %q after %d refreshes", req.header.Get("Authorization"), calls)
	}
	// The new token is refused as well: one refresh, one retry, then the 401 comes back.
	_, err := c.Describe(context.Background(), "Account")
	if e, ok := remote.AsError(err); !ok || e.Code() != "INVALID_SESSION_ID" || calls != 2 {
		t.Fatalf("err = %v after %d refreshes, want INVALID_SESSION_ID after 2", err, calls)
	}
	n := 0
	for _, s := range r.requests() {
		if s.path == v+"/sobjects/Account/describe/" {
			n++
		}
	}
	if n != 4 {
		t.Errorf("%d describe requests, want 4 (each call retried once)", n)
	}
}

func TestRefreshFailureKeepsTheAuthError(t *testing.T) {
	r := newReplay(t)
	r.on("GET "+v+"/sobjects/Account/describe/", route{status: 401, file: "invalid_session_401.json"})
	c := r.client(t, func(c *remote.Config) {
		c.Refresh = func(context.Context) (string, error) { return "", errors.New("invalid_grant: " + testToken) }
	})
	_, err := c.Describe(context.Background(), "Account")
	if e, ok := remote.AsError(err); !ok || e.Status != 401 {
		t.Fatalf("err = %v, want the 401 *Error", err)
	}
	if !strings.Contains(err.Error(), "refreshing the session failed") {
		t.Errorf("err = %v", err)
	}
	mustNotContainToken(t, "refresh error", err.Error())
	if cause, ok := remote.SignInFailure(err); !ok || !strings.Contains(cause, "invalid_grant") {
		t.Errorf("SignInFailure = %q, %v", cause, ok)
	}
}

// A session opened without the network whose first sign-in fails says so, and no more: no
// request reached the org, so no 401 or INVALID_SESSION_ID is told (one was made up).
func TestAFirstSignInThatFailsSaysOnlyThat(t *testing.T) {
	r := newReplay(t)
	c := r.client(t, func(c *remote.Config) {
		c.AccessToken, c.APIVersion = "", "62.0"
		c.Refresh = func(context.Context) (string, error) {
			return "", errors.New("sign-in refused (HTTP 400): invalid_grant")
		}
	})
	_, err := c.Describe(context.Background(), "Account")
	if err == nil || strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "INVALID_SESSION_ID") {
		t.Fatalf("err = %v, want the sign-in's failure alone", err)
	}
	if !strings.Contains(err.Error(), "signing in failed: sign-in refused (HTTP 400): invalid_grant") {
		t.Fatalf("err = %v", err)
	}
	if cause, ok := remote.SignInFailure(err); !ok || cause != "sign-in refused (HTTP 400): invalid_grant" {
		t.Fatalf("SignInFailure = %q, %v", cause, ok)
	}
}

// A refresh that timed out is not waited out again by every request of the same run: they fail
// at once with its failure (a quick refusal is tried again each time).
func TestARefreshThatTimedOutIsNotRetriedByEveryRequest(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		calls int
	}{
		{"timed out", fmt.Errorf("token request: %w", context.DeadlineExceeded), 1},
		{"refused", errors.New("invalid_grant"), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReplay(t)
			r.on("GET "+v+"/sobjects/Account/describe/", route{status: 401, file: "invalid_session_401.json"})
			calls := 0
			c := r.client(t, func(c *remote.Config) {
				c.Refresh = func(context.Context) (string, error) { calls++; return "", tc.err }
			})
			for range 3 {
				if _, err := c.Describe(context.Background(), "Account"); err == nil {
					t.Fatal("a describe whose refresh failed succeeded")
				}
			}
			if calls != tc.calls {
				t.Fatalf("%d refreshes for three requests, want %d", calls, tc.calls)
			}
		})
	}
}

// The caller's own deadline ending a refresh says nothing of the org: the next request, with
// time to spare, signs in again. A refresh that failed on the network leaves the request unsent.
func TestARefreshCutShortByTheCallerIsTriedAgain(t *testing.T) {
	r := newReplay(t)
	r.on("GET "+v+"/sobjects/Account/describe/",
		route{status: 401, file: "invalid_session_401.json"},
		route{status: 401, file: "invalid_session_401.json"},
		route{status: 200, body: `{"name":"Account"}`})
	calls := 0
	c := r.client(t, func(c *remote.Config) {
		c.Refresh = func(ctx context.Context) (string, error) {
			calls++
			if calls == 1 {
				<-ctx.Done() // the caller gives up first
				return "", &net.OpError{Op: "read", Net: "tcp", Err: ctx.Err()}
			}
			return "fresh", nil
		}
	})
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.Describe(short, "Account")
	if err == nil || !remote.NotSent(err) {
		t.Fatalf("a request whose session could not be refreshed: %v (NotSent %v)", err, remote.NotSent(err))
	}
	if _, err := c.Describe(context.Background(), "Account"); err != nil || calls != 2 {
		t.Fatalf("with time to spare: %v after %d refreshes, want success after 2", err, calls)
	}
}

func TestOtherAuthErrorsDoNotRefresh(t *testing.T) {
	r := newReplay(t)
	r.on("GET "+v+"/sobjects/Account/describe/", route{status: 401, body: `[{"errorCode":"INVALID_AUTH_HEADER","message":"bad header"}]`})
	calls := 0
	c := r.client(t, func(c *remote.Config) {
		c.Refresh = func(context.Context) (string, error) { calls++; return "x", nil }
	})
	if _, err := c.Describe(context.Background(), "Account"); err == nil || calls != 0 {
		t.Fatalf("err = %v, refreshes = %d", err, calls)
	}
}

func TestLimitInfoIsRemembered(t *testing.T) {
	r := newReplay(t)
	r.on("GET "+v+"/limits", route{status: 200, body: `{}`, header: map[string]string{"Sforce-Limit-Info": "api-usage=25/5000; per-app-api-usage=17/250(appName=sample)"}})
	c := r.client(t, nil)
	if got := c.LimitInfo(); got != "api-usage=18/5000" {
		t.Errorf("LimitInfo after discovery = %q", got)
	}
	_, _ = c.Composite(context.Background(), false, []remote.Subrequest{{Method: "GET", URL: "/limits", ReferenceID: "l"}})
	r.on("GET "+v+"/sobjects/", route{status: 200, file: "describe_global.json", header: map[string]string{"Sforce-Limit-Info": "api-usage=25/5000"}})
	if _, err := c.DescribeGlobal(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := c.LimitInfo(); got != "api-usage=25/5000" {
		t.Errorf("LimitInfo = %q", got)
	}
}

func TestObserveReportsEveryRequestWithTagAndNoToken(t *testing.T) {
	r := newReplay(t)
	r.on("PATCH "+v+"/sobjects/Account/001D000000IqhSLIAZ", route{status: 412}, route{status: 204})
	var infos []remote.RequestInfo
	c := r.client(t, func(c *remote.Config) { c.Observe = func(i remote.RequestInfo) { infos = append(infos, i) } })
	ctx := remote.WithTag(context.Background(), "entry-42")
	_ = c.Update(ctx, "Account", "001D000000IqhSLIAZ", remote.Fields{"Name": "a"}, remote.WriteOptions{})
	_ = c.Update(ctx, "Account", "001D000000IqhSLIAZ", remote.Fields{"Name": "a"}, remote.WriteOptions{})
	_, _ = c.Describe(context.Background(), "Nope")
	if len(infos) != 4 {
		t.Fatalf("%d infos, want 4 (discovery, 2 updates, describe): %+v", len(infos), infos)
	}
	want := []struct {
		status int
		tag    string
		code   string
		err    bool
	}{{200, "", "", false}, {412, "entry-42", "", true}, {204, "entry-42", "", false}, {404, "", "NOT_FOUND", true}}
	for i, w := range want {
		got := infos[i]
		if got.Status != w.status || got.Tag != w.tag || got.Code != w.code || (got.Err != nil) != w.err || got.Duration <= 0 {
			t.Errorf("info %d = %+v, want %+v", i, got, w)
		}
		mustNotContainToken(t, "RequestInfo", strings.Join([]string{got.Method, got.Path, got.Code, errString(got.Err)}, " "))
	}
	if infos[1].Method != "PATCH" || infos[1].Path != v+"/sobjects/Account/001D000000IqhSLIAZ" {
		t.Errorf("info 1 = %+v", infos[1])
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestDescribeAndDescribeGlobal(t *testing.T) {
	r := newReplay(t)
	r.on("GET "+v+"/sobjects/", route{status: 200, file: "describe_global.json"})
	r.on("GET "+v+"/sobjects/Contact/describe/", route{status: 200, file: "describe_contact.json"})
	c := r.client(t, nil)
	objs, err := c.DescribeGlobal(context.Background())
	if err != nil || len(objs) != 2 || objs[1].Name != "Invoice__c" || !objs[1].Custom || objs[0].KeyPrefix != "001" {
		t.Fatalf("DescribeGlobal = %+v, %v", objs, err)
	}
	d, err := c.Describe(context.Background(), "Contact")
	if err != nil {
		t.Fatal(err)
	}
	ln, ok := d.Field("lastname")
	if !ok || !ln.Required() || ln.Length != 80 || d.NameField() != "Name" {
		t.Errorf("LastName = %+v, name field %q", ln, d.NameField())
	}
	sal, _ := d.Field("Salutation")
	acc, _ := d.Field("AccountId")
	if len(sal.PicklistValues) != 2 || acc.ReferenceTo[0] != "Account" || acc.RelationshipName != "Account" || d.ChildRelationships[0].ChildSObject != "Case" {
		t.Errorf("describe = %+v", d)
	}
}

func TestUpdatedAndDeletedSendISOWindowsAndParseDates(t *testing.T) {
	r := newReplay(t)
	r.on("GET "+v+"/sobjects/Invoice__c/updated/", route{status: 200, file: "updated.json"})
	r.on("GET "+v+"/sobjects/Invoice__c/deleted/", route{status: 200, file: "deleted.json"})
	c := r.client(t, nil)
	start := time.Date(2013, 5, 6, 0, 0, 0, 0, time.UTC)
	end := time.Date(2013, 5, 8, 23, 0, 0, 0, time.FixedZone("PDT", -7*3600))
	up, err := c.Updated(context.Background(), "Invoice__c", start, end)
	if err != nil || len(up.IDs) != 2 || !up.LatestDateCovered.Equal(time.Date(2013, 5, 8, 21, 20, 0, 0, time.UTC)) {
		t.Fatalf("Updated = %+v, %v", up, err)
	}
	req, _ := r.last("GET", v+"/sobjects/Invoice__c/updated/")
	q, _ := url.ParseQuery(req.rawQuery)
	if q.Get("start") != "2013-05-06T00:00:00+00:00" || q.Get("end") != "2013-05-09T06:00:00+00:00" {
		t.Errorf("window = %q .. %q", q.Get("start"), q.Get("end"))
	}
	del, err := c.Deleted(context.Background(), "Invoice__c", start, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(del.DeletedRecords) != 1 || del.DeletedRecords[0].ID != "a00D0000008pQRAIA2" ||
		!del.DeletedRecords[0].DeletedDate.Equal(time.Date(2013, 5, 7, 22, 7, 19, 0, time.UTC)) {
		t.Errorf("deleted = %+v", del.DeletedRecords)
	}
	// earliestDateAvailable after start: the client must do a full refresh.
	if !del.EarliestDateAvailable.After(time.Date(2013, 5, 1, 0, 0, 0, 0, time.UTC)) ||
		!del.EarliestDateAvailable.Equal(time.Date(2013, 5, 3, 15, 57, 0, 0, time.UTC)) {
		t.Errorf("EarliestDateAvailable = %v", del.EarliestDateAvailable)
	}
}

func TestIdentityComesFromConfig(t *testing.T) {
	r := newReplay(t)
	c := r.client(t, func(c *remote.Config) {
		c.IdentityURL = "https://login.salesforce.com/id/00DD0000000FJX9MAO/005D0000001AamRIAS"
		c.InstanceURL += "/"
	})
	id := c.Identity()
	if id.InstanceURL != r.srv.URL || id.Username != "alex@demo.example" || id.OrgID != "00DD0000000FJX9MAO" || id.UserID != "005D0000001AamRIAS" {
		t.Errorf("Identity = %+v", id)
	}
}

func TestObserveMayCallTheClientDuringDiscovery(t *testing.T) {
	r := newReplay(t)
	r.on("GET "+v+"/sobjects/", route{status: 200, file: "describe_global.json"})
	net := netsim.New(http.DefaultTransport, 1)
	net.SetOnline(false) // discovery is deferred to the first call
	var c *remote.Client
	var seen []string
	c = r.client(t, func(cfg *remote.Config) {
		cfg.Transport = net
		cfg.Observe = func(i remote.RequestInfo) {
			if c != nil {
				seen = append(seen, i.Path+" v="+c.APIVersion()+" "+c.String())
			}
		}
	})
	net.SetOnline(true)
	done := make(chan error, 1)
	go func() { _, err := c.DescribeGlobal(context.Background()); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("DescribeGlobal deadlocked while Observe read the client")
	}
	if len(seen) != 2 || !strings.HasPrefix(seen[0], "/services/data/ v= ") || !strings.Contains(seen[1], "v=62.0") {
		t.Errorf("observed %q", seen)
	}
}

// unreachableErr is a sign-in failure that got no reply, as the sign-in package reports one.
type unreachableErr struct{}

func (unreachableErr) Error() string     { return "token request: connection refused" }
func (unreachableErr) Unreachable() bool { return true }

func TestASignInThatCannotReachTheOrgIsANetworkFailureNotARefusal(t *testing.T) {
	for _, tc := range []struct {
		name       string
		token      string
		refreshErr error
		wantAuth   bool
	}{
		{"expired session, sign-in unreachable", testToken, unreachableErr{}, false},
		{"expired session, sign-in refused", testToken, errors.New("invalid_grant"), true},
		{"no token yet, sign-in unreachable", "", unreachableErr{}, false},
		{"no token yet, sign-in refused", "", errors.New("invalid_grant"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReplay(t)
			r.on("GET "+v+"/query", route{status: 401, body: `[{"errorCode":"INVALID_SESSION_ID","message":"Session expired or invalid"}]`})
			c := r.client(t, func(cfg *remote.Config) {
				cfg.AccessToken = tc.token
				cfg.APIVersion = "62.0"
				cfg.Refresh = func(context.Context) (string, error) { return "", tc.refreshErr }
			})
			_, err := c.Query(context.Background(), "SELECT Id FROM Account", 0)
			if err == nil {
				t.Fatal("no error")
			}
			e, isAPI := remote.AsError(err)
			if gotAuth := isAPI && e.Status == 401; gotAuth != tc.wantAuth {
				t.Fatalf("err = %v: auth failure %v, want %v", err, gotAuth, tc.wantAuth)
			}
		})
	}
}

// A refreshed session on another instance (the org moved) is answered there from then on; an
// instance URL that cannot be used is refused rather than followed.
func TestARefreshOnAnotherInstanceMovesTheRequestsThere(t *testing.T) {
	old, moved := newReplay(t), newReplay(t)
	old.on("GET "+v+"/sobjects/Account/describe/", route{status: 401, file: "invalid_session_401.json"})
	moved.on("GET "+v+"/sobjects/Account/describe/", route{status: 200, body: `{"name":"Account"}`})
	c := old.client(t, func(c *remote.Config) {
		c.Refresh = func(context.Context) (string, error) { return "fresh-token", nil }
		c.RefreshedInstance = func() string { return moved.srv.URL + "/" }
	})
	if _, err := c.Describe(context.Background(), "Account"); err != nil {
		t.Fatalf("Describe after a refresh that moved: %v", err)
	}
	if req, ok := moved.last("GET", v+"/sobjects/Account/describe/"); !ok || req.header.Get("Authorization") != "Bearer fresh-token" {
		t.Fatalf("the moved instance got %+v (%v)", req, ok)
	}
	if got := c.Identity().InstanceURL; got != moved.srv.URL {
		t.Fatalf("identity names %q, want %q", got, moved.srv.URL)
	}

	bad := newReplay(t)
	bad.on("GET "+v+"/sobjects/Account/describe/", route{status: 401, file: "invalid_session_401.json"})
	c2 := bad.client(t, func(c *remote.Config) {
		c.Refresh = func(context.Context) (string, error) { return "fresh-token", nil }
		c.RefreshedInstance = func() string { return "ftp://elsewhere.example" }
	})
	if _, err := c2.Describe(context.Background(), "Account"); err == nil || !strings.Contains(err.Error(), "instance URL that cannot be used") {
		t.Fatalf("a refresh naming an unusable instance: %v", err)
	}
	if got := c2.Identity().InstanceURL; got != bad.srv.URL {
		t.Fatalf("identity moved to %q", got)
	}
}

// What an error reply says is made inert where it is read: no escape sequence or control in a
// code, a message, a field or a duplicate rule's words (each would reach a terminal through any
// line that prints it, and one left open would swallow the words after it), and a message of a
// megabyte is cut.
func TestAnErrorReplysTextsAreInert(t *testing.T) {
	hostile := `X\u001b]0;PWNED\u0007\u001b]52;c;SGVsbG8=\u0007\u001b[2J\u009b1m\u202e\u0000Y`
	for _, tc := range []struct {
		name  string
		body  string
		texts func(e *remote.Error) []string
	}{
		{"an error array", `[{"errorCode":"` + hostile + `","message":"busy ` + hostile + `","fields":["Na` + hostile + `me"]}]`,
			func(e *remote.Error) []string {
				return []string{e.Items[0].Code, e.Items[0].Message, e.Items[0].Fields[0], e.Error()}
			}},
		{"an OAuth error", `{"error":"` + hostile + `","error_description":"` + hostile + `"}`,
			func(e *remote.Error) []string { return []string{e.Code(), e.Items[0].Message, e.Error()} }},
		{"a duplicate rule", `[{"errorCode":"DUPLICATES_DETECTED","message":"m","duplicateResult":{"allowSave":true,"duplicateRule":"` + hostile + `","errorMessage":"` + hostile + `"}}]`,
			func(e *remote.Error) []string { return []string{e.Duplicate.DuplicateRule, e.Duplicate.ErrorMessage} }},
		{"an escape left open", `[{"errorCode":"E","message":"busy\u001b]"}]`,
			func(e *remote.Error) []string { return []string{e.Items[0].Message + "; the app's words"} }},
		{"a body that is not JSON", "\x1b]0;PWNED\x07 oops \x1b[2J",
			func(e *remote.Error) []string { return []string{e.Raw, e.Error()} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := remote.ParseErrorBody(503, []byte(tc.body))
			for _, s := range tc.texts(e) {
				if strings.ContainsAny(s, "\x1b\x07\x00\u009b\u202e") || strings.Contains(s, "PWNED") {
					t.Errorf("not inert: %q", s)
				}
			}
		})
	}
	e := remote.ParseErrorBody(400, []byte(`[{"errorCode":"E","message":"`+strings.Repeat("é", 500000)+`"}]`))
	if m := e.Items[0].Message; len(m) > 4100 || !strings.HasSuffix(m, "…") || !utf8.ValidString(m) {
		t.Errorf("a message of a megabyte kept %d bytes (valid UTF-8 %v)", len(m), utf8.ValidString(m))
	}
	if e := remote.ParseErrorBody(400, []byte(`[{"errorCode":"E","message":"busy\u001b]"}]`)); e.Items[0].Message != "busy" {
		t.Errorf("an escape left open: %q", e.Items[0].Message)
	}
}

// A redirect is no answer of the org's (a network's sign-in page, a wrong address): it is not
// followed (the token would go elsewhere) and the error says where it pointed.
func TestARedirectIsSaidToBeOneAndNotFollowed(t *testing.T) {
	r := newReplay(t)
	r.on("PATCH "+v+"/sobjects/Account/001D000000IqhSLIAZ", route{status: 302, header: map[string]string{"Location": "https://login.hotel.example/portal?next=x"}})
	c := r.client(t, nil)
	err := c.Update(context.Background(), "Account", "001D000000IqhSLIAZ", remote.Fields{"Name": "a"}, remote.WriteOptions{})
	e, ok := remote.AsError(err)
	if !ok || e.Status != 302 || !strings.Contains(err.Error(), "answered with a redirect (HTTP 302) to https://login.hotel.example") || strings.Contains(err.Error(), "portal?next") {
		t.Fatalf("err = %v", err)
	}
}
