package pending

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/internal/plain"
	"github.com/offline-edit/offline-edit/remote"
)

func notFound(what string, err error) error {
	if errors.Is(err, cache.ErrNotFound) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return err
}

func (e *Engine) describeTx(ctx context.Context, tx *cache.Tx, object string) (*remote.Describe, error) {
	if !e.cachedObject(object) {
		return nil, fmt.Errorf("object %q is not cached on this device: %w", object, ErrNotFound)
	}
	d, err := tx.Describe(ctx, object)
	if err != nil {
		return nil, notFound(fmt.Sprintf("object %s has not been synced to this device yet", object), err)
	}
	return d, nil
}

func (e *Engine) cachedObject(object string) bool {
	for _, o := range e.opts.Objects {
		if o == object {
			return true
		}
	}
	return false
}

// checkFields refuses fields the describe does not have or the user may not set.
func checkFields(d *remote.Describe, fields remote.Fields, creating bool) error {
	for _, k := range sortedKeys(fields) {
		f, ok := d.Field(k)
		if !ok {
			return fmt.Errorf("%w: %s has no field %s", ErrNotAllowed, d.Name, k)
		}
		if f.Name != k {
			fields[f.Name] = fields[k]
			delete(fields, k)
		}
		if creating && !f.Createable {
			return fmt.Errorf("%w: %s.%s can't be set on a new record", ErrNotAllowed, d.Name, f.Name)
		}
		if !creating && !f.Updateable {
			return fmt.Errorf("%w: %s.%s is read-only", ErrNotAllowed, d.Name, f.Name)
		}
		if err := checkValue(f, fields[f.Name]); err != nil {
			return fmt.Errorf("%w: %s.%s: %w", ErrNotAllowed, d.Name, f.Name, err)
		}
		if s, ok := fields[f.Name].(string); ok && f.Type == "multipicklist" {
			fields[f.Name] = inPicklistOrder(f, s)
		}
	}
	return nil
}

// inPicklistOrder writes a multi-select value as the org stores it: each value once, without
// the spaces around it, in the picklist's order ("Support Plans; Hardware" is
// "Hardware;Support Plans"); a value the picklist does not list goes last, as given (the org
// refuses it, naming it).
func inPicklistOrder(f remote.Field, s string) string {
	given := remote.SplitChoices(s)
	chosen := make(map[string]bool, len(given))
	for _, v := range given {
		chosen[v] = true
	}
	out := make([]string, 0, len(given))
	for _, p := range f.PicklistValues {
		if chosen[p.Value] {
			out = append(out, p.Value)
			delete(chosen, p.Value)
		}
	}
	for _, v := range given {
		if chosen[v] {
			out = append(out, v)
		}
	}
	return strings.Join(out, ";")
}

// The moments an org keeps: from 1700-01-01T00:00:00Z to 4000-12-31T00:00:00Z; a date field
// any day of those years.
var (
	firstMoment = time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)
	lastMoment  = time.Date(4000, 12, 31, 0, 0, 0, 0, time.UTC)
)

// checkValue refuses a value the org would refuse for the field's type whatever the record: a
// number field takes a number (a whole one for an integer), a checkbox true or false, a date a
// day, a date-time an instant, text a string no longer than the field (lookups, which may hold
// the longer id of a record created offline, any string). Null clears any field.
func checkValue(f remote.Field, v any) error {
	if v == nil {
		return nil
	}
	switch f.Type {
	case "double", "currency", "percent", "int", "long":
		n, ok := v.(float64)
		if !ok {
			return fmt.Errorf("%v is not a number", v)
		}
		if (f.Type == "int" || f.Type == "long") && n != math.Trunc(n) {
			return fmt.Errorf("%v is not a whole number", v)
		}
		// Precision counts all digits, scale those after the point: the org refuses a number
		// with more digits before it (NUMBER_OUTSIDE_VALID_RANGE). A field whose describe gives
		// no precision (an integer on a real org says digits instead) is left to the org.
		if whole := f.Precision - f.Scale; f.Precision > 0 && whole >= 0 && math.Abs(n) >= math.Pow10(whole) {
			return fmt.Errorf("%v is too large: at most %d digit(s) before the decimal point", v, whole)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%v is not true or false", v)
		}
	case "date":
		s, ok := v.(string)
		t, err := time.Parse(time.DateOnly, s)
		if !ok || err != nil {
			return fmt.Errorf("%v is not a date (YYYY-MM-DD)", v)
		}
		if y := t.Year(); y < 1700 || y > 4000 {
			return fmt.Errorf("%s is outside the dates the org keeps (1700-01-01 to 4000-12-31)", s)
		}
	case "datetime":
		s, ok := v.(string)
		t, err := remote.ParseTime(s)
		if !ok || err != nil {
			return fmt.Errorf("%v is not a date and time", v)
		}
		if t.Before(firstMoment) || t.After(lastMoment) {
			return fmt.Errorf("%s (%s) is outside the moments the org keeps (1700-01-01 00:00 to 4000-12-31 00:00 UTC)",
				s, t.UTC().Format("2006-01-02 15:04 UTC"))
		}
	case "reference", "id":
		s, ok := v.(string)
		if !ok || s != "" && !IsLocalID(s) && !looksLikeID(s) {
			return fmt.Errorf("%v is not a record id: 15 or 18 letters and digits (the org's id), or the local-… id of a record created on this device (new prints it)", v)
		}
	case "string", "textarea", "phone", "email", "url", "picklist", "multipicklist", "combobox", "encryptedstring":
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%v is not text", v)
		}
		if n := utf8.RuneCountInString(s); f.Length > 0 && n > f.Length {
			return fmt.Errorf("%d characters, the field takes %d", n, f.Length)
		}
	}
	return nil
}

// settleRefs replaces local ids that already have server ids and decides whether the entry
// waits for a record created offline.
func settleRefs(ctx context.Context, tx *cache.Tx, ent *entry) error {
	ent.WaitingOn = ""
	for k, v := range ent.Changes {
		s, ok := v.(string)
		if !ok || !IsLocalID(s) {
			continue
		}
		if sid, err := tx.ServerID(ctx, s); err != nil {
			return err
		} else if sid != "" {
			ent.Changes[k] = sid
			continue
		}
		parent, err := entryByRecord(ctx, tx, s)
		if err != nil {
			return err
		}
		if parent == nil || parent.Op != OpCreate {
			d, _ := tx.Describe(ctx, ent.Object)
			return fmt.Errorf("%w: %s points at a new record that was discarded (%s): choose another, or empty it", ErrNotAllowed, fieldLabel(d, k), s)
		}
		if ent.WaitingOn == "" || s < ent.WaitingOn {
			ent.WaitingOn = s
		}
	}
	if ent.Status == StatusPending || ent.Status == StatusWaiting || ent.Status == "" {
		if ent.WaitingOn != "" {
			ent.Status = StatusWaiting
		} else {
			ent.Status = StatusPending
		}
	}
	return nil
}

// Create queues a new record and returns its local id.
func (e *Engine) Create(ctx context.Context, object string, fields remote.Fields) (string, error) {
	fields, err := normalizeFields(fields)
	if err != nil {
		return "", err
	}
	delete(fields, "Id")
	localID := newLocalID()
	var ent *entry
	err = e.db.Update(ctx, func(tx *cache.Tx) error {
		d, err := e.describeTx(ctx, tx, object)
		if err != nil {
			return err
		}
		if err := checkFields(d, fields, true); err != nil {
			return err
		}
		now := e.now()
		ent = &entry{Entry: Entry{ID: newEntryID(), Object: object, RecordID: localID, Op: OpCreate,
			Changes: fields, Base: remote.Fields{}, Status: StatusPending, CreatedAt: now, UpdatedAt: now}}
		if err := settleRefs(ctx, tx, ent); err != nil {
			return err
		}
		view := withChanges(d, nil, ent.Changes)
		view["Id"] = localID
		ent.Name = displayName(d, view)
		if err := saveEntry(ctx, tx, ent); err != nil {
			return err
		}
		return tx.PutRecord(ctx, cache.Record{Object: object, ID: localID, Name: ent.Name, View: view})
	})
	if err != nil {
		return "", err
	}
	e.changed(Event{Kind: EventEntryChanged, EntryID: ent.ID, RecordID: localID, Status: ent.Status})
	return localID, nil
}

// loadForChange reads a record and its entry for a local change, enforcing the lock rule.
func (e *Engine) loadForChange(ctx context.Context, tx *cache.Tx, object, id string) (*remote.Describe, cache.Record, *entry, error) {
	d, err := e.describeTx(ctx, tx, object)
	if err != nil {
		return nil, cache.Record{}, nil, err
	}
	rec, err := tx.Record(ctx, id)
	if errors.Is(err, cache.ErrNotFound) && IsLocalID(id) {
		// Created on this device and synced since (a form open on it meanwhile): the record
		// goes by the org's id now.
		if sid, serr := tx.ServerID(ctx, id); serr == nil && sid != "" {
			rec, err = tx.Record(ctx, sid)
		}
	}
	if err != nil {
		return nil, rec, nil, notFound(fmt.Sprintf("%s %s", object, id), err)
	}
	id = rec.ID
	if rec.Object != object {
		return nil, rec, nil, fmt.Errorf("%s %s: %w", object, id, ErrNotFound)
	}
	ent, err := entryByRecord(ctx, tx, id)
	if err != nil {
		return nil, rec, nil, err
	}
	if ent != nil {
		if ent.Status.Locked() {
			how := "resolve the conflict first"
			switch ent.Status {
			case StatusInvalid:
				how = "the org refused it: fix it first"
			case StatusFailed:
				how = "it can't be saved: dismiss it first"
			}
			return nil, rec, nil, fmt.Errorf("%s %q: %w; %s", object, rec.Name, ErrLocked, how)
		}
		if ent.Status == StatusSyncing {
			return nil, rec, nil, fmt.Errorf("%w: a change to %q is %w; try again once the send ends (going offline ends it at once)", ErrNotAllowed, rec.Name, ErrSending)
		}
	}
	return d, rec, ent, nil
}

// askedAgain ends a refusal on access: a share widened since the device last asked shows after
// the next comparison with the org (at once when the device comes back online), or when the
// record's page opens online (CheckAccess).
const askedAgain = " (as the org said when last asked; it is asked again when the device comes online and when the record's page opens online)"

// accessTo is what the user may do with a cached record: everything with their own record
// (its owner, as the server copy says), else what the org said when last asked.
func (e *Engine) accessTo(ctx context.Context, tx interface {
	Access(context.Context, string, string) (string, error)
}, rec cache.Record) (Access, error) {
	me := e.myID()
	if rec.Server == nil || me == "" {
		return AccessFull, nil // created on this device, or nothing known for this user
	}
	if owner, _ := rec.Server["OwnerId"].(string); owner == me {
		return AccessFull, nil
	}
	lv, err := tx.Access(ctx, me, rec.ID)
	switch {
	case err != nil:
		return AccessFull, err
	case lv == cache.AccessEdit:
		return AccessEdit, nil
	case lv == cache.AccessRead || lv == cache.AccessNone:
		return AccessRead, nil
	}
	return AccessFull, nil
}

// mergeChanges lays fields over an entry's changes; an update takes the base of a newly
// changed field from the server copy the base came from.
func mergeChanges(ent *entry, fields remote.Fields) {
	for k, v := range fields {
		if ent.Op == OpUpdate {
			if _, had := ent.Changes[k]; !had {
				ent.Base[k] = ent.baseRecord[k]
			}
		}
		ent.Changes[k] = v
	}
}

// awaitCutOff lets a run that going offline cut off record what it sent before a change of
// the user's is judged: offline, its sends ended at once, but their changes stay "being sent"
// until the run writes so (a moment later). Going offline is the way the screens offer out of
// "being sent right now"; the change typed next must not meet it again. Online, or with no run
// under way, it returns at once; it waits two seconds at most.
func (e *Engine) awaitCutOff() {
	if e.Online() {
		return
	}
	deadline := time.Now().Add(2 * time.Second)
	for !e.runMu.TryLock() {
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.runMu.Unlock()
}

// EditOption qualifies an Edit.
type EditOption func(*editOpts)

type editOpts struct{ seen remote.Fields }

// Seen gives the values the user saw for the fields they changed, when they began to change
// them (a form's opening values): an Edit whose field now holds another value on the device (a
// sync brought another user's) is refused with a *ChangedError, rather than save over a value
// the user never saw. A field Seen leaves out is not checked.
func Seen(values remote.Fields) EditOption {
	return func(o *editOpts) { o.seen = values }
}

// ErrChangedMeanwhile is the kind of a *ChangedError.
var ErrChangedMeanwhile = errors.New("changed on this device while you edited it")

// ChangedError is an Edit refused because fields it changes hold, on the device, other values
// than the user saw (Seen). Now has the values the device holds for them.
type ChangedError struct {
	Record string        // the record's name
	Now    remote.Fields // field → the value the device holds now
}

func (c *ChangedError) Error() string {
	return fmt.Sprintf("%q: %s %s", c.Record, strings.Join(slices.Sorted(maps.Keys(c.Now)), ", "), ErrChangedMeanwhile)
}

func (c *ChangedError) Unwrap() error { return ErrChangedMeanwhile }

// sameSeen compares what the user saw of field f with what the device holds: sameFieldValue,
// and an unticked checkbox is unticked whether it holds false or nothing (a record created on
// this device leaves unticked boxes out; the org's copy says false).
func sameSeen(d *remote.Describe, f string, a, b any) bool {
	if sameFieldValue(d, f, a, b) {
		return true
	}
	if fd, ok := d.Field(f); ok && fd.Type == "boolean" {
		return (a == nil || a == false) && (b == nil || b == false)
	}
	return false
}

// Edit queues new values for a record's fields (coalesced into its entry).
func (e *Engine) Edit(ctx context.Context, object, id string, fields remote.Fields, opts ...EditOption) error {
	var o editOpts
	for _, opt := range opts {
		opt(&o)
	}
	e.awaitCutOff()
	fields, err := normalizeFields(fields)
	if err != nil {
		return err
	}
	delete(fields, "Id")
	var ent *entry
	err = e.db.Update(ctx, func(tx *cache.Tx) error {
		d, rec, cur, err := e.loadForChange(ctx, tx, object, id)
		if err != nil {
			return err
		}
		id = rec.ID // the org's id of a record created on this device and synced since
		ent = cur
		if acc, err := e.accessTo(ctx, tx, rec); err != nil {
			return err
		} else if !acc.CanEdit() {
			return fmt.Errorf("%w: %q is shared with you read-only: the org would refuse a change to it%s", ErrNotAllowed, rec.Name, askedAgain)
		} else if _, moved := fields["OwnerId"]; moved && acc != AccessFull {
			return fmt.Errorf("%w: %q is shared with you to edit: only its owner or an admin can give it to another user%s", ErrNotAllowed, rec.Name, askedAgain)
		}
		creating := ent != nil && ent.Op == OpCreate
		if err := checkFields(d, fields, creating); err != nil {
			return err
		}
		if o.seen != nil {
			now := remote.Fields{}
			for k := range fields {
				// Changed meanwhile, to another value than the one saved: the org holding what the
				// user typed leaves nothing to choose between.
				if was, ok := o.seen[k]; ok && !sameSeen(d, k, rec.View[k], was) && !sameSeen(d, k, rec.View[k], fields[k]) {
					now[k] = rec.View[k]
				}
			}
			if len(now) > 0 {
				return &ChangedError{Record: rec.Name, Now: now}
			}
		}
		if ent != nil && ent.Op == OpDelete {
			return fmt.Errorf("%w: %q is waiting to be deleted; discard the delete to edit it", ErrNotAllowed, rec.Name)
		}
		if ent == nil {
			for k, v := range fields {
				if sameFieldValue(d, k, rec.View[k], v) {
					delete(fields, k)
				}
			}
			if len(fields) == 0 {
				return nil
			}
			now := e.now()
			ent = &entry{Entry: Entry{ID: newEntryID(), Object: object, RecordID: id, Op: OpUpdate,
				Changes: remote.Fields{}, Base: remote.Fields{}, BaseVersion: rec.Version, Status: StatusPending, CreatedAt: now},
				baseRecord: rec.Server}
			if ent.baseRecord == nil {
				ent.baseRecord = remote.Fields{}
			}
		}
		ent.rememberSent() // the org may hold what the last send carried: the user's own values
		mergeChanges(ent, fields)
		ent.UpdatedAt = e.now()
		if err := settleRefs(ctx, tx, ent); err != nil {
			return err
		}
		rec.View = withChanges(d, rec.View, ent.Changes)
		rec.Name = displayName(d, rec.View)
		ent.Name = rec.Name
		if err := saveEntry(ctx, tx, ent); err != nil {
			return err
		}
		return tx.PutRecord(ctx, rec)
	})
	if err != nil || ent == nil {
		return err
	}
	e.changed(Event{Kind: EventEntryChanged, EntryID: ent.ID, RecordID: id, Status: ent.Status})
	return nil
}

// Delete queues the deletion of a record. Deleting a record created offline drops it: nothing
// is sent.
func (e *Engine) Delete(ctx context.Context, object, id string) error {
	e.awaitCutOff()
	var ev Event
	var orphaned []Event
	err := e.db.Update(ctx, func(tx *cache.Tx) error {
		_, rec, ent, err := e.loadForChange(ctx, tx, object, id)
		if err != nil {
			return err
		}
		id = rec.ID // the org's id of a record created on this device and synced since
		if acc, err := e.accessTo(ctx, tx, rec); err != nil {
			return err
		} else if acc == AccessRead {
			return fmt.Errorf("%w: %q is shared with you read-only: the org would refuse to delete it%s", ErrNotAllowed, rec.Name, askedAgain)
		} else if acc == AccessEdit {
			return fmt.Errorf("%w: %q is shared with you to edit, not to delete: only its owner or an admin can delete it%s", ErrNotAllowed, rec.Name, askedAgain)
		}
		now := e.now()
		switch {
		case ent == nil:
			base := rec.Server
			if base == nil {
				base = remote.Fields{}
			}
			ent = &entry{Entry: Entry{ID: newEntryID(), Object: object, RecordID: id, Name: rec.Name, Op: OpDelete,
				Changes: remote.Fields{}, Base: remote.Fields{}, BaseVersion: rec.Version, Status: StatusPending, CreatedAt: now},
				baseRecord: base}
		case ent.Op == OpCreate && ent.unknown:
			// The org may have made the record already (the reply to its create was lost): dropping
			// the entry would leave that record there, and deleting needs its id.
			return fmt.Errorf("%w: %q may already be on the org (the reply to its creation was lost); sync first, then delete it", ErrNotAllowed, rec.Name)
		case ent.Op == OpCreate:
			if err := deleteEntry(ctx, tx, ent.ID); err != nil {
				return err
			}
			if err := tx.DeleteRecord(ctx, id); err != nil {
				return err
			}
			ev = Event{Kind: EventEntryRemoved, EntryID: ent.ID, RecordID: id}
			orphaned, err = e.orphanDependents(ctx, tx, id)
			return err
		case ent.Op == OpDelete:
			return nil
		default:
			ent.rememberSent()
			ent.Op = OpDelete
			ent.Changes = remote.Fields{}
		}
		ent.Status, ent.WaitingOn, ent.UpdatedAt = StatusPending, "", now
		if err := saveEntry(ctx, tx, ent); err != nil {
			return err
		}
		ev = Event{Kind: EventEntryChanged, EntryID: ent.ID, RecordID: id, Status: ent.Status}
		if rec.Server != nil {
			rec.View = overlay(rec.Server, nil)
			return tx.PutRecord(ctx, rec)
		}
		return nil
	})
	if err != nil || ev.EntryID == "" {
		return err
	}
	e.emitAll(orphaned)
	e.changed(ev)
	return nil
}

// orphanDependents marks entries that point at a discarded offline record as invalid, on the
// fields that point at it, so the user picks another.
// It returns the events to emit once the transaction commits (never before: a transaction
// rolled back did nothing to tell).
func (e *Engine) orphanDependents(ctx context.Context, tx *cache.Tx, localID string) ([]Event, error) {
	deps, err := entriesWhere(ctx, tx, `WHERE changes LIKE ? ESCAPE '\'`, `%"`+localID+`"%`)
	if err != nil {
		return nil, err
	}
	var evs []Event
	for _, d := range deps {
		// Fields another discard flagged before stay flagged (they still point at a record
		// that is gone), as do the org's own refusals of the last attempt.
		var errs, refs []FieldError
		flagged := map[string]bool{}
		if d.Status == StatusInvalid {
			for _, fe := range d.Errors {
				errs = append(errs, fe)
				flagged[fe.Field] = true
				if fe.Code == "REFERENCE_DISCARDED" {
					refs = append(refs, fe)
				}
			}
		}
		for _, k := range sortedKeys(d.Changes) {
			if d.Changes[k] == localID && !flagged[k] {
				fe := FieldError{Field: k, Code: "REFERENCE_DISCARDED", Message: "points at a new record that was discarded; choose another"}
				errs, refs = append(errs, fe), append(refs, fe)
			}
		}
		desc, _ := tx.Describe(ctx, d.Object)
		d.Status, d.WaitingOn, d.Errors, d.Code = StatusInvalid, "", errs, "REFERENCE_DISCARDED"
		d.Message = "A related record created offline was discarded; choose another for " + fieldList(desc, refs)
		d.UpdatedAt = e.now()
		if err := saveEntry(ctx, tx, d); err != nil {
			return nil, err
		}
		// Its own log tells why it now needs the user (in this transaction: a discard rolled
		// back orphaned nothing).
		if err := e.writeActivity(ctx, tx, []Activity{{At: e.now(), EntryID: d.ID, RecordID: d.RecordID, Note: "needs you: " + d.Message}}); err != nil {
			return nil, err
		}
		evs = append(evs, Event{Kind: EventEntryChanged, EntryID: d.ID, RecordID: d.RecordID, Status: d.Status})
	}
	return evs, nil
}

// fieldList names the fields of errs as the screens name them (d nil: by their API names).
func fieldList(d *remote.Describe, errs []FieldError) string {
	var fs []string
	for _, fe := range errs {
		if fe.Field != "" {
			fs = append(fs, fe.Field)
		}
	}
	return fieldLabels(d, fs)
}

// modifyEntry runs fn on an entry inside one transaction and reports the change.
func (e *Engine) modifyEntry(ctx context.Context, entryID string, fn func(tx *cache.Tx, ent *entry, rec *cache.Record, d *remote.Describe) (removed bool, err error)) error {
	e.awaitCutOff()
	var ev Event
	// Requests made before (a record page's reads) are written first, so that the log keeps
	// the order things happened in: a note of the user's settling is newer than they are.
	earlier := e.takeActivity()
	err := e.db.Update(ctx, func(tx *cache.Tx) error {
		if err := e.writeActivity(ctx, tx, earlier); err != nil {
			return err
		}
		ent, err := entryByID(ctx, tx, entryID)
		if err != nil {
			return err
		}
		if ent.Status == StatusSyncing {
			return fmt.Errorf("%w: the change is being sent right now", ErrNotAllowed)
		}
		rec, err := tx.Record(ctx, ent.RecordID)
		if err != nil && !errors.Is(err, cache.ErrNotFound) {
			return err
		}
		recFound := err == nil
		d, _ := tx.Describe(ctx, ent.Object)
		before := maps.Clone(ent.Changes)
		removed, err := fn(tx, ent, &rec, d)
		if err != nil {
			return err
		}
		if removed {
			if err := deleteEntry(ctx, tx, ent.ID); err != nil {
				return err
			}
			ev = Event{Kind: EventEntryRemoved, EntryID: ent.ID, RecordID: ent.RecordID}
		} else {
			if !reflect.DeepEqual(before, ent.Changes) {
				// When the change last changed: a retry, or a resolution that keeps every
				// value as it was, leaves the time the user made it.
				ent.UpdatedAt = e.now()
			}
			if err := saveEntry(ctx, tx, ent); err != nil {
				return err
			}
			ev = Event{Kind: EventEntryChanged, EntryID: ent.ID, RecordID: ent.RecordID, Status: ent.Status}
		}
		if len(ent.notes) > 0 {
			acts := make([]Activity, len(ent.notes))
			for i, n := range ent.notes {
				acts[i] = Activity{At: e.now(), EntryID: ent.ID, RecordID: ent.RecordID, Note: n}
			}
			if err := e.writeActivity(ctx, tx, acts); err != nil {
				return err
			}
		}
		if recFound && rec.ID != "" {
			if !removed && ent.Op != OpDelete {
				rec.View = withChanges(d, rec.Server, ent.Changes)
				if rec.Server == nil {
					rec.View["Id"] = rec.ID
				}
			}
			rec.Name = displayName(d, rec.View)
			return tx.PutRecord(ctx, rec)
		}
		return nil
	})
	if err != nil {
		e.putBackActivity(earlier)
		return err
	}
	e.changed(ev)
	return nil
}

// logNote keeps a note of the user's settling of the entry for modifyEntry to log.
func (ent *entry) logNote(text string) { ent.notes = append(ent.notes, text) }

func (ent *entry) clearProblem() {
	ent.Code, ent.Message, ent.Errors, ent.Conflicts = "", "", nil, nil
	ent.Attempts = 0
	ent.NextAttempt = zeroTime
}

// TheirsMovedError says which conflicting fields hold, in the device's copy of the record,
// another value than the choices were made on: a sync brought another user's newer change.
type TheirsMovedError struct {
	Object, RecordID, Name string
	Fields                 []MovedField // in the conflict's order
}

// MovedField is one conflicting field whose theirs changed: Was is the value the choices were
// made on, Now the value the device holds now.
type MovedField struct {
	Field, Label string
	Was, Now     any
}

func (e *TheirsMovedError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = fmt.Sprintf("%s is now %s (not %s)", cmp.Or(f.Label, f.Field), shownValue(f.Now), shownValue(f.Was))
	}
	return fmt.Sprintf("%s %q: %v: %s", e.Object, cmp.Or(e.Name, e.RecordID), ErrTheirsMoved, strings.Join(parts, "; "))
}

func (e *TheirsMovedError) Is(target error) bool { return target == ErrTheirsMoved }

// noteValue writes a field value for a note of the log: text cut to 40 characters and quoted,
// every character that does not print escaped (a C1 control, a bidi or zero-width mark would
// vanish on screen and leave "" where the org got a value); others as shownValue.
func noteValue(v any) string {
	s, ok := canon(v).(string)
	if !ok {
		return shownValue(v)
	}
	if r := []rune(s); len(r) > 40 {
		s = string(r[:39]) + "…"
	}
	return strconv.Quote(s)
}

// droppedNote says, for the log, what a change the user drops held, naming its record (which
// may leave the device with it): `the edit of "Acme" (Phone "555-0202", Rating "Warm")`, `the
// new record "Acme"`, `the delete of "Acme"`.
func droppedNote(ctx context.Context, tx *cache.Tx, d *remote.Describe, ent *entry) string {
	name := quotedName(cmp.Or(ent.Name, ent.RecordID))
	switch ent.Op {
	case OpDelete:
		return droppedDelete + name
	case OpCreate:
		return droppedCreate + name
	}
	var set []string
	for _, f := range inFormOrder(d, sortedKeys(ent.Changes)) {
		set = append(set, fieldLabel(d, f)+" "+noteFieldValue(ctx, tx, d, f, ent.Changes[f]))
	}
	return droppedEdit + name + " (" + strings.Join(set, ", ") + ")"
}

// How droppedNote names the record whose change was dropped.
const (
	droppedDelete = "the delete of "
	droppedCreate = "the new record "
	droppedEdit   = "the edit of "
)

// sentDelete starts the log's note of a delete request, the record's quoted name after it.
const sentDelete = "delete "

// quotedName is a record's name as the log's notes quote it (cut to 80 bytes).
func quotedName(name string) string { return truncate(strconv.Quote(name), 80) }

// noteNamesItsRecord reports whether a note of the log names its own record name, in any case:
// a dropped change (droppedNote), a record that left the device (noteRemovedNamed: the quoted
// name heads the note), or the user's delete sent (sentNote).
func noteNamesItsRecord(note, name string) bool {
	q := strings.ToLower(quotedName(name))
	n := strings.ToLower(note)
	if strings.HasPrefix(n, q+": ") || strings.HasPrefix(n, sentDelete+q) || strings.Contains(n, "; "+sentDelete+q) {
		return true
	}
	for _, p := range []string{droppedDelete, droppedCreate, droppedEdit} {
		if strings.Contains(n, p+q) {
			return true
		}
	}
	return false
}

// overNote says, for a resolve note, whose value the user's replaces on a conflicting field:
// ` over Ada Admin's "555-2222"`; "" for a field outside the conflict.
func overNote(ctx context.Context, tx *cache.Tx, d *remote.Describe, f string, conflicting bool, by string, theirs any) string {
	if !conflicting {
		return ""
	}
	return " over " + userName(ctx, tx, by) + "'s " + noteFieldValue(ctx, tx, d, f, theirs)
}

// noteFieldValue is noteValue for a value of field f of d: a lookup's record by the name the
// device knows it by ("Acme Group", as the screens show it), by its id when it knows none; a
// date and time in UTC, saying so ("2026-12-01 09:00 UTC").
func noteFieldValue(ctx context.Context, tx *cache.Tx, d *remote.Describe, f string, v any) string {
	id, ok := v.(string)
	if !ok || id == "" || d == nil {
		return noteValue(v)
	}
	if fd, _ := d.Field(f); fd.Type == "datetime" {
		// An instant, said in UTC and so: the log's times are the reader's local ones.
		if t, err := remote.ParseTime(id); err == nil {
			layout := "2006-01-02 15:04 UTC"
			if t.Second() != 0 || t.Nanosecond() != 0 {
				layout = "2006-01-02 15:04:05.000 UTC"
			}
			return strconv.Quote(t.UTC().Format(layout))
		}
		return noteValue(v)
	}
	if fd, ok := d.Field(f); !ok || fd.Type != "reference" {
		return noteValue(v)
	}
	if name, err := tx.Name(ctx, id); err == nil && name != "" {
		return noteValue(name)
	}
	return noteValue(v)
}

// shownValue writes a field value for a message: text quoted, no value as "empty".
func shownValue(v any) string {
	if v = canon(v); v == nil {
		return "empty"
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // "A&B", not "A\u0026B"
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Resolve settles a conflict on an update, field by field (a field without a choice keeps
// mine). The choices are taken as made on theirs as the conflict found them: when a sync has
// brought another value of a conflicting field since, nothing is resolved and the error is a
// *TheirsMovedError (ErrTheirsMoved); ResolveAgainst resolves against newer values. The new
// base is the server's current version; the entry goes back to pending.
func (e *Engine) Resolve(ctx context.Context, entryID string, choices map[string]Choice) error {
	return e.resolve(ctx, entryID, choices, nil, false)
}

// ResolveAgainst is Resolve with the choices made on the values of theirs given (field →
// value, as a screen showed them): nothing is resolved when the device holds another value for
// one of them now. With theirs nil the choices stand against whatever the device holds now
// (the user accepted newer values).
func (e *Engine) ResolveAgainst(ctx context.Context, entryID string, choices map[string]Choice, theirs remote.Fields) error {
	return e.resolve(ctx, entryID, choices, theirs, theirs == nil)
}

func (e *Engine) resolve(ctx context.Context, entryID string, choices map[string]Choice, seen remote.Fields, anyTheirs bool) error {
	return e.modifyEntry(ctx, entryID, func(tx *cache.Tx, ent *entry, rec *cache.Record, d *remote.Describe) (bool, error) {
		if ent.Status != StatusConflict {
			return false, fmt.Errorf("%w: only a conflict can be resolved (this change is %s)", ErrNotAllowed, ent.Status)
		}
		if ent.Op != OpUpdate {
			return false, fmt.Errorf("%w: a conflict on a delete is resolved with ResolveDelete", ErrNotAllowed)
		}
		if !anyTheirs && rec.Server != nil {
			moved := &TheirsMovedError{Object: ent.Object, RecordID: ent.RecordID, Name: rec.Name}
			for _, c := range ent.Conflicts {
				was, given := seen[c.Field]
				if seen == nil {
					was, given = c.Theirs, true
				}
				if now := rec.Server[c.Field]; given && !sameFieldValue(d, c.Field, now, was) {
					moved.Fields = append(moved.Fields, MovedField{Field: c.Field, Label: fieldLabel(d, c.Field), Was: was, Now: now})
				}
			}
			if len(moved.Fields) > 0 {
				return false, moved
			}
		}
		inConflict := map[string]bool{}
		theirsBy := map[string]string{}
		for _, c := range ent.Conflicts {
			inConflict[c.Field] = true
			theirsBy[c.Field] = c.TheirsBy
		}
		var said []string
		for _, f := range inFormOrder(d, slices.Sorted(maps.Keys(choices))) { // the log says them in the form's order
			ch := choices[f]
			if !inConflict[f] {
				if _, ok := ent.Changes[f]; !ok {
					return false, fmt.Errorf("%w: %s is not part of this change", ErrNotAllowed, f)
				}
			}
			switch ch.Take {
			case TakeMine:
				said = append(said, fieldLabel(d, f)+" mine ("+noteFieldValue(ctx, tx, d, f, ent.Changes[f])+")"+overNote(ctx, tx, d, f, inConflict[f], theirsBy[f], rec.Server[f]))
			case TakeTheirs:
				delete(ent.Changes, f)
				said = append(said, fieldLabel(d, f)+" theirs ("+userName(ctx, tx, theirsBy[f])+"'s "+noteFieldValue(ctx, tx, d, f, rec.Server[f])+")")
			case TakeValue:
				nv, err := normalizeFields(remote.Fields{f: ch.Value})
				if err != nil {
					return false, err
				}
				if d != nil {
					// The same checks as any value the user types: the org would refuse it.
					if err := checkFields(d, nv, false); err != nil {
						return false, err
					}
				}
				ent.Changes[f] = nv[f]
				said = append(said, fieldLabel(d, f)+" a new value ("+noteFieldValue(ctx, tx, d, f, nv[f])+")"+overNote(ctx, tx, d, f, inConflict[f], theirsBy[f], rec.Server[f]))
			default:
				return false, fmt.Errorf("%w: unknown choice %d for %s", ErrNotAllowed, ch.Take, f)
			}
		}
		server := rec.Server
		if server == nil {
			return false, fmt.Errorf("%w: the server copy of this record is missing; retry the sync", ErrNotAllowed)
		}
		// A field of the change outside the conflict another user changed since (below): an
		// owner among them is asked about as a conflict, not refused here.
		unseen := changedOutsideConflict(d, ent, server, inConflict)
		if _, moved := ent.Changes["OwnerId"]; moved && !slices.Contains(unseen, "OwnerId") {
			// The record may have been given away meanwhile (the other side of the conflict):
			// keeping the owner change would make the org refuse it. Refused here when the
			// device knows the user may not give it away (shared to read or edit); when it
			// does not know (a record the user owned until the conflict was never asked
			// about, and an admin may give away anyone's), the org decides, and a refusal
			// asks for the owner alone, the rest of the change kept (applyOwnerRefused).
			if acc, err := e.accessTo(ctx, tx, *rec); err != nil {
				return false, err
			} else if acc != AccessFull {
				return false, fmt.Errorf("%w: %q is no longer yours: only its owner or an admin can give it to another user; take theirs for %s and keep the rest of your change",
					ErrNotAllowed, rec.Name, fieldLabel(d, "OwnerId"))
			}
		}
		if err := dependentsSuit(d, ent.Changes, server, choices); err != nil {
			return false, err
		}
		if len(unseen) > 0 {
			// Another user changed a field of the change the conflict did not show, since the
			// user changed it (a sync brought it while the conflict waited): resolving would
			// send mine over it unseen. The choices made stand, taken over theirs as they are
			// now; those fields are a new conflict.
			for f := range inConflict {
				if _, ok := ent.Changes[f]; ok {
					ent.Base[f] = server[f]
				}
			}
			by := lastSaver(server)
			ent.Conflicts = nil
			for _, f := range unseen {
				ent.Conflicts = append(ent.Conflicts, Conflict{Field: f, Base: ent.Base[f], Theirs: server[f], Mine: ent.Changes[f],
					TheirsBy: by, TheirsAt: rec.Version.LastModifiedDate, Sent: ent.sentOtherwise(d, f)})
			}
			ent.Message = e.changer(by) + " changed " + fieldLabels(d, unseen)
			ent.logNote(resolvedNote(said))
			ent.logNote(truncate("a new conflict: "+ent.Message+" since your change; "+conflictValues(ctx, tx, d, ent.Conflicts), 400))
			return false, nil
		}
		ent.logNote(resolvedNote(said))
		if len(ent.Changes) == 0 {
			rec.View = overlay(server, nil)
			return true, nil
		}
		e.rebase(ent, server, rec.Version)
		ent.clearProblem()
		ent.Status = StatusPending
		return false, settleRefs(ctx, tx, ent)
	})
}

// ChangedSince lists, for a conflict on an update, the fields of its change outside the
// conflict that another user changed since the user changed them (a sync brought them while the
// conflict waited): resolving keeps the choices and asks about these next. Values the user's own
// earlier sends carried are not such changes.
func (e *Engine) ChangedSince(ctx context.Context, entryID string) ([]string, error) {
	var out []string
	err := e.db.View(ctx, func(tx *cache.Tx) error {
		ent, err := entryByID(ctx, tx, entryID)
		if err != nil {
			return err
		}
		if ent.Status != StatusConflict || ent.Op != OpUpdate {
			return nil
		}
		rec, err := tx.Record(ctx, ent.RecordID)
		if err != nil || rec.Server == nil {
			return nil // nothing to compare with
		}
		d, _ := tx.Describe(ctx, ent.Object)
		inConflict := map[string]bool{}
		for _, c := range ent.Conflicts {
			inConflict[c.Field] = true
		}
		out = changedOutsideConflict(d, ent, rec.Server, inConflict)
		return nil
	})
	return out, err
}

// resolvedNote is the log's note of a resolution: what the user chose for each field.
func resolvedNote(said []string) string {
	note := "conflict resolved by the user"
	if len(said) > 0 {
		note += ": " + strings.Join(said, ", ")
	}
	return note
}

// changedSinceDeleteConflict lists the fields of the record another user changed since a
// conflict on a delete showed them: changed from the base and not shown, or shown with another
// value than the org's copy holds now.
func changedSinceDeleteConflict(d *remote.Describe, ent *entry, server remote.Fields) []string {
	shown := map[string]any{}
	for _, c := range ent.Conflicts {
		shown[c.Field] = c.Theirs
	}
	theirs, _ := ent.othersChanged(d, server)
	var out []string
	for _, f := range theirs {
		if was, ok := shown[f]; !ok || !sameFieldValue(d, f, server[f], was) {
			out = append(out, f)
		}
	}
	return inFormOrder(d, out)
}

// changedOutsideConflict lists, in the form's order, the fields of a change outside its
// conflict whose server value another user changed since the user changed them: neither the
// value the user changed nor theirs, nor one an earlier send of the change carried.
func changedOutsideConflict(d *remote.Describe, ent *entry, server remote.Fields, inConflict map[string]bool) []string {
	var out []string
	for _, f := range sortedKeys(ent.Changes) {
		sv := server[f]
		if inConflict[f] || sameFieldValue(d, f, sv, ent.Base[f]) || sameFieldValue(d, f, sv, ent.Changes[f]) || ent.sentValue(d, f, sv) {
			continue
		}
		out = append(out, f)
	}
	return inFormOrder(d, out)
}

// dependentsSuit refuses a resolution whose values would pair a dependent picklist's value
// with a controlling value it is not valid for (mine of one, theirs of the other, say): the
// org would refuse the whole change again. changes are what the resolution sends, server the
// org's copy, which holds the rest. Values the describe does not list are the org's to judge.
// Only a pair whose dependent value this resolution chooses is judged (its controlling value
// chosen too, or as the record will hold it): that value can be mended on the conflict screen.
// A dependent value outside the choices (mine of a field not in conflict, with a controlling
// value chosen) cannot, so it goes as the user left it, and an org's refusal asks for a fix.
func dependentsSuit(d *remote.Describe, changes, server remote.Fields, choices map[string]Choice) error {
	if d == nil {
		return nil
	}
	for _, dep := range d.Fields {
		if dep.ControllerName == "" || (dep.Type != "picklist" && dep.Type != "multipicklist") {
			continue
		}
		ctl, ok := d.Field(dep.ControllerName)
		if !ok {
			continue
		}
		if _, ok := choices[dep.Name]; !ok {
			continue
		}
		_, ctlChosen := choices[ctl.Name]
		depV, depSent := changes[dep.Name]
		ctlV, ctlSent := changes[ctl.Name]
		if !depSent && !ctlSent {
			continue
		}
		if !depSent {
			depV = server[dep.Name]
		}
		if !ctlSent {
			ctlV = server[ctl.Name]
		}
		s, _ := depV.(string)
		values := []string{s}
		if dep.Type == "multipicklist" {
			values = remote.SplitChoices(s)
		}
		i, set := remote.ControllerIndex(ctl, ctlV)
		if set && i < 0 {
			continue // a controlling value the describe does not list
		}
		for _, v := range values {
			if v == "" {
				continue
			}
			for _, p := range dep.PicklistValues {
				if p.Value == v && (!set || !remote.ValidForAllows(p.ValidFor, i)) {
					how := "choose both from the same side, or type a value that suits"
					if !ctlChosen {
						how = "take theirs for " + fieldLabel(d, dep.Name) + ", or type a value that suits"
					}
					return fmt.Errorf("%w: %s %s does not go with %s %s: %s",
						ErrNotAllowed, fieldLabel(d, dep.Name), strconv.Quote(v), fieldLabel(d, ctl.Name), shownValue(ctlV), how)
				}
			}
		}
	}
	return nil
}

// rebase makes the server copy the entry's new base.
func (e *Engine) rebase(ent *entry, server remote.Fields, v remote.Version) {
	ent.baseRecord = overlay(server, nil)
	ent.Base = remote.Fields{}
	for k := range ent.Changes {
		ent.Base[k] = server[k]
	}
	ent.BaseVersion = v
	ent.sent = nil // the new base holds whatever earlier sends left on the org
}

// ResolveDelete settles a conflict on a delete: delete anyway (the current server version is
// the new base) or keep the record (the entry goes, the cache keeps the server copy).
func (e *Engine) ResolveDelete(ctx context.Context, entryID string, deleteAnyway bool) error {
	return e.modifyEntry(ctx, entryID, func(tx *cache.Tx, ent *entry, rec *cache.Record, d *remote.Describe) (bool, error) {
		if ent.Status != StatusConflict || ent.Op != OpDelete {
			return false, fmt.Errorf("%w: only a conflict on a delete can be resolved this way", ErrNotAllowed)
		}
		if !deleteAnyway {
			ent.logNote("delete dropped: kept the record another user changed")
			if rec.Server != nil {
				rec.View = overlay(rec.Server, nil)
			}
			return true, nil
		}
		if rec.Server == nil {
			return false, fmt.Errorf("%w: the server copy of this record is missing; retry the sync", ErrNotAllowed)
		}
		if acc, err := e.accessTo(ctx, tx, *rec); err != nil {
			return false, err
		} else if !acc.CanDelete() {
			given := "" // given to another user since the delete was made: said first
			if to := e.newOwner(ent, rec.Server); to != "" {
				given = " was given to " + userName(ctx, tx, to) + " and"
			}
			return false, fmt.Errorf("%w: %q%s is shared with you %s, not to delete: only its owner or an admin can delete it; keep the record instead",
				ErrNotAllowed, rec.Name, given, map[Access]string{AccessRead: "read-only", AccessEdit: "to edit"}[acc])
		}
		if later := changedSinceDeleteConflict(d, ent, rec.Server); len(later) > 0 {
			// Another user changed the record again since the conflict showed it (a sync
			// brought it): the user agreed to delete over what they saw, not over this. The
			// conflict now shows every change; deleting anyway is asked again.
			by := lastSaver(rec.Server)
			theirs, _ := ent.othersChanged(d, rec.Server)
			theirs = inFormOrder(d, theirs)
			ent.Conflicts = nil
			for _, f := range theirs {
				ent.Conflicts = append(ent.Conflicts, Conflict{Field: f, Base: ent.baseRecord[f], Theirs: rec.Server[f], TheirsBy: by, TheirsAt: rec.Version.LastModifiedDate})
			}
			ent.Message = e.changer(by) + " changed " + orRecord(d, theirs) + " before your delete reached the org"
			ent.logNote("not deleted: " + e.changerInNote(by) + " changed " + fieldLabels(d, later) + " again since the conflict showed it")
			return false, nil
		}
		ent.logNote("delete confirmed over another user's change")
		e.rebase(ent, rec.Server, rec.Version)
		ent.clearProblem()
		ent.Status = StatusPending
		return false, nil
	})
}

// Fix gives an invalid entry new values for its flagged fields and queues it again. Saving a
// duplicate-rule refusal unchanged resends it with "save anyway" when the rule allows that.
func (e *Engine) Fix(ctx context.Context, entryID string, fields remote.Fields) error {
	fields, err := normalizeFields(fields)
	if err != nil {
		return err
	}
	return e.modifyEntry(ctx, entryID, func(tx *cache.Tx, ent *entry, rec *cache.Record, d *remote.Describe) (bool, error) {
		if ent.Status != StatusInvalid {
			return false, fmt.Errorf("%w: only a refused change can be fixed (this change is %s)", ErrNotAllowed, ent.Status)
		}
		if d != nil && ent.Op != OpDelete {
			if err := checkFields(d, fields, ent.Op == OpCreate); err != nil {
				return false, err
			}
		}
		same := true
		for k, v := range fields {
			if cur, ok := ent.Changes[k]; !ok || !sameFieldValue(d, k, cur, v) {
				same = false
			}
		}
		if ent.Op != OpDelete {
			mergeChanges(ent, fields)
		}
		switch {
		case same && ent.dups == dupAllow:
			ent.dups = dupSend
			ent.logNote("saving despite the duplicate rule")
		case !same:
			ent.dups = dupNone
		}
		switch {
		case same && ent.dups != dupSend:
			// Nothing new (a rule removed since, say): the log says so rather than call the
			// same values a fix.
			ent.logNote("sent again unchanged by the user")
		case !same:
			var set []string
			// Named as the screens name them (the log is read by people), in the form's order.
			for _, f := range inFormOrder(d, slices.Sorted(maps.Keys(fields))) {
				set = append(set, fieldLabel(d, f)+"="+noteFieldValue(ctx, tx, d, f, fields[f]))
			}
			ent.logNote(truncate(strings.TrimSuffix("fixed by the user: "+strings.Join(set, ", "), ": "), 300))
		}
		ent.clearProblem()
		ent.Status = StatusPending
		return false, settleRefs(ctx, tx, ent)
	})
}

// userName is the name the device knows for a user id, or msgAnotherUser.
func userName(ctx context.Context, tx *cache.Tx, id string) string {
	var name string
	if id == "" || tx.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, id).Scan(&name) != nil || plain.Line(name) == "" {
		return msgAnotherUser
	}
	return plain.Line(name) // inside a sentence of the app's: an escape left open would take the rest
}

// Retry attempts a non-syncing entry again now (its backoff timer is cleared): a change waiting
// for a retry, one the org refused (its rule may be gone), one that couldn't be saved (access
// may be back). A conflict is resolved, not retried: sent again as it is, it would only meet
// the other user's change again, and its choices would be lost.
func (e *Engine) Retry(ctx context.Context, entryID string) error {
	return e.modifyEntry(ctx, entryID, func(tx *cache.Tx, ent *entry, rec *cache.Record, d *remote.Describe) (bool, error) {
		if ent.Status == StatusConflict {
			return false, fmt.Errorf("%w: a conflict is resolved, not retried", ErrNotAllowed)
		}
		if ent.Status != StatusPending || ent.Code != "" {
			ent.logNote("retried by the user")
		}
		ent.clearProblem()
		ent.Status = StatusPending
		return false, settleRefs(ctx, tx, ent)
	})
}

// Dismiss removes a failed (red) entry and leaves the cache with the org's truth. Online, the
// record is read from the org first: still readable (a read-only share, say) → the cache takes
// the fresh server copy; deleted or out of sight → the record is dropped. Offline (or when the
// read fails on the network) the org's refusal decides: a record it said was deleted, or could
// not find (out of the user's sight), is dropped; one it refused to change (the user may still
// read it) keeps its cached server copy. A later refresh settles the rest (getDeleted, the
// membership check, and the access asked again).
func (e *Engine) Dismiss(ctx context.Context, entryID string) error {
	en, err := entryByID(ctx, e.db.SQL(), entryID)
	if err != nil {
		return err
	}
	if en.Status != StatusFailed {
		return fmt.Errorf("%w: only a failed change can be dismissed; discard it instead", ErrNotAllowed)
	}
	// Out of sight: the org answered NOT_FOUND and the record was not in its recycle bin. Unless
	// a read now finds it, the record leaves the device with the change, as the dismiss says.
	gone := en.Cause() == CauseDeleted || en.Cause() == CauseNoAccess && en.Code == "NOT_FOUND"
	var fresh *remote.Record
	if en.Op != OpCreate && !IsLocalID(en.RecordID) && e.Online() {
		var fields []string
		if d, err := e.db.Describe(ctx, en.Object); err == nil {
			fields = queryFields(d)
		}
		rec, err := e.currentOrg().Retrieve(remote.WithTag(ctx, en.ID), en.Object, en.RecordID, fields)
		ae, api := remote.AsError(err)
		switch {
		case err == nil && rec.ID() != "":
			fresh, gone = &rec, false
		case api && (ae.HasCode("NOT_FOUND") || ae.HasCode("ENTITY_IS_DELETED")):
			gone = true
		}
		_ = e.flushActivity(ctx)
	}
	var orphaned []Event
	err = e.modifyEntry(ctx, entryID, func(tx *cache.Tx, ent *entry, rec *cache.Record, d *remote.Describe) (bool, error) {
		if ent.Status != StatusFailed {
			return false, fmt.Errorf("%w: only a failed change can be dismissed; discard it instead", ErrNotAllowed)
		}
		switch {
		case gone && ent.Op != OpCreate && ent.Cause() == CauseNoAccess:
			// Out of sight, not deleted: the records that point at it still name it.
			if _, err := tx.DropRecordKeepingName(ctx, ent.RecordID, e.now()); err != nil {
				return false, err
			}
			rec.ID = ""
		case gone || ent.Op == OpCreate || (rec.Server == nil && fresh == nil):
			if err := tx.DeleteRecord(ctx, ent.RecordID); err != nil {
				return false, err
			}
			rec.ID = ""
			if ent.Op == OpCreate {
				evs, err := e.orphanDependents(ctx, tx, ent.RecordID)
				if err != nil {
					return false, err
				}
				orphaned = evs
			}
		case fresh != nil:
			e.seeUsers(d, fresh.Fields)
			rec.Object, rec.ID = ent.Object, ent.RecordID
			rec.Server, rec.Version = fresh.Fields, versionOf(fresh.Fields, fresh.ETag)
			rec.View = overlay(fresh.Fields, nil)
		default:
			rec.View = overlay(rec.Server, nil)
		}
		ent.logNote(truncate("dismissed: "+ent.Message+"; dropped "+droppedNote(ctx, tx, d, ent), 400))
		return true, nil
	})
	if err != nil {
		return err
	}
	e.emitAll(orphaned)
	return nil
}

// Discard drops any entry that is not being sent: the record shows the server copy again (a
// record created offline disappears).
func (e *Engine) Discard(ctx context.Context, entryID string) error {
	var orphaned []Event
	err := e.modifyEntry(ctx, entryID, func(tx *cache.Tx, ent *entry, rec *cache.Record, d *remote.Describe) (bool, error) {
		if ent.Op == OpCreate || rec.Server == nil {
			if err := tx.DeleteRecord(ctx, ent.RecordID); err != nil {
				return false, err
			}
			rec.ID = ""
			evs, err := e.orphanDependents(ctx, tx, ent.RecordID)
			if err != nil {
				return false, err
			}
			orphaned = evs
		} else {
			rec.View = overlay(rec.Server, nil)
		}
		if ent.Op == OpCreate && ent.unknown {
			ent.logNote("discarded by the user; the reply to its creation was lost, so the org may hold the record")
		} else {
			ent.logNote(truncate("discarded by the user: dropped "+droppedNote(ctx, tx, d, ent), 400))
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	e.emitAll(orphaned)
	return nil
}

// newEntryID is a time-ordered UUID (version 7): entries queued together sit together in the
// id index, so a wave that removes them rewrites a few index pages rather than one per entry.
func newEntryID() string {
	if id, err := uuid.NewV7(); err == nil {
		return id.String()
	}
	return uuid.NewString()
}

// LooksLikeRecordID reports whether s has the form of a record id: the org's (15 or 18
// letters and digits) or a local one of a record created on this device.
func LooksLikeRecordID(s string) bool { return IsLocalID(s) || looksLikeID(s) }

// looksLikeID reports whether s has the form of a Salesforce record id: 15 or 18 letters and
// digits (an empty lookup is null, not "").
func looksLikeID(s string) bool {
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
