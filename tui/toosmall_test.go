package tui

import (
	"strings"
	"testing"
)

func TestTooSmallTerminalSaysTheSizeNeededInFullAtAnySize(t *testing.T) {
	for _, size := range [][2]int{{59, 24}, {40, 12}, {24, 6}, {80, 10}} {
		d := newDriver(t, seededFake(1), size[0], size[1])
		v := d.view()
		flat := strings.Join(strings.Fields(v), " ")
		if !strings.Contains(flat, "needs a terminal of at least 60×16") {
			t.Fatalf("%dx%d: the size needed cannot be read:\n%s", size[0], size[1], v)
		}
		if !strings.Contains(flat, sprintf("this one is %d×%d", size[0], size[1])) {
			t.Errorf("%dx%d: the size now is cut:\n%s", size[0], size[1], v)
		}
		if strings.Contains(v, "…") {
			t.Errorf("%dx%d: the message is cut:\n%s", size[0], size[1], v)
		}
	}
}
