package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

const (
	family = "👨\u200d👩\u200d👧\u200d👦"
	flagJP = "🇯🇵"
	flagFR = "🇫🇷"
)

// lineWith is an input holding v, its cursor at the end, drawn w cells wide.
func lineWith(v string, w int) lineInput {
	l := newLineInput("")
	l.SetValue(v)
	l.SetWidth(w)
	_ = l.Focus()
	return l
}

func pressLine(l lineInput, keys ...string) lineInput {
	for _, k := range keys {
		switch k {
		case "delete":
			l, _ = l.Update(tea.KeyMsg{Type: tea.KeyDelete})
			continue
		case "alt+b":
			l, _ = l.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'b'}, Alt: true})
			continue
		}
		for _, msg := range keyMsgs(k) {
			l, _ = l.Update(msg)
		}
	}
	return l
}

func TestLineInputMovesAndDeletesByGraphemeCluster(t *testing.T) {
	tests := []struct {
		name, value string
		keys        []string
		want        string
	}{
		{"backspace takes a whole flag", "Corp " + flagJP + flagFR, []string{"backspace"}, "Corp " + flagJP},
		{"backspace takes a whole family", "a" + family, []string{"backspace"}, "a"},
		{"one left crosses a family", "a" + family, []string{"left", "X"}, "aX" + family},
		{"one left crosses a flag", flagJP + flagFR, []string{"left", "X"}, flagJP + "X" + flagFR},
		{"backspace takes a letter with its combining accent", "cafe\u0301", []string{"backspace"}, "caf"},
		{"delete takes a whole flag", flagJP + flagFR, []string{"home", "delete"}, flagFR},
		{"right crosses a family", family + "b", []string{"home", "right", "X"}, family + "Xb"},
		{"typing at the end keeps the joiners", "Emoji " + family + flagJP + flagFR + " Corp", []string{"end", "X"}, "Emoji " + family + flagJP + flagFR + " CorpX"},
		{"an invisible character goes with the letter before it", "a\u202eb", []string{"left", "backspace"}, "b"},
		{"an escape sequence is stepped over as one", "Acme\x1b[2J Corp", []string{"home", "right", "right", "right", "right", "X"}, "Acme\x1b[2JX Corp"},
		{"a paste of several lines stays on one", "", []string{"a\nb\tc"}, "a b c"},
		{"alt+b goes back a word and types nothing", "one two", []string{"alt+b", "X"}, "one Xtwo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := pressLine(lineWith(tc.value, 40), tc.keys...)
			if l.Value() != tc.want {
				t.Fatalf("value %q, want %q", l.Value(), tc.want)
			}
		})
	}
}

func TestLineInputCursorIsNeverOnAnInvisibleCharacter(t *testing.T) {
	l := lineWith("x"+family+"y", 40)
	for i := 0; i < 3; i++ {
		l = pressLine(l, "left")
		if !strings.Contains(l.View(40), cursorStyle.Render("x")) && i == 2 {
			t.Fatalf("three lefts from the end do not reach the first letter: pos %d", l.pos)
		}
	}
	if l.pos != 0 {
		t.Fatalf("three lefts over x, a family and y end at byte %d, not at the start", l.pos)
	}
}

func TestLineInputDrawsOnlyCleanedText(t *testing.T) {
	for _, p := range payloads {
		t.Run(p.name, func(t *testing.T) {
			for _, focused := range []bool{true, false} {
				l := lineWith(p.in, 60)
				if !focused {
					l.Blur()
				}
				v := l.View(60)
				if bad := hostile(v); bad != "" {
					t.Fatalf("focused=%v: draws %q: %q", focused, bad, v)
				}
				if got := strings.TrimSpace(v); got != strings.TrimSpace(p.want) {
					t.Fatalf("focused=%v: draws %q, want %q", focused, got, p.want)
				}
				if l.Value() != p.in {
					t.Fatalf("the value became %q", l.Value())
				}
			}
		})
	}
}

func TestLineInputKeepsTheCursorInSightAtItsWidth(t *testing.T) {
	l := lineWith("", 20)
	l, _ = l.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Repeat("abcdefghij", 5) + "END"), Paste: true})
	if v := l.View(20); !strings.Contains(v, "END") || cellWidth(v) > 20 {
		t.Fatalf("after a paste the end is not in sight within 20 cells: %q", v)
	}
	l = pressLine(l, "home")
	if v := l.View(20); !strings.HasPrefix(v, "abcdefghij") {
		t.Fatalf("home does not show the start: %q", v)
	}
	l = pressLine(lineWith(strings.Repeat("日本", 20), 15), "left")
	if v := l.View(15); cellWidth(v) > 15 {
		t.Fatalf("wide text draws %d cells in 15: %q", cellWidth(v), v)
	}
}

// emojiFake has one account whose name holds joiners and flags.
func emojiFake(name string) *fakeBackend {
	f := newFakeBackend()
	f.quiet = true
	f.add("Account", remote.Fields{"Id": "001000000000000001", "Name": name, "Phone": "555-0100", "Description": "team " + family + "\nline two"})
	f.sortAll()
	return f
}

func TestEditFormSavesAValueWithJoinersAsItWasPlusWhatWasTyped(t *testing.T) {
	name := "Emoji " + family + flagJP + flagFR + " Corp"
	f := emojiFake(name)
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account")
	d.keys("end", "X", "ctrl+s")
	if got := f.records["Account"][0]["Name"]; got != name+"X" {
		t.Fatalf("saved %q, want %q", got, name+"X")
	}
}

func TestEditFormTextareaKeepsJoinersWhenEdited(t *testing.T) {
	f := emojiFake("Plain Co")
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account")
	for i := 0; i < 10 && !strings.Contains(focusedLine(d.view()), "Description"); i++ {
		d.keys("tab")
	}
	if !strings.Contains(focusedLine(d.view()), "Description") {
		t.Fatalf("no Description field to focus:\n%s", d.view())
	}
	d.keys("X", "ctrl+s")
	got, _ := f.records["Account"][0]["Description"].(string)
	if !strings.Contains(got, family) || !strings.Contains(got, "X") {
		t.Fatalf("saved description %q lost its joiners", got)
	}
}

func TestEditFormNeverDrawsAPastedDirectionOverride(t *testing.T) {
	f := emojiFake("Plain Co")
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account")
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(" \u202eproC\x1b]52;c;ZWNobyBoaQ==\x07"), Paste: true})
	if bad := hostile(d.view()); bad != "" {
		t.Fatalf("the form draws %q after a paste:\n%q", bad, d.view())
	}
	d.requireView("Plain Co proC")
}

func TestConflictValueShowsTheCursorRightAfterAPaste(t *testing.T) {
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Name": "Mine"},
		Conflicts: []pending.Conflict{{Field: "Name", Base: "Acme 000000", Theirs: "Theirs", Mine: "Mine"}}})
	d := newDriver(t, f, 80, 24)
	d.keys("enter", "enter", "r", "v")
	d.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Repeat("pasted text ", 10) + "END"), Paste: true})
	line := linesWith(d.view(), "new value:")
	if len(line) != 1 || !strings.Contains(line[0], "END") {
		t.Fatalf("the end of the paste is not in sight:\n%s", d.view())
	}
}

func TestConflictValueKeepsJoinersOfTheValue(t *testing.T) {
	mine := "Mine " + family + flagJP
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Name": mine},
		Conflicts: []pending.Conflict{{Field: "Name", Base: "Acme 000000", Theirs: "Theirs", Mine: mine}}})
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "r", "v", "end", "X", "enter")
	m := d.model().conflict
	if got := m.choices[0].Value; got != mine+"X" {
		t.Fatalf("the typed value is %q, want %q", got, mine+"X")
	}
}

// focusedLine is the line of a form view with the focus mark.
func focusedLine(v string) string {
	for _, l := range strings.Split(v, "\n") {
		if strings.HasPrefix(l, "▸") {
			return l
		}
	}
	return ""
}

func BenchmarkLineInputKeyAndFrameOnALongValue(b *testing.B) {
	l := lineWith(strings.Repeat("Emoji "+family+flagJP+" Corp ", 10), 60)
	left := tea.KeyMsg{Type: tea.KeyLeft}
	for b.Loop() {
		l, _ = l.Update(left)
		_ = l.View(60)
	}
}

// A burst of typed or pasted letters arrives as one key whose name is its text: the words
// "home", "end", "left", "up" are text, not the keys of those names, in one-line and multi-line
// inputs alike.
func TestWordsThatNameKeysAreTypedAsText(t *testing.T) {
	words := []string{"Go", " ", "home", " ", "end", " ", "left", " ", "right", " ", "up", " ", "down", " ", "pgdown", " ", "now"}
	want := "Go home end left right up down pgdown now"
	burst := func(s string) tea.KeyMsg {
		if s == " " {
			return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune(" ")}
		}
		return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
	}
	l := newLineInput("")
	l.Focus()
	for _, w := range words {
		l, _ = l.Update(burst(w))
	}
	if l.Value() != want {
		t.Errorf("one-line input holds %q, want %q", l.Value(), want)
	}
	var f fieldInput = newTextareaField(remote.Field{Name: "Description", Type: "textarea"}, "")
	f.Focus()
	for _, w := range words {
		f, _ = f.Update(burst(w))
	}
	if got := f.(*textareaField).ta.Value(); got != want {
		t.Errorf("multi-line input holds %q, want %q", got, want)
	}
}

// ctrl+u clears the field, wherever the cursor is, as the forms' help says.
func TestCtrlUClearsTheWholeFieldWhereverTheCursorIs(t *testing.T) {
	for _, move := range []tea.KeyType{tea.KeyHome, tea.KeyLeft, tea.KeyEnd} {
		l := newLineInput("")
		l.Focus()
		l.SetValue("Acme Group")
		l, _ = l.Update(tea.KeyMsg{Type: move})
		l, _ = l.Update(tea.KeyMsg{Type: tea.KeyCtrlU})
		if l.Value() != "" {
			t.Errorf("after %v, ctrl+u left %q", move, l.Value())
		}
	}
}

// Every editing key on an empty input leaves it empty and does not panic.
func TestEditingKeysOnAnEmptyInput(t *testing.T) {
	keys := []tea.KeyMsg{{Type: tea.KeyLeft}, {Type: tea.KeyRight}, {Type: tea.KeyHome}, {Type: tea.KeyEnd},
		{Type: tea.KeyBackspace}, {Type: tea.KeyDelete}, {Type: tea.KeyCtrlW}, {Type: tea.KeyCtrlK}, {Type: tea.KeyCtrlU},
		{Type: tea.KeyLeft, Alt: true}, {Type: tea.KeyRunes, Runes: []rune("d"), Alt: true}, {Type: tea.KeyRunes, Runes: []rune("b"), Alt: true}}
	for _, k := range keys {
		l := newLineInput("")
		l.Focus()
		l, _ = l.Update(k)
		if l.Value() != "" {
			t.Errorf("%v on an empty input: %q", k, l.Value())
		}
		_ = l.View(10)
	}
}

// A pasted line break (CR from most terminals, CRLF, LF) is a space in a one-line input and a new
// line in a long-text one: words are never glued together.
func TestAPastedLineBreakKeepsWordsApart(t *testing.T) {
	for _, brk := range []string{"\r", "\r\n", "\n"} {
		paste := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("Line one" + brk + "line two"), Paste: true}
		l := newLineInput("")
		l.Focus()
		l, _ = l.Update(paste)
		if l.Value() != "Line one line two" {
			t.Errorf("one-line input, break %q: %q", brk, l.Value())
		}
		var f fieldInput = newTextareaField(remote.Field{Name: "Description", Type: "textarea"}, "")
		f.Focus()
		f, _ = f.Update(paste)
		if got := f.(*textareaField).ta.Value(); got != "Line one\nline two" {
			t.Errorf("long-text input, break %q: %q", brk, got)
		}
	}
}
