package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
)

func TestStatusBarShowsARecordingByItsFileNameAt80Columns(t *testing.T) {
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Op: pending.OpUpdate, Status: pending.StatusConflict})
	d := newDriverWith(t, Options{Backend: f, Recording: "/home/qa/scenarios/recorded/session.yaml"}, 80, 24)
	bar := statusBarOf(d.view())
	for _, want := range []string{"● REC session.yaml", "1 pending", "▲ 1 needs attention"} {
		if !strings.Contains(bar, want) {
			t.Errorf("the status bar lacks %q: %q", want, bar)
		}
	}
	if strings.Contains(bar, "/home/qa") {
		t.Errorf("the status bar names the recording by its whole path: %q", bar)
	}
	// Nothing recorded, nothing said.
	d = newDriverWith(t, Options{Backend: f}, 80, 24)
	if bar := statusBarOf(d.view()); strings.Contains(bar, "REC") {
		t.Errorf("the status bar says REC while nothing is recorded: %q", bar)
	}
}

func TestRecordingSignStaysAndTheBarKeepsItsWidthAtEveryWidth(t *testing.T) {
	names := []string{"session.yaml", "a-very-long-recording-name-for-the-quarterly-review.yaml", "\x1b]52;c;aGk=\x07evil\u202e.yaml"}
	for _, name := range names {
		for w := minWidth; w <= 140; w++ {
			f := seededFake(1)
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Op: pending.OpUpdate, Status: pending.StatusConflict})
			f.setEntry(pending.Entry{ID: "e2", Object: "Account", RecordID: "001000000000000001", Op: pending.OpUpdate, Status: pending.StatusFailed})
			d := newDriverWith(t, Options{Backend: f, Recording: name,
				NetStatus: func() string { return "lossy 50% replies lost" },
				LimitInfo: func() string { return "api-usage=18/15000" }}, w, 24)
			bar := statusBarOf(d.view())
			if got := lipgloss.Width(bar); got != w {
				t.Fatalf("%q at %d wide: the bar is %d wide: %q", name, w, got, bar)
			}
			if !strings.Contains(bar, "● REC") {
				t.Fatalf("%q at %d wide: the recording sign went: %q", name, w, bar)
			}
			if strings.ContainsAny(bar, "\x1b\x07\u202e") {
				t.Fatalf("%q at %d wide: the file name's control characters reach the screen: %q", name, w, bar)
			}
			for _, want := range []string{"2 pending", "▲ 1 needs attention", "✖ 1 can't be saved"} {
				if want == "2 pending" && w < 80 {
					continue // the count gives way to the sash counts on a narrow bar, recorded or not
				}
				if !strings.Contains(bar, want) {
					t.Fatalf("%q at %d wide: %q went for the recording sign: %q", name, w, want, bar)
				}
			}
		}
	}
}
