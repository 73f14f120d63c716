package remote_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

func TestCompositeSendsSubrequestsAndParsesSubresponses(t *testing.T) {
	r := newReplay(t)
	r.on("POST "+v+"/composite", route{status: 200, file: "composite_processing_halted.json"})
	c := r.client(t, nil)
	subs := []remote.Subrequest{
		{Method: "POST", URL: "/sobjects/Account/", ReferenceID: "refAccount", Body: remote.Fields{"Name": "Acme"}},
		{Method: "post", URL: "/sobjects/Contact/", ReferenceID: "refContact", Body: remote.Fields{"LastName": "Y", "AccountId": "@{refAccount.id}"}},
		{Method: "PATCH", URL: "/sobjects/Account/001D000000IqhSLIAZ", ReferenceID: "refUpdate", Body: remote.Fields{"Name": "B"},
			Headers: map[string]string{"If-Match": `"abc"`, "Sforce-Duplicate-Rule-Header": "allowSave=true"}},
		{Method: "DELETE", URL: "/services/data/v62.0/sobjects/Account/001D000000IqhSMIAZ", ReferenceID: "refMissing"},
	}
	res, err := c.Composite(context.Background(), true, subs)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := r.last("POST", v+"/composite")
	var sent struct {
		AllOrNone        bool `json:"allOrNone"`
		CompositeRequest []struct {
			Method      string            `json:"method"`
			URL         string            `json:"url"`
			ReferenceID string            `json:"referenceId"`
			Body        map[string]any    `json:"body"`
			HTTPHeaders map[string]string `json:"httpHeaders"`
		} `json:"compositeRequest"`
	}
	if err := json.Unmarshal([]byte(req.body), &sent); err != nil {
		t.Fatalf("composite body %s: %v", req.body, err)
	}
	if !sent.AllOrNone || len(sent.CompositeRequest) != 4 {
		t.Fatalf("sent = %+v", sent)
	}
	s1 := sent.CompositeRequest[1]
	if s1.Method != "POST" || s1.URL != v+"/sobjects/Contact/" || s1.Body["AccountId"] != "@{refAccount.id}" {
		t.Errorf("subrequest 1 = %+v", s1)
	}
	if h := sent.CompositeRequest[2].HTTPHeaders; h["If-Match"] != `"abc"` || h["Sforce-Duplicate-Rule-Header"] != "allowSave=true" {
		t.Errorf("subrequest 2 headers = %v", h)
	}
	if sent.CompositeRequest[3].URL != "/services/data/v62.0/sobjects/Account/001D000000IqhSMIAZ" || sent.CompositeRequest[3].Body != nil {
		t.Errorf("subrequest 3 = %+v", sent.CompositeRequest[3])
	}
	if strings.Contains(req.body, `"httpHeaders":null`) {
		t.Error("empty httpHeaders sent as null")
	}

	if len(res) != 4 {
		t.Fatalf("%d subresponses", len(res))
	}
	if res[0].StatusCode != 201 || res[0].Err() != nil || res[0].Headers["Location"] == "" {
		t.Errorf("subresponse 0 = %+v", res[0])
	}
	var created struct{ ID string }
	if err := json.Unmarshal(res[0].Body, &created); err != nil || created.ID != "001D000000IqhSLIAZ" {
		t.Errorf("created body = %s", res[0].Body)
	}
	if e, ok := remote.AsError(res[1].Err()); !ok || e.Status != 400 || e.Code() != "PROCESSING_HALTED" {
		t.Errorf("subresponse 1 err = %v", res[1].Err())
	}
	if res[2].StatusCode != 204 || res[2].Body != nil || res[2].Err() != nil {
		t.Errorf("subresponse 2 = %+v", res[2])
	}
	if e, ok := remote.AsError(res[3].Err()); !ok || e.Status != 404 || e.Code() != "NOT_FOUND" || res[3].ReferenceID != "refMissing" {
		t.Errorf("subresponse 3 = %+v, err %v", res[3], res[3].Err())
	}
}

func TestCompositeRefusesBadRequestsBeforeSending(t *testing.T) {
	ok := remote.Subrequest{Method: "GET", URL: "/limits", ReferenceID: "a"}
	many := make([]remote.Subrequest, 26)
	for i := range many {
		many[i] = remote.Subrequest{Method: "GET", URL: "/limits", ReferenceID: fmt.Sprintf("r%d", i)}
	}
	colls := make([]remote.Subrequest, 6)
	for i := range colls {
		colls[i] = remote.Subrequest{Method: "GET", URL: "/composite/sobjects/Account?ids=001D000000IqhSLIAZ&fields=Id", ReferenceID: fmt.Sprintf("g%d", i)}
	}
	colls[2] = remote.Subrequest{Method: "GET", URL: "/query?q=SELECT+Id+FROM+Account", ReferenceID: "q2"}
	colls[4] = remote.Subrequest{Method: "GET", URL: "/services/data/v62.0/queryAll/?q=SELECT+Id+FROM+Account", ReferenceID: "q4"}
	tests := []struct {
		name string
		subs []remote.Subrequest
		want string
	}{
		{"none", nil, "without subrequests"},
		{"six query and collections subrequests", colls, "more than 5 query or sObject Collections"},
		{"26 subrequests", many, "at most 25"},
		{"duplicate referenceId", []remote.Subrequest{ok, ok}, "used twice"},
		{"bad referenceId", []remote.Subrequest{{Method: "GET", URL: "/limits", ReferenceID: "a-b"}}, "letters, digits"},
		{"empty referenceId", []remote.Subrequest{{Method: "GET", URL: "/limits"}}, "empty referenceId"},
		{"Authorization header", []remote.Subrequest{{Method: "GET", URL: "/limits", ReferenceID: "a", Headers: map[string]string{"authorization": "x"}}}, "may not be set"},
		{"Content-Type header", []remote.Subrequest{{Method: "GET", URL: "/limits", ReferenceID: "a", Headers: map[string]string{"Content-Type": "x"}}}, "may not be set"},
		{"bad method", []remote.Subrequest{{Method: "TRACE", URL: "/limits", ReferenceID: "a"}}, "not allowed"},
		{"relative url", []remote.Subrequest{{Method: "GET", URL: "limits", ReferenceID: "a"}}, "starting with /"},
	}
	r := newReplay(t)
	c := r.client(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Composite(context.Background(), false, tt.subs)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if n := len(r.requests()); n != 1 {
		t.Errorf("%d requests sent, want only discovery", n)
	}
}

func TestCompositeWithMismatchedReplyCountIsMalformed(t *testing.T) {
	r := newReplay(t)
	r.on("POST "+v+"/composite", route{status: 200, body: `{"compositeResponse":[]}`})
	_, err := r.client(t, nil).Composite(context.Background(), false, []remote.Subrequest{{Method: "GET", URL: "/limits", ReferenceID: "a"}})
	if err == nil || !strings.Contains(err.Error(), "0 subresponses for 1") {
		t.Fatalf("err = %v", err)
	}
}

func TestCompositeRefusedAsAWholeIsTheOrgsError(t *testing.T) {
	for _, n := range []int{1, 3} { // one subrequest gets one subresponse too, answering none
		subs := make([]remote.Subrequest, n)
		for i := range subs {
			subs[i] = remote.Subrequest{Method: "GET", URL: "/sobjects/Account/001D000000IqhSLIAZ", ReferenceID: fmt.Sprintf("r%d", i)}
		}
		r := newReplay(t)
		r.on("POST "+v+"/composite", route{status: 200, file: "composite_limit_exceeded.json"})
		_, err := r.client(t, nil).Composite(context.Background(), false, subs)
		e, ok := remote.AsError(err)
		if !ok || e.Status != 400 || e.Code() != "LIMIT_EXCEEDED" || errors.Is(err, remote.ErrMalformedReply) {
			t.Fatalf("%d subrequests: err = %v, want the org's LIMIT_EXCEEDED refusal", n, err)
		}
	}
}

func TestCompositeSendsUpToFiveQueryAndCollectionsSubrequests(t *testing.T) {
	subs := []remote.Subrequest{
		{Method: "GET", URL: "/composite/sobjects/Account?ids=001D000000IqhSLIAZ&fields=Id", ReferenceID: "g0"},
		{Method: "GET", URL: "/query?q=SELECT+Id+FROM+Account", ReferenceID: "g1"},
		{Method: "GET", URL: "/queryAll?q=SELECT+Id+FROM+Account", ReferenceID: "g2"},
		{Method: "POST", URL: "/composite/sobjects/Contact", ReferenceID: "g3", Body: map[string]any{"ids": []string{"003D000000QV9n2IAD"}, "fields": []string{"Id"}}},
		{Method: "GET", URL: "/composite/sobjects/Contact?ids=003D000000QV9n2IAD&fields=Id", ReferenceID: "g4"},
		{Method: "GET", URL: "/sobjects/Account/001D000000IqhSLIAZ", ReferenceID: "g5"},
		{Method: "GET", URL: "/sobjects/Account/describe/", ReferenceID: "g6"},
	}
	var replies []string
	for _, s := range subs {
		replies = append(replies, `{"referenceId":"`+s.ReferenceID+`","httpStatusCode":200,"httpHeaders":{},"body":{}}`)
	}
	r := newReplay(t)
	r.on("POST "+v+"/composite", route{status: 200, body: `{"compositeResponse":[` + strings.Join(replies, ",") + `]}`})
	if _, err := r.client(t, nil).Composite(context.Background(), false, subs); err != nil {
		t.Fatal(err)
	}
}

func TestCollectionsResultErrorsUseStatusCode(t *testing.T) {
	var results []struct {
		ID      string          `json:"id"`
		Success bool            `json:"success"`
		Errors  json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(fixture(t, "collections_results.json"), &results); err != nil {
		t.Fatal(err)
	}
	want := []string{"", "MALFORMED_ID", "ALL_OR_NONE_OPERATION_ROLLED_BACK"}
	for i, res := range results {
		e := remote.ParseErrorBody(400, res.Errors)
		if e.Code() != want[i] {
			t.Errorf("result %d code = %q, want %q", i, e.Code(), want[i])
		}
	}
}

func TestCompositeMatchesSubresponsesToSubrequestsByReferenceID(t *testing.T) {
	subs := []remote.Subrequest{
		{Method: "PATCH", URL: "/sobjects/Account/001A", ReferenceID: "u1", Body: map[string]any{"Phone": "1"}},
		{Method: "PATCH", URL: "/sobjects/Account/001B", ReferenceID: "u2", Body: map[string]any{"Name": ""}},
	}
	ok1 := `{"referenceId":"u1","httpStatusCode":204,"httpHeaders":{},"body":null}`
	bad2 := `{"referenceId":"u2","httpStatusCode":400,"httpHeaders":{},"body":[{"errorCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [Name]"}]}`
	tests := []struct {
		name    string
		replies string
		want    string // "" = decoded: u1 succeeded, u2 refused
	}{
		{"in order", ok1 + "," + bad2, ""},
		{"swapped: matched back by referenceId", bad2 + "," + ok1, ""},
		{"no referenceIds: taken by position", strings.ReplaceAll(strings.ReplaceAll(ok1+","+bad2, `"referenceId":"u1",`, ""), `"referenceId":"u2",`, ""), ""},
		{"one request answered twice", ok1 + "," + strings.Replace(bad2, `"u2"`, `"u1"`, 1), "malformed"},
		{"an unknown referenceId", ok1 + "," + strings.Replace(bad2, `"u2"`, `"zz"`, 1), "malformed"},
		{"reordered with one missing its referenceId", bad2 + "," + strings.Replace(ok1, `"referenceId":"u1",`, "", 1), "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReplay(t)
			r.on("POST "+v+"/composite", route{status: 200, body: `{"compositeResponse":[` + tt.replies + `]}`})
			res, err := r.client(t, nil).Composite(context.Background(), false, subs)
			if tt.want != "" {
				if err == nil || !errors.Is(err, remote.ErrMalformedReply) {
					t.Fatalf("err = %v, want a malformed reply", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Err() != nil {
				t.Fatalf("u1 answered %v, want success", res[0].Err())
			}
			if e, ok := remote.AsError(res[1].Err()); !ok || !e.HasCode("REQUIRED_FIELD_MISSING") {
				t.Fatalf("u2 answered %v, want REQUIRED_FIELD_MISSING", res[1].Err())
			}
		})
	}
}
