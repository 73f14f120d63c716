package tui

import (
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func TestMain(m *testing.M) {
	time.Local = time.UTC // times show in the local zone: the goldens are written in UTC
	lipgloss.SetColorProfile(termenv.Ascii)
	lipgloss.SetHasDarkBackground(true)
	os.Exit(m.Run())
}

// driver runs the root model by hand: each Update's commands run at once (with a timeout
// for those that wait, such as toasts) and their messages are fed back.
type driver struct {
	t    testing.TB
	m    tea.Model
	quit bool
}

func newDriver(t testing.TB, b Backend, w, h int) *driver {
	return newDriverWith(t, Options{Backend: b}, w, h)
}

func newDriverWith(t testing.TB, opts Options, w, h int) *driver {
	m := endsWithTest(t, New(opts))
	if f, ok := opts.Backend.(interface{ dataNow() time.Time }); ok {
		m.c.now = clockFrom(f.dataNow())
	}
	d := &driver{t: t, m: m}
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.run(d.m.Init())
	return d
}

// clockFrom is a clock that starts at the test data's time and runs on: the screens see the
// year of the data as this year, whatever the wall clock says.
func clockFrom(at time.Time) func() time.Time {
	start := time.Now()
	return func() time.Time { return at.Add(time.Since(start)) }
}

// endsWithTest gives m an end: when the test ends, commands waiting on the engine's events
// stop waiting (as when the program ends in Run).
func endsWithTest(t testing.TB, m Model) Model {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	m.c.done = done
	return m
}

func (d *driver) model() Model { return d.m.(Model) }

func (d *driver) send(msg tea.Msg) {
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(msg)
	d.run(cmd)
}

func (d *driver) run(cmd tea.Cmd) {
	var quit bool
	// A command that has not answered in 150 ms is a timer or a wait: not part of this step.
	d.m, quit = drain(d.m, cmd, nil, 150*time.Millisecond, nil)
	d.quit = d.quit || quit
}

// drain runs cmd and every command the messages it yields lead to, one after the other, feeding
// each message to m. Commands skip says are left out; one that has not answered within timeout
// is given up (and passed to slow, when set). It reports whether a command asked to quit.
func drain(m tea.Model, cmd tea.Cmd, skip func(tea.Cmd) bool, timeout time.Duration, slow func(tea.Cmd)) (tea.Model, bool) {
	quit := false
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil || skip != nil && skip(c) {
			continue
		}
		ch := make(chan tea.Msg, 1)
		go func() { ch <- c() }()
		var msg tea.Msg
		select {
		case msg = <-ch:
		case <-time.After(timeout):
			if slow != nil {
				slow(c)
			}
			continue
		}
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			quit = true
		default:
			var next tea.Cmd
			m, next = m.Update(msg)
			queue = append(queue, next)
		}
	}
	return m, quit
}

// keys sends each argument as one key press: names like "enter", "esc", "ctrl+s", "up",
// or literal text typed rune by rune.
func (d *driver) keys(keys ...string) {
	for _, k := range keys {
		for _, msg := range keyMsgs(k) {
			d.send(msg)
		}
	}
}

func keyMsgs(k string) []tea.KeyMsg {
	named := map[string]tea.KeyType{
		"enter": tea.KeyEnter, "esc": tea.KeyEsc, "ctrl+s": tea.KeyCtrlS, "ctrl+c": tea.KeyCtrlC,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "backspace": tea.KeyBackspace,
		"pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "space": tea.KeySpace,
		"home": tea.KeyHome, "end": tea.KeyEnd, "ctrl+n": tea.KeyCtrlN, "ctrl+o": tea.KeyCtrlO,
		"ctrl+home": tea.KeyCtrlHome, "ctrl+end": tea.KeyCtrlEnd, "ctrl+u": tea.KeyCtrlU, "ctrl+f": tea.KeyCtrlF, "f1": tea.KeyF1,
	}
	if t, ok := named[k]; ok {
		return []tea.KeyMsg{{Type: t}}
	}
	var out []tea.KeyMsg
	for _, r := range k {
		out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return out
}

func (d *driver) view() string { return d.m.View() }

func (d *driver) requireView(want ...string) {
	d.t.Helper()
	v := d.view()
	for _, w := range want {
		if !strings.Contains(v, w) {
			d.t.Fatalf("view lacks %q:\n%s", w, v)
		}
	}
}

func (d *driver) refuseView(unwanted ...string) {
	d.t.Helper()
	v := d.view()
	for _, w := range unwanted {
		if strings.Contains(v, w) {
			d.t.Fatalf("view has %q:\n%s", w, v)
		}
	}
}
