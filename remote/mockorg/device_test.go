package mockorg

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// deviceStart begins a device sign-in and returns the device code and user code.
func (e *env) deviceStart(hint string) (device, user string) {
	e.t.Helper()
	f := url.Values{"response_type": {"device_code"}, "client_id": {"cli"}, "scope": {"api refresh_token"}}
	if hint != "" {
		f.Set("login_hint", hint)
	}
	start := e.form("/services/oauth2/token", f).want(e.t, 200).obj(e.t)
	device, _ = start["device_code"].(string)
	user, _ = start["user_code"].(string)
	if device == "" || !regexp.MustCompile(`^[A-Z]{4}-[A-Z]{4}$`).MatchString(user) ||
		start["verification_uri"] != "http://example.com/setup/connect" || start["interval"] != float64(5) {
		e.t.Fatalf("device start %v", start)
	}
	return device, user
}

// devicePoll polls once, after letting the interval pass.
func (e *env) devicePoll(device string) reply {
	e.t.Helper()
	e.clk.Advance(deviceInterval)
	return e.form("/services/oauth2/token", url.Values{"grant_type": {"device"}, "client_id": {"cli"}, "code": {device}})
}

func (e *env) connect(values url.Values) reply {
	e.t.Helper()
	return e.form("/setup/connect", values)
}

func oauthErr(t *testing.T, r reply) string {
	t.Helper()
	if r.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", r.Status, r.Body)
	}
	s, _ := r.obj(t)["error"].(string)
	return s
}

func TestDeviceCodeStaysPendingUntilApprovedOnTheConnectPage(t *testing.T) {
	e := newEnv(t, Options{})
	device, user := e.deviceStart("sam@demo.example")
	for i := range 4 {
		if got := oauthErr(t, e.devicePoll(device)); got != "authorization_pending" {
			t.Fatalf("poll %d: %s", i, got)
		}
	}
	page := e.do("", "GET", "/setup/connect?user_code="+url.QueryEscape(user)+"&username=sam%40demo.example", nil).want(t, 200)
	if ct := page.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	body := string(page.Body)
	for _, want := range []string{`name="user_code" value="` + user + `"`, `value="sam@demo.example"`, `name="password"`, `value="deny"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("page lacks %s:\n%s", want, body)
		}
	}
	// Typed the way people do: lower case, no dash.
	typed := strings.ToLower(strings.ReplaceAll(user, "-", ""))
	r := e.connect(url.Values{"user_code": {typed}, "username": {"sam@demo.example"}, "password": {Password}, "action": {"approve"}}).want(t, 200)
	if !strings.Contains(string(r.Body), "connected as sam@demo.example") {
		t.Fatalf("approval page %s", r.Body)
	}
	tok := e.devicePoll(device).want(t, 200).obj(t)
	if tok["refresh_token"] == nil || tok["access_token"] == nil {
		t.Fatalf("device tokens %v", tok)
	}
	var who map[string]any
	e.do(tok["access_token"].(string), "GET", "/services/oauth2/userinfo", nil).want(t, 200).json(t, &who)
	if who["username"] != "sam@demo.example" {
		t.Fatalf("userinfo %v", who)
	}
	if got := oauthErr(t, e.devicePoll(device)); got != "invalid_grant" {
		t.Fatalf("reused device code: %s", got)
	}
	// An approved code cannot be approved again.
	e.connect(url.Values{"user_code": {user}, "username": {"alex@demo.example"}, "password": {Password}}).want(t, 400)
}

func TestDeviceConnectPageRefusesAWrongCodeOrPassword(t *testing.T) {
	e := newEnv(t, Options{})
	device, user := e.deviceStart("")
	tests := []struct {
		name   string
		form   url.Values
		status int
		says   string
	}{
		{"unknown code", url.Values{"user_code": {"BCDF-GHJK"}, "username": {"alex@demo.example"}, "password": {Password}}, 400, "not valid or has expired"},
		{"empty code", url.Values{"username": {"alex@demo.example"}, "password": {Password}}, 400, "not valid"},
		{"wrong password", url.Values{"user_code": {user}, "username": {"alex@demo.example"}, "password": {"guess"}}, 401, "Wrong user name or password"},
		{"unknown user", url.Values{"user_code": {user}, "username": {"eve@demo.example"}, "password": {Password}}, 401, "Wrong user name or password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.connect(tt.form).want(t, tt.status)
			if !strings.Contains(string(r.Body), tt.says) {
				t.Fatalf("page %s", r.Body)
			}
			if strings.Contains(string(r.Body), Password+`"`) {
				t.Fatalf("the password was echoed: %s", r.Body)
			}
		})
	}
	if got := oauthErr(t, e.devicePoll(device)); got != "authorization_pending" {
		t.Fatalf("after refused attempts: %s", got)
	}
	e.do("", "PUT", "/setup/connect", nil).want(t, http.StatusMethodNotAllowed)
}

func TestDeviceConnectPageEscapesWhatItEchoes(t *testing.T) {
	e := newEnv(t, Options{})
	const payload = `"><script>alert(1)</script><img src=x onerror=alert(2)>`
	pages := []reply{
		e.do("", "GET", "/setup/connect?user_code="+url.QueryEscape(payload)+"&username="+url.QueryEscape(payload), nil).want(t, 200),
		e.connect(url.Values{"user_code": {payload}, "username": {payload}, "password": {"x"}}).want(t, 400),
	}
	_, user := e.deviceStart("")
	pages = append(pages, e.connect(url.Values{"user_code": {user}, "username": {payload}, "password": {"x"}}).want(t, 401))
	for i, p := range pages {
		body := string(p.Body)
		if strings.Contains(body, "<script>") || strings.Contains(body, "<img") || !strings.Contains(body, "&lt;script&gt;") {
			t.Fatalf("page %d not escaped:\n%s", i, body)
		}
		if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Fatalf("page %d CSP %q", i, csp)
		}
	}
}

func TestDeviceDenyAnswersAccessDeniedOnTheNextPoll(t *testing.T) {
	e := newEnv(t, Options{})
	device, user := e.deviceStart("")
	if got := oauthErr(t, e.devicePoll(device)); got != "authorization_pending" {
		t.Fatal(got)
	}
	// Denying, like allowing, needs the user signed in.
	e.connect(url.Values{"user_code": {user}, "action": {"deny"}}).want(t, 401)
	if got := oauthErr(t, e.devicePoll(device)); got != "authorization_pending" && got != "slow_down" {
		t.Fatalf("after a deny without signing in: %s", got)
	}
	r := e.connect(url.Values{"user_code": {user}, "username": {"alex@demo.example"}, "password": {Password}, "action": {"deny"}}).want(t, 200)
	if !strings.Contains(string(r.Body), "Access denied") {
		t.Fatalf("deny page %s", r.Body)
	}
	if got := oauthErr(t, e.devicePoll(device)); got != "access_denied" {
		t.Fatalf("after deny: %s", got)
	}
	if got := oauthErr(t, e.devicePoll(device)); got != "invalid_grant" {
		t.Fatalf("after the denial was reported: %s", got)
	}
}

func TestDevicePollingFasterThanTheIntervalIsToldToSlowDown(t *testing.T) {
	e := newEnv(t, Options{})
	device, user := e.deviceStart("")
	poll := func(after time.Duration) string {
		e.clk.Advance(after)
		r := e.form("/services/oauth2/token", url.Values{"grant_type": {"device"}, "client_id": {"cli"}, "code": {device}})
		if r.Status == 200 {
			return "ok"
		}
		return oauthErr(t, r)
	}
	steps := []struct {
		after time.Duration
		want  string
	}{
		{0, "authorization_pending"}, // the first poll may come at once
		{time.Second, "slow_down"},
		{4 * time.Second, "slow_down"}, // counted from the last poll, not the last answer
		{5 * time.Second, "authorization_pending"},
		{5 * time.Second, "ok"}, // approved in between
	}
	for i, s := range steps {
		if i == 4 {
			e.connect(url.Values{"user_code": {user}, "username": {"alex@demo.example"}, "password": {Password}}).want(t, 200)
		}
		if got := poll(s.after); got != s.want {
			t.Fatalf("step %d (after %v): %s, want %s", i, s.after, got, s.want)
		}
	}
}

func TestDeviceCodesExpireAfterTenMinutes(t *testing.T) {
	e := newEnv(t, Options{})
	device, user := e.deviceStart("")
	e.clk.Advance(deviceLifetime)
	// Approving an expired code fails, and polling says the grant is gone.
	e.connect(url.Values{"user_code": {user}, "username": {"alex@demo.example"}, "password": {Password}}).want(t, 400)
	if got := oauthErr(t, e.devicePoll(device)); got != "invalid_grant" {
		t.Fatalf("expired code: %s", got)
	}
}

func TestDeviceStartAndPollRefuseBadRequests(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"start without client id", url.Values{"response_type": {"device_code"}}, "invalid_client_id"},
		{"start for an unknown user", url.Values{"response_type": {"device_code"}, "client_id": {"cli"}, "login_hint": {"eve@demo.example"}}, "invalid_request"},
		{"poll with an unknown code", url.Values{"grant_type": {"device"}, "client_id": {"cli"}, "code": {"devNotACode"}}, "invalid_grant"},
		{"poll without a code", url.Values{"grant_type": {"device"}, "client_id": {"cli"}}, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := oauthErr(t, e.form("/services/oauth2/token", tt.form)); got != tt.want {
				t.Fatalf("error %s, want %s", got, tt.want)
			}
		})
	}
	device, _ := e.deviceStart("")
	r := e.form("/services/oauth2/token", url.Values{"grant_type": {"device"}, "client_id": {"another-app"}, "code": {device}})
	if got := oauthErr(t, r); got != "invalid_client_id" {
		t.Fatalf("another client's poll: %s", got)
	}
}

func TestDevicePollMustNameTheClientThatStartedIt(t *testing.T) {
	e := newEnv(t, Options{})
	device, _ := e.deviceStart("")
	for _, client := range []string{"", "another-app"} {
		e.clk.Advance(deviceInterval)
		r := e.form("/services/oauth2/token", url.Values{"grant_type": {"device"}, "client_id": {client}, "code": {device}})
		if got := oauthErr(t, r); got != "invalid_client_id" {
			t.Fatalf("poll with client_id %q: %s", client, got)
		}
	}
	if got := oauthErr(t, e.devicePoll(device)); got != "authorization_pending" {
		t.Fatalf("the right client after that: %s", got)
	}
}
