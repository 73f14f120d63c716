package scenario

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

func TestAStepWithAHugeValueReadsInOneShortLine(t *testing.T) {
	huge := strings.Repeat("A", 1_000_000)
	st := Step{Kind: KindCreate, Object: "Account", Fields: remote.Fields{"Name": huge, "Phone": "555-0100"}}
	got := st.String()
	if len(got) > 400 || !strings.Contains(got, "(1000000 characters)") || !strings.Contains(got, `Phone: "555-0100"`) {
		t.Errorf("step text (%d bytes): %.300s", len(got), got)
	}
	e := &Expectation{Record: RecordRef{Ref: "acme"}, Org: remote.Fields{"Description": huge}}
	if got := e.String(); len(got) > 300 {
		t.Errorf("expectation text is %d bytes long", len(got))
	}
	if got := showValue("short"); got != `"short"` {
		t.Errorf("a short text: %s", got)
	}
}

func TestAFailedCheckOfLongTextsShowsWhereTheyDiffer(t *testing.T) {
	want := strings.Repeat("x", 5000) + "MINE" + strings.Repeat("y", 5000)
	found := strings.Repeat("x", 5000) + "THEIRS" + strings.Repeat("y", 5000)
	w, f := showPair(want, found)
	if !strings.Contains(w, "MINE") || !strings.Contains(f, "THEIRS") || len(w) > 200 || len(f) > 200 {
		t.Errorf("expected %s\nfound %s", w, f)
	}
	if !strings.HasPrefix(w, `"…x`) || !strings.HasSuffix(w, `…" (10004 characters)`) {
		t.Errorf("the cut is not marked: %s", w)
	}
	if w, f := showPair(float64(1), "1"); w != "1" || f != `"1"` {
		t.Errorf("values of other types: %s %s", w, f)
	}
}

// A value holding a C1 control or a format character shows it escaped, as JSON escapes the
// other controls: raw, the cleaning of the line took it for an escape sequence and dropped
// what follows it (a failure's "found" value among it), or dropped it without a mark.
func TestAValueWithAC1ControlOrAFormatCharacterShowsItEscaped(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{"555\u009d0900", `"555\u009d0900"`},
		{"A\u202eB", `"A\u202eB"`},
		{"A\u009b2JB", `"A\u009b2JB"`},
		{"flag \U000E0067", `"flag \udb40\udc67"`},
		{"A\x1bB", `"A\u001bB"`},
		{remote.Fields{"Phone": "555\u009d0900"}, `{"Phone":"555\u009d0900"}`},
		{"café ☕", `"café ☕"`},
	} {
		if got := showValue(tc.in); got != tc.want {
			t.Errorf("showValue(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	w, f := showPair("555\u009d0900", "555-0900")
	line := sanitize("expected " + w + ", found " + f)
	if line != `expected "555\u009d0900", found "555-0900"` {
		t.Errorf("the printed line: %s", line)
	}
}
