package mockorg

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func (e *env) form(path string, values url.Values) reply {
	e.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return reply{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

func TestPasswordGrantReturnsAWorkingToken(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.form("/services/oauth2/token", url.Values{"grant_type": {"password"}, "username": {"sam@demo.example"}, "password": {"demo"}, "client_id": {"x"}}).want(t, 200)
	tok := r.obj(t)
	for _, k := range []string{"access_token", "instance_url", "id", "token_type", "issued_at", "signature"} {
		if s, _ := tok[k].(string); s == "" {
			t.Fatalf("missing %s in %s", k, r.Body)
		}
	}
	if tok["instance_url"] != "http://example.com" || tok["token_type"] != "Bearer" {
		t.Fatalf("token %v", tok)
	}
	e.do(tok["access_token"].(string), "GET", v+"/limits", nil).want(t, 200)
	idPath := strings.TrimPrefix(tok["id"].(string), "http://example.com")
	if who := e.do(tok["access_token"].(string), "GET", idPath, nil).want(t, 200).obj(t); who["username"] != "sam@demo.example" {
		t.Fatalf("identity %v", who)
	}
	e.org.SetInstanceURL("http://127.0.0.1:8787/")
	r = e.form("/services/oauth2/token", url.Values{"grant_type": {"password"}, "username": {"alex@demo.example"}, "password": {"demo"}}).want(t, 200)
	if got := r.obj(t)["instance_url"]; got != "http://127.0.0.1:8787" || e.org.InstanceURL() != "http://127.0.0.1:8787" {
		t.Fatalf("instance_url %v", got)
	}
	for _, bad := range []url.Values{
		{"grant_type": {"password"}, "username": {"alex@demo.example"}, "password": {"wrong"}},
		{"grant_type": {"password"}, "username": {"nobody@demo.example"}, "password": {"demo"}},
	} {
		if r := e.form("/services/oauth2/token", bad).want(t, 400); r.obj(t)["error"] != "invalid_grant" {
			t.Fatalf("bad login %s", r.Body)
		}
	}
	if r := e.form("/services/oauth2/token", url.Values{"grant_type": {"magic"}}).want(t, 400); r.obj(t)["error"] != "unsupported_grant_type" {
		t.Fatalf("unknown grant %s", r.Body)
	}
}

func TestWebServerFlowWithPKCEAndRefresh(t *testing.T) {
	e := newEnv(t, Options{})
	verifier := "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	authorize := func(hint string) string {
		q := url.Values{"response_type": {"code"}, "client_id": {"cli"}, "redirect_uri": {"http://localhost:1717/OauthRedirect"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}, "state": {"st8"}}
		if hint != "" {
			q.Set("login_hint", hint)
		}
		r := e.do("", "GET", "/services/oauth2/authorize?"+q.Encode(), nil).want(t, http.StatusFound)
		loc, err := url.Parse(r.Header.Get("Location"))
		if err != nil || loc.Host != "localhost:1717" || loc.Query().Get("state") != "st8" || loc.Query().Get("code") == "" {
			t.Fatalf("redirect %q", r.Header.Get("Location"))
		}
		return loc.Query().Get("code")
	}
	exchange := func(code, verifier string) reply {
		return e.form("/services/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"cli"}, "redirect_uri": {"http://localhost:1717/OauthRedirect"}, "code_verifier": {verifier}})
	}
	if r := exchange(authorize(""), "wrong-verifier").want(t, 400); r.obj(t)["error"] != "invalid_grant" {
		t.Fatalf("bad verifier %s", r.Body)
	}
	code := authorize("sam@demo.example")
	tok := exchange(code, verifier).want(t, 200).obj(t)
	exchange(code, verifier).want(t, 400) // codes are single-use
	access, refresh := tok["access_token"].(string), tok["refresh_token"].(string)
	if refresh == "" {
		t.Fatal("no refresh token")
	}
	var u struct {
		Records []map[string]any `json:"records"`
	}
	e.do(access, "GET", v+"/query?q="+urlQueryEscape("SELECT Id FROM Account LIMIT 1"), nil).want(t, 200).json(t, &u)

	e.do(e.admin, "POST", "/mockorg/v1/expire", map[string]any{"username": "sam@demo.example"}).want(t, 204)
	if c := e.do(access, "GET", v+"/limits", nil).want(t, 401).code(t); c != "INVALID_SESSION_ID" {
		t.Fatalf("expired token: %s", c)
	}
	e.do(e.alex, "GET", v+"/limits", nil).want(t, 200) // other users unaffected
	fresh := e.form("/services/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {"cli"}}).want(t, 200).obj(t)
	if _, has := fresh["refresh_token"]; has {
		t.Fatal("refresh reply should not carry a new refresh token")
	}
	e.do(fresh["access_token"].(string), "GET", v+"/limits", nil).want(t, 200)
	if r := e.form("/services/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}}).want(t, 400); r.obj(t)["error"] != "invalid_grant" {
		t.Fatalf("bad refresh %s", r.Body)
	}
	e.do("", "GET", "/services/oauth2/authorize?response_type=token&client_id=x&redirect_uri=http://localhost/", nil).want(t, 400)
	e.do("", "GET", "/services/oauth2/authorize?response_type=code&client_id=x", nil).want(t, 400)
	e.form("/services/oauth2/revoke", url.Values{"token": {fresh["access_token"].(string)}}).want(t, 200)
	e.do(fresh["access_token"].(string), "GET", v+"/limits", nil).want(t, 401)
}

func TestSessionTTLExpiresTokens(t *testing.T) {
	clk := newClock()
	org, err := Open(Options{Now: clk.Now, SessionTTL: 2 * 3600e9})
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	tok, _ := org.IssueToken("alex@demo.example")
	h := org.Handler()
	get := func() int {
		req := httptest.NewRequest("GET", v+"/limits", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	if get() != 200 {
		t.Fatal("fresh token refused")
	}
	clk.Advance(3 * 3600e9)
	if get() != 401 {
		t.Fatal("token older than the TTL accepted")
	}
}
