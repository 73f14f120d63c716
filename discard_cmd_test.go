package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A create whose reply was lost may be on the org: discarding it from the shell says so, as
// the app does before it discards.
func TestDiscardOfACreateInDoubtWarnsThatTheOrgMayHoldIt(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(t.TempDir(), "doubt.yaml")
	if err := os.WriteFile(sc, []byte(`name: A create in doubt
seed: 11
size: 60
steps:
  - offline
  - create: Account
    ref: doubt
    fields: {Name: Doubtful Reply Ltd}
  - network: {lossy: 100%}
  - online: {synced: 0}
  - expect: {pending: 1}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, dir, "", "scenario", "run", sc); err != nil {
		t.Fatalf("scenario: %v\n%s", err, out)
	}
	ents := pendingEntries(t, dir)
	if len(ents) != 1 || !ents[0].InDoubt {
		t.Fatalf("entries %+v; want one create in doubt", ents)
	}
	out, err := run(t, dir, "", "discard", "Account", "Doubtful Reply Ltd")
	if err != nil {
		t.Fatalf("discard: %v\n%s", err, out)
	}
	if !strings.Contains(out, "reply to its creation was lost") || !strings.Contains(out, "may already hold the record") {
		t.Fatalf("discard said %q", out)
	}
	if left := pendingEntries(t, dir); len(left) != 0 {
		t.Fatalf("left %+v", left)
	}
}
