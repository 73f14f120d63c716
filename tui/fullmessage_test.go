package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// refusal is an org's message too long for two or three lines at 80 columns (n sentences),
// with a word at its end to look for.
func refusal(n int) string {
	return strings.Repeat("The phone number must follow the national format of the billing country. ", n) + "LASTWORD"
}

func refusedFake(longRefusal string) *fakeBackend {
	f := seededFake(2)
	for i, id := range []string{"001000000000000000", "001000000000000001"} {
		f.setEntry(pending.Entry{ID: sprintf("e%d", i+1), Object: "Account", RecordID: id, Name: sprintf("Acme %06d", i),
			Op: pending.OpUpdate, Status: pending.StatusInvalid, Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION", Message: longRefusal,
			Errors:  []pending.FieldError{{Field: "Phone", Message: longRefusal}},
			Changes: remote.Fields{"Phone": "1"}})
	}
	return f
}

func TestPendingChangesShowsTheSelectedEntrysWholeMessage(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		d := newDriver(t, refusedFake(refusal(10)), size[0], size[1])
		d.keys("p")
		d.requireView("Pending Changes")
		if got := strings.Count(flat(d.view()), "LASTWORD"); got != 1 {
			t.Fatalf("%dx%d: the selected entry's message shows whole %d times, want once (the other is cut):\n%s", size[0], size[1], got, d.view())
		}
		d.keys("down")
		if got := strings.Count(flat(d.view()), "LASTWORD"); got != 1 {
			t.Fatalf("%dx%d: after ↓ the message shows whole %d times:\n%s", size[0], size[1], got, d.view())
		}
		if !strings.Contains(flat(d.view()), "FIELD_CUSTOM_VALIDATION_EXCEPTION") {
			t.Fatalf("%dx%d: the code is gone:\n%s", size[0], size[1], d.view())
		}
	}
}

func TestFixFormShowsTheFocusedFieldsWholeMessage(t *testing.T) {
	d := newDriver(t, refusedFake(refusal(5)), 80, 24)
	d.keys("p", "r")
	d.requireView("Fix Account")
	if !strings.Contains(focusedLine(d.view()), "Phone") {
		t.Fatalf("the form does not open on the flagged field:\n%s", d.view())
	}
	if !strings.Contains(flat(d.view()), "LASTWORD") {
		t.Fatalf("the focused field's message is cut:\n%s", d.view())
	}
	d.keys("tab")
	if strings.Contains(flat(d.view()), "LASTWORD") {
		t.Fatalf("a field without the focus shows a long message whole:\n%s", d.view())
	}
}

// A long message on the selected change may push others out of view: the page says how many.
func TestPendingChangesSaysHowManyChangesAreOutOfView(t *testing.T) {
	// 12 sentences fill most of an 80×24 screen; 80 and 200 more than either screen (sixty fields in conflict).
	for _, c := range []struct{ sentences, w, h int }{{12, 80, 24}, {80, 80, 24}, {200, 200, 60}} {
		f := refusedFake(refusal(c.sentences))
		for i := 2; i < 6; i++ {
			f.setEntry(pending.Entry{ID: sprintf("e%d", i+1), Object: "Account", RecordID: sprintf("00100000000000000%d", i), Name: sprintf("Acme %06d", i),
				Op: pending.OpUpdate, Status: pending.StatusPending, Changes: remote.Fields{"Phone": "1"}})
		}
		d := newDriver(t, f, c.w, c.h)
		d.keys("p")
		d.requireView("Pending Changes")
		if !strings.Contains(d.view(), "more below") {
			t.Fatalf("%d sentences at %dx%d: changes out of view, and nothing says so:\n%s", c.sentences, c.w, c.h, d.view())
		}
	}
	d := newDriver(t, refusedFake("short"), 80, 24)
	d.keys("p")
	d.requireView("Pending Changes")
	if strings.Contains(d.view(), "more below") || strings.Contains(d.view(), "more above") {
		t.Fatalf("all in view, yet it says more:\n%s", d.view())
	}
}
