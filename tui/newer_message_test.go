package tui

import "testing"

// An error takes the place of the note under it: a key that clears the error leaves the line
// empty, not showing the older note again ("Account saved." came back on tab after "New Task
// isn't available offline").
func TestAnOlderNoteDoesNotComeBackWhenAKeyClearsANewerError(t *testing.T) {
	d := newDriver(t, seededFake(3), 80, 24)
	d.keys("o", "enter", "enter")
	d.requireView("Acme 000000", "(online only)")
	d.keys("e", "x", "ctrl+s")
	d.requireView("Account saved. It will sync when you go online.")
	d.keys("t")
	d.requireView("isn't available offline")
	d.refuseView("Account saved.")
	d.keys("tab")
	d.refuseView("Account saved.", "isn't available offline")
}
