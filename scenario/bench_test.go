package scenario

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkParseLibrary(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("..", "scenarios", "*.yaml"))
	var data [][]byte
	size := 0
	for _, f := range files {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, d)
		size += len(d)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for i, d := range data {
			if _, err := Parse(files[i], d); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRunConflictScenario is one whole scenario: a fresh embedded org and device, then
// its steps.
func BenchmarkRunConflictScenario(b *testing.B) {
	sc, err := ParseFile(filepath.Join("..", "scenarios", "conflict-mine.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		env, err := NewEmbeddedEnv(ctx, sc, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		if rep := Run(ctx, sc, env, nil); !rep.Passed {
			b.Fatalf("failed: %+v %s", rep.Failures(), rep.Error)
		}
		if err := env.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
