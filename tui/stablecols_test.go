package tui

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// headerLine is the object home's column header.
func headerLine(t *testing.T, v string) string {
	t.Helper()
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "Name") && strings.Contains(l, "Industry") {
			return l
		}
	}
	t.Fatalf("no header:\n%s", v)
	return ""
}

func TestObjectHomeColumnsHoldStillWhileTheListScrolls(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		f := newFakeBackend()
		f.quiet = true
		for i := 0; i < 60; i++ {
			industry, city := "Energy", "Oslo"
			if i >= 30 {
				industry, city = "Telecommunications", "Rio de Janeiro"
			}
			f.add("Account", remote.Fields{"Id": sprintf("001%015d", i), "Name": sprintf("Account %02d", i),
				"Industry": industry, "Phone": "555-0100", "BillingCity": city})
		}
		f.sortAll()
		f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000055", Name: "Account 55",
			Op: pending.OpUpdate, Status: pending.StatusInvalid, Code: "FIELD_CUSTOM_VALIDATION_EXCEPTION",
			Message: "refused", Changes: remote.Fields{"Phone": "1"}, UpdatedAt: f.now})
		d := newDriver(t, f, size[0], size[1])
		d.keys("enter")
		d.requireView("Account 00")
		// The value columns hold still; the names start where the sash column on screen ends.
		valueCols := func(h string) (int, string) {
			i := strings.Index(h, "Industry")
			return i, h[i:]
		}
		at, top := valueCols(headerLine(t, d.view()))
		for i := 0; i < 59; i++ {
			d.keys("down")
			if hi, h := valueCols(headerLine(t, d.view())); hi != at || h != top {
				t.Fatalf("%dx%d: after %d rows down the header moved:\n%q\n%q", size[0], size[1], i+1, top, h)
			}
		}
		d.requireView("Telecommunications", "Rio de Janeiro", "Account 59")
		d.requireFits(size[0])
	}
}
