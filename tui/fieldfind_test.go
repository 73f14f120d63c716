package tui

import (
	"slices"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
)

func TestFindMatchesEveryWordInALabelOrAnAPIName(t *testing.T) {
	fields := []findLabel{
		{"Account Name", "Name"},
		{"Account Phone", "Phone"},
		{"Regional Compliance Detail 7", "Regional_Compliance_Detail_007__c"},
		{"Regional Compliance Detail 17", "Regional_Compliance_Detail_017__c"},
		{"Billing City", "BillingCity"},
	}
	for _, c := range []struct {
		text string
		want []int
	}{
		{"", nil},
		{"   ", nil},
		{"phone", []int{1}},
		{"ACCOUNT", []int{0, 1}},
		{"compliance 17", []int{3}},
		{"detail 7", []int{2, 3}},  // "Detail 17" holds "7" too
		{"detail_007", []int{2}},   // the API name
		{"billingcity", []int{4}},  // the API name, in any case
		{"billing town", nil},      // every word must be there
		{"\x1b[2Jphone", []int{1}}, // an escape typed or pasted is not text
	} {
		if got := matchFields(fields, c.text); !slices.Equal(got, c.want) {
			t.Errorf("%q matched %v, want %v", c.text, got, c.want)
		}
	}
}

// bodyTop is the line under the find line (or the rule) of a record page: the first field line.
func bodyTop(t *testing.T, v, under string) string {
	t.Helper()
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		if strings.Contains(l, under) && i+1 < len(lines) {
			return lines[i+1]
		}
	}
	t.Fatalf("no line with %q:\n%s", under, v)
	return ""
}

func TestFindAFieldOnAWideRecordPage(t *testing.T) {
	d := newDriver(t, wideFake(), 80, 24)
	d.keys("enter", "enter")
	d.requireView("Acme")
	// Letters are the find's text: "compliance" holds o, p, e, n and c, which would go offline,
	// open Pending Changes, the edit form, a new contact.
	d.keys("/", "compliance 437")
	v := d.view()
	if top := bodyTop(t, v, "Find a field: "); !strings.Contains(top, "» ") || !strings.Contains(top, "Detail 437") || !strings.Contains(top, "far away") {
		t.Fatalf("the field found is not at the top of the fields:\n%s", v)
	}
	d.requireView("1 of 1")
	d.refuseView("OFFLINE", "Pending Changes", "Edit Account", "New Contact ·")
	// esc: back to where find began.
	d.keys("esc")
	if top := bodyTop(t, d.view(), "────"); !strings.Contains(top, "Account Name") {
		t.Fatalf("esc did not go back to the top of the page:\n%s", d.view())
	}
	d.refuseView("Find a field", "» ")

	// The arrows step through the matches in page order, and wrap.
	d.keys("/", "detail 44")
	d.requireView("1 of 14") // 44, 144, 244, 344, 440–449
	for _, c := range []struct{ key, want, at string }{
		{"", "Detail 44 ", "1 of 14"},
		{"down", "Detail 144", "2 of 14"},
		{"up", "Detail 44 ", "1 of 14"},
		{"up", "Detail 449", "14 of 14"},
		{"down", "Detail 44 ", "1 of 14"},
	} {
		if c.key != "" {
			d.keys(c.key)
		}
		// At the top of the fields, or further down when the page cannot scroll that far.
		v := d.view()
		if marked := linesWith(v, "» "); len(marked) != 1 || !strings.Contains(marked[0]+" ", c.want) || !strings.Contains(v, c.at) {
			t.Fatalf("after %q want %q (%s) marked:\n%s", c.key, c.want, c.at, v)
		}
	}
	// enter stays there, the field still marked until the next key.
	d.keys("up", "enter")
	v = d.view()
	if marked := linesWith(v, "» "); len(marked) != 1 || !strings.Contains(marked[0], "Detail 449") || strings.Contains(v, "Find a field") {
		t.Fatalf("enter did not stay on the field found:\n%s", v)
	}
	d.keys("up")
	d.refuseView("» ")
	d.requireView("Detail 448")

	// Nothing found: the page goes back to where find began, and enter leaves it there.
	d.keys("g", "/", "detail 4", "zzz")
	d.requireView("no field holds it")
	if top := bodyTop(t, d.view(), "Find a field: "); !strings.Contains(top, "Account Name") {
		t.Fatalf("a text that finds nothing left the page elsewhere:\n%s", d.view())
	}
	d.keys("enter")
	if top := bodyTop(t, d.view(), "────"); !strings.Contains(top, "Account Name") {
		t.Fatalf("enter after nothing found moved the page:\n%s", d.view())
	}
}

func TestFindAFieldOnAWideEditForm(t *testing.T) {
	f := wideFake()
	d := newDriver(t, f, 80, 24)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account", "ctrl+f find")
	d.keys("ctrl+f", "detail 437")
	v := d.view()
	if lines := linesWith(v, "▸ "); len(lines) != 1 || !strings.Contains(lines[0], "Detail 437") || !strings.Contains(lines[0], "far away") {
		t.Fatalf("the field found is not focused:\n%s", v)
	}
	d.requireView("field 442 of 455") // five standard fields come first
	// esc goes back to the field find began on, without leaving the form.
	d.keys("esc")
	v = d.view()
	if lines := linesWith(v, "▸ "); len(lines) != 1 || !strings.Contains(lines[0], "Account Name") {
		t.Fatalf("esc did not go back to the first field:\n%s", v)
	}
	d.refuseView("Leave without saving", "Find a field")
	// enter stays on the field found, which then takes what is typed; ctrl+s from the find line
	// saves the form.
	d.keys("ctrl+f", "compliance 437", "enter", " too", "ctrl+f", "detail 2", "ctrl+s")
	var got any
	for _, e := range f.entries {
		if v, ok := e.Changes["Regional_Compliance_Detail_437__c"]; ok {
			got = v
		}
	}
	if got != "far away too" {
		t.Fatalf("the field found took %v, want %q (entries %+v)", got, "far away too", f.entries)
	}
}

// f1 opens the help where ? is text (a form, a filter, the find line); closing it goes back to
// what was typed.
func TestF1OpensTheHelpWhereAQuestionMarkIsText(t *testing.T) {
	d := newDriver(t, seededFake(3), 120, 36)
	d.keys("enter", "enter", "e", "ctrl+u", "Typed?")
	d.requireView("Typed?", "f1 help")
	d.keys("f1")
	d.requireView("Keys on this screen", "pgup/pgdn", "f1 in a form")
	d.keys("esc")
	d.requireView("Edit Account", "Typed?")
	d.refuseView("Keys on this screen")
	d.keys("ctrl+f", "f1")
	d.requireView("Keys on this screen")
	d.keys("f1")
	d.requireView("Find a field: ")
}

// The help's Sashes name every state longWord words a sash with.
func TestTheSashLegendNamesEveryStateTheScreensShow(t *testing.T) {
	var legend []string
	for _, r := range sashHelpRows() {
		legend = append(legend, r.means)
	}
	all := strings.Join(legend, "\n")
	for _, st := range []pending.Status{pending.StatusPending, pending.StatusSyncing, pending.StatusWaiting, pending.StatusConflict, pending.StatusInvalid, pending.StatusFailed} {
		for _, code := range []string{"", codeReferenceDiscarded, codeReferenceCycle, "ENTITY_IS_DELETED", "NOT_FOUND", "INSUFFICIENT_ACCESS_OR_READONLY"} {
			if w := longWord(st, code, ""); w != "" && !strings.Contains(all, w) && w != "Can't be saved" {
				t.Errorf("the legend leaves out %q (%s, %s)", w, st, code)
			}
		}
	}
	if !strings.Contains(all, wordGivenAway) {
		t.Errorf("the legend leaves out %q", wordGivenAway)
	}
}
