package tui

import (
	"strings"
	"testing"
)

func TestFormSaysHowManyFieldsNeedAFixInProperEnglish(t *testing.T) {
	d := newDriver(t, seededFake(1), 80, 24)
	d.keys("down", "enter", "n")
	d.requireView("New Contact", "Last Name *")
	d.keys("ctrl+s")
	d.requireView("1 field needs a fix before saving")
	d.refuseView("field(s)")
	d.keys(strings.Repeat("x", 81), "tab", "not-an-email", "ctrl+s")
	d.requireView("2 fields need a fix before saving")
}

func TestHelpBarOffersOnlyKeysThatDoSomethingThere(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(*driver, *fakeBackend)
		want, not []string
	}{
		{"empty Pending Changes", func(d *driver, _ *fakeBackend) { d.keys("p") },
			[]string{"o online/offline", "esc back"}, []string{"enter open", "r resolve", "x dismiss"}},
		{"Pending Changes with a change", func(d *driver, f *fakeBackend) {
			d.keys("enter", "enter", "e", "1", "ctrl+s", "p")
		}, []string{"enter open", "r resolve", "x dismiss"}, nil},
		{"a record gone from the cache", func(d *driver, f *fakeBackend) {
			d.keys("enter", "enter")
			f.mu.Lock()
			f.records["Account"] = f.records["Account"][1:]
			f.mu.Unlock()
			d.send(refreshMsg{})
			d.requireView("no longer cached")
		}, []string{"o online/offline", "esc back"}, []string{"tab next", "e edit", "d delete", "t new task"}},
	}
	for _, tc := range tests {
		for _, size := range [][2]int{{80, 24}, {200, 60}} {
			t.Run(sprintf("%s/%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				f := seededFake(2)
				d := newDriver(t, f, size[0], size[1])
				tc.setup(d, f)
				bar := helpBarOf(d.view())
				for _, w := range tc.want {
					if !strings.Contains(bar, w) {
						t.Errorf("the help bar lacks %q: %q", w, bar)
					}
				}
				for _, w := range tc.not {
					if strings.Contains(bar, w) {
						t.Errorf("the help bar offers %q, which does nothing here: %q", w, bar)
					}
				}
			})
		}
	}
}
