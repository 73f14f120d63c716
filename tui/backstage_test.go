package tui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/scenario"
)

// cellColumn is where sub starts in line, in cells (-1 when it is not there).
func cellColumn(line, sub string) int {
	i := strings.Index(line, sub)
	if i < 0 {
		return -1
	}
	return lipgloss.Width(line[:i])
}

func TestBackstagePicklistChooserOpensUnderTheValueAsOnTheEditForm(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		f := seededFake(1)
		industry, _ := f.desc["Account"].Field("Industry")
		p := newPicklistField(industry, "Energy")
		p.openChooser()
		bs := newBackstage(New(Options{Backend: f}).c, nil)
		bs.SetSize(size[0], size[1])
		bs.form = &bsForm{kind: bsFormEdit, title: "Edit Acme 000000 as sam", rows: []bsRow{
			{label: "Account Name", name: "Name", input: newTextField(remote.Field{Name: "Name", Type: "string"}, "Acme 000000", "")},
			{label: "Industry", name: "Industry", def: industry, input: p},
		}, focus: 1}
		v := bs.View()
		value := cellColumn(linesWith(v, "Industry", "▾")[0], "▾")
		for _, marker := range []string{"filter:", "Banking", "Retail"} {
			ls := linesWith(v, marker)
			if len(ls) != 1 {
				t.Fatalf("%dx%d: %q on %d lines:\n%s", size[0], size[1], marker, len(ls), v)
			}
			if got := cellColumn(ls[0], marker); got < value || got > value+4 {
				t.Errorf("%dx%d: %q at column %d, the value at %d:\n%s", size[0], size[1], marker, got, value, v)
			}
		}
	}
}

// At 80×24 the network items sit below the fold: the menu says there is more, and opened on
// another record it starts again at that record's actions.
func TestBackstageSaysWhatIsBelowTheFoldAndStartsAtTheRecordOnAnotherRecord(t *testing.T) {
	bs := newBackstage(New(Options{Backend: seededFake(2)}).c, nil)
	bs.SetSize(80, 20)
	bs, _ = bs.open("Account", "001000000000000000", "Acme 000000")
	if v := bs.View(); !strings.Contains(v, "↓ more below") {
		t.Fatalf("no hint of the items below:\n%s", v)
	}
	for range 30 {
		bs, _ = bs.Update(tea.KeyMsg{Type: tea.KeyDown})
	}
	if v := bs.View(); !strings.Contains(v, "more above") || strings.Contains(v, "▸ Edit fields") {
		t.Fatalf("at the bottom:\n%s", v)
	}
	bs, _ = bs.open("Account", "001000000000000001", "Acme 000001")
	if v := bs.View(); !strings.Contains(v, "▸ Edit fields of this record") {
		t.Fatalf("on another record the cursor stayed below:\n%s", v)
	}
}

// Editing as sam a record sam cannot see is refused before a form is filled in, saying how.
func TestBackstageSaysSamCannotSeeTheRecordBeforeTheForm(t *testing.T) {
	s, _, _ := backstageOnAccountSamCannotSee(t)
	s.press("B")
	s.wait("SIMULATION — backstage")
	s.backstageItem("Edit fields of this record as sam")
	s.press("enter")
	s.wait("sam cannot see this record", "share it with sam first")
}

// Deleting an account says what goes with it on the org (its describe's cascading children).
func TestDeletingAnAccountSaysWhatGoesWithIt(t *testing.T) {
	env := qaEnv(t, nil)
	s := newQAStory(t, Options{Backend: env.Engine(), NetStatus: env.Network().String, Backstage: env})
	s.press("enter")
	s.wait("records")
	s.press("enter")
	s.wait("[d] Delete")
	s.press("d")
	s.wait("Delete Account?", "Its contacts, opportunities, cases", "and tasks go with it.")
}

// A search still on its way when a match is taken (or the matches closed) does not open them
// again.
func TestALateLookupSearchDoesNotReopenTheMatchesTaken(t *testing.T) {
	f := seededFake(3)
	c := New(Options{Backend: f}).c
	l := newLookupField(c, remote.Field{Name: "ParentId", Type: "reference", ReferenceTo: []string{"Account"}}, nil, "")
	l.Focus()
	_, cmd := l.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("Acme")})
	late := cmd
	_, cmd = l.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(" 0")})
	// The newest search answers, and a match is taken.
	for _, m := range collect(cmd) {
		l.Update(m)
	}
	if !l.open || len(l.matches) == 0 {
		t.Fatal("no matches to take")
	}
	l.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if l.open || l.id == "" {
		t.Fatalf("the match was not taken: open %v id %q", l.open, l.id)
	}
	// Then every search still on its way answers.
	for _, m := range append(collect(late), collect(cmd)...) {
		l.Update(m)
	}
	if l.open {
		t.Fatal("a late search opened the matches again")
	}
}

// collect runs a command (and the commands a batch holds) and returns their messages.
func collect(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch m := cmd().(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range m {
			out = append(out, collect(c)...)
		}
		return out
	case nil:
		return nil
	default:
		return []tea.Msg{m}
	}
}

// fakeBackstage records the steps it is given and answers each with err; it offers the rule
// kinds kinds (min when none).
type fakeBackstage struct {
	steps []scenario.Step
	err   error
	kinds []string
}

func (f *fakeBackstage) Do(_ context.Context, st scenario.Step) scenario.StepResult {
	f.steps = append(f.steps, st)
	return scenario.StepResult{Text: st.String(), Err: f.err}
}
func (f *fakeBackstage) RuleKinds(context.Context) ([]string, error) {
	if f.kinds != nil {
		return f.kinds, nil
	}
	return []string{"min"}, nil
}
func (f *fakeBackstage) Rules(context.Context) ([]remote.Rule, error)   { return nil, nil }
func (f *fakeBackstage) UserID(context.Context, string) (string, error) { return "", nil }

// A rule's field may be named by its label, and a rule the org refuses leaves the form as it was
// filled in, with the org's answer, to be put right.
func TestARuleFormTakesALabelAndStaysFilledInWhenTheOrgRefuses(t *testing.T) {
	app := New(Options{Backend: seededFake(1)})
	fb := &fakeBackstage{err: errors.New(`org replied 400: INVALID_INPUT value "fifty" is not a number`)}
	bs := newBackstage(app.c, fb)
	bs.SetSize(100, 30)
	bs, _ = bs.open("Account", "001000000000000000", "Acme 000000")
	bs, cmd := bs.loadRuleForm()
	for _, m := range collect(cmd) {
		bs, _ = bs.Update(m)
	}
	if bs.form == nil {
		t.Fatal("no rule form")
	}
	key := func(k tea.KeyMsg) {
		var cmd tea.Cmd
		bs, cmd = bs.Update(k)
		for _, m := range collect(cmd) {
			bs, _ = bs.Update(m)
		}
	}
	typeText := func(s string) { key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }
	key(tea.KeyMsg{Type: tea.KeyTab})
	key(tea.KeyMsg{Type: tea.KeyTab})
	typeText("annual revenue") // the label, in another case
	key(tea.KeyMsg{Type: tea.KeyTab})
	typeText("fifty")
	key(tea.KeyMsg{Type: tea.KeyCtrlS})
	if len(fb.steps) != 1 || fb.steps[0].Rule == nil || fb.steps[0].Rule.Field != "AnnualRevenue" {
		t.Fatalf("steps %+v; want one rule on AnnualRevenue", fb.steps)
	}
	if bs.form == nil {
		t.Fatal("the refused rule's form is gone")
	}
	if v := bs.View(); !strings.Contains(v, "annual revenue") || !strings.Contains(v, "INVALID_INPUT") {
		t.Fatalf("the form as filled in, with the org's answer:\n%s", v)
	}
}

// Leaving a lookup before its search answers keeps the matches closed.
func TestALookupSearchAnsweringAfterTheFieldWasLeftStaysClosed(t *testing.T) {
	c := New(Options{Backend: seededFake(3)}).c
	l := newLookupField(c, remote.Field{Name: "ParentId", Type: "reference", ReferenceTo: []string{"Account"}}, nil, "")
	l.Focus()
	_, cmd := l.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("Ac")})
	l.Blur()
	for _, m := range collect(cmd) {
		l.Update(m)
	}
	if l.open {
		t.Fatal("a search answering after the field was left opened its matches")
	}
}

// u while a step runs does not change who acts: a refused form comes back as its user's.
func TestActingAsAnotherUserWaitsForTheStepUnderWay(t *testing.T) {
	app := New(Options{Backend: seededFake(1)})
	fb := &fakeBackstage{err: errors.New("refused")}
	bs := newBackstage(app.c, fb)
	bs.SetSize(100, 30)
	bs, _ = bs.open("Account", "001000000000000000", "Acme 000000")
	bs, cmd := bs.do(scenario.Step{Kind: scenario.KindDelete, As: "sam"})
	bs, _ = bs.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("u")})
	if bs.user != "sam" {
		t.Fatalf("u during a step switched to %s", bs.user)
	}
	for _, m := range collect(cmd) {
		bs, _ = bs.Update(m)
	}
	bs, _ = bs.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("u")})
	if bs.user != "admin" {
		t.Fatalf("u after the step: %s", bs.user)
	}
}

// The activity log names the records its requests were for, where the device knows them.
func TestTheLogNamesTheRecordsOfItsRequests(t *testing.T) {
	env := qaEnv(t, nil)
	eng := env.Engine()
	ctx := context.Background()
	p, err := eng.List(ctx, pending.ListQuery{Object: "Account", Limit: 1})
	if err != nil || len(p.Rows) == 0 {
		t.Fatalf("no account: %v", err)
	}
	acct := p.Rows[0]
	if err := eng.Edit(ctx, "Account", acct.ID, remote.Fields{"Phone": "555-0177"}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	s := newQAStory(t, Options{Backend: eng, NetStatus: env.Network().String, Backstage: env})
	s.press("L")
	v := s.wait("composite")
	if l := linesWith(v, "composite", acct.Name); len(l) == 0 {
		t.Fatalf("the composite request does not name %s:\n%s", acct.Name, v)
	}
}

// backstageOnAccountSamCannotSee opens, in a QA story on the embedded org, the page of the first
// account, which sam cannot see (skipping when the seed shares it with sam).
func backstageOnAccountSamCannotSee(t *testing.T) (*story, *scenario.Env, pending.Row) {
	t.Helper()
	env := qaEnv(t, nil)
	eng := env.Engine()
	ctx := context.Background()
	sam, err := env.Client(ctx, "sam")
	if err != nil {
		t.Fatal(err)
	}
	p, err := eng.List(ctx, pending.ListQuery{Object: "Account", Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	first := p.Rows[0]
	if _, err := sam.Retrieve(ctx, "Account", first.ID, []string{"Id"}); err == nil {
		t.Skipf("sam can see %s, the first account; the seed shares it", first.Name)
	}
	s := newQAStory(t, Options{Backend: eng, NetStatus: env.Network().String, Backstage: env})
	s.press("enter")
	s.wait("records")
	s.press("enter")
	s.wait(first.Name, "[d] Delete") // the record page, not the list that also names it
	return s, env, first
}
