package mockorg

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

type authCode struct {
	UserID      string
	ClientID    string
	RedirectURI string
	Challenge   string
	Method      string
	Expires     time.Time
}

// deviceCode is a pending device-flow sign-in. With no browser here it is approved on the
// second poll as the user named by login_hint (default alex), so clients see authorization_pending once.
type deviceCode struct {
	UserID  string
	Polls   int
	Expires time.Time
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, oauthError{code, desc})
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("mockorg: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// IssueToken returns a new access token for a user, without a password (for embedded use).
func (o *Org) IssueToken(username string) (string, error) {
	u, found := o.userByName(username)
	if !found {
		return "", fmt.Errorf("mockorg: %w: %q", errNoUser, username)
	}
	return o.issueAccess(u), nil
}

func (o *Org) issueAccess(u User) string {
	tok := o.orgID[:15] + "!" + randomToken(32)
	now := o.now()
	o.cfgMu.Lock()
	o.tokens[tok] = session{UserID: u.ID, Issued: now}
	o.cfgMu.Unlock()
	o.mu.Lock()
	o.persistToken(tok, "access", u.ID, now)
	o.mu.Unlock()
	return tok
}

func (o *Org) issueRefresh(u User) string {
	tok := "5Aep" + randomToken(40)
	o.cfgMu.Lock()
	o.refresh[tok] = u.ID
	o.cfgMu.Unlock()
	o.mu.Lock()
	o.persistToken(tok, "refresh", u.ID, o.now())
	o.mu.Unlock()
	return tok
}

// ExpireTokens invalidates every access token of a user (refresh tokens keep working).
func (o *Org) ExpireTokens(username string) error {
	u, found := o.userByName(username)
	if !found {
		return fmt.Errorf("mockorg: %w: %q", errNoUser, username)
	}
	o.cfgMu.Lock()
	for tok, s := range o.tokens {
		if s.UserID == u.ID {
			delete(o.tokens, tok)
		}
	}
	o.cfgMu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	_, err := o.db.Exec(`DELETE FROM tokens WHERE kind='access' AND user_id=?`, u.ID)
	return err
}

// instanceFor is the instance URL to report for a request.
func (o *Org) instanceFor(r *http.Request) string {
	o.cfgMu.Lock()
	set, u := o.instanceSet, o.instanceURL
	o.cfgMu.Unlock()
	if set || r.Host == "" {
		return u
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (o *Org) tokenReply(r *http.Request, u User, access, refresh string) map[string]any {
	inst := o.instanceFor(r)
	issued := strconv.FormatInt(o.now().UnixMilli(), 10)
	id := fmt.Sprintf("%s/id/%s/%s", inst, o.orgID, u.ID)
	sig := sha256.Sum256([]byte(id + issued + access))
	out := map[string]any{
		"access_token": access, "instance_url": inst, "id": id, "token_type": "Bearer",
		"issued_at": issued, "signature": base64.StdEncoding.EncodeToString(sig[:]), "scope": "api refresh_token",
	}
	if refresh != "" {
		out["refresh_token"] = refresh
	}
	return out
}

func (o *Org) serveOAuth(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimSuffix(r.URL.Path, "/") {
	case "/services/oauth2/token":
		if r.Method != http.MethodPost {
			writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "use POST")
			return
		}
		o.token(w, r)
	case "/services/oauth2/authorize":
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "use GET")
			return
		}
		o.authorize(w, r)
	case "/services/oauth2/revoke":
		if err := r.ParseForm(); err != nil {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
			return
		}
		tok := r.Form.Get("token")
		o.cfgMu.Lock()
		_, isAccess := o.tokens[tok]
		_, isRefresh := o.refresh[tok]
		delete(o.tokens, tok)
		delete(o.refresh, tok)
		o.cfgMu.Unlock()
		if !isAccess && !isRefresh {
			writeOAuthError(w, http.StatusBadRequest, "unsupported_token_type", "this token type is not supported")
			return
		}
		o.mu.Lock()
		_, _ = o.db.Exec(`DELETE FROM tokens WHERE token=?`, tok)
		o.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	case "/services/oauth2/userinfo":
		u, aerr := o.authenticate(r)
		if aerr != nil {
			writeResp(w, fail(aerr))
			return
		}
		writeJSON(w, http.StatusOK, o.identity(r, u))
	default:
		writeJSON(w, http.StatusNotFound, errNotFound().Items)
	}
}

func (o *Org) identity(r *http.Request, u User) map[string]any {
	inst := o.instanceFor(r)
	return map[string]any{
		"id": fmt.Sprintf("%s/id/%s/%s", inst, o.orgID, u.ID), "user_id": u.ID, "organization_id": o.orgID,
		"username": u.Username, "preferred_username": u.Username, "email": u.Username, "name": u.Name,
		"display_name": u.Name, "active": true, "user_type": "STANDARD", "is_app_installed": true,
		"urls": map[string]string{
			"rest":     inst + "/services/data/v{version}/",
			"sobjects": inst + "/services/data/v{version}/sobjects/",
			"query":    inst + "/services/data/v{version}/query/",
		},
	}
}

// serveIdentity answers the identity URL (/id/{orgId}/{userId}) for the token's own user.
func (o *Org) serveIdentity(w http.ResponseWriter, r *http.Request) {
	u, aerr := o.authenticate(r)
	if aerr != nil {
		writeResp(w, fail(aerr))
		return
	}
	segs := splitPath(r.URL.Path)
	if len(segs) != 3 || segs[1] != o.orgID || segs[2] != u.ID {
		writeJSON(w, http.StatusForbidden, oauthError{"Bad_Id", "the identity URL does not belong to this token"})
		return
	}
	writeJSON(w, http.StatusOK, o.identity(r, u))
}

func (o *Org) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	f := r.Form
	if f.Get("response_type") == "device_code" && f.Get("grant_type") == "" {
		o.deviceStart(w, r)
		return
	}
	switch f.Get("grant_type") {
	case "device":
		o.devicePoll(w, r, f.Get("code"))
	case "password":
		u, found := o.userByName(f.Get("username"))
		if !found || subtle.ConstantTimeCompare([]byte(f.Get("password")), []byte(Password)) != 1 {
			writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "authentication failure")
			return
		}
		writeJSON(w, http.StatusOK, o.tokenReply(r, u, o.issueAccess(u), ""))
	case "refresh_token":
		o.cfgMu.Lock()
		uid, found := o.refresh[f.Get("refresh_token")]
		o.cfgMu.Unlock()
		u, known := o.userByID(uid)
		if !found || !known {
			writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "expired access/refresh token")
			return
		}
		writeJSON(w, http.StatusOK, o.tokenReply(r, u, o.issueAccess(u), ""))
	case "authorization_code":
		code := f.Get("code")
		o.cfgMu.Lock()
		ac, found := o.codes[code]
		delete(o.codes, code)
		o.cfgMu.Unlock()
		if !found || o.now().After(ac.Expires) {
			writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "invalid authorization code")
			return
		}
		if ac.RedirectURI != f.Get("redirect_uri") {
			writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri must match configuration")
			return
		}
		if ac.ClientID != "" && f.Get("client_id") != "" && ac.ClientID != f.Get("client_id") {
			writeOAuthError(w, http.StatusBadRequest, "invalid_client_id", "client identifier invalid")
			return
		}
		if ac.Challenge != "" {
			verifier := f.Get("code_verifier")
			if verifier == "" {
				writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "invalid code verifier")
				return
			}
			got := verifier
			if ac.Method == "S256" {
				sum := sha256.Sum256([]byte(verifier))
				got = base64.RawURLEncoding.EncodeToString(sum[:])
			}
			if subtle.ConstantTimeCompare([]byte(got), []byte(ac.Challenge)) != 1 {
				writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "invalid code verifier")
				return
			}
		}
		u, _ := o.userByID(ac.UserID)
		writeJSON(w, http.StatusOK, o.tokenReply(r, u, o.issueAccess(u), o.issueRefresh(u)))
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant type not supported")
	}
}

// authorize auto-approves the web-server flow as the user named by login_hint (default alex)
// and redirects to redirect_uri with a one-time code.
func (o *Org) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	if q.Get("response_type") != "code" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_response_type", "response_type must be code")
		return
	}
	if q.Get("client_id") == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client_id", "client_id is required")
		return
	}
	ru, err := url.Parse(redirect)
	if redirect == "" || err != nil || ru.Scheme == "" || ru.Host == "" {
		writeOAuthError(w, http.StatusBadRequest, "redirect_uri_mismatch", "redirect_uri must be an absolute URL")
		return
	}
	method := q.Get("code_challenge_method")
	challenge := q.Get("code_challenge")
	if challenge != "" && method == "" {
		method = "S256"
	}
	if challenge != "" && method != "S256" && method != "plain" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "code_challenge_method must be S256")
		return
	}
	hint := q.Get("login_hint")
	if hint == "" {
		hint = o.users[0].Username
	}
	u, found := o.userByName(hint)
	if !found {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "unknown login_hint user")
		return
	}
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	code := "aPrx" + hex.EncodeToString(raw)
	o.cfgMu.Lock()
	o.codes[code] = authCode{UserID: u.ID, ClientID: q.Get("client_id"), RedirectURI: redirect, Challenge: challenge, Method: method, Expires: o.now().Add(15 * time.Minute)}
	o.cfgMu.Unlock()
	v := ru.Query()
	v.Set("code", code)
	if st := q.Get("state"); st != "" {
		v.Set("state", st)
	}
	ru.RawQuery = v.Encode()
	http.Redirect(w, r, ru.String(), http.StatusFound)
}

func (o *Org) deviceStart(w http.ResponseWriter, r *http.Request) {
	if r.Form.Get("client_id") == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client_id", "client_id is required")
		return
	}
	hint := r.Form.Get("login_hint")
	if hint == "" {
		hint = o.users[0].Username
	}
	u, found := o.userByName(hint)
	if !found {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "unknown login_hint user")
		return
	}
	code := "dev" + randomToken(24)
	user := strings.ToUpper(randomToken(6))[:8]
	o.cfgMu.Lock()
	o.devices[code] = &deviceCode{UserID: u.ID, Expires: o.now().Add(10 * time.Minute)}
	o.cfgMu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code": code, "user_code": user, "verification_uri": o.instanceFor(r) + "/setup/connect", "interval": 1,
	})
}

func (o *Org) devicePoll(w http.ResponseWriter, r *http.Request, code string) {
	o.cfgMu.Lock()
	d, found := o.devices[code]
	pending := false
	if found {
		d.Polls++
		pending = d.Polls < 2
		if !pending {
			delete(o.devices, code)
		}
	}
	o.cfgMu.Unlock()
	switch {
	case !found || o.now().After(d.Expires):
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "expired or unknown device code")
	case pending:
		writeOAuthError(w, http.StatusBadRequest, "authorization_pending", "authorization pending")
	default:
		u, _ := o.userByID(d.UserID)
		writeJSON(w, http.StatusOK, o.tokenReply(r, u, o.issueAccess(u), o.issueRefresh(u)))
	}
}
