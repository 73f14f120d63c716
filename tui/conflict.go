package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

type conflictDataMsg struct {
	gen   int
	entry pending.Entry
	desc  *remote.Describe
	names map[string]string // display names the record view knows (users among them)
	err   error
}

// conflictModel resolves a conflict: per field base, theirs and mine; or, for a delete,
// delete anyway or keep the record.
type conflictModel struct {
	c       *common
	entryID string
	gen     int
	loaded  bool
	entry   pending.Entry
	desc    *remote.Describe
	names   map[string]string
	choices []pending.Choice
	cursor  int
	editing bool
	fresh   bool // the input still holds the value it opened with: typing replaces it
	input   textinput.Model
	keep    bool // delete conflicts: keep the record instead of deleting anyway
	saving  bool
	w, h    int
}

func newConflict(c *common) conflictModel {
	ti := newInput("new value")
	ti.Prompt = "new value: "
	return conflictModel{c: c, input: ti}
}

func (m conflictModel) open(entryID string) (conflictModel, tea.Cmd) {
	m = conflictModel{c: m.c, input: m.input, entryID: entryID, gen: m.gen + 1, w: m.w, h: m.h}
	m.input.SetValue("")
	m.input.Blur()
	gen := m.gen
	b, ctx := m.c.backend, m.c.ctx
	known := m.c.describes
	return m, func() tea.Msg {
		e, err := b.Entry(ctx, entryID)
		if err != nil {
			return conflictDataMsg{gen: gen, err: err}
		}
		d := known[e.Object]
		if d == nil {
			d, err = b.Describe(ctx, e.Object)
		}
		// Names are a nicety: without them the author of the other edit shows as an id.
		var names map[string]string
		if v, verr := b.Record(ctx, e.Object, e.RecordID); verr == nil {
			names = v.Names
		}
		return conflictDataMsg{gen: gen, entry: e, desc: d, names: names, err: err}
	}
}

func (m *conflictModel) SetSize(w, h int) {
	m.w, m.h = w, h
	m.input.Width = max(10, w-20)
}

// capturing: a typed value takes every key, and while a resolution is being saved the screen
// takes them too (and ignores them), so that esc can't leave it before the save's own go-back.
func (m conflictModel) capturing() bool { return m.editing || m.saving }

func (m conflictModel) isDelete() bool { return m.entry.Op == pending.OpDelete }

func (m conflictModel) label(field string) string {
	if m.desc != nil {
		if f, ok := m.desc.Field(field); ok {
			return CleanLine(f.Label)
		}
	}
	return field
}

// typed converts typed text to the field's type.
func (m conflictModel) typed(field, text string) any {
	if text == "" {
		return nil
	}
	if m.desc != nil {
		if f, ok := m.desc.Field(field); ok {
			switch f.Type {
			case "int", "double", "currency", "percent":
				if x, err := strconv.ParseFloat(strings.ReplaceAll(text, ",", ""), 64); err == nil {
					return x
				}
			case "boolean":
				return strings.EqualFold(text, "true") || strings.EqualFold(text, "yes")
			}
		}
	}
	return text
}

// resolvedNote says what resolving a conflict with choices did to a change: taking theirs for
// every field it holds leaves nothing to send, and the change goes.
func resolvedNote(changes remote.Fields, choices map[string]pending.Choice) string {
	for f := range changes {
		if c, ok := choices[f]; !ok || c.Take != pending.TakeTheirs {
			return "Resolved; the change is queued again."
		}
	}
	return "Resolved with their values; nothing is left to sync."
}

func (m conflictModel) save() (conflictModel, tea.Cmd) {
	b, ctx, id := m.c.backend, m.c.ctx, m.entryID
	m.saving = true
	if m.isDelete() {
		anyway := !m.keep
		return m, func() tea.Msg {
			err := b.ResolveDelete(ctx, id, anyway)
			note := "Kept the record; your delete was dropped."
			if anyway {
				note = "Delete will be sent again."
			}
			return opDoneMsg{note: note, err: err, back: true}
		}
	}
	choices := map[string]pending.Choice{}
	for i, c := range m.entry.Conflicts {
		choices[c.Field] = m.choices[i]
	}
	note := resolvedNote(m.entry.Changes, choices)
	return m, func() tea.Msg {
		err := b.Resolve(ctx, id, choices)
		return opDoneMsg{note: note, err: err, back: true}
	}
}

func (m conflictModel) Update(msg tea.Msg) (conflictModel, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case conflictDataMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		if msg.err != nil {
			return m, tea.Batch(errCmd(msg.err), cmdOf(backMsg{}))
		}
		m.entry, m.desc, m.names, m.loaded = msg.entry, msg.desc, msg.names, true
		m.choices = make([]pending.Choice, len(m.entry.Conflicts))
		return m, nil
	case opDoneMsg:
		m.saving = false
		return m, nil
	case tea.KeyMsg:
		if !m.loaded || m.saving {
			return m, nil
		}
		if m.editing {
			switch msg.Type {
			case tea.KeyEnter:
				f := m.entry.Conflicts[m.cursor].Field
				m.choices[m.cursor] = pending.Choice{Take: pending.TakeValue, Value: m.typed(f, m.input.Value())}
				m.editing = false
				m.input.Blur()
				return m, nil
			case tea.KeyEsc:
				m.editing = false
				m.input.Blur()
				return m, nil
			}
			if m.fresh && (msg.Type == tea.KeyRunes || msg.Type == tea.KeySpace) {
				m.input.SetValue("")
			}
			m.fresh = false
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			return m, cmd
		}
		switch {
		case key.Matches(msg, k.Save):
			return m.save()
		case msg.Type == tea.KeyEsc:
			return m, cmdOf(backMsg{})
		case m.isDelete() && (key.Matches(msg, k.Up) || key.Matches(msg, k.Down)):
			m.keep = !m.keep
		case m.isDelete() && key.Matches(msg, k.Open):
			return m.save()
		case key.Matches(msg, k.Up):
			m.cursor = max(0, m.cursor-1)
		case key.Matches(msg, k.Down):
			m.cursor = max(0, min(len(m.choices)-1, m.cursor+1))
		case len(m.choices) == 0:
		case key.Matches(msg, k.Mine):
			m.choices[m.cursor] = pending.Choice{Take: pending.TakeMine}
		case key.Matches(msg, k.Theirs):
			m.choices[m.cursor] = pending.Choice{Take: pending.TakeTheirs}
		case key.Matches(msg, k.Value), key.Matches(msg, k.Open):
			m.editing = true
			c := m.entry.Conflicts[m.cursor]
			m.input.SetValue(editText(c.Mine))
			if m.choices[m.cursor].Take == pending.TakeValue {
				m.input.SetValue(editText(m.choices[m.cursor].Value))
			}
			m.input.CursorEnd()
			m.fresh = true
			return m, m.input.Focus()
		}
	}
	return m, nil
}

func (m conflictModel) View() string {
	s := m.c.styles
	if !m.loaded {
		return clampLines(s.Subtle.Render("Loading…"), m.w, m.h)
	}
	e := m.entry
	var out []string
	out = append(out, s.Title.Render(trunc("Resolve conflict · "+m.c.singleLabel(e.Object)+" · "+CleanLine(e.Name), m.w)))
	out = append(out, s.longSash(e.Status, e.Code, e.Message))
	if e.Message != "" {
		out = append(out, s.Orange.Render(trunc(CleanLine(e.Message), m.w)))
	}
	out = append(out, "")
	valW := max(10, m.w-12)
	if m.isDelete() {
		out = append(out, strings.Split(wrap("You deleted this record here, but another user changed it after you made the change.", max(1, m.w)), "\n")...)
		for _, c := range e.Conflicts {
			line := sprintf("%s: now %q (%s, %s)", m.label(c.Field), display(c.Theirs), userName(m.names, c.TheirsBy), when(c.TheirsAt))
			for _, l := range strings.Split(wrap(line, max(1, m.w-2)), "\n") {
				out = append(out, "  "+l)
			}
		}
		out = append(out, "")
		opts := []string{"Delete anyway", "Keep the record (drop my delete)"}
		for i, o := range opts {
			sel := (i == 1) == m.keep
			if sel {
				out = append(out, s.Selected.Render(fit("▸ "+o, min(m.w, 40))))
			} else {
				out = append(out, "  "+o)
			}
		}
		out = append(out, "", s.Subtle.Render(trunc("↑/↓ choose · enter or ctrl+s confirm · esc back", m.w)))
		return clampLines(strings.Join(out, "\n"), m.w, m.h)
	}
	hint := "m keep mine · t take theirs · v type a new value · ctrl+s save · esc back"
	if m.editing {
		// The letters type now: only the keys of the input work.
		hint = "typing a new value for " + m.label(e.Conflicts[m.cursor].Field) + " · enter set it · esc cancel"
	}
	for _, l := range strings.Split(wrap(hint, max(1, m.w)), "\n") {
		out = append(out, s.Subtle.Render(l))
	}
	out = append(out, "")
	var body []string
	focusTop, focusEnd := 0, 0
	for i, c := range e.Conflicts {
		if i == m.cursor {
			focusTop = len(body)
		}
		ch := m.choices[i]
		title := m.label(c.Field)
		if i == m.cursor {
			body = append(body, s.Accent.Render("▸ "+title))
		} else {
			body = append(body, s.Header.Render("  "+title))
		}
		// A row wraps its value, and who and when after it, under the value: none is cut.
		row := func(which string, v string, chosen bool, note string) []string {
			mark := "    "
			if chosen {
				mark = "  ✓ "
			}
			lines := strings.Split(ansi.Wrap(v, valW, ""), "\n")
			if note != "" {
				last := len(lines) - 1
				if lipgloss.Width(lines[last])+2+lipgloss.Width(note) <= valW {
					lines[last] += s.Subtle.Render("  " + note)
				} else {
					for _, l := range strings.Split(wrap(note, valW), "\n") {
						lines = append(lines, s.Subtle.Render(l))
					}
				}
			}
			for j, l := range lines {
				if j == 0 {
					l = mark + fit(which, 8) + l
				} else {
					l = strings.Repeat(" ", 12) + l
				}
				if chosen {
					l = s.Bold.Render(l)
				}
				lines[j] = l
			}
			return lines
		}
		body = append(body, row("base", display(c.Base), false, "(when you changed it)")...)
		body = append(body, row("theirs", display(c.Theirs), ch.Take == pending.TakeTheirs, "("+userName(m.names, c.TheirsBy)+", "+when(c.TheirsAt)+")")...)
		body = append(body, row("mine", display(c.Mine), ch.Take == pending.TakeMine, "")...)
		if i == m.cursor && m.editing {
			body = append(body, "    "+m.input.View())
			// The keys of the help bar, in its words.
			hint := "enter set the value · esc cancel · ←/→ move in the value"
			if m.fresh {
				hint = "typing replaces this value · " + hint
			}
			for _, l := range strings.Split(wrap(hint, max(1, m.w-4)), "\n") {
				body = append(body, s.Subtle.Render("    "+l))
			}
		} else if ch.Take == pending.TakeValue {
			body = append(body, row("new", display(ch.Value), true, "")...)
		}
		if i == m.cursor {
			focusEnd = len(body)
		}
	}
	room := max(1, m.h-len(out))
	top := 0
	if focusEnd > room {
		top = focusEnd - room
	}
	if focusTop < top {
		top = focusTop
	}
	out = append(out, body[top:min(len(body), top+room)]...)
	return clampLines(strings.Join(out, "\n"), m.w, m.h)
}

func (m conflictModel) ShortHelp() []key.Binding {
	k := m.c.keys
	if m.editing {
		// While a value is typed every letter goes to it: only these keys do anything else.
		set, cancel := k.Open, k.Back
		set.SetHelp("enter", "set the value")
		cancel.SetHelp("esc", "cancel")
		move := key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "move in the value"))
		return []key.Binding{set, cancel, move}
	}
	if m.isDelete() {
		return []key.Binding{k.Up, k.Open, k.Save, k.Back}
	}
	return []key.Binding{k.Mine, k.Theirs, k.Value, k.Save, k.Back}
}

func (m conflictModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Up, k.Down}, {k.Mine, k.Theirs, k.Value, k.Save}, k.globalKeys()}
}
