package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/scenario"
)

// A rule whose message holds hundreds of newlines, or a page of text, takes one line above the
// remove-rule chooser; many rules take a few lines and say how many more there are.
func TestTheRemoveRuleFormListsEachRuleOnOneLine(t *testing.T) {
	rules := []remote.Rule{
		{ID: "rule-1", Kind: "required", Object: "Lead", Field: "Company", Message: "NL-bomb" + strings.Repeat("\n", 400) + "end"},
		{ID: "rule-2", Kind: "flow_error", Object: "Account", Field: "Rating", Value: "Cold", Message: strings.Repeat("long ", 200)},
		{ID: "rule-3", Kind: "min", Object: "Opportunity", Field: "Amount", Value: "0", Message: "\x1b]0;title\a Amount"},
	}
	f := withRuleHelp(&bsForm{title: "Remove a validation rule (the admin)"}, rules)
	lines := strings.Split(f.title, "\n")
	if len(lines) != 1+len(rules) {
		t.Fatalf("%d lines for %d rules:\n%s", len(lines), len(rules), f.title)
	}
	for _, l := range lines {
		if len([]rune(l)) > maxRuleLine || strings.ContainsAny(l, "\x1b\a") {
			t.Errorf("line of %d characters (or with an escape): %q", len([]rune(l)), l)
		}
	}
	many := make([]remote.Rule, 20)
	for i := range many {
		many[i] = remote.Rule{ID: "r", Kind: "required", Object: "Lead", Field: "Company"}
	}
	f = withRuleHelp(&bsForm{title: "t"}, many)
	if lines := strings.Split(f.title, "\n"); len(lines) != 1+maxRuleLines || !strings.Contains(lines[maxRuleLines], "and 15 more") {
		t.Fatalf("20 rules listed as:\n%s", f.title)
	}
}

// rulesBackstage is a backstage whose org holds the given rules.
type rulesBackstage struct {
	fakeBackstage
	rules []remote.Rule
}

func (f *rulesBackstage) Rules(context.Context) ([]remote.Rule, error) { return f.rules, nil }

// On a small terminal the rules listed above the chooser give way, so the chooser opens with
// its values in view.
func TestTheRemoveRuleChooserStaysUsableOnASmallTerminal(t *testing.T) {
	var rules []remote.Rule
	for i := range 8 {
		rules = append(rules, remote.Rule{ID: sprintf("rule-%d", i+1), Kind: "required", Object: "Lead", Field: "Company"})
	}
	app := New(Options{Backend: seededFake(1)})
	bs := newBackstage(app.c, &rulesBackstage{rules: rules})
	bs.SetSize(60, 16)
	bs, _ = bs.open("Account", "001000000000000000", "Acme 000000")
	bs, cmd := bs.loadRemoveForm()
	for _, m := range collect(cmd) {
		bs, _ = bs.Update(m)
	}
	if bs.form == nil {
		t.Fatal("no remove-rule form")
	}
	bs, cmd = bs.Update(tea.KeyMsg{Type: tea.KeyEnter}) // opens the chooser
	for _, m := range collect(cmd) {
		bs, _ = bs.Update(m)
	}
	v := bs.View()
	if lines := strings.Split(v, "\n"); len(lines) > 16 {
		t.Fatalf("%d lines on 16 rows:\n%s", len(lines), v)
	}
	chooser := 0 // the chooser's rows name a rule alone; the list above says what it checks
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "rule-") && !strings.Contains(l, "required") {
			chooser++
		}
	}
	if chooser < 3 || !strings.Contains(v, "ctrl+s") {
		t.Fatalf("the open chooser shows %d of its values, or the form's keys are gone:\n%s", chooser, v)
	}
}

// A scenario's clock starts on its own day: the screens judge "this year" by it, not by the
// wall clock, or every moment of a scenario from another year would carry its year.
func TestScreensJudgeMomentsByTheClockTheyAreGiven(t *testing.T) {
	day := time.Date(2031, 1, 5, 9, 0, 0, 0, time.UTC)
	m := New(Options{Backend: seededFake(1), Location: time.UTC, Now: func() time.Time { return day }})
	if got := m.c.when(day.Add(-time.Hour)); strings.Contains(got, "2031") || !strings.Contains(got, "Jan 5") {
		t.Fatalf("a moment of the clock's own year shown as %q", got)
	}
}

func TestTheBackstageSaysRuleStepsInTheAppsWords(t *testing.T) {
	bs := newBackstage(New(Options{Backend: seededFake(1)}).c, nil)
	add := scenario.Step{Kind: scenario.KindAddRule, Rule: &scenario.Rule{Object: "Account", Kind: "forbid_value", Field: "Rating", Value: "Cold", Message: "Account Rating can't be Cold."}}
	if got := bs.stepText(add, nil); got != "add a rule on Account: Account Rating can't be Cold." {
		t.Errorf("add_rule said as %q", got)
	}
	if got := bs.stepText(scenario.Step{Kind: scenario.KindRemoveRule, RuleRef: "rule-3"}, nil); got != "remove rule rule-3" {
		t.Errorf("remove_rule said as %q", got)
	}
}

// What the backstage did is said per record: opening another record does not claim that
// nothing was done at all.
func TestTheBackstageSaysNothingDoneHereOnAnotherRecord(t *testing.T) {
	bs := newBackstage(New(Options{Backend: seededFake(2)}).c, &fakeBackstage{})
	bs.SetSize(100, 30)
	bs, _ = bs.open("Account", "001000000000000000", "Acme 000000")
	bs.last = "✓ as sam: edit Account \"Acme 000000\""
	bs, _ = bs.open("Account", "001000000000000001", "Acme 000001")
	if v := bs.View(); !strings.Contains(flat(v), "Nothing done here yet") {
		t.Fatalf("another record's backstage:\n%s", v)
	}
}
