package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// OAuthError is a refusal from the org's OAuth endpoints, e.g. invalid_grant.
type OAuthError struct {
	Status      int    // HTTP status of the token endpoint, 0 for an error on the redirect
	Code        string // "invalid_grant", "invalid_request", "access_denied", ...
	Description string // error_description, stripped of anything that looks like a token
}

func (e *OAuthError) Error() string {
	var b strings.Builder
	b.WriteString("sign-in refused")
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	b.WriteString(": ")
	if e.Code == "" {
		b.WriteString("unknown error")
	} else {
		b.WriteString(e.Code)
	}
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(e.Description)
	}
	return b.String()
}

// IsInvalidGrant reports whether err says the grant (password, code or refresh token) was refused.
func IsInvalidGrant(err error) bool {
	var oe *OAuthError
	return errors.As(err, &oe) && oe.Code == "invalid_grant"
}

// tokenResponse is the token endpoint's success reply.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	InstanceURL  string `json:"instance_url"`
	ID           string `json:"id"`
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope"`
}

// maxTokenBody bounds what is read from the token endpoint.
const maxTokenBody = 1 << 20

// tokenTimeout bounds one token request when the caller's context has no deadline.
const tokenTimeout = 20 * time.Second

// transportError is a token request that got no reply (connection refused, reset, timeout).
type transportError struct{ err error }

// IsUnreachable reports whether a sign-in failed because the org's token endpoint gave no reply
// (connection refused or dropped, timed out, offline), not because it refused.
func IsUnreachable(err error) bool {
	var te *transportError
	return errors.As(err, &te)
}

func (e *transportError) Error() string { return e.err.Error() }

// Unreachable says the org gave no reply (the REST client treats such a failed refresh as a
// network failure, not a refusal).
func (e *transportError) Unreachable() bool { return true }
func (e *transportError) Unwrap() error     { return e.err }

// formSecrets are the values of a token form that must never appear in an error.
func formSecrets(form url.Values) []string {
	var known []string
	for _, k := range []string{"password", "refresh_token", "code", "code_verifier", "client_secret"} {
		if v := form.Get(k); v != "" {
			known = append(known, v)
		}
	}
	return known
}

// postForm sends a form to {loginURL}/services/oauth2/token and returns the body of a 200 JSON
// reply. A refusal is an *OAuthError; a request that got no reply is a *transportError. The
// form's secrets never appear in an error.
func postForm(ctx context.Context, rt http.RoundTripper, loginURL string, form url.Values) ([]byte, error) {
	if rt == nil {
		rt = http.DefaultTransport
	}
	known := formSecrets(form)
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, tokenTimeout)
		defer cancel()
	}
	endpoint := loginURL + "/services/oauth2/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("token request to %s: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	client := &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // never resend credentials to another host
	}}
	resp, err := client.Do(req)
	if err != nil {
		return nil, &transportError{fmt.Errorf("token request to %s: %w", endpoint, scrubURLError(err))}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBody))
	if err != nil {
		return nil, &transportError{fmt.Errorf("reading the reply of %s: %w", endpoint, err)}
	}
	notAnEndpoint := resp.StatusCode == http.StatusNotImplemented || resp.StatusCode == http.StatusHTTPVersionNotSupported
	if resp.StatusCode >= 500 && !notAnEndpoint || resp.StatusCode == http.StatusTooManyRequests {
		// Down, overloaded or in maintenance: no answer to the sign-in, not a refusal of it.
		return nil, &transportError{fmt.Errorf("%s is unavailable (HTTP %d); try again later", endpoint, resp.StatusCode)}
	}
	if resp.StatusCode != http.StatusOK {
		var oe struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(body, &oe) == nil && oe.Error != "" {
			return nil, &OAuthError{Status: resp.StatusCode, Code: scrub(oe.Error, 100, known...), Description: scrub(oe.Description, 300, known...)}
		}
		return nil, &OAuthError{Status: resp.StatusCode, Code: "http_" + fmt.Sprint(resp.StatusCode),
			Description: "unexpected reply from " + endpoint + ": " + scrub(string(body), 200, known...)}
	}
	if ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); ct != "" && ct != "application/json" {
		// A page where the token reply should be: a captive portal or a proxy answered, not the
		// org (or the login URL is wrong).
		return nil, &transportError{fmt.Errorf("%s replied with %s, not JSON (a network login page? is the login URL right?)", endpoint, ct)}
	}
	return body, nil
}

// postToken sends a grant to {loginURL}/services/oauth2/token and decodes the token reply. The
// form's secrets (password, codes, refresh token, client secret) never appear in an error.
func postToken(ctx context.Context, rt http.RoundTripper, loginURL string, form url.Values) (tokenResponse, error) {
	body, err := postForm(ctx, rt, loginURL, form)
	if err != nil {
		return tokenResponse{}, err
	}
	endpoint := loginURL + "/services/oauth2/token"
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		return tokenResponse{}, fmt.Errorf("%s replied with malformed JSON: %w", endpoint, scrubJSONError(err))
	}
	if tr.AccessToken == "" {
		return tokenResponse{}, fmt.Errorf("%s replied without an access_token", endpoint)
	}
	if err := checkToken(tr.AccessToken); err != nil {
		return tokenResponse{}, fmt.Errorf("%s replied with an unusable access_token: %w", endpoint, err)
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "Bearer") {
		return tokenResponse{}, fmt.Errorf("%s replied with token_type %q; only Bearer is supported", endpoint, scrub(tr.TokenType, 40))
	}
	return tr, nil
}

// sessionFrom checks a token reply and builds a session from it (without Refresh).
func sessionFrom(tr tokenResponse, fallbackInstance, username string) (Session, error) {
	inst := tr.InstanceURL
	if inst == "" {
		inst = fallbackInstance
	}
	u, err := CheckInstanceURL(inst)
	if err != nil {
		return Session{}, fmt.Errorf("the token endpoint returned a bad instance_url: %w", err)
	}
	return Session{InstanceURL: u, AccessToken: tr.AccessToken, Username: username, IdentityURL: identityURL(tr.ID)}, nil
}

// scrubURLError drops the URL's query from a transport error (it never carries a token, but a
// form body might be echoed by a proxy; keep only the operation and cause).
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}

// scrubJSONError keeps the type of a JSON error without any quoted input.
func scrubJSONError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("syntax error at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %q has the wrong type", te.Field)
	}
	return errors.New("invalid JSON")
}

// identityURL keeps the token reply's identity URL when it is an absolute http(s) URL.
func identityURL(id string) string {
	u, err := url.Parse(id)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.String()
}
