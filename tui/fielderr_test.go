package tui

import (
	"strings"
	"testing"
)

// withMeeting is a fake whose accounts have the Next Meeting datetime.
func withMeeting(n int) *fakeBackend {
	f := seededFake(n)
	d := *f.desc["Account"]
	d.Fields = append(append(d.Fields[:0:0], d.Fields...), meetingField)
	f.desc["Account"] = &d
	return f
}

// At 80 columns a field's long message from the check before saving is wrapped under the
// field, not cut: the datetime editor's example and the clocks' change are read whole.
func TestAFieldsLongErrorIsWrappedUnderItAt80Columns(t *testing.T) {
	cases := []struct{ typed, want string }{
		{"2026-01-05", "add the time: YYYY-MM-DD HH:MM, such as 2026-01-05 09:30"},
		{"2026-03-08 02:30", "02:30 does not exist on 2026-03-08: the clocks go forward from EST to EDT then; enter a later time"},
		{"tomorrow", "enter a date and time as YYYY-MM-DD HH:MM, such as 2026-01-05 09:30"},
	}
	for _, c := range cases {
		t.Run(c.typed, func(t *testing.T) {
			d := newDriverWith(t, Options{Backend: withMeeting(1), Location: newYork(t)}, 80, 24)
			d.keys("enter", "enter", "e")
			d.requireView("Edit Account")
			focusField(t, d, "Next Meeting")
			d.keys(c.typed, "ctrl+s")
			d.requireView("1 field needs a fix")
			// The message's words, in order, on the lines under the field.
			var said []string
			for _, l := range strings.Split(d.view(), "\n") {
				if cellWidth(l) > 80 {
					t.Fatalf("a line is wider than the screen: %q", l)
				}
				said = append(said, strings.Fields(l)...)
			}
			if !strings.Contains(strings.Join(said, " "), c.want) {
				t.Fatalf("the message %q is not shown whole:\n%s", c.want, d.view())
			}
		})
	}
}
