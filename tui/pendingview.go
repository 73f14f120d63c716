package tui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/pending"
)

type entriesMsg struct {
	gen     int
	entries []pending.Entry
	err     error
}

// pendingModel is the Pending Changes page: every queued change with its sash.
type pendingModel struct {
	c       *common
	entries []pending.Entry
	cursor  int
	gen     int
	loaded  bool
	w, h    int
}

func newPending(c *common) pendingModel { return pendingModel{c: c} }

func (m pendingModel) load() (pendingModel, tea.Cmd) {
	m.gen++
	gen := m.gen
	b, ctx := m.c.backend, m.c.ctx
	return m, func() tea.Msg {
		es, err := b.Entries(ctx)
		return entriesMsg{gen: gen, entries: es, err: err}
	}
}

func (m *pendingModel) SetSize(w, h int) { m.w, m.h = w, h }

func (m pendingModel) current() (pending.Entry, bool) {
	if m.cursor < 0 || m.cursor >= len(m.entries) {
		return pending.Entry{}, false
	}
	return m.entries[m.cursor], true
}

func (m pendingModel) Update(msg tea.Msg) (pendingModel, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case entriesMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		if msg.err != nil {
			return m, errCmd(msg.err)
		}
		// Keep the cursor on the same entry when the list changes under it.
		var curID string
		if e, ok := m.current(); ok {
			curID = e.ID
		}
		m.entries, m.loaded = msg.entries, true
		for i, e := range m.entries {
			if e.ID == curID {
				m.cursor = i
			}
		}
		m.cursor = max(0, min(m.cursor, len(m.entries)-1))
		return m, nil
	case tea.MouseMsg:
		m.cursor = clampIndex(m.cursor+wheelDelta(msg), len(m.entries))
		return m, nil
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.Up):
			m.cursor = max(0, m.cursor-1)
		case key.Matches(msg, k.Down):
			m.cursor = max(0, min(len(m.entries)-1, m.cursor+1))
		case key.Matches(msg, k.Top):
			m.cursor = 0
		case key.Matches(msg, k.Bottom):
			m.cursor = max(0, len(m.entries)-1)
		case key.Matches(msg, k.Open):
			if e, ok := m.current(); ok {
				return m, cmdOf(openRecordMsg{object: e.Object, id: e.RecordID})
			}
		case key.Matches(msg, k.Resolve):
			if e, ok := m.current(); ok {
				return m, m.resolve(e)
			}
		case key.Matches(msg, k.Dismiss):
			if e, ok := m.current(); ok {
				return m, m.dismiss(e)
			}
		}
	}
	return m, nil
}

// resolve is r: open what fixes the entry, or try it again.
func (m pendingModel) resolve(e pending.Entry) tea.Cmd { return resolveEntry(m.c, e) }

// dismiss is x: dismiss a red entry at once, discard any other after a confirmation.
func (m pendingModel) dismiss(e pending.Entry) tea.Cmd { return dismissEntry(m.c, e) }

// resolveEntry is r on an entry, wherever it is shown: open what fixes it (the conflict
// screen, the fix form), or try it again.
func resolveEntry(c *common, e pending.Entry) tea.Cmd {
	b, ctx := c.backend, c.ctx
	switch e.Status {
	case pending.StatusConflict:
		return cmdOf(openConflictMsg{entryID: e.ID})
	case pending.StatusInvalid:
		return cmdOf(openFormMsg{mode: formFix, object: e.Object, id: e.RecordID, entryID: e.ID})
	case pending.StatusFailed:
		return errCmd(errors.New("This change can't be saved (" + strings.ToLower(longWord(e.Status, e.Code, e.Message)) + "). Press x to dismiss it."))
	case pending.StatusSyncing:
		return errCmd(errors.New("This change is syncing now."))
	}
	online := c.online
	return func() tea.Msg {
		if err := b.Retry(ctx, e.ID); err != nil {
			return opDoneMsg{err: err}
		}
		if !online {
			return opDoneMsg{note: "Will retry when you go online."}
		}
		return opDoneMsg{note: "Retrying now."}
	}
}

// dismissEntry is x on an entry: dismiss a red one at once, discard any other after a
// confirmation.
func dismissEntry(c *common, e pending.Entry) tea.Cmd {
	b, ctx := c.backend, c.ctx
	if e.Status == pending.StatusFailed {
		return func() tea.Msg {
			if err := b.Dismiss(ctx, e.ID); err != nil {
				return opDoneMsg{err: err}
			}
			if _, err := b.Record(ctx, e.Object, e.RecordID); errors.Is(err, pending.ErrNotFound) {
				return opDoneMsg{note: "Dismissed; the record is gone from this device (deleted on the org, or out of your reach)."}
			}
			return opDoneMsg{note: "Dismissed; the record now shows the org's copy."}
		}
	}
	if e.Status == pending.StatusSyncing {
		return errCmd(errors.New("This change is syncing now; it can't be discarded."))
	}
	return cmdOf(confirmDiscardMsg{entryID: e.ID, name: CleanLine(e.Name), op: e.Op})
}

func opWord(op pending.Op) string {
	switch op {
	case pending.OpCreate:
		return "New"
	case pending.OpUpdate:
		return "Edit"
	case pending.OpDelete:
		return "Delete"
	}
	return string(op)
}

func (m pendingModel) View() string {
	s := m.c.styles
	var b strings.Builder
	b.WriteString(s.Title.Render("Pending Changes") + s.Subtle.Render(sprintf("  %d", len(m.entries))))
	b.WriteString("\n\n")
	if !m.loaded {
		b.WriteString(s.Subtle.Render("Loading…"))
		return clampLines(b.String(), m.w, m.h)
	}
	if len(m.entries) == 0 {
		b.WriteString(s.Subtle.Render("Nothing is waiting."))
		return clampLines(b.String(), m.w, m.h)
	}
	per := 2
	room := max(1, (m.h-4)/per)
	top := 0
	if m.cursor >= room {
		top = m.cursor - room + 1
	}
	var sts []sashMark
	for i := top; i < min(len(m.entries), top+room); i++ {
		sts = append(sts, sashMark{m.entries[i].Status, m.entries[i].Op})
	}
	sashW := sashColumn(sts...)
	objW, opW, whenW := 12, 6, 12
	nameW := max(8, m.w-2-sashGap(sashW)-objW-opW-whenW-4)
	hdr := "  " + fit("", sashGap(sashW)) + fit("Object", objW) + " " + fit("Record", nameW) + " " + fit("Change", opW) + " " + fit("When", whenW)
	b.WriteString(s.Header.Render(trunc(hdr, m.w)))
	b.WriteString("\n")
	for i := top; i < min(len(m.entries), top+room); i++ {
		e := m.entries[i]
		mark := "  "
		if i == m.cursor {
			mark = "▸ "
		}
		line := mark + s.sashCell(e.Status, e.Op, sashW) + fit(m.c.singleLabel(e.Object), objW) + " " +
			fit(CleanLine(e.Name), nameW) + " " + fit(opWord(e.Op), opW) + " " + fit(when(e.UpdatedAt), whenW)
		detail := longWordOp(e.Status, e.Op, e.Code, e.Message)
		if e.Message != "" {
			detail = CleanLine(e.Message)
		}
		if e.Code != "" {
			detail += " · " + CleanLine(e.Code)
		}
		detail = fit("", sashGap(sashW)+2) + s.sashStyle(e.Status).Render(trunc(detail, max(1, m.w-sashGap(sashW)-2)))
		if i == m.cursor {
			line = s.Selected.Render(fit(line, m.w))
		}
		b.WriteString(line + "\n" + detail + "\n")
	}
	return clampLines(b.String(), m.w, m.h)
}

func (m pendingModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{k.Open, k.Resolve, k.Dismiss, k.Online, k.Back, k.Help}
}

func (m pendingModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Open, k.Resolve, k.Dismiss}, k.globalKeys()}
}
