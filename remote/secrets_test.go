package remote_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// leakyTransport fails with an error that quotes the Authorization header, as a careless proxy might.
type leakyTransport struct{}

func (leakyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return nil, errors.New("proxy refused header " + req.Header.Get("Authorization"))
}

func TestTokensNeverPrinted(t *testing.T) {
	cfg := remote.Config{InstanceURL: "https://x.example", AccessToken: testToken, APIVersion: "62.0", Username: "alex@demo.example"}
	tok := remote.Token{AccessToken: testToken, RefreshToken: "refresh-" + testToken, InstanceURL: "https://x.example", ID: "https://login/id/00D/005"}
	c, err := remote.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	admin := remote.NewMockAdmin("https://x.example", testToken, nil)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		for name, x := range map[string]any{"Config": cfg, "*Config": &cfg, "Token": tok, "*Client": c, "*MockAdmin": admin} {
			mustNotContainToken(t, name+" "+verb, fmt.Sprintf(verb, x))
		}
	}
	if !strings.Contains(fmt.Sprint(tok), "https://x.example") {
		t.Errorf("Token prints nothing useful: %v", tok)
	}
}

func TestTransportErrorsNeverCarryTheToken(t *testing.T) {
	var seen []remote.RequestInfo
	c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: "https://x.example", AccessToken: testToken,
		APIVersion: "62.0", Transport: leakyTransport{}, Observe: func(i remote.RequestInfo) { seen = append(seen, i) }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Describe(context.Background(), "Account")
	if err == nil {
		t.Fatal("no error")
	}
	mustNotContainToken(t, "error", err.Error())
	mustNotContainToken(t, "error %+v", fmt.Sprintf("%+v", err))
	if len(seen) != 1 {
		t.Fatalf("%d observations", len(seen))
	}
	mustNotContainToken(t, "RequestInfo", fmt.Sprintf("%+v %v", seen[0], seen[0].Err))
	_, err = remote.NewMockAdmin("https://x.example", testToken, leakyTransport{}).RuleKinds(context.Background())
	if err == nil {
		t.Fatal("no admin error")
	}
	mustNotContainToken(t, "admin error", err.Error())
}

func TestErrorRepliesNeverEchoTheToken(t *testing.T) {
	r := newReplay(t)
	r.on("GET "+v+"/sobjects/Account/describe/", route{status: 401, body: `[{"errorCode":"INVALID_SESSION_ID","message":"Session ` + testToken + ` expired"}]`})
	r.on("GET "+v+"/limits", route{status: 502, body: `<html>bad gateway for Bearer ` + testToken + `</html>`})
	c := r.client(t, nil)
	_, err := c.Describe(context.Background(), "Account")
	mustNotContainToken(t, "401", errString(err))
	_, err = c.Composite(context.Background(), false, []remote.Subrequest{{Method: "GET", URL: "/x", ReferenceID: "a"}})
	mustNotContainToken(t, "404", errString(err))
	r.on("POST "+v+"/composite", route{status: 502, body: `<html>bad gateway for Bearer ` + testToken + `</html>`})
	_, err = c.Composite(context.Background(), false, []remote.Subrequest{{Method: "GET", URL: "/x", ReferenceID: "a"}})
	if e, ok := remote.AsError(err); !ok || e.Status != 502 {
		t.Fatalf("err = %v", err)
	}
	mustNotContainToken(t, "502", errString(err))
}
