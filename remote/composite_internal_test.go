package remote

import (
	"strings"
	"testing"
)

// FuzzInRequestOrder checks that whatever referenceIds a reply carries, matching never panics
// and, when it succeeds, gives each subrequest the one subresponse that names it (or, with no
// referenceIds at all, the one at its position), each used once.
func FuzzInRequestOrder(f *testing.F) {
	f.Add("a,b,c", "a,b,c")
	f.Add("a,b,c", "c,a,b")
	f.Add("a,b", "a,a")
	f.Add("a,b", ",")
	f.Add("a,b,c", "b,,a")
	f.Fuzz(func(t *testing.T, reqs, reps string) {
		rq, rp := strings.Split(reqs, ","), strings.Split(reps, ",")
		if len(rq) != len(rp) || len(rq) > MaxSubrequests {
			return
		}
		seen := map[string]bool{}
		subs := make([]Subrequest, len(rq))
		for i, r := range rq {
			if r == "" || seen[r] {
				return // the client refuses such requests before sending
			}
			seen[r] = true
			subs[i] = Subrequest{ReferenceID: r}
		}
		res := make([]Subresponse, len(rp))
		for i, r := range rp {
			res[i] = Subresponse{ReferenceID: r, StatusCode: 200 + i}
		}
		out, err := inRequestOrder(subs, res)
		if err != nil {
			return
		}
		used := map[int]bool{}
		for i, o := range out {
			j := o.StatusCode - 200
			if used[j] {
				t.Fatalf("subresponse %d given twice: %v → %v", j, rp, out)
			}
			used[j] = true
			if o.ReferenceID != "" && o.ReferenceID != subs[i].ReferenceID {
				t.Fatalf("subrequest %q got the answer to %q", subs[i].ReferenceID, o.ReferenceID)
			}
			if o.ReferenceID == "" && j != i {
				t.Fatalf("a subresponse without referenceId moved from %d to %d", j, i)
			}
		}
	})
}
