package main

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// bitmap is a validFor bitmap, as the org writes it, that allows the controlling values at idx.
func bitmap(idx ...int) string {
	b := make([]byte, 3)
	for _, i := range idx {
		b[i/8] |= 0x80 >> (i % 8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// gadgetDescribe has a picklist Category controlling a picklist Part and a multi-select Tags,
// and a checkbox Active__c controlling a picklist Mode.
//
//	Part:  Bolt (Hardware), Nut (Hardware, Tools), Chip (Electronics), Odd (no bitmap), Garbled (unreadable bitmap)
//	Tags:  Sharp (Tools), Heavy (Hardware, Tools), Tiny (Electronics, Hardware)
//	Mode:  Live (true), Idle (false, true)
func gadgetDescribe() *remote.Describe {
	pv := func(v, validFor string) remote.PicklistValue {
		return remote.PicklistValue{Value: v, Label: v, Active: true, ValidFor: validFor}
	}
	return &remote.Describe{Name: "Gadget__c", Label: "Gadget", Fields: []remote.Field{
		{Name: "Name", Label: "Gadget Name", Type: "string", NameField: true},
		{Name: "Category__c", Label: "Category", Type: "picklist", Nillable: true, PicklistValues: []remote.PicklistValue{
			pv("Hardware", ""), pv("Tools", ""), pv("Electronics", ""),
		}},
		{Name: "Part__c", Label: "Gadget Part", Type: "picklist", Nillable: true, DependentPicklist: true, ControllerName: "Category__c",
			PicklistValues: []remote.PicklistValue{
				pv("Bolt", bitmap(0)), pv("Nut", bitmap(0, 1)), pv("Chip", bitmap(2)), pv("Odd", ""), pv("Garbled", "!!not base64!!"),
			}},
		{Name: "Tags__c", Label: "Gadget Tags", Type: "multipicklist", Nillable: true, DependentPicklist: true, ControllerName: "Category__c",
			PicklistValues: []remote.PicklistValue{
				pv("Sharp", bitmap(1)), pv("Heavy", bitmap(0, 1)), pv("Tiny", bitmap(2, 0)),
			}},
		{Name: "Active__c", Label: "Active", Type: "boolean"},
		{Name: "Mode__c", Label: "Mode", Type: "picklist", Nillable: true, DependentPicklist: true, ControllerName: "Active__c",
			PicklistValues: []remote.PicklistValue{pv("Live", bitmap(1)), pv("Idle", bitmap(0, 1))}},
	}}
}

func TestDependentValuesAreCheckedAgainstTheControllingValue(t *testing.T) {
	d := gadgetDescribe()
	cases := []struct {
		name   string
		fields remote.Fields
		held   remote.Fields
		want   []string // parts of the refusal; none: allowed
	}{
		{"a value valid for the controlling value given beside it", remote.Fields{"Category__c": "Hardware", "Part__c": "Bolt"}, nil, nil},
		{"a value not valid for the controlling value given beside it",
			remote.Fields{"Category__c": "Tools", "Part__c": "Bolt"}, nil,
			[]string{`Gadget Part "Bolt" is not valid for Category "Tools"; valid: Nut, Odd, Garbled`}},
		{"a value not valid for the controlling value the record holds",
			remote.Fields{"Part__c": "Chip"}, remote.Fields{"Category__c": "Hardware", "Part__c": "Bolt"},
			[]string{`Gadget Part "Chip" is not valid for Category "Hardware"; valid: Bolt, Nut, Odd, Garbled`}},
		{"the controlling value given wins over the one held",
			remote.Fields{"Category__c": "Electronics", "Part__c": "Chip"}, remote.Fields{"Category__c": "Hardware"}, nil},
		{"a value with no controlling value anywhere",
			remote.Fields{"Part__c": "Nut"}, remote.Fields{"Category__c": nil},
			[]string{`Gadget Part "Nut" is not valid while Category is empty`, "give Category__c=VALUE too", `"Nut" is valid for Hardware, Tools`}},
		{"a value with its controlling value emptied beside it",
			remote.Fields{"Category__c": nil, "Part__c": "Bolt"}, remote.Fields{"Category__c": "Hardware"},
			[]string{"not valid while Category is empty"}},
		{"a value the record holds, its controlling value unchanged, is not refused",
			remote.Fields{"Part__c": "Chip"}, remote.Fields{"Category__c": "Hardware", "Part__c": "Chip"}, nil},
		{"nor when the controlling value is given as it is held",
			remote.Fields{"Category__c": "Hardware", "Part__c": "Chip"}, remote.Fields{"Category__c": "Hardware", "Part__c": "Chip"}, nil},
		{"a controlling value changed alone must suit the value the record holds",
			remote.Fields{"Category__c": "Electronics"}, remote.Fields{"Category__c": "Hardware", "Part__c": "Bolt"},
			[]string{`Gadget Part "Bolt" is not valid for Category "Electronics" (the record holds it)`, "give Part__c=VALUE too (valid: Chip, Odd, Garbled), or Part__c= to empty it"}},
		{"a controlling value changed alone that suits the value held",
			remote.Fields{"Category__c": "Tools"}, remote.Fields{"Category__c": "Hardware", "Part__c": "Nut"}, nil},
		{"a controlling value changed with the dependent value emptied",
			remote.Fields{"Category__c": "Electronics", "Part__c": nil}, remote.Fields{"Category__c": "Hardware", "Part__c": "Bolt"}, nil},
		{"a controlling value describe does not list: the org decides",
			remote.Fields{"Category__c": "Plastics", "Part__c": "Bolt"}, nil, nil},
		{"a dependent value describe does not list: the org decides",
			remote.Fields{"Category__c": "Tools", "Part__c": "Widget"}, nil, nil},
		{"a value without a bitmap is valid for every controlling value",
			remote.Fields{"Category__c": "Tools", "Part__c": "Odd"}, nil, nil},
		{"a bitmap that cannot be read does not refuse",
			remote.Fields{"Category__c": "Tools", "Part__c": "Garbled"}, nil, nil},
		{"field names are matched as the org matches them, whatever their case",
			remote.Fields{"category__c": "Tools", "PART__C": "Bolt"}, nil, []string{`Gadget Part "Bolt" is not valid for Category "Tools"`}},

		{"a multi-select whose every value is valid", remote.Fields{"Category__c": "Tools", "Tags__c": "Sharp;Heavy"}, nil, nil},
		{"the controlling value emptied while the record holds a dependent value: say to empty it too",
			remote.Fields{"Category__c": ""}, remote.Fields{"Category__c": "Tools", "Tags__c": "Sharp"},
			[]string{`Gadget Tags "Sharp" is not valid while Category is empty (the record holds it): give Tags__c= to empty it too`}},
		{"a multi-select value read as the org reads it: spaces around a value go, a value twice counts once",
			remote.Fields{"Category__c": "Electronics", "Tags__c": "Tiny; Heavy;Heavy "}, nil,
			[]string{`Gadget Tags "Heavy" is not valid for Category "Electronics"; valid: Tiny`}},
		{"a multi-select with one value not valid",
			remote.Fields{"Category__c": "Hardware", "Tags__c": "Heavy;Sharp;Tiny"}, nil,
			[]string{`Gadget Tags "Sharp" is not valid for Category "Hardware"; valid: Heavy, Tiny`}},
		{"a multi-select with two values not valid",
			remote.Fields{"Category__c": "Electronics", "Tags__c": "Sharp;Heavy;Tiny"}, nil,
			[]string{`Gadget Tags "Sharp", "Heavy" are not valid for Category "Electronics"; valid: Tiny`}},
		{"a multi-select the record holds, in another order, is no change",
			remote.Fields{"Tags__c": "Tiny;Sharp"}, remote.Fields{"Category__c": "Electronics", "Tags__c": "Sharp;Tiny"}, nil},
		{"a changed multi-select: each chosen value must suit, the ones held too",
			remote.Fields{"Tags__c": "Sharp;Tiny;Heavy"}, remote.Fields{"Category__c": "Electronics", "Tags__c": "Sharp;Tiny"},
			[]string{`Gadget Tags "Sharp", "Heavy" are not valid for Category "Electronics"`}},
		{"a multi-select's values held when the controlling value changes",
			remote.Fields{"Category__c": "Tools"}, remote.Fields{"Category__c": "Hardware", "Tags__c": "Heavy;Tiny"},
			[]string{`Gadget Tags "Tiny" is not valid for Category "Tools" (the record holds it)`, "give Tags__c=VALUE too (valid: Sharp, Heavy)"}},
		{"a multi-select with no controlling value",
			remote.Fields{"Tags__c": "Heavy"}, nil, []string{`Gadget Tags "Heavy" is not valid while Category is empty`}},

		{"a checkbox controls by false and true", remote.Fields{"Active__c": true, "Mode__c": "Live"}, nil, nil},
		{"a value valid only while the checkbox is ticked",
			remote.Fields{"Active__c": false, "Mode__c": "Live"}, nil,
			[]string{`Mode "Live" is not valid for Active false; valid: Idle`}},
		{"a checkbox the record leaves empty is false",
			remote.Fields{"Mode__c": "Live"}, remote.Fields{}, []string{`Mode "Live" is not valid for Active false`}},
		{"unticking a checkbox the value held needs ticked",
			remote.Fields{"Active__c": false}, remote.Fields{"Active__c": true, "Mode__c": "Live"},
			[]string{`Mode "Live" is not valid for Active false (the record holds it)`}},

		{"fields that are not dependent are not checked", remote.Fields{"Name": "Sprocket", "Category__c": "Tools"}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkDependents(d, c.fields, c.held)
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("allowed; want a refusal saying %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("refusal %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestValidForBitmapsAreReadAsTheOrgWritesThem(t *testing.T) {
	cases := []struct {
		name   string
		bitmap string
		i      int
		want   bool
	}{
		{"the first bit is the first controlling value", "gAAA", 0, true},
		{"a clear bit", "gAAA", 1, false},
		{"a bit of the second byte", bitmap(9), 9, true},
		{"a bit past the bitmap", "gAAA", 24, false},
		{"a negative index", "gAAA", -1, false},
		{"base64 without padding", "gA", 0, true},
		{"no bitmap allows", "", 5, true},
		{"an unreadable bitmap allows: the org decides", "%%%", 0, true},
	}
	for _, c := range cases {
		if got := remote.ValidForAllows(c.bitmap, c.i); got != c.want {
			t.Errorf("%s: remote.ValidForAllows(%q, %d) = %v, want %v", c.name, c.bitmap, c.i, got, c.want)
		}
	}
}

func TestARecordCreatedOfflineHoldsTheOrgsDefaultsForWhatItLeftOut(t *testing.T) {
	d := gadgetDescribe()
	d.Fields[1].PicklistValues[1].DefaultValue = true // Category defaults to Tools
	if got := createDefaults(d)["Category__c"]; got != "Tools" {
		t.Fatalf("the new record's Category: %v, want the picklist's default Tools", got)
	}
	if err := checkDependents(d, remote.Fields{"Part__c": "Bolt"}, createDefaults(d)); err == nil ||
		!strings.Contains(err.Error(), `for Category "Tools"`) {
		t.Errorf("a new record's value checked against the default controlling value: %v", err)
	}
	local := pending.RecordView{Fields: remote.Fields{"Name": "Sprocket"}, Entry: &pending.Entry{Op: pending.OpCreate}}
	if got := heldValues(d, local)["Category__c"]; got != "Tools" {
		t.Errorf("a record created offline without a Category holds %v, want the default Tools", got)
	}
	emptied := pending.RecordView{Fields: remote.Fields{"Category__c": nil}, Entry: &pending.Entry{Op: pending.OpCreate}}
	if got := heldValues(d, emptied)["Category__c"]; got != nil {
		t.Errorf("a record created offline with Category emptied holds %v, want nothing", got)
	}
	synced := pending.RecordView{Fields: remote.Fields{}, Server: remote.Fields{}}
	if got, ok := heldValues(d, synced)["Category__c"]; ok {
		t.Errorf("a record the org has holds its own values, not defaults: %v", got)
	}
}

// TestHeadlessCommandsRefuseADependentValueTheControllingValueDoesNotAllow queues changes of
// the embedded org's Case Reason (controlled by Case Type) with new, edit, apply and fix: a
// value the Type does not allow is refused at once, exit 1, nothing queued; the values it
// allows are queued and sync without a refusal.
func TestHeadlessCommandsRefuseADependentValueTheControllingValueDoesNotAllow(t *testing.T) {
	dir := t.TempDir()
	must := succeeds(t, dir)
	must("sync")
	// A Case is named by its number once the org has it; its local id still names it.
	base := must("new", "Case", "Subject=Dependent base", "Type=Mechanical", "Reason=Installation")
	must("sync")
	if n := len(pendingEntries(t, dir)); n != 0 {
		t.Fatalf("the premise: a valid Reason syncs, yet %d change(s) are left", n)
	}

	refusals := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"edit with both", "", []string{"edit", "Case", base, "Type=Other", "Reason=Installation"},
			`Case Reason "Installation" is not valid for Case Type "Other"; valid: Equipment Complexity, Feedback, Other`},
		{"edit of the reason against the type held", "", []string{"edit", "Case", base, "Reason=Feedback"},
			`Case Reason "Feedback" is not valid for Case Type "Mechanical"`},
		{"edit of the type against the reason held", "", []string{"edit", "Case", base, "Type=Electronic"},
			`Case Reason "Installation" is not valid for Case Type "Electronic" (the record holds it): give Reason=VALUE too`},
		{"new without a type", "", []string{"new", "Case", "Subject=No type", "Reason=Feedback"},
			`Case Reason "Feedback" is not valid while Case Type is empty: give Type=VALUE too ("Feedback" is valid for Other)`},
		{"new with a type that does not allow it", "", []string{"new", "Case", "Subject=Wrong type", "Type=Electrical", "Reason=Feedback"},
			`Case Reason "Feedback" is not valid for Case Type "Electrical"`},
		{"apply new", `{"op":"new","object":"Case","fields":{"Subject":"Applied","Type":"Other","Reason":"Breakdown"}}`, []string{"apply"},
			`line 1: Case Reason "Breakdown" is not valid for Case Type "Other"`},
		{"apply edit", `{"op":"edit","object":"case","record":"` + base + `","fields":{"type":"Other"}}`, []string{"apply"},
			`line 1: Case Reason "Installation" is not valid for Case Type "Other"`},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			out, err := run(t, dir, r.stdin, r.args...)
			if exitCode(err) != 1 || !strings.Contains(err.Error(), r.want) {
				t.Fatalf("exit %d, %v (output %q); want exit 1 saying %q", exitCode(err), err, out, r.want)
			}
			if n := len(pendingEntries(t, dir)); n != 0 {
				t.Fatalf("a refused command queued %d change(s)", n)
			}
		})
	}

	// What the Type allows is queued, and the org takes it.
	must("edit", "Case", base, "Type=Structural") // Installation suits Structural too
	must("edit", "Case", base, "Reason=Installation", "Subject=Dependent base")
	must("edit", "Case", base, "Type=Other", "Reason=Feedback")
	must("new", "Case", "Subject=Dependent new", "Type=Electronic", "Reason=Performance")
	if out, err := run(t, dir, `{"op":"new","object":"Case","fields":{"Subject":"Dependent applied","Type":"Other","Reason":"Other"}}`, "apply"); err != nil {
		t.Fatalf("apply of a valid Reason: %v\n%s", err, out)
	}
	if n := len(pendingEntries(t, dir)); n != 3 {
		t.Fatalf("queued %d change(s), want 3", n)
	}
	must("sync")
	if left := pendingEntries(t, dir); len(left) != 0 {
		t.Fatalf("the org refused values the command let through: %+v", left)
	}

	// fix: a Case the org refused for a rule (a closed Case wants a Description) is fixed
	// only with a Reason its Type allows.
	must("new", "Case", "Subject=Dependent fix", "Status=Closed", "Origin=Web", "Type=Mechanical")
	must("sync")
	if en := pendingEntries(t, dir); len(en) != 1 || en[0].Status != pending.StatusInvalid {
		t.Fatalf("the premise: an orange refusal to fix, got %+v", en)
	}
	out, err := run(t, dir, "", "fix", "Case", "Dependent fix", "Description=Fixed", "Reason=Feedback")
	if exitCode(err) != 1 || !strings.Contains(err.Error(), `Case Reason "Feedback" is not valid for Case Type "Mechanical"`) {
		t.Fatalf("fix with a Reason the Type does not allow: exit %d, %v\n%s", exitCode(err), err, out)
	}
	if en := pendingEntries(t, dir); len(en) != 1 || en[0].Status != pending.StatusInvalid {
		t.Fatalf("a refused fix changed the change: %+v", en)
	}
	must("fix", "Case", "Dependent fix", "Description=Fixed", "Reason=Breakdown")
	must("sync")
	if left := pendingEntries(t, dir); len(left) != 0 {
		t.Fatalf("the fixed Case was refused again: %+v", left)
	}
}

// TestResolveRefusesChoicesThatPairADependentValueWithAControllingValueItDoesNotSuit makes
// a conflict on a Case's Type and Reason with another user (the admin): keeping my Reason
// while taking their Type is refused when the two do not go together; a Reason that suits
// their Type resolves it, and the org takes it.
func TestResolveRefusesChoicesThatPairADependentValueWithAControllingValueItDoesNotSuit(t *testing.T) {
	dir := t.TempDir()
	admin := []string{"--user", "admin@demo.example"}
	must := succeeds(t, dir)
	must("sync")
	must(append(admin, "sync")...)
	must("edit", "Case", "00001001", "Type=Electrical", "Reason=Breakdown")
	time.Sleep(1100 * time.Millisecond) // If-Unmodified-Since has one-second resolution
	must(append(admin, "edit", "Case", "00001001", "Type=Other", "Reason=Feedback")...)
	must(append(admin, "sync")...)
	must("sync")
	en := pendingEntries(t, dir)
	if len(en) != 1 || en[0].Status != pending.StatusConflict || len(en[0].Conflicts) != 2 {
		t.Fatalf("the premise: a conflict on Type and Reason, got %+v", en)
	}
	refusals := []struct {
		args []string
		want string
	}{
		{[]string{"--theirs", "Type", "--mine", "Reason"}, `with these choices, Case Reason "Breakdown" is not valid for Case Type "Other"; valid: Equipment Complexity, Feedback, Other`},
		{[]string{"--mine", "Type", "--theirs", "Reason"}, `Case Reason "Feedback" is not valid for Case Type "Electrical" (the record holds it)`},
		{[]string{"--theirs", "Type", "Reason=Installation"}, `Case Reason "Installation" is not valid for Case Type "Other"`},
	}
	for _, r := range refusals {
		out, err := run(t, dir, "", append([]string{"resolve", "Case", "00001001"}, r.args...)...)
		if exitCode(err) != 1 || !strings.Contains(err.Error(), r.want) {
			t.Errorf("resolve %v: exit %d, %v\n%s; want exit 1 saying %q", r.args, exitCode(err), err, out, r.want)
		}
	}
	if en := pendingEntries(t, dir); len(en) != 1 || en[0].Status != pending.StatusConflict {
		t.Fatalf("a refused resolution changed the change: %+v", en)
	}
	must("resolve", "Case", "00001001", "--theirs", "Type", "Reason=Equipment Complexity")
	must("sync")
	if left := pendingEntries(t, dir); len(left) != 0 {
		t.Fatalf("the org refused the resolution: %+v", left)
	}
	out := must("list", "Case", "00001001", "--json")
	if !strings.Contains(out, `"Reason": "Equipment Complexity"`) || !strings.Contains(out, `"Type": "Other"`) {
		t.Errorf("the org's Case after the resolution:\n%s", out)
	}
}
