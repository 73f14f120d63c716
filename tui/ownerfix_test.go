package tui

import (
	"context"
	"sync"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// fixCapture keeps the fields a fix was saved with.
type fixCapture struct {
	namedBackend
	mu  sync.Mutex
	got remote.Fields
}

func (b *fixCapture) Fix(ctx context.Context, id string, fields remote.Fields) error {
	b.mu.Lock()
	b.got = fields
	b.mu.Unlock()
	return b.namedBackend.Fix(ctx, id, fields)
}

// An owner change the org refused asks the user to set Owner back: the fix form offers Owner
// (users are no cached records, so it is typed, as on the conflict screen), flagged with the
// org's message, and takes the name the message gives.
func TestTheFixFormOffersAnOwnerTheOrgRefusedTypedByName(t *testing.T) {
	const adminID = "005Dm0000000003IAA"
	f := seededFake(2)
	d := f.desc["Account"]
	d.Fields = append(d.Fields, remote.Field{Name: "OwnerId", Label: "Owner", Type: "reference", ReferenceTo: []string{"User"}, Updateable: true})
	f.records["Account"][0]["OwnerId"] = adminID
	msg := "The org refused the change of Owner: only the record's owner or an admin can give it to another user"
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusInvalid, Code: "INSUFFICIENT_ACCESS_OR_READONLY",
		Changes: remote.Fields{"OwnerId": adminID, "Phone": "1"},
		Errors:  []pending.FieldError{{Field: "OwnerId", Code: "INSUFFICIENT_ACCESS_OR_READONLY", Message: msg}}})
	b := &fixCapture{namedBackend: namedBackend{f, map[string]string{samID: "Sam Chen", adminID: "Ada Admin"}}}
	dr := newDriver(t, b, 100, 30)
	dr.keys("enter", "enter", "r")
	dr.requireView("Fix Account", "▲ Owner", "Ada Admin", "only the record's owner or an admin")
	dr.refuseView("OwnerId:")
	for range len("Ada Admin") {
		dr.keys("backspace")
	}
	dr.keys("Sam Chen")
	dr.keys("ctrl+s")
	dr.requireView("Fix saved")
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.got["OwnerId"] != samID {
		t.Fatalf("the fix was saved with %v; want Owner %s (Sam Chen)", b.got, samID)
	}
}

// An owner the form cannot name (a queue owns cases and leads on a real org) is sent as it
// stands when the user leaves it untouched: never emptied.
func TestTheFixFormSendsAnUntouchedOwnerItCannotNameAsItStands(t *testing.T) {
	const queue = "00G5g000000AbCdEAK"
	f := seededFake(2)
	d := f.desc["Account"]
	d.Fields = append(d.Fields, remote.Field{Name: "OwnerId", Label: "Owner", Type: "reference", ReferenceTo: []string{"Group", "User"}, Updateable: true})
	f.records["Account"][0]["OwnerId"] = queue
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusInvalid, Code: "INVALID_CROSS_REFERENCE_KEY",
		Changes: remote.Fields{"OwnerId": queue, "Phone": "1"},
		Errors:  []pending.FieldError{{Field: "OwnerId", Code: "INVALID_CROSS_REFERENCE_KEY", Message: "invalid cross reference id"}}})
	b := &fixCapture{namedBackend: namedBackend{f, nil}}
	dr := newDriver(t, b, 100, 30)
	dr.keys("enter", "enter", "r")
	dr.requireView("Fix Account", "▲ Owner", queue)
	dr.keys("ctrl+s")
	dr.requireView("Fix saved")
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.got["OwnerId"] != queue {
		t.Fatalf("the fix was saved with %v; want the owner left as it stood, %s", b.got, queue)
	}
}
