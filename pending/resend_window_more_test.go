package pending

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// A 503 on the re-read of an auto-merged update (rereadFresh) holds that change alone: another
// change waiting behind it is sent and the refresh runs.
func TestAFailedReadAgainHoldsOnlyItsOwnChange(t *testing.T) {
	h := newHarness(t, harnessOpts{objects: []string{"Contact"}})
	h.sync(t)
	owned := h.owned(t, "Contact")
	a, b, c := owned[0].id, owned[1].id, owned[2].id
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", a, remote.Fields{"Title": "mine-a"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	admin := h.as(t, "admin@demo.example")
	if err := admin.Update(bg, "Contact", a, remote.Fields{"Phone": "555-0300"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := admin.Update(bg, "Contact", c, remote.Fields{"Phone": "555-0301"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	var patches atomic.Int32
	h.faults.set(func(req *http.Request) string {
		if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/composite") && req.GetBody != nil {
			rc, _ := req.GetBody()
			bb, _ := io.ReadAll(rc)
			if strings.Contains(string(bb), `"PATCH"`) && strings.Contains(string(bb), a) {
				patches.Add(1)
			}
		}
		if req.Method == http.MethodGet && strings.Contains(req.URL.Path, "/sobjects/Contact/"+a) {
			return "503"
		}
		return ""
	})
	h.eng.SetOnline(true)
	sum, err := h.eng.Sync(context.Background())
	t.Logf("sync: err=%v sum=%+v", err, sum)
	if rv, _ := h.eng.Record(bg, "Contact", a); rv.Entry != nil {
		t.Logf("entry a: status=%s msg=%q next=%v", rv.Entry.Status, rv.Entry.Message, rv.Entry.NextAttempt)
	}
	// b edited now, online: the next sync
	if err := h.eng.Edit(bg, "Contact", b, remote.Fields{"Title": "mine-b"}); err != nil {
		t.Fatal(err)
	}
	sum, err = h.eng.Sync(context.Background())
	t.Logf("sync 2: err=%v sum=%+v", err, sum)
	if got := h.serverRecord(t, "Contact", b).Fields["Title"]; got != "mine-b" {
		t.Errorf("b's change, not auto-merged, was not sent: the org has %v", got)
	}
	rv, _ := h.eng.Record(bg, "Contact", c)
	if rv.Fields["Phone"] != "555-0301" {
		t.Errorf("the refresh did not run: c's phone is %v on the device", rv.Fields["Phone"])
	}
	if err != nil {
		t.Errorf("a 503 on one re-read fails the whole sync: %v", err)
	}
}

// A run that stops between the rebase and the re-read (a dropped GET) and a new process after
// it: another user's save in the copy's second is still a conflict (the first run's refresh
// brought it), not overwritten.
func TestAnAutoMergeCutShortByARestartIsStillJudged(t *testing.T) {
	h := newHarness(t, harnessOpts{objects: []string{"Contact"}})
	h.sync(t)
	id := h.firstOwned(t, "Contact").ID
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", id, remote.Fields{"Title": "mine"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(time.Now().UTC().Truncate(time.Second).Add(2*time.Second + 100*time.Millisecond))
	admin := h.as(t, "admin@demo.example")
	if err := admin.Update(bg, "Contact", id, remote.Fields{"Phone": "555-0300"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	// While the device waits out the copy's second, another device (auto-merging against the
	// same change) saves Title in that second; then the device's re-read gets no reply.
	h.eng.pause = func(_ context.Context, d time.Duration) error {
		if err := admin.Update(bg, "Contact", id, remote.Fields{"Title": "theirs"}, remote.WriteOptions{}); err != nil {
			t.Error(err)
		}
		h.clock.Set(h.clock.Now().Add(d))
		return nil
	}
	h.faults.set(func(req *http.Request) string {
		if req.Method == http.MethodGet && strings.Contains(req.URL.Path, "/sobjects/Contact/"+id) {
			return "drop"
		}
		return ""
	})
	h.eng.SetOnline(true)
	_, err := h.eng.Sync(context.Background())
	t.Logf("first sync: %v", err)
	h.faults.set(nil)
	h.reopen(t) // the next `offline-edit sync`, or the app started again
	h.sync(t)
	if got := h.serverRecord(t, "Contact", id).Fields["Title"]; got != "theirs" {
		t.Fatalf("the other user's Title, saved in the base's second, became %v", got)
	}
}

// A UserRecordAccess question cut off by the sync's context (the app quitting, ctrl+c on a
// headless sync) is asked again by the next process.
func TestACancelledAccessQuestionIsAskedAgain(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id := hiddenAccountOfSam(t, h)
	h.share(t, id, "read")
	ctx, cancel := context.WithCancel(context.Background())
	var asked atomic.Int32
	h.faults.set(func(req *http.Request) string {
		if strings.Contains(req.URL.RawQuery, "UserRecordAccess") && asked.Add(1) == 1 {
			cancel()
			return "hang"
		}
		return ""
	})
	_, err := h.eng.Sync(ctx)
	t.Logf("first sync: %v", err)
	h.faults.set(nil)
	h.reopen(t)
	h.sync(t)
	rv, err := h.eng.Record(bg, "Account", id)
	if err != nil {
		t.Fatal(err)
	}
	if rv.Access != AccessRead {
		t.Fatalf("a record shared read-only has access %q after the access question was cut off", rv.Access)
	}
}

// A UserRecordAccess question the org keeps failing (a 500) leaves every sync saying so, and
// the objects after it are refreshed all the same.
func TestAnAccessQuestionFailingEveryRunLetsTheOtherObjectsRefresh(t *testing.T) {
	h := newHarness(t, harnessOpts{objects: []string{"Account", "Contact"}})
	id := hiddenAccountOfSam(t, h)
	h.share(t, id, "read")
	h.faults.set(func(req *http.Request) string {
		if strings.Contains(req.URL.RawQuery, "UserRecordAccess") {
			return "500"
		}
		return ""
	})
	_, err := h.eng.Sync(context.Background())
	t.Logf("sync 1: %v", err)
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	_, err = h.eng.Sync(context.Background())
	t.Logf("sync 2: %v", err)
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	_, err = h.eng.Sync(context.Background())
	t.Logf("sync 3: %v", err)
	p, _ := h.eng.List(bg, ListQuery{Object: "Contact", Limit: 5})
	t.Logf("contacts cached: %d", len(p.Rows))
	if len(p.Rows) == 0 || err == nil || !strings.Contains(err.Error(), "will be retried") {
		t.Fatalf("a failing access question: %v; contacts cached: %d", err, len(p.Rows))
	}
}

// rewriteComposites rewrites the body of every Composite reply.
type rewriteComposites struct {
	base http.RoundTripper
	fn   func([]byte) []byte
}

func (b rewriteComposites) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.base.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "/composite") {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body = b.fn(body)
	resp.Body, resp.ContentLength = io.NopCloser(strings.NewReader(string(body))), int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// stripAll removes LastModifiedDate from every reply.
type stripAll struct{ base http.RoundTripper }

func (b stripAll) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body = regexp.MustCompile(`"LastModifiedDate":"[^"]*",?`).ReplaceAll(body, nil)
	resp.Body, resp.ContentLength = io.NopCloser(strings.NewReader(string(body))), int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// A record read back inside a Composite (the 412's read, which an auto-merge rebases on) whose
// stamps are no dates is no base: the resend keeps its precondition.
func TestACompositeReadBackWhoseStampsAreNoDatesIsNoBase(t *testing.T) {
	h := newHarness(t, harnessOpts{objects: []string{"Contact"}})
	h.sync(t)
	id := h.firstOwned(t, "Contact").ID
	h.editMeetingTheirs(t, "Contact", id, remote.Fields{"Title": "mine"}, remote.Fields{"Phone": "555-0300"})
	restore := h.setTransport(func(b http.RoundTripper) http.RoundTripper {
		return rewriteComposites{base: b, fn: func(body []byte) []byte {
			body = lastModified.ReplaceAll(body, []byte(`"LastModifiedDate":"yesterday",`))
			return regexp.MustCompile(`"SystemModstamp":"[^"]*"`).ReplaceAll(body, []byte(`"SystemModstamp":"yesterday"`))
		}}
	})
	defer restore()
	admin := h.as(t, "admin@demo.example")
	var headers []string
	h.eng.pause = func(_ context.Context, d time.Duration) error {
		h.clock.Set(h.clock.Now().Add(d))
		return nil
	}
	var patches atomic.Int32
	h.faults.set(func(req *http.Request) string {
		if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/composite") && req.GetBody != nil {
			rc, _ := req.GetBody()
			b, _ := io.ReadAll(rc)
			if strings.Contains(string(b), `"PATCH"`) && strings.Contains(string(b), id) {
				headers = append(headers, regexp.MustCompile(`"httpHeaders":\{[^}]*\}`).FindString(string(b)))
				if patches.Add(1) == 2 {
					// another user sets the same field just before the resend
					if err := admin.Update(bg, "Contact", id, remote.Fields{"Title": "theirs"}, remote.WriteOptions{}); err != nil {
						t.Error(err)
					}
				}
			}
		}
		return ""
	})
	sum, err := h.eng.Sync(context.Background())
	t.Logf("sync: %v %+v; PATCH headers: %q", err, sum, headers)
	if got := h.serverRecord(t, "Contact", id).Fields["Title"]; got != "theirs" {
		t.Fatalf("the other user's Title became %v (the resend had no precondition)", got)
	}
}

// A new process every minute (a cron'd `offline-edit sync`) compares the ids only, and the
// periodic access question still comes when it is due.
func TestAScriptSyncingEveryMinuteAsksAccessWhenDue(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id := hiddenAccountOfSam(t, h)
	h.share(t, id, "edit")
	h.sync(t)
	if rv, _ := h.eng.Record(bg, "Account", id); rv.Access != AccessEdit {
		t.Fatalf("access %q", rv.Access)
	}
	h.share(t, id, "read") // downgraded
	for i := 0; i < 6; i++ {
		h.clock.Set(h.clock.Now().Add(time.Minute))
		h.reopen(t)
		h.sync(t)
	}
	if rv, _ := h.eng.Record(bg, "Account", id); rv.Access != AccessRead {
		t.Fatalf("after 6 minutes of syncs each a minute apart, a record shared read-only has access %q", rv.Access)
	}
}
func TestOneProcessAsksAccessWhenDue(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	id := hiddenAccountOfSam(t, h)
	h.share(t, id, "edit")
	h.sync(t)
	if rv, _ := h.eng.Record(bg, "Account", id); rv.Access != AccessEdit {
		t.Fatalf("access %q", rv.Access)
	}
	h.share(t, id, "read") // downgraded
	for i := 0; i < 6; i++ {
		h.clock.Set(h.clock.Now().Add(time.Minute))

		h.sync(t)
	}
	if rv, _ := h.eng.Record(bg, "Account", id); rv.Access != AccessRead {
		t.Fatalf("after 6 minutes of syncs each a minute apart, a record shared read-only has access %q", rv.Access)
	}
}

// Only a copy read in the second its precondition names, or just after, is read again before
// its resend: one read later holds every save of that second.
func TestOnlyACopyReadInItsSecondIsReadAgain(t *testing.T) {
	h := newHarness(t, harnessOpts{size: 20, objects: []string{"Account"}})
	now := h.eng.now()
	for _, c := range []struct {
		lmd  time.Time
		want bool
	}{
		{now, true},
		{now.Add(-500 * time.Millisecond), true},
		{now.Add(-time.Hour), false},
		{time.Time{}, false},
	} {
		if got := h.eng.readInItsSecond(remote.Version{LastModifiedDate: c.lmd}); got != c.want {
			t.Errorf("a copy last modified %v before now: %v, want %v", now.Sub(c.lmd), got, c.want)
		}
	}
}
