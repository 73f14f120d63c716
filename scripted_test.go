package main

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
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
