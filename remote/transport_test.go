package remote_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

func TestInProcessCallsTheHandlerWithoutASocket(t *testing.T) {
	var got *http.Request
	var gotBody string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Header().Set("X-Echo", r.Header.Get("X-Test"))
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	req, _ := http.NewRequest(http.MethodPost, "http://org.invalid/services/data/v62.0/sobjects/Account/?a=b", strings.NewReader(`{"Name":"x"}`))
	req.Header.Set("X-Test", "hello")
	resp, err := remote.InProcess(h).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 || string(body) != `{"ok":true}` || resp.Header.Get("X-Echo") != "hello" || resp.ContentLength != 11 {
		t.Errorf("resp = %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if got.RequestURI != "/services/data/v62.0/sobjects/Account/?a=b" || got.Host != "org.invalid" || gotBody != `{"Name":"x"}` || got.URL.Query().Get("a") != "b" {
		t.Errorf("handler saw %s %q body %q", got.Method, got.RequestURI, gotBody)
	}
}

func TestInProcessDefaultsTo200AndTurnsPanicsIntoErrors(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "hi") })
	req, _ := http.NewRequest(http.MethodGet, "http://org.invalid/x", nil)
	resp, err := remote.InProcess(ok).RoundTrip(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("resp %v, err %v", resp, err)
	}
	boom := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	if _, err := remote.InProcess(boom).RoundTrip(req); err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("panic err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "http://org.invalid/x", nil)
	if _, err := remote.InProcess(ok).RoundTrip(req); err == nil {
		t.Fatal("a cancelled request reached the handler")
	}
}

func TestPasswordLoginReturnsTokenAndHidesPassword(t *testing.T) {
	var form map[string][]string
	r := newReplay(t)
	r.on("POST /services/oauth2/token", route{status: 200, file: "token_200.json"}, route{status: 400, file: "oauth_invalid_grant_400.json"})
	tok, err := remote.PasswordLogin(context.Background(), nil, r.srv.URL, "alex@demo.example", "demo")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := r.last("POST", "/services/oauth2/token")
	form = parseForm(req.body)
	if form["grant_type"][0] != "password" || form["username"][0] != "alex@demo.example" || form["password"][0] != "demo" {
		t.Errorf("form = %v", form)
	}
	if tok.AccessToken != "00DD0000000FJX9!AQ4AQFwMg.ZC3sTJ5DDiPMfW1mrx2Gx3Tk8z" || tok.InstanceURL != "https://yourInstance.my.salesforce.com" ||
		tok.IssuedAt != "1704164645000" || !strings.HasSuffix(tok.ID, "/005D0000001AamRIAS") {
		t.Errorf("token = %#v (%s)", tok, tok.InstanceURL)
	}
	_, err = remote.PasswordLogin(context.Background(), nil, r.srv.URL, "alex@demo.example", "wrong-pass")
	e, ok := remote.AsError(err)
	if !ok || e.Status != 400 || e.Code() != "invalid_grant" || e.Items[0].Message != "authentication failure" {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "wrong-pass") {
		t.Errorf("password in error: %v", err)
	}
}

func TestPasswordLoginRejectsBadReplies(t *testing.T) {
	for _, body := range []string{`{}`, `not json`, `{"access_token":"x","instance_url":"ftp://x"}`} {
		r := newReplay(t)
		r.on("POST /services/oauth2/token", route{status: 200, body: body})
		if _, err := remote.PasswordLogin(context.Background(), nil, r.srv.URL, "alex@demo.example", "demo"); err == nil {
			t.Errorf("reply %s accepted", body)
		}
	}
	if _, err := remote.PasswordLogin(context.Background(), nil, "https://x.example", "", "demo"); err == nil {
		t.Error("empty username accepted")
	}
}

func parseForm(s string) map[string][]string {
	q, _ := url.ParseQuery(s)
	return q
}

func TestMockAdminCallsTheAdminAPI(t *testing.T) {
	r := newReplay(t)
	r.on("POST /mockorg/v1/rules", route{status: 201, body: `{"id":"rule-7"}`})
	r.on("GET /mockorg/v1/rules", route{status: 200, body: `[{"id":"rule-7","object":"Opportunity","kind":"min","field":"Amount","value":"0","message":"no"}]`})
	r.on("GET /mockorg/v1/rulekinds", route{status: 200, body: `{"kinds":["required","min"]}`})
	r.on("DELETE /mockorg/v1/rules/rule-7", route{status: 204})
	r.on("POST /mockorg/v1/share", route{status: 204})
	r.on("POST /mockorg/v1/expire", route{status: 200, body: `{}`})
	r.on("POST /mockorg/v1/reset", route{status: 204})
	r.on("POST /mockorg/v1/profile", route{status: 200, body: `{"profile":"real"}`}, route{status: 400, body: `[{"errorCode":"INVALID_PROFILE","message":"unknown profile"}]`})
	r.on("GET /mockorg/v1/profile", route{status: 200, body: `{"profile":"real"}`})
	a := remote.NewMockAdmin(r.srv.URL, "admin-token", nil)
	ctx := context.Background()
	id, err := a.AddRule(ctx, remote.Rule{ID: "ignored", Object: "Opportunity", Kind: "min", Field: "Amount", Value: "0", Message: "no"})
	if err != nil || id != "rule-7" {
		t.Fatalf("AddRule = %q, %v", id, err)
	}
	req, _ := r.last("POST", "/mockorg/v1/rules")
	var sent map[string]any
	_ = json.Unmarshal([]byte(req.body), &sent)
	if sent["object"] != "Opportunity" || sent["kind"] != "min" || sent["value"] != "0" || sent["id"] != nil || req.header.Get("Authorization") != "Bearer admin-token" {
		t.Errorf("AddRule sent %s with %v", req.body, req.header)
	}
	rules, err := a.Rules(ctx)
	if err != nil || len(rules) != 1 || rules[0].ID != "rule-7" || rules[0].Field != "Amount" {
		t.Errorf("Rules = %+v, %v", rules, err)
	}
	kinds, err := a.RuleKinds(ctx)
	if err != nil || strings.Join(kinds, ",") != "required,min" {
		t.Errorf("RuleKinds = %v, %v", kinds, err)
	}
	if err := a.RemoveRule(ctx, "rule-7"); err != nil {
		t.Error(err)
	}
	if err := a.Share(ctx, "001D000000IqhSLIAZ", "alex@demo.example", "edit"); err != nil {
		t.Error(err)
	}
	req, _ = r.last("POST", "/mockorg/v1/share")
	if req.body != `{"access":"edit","recordId":"001D000000IqhSLIAZ","username":"alex@demo.example"}` {
		t.Errorf("share body %s", req.body)
	}
	if err := a.Share(ctx, "001D000000IqhSLIAZ", "alex@demo.example", "owner"); err == nil {
		t.Error("bad access level accepted")
	}
	if err := a.Expire(ctx, "sam@demo.example"); err != nil {
		t.Error(err)
	}
	if err := a.Reset(ctx); err != nil {
		t.Error(err)
	}
	if err := a.SetProfile(ctx, "real"); err != nil {
		t.Error(err)
	}
	if p, err := a.Profile(ctx); err != nil || p != "real" {
		t.Errorf("Profile = %q, %v", p, err)
	}
	err = a.SetProfile(ctx, "weird")
	if e, ok := remote.AsError(err); !ok || e.Code() != "INVALID_PROFILE" {
		t.Errorf("SetProfile(weird) = %v", err)
	}
	if err := remote.NewMockAdmin("::bad", "t", nil).Reset(ctx); err == nil {
		t.Error("bad URL accepted")
	}
}

func TestAStalledOrgIsATimeoutNotAHang(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stall func(w http.ResponseWriter, r *http.Request)
	}{
		{"no reply at all", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }},
		{"headers, then a body that never ends", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"totalSize":1,"done":true,"records":[`))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(tc.stall))
			defer srv.Close()
			c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: srv.URL, AccessToken: "tok", APIVersion: "62.0", RequestTimeout: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := c.Query(context.Background(), "SELECT Id FROM Account", 0)
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "no complete reply within 200ms") || !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("err = %v, want a timeout", err)
				}
				if errors.Is(err, context.Canceled) {
					t.Fatalf("a timeout reads as a cancel: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the request hung past its timeout")
			}
		})
	}
}

func TestAReplyThatStopsComingIsAStallAndOneThatKeepsComingIsRead(t *testing.T) {
	body := func(w http.ResponseWriter, r *http.Request, chunks int, gap time.Duration, end bool) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"totalSize":0,"done":true,"records":[`))
		w.(http.Flusher).Flush()
		for range chunks {
			select {
			case <-time.After(gap):
			case <-r.Context().Done():
				return
			}
			_, _ = w.Write([]byte(" "))
			w.(http.Flusher).Flush()
		}
		if end {
			_, _ = w.Write([]byte("]}"))
			return
		}
		<-r.Context().Done()
	}
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		stalled bool
	}{
		{"slow but steady, longer than the stall time in all", func(w http.ResponseWriter, r *http.Request) { body(w, r, 8, 60*time.Millisecond, true) }, false},
		{"flows, then stops", func(w http.ResponseWriter, r *http.Request) { body(w, r, 3, 60*time.Millisecond, false) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: srv.URL, AccessToken: "tok", APIVersion: "62.0", StallTimeout: 250 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Query(context.Background(), "SELECT Id FROM Account", 0)
			if !tc.stalled {
				if err != nil {
					t.Fatalf("a reply that kept coming failed: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "stalled") {
				t.Fatalf("err = %v, want a stall", err)
			}
			if errors.Is(err, context.Canceled) {
				t.Fatalf("a stall reads as a cancel: %v", err)
			}
		})
	}
}

func TestAReadTheOrgNeverStartsAnsweringFailsLongBeforeAWriteWould(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client leaving
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: srv.URL, AccessToken: "tok", APIVersion: "62.0",
		ReadAnswerTimeout: 150 * time.Millisecond, RequestTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Query(context.Background(), "SELECT Id FROM Account", 0)
	if err == nil || !strings.Contains(err.Error(), "did not answer within 150ms") || errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the org not answering", err)
	}
	// Out of reach, as a timeout: the engine does not refresh after it (each read would wait as
	// long), and the screens say the org is not answering.
	if !remote.IsTimeout(err) || !remote.Unreachable(err) {
		t.Fatalf("no answer is not taken as a timeout of an org out of reach: %v", err)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Fatalf("a read waited %v", took)
	}
	// A read too long for a URL, sent inside a Composite request (a POST), is a read all the same.
	long := "SELECT Id FROM Account WHERE Name != '" + strings.Repeat("x", remote.MaxGetURL) + "'"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = c.Query(ctx, long, 0)
	if err == nil || !strings.Contains(err.Error(), "did not answer within 150ms") {
		t.Fatalf("a read carried by a Composite: err = %v, want the org not answering", err)
	}
	// A write waits for the whole request time: cut here by the caller's own deadline.
	ctx, cancel = context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	err = c.Update(ctx, "Account", "001000000000001AAA", remote.Fields{"Name": "x"}, remote.WriteOptions{})
	if err == nil || strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("write err = %v, want only the caller's deadline", err)
	}
}

// A write that needed the org's API version first, and could not learn it, never left the
// device: the org cannot have acted on it (its change is not "in doubt").
func TestAWriteStoppedAtTheVersionLookupWasNotSent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // the org never answers, not even the list of versions
	}))
	defer srv.Close()
	c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: srv.URL, AccessToken: "tok",
		ReadAnswerTimeout: 150 * time.Millisecond, RequestTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Update(context.Background(), "Account", "001000000000001AAA", remote.Fields{"Name": "x"}, remote.WriteOptions{})
	if err == nil || !remote.NotSent(err) {
		t.Fatalf("err = %v (not sent: %v), want a failure known not to have been sent", err, remote.NotSent(err))
	}
}

// A version lookup the org did not answer in time is not made again at once: the requests of
// the same run that wait for it fail straight away instead of each waiting as long again.
func TestAVersionLookupThatTimedOutFailsTheNextRequestsAtOnce(t *testing.T) {
	var lookups atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lookups.Add(1)
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: srv.URL, AccessToken: "tok",
		ReadAnswerTimeout: 150 * time.Millisecond, RequestTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		err := c.Update(context.Background(), "Account", "001000000000001AAA", remote.Fields{"Name": "x"}, remote.WriteOptions{})
		if err == nil || !remote.NotSent(err) || !remote.IsTimeout(err) {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	if n := lookups.Load(); n != 1 {
		t.Fatalf("%d version lookups for three writes in a row", n)
	}
}

// Back online, the device tries the org at once: the memory of a version lookup that timed
// out goes with that of a sign-in that did.
func TestComingBackOnlineForgetsAVersionLookupThatTimedOut(t *testing.T) {
	var lookups atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lookups.Add(1)
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: srv.URL, AccessToken: "tok",
		ReadAnswerTimeout: 150 * time.Millisecond, RequestTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_ = c.Update(context.Background(), "Account", "001000000000001AAA", remote.Fields{"Name": "x"}, remote.WriteOptions{})
		c.ForgetRefreshFailure()
	}
	if n := lookups.Load(); n != 2 {
		t.Fatalf("%d version lookups; want one a try", n)
	}
}
