package pending

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
	"github.com/offline-edit/offline-edit/remote/netsim"
)

const instanceURL = "https://demo.my.salesforce.com"

// clock is a real clock that tests can move: Set jumps to a moment, and time keeps running from
// there (strictly increasing, so every write gets its own millisecond).
type clock struct {
	mu     sync.Mutex
	offset time.Duration
	last   time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := time.Now().Add(c.offset).UTC()
	if !t.After(c.last) {
		t = c.last.Add(time.Microsecond)
	}
	c.last = t
	return t
}

// Set makes Now return t (and time runs on from there).
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = time.Until(t)
	c.last = time.Time{}
}

// tb is what test helpers need from *testing.T, *testing.B and *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

type harness struct {
	t      *testing.T
	org    *mockorg.Org
	clock  *clock
	net    *netsim.Network
	faults *faultTransport
	client *remote.Client
	path   string
	db     *cache.DB
	eng    *Engine
	users  map[string]mockorg.User
	opts   Options
	ho     harnessOpts
	// orgBehind is how far the org's clock runs behind the device's (harnessOpts.orgBehind
	// to start with); a test may change it, as a device whose clock is set would.
	orgBehind atomic.Int64
}

type harnessOpts struct {
	profile mockorg.Profile
	size    int
	strict  bool
	objects []string
	// noIdentity signs in without the identity URL (as a bare token does): the engine learns
	// the user's id from the org.
	noIdentity bool
	// tokenOf is whose token the client holds (the device's user's when ""), while the device
	// is user's.
	tokenOf string
	// user is whose device it is (alex's when "").
	user string
	// orgBehind sets the org's clock that much behind the device's.
	orgBehind time.Duration
	// extraFields gives objects of the org that many more custom fields (mockorg.Options).
	extraFields map[string]int
}

func newHarness(t testing.TB, ho harnessOpts) *harness {
	t.Helper()
	tt, _ := t.(*testing.T)
	h := &harness{t: tt, clock: &clock{}, users: map[string]mockorg.User{}, ho: ho}
	if ho.profile == "" {
		ho.profile = mockorg.ProfileDemo
	}
	if ho.size == 0 {
		ho.size = 300
	}
	h.orgBehind.Store(int64(ho.orgBehind))
	orgNow := func() time.Time { return h.clock.Now().Add(-time.Duration(h.orgBehind.Load())) }
	org, err := mockorg.Open(mockorg.Options{Seed: 7, Size: ho.size, Now: orgNow, Profile: ho.profile, ExtraFields: ho.extraFields})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = org.Close() })
	org.SetInstanceURL(instanceURL)
	h.org = org
	for _, u := range org.Users() {
		h.users[u.Username] = u
	}
	h.faults = &faultTransport{base: remote.InProcess(org.Handler())}
	h.net = netsim.New(h.faults, 1)
	h.path = filepath.Join(t.TempDir(), "device.db")
	h.opts = Options{Objects: ho.objects, Strict: ho.strict, Now: h.clock.Now, Network: h.net, PerObject: 2000, Seed: 1}
	if len(h.opts.Objects) == 0 {
		h.opts.Objects = []string{"Account", "Contact", "Opportunity"}
	}
	h.open(t)
	t.Cleanup(func() { h.close() })
	return h
}

func (h *harness) open(t tb) {
	t.Helper()
	user := cmp.Or(h.ho.user, "alex@demo.example")
	tok, err := h.org.IssueToken(cmp.Or(h.ho.tokenOf, user))
	if err != nil {
		t.Fatal(err)
	}
	me := h.users[user]
	var eng *Engine
	identity := instanceURL + "/id/00D000000000001AAA/" + me.ID
	if h.ho.noIdentity {
		identity = ""
	}
	h.client, err = remote.NewClient(context.Background(), remote.Config{
		InstanceURL: instanceURL, AccessToken: tok, Transport: h.net, Username: me.Username,
		IdentityURL: identity, APIVersion: "62.0",
		Observe: func(ri remote.RequestInfo) {
			if eng != nil {
				eng.Observe(ri)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.db, err = cache.Open(h.path)
	if err != nil {
		t.Fatal(err)
	}
	eng, err = Open(h.db, h.client, h.opts)
	if err != nil {
		t.Fatal(err)
	}
	// The rest of a second waited before a record is read again passes on the org's clock,
	// not the machine's: tests with many auto-merges would otherwise wait a second each.
	eng.pause = func(_ context.Context, d time.Duration) error {
		h.clock.Set(h.clock.Now().Add(d))
		return nil
	}
	h.eng = eng
}

func (h *harness) close() {
	if h.eng != nil {
		_ = h.eng.Close()
		h.eng = nil
	}
	if h.db != nil {
		_ = h.db.Close()
		h.db = nil
	}
}

// reopen simulates a restart of the app on the same device database.
func (h *harness) reopen(t tb) {
	h.close()
	h.open(t)
}

// as returns a client acting as another user, straight to the org (not through the device's network).
func (h *harness) as(t tb, username string) *remote.Client {
	t.Helper()
	tok, err := h.org.IssueToken(username)
	if err != nil {
		t.Fatal(err)
	}
	c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: instanceURL, AccessToken: tok,
		Transport: remote.InProcess(h.org.Handler()), APIVersion: "62.0", Username: username})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (h *harness) admin(t tb) *remote.MockAdmin {
	tok, err := h.org.IssueToken("admin@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	return remote.NewMockAdmin(instanceURL, tok, remote.InProcess(h.org.Handler()))
}

func (h *harness) sync(t tb) Summary {
	t.Helper()
	s, err := h.eng.Sync(context.Background())
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return s
}

// RowRef names a cached record.
type RowRef struct{ object, id string }

// owned lists the cached records of the objects that alex owns (others' may be shared read-only).
func (h *harness) owned(t tb, objects ...string) []RowRef {
	t.Helper()
	alex := h.users["alex@demo.example"].ID
	var out []RowRef
	for _, o := range objects {
		p, err := h.eng.List(context.Background(), ListQuery{Object: o, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Rows {
			if r.Fields["OwnerId"] == alex {
				out = append(out, RowRef{o, r.ID})
			}
		}
	}
	return out
}

// firstOwned returns a cached record of object owned by alex.
func (h *harness) firstOwned(t tb, object string) RecordView {
	t.Helper()
	alex := h.users["alex@demo.example"].ID
	p, err := h.eng.List(context.Background(), ListQuery{Object: object, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Rows {
		if r.Fields["OwnerId"] == alex && r.Status == "" {
			rv, err := h.eng.Record(context.Background(), object, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			return rv
		}
	}
	t.Fatalf("no %s owned by alex in the cache", object)
	return RecordView{}
}

func (h *harness) entryOf(t tb, recordID string) Entry {
	t.Helper()
	rv, err := h.eng.Record(context.Background(), "", recordID)
	if err != nil {
		t.Fatal(err)
	}
	if rv.Entry == nil {
		t.Fatalf("record %s has no entry", recordID)
	}
	return *rv.Entry
}

func (h *harness) serverRecord(t tb, object, id string) remote.Record {
	t.Helper()
	rec, err := h.as(t, "admin@demo.example").Retrieve(context.Background(), object, id, nil)
	if err != nil {
		t.Fatalf("admin retrieve %s: %v", id, err)
	}
	return rec
}

// faultTransport fails chosen requests: before they reach the org, or after it applied them.
type faultTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	// rule returns what to do with a request: "" pass, "drop" never reaches the org, "lose" the
	// org applies it and the reply is lost, or a status like "503" answered without the org.
	rule func(req *http.Request) string
	seen int
}

var errFaultDropped = errors.New("fault: request dropped")
var errFaultLost = errors.New("fault: reply lost")

func (f *faultTransport) set(rule func(*http.Request) string) {
	f.mu.Lock()
	f.rule = rule
	f.mu.Unlock()
}

func (f *faultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	rule := f.rule
	f.seen++
	f.mu.Unlock()
	action := ""
	if rule != nil {
		action = rule(req)
	}
	switch action {
	case "drop":
		return nil, errFaultDropped
	case "refuse": // no connection made: the org never saw the request
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	case "shortids": // the org's reply, with each RecordId in its 15-character form
		resp, err := f.base.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		body = regexp.MustCompile(`("RecordId":"[A-Za-z0-9]{15})[A-Za-z0-9]{3}"`).ReplaceAll(body, []byte(`$1"`))
		resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		resp.Header.Del("Content-Length")
		return resp, nil
	case "hang": // the org takes the request and holds it (a hung server) until it is given up
		<-req.Context().Done()
		return nil, req.Context().Err()
	case "lose":
		resp, err := f.base.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
		}
		return nil, errFaultLost
	case "":
		return f.base.RoundTrip(req)
	default:
		return synthesized(req, action), nil
	}
}

// editMeetingTheirs has the user change a record offline (mine), another user (the admin) change
// it on the org two seconds later (theirs), and the device come back online (no sync yet).
// changeLaterAsAdmin has the admin change a record on the org two seconds later than the last
// change (the device learns it at its next sync).
func (h *harness) changeLaterAsAdmin(t tb, object, id string, fields remote.Fields) {
	t.Helper()
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := h.as(t, "admin@demo.example").Update(bg, object, id, fields, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) editMeetingTheirs(t tb, object, id string, mine, theirs remote.Fields) {
	t.Helper()
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, object, id, mine); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := h.as(t, "admin@demo.example").Update(bg, object, id, theirs, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
}
