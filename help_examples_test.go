package main

import (
	"strings"
	"testing"
)

// shellWords splits a command line as a shell would for the help's examples: spaces part
// words, double quotes keep them together.
func shellWords(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

// The examples the commands' help gives work as written on the demo org.
func TestTheHelpsExamplesWorkOnTheDemoOrg(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	top, _ := run(t, dir, "", "--help")
	ran := 0
	for _, l := range strings.Split(top, "\n") {
		_, ex, ok := strings.Cut(l, "e.g. ")
		if !ok {
			continue
		}
		args := shellWords(ex)
		if args[0] != "new" && args[0] != "edit" {
			continue
		}
		ran++
		if out, err := run(t, dir, "", args...); err != nil {
			t.Errorf("the example %q fails as written: %v\n%s", ex, err, out)
		}
	}
	help, _ := run(t, dir, "", "apply", "--help")
	for _, l := range strings.Split(help, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, `{"op":"new"`) && !strings.HasPrefix(l, `{"op":"edit"`) {
			continue
		}
		ran++
		if out, err := run(t, dir, l+"\n", "apply"); err != nil {
			t.Errorf("the line %s of apply --help fails as written: %v\n%s", l, err, out)
		}
	}
	if ran < 4 {
		t.Fatalf("ran %d examples of the help, want the new and edit ones of the commands and of apply:\n%s\n%s", ran, top, help)
	}
}
