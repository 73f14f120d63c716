package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// A bare access token carries no user name: the device's data is filed under the user the org
// says the token is, so one user's queue never goes out with another user's token, and a --user
// that is not the token's is refused.
func TestAnAccessTokenIsFiledUnderTheUserItBelongsTo(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	token := func(user string) string {
		tok, err := o.org.IssueToken(user)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	alex, admin := token("alex@demo.example"), token("admin@demo.example")
	with := func(tok string, args ...string) []string {
		return append([]string{"--instance-url", o.srv.URL, "--access-token", tok}, args...)
	}
	if out, err := run(t, dir, "", with(alex, "sync")...); err != nil {
		t.Fatalf("alex's first sync: %v\n%s", err, out)
	}
	acct := o.firstAccountOf(t, "alex@demo.example")
	before := o.phoneOf(t, acct)
	// Queued offline with the token seen before: alex's device, found without the org.
	o.down.Store(true)
	if out, err := run(t, dir, "", with(alex, "edit", "Account", acct, "Phone=555-0142")...); err != nil {
		t.Fatalf("alex's edit: %v\n%s", err, out)
	}
	o.down.Store(false)

	// The admin's token is the admin's device: alex's change is neither listed nor sent.
	if out, err := run(t, dir, "", with(admin, "sync")...); err != nil {
		t.Fatalf("the admin's sync: %v\n%s", err, out)
	}
	if got := o.phoneOf(t, acct); got != before {
		t.Fatalf("alex's change went out with the admin's token: phone %q", got)
	}
	if out, _ := run(t, dir, "", with(admin, "pending")...); strings.Contains(out, "update") {
		t.Fatalf("the admin's pending lists alex's change:\n%s", out)
	}
	// A --user that is not the token's is refused, online and offline alike.
	for _, down := range []bool{false, true} {
		o.down.Store(down)
		out, err := run(t, dir, "", with(admin, "--user", "alex@demo.example", "pending")...)
		if exitCode(err) != 1 || !strings.Contains(out+errText(err), "admin@demo.example") {
			t.Fatalf("the admin's token as --user alex (org down %v): exit %d, %v\n%s", down, exitCode(err), err, out)
		}
	}
	o.down.Store(false)
	// A token never seen, with the org out of reach and no --user: nobody to file it under.
	o.down.Store(true)
	if _, err := run(t, dir, "", with(token("sam@demo.example"), "pending")...); exitCode(err) != 1 {
		t.Fatalf("an unknown token offline without --user: exit %d (%v), want 1", exitCode(err), err)
	}
	o.down.Store(false)

	if out, err := run(t, dir, "", with(alex, "sync")...); err != nil {
		t.Fatalf("alex's sync: %v\n%s", err, out)
	}
	if got := o.phoneOf(t, acct); got != "555-0142" {
		t.Fatalf("alex's change did not reach the org: phone %q", got)
	}
	files, _ := os.ReadDir(dir)
	var names []string
	for _, f := range files {
		names = append(names, f.Name())
	}
	joined := strings.Join(names, " ")
	if !strings.Contains(joined, "alex@demo.example") || !strings.Contains(joined, "admin@demo.example") || strings.Contains(joined, "sam@demo.example") {
		t.Fatalf("device files %v; want alex's and the admin's, none of sam's", names)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// An org that will not say whose a token is (userinfo refused): a --user is taken to open that
// user's device, but nothing is sent with the token, nothing is refreshed, and the token is not
// remembered as that user's.
func TestATokenTheOrgWillNotNameSendsNothing(t *testing.T) {
	org, err := mockorg.Open(mockorg.Options{Seed: 1, Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { org.Close() })
	h := org.Handler()
	var asked atomic.Int64 // requests to the REST API
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/services/oauth2/userinfo" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`[{"errorCode":"INSUFFICIENT_SCOPE","message":"the token's scopes do not allow it"}]`))
			return
		}
		if strings.HasPrefix(r.URL.Path, "/services/data/v") {
			asked.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	org.SetInstanceURL(srv.URL)
	dir := t.TempDir()
	// Alex's device, made by signing in with a password, with a change queued.
	if out, err := run(t, dir, "", "--org", srv.URL, "sync"); err != nil {
		t.Fatalf("alex's first sync: %v\n%s", err, out)
	}
	listed, err := run(t, dir, "", "--org", srv.URL, "list", "Account", "--limit", "1", "--json")
	var recs []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if i := strings.Index(listed, "["); i >= 0 {
		listed = listed[i:] // after what it says on stderr
	}
	if err != nil || json.Unmarshal([]byte(listed), &recs) != nil || len(recs) != 1 {
		t.Fatalf("alex's accounts: %v\n%s", err, listed)
	}
	if out, err := run(t, dir, "", "--org", srv.URL, "edit", "Account", recs[0].ID, "Phone=555-0199"); err != nil {
		t.Fatalf("alex's edit: %v\n%s", err, out)
	}
	sam, err := org.IssueToken("sam@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	with := func(args ...string) []string {
		return append([]string{"--instance-url", srv.URL, "--access-token", sam}, args...)
	}
	// Without --user the device cannot be named at all.
	if _, err := run(t, dir, "", with("sync")...); exitCode(err) != 1 {
		t.Fatalf("no --user: exit %d (%v), want 1", exitCode(err), err)
	}
	asked.Store(0)
	out, err := run(t, dir, "", with("--user", "alex@demo.example", "sync")...)
	if exitCode(err) != 2 || !strings.Contains(out+errText(err), "did not say whose this access token is") {
		t.Fatalf("sam's token named alex's: exit %d (%v)\n%s", exitCode(err), err, out)
	}
	if n := asked.Load(); n > 1 { // the API version, asked before anything else
		t.Fatalf("%d requests reached the org's API with a token nobody vouched for", n)
	}
	if _, err := run(t, dir, "", with("pending")...); exitCode(err) != 1 {
		t.Fatalf("the token opened a device without --user after a sync the org would not vouch for: exit %d (%v)", exitCode(err), err)
	}
	if out, err := run(t, dir, "", "--org", srv.URL, "pending"); err != nil || !strings.Contains(out, recs[0].Name) {
		t.Fatalf("alex's queue: %v\n%s", err, out)
	}
}

// A token taken on trust for --user (the org did not answer whose it is when the device opened)
// and vouched for by the org at the sync is remembered as that user's: the next start without
// the network and without --user opens their data.
func TestATokenTheOrgVouchesForAtTheSyncIsRemembered(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	var asked atomic.Int64
	h := o.srv.Config.Handler
	o.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/services/oauth2/userinfo" && asked.Add(1) == 1 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`[{"errorCode":"SERVER_UNAVAILABLE","message":"try later"}]`))
			return
		}
		h.ServeHTTP(w, r)
	})
	tok, err := o.org.IssueToken("alex@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	with := []string{"--instance-url", o.srv.URL, "--access-token", tok}
	if out, err := run(t, dir, "", append(with, "--user", "alex@demo.example", "sync")...); err != nil {
		t.Fatalf("the sync that vouched for the token: %v\n%s", err, out)
	}
	if asked.Load() < 2 {
		t.Fatalf("userinfo asked %d time(s): the test's premise is a first answer refused, a later one given", asked.Load())
	}
	o.down.Store(true)
	if out, err := run(t, dir, "", append(with, "list", "Account")...); err != nil || !strings.Contains(out, "PENDING CHANGE") {
		t.Fatalf("the token, known now, offline and without --user: %v\n%s", err, out)
	}
}
