package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// navModel is the navigation menu: the cached objects, My Tasks and Pending Changes.
type navModel struct {
	c                *common
	objects          []string
	cursor           int
	w, h             int
	total, attention int
	red              int // of attention, the changes that can't be saved
}

func newNav(c *common, objects []string) navModel {
	var objs []string
	hasTask := false
	for _, o := range objects {
		if o == "Task" {
			hasTask = true
			continue
		}
		objs = append(objs, o)
	}
	if hasTask {
		objs = append(objs, "Task")
	}
	return navModel{c: c, objects: objs}
}

func (m *navModel) SetSize(w, h int) { m.w, m.h = w, h }

// items counts the menu lines: every object, then Pending Changes.
func (m navModel) items() int { return len(m.objects) + 1 }

func (m navModel) label(i int) string {
	if i == len(m.objects) {
		// Orange and red apart, in the status bar's words.
		s := sprintf("Pending Changes (%d)", m.total)
		red := max(0, min(m.red, m.attention))
		if orange := m.attention - red; orange > 0 {
			s += sprintf(" · ▲ %d %s", orange, plural(orange, "needs attention", "need attention"))
		}
		if red > 0 {
			s += sprintf(" · ✖ %d can't be saved", red)
		}
		return s
	}
	if m.objects[i] == "Task" {
		return "My Tasks"
	}
	return m.c.objectLabel(m.objects[i])
}

func (m navModel) Update(msg tea.Msg) (navModel, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, k.Up):
			if m.cursor > 0 {
				m.cursor--
			}
		case key.Matches(msg, k.Down):
			if m.cursor < m.items()-1 {
				m.cursor++
			}
		case key.Matches(msg, k.Top):
			m.cursor = 0
		case key.Matches(msg, k.Bottom):
			m.cursor = m.items() - 1
		case key.Matches(msg, k.Open):
			if m.cursor == len(m.objects) {
				return m, cmdOf(openPendingMsg{})
			}
			return m, cmdOf(openHomeMsg{object: m.objects[m.cursor]})
		case key.Matches(msg, k.New):
			if m.cursor < len(m.objects) {
				return m, cmdOf(openFormMsg{mode: formNew, object: m.objects[m.cursor]})
			}
		}
	case tea.MouseMsg:
		m.cursor = clampIndex(m.cursor+wheelDelta(msg), m.items())
	}
	return m, nil
}

func (m navModel) View() string {
	s := m.c.styles
	var b strings.Builder
	b.WriteString(s.Header.Render("Menu"))
	b.WriteString("\n\n")
	for i := 0; i < m.items(); i++ {
		label, more := m.label(i), ""
		if i == len(m.objects) && lipgloss.Width(label)+2 > m.w {
			// Too narrow for the counts beside Pending Changes: they go on the line below.
			if head, tail, ok := strings.Cut(label, " · "); ok {
				label, more = head, tail
			}
		}
		style := s.Value
		if i == len(m.objects) && m.attention > 0 {
			style = s.Orange
			if m.red >= m.attention {
				style = s.Red
			}
		}
		line := "  " + style.Render(label)
		if i == m.cursor {
			line = s.Selected.Render(fit("▸ "+label, min(m.w, max(48, lipgloss.Width(label)+2))))
		}
		if i == len(m.objects) {
			b.WriteString("\n")
		}
		b.WriteString(line)
		b.WriteString("\n")
		if more != "" {
			b.WriteString("    " + style.Render(more) + "\n")
		}
	}
	return clampLines(b.String(), m.w, m.h)
}

func (m navModel) ShortHelp() []key.Binding {
	k := m.c.keys
	// New makes a record of the object under the cursor: Pending Changes has none.
	nw := k.New
	nw.SetEnabled(m.cursor < len(m.objects))
	return []key.Binding{k.Open, nw, k.Online, k.Pending, k.Help, k.Quit}
}

func (m navModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Open, k.New}, k.globalKeys()}
}
