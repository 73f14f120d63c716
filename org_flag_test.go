package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A web server that is not an org, as `python3 -m http.server` is: 404 pages and 501 to POST.
func notAnOrg(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusNotImplemented)
			_, _ = w.Write([]byte("<html><body>Unsupported method ('POST')</body></html>"))
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<html><body>File not found</body></html>"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestOrgFlagThatIsNoServedOrgIsABadFlagThatSaysWhy(t *testing.T) {
	web := notAnOrg(t)
	cases := []struct {
		org, want string
	}{
		{web.URL, "does not answer as a Salesforce org or `offline-edit serve` (GET /services/data/ gave HTTP 404 text/html"},
		{"127.0.0.1:8787", `--org "127.0.0.1:8787" is not a URL; give the one ` + "`offline-edit serve`" + ` prints, such as http://127.0.0.1:8787`},
		{"http://example.invalid", "uses plain http"},
		{"ftp://127.0.0.1", "must start with https://"},
		{"notaurl", `--org "notaurl" is not a URL; give the one ` + "`offline-edit serve`" + ` prints, such as http://127.0.0.1:8787`},
		{web.URL + "/services", `has a path (/services); give the org's address alone, such as ` + web.URL},
	}
	for _, c := range cases {
		for _, cmd := range [][]string{{"sync"}, {"pending"}, {"new", "Account", "Name=X"}} {
			out, err := run(t, t.TempDir(), "", append([]string{"--org", c.org}, cmd...)...)
			if code := exitCode(err); code != 1 || !strings.Contains(err.Error(), c.want) {
				t.Errorf("--org %s %v: exit %d (%v), want 1 with %q\n%s", c.org, cmd, code, err, c.want, out)
			}
			if err != nil && strings.Contains(err.Error(), "<html>") {
				t.Errorf("--org %s %v: the page is in the message: %v", c.org, cmd, err)
			}
		}
	}
}

func TestScenarioRunRefusesAnOrgItCannotUse(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(file, []byte("name: s\nsteps:\n  - offline\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	web := notAnOrg(t)
	out, err := run(t, t.TempDir(), "", "--org", web.URL, "scenario", "run", "--reset-org", file)
	if code := exitCode(err); code != 1 || !strings.Contains(out, "does not answer as a Salesforce org") || strings.Contains(out, "<html>") {
		t.Errorf("scenario run on a web server: exit %d (%v)\n%s", code, err, out)
	}
	for _, flags := range [][]string{
		{"--org", "localhost:8787"},
		{"--instance-url", "https://acme.my.salesforce.com", "--access-token", "00Dx!tok"},
		{"--org", "http://127.0.0.1:8787", "--target-org", "dev"},
	} {
		for _, sub := range []string{"run", "open"} {
			out, err := run(t, t.TempDir(), "", append(flags, "scenario", sub, file)...)
			if code := exitCode(err); code != 1 || err == nil || !strings.Contains(err.Error(), "bad flags") {
				t.Errorf("%v scenario %s: exit %d (%v), want bad flags before anything runs\n%s", flags, sub, code, err, out)
			}
		}
	}
}

func TestScenarioOpenRefusesAFileTheOrgCannotRunBeforeTheAppStarts(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.yaml")
	src := "name: s\nseed: 1\nsteps:\n  - create: Account\n    fields: {Name: A, Colour__c: red}\n"
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := run(t, t.TempDir(), "", "scenario", "open", file)
	if code := exitCode(err); code != 1 || err == nil || !strings.Contains(err.Error(), file+":4: Account has no field Colour__c") {
		t.Errorf("exit %d (%v), want the file's line before any screen", code, err)
	}
}

func TestServeOnEveryInterfacePrintsAURLTheAppTakes(t *testing.T) {
	for _, c := range []struct{ listen, want string }{
		{"0.0.0.0:8787", "127.0.0.1:8787"},
		{"[::]:8787", "127.0.0.1:8787"},
		{"127.0.0.1:8787", "127.0.0.1:8787"},
	} {
		a, err := net.ResolveTCPAddr("tcp", c.listen)
		if err != nil {
			t.Fatal(err)
		}
		got := dialable(a)
		if got != c.want {
			t.Errorf("%s: %s, want %s", c.listen, got, c.want)
		}
		if _, err := checkOrgFlag("http://" + got); err != nil {
			t.Errorf("%s: the printed URL is refused by --org: %v", c.listen, err)
		}
	}
}

// A device that never signed in to an org out of reach has nothing to open: the commands that
// read or queue say so, and what to do.
func TestReadingADeviceThatNeverSignedInToAnOrgOutOfReachSaysWhy(t *testing.T) {
	for _, cmd := range [][]string{{"pending"}, {"list", "Account"}, {"new", "Account", "Name=X"}} {
		out, err := run(t, t.TempDir(), "", append([]string{"--org", "http://127.0.0.1:1"}, cmd...)...)
		if err == nil || !strings.Contains(err.Error(), "this device has never signed in there") {
			t.Errorf("%v: %v\n%s", cmd, err, out)
		}
	}
}

func TestScenarioOnAServedOrgThatIsNotRunningSaysToStartOne(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(file, []byte("name: s\nsteps:\n  - offline\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, t.TempDir(), "", "--org", "http://127.0.0.1:1", "scenario", "run", "--reset-org", file)
	if exitCode(err) != 1 || !strings.Contains(out, "the org at http://127.0.0.1:1 cannot be reached (") || !strings.Contains(out, "offline-edit serve") || strings.Contains(out, "oauth2") {
		t.Errorf("exit %d (%v)\n%s", exitCode(err), err, out)
	}
}
