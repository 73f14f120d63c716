package main

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// FuzzWriteJSONIsTheSameJSONAndSafeInATerminal: whatever a value holds (org data, a user's
// text), --json output decodes to the same value and carries no raw character a terminal would
// act on (C1 controls, bidirectional overrides) and no raw ESC.
func FuzzWriteJSONIsTheSameJSONAndSafeInATerminal(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[31mred\x1b[0m", "\u009b31m", "\u202eevil", "a\u2066b\u2069", "日本語", "\xff\xfe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		in := map[string]any{"v": s, "list": []any{s, 1.5, true, nil}}
		var buf bytes.Buffer
		if err := writeJSON(&buf, in); err != nil {
			t.Fatal(err)
		}
		out := buf.Bytes()
		if bytes.IndexByte(out, 0x1b) >= 0 {
			t.Fatalf("raw ESC in %q", out)
		}
		for i, r := range string(out) {
			if unsafeInTerminal(r) {
				t.Fatalf("raw %U at %d in %q", r, i, out)
			}
		}
		var back, want any
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("not JSON: %v\n%q", err, out)
		}
		b, _ := json.Marshal(in) // what plain encoding/json says (invalid UTF-8 becomes U+FFFD)
		_ = json.Unmarshal(b, &want)
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("decodes to %#v, want %#v", back, want)
		}
	})
}

// FuzzTypedValueGivesWhatCheckValueTakes: a FIELD=VALUE argument either is refused with an
// error or gives a value that the check before queueing accepts or refuses with a message,
// never a panic, a number taken is always one the org can store, and normalizing again changes
// nothing.
func FuzzTypedValueGivesWhatCheckValueTakes(f *testing.F) {
	types := []string{"string", "double", "currency", "percent", "int", "boolean", "date", "datetime", "picklist", "reference", "textarea"}
	for _, s := range []string{"", "12", "1.5", "NaN", "Inf", "-0", "1e400", "true", "2024-02-30", "2024-01-02T03:04:05Z", "\x1b[2J"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, ti uint8) {
		fld := remote.Field{Name: "F", Type: types[int(ti)%len(types)]}
		v, err := typedValue(fld, s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "F: ") {
				t.Fatalf("error %q does not name the field", err)
			}
			return
		}
		if nv, cerr := normalizeValue(fld, v); cerr == nil {
			if n, ok := nv.(float64); ok && (math.IsNaN(n) || math.IsInf(n, 0) || fld.Type == "int" && n != math.Trunc(n)) {
				t.Fatalf("%s value %v taken", fld.Type, n)
			}
			if n, ok := nv.(float64); ok {
				if x, exact := remote.ExactNumber(strings.TrimSpace(s)); !exact || x != n {
					t.Fatalf("%q taken as %v: not the number typed", s, n)
				}
			}
			if again, err := normalizeValue(fld, nv); err != nil || !reflect.DeepEqual(again, nv) {
				t.Fatalf("a normalized value %#v is not stable: %#v, %v", nv, again, err)
			}
		} else if !strings.Contains(cerr.Error(), "F") {
			t.Fatalf("refusal %q does not name the field", cerr)
		}
	})
}
