package signin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// DefaultLoginURL is the production login host; sandboxes use https://test.salesforce.com.
const DefaultLoginURL = "https://login.salesforce.com"

// RedirectPath is the path of the loopback redirect URI; the connected app's callback URL must be
// http://localhost:PORT/OauthRedirect.
const RedirectPath = "/OauthRedirect"

// DefaultSignInTimeout bounds FromOAuth when ctx has no deadline of its own.
const DefaultSignInTimeout = 5 * time.Minute

// DefaultScopes are requested when OAuthConfig.Scopes is nil.
var DefaultScopes = []string{"api", "refresh_token"}

// ErrStateMismatch means the redirect carried another state than the one sent: it did not come
// from this sign-in (possibly a forged request), so the sign-in is abandoned.
var ErrStateMismatch = errors.New("the OAuth redirect's state does not match this sign-in; it was rejected")

// ErrNotRemembered is wrapped by FromOAuth's error when the sign-in succeeded but the refresh token
// could not be stored; the returned Session is valid and usable in that case.
var ErrNotRemembered = errors.New("signed in, but the refresh token could not be remembered")

// OAuthConfig configures the OAuth 2.0 web-server flow with PKCE.
type OAuthConfig struct {
	LoginURL     string // default DefaultLoginURL; https://test.salesforce.com for sandboxes, or My Domain
	ClientID     string // the connected app's consumer key (required)
	ClientSecret string // optional (confidential connected apps)
	// RedirectPort is the loopback port; 0 picks a free one. The redirect URI is
	// http://localhost:PORT/OauthRedirect and must match the connected app's callback URL.
	RedirectPort int
	// OpenBrowser opens the authorize URL; nil uses the OS's opener (xdg-open, open, rundll32).
	OpenBrowser func(url string) error
	// Store keeps the refresh token between runs; nil keeps it only in this process.
	Store     TokenStore
	LoginHint string   // user name to pre-fill on the login page
	Scopes    []string // nil means DefaultScopes
	// ShowURL, when set, is given the authorize URL before the browser is opened, so the user can
	// open it by hand; then a failure of OpenBrowser does not end the sign-in.
	ShowURL func(url string)
}

// StoreKey is the key under which the refresh token of this configuration is stored.
func (c OAuthConfig) StoreKey() string {
	login := c.LoginURL
	if login == "" {
		login = DefaultLoginURL
	}
	key := strings.TrimRight(login, "/") + " " + c.ClientID
	if c.LoginHint != "" {
		key += " " + c.LoginHint
	}
	return key
}

// FromOAuth signs in with the OAuth 2.0 web-server flow and PKCE (S256): it opens the org's
// authorize page in the browser, receives the code on a loopback redirect (checking state) and
// exchanges it. With a refresh token in cfg.Store it first tries the refresh_token grant and skips
// the browser. ctx bounds the whole sign-in (the user's time in the browser included); without a
// deadline, DefaultSignInTimeout applies. The session's Refresh uses the refresh token when the
// org issued one.
func FromOAuth(ctx context.Context, rt http.RoundTripper, cfg OAuthConfig) (Session, error) {
	ctx, cancel := withSignInDeadline(ctx)
	defer cancel()
	if err := cfg.normalise(); err != nil {
		return Session{}, err
	}
	if cfg.RedirectPort < 0 || cfg.RedirectPort > 65535 {
		return Session{}, fmt.Errorf("redirect port %d is out of range", cfg.RedirectPort)
	}
	f := &oauthFlow{cfg: cfg, rt: rt, key: cfg.StoreKey()}
	if s, ok, err := f.remembered(ctx); ok || err != nil {
		return s, err
	}
	return f.browserSignIn(ctx)
}

// withSignInDeadline bounds ctx by DefaultSignInTimeout when it has no deadline of its own.
func withSignInDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, DefaultSignInTimeout)
}

// normalise checks the login URL and client id and fills in the defaults.
func (c *OAuthConfig) normalise() error {
	if c.LoginURL == "" {
		c.LoginURL = DefaultLoginURL
	}
	login, err := CheckInstanceURL(c.LoginURL)
	if err != nil {
		return fmt.Errorf("login URL: %w", err)
	}
	c.LoginURL = login
	c.ClientID = strings.TrimSpace(c.ClientID)
	if c.ClientID == "" {
		return errors.New("no client id: pass --client-id with the connected app's consumer key")
	}
	if c.Scopes == nil {
		c.Scopes = DefaultScopes
	}
	return nil
}

type oauthFlow struct {
	cfg OAuthConfig
	rt  http.RoundTripper
	key string
}

// remembered signs in with the refresh token in the store, if there is one. ok is false when
// there is none, or when it was refused (then it is forgotten) and the interactive sign-in must
// run.
func (f *oauthFlow) remembered(ctx context.Context) (s Session, ok bool, err error) {
	if f.cfg.Store == nil {
		return Session{}, false, nil
	}
	rtok, err := f.cfg.Store.Load(f.key)
	if err != nil || rtok == "" {
		return Session{}, false, nil
	}
	s, err = f.sessionFromRefresh(ctx, rtok)
	switch {
	case err == nil:
		return s, true, nil
	case IsInvalidGrant(err):
		// Revoked or expired: forget it and sign in interactively.
		_ = f.cfg.Store.Delete(f.key)
		return Session{}, false, nil
	default:
		return Session{}, false, fmt.Errorf("signing in with the remembered refresh token: %w", err)
	}
}

// complete builds the session from the token reply of an interactive sign-in and remembers its
// refresh token. When only the remembering failed, the session is returned with an error
// wrapping ErrNotRemembered.
func (f *oauthFlow) complete(ctx context.Context, tr tokenResponse) (Session, error) {
	s, err := f.finish(ctx, tr, tr.RefreshToken)
	if err != nil {
		return Session{}, err
	}
	if f.cfg.Store != nil && tr.RefreshToken != "" {
		if err := f.cfg.Store.Save(f.key, tr.RefreshToken); err != nil {
			return s, fmt.Errorf("%w: %w", ErrNotRemembered, err)
		}
	}
	return s, nil
}

// refreshForm is the refresh_token grant.
func (f *oauthFlow) refreshForm(rtok string) url.Values {
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {rtok},
		"client_id":     {f.cfg.ClientID},
	}
	if f.cfg.ClientSecret != "" {
		form.Set("client_secret", f.cfg.ClientSecret)
	}
	return form
}

// sessionFromRefresh signs in with a stored refresh token.
func (f *oauthFlow) sessionFromRefresh(ctx context.Context, rtok string) (Session, error) {
	tr, err := postToken(ctx, f.rt, f.cfg.LoginURL, f.refreshForm(rtok))
	if err != nil {
		return Session{}, err
	}
	if tr.RefreshToken != "" && tr.RefreshToken != rtok {
		rtok = tr.RefreshToken
		if f.cfg.Store != nil {
			_ = f.cfg.Store.Save(f.key, rtok) // rotation; the old one keeps working until it expires
		}
	}
	return f.finish(ctx, tr, rtok)
}

// finish builds the session and its Refresh from a token reply.
func (f *oauthFlow) finish(ctx context.Context, tr tokenResponse, rtok string) (Session, error) {
	s, err := sessionFrom(tr, "", "")
	if err != nil {
		return Session{}, err
	}
	s.Username = f.identity(ctx, tr, s)
	if rtok != "" {
		moved := &instanceOf{}
		s.Instance = moved.get
		s.Refresh = newRefresh(func(ctx context.Context) (string, error) {
			tr, err := postToken(ctx, f.rt, f.cfg.LoginURL, f.refreshForm(rtok))
			if err != nil {
				if IsInvalidGrant(err) && f.cfg.Store != nil {
					_ = f.cfg.Store.Delete(f.key)
				}
				return "", fmt.Errorf("refreshing the session (sign in again if the refresh token was revoked): %w", err)
			}
			if tr.RefreshToken != "" && tr.RefreshToken != rtok {
				rtok = tr.RefreshToken
				if f.cfg.Store != nil {
					_ = f.cfg.Store.Save(f.key, rtok)
				}
			}
			if tr.InstanceURL != "" {
				inst, err := CheckInstanceURL(tr.InstanceURL)
				if err != nil {
					return "", fmt.Errorf("refreshing the session: the token reply names a bad instance_url: %w", err)
				}
				moved.set(inst)
			}
			return tr.AccessToken, nil
		})
	}
	return s, nil
}

// identity asks the identity URL of the token reply for the user name. It is best effort: the
// token is sent only to the login or instance host, and any failure leaves the name unknown
// (then LoginHint, if given, is used).
func (f *oauthFlow) identity(ctx context.Context, tr tokenResponse, s Session) string {
	if tr.ID == "" {
		return f.cfg.LoginHint
	}
	idURL, err := url.Parse(tr.ID)
	if err != nil {
		return f.cfg.LoginHint
	}
	lu, _ := url.Parse(f.cfg.LoginURL)
	iu, _ := url.Parse(s.InstanceURL)
	sameHost := (lu != nil && idURL.Scheme == lu.Scheme && idURL.Host == lu.Host) ||
		(iu != nil && idURL.Scheme == iu.Scheme && idURL.Host == iu.Host)
	if !sameHost {
		return f.cfg.LoginHint
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, idURL.String(), nil)
	if err != nil {
		return f.cfg.LoginHint
	}
	req.Header.Set("Authorization", "Bearer "+s.AccessToken)
	req.Header.Set("Accept", "application/json")
	rt := f.rt
	if rt == nil {
		rt = http.DefaultTransport
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return f.cfg.LoginHint
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return f.cfg.LoginHint
	}
	var id struct {
		Username string `json:"username"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, maxTokenBody)).Decode(&id) != nil || id.Username == "" {
		return f.cfg.LoginHint
	}
	return scrub(id.Username, 200)
}

// callback is what the loopback redirect delivered.
type callback struct {
	code  string
	err   error
	reply chan error // the outcome, for the page shown in the browser
}

// browserSignIn runs the authorize / redirect / code exchange round.
func (f *oauthFlow) browserSignIn(ctx context.Context) (Session, error) {
	verifier, err := randomString(32)
	if err != nil {
		return Session{}, err
	}
	state, err := randomString(24)
	if err != nil {
		return Session{}, err
	}
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])

	lns, port, err := listenLoopback(f.cfg.RedirectPort)
	if err != nil {
		return Session{}, err
	}
	redirectURI := "http://localhost:" + strconv.Itoa(port) + RedirectPath

	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {f.cfg.ClientID},
		"redirect_uri":          {redirectURI},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
		"state":                 {state},
	}
	if len(f.cfg.Scopes) > 0 {
		q.Set("scope", strings.Join(f.cfg.Scopes, " "))
	}
	if f.cfg.LoginHint != "" {
		q.Set("login_hint", f.cfg.LoginHint)
	}
	authorizeURL := f.cfg.LoginURL + "/services/oauth2/authorize?" + q.Encode()

	calls := make(chan callback, 1)
	done := make(chan struct{})
	srv := &http.Server{
		Handler:           redirectHandler(state, calls, done),
		ReadHeaderTimeout: 10 * time.Second,
	}
	for _, ln := range lns {
		go func() { _ = srv.Serve(ln) }()
	}
	defer func() {
		close(done) // release a handler still waiting for the outcome
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	if f.cfg.ShowURL != nil {
		f.cfg.ShowURL(authorizeURL)
	}
	open := f.cfg.OpenBrowser
	if open == nil {
		open = openBrowser
	}
	browserErr := make(chan error, 1)
	go func() { browserErr <- open(authorizeURL) }()

	var cb callback
	for waiting := true; waiting; {
		select {
		case <-ctx.Done():
			return Session{}, fmt.Errorf("no OAuth redirect reached %s: %w", redirectURI, ctx.Err())
		case err := <-browserErr:
			if err != nil && f.cfg.ShowURL == nil {
				return Session{}, fmt.Errorf("opening the browser for the sign-in: %w", err)
			}
			browserErr = nil // keep waiting for the redirect
		case cb = <-calls:
			waiting = false
		}
	}
	if cb.err != nil {
		cb.reply <- cb.err
		return Session{}, cb.err
	}

	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {cb.code},
		"client_id":     {f.cfg.ClientID},
		"redirect_uri":  {redirectURI},
		"code_verifier": {verifier},
	}
	if f.cfg.ClientSecret != "" {
		form.Set("client_secret", f.cfg.ClientSecret)
	}
	tr, err := postToken(ctx, f.rt, f.cfg.LoginURL, form)
	if err != nil {
		err = fmt.Errorf("exchanging the authorization code at %s: %w", f.cfg.LoginURL, err)
		cb.reply <- err
		return Session{}, err
	}
	s, err := f.complete(ctx, tr)
	if errors.Is(err, ErrNotRemembered) {
		cb.reply <- nil // signed in; only the remembering failed
	} else {
		cb.reply <- err
	}
	return s, err
}

// redirectHandler serves the loopback redirect: the first request to RedirectPath is delivered
// on calls; it answers the browser once the sign-in outcome is known.
func redirectHandler(state string, calls chan<- callback, done <-chan struct{}) http.Handler {
	taken := make(chan struct{}, 1)
	taken <- struct{}{}
	mux := http.NewServeMux()
	mux.HandleFunc(RedirectPath, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-taken:
		default:
			writePage(w, http.StatusConflict, "This sign-in has already finished; you can close this tab.")
			return
		}
		q := r.URL.Query()
		cb := callback{reply: make(chan error, 1)}
		switch {
		case q.Get("error") != "":
			cb.err = &OAuthError{Code: scrub(q.Get("error"), 100), Description: scrub(q.Get("error_description"), 300)}
		case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1:
			cb.err = ErrStateMismatch
		case q.Get("code") == "":
			cb.err = errors.New("the OAuth redirect carried no authorization code")
		default:
			cb.code = q.Get("code")
		}
		select {
		case calls <- cb:
		case <-done:
			writePage(w, http.StatusGone, "This sign-in has ended; start it again from the terminal.")
			return
		}
		answer := func(err error) {
			if err != nil {
				writePage(w, http.StatusBadRequest, "Sign-in failed: "+err.Error())
				return
			}
			writePage(w, http.StatusOK, "Signed in to offline-edit. You can close this tab and return to the terminal.")
		}
		select {
		case err := <-cb.reply:
			answer(err)
		case <-done:
			// The sign-in ended; if it ended on this redirect, its outcome is waiting: say it.
			select {
			case err := <-cb.reply:
				answer(err)
			default:
				writePage(w, http.StatusGone, "This sign-in has ended; start it again from the terminal.")
			}
		case <-r.Context().Done():
		}
	})
	return mux
}

func writePage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><title>offline-edit</title><p>%s</p>\n", html.EscapeString(msg))
}

// listenLoopback listens on 127.0.0.1:port and, when it can, on [::1] at the same port, since
// "localhost" may resolve to either.
func listenLoopback(port int) ([]net.Listener, int, error) {
	ln4, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, 0, fmt.Errorf("listening on localhost:%d for the OAuth redirect (is the port in use?): %w", port, err)
	}
	p := ln4.Addr().(*net.TCPAddr).Port
	lns := []net.Listener{ln4}
	if ln6, err := net.Listen("tcp", net.JoinHostPort("::1", strconv.Itoa(p))); err == nil {
		lns = append(lns, ln6)
	}
	return lns, p, nil
}

// randomString is n random bytes, base64url without padding (43 characters for 32 bytes, as
// PKCE's verifier needs).
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// openBrowser opens url with the OS's handler without waiting for the browser.
func openBrowser(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", cmd.Path, err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// FromStoredToken signs in with the refresh token cfg.Store remembers for this login URL and
// client id, and never interactively: ErrNoStoredToken when there is none; a refused token is
// forgotten and its refusal returned (an *OAuthError). It is how a session opened offline
// signs in once the network is back.
func FromStoredToken(ctx context.Context, rt http.RoundTripper, cfg OAuthConfig) (Session, error) {
	ctx, cancel := withSignInDeadline(ctx)
	defer cancel()
	if err := cfg.normalise(); err != nil {
		return Session{}, err
	}
	if cfg.Store == nil {
		return Session{}, ErrNoStoredToken
	}
	f := &oauthFlow{cfg: cfg, rt: rt, key: cfg.StoreKey()}
	rtok, err := cfg.Store.Load(f.key)
	if err != nil || rtok == "" {
		return Session{}, ErrNoStoredToken
	}
	s, err := f.sessionFromRefresh(ctx, rtok)
	if IsInvalidGrant(err) {
		_ = cfg.Store.Delete(f.key)
	}
	return s, err
}

// StoredTokenConfig is the OAuth configuration whose stored refresh token a device sign-in
// with cfg remembers (the same key as FromOAuth's).
func (c DeviceConfig) StoredTokenConfig() OAuthConfig { return c.oauth() }
