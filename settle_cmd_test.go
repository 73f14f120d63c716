package main

import (
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// succeeds runs command lines on dir that must succeed, and returns their output, trimmed.
func succeeds(t *testing.T, dir string) func(args ...string) string {
	return func(args ...string) string {
		t.Helper()
		out, err := run(t, dir, "", args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(out)
	}
}

// TestSettleCommandsClearEachSashFromTheShell makes an orange conflict, an orange refusal and a
// red deleted record on the embedded org (the admin is the other user), then settles each with
// the headless commands and syncs: nothing is left, and the org has what was chosen.
func TestSettleCommandsClearEachSashFromTheShell(t *testing.T) {
	dir := t.TempDir()
	admin := []string{"--user", "admin@demo.example"}
	must := succeeds(t, dir)
	must("sync")
	must(append(admin, "sync")...)
	must("edit", "Account", "Acme Group", "Phone=555-0001", "Rating=Hot")
	must("edit", "Account", "Blue Sun Health", "Phone=555-0003")
	must("new", "Case", "Subject=Settle me", "Status=Closed", "Origin=Web") // a rule wants a Description
	time.Sleep(1100 * time.Millisecond)                                     // If-Unmodified-Since has one-second resolution
	must(append(admin, "edit", "Account", "Acme Group", "Phone=555-9999")...)
	must(append(admin, "delete", "Account", "Blue Sun Health")...)
	must(append(admin, "sync")...)
	must("sync")
	byName := map[string]pending.Entry{}
	for _, en := range pendingEntries(t, dir) {
		byName[en.Name] = en
	}
	if byName["Acme Group"].Status != pending.StatusConflict || byName["Settle me"].Status != pending.StatusInvalid ||
		byName["Blue Sun Health"].Status != pending.StatusFailed {
		t.Fatalf("the sashes to settle (the test's premise): %+v", byName)
	}

	refusals := []struct {
		args []string
		want string
	}{
		{[]string{"resolve", "Account", "Acme Group"}, "no choice for Phone"},
		{[]string{"resolve", "Account", "Acme Group", "--theirs", "Rating"}, "Rating is not in conflict"},
		{[]string{"resolve", "Account", "Acme Group", "--theirs", "Account Phone"}, `"Account Phone" is the label of Phone`},
		{[]string{"resolve", "Account", "Acme Group", "--mine", "phone", "--theirs", "Phone"}, "Phone is given more than one choice"},
		{[]string{"resolve", "Account", "Acme Group", "--mine", "Account Phone", "--take", "theirs"}, `"Account Phone" is the label of Phone`},
		{[]string{"resolve", "Account", "Acme Group", "--take", "both"}, "want mine or theirs"},
		{[]string{"resolve", "Account", "Acme Group", "--mine", "Phone", "Phone=1"}, "more than one choice"},
		{[]string{"dismiss", "Account", "Acme Group"}, "can still be saved"},
		{[]string{"fix", "Account", "Acme Group", "Phone=1"}, "was not refused"},
		{[]string{"resolve", "Case", "Settle me", "--take", "mine"}, "no conflict to resolve"},
		{[]string{"discard", "Account", "Adventure Logistics"}, "has no pending change"},
		{[]string{"fix", "Case", "Settle me", "NoSuchField__c=1"}, "NoSuchField__c"},
		{[]string{"retry", "Account", "Acme Group"}, "is a conflict: resolve it"},
		{[]string{"retry", "Case", "Settle me"}, "fix it"},
		{[]string{"retry", "Account", "Blue Sun Health"}, "dismiss it"},
	}
	for _, r := range refusals {
		out, err := run(t, dir, "", r.args...)
		if exitCode(err) != 1 || !strings.Contains(err.Error(), r.want) {
			t.Errorf("%v: exit %d, %v (output %q); want exit 1 saying %q", r.args, exitCode(err), err, out, r.want)
		}
	}
	if n := len(pendingEntries(t, dir)); n != 3 {
		t.Fatalf("a refused command changed the queue: %d entries", n)
	}

	// On a terminal each command says what it did and what the queue holds now.
	onTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { onTerminal = isTerminal })
	settles := []struct {
		args []string
		want string
	}{
		{[]string{"resolve", "Account", "Acme Group", "Phone=555-4242", "--take", "mine"},
			`Resolved the conflict on the edit of Account "Acme Group" (Phone: a new value). Pending: 1 change waits to sync, 1 needs you, 1 can't be saved. "offline-edit sync" sends it.`},
		{[]string{"fix", "Case", "Settle me", "Description=Closed on the phone"},
			`Fixed the new record of Case "Settle me"; it will be sent again. Pending: 2 changes wait to sync, 1 can't be saved. "offline-edit sync" sends them.`},
		{[]string{"dismiss", "Account", "Blue Sun Health"},
			`Dismissed the edit of Account "Blue Sun Health". Pending: 2 changes wait to sync. "offline-edit sync" sends them.`},
	}
	for _, c := range settles {
		if out := must(c.args...); out != c.want {
			t.Errorf("%v said\n%s\nwant\n%s", c.args, out, c.want)
		}
	}
	onTerminal = isTerminal
	if out := must("sync"); !strings.Contains(out, "synced 2") {
		t.Fatalf("sync after settling: %s", out)
	}
	if left := pendingEntries(t, dir); len(left) != 0 {
		t.Fatalf("left after settling: %+v", left)
	}
	// What the org has, read through the admin's device after a refresh.
	must(append(admin, "sync")...)
	paths, _ := filepath.Glob(filepath.Join(dir, "*admin@demo.example.db"))
	if len(paths) != 1 {
		t.Fatalf("the admin's device: %v", paths)
	}
	db, err := cache.OpenReadOnly(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	view := func(object, name string) string { // by name, or by a field's whole value (a Case's subject)
		t.Helper()
		var v string
		if err := db.SQL().QueryRow(`SELECT view FROM records WHERE object = ? AND (name = ?2 OR view LIKE '%"' || ?2 || '"%')`, object, name).Scan(&v); err != nil {
			return ""
		}
		return v
	}
	if v := view("Account", "Acme Group"); !strings.Contains(v, `"Phone":"555-4242"`) || !strings.Contains(v, `"Rating":"Hot"`) {
		t.Errorf("Acme Group on the org: %s; want the typed phone and my rating", v)
	}
	if v := view("Case", "Settle me"); !strings.Contains(v, "Closed on the phone") {
		t.Errorf("the fixed case on the org: %q", v)
	}
	if v := view("Account", "Blue Sun Health"); v != "" {
		t.Errorf("the deleted account is back: %s", v)
	}
}

// A refused create is fixed with the fields that change only: the values queued before stay.
func TestFixOfARefusedCreateNeedsOnlyTheFieldsThatChange(t *testing.T) {
	dir := t.TempDir()
	must := succeeds(t, dir)
	must("sync")
	parent := must("new", "Account", "Name=Short-lived parent")
	must("new", "Contact", "LastName=Kid", "AccountId="+parent)
	must("discard", "Account", parent) // the child now points at nothing
	var kid pending.Entry
	for _, en := range pendingEntries(t, dir) {
		kid = en
	}
	if kid.Status != pending.StatusInvalid || kid.Code != "REFERENCE_DISCARDED" {
		t.Fatalf("the child after its parent went (the test's premise): %+v", kid)
	}
	acme := must("list", "Account", "Acme Group")
	id := strings.Fields(strings.Split(acme, "\n")[1])[0]
	must("fix", "Contact", "Kid", "AccountId="+id)
	if out := must("sync"); !strings.Contains(out, "synced 1") {
		t.Fatalf("sync after the fix: %s", out)
	}
}

// phoneConflict makes Acme Group's Phone a conflict on the embedded org: the user's 555-0001
// against the admin's theirs[0]; each later value of theirs the admin saves after it, and a
// sync brings to the device (the conflict still shows the first). It returns the device's must.
func phoneConflict(t *testing.T, dir string, theirs ...string) func(args ...string) string {
	t.Helper()
	admin := []string{"--user", "admin@demo.example"}
	must := succeeds(t, dir)
	must("sync")
	must(append(admin, "sync")...)
	must("edit", "Account", "Acme Group", "Phone=555-0001")
	for _, v := range theirs {
		time.Sleep(1100 * time.Millisecond) // If-Unmodified-Since has one-second resolution
		must(append(admin, "edit", "Account", "Acme Group", "Phone="+v)...)
		must(append(admin, "sync")...)
		must("sync")
	}
	return must
}

// A conflict whose other side moved again (a later sync brought a newer value) is not resolved
// on the values it showed, unless --newer says the newer value was seen; pending says it moved
// (the table) and what it is now (--json theirsNow), as the conflict screen does.
func TestResolveStopsWhenTheirsChangedAgainUntilNewerIsGiven(t *testing.T) {
	dir := t.TempDir()
	must := phoneConflict(t, dir, "555-0002", "555-0003")
	var got []map[string]any
	out := must("pending", "--json")
	if err := json.Unmarshal([]byte(out[strings.Index(out, "["):]), &got); err != nil || len(got) != 1 {
		t.Fatalf("want one conflict: %v\n%s", err, out)
	}
	c := got[0]["conflicts"].([]any)[0].(map[string]any)
	if c["theirs"] != "555-0002" || c["theirsNow"] != "555-0003" {
		t.Errorf("theirs %v, theirsNow %v; want the conflict's 555-0002 and the org's newest 555-0003", c["theirs"], c["theirsNow"])
	}
	if table := must("pending"); !strings.Contains(table, "changed again on the org since: Account Phone") { // by its label, as the message names it
		t.Errorf("the table does not say Phone changed again:\n%s", table)
	}
	_, err := run(t, dir, "", "resolve", "Account", "Acme Group", "--take", "mine")
	if exitCode(err) != 1 || !strings.Contains(err.Error(), `Phone is now "555-0003" (the conflict found "555-0002")`) {
		t.Fatalf("resolve on moved values: %v", err)
	}
	if en := pendingEntries(t, dir); len(en) != 1 || en[0].Status != pending.StatusConflict {
		t.Fatalf("a refused resolve changed the queue: %+v", en)
	}
	must("resolve", "Account", "Acme Group", "--take", "mine", "--newer")
	must("sync")
	if left := pendingEntries(t, dir); len(left) != 0 {
		t.Fatalf("left: %+v", left)
	}
}

// The embedded org lives in the memory of the process that opened it: a second process (a sync
// as another user while the app runs) is refused with what to do instead.
func TestASecondProcessOnTheEmbeddedOrgIsRefusedWithWhatToDo(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	app, err := mockorg.Open(mockorg.Options{DBPath: filepath.Join(dir, "demo-org.db")}) // as the running app holds it
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	_, err = run(t, dir, "", "--user", "admin@demo.example", "sync")
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "backstage (B)") || !strings.Contains(err.Error(), "offline-edit serve") {
		t.Fatalf("a second process on the embedded org: exit %d, %v", exitCode(err), err)
	}
}

// resolve whose choices leave a new conflict behind (another user changed a field of the change
// outside the conflict since) says so rather than "Resolved": the choices stand, and the new
// conflict waits for its own resolution.
func TestResolveSaysWhenANewConflictIsLeft(t *testing.T) {
	dir := t.TempDir()
	admin := []string{"--user", "admin@demo.example"}
	must := succeeds(t, dir)
	must("sync")
	must(append(admin, "sync")...)
	must("edit", "Account", "Acme Group", "Phone=555-0001", "Description=mine")
	time.Sleep(1100 * time.Millisecond) // If-Unmodified-Since has one-second resolution
	must(append(admin, "edit", "Account", "Acme Group", "Phone=555-0002")...)
	must(append(admin, "sync")...)
	must("sync")
	time.Sleep(1100 * time.Millisecond)
	must(append(admin, "edit", "Account", "Acme Group", "Description=theirs")...)
	must(append(admin, "sync")...)
	must("sync")
	out := must("resolve", "Account", "Acme Group", "--take", "mine")
	if !strings.Contains(out, "Kept your choices") || !strings.Contains(out, "another user changed Account Description since your change: a new conflict") {
		t.Fatalf("resolve said %q", out)
	}
	if en := pendingEntries(t, dir); len(en) != 1 || en[0].Status != pending.StatusConflict || en[0].Conflicts[0].Field != "Description" {
		t.Fatalf("the queue after it: %+v", en)
	}
}
