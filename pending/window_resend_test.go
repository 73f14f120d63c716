package pending

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// After a 412 the engine rebases on the copy it just read and resends. Another user's save of
// the same field in that copy's second (a second device auto-merging against the same change)
// would pass If-Unmodified-Since, which sees whole seconds: the record is read again once the
// second is over, and that save is a conflict, not overwritten.
func TestAnAutoMergedResendDoesNotOverwriteASaveInTheSameSecond(t *testing.T) {
	for _, c := range []struct {
		name    string
		profile mockorg.Profile
		wrap    func(http.RoundTripper) http.RoundTripper
	}{
		{"stamps to the millisecond", "", nil},
		{"stamps in whole seconds", mockorg.ProfileReal, nil},
		// Conditional on SystemModstamp: the wait goes by it too.
		{"no LastModifiedDate", "", func(b http.RoundTripper) http.RoundTripper { return stripAll{base: b} }},
	} {
		t.Run(c.name, func(t *testing.T) { sameSecondResend(t, c.profile, c.wrap) })
	}
}

func sameSecondResend(t *testing.T, profile mockorg.Profile, wrap func(http.RoundTripper) http.RoundTripper) {
	h := newHarness(t, harnessOpts{objects: []string{"Contact"}, profile: profile})
	if wrap != nil {
		defer h.setTransport(wrap)()
	}
	h.sync(t)
	id := h.firstOwned(t, "Contact").ID
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", id, remote.Fields{"Title": "mine"}); err != nil {
		t.Fatal(err)
	}
	// A third writer changes another field: the device's write meets a 412 and auto-merges.
	h.clock.Set(time.Now().UTC().Truncate(time.Second).Add(2*time.Second + 100*time.Millisecond))
	admin := h.as(t, "admin@demo.example")
	if err := admin.Update(bg, "Contact", id, remote.Fields{"Phone": "555-0300"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	var patches atomic.Int32
	var paused time.Duration
	h.eng.pause = func(_ context.Context, d time.Duration) error {
		paused += d
		h.clock.Set(h.clock.Now().Add(d)) // the org's clock goes on meanwhile
		return nil
	}
	h.faults.set(func(req *http.Request) string {
		if req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/composite") || req.GetBody == nil {
			return ""
		}
		rc, _ := req.GetBody()
		b, _ := io.ReadAll(rc)
		if strings.Contains(string(b), `"PATCH"`) && strings.Contains(string(b), id) && patches.Add(1) == 2 {
			// Between the 412's read and the resend, another user sets the same field.
			if err := admin.Update(bg, "Contact", id, remote.Fields{"Title": "theirs"}, remote.WriteOptions{}); err != nil {
				t.Error(err)
			}
		}
		return ""
	})
	h.eng.SetOnline(true)
	h.sync(t)
	org := h.serverRecord(t, "Contact", id).Fields
	if org["Title"] != "theirs" {
		t.Fatalf("the other user's Title became %v", org["Title"])
	}
	if en := h.entryOf(t, id); en.Status != StatusConflict {
		t.Fatalf("the change is %s, want a conflict", en.Status)
	}
	if paused <= 0 || paused > 2*time.Second {
		t.Fatalf("paused %v before reading the record again, want the rest of its second", paused)
	}
}
