package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// payloads are strings a hostile org could store in a record or an error message.
var payloads = []struct{ name, in, want string }{
	{"OSC 52 clipboard write", "Acme\x1b]52;c;ZWNobyBoaQ==\x07 Corp", "Acme Corp"},
	{"clear screen", "Acme\x1b[2J Corp", "Acme Corp"},
	{"cursor position query", "Acme\x1b[6n Corp", "Acme Corp"},
	{"window title", "Acme\x1b]0;pwned\x1b\\ Corp", "Acme Corp"},
	{"unterminated OSC", "Acme \x1b]0;rest of the name", "Acme "},
	{"carriage return", "Synced ✓\rAcme", "Synced ✓Acme"},
	{"line separator", "Acme\u2028Corp\u2029Ltd", "Acme Corp Ltd"},
	{"Hangul fillers", "Ac\u3164me\u115F\uFFA0", "Acme"},
	{"backspace", "Acme\b\b\bXY", "AcmeXY"},
	{"NUL", "Ac\x00me", "Acme"},
	{"BEL", "Ac\x07me", "Acme"},
	{"C1 CSI", "Acme\u009b2J Corp", "Acme Corp"},
	{"bidi override", "Acme \u202eproC", "Acme proC"},
	{"zero width space kept out", "Ac\u200bme", "Acme"},
	{"plain text untouched", "Müller & Söhne GmbH", "Müller & Söhne GmbH"},
	{"bidi embeddings, overrides and isolates", "\u202aA\u202bc\u202cm\u202de\u202e \u2066C\u2067o\u2068r\u2069p", "Acme Corp"},
	{"C1 controls", "Ac\u0085m\u008ee", "Acme"},
	{"zero width joiners of an emoji family kept", "Fam 👩\u200d👩\u200d👧\u200d👦 x", "Fam 👩\u200d👩\u200d👧\u200d👦 x"},
	{"zero width non-joiner kept", "می\u200cخواهم", "می\u200cخواهم"},
	{"zero width joiner of an Indic conjunct kept", "क्\u200dष", "क्\u200dष"},
	{"stray zero width joiner dropped", "Ac\u200dme\u200d", "Acme"},
	{"zero width joiner before another dropped", "👩\u200d\u200d👧", "👩👧"},
}

func TestCleanLineStripsEscapesAndControls(t *testing.T) {
	for _, p := range payloads {
		t.Run(p.name, func(t *testing.T) {
			if got := CleanLine(p.in); got != p.want {
				t.Errorf("CleanLine(%q) = %q, want %q", p.in, got, p.want)
			}
		})
	}
}

func TestCleanKeepsNewlinesOnlyInMultilineText(t *testing.T) {
	in := "line one\nline\x1b[31m two\r\n"
	if got, want := Clean(in), "line one\nline two\n"; got != want {
		t.Errorf("Clean = %q, want %q", got, want)
	}
	if got, want := CleanLine(in), "line one line two "; got != want {
		t.Errorf("CleanLine = %q, want %q", got, want)
	}
}

// hostile reports the first dangerous byte in a view (with the Ascii profile pinned, the
// app itself emits no escape sequences at all).
func hostile(view string) string {
	for _, bad := range []string{"\x1b", "\u009b", "\r", "\a", "\b", "\x00", "\u202e", "]52;", "[2J"} {
		if strings.Contains(view, bad) {
			return bad
		}
	}
	return ""
}

func TestScreensNeverDrawHostileOrgText(t *testing.T) {
	f := newFakeBackend()
	f.quiet = true
	for i, p := range payloads {
		f.add("Account", remote.Fields{"Id": sprintf("001%015d", i), "Name": "A" + p.in, "Phone": p.in, "Description": p.in + "\n" + p.in})
	}
	f.add("Contact", remote.Fields{"Id": "003000000000000001", "LastName": payloads[0].in, "Name": payloads[0].in, "AccountId": "001000000000000000"})
	f.sortAll()
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: payloads[0].in, Op: pending.OpUpdate,
		Status: pending.StatusInvalid, Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION\x1b[2J", Message: payloads[4].in,
		Errors:    []pending.FieldError{{Field: "Phone", Message: payloads[1].in}, {Message: payloads[8].in}},
		Changes:   remote.Fields{"Phone": "1"},
		Conflicts: []pending.Conflict{{Field: "Phone", Theirs: payloads[0].in, TheirsBy: payloads[2].in}}})

	d := newDriver(t, f, 100, 30)
	check := func(where string) {
		t.Helper()
		if bad := hostile(d.view()); bad != "" {
			t.Fatalf("%s draws %q:\n%q", where, bad, d.view())
		}
	}
	check("menu")
	d.keys("enter")
	check("object home")
	for i := 0; i < len(payloads); i++ {
		d.keys("enter")
		check(sprintf("record %d", i))
		d.keys("esc", "down")
	}
	d.keys("g", "enter", "e")
	check("edit form")
	d.keys("esc", "y", "p")
	check("pending changes")
	d.keys("r")
	check("fix form")
}

func TestC1SequencesGoWholeWithTheirParameters(t *testing.T) {
	for in, want := range map[string]string{
		"Adv\u009b31mRED\u009b0m end":            "AdvRED end",
		"THEIRS\u009b2J":                         "THEIRS",
		"title\u009d0;owned\u009c after":         "title after",
		"keep é and 日本 \u009b1;2H here":          "keep é and 日本  here",
		"\x1b[31mESC form\x1b[0m still stripped": "ESC form still stripped",
	} {
		if got := CleanLine(in); got != want {
			t.Errorf("CleanLine(%q) = %q, want %q", in, got, want)
		}
	}
}
