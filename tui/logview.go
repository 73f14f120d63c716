package tui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/pending"
)

// logLimit is how many of the newest requests the activity log view loads.
const logLimit = 500

type (
	openLogMsg  struct{ object, id, name string }
	activityMsg struct {
		gen  int
		acts []pending.Activity
		err  error
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
		return activityMsg{gen: gen, acts: acts, err: err}
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
		m.acts, m.loaded = msg.acts, true
		m.cursor = max(0, min(m.cursor, len(m.acts)-1))
		return m, nil
	case tea.MouseMsg:
		m.cursor = clampIndex(m.cursor+3*wheelDelta(msg), len(m.acts))
		return m, nil
	case tea.KeyMsg:
		page := max(1, m.rows()-1)
		switch {
		case key.Matches(msg, k.Up):
			m.cursor = max(0, m.cursor-1)
		case key.Matches(msg, k.Down):
			m.cursor = max(0, min(len(m.acts)-1, m.cursor+1))
		case key.Matches(msg, k.PageUp):
			m.cursor = max(0, m.cursor-page)
		case key.Matches(msg, k.PageDown):
			m.cursor = max(0, min(len(m.acts)-1, m.cursor+page))
		case key.Matches(msg, k.Top):
			m.cursor = 0
		case key.Matches(msg, k.Bottom):
			m.cursor = max(0, len(m.acts)-1)
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

// rows is the number of log lines that fit under the header.
func (m logModel) rows() int { return max(1, m.h-3) }

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
	const timeW, methW, statW, durW, codeW, recW = 12, 6, 4, 7, 20, 18
	pathW := max(8, m.w-(timeW+methW+statW+durW+codeW+recW+7))
	head := fit("TIME", timeW) + " " + fit("METHOD", methW) + " " + fit("PATH / NOTE", pathW) + " " + fit("STAT", statW) + " " +
		fit("CODE", codeW) + " " + fit("TIME ms", durW) + " " + fit("RECORD / CHANGE", recW)
	out = append(out, s.Header.Render(trunc(head, m.w)))
	room := m.rows()
	top := 0
	if m.cursor >= room {
		top = m.cursor - room + 1
	}
	for i := top; i < len(m.acts) && i < top+room; i++ {
		a := m.acts[i]
		// A note (a network failure, an engine decision) says more than the path.
		path := CleanLine(a.Path)
		if a.Note != "" {
			if path != "" {
				path = " — " + path
			}
			path = CleanLine(a.Note) + path
		}
		status := ""
		if a.Status != 0 {
			status = strconv.Itoa(a.Status)
		}
		dur := ""
		if a.Method != "" {
			dur = strconv.FormatFloat(float64(a.Duration)/float64(time.Millisecond), 'f', 1, 64)
		}
		served := CleanLine(a.RecordID)
		if served == "" && a.EntryID != "" {
			served = "change " + shortID(CleanLine(a.EntryID))
		}
		line := fit(a.At.UTC().Format("15:04:05.000"), timeW) + " " + fit(CleanLine(a.Method), methW) + " " + fit(path, pathW) + " " +
			fit(status, statW) + " " + fit(CleanLine(a.Code), codeW) + " " + fit(dur, durW) + " " + fit(served, recW)
		switch {
		case i == m.cursor:
			line = s.Selected.Render(fit(line, m.w))
		case a.Status >= 400 || (a.Method != "" && a.Status == 0):
			line = s.Error.Render(line)
		}
		out = append(out, line)
	}
	// The selected request in full under the table: the path and note can be long.
	if m.cursor < len(m.acts) {
		a := m.acts[m.cursor]
		detail := CleanLine(a.Method + " " + a.Path)
		if a.EntryID != "" {
			detail += "  change " + CleanLine(a.EntryID)
		}
		out = append(out, s.Subtle.Render(trunc(strings.TrimSpace(detail), m.w)))
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
	return []key.Binding{k.LogScope, k.Up, k.Down, k.PageDown, k.Back, k.Help}
}

func (m logModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.LogScope}, k.globalKeys()}
}
