package tui

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// The benchmarks run the app on an in-memory backend holding 100,000 Accounts, so they
// measure the screens: paging in only the visible window, drawing only the visible rows.

var bench100k = func() *fakeBackend { return seededFake(100_000) }()

// BenchmarkObjectHomeFirstFrame: open Accounts (one List page) and draw the first frame.
func BenchmarkObjectHomeFirstFrame(b *testing.B) {
	m := New(Options{Backend: bench100k})
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m = mm.(Model)
	for b.Loop() {
		home, cmd := m.home.open("Account")
		home, _ = home.Update(cmd())
		m.home = home
		m.stack = []ScreenID{ScreenNav, ScreenHome}
		if len(m.View()) == 0 {
			b.Fatal("empty frame")
		}
	}
}

// BenchmarkScrollKeypress: one ↓ on a loaded home, Update and View.
func BenchmarkScrollKeypress(b *testing.B) { benchScroll(b, bench100k) }

// benchScroll times one ↓ (↑ on every other hundred) on a loaded Accounts home: Update, with
// the page it loads when it loads one, and View.
func benchScroll(b *testing.B, backend Backend) {
	m := New(Options{Backend: backend})
	mm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m = mm.(Model)
	home, cmd := m.home.open("Account")
	m.home, _ = home.Update(cmd())
	m.stack = []ScreenID{ScreenNav, ScreenHome}
	b.ResetTimer()
	benchKeys(b, m, "Accounts")
}

// BenchmarkStartupToFirstFrame: build the root model and draw its first frame.
func BenchmarkStartupToFirstFrame(b *testing.B) {
	for b.Loop() {
		m := New(Options{Backend: bench100k})
		mm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		if len(mm.View()) == 0 {
			b.Fatal("empty frame")
		}
	}
}
