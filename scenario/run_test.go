package scenario

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"
)

func runFile(t *testing.T, path string) (Report, string) {
	t.Helper()
	sc, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return runScenario(t, sc)
}

func runScenario(t *testing.T, sc *Scenario) (Report, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env, err := NewEmbeddedEnv(ctx, sc, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := env.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	var out bytes.Buffer
	rep := Run(ctx, sc, env, &out)
	return rep, out.String()
}

func TestShippedScenariosPass(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "scenarios", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenarios shipped")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			rep, out := runFile(t, f)
			if !rep.Passed {
				t.Errorf("scenario failed:\n%s", out)
			} else {
				t.Log("\n" + out)
			}
		})
	}
}
