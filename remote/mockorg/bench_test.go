package mockorg

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkPatchRoundTrip is one single-record PATCH through the whole handler.
func BenchmarkPatchRoundTrip(b *testing.B) {
	e := newEnv(b, Options{DailyLimit: 1 << 30})
	id := e.query(e.alex, "SELECT Id FROM Contact WHERE OwnerId = '"+e.org.users[0].ID+"' LIMIT 1")[0]["Id"].(string)
	path := v + "/sobjects/Contact/" + id
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if r := e.do(e.alex, "PATCH", path, map[string]any{"Title": fmt.Sprintf("T%d", i)}); r.Status != 204 {
			b.Fatalf("%d %s", r.Status, r.Body)
		}
	}
}

// BenchmarkQueryPage2000 fetches a 2,000-record first page (with a parent field) of a larger result.
func BenchmarkQueryPage2000(b *testing.B) {
	e := newEnv(b, Options{Size: 12000, DailyLimit: 1 << 30})
	path := v + "/query?q=" + urlQueryEscape("SELECT Id, FirstName, LastName, Email, Title, Account.Name FROM Contact")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := e.do(e.admin, "GET", path, nil)
		if r.Status != 200 {
			b.Fatalf("%d %s", r.Status, r.Body)
		}
	}
}

// BenchmarkComposite25 sends 25 PATCH subrequests in one Composite request.
func BenchmarkComposite25(b *testing.B) {
	e := newEnv(b, Options{DailyLimit: 1 << 30})
	var ids []string
	for _, r := range e.query(e.admin, "SELECT Id FROM Contact LIMIT 25") {
		ids = append(ids, r["Id"].(string))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		subs := make([]any, len(ids))
		for j, id := range ids {
			subs[j] = map[string]any{"method": "PATCH", "url": v + "/sobjects/Contact/" + id, "referenceId": fmt.Sprintf("r%d", j), "body": map[string]any{"Title": fmt.Sprintf("T%d", i)}}
		}
		r := e.do(e.admin, "POST", v+"/composite", map[string]any{"allOrNone": false, "compositeRequest": subs})
		if r.Status != 200 {
			b.Fatalf("%d %s", r.Status, r.Body)
		}
	}
}

// BenchmarkCompositeUpdate24WithRetrieve is the sync engine's push of queued updates: one
// Composite request (allOrNone=false) of 24 conditional PATCHes of Contacts, each with
// If-Unmodified-Since, then one sObject Collections retrieve of the 24 records with the fields
// sync-down reads.
func BenchmarkCompositeUpdate24WithRetrieve(b *testing.B) {
	e := newEnv(b, Options{DailyLimit: 1 << 30})
	var ids []string
	for _, r := range e.query(e.alex, "SELECT Id FROM Contact WHERE OwnerId = '"+e.org.users[0].ID+"' LIMIT 24") {
		ids = append(ids, r["Id"].(string))
	}
	if len(ids) != 24 {
		b.Fatalf("%d contacts owned by alex, want 24", len(ids))
	}
	// The test clock stands still, so every write stamps the same LastModifiedDate; an hour
	// later always satisfies the precondition.
	since := e.clk.Now().Add(time.Hour).Format(http.TimeFormat)
	fields := "Id,FirstName,LastName,Email,Title,Phone,AccountId,OwnerId,LastModifiedDate,SystemModstamp"
	retrieve := v + "/composite/sobjects/Contact?ids=" + strings.Join(ids, ",") + "&fields=" + fields
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		body := compositeUpdateBody(ids, since, retrieve, i)
		r := e.do(e.alex, "POST", v+"/composite", body)
		if r.Status != 200 {
			b.Fatalf("%d %s", r.Status, r.Body)
		}
		if i == 0 {
			var res struct {
				CompositeResponse []struct {
					HTTPStatusCode int `json:"httpStatusCode"`
					Body           any `json:"body"`
				} `json:"compositeResponse"`
			}
			r.json(b, &res)
			for j, s := range res.CompositeResponse {
				if want := map[bool]int{true: 200, false: 204}[j == len(ids)]; s.HTTPStatusCode != want {
					b.Fatalf("subresponse %d: status %d, want %d: %v", j, s.HTTPStatusCode, want, s.Body)
				}
			}
			if got := len(res.CompositeResponse[len(ids)].Body.([]any)); got != len(ids) {
				b.Fatalf("retrieve returned %d records, want %d", got, len(ids))
			}
		}
	}
}

// compositeUpdateBody is the request of BenchmarkCompositeUpdate24WithRetrieve for round i,
// written directly so the benchmark measures the org rather than the client's encoding.
func compositeUpdateBody(ids []string, since, retrieve string, i int) []byte {
	b := make([]byte, 0, 8192)
	b = append(b, `{"allOrNone":false,"compositeRequest":[`...)
	for j, id := range ids {
		b = append(b, `{"method":"PATCH","url":"`+v+`/sobjects/Contact/`...)
		b = append(b, id...)
		b = append(b, `","referenceId":"u`...)
		b = strconv.AppendInt(b, int64(j), 10)
		b = append(b, `","body":{"Title":"T`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, '"')
		if j%2 == 0 {
			b = append(b, `,"Phone":"555-`...)
			b = strconv.AppendInt(b, int64(1000+i%9000), 10)
			b = append(b, '"')
		}
		b = append(b, `},"httpHeaders":{"If-Unmodified-Since":"`...)
		b = append(b, since...)
		b = append(b, `"}},`...)
	}
	b = append(b, `{"method":"GET","url":"`...)
	b = append(b, retrieve...)
	return append(b, `","referenceId":"r0"}]}`...)
}
