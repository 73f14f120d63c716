package mockorg

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
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

// deviceCode is a device-flow sign-in. It stays pending until someone approves it (UserID set)
// or denies it on the connect page (/setup/connect), or until it expires.
type deviceCode struct {
	UserCode string
	ClientID string
	Hint     string    // login_hint, to pre-fill the connect page
	UserID   string    // set once approved
	Denied   bool      // set once denied
	LastPoll time.Time // zero before the first poll
	Expires  time.Time
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

// accessTokenKept is how long an org on a file keeps the access tokens it issued across
// reopens (the longest session timeout Salesforce offers).
const accessTokenKept = 24 * time.Hour

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
	if o.db == nil {
		return nil
	}
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
		if o.db != nil {
			o.mu.Lock()
			_, _ = o.db.Exec(`DELETE FROM tokens WHERE token=?`, tok)
			o.mu.Unlock()
		}
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

// Device flow timings, as Salesforce's: poll every 5 s, codes live 10 minutes.
const (
	deviceInterval = 5 * time.Second
	deviceLifetime = 10 * time.Minute
	maxDeviceCodes = 1000 // pending sign-ins kept at once
)

// userCodeAlphabet has no vowels (no words) and no look-alikes (0/O, 1/I).
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// newUserCode is eight letters as ABCD-EFGH.
func newUserCode() string {
	raw := make([]byte, 8)
	if _, err := rand.Read(raw); err != nil {
		panic("mockorg: no randomness: " + err.Error())
	}
	b := make([]byte, 0, 9)
	for i, r := range raw {
		if i == 4 {
			b = append(b, '-')
		}
		b = append(b, userCodeAlphabet[int(r)%len(userCodeAlphabet)])
	}
	return string(b)
}

// normalUserCode compares user codes as people type them: any case, with or without the dash
// or spaces.
func normalUserCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

func (o *Org) deviceStart(w http.ResponseWriter, r *http.Request) {
	client := r.Form.Get("client_id")
	if client == "" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_client_id", "client_id is required")
		return
	}
	hint := r.Form.Get("login_hint")
	if hint != "" {
		if _, found := o.userByName(hint); !found {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "unknown login_hint user")
			return
		}
	}
	code := "dev" + randomToken(24)
	now := o.now()
	o.cfgMu.Lock()
	for c, d := range o.devices {
		if !now.Before(d.Expires) {
			delete(o.devices, c)
		}
	}
	full := len(o.devices) >= maxDeviceCodes
	var user string
	if !full {
		user = newUserCode()
		for o.userCodeTaken(user) {
			user = newUserCode()
		}
		o.devices[code] = &deviceCode{UserCode: user, ClientID: client, Hint: hint, Expires: now.Add(deviceLifetime)}
	}
	o.cfgMu.Unlock()
	if full {
		writeOAuthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "too many pending device sign-ins; try again later")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code": code, "user_code": user, "verification_uri": o.instanceFor(r) + "/setup/connect",
		"interval": int(deviceInterval / time.Second),
	})
}

// userCodeTaken reports whether a pending sign-in already shows code; cfgMu is held.
func (o *Org) userCodeTaken(code string) bool {
	for _, d := range o.devices {
		if d.UserCode == code {
			return true
		}
	}
	return false
}

// devicePoll answers one poll of the device grant: authorization_pending until the code is
// approved or denied, slow_down when polled sooner than the interval, invalid_grant once the
// code expired or was used.
func (o *Org) devicePoll(w http.ResponseWriter, r *http.Request, code string) {
	now := o.now()
	client := r.Form.Get("client_id")
	o.cfgMu.Lock()
	d, found := o.devices[code]
	var answer string
	switch {
	case !found:
		answer = "invalid_grant"
	case !now.Before(d.Expires):
		delete(o.devices, code)
		answer = "invalid_grant"
	case client != d.ClientID:
		answer = "invalid_client_id"
	case !d.LastPoll.IsZero() && now.Sub(d.LastPoll) < deviceInterval:
		d.LastPoll = now
		answer = "slow_down"
	case d.Denied:
		delete(o.devices, code)
		answer = "access_denied"
	case d.UserID == "":
		d.LastPoll = now
		answer = "authorization_pending"
	default:
		delete(o.devices, code)
	}
	var uid string
	if found {
		uid = d.UserID
	}
	o.cfgMu.Unlock()
	switch answer {
	case "invalid_grant":
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", "expired or unknown device code")
	case "invalid_client_id":
		writeOAuthError(w, http.StatusBadRequest, "invalid_client_id", "client identifier invalid")
	case "slow_down":
		writeOAuthError(w, http.StatusBadRequest, "slow_down", "polling too quickly; wait the interval between polls")
	case "access_denied":
		writeOAuthError(w, http.StatusBadRequest, "access_denied", "end-user denied authorization")
	case "authorization_pending":
		writeOAuthError(w, http.StatusBadRequest, "authorization_pending", "authorization pending")
	default:
		u, _ := o.userByID(uid)
		writeJSON(w, http.StatusOK, o.tokenReply(r, u, o.issueAccess(u), o.issueRefresh(u)))
	}
}

// serveConnect is the device flow's verification page: GET shows a form (user code, user name,
// password); POST approves the code with the user's credentials or denies it.
func (o *Org) serveConnect(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		q := r.URL.Query()
		o.connectPage(w, http.StatusOK, "", q.Get("user_code"), q.Get("username"))
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			o.connectPage(w, http.StatusBadRequest, "The form could not be read.", "", "")
			return
		}
		o.connectSubmit(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		o.connectPage(w, http.StatusMethodNotAllowed, "Use the form.", "", "")
	}
}

func (o *Org) connectSubmit(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	userCode, username := strings.TrimSpace(f.Get("user_code")), strings.TrimSpace(f.Get("username"))
	want := normalUserCode(userCode)
	now := o.now()
	deny := f.Get("action") == "deny"
	// Allowing and denying both need the user signed in, as on the org's own page.
	u, found := o.userByName(username)
	credsOK := found && subtle.ConstantTimeCompare([]byte(f.Get("password")), []byte(Password)) == 1

	o.cfgMu.Lock()
	var d *deviceCode
	for _, c := range o.devices {
		if want != "" && normalUserCode(c.UserCode) == want && now.Before(c.Expires) && c.UserID == "" && !c.Denied {
			d = c
			break
		}
	}
	switch {
	case d == nil || !credsOK:
	case deny:
		d.Denied = true
	default:
		d.UserID = u.ID
	}
	o.cfgMu.Unlock()

	switch {
	case d == nil:
		o.connectPage(w, http.StatusBadRequest, "That code is not valid or has expired. Check the code shown in your terminal.", userCode, username)
	case !credsOK:
		o.connectPage(w, http.StatusUnauthorized, "Wrong user name or password.", userCode, username)
	case deny:
		o.connectPage(w, http.StatusOK, "Access denied. The terminal will be told; you can close this page.", "", "")
	default:
		o.connectPage(w, http.StatusOK, "You're connected as "+u.Username+". Return to your terminal; you can close this page.", "", "")
	}
}

// connectPage writes the verification page with a message and the form, every echoed value
// escaped.
func (o *Org) connectPage(w http.ResponseWriter, status int, msg, userCode, username string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Connect a device - offline-edit mock org</title></head><body>\n")
	b.WriteString("<h1>Connect a device</h1>\n")
	if msg != "" {
		fmt.Fprintf(&b, "<p role=\"status\">%s</p>\n", html.EscapeString(msg))
	}
	b.WriteString("<form method=\"post\" action=\"/setup/connect\">\n")
	fmt.Fprintf(&b, "<p><label>Code shown in your terminal <input name=\"user_code\" value=\"%s\" autocomplete=\"off\" autofocus></label></p>\n", html.EscapeString(userCode))
	fmt.Fprintf(&b, "<p><label>User name <input name=\"username\" value=\"%s\" autocomplete=\"username\"></label></p>\n", html.EscapeString(username))
	b.WriteString("<p><label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label></p>\n")
	b.WriteString("<p><button name=\"action\" value=\"approve\" type=\"submit\">Allow</button> ")
	b.WriteString("<button name=\"action\" value=\"deny\" type=\"submit\">Deny</button></p>\n</form>\n</body></html>\n")
	_, _ = w.Write([]byte(b.String()))
}
