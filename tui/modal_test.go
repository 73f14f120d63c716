package tui

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// A question about a record whose name is as long as the org allows (255 characters) keeps what
// it says after the name, and the line of keys that answer it, on the smallest terminal the app
// draws in: the name is cut short.
func TestAQuestionKeepsItsAnswerKeysWhenItsTextIsLongerThanTheScreen(t *testing.T) {
	long := strings.TrimSpace(strings.Repeat("Northwind Traders ", 14))
	for _, size := range [][2]int{{minWidth, minHeight}, {60, 20}, {80, 24}} {
		f := newFakeBackend()
		f.quiet = true
		f.add("Account", remote.Fields{"Id": "001000000000000001", "Name": long})
		f.sortAll()
		d := newDriver(t, f, size[0], size[1])
		d.keys("enter", "enter")
		d.requireView("Northwind")
		d.keys("d")
		d.requireView("Delete Account?", "…\"?", "for everyone once it", "n/esc cancel")
		if lines := strings.Count(d.view(), "\n") + 1; lines != size[1] {
			t.Fatalf("%dx%d: the view has %d lines", size[0], size[1], lines)
		}
	}
}

// A question's text longer than the screen ends with "…" above the keys that answer it.
func TestAQuestionLongerThanTheScreenEndsWithAnEllipsisAboveItsKeys(t *testing.T) {
	s := NewStyles(DefaultTheme())
	md := modal{kind: modalConfirm, title: "Discard change?", yes: "discard", body: strings.Repeat("word ", 400)}
	for _, h := range []int{8, 12, 30} {
		box := md.view(s, 60, h)
		lines := strings.Split(box, "\n")
		if len(lines) > h {
			t.Fatalf("in a body %d lines high the box has %d lines:\n%s", h, len(lines), box)
		}
		if !strings.Contains(lines[len(lines)-2], "n/esc cancel") || !strings.Contains(box, "…") {
			t.Fatalf("in a body %d lines high:\n%s", h, box)
		}
	}
}

// The debug log holds what the org said with its escape sequences made harmless: reading the
// log in a terminal (cat, tail -f) runs none of them.
func TestTheDebugLogCarriesNoControlSequences(t *testing.T) {
	var log bytes.Buffer
	d := newDriverWith(t, Options{Backend: seededFake(2), Debug: &log}, 80, 24)
	d.send(errMsg{err: errors.New("bad value \x1b]52;c;aGk=\x07 for \x1b[2JName\r\x9b6n")})
	d.send(syncDoneMsg{err: errors.New("org said \x1b[6n")})
	got := log.String()
	if !strings.Contains(got, "bad value") || !strings.Contains(got, "org said") {
		t.Fatalf("the debug log lacks the errors:\n%q", got)
	}
	if strings.ContainsAny(strings.TrimSuffix(got, "\n"), "\x1b\x07\r\x9b") || strings.Contains(got, "\u009b") {
		t.Fatalf("the debug log carries control characters:\n%q", got)
	}
}

// The changes a question names as pointing at a new record are cut short, so that what happens
// to them shows on the smallest terminal.
func TestAQuestionCutsTheNamesOfTheChangesPointingAtTheRecord(t *testing.T) {
	f := seededFake(1)
	f.setEntry(pending.Entry{ID: "e1", Seq: 1, Object: "Account", RecordID: "local-aaa", Name: "Pa",
		Op: pending.OpCreate, Status: pending.StatusPending, Changes: map[string]any{"Name": "Pa"}})
	for i, name := range []string{strings.Repeat("Longname", 10), strings.Repeat("Northwind ", 25), strings.Repeat("Deal ", 24)} {
		f.setEntry(pending.Entry{ID: sprintf("e%d", i+2), Seq: int64(i + 2), Object: "Contact", RecordID: sprintf("local-b%d", i), Name: name,
			Op: pending.OpCreate, Status: pending.StatusWaiting, WaitingOn: "local-aaa",
			Changes: map[string]any{"LastName": name, "AccountId": "local-aaa"}})
	}
	d := newDriver(t, f, minWidth, minHeight)
	d.keys("p", "x")
	d.requireView("Discard change?", "will need another", "n/esc cancel")
}
