package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// During a long sync every event asks for the counts again, and the answers come back in any
// order: one asked earlier (and read earlier, when the queue was longer) that lands after a
// later one must not take the bar back (3116 → 3308 → 3116 pending).
func TestCountsAskedEarlierDoNotOverwriteLaterOnes(t *testing.T) {
	f := seededFake(12)
	d := newDriver(t, f, 80, 24)
	queueOf(f, 7, 0)
	d.send(d.model().loadCounts()())
	if bar := barOf(d.m); !strings.Contains(bar, "7 pending") {
		t.Fatalf("bar %q, want 7 pending", bar)
	}

	m := d.model()
	first := m.loadCounts()  // asked first: its read is slow
	second := m.loadCounts() // asked next: it answers first
	older := first()         // read while 7 were still queued
	queueOf(f, 5, 0)
	newer := second()
	var tm tea.Model = m
	tm, _ = tm.Update(newer)
	if bar := barOf(tm); !strings.Contains(bar, "5 pending") {
		t.Fatalf("bar %q, want 5 pending", bar)
	}
	tm, _ = tm.Update(older)
	if bar := barOf(tm); !strings.Contains(bar, "5 pending") {
		t.Fatalf("a counts answer asked earlier took the bar back: %q, want 5 pending", bar)
	}
	// A later question's answer shows, as always.
	queueOf(f, 3, 0)
	tm, _ = tm.Update(tm.(Model).loadCounts()())
	if bar := barOf(tm); !strings.Contains(bar, "3 pending") {
		t.Fatalf("bar %q, want 3 pending", bar)
	}
}
