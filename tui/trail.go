package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/pending"
)

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

// trailMsg carries the records of the trail read again: views[i] is trail[i] as asked by
// object and id, nil when it could not be read.
type trailMsg struct {
	asked []trailKey
	views []*pending.RecordView
}

type trailKey struct{ object, id string }

// refreshTrail reads the records under the one on the record page again, so that the title
// bar names them as they are now and each follows its record to the server id it got when a
// create made offline synced.
func (m Model) refreshTrail() tea.Cmd {
	if len(m.trail) == 0 {
		return nil
	}
	b, ctx := m.c.backend, m.c.ctx
	asked := make([]trailKey, len(m.trail))
	for i, d := range m.trail {
		asked[i] = trailKey{d.object, d.id}
	}
	return func() tea.Msg {
		out := trailMsg{asked: asked, views: make([]*pending.RecordView, len(asked))}
		for i, k := range asked {
			if v, err := b.Record(ctx, k.object, k.id); err == nil {
				out.views[i] = &v
			}
		}
		return out
	}
}

// onTrail takes the records of the trail read again; a page left or opened meanwhile keeps
// what it has.
func (m Model) onTrail(msg trailMsg) Model {
	trail := append([]detailModel(nil), m.trail...)
	for i, v := range msg.views {
		if v == nil || i >= len(trail) || trail[i].object != msg.asked[i].object || trail[i].id != msg.asked[i].id {
			continue
		}
		trail[i].view = *v
		if v.ID != "" {
			trail[i].id = v.ID
		}
	}
	m.trail = trail
	return m
}
