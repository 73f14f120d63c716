package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/scenario"
)

// listScript is a scenario whose steps report the results given, in turn.
type listScript struct {
	file    string
	results []scenario.StepResult
	ran     int
	stopped bool
}

func (s *listScript) Peek() (scenario.Step, bool) {
	return scenario.Step{Kind: scenario.KindSync}, !s.Done()
}
func (s *listScript) Next(context.Context) (scenario.StepResult, bool) {
	if s.Done() {
		return scenario.StepResult{}, false
	}
	r := s.results[s.ran]
	s.ran++
	s.stopped = r.Err != nil
	return r, true
}
func (s *listScript) Done() bool           { return s.stopped || s.ran >= len(s.results) }
func (s *listScript) Progress() (int, int) { return s.ran, len(s.results) }
func (s *listScript) Scenario() *scenario.Scenario {
	return &scenario.Scenario{Name: "strip", File: s.file}
}

// stripOf is the scenario strip of a view: from its SCENARIO line to the status bar.
func stripOf(v string) []string {
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		if strings.Contains(l, " SCENARIO ") {
			return lines[i : len(lines)-2]
		}
	}
	return nil
}

func fails(line int, whats ...string) []scenario.Failure {
	var out []scenario.Failure
	for _, w := range whats {
		out = append(out, scenario.Failure{Line: line, What: w, Expected: "orange", Found: "green"})
	}
	return out
}

func TestScenarioStripNamesTheFileByItsBaseAndShowsWhyTheRunStoppedWhole(t *testing.T) {
	const file = "/home/qa/work/offline-edit/checkouts/main/scenarios/regressions/resolve-by-name.yaml"
	reason := file + `:34: resolve: Account "Acme Group" has no pending change: not found on this device`
	sc := &listScript{file: file, results: []scenario.StepResult{
		{Index: 0, Line: 10, Text: "sync"},
		{Index: 1, Line: 34, Text: "resolve", Err: errors.New(reason)},
		{Index: 2, Line: 40, Text: "sync"},
	}}
	d := newDriverWith(t, Options{Backend: seededFake(1), Script: sc}, 80, 24)
	d.keys("N", "N")
	strip := stripOf(d.view())
	text := flat(strings.Join(strip, "\n"))
	if !strings.Contains(text, `resolve-by-name.yaml:34: resolve: Account "Acme Group" has no pending change: not found on this device`) {
		t.Fatalf("the strip does not give the whole reason:\n%s", strings.Join(strip, "\n"))
	}
	if strings.Contains(text, "/home/qa") {
		t.Fatalf("the strip names the file by its whole path:\n%s", strings.Join(strip, "\n"))
	}
	if !strings.Contains(strip[0], "stopped") || !strings.Contains(strip[0], "F ") {
		t.Fatalf("the strip's first line does not say the run stopped, and F: %q", strip[0])
	}
	for _, l := range strip {
		if lipgloss.Width(l) > 80 {
			t.Fatalf("a strip line is wider than the terminal: %q", l)
		}
	}
	d.keys("F")
	if v := boxText(d.view()); !strings.Contains(v, "Stopped at step 2 of 3:") || !strings.Contains(v, "not found on this device") {
		t.Fatalf("F does not say why the run stopped:\n%s", d.view())
	}
}

func TestScenarioStripReasonTooLongForItsRoomEndsWithF(t *testing.T) {
	long := "scenario.yaml:3: " + strings.Repeat("a long reason word ", 40) + "END"
	sc := &listScript{file: "scenario.yaml", results: []scenario.StepResult{{Index: 0, Line: 3, Text: "sync", Err: errors.New(long)}}}
	d := newDriverWith(t, Options{Backend: seededFake(1), Script: sc}, 80, 24)
	d.keys("N")
	strip := stripOf(d.view())
	if len(strip) > stripRoom(24) {
		t.Fatalf("the strip takes %d lines, more than its room of %d:\n%s", len(strip), stripRoom(24), strings.Join(strip, "\n"))
	}
	if last := strip[len(strip)-1]; !strings.Contains(last, "F reads the rest") {
		t.Fatalf("a cut reason does not say F reads the rest: %q", last)
	}
	d.keys("F")
	d.keys("end")
	if !strings.Contains(boxText(d.view()), "END") {
		t.Fatalf("F does not reach the end of the reason:\n%s", d.view())
	}
}

func TestScenarioStripShowsEveryFailedCheckOfAStepAndKeepsTheRunsToTheEnd(t *testing.T) {
	sc := &listScript{file: "s.yaml", results: []scenario.StepResult{
		{Index: 0, Line: 8, Text: "expect birch", Failures: fails(8, "birch sash", "birch status", "birch error code")},
		{Index: 1, Line: 12, Text: "offline"},
		{Index: 2, Line: 14, Text: "expect pending 3", Failures: fails(14, "pending changes")},
	}}
	d := newDriverWith(t, Options{Backend: seededFake(1), Script: sc}, 80, 24)
	d.keys("N")
	strip := strings.Join(stripOf(d.view()), "\n")
	for _, want := range []string{"3 checks of line 8 failed", "F lists them", "birch sash", "birch status", "birch error code"} {
		if !strings.Contains(strip, want) {
			t.Fatalf("after a step with 3 failed checks the strip lacks %q:\n%s", want, strip)
		}
	}
	// A step that passes: the ✖ of the run stays.
	d.keys("N")
	strip = strings.Join(stripOf(d.view()), "\n")
	for _, want := range []string{"last: ✓ offline", "3 failed checks earlier", "F lists them"} {
		if !strings.Contains(strip, want) {
			t.Fatalf("after a passing step the strip lacks %q:\n%s", want, strip)
		}
	}
	d.keys("N")
	strip = strings.Join(stripOf(d.view()), "\n")
	if !strings.Contains(strip, "✖ finished: 4 failed checks · F lists them") || !strings.Contains(strip, "line 14: pending changes") {
		t.Fatalf("at the end the strip is:\n%s", strip)
	}
	d.keys("F")
	box := boxText(d.view())
	for _, want := range []string{"4 failed checks:", "line 8 · expect birch", "line 8: birch sash: expected orange, found green",
		"line 8: birch status", "line 8: birch error code", "line 14 · expect pending 3", "line 14: pending changes"} {
		if !strings.Contains(box, want) {
			t.Fatalf("F's list lacks %q:\n%s", want, d.view())
		}
	}
	d.keys("esc")
	if d.model().modal.open() {
		t.Fatalf("esc did not close the list")
	}
}

func TestScenarioFailedChecksListScrollsWhenLongerThanTheScreen(t *testing.T) {
	var whats []string
	for i := range 40 {
		whats = append(whats, fmt.Sprintf("check %02d", i))
	}
	sc := &listScript{file: "s.yaml", results: []scenario.StepResult{{Index: 0, Line: 8, Text: "expect", Failures: fails(8, whats...)}}}
	d := newDriverWith(t, Options{Backend: seededFake(1), Script: sc}, 80, 24)
	d.keys("N")
	if strip := stripOf(d.view()); len(strip) > stripRoom(24) || !strings.Contains(strip[len(strip)-1], "more") {
		t.Fatalf("40 failed checks: the strip is:\n%s", strings.Join(strip, "\n"))
	}
	// The box alone: the strip under it names the first checks too.
	box := func() string {
		v := d.view()
		return v[:strings.Index(v, " SCENARIO ")]
	}
	has := func(want string, yes bool) {
		t.Helper()
		if strings.Contains(box(), want) != yes {
			t.Fatalf("the list has %q: %v, want %v:\n%s", want, !yes, yes, box())
		}
	}
	d.keys("F")
	has("check 00", true)
	has("lines 1–", true)
	has("check 39", false)
	d.keys("end")
	has("check 39", true)
	has("of 43", true)
	has("check 00", false)
	d.keys("home")
	has("check 00", true)
	for range 100 {
		d.keys("up") // past the top: stays there
	}
	d.keys("down")
	has("lines 2–", true)
	if lines := strings.Split(d.view(), "\n"); len(lines) != 24 {
		t.Fatalf("the view is %d lines high, not 24", len(lines))
	}
}

func TestHelpBarStopsOfferingNOnceTheScenarioIsOverAndNSaysSo(t *testing.T) {
	sc := &listScript{file: "s.yaml", results: []scenario.StepResult{
		{Index: 0, Line: 8, Text: "sync"},
		{Index: 1, Line: 9, Text: "expect", Failures: fails(9, "birch sash")},
	}}
	d := newDriverWith(t, Options{Backend: seededFake(1), Script: sc}, 200, 40)
	if bar := helpBarOf(d.view()); !strings.Contains(bar, "N next scenario step") || strings.Contains(bar, "F scenario") {
		t.Fatalf("before the run the help bar is %q", bar)
	}
	d.keys("N", "N")
	bar := helpBarOf(d.view())
	if strings.Contains(bar, "N next scenario step") {
		t.Fatalf("the run is over and the help bar still offers N: %q", bar)
	}
	if !strings.Contains(bar, "F scenario's failed checks") {
		t.Fatalf("the run had a failed check and the help bar does not offer F: %q", bar)
	}
	d.keys("N")
	d.requireView("The scenario is over: no step is left to run")
	if sc.ran != 2 {
		t.Fatalf("N after the end ran a step")
	}
}

func TestScenarioStripFitsItsRoomAtEverySize(t *testing.T) {
	results := []scenario.StepResult{
		{Index: 0, Line: 8, Text: strings.Repeat("étape longue ", 20), Outcome: "日本語の結果 " + strings.Repeat("x", 90)},
		{Index: 1, Line: 9, Text: "expect", Failures: fails(9, "a", "b", "c", "d", "e", "f", "g")},
		{Index: 2, Line: 10, Text: "ok"},
		{Index: 3, Line: 11, Text: "expect", Failures: fails(11, strings.Repeat("wide 全角 ", 30))},
		{Index: 4, Line: 12, Text: "stop", Err: errors.New("/x/s.yaml:12: " + strings.Repeat("reason ", 80))},
	}
	for _, size := range [][2]int{{minWidth, minHeight}, {61, 17}, {80, 24}, {100, 30}, {200, 60}} {
		sc := &listScript{file: "/x/s.yaml", results: results}
		d := newDriverWith(t, Options{Backend: seededFake(1), Script: sc}, size[0], size[1])
		for step := 0; step <= len(results); step++ {
			v := d.view()
			lines := strings.Split(v, "\n")
			if len(lines) != size[1] {
				t.Fatalf("%v after %d steps: the view is %d lines high:\n%s", size, step, len(lines), v)
			}
			strip := stripOf(v)
			if len(strip) < 2 || len(strip) > stripRoom(size[1]) {
				t.Fatalf("%v after %d steps: the strip takes %d lines:\n%s", size, step, len(strip), v)
			}
			if _, h := d.model().bodySize(); h != size[1]-chromeLines-len(strip) {
				t.Fatalf("%v after %d steps: the screens have %d lines, the strip leaves %d", size, step, h, size[1]-chromeLines-len(strip))
			}
			for _, l := range lines {
				if lipgloss.Width(l) > size[0] {
					t.Fatalf("%v after %d steps: a line is wider than the terminal: %q", size, step, l)
				}
			}
			d.keys("N")
		}
	}
}

// longStepScript is listScript whose next step is another user's edit of many fields.
type longStepScript struct{ listScript }

func (s *longStepScript) Peek() (scenario.Step, bool) {
	return scenario.Step{Kind: scenario.KindEdit, As: "sam", Record: scenario.RecordRef{Ref: "acct"},
		Fields: remote.Fields{"Regional_Compliance_Detail_437__c": "checked by the manager", "Website": "https://www.acme-new.example"}}, !s.Done()
}

// The step about to run shows whole where the strip has room (a support engineer steps through
// a scenario to read what another user did), and so does the last one.
func TestScenarioStripShowsALongStepWhole(t *testing.T) {
	long := "as sam: edit acct {Regional_Compliance_Detail_437__c: \"checked by the manager\", Website: \"https://www.acme-new.example\"}"
	sc := &longStepScript{listScript{file: "s.yaml", results: []scenario.StepResult{
		{Index: 0, Line: 10, Text: long, Outcome: "edited on the org"},
		{Index: 1, Line: 12, Text: "sync"},
	}}}
	d := newDriverWith(t, Options{Backend: seededFake(1), Script: sc}, 80, 24)
	strip := stripOf(d.view())
	if text := flat(strings.Join(strip, "\n")); !strings.Contains(text, "Website") || !strings.Contains(text, "acme-new.example") {
		t.Fatalf("the next step is cut:\n%s", strings.Join(strip, "\n"))
	}
	d.keys("N")
	strip = stripOf(d.view())
	if text := flat(strings.Join(strip, "\n")); !strings.Contains(text, "last: ✓ "+long) || !strings.Contains(text, "edited on the org") {
		t.Fatalf("the last step is cut:\n%s", strings.Join(strip, "\n"))
	}
	if len(strip) > stripRoom(24) {
		t.Fatalf("the strip takes %d lines, more than its room of %d", len(strip), stripRoom(24))
	}
	for _, l := range strip {
		if lipgloss.Width(l) > 80 {
			t.Fatalf("a strip line is wider than the terminal: %q", l)
		}
	}
	if got := len(strings.Split(d.view(), "\n")); got != 24 {
		t.Fatalf("the frame has %d lines, want 24", got)
	}
}
