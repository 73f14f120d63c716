package tui

import (
	"context"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

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

// failedStep is a step of the run with checks that did not hold.
type failedStep struct {
	line     int
	text     string
	failures []scenario.Failure
}

// scriptState is the strip above the status bar while a scenario is loaded: the next step,
// and what the last one did. It keeps every failed check of the run and why the run stopped,
// for F to list to the end.
//
// The stepper is read only between steps (never while a step runs in its command), and View
// draws the snapshot taken then.
type scriptState struct {
	s        Script
	busy     bool
	last     *scenario.StepResult
	failed   []failedStep // the steps whose checks failed, in the order they ran
	failures int          // the failed checks of the run
	stopped  string       // why the run stopped early, the file named by its base name

	ran, total int
	nextText   string // the step N runs, "" at the end
	finished   bool
	name, file string // the scenario's name and the path its messages name it by
}

func newScriptState(s Script) scriptState {
	st := scriptState{s: s}
	if s != nil {
		if sc := s.Scenario(); sc != nil {
			st.name, st.file = sc.Name, sc.File
		}
	}
	return st.snapshot()
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

// over reports whether the run has ended: every step ran, or one stopped it. N has nothing
// left to do then.
func (st scriptState) over() bool {
	return st.s != nil && !st.busy && (st.finished && st.last != nil || st.stopped != "")
}

// hasReport reports whether the run has something for F to list: a failed check or why it
// stopped.
func (st scriptState) hasReport() bool { return st.failures > 0 || st.stopped != "" }

func (st scriptState) next(ctx context.Context) (scriptState, tea.Cmd) {
	if st.busy || st.over() {
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
	if len(r.Failures) > 0 {
		st.failed = append(st.failed[:len(st.failed):len(st.failed)], failedStep{line: r.Line, text: r.Text, failures: r.Failures})
		st.failures += len(r.Failures)
	}
	if r.Err != nil {
		st.stopped = st.short(r.Err.Error())
	}
	return st
}

// short names the scenario's file by its base name in text from the runner, which names it by
// the path it was opened with ("/home/qa/scenarios/flow.yaml:34: resolve: …"): the path would
// take the strip's width before the reason.
func (st scriptState) short(text string) string {
	if st.file == "" {
		return text
	}
	base := filepath.Base(st.file)
	if base == st.file || base == "." {
		return text
	}
	return strings.ReplaceAll(text, st.file+":", base+":")
}

// Room the strip may take: two lines always; more (up to maxStripLines) for why the run
// stopped and the failed checks of the last step, while the body keeps two thirds of the rows.
const maxStripLines = 6

// stripRoom is how many lines the strip may take in a terminal h rows high.
func stripRoom(h int) int {
	return min(maxStripLines, max(2, (h-chromeLines)/3))
}

// lines is how many lines the strip takes at width w with room lines at most.
func (st scriptState) lines(w, room int) int {
	if st.s == nil {
		return 0
	}
	return len(st.viewLines(Styles{}, w, room))
}

// view is the strip: the step about to run (or the end), and what the last step did.
func (st scriptState) view(s Styles, w, room int) string {
	return strings.Join(st.viewLines(s, w, room), "\n")
}

func (st scriptState) viewLines(s Styles, w, room int) []string {
	room = max(2, room)
	head := s.Sim.Render(sprintf(" SCENARIO %d/%d ", st.ran, st.total)) + " "
	checks := sprintf("%d failed %s", st.failures, plural(st.failures, "check", "checks"))
	var first string
	switch {
	case st.busy:
		first = "running…"
	case st.stopped != "":
		text := "✖ stopped"
		if st.failures > 0 {
			text += " · " + checks
		}
		first = s.Error.Render(text) + s.Subtle.Render(" · F reads it all")
	case st.over():
		if st.failures == 0 {
			first = s.Green.Render("✓ finished: every check held")
		} else {
			first = s.Error.Render("✖ finished: "+checks) + s.Subtle.Render(" · F lists them")
		}
	default:
		next := "N ▶ check the scenario against the org"
		if st.nextText != "" {
			next = "N ▶ " + CleanLine(st.nextText)
		}
		// The step about to run, whole where the room allows (half of it): a step naming many
		// fields (another user's edit) is what the user steps through the scenario to read.
		if r := st.last; r == nil || len(r.Failures) == 0 {
			out := wrapAfter(head, next, w, max(1, room/2))
			return append(out, st.lastLines(s, w, room-len(out))...)
		}
		first = next
	}
	out := []string{trunc(head+first, w)}
	if st.stopped != "" {
		// The reason, whole where it fits: it is what the user reads the run by.
		return append(out, capped(indented(Clean(st.stopped), w, "  "), room-1, w, func(int) string { return s.Subtle.Render("  … F reads the rest") }, s.Error)...)
	}
	r := st.last
	switch {
	case r == nil:
		return append(out, trunc(s.Subtle.Render("  no step has run yet: press N to run the next one"), w))
	case len(r.Failures) == 1 && st.failures == 1:
		// The run's one failed check, whole where it fits.
		body := indented("✖ "+CleanLine(r.Failures[0].String()), w, "  ")
		return append(out, capped(body, room-1, w, func(int) string { return s.Subtle.Render("  … F reads the rest") }, s.Error)...)
	case len(r.Failures) > 0:
		// How many, the run's too when earlier steps failed, then each on a line of its own.
		sum := sprintf("  ✖ %d %s of line %d failed", len(r.Failures), plural(len(r.Failures), "check", "checks"), r.Line)
		hint := ""
		if !st.over() { // at the end the first line counts the run's and names F
			if st.failures > len(r.Failures) {
				sum += sprintf(" (%d in the run)", st.failures)
			}
			hint = s.Subtle.Render(" · F lists them whole")
		}
		out = append(out, trunc(s.Error.Render(sum)+hint, w))
		var body []string
		for _, f := range r.Failures {
			body = append(body, "    "+CleanLine(f.String()))
		}
		return append(out, capped(body, room-2, w, func(left int) string { return s.Subtle.Render(sprintf("    … %d more", left)) }, s.Error)...)
	}
	return append(out, st.lastLines(s, w, room-1)...)
}

// lastLines say what the last step did (it passed), in at most room lines, and that earlier
// ones failed, while the run goes on.
func (st scriptState) lastLines(s Styles, w, room int) []string {
	r := st.last
	if r == nil {
		return []string{trunc(s.Subtle.Render("  no step has run yet: press N to run the next one"), w)}
	}
	earlier := st.failures > 0 && !st.over() && room > 1
	var out []string
	if r.Index >= 0 {
		last := "last: ✓ " + CleanLine(r.Text)
		if r.Outcome != "" {
			last += " → " + CleanLine(r.Outcome)
		}
		keep := max(1, room)
		if earlier {
			keep = max(1, room-1)
		}
		for _, l := range wrapAfter("  ", last, w, keep) {
			out = append(out, s.Subtle.Render(l))
		}
	} else {
		out = append(out, "")
	}
	if earlier {
		// The run's earlier failures stay in sight until it ends (then the first line counts them).
		out = append(out, trunc(s.Error.Render("  ✖ "+sprintf("%d failed %s", st.failures, plural(st.failures, "check", "checks"))+" earlier")+s.Subtle.Render(" · F lists them"), w))
	}
	return out
}

// wrapAfter is head then text, wrapped to w cells on at most n lines, the lines after the
// first under the text's start; a text cut short ends with "…".
func wrapAfter(head, text string, w, n int) []string {
	hw := lipgloss.Width(head)
	lines := strings.Split(wrap(text, max(1, w-hw)), "\n")
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] += " …"
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if i == 0 {
			out[i] = trunc(head+l, w)
		} else {
			out[i] = trunc(strings.Repeat(" ", hw)+l, w)
		}
	}
	return out
}

// indented wraps text to w cells, each line after indent (the first with its leading
// symbol, the next under its text).
func indented(text string, w int, indent string) []string {
	var out []string
	for _, l := range strings.Split(wrap(text, max(1, w-len(indent))), "\n") {
		out = append(out, indent+l)
	}
	return out
}

// capped keeps lines within n, styled with st; when some are left out, the last kept line
// gives way to more(how many lines it stands for), which says how to read them.
func capped(lines []string, n, w int, more func(left int) string, st lipgloss.Style) []string {
	n = max(1, n)
	out := make([]string, 0, min(n, len(lines)))
	for i, l := range lines {
		if i == n-1 && len(lines) > n {
			out = append(out, trunc(more(len(lines)-i), w))
			break
		}
		out = append(out, trunc(st.Render(l), w))
	}
	return out
}

// report is the run's whole account for F: why it stopped and every failed check, each
// under its step.
func (st scriptState) report() (title, body string) {
	title = "Scenario"
	if st.name != "" {
		title += ": " + CleanLine(st.name)
	}
	var b strings.Builder
	if st.stopped != "" {
		if r := st.last; r != nil && r.Index >= 0 {
			b.WriteString(sprintf("Stopped at step %d of %d:\n", r.Index+1, st.total))
		} else {
			b.WriteString("Stopped before the first step:\n")
		}
		b.WriteString(Clean(st.stopped))
		b.WriteString("\n")
	}
	switch {
	case st.failures == 0 && st.stopped != "":
		b.WriteString("\nNo check failed before it stopped.")
	case st.failures == 0:
		b.WriteString("No check has failed.")
	default:
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(sprintf("%d failed %s:\n", st.failures, plural(st.failures, "check", "checks")))
		for _, f := range st.failed {
			b.WriteString(sprintf("\nline %d · %s\n", f.line, CleanLine(f.text)))
			for _, x := range f.failures {
				b.WriteString("✖ " + CleanLine(x.String()) + "\n")
			}
		}
	}
	return title, strings.TrimRight(b.String(), "\n")
}
