package pending

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// Op is what a pending entry does to its record.
type Op string

const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// Status is where a pending entry stands. The sash is derived from it.
type Status string

const (
	StatusPending  Status = "pending"  // green: waiting to sync (offline, queued, or retrying)
	StatusSyncing  Status = "syncing"  // green (busy): in flight
	StatusWaiting  Status = "waiting"  // green: waits for a record created offline
	StatusConflict Status = "conflict" // orange: another user changed the same fields
	StatusInvalid  Status = "invalid"  // orange: the org refused it (rule, required, bad value, duplicate)
	StatusFailed   Status = "failed"   // red: record deleted or access lost; only dismiss
)

// Sash is the colour family of a status.
type Sash int

const (
	SashNone Sash = iota
	SashGreen
	SashOrange
	SashRed
)

// Sash derives the sash from the status.
func (s Status) Sash() Sash {
	switch s {
	case StatusPending, StatusSyncing, StatusWaiting:
		return SashGreen
	case StatusConflict, StatusInvalid:
		return SashOrange
	case StatusFailed:
		return SashRed
	}
	return SashNone
}

// Locked reports whether a record with an entry in this status refuses edits and deletes
// except through resolution.
func (s Status) Locked() bool { return s.Sash() == SashOrange || s.Sash() == SashRed }

// FieldError is one org message about one field (or the record when Field is "").
type FieldError struct {
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Conflict is one field both the user and another user changed since the base.
type Conflict struct {
	Field    string    `json:"field"`
	Base     any       `json:"base"`
	Theirs   any       `json:"theirs"`
	Mine     any       `json:"mine"`
	TheirsBy string    `json:"theirsBy"` // LastModifiedById of the server copy; RecordView.Names has the user's name
	TheirsAt time.Time `json:"theirsAt"` // LastModifiedDate of the server copy
	// Sent are other values of the user's that earlier sends of the change carried for the
	// field, oldest first, when no reply came: the org may have taken them before theirs.
	Sent []any `json:"sent"`
}

// MarshalJSON writes every key of a conflict, sent as [] when no earlier send is in question.
func (c Conflict) MarshalJSON() ([]byte, error) {
	type plain Conflict // without this method
	if c.Sent == nil {
		c.Sent = []any{}
	}
	return json.Marshal(plain(c))
}

// Entry is one pending change: one per record.
type Entry struct {
	ID          string         `json:"id"` // UUID; also the Offline_Key__c of a create
	Seq         int64          `json:"seq"`
	Object      string         `json:"object"`
	RecordID    string         `json:"recordId"` // server id, or a local id ("local-…") for creates not yet synced
	Name        string         `json:"name"`     // the record's display name when last changed
	Op          Op             `json:"op"`
	Changes     remote.Fields  `json:"changes"` // field → new value
	Base        remote.Fields  `json:"base"`    // server values of the changed fields at the first change
	BaseVersion remote.Version `json:"baseVersion"`
	Status      Status         `json:"status"`
	Code        string         `json:"code"`    // the org's error code, if any
	Message     string         `json:"message"` // a human summary of the problem
	Errors      []FieldError   `json:"errors"`
	Conflicts   []Conflict     `json:"conflicts"`
	WaitingOn   string         `json:"waitingOn"` // local id this entry depends on
	Attempts    int            `json:"attempts"`
	NextAttempt time.Time      `json:"nextAttempt"` // zero when no retry is scheduled (null in JSON)
	CreatedAt   time.Time      `json:"createdAt"`
	UpdatedAt   time.Time      `json:"updatedAt"`
	// InDoubt: the outcome of the last send is unknown (no reply came, or the request failed as
	// a whole, a 503 say, after it may have reached the org), so the org may already have
	// applied it; the next sync checks before sending again (a create whose reply was lost may
	// be on the org: it cannot be deleted until a sync settles it).
	InDoubt bool `json:"inDoubt"`
}

// MarshalJSON writes every key of an entry whatever its state, so that scripts reading
// `pending --json` find the same keys on each: empty lists as [], no retry scheduled as a null
// nextAttempt.
func (e Entry) MarshalJSON() ([]byte, error) {
	out := struct {
		ID          string         `json:"id"`
		Seq         int64          `json:"seq"`
		Object      string         `json:"object"`
		RecordID    string         `json:"recordId"`
		Name        string         `json:"name"`
		Op          Op             `json:"op"`
		Changes     remote.Fields  `json:"changes"`
		Base        remote.Fields  `json:"base"`
		BaseVersion remote.Version `json:"baseVersion"`
		Status      Status         `json:"status"`
		Code        string         `json:"code"`
		Message     string         `json:"message"`
		Errors      []FieldError   `json:"errors"`
		Conflicts   []Conflict     `json:"conflicts"`
		WaitingOn   string         `json:"waitingOn"`
		Attempts    int            `json:"attempts"`
		NextAttempt *time.Time     `json:"nextAttempt"`
		CreatedAt   time.Time      `json:"createdAt"`
		UpdatedAt   time.Time      `json:"updatedAt"`
		InDoubt     bool           `json:"inDoubt"`
	}{e.ID, e.Seq, e.Object, e.RecordID, e.Name, e.Op, e.Changes, e.Base, e.BaseVersion, e.Status, e.Code, e.Message,
		e.Errors, e.Conflicts, e.WaitingOn, e.Attempts, nil, e.CreatedAt, e.UpdatedAt, e.InDoubt}
	if out.Changes == nil {
		out.Changes = remote.Fields{}
	}
	if out.Base == nil {
		out.Base = remote.Fields{}
	}
	if out.Errors == nil {
		out.Errors = []FieldError{}
	}
	if out.Conflicts == nil {
		out.Conflicts = []Conflict{}
	}
	if !e.NextAttempt.IsZero() {
		out.NextAttempt = &e.NextAttempt
	}
	return json.Marshal(out)
}

// Cause is why a red (failed) change can't be saved, as far as the engine could tell.
type Cause int

const (
	CauseOther    Cause = iota // the org refused the change for another reason
	CauseDeleted               // the record was deleted (the engine found it in the recycle bin, or the org said so)
	CauseNoAccess              // the record is out of this user's reach (unshared, owner changed, deleted for good)
)

// Cause says why the change can't be saved: CauseOther unless it is red and the record was
// deleted or is out of reach. The org answers NOT_FOUND both for a record deleted for good and
// for one the user can no longer see; the engine looks in the recycle bin to tell them apart,
// and its message records what it found.
func (e Entry) Cause() Cause {
	if e.Status != StatusFailed {
		return CauseOther
	}
	switch {
	case e.Message == msgDeleted, strings.HasPrefix(e.Message, msgDeletedWith), e.Code == "ENTITY_IS_DELETED":
		return CauseDeleted
	case e.Message == msgNoAccess, e.Message == msgNoAccessToChange, e.Message == msgNoAccessToDelete, noAccessCode(e.Code):
		return CauseNoAccess
	}
	return CauseOther
}

// noAccessCode reports the error codes that say the record is out of the user's reach.
func noAccessCode(code string) bool {
	return code == "NOT_FOUND" || code == "INVALID_CROSS_REFERENCE_KEY" || strings.HasPrefix(code, "INSUFFICIENT_ACCESS")
}

// Choice says how to resolve one conflicting field.
type Choice struct {
	Take  Take
	Value any // when Take is TakeValue
}

// Take is the side chosen for a conflicting field.
type Take int

const (
	TakeMine Take = iota
	TakeTheirs
	TakeValue
)

// ListQuery asks for one page of cached records of one object, as the user sees them.
type ListQuery struct {
	Object string
	Filter string            // case-insensitive substring of the name or a short text field (phone, email, city…)
	Where  map[string]string // exact field matches, e.g. {"AccountId": id} for a related list
	Offset int
	Limit  int
	// Around, when set, asks for the page that holds this record (a quarter of the page above
	// it), wherever it now sorts; Offset then applies only when the record is not among the
	// rows. Page.Offset says where the page starts.
	Around string
}

// Row is one record in a list: the merged view (server copy + pending change).
type Row struct {
	ID     string
	Name   string
	Fields remote.Fields
	Status Status // "" when the record has no pending entry
	Op     Op
}

// Page is a page of rows and the total matching the query.
type Page struct {
	Rows   []Row
	Total  int
	Offset int // the row the page starts at
}

// RecordView is one record as the user sees it.
type RecordView struct {
	Object string
	ID     string
	Name   string
	Fields remote.Fields     // merged: server copy with the pending change laid over it
	Server remote.Fields     // the cached server copy; nil for a record created offline
	Entry  *Entry            // nil when nothing is pending
	Names  map[string]string // id → name: the records its lookups point at, and the users (owner, authors, a conflict's TheirsBy)
	Access Access            // what the org lets the user do with it, as last asked
	Me     string            // the signed-in user's id ("" before the device first synced)
}

// Access is what the org lets the user do with a record they do not own, as the device last
// learnt it (UserRecordAccess during sync).
type Access string

const (
	AccessFull Access = ""     // edit and delete (the user's own record, or never asked: the org decides at sync)
	AccessEdit Access = "edit" // shared to edit: no delete
	AccessRead Access = "read" // shared read-only
)

// CanEdit reports whether the org would take a change to the record.
func (a Access) CanEdit() bool { return a == AccessFull || a == AccessEdit }

// CanDelete reports whether the org would take the record's deletion.
func (a Access) CanDelete() bool { return a == AccessFull }

// Summary is the outcome of one sync run.
type Summary struct {
	Synced    int // entries that reached the org and left the queue
	Merged    int // of which rebased onto another user's disjoint change
	Attention int // entries now conflict, invalid or failed
	Retrying  int // entries left pending after a transient error
	Waiting   int
	Err       error // auth or network failure that stopped the run, if any
	// Unrefreshed names the objects whose refresh the org refused ("Task: why"): their cached
	// records may be out of date, or missing on a device never primed. The run goes on.
	Unrefreshed []string
}

// EventKind says what an Event reports.
type EventKind int

const (
	EventEntryChanged EventKind = iota // an entry was added, changed status or was coalesced
	EventEntryRemoved                  // an entry left the queue (synced, discarded, dismissed)
	EventSyncStarted
	EventSyncProgress
	EventSyncFinished // Summary is set
	EventOnlineChanged
	EventAuthRequired   // a 401 paused sync; the user must sign in again
	EventCacheRefreshed // sync-down changed cached records
)

// Event is one state change, for a UI to redraw without polling.
type Event struct {
	Kind     EventKind
	EntryID  string
	RecordID string
	Status   Status
	Online   bool
	Done     int // progress
	Total    int
	Summary  *Summary
	// Reason is why sync paused, for EventAuthRequired: the sign-in's refusal, as the org or
	// the way of signing in said it.
	Reason string
}

// Activity is one request the engine made (or one decision it took), for the activity log.
type Activity struct {
	At       time.Time     `json:"at"`
	Method   string        `json:"method"`
	Path     string        `json:"path"`
	Status   int           `json:"status"`
	Code     string        `json:"code,omitempty"`
	Duration time.Duration `json:"duration"`
	EntryID  string        `json:"entryId,omitempty"`
	RecordID string        `json:"recordId,omitempty"`
	Note     string        `json:"note,omitempty"` // e.g. "auto-merged disjoint edit"
}

// NextDue says, for a queue as Entries lists it, when a sync can next move it on: the earliest
// next attempt among the changes that can still sync without the user (zero: now), and how
// many of them there are. A change waiting for a record created offline is due when that
// create is; one waiting (directly or through other new records) on a create that needs the
// user (orange or red) needs the user too, and is not counted: syncing again cannot move it.
func NextDue(entries []Entry) (next time.Time, n int) {
	creates := map[string]*Entry{}
	for i := range entries {
		if entries[i].Op == OpCreate {
			creates[entries[i].RecordID] = &entries[i]
		}
	}
	for _, e := range entries {
		if e.Status.Locked() {
			continue
		}
		due, blocked := e.NextAttempt, false
		seen := map[string]bool{}
		for w := e; w.Status == StatusWaiting && w.WaitingOn != "" && !seen[w.WaitingOn]; {
			seen[w.WaitingOn] = true
			p := creates[w.WaitingOn]
			if p == nil {
				break // created meanwhile: the next sync sends it
			}
			if p.Status.Locked() {
				blocked = true
				break
			}
			if p.NextAttempt.After(due) {
				due = p.NextAttempt
			}
			w = *p
		}
		if blocked {
			continue
		}
		n++
		if n == 1 || due.Before(next) {
			next = due
		}
	}
	return next, n
}
