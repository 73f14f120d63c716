package tui

import (
	"testing"
)

func TestAConflictsNewLookupValueShowsTheRecordsName(t *testing.T) {
	const acct, contact = "001000000000000000", "003000000000000001"
	d, _ := conflictOn(t, "Contact", contact, "AccountId", acct, acct, acct)
	d.keys("v", "Acme 000001", "enter")
	if d.model().conflict.editing {
		d.keys("enter")
	}
	if ls := linesWith(d.view(), "✓ new", "Acme 000001"); len(ls) != 1 {
		t.Fatalf("the new value is not shown by its name:\n%s", d.view())
	}
	d.refuseView("001000000000000001")
	// Opened again, the editor holds the name too.
	d.keys("v")
	d.requireView("Acme 000001")
	d.refuseView("001000000000000001")
}
