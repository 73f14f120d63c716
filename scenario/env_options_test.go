package scenario

import (
	"bytes"
	"cmp"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

func TestEmbeddedEnvRunsOnTheProfileTheScenarioNames(t *testing.T) {
	for _, c := range []struct{ profile, want string }{
		{"", "demo"},
		{"demo", "demo"},
		{"real", "real"},
	} {
		t.Run("file says "+cmp.Or(c.profile, "nothing"), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			env, err := NewEmbeddedEnv(ctx, &Scenario{Name: "p", Size: 20, Profile: c.profile}, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer env.Close()
			got, err := env.Admin().Profile(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("the embedded org runs the %s profile, want %s", got, c.want)
			}
			d, err := env.Describe(ctx, "Account")
			if err != nil {
				t.Fatal(err)
			}
			hasKey := false
			for _, f := range d.Fields {
				hasKey = hasKey || f.Name == "Offline_Key__c"
			}
			if hasKey != (c.want == "demo") {
				t.Errorf("profile %s: Account has Offline_Key__c = %v", c.want, hasKey)
			}
		})
	}
}

func TestEmbeddedEnvKeepsItsOrgAndDeviceWhereTheOptionsSay(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	keep := t.TempDir()
	orgDB := filepath.Join(keep, "org.db")
	var asked []string
	opts := EnvOptions{
		OrgDB: orgDB,
		DevicePath: func(instanceURL, username string) (string, error) {
			asked = append(asked, instanceURL, username)
			return filepath.Join(keep, "device-of-"+username+".db"), nil
		},
	}
	src := "name: kept\nseed: 4\nsize: 30\nsteps:\n" +
		"  - add_rule: {object: Opportunity, kind: min, field: Amount, value: 0, message: Kept rule}\n" +
		"  - offline\n  - create: Account\n    ref: k\n    fields: {Name: Kept Ltd}\n"
	sc, err := Parse("k.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	env, err := NewEmbeddedEnv(ctx, sc, t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if rep := Run(ctx, sc, env, &out); !rep.Passed {
		t.Fatalf("run failed:\n%s", out.String())
	}
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 2 || asked[1] != "alex@demo.example" || asked[0] == "" {
		t.Errorf("DevicePath asked with %q, want the org's instance URL and alex@demo.example", asked)
	}
	device := filepath.Join(keep, "device-of-alex@demo.example.db")
	for _, p := range []string{orgDB, device} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("not kept: %v", err)
		}
	}
	// The org kept holds what the run did to it.
	org, err := mockorg.Open(mockorg.Options{DBPath: orgDB})
	if err != nil {
		t.Fatal(err)
	}
	kept := false
	for _, r := range org.Rules() {
		kept = kept || r.Message == "Kept rule"
	}
	org.Close()
	if !kept {
		t.Error("the kept org lacks the rule the scenario added")
	}

	// A second run on the same files is refused: a scenario starts fresh.
	if _, err := NewEmbeddedEnv(ctx, sc, t.TempDir(), opts); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a run over a kept org: %v, want refused as already existing", err)
	}
	other := EnvOptions{OrgDB: filepath.Join(t.TempDir(), "fresh.db"), DevicePath: opts.DevicePath}
	if _, err := NewEmbeddedEnv(ctx, sc, t.TempDir(), other); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a run over a kept device: %v, want refused as already existing", err)
	}
}

func TestRemoteEnvRefusesAProfileTheServedOrgDoesNotRunBeforeResettingIt(t *testing.T) {
	org, err := mockorg.Open(mockorg.Options{Seed: 3, Size: 20, Profile: mockorg.ProfileReal})
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	srv := httptest.NewServer(org.Handler())
	defer srv.Close()
	org.SetInstanceURL(srv.URL)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// A mark the reset would remove: a rule the admin added.
	env, err := NewRemoteEnv(ctx, &Scenario{Name: "mark", Profile: "real"}, srv.URL, t.TempDir(), nil)
	if err != nil {
		t.Fatalf("the served org's own profile is refused: %v", err)
	}
	defer env.Close()
	if _, err := env.Admin().AddRule(ctx, remote.Rule{Object: "Opportunity", Kind: "min", Field: "Amount", Value: "0", Message: "mark"}); err != nil {
		t.Fatal(err)
	}
	marked := len(org.Rules())

	_, err = NewRemoteEnv(ctx, &Scenario{Name: "demo", Profile: "demo"}, srv.URL, t.TempDir(), nil)
	if err == nil || !strings.Contains(err.Error(), "runs the real profile and the scenario asks for demo") ||
		!strings.Contains(err.Error(), "offline-edit serve --profile demo") {
		t.Fatalf("a scenario asking for the demo profile on a real-profile org: %v", err)
	}
	if n := len(org.Rules()); n != marked {
		t.Errorf("the refused scenario reset the served org: %d rules, %d before", n, marked)
	}

	// Without a profile of its own, a scenario runs on the served org's.
	plain, err := NewRemoteEnv(ctx, &Scenario{Name: "any"}, srv.URL, t.TempDir(), nil)
	if err != nil {
		t.Fatalf("a scenario naming no profile on a real-profile org: %v", err)
	}
	plain.Close()
	if n := len(org.Rules()); n == marked {
		t.Error("the served org was not reset for a scenario that runs")
	}
}
