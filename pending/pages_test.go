package pending

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// loopingPages answers the refresh query of Accounts with pages that never move on: the first
// page, with its records, points at a locator whose page is that same page again; or (empty) a
// page with no records that says more follow, for ever.
type loopingPages struct {
	base  http.RoundTripper
	empty bool
}

const loopLocator = "/services/data/v62.0/query/01gLOOP-2000"

func (l loopingPages) RoundTrip(req *http.Request) (*http.Response, error) {
	refresh := strings.Contains(req.URL.Query().Get("q"), "FROM Account WHERE SystemModstamp")
	if !refresh && req.URL.Path != loopLocator {
		return l.base.RoundTrip(req)
	}
	page := map[string]any{"totalSize": 5, "done": false, "nextRecordsUrl": loopLocator, "records": []any{}}
	if !l.empty {
		first := req.Clone(req.Context())
		if !refresh {
			// The locator's page is the first page again.
			first.URL.Path = "/services/data/v62.0/query"
			first.URL.RawQuery = "q=" + strings.ReplaceAll("SELECT Id, Name, SystemModstamp FROM Account LIMIT 3", " ", "+")
		}
		resp, err := l.base.RoundTrip(first)
		if err != nil {
			return nil, err
		}
		var orig map[string]any
		err = json.NewDecoder(resp.Body).Decode(&orig)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		page["records"] = orig["records"]
	}
	body, _ := json.Marshal(page)
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// A query answer whose pages never move on (the same locator again, or empty pages said to be
// followed by more) stops the sync with a malformed-reply error instead of holding it for ever,
// and the changes queued are pushed first all the same.
func TestAQueryWhosePagesNeverMoveOnStopsTheSync(t *testing.T) {
	for _, empty := range []bool{false, true} {
		h := newHarness(t, harnessOpts{size: 60, objects: []string{"Account"}})
		h.sync(t)
		acct := h.firstOwned(t, "Account")
		if err := h.eng.Edit(bg, "Account", acct.ID, remote.Fields{"Phone": "555-0166"}); err != nil {
			t.Fatal(err)
		}
		h.faults.mu.Lock()
		h.faults.base = loopingPages{base: h.faults.base, empty: empty}
		h.faults.mu.Unlock()
		h.clock.Set(h.clock.Now().Add(time.Minute))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, err := h.eng.Sync(ctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, remote.ErrMalformedReply) {
			t.Fatalf("empty pages %v: sync ended with %v; want a malformed reply, at once", empty, err)
		}
		if got := h.serverRecord(t, "Account", acct.ID).Fields["Phone"]; got != "555-0166" {
			t.Fatalf("empty pages %v: the queued change was not pushed: org phone %v", empty, got)
		}
	}
}

// A push stopped for a retry says what stopped it: a refusal to retry is the org's answer, not
// the network failing.
func TestAPushLeftForARetrySaysWhatStoppedIt(t *testing.T) {
	for _, tc := range []struct{ action, says string }{
		{"503", "the org could not take the changes now"},
		{"429", "the org could not take the changes now"},
		{"drop", "the network failed"},
	} {
		h := newHarness(t, harnessOpts{size: 60, objects: []string{"Account"}})
		h.sync(t)
		acct := h.firstOwned(t, "Account")
		if err := h.eng.Edit(bg, "Account", acct.ID, remote.Fields{"Phone": "555-0167"}); err != nil {
			t.Fatal(err)
		}
		h.faults.set(func(req *http.Request) string {
			if strings.HasSuffix(req.URL.Path, "/composite") {
				return tc.action
			}
			return ""
		})
		_, err := h.eng.Sync(bg)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Fatalf("%s: sync ended with %v; want it to say %q", tc.action, err, tc.says)
		}
	}
}
