package tui

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var acmeName = regexp.MustCompile(`Acme (\d{6})`)

// shownRange is the first and last entry of queueOf's queue on screen, and the cursor's.
func shownRange(t *testing.T, v string) (first, last, cursor int) {
	t.Helper()
	first, last, cursor = -1, -1, -1
	for _, l := range strings.Split(v, "\n") {
		m := acmeName.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if first < 0 {
			first = n
		}
		last = n
		if strings.Contains(l, "▸ ") {
			cursor = n
		}
	}
	if cursor < 0 {
		t.Fatalf("no cursor on screen:\n%s", v)
	}
	return first, last, cursor
}

// pgdn and space page down Pending Changes, pgup pages up, as on the record lists (the help
// says "pgdn/space page down"); they did nothing there.
func TestPendingChangesPagesWithPgdnSpaceAndPgup(t *testing.T) {
	f := seededFake(40)
	queueOf(f, 30, 10)
	d := newDriver(t, f, 80, 24)
	d.keys("p")
	d.requireView("Pending Changes  40")
	first, last, cursor := shownRange(t, d.view())
	if first != 0 || cursor != 0 || last >= 39 {
		t.Fatalf("the page does not start at the first entry (%d..%d, cursor %d):\n%s", first, last, cursor, d.view())
	}
	d.keys("pgdown")
	_, _, cursor = shownRange(t, d.view())
	if cursor != last+1 {
		t.Fatalf("pgdn put the cursor on %d, want %d, the first entry below the page:\n%s", cursor, last+1, d.view())
	}
	_, last, _ = shownRange(t, d.view())
	d.keys(" ")
	// The next page: no entry skipped unseen.
	top, _, next := shownRange(t, d.view())
	if next <= cursor+1 || top > last+1 {
		t.Fatalf("space moved the cursor from %d to %d (the page starts at %d, the last shown was %d), want a page down:\n%s", cursor, next, top, last, d.view())
	}
	for range 10 {
		d.keys("pgdown")
	}
	if _, _, c := shownRange(t, d.view()); c != 39 {
		t.Fatalf("pgdn stops at %d, not on the last entry:\n%s", c, d.view())
	}
	d.keys("pgup")
	if _, _, c := shownRange(t, d.view()); c >= 39 || c < 30 {
		t.Fatalf("pgup from the last entry put the cursor on %d:\n%s", c, d.view())
	}
	for range 10 {
		d.keys("pgup")
	}
	if _, _, c := shownRange(t, d.view()); c != 0 {
		t.Fatalf("pgup stops at %d, not on the first entry:\n%s", c, d.view())
	}
	// The full help lists them for this screen.
	d.keys("?")
	d.requireView("pgdn/space", "pgup")
}
