package tui

import (
	"testing"

	"github.com/offline-edit/offline-edit/scenario"
)

// A scenario step leaves no note of an earlier step on the message line (an online step's
// "Synced 1 change." stayed under the strip of the offline and edit steps after it, beside
// OFFLINE 1 pending); a note the step itself causes, as its sync's, stays.
func TestAScenarioStepClearsAnEarlierStepsNote(t *testing.T) {
	sc := &listScript{file: "s.yaml", results: []scenario.StepResult{
		{Index: 0, Line: 8, Text: "create Account acme"},
		{Index: 1, Line: 12, Text: "offline"},
		{Index: 2, Line: 14, Text: "edit acme"},
	}}
	d := newDriverWith(t, Options{Backend: seededFake(1), Script: sc}, 80, 24)
	d.keys("N")
	d.send(toastMsg{"Synced 1 change."}) // the first step's sync, finished after it
	d.requireView("Synced 1 change.", "last: ✓ create Account acme")
	d.keys("N")
	d.requireView("last: ✓ offline")
	d.refuseView("Synced 1 change.")

	// A note that comes while the step runs is the step's: it stays.
	var m Model
	m = d.model()
	next, cmd := m.Update(keyMsgs("N")[0])
	if cmd == nil {
		t.Fatal("N started no step")
	}
	d.m = next
	d.send(toastMsg{"Synced 2 changes."})
	res, ok := sc.Next(t.Context())
	d.send(scriptStepMsg{res: res, ok: ok})
	d.requireView("Synced 2 changes.", "last: ✓ edit acme")
}
