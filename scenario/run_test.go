package scenario

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/pending"
)

func runFile(t *testing.T, path string) (Report, string) {
	t.Helper()
	sc, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return runScenario(t, sc)
}

func runScenario(t *testing.T, sc *Scenario) (Report, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env, err := NewEmbeddedEnv(ctx, sc, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := env.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	var out bytes.Buffer
	rep := Run(ctx, sc, env, &out)
	return rep, out.String()
}

func TestShippedScenariosPass(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "scenarios", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenarios shipped")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			rep, out := runFile(t, f)
			if !rep.Passed {
				t.Errorf("scenario failed:\n%s", out)
			} else {
				t.Log("\n" + out)
			}
		})
	}
}

func TestFailedExpectationsReportExpectedAndFound(t *testing.T) {
	sc, err := Parse("wrong.yaml", []byte(`name: Wrong expectations
seed: 1
size: 30
steps:
  - create: Account
    ref: acme
    fields: {Name: Wrong Expectations Ltd, Phone: "555-0100"}
  - offline
  - edit: acme
    fields: {Phone: "555-0111"}
  - expect:
      record: acme
      sash: red
      status: failed
      access: read
      attempts: 2
      cache: {Phone: "555-9999"}
      org: {Phone: "555-0111"}
  - expect: {pending: 3, attention: 1}
  - expect:
      count: {object: Account, where: "Name = 'Wrong Expectations Ltd'", is: 2}
  - online: {synced: 0}
  - expect: {pending: 0}
`))
	if err != nil {
		t.Fatal(err)
	}
	rep, out := runScenario(t, sc)
	if rep.Passed {
		t.Fatalf("a run with wrong expectations passed:\n%s", out)
	}
	if rep.Error != "" {
		t.Fatalf("the run stopped: %s", rep.Error)
	}
	want := []Failure{
		{Line: 11, What: "acme sash", Expected: "red", Found: "green (pending)"},
		{Line: 11, What: "acme status", Expected: "failed", Found: "pending"},
		{Line: 11, What: "acme access", Expected: "read", Found: "full"},
		{Line: 11, What: "acme attempts", Expected: "2", Found: "0"},
		{Line: 11, What: "acme Phone in the cache", Expected: `"555-9999"`, Found: `"555-0111"`},
		{Line: 11, What: "acme Phone on the org", Expected: `"555-0111"`, Found: `"555-0100"`},
		{Line: 19, What: "pending changes", Expected: "3", Found: "1"},
		{Line: 19, What: "changes needing attention", Expected: "1", Found: "0"},
		{Line: 20, What: "records on the org (Account WHERE Name = 'Wrong Expectations Ltd')", Expected: "2", Found: "1"},
		{Line: 22, What: "sync synced", Expected: "0", Found: "1"},
	}
	got := rep.Failures()
	if len(got) != len(want) {
		t.Fatalf("failures:\n%v\nwant:\n%v\noutput:\n%s", got, want, out)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("failure %d:\n got  %+v\n want %+v", i, got[i], want[i])
		}
	}
	for _, line := range []string{
		"acme sash: expected red, found green (pending)",
		"pending changes: expected 3, found 1",
		"FAIL wrong.yaml (10 failed expectations)",
	} {
		if !bytes.Contains([]byte(out), []byte(line)) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	if last := rep.Steps[len(rep.Steps)-1]; !last.OK() {
		t.Errorf("the run did not go on after failed expectations: %+v", last)
	}
}

func TestStepperRunsOneStepAtATime(t *testing.T) {
	sc, err := Parse("steps.yaml", []byte(`name: Steps
seed: 1
size: 20
steps:
  - create: Account
    ref: a
    fields: {Name: Stepper Ltd}
  - offline
  - edit: a
    fields: {Phone: "1"}
  - expect: {pending: 1}
`))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	env, err := NewEmbeddedEnv(ctx, sc, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	s := NewStepper(sc, env)
	wantText := []string{
		`create Account a {Name: "Stepper Ltd"}`,
		"offline",
		`edit a {Phone: "1"}`,
		"expect pending 1",
	}
	for i, want := range wantText {
		next, ok := s.Peek()
		if !ok || next.String() != want {
			t.Fatalf("peek %d: %q %v, want %q", i, next.String(), ok, want)
		}
		res, ok := s.Next(ctx)
		if !ok || res.Index != i || res.Text != want || !res.OK() {
			t.Fatalf("step %d: %+v %v", i, res, ok)
		}
		if i == 1 && env.Engine().Online() {
			t.Error("still online after the offline step")
		}
	}
	if _, ok := s.Next(ctx); ok || !s.Done() {
		t.Error("the stepper did not finish")
	}
}

func TestStepThatFailsToRunStopsTheRun(t *testing.T) {
	sc, err := Parse("stop.yaml", []byte(`name: Stop
seed: 1
size: 20
steps:
  - create: Account
    ref: a
    fields: {Name: Stop Ltd}
  - resolve: a
    take: mine
  - expect: {pending: 5}
`))
	if err != nil {
		t.Fatal(err)
	}
	rep, out := runScenario(t, sc)
	if rep.Passed || len(rep.Steps) != 2 {
		t.Fatalf("the run did not stop at the failing step:\n%s", out)
	}
	if !strings.Contains(rep.Error, "stop.yaml:8: resolve: ") || !strings.Contains(out, "stopped: stop.yaml:8") {
		t.Errorf("error does not name the file and line: %q\n%s", rep.Error, out)
	}
	b, err := json.Marshal(rep)
	if err != nil || !strings.Contains(string(b), `"error":"stop.yaml:8: resolve`) {
		t.Errorf("JSON report: %s %v", b, err)
	}
}

func TestRunOutputCarriesNoControlSequences(t *testing.T) {
	sc, err := Parse("esc.yaml", []byte("name: \"evil \\e]52;c;aGk=\\a \\e[2J \\u202e name\"\nseed: 1\nsize: 20\nsteps:\n"+
		"  - create: Account\n    ref: a\n    fields: {Name: \"x\\e[6n\\b\\r\"}\n  - expect: {record: a, message: \"\\e[2J\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, out := runScenario(t, sc)
	for _, bad := range []string{"\x1b", "\a", "\b", "\r", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q:\n%q", bad, out)
		}
	}
}

func TestSyncOutcomeSaysOrangeAndRedApart(t *testing.T) {
	cases := []struct {
		sum  pending.Summary
		red  int
		want string
	}{
		{pending.Summary{Synced: 2, Attention: 5}, 1, "sync: 2 synced, 4 need attention, 1 can't be saved"},
		{pending.Summary{Attention: 1}, 1, "sync: 1 can't be saved"},
		{pending.Summary{Attention: 2, Waiting: 1}, 0, "sync: 2 need attention, 1 waiting"},
		{pending.Summary{Attention: 1}, 3, "sync: 1 can't be saved"}, // never more red than the summary's own count
		{pending.Summary{}, 0, "sync: nothing to push"},
	}
	for _, c := range cases {
		if got := summaryText(c.sum, c.red, nil); got != c.want {
			t.Errorf("%+v with %d red: %q, want %q", c.sum, c.red, got, c.want)
		}
	}
}

func TestPrintedTextDropsWholeEscapeSequences(t *testing.T) {
	for in, want := range map[string]string{
		"hostile \x1b]0;SCNTITLE\a name": "hostile  name",
		"red \u009b31mtext":              "red text",
		"clip \x1b]52;c;aGk=\x1b\\ done": "clip  done",
		"rtl \u202eevil\u2028line":       "rtl evil line", // a line separator parts two words, as on the screens
		"plain é 日本 & <b>":               "plain é 日本 & <b>",
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestASashCheckOnARecordWithNoChangeSaysNoneOnce(t *testing.T) {
	sc, err := Parse("v.yaml", []byte("name: x\nseed: 1\nsize: 30\nsteps:\n  - create: Account\n    ref: a\n    fields: {Name: Calm Ltd}\n  - expect: {record: a, sash: orange}\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep, out := runScenario(t, sc)
	fs := rep.Failures()
	if len(fs) != 1 || fs[0].Found != "none" {
		t.Fatalf("failures %+v\n%s", fs, out)
	}
}

func TestLockStepRefusesWritesOfThatRecordUntilUnlocked(t *testing.T) {
	sc, err := Parse("lock.yaml", []byte(`name: Lock and unlock
seed: 1
size: 30
steps:
  - create: Account
    ref: held
    fields: {Name: Held Row Ltd, Rating: Cold}
  - create: Account
    ref: free
    fields: {Name: Free Row Ltd, Rating: Cold}
  - create: Account
    ref: twice
    fields: {Name: Twice Row Ltd, Rating: Cold}
  - lock: held
  - lock: twice
    writes: 1
  - offline
  - edit: held
    fields: {Rating: Hot}
  - edit: free
    fields: {Rating: Hot}
  - edit: twice
    fields: {Rating: Hot}
  - online: {synced: 1, retrying: 2}
  - expect: {record: held, sash: green, status: pending, code: UNABLE_TO_LOCK_ROW, org: {Rating: Cold}}
  - expect: {record: twice, sash: green, code: UNABLE_TO_LOCK_ROW, attempts: 1, org: {Rating: Cold}}
  - expect: {record: free, org: {Rating: Hot}}
  - wait: 10m
  - sync: {synced: 1, retrying: 1}
  - expect: {record: twice, org: {Rating: Hot}}
  - unlock: held
  - unlock: free
  - wait: 10m
  - sync: {synced: 1}
  - expect: {pending: 0}
  - expect: {record: held, org: {Rating: Hot}}
`))
	if err != nil {
		t.Fatal(err)
	}
	rep, out := runScenario(t, sc)
	if !rep.Passed {
		t.Fatalf("lock steps:\n%s", out)
	}
	for _, line := range []string{"lock held until unlocked", "lock twice for 1 write", "unlock held", "unlock free  → it held no lock"} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	// An unlock of a record that was locked says nothing more.
	if strings.Contains(out, "unlock held  →") {
		t.Errorf("the unlock of a locked record says it held no lock:\n%s", out)
	}
}

// A file the org refuses before any step runs (a field it does not have) says so, not that it
// "did not run to the end" with "0 failed expectations".
func TestAFileRefusedBeforeAnyStepSaysSo(t *testing.T) {
	sc, err := Parse("bad.yaml", []byte("name: bad field\nsteps:\n  - create: Account\n    fields: {Name: X, Nope__c: 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep, out := runScenario(t, sc)
	if rep.Passed || !strings.Contains(out, "FAIL bad.yaml (refused before any step ran)") || !strings.Contains(out, "bad.yaml:3: Account has no field Nope__c") {
		t.Fatalf("output:\n%s", out)
	}
}
