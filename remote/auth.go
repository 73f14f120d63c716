package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Token is the reply of the OAuth token endpoint. Its String, GoString and Format never print
// the access or refresh token.
type Token struct {
	AccessToken  string
	RefreshToken string
	InstanceURL  string
	ID           string // identity URL …/id/00D…/005…
	IssuedAt     string // epoch milliseconds, as a string
}

// String describes the token without its secrets.
func (t Token) String() string {
	return fmt.Sprintf("remote.Token{InstanceURL: %q, ID: %q, IssuedAt: %q, AccessToken: %s, RefreshToken: %s}",
		t.InstanceURL, t.ID, t.IssuedAt, redactedMark(t.AccessToken), redactedMark(t.RefreshToken))
}

// GoString is String.
func (t Token) GoString() string { return t.String() }

// Format prints String for every verb.
func (t Token) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, t.String()) }

// DefaultTokenTimeout bounds a token request whose context has no deadline.
const DefaultTokenTimeout = 20 * time.Second

// PasswordLogin signs in with the OAuth username-password grant at loginURL
// (POST /services/oauth2/token). Use the returned InstanceURL for API calls.
func PasswordLogin(ctx context.Context, rt http.RoundTripper, loginURL, username, password string) (Token, error) {
	if username == "" {
		return Token{}, errors.New("remote: username is required to sign in")
	}
	form := url.Values{"grant_type": {"password"}, "username": {username}, "password": {password}}
	return TokenRequest(ctx, rt, loginURL, form)
}

// TokenRequest POSTs form to loginURL's /services/oauth2/token and decodes the token reply. OAuth
// errors ({error, error_description}) come back as *Error. Secrets in form never appear in errors.
func TokenRequest(ctx context.Context, rt http.RoundTripper, loginURL string, form url.Values) (Token, error) {
	base, err := normalizeInstanceURL(loginURL)
	if err != nil {
		return Token{}, err
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	if _, ok := ctx.Deadline(); !ok {
		// An org that takes the connection and never answers is out of reach, not a hang.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTokenTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/services/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, fmt.Errorf("remote: building the token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	hc := &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		return Token{}, &transportError{method: http.MethodPost, path: "/services/oauth2/token", err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Token{}, &transportError{method: http.MethodPost, path: "/services/oauth2/token", err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := ParseErrorBody(resp.StatusCode, data)
		for _, k := range []string{"password", "client_secret", "refresh_token", "code", "code_verifier"} {
			if v := form.Get(k); v != "" {
				e.scrub(v)
			}
		}
		return Token{}, e
	}
	var raw struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		InstanceURL  string `json:"instance_url"`
		ID           string `json:"id"`
		IssuedAt     string `json:"issued_at"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return Token{}, fmt.Errorf("remote: token reply: %w: not JSON", ErrMalformedReply)
	}
	if raw.AccessToken == "" {
		return Token{}, fmt.Errorf("remote: token reply: %w: no access_token", ErrMalformedReply)
	}
	inst, err := normalizeInstanceURL(raw.InstanceURL)
	if err != nil {
		return Token{}, fmt.Errorf("remote: token reply: %w: instance_url: %v", ErrMalformedReply, err)
	}
	return Token{AccessToken: raw.AccessToken, RefreshToken: raw.RefreshToken, InstanceURL: inst, ID: raw.ID, IssuedAt: raw.IssuedAt}, nil
}
