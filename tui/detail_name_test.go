package tui

import (
	"testing"
)

func TestContactCreatedOfflineShowsItsFullNameBeforeItSyncs(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		w := newWorld(t)
		s := newStorySized(t, w, size[0], size[1])
		s.goOffline()
		s.press("down", "enter")
		s.wait("Contacts", "records")
		s.press("n")
		s.wait("New Contact", "▸ Last Name *")
		s.press("Nakamura")
		s.focusField("▸ First Name")
		s.press("Yui", "ctrl+s")
		s.wait("1 pending", "Yui Nakamura")
		s.press("enter")
		v := s.wait("Contact  Yui Nakamura", "Full Name")
		if got := linesWith(v, "Full Name", "Yui Nakamura"); len(got) != 1 {
			t.Fatalf("%dx%d: the Full Name of the new contact is not its name:\n%s", size[0], size[1], v)
		}
	}
}
