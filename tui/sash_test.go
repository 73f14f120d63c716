package tui

import (
	"strings"

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
			[]string{"Can't be saved: you can no longer change it", "Locked: you can no longer change this account (you may still read it)", "[t] New Task  [c] New Contact"}, "(no access)"},
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

// The sync note and the alert count the changes that need the user as the status bar does:
// orange ones to resolve apart from red ones that can only be dismissed.
func TestSyncNoteAndAlertCountOrangeAndRedApart(t *testing.T) {
	tests := []struct {
		name     string
		statuses []pending.Status
		want     []string
		unwanted []string
	}{
		{"orange only", []pending.Status{pending.StatusConflict, pending.StatusInvalid},
			[]string{"2 changes need your attention.", "2 changes could not be synced and need your attention", "to resolve them"},
			[]string{"can't be saved."}},
		{"red only", []pending.Status{pending.StatusFailed, pending.StatusFailed, pending.StatusFailed},
			[]string{"3 changes can't be saved.", "3 changes could not be synced and can't be saved", "dismiss them", "✖ 3 can't be saved"},
			[]string{"need your attention", "▲"}},
		{"both", []pending.Status{pending.StatusConflict, pending.StatusFailed, pending.StatusFailed},
			[]string{"1 change needs your attention. 2 changes can't be saved.", "3 changes could not be synced: 1 needs your",
				"resolve or dismiss", "▲ 1 needs attention", "✖ 2 can't be saved"},
			[]string{"3 changes need your attention"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := seededFake(3)
			for i, st := range tc.statuses {
				f.setEntry(pending.Entry{ID: sprintf("e%d", i), Object: "Account", RecordID: sprintf("001%015d", i), Name: sprintf("Acme %06d", i),
					Op: pending.OpUpdate, Status: st, Code: "ENTITY_IS_DELETED"})
			}
			d := newDriver(t, f, 100, 30)
			sum := pending.Summary{Attention: len(tc.statuses)}
			d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &sum}})
			v := d.view()
			for _, w := range tc.want {
				if !strings.Contains(v, w) {
					t.Errorf("view lacks %q:\n%s", w, d.view())
				}
			}
			for _, w := range tc.unwanted {
				if strings.Contains(v, w) {
					t.Errorf("view has %q:\n%s", w, d.view())
				}
			}
		})
	}
}
