package tui

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// servedOrg is the mock org served over HTTP on a local port, as `serve` does: it can be
// stopped, leaving nothing listening there, and started again on the same address.
type servedOrg struct {
	t    *testing.T
	org  *mockorg.Org
	addr string
	srv  *http.Server
}

func (s *servedOrg) start() {
	s.t.Helper()
	addr := s.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	var err error
	for try := 0; try < 50; try++ { // the port the stopped server left may take a moment to free
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("listen on %s: %v", addr, err)
	}
	s.addr = ln.Addr().String()
	s.srv = &http.Server{Handler: s.org.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
}

func (s *servedOrg) stop() {
	if s.srv != nil {
		_ = s.srv.Close()
		s.srv = nil
	}
}

// newServedWorld is the real engine of alex on a mock org reached over a real local port.
func newServedWorld(t *testing.T) (*world, *servedOrg) {
	t.Helper()
	ctx := context.Background()
	w := &world{clk: &clock{t: time.Date(2024, 3, 4, 10, 30, 0, 0, time.UTC)}}
	org, err := mockorg.Open(mockorg.Options{Seed: 1, Size: 120, Now: w.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = org.Close() })
	w.org = org
	served := &servedOrg{t: t, org: org}
	served.start()
	t.Cleanup(served.stop)
	tok, err := org.IssueToken("alex@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	client, err := remote.NewClient(ctx, remote.Config{InstanceURL: "http://" + served.addr, AccessToken: tok, Username: "alex@demo.example"})
	if err != nil {
		t.Fatal(err)
	}
	db, err := cache.Open(filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := pending.Open(db, client, pending.Options{Now: w.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close(); _ = db.Close() })
	w.eng = eng
	if _, err := eng.Sync(ctx); err != nil {
		t.Fatalf("prime: %v", err)
	}
	return w, served
}

func TestStoryServedOrgStopsAndTheStatusBarSaysItIsUnreachableUntilItIsBack(t *testing.T) {
	w, served := newServedWorld(t)
	s := newStorySized(t, w, 80, 24)
	s.wait(" ONLINE ", "0 pending")
	served.stop()
	// Off and on again: the sync that going online starts finds nothing listening.
	s.switchOnline(false)
	s.switchOnline(true)
	// The golden leaves the message line's note out, as it goes with the next key or its timer:
	// the status bar tells on its own.
	s.golden("unreachable", "ONLINE · org unreachable, retrying")
	s.press("enter")
	s.wait("ONLINE · org unreachable, retrying", "records")
	// A change made meanwhile waits for the org, and the bar goes on saying why.
	s.press("enter")
	s.wait("[e] Edit")
	s.press("e")
	s.wait("▸ Account Name")
	s.press("ctrl+u", "Unreachable Edit Co", "ctrl+s")
	s.wait("● Waiting to sync", "1 pending", "ONLINE · org unreachable, retrying")
	// The org is back: the change, whose sends got no reply, goes with the first run that
	// reaches it (no backoff grown during the outage holds it), and the bar says ONLINE alone.
	served.start()
	s.switchOnline(false)
	s.switchOnline(true)
	s.wait(" ONLINE  0 pending")
	if v := s.view(); strings.Contains(v, "unreachable") {
		t.Fatalf("the org is back and the bar still says it is out of reach:\n%s", v)
	}
}

func TestStoryUnsharedRecordTurnsRedAndSaysTheOrgsNotFoundIsAboutAccess(t *testing.T) {
	w := newWorld(t)
	acct := w.firstAccount(t)
	s := newStory(t, w)
	s.goOffline()
	s.renameFirstAccount("Lost Access Co")
	s.wait("● Waiting to sync")
	ctx := context.Background()
	// The admin gives the record to sam and takes it away from alex.
	sam := ""
	for _, u := range w.org.Users() {
		if u.Username == "sam@demo.example" {
			sam = u.ID
		}
	}
	if err := w.admin.Update(ctx, "Account", acct.ID, remote.Fields{"OwnerId": sam}, remote.WriteOptions{}); err != nil {
		t.Fatalf("change owner to sam (%q): %v", sam, err)
	}
	if err := w.mock.Share(ctx, acct.ID, "alex@demo.example", "none"); err != nil {
		t.Fatalf("unshare: %v", err)
	}
	s.press("o")
	s.wait("Sync needs your attention")
	s.press("esc")
	s.golden("record_no_access", "tab next", "✖ Can't be saved: you no longer have access", "The org said NOT_FOUND",
		"[e] Edit (locked)", "✖ 1 can't be saved")
	if e, err := w.eng.Entries(ctx); err != nil || len(e) != 1 || e[0].Cause() != pending.CauseNoAccess {
		t.Fatalf("the queue holds %+v (%v), want one change out of reach", e, err)
	}
}
