package tui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// logLimit is how many of the newest requests the activity log view loads.
const logLimit = 500

type (
	openLogMsg  struct{ object, id, name string }
	activityMsg struct {
		gen   int
		acts  []pending.Activity
		names map[string]string // record id → name, where the device knows it
		err   error
	}
)

// logModel is the activity log: each sync request with time, method, path, status, error
// code, duration and the pending change and record it served, newest first.
type logModel struct {
	c          *common
	object, id string // the record the view may be narrowed to ("" = none)
	name       string
	onlyRecord bool
	acts       []pending.Activity
	names      map[string]string
	loaded     bool
	gen        int
	cursor     int
	w, h       int
}

func newLog(c *common) logModel { return logModel{c: c} }

func (m *logModel) SetSize(w, h int) { m.w, m.h = w, h }

func (m logModel) open(object, id, name string) (logModel, tea.Cmd) {
	if m.id != id {
		m.onlyRecord, m.cursor = false, 0
	}
	m.object, m.id, m.name = object, id, name
	return m.load()
}

func (m logModel) load() (logModel, tea.Cmd) {
	m.gen++
	gen := m.gen
	b, ctx := m.c.backend, m.c.ctx
	id := ""
	if m.onlyRecord {
		id = m.id
	}
	return m, func() tea.Msg {
		acts, err := b.Activity(ctx, id, logLimit)
		var names map[string]string
		if n, ok := b.(interface {
			Names(context.Context, []string) (map[string]string, error)
		}); ok && err == nil {
			seen := map[string]bool{}
			var ids []string
			for _, a := range acts {
				if a.RecordID != "" && !seen[a.RecordID] {
					seen[a.RecordID] = true
					ids = append(ids, a.RecordID)
				}
			}
			names, _ = n.Names(ctx, ids) // the ids stay where a name is not known
		}
		return activityMsg{gen: gen, acts: acts, names: names, err: err}
	}
}

func (m logModel) Update(msg tea.Msg) (logModel, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case activityMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		if msg.err != nil {
			return m, errCmd(msg.err)
		}
		m.acts, m.names, m.loaded = msg.acts, msg.names, true
		m.cursor = max(0, min(m.cursor, len(m.acts)-1))
		return m, nil
	case tea.MouseMsg:
		m.cursor = clampIndex(m.cursor+3*wheelDelta(msg), len(m.acts))
		return m, nil
	case tea.KeyMsg:
		switch next, moved := listCursor(msg, k, m.cursor, len(m.acts), max(1, m.rows()-1)); {
		case moved:
			m.cursor = next
		case key.Matches(msg, k.LogScope):
			if m.id == "" {
				return m, errCmd(errNoRecordForLog)
			}
			m.onlyRecord = !m.onlyRecord
			m.cursor = 0
			return m.load()
		}
	}
	return m, nil
}

var errNoRecordForLog = errorString("No record to narrow the log to: open a record (or select one in a list), then press L.")

type errorString string

func (e errorString) Error() string { return string(e) }

// rows is the number of log lines that fit under the title, the header and the (up to three)
// lines of the selected request.
func (m logModel) rows() int { return max(1, m.h-5) }

// logCells is one request's text in each column.
type logCells struct{ at, method, path, status, code, took, record string }

func (m logModel) cells(a pending.Activity) logCells {
	at, now := a.At.In(m.c.loc), m.c.clock().In(m.c.loc)
	layout := "15:04:05.000"
	if y, mo, d := at.Date(); y != now.Year() || mo != now.Month() || d != now.Day() {
		layout = "Jan _2 15:04:05.000" // a request of another day says which (cut: the minute)
	}
	c := logCells{at: at.Format(layout), method: CleanLine(a.Method), code: CleanLine(a.Code)}
	// A note (a network failure, an engine decision) says more than the path.
	c.path = strings.TrimPrefix(CleanLine(a.Path), remote.APIPrefix(a.Path))
	if a.Note != "" {
		if c.path != "" {
			c.path = " — " + c.path
		}
		c.path = CleanLine(a.Note) + c.path
	}
	if a.Status != 0 {
		c.status = strconv.Itoa(a.Status)
	}
	if a.Method != "" {
		c.took = strconv.FormatFloat(float64(a.Duration)/float64(time.Millisecond), 'f', 1, 64) + "ms"
	}
	c.record = CleanLine(a.RecordID)
	if name := m.names[a.RecordID]; name != "" {
		c.record = CleanLine(name) // the selected request's lines keep the id
	}
	if c.record == "" && a.EntryID != "" {
		c.record = "change " + shortID(CleanLine(a.EntryID))
	}
	return c
}

// maxLogPath is the widest the path column grows; the selected request's lines show it whole.
const maxLogPath = 96

// logColumns are the widths of the log's columns.
type logColumns struct{ at, method, path, status, code, took, record int }

// logWidths sizes the columns by their content: the fixed ones as wide as their widest cell,
// the path at least a third of what is left (24 cells or more), and the code and the record
// sharing the rest; what they do not need goes back to the path. Below 100 columns the time
// drops its milliseconds and the record column goes (the selected request's lines name it).
func logWidths(cells []logCells, w int) logColumns {
	cw := logColumns{at: 12, method: len("METHOD"), status: len("STAT"), took: len("TOOK"), code: len("CODE"), record: len("RECORD")}
	narrow := w < 100
	if narrow {
		cw.at = 8
	}
	for _, c := range cells {
		if len(c.at) > len("15:04:05.000") { // another day's: its date and minute, or all of it
			cw.at = 19
			if narrow {
				cw.at = 12
			}
		}
	}
	pathWant := len("PATH / NOTE")
	for _, c := range cells {
		cw.method = max(cw.method, lipgloss.Width(c.method))
		cw.took = max(cw.took, lipgloss.Width(c.took))
		cw.code = max(cw.code, lipgloss.Width(c.code))
		cw.record = max(cw.record, lipgloss.Width(c.record))
		pathWant = max(pathWant, lipgloss.Width(c.path))
	}
	gaps := 6
	if narrow {
		cw.record, gaps = 0, 5
	}
	flex := max(0, w-cw.at-cw.method-cw.status-cw.took-gaps)
	pathMin := min(pathWant, max(24, flex/3))
	if narrow {
		cw.code = shareWidth([]int{cw.code}, flex-pathMin)[0]
	} else {
		shared := shareWidth([]int{cw.code, cw.record}, flex-pathMin)
		cw.code, cw.record = shared[0], shared[1]
	}
	// On a wide terminal the path stops at what it needs (at most maxLogPath cells), so the
	// columns after it stay close enough to read across.
	cw.path = max(1, min(flex-cw.code-cw.record, max(pathMin, min(pathWant, maxLogPath))))
	return cw
}

func (m logModel) View() string {
	s := m.c.styles
	var out []string
	scope := "all requests"
	if m.onlyRecord {
		scope = "requests for " + CleanLine(m.name) + " (" + CleanLine(m.id) + ")"
	}
	hint := ""
	if m.id != "" {
		hint = s.Subtle.Render("   f: all / this record")
	}
	out = append(out, s.Title.Render("Activity log — "+scope)+s.Subtle.Render(sprintf("  %d shown, newest first", len(m.acts)))+hint)
	if !m.loaded {
		out = append(out, s.Subtle.Render("Loading…"))
		return clampLines(strings.Join(out, "\n"), m.w, m.h)
	}
	if len(m.acts) == 0 {
		out = append(out, "", s.Subtle.Render("No requests yet. The log fills as the device syncs (go online with o)."))
		return clampLines(strings.Join(out, "\n"), m.w, m.h)
	}
	cells := make([]logCells, len(m.acts))
	for i, a := range m.acts {
		cells[i] = m.cells(a)
	}
	// A mark column ("▸" on the selected request) tells the row apart without colour too.
	cw := logWidths(cells, m.w-2)
	head := "  " + fit("AT", cw.at) + " " + fit("METHOD", cw.method) + " " + fit("PATH / NOTE", cw.path) + " " + fit("STAT", cw.status) + " " +
		fit("CODE", cw.code) + " " + fit("TOOK", cw.took)
	if cw.record > 0 {
		head += " " + fit("RECORD", cw.record)
	}
	out = append(out, s.Header.Render(trunc(strings.TrimRight(head, " "), m.w)))
	room := m.rows()
	top := 0
	if m.cursor >= room {
		top = m.cursor - room + 1
	}
	for i := top; i < len(m.acts) && i < top+room; i++ {
		a, c := m.acts[i], cells[i]
		at := c.at
		if cw.at < len(at) {
			at = at[:cw.at] // the seconds without their milliseconds
		}
		line := fit(at, cw.at) + " " + fit(c.method, cw.method) + " " + fit(c.path, cw.path) + " " +
			fit(c.status, cw.status) + " " + fit(c.code, cw.code) + " " + fit(c.took, cw.took)
		if cw.record > 0 {
			line += " " + fit(c.record, cw.record)
		}
		mark := "  "
		if i == m.cursor {
			mark = "▸ "
		}
		line = mark + strings.TrimRight(line, " ")
		switch {
		case i == m.cursor:
			line = s.Selected.Render(fit(line, m.w))
		case a.Status >= 400 || (a.Method != "" && a.Status == 0):
			line = s.Error.Render(line)
		}
		out = append(out, line)
	}
	// The selected request in full under the table: the path and note can be long, and a
	// narrow terminal cuts the code and the record.
	if m.cursor < len(m.acts) {
		a, c := m.acts[m.cursor], cells[m.cursor]
		first := strings.TrimSpace(CleanLine(a.Method + " " + a.Path))
		if a.Note != "" {
			first = strings.TrimSpace(CleanLine(a.Note) + "  " + first)
		}
		var second []string
		for _, part := range []string{c.status, c.code, c.took} {
			if part != "" {
				second = append(second, part)
			}
		}
		if a.RecordID != "" {
			second = append(second, "record "+CleanLine(a.RecordID))
		}
		if a.EntryID != "" {
			second = append(second, "change "+CleanLine(a.EntryID))
		}
		// A note (an auto-merge, a conflict) wraps on a second line rather than being cut.
		for _, l := range capLines(strings.Split(wrap(first, max(1, m.w)), "\n"), 2, m.w) {
			out = append(out, s.Subtle.Render(l))
		}
		out = append(out, s.Subtle.Render(trunc(strings.Join(second, " · "), m.w)))
	}
	return clampLines(strings.Join(out, "\n"), m.w, m.h)
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

func (m logModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{m.scopeKey(), k.Up, k.Down, k.PageDown, k.Back, k.Help}
}

// scopeKey is f as it applies: opened without a record (from the Menu, say), the log has no
// record to narrow to, and the help says so before f is pressed.
func (m logModel) scopeKey() key.Binding {
	f := m.c.keys.LogScope
	if m.id == "" {
		f.SetHelp(f.Help().Key, "(no record open)")
	}
	return f
}

func (m logModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, m.scopeKey()}, k.globalKeys()}
}
