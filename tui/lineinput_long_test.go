package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"pgregory.net/rapid"

	"github.com/offline-edit/offline-edit/remote"
)

// windowByDefinition is window as its comment defines it, summing afresh at every step.
func windowByDefinition(units []lineUnit, cur, first, w int) int {
	cw := 1
	if cur < len(units) {
		cw = max(1, units[cur].w)
	}
	first = min(first, cur)
	span := func(a, b int) int {
		n := 0
		for _, u := range units[a:b] {
			n += u.w
		}
		return n
	}
	for first < cur && span(first, cur)+cw > w {
		first++
	}
	for first > 0 && span(first-1, len(units))+btoi(cur == len(units)) <= w {
		first--
	}
	return first
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestTheInputsWindowIsTheOneItsDefinitionGives(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ws := rapid.SliceOfN(rapid.IntRange(0, 2), 0, 60).Draw(t, "widths")
		units := make([]lineUnit, len(ws))
		for i, w := range ws {
			units[i] = lineUnit{start: i, end: i + 1, w: w}
		}
		cur := rapid.IntRange(0, len(units)).Draw(t, "cur")
		first := rapid.IntRange(0, len(units)).Draw(t, "first")
		w := rapid.IntRange(1, 30).Draw(t, "w")
		if got, want := window(units, cur, first, w), windowByDefinition(units, cur, first, w); got != want {
			t.Fatalf("window(%v, cur %d, first %d, w %d) = %d, want %d", ws, cur, first, w, got, want)
		}
	})
}

// BenchmarkTextFieldLongestValue: a text field given the longest value a one-line editor opens
// with (maxOneLineValue; an org's one-line fields hold 255 characters), opened at 60 cells with
// the cursor at its end, then one key typed and drawn.
func BenchmarkTextFieldLongestValue(b *testing.B) {
	v := strings.Repeat("A", maxOneLineValue)
	for b.Loop() {
		f := newTextField(remote.Field{Name: "Phone", Type: "phone"}, v, "")
		f.SetWidth(60)
		in, _ := f.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
		_ = in.View(true, 60)
	}
}

// A one-line field the org sent a megabyte in opens at once, leaves the value as it is, and
// takes a new value once ctrl+u has emptied it.
func TestAOneLineFieldTooLongToEditIsLeftAsItIsUntilEmptied(t *testing.T) {
	f := seededFake(3)
	huge := "555-0100 " + strings.Repeat("\x1b[2J9", 1<<18)
	f.records["Account"][0]["Phone"] = huge
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account", "too long to edit here; ctrl+u empties it")
	d.refuseView("\x1b[2J")
	// Typing leaves it as it is; saving another field leaves it out of the change.
	for !strings.Contains(strings.Join(linesWith(d.view(), "▸ "), ""), "too long") {
		d.keys("down")
	}
	d.keys("123")
	d.requireView("too long to edit here")
	d.keys("ctrl+u", "555-0199", "ctrl+s")
	var got any
	for _, e := range f.entries {
		got = e.Changes["Phone"]
	}
	if got != "555-0199" {
		t.Fatalf("the emptied field saved %.40q, want the value typed after ctrl+u", got)
	}
}
