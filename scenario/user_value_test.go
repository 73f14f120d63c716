package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeScenario(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// An owner is written by user name ({user: sam}), in a change and in an expectation, and the
// file round-trips through Format.
func TestAnOwnerIsGivenByUserName(t *testing.T) {
	const head = `name: owner by name
steps:
  - create: Account
    ref: acct
    fields: {Name: Handed Over Ltd}
  - online
  - edit: acct
    as: admin
    fields: {OwnerId: {user: sam}}
`
	for _, tc := range []struct {
		expect string
		pass   bool
	}{
		{"sam", true},
		{"admin", false},
		{"me", false},
	} {
		t.Run(tc.expect, func(t *testing.T) {
			path := writeScenario(t, head+"  - expect: {record: acct, org: {OwnerId: {user: "+tc.expect+"}}}\n")
			sc, err := ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rep, out := runScenario(t, sc)
			if rep.Passed != tc.pass {
				t.Fatalf("passed = %v, want %v:\n%s", rep.Passed, tc.pass, out)
			}
			if !tc.pass && !strings.Contains(out, "(sam)") {
				t.Errorf("a failed owner check does not name the users behind the ids:\n%s", out)
			}
			if !strings.Contains(out, "{OwnerId: {user: sam}}") {
				t.Errorf("the step is not shown as the file writes it:\n%s", out)
			}
			text, err := Format(sc)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(text), "{user: sam}") {
				t.Errorf("Format lost the user value:\n%s", text)
			}
		})
	}
}

// A lookup given as text that is no id is refused before the first step, saying how to write it.
func TestALookupThatIsNoIDIsRefusedBeforeTheRun(t *testing.T) {
	path := writeScenario(t, `name: raw owner
steps:
  - create: Account
    fields: {Name: First Step Must Not Run}
  - online
  - edit: {object: Account, name: First Step Must Not Run}
    fields: {OwnerId: SAMID}
`)
	sc, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, out := runScenario(t, sc)
	if rep.Passed || !strings.Contains(out, "s.yaml:6: Account.OwnerId is a lookup") || !strings.Contains(out, "{user: sam}") {
		t.Fatalf("want a refusal naming the line and the way to write it:\n%s", out)
	}
	if strings.Contains(out, "ok     1") {
		t.Fatalf("a step ran before the refusal:\n%s", out)
	}
}

// What the device shows can be checked, not only the org: the fields a change conflicts on with
// the other user's values, and how many records of a name the device lists.
func TestExpectationsCheckTheConflictingFieldsAndTheRecordsOnTheDevice(t *testing.T) {
	const head = `name: device checks
steps:
  - create: Account
    ref: acme
    fields: {Name: Twice Told Ltd, Phone: "555-0100"}
  - share: acme
    with: sam
  - offline
  - edit: acme
    fields: {Phone: "555-0111", Industry: Energy}
  - edit: acme
    as: sam
    fields: {Phone: "555-0199", Industry: Banking}
  - online
`
	for _, tc := range []struct {
		name, expect string
		pass         bool
	}{
		{"the right conflicts", `{record: acme, conflicts: {Phone: "555-0199", Industry: Banking}}`, true},
		{"a wrong value", `{record: acme, conflicts: {Phone: "555-0199", Industry: Energy}}`, false},
		{"a field missing", `{record: acme, conflicts: {Phone: "555-0199"}}`, false},
		{"one record of the name", `{cached: {object: Account, name: twice told ltd, is: 1}}`, true},
		{"two records of the name", `{cached: {object: Account, name: Twice Told Ltd, is: 2}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := ParseFile(writeScenario(t, head+"  - expect: "+tc.expect+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			rep, out := runScenario(t, sc)
			if rep.Passed != tc.pass {
				t.Fatalf("passed = %v, want %v:\n%s", rep.Passed, tc.pass, out)
			}
			text, err := Format(sc)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse("again.yaml", text)
			if err != nil {
				t.Fatalf("Format wrote what Parse refuses: %v\n%s", err, text)
			}
			if got, want := again.Steps[len(again.Steps)-1].Expect.String(), sc.Steps[len(sc.Steps)-1].Expect.String(); got != want {
				t.Fatalf("round trip: %s, want %s", got, want)
			}
		})
	}
}
