package tui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/scenario"
)

// Script is a scenario loaded into the app and run one step per keypress; *scenario.Stepper
// satisfies it.
type Script interface {
	Peek() (scenario.Step, bool)
	Next(ctx context.Context) (scenario.StepResult, bool)
	Done() bool
	Progress() (ran, total int)
	Scenario() *scenario.Scenario
}

type scriptStepMsg struct {
	res scenario.StepResult
	ok  bool
}

// scriptState is the strip above the status bar while a scenario is loaded: the next step,
// and what the last one did.
//
// The stepper is read only between steps (never while a step runs in its command), and View
// draws the snapshot taken then.
type scriptState struct {
	s        Script
	busy     bool
	last     *scenario.StepResult
	failures int
	stopped  string // why the run stopped early

	ran, total int
	nextText   string // the step N runs, "" at the end
	finished   bool
}

func newScriptState(s Script) scriptState {
	return scriptState{s: s}.snapshot()
}

// snapshot reads the stepper's progress; only while no step runs.
func (st scriptState) snapshot() scriptState {
	if st.s == nil {
		return st
	}
	st.ran, st.total = st.s.Progress()
	st.finished = st.s.Done()
	st.nextText = ""
	if step, ok := st.s.Peek(); ok {
		st.nextText = step.String()
	}
	return st
}

func (st scriptState) lines() int {
	if st.s == nil {
		return 0
	}
	return 2
}

func (st scriptState) next(ctx context.Context) (scriptState, tea.Cmd) {
	if st.busy || st.finished && st.last != nil {
		return st, nil
	}
	st.busy = true
	s := st.s
	return st, func() tea.Msg {
		res, ok := s.Next(ctx)
		return scriptStepMsg{res: res, ok: ok}
	}
}

func (st scriptState) done(msg scriptStepMsg) scriptState {
	st.busy = false
	st = st.snapshot()
	if !msg.ok {
		return st
	}
	r := msg.res
	st.last = &r
	st.failures += len(r.Failures)
	if r.Err != nil {
		st.stopped = r.Err.Error()
	}
	return st
}

// view is two lines: the step about to run (or the end), and what the last step did.
func (st scriptState) view(s Styles, w int) string {
	head := s.Sim.Render(sprintf(" SCENARIO %d/%d ", st.ran, st.total)) + " "
	var next string
	switch {
	case st.busy:
		next = "running…"
	case st.stopped != "":
		next = s.Error.Render("stopped: " + CleanLine(st.stopped))
	case st.finished && st.last != nil:
		if st.failures == 0 {
			next = s.Green.Render("✓ finished: every check held")
		} else {
			next = s.Error.Render(sprintf("✖ finished: %d failed %s", st.failures, plural(st.failures, "check", "checks")))
		}
	default:
		if st.nextText != "" {
			next = "N ▶ " + CleanLine(st.nextText)
		} else {
			next = "N ▶ check the scenario against the org"
		}
	}
	last := s.Subtle.Render("  no step has run yet: press N to run the next one")
	if r := st.last; r != nil && st.stopped == "" {
		switch {
		case len(r.Failures) > 0:
			f := r.Failures[0]
			last = s.Error.Render(sprintf("  ✖ line %d: %s: expected %s, found %s", f.Line, CleanLine(f.What), CleanLine(f.Expected), CleanLine(f.Found)))
		case r.Index >= 0:
			last = s.Subtle.Render("  last: ✓ " + CleanLine(r.Text))
			if r.Outcome != "" {
				last += s.Subtle.Render(" → " + CleanLine(r.Outcome))
			}
		}
	}
	if st.stopped != "" {
		last = ""
	}
	return trunc(head+next, w) + "\n" + trunc(last, w)
}
