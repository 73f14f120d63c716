package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
)

func stageField() remote.Field {
	var vals []remote.PicklistValue
	for _, v := range []string{"Prospecting", "Qualification", "Closed Lost", "Closed Won", "Hold", "Lost Cause", "Shelved"} {
		vals = append(vals, remote.PicklistValue{Value: v, Active: true})
	}
	return remote.Field{Name: "StageName", Label: "Stage", Type: "picklist", PicklistValues: vals}
}

// typeKeys sends each rune of s as its own key, a space as the space key.
func typeKeys(in fieldInput, s string) fieldInput {
	for _, r := range s {
		k := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}
		if r == ' ' {
			k = tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
		}
		in, _ = in.Update(k)
	}
	return in
}

func TestTypingOnAClosedPicklistJumpsToTheValueStartingWithAllOfIt(t *testing.T) {
	cases := []struct {
		name, start, typed, want string
	}{
		{"letters and a space, one key each", "Prospecting", "closed w", "Closed Won"},
		{"a prefix of two values takes the first", "Prospecting", "closed", "Closed Lost"},
		{"h after a letter is a letter", "Prospecting", "sh", "Shelved"},
		{"l after a letter", "Prospecting", "cl", "Closed Lost"},
		{"the same letter again steps through the values it begins", "Prospecting", "cc", "Closed Won"},
		{"a letter matching nothing after others starts again", "Closed Won", "clq", "Qualification"},
		{"capitals", "Prospecting", "CLOSED W", "Closed Won"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var in fieldInput = newPicklistField(stageField(), c.start)
			in = typeKeys(in, c.typed)
			if got := in.Value(); got != c.want {
				t.Fatalf("typing %q from %s gives %v, want %s", c.typed, c.start, got, c.want)
			}
			if in.(*picklistField).open {
				t.Fatal("a space typed among letters opened the list")
			}
		})
	}
}

func TestTypingABurstOnAClosedPicklistJumpsToIt(t *testing.T) {
	var in fieldInput = newPicklistField(stageField(), "Prospecting")
	in, _ = in.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("closed w")})
	if got := in.Value(); got != "Closed Won" {
		t.Fatalf("a burst of \"closed w\" gives %v", got)
	}
}

func TestHAndLStepAPicklistWhenNothingIsTyped(t *testing.T) {
	var in fieldInput = newPicklistField(stageField(), "Qualification")
	in = typeKeys(in, "l")
	if got := in.Value(); got != "Closed Lost" {
		t.Fatalf("l steps to %v", got)
	}
	in, _ = in.Update(tea.KeyMsg{Type: tea.KeyRight})
	in = typeKeys(in, "h")
	if got := in.Value(); got != "Closed Lost" {
		t.Fatalf("→ then h gives %v", got)
	}
	// Leaving the field forgets what was typed: space opens the list again.
	in = typeKeys(in, "c")
	in.Blur()
	in = typeKeys(in, " ")
	if !in.(*picklistField).open {
		t.Fatal("space after the field was left does not open the list")
	}
}

func TestTypingOnAClosedPicklistWhatNoValueBeginsWithSaysSo(t *testing.T) {
	cases := []struct {
		name, typed, want, keeps string
	}{
		{"a first letter", "z", `no value begins with "z"`, "Qualification"},
		{"letters after a match", "prx", `no value begins with "prx"`, "Prospecting"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newPicklistField(stageField(), "Qualification")
			in := typeKeys(p, tc.typed)
			v := in.View(true, 80)
			if !strings.Contains(v, tc.want) {
				t.Errorf("typing %q shows %q, want it to say %s", tc.typed, v, tc.want)
			}
			if !strings.Contains(v, "◂ "+tc.keeps+" ▸") {
				t.Errorf("typing %q left the field at %q, want %s", tc.typed, v, tc.keeps)
			}
			// The next key clears it.
			in, _ = in.Update(tea.KeyMsg{Type: tea.KeyRight})
			if v := in.View(true, 80); strings.Contains(v, "no value begins") {
				t.Errorf("the note outlived the next key: %q", v)
			}
		})
	}
	p := newPicklistField(stageField(), "Qualification")
	if v := typeKeys(p, "sh").View(true, 80); strings.Contains(v, "no value begins") {
		t.Errorf("a typed search that matches says it does not: %q", v)
	}
}
