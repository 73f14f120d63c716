package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A change whose last send got no reply may be on the org: discarding it from the shell says
// so, as the app does before it discards, for a create, an edit and a delete.
func TestDiscardOfAChangeInDoubtWarnsThatTheOrgMayHoldIt(t *testing.T) {
	for _, tc := range []struct {
		name, change, want string
	}{
		{"create", "", "may already hold the record"},
		{"edit", "  - edit: doubt\n    fields: {Phone: 555-0123}\n", "may already hold its values"},
		{"delete", "  - delete: doubt\n", "may already have deleted the record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sc := filepath.Join(t.TempDir(), "doubt.yaml")
			steps := "  - offline\n  - create: Account\n    ref: doubt\n    fields: {Name: Doubtful Reply Ltd}\n"
			if tc.change != "" {
				// The record is on the org first; the change to it is what goes unanswered.
				steps = "  - create: Account\n    ref: doubt\n    fields: {Name: Doubtful Reply Ltd}\n  - offline\n" + tc.change
			}
			if err := os.WriteFile(sc, []byte("name: A change in doubt\nseed: 11\nsize: 60\nsteps:\n"+steps+
				"  - network: {lossy: 100%}\n  - online: {synced: 0}\n  - expect: {pending: 1}\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := run(t, dir, "", "scenario", "run", sc); err != nil {
				t.Fatalf("scenario: %v\n%s", err, out)
			}
			ents := pendingEntries(t, dir)
			if len(ents) != 1 || !ents[0].InDoubt {
				t.Fatalf("entries %+v; want one change in doubt", ents)
			}
			out, err := run(t, dir, "", "discard", "Account", "Doubtful Reply Ltd")
			if err != nil {
				t.Fatalf("discard: %v\n%s", err, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Fatalf("discard said %q", out)
			}
			if left := pendingEntries(t, dir); len(left) != 0 {
				t.Fatalf("left %+v", left)
			}
		})
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
