package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/offline-edit/offline-edit/remote/mockorg"
	"github.com/offline-edit/offline-edit/scenario"
)

// scenarioCLI runs a command line as typed, without the --data-dir the run helper adds (so that
// a scenario's own use of it is what is tested), with the XDG data directory in a temporary one.
func scenarioCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(""))
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// writeScenario writes a scenario file and returns its path.
func writeScenario(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Sam changes the industry while I change the phone offline: merged without asking, unless the
// engine is strict.
const disjointEdits = `name: disjoint edits
seed: 5
size: 40
STRICT
steps:
  - create: Account
    ref: delta
    fields: {Name: Delta Flags Ltd, Phone: "555-0500", Industry: Retail}
  - share: delta
    with: sam
  - offline
  - edit: delta
    fields: {Phone: "555-0511"}
  - edit: delta
    as: sam
    fields: {Industry: Energy}
  - online
  - expect: {pending: 0}
`

func TestScenarioStrictFlagRunsTheFileInThatModeAndSaysSo(t *testing.T) {
	lenient := writeScenario(t, strings.Replace(disjointEdits, "STRICT", "strict: false", 1))
	strict := writeScenario(t, strings.Replace(disjointEdits, "STRICT", "strict: true", 1))
	for _, c := range []struct {
		name     string
		args     []string
		wantCode int
		wantNote string // "" when the run must say nothing of flags
	}{
		{"the file's own setting", []string{"scenario", "run", lenient}, 0, ""},
		{"--strict over strict: false", []string{"scenario", "run", "--strict", lenient}, 1, "with --strict: strict true, the file says false"},
		{"--strict given before the command", []string{"--strict", "scenario", "run", lenient}, 1, "with --strict: strict true, the file says false"},
		{"strict: true in the file", []string{"scenario", "run", strict}, 1, ""},
		{"--strict=false over strict: true", []string{"scenario", "run", "--strict=false", strict}, 0, "with --strict=false: strict false, the file says true"},
		{"--strict agreeing with the file", []string{"scenario", "run", "--strict", strict}, 1, ""},
		{"the shipped repro: --strict on auto-merge-disjoint", []string{"scenario", "run", "--strict", filepath.Join("scenarios", "auto-merge-disjoint.yaml")}, 1, "with --strict: strict true"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := scenarioCLI(t, c.args...)
			if code := exitCode(err); code != c.wantCode {
				t.Fatalf("exit %d (%v), want %d\n%s", code, err, c.wantCode, out)
			}
			if c.wantCode == 1 && !strings.Contains(out, "expected 0, found 1") {
				t.Errorf("a strict run should leave the change in conflict:\n%s", out)
			}
			if c.wantNote != "" && !strings.Contains(out, c.wantNote) {
				t.Errorf("the run does not say %q:\n%s", c.wantNote, out)
			}
			if c.wantNote == "" && strings.Contains(out, "  with --") {
				t.Errorf("the run names a flag that changed nothing:\n%s", out)
			}
		})
	}
}

// keptAccounts runs a scenario keeping its org and device in a new directory and returns the
// Account records the device then lists, and the kept org's profile.
func keptAccounts(t *testing.T, args ...string) (string, mockorg.Profile) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "kept")
	line := append([]string{"--data-dir", dir}, args...)
	if out, err := scenarioCLI(t, line...); err != nil {
		t.Fatalf("%v: %v\n%s", line, err, out)
	}
	out, err := scenarioCLI(t, "--data-dir", dir, "list", "Account", "--json", "--limit", "1000")
	if err != nil {
		t.Fatalf("list after %v: %v\n%s", line, err, out)
	}
	org, err := mockorg.Open(mockorg.Options{DBPath: filepath.Join(dir, "demo-org.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	return out, org.Profile()
}

func TestScenarioSeedSizeAndProfileFlagsRunTheFileAsIfItSaidSo(t *testing.T) {
	base := "name: settings\nseed: 2\nsize: 30\nsteps:\n  - offline\n"
	file := writeScenario(t, base)
	for _, c := range []struct {
		name     string
		flags    []string
		same     string // the file that says what the flags say
		wantNote string
	}{
		{"--seed", []string{"--seed", "9"}, strings.Replace(base, "seed: 2", "seed: 9", 1), "with --seed 9: seed 9, the file says 2"},
		{"--size", []string{"--size", "60"}, strings.Replace(base, "size: 30", "size: 60", 1), "with --size 60: size 60, the file says 30"},
		{"--profile", []string{"--profile", "real"}, base + "profile: real\n", "with --profile real: profile real, the file says none (demo)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			plain, plainProfile := keptAccounts(t, "scenario", "run", file)
			flagged, flaggedProfile := keptAccounts(t, append(append([]string{"scenario", "run"}, c.flags...), file)...)
			said, saidProfile := keptAccounts(t, "scenario", "run", writeScenario(t, c.same))
			if flagged != said || flaggedProfile != saidProfile {
				t.Errorf("%v differs from a file that says so (profile %s, %s)", c.flags, flaggedProfile, saidProfile)
			}
			if flagged == plain && flaggedProfile == plainProfile {
				t.Errorf("%v changed nothing: the run is the file's own", c.flags)
			}
			out, err := scenarioCLI(t, append(append([]string{"scenario", "run", "--json"}, c.flags...), file)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var reports []scenario.Report
			if err := json.Unmarshal([]byte(out), &reports); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if len(reports) != 1 || !slices.ContainsFunc(reports[0].Overrides, func(o string) bool { return "with "+o == c.wantNote }) {
				t.Errorf("the JSON report does not carry %q: %+v", c.wantNote, reports)
			}
		})
	}
}

// honouredScenarioFlags are the global flags a scenario command takes (see checkScenarioFlags).
var honouredScenarioFlags = []string{"org", "strict", "profile", "seed", "size", "data-dir"}

func TestScenarioCommandsRefuseEveryOtherGlobalFlagNamingIt(t *testing.T) {
	file := writeScenario(t, "name: s\nsteps:\n  - offline\n")
	// What the refusal says to do instead, where there is something to do.
	insteads := map[string]string{
		"user":         "`as: sam`",
		"db":           "--data-dir DIR",
		"objects":      "`objects: [NAME, ...]` in the scenario file",
		"instance-url": "not on a real org",
		"access-token": "not on a real org",
		"target-org":   "not on a real org",
		"oauth":        "not on a real org",
		"device":       "not on a real org",
		"client-id":    "signing in to a real org",
		"extra-fields": "`extra_fields: {Account: 450}` in the scenario file",
	}
	var flags []*pflag.Flag
	newRootCmd().PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if !slices.Contains(honouredScenarioFlags, f.Name) {
			flags = append(flags, f)
		}
	})
	if len(flags) < 10 {
		t.Fatalf("only %d global flags to refuse", len(flags))
	}
	for _, f := range flags {
		// Given with its default value: given all the same.
		arg := "--" + f.Name + "=" + f.DefValue
		switch f.Value.Type() {
		case "stringSlice":
			arg = "--" + f.Name + "=Account"
		case "stringToInt":
			arg = "--" + f.Name + "=Account=450"
		}
		for _, sub := range []string{"run", "open"} {
			t.Run(sub+" "+arg, func(t *testing.T) {
				out, err := scenarioCLI(t, "scenario", sub, arg, file)
				if code := exitCode(err); code != 1 || err == nil || !strings.Contains(err.Error(), "bad flags") {
					t.Fatalf("exit %d (%v), want bad flags\n%s", code, err, out)
				}
				if !strings.Contains(err.Error(), "--"+f.Name) {
					t.Errorf("the refusal does not name --%s: %v", f.Name, err)
				}
				if want := insteads[f.Name]; want != "" && !strings.Contains(err.Error(), want) {
					t.Errorf("the refusal does not say %q: %v", want, err)
				}
				if strings.Contains(out, "scenario ") {
					t.Errorf("something ran:\n%s", out)
				}
			})
		}
	}
}

func TestScenarioFlagsRefusedForWhatTheyCannotDo(t *testing.T) {
	file := writeScenario(t, "name: s\nsteps:\n  - offline\n")
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	aFile := filepath.Join(full, "notes.txt")
	served := "http://127.0.0.1:1" // checked before anything is sent to it
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"--seed on a served org", []string{"--org", served, "scenario", "run", "--seed", "3", file}, "--seed: the served org's data is its own, seeded when it was started: restart it with `offline-edit serve --seed N`"},
		{"--size on a served org", []string{"--org", served, "scenario", "open", "--size", "50", file}, "--size: the served org's data is its own"},
		{"an unknown profile", []string{"scenario", "run", "--profile", "sandbox", file}, `--profile "sandbox": a profile is demo or real`},
		{"a size below 0", []string{"scenario", "run", "--size", "-1", file}, "--size -1: a scenario's size is between 0 and 100000"},
		{"a size above the largest", []string{"scenario", "open", "--size", "100001", file}, "--size 100001: a scenario's size is between 0 and 100000"},
		{"--data-dir with two files", []string{"--data-dir", t.TempDir(), "scenario", "run", file, file}, "--data-dir keeps the org and device of one scenario: give one FILE"},
		{"--data-dir holding files", []string{"--data-dir", full, "scenario", "run", file}, "is not empty: a scenario keeps its org and device only in an empty directory"},
		{"--data-dir naming a file", []string{"--data-dir", aFile, "scenario", "open", file}, "is a file, not a directory"},
		{"several at once, each named", []string{"scenario", "run", "--user", "sam@demo.example", "--db", "x.db", file}, "--db: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := scenarioCLI(t, c.args...)
			if code := exitCode(err); code != 1 || err == nil || !strings.Contains(err.Error(), "bad flags") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("exit %d (%v), want bad flags saying %q\n%s", code, err, c.want, out)
			}
			if strings.Contains(out, "scenario ") {
				t.Errorf("something ran:\n%s", out)
			}
		})
	}
	if b, err := os.ReadFile(aFile); err != nil || string(b) != "mine" {
		t.Errorf("a refused run touched the directory's file: %q %v", b, err)
	}
}

func TestScenarioProfileFlagMustBeTheServedOrgs(t *testing.T) {
	org, err := mockorg.Open(mockorg.Options{Seed: 3, Size: 20, Profile: mockorg.ProfileReal})
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	srv := httptest.NewServer(org.Handler())
	defer srv.Close()
	org.SetInstanceURL(srv.URL)
	file := writeScenario(t, "name: s\nsteps:\n  - offline\n  - expect: {pending: 0}\n")
	for _, c := range []struct {
		profile  string
		wantCode int
		want     string
	}{
		{"demo", 1, "runs the real profile and the scenario asks for demo: serve one with `offline-edit serve --profile demo`"},
		{"real", 0, "with --profile real: profile real, the file says none (the served org's own)"},
	} {
		t.Run(c.profile, func(t *testing.T) {
			out, err := scenarioCLI(t, "--org", srv.URL, "scenario", "run", "--reset-org", "--profile", c.profile, file)
			if code := exitCode(err); code != c.wantCode || !strings.Contains(out, c.want) {
				t.Errorf("exit %d (%v), want %d saying %q\n%s", code, err, c.wantCode, c.want, out)
			}
		})
	}
}

func TestScenarioDataDirKeepsTheOrgAndDeviceForTheHeadlessCommands(t *testing.T) {
	file := writeScenario(t, `name: left pending
seed: 3
size: 30
steps:
  - offline
  - create: Account
    ref: kept
    fields: {Name: Kept For Support Ltd}
  - expect: {pending: 1}
`)
	for _, org := range []string{"embedded", "served"} {
		t.Run(org, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "not-yet-made")
			var before []string
			if org == "served" {
				before = []string{"--org", servedMockOrg(t)}
			}
			flags := append(append([]string{}, before...), "--data-dir", dir)
			out, err := scenarioCLI(t, append(flags, "scenario", "run", "--reset-org", file)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !strings.Contains(out, "kept ") || !strings.Contains(out, "--data-dir "+dir+" pending") {
				t.Errorf("the run does not say where it kept the device and how to see it:\n%s", out)
			}
			for _, cmd := range [][]string{{"pending"}, {"list", "Account", "Kept For Support"}} {
				out, err := scenarioCLI(t, append(append([]string{}, flags...), cmd...)...)
				if err != nil || !strings.Contains(out, "Kept For Support Ltd") {
					t.Errorf("%v after the run: %v\n%s", cmd, err, out)
				}
			}
			if out, err := scenarioCLI(t, append(append([]string{}, flags...), "log")...); err != nil || !strings.Contains(out, "/services/data/") {
				t.Errorf("log after the run shows none of the run's requests: %v\n%s", err, out)
			}
			_, hasOrg := os.Stat(filepath.Join(dir, "demo-org.db"))
			if (hasOrg == nil) != (org == "embedded") {
				t.Errorf("%s org: demo-org.db kept: %v", org, hasOrg == nil)
			}
		})
	}
}

func TestScenarioHelpSaysWhatTheGlobalFlagsDo(t *testing.T) {
	for _, sub := range []string{"run", "open"} {
		out, err := scenarioCLI(t, "scenario", sub, "--help")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"--strict, --profile, --seed and --size run the file with that setting", "--data-dir DIR keeps", "is refused"} {
			if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
				t.Errorf("scenario %s --help does not say %q:\n%s", sub, want, out)
			}
		}
	}
}

// A served org may hold other people's work: a scenario resets it only with the user's consent.
func TestScenarioOnAServedOrgNeedsConsentToResetIt(t *testing.T) {
	url := servedMockOrg(t)
	file := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(file, []byte("name: s\nsteps:\n  - create: Account\n    fields: {Name: Made By The Scenario}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"run", "open"} {
		out, err := scenarioCLI(t, "--org", url, "scenario", sub, file)
		if exitCode(err) != 1 || !strings.Contains(fmt.Sprint(err), "Add --reset-org to go on") {
			t.Fatalf("scenario %s without consent: exit %d (%v)\n%s", sub, exitCode(err), err, out)
		}
	}
	if out, err := scenarioCLI(t, "--org", url, "scenario", "run", "--reset-org", file); err != nil {
		t.Fatalf("with consent: %v\n%s", err, out)
	}
}

// servedMockOrg serves a small mock org over HTTP for the test and returns its URL.
func servedMockOrg(t *testing.T) string {
	t.Helper()
	o, err := mockorg.Open(mockorg.Options{Seed: 3, Size: 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	srv := httptest.NewServer(o.Handler())
	t.Cleanup(srv.Close)
	o.SetInstanceURL(srv.URL)
	return srv.URL
}
