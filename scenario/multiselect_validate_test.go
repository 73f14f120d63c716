package scenario

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateMultiSelectAndDatetimeValues(t *testing.T) {
	head := "name: x\nseed: 1\nsize: 30\nsteps:\n"
	account := func(fields string) string {
		return head + "  - create: Account\n    fields: {Name: a, " + fields + "}\n"
	}
	contact := func(fields string) string {
		return head + "  - create: Contact\n    fields: {LastName: a, " + fields + "}\n"
	}
	values := "it takes Hardware, Software, Cloud Services, Training, Support Plans"
	bad := []struct {
		name string
		src  string
		want []string
	}{
		{"a value not in the list, in a list", account("Product_Interest__c: [Hardware, Consulting]"),
			[]string{`v.yaml:5: Account.Product_Interest__c takes only its picklist's values, not "Consulting": ` + values}},
		{"a value not in the list, as text", account(`Product_Interest__c: "Training;Snacks"`),
			[]string{`v.yaml:5: Account.Product_Interest__c takes only its picklist's values, not "Snacks": ` + values}},
		{"another case", account("Product_Interest__c: [hardware]"),
			[]string{`v.yaml:5: Account.Product_Interest__c takes only its picklist's values, not "hardware": did you mean "Hardware"?`}},
		{"spaces after the separator", account(`Product_Interest__c: "Hardware; Training"`),
			[]string{`v.yaml:5: Account.Product_Interest__c takes only its picklist's values, not " Training": did you mean "Training"?`}},
		{"every wrong value of the line", account("Product_Interest__c: [Gadgets, Hardware, Widgets]"),
			[]string{
				`v.yaml:5: Account.Product_Interest__c takes only its picklist's values, not "Gadgets": ` + values,
				`v.yaml:5: Account.Product_Interest__c takes only its picklist's values, not "Widgets": ` + values,
			}},
		{"a number", account("Product_Interest__c: 3"),
			[]string{`v.yaml:5: Account.Product_Interest__c is a multi-select picklist: give its values as a list ([A, B]) or as text ("A;B"), not 3`}},
		{"a datetime in words", contact("Next_Meeting__c: next tuesday"),
			[]string{`v.yaml:5: Contact.Next_Meeting__c is a date and time: give YYYY-MM-DDThh:mm:ssZ (such as 2026-01-05T09:00:00Z, or with an offset: 2026-01-05T10:00:00+01:00), not "next tuesday"`}},
		{"a datetime with a space", contact("Next_Meeting__c: 2026-01-05 09:00"),
			[]string{`v.yaml:5: Contact.Next_Meeting__c is a date and time: give YYYY-MM-DDThh:mm:ssZ`}},
		{"a date alone", contact("Next_Meeting__c: 2026-01-05"),
			[]string{`v.yaml:5: Contact.Next_Meeting__c is a date and time: give YYYY-MM-DDThh:mm:ssZ`}},
		{"a datetime without its zone", contact("Next_Meeting__c: 2026-01-05T09:00:00"),
			[]string{`v.yaml:5: Contact.Next_Meeting__c is a date and time: give YYYY-MM-DDThh:mm:ssZ`}},
		{"no such day", contact("Next_Meeting__c: 2026-02-30T09:00:00Z"),
			[]string{`v.yaml:5: Contact.Next_Meeting__c: "2026-02-30T09:00:00Z" is no date and time: February 2026 has no day 30`}},
		{"a number for a datetime", contact("Next_Meeting__c: 1767603600"),
			[]string{`v.yaml:5: Contact.Next_Meeting__c is a date and time: give YYYY-MM-DDThh:mm:ssZ`}},
		{"in an expectation", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - expect: {record: a, org: {Product_Interest__c: [Hardwear]}}\n",
			[]string{`v.yaml:8: Account.Product_Interest__c takes only its picklist's values, not "Hardwear": ` + values}},
		{"a list for a text field", account("Phone: [555-0100, 555-0101]"),
			[]string{`v.yaml:5: Account.Phone is a phone field: a list of values ([A, B]) is only for a multi-select picklist; give one value (in quotes for text with a ';' in it), not [555-0100, 555-0101]`}},
		{"a list for a datetime in a resolve", head + "  - create: Contact\n    ref: c\n    fields: {LastName: a}\n  - resolve: c\n    fields: {Next_Meeting__c: {value: [2026-01-05T09:00:00Z]}}\n",
			[]string{`v.yaml:8: Contact.Next_Meeting__c is a datetime field: a list of values ([A, B]) is only for a multi-select picklist`}},
		{"a value not in a restricted picklist", account("Rating: Freezing"),
			[]string{`v.yaml:5: Account.Rating takes only its picklist's values, not "Freezing": it takes Hot, Warm, Cold`}},
		{"a field the org sets, in a create", account(`LastModifiedDate: "2026-01-05T09:00:00Z"`),
			[]string{`v.yaml:5: Account.LastModifiedDate is set by the org, not by a create: leave it out`}},
		{"a field the org sets, in an edit", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - edit: a\n    fields: {CreatedDate: \"2026-01-05T09:00:00Z\"}\n",
			[]string{`v.yaml:8: Account.CreatedDate is set by the org, not by an edit: leave it out`}},
		{"in a resolve", head + "  - create: Contact\n    ref: c\n    fields: {LastName: a}\n  - resolve: c\n    fields: {Next_Meeting__c: {value: soon}}\n",
			[]string{`v.yaml:8: Contact.Next_Meeting__c is a date and time`}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			sc, env, ctx := embeddedFor(t, tc.src)
			err := Validate(ctx, sc, env)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ParseError", err, err)
			}
			got := strings.Split(err.Error(), "\n")
			if len(got) != len(tc.want) {
				t.Fatalf("%d problems, want %d:\n%s", len(got), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("problem %d\n got  %s\n want %s", i, got[i], w)
				}
			}
		})
	}
	good := []struct{ name, src string }{
		{"a list", account("Product_Interest__c: [Training, Hardware]")},
		{"text", account(`Product_Interest__c: "Cloud Services;Support Plans"`)},
		{"one value", account("Product_Interest__c: Software")},
		{"an empty list clears it", account("Product_Interest__c: []")},
		{"null clears it", account("Product_Interest__c: null")},
		{"a refusal meant", head + "  - create: Account\n    fields: {Name: a, Rating: Freezing}\n    expect_error: INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST\n"},
		{"a datetime in UTC", contact("Next_Meeting__c: 2026-01-05T09:00:00Z")},
		{"a datetime with an offset", contact(`Next_Meeting__c: "2026-01-05T10:00:00+01:00"`)},
		{"a datetime in the org's form", contact(`Next_Meeting__c: "2026-01-05T09:00:00.000+0000"`)},
	}
	for _, tc := range good {
		t.Run(tc.name, func(t *testing.T) {
			sc, env, ctx := embeddedFor(t, tc.src)
			if err := Validate(ctx, sc, env); err != nil {
				t.Fatalf("refused: %v", err)
			}
		})
	}
}

func TestParseJoinsAMultiSelectListIntoTheOrgsText(t *testing.T) {
	src := "name: x\nsteps:\n  - create: Account\n    fields: {Name: a, Product_Interest__c: [Training, Hardware], Industry: []}\n"
	sc, err := Parse("v.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f := sc.Steps[0].Fields
	if f["Product_Interest__c"] != "Training;Hardware" {
		t.Errorf("list read as %#v", f["Product_Interest__c"])
	}
	if v, ok := f["Industry"]; !ok || v != nil {
		t.Errorf("an empty list read as %#v (present %v), want null", v, ok)
	}
}

func TestExpectationsCompareInstantsAndSetsOfValues(t *testing.T) {
	tests := []struct {
		want, found any
		same        bool
	}{
		{"2026-01-05T09:00:00Z", "2026-01-05T09:00:00.000+0000", true},
		{"2026-01-05T10:00:00+01:00", "2026-01-05T09:00:00.000+0000", true},
		{"2026-01-05T09:00:01Z", "2026-01-05T09:00:00.000+0000", false},
		{"2026-01-05", "2026-01-05T00:00:00.000+0000", true},
		{"Training;Hardware", "Hardware;Training", true},
		{"Training;Hardware", "Hardware;Training;Software", false},
		{"Hardware;Hardware", "Hardware;Training", false},
		{"Hardware", "Hardware;Training", false},
		{"Hardware;Training", nil, false},
	}
	for _, tc := range tests {
		if got := sameValue(tc.want, tc.found); got != tc.same {
			t.Errorf("sameValue(%#v, %#v) = %v, want %v", tc.want, tc.found, got, tc.same)
		}
	}
}
