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
type scriptState struct {
	s        Script
	busy     bool
	last     *scenario.StepResult
	failures int
	stopped  string // why the run stopped early
}

func (st scriptState) lines() int {
	if st.s == nil {
		return 0
	}
	return 2
}

func (st scriptState) next(ctx context.Context) (scriptState, tea.Cmd) {
	if st.busy || st.s.Done() && st.last != nil {
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
	ran, total := st.s.Progress()
	head := s.Sim.Render(sprintf(" SCENARIO %d/%d ", ran, total)) + " "
	var next string
	switch {
	case st.busy:
		next = "running…"
	case st.stopped != "":
		next = s.Error.Render("stopped: " + CleanLine(st.stopped))
	case st.s.Done() && st.last != nil:
		if st.failures == 0 {
			next = s.Green.Render("✓ finished: every check held")
		} else {
			next = s.Error.Render(sprintf("✖ finished: %d failed %s", st.failures, plural(st.failures, "check", "checks")))
		}
	default:
		if step, ok := st.s.Peek(); ok {
			next = "N ▶ " + CleanLine(step.String())
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
