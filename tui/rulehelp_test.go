package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
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
