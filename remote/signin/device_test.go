package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// fakeSleep records the waits of a device sign-in without waiting; onSleep (1-based count) runs
// during each wait, as the user acting meanwhile.
type fakeSleep struct {
	mu      sync.Mutex
	slept   []time.Duration
	onSleep func(ctx context.Context, n int)
}

func (s *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.slept = append(s.slept, d)
	n := len(s.slept)
	s.mu.Unlock()
	if s.onSleep != nil {
		s.onSleep(ctx, n)
	}
	return ctx.Err()
}

func (s *fakeSleep) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.slept...)
}

// prompts records what the user was shown.
type prompts struct {
	mu  sync.Mutex
	got []DevicePrompt
}

func (p *prompts) show(dp DevicePrompt) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got = append(p.got, dp)
}

func (p *prompts) all() []DevicePrompt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]DevicePrompt(nil), p.got...)
}

// approveOn makes the user approve during the nth wait.
func approveOn(as *authServer, n int) func(context.Context, int) {
	return func(_ context.Context, i int) {
		if i == n {
			as.setDevice("ok")
		}
	}
}

func secs(s ...int) []time.Duration {
	out := make([]time.Duration, len(s))
	for i, v := range s {
		out[i] = time.Duration(v) * time.Second
	}
	return out
}

func sameDurations(a, b []time.Duration) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func TestFromDeviceShowsTheCodeAndSignsInOnceApproved(t *testing.T) {
	as := newAuthServer(t) // its start reply names no interval
	sl := &fakeSleep{onSleep: approveOn(as, 3)}
	p := &prompts{}
	s, err := FromDevice(testCtx(t), nil, DeviceConfig{LoginURL: as.URL(), ClientID: testClientID, Prompt: p.show, Sleep: sl.sleep})
	if err != nil {
		t.Fatalf("FromDevice: %v", err)
	}
	if got := p.all(); len(got) != 1 || got[0].UserCode != testUserCode || got[0].VerificationURI != as.URL()+"/setup/connect" {
		t.Fatalf("prompts = %+v", got)
	}
	if w := sl.waits(); !sameDurations(w, secs(5, 5, 5)) {
		t.Fatalf("waits = %v, want three of the default 5s", w)
	}
	if got := as.seen(); fmt.Sprint(got) != "[device device device]" {
		t.Fatalf("grants = %v", got)
	}
	as.mu.Lock()
	start := as.devStart
	as.mu.Unlock()
	if start.Get("scope") != "api refresh_token" || start.Get("client_id") != testClientID {
		t.Fatalf("start form = %v", start)
	}
	if !as.validAccess(s.AccessToken) || s.InstanceURL != as.URL() || s.Username != testUser || s.Refresh == nil {
		t.Fatalf("session = %v", s)
	}
	tok, err := s.Refresh(testCtx(t))
	if err != nil || !as.validAccess(tok) || tok == s.AccessToken {
		t.Fatalf("Refresh: %v", err)
	}
}

func TestFromDeviceBacksOffWhenToldToSlowDown(t *testing.T) {
	as := newAuthServer(t)
	as.devInterval = 2
	as.slowDowns = 2
	sl := &fakeSleep{onSleep: approveOn(as, 4)}
	if _, err := FromDevice(testCtx(t), nil, DeviceConfig{LoginURL: as.URL(), ClientID: testClientID, Prompt: (&prompts{}).show, Sleep: sl.sleep}); err != nil {
		t.Fatal(err)
	}
	// 2s, slow_down (+5), slow_down (+5), pending, approved.
	if w := sl.waits(); !sameDurations(w, secs(2, 7, 12, 12)) {
		t.Fatalf("waits = %v", w)
	}
}

func TestFromDeviceEndsWithAClearErrorWhenTheSignInCannotComplete(t *testing.T) {
	tests := []struct {
		answer  string
		is      error
		mention string
	}{
		{"access_denied", ErrDeviceDenied, "denied"},
		{"invalid_grant", ErrDeviceExpired, "expired"},
		{"expired_token", ErrDeviceExpired, "start the sign-in again"},
		{"invalid_client_id", nil, "invalid_client_id"},
	}
	for _, tt := range tests {
		t.Run(tt.answer, func(t *testing.T) {
			as := newAuthServer(t)
			as.devInterval = 1
			sl := &fakeSleep{onSleep: func(_ context.Context, n int) {
				if n == 2 {
					as.setDevice(tt.answer)
				}
			}}
			_, err := FromDevice(testCtx(t), nil, DeviceConfig{LoginURL: as.URL(), ClientID: testClientID, Prompt: (&prompts{}).show, Sleep: sl.sleep})
			var oe *OAuthError
			if err == nil || !errors.As(err, &oe) || oe.Code != tt.answer || !strings.Contains(err.Error(), tt.mention) {
				t.Fatalf("err = %v", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("err = %v, want it to wrap %v", err, tt.is)
			}
			if tt.is == nil && (errors.Is(err, ErrDeviceDenied) || errors.Is(err, ErrDeviceExpired)) {
				t.Fatalf("err = %v is neither a denial nor an expiry", err)
			}
			if n := len(sl.waits()); n != 2 {
				t.Fatalf("polled %d times after the final answer, want to stop at once", n)
			}
		})
	}
}

// flakyRT fails the requests whose 1-based numbers are in fail, as a dropped connection.
type flakyRT struct {
	n    atomic.Int32
	fail map[int32]bool
}

func (f *flakyRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.fail[f.n.Add(1)] {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errors.New("read: connection reset by peer")
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestFromDeviceKeepsPollingThroughNetworkAndServerFailures(t *testing.T) {
	as := newAuthServer(t)
	as.devInterval = 1
	as.unavailable = 1
	rt := &flakyRT{fail: map[int32]bool{2: true, 3: true}} // request 1 is the start
	// Polls: reset, reset, 503, pending, approved.
	sl := &fakeSleep{onSleep: approveOn(as, 5)}
	s, err := FromDevice(testCtx(t), rt, DeviceConfig{LoginURL: as.URL(), ClientID: testClientID, Prompt: (&prompts{}).show, Sleep: sl.sleep})
	if err != nil {
		t.Fatal(err)
	}
	if !as.validAccess(s.AccessToken) || len(sl.waits()) != 5 {
		t.Fatalf("session %v after %d waits", s, len(sl.waits()))
	}
}

func TestFromDeviceStopsWhenTheContextEnds(t *testing.T) {
	t.Run("cancelled while waiting", func(t *testing.T) {
		as := newAuthServer(t)
		ctx, cancel := context.WithCancel(testCtx(t))
		defer cancel()
		sl := &fakeSleep{onSleep: func(_ context.Context, n int) {
			if n == 2 {
				cancel()
			}
		}}
		_, err := FromDevice(ctx, nil, DeviceConfig{LoginURL: as.URL(), ClientID: testClientID, Prompt: (&prompts{}).show, Sleep: sl.sleep})
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "not approved in time") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("deadline with the real timer", func(t *testing.T) {
		as := newAuthServer(t)
		as.devInterval = 1
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := FromDevice(ctx, nil, DeviceConfig{LoginURL: as.URL(), ClientID: testClientID, Prompt: (&prompts{}).show})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		if got := as.seen(); len(got) != 0 {
			t.Fatalf("polled before the first interval passed: %v", got)
		}
	})
	t.Run("no deadline gets the default", func(t *testing.T) {
		as := newAuthServer(t)
		var bounded atomic.Bool
		sl := &fakeSleep{onSleep: func(ctx context.Context, n int) {
			dl, ok := ctx.Deadline()
			bounded.Store(ok && time.Until(dl) <= DefaultSignInTimeout)
			as.setDevice("ok")
		}}
		if _, err := FromDevice(context.Background(), nil, DeviceConfig{LoginURL: as.URL(), ClientID: testClientID, Prompt: (&prompts{}).show, Sleep: sl.sleep}); err != nil {
			t.Fatal(err)
		}
		if !bounded.Load() {
			t.Fatal("the sign-in had no deadline")
		}
	})
}

func TestFromDeviceWithARememberedRefreshTokenSkipsTheDeviceStep(t *testing.T) {
	as := newAuthServer(t)
	store := newMemStore()
	p := &prompts{}
	sl := &fakeSleep{onSleep: approveOn(as, 1)}
	cfg := DeviceConfig{LoginURL: as.URL(), ClientID: testClientID, Prompt: p.show, Sleep: sl.sleep, Store: store}
	first, err := FromDevice(testCtx(t), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.StoreKey() != (OAuthConfig{LoginURL: as.URL(), ClientID: testClientID}).StoreKey() {
		t.Fatalf("store key %q differs from the web-server flow's", cfg.StoreKey())
	}
	if _, ok := store.get(cfg.StoreKey()); !ok {
		t.Fatal("refresh token not remembered")
	}
	second, err := FromDevice(testCtx(t), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.all()) != 1 || second.AccessToken == first.AccessToken || !as.validAccess(second.AccessToken) || second.Refresh == nil {
		t.Fatalf("second run prompted %d times, session %v", len(p.all()), second)
	}
	if got := as.seen(); fmt.Sprint(got) != "[device refresh_token]" {
		t.Fatalf("grants = %v", got)
	}

	// Revoked: forgotten, the device step runs again and the new token is remembered.
	as.revokeAll()
	old, _ := store.get(cfg.StoreKey())
	as.setDevice("")
	sl.mu.Lock()
	sl.slept = nil
	sl.mu.Unlock()
	if _, err := FromDevice(testCtx(t), nil, cfg); err != nil {
		t.Fatal(err)
	}
	if now, ok := store.get(cfg.StoreKey()); !ok || now == old || len(p.all()) != 2 {
		t.Fatalf("after revocation: stored %v, prompted %d times", ok, len(p.all()))
	}
}

func TestFromDeviceStillSignsInWhenTheTokenCannotBeStored(t *testing.T) {
	as := newAuthServer(t)
	store := newMemStore()
	store.saveErr = fmt.Errorf("writing: %w", ErrKeyringUnavailable)
	sl := &fakeSleep{onSleep: approveOn(as, 1)}
	s, err := FromDevice(testCtx(t), nil, DeviceConfig{LoginURL: as.URL(), ClientID: testClientID, Prompt: (&prompts{}).show, Sleep: sl.sleep, Store: store})
	if !errors.Is(err, ErrNotRemembered) || !as.validAccess(s.AccessToken) {
		t.Fatalf("err = %v, session %v", err, s)
	}
}

func TestFromDeviceNeverShowsTheDeviceCodeOrTokens(t *testing.T) {
	as := newAuthServer(t)
	as.echoSecrets = true
	sl := &fakeSleep{onSleep: func(_ context.Context, n int) {
		if n == 1 {
			as.setDevice("invalid_grant")
		}
	}}
	p := &prompts{}
	_, err := FromDevice(testCtx(t), nil, DeviceConfig{LoginURL: as.URL(), ClientID: testClientID, ClientSecret: "client-secret-value-9",
		Prompt: p.show, Sleep: sl.sleep})
	if !errors.Is(err, ErrDeviceExpired) {
		t.Fatalf("err = %v", err)
	}
	as.mu.Lock()
	code := as.devCode
	as.mu.Unlock()
	if code == "" || !strings.Contains(fmtAll(err), "rejected") {
		t.Fatalf("the test server did not echo: %v", err)
	}
	assertNoSecret(t, fmtAll(err)+fmt.Sprint(p.all()), code, "client-secret-value-9")

	// A successful sign-in shows only the user code and page; its tokens stay out of the session's text.
	as2 := newAuthServer(t)
	p2 := &prompts{}
	s, err := FromDevice(testCtx(t), nil, DeviceConfig{LoginURL: as2.URL(), ClientID: testClientID, Store: newMemStore(),
		Prompt: p2.show, Sleep: (&fakeSleep{onSleep: approveOn(as2, 1)}).sleep})
	if err != nil {
		t.Fatal(err)
	}
	as2.mu.Lock()
	var refresh []string
	for tok := range as2.refresh {
		refresh = append(refresh, tok)
	}
	as2.mu.Unlock()
	assertNoSecret(t, fmtAll(s)+fmt.Sprint(p2.all()), append(refresh, s.AccessToken)...)
}

// startServer answers the device start with status and body, and counts polls.
func startServer(t *testing.T, status int, contentType, body string) (string, *atomic.Int32) {
	var polls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.PostForm.Get("grant_type") == "device" {
			polls.Add(1)
			oauthFail(w, 400, "authorization_pending", "pending")
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
	return httptestServer(t, mux), &polls
}

func TestFromDeviceRejectsBadConfigurationAndStartReplies(t *testing.T) {
	const jsonCT = "application/json;charset=UTF-8"
	const dc = "devSecretDeviceCodeFromTheStart0001"
	start := func(fields map[string]any) string {
		m := map[string]any{"device_code": dc, "user_code": "ABCD-EFGH", "verification_uri": "https://login.example.com/setup/connect", "interval": 5}
		for k, v := range fields {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	tests := []struct {
		name   string
		status int
		ct     string
		body   string
		want   string
	}{
		{"refused", 400, jsonCT, `{"error":"invalid_request","error_description":"device flow is not enabled"}`, "Enable for Device Flow"},
		{"not JSON", 200, "text/html", "<html>login</html>", "not JSON"},
		{"malformed", 200, jsonCT, `{"device_code":`, "malformed"},
		{"no device code", 200, jsonCT, start(map[string]any{"device_code": nil}), "no device_code"},
		{"no user code", 200, jsonCT, start(map[string]any{"user_code": nil}), "user_code"},
		{"user code with escapes", 200, jsonCT, start(map[string]any{"user_code": "AB\x1b[2JCD"}), "user_code"},
		{"user code is the device code", 200, jsonCT, start(map[string]any{"user_code": dc}), "user_code"},
		{"no verification uri", 200, jsonCT, start(map[string]any{"verification_uri": nil}), "no verification_uri"},
		{"javascript uri", 200, jsonCT, start(map[string]any{"verification_uri": "javascript:alert(1)"}), "not an http(s) URL"},
		{"uri carrying the device code", 200, jsonCT, start(map[string]any{"verification_uri": "https://x.example.com/c?d=" + dc}), "not a URL to show"},
		{"interval not a number", 200, jsonCT, start(map[string]any{"interval": "soon"}), "interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, polls := startServer(t, tt.status, tt.ct, tt.body)
			p := &prompts{}
			_, err := FromDevice(testCtx(t), nil, DeviceConfig{LoginURL: base, ClientID: testClientID, Prompt: p.show, Sleep: (&fakeSleep{}).sleep})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			assertNoSecret(t, fmtAll(err), dc)
			if len(p.all()) != 0 || polls.Load() != 0 {
				t.Fatalf("prompted %d times, polled %d times after a bad start", len(p.all()), polls.Load())
			}
		})
	}

	configs := []struct {
		name string
		cfg  DeviceConfig
		want string
	}{
		{"no client id", DeviceConfig{Prompt: func(DevicePrompt) {}}, "no client id"},
		{"no prompt", DeviceConfig{ClientID: "x"}, "Prompt"},
		{"plain http login host", DeviceConfig{LoginURL: "http://login.example.com", ClientID: "x", Prompt: func(DevicePrompt) {}}, "plain http"},
	}
	for _, tt := range configs {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := FromDevice(testCtx(t), nil, tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestParseIntervalReadsSecondsAsNumberOrString(t *testing.T) {
	tests := []struct {
		raw  string
		want time.Duration
		err  bool
	}{
		{``, DefaultDeviceInterval, false},
		{`null`, DefaultDeviceInterval, false},
		{`0`, DefaultDeviceInterval, false},
		{`5`, 5 * time.Second, false},
		{`"10"`, 10 * time.Second, false},
		{`2.5`, 2500 * time.Millisecond, false},
		{`0.001`, time.Second, false},
		{`86400`, maxDeviceInterval, false},
		{`1e308`, maxDeviceInterval, false},
		{`-1`, 0, true},
		{`"soon"`, 0, true},
		{`NaN`, 0, true},
	}
	for _, tt := range tests {
		got, err := parseInterval(json.RawMessage(tt.raw))
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("parseInterval(%s) = %v, %v; want %v (error %v)", tt.raw, got, err, tt.want, tt.err)
		}
	}
}

// mockClock is a settable clock for a served mock org.
type mockClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *mockClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *mockClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// servedOrgWithClock serves a mock org whose clock the test moves.
func servedOrgWithClock(t *testing.T) (*mockorg.Org, string, *mockClock) {
	t.Helper()
	clk := &mockClock{t: time.Now()}
	org, err := mockorg.Open(mockorg.Options{Seed: 1, Size: 30, Profile: mockorg.ProfileReal, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = org.Close() })
	srv := httptestServer(t, org.Handler())
	return org, srv, clk
}

// connectAs plays the user on the org's verification page: open it, then submit the form.
func connectAs(t *testing.T, p DevicePrompt, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.Get(p.VerificationURI + "?user_code=" + url.QueryEscape(p.UserCode))
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), p.UserCode) {
		t.Errorf("verification page %d: %s", resp.StatusCode, page)
	}
	form.Set("user_code", p.UserCode)
	resp, err = http.PostForm(p.VerificationURI, form)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	page, _ = io.ReadAll(resp.Body)
	return resp.StatusCode, string(page)
}

func TestMockOrgDeviceSignInApprovedOnTheConnectPage(t *testing.T) {
	org, base, clk := servedOrgWithClock(t)
	p := &prompts{}
	sl := &fakeSleep{onSleep: func(_ context.Context, n int) {
		clk.Advance(5 * time.Second) // the org sees the interval pass
		if n == 2 {                  // the first poll was pending; now the user approves
			status, page := connectAs(t, p.all()[0], url.Values{"username": {"sam@demo.example"}, "password": {mockorg.Password}, "action": {"approve"}})
			if status != http.StatusOK || !strings.Contains(page, "connected as sam@demo.example") {
				t.Errorf("approval page %d: %s", status, page)
			}
		}
	}}
	store := newMemStore()
	cfg := DeviceConfig{LoginURL: base, ClientID: "offline-edit-test", Prompt: p.show, Sleep: sl.sleep, Store: store}
	s, err := FromDevice(testCtx(t), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if w := sl.waits(); !sameDurations(w, secs(5, 5)) {
		t.Fatalf("waits = %v", w)
	}
	if got := p.all(); len(got) != 1 || got[0].VerificationURI != base+"/setup/connect" {
		t.Fatalf("prompts = %+v", got)
	}
	if s.Username != "sam@demo.example" || s.InstanceURL != base || s.Refresh == nil {
		t.Fatalf("session = %v", s)
	}
	var refreshes atomic.Int32
	c := clientFor(t, s, &refreshes)
	if err := queryAccounts(t, c); err != nil {
		t.Fatal(err)
	}
	if err := org.ExpireTokens("sam@demo.example"); err != nil {
		t.Fatal(err)
	}
	if err := queryAccounts(t, c); err != nil || refreshes.Load() != 1 {
		t.Fatalf("query after expiry: %v (refreshes %d)", err, refreshes.Load())
	}
	// Next run: the remembered refresh token, no code to enter.
	if _, err := FromDevice(testCtx(t), nil, cfg); err != nil || len(p.all()) != 1 {
		t.Fatalf("next run: %v, prompted %d times", err, len(p.all()))
	}
}

func TestMockOrgDeviceSignInDeniedOnTheConnectPage(t *testing.T) {
	_, base, clk := servedOrgWithClock(t)
	p := &prompts{}
	sl := &fakeSleep{onSleep: func(_ context.Context, n int) {
		clk.Advance(5 * time.Second)
		if n == 1 {
			// A wrong password first: still pending. Then the deny button.
			if status, _ := connectAs(t, p.all()[0], url.Values{"username": {"sam@demo.example"}, "password": {"guess"}}); status != http.StatusUnauthorized {
				t.Errorf("wrong password answered %d", status)
			}
		}
		if n == 2 {
			if status, page := connectAs(t, p.all()[0], url.Values{"username": {"sam@demo.example"}, "password": {"demo"}, "action": {"deny"}}); status != http.StatusOK || !strings.Contains(page, "Access denied") {
				t.Errorf("deny page %d: %s", status, page)
			}
		}
	}}
	_, err := FromDevice(testCtx(t), nil, DeviceConfig{LoginURL: base, ClientID: "offline-edit-test", Prompt: p.show, Sleep: sl.sleep})
	if !errors.Is(err, ErrDeviceDenied) {
		t.Fatalf("err = %v", err)
	}
	if n := len(sl.waits()); n != 2 {
		t.Fatalf("waits = %d, want 2 (pending, then denied)", n)
	}
}
