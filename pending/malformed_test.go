package pending

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// htmlComposite lets the org apply every Composite, then answers it with a gateway's HTML error
// page and a 200.
type htmlComposite struct{ base http.RoundTripper }

func (h htmlComposite) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := h.base.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "/composite") {
		return resp, err
	}
	resp.Body.Close()
	body := []byte("<html><body><h1>502 Bad Gateway</h1></body></html>")
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/html"}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// rewriteQueries rewrites the body of every query reply.
type rewriteQueries struct {
	base http.RoundTripper
	fn   func([]byte) []byte
}

func (b rewriteQueries) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.base.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "/query") {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body = b.fn(body)
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

func (h *harness) setTransport(wrap func(http.RoundTripper) http.RoundTripper) (restore func()) {
	h.faults.mu.Lock()
	clean := h.faults.base
	h.faults.base = wrap(clean)
	h.faults.mu.Unlock()
	return func() {
		h.faults.mu.Lock()
		h.faults.base = clean
		h.faults.mu.Unlock()
	}
}

// A Composite answered with what is not JSON is a reply that could not be read, not a network
// failure: the change says so, and so does the activity log the app sends the user to.
func TestAnUnreadableReplyIsSaidToBeOneNotANetworkFailure(t *testing.T) {
	h := newHarness(t, harnessOpts{size: 60, objects: []string{"Account"}})
	h.sync(t)
	acct := h.firstOwned(t, "Account")
	if err := h.eng.Edit(bg, "Account", acct.ID, remote.Fields{"Phone": "555-0168"}); err != nil {
		t.Fatal(err)
	}
	restore := h.setTransport(func(b http.RoundTripper) http.RoundTripper { return htmlComposite{base: b} })
	h.clock.Set(h.clock.Now().Add(time.Minute))
	if _, err := h.eng.Sync(context.Background()); !errors.Is(err, remote.ErrMalformedReply) {
		t.Fatalf("sync ended with %v; want a malformed reply", err)
	}
	en := h.entryOf(t, acct.ID)
	if !strings.Contains(en.Message, "the org's reply could not be read") || strings.Contains(en.Message, "network") {
		t.Errorf("the change says %q", en.Message)
	}
	acts, err := h.eng.Activity(bg, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	said := false
	for _, a := range acts {
		if strings.Contains(a.Note, "sync finished; changes left pending will be retried: the org's reply could not be read") &&
			strings.Contains(a.Note, "malformed reply") {
			said = true
		}
	}
	if !said {
		t.Errorf("the activity log does not say the reply could not be read: %+v", acts[:min(6, len(acts))])
	}
	restore()
	h.clock.Set(h.clock.Now().Add(time.Hour))
	h.sync(t)
	if got := h.serverRecord(t, "Account", acct.ID).Fields["Phone"]; got != "555-0168" {
		t.Fatalf("after the org answered again the phone is %v", got)
	}
}

var lastModified = regexp.MustCompile(`"LastModifiedDate":"[^"]*",?`)

// A record whose LastModifiedDate is no date is a reply that could not be read: the device keeps
// no copy it could not send a change of conditionally, and once the org answers properly
// another user's change is a conflict, not overwritten.
func TestARecordWithAStampThatIsNoDateIsRefusedAsMalformed(t *testing.T) {
	h := newHarness(t, harnessOpts{size: 60, objects: []string{"Account"}})
	restore := h.setTransport(func(b http.RoundTripper) http.RoundTripper {
		return rewriteQueries{base: b, fn: func(body []byte) []byte {
			return lastModified.ReplaceAll(body, []byte(`"LastModifiedDate":"yesterday",`))
		}}
	})
	_, err := h.eng.Sync(context.Background())
	if !errors.Is(err, remote.ErrMalformedReply) || !strings.Contains(err.Error(), `LastModifiedDate is "yesterday", not a date and time`) {
		t.Fatalf("a prime through garbled stamps ended with %v", err)
	}
	restore()
	h.sync(t)
	acct := h.firstOwned(t, "Account")
	h.editMeetingTheirs(t, "Account", acct.ID, remote.Fields{"Phone": "555-MINE"}, remote.Fields{"Phone": "555-THEIRS"})
	h.sync(t)
	if got := h.serverRecord(t, "Account", acct.ID).Fields["Phone"]; got != "555-THEIRS" {
		t.Fatalf("another user's phone became %v", got)
	}
	if en := h.entryOf(t, acct.ID); en.Status != StatusConflict {
		t.Fatalf("the change is %s, want a conflict", en.Status)
	}
}

// A record read without LastModifiedDate (an org that leaves it out) is sent conditionally on
// its SystemModstamp: another user's save since is a conflict.
func TestAnUpdateOfARecordWithoutLastModifiedDateIsConditionalOnItsModstamp(t *testing.T) {
	h := newHarness(t, harnessOpts{size: 60, objects: []string{"Account"}})
	restore := h.setTransport(func(b http.RoundTripper) http.RoundTripper {
		return rewriteQueries{base: b, fn: func(body []byte) []byte { return lastModified.ReplaceAll(body, nil) }}
	})
	defer restore()
	h.sync(t)
	acct := h.firstOwned(t, "Account")
	if rec, err := h.eng.DB().Record(bg, acct.ID); err != nil || !rec.Version.LastModifiedDate.IsZero() || rec.Version.SystemModstamp.IsZero() {
		t.Fatalf("the cached version is %+v (%v), want a SystemModstamp alone", rec.Version, err)
	}
	h.editMeetingTheirs(t, "Account", acct.ID, remote.Fields{"Phone": "555-MINE"}, remote.Fields{"Phone": "555-THEIRS"})
	h.sync(t)
	if got := h.serverRecord(t, "Account", acct.ID).Fields["Phone"]; got != "555-THEIRS" {
		t.Fatalf("another user's phone became %v", got)
	}
	if en := h.entryOf(t, acct.ID); en.Status != StatusConflict {
		t.Fatalf("the change is %s, want a conflict", en.Status)
	}
}

// The log's note of a conflict names the other user: by name where the device knows it, else by
// id, which the log names once a sync has learnt the name.
func TestTheLogsConflictNoteNamesTheOtherUser(t *testing.T) {
	h := newHarness(t, harnessOpts{size: 60, objects: []string{"Account"}})
	h.sync(t)
	acct := h.firstOwned(t, "Account")
	admin := h.users["admin@demo.example"].ID
	// The device forgets the admin's name: the conflict is found before it is learnt again.
	if _, err := h.eng.DB().SQL().Exec(`DELETE FROM users WHERE id = ?`, admin); err != nil {
		t.Fatal(err)
	}
	h.editMeetingTheirs(t, "Account", acct.ID, remote.Fields{"Phone": "555-MINE"}, remote.Fields{"Phone": "555-THEIRS"})
	h.sync(t)
	acts, err := h.eng.Activity(bg, acct.ID, 20)
	if err != nil {
		t.Fatal(err)
	}
	var raw string
	if err := h.eng.DB().SQL().QueryRow(`SELECT note FROM activity WHERE note LIKE 'conflict:%' ORDER BY id DESC LIMIT 1`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw, "conflict: Another user ("+admin+") changed Account Phone") {
		t.Fatalf("the note as written: %q", raw)
	}
	if !hasNote(acts, "conflict: Ada Admin changed Account Phone") {
		t.Fatalf("the log does not name the admin: %+v", acts)
	}
	// Known when the conflict is found: named as it is written.
	if err := h.eng.Resolve(bg, h.entryOf(t, acct.ID).ID, map[string]Choice{"Phone": {Take: TakeMine}}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	h.editMeetingTheirs(t, "Account", acct.ID, remote.Fields{"Phone": "555-MINE2"}, remote.Fields{"Phone": "555-THEIRS2"})
	h.sync(t)
	if err := h.eng.DB().SQL().QueryRow(`SELECT note FROM activity WHERE note LIKE 'conflict:%' ORDER BY id DESC LIMIT 1`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw, "conflict: Ada Admin changed Account Phone") {
		t.Fatalf("the note as written once the name is known: %q", raw)
	}
}
