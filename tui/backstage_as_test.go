package tui

import (
	"context"
	"strings"
	"testing"
)

// Deleting as sam a record sam cannot see is refused as editing it is, before anything is sent;
// u then clears that message, so it is not read as the admin's; and an edit done as the admin
// is said with the record's name and its fields' labels, not API names.
func TestBackstageDeleteAsSamChecksFirstAndUClearsSamsMessage(t *testing.T) {
	s, env, first := backstageOnAccountSamCannotSee(t)
	ctx := context.Background()
	s.press("B")
	s.wait("SIMULATION — backstage")
	s.backstageItem("Delete this record as sam")
	s.press("enter")
	s.wait("sam cannot see this record, so cannot delete it", "share it with sam first")
	s.refuse("✖ as sam: delete", "NOT_FOUND")
	admin, err := env.Client(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Retrieve(ctx, "Account", first.ID, []string{"Id"}); err != nil {
		t.Fatalf("the record is gone from the org: %v", err)
	}
	s.press("u")
	s.wait("As admin, on this record", "Acting as admin now.")
	s.refuse("sam cannot see this record")

	s.backstageItem("Edit fields of this record as admin")
	s.press("enter")
	s.wait("Edit "+first.Name+" as admin", "▸ Account Name")
	s.focusField("▸ Account Phone")
	s.press("ctrl+u")
	s.press("555-0199")
	s.press("ctrl+s")
	v := s.wait("✓ as admin: edit Account")
	flat := strings.Join(strings.Fields(v), " ")
	if !strings.Contains(flat, `✓ as admin: edit Account "`+first.Name+`": Account Phone "555-0199"`) || strings.Contains(flat, "Phone:") {
		t.Fatalf("the status line does not name the record and the field by label:\n%s", v)
	}
}
