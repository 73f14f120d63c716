package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
	"github.com/offline-edit/offline-edit/remote/signin"
)

// run executes the command line against a data directory and returns stdout and the error.
func run(t *testing.T, dataDir string, stdin string, args ...string) (string, error) {
	t.Helper()
	return runIn(t, context.Background(), dataDir, stdin, args...)
}

// runIn is run with a context the test controls (Ctrl-C is a cancelled context).
func runIn(t *testing.T, ctx context.Context, dataDir string, stdin string, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append([]string{"--data-dir", dataDir}, args...))
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if err != nil {
		return 1
	}
	return 0
}

func pendingEntries(t *testing.T, dir string, flags ...string) []pending.Entry {
	t.Helper()
	out, err := run(t, dir, "", append(flags, "pending", "--json")...)
	if err != nil {
		t.Fatalf("pending --json: %v\n%s", err, out)
	}
	var entries []pending.Entry
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatalf("pending --json is not JSON: %v\n%s", err, out)
	}
	return entries
}

func TestHeadlessCommandsQueueOfflineAndSyncPushesThem(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("first sync (primes the cache): %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "new", "Account", "Name=Headless Test Co", "NumberOfEmployees=12"); err != nil {
		t.Fatalf("new: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "edit", "Account", "Headless Test Co", "Phone=555-0100"); err != nil {
		t.Fatalf("edit by name of a record created offline: %v\n%s", err, out)
	}
	entries := pendingEntries(t, dir)
	if len(entries) != 1 || entries[0].Op != pending.OpCreate || entries[0].Changes["Phone"] != "555-0100" ||
		entries[0].Changes["NumberOfEmployees"] != float64(12) {
		t.Fatalf("want one coalesced create with typed values, got %+v", entries)
	}
	out, err := run(t, dir, "", "sync")
	if err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	if !strings.Contains(out, "synced 1") {
		t.Fatalf("sync summary: %s", out)
	}
	if got := pendingEntries(t, dir); len(got) != 0 {
		t.Fatalf("queue after sync: %+v", got)
	}
	logOut, err := run(t, dir, "", "log", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var acts []pending.Activity
	if err := json.Unmarshal([]byte(logOut), &acts); err != nil || len(acts) == 0 {
		t.Fatalf("log --json: %v %q", err, logOut)
	}
}

func TestApplyQueuesManyChangesAndNamesTheBadLine(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	lines := `{"op":"new","object":"Account","fields":{"Name":"Batch One"}}
# comments and blank lines are skipped

{"op":"new","object":"Account","fields":{"Name":"Batch Two"}}
{"op":"edit","object":"Account","record":"Batch One","fields":{"Phone":"1"}}
{"op":"frobnicate","object":"Account"}
{"op":"new","object":"Account","fields":{"Name":"Never Queued"}}
`
	out, err := run(t, dir, lines, "apply")
	if err == nil || !strings.Contains(err.Error(), "line 6") || !strings.Contains(err.Error(), "frobnicate") {
		t.Fatalf("want an error naming line 6, got %v\n%s", err, out)
	}
	if !strings.Contains(out, "applied 3 line(s); the queue now holds 2 change(s)") {
		t.Fatalf("output: %s", out)
	}
	if got := pendingEntries(t, dir); len(got) != 2 {
		t.Fatalf("want the two creates before the bad line (the edit coalesced), got %d: %+v", len(got), got)
	}
}

func TestChangeCommandsRefuseBadInputWithoutQueueing(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"edit", "Account", "No Such Account Anywhere", "Phone=1"}, "no cached Account"},
		{[]string{"new", "Account", "Name=X", "NoSuchField__c=1"}, `no field "NoSuchField__c"`},
		{[]string{"new", "Account", "Name=X", "NumberOfEmployees=many"}, "not a number"},
		{[]string{"new", "Account", "justtext"}, "want FIELD=VALUE"},
		{[]string{"new", "Nonexistent__c", "Name=X"}, "not an object this device caches (it caches Account,"},
		{[]string{"new", "Account", "Name=X", "NumberOfEmployees=1.5"}, "NumberOfEmployees is a whole number"},
		{[]string{"new", "Opportunity", "Name=X", "StageName=Prospecting", "CloseDate=2024-01-01", "Amount=NaN"}, `Amount: "NaN" is not a number`},
		{[]string{"new", "Opportunity", "Name=X", "StageName=Prospecting", "CloseDate=2024-01-01", "Amount=0x1p4"}, `Amount: "0x1p4" is not a number`},
		{[]string{"new", "Account", "Name=X", "NumberOfEmployees=1e300"}, "NumberOfEmployees takes at most 8 digits"},
		{[]string{"new", "Opportunity", "Name=X", "StageName=Prospecting", "CloseDate=2024-13-45"}, `CloseDate: "2024-13-45" is no date: there is no month 13`},
		{[]string{"new", "Opportunity", "Name=X", "StageName=Prospecting", "CloseDate=next week"}, "CloseDate is a date: give YYYY-MM-DD"},
		{[]string{"new", "Account", "Name=X", "Id=001000000000001AAA"}, "Id is given by the org"},
		{[]string{"edit", "Account", "Acme Group", "Id=001000000000001AAA"}, "Id is given by the org"},
	}
	for _, c := range cases {
		out, err := run(t, dir, "", c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: want error containing %q, got %v\n%s", c.args, c.want, err, out)
		}
	}
	if got := pendingEntries(t, dir); len(got) != 0 {
		t.Fatalf("bad input queued changes: %+v", got)
	}
	// Before the first sync there is no describe: the error says what to do.
	fresh := t.TempDir()
	if _, err := run(t, fresh, "", "new", "Account", "Name=X"); err == nil || !strings.Contains(err.Error(), "run `offline-edit sync` once online") {
		t.Errorf("new on an unprimed device: %v, want the hint to sync first", err)
	}
}

func TestApplyRefusesValuesThatDoNotFitTheirFields(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	cases := []struct{ line, want string }{
		{`{"op":"new","object":"Opportunity","fields":{"Name":"O","StageName":"Prospecting","CloseDate":"2024-01-01","Amount":"abc"}}`, "Amount is a number (currency): give a number"},
		{`{"op":"new","object":"Opportunity","fields":{"Name":"O","StageName":"Prospecting","CloseDate":"tomorrow"}}`, "CloseDate is a date"},
		{`{"op":"new","object":"Account","fields":{"Name":"A","NumberOfEmployees":true}}`, "give a number, not true"},
		{`{"op":"new","object":"Account","fields":{"Name":"A","NumberOfEmployees":2.5}}`, "NumberOfEmployees is a whole number"},
		{`{"op":"new","object":"Account","fields":{"Name":"A","Phone":{"n":5550100}}}`, "Phone is a phone field: give text"},
		{`{"op":"new","object":"Account","fields":{"Name":"A","NumberOfEmployees":"12x"}}`, "give a number"},
		{`{"op":"new","object":"Account","fields":{"Name":"A","NumberOfEmployees":"1e300"}}`, "at most 8 digits"},
		{`{"op":"new","object":"Account","fields":{"Name":1` + strings.Repeat("0", 300) + `}}`, "Name takes at most 255 characters"}, // a number's digits, as written
		{`{"op":"new","object":"Account","fields":{"Name":"A","Nested":{"a":1}}}`, `Account has no field "Nested"`},
		{`{"op":"new","object":"Account","fields":{"Name":"A","Id":"001000000000001AAA"}}`, "Id is given by the org"},
		{`{"op":"new","fields":{"Name":"A"}}`, `no "object" given`},
		{`{"op":"new","object":"Nope__c","fields":{"Name":"A"}}`, "not an object this device caches"},
		{`{"op":"edit","object":"Account","record":"Acme Group"}`, `an edit needs "fields"`},
		{`{"op":"edit","object":"Account","record":"Acme Group","fields":{"AnnualRevenue":"lots"}}`, "AnnualRevenue is a number"},
	}
	for _, c := range cases {
		input := `{"op":"new","object":"Account","fields":{"Name":"Fine Before"}}` + "\n" + c.line + "\n"
		out, err := run(t, dir, input, "apply")
		if err == nil || !strings.Contains(err.Error(), "line 2: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: want an error naming line 2 with %q, got %v\n%s", c.line, c.want, err, out)
		}
	}
	// Only the good first line of each input was queued (they coalesce into creates of their own).
	if got := pendingEntries(t, dir); len(got) != len(cases) {
		t.Fatalf("want %d creates (the good lines), got %d: %+v", len(cases), len(got), got)
	}
	long := `{"op":"new","object":"Account","fields":{"Name":"` + strings.Repeat("x", 17<<20) + `"}}`
	_ = long
}

// What the org would convert is queued as the field's own type, so the queue and the screens
// show what the org will store.
func TestApplyQueuesValuesTheOrgConvertsAsTheFieldsType(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	line := `{"op":"new","object":"Opportunity","fields":{"Name":"Conv","StageName":"Prospecting","CloseDate":"2025-03-31T00:00:00.000+0000","Amount":"1250.50"}}` + "\n" +
		`{"op":"new","object":"Account","fields":{"Name":"Conv A","Phone":5550100,"NumberOfEmployees":"12"}}` + "\n"
	if out, err := run(t, dir, line, "apply"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	got := map[string]remote.Fields{}
	for _, e := range pendingEntries(t, dir) {
		got[e.Name] = e.Changes
	}
	want := map[string]remote.Fields{
		"Conv":   {"Name": "Conv", "StageName": "Prospecting", "CloseDate": "2025-03-31", "Amount": 1250.5},
		"Conv A": {"Name": "Conv A", "Phone": "5550100", "NumberOfEmployees": float64(12)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("queued %v\nwant   %v", got, want)
	}
}

func TestALookupTakesTheLocalIDOfARecordCreatedOffline(t *testing.T) {
	f := remote.Field{Name: "AccountId", Type: "reference", Length: 18}
	if got, err := normalizeValue(f, "local-0123456789abcdef"); err != nil || got != "local-0123456789abcdef" {
		t.Fatalf("a local id in a lookup: %v (%v)", got, err)
	}
}

func TestDateTimesInTheFormsTheOrgReadsAreTaken(t *testing.T) {
	f := remote.Field{Name: "When__c", Type: "datetime"}
	for _, s := range []string{"2025-03-31T09:30:00Z", "2025-03-31T09:30:00.000+0000", "2025-03-31T09:30:00+02:00", "2025-03-31T09:30:00.123Z", "2025-03-31T09:30:00"} {
		if _, err := normalizeValue(f, s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	// Queued in the org's own form, which its copy comes back in (the engine compares them).
	for in, want := range map[string]string{
		"2025-03-31T09:30:00":            "2025-03-31T09:30:00.000+0000",
		"2025-03-31T11:30:00+02:00":      "2025-03-31T09:30:00.000+0000",
		"2025-03-31T09:30:00.000+0000":   "2025-03-31T09:30:00.000+0000",
		"2025-03-31T09:30:00.123456789Z": "2025-03-31T09:30:00.123+0000",
	} {
		if got, err := normalizeValue(f, in); err != nil || got != want {
			t.Errorf("%s: %v (%v), want %s", in, got, err, want)
		}
	}
	for _, s := range []string{"2025-03-31", "31/03/2025 09:30", "2025-03-31T25:00:00Z"} {
		if _, err := normalizeValue(f, s); err == nil {
			t.Errorf("%s was taken", s)
		}
	}
}

func TestAnOverLongApplyLineIsNamed(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	long := `{"op":"new","object":"Account","fields":{"Name":"` + strings.Repeat("x", 17<<20) + `"}}`
	if _, err := run(t, dir, long, "apply"); err == nil || !strings.Contains(err.Error(), "line 1 is longer than 16 MB") {
		t.Errorf("an over-long line: %v", err)
	}
}

func TestSyncExitsZeroWhenOnlyChangesNeedingAPersonRemain(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	// A closed Case needs a Description (a default validation rule of the demo org).
	out, err := run(t, dir, "", "new", "Case", "Subject=Headless", "Status=Closed", "Origin=Web")
	if err != nil {
		t.Fatalf("new case: %v\n%s", err, out)
	}
	out, err = run(t, dir, "", "sync")
	if code := exitCode(err); code != 0 {
		t.Fatalf("sync exit %d (%v), want 0 with only an orange change left:\n%s", code, err, out)
	}
	entries := pendingEntries(t, dir)
	if len(entries) != 1 || entries[0].Status != pending.StatusInvalid || entries[0].Code != "FIELD_CUSTOM_VALIDATION_EXCEPTION" {
		t.Fatalf("want one invalid entry, got %+v", entries)
	}
	// A change waiting for a person has no retry scheduled: the JSON says none, not year 1.
	out, err = run(t, dir, "", "pending", "--json")
	if err != nil || !strings.Contains(out, `"nextAttempt": null`) || strings.Contains(out, "0001-01-01") {
		t.Fatalf("pending --json (%v):\n%s", err, out)
	}
}

// A change waiting on a record created offline that the org refused cannot sync until the user
// fixes that record: sync stops at once with exit 0 (it kept asking the org until --wait ran
// out, then exited 3), and the table says what the waiting change waits for.
func TestSyncDoesNotSpinOnAChangeWaitingForARefusedCreate(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	// A closed Case needs a Description (a default validation rule of the demo org).
	local, err := run(t, dir, "", "new", "Case", "Subject=Headless parent", "Status=Closed", "Origin=Web")
	if err != nil {
		t.Fatalf("new case: %v\n%s", err, local)
	}
	if out, err := run(t, dir, "", "new", "Task", "Subject=Call about it", "WhatId="+strings.TrimSpace(local)); err != nil {
		t.Fatalf("new task: %v\n%s", err, out)
	}
	before := countRequests(t, dir)
	out, err := run(t, dir, "", "sync", "--wait", "20s")
	if code := exitCode(err); code != 0 {
		t.Fatalf("sync exit %d (%v), want 0: what is left needs the user:\n%s", code, err, out)
	}
	if !strings.Contains(out, `waits for Case "Headless parent", which needs you first`) {
		t.Fatalf("the table does not say what the task waits for:\n%s", out)
	}
	if n := countRequests(t, dir) - before; n > 40 {
		t.Fatalf("sync made %d requests for a queue it cannot move", n)
	}
	// A script reading the queue learns the same.
	for _, e := range pendingEntries(t, dir) {
		if e.Op == pending.OpCreate && e.Object == "Task" && !strings.HasPrefix(e.Message, `waits for Case "Headless parent", which needs you first`) {
			t.Fatalf("pending --json gives the waiting task the message %q", e.Message)
		}
	}
}

func TestSyncAgainstAnUnreachableOrgExitsThree(t *testing.T) {
	dir := t.TempDir()
	_, err := run(t, dir, "", "--org", "http://127.0.0.1:1", "sync", "--wait", "0s")
	if code := exitCode(err); code != 3 {
		t.Fatalf("exit %d (%v), want 3", code, err)
	}
}

func TestResetDemoStartsAfresh(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "new", "Account", "Name=Gone After Reset"); err != nil {
		t.Fatalf("new: %v\n%s", err, out)
	}
	// The device of another org in the same directory holds that org's queue: not the demo's.
	other := filepath.Join(dir, "127.0.0.1_8787-alex@demo.example.db")
	if err := os.WriteFile(other, []byte("another org's device"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := resetDemo(&orgFlags{dataDir: dir}); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.db")); len(m) != 1 || m[0] != other {
		t.Fatalf("databases after reset: %v, want only %s", m, other)
	}
	if err := os.Remove(other); err != nil {
		t.Fatal(err)
	}
	if err := resetDemo(&orgFlags{dataDir: dir, orgURL: "http://127.0.0.1:8787"}); err == nil {
		t.Fatal("reset of a served org must be refused")
	}
	// A device another process (here: this one) has open is never deleted under it.
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime again: %v\n%s", err, out)
	}
	devices, _ := filepath.Glob(filepath.Join(dir, "*.db"))
	var held *cache.DB
	for _, p := range devices {
		if db, err := cache.Open(p); err == nil {
			held = db
			break
		}
	}
	if held == nil {
		t.Fatalf("no device database among %v", devices)
	}
	defer held.Close()
	if err := resetDemo(&orgFlags{dataDir: dir}); err == nil || !strings.Contains(err.Error(), "open in another offline-edit process") {
		t.Fatalf("reset with the device open: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.db")); len(left) != len(devices) {
		t.Fatalf("a refused reset deleted files: %v → %v", devices, left)
	}
}

func TestTypedValueFollowsTheDescribe(t *testing.T) {
	cases := []struct {
		typ, in string
		want    any
		bad     bool
	}{
		{"string", "x", "x", false},
		{"currency", "12.5", 12.5, false},
		{"int", "7", float64(7), false},
		{"int", "seven", nil, true},
		{"boolean", "true", true, false},
		{"boolean", "yes please", nil, true},
		{"date", "2024-01-02", "2024-01-02", false},
		{"string", "", nil, false},
	}
	for _, c := range cases {
		f := remote.Field{Name: "F", Type: c.typ}
		got, err := typedValue(f, c.in)
		if err == nil {
			got, err = normalizeValue(f, got) // a number is checked as typed there
		}
		if (err != nil) != c.bad || (!c.bad && got != c.want) {
			t.Errorf("%s %q: got %v, %v", c.typ, c.in, got, err)
		}
	}
}

func TestVersionFallsBackToBuildInfo(t *testing.T) {
	old := version
	t.Cleanup(func() { version = old })
	version = "1.2.3"
	if buildVersion() != "1.2.3" {
		t.Fatal("injected version not used")
	}
	version = ""
	if buildVersion() == "" {
		t.Fatal("no fallback version")
	}
}

func TestMain(m *testing.M) {
	if os.Getenv(appEnv) == "1" {
		// A child process started by a test: be the app (see kill_test.go).
		main()
		os.Exit(0)
	}
	// Keep every test's state out of the user's data directory.
	tmp, err := os.MkdirTemp("", "offline-edit-main-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_DATA_HOME", tmp)
	// Tests that hold the device to see a command refused need not wait ten seconds for it.
	queueLockWait = 500 * time.Millisecond
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

func TestTwoWaysOfSigningInAreRefusedNotPickedSilently(t *testing.T) {
	for _, args := range [][]string{
		{"--oauth", "--device", "--client-id", "x", "sync"},
		{"--device", "--org", "http://127.0.0.1:1", "--client-id", "x", "sync"},
		{"--target-org", "dev", "--instance-url", "https://x.my.salesforce.com", "--access-token", "t", "pending"},
	} {
		out, err := run(t, t.TempDir(), "", args...)
		if err == nil || !strings.Contains(out+err.Error(), "choose one way to sign in") {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
	}
}

func TestSyncExitStatusSaysWhatWentWrong(t *testing.T) {
	srv := newFlakyOrg(t).srv
	dir := t.TempDir()
	_, err := run(t, dir, "", "--org", srv.URL, "--password", "wrong", "sync")
	if code := exitCode(err); code != 2 {
		t.Fatalf("wrong password: exit %d (%v), want 2", code, err)
	}
	_, err = run(t, dir, "", "--org", srv.URL, "--password", "wrong", "--oauth", "sync")
	if code := exitCode(err); code != 1 {
		t.Fatalf("two ways of signing in: exit %d (%v), want 1", code, err)
	}
	// The device database held by another process (here: another open in this process).
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("embedded sync: %v\n%s", err, out)
	}
	// A reading command has it for a moment: sync waits for it.
	db, device := holdDevice(t, dir)
	go func() {
		time.Sleep(150 * time.Millisecond)
		db.Close()
	}()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("sync while another process had the device for a moment: %v\n%s", err, out)
	}
	// The app has it until it quits: sync says so once the wait is over.
	db, device = holdDevice(t, dir)
	defer db.Close()
	start := time.Now()
	out, err := run(t, dir, "", "sync")
	if code := exitCode(err); code != 1 || !errors.Is(err, cache.ErrAlreadyOpen) || time.Since(start) < openLockWait {
		t.Fatalf("database already open: exit %d (%v) after %s, want 1 after %s\n%s", code, err, time.Since(start), openLockWait, out)
	}
	if out, err := run(t, dir, "", "--org", srv.URL, "sync"); exitCode(err) != 0 {
		t.Fatalf("right password: exit %d (%v)\n%s", exitCode(err), err, out)
	}
	// A device database that is not one (garbage on disk): a local problem, not the network.
	db.Close()
	for _, suffix := range []string{"-wal", "-shm"} {
		_ = os.Remove(device + suffix)
	}
	if err := os.WriteFile(device, bytes.Repeat([]byte("not a database "), 512), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = run(t, dir, "", "sync")
	if code := exitCode(err); code != 1 {
		t.Fatalf("corrupt database: exit %d (%v), want 1\n%s", code, err, out)
	}
}

func TestJSONOutputEscapesWhatATerminalWouldActOn(t *testing.T) {
	var buf bytes.Buffer
	in := map[string]string{"name": "Evil\u009b2J\u202eCo\u2066 ok é 日本"}
	if err := writeJSON(&buf, in); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, r := range []rune{0x9b, 0x202e, 0x2066} {
		if strings.ContainsRune(out, r) {
			t.Fatalf("U+%04X left raw in %q", r, out)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back["name"] != in["name"] {
		t.Fatalf("the escaped JSON reads back as %q (%v), want %q", back["name"], err, in["name"])
	}
	if !strings.Contains(out, "é 日本") {
		t.Fatalf("ordinary text was escaped too: %q", out)
	}
}

// flakyOrg serves a mock org over HTTP and can stop answering (connections are dropped), as an
// org out of reach does.
type flakyOrg struct {
	org  *mockorg.Org
	srv  *httptest.Server
	down atomic.Bool
	// dropAPI closes the connection of every request but the sign-in's: an org that signs in
	// and then drops the connections (restarting, say) until it answers again.
	dropAPI atomic.Bool
	hits    atomic.Int64 // requests that reached the server
	drops   atomic.Int64 // connections closed unanswered (down or dropAPI)
	// busy answers that many API requests (not the sign-in's) with a 503 SERVER_UNAVAILABLE:
	// an org that refuses for a while rather than being out of reach.
	busy atomic.Int32
	// busyCode, when set, is the errorCode of those 503s (JSON-escaped).
	busyCode atomic.Value
}

func newFlakyOrg(t *testing.T) *flakyOrg {
	t.Helper()
	org, err := mockorg.Open(mockorg.Options{Seed: 1, Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { org.Close() })
	f := &flakyOrg{org: org}
	h := org.Handler()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		if f.down.Load() || f.dropAPI.Load() && r.URL.Path != "/services/oauth2/token" {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			f.drops.Add(1)
			return
		}
		if r.URL.Path != "/services/oauth2/token" && f.busy.Add(-1) >= 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			code, _ := f.busyCode.Load().(string)
			_, _ = io.WriteString(w, `[{"errorCode":"`+cmp.Or(code, "SERVER_UNAVAILABLE")+`","message":"The server is busy; try again later"}]`)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	org.SetInstanceURL(f.srv.URL)
	return f
}

func TestAServedOrgOutOfReachStillOpensTheDevicesDataOffline(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	org := []string{"--org", o.srv.URL}
	// Never signed in: nothing to open offline with, and the error says the org is unreachable.
	o.down.Store(true)
	if _, err := run(t, dir, "", append(org, "pending")...); err == nil {
		t.Fatal("a first sign-in without the network succeeded")
	}
	o.down.Store(false)
	if out, err := run(t, dir, "", append(org, "sync")...); err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	acct := o.firstAccountOf(t, "alex@demo.example")

	// Out of reach: queueing and reading the queue still work.
	o.down.Store(true)
	if out, err := run(t, dir, "", append(org, "edit", "Account", acct, "Phone=555-0199")...); err != nil {
		t.Fatalf("edit with the org out of reach: %v\n%s", err, out)
	}
	out, err := run(t, dir, "", append(org, "pending")...)
	if err != nil || !strings.Contains(out, "update") || !strings.Contains(out, "waiting to sync") {
		t.Fatalf("pending with the org out of reach (%v):\n%s", err, out)
	}
	out, err = run(t, dir, "", append(org, "sync", "--wait", "0s")...)
	if exitCode(err) != 3 {
		t.Fatalf("sync with the org out of reach: exit %d (%v), want 3", exitCode(err), err)
	}
	// Its summary counts the queue, though no run could: the edit is still to be sent.
	if !strings.Contains(out, "retrying 1") {
		t.Fatalf("the summary of a sync that could not sign in:\n%s", out)
	}
	// Back: the sign-in happens with the first request and the change reaches the org.
	o.down.Store(false)
	if out, err := run(t, dir, "", append(org, "sync")...); err != nil {
		t.Fatalf("sync once back: %v\n%s", err, out)
	}
	if got := o.phoneOf(t, acct); got != "555-0199" {
		t.Fatalf("org has phone %q, want the edit made out of reach", got)
	}
	// A wrong password is still refused, with the org in reach or not.
	if _, err := run(t, dir, "", append(org, "--password", "wrong", "sync")...); exitCode(err) != 2 {
		t.Fatalf("wrong password: exit %d (%v), want 2", exitCode(err), err)
	}
}

func (o *flakyOrg) client(t *testing.T) *remote.Client {
	t.Helper()
	tok, err := o.org.IssueToken("admin@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: o.srv.URL, AccessToken: tok})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (o *flakyOrg) firstAccountOf(t *testing.T, username string) string {
	t.Helper()
	var id string
	for _, u := range o.org.Users() {
		if u.Username == username {
			id = u.ID
		}
	}
	res, err := o.client(t).Query(context.Background(), "SELECT Id FROM Account WHERE OwnerId = '"+id+"' ORDER BY Name LIMIT 1", 0)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("no account of %s: %v", username, err)
	}
	return res.Records[0].ID()
}

func (o *flakyOrg) phoneOf(t *testing.T, id string) string {
	t.Helper()
	rec, err := o.client(t).Retrieve(context.Background(), "Account", id, []string{"Phone"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := rec.Fields["Phone"].(string)
	return s
}

func TestPendingAndLogReadTheQueueWhileTheAppHoldsTheDevice(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "new", "Account", "Name=Held Device Co"); err != nil {
		t.Fatalf("new: %v\n%s", err, out)
	}
	// The app (here: this process) holds the device database.
	db, _ := holdDevice(t, dir)
	defer db.Close()
	out, err := run(t, dir, "", "pending")
	if err != nil || !strings.Contains(out, "Held Device Co") || !strings.Contains(out, "read-only") {
		t.Fatalf("pending beside the app (%v):\n%s", err, out)
	}
	out, err = run(t, dir, "", "log")
	if err != nil || !strings.Contains(out, "METHOD") {
		t.Fatalf("log beside the app (%v):\n%s", err, out)
	}
	// Changing the queue still needs the database to itself.
	if _, err := run(t, dir, "", "new", "Account", "Name=Second"); !errors.Is(err, cache.ErrAlreadyOpen) {
		t.Fatalf("new beside the app: %v, want already open", err)
	}
}

func TestADeferredSignInAsAnotherUserIsRefused(t *testing.T) {
	k := knownSession{InstanceURL: "https://acme.my.salesforce.com", Username: "alex@acme.example", IdentityURL: "https://login.salesforce.com/id/00DA/005A"}
	for _, tc := range []struct {
		name string
		got  signin.Session
		ok   bool
	}{
		{"the same user", signin.Session{InstanceURL: "https://acme.my.salesforce.com/", Username: "Alex@acme.example", IdentityURL: "https://acme.my.salesforce.com/id/00DA/005A", AccessToken: "t"}, true},
		{"same user, name unknown", signin.Session{InstanceURL: "https://acme.my.salesforce.com", IdentityURL: "https://login.salesforce.com/id/00DA/005A", AccessToken: "t"}, true},
		{"another user of the org", signin.Session{InstanceURL: "https://acme.my.salesforce.com", Username: "sam@acme.example", IdentityURL: "https://login.salesforce.com/id/00DA/005B", AccessToken: "t"}, false},
		{"another user, no identity URL", signin.Session{InstanceURL: "https://acme.my.salesforce.com", Username: "sam@acme.example", AccessToken: "t"}, false},
		{"another org", signin.Session{InstanceURL: "https://other.my.salesforce.com", Username: "alex@acme.example", AccessToken: "t"}, false},
	} {
		s := deferredSession(k, func(context.Context) (signin.Session, error) { return tc.got, nil })
		tok, err := s.Refresh(context.Background())
		if tc.ok && (err != nil || tok != "t") {
			t.Errorf("%s: refused (%v)", tc.name, err)
		}
		if !tc.ok && (err == nil || tok != "" || !errors.Is(err, errOtherUser)) {
			t.Errorf("%s: token %q, err %v; want a refusal", tc.name, tok, err)
		}
		// Another org at the address is said as such (the app names it; "sign in again" would
		// change nothing), another user of the same org is not.
		if otherOrg := tc.name == "another org"; !tc.ok && errors.Is(err, signin.ErrOtherOrg) != otherOrg {
			t.Errorf("%s: %v; want it to be signin.ErrOtherOrg: %v", tc.name, err, otherOrg)
		}
	}
}

func TestTablesLineUpWhateverScriptTheNamesAreIn(t *testing.T) {
	var b bytes.Buffer
	if err := writeTable(&b, []string{"NAME", "CITY", "NOTE"}, [][]string{
		{"日本語の会社", "東京", "wide"},
		{"Zürich Ünï", "Genève", "accented"},
		{"plain", "Oslo", ""},
	}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	col := func(line, cell string) int { return ansi.StringWidth(line[:strings.Index(line, cell)]) }
	for i, city := range []string{"東京", "Genève", "Oslo"} {
		if got, want := col(lines[i+1], city), col(lines[0], "CITY"); got != want {
			t.Errorf("%s in %q starts at column %d, want %d (under CITY)", city, lines[i+1], got, want)
		}
	}
	if strings.HasSuffix(lines[3], " ") {
		t.Errorf("trailing spaces in %q", lines[3])
	}
	if got := clip("日本語の会社名です", 9); ansi.StringWidth(got) > 9 || !strings.HasSuffix(got, "…") {
		t.Errorf("clip to 9 columns gave %q (%d columns)", got, ansi.StringWidth(got))
	}
}

// holdDevice opens the embedded org's device database in dir, as a running app holds it, and
// returns it with its path.
func holdDevice(t *testing.T, dir string) (*cache.DB, string) {
	t.Helper()
	var device string
	files, _ := filepath.Glob(filepath.Join(dir, "*.db"))
	for _, f := range files {
		if filepath.Base(f) != "demo-org.db" {
			device = f
		}
	}
	db, err := cache.Open(device)
	if err != nil {
		t.Fatal(err)
	}
	return db, device
}

func TestTheSalesforceCLIWayOpensOfflineOnceItWorkedBefore(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake sf is a shell script")
	}
	o := newFlakyOrg(t)
	tok, err := o.org.IssueToken("alex@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	sf := filepath.Join(bin, "sf")
	works := "#!/bin/sh\ncase \"$1 $2\" in\n'org display') printf '%s\\n' '{\"status\":0,\"result\":{\"accessToken\":\"" + tok +
		"\",\"instanceUrl\":\"" + o.srv.URL + "\",\"username\":\"alex@demo.example\"}}';;\n*) exit 64;;\nesac\n"
	fails := "#!/bin/sh\necho 'Error (1): getaddrinfo ENOTFOUND login.salesforce.com' >&2\nexit 1\n"
	write := func(script string) {
		t.Helper()
		if err := os.WriteFile(sf, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	target := []string{"--target-org", "acme"}
	write(fails)
	if _, err := run(t, dir, "", append(target, "pending")...); err == nil {
		t.Fatal("a first sign-in through a failing sf succeeded")
	}
	write(works)
	if out, err := run(t, dir, "", append(target, "sync")...); err != nil {
		t.Fatalf("sync through sf: %v\n%s", err, out)
	}
	acct := o.firstAccountOf(t, "alex@demo.example")
	write(fails)
	if out, err := run(t, dir, "", append(target, "edit", "Account", acct, "Phone=555-0177")...); err != nil {
		t.Fatalf("edit with sf failing: %v\n%s", err, out)
	}
	write(works)
	if out, err := run(t, dir, "", append(target, "sync")...); err != nil {
		t.Fatalf("sync once sf works: %v\n%s", err, out)
	}
	if got := o.phoneOf(t, acct); got != "555-0177" {
		t.Fatalf("org has phone %q, want the edit made while sf failed", got)
	}
	// Started offline (--offline), the app does not run sf (it may reach the network) until it
	// goes online.
	marker := filepath.Join(bin, "ran")
	write("#!/bin/sh\ntouch '" + marker + "'\n" + strings.TrimPrefix(works, "#!/bin/sh\n"))
	s, err := openSession(context.Background(), &orgFlags{targetOrg: "acme", user: defaultUser, dataDir: dir}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("opening offline ran sf")
	}
	s.eng.SetOnline(true)
	if _, err := s.eng.Sync(context.Background()); err != nil {
		t.Fatalf("sync once online: %v", err)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatal("going online did not sign in through sf")
	}
}

func TestSyncWaitsForAnOrgOutOfReachAndSaysSoInOneLine(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	org := []string{"--org", o.srv.URL}
	if out, err := run(t, dir, "", append(org, "sync")...); err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	acct := o.firstAccountOf(t, "alex@demo.example")
	o.down.Store(true)
	if out, err := run(t, dir, "", append(org, "edit", "Account", acct, "Phone=555-0142")...); err != nil {
		t.Fatalf("edit: %v\n%s", err, out)
	}

	// Still down after the wait: exit 3, and the reason in one line, not the chain of requests.
	out, err := run(t, dir, "", append(org, "sync", "--wait", "600ms")...)
	if exitCode(err) != 3 {
		t.Fatalf("exit %d (%v), want 3\n%s", exitCode(err), err, out)
	}
	if !strings.Contains(out, "retrying for up to") {
		t.Errorf("no word that it retries:\n%s", out)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, o.srv.URL+" cannot be reached (") || strings.Contains(msg, "token request") || strings.Contains(msg, "GET /services") {
		t.Errorf("error %q: want the org and the network's reason only", msg)
	}
	if !strings.Contains(out, "sync stopped: "+err.Error()) {
		t.Errorf("the output (a file, for a script) does not say why the sync stopped:\n%s", out)
	}
	// At a terminal the reason is the command's last line, and only that.
	onTerminal = func(io.Writer) bool { return true }
	out, err = run(t, dir, "", append(org, "sync", "--wait", "100ms")...)
	jsonOut, _ := run(t, dir, "", append(org, "sync", "--wait", "100ms", "--json")...)
	onTerminal = isTerminal
	if exitCode(err) != 3 || strings.Contains(out, "sync stopped") || !strings.Contains(out, "retrying 1") {
		t.Errorf("at a terminal: exit %d (%v), said\n%s", exitCode(err), err, out)
	}
	if !strings.Contains(jsonOut, `"error": "`+o.srv.URL+` cannot be reached`) {
		t.Errorf("--json at a terminal lost its error:\n%s", jsonOut)
	}

	// Back within the wait: the same command syncs the change and exits 0.
	go func() {
		time.Sleep(700 * time.Millisecond)
		o.down.Store(false)
	}()
	out, err = run(t, dir, "", append(org, "sync", "--wait", "20s")...)
	if err != nil {
		t.Fatalf("sync with the org back during the wait: %v\n%s", err, out)
	}
	if got := o.phoneOf(t, acct); got != "555-0142" {
		t.Fatalf("org has phone %q, want the edit", got)
	}
}

func TestLogSaysWhenThereIsNothingToShow(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	out, err := run(t, dir, "", "log", "--record", "001000000000000AAA")
	if err != nil || !strings.Contains(out, "nothing logged for record 001000000000000AAA") || strings.Contains(out, "METHOD") {
		t.Fatalf("log of a record nothing touched (%v):\n%s", err, out)
	}
	out, err = run(t, dir, "", "log")
	if err != nil || !strings.Contains(out, "METHOD") {
		t.Fatalf("log after a sync (%v):\n%s", err, out)
	}
}

// queuedWhileOrgIsDown primes a device from a served org, takes the org down, and queues one
// new Account: a sync from here retries until it is stopped.
func queuedWhileOrgIsDown(t *testing.T) (dir string, org []string) {
	t.Helper()
	o := newFlakyOrg(t)
	dir = t.TempDir()
	org = []string{"--org", o.srv.URL}
	if out, err := run(t, dir, "", append(org, "sync")...); err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	o.down.Store(true)
	if out, err := run(t, dir, "", append(org, "new", "Account", "Name=Interrupted")...); err != nil {
		t.Fatalf("new: %v\n%s", err, out)
	}
	return dir, org
}

func TestCtrlCWhileSyncRetriesPrintsTheQueueAndExits130(t *testing.T) {
	dir, org := queuedWhileOrgIsDown(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(700*time.Millisecond, cancel) // as signal.NotifyContext does on SIGINT
	out, err := runIn(t, ctx, dir, "", append(org, "sync", "--wait", "1m")...)
	if exitCode(err) != 130 {
		t.Fatalf("exit %d (%v), want 130\n%s", exitCode(err), err, out)
	}
	if !strings.Contains(out, "synced 0") || !strings.Contains(out, "Interrupted") {
		t.Fatalf("no summary and queue after Ctrl-C:\n%s", out)
	}
}

func TestAFirstSyncWaitsForTheOrgToAnswer(t *testing.T) {
	o := newFlakyOrg(t)
	o.down.Store(true)
	go func() {
		// Up again once the sync has met the org down twice, however slow its start.
		deadline := time.Now().Add(15 * time.Second)
		for o.drops.Load() < 2 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		o.down.Store(false)
	}()
	out, err := run(t, t.TempDir(), "", "--org", o.srv.URL, "sync", "--wait", "20s")
	if err != nil || !strings.Contains(out, "retrying for up to") {
		t.Fatalf("a first sync while the org is briefly down (%v):\n%s", err, out)
	}
}

// A connection the org closes without an answer (EOF) is the org out of reach, like one it
// refuses: --wait keeps trying, whether the sign-in got through first or not.
func TestSyncWaitsForAnOrgThatDropsConnections(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	org := []string{"--org", o.srv.URL}
	// The org answers again once the sync has met dropped connections: three drops (the
	// sign-in's fetch of the API versions and the transport's retry of it come first), not
	// after a fixed time that a slow start under -race outlasts.
	back := func(before int64) {
		deadline := time.Now().Add(15 * time.Second)
		for o.drops.Load()-before < 3 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		o.dropAPI.Store(false)
	}
	o.dropAPI.Store(true)
	go back(o.drops.Load())
	out, err := run(t, dir, "", append(org, "sync", "--wait", "20s")...)
	if err != nil || !strings.Contains(out, "retrying for up to") {
		t.Fatalf("a first sync while the org drops its connections (%v):\n%s", err, out)
	}
	acct := o.firstAccountOf(t, "alex@demo.example")
	if out, err := run(t, dir, "", append(org, "edit", "Account", acct, "Phone=555-0143")...); err != nil {
		t.Fatalf("edit: %v\n%s", err, out)
	}
	o.dropAPI.Store(true)
	go back(o.drops.Load())
	if out, err := run(t, dir, "", append(org, "sync", "--wait", "20s")...); err != nil {
		t.Fatalf("a sync while the org drops its connections (%v):\n%s", err, out)
	}
	if got := o.phoneOf(t, acct); got != "555-0143" {
		t.Fatalf("org has phone %q, want the edit", got)
	}
}

// An org that answers but refuses for a while (503, a row lock, its request limit) is ridden
// out like one out of reach: sync keeps trying for up to --wait, then exits 3.
func TestSyncWaitsForAnOrgThatRefusesForAWhile(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	org := []string{"--org", o.srv.URL}
	if out, err := run(t, dir, "", append(org, "sync")...); err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	acct := o.firstAccountOf(t, "alex@demo.example")
	if out, err := run(t, dir, "", append(org, "edit", "Account", acct, "Phone=555-0144")...); err != nil {
		t.Fatalf("edit: %v\n%s", err, out)
	}
	o.busy.Store(1 << 20)
	out, err := run(t, dir, "", append(org, "sync", "--wait", "600ms")...)
	if exitCode(err) != 3 || !strings.Contains(err.Error(), "SERVER_UNAVAILABLE") || !strings.Contains(out, "is busy (it answered 503 SERVER_UNAVAILABLE); retrying for up to") {
		t.Fatalf("still refusing after the wait: exit %d (%v), want 3 and the org's reason\n%s", exitCode(err), err, out)
	}
	o.busy.Store(3)
	if out, err := run(t, dir, "", append(org, "sync", "--wait", "20s")...); err != nil {
		t.Fatalf("a sync while the org refuses for a few requests (%v):\n%s", err, out)
	}
	if got := o.phoneOf(t, acct); got != "555-0144" {
		t.Fatalf("org has phone %q, want the edit", got)
	}
}

// A busy org's code reaches the terminal inert: no title, clipboard or clearing of the screen
// from "is busy (it answered 503 …)".
func TestABusyOrgsHostileCodeReachesNoTerminal(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	org := []string{"--org", o.srv.URL}
	if out, err := run(t, dir, "", append(org, "sync")...); err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	o.busyCode.Store(`X\u001b]0;PWNED\u0007\u001b]52;c;SGVsbG8=\u0007\u001b[2J\u009b2J\u202e`)
	o.busy.Store(1 << 20)
	out, err := run(t, dir, "", append(org, "sync", "--wait", "300ms")...)
	if exitCode(err) != 3 || !strings.Contains(out, "is busy (it answered 503 X); retrying for up to") {
		t.Errorf("exit %d (%v), want 3 and the org's reason\n%q", exitCode(err), err, out)
	}
	if strings.ContainsAny(out+err.Error(), "\x1b\x07\u009b\u202e") || strings.Contains(out, "PWNED") {
		t.Errorf("the org's escapes reached the output:\n%q", out)
	}
}

func TestAnOrgSignedInToBeforeThatFailsIsOutOfReachNotAWrongURL(t *testing.T) {
	org, err := mockorg.Open(mockorg.Options{Seed: 1, Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { org.Close() })
	var broken atomic.Bool
	h := org.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusOK) // a captive portal answers every URL with its page
			_, _ = w.Write([]byte("<html>sign in to the hotel wifi</html>"))
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	org.SetInstanceURL(srv.URL)
	dir := t.TempDir()
	if out, err := run(t, dir, "", "--org", srv.URL, "sync"); err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	broken.Store(true)
	if out, err := run(t, dir, "", "--org", srv.URL, "pending"); err != nil {
		t.Fatalf("pending on a device that knows this org: %v\n%s", err, out)
	}
	if _, err := run(t, dir, "", "--org", srv.URL, "sync", "--wait", "0s"); exitCode(err) == 1 {
		t.Fatalf("sync: exit 1 (%v): an org this device knows is out of reach, not a bad flag", err)
	}
}

func TestSignInSettingsThatCannotWorkExitOneNotThree(t *testing.T) {
	t.Setenv("SF_ACCESS_TOKEN", "")
	t.Setenv("PATH", t.TempDir()) // no sf
	for _, args := range [][]string{
		{"--instance-url", "https://acme.my.salesforce.com", "sync"},
		{"--target-org", "dev", "sync"},
		{"--oauth", "sync"},
		{"--device", "sync"},
	} {
		_, err := run(t, t.TempDir(), "", args...)
		if code := exitCode(err); code != 1 {
			t.Errorf("%v: exit %d (%v), want 1: retrying cannot cure it", args, code, err)
		}
	}
}

func TestCtrlCBeforeTheFirstSignInExits130(t *testing.T) {
	o := newFlakyOrg(t)
	o.down.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(500*time.Millisecond, cancel)
	_, err := runIn(t, ctx, t.TempDir(), "", "--org", o.srv.URL, "sync", "--wait", "1m")
	if exitCode(err) != 130 {
		t.Fatalf("exit %d (%v), want 130", exitCode(err), err)
	}
}

func TestSyncSummaryCountsOrangeAndRedApart(t *testing.T) {
	s := pending.Summary{Synced: 3, Attention: 4}
	var b bytes.Buffer
	printSummary(&b, s, 1, nil)
	if !strings.Contains(b.String(), "need attention 3 · can't be saved 1") {
		t.Errorf("summary %q", b.String())
	}
	m := summaryJSON(s, 1, nil)
	if m["needAttention"] != 3 || m["cantBeSaved"] != 1 || m["attention"] != 4 {
		t.Errorf("json summary %v", m)
	}
}

// A device database that cannot be opened is the device's own problem: sync says so and exits
// 1 at once, rather than calling the org unreachable and retrying (an errno is a net.Error).
func TestSyncWithAnUnusableDeviceFileExitsOneWithoutRetrying(t *testing.T) {
	dir := t.TempDir()
	notADir := filepath.Join(dir, "plain-file")
	if err := os.WriteFile(notADir, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, dir, "", "--db", filepath.Join(notADir, "device.db"), "sync", "--wait", "30s")
	if code := exitCode(err); code != 1 {
		t.Fatalf("exit %d (%v), want 1\n%s", code, err, out)
	}
	if strings.Contains(out, "cannot be reached") || strings.Contains(err.Error(), "cannot be reached") {
		t.Fatalf("a device file's error is called the org out of reach: %v\n%s", err, out)
	}
	if !strings.Contains(err.Error(), notADir) {
		t.Fatalf("the error does not name the file: %v", err)
	}
}

// A record is found by its exact name however many other names contain it (the filter also
// matches phones and cities, and more than one page of them).
func TestEditFindsARecordByExactNameAmongManyThatContainIt(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	var lines []string
	for i := range 520 {
		lines = append(lines, fmt.Sprintf(`{"op":"new","object":"Account","fields":{"Name":"A Zed %03d"}}`, i))
	}
	lines = append(lines, `{"op":"new","object":"Account","fields":{"Name":"Zed"}}`)
	if out, err := run(t, dir, strings.Join(lines, "\n"), "apply"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "edit", "Account", "Zed", "Phone=42"); err != nil {
		t.Fatalf("edit by exact name: %v\n%s", err, out)
	}
	out, err := run(t, dir, "", "edit", "Account", "Nobody Has This Name", "Phone=42")
	if err == nil || !strings.Contains(err.Error(), "the device keeps") || strings.Contains(err.Error(), "is the cache primed") {
		t.Fatalf("a name the primed cache lacks: %v\n%s", err, out)
	}
}

// The local id new printed still names the record once the org has created it: edit, delete
// and discard act on the org's record, not a record the device no longer has.
func TestALocalIDNamesTheRecordAfterTheOrgCreatedIt(t *testing.T) {
	dir := t.TempDir()
	must := succeeds(t, dir)
	must("sync")
	local := must("new", "Account", "Name=Named By Local Id")
	must("sync")
	for _, args := range [][]string{
		{"edit", "Account", local, "Phone=555-0142"},
		{"discard", "Account", local},
		{"delete", "Account", local},
	} {
		if out, err := run(t, dir, "", args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	en := pendingEntries(t, dir)
	if len(en) != 1 || en[0].Op != pending.OpDelete || pending.IsLocalID(en[0].RecordID) {
		t.Fatalf("the queue: %+v; want one delete of the org's record", en)
	}
}

// Reading and queueing on a device that signed in before ask nothing of the org: they open at
// once even when the org would take its time to say it is out of reach.
func TestReadingAndQueueingOnAServedOrgsDeviceSendNothing(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	org := []string{"--org", o.srv.URL}
	if out, err := run(t, dir, "", append(org, "sync")...); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	o.hits.Store(0)
	for _, args := range [][]string{
		{"pending"}, {"list", "Account"}, {"log"}, {"new", "Account", "Name=Quiet One"}, {"pending", "--json"},
	} {
		if out, err := run(t, dir, "", append(org, args...)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	if n := o.hits.Load(); n != 0 {
		t.Fatalf("reading and queueing made %d requests to the org", n)
	}
	if out, err := run(t, dir, "", append(org, "sync")...); err != nil || o.hits.Load() == 0 {
		t.Fatalf("sync afterwards: %v (%d requests)\n%s", err, o.hits.Load(), out)
	}
}

// The same URL answering for another org than the device's data came from (a served org started
// afresh): a device with no pending change starts afresh; one with changes is left alone, and
// told how to reach its org or drop them.
func TestAnotherOrgOnTheDevicesURLIsNotTakenForItsOwn(t *testing.T) {
	srv, startOrg := swappableOrg(t)
	dir := t.TempDir()
	org := []string{"--org", srv.URL}
	startOrg(1)
	if out, err := run(t, dir, "", append(org, "sync")...); err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	startOrg(2)
	out, err := run(t, dir, "", append(org, "sync")...)
	if err != nil {
		t.Fatalf("sync with another org and nothing queued: %v\n%s", err, out)
	}
	if !strings.Contains(out, "now answers for another org or user") || !strings.Contains(out, "its cache starts afresh") {
		t.Fatalf("sync did not say the device's cache started afresh:\n%s", out)
	}
	if out, err := run(t, dir, "", append(org, "new", "Account", "Name=Meant For Org Two")...); err != nil {
		t.Fatalf("new: %v\n%s", err, out)
	}
	startOrg(3)
	out, err = run(t, dir, "", append(org, "sync")...)
	if code := exitCode(err); code != 1 || !strings.Contains(err.Error(), "another org") || !strings.Contains(err.Error(), "1 pending change") {
		t.Fatalf("sync with another org and a change queued: exit %d (%v)\n%s", code, err, out)
	}
	if n := len(pendingEntries(t, dir, org...)); n != 1 {
		t.Fatalf("the queue holds %d changes after the refusal, want 1", n)
	}
}

// After an outage the queue may be long: sync lists the changes that need a person first and at
// most 50, and says how many more there are, so the reason it gives stays in sight.
func TestSyncListsAShortQueueAndSaysHowManyMore(t *testing.T) {
	dir := t.TempDir()
	o := newFlakyOrg(t)
	org := []string{"--org", o.srv.URL}
	if out, err := run(t, dir, "", append(org, "sync")...); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	var lines []string
	for i := range 60 {
		lines = append(lines, fmt.Sprintf(`{"op":"new","object":"Account","fields":{"Name":"Queued %02d"}}`, i))
	}
	if out, err := run(t, dir, strings.Join(lines, "\n"), append(org, "apply")...); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	o.down.Store(true)
	out, _ := run(t, dir, "", append(org, "sync", "--wait", "0s")...)
	if !strings.Contains(out, "… and 10 more (`offline-edit pending` lists them all)") {
		t.Fatalf("sync output:\n%s", out)
	}
	if n := strings.Count(out, "Queued "); n != 50 {
		t.Fatalf("sync listed %d changes, want 50", n)
	}
}

// A running app whose served org is started afresh (a new org at the same URL) sends it
// nothing: its session's refresh reaches another org and is refused, the queue stays.
func TestARunningSessionSendsNothingToAnotherOrgAtItsURL(t *testing.T) {
	srv, start := swappableOrg(t)
	startOrg := func() *mockorg.Org { return start(1) }
	startOrg()
	f := &orgFlags{orgURL: srv.URL, user: defaultUser, password: demoPassword, dataDir: t.TempDir()}
	ctx := context.Background()
	s, err := openSession(ctx, f, true)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.eng.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.eng.Create(ctx, "Account", remote.Fields{"Name": "Meant For The First Org"}); err != nil {
		t.Fatal(err)
	}
	second := startOrg()
	_, err = s.eng.Sync(ctx)
	if err == nil || !errors.Is(err, signin.ErrOtherOrg) {
		t.Fatalf("sync after the org was started afresh: %v, want a refusal naming another org", err)
	}
	tok, err := second.IssueToken("admin@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	admin, err := remote.NewClient(ctx, remote.Config{InstanceURL: srv.URL, AccessToken: tok})
	if err != nil {
		t.Fatal(err)
	}
	res, err := admin.Query(ctx, "SELECT Id FROM Account WHERE Name = 'Meant For The First Org'", 0)
	if err != nil || len(res.Records) != 0 {
		t.Fatalf("the other org got the change: %v %v", res.Records, err)
	}
	if total, _, _ := s.eng.Counts(ctx); total != 1 {
		t.Fatalf("queue holds %d, want the change kept", total)
	}
}

// Each device file knows the org its data came from: with --db, devices of two orgs served in
// turn at one URL each go to their own org and refuse another.
func TestEachDeviceFileKnowsItsOwnOrg(t *testing.T) {
	var current atomic.Pointer[mockorg.Org]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		current.Load().Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	newOrg := func() *mockorg.Org {
		org, err := mockorg.Open(mockorg.Options{Seed: 1, Size: 40})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { org.Close() })
		org.SetInstanceURL(srv.URL)
		return org
	}
	dir := t.TempDir()
	devX, devY := filepath.Join(dir, "x.db"), filepath.Join(dir, "y.db")
	x, y, z := newOrg(), newOrg(), newOrg()
	current.Store(x)
	if out, err := run(t, dir, "", "--org", srv.URL, "--db", devX, "sync"); err != nil {
		t.Fatalf("sync x: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "--org", srv.URL, "--db", devX, "new", "Account", "Name=For Org X"); err != nil {
		t.Fatalf("new: %v\n%s", err, out)
	}
	current.Store(y)
	if out, err := run(t, dir, "", "--org", srv.URL, "--db", devY, "sync"); err != nil {
		t.Fatalf("sync y: %v\n%s", err, out)
	}
	current.Store(x)
	if out, err := run(t, dir, "", "--org", srv.URL, "--db", devX, "sync"); err != nil || !strings.Contains(out, "synced 1") {
		t.Fatalf("x's device back on org x: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "--org", srv.URL, "--db", devX, "new", "Account", "Name=Also For Org X"); err != nil {
		t.Fatalf("new: %v\n%s", err, out)
	}
	current.Store(z)
	out, err := run(t, dir, "", "--org", srv.URL, "--db", devX, "sync")
	if exitCode(err) != 1 || !errors.Is(err, errAnotherOrg) {
		t.Fatalf("x's device on org z: exit %d (%v)\n%s", exitCode(err), err, out)
	}
}

// countRequests counts the requests in the device's activity log (notes left out).
func countRequests(t *testing.T, dir string) int {
	t.Helper()
	out, err := run(t, dir, "", "log", "--json", "--limit", "5000")
	if err != nil {
		t.Fatalf("log: %v\n%s", err, out)
	}
	var acts []pending.Activity
	if err := json.Unmarshal([]byte(out), &acts); err != nil {
		t.Fatalf("log --json: %v\n%s", err, out)
	}
	n := 0
	for _, a := range acts {
		if a.Method != "" {
			n++
		}
	}
	return n
}

// An org that answers at another instance than last time (a My Domain change, an instance
// refresh) is the same org and user: the device keeps its file, named after the old instance,
// with its cache and its queue; a file named after the new one would leave the queue behind.
func TestAnOrgThatMovedToAnotherInstanceKeepsTheDevicesQueue(t *testing.T) {
	org, login, moved := orgThatMoves(t)
	dir := t.TempDir()
	flags := []string{"--org", login.URL}
	must := func(args ...string) string {
		t.Helper()
		out, err := run(t, dir, "", append(flags, args...)...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return out
	}
	must("sync")
	acct := strings.Fields(strings.Split(must("list", "Account"), "\n")[1])[0]
	must("edit", "Account", acct, "Phone=555-0142")
	must("new", "Contact", "LastName=Not Stranded")

	org.SetInstanceURL(moved.URL) // the sign-in at the login URL now names another instance
	if n := len(pendingEntries(t, dir, flags...)); n != 2 {
		t.Fatalf("pending before the sync names %d changes, want 2", n)
	}
	if out := must("sync"); !strings.Contains(out, "synced 2") {
		t.Fatalf("sync after the org moved:\n%s", out)
	}
	if left := pendingEntries(t, dir, flags...); len(left) != 0 {
		t.Fatalf("left after the sync: %+v", left)
	}
	if out := must("list", "Contact", "Not Stranded"); !strings.Contains(out, "Not Stranded") {
		t.Fatalf("the device lost its cache or the create:\n%s", out)
	}
	dbs, _ := filepath.Glob(filepath.Join(dir, "*alex@demo.example.db"))
	if len(dbs) != 1 {
		t.Fatalf("device files %v, want the one it had", dbs)
	}
	// Offline, the remembered sign-in names the same file.
	must("edit", "Account", acct, "Phone=555-0143")
	if n := len(pendingEntries(t, dir, flags...)); n != 1 {
		t.Fatalf("pending after an offline edit names %d changes, want 1", n)
	}
}

// An org that refuses the queries of one object does not stop the sync, but the sync says so:
// the device's copy of that object may be out of date (or empty on a first sync).
func TestSyncSaysWhichObjectsItCouldNotRefresh(t *testing.T) {
	org, err := mockorg.Open(mockorg.Options{Seed: 1, Size: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/query") && strings.Contains(r.URL.Query().Get("q"), "FROM Task") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `[{"message":"No such column 'Secret__c' on entity 'Task'","errorCode":"INVALID_FIELD"}]`)
			return
		}
		org.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	org.SetInstanceURL(srv.URL)
	dir := t.TempDir()
	out, err := run(t, dir, "", "--org", srv.URL, "sync")
	if err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	if !strings.Contains(out, "could not refresh Task: ") || !strings.Contains(out, "; what the device shows of it may be out of date") ||
		!strings.Contains(out, "No such column 'Secret__c'") {
		t.Fatalf("sync output does not say Task was not refreshed:\n%s", out)
	}
	out, err = run(t, dir, "", "--org", srv.URL, "sync", "--json")
	if err != nil {
		t.Fatalf("sync --json: %v\n%s", err, out)
	}
	var got struct {
		Summary struct{ Unrefreshed []string } `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Summary.Unrefreshed) != 1 || !strings.HasPrefix(got.Summary.Unrefreshed[0], "Task: ") {
		t.Fatalf("sync --json unrefreshed: %v %+v\n%s", err, got, out)
	}
}

// A change whose send got no answer says so in the queue: the org may have it, and the next
// sync checks before sending it again.
func TestPendingSaysWhichChangesGotNoAnswer(t *testing.T) {
	dir := t.TempDir()
	mo, err := mockorg.Open(mockorg.Options{Seed: 1, Size: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer mo.Close()
	var drop atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if drop.Load() && strings.HasSuffix(r.URL.Path, "/composite") {
			mo.Handler().ServeHTTP(httptest.NewRecorder(), r) // the org takes it; the answer is lost
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		mo.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	mo.SetInstanceURL(srv.URL)
	org := []string{"--org", srv.URL}
	if out, err := run(t, dir, "", append(org, "sync")...); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", append(org, "new", "Account", "Name=Sent Into The Void")...); err != nil {
		t.Fatalf("new: %v\n%s", err, out)
	}
	drop.Store(true)
	_, _ = run(t, dir, "", append(org, "sync", "--wait", "0s")...)
	en := pendingEntries(t, dir, org...)
	if len(en) != 1 || !en[0].InDoubt {
		t.Fatalf("the queue after a send without an answer (the test's premise): %+v", en)
	}
	out, err := run(t, dir, "", append(org, "pending")...)
	if err != nil || !strings.Contains(out, "sent, no answer: the org may have it; the next sync sends it again, never twice over") {
		t.Fatalf("pending: %v\n%s", err, out)
	}
}

// The device file follows the org and user, not the way of reaching them: after the org moved,
// another spelling of its URL, or a run with its own --db in between, still finds the queue.
func TestAMovedOrgsQueueIsFoundWhateverTheWayOfReachingIt(t *testing.T) {
	for _, c := range []struct {
		name    string
		between func(t *testing.T, dir string, flags []string)
		then    func(login string) []string
	}{
		{"another spelling of the URL", nil, func(login string) []string {
			return []string{"--org", strings.Replace(login, "127.0.0.1", "localhost", 1)}
		}},
		{"a run with --db in between", func(t *testing.T, dir string, flags []string) {
			if out, err := run(t, dir, "", append(flags, "--db", filepath.Join(t.TempDir(), "scratch.db"), "sync")...); err != nil {
				t.Fatalf("sync --db: %v\n%s", err, out)
			}
		}, func(login string) []string { return []string{"--org", login} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			org, login, moved := orgThatMoves(t)
			dir := t.TempDir()
			flags := []string{"--org", login.URL}
			for _, args := range [][]string{{"sync"}, {"new", "Contact", "LastName=Before The Move"}} {
				if out, err := run(t, dir, "", append(flags, args...)...); err != nil {
					t.Fatalf("%v: %v\n%s", args, err, out)
				}
			}
			org.SetInstanceURL(moved.URL)
			if out, err := run(t, dir, "", append(flags, "new", "Contact", "LastName=After The Move")...); err != nil {
				t.Fatalf("new: %v\n%s", err, out)
			}
			if c.between != nil {
				c.between(t, dir, flags)
			}
			then := c.then(login.URL)
			out, err := run(t, dir, "", append(then, "sync")...)
			if err != nil || !strings.Contains(out, "synced 2") {
				t.Fatalf("sync: %v\n%s", err, out)
			}
			if left := pendingEntries(t, dir, then...); len(left) != 0 {
				t.Fatalf("left: %+v", left)
			}
		})
	}
}

// An object the org does not have, asked for with --objects, is said, not dropped silently.
func TestSyncSaysWhenAnObjectAskedForDoesNotExist(t *testing.T) {
	out, err := run(t, t.TempDir(), "", "--objects", "Account,Nope__c", "sync")
	if err != nil || !strings.Contains(out, "could not refresh Nope__c: the org has no such object for this user") {
		t.Fatalf("sync: %v\n%s", err, out)
	}
}

// orgThatMoves serves one mock org at two addresses: it answers at login until the test moves
// it (org.SetInstanceURL(moved.URL)), as an org moved to another instance does.
func orgThatMoves(t *testing.T) (org *mockorg.Org, login, moved *httptest.Server) {
	t.Helper()
	org, err := mockorg.Open(mockorg.Options{Seed: 1, Size: 40})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { org.Close() })
	login = httptest.NewServer(org.Handler())
	t.Cleanup(login.Close)
	moved = httptest.NewServer(org.Handler())
	t.Cleanup(moved.Close)
	org.SetInstanceURL(login.URL)
	return org, login, moved
}

// A number longer than a float64 keeps (15 significant digits) is refused, with what it would
// have been saved as, rather than queued as its neighbour; one it keeps goes as typed, from a
// FIELD=VALUE argument and from a JSON line alike, and a JSON number given to a text field
// keeps its digits.
func TestNumbersAreQueuedAsTypedOrRefused(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	refused := []struct{ arg, says string }{
		{"AnnualRevenue=123456789012345678", "it would be saved as 123456789012345680"},
		{"AnnualRevenue=9007199254740993", "it would be saved as 9007199254740992"},
		{"AnnualRevenue=123456789012345678.9", "has more significant digits than the device keeps (15 to 17)"},
		{"AnnualRevenue=1e400", "is not a number the org can store"},
		{"NumberOfEmployees=99999999999", "not 99999999999"}, // in full, not 9.9999999999e+10
		{"Name=   ", "Name can't be emptied"},
	}
	for _, tc := range refused {
		out, err := run(t, dir, "", "edit", "Account", "Acme Group", tc.arg)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("edit %s: %v\n%s\nwant a refusal saying %q", tc.arg, err, out, tc.says)
		}
	}
	lines := filepath.Join(dir, "changes.jsonl")
	if err := os.WriteFile(lines, []byte(`{"op":"edit","object":"Account","record":"Acme Group","fields":{"AnnualRevenue":123456789012345678}}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, dir, "", "apply", lines); err == nil || !strings.Contains(err.Error(), "it would be saved as 123456789012345680") {
		t.Errorf("apply of a long number: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "edit", "Account", "Acme Group", "AnnualRevenue=9007199254740992"); err != nil {
		t.Fatalf("a 16-digit number a float64 holds: %v\n%s", err, out)
	}
	if err := os.WriteFile(lines, []byte(`{"op":"edit","object":"Account","record":"Acme Group","fields":{"Description":12345678901234567890}}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, dir, "", "apply", lines); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	out, err := run(t, dir, "", "pending", "--json")
	if err != nil {
		t.Fatalf("pending: %v\n%s", err, out)
	}
	for _, want := range []string{`"AnnualRevenue":9007199254740992`, `"Description":"12345678901234567890"`} {
		if !strings.Contains(strings.ReplaceAll(out, " ", ""), want) {
			t.Errorf("the queue lacks %s:\n%s", want, out)
		}
	}
}

// The commands that read or queue say what went wrong by their exit status as sync does: a
// script tells "try again later" (3: the org a device that never signed in there needs could
// not be reached) and "the org refused the sign-in" (2) from "fix the input" (1).
func TestEveryCommandsExitStatusSaysWhatWentWrong(t *testing.T) {
	srv := newFlakyOrg(t).srv
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"pending, wrong password", []string{"--org", srv.URL, "--password", "wrong", "pending"}, 2},
		{"new, wrong password", []string{"--org", srv.URL, "--password", "wrong", "new", "Account", "Name=X"}, 2},
		{"list, org unreachable", []string{"--org", "http://127.0.0.1:1", "list", "Account"}, 3},
		{"edit, org unreachable", []string{"--org", "http://127.0.0.1:1", "edit", "Account", "X", "Phone=1"}, 3},
		{"two ways of signing in", []string{"--org", srv.URL, "--password", "wrong", "--oauth", "pending"}, 1},
	}
	for _, tc := range tests {
		_, err := run(t, t.TempDir(), "", tc.args...)
		if code := exitCode(err); code != tc.want {
			t.Errorf("%s: exit %d (%v), want %d", tc.name, code, err, tc.want)
		}
	}
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	if _, err := run(t, dir, "", "edit", "Account", "Acme Group", "NoSuchField__c=1"); exitCode(err) != 1 {
		t.Errorf("an unknown field: exit %d (%v), want 1", exitCode(err), err)
	}
}

// A number is queued as the org will store it: rounded to the field's decimals on the digits
// written, a float64 printed in full taken for itself, no sign on zero; anyType takes a JSON
// number only if the device keeps it exactly.
func TestNumbersAreQueuedAsTheOrgStoresThem(t *testing.T) {
	amount := remote.Field{Name: "Amount", Type: "currency", Precision: 18, Scale: 2}
	count := remote.Field{Name: "N", Type: "int", Precision: 8}
	anyField := remote.Field{Name: "V", Type: "anyType"}
	taken := []struct {
		f    remote.Field
		in   any
		want float64
	}{
		{amount, "99.989999999999995", 99.99}, // %.17g of 99.99
		{amount, "12.339999999999999", 12.34},
		{amount, json.Number("12.339999999999999"), 12.34},
		{amount, "1234.567", 1234.57},
		{amount, "-0.001", 0},
		{amount, "-0", 0},
		{count, "1e2", 100},
		{remote.Field{Name: "AnnualRevenue", Type: "currency", Precision: 18}, ".4", 0}, // no whole part written
		{remote.Field{Name: "AnnualRevenue", Type: "currency", Precision: 18}, "1.5e0", 2},
		{amount, "1.234567e3", 1234.57},
		{amount, json.Number("9.87654e2"), 987.65},
		{amount, "1.23456789012345678e1", 12.35}, // rounded on its digits before they are counted
		{anyField, json.Number("12.5"), 12.5},
	}
	for _, tc := range taken {
		got, err := normalizeValue(tc.f, tc.in)
		if err != nil || got != tc.want || math.Signbit(got.(float64)) {
			t.Errorf("%s %v: %v (%v), want %v", tc.f.Type, tc.in, got, err, tc.want)
		}
	}
	refused := []struct {
		f    remote.Field
		in   any
		says string
	}{
		{count, "-0.5", "give -1 or 0, not -0.5"},
		{anyField, json.Number("12345678901234567"), "it would be saved as 12345678901234568"},
		{anyField, json.Number("1e400"), "not a number the org can store"},
	}
	for _, tc := range refused {
		if got, err := normalizeValue(tc.f, tc.in); err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s %v: %v (%v), want a refusal saying %q", tc.f.Type, tc.in, got, err, tc.says)
		}
	}
}

func TestTheAppStartedOfflineSendsNothingUntilItGoesOnline(t *testing.T) {
	o := newFlakyOrg(t)
	f := &orgFlags{orgURL: o.srv.URL, user: defaultUser, password: demoPassword, dataDir: t.TempDir()}
	ctx := context.Background()
	if out, err := run(t, f.dataDir, "", "--org", o.srv.URL, "sync"); err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	acct := o.firstAccountOf(t, "alex@demo.example")
	o.hits.Store(0)
	s, err := openSession(ctx, f, false) // offline-edit --offline --org URL
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	if n := o.hits.Load(); n != 0 {
		t.Fatalf("opening offline made %d request(s) to the org, want none", n)
	}
	if err := s.eng.Edit(ctx, "Account", acct, remote.Fields{"Phone": "555-0142"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.eng.Sync(ctx); !errors.Is(err, remote.ErrOffline) {
		t.Fatalf("sync while offline: %v, want offline", err)
	}
	if n := o.hits.Load(); n != 0 {
		t.Fatalf("offline, the device made %d request(s), want none", n)
	}
	// Online: the sign-in happens then, and the change reaches the org.
	s.eng.SetOnline(true)
	if _, err := s.eng.Sync(ctx); err != nil {
		t.Fatalf("sync once online: %v", err)
	}
	if got := o.phoneOf(t, acct); got != "555-0142" {
		t.Fatalf("org has phone %q, want the change made offline", got)
	}
	// A wrong password is still refused when the device goes online.
	s.Close()
	f.password = "wrong"
	s, err = openSession(ctx, f, false)
	if err != nil {
		t.Fatal(err)
	}
	s.eng.SetOnline(true)
	_, err = s.eng.Sync(ctx)
	if pending.Classify(err) != pending.ClassAuth || !errors.Is(err, pending.ErrAuth) {
		t.Fatalf("sync with a wrong password: %v, want a sign-in refused", err)
	}
	// No session was refused (none was made): the sign-in's refusal is said, not a 401.
	if msg := err.Error(); !strings.HasPrefix(msg, "signing in again failed: ") || !strings.Contains(msg, "authentication failure") || strings.Contains(strings.ReplaceAll(msg, f.orgURL, ""), "401") { // the port may hold 401
		t.Fatalf("sync with a wrong password says %q", msg)
	}
	// The screens are told why (not merely that the org asks to sign in again).
	for {
		select {
		case ev := <-s.eng.Events():
			if ev.Kind != pending.EventAuthRequired {
				continue
			}
			if !strings.Contains(ev.Reason, "authentication failure") || strings.Contains(ev.Reason, "sync:") {
				t.Fatalf("the pause's reason is %q, want the sign-in's refusal alone", ev.Reason)
			}
			return
		case <-time.After(5 * time.Second):
			t.Fatal("no event said sync paused")
		}
	}
}

// The Salesforce CLI names no org: the device asks the org whose token it is, so that a queue
// made for one org is not sent to another answering at the same address (a served org started
// afresh, a refreshed sandbox), whether the app starts online or offline (it was sent).
func TestTheSalesforceCLIWaySendsNothingToAnotherOrgAtItsAddress(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake sf is a shell script")
	}
	srv, start := swappableOrg(t)
	bin := t.TempDir()
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	var current *mockorg.Org
	startOrg := func(seed int64) *mockorg.Org {
		t.Helper()
		org := start(seed)
		current = org
		tok, err := org.IssueToken("alex@demo.example")
		if err != nil {
			t.Fatal(err)
		}
		sf := "#!/bin/sh\ncase \"$1 $2\" in\n'org display') printf '%s\\n' '{\"status\":0,\"result\":{\"accessToken\":\"" + tok +
			"\",\"instanceUrl\":\"" + srv.URL + "\",\"username\":\"alex@demo.example\"}}';;\n*) exit 64;;\nesac\n"
		if err := os.WriteFile(filepath.Join(bin, "sf"), []byte(sf), 0o755); err != nil {
			t.Fatal(err)
		}
		return org
	}
	for _, mode := range []string{"online", "offline", "running"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			target := []string{"--target-org", "acme"}
			startOrg(1)
			if out, err := run(t, dir, "", append(target, "sync")...); err != nil {
				t.Fatalf("first sync: %v\n%s", err, out)
			}
			if mode == "running" {
				// The app runs on while the alias comes to name another org: the renewal of
				// its token (sf run again) is checked as the first sign-in was.
				s, err := openSession(context.Background(), &orgFlags{targetOrg: "acme", user: defaultUser, dataDir: dir}, true)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if _, err := s.eng.Create(context.Background(), "Account", remote.Fields{"Name": "Meant For Org One"}); err != nil {
					t.Fatal(err)
				}
				s.eng.SetOnline(false)
				startOrg(2)
				s.eng.SetOnline(true)
				if _, err := s.eng.Sync(context.Background()); !errors.Is(err, signin.ErrOtherOrg) {
					t.Fatalf("sync of a running app whose alias names another org now: %v, want a refusal naming another org", err)
				}
				s.Close()
			} else {
				if out, err := run(t, dir, "", append(target, "new", "Account", "Name=Meant For Org One")...); err != nil {
					t.Fatalf("new: %v\n%s", err, out)
				}
				startOrg(2)
			}
			switch mode {
			case "offline":
				s, err := openSession(context.Background(), &orgFlags{targetOrg: "acme", user: defaultUser, dataDir: dir}, false)
				if err != nil {
					t.Fatal(err)
				}
				s.eng.SetOnline(true)
				_, err = s.eng.Sync(context.Background())
				s.Close()
				if !errors.Is(err, signin.ErrOtherOrg) {
					t.Fatalf("sync of a device started offline, with another org at the address: %v, want a refusal naming another org", err)
				}
			case "online":
				_, err := run(t, dir, "", append(target, "sync")...)
				if err == nil || !strings.Contains(err.Error(), "another org") {
					t.Fatalf("sync with another org at the address: %v, want a refusal naming another org", err)
				}
			}
			tok, _ := current.IssueToken("admin@demo.example")
			admin, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: srv.URL, AccessToken: tok})
			if err != nil {
				t.Fatal(err)
			}
			if res, err := admin.Query(context.Background(), "SELECT Id FROM Account WHERE Name = 'Meant For Org One'", 0); err != nil || len(res.Records) != 0 {
				t.Fatalf("the other org got the change: %v %v", res.Records, err)
			}
			if n := len(pendingEntries(t, dir, target...)); n != 1 {
				t.Fatalf("the queue holds %d changes after the refusal, want 1", n)
			}
		})
	}
}

// swappableOrg serves, at one URL, the mock org start last started: start(seed) starts another
// org there (a served org started afresh, a refreshed sandbox: a new org id at the same address).
func swappableOrg(t *testing.T) (srv *httptest.Server, start func(seed int64) *mockorg.Org) {
	t.Helper()
	var current atomic.Pointer[mockorg.Org]
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		current.Load().Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func(seed int64) *mockorg.Org {
		t.Helper()
		org, err := mockorg.Open(mockorg.Options{Seed: seed, Size: 40})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { org.Close() })
		org.SetInstanceURL(srv.URL)
		current.Store(org)
		return org
	}
}
