package scenario

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote/mockorg"
)

func TestScenarioRunsAgainstAServedOrg(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for whole seconds on a real clock")
	}
	org, err := mockorg.Open(mockorg.Options{Seed: 3, Size: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	srv := httptest.NewServer(org.Handler())
	defer srv.Close()
	org.SetInstanceURL(srv.URL)

	for _, name := range []string{"conflict-mine.yaml", "lost-reply-no-duplicate.yaml"} {
		t.Run(name, func(t *testing.T) {
			sc, err := ParseFile(filepath.Join("..", "scenarios", name))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			env, err := NewRemoteEnv(ctx, sc, srv.URL, t.TempDir(), map[string]Credentials{
				"me": {Username: "alex@demo.example", Password: "demo"},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer env.Close()
			if !env.Served() || env.Clock().Virtual() {
				t.Fatal("a served env runs on the real clock")
			}
			var out bytes.Buffer
			if rep := Run(ctx, sc, env, &out); !rep.Passed {
				t.Fatalf("failed against the served org:\n%s", out.String())
			}
		})
	}
}

func TestRemoteEnvRefusesWrongCredentials(t *testing.T) {
	org, err := mockorg.Open(mockorg.Options{Seed: 3, Size: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	srv := httptest.NewServer(org.Handler())
	defer srv.Close()
	sc := &Scenario{File: "x", Name: "x"}
	_, err = NewRemoteEnv(context.Background(), sc, srv.URL, t.TempDir(), map[string]Credentials{
		"admin": {Username: "admin@demo.example", Password: "wrong"},
	})
	if err == nil {
		t.Fatal("signed in with a wrong password")
	}
}

// A scenario asking for extra fields runs on a served org started with them, and is refused,
// before the org is reset, by one started with fewer or more.
func TestAServedOrgWithoutTheScenariosExtraFieldsIsRefused(t *testing.T) {
	sc, err := ParseFile(filepath.Join("..", "scenarios", "wide-object-conflict.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		extra int
		want  string
	}{
		{449, "has no Account.Regional_Compliance_Detail_450__c, and the scenario asks for 450 extra fields on Account: serve one with `offline-edit serve --extra-fields Account=450`"},
		{451, "has more than 450 extra fields on Account, and the scenario asks for 450"},
	} {
		org, err := mockorg.Open(mockorg.Options{Seed: 3, Size: 20, ExtraFields: map[string]int{"Account": c.extra}})
		if err != nil {
			t.Fatal(err)
		}
		defer org.Close()
		srv := httptest.NewServer(org.Handler())
		defer srv.Close()
		org.SetInstanceURL(srv.URL)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err = NewRemoteEnv(ctx, sc, srv.URL, t.TempDir(), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%d extra fields: err = %v, want one saying %q", c.extra, err, c.want)
		}
	}
}
