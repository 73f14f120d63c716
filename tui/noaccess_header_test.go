package tui

import (
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

func TestARecordRedForLostAccessClaimsNoShareInItsHeader(t *testing.T) {
	cases := []struct {
		name, code string
		want       string
	}{
		{"out of reach", "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY", "(no access)"},
		{"gone for this user", "NOT_FOUND", "(no access)"},
		{"still readable", "INSUFFICIENT_ACCESS_OR_READONLY", "(read only)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := seededFake(1)
			f.access = map[string]pending.Access{"001000000000000000": pending.AccessEdit}
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
				Op: pending.OpUpdate, Status: pending.StatusFailed, Code: c.code, Message: "insufficient access rights on object id",
				Changes: remote.Fields{"Phone": "1"}})
			d := newDriver(t, f, 120, 30)
			d.keys("o", "enter", "enter")
			d.requireView("Acme 000000", c.want)
			d.refuseView("shared with you")
		})
	}
}
