package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// Typing a value for a dependent picklist on the conflict screen offers only the values its
// controlling field allows, as the controller will be with the choices made: the org's Case
// Type here (the change does not touch it), so Electrical's reasons are not offered for a
// Mechanical case.
func TestConflictTypedValueOfADependentPicklistFollowsItsController(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	cases, err := w.eng.List(ctx, pending.ListQuery{Object: "Case", Limit: 1})
	if err != nil || len(cases.Rows) != 1 {
		t.Fatalf("a case: %v", err)
	}
	id := cases.Rows[0].ID
	if err := w.admin.Update(ctx, "Case", id, remote.Fields{"Type": "Mechanical", "Reason": "Breakdown"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(3 * time.Second)
	if _, err := w.eng.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	s := newStory(t, w)
	s.goOffline()
	if err := w.eng.Edit(ctx, "Case", id, remote.Fields{"Reason": "Equipment Design"}); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(3 * time.Second)
	if err := w.admin.Update(ctx, "Case", id, remote.Fields{"Reason": "Installation"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(3 * time.Second)
	s.press("o")
	s.wait("Sync needs your attention")
	s.press("enter")
	s.wait("▲ Conflict")
	s.press("r")
	s.wait("Resolve conflict", "Installation", "Equipment Design")
	s.press("v", "enter")
	view := s.wait("Breakdown")
	for _, electrical := range []string{"Performance", "Feedback"} {
		if strings.Contains(view, electrical) {
			t.Fatalf("the value list offers %q, which Case Type Mechanical does not allow:\n%s", electrical, view)
		}
	}
}
