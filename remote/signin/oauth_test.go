package signin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// memStore is an in-memory TokenStore.
type memStore struct {
	mu      sync.Mutex
	m       map[string]string
	saveErr error
}

func newMemStore() *memStore { return &memStore{m: map[string]string{}} }

func (s *memStore) Load(key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return "", ErrNoStoredToken
	}
	return v, nil
}

func (s *memStore) Save(key, tok string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saveErr != nil {
		return s.saveErr
	}
	s.m[key] = tok
	return nil
}

func (s *memStore) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func (s *memStore) get(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok
}

// fakeBrowser plays the user's browser: it GETs the authorize URL, which approves at once, and
// follows its redirect to the loopback listener. The tamper funcs may alter either URL.
type fakeBrowser struct {
	tamperAuthorize func(q url.Values)
	tamperRedirect  func(q url.Values)
	opened          int
	mu              sync.Mutex
	lastPage        string
	lastStatus      int
	wg              sync.WaitGroup
}

// page waits for the browser to have read the loopback's answer and returns it.
func (b *fakeBrowser) page() (int, string) {
	b.wg.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lastStatus, b.lastPage
}

func (b *fakeBrowser) open(raw string) error {
	b.wg.Add(1)
	defer b.wg.Done()
	b.mu.Lock()
	b.opened++
	b.mu.Unlock()
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if b.tamperAuthorize != nil {
		q := u.Query()
		b.tamperAuthorize(q)
		u.RawQuery = q.Encode()
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u.String())
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return fmt.Errorf("authorize answered %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return err
	}
	if b.tamperRedirect != nil {
		q := loc.Query()
		b.tamperRedirect(q)
		loc.RawQuery = q.Encode()
	}
	resp, err = noFollow.Get(loc.String())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	b.mu.Lock()
	b.lastPage, b.lastStatus = string(page), resp.StatusCode
	b.mu.Unlock()
	return nil
}

func (b *fakeBrowser) timesOpened() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.opened
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestFromOAuthWebServerFlowWithPKCEGivesAWorkingSession(t *testing.T) {
	as := newAuthServer(t)
	b := &fakeBrowser{}
	var shown string
	s, err := FromOAuth(testCtx(t), nil, OAuthConfig{
		LoginURL: as.URL(), ClientID: testClientID, OpenBrowser: b.open, LoginHint: "sam@demo.example",
		ShowURL: func(u string) { shown = u },
	})
	if err != nil {
		t.Fatalf("FromOAuth: %v", err)
	}
	if !as.validAccess(s.AccessToken) {
		t.Fatalf("session token was not issued by the server")
	}
	if s.InstanceURL != as.URL() || s.Username != "sam@demo.example" || s.Refresh == nil ||
		s.IdentityURL != as.URL()+"/id/00D000000000001EAA/005000000000001AAA" {
		t.Fatalf("session = %v", s)
	}
	if status, page := b.page(); status != http.StatusOK || !strings.Contains(page, "Signed in") {
		t.Fatalf("browser page = %d %q", status, page)
	}
	q := as.lastQuery()
	if q.Get("code_challenge_method") != "S256" || q.Get("login_hint") != "sam@demo.example" ||
		q.Get("scope") != "api refresh_token" || !strings.HasPrefix(q.Get("redirect_uri"), "http://localhost:") ||
		!strings.HasSuffix(q.Get("redirect_uri"), RedirectPath) || len(q.Get("state")) < 20 {
		t.Fatalf("authorize query = %v", q)
	}
	if !strings.HasPrefix(shown, as.URL()+"/services/oauth2/authorize?") {
		t.Fatalf("ShowURL got %q", shown)
	}
	if got := as.seen(); len(got) != 1 || got[0] != "authorization_code" {
		t.Fatalf("grants = %v", got)
	}
}

func TestFromOAuthRejectsARedirectWithAnotherState(t *testing.T) {
	as := newAuthServer(t)
	b := &fakeBrowser{tamperRedirect: func(q url.Values) { q.Set("state", "forged-state-value") }}
	_, err := FromOAuth(testCtx(t), nil, OAuthConfig{LoginURL: as.URL(), ClientID: testClientID, OpenBrowser: b.open})
	if !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("err = %v, want ErrStateMismatch", err)
	}
	if len(as.seen()) != 0 {
		t.Fatalf("the code was exchanged despite the wrong state: %v", as.seen())
	}
	if status, _ := b.page(); status != http.StatusBadRequest {
		t.Fatalf("browser got %d, want 400", status)
	}
}

func TestFromOAuthRejectsARedirectWithoutState(t *testing.T) {
	as := newAuthServer(t)
	b := &fakeBrowser{tamperRedirect: func(q url.Values) { q.Del("state") }}
	_, err := FromOAuth(testCtx(t), nil, OAuthConfig{LoginURL: as.URL(), ClientID: testClientID, OpenBrowser: b.open})
	if !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("err = %v, want ErrStateMismatch", err)
	}
}

func TestFromOAuthFailsWhenTheCodeChallengeDoesNotMatchTheVerifier(t *testing.T) {
	as := newAuthServer(t)
	// The challenge reaching the server is not the one derived from this sign-in's verifier.
	b := &fakeBrowser{tamperAuthorize: func(q url.Values) {
		q.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
	}}
	_, err := FromOAuth(testCtx(t), nil, OAuthConfig{LoginURL: as.URL(), ClientID: testClientID, OpenBrowser: b.open})
	if !IsInvalidGrant(err) {
		t.Fatalf("err = %v, want invalid_grant", err)
	}
	if status, page := b.page(); status != http.StatusBadRequest || !strings.Contains(page, "Sign-in failed") {
		t.Fatalf("browser page = %d %q", status, page)
	}
}

func TestFromOAuthReportsAccessDeniedFromTheRedirect(t *testing.T) {
	as := newAuthServer(t)
	b := &fakeBrowser{tamperRedirect: func(q url.Values) {
		q.Del("code")
		q.Set("error", "access_denied")
		q.Set("error_description", "end-user denied authorization")
	}}
	_, err := FromOAuth(testCtx(t), nil, OAuthConfig{LoginURL: as.URL(), ClientID: testClientID, OpenBrowser: b.open})
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Code != "access_denied" || !strings.Contains(err.Error(), "end-user denied") {
		t.Fatalf("err = %v", err)
	}
}

func TestFromOAuthGivesUpWhenNoRedirectArrivesBeforeTheDeadline(t *testing.T) {
	as := newAuthServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := FromOAuth(ctx, nil, OAuthConfig{LoginURL: as.URL(), ClientID: testClientID,
		OpenBrowser: func(string) error { return nil }})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no OAuth redirect") {
		t.Fatalf("err = %v", err)
	}
}

func TestFromOAuthFailsWhenTheBrowserCannotOpenAndTheURLIsNotShown(t *testing.T) {
	as := newAuthServer(t)
	_, err := FromOAuth(testCtx(t), nil, OAuthConfig{LoginURL: as.URL(), ClientID: testClientID,
		OpenBrowser: func(string) error { return errors.New("no display") }})
	if err == nil || !strings.Contains(err.Error(), "no display") {
		t.Fatalf("err = %v", err)
	}
}

func TestFromOAuthRefreshesOnDemandWithTheRefreshToken(t *testing.T) {
	as := newAuthServer(t)
	b := &fakeBrowser{}
	s, err := FromOAuth(testCtx(t), nil, OAuthConfig{LoginURL: as.URL(), ClientID: testClientID, OpenBrowser: b.open})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Refresh(testCtx(t))
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if tok == s.AccessToken || !as.validAccess(tok) {
		t.Fatalf("Refresh gave no new valid token")
	}
	if got := as.seen(); len(got) != 2 || got[1] != "refresh_token" {
		t.Fatalf("grants = %v", got)
	}
	as.revokeAll()
	_, err = s.Refresh(testCtx(t))
	if !IsInvalidGrant(err) || !strings.Contains(err.Error(), "sign in again") {
		t.Fatalf("Refresh after revocation: %v", err)
	}
}

func TestFromOAuthWithoutARefreshTokenCannotRefresh(t *testing.T) {
	as := newAuthServer(t)
	as.issueRT = false
	b := &fakeBrowser{}
	store := newMemStore()
	s, err := FromOAuth(testCtx(t), nil, OAuthConfig{LoginURL: as.URL(), ClientID: testClientID, OpenBrowser: b.open, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	if s.Refresh != nil {
		t.Fatal("Refresh set although the org issued no refresh token")
	}
	if len(store.m) != 0 {
		t.Fatalf("store holds %v", store.m)
	}
}

func TestFromOAuthRemembersTheRefreshTokenAndNextTimeSkipsTheBrowser(t *testing.T) {
	as := newAuthServer(t)
	b := &fakeBrowser{}
	store := newMemStore()
	cfg := OAuthConfig{LoginURL: as.URL(), ClientID: testClientID, OpenBrowser: b.open, Store: store}
	first, err := FromOAuth(testCtx(t), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rt, ok := store.get(cfg.StoreKey())
	if !ok || rt == "" {
		t.Fatalf("refresh token not stored under %q: %v", cfg.StoreKey(), store.m)
	}
	second, err := FromOAuth(testCtx(t), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if b.timesOpened() != 1 {
		t.Fatalf("browser opened %d times, want 1", b.timesOpened())
	}
	if second.AccessToken == first.AccessToken || !as.validAccess(second.AccessToken) || second.Refresh == nil {
		t.Fatalf("second session = %v", second)
	}
	if second.Username != testUser {
		t.Fatalf("username = %q", second.Username)
	}
	if got := as.seen(); len(got) != 2 || got[1] != "refresh_token" {
		t.Fatalf("grants = %v", got)
	}
}

func TestFromOAuthForgetsARevokedStoredTokenAndUsesTheBrowser(t *testing.T) {
	as := newAuthServer(t)
	b := &fakeBrowser{}
	store := newMemStore()
	cfg := OAuthConfig{LoginURL: as.URL(), ClientID: testClientID, OpenBrowser: b.open, Store: store}
	store.m[cfg.StoreKey()] = "5AepRevokedRefreshTokenThatTheServerNeverIssued"
	s, err := FromOAuth(testCtx(t), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if b.timesOpened() != 1 || !as.validAccess(s.AccessToken) {
		t.Fatalf("browser opened %d times", b.timesOpened())
	}
	rt, _ := store.get(cfg.StoreKey())
	if rt == "5AepRevokedRefreshTokenThatTheServerNeverIssued" || rt == "" {
		t.Fatalf("stored token = %q, want the new one", rt)
	}
}

func TestFromOAuthStoresARotatedRefreshToken(t *testing.T) {
	as := newAuthServer(t)
	as.rotate = true
	b := &fakeBrowser{}
	store := newMemStore()
	cfg := OAuthConfig{LoginURL: as.URL(), ClientID: testClientID, OpenBrowser: b.open, Store: store}
	s, err := FromOAuth(testCtx(t), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := store.get(cfg.StoreKey())
	if _, err := s.Refresh(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	after, _ := store.get(cfg.StoreKey())
	if after == before {
		t.Fatal("the rotated refresh token was not stored")
	}
	// The rotated token works for the next refresh and the next run.
	if _, err := s.Refresh(testCtx(t)); err != nil {
		t.Fatalf("second refresh: %v", err)
	}
	if _, err := FromOAuth(testCtx(t), nil, cfg); err != nil || b.timesOpened() != 1 {
		t.Fatalf("next run: %v, browser opened %d times", err, b.timesOpened())
	}
}

func TestFromOAuthStillSignsInWhenTheTokenCannotBeStored(t *testing.T) {
	as := newAuthServer(t)
	b := &fakeBrowser{}
	store := newMemStore()
	store.saveErr = fmt.Errorf("writing: %w", ErrKeyringUnavailable)
	s, err := FromOAuth(testCtx(t), nil, OAuthConfig{LoginURL: as.URL(), ClientID: testClientID, OpenBrowser: b.open, Store: store})
	if !errors.Is(err, ErrNotRemembered) || !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if !as.validAccess(s.AccessToken) || s.Refresh == nil {
		t.Fatalf("session not usable: %v", s)
	}
}

func TestFromOAuthRejectsBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		cfg  OAuthConfig
		want string
	}{
		{"no client id", OAuthConfig{LoginURL: "https://login.salesforce.com"}, "no client id"},
		{"plain http login host", OAuthConfig{LoginURL: "http://login.example.com", ClientID: "x"}, "plain http"},
		{"port out of range", OAuthConfig{ClientID: "x", RedirectPort: 70000}, "out of range"},
		{"login URL with query", OAuthConfig{LoginURL: "https://login.salesforce.com/?x=1", ClientID: "x"}, "query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromOAuth(testCtx(t), nil, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestFromOAuthUsesTheGivenRedirectPort(t *testing.T) {
	as := newAuthServer(t)
	lns, port, err := listenLoopback(0) // find a free port, then release it
	if err != nil {
		t.Fatal(err)
	}
	for _, ln := range lns {
		ln.Close()
	}
	b := &fakeBrowser{}
	if _, err := FromOAuth(testCtx(t), nil, OAuthConfig{LoginURL: as.URL(), ClientID: testClientID, OpenBrowser: b.open, RedirectPort: port}); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("http://localhost:%d%s", port, RedirectPath); as.lastQuery().Get("redirect_uri") != want {
		t.Fatalf("redirect_uri = %q, want %q", as.lastQuery().Get("redirect_uri"), want)
	}
}

func TestOAuthErrorsNeverEchoTheFormSecrets(t *testing.T) {
	// A token endpoint that echoes every form value back in its error description.
	var form url.Values
	var mu sync.Mutex
	mux := http.NewServeMux()
	mux.HandleFunc("/services/oauth2/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code=aPrxSecretAuthorizationCode42&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("/services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		form = r.PostForm
		mu.Unlock()
		oauthFail(w, 400, "invalid_grant", "rejected "+r.PostForm.Encode()+" "+strings.Join(
			[]string{r.PostForm.Get("code"), r.PostForm.Get("code_verifier"), r.PostForm.Get("client_secret")}, " "))
	})
	srv := httptestServer(t, mux)
	b := &fakeBrowser{}
	_, err := FromOAuth(testCtx(t), nil, OAuthConfig{LoginURL: srv, ClientID: testClientID, ClientSecret: "client-secret-value-9",
		OpenBrowser: b.open})
	if !IsInvalidGrant(err) {
		t.Fatalf("err = %v", err)
	}
	mu.Lock()
	sent := form
	mu.Unlock()
	if sent.Get("code_verifier") == "" || sent.Get("client_secret") != "client-secret-value-9" {
		t.Fatalf("form = %v", sent)
	}
	_, page := b.page()
	for _, text := range []string{fmtAll(err), page} {
		assertNoSecret(t, text, "aPrxSecretAuthorizationCode42", sent.Get("code_verifier"), "client-secret-value-9")
	}

	// The same for the refresh grant with a stored token.
	store := newMemStore()
	cfg := OAuthConfig{LoginURL: srv, ClientID: testClientID, Store: store, OpenBrowser: b.open}
	store.m[cfg.StoreKey()] = "5AepStoredRefreshTokenValue77"
	_, err = FromOAuth(testCtx(t), nil, cfg)
	if err == nil {
		t.Fatal("sign-in succeeded against a server refusing everything")
	}
	assertNoSecret(t, fmtAll(err), "5AepStoredRefreshTokenValue77")
}

func httptestServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestRedirectHandlerTakesOnlyTheFirstRedirect(t *testing.T) {
	calls := make(chan callback, 1)
	done := make(chan struct{})
	defer close(done)
	h := redirectHandler("the-state", calls, done)
	go func() {
		cb := <-calls
		if cb.err != nil || cb.code != "c1" {
			cb.reply <- fmt.Errorf("unexpected callback %+v", cb)
			return
		}
		cb.reply <- nil
	}()
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest("GET", RedirectPath+"?code=c1&state=the-state", nil))
	second := httptest.NewRecorder()
	h.ServeHTTP(second, httptest.NewRequest("GET", RedirectPath+"?code=c2&state=the-state", nil))
	other := httptest.NewRecorder()
	h.ServeHTTP(other, httptest.NewRequest("GET", "/favicon.ico", nil))
	if first.Code != http.StatusOK || second.Code != http.StatusConflict || other.Code != http.StatusNotFound {
		t.Fatalf("codes = %d %d %d, want 200 409 404", first.Code, second.Code, other.Code)
	}
	if ct := first.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("content type %q", ct)
	}
}

func TestRedirectPageEscapesTheErrorText(t *testing.T) {
	calls := make(chan callback, 1)
	done := make(chan struct{})
	defer close(done)
	h := redirectHandler("s", calls, done)
	go func() { cb := <-calls; cb.reply <- cb.err }()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", RedirectPath+"?error=access_denied&error_description="+
		url.QueryEscape("<script>alert(1)</script>"), nil))
	if rec.Code != http.StatusBadRequest || strings.Contains(rec.Body.String(), "<script>") ||
		!strings.Contains(rec.Body.String(), "&lt;script&gt;") {
		t.Fatalf("page = %d %q", rec.Code, rec.Body.String())
	}
}

func TestDefaultBrowserOpenerRunsXdgOpen(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open is the Linux opener")
	}
	dir := t.TempDir()
	got := filepath.Join(dir, "opened")
	script := "#!/bin/sh\nprintf '%s' \"$1\" > '" + got + "'\n"
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	const u = "https://login.salesforce.com/services/oauth2/authorize?client_id=x&state=y"
	if err := openBrowser(u); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { b, _ := os.ReadFile(got); return string(b) == u })

	t.Setenv("PATH", t.TempDir())
	if err := openBrowser(u); err == nil || !strings.Contains(err.Error(), "xdg-open") {
		t.Fatalf("without xdg-open: %v", err)
	}
}

func TestIdentityLookupNeverSendsTheTokenToAnotherHost(t *testing.T) {
	var got atomic.Value
	other := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`{"username":"mallory@evil.example"}`))
	}))
	mux := http.NewServeMux()
	mux.HandleFunc("/services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"instance_url":%q,"id":%q,"token_type":"Bearer"}`,
			sampleToken, "http://"+r.Host, other+"/id/00D/005")
	})
	s := signInWithStoredRefreshToken(t, mux)
	if got.Load() != nil {
		t.Fatalf("identity request sent to another host with %q", got.Load())
	}
	if s.Username != "alex@acme.com" {
		t.Fatalf("username = %q, want the login hint", s.Username)
	}
}

func TestFromStoredTokenSignsInWithoutEverOpeningABrowser(t *testing.T) {
	as := newAuthServer(t)
	b := &fakeBrowser{}
	store := newMemStore()
	cfg := OAuthConfig{LoginURL: as.URL(), ClientID: testClientID, OpenBrowser: b.open, Store: store}
	if _, err := FromStoredToken(testCtx(t), nil, cfg); !errors.Is(err, ErrNoStoredToken) {
		t.Fatalf("nothing stored: err = %v, want ErrNoStoredToken", err)
	}
	if _, err := FromOAuth(testCtx(t), nil, cfg); err != nil {
		t.Fatal(err)
	}
	s, err := FromStoredToken(testCtx(t), nil, cfg)
	if err != nil || !as.validAccess(s.AccessToken) || s.Refresh == nil {
		t.Fatalf("with a stored token: %v, %v", s, err)
	}
	// A revoked token is forgotten and its refusal returned: still no browser.
	store.m[cfg.StoreKey()] = "5AepRevokedRefreshTokenThatTheServerNeverIssued"
	if _, err := FromStoredToken(testCtx(t), nil, cfg); !IsInvalidGrant(err) {
		t.Fatalf("revoked token: err = %v, want invalid_grant", err)
	}
	if _, ok := store.get(cfg.StoreKey()); ok {
		t.Fatal("a refused token stayed stored")
	}
	if b.timesOpened() != 1 {
		t.Fatalf("browser opened %d times, want only the first sign-in's", b.timesOpened())
	}
}

// A refresh whose token belongs to another instance (the org moved) says where; one that names
// an instance URL that cannot be used is refused.
func TestARefreshOnAnotherInstanceSaysWhere(t *testing.T) {
	var calls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/services/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		inst := "http://" + r.Host
		switch calls.Add(1) {
		case 2:
			inst = "https://moved.my.salesforce.com"
		case 3:
			inst = "ftp://elsewhere.example"
		}
		fmt.Fprintf(w, `{"access_token":%q,"instance_url":%q,"token_type":"Bearer"}`, sampleToken, inst)
	})
	s := signInWithStoredRefreshToken(t, mux)
	if s.Instance == nil {
		t.Fatal("a refreshable session has no Instance")
	}
	if got := s.Instance(); got != "" {
		t.Fatalf("before any refresh: Instance %q", got)
	}
	if _, err := s.Refresh(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if got := s.Instance(); got != "https://moved.my.salesforce.com" {
		t.Fatalf("after a refresh on another instance: %q", got)
	}
	if _, err := s.Refresh(testCtx(t)); err == nil || !strings.Contains(err.Error(), "bad instance_url") {
		t.Fatalf("a refresh naming ftp://: %v", err)
	}
	if got := s.Instance(); got != "https://moved.my.salesforce.com" {
		t.Fatalf("a refused refresh moved the instance to %q", got)
	}
}

// signInWithStoredRefreshToken signs in through the token endpoint mux serves, with a refresh
// token remembered from before (the browser must not open).
func signInWithStoredRefreshToken(t *testing.T, mux *http.ServeMux) Session {
	t.Helper()
	store := newMemStore()
	cfg := OAuthConfig{LoginURL: httptestServer(t, mux), ClientID: testClientID, Store: store, LoginHint: "alex@acme.com",
		OpenBrowser: func(string) error { return errors.New("the browser must not open") }}
	store.m[cfg.StoreKey()] = "5AepStoredRefreshToken"
	s, err := FromOAuth(testCtx(t), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
