package plain

import "testing"

func TestTextKeepsLinesAndLineJoinsThem(t *testing.T) {
	for _, tc := range []struct {
		in, text, line string
	}{
		{"plain é 日本", "plain é 日本", "plain é 日本"},
		{"a\nb\tc", "a\nb c", "a b c"},
		{"title \x1b]0;PWNED\a done", "title  done", "title  done"},
		{"csi \u009b2J done", "csi  done", "csi  done"},
		{"rtl \u202eevil", "rtl evil", "rtl evil"},
		{"left open\x1b]", "left open", "left open"},
		{"nul\x00 bell\a", "nul bell", "nul bell"},
		{"family 👩\u200d👧 end\u200d", "family 👩\u200d👧 end", "family 👩\u200d👧 end"},
	} {
		if got := Text(tc.in); got != tc.text {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.text)
		}
		if got := Line(tc.in); got != tc.line {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
		}
	}
}

func TestEscFormsKeepsOffsets(t *testing.T) {
	in := "a\u009b1mb\u009d0;x\a"
	if got := EscForms(in); len(got) != len(in) || got != "a\x1b[1mb\x1b]0;x\a" {
		t.Errorf("EscForms(%q) = %q", in, got)
	}
	if !ASCII("plain text 123") || ASCII("é") || ASCII("a\tb") {
		t.Error("ASCII")
	}
}
