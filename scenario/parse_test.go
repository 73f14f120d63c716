package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
)

const goodScenario = `name: Conflict resolved with mine
description: Sam and I change the same phone
seed: 7
size: 40
steps:
  - create: Account
    ref: acme
    fields: {Name: Acme Ltd, Phone: "555-0100", NumberOfEmployees: 12, AnnualRevenue: 1.5e6, IsActive: true, Description: null, CloseDate: 2026-01-02}
  - share: acme
    with: sam
    access: read
  - offline
  - edit: acme
    fields: {Phone: "555-0111"}
  - edit: acme
    as: sam
    fields: {Phone: "555-0199"}
  - network: {latency: 300ms, jitter: 100ms, drop: 10%, lossy: 1, errors: 0.5}
  - network: normal
  - wait: 5m
  - online: {synced: 0, attention: 1}
  - expect: {record: acme, sash: orange, status: conflict, access: full, attempts: 1}
  - resolve: acme
    fields: {Phone: mine, Rating: theirs, Industry: {value: Energy}}
  - resolve: {object: Account, name: Acme Ltd}
    take: theirs
  - resolve: {object: Account, id: 001000000000001AAA}
    delete: keep
  - add_rule: {object: Opportunity, kind: min, field: Amount, value: 0, message: No negatives}
    ref: nonneg
  - remove_rule: nonneg
  - expire
  - expire: sam
  - signin
  - sync
  - edit: acme
    fields: {Phone: "1"}
    expect_error: locked
  - expect:
      record: acme
      cache: {Phone: "555-0111"}
      org: {Phone: "555-0111"}
      org_exists: true
  - expect: {pending: 0, attention: 0}
  - expect:
      count: {object: Account, where: "Name = 'Acme Ltd'", is: 1}
  - fix: acme
    fields: {Phone: "2"}
  - dismiss: acme
  - discard: acme
  - retry: acme
  - check_access: acme
  - unshare: acme
    with: me
  - lock: acme
    writes: 2
  - unlock: acme
  - delete: acme
    as: admin
`

func TestParseReadsEveryStepKind(t *testing.T) {
	sc, err := Parse("good.yaml", []byte(goodScenario))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Name != "Conflict resolved with mine" || sc.Seed != 7 || sc.Size != 40 {
		t.Fatalf("header: %+v", sc)
	}
	seen := map[Kind]bool{}
	for _, st := range sc.Steps {
		seen[st.Kind] = true
	}
	for _, k := range Kinds {
		if !seen[k] {
			t.Errorf("kind %s not parsed", k)
		}
	}
	c := sc.Steps[0]
	if c.Object != "Account" || c.Ref != "acme" || c.Line != 6 {
		t.Errorf("create step: %+v", c)
	}
	wantFields := map[string]any{"Name": "Acme Ltd", "Phone": "555-0100", "NumberOfEmployees": 12.0,
		"AnnualRevenue": 1.5e6, "IsActive": true, "Description": nil, "CloseDate": "2026-01-02"}
	for k, v := range wantFields {
		if got, ok := c.Fields[k]; !ok || got != v {
			t.Errorf("field %s = %#v, want %#v", k, got, v)
		}
	}
	if st := sc.Steps[4]; st.As != "sam" || st.Record.Ref != "acme" || st.Record.Object != "Account" {
		t.Errorf("edit as sam: %+v", st)
	}
	n := sc.Steps[5].Network
	if n.Latency.String() != "300ms" || n.Jitter.String() != "100ms" || n.Drop != 0.1 || n.Lossy != 1 || n.Errors != 0.5 {
		t.Errorf("network: %+v", n)
	}
	if *sc.Steps[8].Summary.Attention != 1 || *sc.Steps[8].Summary.Synced != 0 || sc.Steps[8].Summary.Merged != nil {
		t.Errorf("summary: %+v", sc.Steps[8].Summary)
	}
	r := sc.Steps[10]
	if r.Choices["Phone"].Take != "mine" || r.Choices["Rating"].Take != "theirs" || r.Choices["Industry"] != (Choice{Take: "value", Value: "Energy"}) {
		t.Errorf("resolve: %+v", r.Choices)
	}
	if sc.Steps[11].TakeAll != "theirs" || sc.Steps[11].Record.Name != "Acme Ltd" {
		t.Errorf("resolve take: %+v", sc.Steps[11])
	}
	if sc.Steps[12].Delete != "keep" || sc.Steps[12].Record.ID != "001000000000001AAA" {
		t.Errorf("resolve delete: %+v", sc.Steps[12])
	}
	if sc.Steps[15].User != Me || sc.Steps[16].User != "sam" {
		t.Errorf("expire users: %q %q", sc.Steps[15].User, sc.Steps[16].User)
	}
	if sc.Steps[19].ExpectError != "locked" {
		t.Errorf("expect_error: %+v", sc.Steps[19])
	}
	if e := sc.Steps[22].Expect; e.Count == nil || e.Count.Is != 1 || e.Count.Object != "Account" {
		t.Errorf("count: %+v", e)
	}
	if l, u := sc.Steps[len(sc.Steps)-3], sc.Steps[len(sc.Steps)-2]; l.Kind != KindLock || l.Writes != 2 || l.Record.Ref != "acme" || u.Kind != KindUnlock || u.Writes != 0 {
		t.Errorf("lock, unlock: %+v %+v", l, u)
	}
}

func TestParseRejectsBadFiles(t *testing.T) {
	head := "name: x\nsteps:\n"
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"empty file", "", "bad.yaml:1: empty file: a scenario needs name and steps"},
		{"yaml syntax", "name: x\nsteps:\n  - edit: [\n", "bad.yaml:3: YAML syntax: did not find expected node content (look at this line and those under it: an indentation, a bracket or a quote)"},
		{"not a mapping", "- offline\n", "bad.yaml:1: a scenario is a mapping with name, steps and optionally description, seed, size, strict, profile, objects, extra_fields"},
		{"unknown top key", "name: x\nstep:\n  - offline\n", `bad.yaml:2: unknown key "step" at the top level (expected name, description, seed, size, strict, profile, objects, extra_fields, steps)`},
		{"extra_fields not a mapping", "name: x\nextra_fields: [Account]\nsteps:\n  - offline\n", "bad.yaml:2: extra_fields maps objects to how many more custom fields the org gives them, e.g. {Account: 450}"},
		{"extra_fields on an unknown object", "name: x\nextra_fields:\n  Acount: 450\nsteps:\n  - offline\n", `bad.yaml:3: extra fields on "Acount": no such object one may write to (Account, Case, Contact, Lead, Opportunity, Site_Visit__c, Task)`},
		{"extra_fields too many", "name: x\nextra_fields: {Account: 900}\nsteps:\n  - offline\n", "bad.yaml:2: extra_fields of Account must be between 0 and 800, found 900"},
		{"extra_fields not a number", "name: x\nextra_fields: {Account: many}\nsteps:\n  - offline\n", `bad.yaml:2: extra_fields of Account must be a whole number, found "many"`},
		{"unknown profile", "name: x\nprofile: sandbox\nsteps:\n  - offline\n", `bad.yaml:2: profile must be demo or real, found "sandbox"`},
		{"profile not a word", "name: x\nprofile: [real]\nsteps:\n  - offline\n", "bad.yaml:2: profile must be text"},
		{"missing name", "steps:\n  - offline\n", "bad.yaml:1: the scenario needs a name"},
		{"missing steps", "name: x\n", "bad.yaml:1: the scenario needs steps"},
		{"empty steps", "name: x\nsteps: []\n", "bad.yaml:2: steps is empty"},
		{"seed not a number", "name: x\nseed: abc\nsteps:\n  - offline\n", `bad.yaml:2: seed must be a whole number, found "abc"`},
		{"size too big", "name: x\nsize: 1000000\nsteps:\n  - offline\n", "bad.yaml:2: size must be between 0 and 100000, found 1000000"},
		{"duplicate key", "name: x\nname: y\nsteps:\n  - offline\n", `bad.yaml:2: duplicate key "name"`},
		{"unknown step word", head + "  - offlien\n", `bad.yaml:3: unknown step "offlien" (expected one of offline, online, network, wait, sync, create, edit, delete, share, unshare, lock, unlock, add_rule, remove_rule, expire, signin, resolve, fix, dismiss, discard, retry, check_access, expect)`},
		{"unknown step key", head + "  - teleport: acme\n", `bad.yaml:3: unknown step "teleport" (expected one of offline, online, network, wait, sync, create, edit, delete, share, unshare, lock, unlock, add_rule, remove_rule, expire, signin, resolve, fix, dismiss, discard, retry, check_access, expect)`},
		{"two actions", head + "  - offline:\n    online:\n", "bad.yaml:4: a step does one thing: found both offline and online"},
		{"word needing a value", head + "  - edit\n", `bad.yaml:3: step edit needs a value, e.g. "- edit: ..."`},
		{"unknown object", head + "  - create: Acount\n    fields: {Name: a}\n", `bad.yaml:3: unknown object "Acount" (known: Account, Contact, Opportunity, Lead, Case, Task; add others with the objects key)`},
		{"custom object not listed", head + "  - create: Site_Visit__c\n    fields: {Name: a}\n", `bad.yaml:3: unknown object "Site_Visit__c" (known: Account, Contact, Opportunity, Lead, Case, Task; add others with the objects key)`},
		{"objects not a list", "name: x\nobjects: Site_Visit__c\nsteps:\n  - offline\n", "bad.yaml:2: objects is a list of object names, e.g. [Site_Visit__c]"},
		{"objects with a bad name", "name: x\nobjects: [\"Site Visit\"]\nsteps:\n  - offline\n", `bad.yaml:2: "Site Visit" is not an object name`},
		{"create without fields", head + "  - create: Account\n", "bad.yaml:3: create needs fields"},
		{"unknown record ref", head + "  - edit: acme\n    fields: {Phone: \"1\"}\n", `bad.yaml:3: unknown record "acme": no earlier create step has ref: acme (or use {object: ..., name: ...})`},
		{"ref used before create", head + "  - delete: acme\n  - create: Account\n    ref: acme\n    fields: {Name: a}\n", `bad.yaml:3: unknown record "acme": no earlier create step has ref: acme (or use {object: ..., name: ...})`},
		{"duplicate ref", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - create: Account\n    ref: a\n    fields: {Name: b}\n", `bad.yaml:7: ref "a" is already used by an earlier step`},
		{"record without name or id", head + "  - delete: {object: Account}\n", "bad.yaml:3: a record reference needs exactly one of name and id"},
		{"record with bad id", head + "  - delete: {object: Account, id: \"x'; DROP\"}\n", `bad.yaml:3: "x'; DROP" is not a record id (15 or 18 letters and digits)`},
		{"field value a mapping", head + "  - create: Account\n    fields: {Name: {first: a}}\n", "bad.yaml:4: the value of Name must be text, a number, true/false or null, found a mapping (a lookup is written {ref: NAME}, a user {user: sam}, the values of a multi-select picklist [A, B])"},
		{"a list of mappings", head + "  - create: Account\n    fields: {Product_Interest__c: [{a: 1}]}\n", "bad.yaml:4: the values of Product_Interest__c in a list must be text, found a mapping"},
		{"a list with an empty value", head + "  - create: Account\n    fields: {Product_Interest__c: [Hardware, \"\"]}\n", "bad.yaml:4: a value of Product_Interest__c in the list is empty"},
		{"a list value with a semicolon", head + "  - create: Account\n    fields: {Product_Interest__c: [\"Hardware;Training\"]}\n", `bad.yaml:4: a value of Product_Interest__c in the list has a ';' in it ("Hardware;Training"): write each value on its own`},
		{"bad field name", head + "  - create: Account\n    fields: {\"Na me\": a}\n", `bad.yaml:4: "Na me" is not a field name`},
		{"unknown key for step", head + "  - offline:\n    as: sam\n", `bad.yaml:4: unknown key "as": step offline takes no other keys`},
		{"as on a share", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - share: a\n    with: sam\n    as: sam\n", `bad.yaml:8: unknown key "as" for step share (expected with, access)`},
		{"unknown user", head + "  - create: Account\n    as: bob\n    fields: {Name: a}\n", `bad.yaml:4: unknown user "bob" (expected me, sam, admin or a username)`},
		{"bad access", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - share: a\n    with: sam\n    access: write\n", `bad.yaml:8: access must be read or edit, found "write"`},
		{"bad duration", head + "  - wait: soon\n", `bad.yaml:3: wait must be a duration such as 300ms, 2s or 5m, found "soon"`},
		{"rate over 100", head + "  - network: {drop: 150%}\n", `bad.yaml:3: drop must be between 0% and 100%, found "150%"`},
		{"rate as a bare whole number", head + "  - network: {drop: 10}\n", `bad.yaml:3: drop is a share: write it as a percentage (10%) or a fraction from 0 to 1, found 10`},
		{"rate as word", head + "  - network: {lossy: all}\n", `bad.yaml:3: lossy must be a percentage such as 25% or a number between 0 and 1, found "all"`},
		{"unknown condition", head + "  - network: {speed: 1}\n", `bad.yaml:3: unknown network condition "speed" (expected latency, jitter, drop, lossy, errors)`},
		{"jitter above latency", head + "  - network: {latency: 10ms, jitter: 20ms}\n", "bad.yaml:3: jitter (20ms) must not exceed latency (10ms)"},
		{"unknown rule kind", head + "  - add_rule: {object: Account, kind: regex, field: Name}\n", `bad.yaml:3: unknown rule kind "regex" (known: required, min, max_length, forbid_value, require_if, duplicate, flow_error)`},
		{"min rule without number", head + "  - add_rule: {object: Account, kind: min, field: AnnualRevenue, value: lots}\n", `bad.yaml:3: a min rule needs a number as value, found "lots"`},
		{"unknown rule ref", head + "  - remove_rule: r1\n", `bad.yaml:3: unknown rule "r1": no earlier add_rule step has ref: r1`},
		{"resolve without choice", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - resolve: a\n", "bad.yaml:6: resolve needs fields (field: mine | theirs | {value: ...}), take (mine or theirs) or delete (anyway or keep)"},
		{"resolve bad choice", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - resolve: a\n    fields: {Phone: ours}\n", `bad.yaml:7: Phone must be mine, theirs or {value: X} (a new value), found "ours"`},
		{"resolve delete bad", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - resolve: a\n    delete: maybe\n", `bad.yaml:7: delete must be anyway or keep, found "maybe"`},
		{"expect unknown check", head + "  - expect: {colour: red}\n", `bad.yaml:3: unknown check "colour" (expected record with sash, status, code, message, attempts, access, cache, org, org_exists, conflicts; or pending, attention, count, cached)`},
		{"expect bad access", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - expect: {record: a, access: write}\n", `bad.yaml:6: access must be one of full, edit, read, found "write"`},
		{"expect sash without record", head + "  - expect: {sash: red}\n", "bad.yaml:3: check sash needs record: (which record)"},
		{"expect bad sash", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - expect: {record: a, sash: purple}\n", `bad.yaml:6: sash must be one of green, orange, red, none, found "purple"`},
		{"expect pending not a number", head + "  - expect: {pending: some}\n", `bad.yaml:3: pending must be a whole number, found "some"`},
		{"expect negative pending", head + "  - expect: {pending: -1}\n", "bad.yaml:3: pending must be between 0 and 2147483647, found -1"},
		{"expect nothing", head + "  - expect: {}\n", "bad.yaml:3: expect checks nothing"},
		{"count without is", head + "  - expect: {count: {object: Account}}\n", "bad.yaml:3: count needs object and is"},
		{"bad expect_error", head + "  - sync:\n    expect_error: maybe\n", `bad.yaml:4: expect_error must be one of locked, not_found, not_allowed, changed_again, auth, offline, network or an org error code such as INSUFFICIENT_ACCESS_OR_READONLY, found "maybe"`},
		{"alias", "name: x\nsteps:\n  - &a offline\n  - *a\n", "bad.yaml:3: anchors and aliases are not supported in scenario files"},
		{"step is a list", head + "  - [offline]\n", "bad.yaml:3: a step is a word such as offline or a mapping such as {edit: acme, fields: {...}}"},
		{"infinite number", head + "  - create: Account\n    fields: {AnnualRevenue: .inf}\n", `bad.yaml:4: the value of AnnualRevenue must be a finite number, found ".inf"`},
		{"signin with value", head + "  - signin: now\n", "bad.yaml:3: step signin takes no value"},
		{"lock writes zero", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - lock: a\n    writes: 0\n", "bad.yaml:7: writes must be at least 1 (leave it out to lock until an unlock step)"},
		{"unlock takes no writes", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - unlock: a\n    writes: 1\n", `bad.yaml:7: unknown key "writes": step unlock takes no other keys`},
		{"ref inside add_rule", head + "  - add_rule: {object: Account, kind: required, field: Phone, ref: phone-rule}\n", "bad.yaml:3: ref goes beside add_rule, not inside its braces: - {add_rule: {object: …, kind: …, field: …}, ref: phone-rule}"},
		{"share with admin", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - share: a\n    with: admin\n", "bad.yaml:7: the admin sees every record; share with me or sam"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Parse("bad.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("parsed: %+v", sc)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ParseError", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got  %s\n want %s", err, tt.want)
			}
		})
	}
}

func TestFormatRoundTripsThroughParse(t *testing.T) {
	sc, err := Parse("good.yaml", []byte(goodScenario))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Format(sc)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse("again.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(again.Steps) != len(sc.Steps) {
		t.Fatalf("%d steps, want %d", len(again.Steps), len(sc.Steps))
	}
	for i := range sc.Steps {
		a, b := sc.Steps[i], again.Steps[i]
		a.Line, b.Line = 0, 0
		if got, want := mustJSON(t, b), mustJSON(t, a); got != want {
			t.Errorf("step %d:\n got  %s\n want %s", i+1, got, want)
		}
	}
	if strings.Contains(string(out), "!!") {
		t.Errorf("formatted file shows YAML tags:\n%s", out)
	}
}

func TestParseReadsExtraFieldsAndFormatKeepsThem(t *testing.T) {
	sc, err := Parse("w.yaml", []byte("name: x\nextra_fields: {Case: 3, Account: 450}\nsteps:\n  - offline\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.ExtraFields) != 2 || sc.ExtraFields["Account"] != 450 || sc.ExtraFields["Case"] != 3 {
		t.Fatalf("extra fields %v", sc.ExtraFields)
	}
	out, err := Format(sc)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "extra_fields: {Account: 450, Case: 3}") {
		t.Fatalf("formatted:\n%s", out)
	}
	again, err := Parse("again.yaml", out)
	if err != nil || !maps.Equal(again.ExtraFields, sc.ExtraFields) {
		t.Fatalf("read again: %v %v\n%s", err, again, out)
	}
}

func TestParseReadsTheProfileAndFormatKeepsIt(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"name: x\nsteps:\n  - offline\n", ""},
		{"name: x\nprofile: demo\nsteps:\n  - offline\n", "demo"},
		{"name: x\nprofile: real\nsteps:\n  - offline\n", "real"},
	} {
		sc, err := Parse("p.yaml", []byte(c.src))
		if err != nil {
			t.Fatalf("%q: %v", c.src, err)
		}
		if sc.Profile != c.want {
			t.Errorf("%q: profile %q, want %q", c.src, sc.Profile, c.want)
		}
		out, err := Format(sc)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse("again.yaml", out)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if again.Profile != c.want {
			t.Errorf("formatted and read again: profile %q, want %q\n%s", again.Profile, c.want, out)
		}
	}
}

func TestParseNamesEveryBrokenStepNotOnlyTheFirst(t *testing.T) {
	src := "name: several problems\nsteps:\n  - offline\n  - fly: away\n  - create: Account\n    fields: {Name: ok}\n  - edit: nothing\n    fields: {Phone: 1}\n  - online\n  - wait: forever\n"
	_, err := Parse("bad.yaml", []byte(src))
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %v is not a *ParseError", err, err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || pe.Line != 4 || len(pe.More) != 2 {
		t.Fatalf("want the three broken steps (lines 4, 7, 10), got:\n%s", err)
	}
	for i, want := range []string{"bad.yaml:4: ", "bad.yaml:7: ", "bad.yaml:10: "} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("problem %d is %q, want it at %q", i, lines[i], want)
		}
	}
}

func TestAProblemOfTheWholeFileNamesNoLine(t *testing.T) {
	_, err := Parse("huge.yaml", bytes.Repeat([]byte("#"), MaxFileSize+1))
	if err == nil || err.Error() != fmt.Sprintf("huge.yaml: file is larger than %d bytes", MaxFileSize) {
		t.Fatalf("err = %v", err)
	}
}

func TestACountConditionCannotCarryAClauseThatChangesWhatItCounts(t *testing.T) {
	for _, tc := range []struct {
		where string
		want  string // "" = accepted
	}{
		{"Name = 'Acme'", ""},
		{"Name = 'limit 1 order by x'", ""},
		{`Name = 'it\'s LIMIT 1'`, ""},
		{"Name LIKE 'A%' AND Phone != null", ""},
		{"Name = 'Acme' LIMIT 1", "LIMIT"},
		{"Name = 'Acme' order  by Name", "ORDER BY"},
		{"Name != null OFFSET 5", "OFFSET"},
		{"Name = 'x' GROUP BY Name", "GROUP BY"},
	} {
		src := "name: c\nsteps:\n  - expect: {count: {object: Account, where: \"" + strings.ReplaceAll(tc.where, `\`, `\\`) + "\", is: 1}}\n"
		_, err := Parse("c.yaml", []byte(src))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q refused: %v", tc.where, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want+" does not belong")):
			t.Errorf("%q: err = %v, want %s refused", tc.where, err, tc.want)
		}
	}
}

// A create whose fields are wrong still names its ref: the steps that use it are not reported
// as wrong too.
func TestACreateWithBadFieldsStillNamesItsRef(t *testing.T) {
	src := "name: x\nsteps:\n  - create: Account\n    ref: a\n    fields: {Name: [1, [2]]}\n  - edit: a\n    fields: {Phone: \"1\"}\n"
	_, err := Parse("v.yaml", []byte(src))
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 5 || len(pe.More) != 0 {
		t.Fatalf("problems: %v; want only the one of line 5", err)
	}
}
