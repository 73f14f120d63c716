package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
)

// textareaFake has one account with a description of three lines.
func textareaFake() *fakeBackend {
	f := newFakeBackend()
	f.quiet = true
	f.add("Account", remote.Fields{"Id": "001000000000000001", "Name": "Plain Co", "Phone": "555-0100", "Description": "one\ntwo\nthree"})
	f.sortAll()
	return f
}

// focusField tabs through the form until the focused line names label.
func focusField(t *testing.T, d *driver, label string) {
	t.Helper()
	for i := 0; i < 12 && !strings.Contains(focusedLine(d.view()), label); i++ {
		d.keys("tab")
	}
	if !strings.Contains(focusedLine(d.view()), label) {
		t.Fatalf("no %s field to focus:\n%s", label, d.view())
	}
}

func TestFormArrowsLeaveATextareaAtItsFirstAndLastLine(t *testing.T) {
	f := textareaFake()
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account")
	focusField(t, d, "Description")
	// The cursor is at the end of the last line: ↑ moves between the lines, then leaves.
	steps := []struct {
		key, focused string
	}{
		{"up", "Description"},
		{"up", "Description"},
		{"up", "Annual Revenue"},
		{"down", "Description"},
		{"down", "Description"},
		{"down", "Description"},
		{"down", "Account Name"}, // the last field: ↓ goes round to the first
	}
	for i, s := range steps {
		d.keys(s.key)
		if got := focusedLine(d.view()); !strings.Contains(got, s.focused) {
			t.Fatalf("step %d (%s): focus on %q, want %s:\n%s", i, s.key, got, s.focused, d.view())
		}
	}
}

func TestTextareaArrowsMoveInsideAWrappedLineBeforeLeaving(t *testing.T) {
	ta := newTextareaField(remote.Field{Name: "Description", Type: "textarea"}, strings.Repeat("word ", 30))
	ta.SetWidth(21)
	ta.Focus()
	up := tea.KeyMsg{Type: tea.KeyUp}
	if !ta.Wants(up) {
		t.Fatal("↑ at the end of a line wrapped on several rows leaves the field")
	}
	for i := 0; i < 20 && ta.Wants(up); i++ {
		ta.Update(up)
	}
	if ta.Wants(up) {
		t.Fatal("↑ never reaches the first row")
	}
	if !ta.Wants(tea.KeyMsg{Type: tea.KeyDown}) {
		t.Fatal("↓ on the first of several rows leaves the field")
	}
	if !ta.Wants(tea.KeyMsg{Type: tea.KeyEnter}) {
		t.Fatal("enter does not make a new line")
	}
}

func TestBackstageArrowsLeaveATextareaAtItsLastLine(t *testing.T) {
	f := seededFake(1)
	bs := newBackstage(New(Options{Backend: f}).c, nil)
	bs.SetSize(100, 30)
	desc := remote.Field{Name: "Description", Type: "textarea"}
	bs.form = &bsForm{kind: bsFormEdit, rows: []bsRow{
		{label: "Account Name", name: "Name", input: newTextField(remote.Field{Name: "Name", Type: "string"}, "Acme 000000", "")},
		{label: "Description", name: "Description", def: desc, input: newTextareaField(desc, "one\ntwo")},
		{label: "Phone", name: "Phone", input: newTextField(remote.Field{Name: "Phone", Type: "phone"}, "", "")},
	}, focus: 1}
	bs, _ = bs.updateForm(tea.KeyMsg{Type: tea.KeyDown})
	if bs.form.focus != 2 {
		t.Fatalf("↓ on the last line of the description left focus on row %d", bs.form.focus)
	}
	bs, _ = bs.updateForm(tea.KeyMsg{Type: tea.KeyUp})
	bs, _ = bs.updateForm(tea.KeyMsg{Type: tea.KeyUp})
	if bs.form.focus != 1 {
		t.Fatalf("↑ on the second line of the description left it for row %d", bs.form.focus)
	}
	bs, _ = bs.updateForm(tea.KeyMsg{Type: tea.KeyUp})
	if bs.form.focus != 0 {
		t.Fatalf("↑ on the first line of the description stayed on row %d", bs.form.focus)
	}
}

func TestCtrlUClearsAWholeTextarea(t *testing.T) {
	var in fieldInput = newTextareaField(remote.Field{Name: "Description", Type: "textarea"}, "one\ntwo\nthree")
	in.Focus()
	in, _ = in.Update(tea.KeyMsg{Type: tea.KeyUp})
	in, _ = in.Update(tea.KeyMsg{Type: tea.KeyCtrlU})
	if v := in.Value(); v != nil {
		t.Fatalf("ctrl+u left %q", v)
	}
}

// A last line that fills its rows exactly (its length a multiple of the width) ends with a row
// the cursor cannot reach: ↓ must still leave the field from the row above it.
func TestDownLeavesATextareaWhoseLastLineFillsItsRowsExactly(t *testing.T) {
	for _, c := range []struct {
		text  string
		width int
	}{
		{strings.Repeat("a", 20), 21},
		{strings.Repeat("a", 39), 40},
		{"first line\n" + strings.Repeat("b", 20), 21},
		{strings.Repeat("漢", 30), 21},
	} {
		ta := newTextareaField(remote.Field{Name: "Description", Type: "textarea"}, c.text)
		ta.SetWidth(c.width)
		ta.Focus()
		ta.Update(tea.KeyMsg{Type: tea.KeyUp})
		down := tea.KeyMsg{Type: tea.KeyDown}
		left := false
		for range 10 {
			if !ta.Wants(down) {
				left = true
				break
			}
			ta.Update(down)
		}
		if !left {
			t.Errorf("%d runes at width %d: ↓ never leaves the field", len([]rune(c.text)), c.width)
		}
	}
}

// A text holding what the editor cannot show (a tab, a carriage return) says so while the field
// has focus: kept as it came while unchanged, and what changing it does.
func TestATextareaSaysWhatItCannotShowAndWhatAnEditDoes(t *testing.T) {
	raw := "col1\tcol2\r\nnext"
	ta := newTextareaField(remote.Field{Name: "Description", Type: "textarea"}, raw)
	ta.SetWidth(120)
	var in fieldInput = ta
	in.Focus()
	if v := in.View(true, 120); !strings.Contains(v, "kept unless you change this text") {
		t.Fatalf("the focused field does not say it holds hidden characters:\n%s", v)
	}
	if v := in.View(false, 120); strings.Contains(v, "hidden") {
		t.Fatalf("the note shows on a field without focus:\n%s", v)
	}
	if got := in.Value(); got != raw {
		t.Fatalf("left unchanged it gives %q, want %q byte for byte", got, raw)
	}
	in, _ = in.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("X")})
	if v := in.View(true, 120); !strings.Contains(v, "tabs are saved as spaces") {
		t.Fatalf("once changed it does not say what saving does:\n%s", v)
	}
	for _, text := range []string{"plain\ntext", "lines ended\r\nas Windows ends them\r\n"} {
		plain := newTextareaField(remote.Field{Name: "Description", Type: "textarea"}, text)
		plain.SetWidth(120)
		plain.Focus()
		if v := plain.View(true, 120); strings.Contains(v, "hidden") || strings.Contains(v, "tabs") {
			t.Fatalf("%q gets a note:\n%s", text, v)
		}
	}
}

// A carriage return is a line break to the reader: a text with a lone CR (or CRLF), once
// changed in the editor, keeps its lines apart rather than join them.
func TestAChangedTextKeepsTheLinesACarriageReturnBroke(t *testing.T) {
	ta := newTextareaField(remote.Field{Name: "Description", Type: "textarea"}, "one\rtwo\r\nthree")
	ta.SetWidth(120)
	var in fieldInput = ta
	in.Focus()
	in, _ = in.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("X")})
	got, _ := in.Value().(string)
	if strings.Count(got, "\n") != 2 || strings.Contains(got, "onetwo") {
		t.Fatalf("the changed text is %q; want its three lines kept apart", got)
	}
}

// A lookup pointing at a new record of this device's that was discarded says so, rather than
// show its local id as a chosen record, and saving is refused until another is chosen or the
// field emptied.
func TestALookupToADiscardedNewRecordSaysSoAndAsksForAnother(t *testing.T) {
	d := newDriver(t, seededFake(1), 100, 30)
	l := newLookupField(d.model().c, remote.Field{Name: "AccountId", Type: "reference", ReferenceTo: []string{"Account"}}, "local-0123456789abcdef", "")
	l.Focus()
	v := l.View(true, 80)
	if !strings.Contains(v, "(a new record, discarded)") || strings.Contains(v, "local-") || strings.Contains(v, "✓") {
		t.Fatalf("the field shows %q", v)
	}
	if err := l.Check(); err == nil || !strings.Contains(err.Error(), "was discarded") {
		t.Fatalf("Check = %v; want it refused, saying the record was discarded", err)
	}
	var in fieldInput = l
	in, _ = in.Update(tea.KeyMsg{Type: tea.KeyCtrlU})
	if err := in.Check(); err != nil || in.Value() != nil {
		t.Fatalf("emptied: Check %v, value %v; want it accepted and empty", err, in.Value())
	}
}
