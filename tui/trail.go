package tui

import tea "github.com/charmbracelet/bubbletea"

// The record page keeps a trail: a record opened from another record's related list goes on
// top of it, esc goes back to the record it came from (its related list and cursor where they
// were), and the title bar shows the path (Accounts › Acme Group › Sofia Howard).

// openRecord opens a record on the record page. Opened from a record page, the record shown
// goes on the trail; opened from anywhere else, the trail starts afresh.
func (m Model) openRecord(object, id string) (tea.Model, tea.Cmd) {
	m.toast = "" // a note belongs to the screen it was shown on
	switch {
	case m.active() != ScreenRecord || m.detail.id == "":
		m.trail = nil
	case m.detail.object == object && m.detail.id == id:
		// The record on screen: nothing to go back to.
	default:
		m.trail = append(append([]detailModel(nil), m.trail...), m.detail)
		// A record already on the trail is gone back to, not opened a second time.
		for i, d := range m.trail {
			if d.object == object && d.recordID() == id {
				return m.backToRecord(i)
			}
		}
	}
	return m.push(ScreenRecord, func(m Model) (Model, tea.Cmd) {
		var cmd tea.Cmd
		m.detail, cmd = m.detail.open(object, id)
		return m, cmd
	})
}

// backToRecord shows trail[i] again, as it was left, and drops it and what was above it from
// the trail.
func (m Model) backToRecord(i int) (Model, tea.Cmd) {
	gen := m.detail.gen
	m.detail = m.trail[i]
	m.trail = m.trail[:i:i]
	// Answers still on their way for the record left behind carry older generations.
	m.detail.gen = max(m.detail.gen, gen)
	m.detail.SetSize(m.bodySize())
	return m.reload(ScreenRecord)
}

// trailTitles are the titles of the records under the one on the record page, oldest first.
func (m Model) trailTitles() []string {
	var out []string
	for _, d := range m.trail {
		out = append(out, d.title())
	}
	return out
}

// title is the record's name, or its object's label while it has none.
func (m detailModel) title() string {
	if m.view.Name != "" {
		return CleanLine(m.view.Name)
	}
	return m.c.singleLabel(m.object)
}
