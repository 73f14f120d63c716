package mockorg

import (
	"fmt"
	"net/http"
	"sort"
)

// A row lock makes the org refuse writes to one record with UNABLE_TO_LOCK_ROW, as a real org
// does while another transaction (a bulk job, a trigger, a long save) holds the row: only
// updates and deletes of that record are refused, each as a record-level DML error in the
// usual shape (a 400 error array alone, a failed subrequest of a 200 Composite, a failed
// record of an sObject Collections reply); reads and other records go on. Row locks live in
// memory only: a restarted or reset org holds none.
//
// Over HTTP: POST /mockorg/v1/lock {"recordId":…,"writes":N} locks (writes 0 unlocks, none
// locks until unlocked), DELETE /mockorg/v1/lock/{id} unlocks, GET /mockorg/v1/lock lists.

// RowLock is one locked record: Writes is how many more writes it refuses (0 = until unlocked).
type RowLock struct {
	RecordID string `json:"recordId"`
	Writes   int    `json:"writes,omitempty"` // left out of the JSON when 0, as POST takes it
	Refused  int    `json:"refused"`          // writes refused so far
}

// errRowLocked is what a real org answers a write to a locked row.
func errRowLocked() *apiError {
	return newErr(http.StatusBadRequest, "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record or 1 records")
}

// LockRow locks a record for writes: its next writes writes are refused, or every write until
// UnlockRow when writes is 0. Locking a locked record starts its count again.
func (o *Org) LockRow(recordID string, writes int) error {
	if writes < 0 {
		return fmt.Errorf("writes must not be negative, not %d", writes)
	}
	id, valid := NormalizeID(recordID)
	if !valid {
		return fmt.Errorf("malformed record id %q", recordID)
	}
	o.mu.RLock()
	r := o.recs[id]
	o.mu.RUnlock()
	if r == nil || r.Object.Name == "User" {
		return fmt.Errorf("no record %s", id)
	}
	o.rowMu.Lock()
	defer o.rowMu.Unlock()
	if o.rowLocks == nil {
		o.rowLocks = map[string]*RowLock{}
	}
	o.rowLocks[id] = &RowLock{RecordID: id, Writes: writes}
	return nil
}

// UnlockRow takes a record's lock away; it reports whether the record was locked.
func (o *Org) UnlockRow(recordID string) bool {
	id, valid := NormalizeID(recordID)
	if !valid {
		return false
	}
	o.rowMu.Lock()
	defer o.rowMu.Unlock()
	_, held := o.rowLocks[id]
	delete(o.rowLocks, id)
	return held
}

// RowLocks lists the locked records, by id.
func (o *Org) RowLocks() []RowLock {
	o.rowMu.Lock()
	defer o.rowMu.Unlock()
	out := make([]RowLock, 0, len(o.rowLocks))
	for _, l := range o.rowLocks {
		c := *l
		if c.Writes > 0 {
			c.Writes = max(0, c.Writes-c.Refused) // the writes it will still refuse
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RecordID < out[j].RecordID })
	return out
}

// clearRowLocks drops every row lock (a reset org starts with none).
func (o *Org) clearRowLocks() {
	o.rowMu.Lock()
	o.rowLocks = nil
	o.rowMu.Unlock()
}

// rowLocked reports whether a write of the record is refused now, and counts the refusal: a
// lock of N writes is gone once it has refused N.
func (o *Org) rowLocked(id string) *apiError {
	o.rowMu.Lock()
	defer o.rowMu.Unlock()
	l := o.rowLocks[id]
	if l == nil {
		return nil
	}
	l.Refused++
	if l.Writes > 0 && l.Refused >= l.Writes {
		delete(o.rowLocks, id)
	}
	return errRowLocked()
}
