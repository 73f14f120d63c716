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

// Discarding the create of a record that other queued changes point at says which of them now
// need a new value, and in which field; changes pointing elsewhere are not named.
func TestDiscardOfACreateOthersPointAtNamesTheChangesThatNeedANewValue(t *testing.T) {
	dir := t.TempDir()
	must := succeeds(t, dir)
	must("sync")
	plane := must("new", "Account", "Name=Plane Co")
	other := must("new", "Account", "Name=Other Offline Co")
	must("new", "Contact", "FirstName=Jo", "LastName=Pilot", "AccountId="+plane)
	must("new", "Contact", "FirstName=Al", "LastName=Elsewhere", "AccountId="+other)

	if out := must("discard", "Account", "Plane Co"); out != `discarded the create of Account "Plane Co"; 1 change that pointed at it now needs a new value: Contact "Jo Pilot" (AccountId) (fix or discard it)` {
		t.Fatalf("discard said %q", out)
	}
	status := map[string]string{}
	for _, en := range pendingEntries(t, dir) {
		status[en.Name] = en.Code
	}
	if status["Jo Pilot"] != "REFERENCE_DISCARDED" || status["Al Elsewhere"] != "" {
		t.Fatalf("what the engine left (the test's premise): %v", status)
	}

	// Two at once; an edit's discard and a create nothing points at say nothing.
	must("new", "Opportunity", "Name=Elsewhere deal", "StageName=Prospecting", "CloseDate=2026-12-01", "AccountId="+other)
	if out := must("discard", "Account", "Other Offline Co"); out != `discarded the create of Account "Other Offline Co"; 2 changes that pointed at it now need a new value: Contact "Al Elsewhere" (AccountId), Opportunity "Elsewhere deal" (AccountId) (fix or discard each)` {
		t.Fatalf("discard of a create two changes point at said %q", out)
	}
	must("new", "Account", "Name=Lonely Offline Co")
	must("edit", "Account", "Acme Group", "Phone=555-0101")
	for _, name := range []string{"Lonely Offline Co", "Acme Group"} {
		if out := must("discard", "Account", name); out != "" {
			t.Errorf("discard of %s said %q", name, out)
		}
	}
}

// Deleting a record created offline drops its create, as discard does, and says the same of the
// changes that pointed at it.
func TestDeleteOfARecordCreatedOfflineNamesTheChangesThatNeedANewValue(t *testing.T) {
	dir := t.TempDir()
	must := succeeds(t, dir)
	must("sync")
	plane := must("new", "Account", "Name=Plane Co")
	must("new", "Contact", "FirstName=Jo", "LastName=Pilot", "AccountId="+plane)
	if out := must("delete", "Account", plane); out != `discarded the create of Account "Plane Co"; 1 change that pointed at it now needs a new value: Contact "Jo Pilot" (AccountId) (fix or discard it)` {
		t.Fatalf("delete said %q", out)
	}
	must("new", "Account", "Name=Lonely Offline Co")
	if out := must("delete", "Account", "Lonely Offline Co"); out != "" {
		t.Errorf("delete of a create nothing points at said %q", out)
	}
}
