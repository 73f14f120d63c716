package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/pending"
)

// hugeMessagesFake queues 50 changes whose org message is 100 KB each.
func hugeMessagesFake() *fakeBackend {
	f := seededFake(50)
	for i, r := range f.records["Account"] {
		f.setEntry(pending.Entry{ID: sprintf("e%d", i), Object: "Account", RecordID: r["Id"].(string), Name: nameOf(r),
			Op: pending.OpUpdate, Status: pending.StatusInvalid, Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION",
			Message: strings.Repeat("The value is not valid here. ", 100_000/29), UpdatedAt: time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)})
	}
	return f
}

// BenchmarkPendingChangesKeypressWithHugeMessages: one ↓ (↑ on the way back) on Pending
// Changes holding 50 entries with 100 KB messages, Update and View.
func BenchmarkPendingChangesKeypressWithHugeMessages(b *testing.B) {
	m := New(Options{Backend: hugeMessagesFake()})
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m = mm.(Model)
	var cmd tea.Cmd
	m.pend, cmd = m.pend.load()
	m.pend, _ = m.pend.Update(cmd())
	m.stack = []ScreenID{ScreenNav, ScreenPending}
	down, up := tea.KeyMsg{Type: tea.KeyDown}, tea.KeyMsg{Type: tea.KeyUp}
	i := 0
	for b.Loop() {
		k := down
		if (i/49)%2 == 1 {
			k = up
		}
		i++
		m.pend, _ = m.pend.Update(k)
		if len(m.View()) == 0 {
			b.Fatal("empty frame")
		}
	}
}

func TestPendingChangesBoundsAHugeMessageAndKeepsItsCode(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 16}, {200, 60}} {
		d := newDriver(t, hugeMessagesFake(), size[0], size[1])
		d.keys("p")
		v := d.view()
		if n := strings.Count(v, "FIELD_CUSTOM_VALIDATION_EXCEPTION"); n == 0 {
			t.Fatalf("%dx%d: no entry shows its error code:\n%s", size[0], size[1], v)
		}
		e := d.model().pend.entries[0]
		if lines := d.model().pend.detailLines(e, 1); len(lines) > maxDetailLines {
			t.Fatalf("%dx%d: a message takes %d lines, want at most %d", size[0], size[1], len(lines), maxDetailLines)
		}
		d.requireView("…")
	}
}
