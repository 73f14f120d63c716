package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// navModel is the navigation menu: the cached objects, My Tasks and Pending Changes.
type navModel struct {
	c                *common
	objects          []string
	cursor           int
	w, h             int
	total, attention int
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
		s := sprintf("Pending Changes (%d)", m.total)
		if m.attention > 0 {
			s += sprintf(" · %d need attention", m.attention)
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
		line := "  " + m.label(i)
		if i == m.cursor {
			line = s.Selected.Render(fit("▸ "+m.label(i), min(m.w, 48)))
		}
		if i == len(m.objects) && m.attention > 0 && i != m.cursor {
			line = "  " + s.Orange.Render(m.label(i))
		}
		if i == len(m.objects) {
			b.WriteString("\n")
		}
		b.WriteString(line)
		b.WriteString("\n")
	}
	return clampLines(b.String(), m.w, m.h)
}

func (m navModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return []key.Binding{k.Open, k.New, k.Online, k.Pending, k.Help, k.Quit}
}

func (m navModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Open, k.New}, k.globalKeys()}
}
