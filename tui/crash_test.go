package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"pgregory.net/rapid"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

func TestDownAndEnterOnAnEmptyRelatedListDoNothing(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 16}, {200, 60}} {
		d := newDriver(t, familyFake(), size[0], size[1])
		d.keys("enter", "enter")
		d.requireView("Account  Acme 000000")
		d.keys("tab", "tab")
		d.requireView("▸ Tasks (0)")
		d.keys("down", "down", "up", "down")
		if c := d.model().detail.relCursor; c != 0 {
			t.Fatalf("%dx%d: the cursor on an empty list is %d, want 0", size[0], size[1], c)
		}
		d.keys("enter")
		d.requireTitle("offline-edit › Accounts › Acme 000000")
	}
}

func TestDownAndEnterOnALookupWithNoMatchesDoNothing(t *testing.T) {
	f := seededFake(1)
	m := New(Options{Backend: f})
	fd, _ := f.desc["Contact"].Field("AccountId")
	l := newLookupField(m.c, fd, nil, "")
	var in fieldInput = l
	in, _ = in.Update(lookupResultsMsg{field: "AccountId", gen: l.gen})
	for _, k := range []tea.KeyType{tea.KeyDown, tea.KeyDown, tea.KeyEnter} {
		in, _ = in.Update(tea.KeyMsg{Type: k})
	}
	if l.sel != 0 || l.id != "" {
		t.Fatalf("after down and enter on no matches: selection %d, chose %q; want 0 and nothing", l.sel, l.id)
	}
}

type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// rapidTB runs a driver inside a rapid property: its failures fail the property's case.
type rapidTB struct {
	testing.TB
	rt *rapid.T
}

func (r rapidTB) Helper()                           { r.rt.Helper() }
func (r rapidTB) Fatalf(format string, args ...any) { r.rt.Fatalf(format, args...) }
func (r rapidTB) Fatal(args ...any)                 { r.rt.Fatal(args...) }
func (r rapidTB) Errorf(format string, args ...any) { r.rt.Errorf(format, args...) }

// longPhoneFake is one account whose phone is n digits long.
func longPhoneFake(n int) *fakeBackend {
	f := seededFake(1)
	f.records["Account"][0]["Phone"] = strings.Repeat("5", n)
	return f
}

// requireFits fails when the view is taller or wider than the screen.
func requireFits(t fataler, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Fatalf("the view takes %d lines on a screen of %d:\n%s", len(lines), h, view)
	}
	for _, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Fatalf("a line takes %d cells on a screen of %d: %q", lw, w, l)
		}
	}
}

func TestRecordPageWithAHeaderTallerThanTheScreenScrollsWithoutPanicking(t *testing.T) {
	d := newDriver(t, longPhoneFake(600), 60, 16)
	d.keys("enter", "enter")
	d.requireView("Account  Acme 000000", "[e] Edit", "Account Name")
	for i := 0; i < 80; i++ {
		d.keys("down")
		requireFits(t, d.view(), 60, 16)
	}
	d.requireView("[e] Edit")
	m := d.model().detail
	if m.scroll != m.maxScroll() {
		t.Fatalf("after 80 downs the page is scrolled to %d, want its end %d", m.scroll, m.maxScroll())
	}
	// Scrolling stopped at the end: one up shows the row before the last again.
	before := d.view()
	d.keys("up")
	if d.view() == before {
		t.Fatalf("up after scrolling past the end did not move the page")
	}

	// Scrolled at 200x60, then shrunk to 60x16.
	d = newDriver(t, longPhoneFake(600), 200, 60)
	d.keys("enter", "enter")
	for i := 0; i < 80; i++ {
		d.keys("down")
	}
	d.send(tea.WindowSizeMsg{Width: 60, Height: 16})
	requireFits(t, d.view(), 60, 16)
	d.requireView("[e] Edit")
}

func TestRecordPageNeverPanicsNorOverflowsWhateverTheSizeAndValues(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := longPhoneFake(rapid.IntRange(0, 3000).Draw(rt, "phone"))
		if n := rapid.IntRange(0, 2000).Draw(rt, "message"); n > 0 {
			st := rapid.SampledFrom([]pending.Status{pending.StatusFailed, pending.StatusConflict, pending.StatusPending}).Draw(rt, "status")
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Op: pending.OpUpdate, Status: st,
				Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION", Message: strings.Repeat("word ", n/5) + strings.Repeat("長", n%50),
				Changes: remote.Fields{"Phone": "1"}})
		}
		w, h := rapid.IntRange(40, 200).Draw(rt, "w"), rapid.IntRange(12, 60).Draw(rt, "h")
		d := newDriver(rapidTB{t, rt}, f, w, h)
		d.keys("enter", "enter")
		steps := rapid.SliceOfN(rapid.IntRange(0, 6), 1, 60).Draw(rt, "keys")
		for _, st := range steps {
			switch st {
			case 0, 1:
				d.keys("down")
			case 2:
				d.keys("up")
			case 3:
				d.keys("pgdown")
			case 4:
				d.keys("pgup")
			case 5:
				d.keys("tab")
			case 6:
				w, h = rapid.IntRange(40, 200).Draw(rt, "w"), rapid.IntRange(12, 60).Draw(rt, "h")
				d.send(tea.WindowSizeMsg{Width: w, Height: h})
			}
			requireFits(rt, d.view(), w, h)
			m := d.model().detail
			if m.scroll < 0 || m.scroll > m.maxScroll() {
				rt.Fatalf("scrolled to %d of %d", m.scroll, m.maxScroll())
			}
			page := m.View()
			requireFits(rt, page, m.w, m.h)
			if m.h >= 12 && !strings.Contains(page, "[e] Edit") {
				rt.Fatalf("a %dx%d record page lost its action bar:\n%s", m.w, m.h, page)
			}
			if m.h >= 12 && !strings.Contains(page, "Account Name") && m.scroll == 0 && m.pane == 0 {
				rt.Fatalf("a %dx%d record page shows no field:\n%s", m.w, m.h, page)
			}
		}
	})
}

func TestRecordWithNoHighlightValuesStillHasItsHighlightsLine(t *testing.T) {
	f := seededFake(1)
	d := newDriver(t, f, 80, 24)
	d.keys("down", "enter", "enter") // Contacts › Jo Smith: no title, email or phone
	lines := strings.Split(d.view(), "\n")
	if !strings.Contains(lines[1], "Contact  Jo Smith") || !strings.Contains(lines[3], "[e] Edit") {
		t.Fatalf("the highlights line is not between the title and the action bar:\n%s", d.view())
	}
	if !strings.Contains(lines[2], "Email: —") { // the fake's Contact has no Title or Phone
		t.Errorf("the highlights line does not show the empty Email as such: %q", lines[2])
	}
}

func TestRecordHeaderWrapsItsStatusAndMessageInsteadOfCuttingThem(t *testing.T) {
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Message: "Sam Chen changed Account Phone on the org after you edited it offline",
		Changes: remote.Fields{"Phone": "1"}})
	d := newDriver(t, f, 60, 16)
	d.keys("enter", "enter")
	requireFits(t, d.view(), 60, 16)
	flat := strings.Join(strings.Fields(d.view()), " ")
	for _, want := range []string{"r to resolve", "after you edited it offline"} {
		if !strings.Contains(flat, want) {
			t.Fatalf("the header lacks %q:\n%s", want, d.view())
		}
	}
}
