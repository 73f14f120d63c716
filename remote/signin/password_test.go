package signin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestFromPasswordSignsInAndRefreshesWithThePasswordGrant(t *testing.T) {
	as := newAuthServer(t)
	s, err := FromPassword(testCtx(t), nil, as.URL(), testUser, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !as.validAccess(s.AccessToken) || s.Username != testUser || s.InstanceURL != as.URL() || s.Refresh == nil ||
		!strings.HasPrefix(s.IdentityURL, as.URL()+"/id/") {
		t.Fatalf("session = %v", s)
	}
	tok, err := s.Refresh(testCtx(t))
	if err != nil || tok == s.AccessToken || !as.validAccess(tok) {
		t.Fatalf("Refresh = valid:%t, %v", as.validAccess(tok), err)
	}
	if got := as.seen(); len(got) != 2 || got[0] != "password" || got[1] != "password" {
		t.Fatalf("grants = %v", got)
	}
}

func TestFromPasswordUsesTheGivenTransport(t *testing.T) {
	as := newAuthServer(t)
	var n atomic.Int32
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		n.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})
	if _, err := FromPassword(testCtx(t), rt, as.URL(), testUser, testPassword); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 1 {
		t.Fatalf("transport used %d times", n.Load())
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestFromPasswordWrongPasswordIsInvalidGrantWithoutThePassword(t *testing.T) {
	as := newAuthServer(t)
	_, err := FromPassword(testCtx(t), nil, as.URL(), testUser, "wrong-password-123")
	if !IsInvalidGrant(err) || !strings.Contains(err.Error(), "authentication failure") {
		t.Fatalf("err = %v", err)
	}
	assertNoSecret(t, err.Error(), "wrong-password-123")
	assertNoSecret(t, fmtAll(err), "wrong-password-123")
}

func TestFromPasswordRejectsBadInput(t *testing.T) {
	tests := []struct{ name, login, user, pw, want string }{
		{"no user", "http://127.0.0.1:1", "", "pw", "no user name"},
		{"no password", "http://127.0.0.1:1", "u", "", "no password"},
		{"bad login URL", "127.0.0.1:1", "u", "pw", "login URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromPassword(testCtx(t), nil, tt.login, tt.user, tt.pw)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestTokenEndpointRepliesThatAreNotUsableGiveClearErrors(t *testing.T) {
	leak := "00D000000000001!AQ4AQLeakedTokenInAnErrorBody0123456789"
	tests := []struct {
		name        string
		status      int
		ctype       string
		body        string
		want        string
		unreachable bool // no answer from the org's sign-in (retry later), not a refusal
	}{
		{"html error page", 500, "text/html", "<html>Server error " + leak + "</html>", "HTTP 500", true},
		{"maintenance", 503, "application/json", `{"error":"server_unavailable"}`, "HTTP 503", true},
		{"too many requests", 429, "text/plain", "slow down", "HTTP 429", true},
		// A server that does not take POST there (python3 -m http.server) is no org, and never
		// will be: not a sign-in to try again later.
		{"not implemented", 501, "text/html", "<html>Unsupported method ('POST')</html>", "http_501", false},
		{"html on success", 200, "text/html", "<html>login page</html>", "not JSON", true},
		{"malformed JSON", 200, "application/json", `{"access_token":`, "malformed JSON", false},
		{"no access token", 200, "application/json", `{"instance_url":"https://x.my.salesforce.com"}`, "without an access_token", false},
		{"bad instance URL", 200, "application/json", `{"access_token":"` + leak + `","instance_url":"http://evil.example.com"}`, "bad instance_url", false},
		{"not a bearer token", 200, "application/json", `{"access_token":"` + leak + `","instance_url":"https://x.my.salesforce.com","token_type":"MAC"}`, "only Bearer", false},
		{"oauth error mentioning a token", 400, "application/json", `{"error":"invalid_grant","error_description":"bad ` + leak + `"}`, "invalid_grant", false},
		{"redacted token", 200, "application/json", `{"access_token":"[REDACTED]","instance_url":"https://x.my.salesforce.com"}`, "unusable", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			_, err := FromPassword(testCtx(t), nil, srv.URL, testUser, testPassword)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if IsUnreachable(err) != tt.unreachable {
				t.Fatalf("IsUnreachable(%v) = %v, want %v", err, IsUnreachable(err), tt.unreachable)
			}
			assertNoSecret(t, fmtAll(err), leak, testPassword)
		})
	}
}

func TestTokenEndpointUnreachableIsAClearError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := FromPassword(testCtx(t), nil, url, testUser, testPassword)
	if err == nil || !strings.Contains(err.Error(), "token request to "+url) {
		t.Fatalf("err = %v", err)
	}
	assertNoSecret(t, fmtAll(err), testPassword)
}

func TestTokenEndpointHonoursCancellation(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := FromPassword(ctx, nil, srv.URL, testUser, testPassword)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestConcurrentRefreshesShareOneSignIn(t *testing.T) {
	var calls atomic.Int32
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	r := &refresher{fn: func(ctx context.Context) (string, error) {
		calls.Add(1)
		entered <- struct{}{}
		<-release
		return "new-token", nil
	}}
	const n = 8
	results := make([]string, n)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); results[0], _ = r.refresh(context.Background()) }()
	<-entered
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); results[i], _ = r.refresh(context.Background()) }()
	}
	waitUntil(t, func() bool { r.mu.Lock(); defer r.mu.Unlock(); return r.waiters == n-1 })
	close(release)
	wg.Wait()
	for i, got := range results {
		if got != "new-token" {
			t.Fatalf("caller %d got %q", i, got)
		}
	}
	if c := calls.Load(); c != 1 {
		t.Fatalf("%d refreshes for %d concurrent callers, want 1", c, n)
	}
	// Once it has finished, the next call refreshes again.
	go func() { <-entered }()
	if _, err := r.refresh(context.Background()); err != nil || calls.Load() != 2 {
		t.Fatalf("sequential refresh: calls %d, %v", calls.Load(), err)
	}
}

// waitUntil polls cond until it holds, failing the test after 10 s.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

func TestWaitingForASharedRefreshHonoursTheCallersContext(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	refresh := newRefresh(func(ctx context.Context) (string, error) {
		close(entered)
		<-release
		return "tok", nil
	})
	go func() { _, _ = refresh(context.Background()) }()
	<-entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := refresh(ctx)
	close(release)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// A refresh that signs in again and reaches another org at the same URL (a served org started
// afresh) is refused: the session's requests must not go to an org it did not sign in to.
func TestARefreshThatReachesAnotherOrgIsRefused(t *testing.T) {
	var org atomic.Value
	org.Store("00D000000000001AAA")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		base := "http://" + r.Host
		_, _ = fmt.Fprintf(w, `{"access_token":"tok-%s","instance_url":%q,"id":%q,"token_type":"Bearer"}`,
			org.Load(), base, base+"/id/"+org.Load().(string)+"/005000000000001AAA")
	}))
	defer srv.Close()
	s, err := FromPassword(testCtx(t), nil, srv.URL, testUser, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := s.Refresh(testCtx(t)); err != nil || tok != "tok-00D000000000001AAA" {
		t.Fatalf("refresh on the same org: %q %v", tok, err)
	}
	org.Store("00D000000000002AAA")
	if tok, err := s.Refresh(testCtx(t)); !errors.Is(err, ErrOtherOrg) || tok != "" {
		t.Fatalf("refresh reaching another org: %q %v, want ErrOtherOrg", tok, err)
	}
}
