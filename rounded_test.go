package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

func TestRoundedNoteSaysWhenANumberLosesDecimals(t *testing.T) {
	revenue := remote.Field{Name: "AnnualRevenue", Type: "currency", Precision: 18, Scale: 0}
	amount := remote.Field{Name: "Amount", Type: "currency", Precision: 16, Scale: 2}
	for _, c := range []struct {
		f     remote.Field
		given any
		want  string
	}{
		{revenue, "5.5", "AnnualRevenue 5.5 is queued as 6: the field keeps no decimals"},
		{revenue, "5", ""},
		{revenue, "5.000", ""},
		{revenue, json.Number("7.25"), "AnnualRevenue 7.25 is queued as 7: the field keeps no decimals"},
		{revenue, "1.5e0", "AnnualRevenue 1.5e0 is queued as 2: the field keeps no decimals"},
		{amount, "500.001", "Amount 500.001 is queued as 500: the field keeps 2 decimals"},
		{amount, "500.10", ""},
		{amount, "12.339999999999999", ""}, // the float64 of 12.34: nothing a person typed is lost
		{remote.Field{Name: "Probability", Type: "percent", Precision: 3, Scale: 1}, "12.25", "Probability 12.25 is queued as 12.3: the field keeps 1 decimal"},
		{remote.Field{Name: "NumberOfEmployees", Type: "int", Precision: 8}, "2", ""}, // whole numbers are refused, not rounded
		{remote.Field{Name: "Name", Type: "string"}, "5.5", ""},
		{revenue, 5.5, ""}, // a float64 has no digits written to lose
	} {
		if got := roundedNote(c.f, c.given); got != c.want {
			t.Errorf("%s=%v: %q, want %q", c.f.Name, c.given, got, c.want)
		}
	}
}

// edit, new and apply say which numbers they rounded, also to a script (not at a terminal).
func TestTheCommandsSayWhichNumbersTheyRounded(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	out, err := run(t, dir, "", "edit", "Account", "Acme Group", "AnnualRevenue=5.5")
	if err != nil || !strings.Contains(out, "AnnualRevenue 5.5 is queued as 6: the field keeps no decimals.") {
		t.Fatalf("edit: %v\n%s", err, out)
	}
	out, err = run(t, dir, "", "new", "Opportunity", "Name=Rounded", "StageName=Prospecting", "CloseDate=2026-12-01", "Amount=500.001")
	if err != nil || !strings.Contains(out, "Amount 500.001 is queued as 500: the field keeps 2 decimals.") {
		t.Fatalf("new: %v\n%s", err, out)
	}
	lines := strings.Repeat(`{"op":"edit","object":"Account","record":"Acme Group","fields":{"AnnualRevenue":7.25}}`+"\n", 7)
	out, err = run(t, dir, lines, "apply")
	if err != nil || !strings.Contains(out, "line 1: AnnualRevenue 7.25 is queued as 7") || !strings.Contains(out, "line 5: AnnualRevenue") ||
		strings.Contains(out, "line 6: ") || !strings.Contains(out, "and 2 more numbers rounded") {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	out, err = run(t, dir, "", "edit", "Account", "Acme Group", "AnnualRevenue=7")
	if err != nil || strings.Contains(out, "queued as") {
		t.Fatalf("a whole number was said to be rounded: %v\n%s", err, out)
	}
}

// A date and time is taken as the app takes it, YYYY-MM-DD HH:MM in the machine's zone, as well
// as in the org's form; a wrong one says what is wrong with it.
func TestTheCommandsTakeADateAndTimeAsTheAppDoes(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	was := time.Local
	time.Local = ny // no test of this package runs in parallel
	defer func() { time.Local = was }()
	f := remote.Field{Name: "Next_Meeting__c", Type: "datetime"}
	for _, c := range []struct{ in, want, err string }{
		{"2026-12-01 10:00", "2026-12-01T15:00:00.000+0000", ""},
		{"2026-07-01 10:00:30", "2026-07-01T14:00:30.000+0000", ""},
		{"2026-12-01T10:00:00Z", "2026-12-01T10:00:00.000+0000", ""},
		{"2026-12-01T10:00:00", "2026-12-01T10:00:00.000+0000", ""}, // the org's form without a zone is UTC, as before
		{"2026-03-08 02:30", "", "02:30 does not exist on 2026-03-08: the clocks go forward from EST to EDT"},
		{"2026-13-01 10:00", "", "has no month 13"},
		{"2026-12-01 25:00", "", "not a time of day"},
		{"2026-12-01", "", "give YYYY-MM-DD HH:MM in this machine's time zone ("},
	} {
		got, err := normalizeValue(f, c.in)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%q: %v, %v; want %q", c.in, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: %v, %v; want an error saying %q", c.in, got, err, c.err)
		}
	}
}
