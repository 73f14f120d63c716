package mockorg

import (
	"fmt"
	"testing"
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
