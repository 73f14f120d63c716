package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
)

var interestField = remote.Field{Name: "Product_Interest__c", Label: "Product Interest", Type: "multipicklist",
	Nillable: true, Updateable: true, Createable: true, Length: 4099, RestrictedPicklist: true,
	PicklistValues: []remote.PicklistValue{
		{Value: "Hardware", Active: true}, {Value: "Software", Active: true}, {Value: "Cloud Services", Active: true},
		{Value: "Legacy Support", Active: false}, {Value: "Training", Active: true}, {Value: "Support Plans", Active: true},
	}}

// pressKeys gives an editor key presses by name ("up", "space", "enter") or as letters, one at a time.
func pressKeys(in fieldInput, keys ...string) fieldInput {
	for _, k := range keys {
		for _, msg := range keyMsgs(k) {
			in, _ = in.Update(msg)
		}
	}
	return in
}

func TestMultiPickValueIsTheChosenValuesInPicklistOrder(t *testing.T) {
	tests := []struct {
		name  string
		start any
		keys  []string
		want  any
	}{
		{"nothing chosen is nil", nil, nil, nil},
		{"ticked bottom up, in picklist order", nil, []string{"down", "down", "space", "up", "up", "space"}, "Hardware;Cloud Services"},
		{"x jumps like any letter, it does not tick", nil, []string{"down", "x"}, nil},
		{"a value held in another order comes back in picklist order", "Training;Hardware", nil, "Hardware;Training"},
		{"unticking every value is nil", "Software", []string{"down", "space"}, nil},
		{"ticking twice unticks", nil, []string{"space", "space"}, nil},
		{"a letter jumps to the value it starts", nil, []string{"t", "space"}, "Training"},
		{"the same letter jumps on to the next", nil, []string{"s", "s", "space"}, "Support Plans"},
		{"end and home move to the ends", nil, []string{"end", "space", "home", "space"}, "Hardware;Support Plans"},
		{"the cursor stops at the last value", nil, []string{"down", "down", "down", "down", "down", "down", "down", "space"}, "Support Plans"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := pressKeys(newMultiPickField(interestField, tc.start), tc.keys...)
			if got := in.Value(); got != tc.want {
				t.Fatalf("Value() = %#v, want %#v", got, tc.want)
			}
			if err := in.Check(); err != nil {
				t.Fatalf("Check() = %v", err)
			}
		})
	}
}

func TestMultiPickUpOnTheFirstValueAndDownOnTheLastAreTheForms(t *testing.T) {
	m := newMultiPickField(interestField, nil)
	key := func(name string) tea.KeyMsg { return keyMsgs(name)[0] }
	if m.Wants(key("up")) {
		t.Error("↑ on the first value is taken: the form could not move up")
	}
	if !m.Wants(key("down")) || !m.Wants(key("space")) || !m.Wants(key("x")) {
		t.Error("↓, space or x on the first value is not taken")
	}
	for _, k := range []string{"enter", "tab", "shift+tab", "esc", "ctrl+s"} {
		if m.Wants(key(k)) {
			t.Errorf("%s is taken: it is the form's", k)
		}
	}
	pressKeys(m, "down")
	if !m.Wants(key("up")) || !m.Wants(key("down")) {
		t.Error("↑/↓ inside the list are not taken")
	}
	pressKeys(m, "end")
	if m.Wants(key("down")) {
		t.Error("↓ on the last value is taken: the form could not move down")
	}
	if !m.Wants(key("up")) {
		t.Error("↑ on the last value is not taken")
	}
	// A picklist without values takes nothing.
	empty := newMultiPickField(remote.Field{Name: "X__c", Type: "multipicklist"}, nil)
	for _, k := range []string{"up", "down", "space", "a"} {
		if empty.Wants(key(k)) {
			t.Errorf("an empty list takes %s", k)
		}
	}
	if pressKeys(empty, "space", "down", "a").Value() != nil {
		t.Error("an empty list has a value")
	}
}

func TestMultiPickOffersOnlyActiveValuesButKeepsThoseHeld(t *testing.T) {
	m := newMultiPickField(interestField, nil)
	for _, o := range m.opts {
		if o.value == "Legacy Support" {
			t.Fatal("an inactive value is offered")
		}
	}
	// Held: an inactive value and one describe does not list stay chosen and shown.
	m = newMultiPickField(interestField, "Hardware;Legacy Support;Fax Lines")
	if got := m.Value(); got != "Hardware;Legacy Support;Fax Lines" {
		t.Fatalf("Value() = %v", got)
	}
	if err := m.Check(); err != nil {
		t.Fatalf("unchanged, Check() = %v", err)
	}
	view := m.View(true, 60)
	for _, want := range []string{"[x] Legacy Support (not in the list)", "[x] Fax Lines (not in the list)"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	// Changed while an unlisted value is still ticked: the org would refuse it.
	pressKeys(m, "down", "space") // Software
	err := m.Check()
	if err == nil || !strings.Contains(err.Error(), `"Legacy Support" is not a value of this picklist any more`) {
		t.Fatalf("Check() = %v", err)
	}
	// Unticked, the rest saves.
	pressKeys(m, "down", "down", "space", "down", "down", "down", "space")
	if err := m.Check(); err != nil {
		t.Fatalf("Check() = %v", err)
	}
	if got := m.Value(); got != "Hardware;Software" {
		t.Fatalf("Value() = %v", got)
	}
}

func TestMultiPickViewShowsTheChosenValuesAndTheChecklist(t *testing.T) {
	m := newMultiPickField(interestField, "Training;Hardware")
	m.styles = NewStyles(DefaultTheme())
	if got := m.View(false, 40); got != "Hardware; Training" {
		t.Errorf("unfocused view %q", got)
	}
	if got := m.View(false, 12); got != "Hardware; T…" {
		t.Errorf("unfocused view cut to 12: %q", got)
	}
	want := strings.Join([]string{
		"Hardware; Training  2 of 5 · space ticks",
		"▸ [x] Hardware",
		"  [ ] Software",
		"  [ ] Cloud Services",
		"  [x] Training",
		"  [ ] Support Plans",
	}, "\n")
	if got := m.View(true, 48); got != want {
		t.Errorf("focused view:\n%s\nwant:\n%s", got, want)
	}
	pressKeys(m, "space")
	if got := strings.SplitN(m.View(true, 48), "\n", 2)[0]; !strings.HasPrefix(got, "Training ") || !strings.HasSuffix(got, "1 of 5 · space ticks") {
		t.Errorf("after unticking Hardware the first line is %q", got)
	}
	pressKeys(m, "down", "space")
	pressKeys(m, "space")
	if got := strings.SplitN(m.View(true, 48), "\n", 2)[0]; !strings.HasPrefix(got, "Training ") {
		t.Errorf("first line %q", got)
	}
	m = newMultiPickField(interestField, nil)
	if got := strings.SplitN(m.View(true, 48), "\n", 2)[0]; !strings.HasPrefix(got, "none chosen") {
		t.Errorf("nothing chosen shows %q", got)
	}
	for _, line := range strings.Split(m.View(true, 20), "\n") {
		if cellWidth(line) > 20 {
			t.Errorf("line wider than 20 cells: %q", line)
		}
	}
}

func TestMultiPickListScrollsInTheRowsItIsGiven(t *testing.T) {
	m := newMultiPickField(interestField, nil)
	m.setRows(2)
	rows := func() []string { return strings.Split(m.View(true, 40), "\n")[1:] }
	if got := rows(); len(got) != 2 || !strings.Contains(got[0], "Hardware") || !strings.HasPrefix(got[1], "↓ ") {
		t.Fatalf("first window %q", got)
	}
	pressKeys(m, "down", "down", "down")
	got := rows()
	if len(got) != 2 || !strings.HasPrefix(got[0], "↑ ") || !strings.Contains(got[1], "▸ [ ] Training") {
		t.Fatalf("window on Training %q", got)
	}
}

func TestMultiPickLabelsAreCleanedForTheScreen(t *testing.T) {
	f := remote.Field{Name: "X__c", Type: "multipicklist", PicklistValues: []remote.PicklistValue{
		{Value: "a", Label: "Evil\x1b]52;c;aGk=\x07 Co", Active: true},
		{Value: "b", Label: "Wipe\x1b[2J", Active: true},
	}}
	m := newMultiPickField(f, "a;b")
	view := m.View(true, 60) + m.View(false, 60)
	if strings.ContainsAny(view, "\x1b\x07") {
		t.Fatalf("escape sequences reach the screen: %q", view)
	}
	if got := m.Value(); got != "a;b" {
		t.Fatalf("Value() = %q: the raw values must be kept", got)
	}
}

func TestMultiPickHelpKeysMatchWhatTheChecklistTakes(t *testing.T) {
	m := newMultiPickField(interestField, nil)
	pressKeys(m, "down")
	for _, b := range []key.Binding{multiTickKey, multiMoveKey} {
		for _, k := range b.Keys() {
			msg := keyMsgs(k)[0]
			if k == " " {
				msg = tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
			}
			if !key.Matches(msg, b) || !m.Wants(msg) {
				t.Errorf("%q of %q is not taken by the checklist", k, b.Help().Desc)
			}
		}
	}
}

// A counter stays beside what it counts at any width: the checklist's "2 of 5" two cells after
// the values chosen, the chooser's "3 of 8" after its filter; squeezed, the text before it
// gives way and the counter stays whole.
func TestCountersSitBesideTheirValueAtAnyWidth(t *testing.T) {
	styles := NewStyles(DefaultTheme())
	industry := remote.Field{Name: "Industry", Type: "picklist", Nillable: true, PicklistValues: []remote.PicklistValue{
		{Value: "Banking", Active: true}, {Value: "Energy", Active: true}, {Value: "Retail", Active: true}}}
	for _, w := range []int{40, 80, 150, 200} {
		m := newMultiPickField(interestField, "Training;Hardware")
		m.styles = styles
		first := strings.SplitN(m.View(true, w), "\n", 2)[0]
		if want := "Hardware; Training  2 of 5 · space ticks"; first != want {
			t.Errorf("checklist at %d cells: %q, want %q", w, first, want)
		}
		p := newPicklistField(industry, "Energy")
		p.styles = styles
		p.openChooser()
		filter := strings.Split(p.View(true, w), "\n")[1]
		if want := "filter: type to narrow  3 of 4"; filter != want {
			t.Errorf("chooser's filter line at %d cells: %q, want %q", w, filter, want)
		}
	}
	m := newMultiPickField(interestField, "Hardware;Software;Cloud Services;Training")
	m.styles = styles
	first := strings.SplitN(m.View(true, 40), "\n", 2)[0]
	if !strings.HasSuffix(first, "…  4 of 5 · space ticks") || cellWidth(first) != 40 {
		t.Errorf("squeezed to 40 cells: %q (%d cells)", first, cellWidth(first))
	}
}
