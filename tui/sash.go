package tui

import (
	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
)

// sashSymbol is the shape of each sash, so that colour is never the only signal.
func sashSymbol(s pending.Status) string {
	switch s {
	case pending.StatusSyncing:
		return "◐"
	case pending.StatusPending, pending.StatusWaiting:
		return "●"
	case pending.StatusConflict, pending.StatusInvalid:
		return "▲"
	case pending.StatusFailed:
		return "✖"
	}
	return " "
}

// sashMark is what a sash shows: the change's status and what the change does (a delete
// reads differently from an edit).
type sashMark struct {
	st pending.Status
	op pending.Op
}

// shortWord is the status word of a list row.
func shortWord(s pending.Status, op pending.Op) string {
	if op == pending.OpDelete {
		switch s {
		case pending.StatusPending:
			return "To delete"
		case pending.StatusSyncing:
			return "Deleting"
		}
	}
	switch s {
	case pending.StatusPending:
		return "To sync"
	case pending.StatusSyncing:
		return "Syncing"
	case pending.StatusWaiting:
		// Not "Waiting": a change to sync waits too; this one waits for a record created
		// offline (its parent) to sync first.
		return "Waits for parent"
	case pending.StatusConflict:
		return "Conflict"
	case pending.StatusInvalid:
		return "Fix errors"
	case pending.StatusFailed:
		return "Can't be saved"
	}
	return ""
}

// inDoubtWord says what a change waiting to sync whose last send got no reply is: the org may
// have it already, and the next sync looks before sending it again.
func inDoubtWord(op pending.Op) string {
	if op == pending.OpDelete {
		return "To delete: sent, no reply yet; the next sync checks whether the org has deleted it"
	}
	return "Sent, no reply yet: the next sync checks whether the org has it"
}

// entryWord is longWordOp for an entry: a change waiting to sync that was sent with no reply
// says so (after a quit in the middle of a sync, say), not only that it waits.
func entryWord(e pending.Entry) string {
	if e.InDoubt && e.Status == pending.StatusPending {
		return inDoubtWord(e.Op)
	}
	return longWordOp(e.Status, e.Op, e.Code, e.Message)
}

// entrySash is longSashOp for an entry, in entryWord's words.
func (s Styles) entrySash(e pending.Entry) string {
	if e.Status == "" {
		return ""
	}
	return s.sashStyle(e.Status).Render(sashSymbol(e.Status) + " " + entryWord(e))
}

// longWordOp is longWord for a change that does op: a delete waiting to sync says so.
func longWordOp(s pending.Status, op pending.Op, code, message string) string {
	if op == pending.OpDelete {
		switch s {
		case pending.StatusPending:
			return "To delete: waiting to sync"
		case pending.StatusSyncing:
			return "Deleting now"
		}
	}
	return longWord(s, code, message)
}

// wordGivenAway is the red sash of a change to a record given to another user since.
const wordGivenAway = "Can't be saved: given to another user"

// longWord says what a sash means, in the words of the highlights area and Pending Changes.
func longWord(s pending.Status, code, message string) string {
	switch s {
	case pending.StatusPending:
		return "Waiting to sync"
	case pending.StatusSyncing:
		return "Syncing now"
	case pending.StatusWaiting:
		return "Waiting to sync: needs a record created offline to sync first"
	case pending.StatusConflict:
		return "Needs your attention: conflict"
	case pending.StatusInvalid:
		switch code {
		case codeReferenceDiscarded:
			// Never sent: the device itself stopped it, the org never saw it.
			return "Needs your attention: a record it points at was discarded on this device"
		case codeReferenceCycle:
			return "Needs your attention: it and another new record point at each other"
		}
		return "Needs your attention: the org refused the change"
	case pending.StatusFailed:
		switch redCauseOf(code, message) {
		case causeDeleted:
			return "Can't be saved: record was deleted"
		case causeNoAccess:
			if givenAway(code, message) {
				return wordGivenAway
			}
			if stillReadable(code) {
				return "Can't be saved: you can no longer change it"
			}
			return "Can't be saved: you no longer have access"
		}
		return "Can't be saved"
	}
	return ""
}

// The codes the engine gives a change it stopped on the device, before the org saw it: a lookup
// at a new record discarded here, and two new records pointing at each other.
const (
	codeReferenceDiscarded = "REFERENCE_DISCARDED"
	codeReferenceCycle     = "REFERENCE_CYCLE"
)

// redCause is why a red change can't be saved, as far as the screens tell it apart.
type redCause int

const (
	causeOther    redCause = iota
	causeDeleted           // another user deleted the record
	causeNoAccess          // the record is out of this user's reach (unshared, owner changed)
)

// redCauseOf reads why a red change can't be saved from its error code and the engine's
// message, as the engine tells it (pending.Entry.Cause).
func redCauseOf(code, message string) redCause {
	switch (pending.Entry{Status: pending.StatusFailed, Code: code, Message: message}).Cause() {
	case pending.CauseDeleted:
		return causeDeleted
	case pending.CauseNoAccess:
		return causeNoAccess
	}
	return causeOther
}

// givenAway says whether a red change can't be saved because its record was given to another
// user since the change was made (its message says who gave it to whom), as the engine tells it
// (pending.Entry.GivenAway).
func givenAway(code, message string) bool {
	return pending.Entry{Status: pending.StatusFailed, Code: code, Message: message}.GivenAway()
}

func (s Styles) sashStyle(st pending.Status) lipgloss.Style {
	switch st.Sash() {
	case pending.SashGreen:
		return s.Green
	case pending.SashOrange:
		return s.Orange
	case pending.SashRed:
		return s.Red
	}
	return s.Value
}

// shortSash renders the row sash: symbol and short word, in the sash colour.
func (s Styles) shortSash(st pending.Status, op pending.Op) string {
	if st == "" {
		return ""
	}
	return s.sashStyle(st).Render(sashSymbol(st) + " " + shortWord(st, op))
}

// longSash renders the sash with what it means.
func (s Styles) longSash(st pending.Status, code, message string) string {
	return s.longSashOp(st, "", code, message)
}

// longSashOp renders the sash of a change that does op with what it means.
func (s Styles) longSashOp(st pending.Status, op pending.Op, code, message string) string {
	if st == "" {
		return ""
	}
	return s.sashStyle(st).Render(sashSymbol(st) + " " + longWordOp(st, op, code, message))
}

// sashColumn is the width the sash column needs for rows with these statuses: the widest
// symbol and word, or 0 when none of them has a sash.
func sashColumn(marks ...sashMark) int {
	w := 0
	for _, mk := range marks {
		if mk.st == "" {
			continue
		}
		w = max(w, lipgloss.Width(sashSymbol(mk.st)+" "+shortWord(mk.st, mk.op)))
	}
	return w
}

// sashCell is a row's sash padded to the column width and followed by a space; "" when the
// column is empty.
func (s Styles) sashCell(st pending.Status, op pending.Op, w int) string {
	if w <= 0 {
		return ""
	}
	return fit(s.shortSash(st, op), w) + " "
}

// sashGap is the room a sash cell takes: the column and its space.
func sashGap(w int) int {
	if w <= 0 {
		return 0
	}
	return w + 1
}
