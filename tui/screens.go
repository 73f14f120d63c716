package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// The routing switches: one case per screen.

func (m *Model) resize() {
	w, h := m.bodySize()
	m.nav.SetSize(w, h)
	m.home.SetSize(w, h)
	m.detail.SetSize(w, h)
	m.form.SetSize(w, h)
	m.pend.SetSize(w, h)
	m.conflict.SetSize(w, h)
	m.bstage.SetSize(w, h)
	m.logv.SetSize(w, h)
}

func (m Model) updateScreen(id ScreenID, msg tea.Msg) (tea.Model, tea.Cmd) {
	return m.updateScreenModel(id, msg)
}

func (m Model) updateScreenModel(id ScreenID, msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch id {
	case ScreenNav:
		m.nav, cmd = m.nav.Update(msg)
	case ScreenHome:
		m.home, cmd = m.home.Update(msg)
	case ScreenRecord:
		m.detail, cmd = m.detail.Update(msg)
	case ScreenForm:
		m.form, cmd = m.form.Update(msg)
	case ScreenPending:
		m.pend, cmd = m.pend.Update(msg)
	case ScreenConflict:
		m.conflict, cmd = m.conflict.Update(msg)
	case ScreenBackstage:
		m.bstage, cmd = m.bstage.Update(msg)
	case ScreenLog:
		m.logv, cmd = m.logv.Update(msg)
	}
	return m, cmd
}

// reload fetches a screen's data again (after an event, a change, or coming back to it).
func (m Model) reload(id ScreenID) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch id {
	case ScreenHome:
		m.home, cmd = m.home.reload()
	case ScreenRecord:
		m.detail, cmd = m.detail.load()
		cmd = tea.Batch(cmd, m.refreshTrail())
	case ScreenPending:
		m.pend, cmd = m.pend.load()
	case ScreenLog:
		m.logv, cmd = m.logv.load()
	case ScreenConflict:
		m.conflict, cmd = m.conflict.refresh()
	}
	return m, cmd
}

func (m Model) screenView(id ScreenID) string {
	switch id {
	case ScreenNav:
		return m.nav.View()
	case ScreenHome:
		return m.home.View()
	case ScreenRecord:
		return m.detail.View()
	case ScreenForm:
		return m.form.View()
	case ScreenPending:
		return m.pend.View()
	case ScreenConflict:
		return m.conflict.View()
	case ScreenBackstage:
		return m.bstage.View()
	case ScreenLog:
		return m.logv.View()
	}
	return ""
}

func (m Model) screenTitle(id ScreenID) string {
	switch id {
	case ScreenHome:
		if m.home.object == "Task" {
			return "My Tasks"
		}
		return m.c.objectLabel(m.home.object)
	case ScreenRecord:
		return m.detail.title()
	case ScreenForm:
		return m.form.title()
	case ScreenPending:
		return "Pending Changes"
	case ScreenConflict:
		return "Resolve conflict"
	case ScreenBackstage:
		return "SIMULATION — backstage"
	case ScreenLog:
		return "Activity log"
	}
	return ""
}

// capturing reports whether the screen on top takes every key (a form, a filter, typing).
func (m Model) capturing() bool {
	switch m.active() {
	case ScreenHome:
		return m.home.capturing()
	case ScreenForm:
		return m.form.capturing()
	case ScreenRecord:
		return m.detail.capturing()
	case ScreenConflict:
		return m.conflict.capturing()
	case ScreenBackstage:
		return m.bstage.capturing()
	}
	return false
}

func (m Model) shortHelp() []key.Binding {
	if m.modal.open() {
		return nil
	}
	var qa []key.Binding
	if !m.capturing() {
		if m.script.s != nil && !m.script.over() {
			// Once the run is over N has no step to run: the strip says the run is over.
			next := m.c.keys.NextStep
			next.SetHelp("N", "next scenario step")
			qa = append(qa, next)
		}
		if m.script.s != nil && m.script.hasReport() {
			qa = append(qa, m.c.keys.Report)
		}
		// The key of the screen on top is not offered: it would open what is open.
		if m.active() != ScreenBackstage {
			qa = append(qa, m.c.keys.Backstage)
		}
		if m.active() != ScreenLog {
			qa = append(qa, m.c.keys.Log)
		}
	}
	return append(m.screenShortHelp(), qa...)
}

func (m Model) screenShortHelp() []key.Binding {
	switch m.active() {
	case ScreenNav:
		return m.nav.ShortHelp()
	case ScreenHome:
		return m.home.ShortHelp()
	case ScreenRecord:
		return m.detail.ShortHelp()
	case ScreenForm:
		return m.form.ShortHelp()
	case ScreenPending:
		return m.pend.ShortHelp()
	case ScreenConflict:
		return m.conflict.ShortHelp()
	case ScreenBackstage:
		return m.bstage.ShortHelp()
	case ScreenLog:
		return m.logv.ShortHelp()
	}
	return nil
}

func (m Model) fullHelp() [][]key.Binding {
	switch m.active() {
	case ScreenNav:
		return m.nav.FullHelp()
	case ScreenHome:
		return m.home.FullHelp()
	case ScreenRecord:
		return m.detail.FullHelp()
	case ScreenForm:
		return m.form.FullHelp()
	case ScreenPending:
		return m.pend.FullHelp()
	case ScreenConflict:
		return m.conflict.FullHelp()
	case ScreenBackstage:
		return m.bstage.FullHelp()
	case ScreenLog:
		return m.logv.FullHelp()
	}
	return nil
}

// currentRecord is the record the user is on: the open record page, or the row selected in
// a list; "" when there is none.
func (m Model) currentRecord() (object, id, name string) {
	for i := len(m.stack) - 1; i >= 0; i-- {
		switch m.stack[i] {
		case ScreenRecord:
			if m.detail.loaded && !m.detail.missing {
				return m.detail.object, m.detail.recordID(), m.detail.view.Name
			}
			return m.detail.object, m.detail.id, ""
		case ScreenHome:
			if r, ok := m.home.row(m.home.cursor); ok {
				return m.home.object, r.ID, r.Name
			}
			return "", "", ""
		case ScreenPending:
			if e, ok := m.pend.current(); ok {
				return e.Object, e.RecordID, e.Name
			}
			return "", "", ""
		case ScreenNav:
			return "", "", ""
		}
	}
	return "", "", ""
}
