package signin

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// authServer is a small OAuth authorization server with Salesforce's token endpoint shapes:
// password, authorization_code (+PKCE S256) and refresh_token grants, and an authorize endpoint
// that approves at once and redirects back with code and state.
type authServer struct {
	t   testing.TB
	srv *httptest.Server

	mu          sync.Mutex
	seq         int
	codes       map[string]codeGrant // code -> grant
	refresh     map[string]bool      // valid refresh tokens
	access      map[string]string    // valid access tokens -> user
	issueRT     bool                 // whether code grants get a refresh token
	rotate      bool                 // whether refresh grants return a new refresh token
	grants      []string             // grant types seen, in order
	authorizes  int                  // authorize requests seen
	lastAuthorz url.Values

	// Device flow: one device code at a time.
	devCode     string     // the device code issued by the last start
	devStart    url.Values // the last start request
	devInterval any        // the start reply's interval; nil leaves it out
	devAnswer   string     // what polls get: "" authorization_pending, "ok" tokens, else that error code
	slowDowns   int        // the next polls answered slow_down
	unavailable int        // the next polls answered 503
	echoSecrets bool       // poll errors echo the whole form back
}

type codeGrant struct {
	challenge, redirect, clientID, user string
}

const (
	testClientID = "3MVG9testclient"
	testUser     = "alex@demo.example"
	testPassword = "demo-password-1"
)

func newAuthServer(t testing.TB) *authServer {
	a := &authServer{t: t, codes: map[string]codeGrant{}, refresh: map[string]bool{}, access: map[string]string{}, issueRT: true}
	mux := http.NewServeMux()
	mux.HandleFunc("/services/oauth2/authorize", a.authorize)
	mux.HandleFunc("/services/oauth2/token", a.token)
	mux.HandleFunc("/id/", a.identity)
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)
	return a
}

func (a *authServer) URL() string { return a.srv.URL }

// token returns a fresh Salesforce-shaped access token.
func (a *authServer) newAccess(user string) string {
	a.seq++
	tok := fmt.Sprintf("00D000000000001!AQ4AQFakeAccessToken%04dxyzXYZ", a.seq)
	a.access[tok] = user
	return tok
}

func (a *authServer) newRefresh() string {
	a.seq++
	tok := fmt.Sprintf("5Aep861FakeRefreshToken%04dqwertyQWERTYasdfASDF", a.seq)
	a.refresh[tok] = true
	return tok
}

func (a *authServer) revokeAll() {
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(a.refresh)
}

func (a *authServer) seen() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.grants...)
}

func (a *authServer) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.authorizes++
	a.lastAuthorz = q
	redirect := q.Get("redirect_uri")
	if q.Get("response_type") != "code" || q.Get("client_id") != testClientID || redirect == "" {
		http.Error(w, "bad authorize request", http.StatusBadRequest)
		return
	}
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 {
		http.Error(w, "bad code challenge", http.StatusBadRequest)
		return
	}
	a.seq++
	code := fmt.Sprintf("aPrxCode%04d", a.seq)
	user := q.Get("login_hint")
	if user == "" {
		user = testUser
	}
	a.codes[code] = codeGrant{challenge: q.Get("code_challenge"), redirect: redirect, clientID: q.Get("client_id"), user: user}
	loc := redirect + "?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, loc, http.StatusFound)
}

func oauthFail(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func (a *authServer) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		oauthFail(w, 405, "invalid_request", "must use HTTP POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthFail(w, 400, "invalid_request", "bad form")
		return
	}
	f := r.PostForm
	a.mu.Lock()
	defer a.mu.Unlock()
	if f.Get("response_type") == "device_code" {
		a.deviceStart(w, f)
		return
	}
	a.grants = append(a.grants, f.Get("grant_type"))
	reply := map[string]string{
		"instance_url": a.srv.URL,
		"token_type":   "Bearer",
		"issued_at":    "1700000000000",
	}
	var user string
	switch f.Get("grant_type") {
	case "password":
		if f.Get("username") != testUser || f.Get("password") != testPassword {
			oauthFail(w, 400, "invalid_grant", "authentication failure")
			return
		}
		user = testUser
	case "authorization_code":
		g, ok := a.codes[f.Get("code")]
		delete(a.codes, f.Get("code"))
		if !ok || g.redirect != f.Get("redirect_uri") || g.clientID != f.Get("client_id") {
			oauthFail(w, 400, "invalid_grant", "invalid authorization code")
			return
		}
		if f.Get("code_verifier") == "" {
			oauthFail(w, 400, "invalid_grant", "invalid code verifier")
			return
		}
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			oauthFail(w, 400, "invalid_grant", "invalid code verifier")
			return
		}
		user = g.user
		if a.issueRT {
			reply["refresh_token"] = a.newRefresh()
		}
	case "device":
		if !a.devicePoll(w, f) {
			return
		}
		user = testUser
		if a.issueRT {
			reply["refresh_token"] = a.newRefresh()
		}
	case "refresh_token":
		if f.Get("client_id") != testClientID || !a.refresh[f.Get("refresh_token")] {
			oauthFail(w, 400, "invalid_grant", "expired access/refresh token")
			return
		}
		user = testUser
		if a.rotate {
			delete(a.refresh, f.Get("refresh_token"))
			reply["refresh_token"] = a.newRefresh()
		}
	default:
		oauthFail(w, 400, "unsupported_grant_type", "grant type not supported")
		return
	}
	reply["access_token"] = a.newAccess(user)
	reply["id"] = a.srv.URL + "/id/00D000000000001EAA/005000000000001AAA"
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(reply)
}

func (a *authServer) identity(w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	a.mu.Lock()
	user, ok := a.access[tok]
	a.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(map[string]string{"username": user})
}

func (a *authServer) lastQuery() url.Values {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.lastAuthorz
}

// validAccess reports whether tok is an access token the server issued.
func (a *authServer) validAccess(tok string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.access[tok]
	return ok
}

const testUserCode = "BCDF-GHJK"

// deviceStart answers the device authorization request; a.mu is held.
func (a *authServer) deviceStart(w http.ResponseWriter, f url.Values) {
	a.devStart = f
	if f.Get("client_id") != testClientID {
		oauthFail(w, 400, "invalid_client_id", "client identifier invalid")
		return
	}
	a.seq++
	a.devCode = fmt.Sprintf("devSecretDeviceCode%04dabcdefABCDEF", a.seq)
	reply := map[string]any{"device_code": a.devCode, "user_code": testUserCode, "verification_uri": a.srv.URL + "/setup/connect"}
	if a.devInterval != nil {
		reply["interval"] = a.devInterval
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_ = json.NewEncoder(w).Encode(reply)
}

// devicePoll answers a device grant poll with an error, or reports true when tokens are due;
// a.mu is held.
func (a *authServer) devicePoll(w http.ResponseWriter, f url.Values) bool {
	fail := func(code string) {
		desc := code
		if a.echoSecrets {
			desc = "rejected the code " + f.Get("code") + " with the secret " + f.Get("client_secret")
		}
		oauthFail(w, 400, code, desc)
	}
	switch {
	case a.unavailable > 0:
		a.unavailable--
		http.Error(w, "<html>Service Unavailable</html>", http.StatusServiceUnavailable)
		return false
	case f.Get("client_id") != testClientID || f.Get("code") == "" || f.Get("code") != a.devCode:
		fail("invalid_grant")
		return false
	case a.slowDowns > 0:
		a.slowDowns--
		fail("slow_down")
		return false
	case a.devAnswer == "":
		fail("authorization_pending")
		return false
	case a.devAnswer != "ok":
		fail(a.devAnswer)
		return false
	}
	a.devCode = "" // used
	return true
}

// setDevice changes what the next device polls get.
func (a *authServer) setDevice(answer string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.devAnswer = answer
}
