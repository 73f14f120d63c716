package signin

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// servedOrg serves a fresh mock org over loopback HTTP, as `offline-edit serve` does.
func servedOrg(t *testing.T, profile mockorg.Profile) (*mockorg.Org, string) {
	t.Helper()
	org, err := mockorg.Open(mockorg.Options{Seed: 1, Size: 30, Profile: profile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = org.Close() })
	srv := httptest.NewServer(org.Handler())
	t.Cleanup(srv.Close)
	return org, srv.URL
}

// clientFor builds the app's REST client from a session, counting refreshes.
func clientFor(t *testing.T, s Session, refreshes *atomic.Int32) *remote.Client {
	t.Helper()
	cfg := remote.Config{InstanceURL: s.InstanceURL, AccessToken: s.AccessToken, Username: s.Username, IdentityURL: s.IdentityURL}
	if s.Refresh != nil {
		cfg.Refresh = func(ctx context.Context) (string, error) {
			refreshes.Add(1)
			return s.Refresh(ctx)
		}
	}
	c, err := remote.NewClient(testCtx(t), cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// queryAccounts is one authenticated call.
func queryAccounts(t *testing.T, c *remote.Client) error {
	t.Helper()
	_, err := c.Query(testCtx(t), "SELECT Id, Name FROM Account LIMIT 1", 0)
	return err
}

func TestMockOrgPasswordSignInRefreshesAfterTheTokenExpires(t *testing.T) {
	org, base := servedOrg(t, mockorg.ProfileReal)
	s, err := FromPassword(testCtx(t), nil, base, "alex@demo.example", mockorg.Password)
	if err != nil {
		t.Fatal(err)
	}
	var refreshes atomic.Int32
	c := clientFor(t, s, &refreshes)
	if err := queryAccounts(t, c); err != nil {
		t.Fatal(err)
	}
	if err := org.ExpireTokens("alex@demo.example"); err != nil {
		t.Fatal(err)
	}
	if err := queryAccounts(t, c); err != nil {
		t.Fatalf("query after the token expired: %v", err)
	}
	if refreshes.Load() != 1 {
		t.Fatalf("refreshes = %d, want 1", refreshes.Load())
	}
}

func TestMockOrgWrongPasswordIsRefused(t *testing.T) {
	_, base := servedOrg(t, mockorg.ProfileDemo)
	_, err := FromPassword(testCtx(t), nil, base, "alex@demo.example", "not-the-password")
	if !IsInvalidGrant(err) {
		t.Fatalf("err = %v", err)
	}
}

func TestMockOrgTokenSignIn(t *testing.T) {
	_, base := servedOrg(t, mockorg.ProfileReal)
	pw, err := FromPassword(testCtx(t), nil, base, "sam@demo.example", mockorg.Password)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvInstanceURL, base)
	t.Setenv(EnvAccessToken, pw.AccessToken)
	s, err := FromToken("", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := queryAccounts(t, clientFor(t, s, new(atomic.Int32))); err != nil {
		t.Fatal(err)
	}
}

func TestMockOrgSFCLISignInWithARedactedToken(t *testing.T) {
	_, base := servedOrg(t, mockorg.ProfileReal)
	pw, err := FromPassword(testCtx(t), nil, base, "alex@demo.example", mockorg.Password)
	if err != nil {
		t.Fatal(err)
	}
	display := out(`{"status":0,"result":{"accessToken":"`+redactedPlaceholder+`","instanceUrl":"`+base+`","username":"alex@demo.example"}}`, 0)
	show := out(`{"status":0,"result":{"accessToken":"`+pw.AccessToken+`"}}`, 0)
	fakeSF(t, display, show)
	s, err := FromSFCLI(testCtx(t), "demo")
	if err != nil {
		t.Fatal(err)
	}
	if s.AccessToken != pw.AccessToken || s.Username != "alex@demo.example" {
		t.Fatalf("session = %v", s)
	}
	if err := queryAccounts(t, clientFor(t, s, new(atomic.Int32))); err != nil {
		t.Fatal(err)
	}
}

func TestMockOrgOAuthSignInRefreshAndRememberedToken(t *testing.T) {
	org, base := servedOrg(t, mockorg.ProfileReal)
	b := &fakeBrowser{}
	store := newMemStore()
	cfg := OAuthConfig{LoginURL: base, ClientID: "offline-edit-test", OpenBrowser: b.open, Store: store, LoginHint: "sam@demo.example"}
	s, err := FromOAuth(testCtx(t), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.Username != "sam@demo.example" || s.Refresh == nil || s.InstanceURL != base {
		t.Fatalf("session = %v", s)
	}
	if _, ok := store.get(cfg.StoreKey()); !ok {
		t.Fatal("refresh token not remembered")
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

	// Next run: the remembered refresh token signs in without the browser.
	again, err := FromOAuth(testCtx(t), nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if b.timesOpened() != 1 {
		t.Fatalf("browser opened %d times, want 1", b.timesOpened())
	}
	if again.Username != "sam@demo.example" {
		t.Fatalf("username after refresh sign-in = %q", again.Username)
	}
	if err := queryAccounts(t, clientFor(t, again, new(atomic.Int32))); err != nil {
		t.Fatal(err)
	}
}

func TestMockOrgOAuthRejectsAForgedState(t *testing.T) {
	_, base := servedOrg(t, mockorg.ProfileDemo)
	b := &fakeBrowser{tamperRedirect: func(q url.Values) { q.Set("state", "attacker") }}
	_, err := FromOAuth(testCtx(t), nil, OAuthConfig{LoginURL: base, ClientID: "offline-edit-test", OpenBrowser: b.open})
	if !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("err = %v", err)
	}
}

func TestMockOrgOAuthRejectsAPKCEMismatch(t *testing.T) {
	_, base := servedOrg(t, mockorg.ProfileDemo)
	b := &fakeBrowser{tamperAuthorize: func(q url.Values) {
		q.Set("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
	}}
	_, err := FromOAuth(testCtx(t), nil, OAuthConfig{LoginURL: base, ClientID: "offline-edit-test", OpenBrowser: b.open})
	if !IsInvalidGrant(err) || !strings.Contains(err.Error(), "code verifier") {
		t.Fatalf("err = %v", err)
	}
}
