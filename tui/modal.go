package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/offline-edit/offline-edit/pending"
)

// Requests for a confirmation, sent by screens to the root.
type (
	confirmDeleteMsg struct {
		object, id, name string
		created          bool     // a record created on this device, never sent: nothing to delete on the org
		pointing         []string // then, the changes that point at it (pointingAt)
	}
	confirmDiscardMsg struct {
		entryID, name string
		op            pending.Op
		inDoubt       bool     // its last send got no reply: it may be on the org already
		pointing      []string // the changes that point at the new record (pointingAt)
	}
	// confirmDismissMsg asks before dismissing a red change.
	confirmDismissMsg struct{ entry pending.Entry }
	confirmCancelMsg  struct{}
	// confirmDropChoicesMsg asks before leaving the conflict screen with choices not saved;
	// then is what to do on yes.
	confirmDropChoicesMsg struct{ then tea.Msg }
	// leaveAgreedMsg opens then once the user agreed to drop the choices (no second question);
	// leaveConfirmedMsg runs the push that asked.
	leaveAgreedMsg    struct{ then tea.Msg }
	leaveConfirmedMsg struct{ push pendingPush }
)

type modalKind int

const (
	modalNone    modalKind = iota
	modalAlert             // after a sync that needs the user
	modalConfirm           // yes/no before something destructive
	modalReport            // text to read (a scenario's failed checks), scrolled with ↑/↓ when long
)

// modal is a pop-up that takes every key until it is answered.
type modal struct {
	kind  modalKind
	title string
	body  string
	yes   string  // label of the yes answer
	onYes tea.Cmd // run on yes (alert: open Pending Changes)
	top   int     // a report's first body line in view
}

func (m modal) open() bool { return m.kind != modalNone }

// update answers the modal: it returns the closed modal and the command to run. typing says a
// screen under it takes text (a form, a filter): an alert that came up while the user typed
// answers only the keys it shows (enter, esc), not letters meant for the text.
func (m modal) update(msg tea.KeyMsg, k keyMap, typing bool) (modal, tea.Cmd) {
	switch m.kind {
	case modalAlert:
		switch {
		case key.Matches(msg, k.Open):
			return modal{}, m.onYes
		case msg.Type == tea.KeyEsc:
			return modal{}, nil
		case typing:
		case key.Matches(msg, k.Yes), key.Matches(msg, k.Pending) && m.isSyncAlert():
			// p is Pending Changes: it answers only the alert whose yes opens them.
			return modal{}, m.onYes
		case key.Matches(msg, k.No):
			return modal{}, nil
		}
	case modalConfirm:
		switch {
		case key.Matches(msg, k.Yes):
			return modal{}, m.onYes
		case key.Matches(msg, k.No):
			return modal{}, nil
		}
	}
	return m, nil
}

// reportSize is a report's box width, the width of its text, and how many lines of its text
// show at once, in a body of w×h.
func reportSize(w, h int) (boxW, inner, rows int) {
	boxW = min(max(30, w-4), 100)
	return boxW, boxW - 4, max(1, h-6) // the border, the title and the keys, each with a blank line
}

// reportLines are the lines of a report's body at its width in a body w cells wide.
func (m modal) reportLines(w, h int) []string {
	_, inner, _ := reportSize(w, h)
	return strings.Split(wrap(m.body, inner), "\n")
}

// scroll moves a report's text with ↑/↓, pgup/pgdn, home/end, in a body of w×h; esc, enter
// and F close it.
func (m modal) scroll(msg tea.KeyMsg, k keyMap, w, h int) modal {
	_, _, rows := reportSize(w, h)
	last := max(0, len(m.reportLines(w, h))-rows)
	switch {
	case msg.Type == tea.KeyEsc, key.Matches(msg, k.Open), key.Matches(msg, k.Report):
		return modal{}
	case key.Matches(msg, k.Up):
		m.top--
	case key.Matches(msg, k.Down):
		m.top++
	case key.Matches(msg, k.PageUp):
		m.top -= rows
	case key.Matches(msg, k.PageDown):
		m.top += rows
	case key.Matches(msg, k.Top):
		m.top = 0
	case key.Matches(msg, k.Bottom):
		m.top = last
	}
	m.top = max(0, min(m.top, last))
	return m
}

// view draws the modal for a body of w×h.
func (m modal) view(s Styles, w, h int) string {
	if m.kind == modalReport {
		return m.reportView(s, w, h)
	}
	boxW := min(max(30, w-10), 64)
	inner := boxW - 4
	var lines []string
	lines = append(lines, s.Title.Render(trunc(m.title, inner)), "")
	// The text takes what the body leaves the border, the title and the keys, each with a
	// blank line: a question whose text is longer (a record's long name on a small terminal)
	// ends with "…" rather than lose the line of keys that answer it.
	lines = append(lines, capLines(strings.Split(wrap(m.body, inner), "\n"), h-6, inner)...)
	lines = append(lines, "")
	switch m.kind {
	case modalAlert:
		lines = append(lines, s.Key.Render("enter")+" "+m.yes+"   "+s.Key.Render("esc")+" later")
	case modalConfirm:
		lines = append(lines, s.Key.Render("y")+" "+m.yes+"   "+s.Key.Render("n/esc")+" cancel")
	}
	return s.Modal.Width(boxW - 2).Render(strings.Join(lines, "\n"))
}

// reportView is a report's box: as much of its text as the body holds from top, and the keys
// that scroll it where it does not fit whole.
func (m modal) reportView(s Styles, w, h int) string {
	boxW, inner, rows := reportSize(w, h)
	body := m.reportLines(w, h)
	top := max(0, min(m.top, len(body)-rows))
	lines := []string{s.Title.Render(trunc(m.title, inner)), ""}
	lines = append(lines, body[top:min(len(body), top+rows)]...)
	keys := s.Key.Render("esc") + " close"
	if len(body) > rows {
		keys = s.Key.Render("↑/↓ pgup/pgdn") + " scroll · " + keys +
			s.Subtle.Render(sprintf(" · lines %d–%d of %d", top+1, min(len(body), top+rows), len(body)))
	}
	lines = append(lines, "", trunc(keys, inner))
	return s.Modal.Width(boxW - 2).Render(strings.Join(lines, "\n"))
}

// wrap breaks text into lines of at most w cells on spaces; a word longer than a line (a
// URL, text with no spaces such as Japanese) is broken across lines by display width, never
// cut.
func wrap(text string, w int) string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" {
				if lipgloss.Width(line)+1+lipgloss.Width(word) <= w {
					line += " " + word
					continue
				}
				out = append(out, line)
			}
			parts := breakWord(word, w)
			out = append(out, parts[:len(parts)-1]...)
			line = parts[len(parts)-1]
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// breakWord splits a word into pieces of at most w cells (a wide character is never split);
// a word that fits, or w <= 0, is one piece.
func breakWord(word string, w int) []string {
	if w <= 0 || lipgloss.Width(word) <= w {
		return []string{word}
	}
	return strings.Split(ansi.Hardwrap(word, w, true), "\n")
}
