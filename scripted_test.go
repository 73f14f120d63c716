package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/offline-edit/offline-edit/cache"
)

// orgTokens counts the access tokens the embedded org in dir has issued: one each time a
// command opens it.
func orgTokens(t testing.TB, dir string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "demo-org.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM tokens`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestQueueingCommandsLeaveTheEmbeddedOrgClosed(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	before := orgTokens(t, dir)
	steps := [][]string{
		{"new", "Account", "Name=Closed Org Co"},
		{"edit", "Account", "Closed Org Co", "Phone=555-0100"},
		{"edit", "Account", "Acme Group", "Phone=555-0101"},
		{"delete", "Account", "Closed Org Co"},
		{"pending", "--json"},
		{"log", "--json"},
	}
	for _, args := range steps {
		if out, err := run(t, dir, "", args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	if out, err := run(t, dir, `{"op":"new","object":"Account","fields":{"Name":"Applied Co"}}`, "apply"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if got := orgTokens(t, dir); got != before {
		t.Errorf("the queueing commands opened the org and signed in %d time(s); they need only the device", got-before)
	}
	// A user the org does not know has no device yet: the org is asked, and refuses.
	if _, err := run(t, dir, "", "--user", "nobody@demo.example", "new", "Account", "Name=X"); err == nil || !strings.Contains(err.Error(), "no such user") {
		t.Errorf("an unknown user queued a change (err %v)", err)
	}
	out, err := run(t, dir, "", "sync")
	if err != nil || !strings.Contains(out, "synced 2") {
		t.Fatalf("sync of what was queued with the org closed: %v\n%s", err, out)
	}
	if orgTokens(t, dir) == before {
		t.Error("sync did not sign in to the org")
	}
}

// BenchmarkQueueAnEditOnALargeEmbeddedOrg is one `offline-edit edit` on a device of an
// embedded org of 20,000 records, as a script queueing changes one command at a time runs it
// (in-process: the process start, about 10 ms, is not counted).
func BenchmarkQueueAnEditOnALargeEmbeddedOrg(b *testing.B) {
	dir := b.TempDir()
	exec := func(args ...string) string {
		root := newRootCmd()
		var out strings.Builder
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(append([]string{"--data-dir", dir, "--size", "20000"}, args...))
		if err := root.Execute(); err != nil {
			b.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	exec("sync")
	id := strings.TrimSpace(exec("new", "Account", "Name=Bench Co"))
	i := 0
	for b.Loop() {
		i++
		exec("edit", "Account", id, fmt.Sprintf("Phone=555-%04d", i))
	}
}

func TestChangeCommandsRefuseValuesTheOrgWouldRefuseAndLock(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"new", "Contact", "FirstName=Ann"}, "a new Contact needs LastName: give LastName=VALUE"},
		{[]string{"new", "Contact", "LastName="}, "a new Contact needs LastName"},
		{[]string{"new", "Opportunity", "Name=O"}, "a new Opportunity needs StageName, CloseDate"},
		{[]string{"edit", "Account", "Acme Group", "Name="}, "Name can't be emptied"},
		{[]string{"edit", "Account", "Acme Group", "Industry=Spaceflight"}, `Industry takes only its picklist's values, not "Spaceflight": one of Agriculture,`},
		{[]string{"edit", "Account", "Acme Group", "Industry=banking"}, `did you mean "Banking"?`},
		// A C1 control is written escaped, the letter after it kept (cleaned for the terminal,
		// a CSI once ate it).
		{[]string{"edit", "Account", "Acme Group", "Industry=Bank\u009bing"}, `not "Bank\u009bing"`},
		{[]string{"new", "Contact", "LastName=L", "Email=not-an-address"}, "Email is an email field: give an address"},
		{[]string{"edit", "Acount", "Acme Group", "Phone=1"}, `"Acount" is not an object this device caches (it caches Account,`},
	}
	for _, c := range cases {
		out, err := run(t, dir, "", c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: want error containing %q, got %v\n%s", c.args, c.want, err, out)
		}
	}
	lines := []struct{ line, want string }{
		{`{"op":"new","object":"Lead","fields":{"LastName":"L"}}`, "line 1: a new Lead needs Company"},
		{`{"op":"edit","object":"Account","record":"Acme Group","fields":{"Rating":"Tepid"}}`, "line 1: Rating takes only its picklist's values"},
		{`{"op":"edit","object":"Account","record":"Acme Group","fields":{"Name":null}}`, "line 1: Name can't be emptied"},
		{`{"op":"delete","record":"Acme Group"}`, `line 1: no "object" given`},
	}
	for _, l := range lines {
		if out, err := run(t, dir, l.line, "apply"); err == nil || !strings.Contains(err.Error(), l.want) {
			t.Errorf("apply %s: want error containing %q, got %v\n%s", l.line, l.want, err, out)
		}
	}
	if got := pendingEntries(t, dir); len(got) != 0 {
		t.Fatalf("refused changes were queued: %+v", got)
	}
	// What the org takes goes in: a listed value, an emptied optional field, an address, and
	// object names in any case, as the org reads them.
	for _, args := range [][]string{
		{"edit", "account", "Acme Group", "Industry=Banking", "Rating="},
		{"new", "CONTACT", "LastName=Lane", "Email=lane@example.com"},
		{"new", "Contact", "LastName=José", "Email= josé@empresa.es "}, // an internationalised address, spaces around it
	} {
		if out, err := run(t, dir, "", args...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	if out, err := run(t, dir, `{"op":"delete","object":"contact","record":"Lane"}`, "apply"); err != nil {
		t.Fatalf("apply delete: %v\n%s", err, out)
	}
	for _, en := range pendingEntries(t, dir) {
		if en.Name == "José" && en.Changes["Email"] != "josé@empresa.es" {
			t.Fatalf("the address queued: %q", en.Changes["Email"])
		}
	}
	if out, err := run(t, dir, "", "discard", "Contact", "José"); err != nil {
		t.Fatalf("discard: %v\n%s", err, out)
	}
	got := pendingEntries(t, dir)
	if len(got) != 1 || got[0].Object != "Account" || got[0].Changes["Industry"] != "Banking" {
		t.Fatalf("queue: %+v", got)
	}
	if v, ok := got[0].Changes["Rating"]; !ok || v != nil {
		t.Fatalf("Rating= should queue an emptied Rating, got %+v", got[0].Changes)
	}
}

func TestQueueingCommandsTakeTurnsWithAnotherProcessOnTheDevice(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	// Another command has the device for a moment: this one waits for it, then queues.
	db, _ := holdDevice(t, dir)
	released := make(chan struct{})
	go func() {
		time.Sleep(150 * time.Millisecond)
		db.Close()
		close(released)
	}()
	if out, err := run(t, dir, "", "new", "Account", "Name=After The Other"); err != nil {
		t.Fatalf("new while another process had the device for a moment: %v\n%s", err, out)
	}
	<-released
	if got := pendingEntries(t, dir); len(got) != 1 || got[0].Name != "After The Other" {
		t.Fatalf("queue: %+v", got)
	}
	// One that keeps it (the app): refused once the wait is over, and nothing queued.
	db, _ = holdDevice(t, dir)
	start := time.Now()
	_, err := run(t, dir, "", "edit", "Account", "After The Other", "Phone=1")
	db.Close()
	if !errors.Is(err, cache.ErrAlreadyOpen) || time.Since(start) < queueLockWait {
		t.Fatalf("edit while the device stayed held: %v after %s; want already open after %s", err, time.Since(start), queueLockWait)
	}
	if got := pendingEntries(t, dir); len(got) != 1 || len(got[0].Changes) != 1 {
		t.Fatalf("queue after the refused edit: %+v", got)
	}
}

func TestValuesThatAreNotUTF8AreRefusedNotMangled(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	if _, err := run(t, dir, "", "new", "Account", "Name=Latin1", "Description=caf\xe9"); err == nil ||
		!strings.Contains(err.Error(), "Description: the value is not UTF-8 text (the byte 0xe9 at 3)") {
		t.Errorf("new with a Latin-1 value: %v", err)
	}
	line := "{\"op\":\"new\",\"object\":\"Account\",\"fields\":{\"Name\":\"caf\xe9\"}}"
	if _, err := run(t, dir, line, "apply"); err == nil || !strings.Contains(err.Error(), "line 1 is not UTF-8 text") {
		t.Errorf("apply with a Latin-1 line: %v", err)
	}
	if got := pendingEntries(t, dir); len(got) != 0 {
		t.Fatalf("text that is not UTF-8 was queued (as U+FFFD): %+v", got)
	}
	if out, err := run(t, dir, "", "new", "Account", "Name=Café ✓ \x1b[31m"); err != nil {
		t.Fatalf("UTF-8 text, escape included, is text: %v\n%s", err, out)
	}
}

// linesThenCtrlC gives its lines one Read at a time and cancels after the first n were read,
// as Ctrl-C would while apply reads a long input.
type linesThenCtrlC struct {
	lines  []string
	n      int
	cancel func()
}

func (r *linesThenCtrlC) Read(p []byte) (int, error) {
	if r.n == 0 {
		r.cancel()
	}
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	r.n--
	line := r.lines[0] + "\n"
	r.lines = r.lines[1:]
	return copy(p, line), nil
}

func TestCtrlCDuringApplyExits130AndSaysHowManyWentIn(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	var lines []string
	for i := range 10 {
		lines = append(lines, fmt.Sprintf(`{"op":"new","object":"Account","fields":{"Name":"Line %d"}}`, i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(&linesThenCtrlC{lines: lines, n: 3, cancel: cancel})
	root.SetArgs([]string{"--data-dir", dir, "apply"})
	err := root.ExecuteContext(ctx)
	if exitCode(err) != 130 || !strings.Contains(err.Error(), "interrupted after 3 line(s) were applied") {
		t.Fatalf("apply interrupted: exit %d, %v\n%s", exitCode(err), err, out.String())
	}
	if !strings.Contains(out.String(), "applied 3 line(s); the queue now holds 3 change(s)") {
		t.Errorf("stdout: %q", out.String())
	}
	if got := pendingEntries(t, dir); len(got) != 3 {
		t.Fatalf("queue after Ctrl-C: %d entries, want the 3 lines read before it", len(got))
	}
}

func TestCtrlCDuringSyncSaysInterruptedInItsJSON(t *testing.T) {
	dir, org := queuedWhileOrgIsDown(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(500*time.Millisecond, cancel)
	root := newRootCmd()
	var stdout, stderr bytes.Buffer
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	root.SetArgs(append([]string{"--data-dir", dir}, append(org, "sync", "--json", "--wait", "1m")...))
	err := root.ExecuteContext(ctx)
	if exitCode(err) != 130 {
		t.Fatalf("exit %d (%v), want 130", exitCode(err), err)
	}
	var got struct {
		Summary map[string]any `json:"summary"`
		Pending []any          `json:"pending"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout.String())
	}
	if got.Summary["error"] != errInterrupted.Error() || len(got.Pending) != 1 {
		t.Fatalf("summary %v with %d pending; want the error %q and the queued change", got.Summary, len(got.Pending), errInterrupted)
	}
}

func TestSyncJSONIsJSONAlsoWhenTheSessionCannotOpen(t *testing.T) {
	syncJSON := func(dir string, args ...string) (map[string]any, []any, bool, int) {
		t.Helper()
		root := newRootCmd()
		var stdout, stderr bytes.Buffer
		root.SetOut(&stdout)
		root.SetErr(&stderr)
		root.SetArgs(append([]string{"--data-dir", dir}, args...))
		code := exitCode(root.ExecuteContext(context.Background()))
		var got struct {
			Summary map[string]any `json:"summary"`
			Pending []any          `json:"pending"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
			t.Fatalf("%v: stdout is not JSON (%v):\n%s", args, err, stdout.String())
		}
		return got.Summary, got.Pending, got.Pending != nil, code
	}
	// An org that never answered, on a new device: the error, and no queue to read.
	o := newFlakyOrg(t)
	o.down.Store(true)
	sum, _, read, code := syncJSON(t.TempDir(), "--org", o.srv.URL, "sync", "--json", "--wait", "0s")
	if code != 3 || !strings.Contains(fmt.Sprint(sum["error"]), "cannot be reached") || read || sum["synced"] != float64(0) {
		t.Errorf("unreachable org: exit %d, summary %v, queue read %v", code, sum, read)
	}
	// The device held by the app: the error, and the queue read beside it.
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "new", "Account", "Name=Held"); err != nil {
		t.Fatalf("new: %v\n%s", err, out)
	}
	db, _ := holdDevice(t, dir)
	defer db.Close()
	sum, queue, _, code := syncJSON(dir, "sync", "--json")
	if code != 1 || !strings.Contains(fmt.Sprint(sum["error"]), "already open") || len(queue) != 1 {
		t.Errorf("device held: exit %d, summary %v, queue %v", code, sum, queue)
	}
}
