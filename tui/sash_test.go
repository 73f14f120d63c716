package tui

import (
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// A red record page names the same cause as the engine's message in Pending Changes: the org
// answers NOT_FOUND for a record the user lost access to, and that is not a deleted record.
func TestRedRecordPageNamesTheCauseTheEngineFound(t *testing.T) {
	tests := []struct {
		name, code, message string
		want                []string
		unwanted            string
	}{
		{"deleted", "ENTITY_IS_DELETED", "Record was deleted by another user",
			[]string{"Can't be saved: record was deleted", "(record deleted)", "Locked: this account was deleted on the org"}, "access"},
		{"deleted for good", "NOT_FOUND", "Record was deleted by another user",
			[]string{"Can't be saved: record was deleted", "(record deleted)", "Locked: this account was deleted on the org"}, "access"},
		{"access lost", "NOT_FOUND", "You no longer have access to this record",
			[]string{"Can't be saved: you no longer have access", "(no access)", "Locked: you no longer have access to this account"}, "deleted"},
		{"read only now", "INSUFFICIENT_ACCESS_OR_READONLY", "You no longer have access to change this record",
			[]string{"Can't be saved: you no longer have access", "(no access)", "Locked: you no longer have access to this account"}, "deleted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := seededFake(2)
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
				Op: pending.OpUpdate, Status: pending.StatusFailed, Code: tc.code, Message: tc.message, Changes: remote.Fields{"Phone": "1"}})
			d := newDriver(t, f, 100, 30)
			d.keys("enter", "enter", "e")
			d.requireView(tc.want...)
			d.refuseView(tc.unwanted)
		})
	}
}
