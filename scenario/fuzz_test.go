package scenario

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes Parse panic, that every error is a *ParseError, and that
// whatever parses can be formatted and parsed again to the same steps.
func FuzzParse(f *testing.F) {
	f.Add([]byte(goodScenario))
	f.Add([]byte("name: x\nsteps:\n  - offline\n"))
	f.Add([]byte("name: x\nsteps:\n  - expect: {count: {object: Account, where: \"Name = 'a'\", is: 1}}\n"))
	f.Add([]byte("name: x\nsteps:\n  - network: {drop: 50%, latency: 1s}\n"))
	f.Add([]byte("&a [*a]"))
	files, _ := filepath.Glob(filepath.Join("..", "scenarios", "*.yaml"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError: %v", err, err)
			}
			return
		}
		out, err := Format(sc)
		if err != nil {
			t.Fatalf("Format: %v", err)
		}
		again, err := Parse("again.yaml", out)
		if err != nil {
			t.Fatalf("formatted scenario does not parse: %v\n%s", err, out)
		}
		if !maps.Equal(again.ExtraFields, sc.ExtraFields) && len(again.ExtraFields)+len(sc.ExtraFields) > 0 {
			t.Fatalf("extra_fields %v after round trip, want %v", again.ExtraFields, sc.ExtraFields)
		}
		if len(again.Steps) != len(sc.Steps) {
			t.Fatalf("%d steps after round trip, want %d", len(again.Steps), len(sc.Steps))
		}
		for i := range sc.Steps {
			a, b := sc.Steps[i], again.Steps[i]
			a.Line, b.Line = 0, 0
			if mustJSON(t, a) != mustJSON(t, b) {
				t.Fatalf("step %d changed:\n%s\n%s", i+1, mustJSON(t, a), mustJSON(t, b))
			}
		}
	})
}
