package mockorg

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

type compositeReply struct {
	CompositeResponse []struct {
		Body           any               `json:"body"`
		HTTPHeaders    map[string]string `json:"httpHeaders"`
		HTTPStatusCode int               `json:"httpStatusCode"`
		ReferenceID    string            `json:"referenceId"`
	} `json:"compositeResponse"`
}

func errCodeOf(body any) string {
	items, _ := body.([]any)
	if len(items) == 0 {
		return ""
	}
	m, _ := items[0].(map[string]any)
	s, _ := m["errorCode"].(string)
	return s
}

func TestCompositeLinksRecordsWithReferences(t *testing.T) {
	e := newEnv(t, Options{})
	var res compositeReply
	e.do(e.alex, "POST", v+"/composite", map[string]any{
		"allOrNone": false,
		"compositeRequest": []any{
			map[string]any{"method": "POST", "url": v + "/sobjects/Account", "referenceId": "refAccount", "body": map[string]any{"Name": "Parent Co"}},
			map[string]any{"method": "POST", "url": v + "/sobjects/Contact", "referenceId": "refContact", "body": map[string]any{"LastName": "Child", "AccountId": "@{refAccount.id}"}},
			map[string]any{"method": "GET", "url": v + "/sobjects/Contact/@{refContact.id}?fields=AccountId", "referenceId": "refGet"},
			map[string]any{"method": "GET", "url": v + "/query?q=" + urlQueryEscape("SELECT Id FROM Contact WHERE LastName = 'Child'"), "referenceId": "refQuery"},
			map[string]any{"method": "PATCH", "url": v + "/sobjects/Contact/@{refQuery.records[0].Id}", "referenceId": "refPatch", "body": map[string]any{"Title": "Boss"}},
		},
	}).want(t, 200).json(t, &res)
	want := []int{201, 201, 200, 200, 204}
	for i, sr := range res.CompositeResponse {
		if sr.HTTPStatusCode != want[i] {
			t.Fatalf("subresponse %d: %d %v", i, sr.HTTPStatusCode, sr.Body)
		}
	}
	accID := res.CompositeResponse[0].Body.(map[string]any)["id"].(string)
	if got := res.CompositeResponse[2].Body.(map[string]any)["AccountId"]; got != accID {
		t.Fatalf("child points at %v, want %s", got, accID)
	}
	if loc := res.CompositeResponse[0].HTTPHeaders["Location"]; !strings.HasSuffix(loc, accID) {
		t.Fatalf("Location %q", loc)
	}
	if res.CompositeResponse[4].Body != nil {
		t.Fatalf("204 subresponse body %v", res.CompositeResponse[4].Body)
	}
}

func TestCompositeAllOrNoneRollsBackAndHalts(t *testing.T) {
	e := newEnv(t, Options{})
	before := len(e.query(e.alex, "SELECT Id FROM Account"))
	var res compositeReply
	e.do(e.alex, "POST", v+"/composite", map[string]any{
		"allOrNone": true,
		"compositeRequest": []any{
			map[string]any{"method": "POST", "url": v + "/sobjects/Account", "referenceId": "a", "body": map[string]any{"Name": "Rolled back"}},
			map[string]any{"method": "POST", "url": v + "/sobjects/Contact", "referenceId": "b", "body": map[string]any{"FirstName": "no last name"}},
			map[string]any{"method": "POST", "url": v + "/sobjects/Account", "referenceId": "c", "body": map[string]any{"Name": "never"}},
		},
	}).want(t, 200).json(t, &res)
	codes := []string{}
	for _, sr := range res.CompositeResponse {
		codes = append(codes, fmt.Sprintf("%d %s", sr.HTTPStatusCode, errCodeOf(sr.Body)))
	}
	if strings.Join(codes, ",") != "400 PROCESSING_HALTED,400 REQUIRED_FIELD_MISSING,400 PROCESSING_HALTED" {
		t.Fatalf("codes %v", codes)
	}
	if after := len(e.query(e.alex, "SELECT Id FROM Account")); after != before {
		t.Fatalf("allOrNone left %d new accounts", after-before)
	}
}

func TestCompositeWithoutAllOrNoneKeepsGoodWork(t *testing.T) {
	e := newEnv(t, Options{})
	var res compositeReply
	e.do(e.alex, "POST", v+"/composite", map[string]any{
		"compositeRequest": []any{
			map[string]any{"method": "POST", "url": v + "/sobjects/Contact", "referenceId": "bad", "body": map[string]any{"FirstName": "x"}},
			map[string]any{"method": "POST", "url": v + "/sobjects/Contact", "referenceId": "dependent", "body": map[string]any{"LastName": "y", "ReportsToId": "@{bad.id}"}},
			map[string]any{"method": "POST", "url": v + "/sobjects/Account", "referenceId": "good", "body": map[string]any{"Name": "Kept"}},
		},
	}).want(t, 200).json(t, &res)
	r := res.CompositeResponse
	if r[0].HTTPStatusCode != 400 || errCodeOf(r[1].Body) != "PROCESSING_HALTED" || r[2].HTTPStatusCode != 201 {
		t.Fatalf("replies %+v", r)
	}
	if !strings.Contains(fmt.Sprint(r[1].Body), "Invalid reference specified") {
		t.Fatalf("dependent message %v", r[1].Body)
	}
	if len(e.query(e.alex, "SELECT Id FROM Account WHERE Name = 'Kept'")) != 1 {
		t.Fatal("good subrequest not committed")
	}
}

func TestCompositeSubrequestHeadersCarryPreconditions(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.do(e.alex, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "Pre"}).want(t, 201).obj(t)["id"].(string)
	base := e.clk.Now().Format(http.TimeFormat)
	e.clk.Advance(2 * time.Second)
	e.do(e.sam, "PATCH", v+"/sobjects/Contact/"+id, map[string]any{"Title": "x"}) // no access: nothing changes
	e.do(e.admin, "PATCH", v+"/sobjects/Contact/"+id, map[string]any{"Title": "theirs"}).want(t, 204)
	var res compositeReply
	e.do(e.alex, "POST", v+"/composite", map[string]any{"compositeRequest": []any{
		map[string]any{"method": "PATCH", "url": v + "/sobjects/Contact/" + id, "referenceId": "p", "body": map[string]any{"Title": "mine"}, "httpHeaders": map[string]string{"If-Unmodified-Since": base}},
	}}).want(t, 200).json(t, &res)
	if res.CompositeResponse[0].HTTPStatusCode != 412 {
		t.Fatalf("precondition in composite: %+v", res.CompositeResponse[0])
	}
	for _, bad := range []map[string]any{
		{"compositeRequest": []any{map[string]any{"method": "GET", "url": v + "/limits", "referenceId": "x", "httpHeaders": map[string]string{"Authorization": "Bearer x"}}}},
		{"compositeRequest": []any{map[string]any{"method": "GET", "url": v + "/limits", "referenceId": "bad id"}}},
		{"compositeRequest": []any{}},
	} {
		e.do(e.alex, "POST", v+"/composite", bad).want(t, 400)
	}
}

func TestCompositeBatchRunsIndependentSubrequests(t *testing.T) {
	e := newEnv(t, Options{})
	var res struct {
		HasErrors bool `json:"hasErrors"`
		Results   []struct {
			StatusCode int `json:"statusCode"`
		} `json:"results"`
	}
	e.do(e.alex, "POST", v+"/composite/batch", map[string]any{"haltOnError": true, "batchRequests": []any{
		map[string]any{"method": "POST", "url": "v62.0/sobjects/Account", "richInput": map[string]any{"Name": "B1"}},
		map[string]any{"method": "POST", "url": "v62.0/sobjects/Contact", "richInput": map[string]any{}},
		map[string]any{"method": "GET", "url": "v62.0/limits"},
	}}).want(t, 200).json(t, &res)
	if !res.HasErrors || res.Results[0].StatusCode != 201 || res.Results[1].StatusCode != 400 || res.Results[2].StatusCode != 412 {
		t.Fatalf("batch %+v", res)
	}
}

type saveReply struct {
	ID      string `json:"id"`
	Success bool   `json:"success"`
	Created *bool  `json:"created"`
	Errors  []struct {
		StatusCode string   `json:"statusCode"`
		Fields     []string `json:"fields"`
	} `json:"errors"`
}

func TestCollectionsCreateUpdateRetrieveUpsertDelete(t *testing.T) {
	e := newEnv(t, Options{})
	var created []saveReply
	e.do(e.alex, "POST", v+"/composite/sobjects/", map[string]any{"allOrNone": false, "records": []any{
		map[string]any{"attributes": map[string]any{"type": "Account"}, "Name": "C1"},
		map[string]any{"attributes": map[string]any{"type": "Contact"}, "LastName": "C2"},
		map[string]any{"attributes": map[string]any{"type": "Contact"}, "FirstName": "no last"},
		map[string]any{"Name": "no type"},
	}}).want(t, 200).json(t, &created)
	if !created[0].Success || !created[1].Success || created[2].Success || created[3].Success {
		t.Fatalf("create %+v", created)
	}
	if created[2].Errors[0].StatusCode != "REQUIRED_FIELD_MISSING" || created[2].Errors[0].Fields[0] != "LastName" {
		t.Fatalf("per-record error uses statusCode: %+v", created[2])
	}
	var updated []saveReply
	e.do(e.alex, "PATCH", v+"/composite/sobjects", map[string]any{"records": []any{
		map[string]any{"attributes": map[string]any{"type": "Account"}, "id": created[0].ID, "Name": "C1 renamed"},
		map[string]any{"attributes": map[string]any{"type": "Contact"}, "Id": created[1].ID, "Email": "bad"},
	}}).want(t, 200).json(t, &updated)
	if !updated[0].Success || updated[1].Success || updated[1].Errors[0].StatusCode != "INVALID_EMAIL_ADDRESS" {
		t.Fatalf("update %+v", updated)
	}
	var got []map[string]any
	e.do(e.alex, "GET", v+"/composite/sobjects/Account?ids="+created[0].ID+","+ID("001", 999999)+"&fields=Id,Name", nil).want(t, 200).json(t, &got)
	if len(got) != 2 || got[0]["Name"] != "C1 renamed" || got[1] != nil {
		t.Fatalf("retrieve %v", got)
	}
	e.do(e.alex, "POST", v+"/composite/sobjects/Account", map[string]any{"ids": []string{created[0].ID}, "fields": []string{"Name"}}).want(t, 200).json(t, &got)
	if len(got) != 1 || got[0]["Name"] != "C1 renamed" {
		t.Fatalf("retrieve by POST %v", got)
	}
	var ups []saveReply
	e.do(e.alex, "PATCH", v+"/composite/sobjects/Contact/Offline_Key__c", map[string]any{"records": []any{
		map[string]any{"attributes": map[string]any{"type": "Contact"}, "Offline_Key__c": "k-1", "LastName": "U1"},
		map[string]any{"attributes": map[string]any{"type": "Contact"}, "Offline_Key__c": "k-1", "LastName": "U1b"},
	}}).want(t, 200).json(t, &ups)
	if !ups[0].Success || !*ups[0].Created || !ups[1].Success || *ups[1].Created || ups[0].ID != ups[1].ID {
		t.Fatalf("upsert %+v", ups)
	}
	var dels []saveReply
	e.do(e.alex, "DELETE", v+"/composite/sobjects?ids="+created[0].ID+","+created[1].ID+","+created[0].ID+"&allOrNone=false", nil).want(t, 200).json(t, &dels)
	if !dels[0].Success || !dels[1].Success || dels[2].Success || dels[2].Errors[0].StatusCode != "ENTITY_IS_DELETED" {
		t.Fatalf("delete %+v", dels)
	}
}

func TestCollectionsAllOrNoneRollsBack(t *testing.T) {
	e := newEnv(t, Options{})
	var res []saveReply
	e.do(e.alex, "POST", v+"/composite/sobjects", map[string]any{"allOrNone": true, "records": []any{
		map[string]any{"attributes": map[string]any{"type": "Account"}, "Name": "Rollback me"},
		map[string]any{"attributes": map[string]any{"type": "Account"}, "Name": strings.Repeat("x", 300)},
	}}).want(t, 200).json(t, &res)
	if res[0].Success || res[0].Errors[0].StatusCode != "ALL_OR_NONE_OPERATION_ROLLED_BACK" || res[1].Errors[0].StatusCode != "STRING_TOO_LONG" {
		t.Fatalf("allOrNone %+v", res)
	}
	if len(e.query(e.alex, "SELECT Id FROM Account WHERE Name = 'Rollback me'")) != 0 {
		t.Fatal("rolled-back record exists")
	}
	var many []any
	for i := 0; i < 201; i++ {
		many = append(many, map[string]any{"attributes": map[string]any{"type": "Account"}, "Name": "n"})
	}
	e.do(e.alex, "POST", v+"/composite/sobjects", map[string]any{"records": many}).want(t, 400)
}

func TestCompositeOverItsLimitsIsRefusedAsAWholeLikeARealOrg(t *testing.T) {
	create := func(i int) map[string]any {
		return map[string]any{"method": "POST", "url": v + "/sobjects/Account", "referenceId": fmt.Sprintf("a%d", i), "body": map[string]any{"Name": fmt.Sprintf("Limit %d", i)}}
	}
	retrieve := func(i int) map[string]any {
		return map[string]any{"method": "GET", "url": v + "/composite/sobjects/Account?ids=001000000000001AAA&fields=Id", "referenceId": fmt.Sprintf("g%d", i)}
	}
	query := func(i int) map[string]any {
		return map[string]any{"method": "GET", "url": v + "/query?q=" + urlQueryEscape("SELECT Id FROM Account LIMIT 1"), "referenceId": fmt.Sprintf("q%d", i)}
	}
	tests := []struct {
		name    string
		subs    func() []any
		refused bool
	}{
		{"26 subrequests", func() []any {
			var s []any
			for i := range 26 {
				s = append(s, create(i))
			}
			return s
		}, true},
		{"25 subrequests", func() []any {
			var s []any
			for i := range 25 {
				s = append(s, create(i))
			}
			return s
		}, false},
		{"6 query and collections subrequests", func() []any {
			return []any{create(0), retrieve(1), query(2), retrieve(3), query(4), retrieve(5), query(6)}
		}, true},
		{"5 query and collections subrequests", func() []any {
			return []any{create(0), retrieve(1), query(2), retrieve(3), query(4), retrieve(5)}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Options{})
			before := len(e.query(e.alex, "SELECT Id FROM Account"))
			subs := tt.subs()
			var raw map[string][]map[string]any
			e.do(e.alex, "POST", v+"/composite", map[string]any{"compositeRequest": subs}).want(t, 200).json(t, &raw)
			res := raw["compositeResponse"]
			after := len(e.query(e.alex, "SELECT Id FROM Account"))
			if !tt.refused {
				if len(res) != len(subs) || after == before {
					t.Fatalf("%d subresponses for %d subrequests, accounts %d → %d", len(res), len(subs), before, after)
				}
				return
			}
			if len(res) != 1 || res[0]["referenceId"] != nil || res[0]["httpStatusCode"] != float64(400) || errCodeOf(res[0]["body"]) != "LIMIT_EXCEEDED" {
				t.Fatalf("reply %v, want one LIMIT_EXCEEDED subresponse with a null referenceId", res)
			}
			if after != before {
				t.Fatalf("a refused request ran: accounts %d → %d", before, after)
			}
		})
	}
}
