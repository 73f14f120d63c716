package pending

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// A UserRecordAccess question lost to the network leaves the access of the records it named
// unknown, which the device takes as the user's to change: the next sync asks again, also in a
// new process (a script's next `offline-edit sync` a minute later).
func TestAnAccessQuestionLostOnceIsAskedAgainByTheNextSync(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id := hiddenAccountOfSam(t, h)
	h.share(t, id, "read")
	var dropped atomic.Int32
	h.faults.set(func(req *http.Request) string {
		if strings.Contains(req.URL.RawQuery, "UserRecordAccess") && dropped.Add(1) == 1 {
			return "drop"
		}
		return ""
	})
	if _, err := h.eng.Sync(bg); err == nil {
		t.Fatal("the sync whose access question was lost did not say so")
	}
	h.faults.set(nil)
	h.reopen(t) // a new process
	h.sync(t)
	rv, err := h.eng.Record(bg, "Account", id)
	if err != nil {
		t.Fatal(err)
	}
	if rv.Access != AccessRead {
		t.Fatalf("a record shared read-only has access %q after a lost UserRecordAccess reply", rv.Access)
	}
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", id, map[string]any{"Phone": "555-0199"}); err == nil {
		t.Fatal("an edit of a record shared read-only was queued")
	}
}
