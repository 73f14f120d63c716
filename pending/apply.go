package pending

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
)

// statusRemoved marks an in-memory entry that left the queue during a pass.
const statusRemoved Status = "removed"

// reload reads the entry again inside tx; ok is false when it left the queue or a local change
// got in first (the next pass handles it).
func reload(ctx context.Context, tx *cache.Tx, en *entry) (*entry, bool, error) {
	if en.Status == StatusSyncing && len(localRefs(en.Changes)) == 0 {
		// Nobody changes a syncing entry, and without local refs no id replacement touched
		// it: a cheap check that it is still there is enough.
		var rev int64
		var status string
		st, err := tx.Prepared(ctx, `SELECT rev, status FROM entries WHERE id = ?`)
		if err != nil {
			return nil, false, err
		}
		err = st.QueryRowContext(ctx, en.ID).Scan(&rev, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		if rev == en.rev && Status(status) == StatusSyncing {
			cp := *en
			return &cp, true, nil
		}
	}
	cur, err := entryByID(ctx, tx, en.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	// Only the engine writes a syncing entry (ids replaced by a create in the same request,
	// say); any other write since it was read means a local change got in first.
	if cur.rev != en.rev && cur.Status != StatusSyncing {
		return nil, false, nil
	}
	return cur, true, nil
}

// apply records one outcome inside tx.
func (e *Engine) apply(ctx context.Context, tx *cache.Tx, r *run, o outcome) error {
	mem := o.job.ent
	if o.class == ClassOK && o.job.kind == jobUpdate && mem.Status == StatusSyncing && len(localRefs(mem.Changes)) == 0 {
		// The common case of a push, in one statement: the update the org accepted leaves
		// the queue if nobody touched it since it was sent (otherwise the reload below sees why).
		taken, err := takeSyncingEntry(ctx, tx, mem.ID, mem.rev)
		if err != nil {
			return err
		}
		if taken {
			o.taken = true
			return e.applySuccess(ctx, tx, r, o)
		}
	}
	cur, ok, err := reload(ctx, tx, mem)
	if err != nil || !ok {
		if err == nil {
			mem.Status = statusRemoved // changed meanwhile: the next pass reads it again
		}
		return err
	}
	o.job.ent = cur
	defer func() { *mem = *cur }()
	switch o.class {
	case ClassOK:
		if o.job.kind == jobCheck {
			return e.applyCheck(ctx, tx, r, o)
		}
		return e.applySuccess(ctx, tx, r, o)
	case ClassConflict:
		if o.job.kind == jobUpdate && o.server != nil {
			_, err := e.applyConflict(ctx, tx, r, o, false)
			return err
		}
		return e.applyTransient(ctx, tx, o)
	case ClassTransient:
		return e.applyTransient(ctx, tx, o)
	case ClassOffline, ClassAuth, ClassCanceled:
		cur.Status = StatusPending
		cur.unknown = cur.unknown || o.class == ClassCanceled
		return e.save(ctx, tx, cur)
	case ClassHeld:
		cur.Status = StatusPending
		for _, ref := range o.job.parentOf {
			if sid, err := tx.ServerID(ctx, ref); err != nil {
				return err
			} else if sid != "" {
				continue // saved by this request: not the parent the change waits for
			}
			cur.Status, cur.WaitingOn = StatusWaiting, ref
			break
		}
		if cur.Status == StatusWaiting {
			e.note(cur.ID, cur.RecordID, holdNote(ctx, tx, cur))
		}
		return e.save(ctx, tx, cur)
	case ClassInvalid:
		return e.applyInvalid(ctx, tx, o)
	case ClassFailed:
		if (o.job.kind == jobCheck || o.job.kind == jobDelete) && o.gone {
			e.note(cur.ID, cur.RecordID, "already deleted on the org")
			return e.applySuccess(ctx, tx, r, o)
		}
		if refused, err := e.applyOwnerRefused(ctx, tx, o); err != nil || refused {
			if refused {
				// What the user may do with it is asked at the refresh (edit, most likely:
				// then the device offers no owner change again).
				r.due(cur.Object)[cur.RecordID] = true
			}
			return err
		}
		if err := e.applyFailed(ctx, tx, o); err != nil {
			return err
		}
		if o.job.ent.GivenAway() {
			// The user may still read it: what else they may do with it now is asked at the
			// refresh, or after a dismiss the device would offer Edit on someone else's record.
			r.due(cur.Object)[cur.RecordID] = true
		}
		return nil
	}
	return fmt.Errorf("pending: unhandled outcome %v", o.class)
}

func (e *Engine) save(ctx context.Context, tx *cache.Tx, en *entry) error {
	if err := saveEntry(ctx, tx, en); err != nil {
		return err
	}
	e.emit(Event{Kind: EventEntryChanged, EntryID: en.ID, RecordID: en.RecordID, Status: en.Status})
	return nil
}

func (e *Engine) remove(ctx context.Context, tx *cache.Tx, en *entry, recordID string, taken bool) error {
	if !taken {
		if err := deleteEntry(ctx, tx, en.ID); err != nil {
			return err
		}
	}
	e.emit(Event{Kind: EventEntryRemoved, EntryID: en.ID, RecordID: recordID})
	return nil
}

func (e *Engine) describeOf(ctx context.Context, tx *cache.Tx, object string) *remote.Describe {
	d, _ := tx.Describe(ctx, object)
	return d
}

// applySuccess: the change reached the org. The cache takes the server copy and the entry
// leaves the queue, in this one transaction.
func (e *Engine) applySuccess(ctx context.Context, tx *cache.Tx, r *run, o outcome) error {
	en := o.job.ent
	d := e.describeOf(ctx, tx, en.Object)
	recordID := en.RecordID
	switch en.Op {
	case OpDelete:
		if err := tx.DeleteRecord(ctx, en.RecordID); err != nil {
			return err
		}
	case OpCreate:
		if o.newID == "" {
			return fmt.Errorf("pending: create of %s succeeded without an id", en.RecordID)
		}
		if other, err := entryByRecord(ctx, tx, o.newID); err != nil {
			return err
		} else if other != nil && other.ID != en.ID {
			return e.foldCreate(ctx, tx, r, o, other, d)
		}
		waiters, err := entriesWhere(ctx, tx, `WHERE waiting_on = ? AND waiting_on != ''`, en.RecordID)
		if err != nil {
			return err
		}
		if err := tx.ReplaceID(ctx, en.Object, en.RecordID, o.newID, e.now()); err != nil {
			return err
		}
		for _, w := range waiters {
			e.emit(Event{Kind: EventEntryChanged, EntryID: w.ID, RecordID: w.RecordID, Status: StatusPending})
		}
		recordID = o.newID
		rec := cache.Record{Object: en.Object, ID: o.newID}
		if o.server != nil {
			e.seeUsers(d, o.server.Fields)
			rec.Server = o.server.Fields
			rec.Version = versionOf(o.server.Fields, o.server.ETag)
		} else {
			// No copy came back: the org has what was sent (with the name it composes).
			rec.Server = withChanges(d, remote.Fields{"Id": o.newID}, en.Changes)
		}
		rec.View = rec.Server // no change left on top: the cache stores it once
		rec.Name = displayName(d, rec.View)
		if err := tx.PutRecord(ctx, rec); err != nil {
			return err
		}
		e.note(en.ID, o.newID, "created "+o.newID+" (was "+en.RecordID+")")
		if o.found && o.server != nil {
			if kept, err := e.keepLaterEdits(ctx, tx, d, en, o.server, rec); kept || err != nil {
				return err
			}
		}
	case OpUpdate:
		if _, moved := en.Changes["OwnerId"]; moved {
			// Given to another user: what this one may still do with it is asked at the refresh.
			r.due(en.Object)[en.RecordID] = true
		}
		if o.server != nil {
			if err := e.storeAccepted(ctx, tx, d, en, o); err != nil {
				return err
			}
			break
		}
		// No copy came back: what the org has is the cached copy with the change on top.
		rec, err := tx.Record(ctx, en.RecordID)
		if err != nil && !errors.Is(err, cache.ErrNotFound) {
			return err
		}
		rec.Object, rec.ID = en.Object, en.RecordID
		rec.Server = withChanges(d, rec.Server, en.Changes)
		rec.Version = remote.Version{}
		rec.View = rec.Server
		rec.Name = displayName(d, rec.View)
		if err := tx.PutRecord(ctx, rec); err != nil {
			return err
		}
	}
	r.sum.Synced++
	if r.merged[en.ID] {
		r.sum.Merged++
	}
	if err := e.remove(ctx, tx, en, recordID, o.taken); err != nil {
		return err
	}
	en.Status = statusRemoved
	return nil
}

// foldCreate settles a create found on the org whose record the device already holds under the
// org's id with a change of its own: a refresh brought the org's copy while the create was in
// doubt (its reply lost, and the lookup's), and the user changed that copy. One record, two
// changes: the create's values the org does not hold join the other change (whose own fields
// win: they are the newer), the create leaves the queue, and its local id names the org's
// record from now on. Renaming the create's entry to the org's id failed on the other one, and
// every sync stopped there.
func (e *Engine) foldCreate(ctx context.Context, tx *cache.Tx, r *run, o outcome, other *entry, d *remote.Describe) error {
	en := o.job.ent
	var server remote.Fields
	if o.server != nil {
		server = o.server.Fields
	}
	folded := false
	// Not into a delete (the user deleted that copy), nor a change on the wire now (it goes as
	// it was read).
	if other.Op == OpUpdate && other.Status != StatusSyncing {
		if other.Changes == nil {
			other.Changes = remote.Fields{}
		}
		for _, k := range sortedKeys(en.Changes) {
			v := en.Changes[k]
			if _, set := other.Changes[k]; set {
				continue
			}
			if sv, known := server[k]; known && sameFieldValue(d, k, sv, v) {
				continue
			}
			if other.Base == nil {
				other.Base = remote.Fields{}
			}
			other.Changes[k], other.Base[k] = v, server[k]
			folded = true
		}
	}
	if err := deleteEntry(ctx, tx, en.ID); err != nil {
		return err
	}
	if folded {
		other.UpdatedAt = e.now()
		if err := saveEntry(ctx, tx, other); err != nil {
			return err
		}
	}
	if err := tx.ReplaceID(ctx, en.Object, en.RecordID, o.newID, e.now()); err != nil {
		return err
	}
	rec, err := tx.Record(ctx, o.newID)
	if err != nil && !errors.Is(err, cache.ErrNotFound) {
		return err
	}
	rec.Object, rec.ID = en.Object, o.newID
	if server != nil {
		e.seeUsers(d, server)
		rec.Server, rec.Version = server, versionOf(server, o.server.ETag)
	}
	if other.Op == OpDelete {
		rec.View = overlay(rec.Server, nil) // as Delete leaves a record it queues
	} else {
		rec.View = withChanges(d, rec.Server, other.Changes)
	}
	rec.Name = displayName(d, rec.View)
	if err := tx.PutRecord(ctx, rec); err != nil {
		return err
	}
	e.note(en.ID, o.newID, "created "+o.newID+" (was "+en.RecordID+"); the change made here to its copy from the org goes with what the create had still to send")
	r.sum.Synced++
	e.emit(Event{Kind: EventEntryRemoved, EntryID: en.ID, RecordID: o.newID})
	e.emit(Event{Kind: EventEntryChanged, EntryID: other.ID, RecordID: o.newID, Status: other.Status})
	en.Status = statusRemoved
	return nil
}

// changer names, for a conflict's message, who made the change on the org: another user, or
// the user themself (by, the record's LastModifiedById, is theirs) from another device or
// through an automation that runs as them; the device cannot tell those two apart.
func (e *Engine) changer(by string) string {
	if me := e.myID(); me != "" && sameID(by, me) {
		return MsgOwnSave
	}
	return "Another user"
}

// lastSaver is who saved a server copy last (LastModifiedById), "" when it does not say.
func lastSaver(server remote.Fields) string {
	by, _ := server["LastModifiedById"].(string)
	return by
}

// MsgOwnSave begins the message of a conflict whose other side the user saved themself.
const MsgOwnSave = "You (on another device or through an automation)"

// namedChanger is a conflict's message for the log, naming the other user where the device
// knows their name (the message says "Another user": the screens name them beside it).
func namedChanger(ctx context.Context, tx *cache.Tx, message, by string) string {
	rest, ok := strings.CutPrefix(message, "Another user")
	if !ok {
		return message
	}
	if name := userName(ctx, tx, by); name != msgAnotherUser {
		return name + rest
	}
	if looksLikeID(by) {
		// Named by its id: the log names the user once the device learns the name (a sync
		// asks for the names it does not know at its end).
		return "Another user (" + by + ")" + rest
	}
	return message
}

// changerInNote is changer inside a sentence of the log.
func (e *Engine) changerInNote(by string) string {
	c := e.changer(by)
	return strings.ToLower(c[:1]) + c[1:]
}

// keepLaterEdits: the record an earlier send created was found, but the user changed it after
// that send (its reply lost). The changes the org does not hold yet stay queued, as an update
// of the record found on top of its server copy, rather than leaving the queue with the create.
// A field whose value on the org is none a send carried was changed there by another user
// since: a conflict, not an overwrite. With no change after the send, what the org holds is
// the record as it stands (another user's edit, or the org's own) and nothing stays queued.
// It reports whether the entry stays.
func (e *Engine) keepLaterEdits(ctx context.Context, tx *cache.Tx, d *remote.Describe, en *entry, server *remote.Record, rec cache.Record) (bool, error) {
	cur, err := entryByID(ctx, tx, en.ID) // the create's id is replaced in it by now
	if err != nil {
		return false, err
	}
	if len(cur.sent) == 0 && !cur.editedAfterUnrecordedSend() {
		return false, nil
	}
	// Edited after a send a queue an older build wrote kept no record of: every field the
	// record found does not hold is the user's to send, as one the send did not carry.
	rest, base := remote.Fields{}, remote.Fields{}
	var theirs []string
	for _, k := range sortedKeys(cur.Changes) {
		v := cur.Changes[k]
		sv, known := server.Fields[k]
		if known && sameFieldValue(d, k, sv, v) {
			continue
		}
		sentVal, inSend := cur.lastSent(k)
		switch {
		case inSend && sameFieldValue(d, k, sentVal, v):
			continue // not changed since the send: what the org holds now stands (another user's)
		case !known, cur.sentValue(d, k, sv), !inSend:
			// The org holds what a send carried, or a value of its own (the field was not in
			// the create: a default, the owner): the later value goes.
			rest[k], base[k] = v, sv
		default:
			rest[k], base[k] = v, sentVal
			theirs = append(theirs, k)
		}
	}
	if len(rest) == 0 {
		return false, nil
	}
	cur.Op, cur.Changes = OpUpdate, rest
	cur.unrecordedSend = false // the record is found: its copy is the base from now on
	e.rebase(cur, server.Fields, rec.Version)
	cur.Status, cur.unknown, cur.NextAttempt, cur.Code, cur.Message = StatusPending, false, time.Time{}, "", ""
	cur.UpdatedAt = e.now()
	if len(theirs) > 0 {
		by := lastSaver(server.Fields)
		cur.Conflicts = nil
		for _, f := range inFormOrder(d, theirs) {
			cur.Base[f] = base[f]
			cur.Conflicts = append(cur.Conflicts, Conflict{Field: f, Base: base[f], Theirs: server.Fields[f], Mine: rest[f], TheirsBy: by, TheirsAt: rec.Version.LastModifiedDate})
		}
		cur.Status, cur.Code = StatusConflict, "CONFLICT"
		cur.Message = e.changer(by) + " changed " + fieldLabels(d, theirs)
		e.note(cur.ID, cur.RecordID, "conflict: "+cur.Message+" after the record was created")
	} else {
		e.note(cur.ID, cur.RecordID, "your later change to "+fieldLabels(d, sortedKeys(rest))+" is sent to it next")
	}
	if err := e.save(ctx, tx, cur); err != nil {
		return false, err
	}
	rec.View = withChanges(d, server.Fields, rest)
	rec.Name = displayName(d, rec.View)
	if err := tx.PutRecord(ctx, rec); err != nil {
		return false, err
	}
	*en = *cur
	return true, nil
}

// storeAccepted stores the server's copy of a record after the org accepted an update, and notes
// the fields outside the change that differ from the base: set by the org itself on saving the
// change (a stage's probability and forecast category, say) when the write was conditional and
// nobody saved the record after it, otherwise another user's change the update kept.
func (e *Engine) storeAccepted(ctx context.Context, tx *cache.Tx, d *remote.Describe, en *entry, o outcome) error {
	st, others := o.job.stored, o.job.others
	prepared := st != nil && sameFields(st.Record.Server, o.server.Fields)
	if !prepared {
		others = changedFieldsExcept(d, en.baseRecord, o.server.Fields, en.Changes)
	}
	// A value an earlier send of the entry carried (its reply lost) is the user's own.
	others = slices.DeleteFunc(slices.Clone(others), func(f string) bool { return en.sentValue(d, f, o.server.Fields[f]) })
	if len(others) > 0 {
		if e.orgSetOnSaving(en, o.server.Fields) {
			e.note(en.ID, en.RecordID, "the org also set "+fieldLabels(d, others)+" on saving the change")
		} else {
			e.note(en.ID, en.RecordID, "kept another user's change to "+fieldLabels(d, others))
		}
	}
	e.seeUsers(d, o.server.Fields)
	if prepared {
		return tx.PutEncoded(ctx, *st)
	}
	return tx.PutRecord(ctx, serverRecord(d, en.Object, en.RecordID, o.server))
}

// orgSetOnSaving reports whether the fields of an accepted update's server copy that differ from
// the entry's base, outside the change, were set by the org on saving the change rather than by
// another user: the write was conditional on the base (If-Match or If-Unmodified-Since), so
// nobody saved the record between the base and the write (but in the base's own second, see
// the package doc), and the copy read after it was last saved by this user (another user's
// save after the write names them). Another user's change found by a 412 was merged and
// noted then; the merge took their copy as the new base.
func (e *Engine) orgSetOnSaving(en *entry, server remote.Fields) bool {
	if en.BaseVersion.ETag == "" && unmodifiedSince(en.BaseVersion).IsZero() {
		return false // sent without a precondition: anyone may have saved it since the base
	}
	by, me := lastSaver(server), e.myID()
	return by == "" || me == "" || sameID(by, me)
}

// serverRecord is the cached record of a server copy with no change left on top of it.
func serverRecord(d *remote.Describe, object, id string, server *remote.Record) cache.Record {
	rec := cache.Record{Object: object, ID: id, Server: server.Fields, Version: versionOf(server.Fields, server.ETag)}
	rec.View = rec.Server // the cache stores it once
	rec.Name = displayName(d, rec.View)
	return rec
}

// sameFields reports whether a and b are the same map (not merely equal ones).
func sameFields(a, b remote.Fields) bool {
	return a != nil && b != nil && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

type verdict int

const (
	verdictDone     verdict = iota // the org already has every value of the change
	verdictMerge                   // another user changed only other fields: rebase and resend
	verdictConflict                // another user changed a field of the change (or strict mode)
)

// judge compares the server's copy with the entry's base and changes, field by field. A value an
// earlier send of the entry carried (its reply lost) is the user's own, not another user's.
func (e *Engine) judge(d *remote.Describe, en *entry, server remote.Fields) (verdict, []string, []string) {
	allMine := true
	var overlap []string
	for _, f := range sortedKeys(en.Changes) {
		sv, mine := server[f], en.Changes[f]
		if !sameFieldValue(d, f, sv, mine) {
			allMine = false
			if !sameFieldValue(d, f, sv, en.Base[f]) && !en.sentValue(d, f, sv) {
				overlap = append(overlap, f)
			}
		}
	}
	theirs, echo := en.othersChanged(d, server)
	if allMine {
		return verdictDone, overlap, theirs
	}
	if len(overlap) > 0 || e.opts.Strict && !echo {
		return verdictConflict, overlap, theirs
	}
	return verdictMerge, overlap, theirs
}

// othersChanged lists the fields of the server copy that differ from the entry's base and that
// no earlier send of the entry explains. echo reports that the server copy differs from the
// base only by what earlier sends carried: the user's own values, and the fields the org
// derives from them (a compound name, a formula: fields nobody can write).
func (en *entry) othersChanged(d *remote.Describe, server remote.Fields) (theirs []string, echo bool) {
	changed := changedFields(d, en.baseRecord, server)
	if len(en.sent) == 0 {
		return changed, false
	}
	echoed := false
	for _, f := range changed {
		if en.sentValue(d, f, server[f]) {
			echoed = true
			continue
		}
		theirs = append(theirs, f)
	}
	if !echoed {
		return theirs, false
	}
	var written []string
	for _, f := range theirs {
		if d == nil {
			written = append(written, f)
			continue
		}
		if fd, ok := d.Field(f); !ok || fd.Updateable || fd.Createable {
			written = append(written, f)
		}
	}
	return written, len(written) == 0
}

// applyConflict handles a 412 (or a cached server copy newer than the base): the org already
// has our values → done; disjoint → auto-merge; otherwise a conflict with base/theirs/mine.
func (e *Engine) applyConflict(ctx context.Context, tx *cache.Tx, r *run, o outcome, pre bool) (bool, error) {
	mem := o.job.ent
	en := mem
	if pre {
		cur, ok, err := reload(ctx, tx, mem)
		if err != nil || !ok {
			return false, err
		}
		en = cur
		o.job.ent = cur
	}
	server := o.server.Fields
	ver := versionOf(server, o.server.ETag)
	d := e.describeOf(ctx, tx, en.Object)
	v, overlap, theirs := e.judge(d, en, server)
	e.seeUsers(d, server)
	rec, err := tx.Record(ctx, en.RecordID)
	if err != nil && !errors.Is(err, cache.ErrNotFound) {
		return false, err
	}
	rec.Object, rec.ID = en.Object, en.RecordID
	switch v {
	case verdictDone:
		if by := lastSaver(server); !en.unknown && len(en.sent) == 0 && !sameID(by, e.myID()) {
			// Never sent before: another user saved the same values meanwhile.
			e.note(en.ID, en.RecordID, "the org already has these values (another user saved them): nothing to send")
		} else {
			e.note(en.ID, en.RecordID, "the org already has these values (an earlier send reached it)")
		}
		o.class = ClassOK
		err := e.applySuccess(ctx, tx, r, o)
		mem.Status = statusRemoved
		return true, err
	case verdictMerge:
		r.merges[en.ID]++
		if r.merges[en.ID] > maxMergesPerRun {
			return true, e.applyTransient(ctx, tx, outcome{job: o.job, class: ClassTransient, callErr: errors.New("the record keeps changing on the org")})
		}
		echo := len(theirs) == 0 && len(en.sent) > 0 // only an earlier send of ours moved it
		for f, mine := range en.Changes {
			if sameFieldValue(d, f, server[f], mine) {
				delete(en.Changes, f) // the org holds it already (the same set saved by another user, say): not sent again
			}
		}
		e.rebase(en, server, ver)
		en.Status, en.NextAttempt = StatusPending, time.Time{}
		if ver.ETag == "" && e.readInItsSecond(ver) {
			e.markFresh(en.ID)
		}
		// Counted as merged with another user's edits only when there were some: an echo of
		// the user's own earlier send is not.
		r.merged[en.ID] = !echo
		mine := fieldLabels(d, sortedKeys(en.Changes))
		switch {
		case echo:
			e.note(en.ID, en.RecordID, "the org holds an earlier send of yours (its reply was lost); your later change to "+mine+" is sent on top")
		case len(theirs) > 0:
			e.note(en.ID, en.RecordID, "auto-merged: "+e.changerInNote(lastSaver(server))+" changed "+fieldLabels(d, theirs)+"; your change to "+mine+" is resent on top")
		default:
			e.note(en.ID, en.RecordID, "auto-merged: "+e.changerInNote(lastSaver(server))+" changed fields you did not change; your change to "+mine+" is resent on top")
		}
	case verdictConflict:
		fields := overlap
		if len(fields) == 0 {
			// Strict mode: every field of the change, but one the org already holds with my
			// value (both set it alike): there is nothing to decide there.
			for _, f := range sortedKeys(en.Changes) {
				if !sameFieldValue(d, f, server[f], en.Changes[f]) {
					fields = append(fields, f)
				}
			}
		}
		by := lastSaver(server)
		en.Conflicts = nil
		for _, f := range inFormOrder(d, fields) {
			en.Conflicts = append(en.Conflicts, Conflict{Field: f, Base: en.Base[f], Theirs: server[f], Mine: en.Changes[f], TheirsBy: by, TheirsAt: ver.LastModifiedDate,
				Sent: en.sentOtherwise(d, f)})
		}
		en.Status, en.Code = StatusConflict, "CONFLICT"
		if !pre {
			en.Attempts++ // the org refused a send
		}
		if len(overlap) > 0 {
			en.Message = e.changer(by) + " changed " + fieldLabels(d, inFormOrder(d, overlap))
			// What else they changed is kept as theirs: said, so that the user, seeing one
			// field to decide, does not wonder what became of the others.
			if others := slices.DeleteFunc(slices.Clone(theirs), func(f string) bool { return slices.Contains(overlap, f) }); len(others) > 0 {
				en.Message += "; their change to " + fieldLabels(d, inFormOrder(d, others)) + " is kept"
			}
		} else {
			// The conflict lists the fields of the change, which they left as they were: the
			// message says what they did change, and to what, or the user could not see it.
			en.Message = e.changer(by) + " changed " + orRecordWithValues(d, theirs, server) + " (strict mode: every remote change needs your decision)"
		}
		e.noteCode(en.ID, en.RecordID, en.Code, truncate("conflict: "+namedChanger(ctx, tx, en.Message, by)+"; "+conflictValues(ctx, tx, d, en.Conflicts), 400))
	}
	rec.Server = server
	rec.Version = ver
	rec.View = withChanges(d, server, en.Changes)
	rec.Name = displayName(d, rec.View)
	if err := tx.PutRecord(ctx, rec); err != nil {
		return false, err
	}
	*mem = *en
	return true, e.save(ctx, tx, en)
}

// conflictValues says, for the log, each conflicting field's values on both sides: `Phone
// theirs "555-2222", mine "555-0100"` (the conflict screen shows them until the conflict is
// settled; the log keeps them after).
func conflictValues(ctx context.Context, tx *cache.Tx, d *remote.Describe, cs []Conflict) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		part := fieldLabel(d, c.Field) + " theirs " + noteFieldValue(ctx, tx, d, c.Field, c.Theirs) +
			", mine " + noteFieldValue(ctx, tx, d, c.Field, c.Mine)
		if n := len(c.Sent); n > 0 {
			part += ", sent before with no reply " + noteFieldValue(ctx, tx, d, c.Field, c.Sent[n-1])
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

// orRecordWithValues is orRecord with each field's new value: Industry (now "Energy").
func orRecordWithValues(d *remote.Describe, fs []string, server remote.Fields) string {
	if len(fs) == 0 {
		return "this record"
	}
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		v := "empty"
		switch x := server[f].(type) {
		case nil:
		case string:
			if x != "" {
				v = strconv.Quote(truncate(x, 40))
			}
		case bool:
			v = map[bool]string{true: "Yes", false: "No"}[x] // as the app shows a checkbox
		case float64:
			v = strconv.FormatFloat(x, 'f', -1, 64) // 1500000, not 1.5e+06
		default:
			v = fmt.Sprint(x)
		}
		parts = append(parts, fieldLabel(d, f)+" (now "+v+")")
	}
	return joinFields(parts)
}

func orRecord(d *remote.Describe, fs []string) string {
	if len(fs) == 0 {
		return "this record"
	}
	return fieldLabels(d, fs)
}

// applyCheck: the GET before a delete. A remote change since the base is a conflict; no change
// lets the DELETE go out next pass.
func (e *Engine) applyCheck(ctx context.Context, tx *cache.Tx, r *run, o outcome) error {
	en := o.job.ent
	if o.server == nil {
		return e.applyTransient(ctx, tx, outcome{job: o.job, class: ClassTransient, callErr: errors.New("unreadable record")})
	}
	ver := versionOf(o.server.Fields, o.server.ETag)
	d := e.describeOf(ctx, tx, en.Object)
	theirs, echo := en.othersChanged(d, o.server.Fields)
	// A later stamp, or the base's own with other values: a real org stamps whole seconds, so a
	// change made in the base's second carries the base's stamp.
	stamp, base := cache.MS(ver.SystemModstamp), cache.MS(en.BaseVersion.SystemModstamp)
	newer := base != 0 && (stamp > base || stamp == base && len(theirs) > 0)
	conflict := newer && (len(theirs) > 0 || e.opts.Strict && !echo)
	if !conflict {
		r.checked[en.ID] = true
		en.Status = StatusPending
		return saveEntry(ctx, tx, en)
	}
	e.seeUsers(d, o.server.Fields)
	by := lastSaver(o.server.Fields)
	en.Conflicts = nil
	for _, f := range inFormOrder(d, theirs) {
		en.Conflicts = append(en.Conflicts, Conflict{Field: f, Base: en.baseRecord[f], Theirs: o.server.Fields[f], Mine: nil, TheirsBy: by, TheirsAt: ver.LastModifiedDate})
	}
	en.Status, en.Code = StatusConflict, "CONFLICT"
	en.Attempts++ // the check before the delete found another user's change
	en.Message = e.changer(by) + " changed " + orRecord(d, theirs) + " before your delete reached the org"
	if to := e.newOwner(en, o.server.Fields); to != "" && slices.Contains(theirs, "OwnerId") {
		// Given to another user: said in those words (the other fields, if any, after it). What
		// the user may still do with it is asked at this sync's refresh, so that "delete anyway"
		// on a record shared to edit, not to delete, is refused on the device.
		r.due(en.Object)[en.RecordID] = true
		en.Message = givenTo(ctx, tx, to)
		if rest := slices.DeleteFunc(slices.Clone(theirs), func(f string) bool { return f == "OwnerId" }); len(rest) > 0 {
			en.Message += ", and " + strings.ToLower(e.changer(by)[:1]) + e.changer(by)[1:] + " changed " + fieldLabels(d, inFormOrder(d, rest)) + ","
		}
		en.Message += " before your delete reached the org"
	}
	e.noteCode(en.ID, en.RecordID, en.Code, "conflict: "+en.Message)
	rec := cache.Record{Object: en.Object, ID: en.RecordID, Server: o.server.Fields, Version: ver, View: overlay(o.server.Fields, nil)}
	rec.Name = displayName(d, rec.View)
	if err := tx.PutRecord(ctx, rec); err != nil {
		return err
	}
	return e.save(ctx, tx, en)
}

func (e *Engine) applyTransient(ctx context.Context, tx *cache.Tx, o outcome) error {
	en := o.job.ent
	en.Attempts++
	var retryAfter time.Duration
	if o.apiErr != nil {
		retryAfter = o.apiErr.RetryAfter
		en.Code = o.apiErr.Code()
	} else if ae, ok := remote.AsError(o.callErr); ok {
		retryAfter = ae.RetryAfter
		en.Code = ae.Code()
	} else {
		en.Code = ""
	}
	e.mu.Lock()
	delay := e.backoff.Delay(en.Attempts, retryAfter, e.rng)
	e.mu.Unlock()
	// The queue keeps times in whole milliseconds: round up, so the stored moment is never
	// sooner than the delay (a Retry-After of 2 s must not become 1.9995 s).
	en.NextAttempt = ceilMillisecond(e.now().Add(delay))
	en.Status = StatusPending
	// A request that failed as a whole may have reached the org: its outcome is unknown. Not so
	// one that never left (its session could not be signed in, no connection was made), nor
	// one the org answered it did not take (a 4xx such as a request limit, or 503 unavailable;
	// a 500, 502 or 504 may come after the work was done).
	ae, answered := remote.AsError(o.callErr)
	refused := answered && (ae.Status < 500 || ae.Status == 503)
	en.unknown = en.unknown || o.callErr != nil && !remote.NotSent(o.callErr) && !refused
	en.noReply = o.callErr != nil && !answered
	if errors.Is(o.callErr, remote.ErrCutOff) {
		// The user went offline: nothing is retried until the device is online again.
		en.Message = MsgNoConfirmation + "you went offline while it was being sent; the org may have it); the next sync settles it"
		return e.save(ctx, tx, en)
	}
	why := "a temporary problem"
	switch {
	case o.apiErr != nil:
		why = "the org said: " + firstMessage(o.apiErr)
	case o.callErr != nil:
		if ae, ok := remote.AsError(o.callErr); ok {
			why = "the org said: " + firstMessage(ae)
		} else if errors.Is(o.callErr, remote.ErrMalformedReply) {
			why = "the org's reply could not be read"
		} else {
			why = "the network failed"
		}
	}
	en.Message = "Not synced yet (" + why + "); will retry automatically"
	if en.unknown {
		// "Not synced yet" would be untrue: the org may have it (the reply was lost).
		en.Message = MsgNoConfirmation + why + "; the org may have it); will retry automatically"
	}
	return e.save(ctx, tx, en)
}

// MsgNoConfirmation begins the message of a change whose last send got no reply: it says
// itself that the org may have it.
const MsgNoConfirmation = "No confirmation ("

// ceilMillisecond rounds t up to the next whole millisecond, the precision the queue stores.
func ceilMillisecond(t time.Time) time.Time {
	if r := t.Truncate(time.Millisecond); r.Before(t) {
		return r.Add(time.Millisecond)
	}
	return t
}

func firstMessage(ae *remote.Error) string {
	if ae == nil {
		return ""
	}
	for _, it := range ae.Items {
		if it.Message != "" {
			return it.Message
		}
	}
	if ae.Duplicate != nil && ae.Duplicate.ErrorMessage != "" {
		return ae.Duplicate.ErrorMessage
	}
	if c := ae.Code(); c != "" {
		return c
	}
	return "HTTP " + strconv.Itoa(ae.Status)
}

func (e *Engine) applyInvalid(ctx context.Context, tx *cache.Tx, o outcome) error {
	en := o.job.ent
	en.Status = StatusInvalid
	en.Attempts++ // the org refused a send
	en.Errors = nil
	en.Code = ""
	var msgs []string
	if ae := o.apiErr; ae != nil {
		en.Code = ae.Code()
		for _, it := range ae.Items {
			if len(it.Fields) == 0 {
				en.Errors = append(en.Errors, FieldError{Code: it.Code, Message: it.Message})
			}
			for _, f := range it.Fields {
				en.Errors = append(en.Errors, FieldError{Field: f, Code: it.Code, Message: it.Message})
			}
			if it.Message != "" {
				msgs = append(msgs, it.Message)
			}
			if it.Code == "INVALID_CROSS_REFERENCE_KEY" {
				if f, text := e.goneReference(ctx, tx, en, it); text != "" {
					if it.Message != "" {
						msgs[len(msgs)-1] = text
					} else {
						msgs = append(msgs, text)
					}
					if len(it.Fields) == 0 {
						en.Errors[len(en.Errors)-1] = FieldError{Field: f, Code: it.Code, Message: text}
					}
					for i := range en.Errors {
						if en.Errors[i].Field == f && en.Errors[i].Code == it.Code {
							en.Errors[i].Message = text
						}
					}
				}
			}
		}
		if ae.HasCode("DUPLICATES_DETECTED") {
			en.dups = dupNone
			if ae.Duplicate != nil && ae.Duplicate.AllowSave {
				en.dups = dupAllow
			}
			if ae.Duplicate != nil && ae.Duplicate.ErrorMessage != "" && len(msgs) == 0 {
				msgs = append(msgs, ae.Duplicate.ErrorMessage)
			}
		}
	}
	if len(msgs) == 0 {
		msgs = append(msgs, "The org refused this change")
	}
	en.Message = strings.Join(dedupe(msgs), "; ")
	if en.dups == dupAllow {
		en.Message += " (save again unchanged to keep it anyway)"
	}
	if o.server != nil && en.Op == OpUpdate {
		if err := e.refreshServerCopy(ctx, tx, en, o.server); err != nil {
			return err
		}
	}
	e.noteCode(en.ID, en.RecordID, en.Code, "refused: "+en.Message)
	return e.save(ctx, tx, en)
}

// goneReference says, for the org's "invalid cross reference id" on a change, which lookup of
// the change points at a record the org no longer has for this user (deleted, or out of their
// reach) and how to put it: the field's label, the record it named, what to do. The field is
// the one the org names, else the lookup whose value the message quotes.
func (e *Engine) goneReference(ctx context.Context, tx *cache.Tx, en *entry, it remote.ErrorItem) (string, string) {
	d := e.describeOf(ctx, tx, en.Object)
	if d == nil {
		return "", ""
	}
	candidates := it.Fields
	if len(candidates) == 0 {
		var lookups []string
		for _, f := range sortedKeys(en.Changes) {
			v, ok := en.Changes[f].(string)
			if fd, isField := d.Field(f); !ok || v == "" || !isField || fd.Type != "reference" {
				continue
			}
			lookups = append(lookups, f)
			if strings.Contains(it.Message, v[:min(15, len(v))]) {
				candidates = append(candidates, f)
			}
		}
		switch {
		case len(candidates) == 0 && len(lookups) == 1:
			candidates = lookups // the only lookup the change sets
		case len(candidates) == 0 && len(lookups) > 1:
			return "", "one of " + fieldLabels(d, lookups) + " points at a record deleted on the org or out of your reach; choose another"
		}
	}
	for _, f := range candidates {
		fd, ok := d.Field(f)
		id, _ := en.Changes[f].(string)
		if !ok || fd.Type != "reference" || id == "" {
			continue
		}
		name := id
		if rec, err := tx.Record(ctx, id); err == nil && rec.Name != "" {
			name = rec.Name
		}
		return f, fmt.Sprintf("%s: the record it points at (%s) was deleted on the org or is out of your reach; choose another",
			fieldLabel(d, f), name)
	}
	return "", ""
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// refreshServerCopy stores the org's copy of a record that has an entry, keeping the entry's
// change on top (the base stays the entry's).
func (e *Engine) refreshServerCopy(ctx context.Context, tx *cache.Tx, en *entry, srv *remote.Record) error {
	d := e.describeOf(ctx, tx, en.Object)
	e.seeUsers(d, srv.Fields)
	rec := cache.Record{Object: en.Object, ID: en.RecordID, Server: srv.Fields, Version: versionOf(srv.Fields, srv.ETag)}
	rec.View = withChanges(d, srv.Fields, en.Changes)
	rec.Name = displayName(d, rec.View)
	return tx.PutRecord(ctx, rec)
}

// The messages of failed entries whose record was deleted or is out of the user's reach
// (Entry.Cause reads them back).
const (
	msgDeleted          = "Record was deleted by another user"
	msgDeletedWith      = "Record was deleted on the org with its " // + `Account "Acme"`: the parent's delete took it along
	msgNoAccess         = "You no longer have access to this record"
	msgNoAccessToChange = "You no longer have access to change this record"
	msgNoAccessToDelete = "You no longer have access to delete this record"
	// A record the user may still read but not change, given to another user since the change
	// was made: `This record was given to Sam Chen; you can no longer change it`. Changes kept
	// from earlier versions may say who gave it: `Ada Admin gave this record to Sam Chen; …`.
	msgGave        = " gave this record to "
	msgWasGiven    = "This record was given to "
	msgAnotherUser = "another user" // a user the device cannot name
	msgNoLonger    = "; you can no longer "
	msgGivenTail   = " it"
)

// GivenAway reports whether a red change can't be saved because its record was given to
// another user after the change was made: the org refused it for want of access, still let the
// user read the record, and the record's owner was no longer the one the change was made on.
// The message then says who gave it to whom ("Ada Admin gave this record to Sam Chen; you can
// no longer change it").
func (e Entry) GivenAway() bool {
	if e.Cause() != CauseNoAccess || !strings.HasPrefix(e.Code, "INSUFFICIENT_ACCESS") {
		return false
	}
	head, _, ok := strings.Cut(e.Message, msgNoLonger)
	return ok && (strings.HasPrefix(head, msgWasGiven) || strings.Contains(head, msgGave))
}

// givenAwayMessage says, for a change the org refused for want of access on a record the user
// may still read, that the record was given to another user since the change was made, in the
// words of GivenAway; "" when its owner is still the one the change was made on, or when no copy
// of the record came with the refusal (server: the GET or Collections retrieve that went with
// the write; a DELETE goes alone, and its check found any gift before it). The cache then takes
// that copy, the change kept on top, so that the record's page shows the owner the message names.
func (e *Engine) givenAwayMessage(ctx context.Context, tx *cache.Tx, en *entry, server *remote.Record) (string, error) {
	if server == nil {
		return "", nil
	}
	to := e.newOwner(en, server.Fields)
	if to == "" {
		return "", nil
	}
	if en.Op == OpUpdate {
		if err := e.refreshServerCopy(ctx, tx, en, server); err != nil {
			return "", err
		}
	}
	verb := "change"
	if en.Op == OpDelete {
		verb = "delete"
	}
	e.seeUsers(nil, server.Fields) // the new owner's name is fetched with the run's others
	return givenTo(ctx, tx, to) + msgNoLonger + verb + msgGivenTail, nil
}

// newOwner is the id of the user a record's server copy (now) names as its owner when that is
// not the owner of the copy the change was made on (its base) nor the device's user; "" when
// the owner did not change that way, or either copy does not say.
func (e *Engine) newOwner(en *entry, now remote.Fields) string {
	was, _ := en.baseRecord["OwnerId"].(string)
	if was == "" {
		was, _ = en.Base["OwnerId"].(string)
	}
	to, _ := now["OwnerId"].(string)
	if was == "" || to == "" || sameID(was, to) || sameID(to, e.myID()) {
		return ""
	}
	return to
}

// givenTo says to whom a record was given (to, an owner's id), named as the device knows its
// users: "This record was given to Sam Chen". Who gave it is not said: the record's last
// modifier need not be the user who changed its owner. An owner the device cannot name (yet:
// renameGiven names them once the run has fetched the names) is "another user", a queue "a
// queue".
func givenTo(ctx context.Context, tx *cache.Tx, to string) string {
	toName := userName(ctx, tx, to)
	if toName == msgAnotherUser && strings.HasPrefix(to, "00G") {
		toName = "a queue"
	}
	return msgWasGiven + toName
}

// renameGiven names, in the messages of changes whose record was given to a user the device
// could not name when the message was written, that user, once the run has fetched the names
// of the users it saw.
func (e *Engine) renameGiven(ctx context.Context) error {
	var changed []*entry
	err := e.db.Update(ctx, func(tx *cache.Tx) error {
		changed = nil
		ents, err := entriesWhere(ctx, tx, `WHERE message LIKE ?`, msgWasGiven+msgAnotherUser+"%")
		if err != nil {
			return err
		}
		for _, en := range ents {
			rec, err := tx.Record(ctx, en.RecordID)
			if err != nil {
				continue
			}
			to, _ := rec.Server["OwnerId"].(string)
			if !strings.HasPrefix(en.Message, msgWasGiven+msgAnotherUser) || to == "" || sameID(to, e.myID()) {
				continue // the words are not the engine's, or the record came back to the user
			}
			if name := userName(ctx, tx, to); name != msgAnotherUser {
				en.Message = msgWasGiven + name + strings.TrimPrefix(en.Message, msgWasGiven+msgAnotherUser)
				if err := saveEntry(ctx, tx, en); err != nil {
					return err
				}
				changed = append(changed, en)
			}
		}
		return nil
	})
	if err == nil {
		for _, en := range changed {
			e.note(en.ID, en.RecordID, "the new owner is named: "+en.Message)
			e.changed(Event{Kind: EventEntryChanged, EntryID: en.ID, RecordID: en.RecordID, Status: en.Status})
		}
	}
	return err
}

// applyOwnerRefused: the org refused, for want of access (INSUFFICIENT_ACCESS_OR_READONLY), an
// update that gives the record to another user, on a record the user does not own and may, as
// far as the device knows, still edit (the copy read back with the refusal came, and no access
// below edit is kept for it). Only the record's owner, an admin or a user with full access may
// change its owner: the refusal is for the Owner, not the record lost (red, read only, dismiss
// only, and the rest of the change lost with it). The change is refused with the error on
// Owner, fixed by setting it back to the org's owner; the rest is then saved. Should the user
// in fact no longer be able to edit the record, the resend says so. It reports whether the
// outcome was taken.
func (e *Engine) applyOwnerRefused(ctx context.Context, tx *cache.Tx, o outcome) (bool, error) {
	en := o.job.ent
	if en.Op != OpUpdate || o.server == nil || o.apiErr == nil || o.apiErr.Code() != "INSUFFICIENT_ACCESS_OR_READONLY" {
		return false, nil
	}
	mine, moved := en.Changes["OwnerId"]
	owner, _ := o.server.Fields["OwnerId"].(string)
	me := e.myID()
	if !moved || owner == "" || me == "" || sameID(owner, me) {
		return false, nil
	}
	if s, _ := mine.(string); sameID(s, owner) {
		return false, nil // the change leaves the owner as it is: the refusal is not for it
	}
	if lv, err := tx.Access(ctx, me, en.RecordID); err != nil {
		return false, err
	} else if lv == cache.AccessRead || lv == cache.AccessNone {
		return false, nil // known to be read only: lost access, as applyFailed says
	}
	d := e.describeOf(ctx, tx, en.Object)
	e.seeUsers(d, o.server.Fields)
	if err := e.refreshServerCopy(ctx, tx, en, o.server); err != nil {
		return false, err
	}
	label := fieldLabel(d, "OwnerId")
	back := "its owner on the org"
	if name := userName(ctx, tx, owner); name != msgAnotherUser {
		back = name + ", its owner on the org,"
	}
	const why = "only the record's owner or an admin can give it to another user"
	en.Status = StatusInvalid
	en.Attempts++ // the org refused a send
	en.Code = o.apiErr.Code()
	en.Errors = []FieldError{{Field: "OwnerId", Code: en.Code, Message: "The org refused the change of " + label + ": " + why}}
	en.Message = "The org refused the change of " + label + ": " + why + "; set " + label + " back to " + back + " to save the rest of your change"
	e.noteCode(en.ID, en.RecordID, en.Code, "refused: "+en.Message)
	return true, e.save(ctx, tx, en)
}

func (e *Engine) applyFailed(ctx context.Context, tx *cache.Tx, o outcome) error {
	en := o.job.ent
	en.Status = StatusFailed
	en.Attempts++ // the org refused a send
	en.Errors = nil
	en.Code = ""
	if ae := o.apiErr; ae != nil {
		en.Code = ae.Code()
		for _, it := range ae.Items {
			en.Errors = append(en.Errors, FieldError{Code: it.Code, Message: it.Message})
		}
	}
	switch {
	case o.deletedWith != "":
		en.Message = msgDeletedWith + o.deletedWith
	case o.deleted || en.Code == "ENTITY_IS_DELETED":
		en.Message = msgDeleted
	case noAccessCode(en.Code):
		en.Message = msgNoAccess
		if en.Code == "INSUFFICIENT_ACCESS_OR_READONLY" {
			en.Message = msgNoAccessToChange
			if en.Op == OpDelete {
				en.Message = msgNoAccessToDelete
			}
			// The org still lets the user read the record: if its owner is not the one the
			// change was made on, the record was given away, and the message says so.
			if gave, err := e.givenAwayMessage(ctx, tx, en, o.server); err != nil {
				return err
			} else if gave != "" {
				en.Message = gave
			}
		}
	default:
		en.Message = "The org can't apply this change: " + firstMessage(o.apiErr)
	}
	e.noteCode(en.ID, en.RecordID, en.Code, "failed: "+en.Message)
	return e.save(ctx, tx, en)
}

// lookupCreate settles a create whose earlier send has an unknown outcome, before it is sent
// again: by Offline_Key__c where the object has it, otherwise by a query for a record created by
// this user after the attempt with the same field values.
func (e *Engine) lookupCreate(ctx context.Context, r *run, en *entry) (outcome, bool, error) {
	o := outcome{job: &job{ent: en, kind: jobCreate, get: -1}, class: ClassOK}
	keyed := r.keyed[en.Object]
	if keyed {
		rec, found, err := e.findByKey(ctx, r, en)
		if err != nil {
			return o, false, err
		}
		if found {
			o.newID, o.server, o.found = rec.ID(), &rec, true
			e.note(en.ID, en.RecordID, "found the record an earlier send created ("+o.newID+") by its offline key")
			return o, true, nil
		}
		// Not by its key: an earlier send may have gone without it (the org refused the key in
		// that run), so look by its values too before sending it again.
	}
	d, err := e.db.Describe(ctx, en.Object)
	if err != nil {
		return o, false, err
	}
	// The org stamps CreatedDate with its own clock: the send's time on that clock, as kept at
	// the send, or the device's on the org's clock as it runs now (a device clock minutes ahead
	// of the org's looked past the record).
	since := en.sentOrgAt
	if since.IsZero() && !en.sentAt.IsZero() {
		since = e.onOrgClock(en.sentAt)
	} else if since.IsZero() {
		since = e.onOrgClock(en.CreatedAt)
	}
	// Before any send: the first send's time on the org's clock, or the change's making.
	beforeAny := en.firstSentOrgAt
	if beforeAny.IsZero() {
		beforeAny = e.onOrgClock(en.CreatedAt)
	}
	if beforeAny.After(since) {
		beforeAny = since
	}
	// The last send carried the changes as they are, unless the user changed the record since:
	// then only an earlier send (the values it carried) can have created it, and the values
	// as they are now, never sent, must not be looked for (they may be another create's, whose
	// record this one would take).
	var gens []remote.Fields
	if !en.editedSinceSend() {
		gens = append(gens, en.Changes)
	}
	for i := len(en.sent) - 1; i >= 0; i-- {
		gens = append(gens, en.sent[i])
	}
	if en.editedAfterUnrecordedSend() {
		// A queue an older build wrote, edited after a send it kept no record of: the name as
		// it is now is the best guess at what that send carried.
		if nf := d.NameField(); en.Changes[nf] != nil {
			gens = append(gens, remote.Fields{nf: en.Changes[nf]})
		}
	}
	for i, changes := range gens {
		if i > 0 || en.editedSinceSend() || en.editedAfterUnrecordedSend() {
			since = beforeAny
		}
		found, err := e.findByValues(ctx, r, d, en, changes, since, keyed)
		if err != nil || found == nil {
			if err != nil {
				return o, false, err
			}
			continue
		}
		o.newID, o.server, o.found = found.ID(), found, true
		e.note(en.ID, en.RecordID, "found the record an earlier send created ("+o.newID+") by its values")
		return o, true, nil
	}
	return o, false, nil
}

// findByValues looks for a record this user created since shortly before since whose
// filterable fields equal changes, and that no other change has taken: nil when none.
func (e *Engine) findByValues(ctx context.Context, r *run, d *remote.Describe, en *entry, changes remote.Fields, since time.Time, keyed bool) (*remote.Record, error) {
	q, unfiltered, narrowed, ok := fallbackQuery(d, changes, since, r.fields[en.Object], e.myID())
	if !ok {
		return nil, nil
	}
	// Every record that matches, page after page: the one this create made may come after
	// twenty others alike (the user creating many of the same kind in those minutes), and a
	// first page alone would send it again.
	res, err := e.org.Query(remote.WithTag(ctx, en.ID), q, 0)
	if err != nil {
		return nil, err
	}
	var pg pages
	for page := res; !page.Done && page.NextRecordsURL != ""; {
		if page, err = pg.more(remote.WithTag(ctx, en.ID), e.org, page); err != nil {
			return nil, err
		}
		res.Records = append(res.Records, page.Records...)
	}
	var found *remote.Record
	err = e.db.View(ctx, func(tx *cache.Tx) error {
		// First a record that also holds what the query could not compare (a long text);
		// failing that, when the query's own fields picked it out, one that does not (the org,
		// a trigger or a person may have changed its long text since).
		for _, strict := range []bool{true, false} {
			if !strict && !narrowed {
				return nil // nothing but the user and the time picked them: the values must tell
			}
			for i := range res.Records {
				if k, _ := res.Records[i].Fields[OfflineKeyField].(string); keyed && k != "" && k != en.ID {
					continue // another change's record: it carries that change's key
				}
				if by := r.claimed[res.Records[i].ID()]; by != "" && by != en.ID || strict && !holdsValues(d, res.Records[i].Fields, unfiltered) {
					continue // another create's of this run, or other values than the query could compare
				}
				mapped, err := tx.IsMapped(ctx, res.Records[i].ID())
				if err != nil {
					return err
				}
				if !mapped {
					found = &res.Records[i]
					return nil
				}
			}
		}
		return nil
	})
	if found != nil {
		r.claimed[found.ID()] = en.ID
	}
	return found, err
}

// holdsValues reports whether a record the org sent holds the values a query could not compare
// (a field the record was not sent with, it cannot say, is taken as held).
func holdsValues(d *remote.Describe, rec, values remote.Fields) bool {
	for k, v := range values {
		if got, sent := rec[k]; sent && !sameFieldValue(d, k, got, v) {
			return false
		}
	}
	return true
}

// fallbackQuery builds the lookup for a create without Offline_Key__c: records created by this
// user since shortly before the attempt whose filterable fields equal the change.
// unfiltered are the fields of changes the query could not compare (long text, a multi-select),
// for the caller to compare in the records it finds; narrowed says some field of the change
// is in the query (not only the user and the time).
func fallbackQuery(d *remote.Describe, changes remote.Fields, since time.Time, fields []string, userID string) (q string, unfiltered remote.Fields, narrowed, ok bool) {
	since = since.Add(-5 * time.Minute).UTC()
	conds := []string{"CreatedDate >= " + since.Format("2006-01-02T15:04:05Z")}
	if userID != "" {
		conds = append(conds, "CreatedById = '"+soqlEscape(userID)+"'")
	}
	keys := sortedKeys(changes)
	sort.Strings(keys)
	matched := 0
	for _, k := range keys {
		f, ok := d.Field(k)
		if !ok {
			continue
		}
		v := changes[k]
		if v == nil || v == "" {
			continue
		}
		lit, ok := soqlLiteral(f.Type, v)
		if !ok {
			if s, local := v.(string); !local || !IsLocalID(s) {
				if unfiltered == nil {
					unfiltered = remote.Fields{}
				}
				unfiltered[f.Name] = v
			}
			continue
		}
		conds = append(conds, f.Name+" = "+lit)
		matched++
	}
	if matched == 0 && userID == "" {
		return "", nil, false, false // nothing would narrow it to this user's records, let alone this one
	}
	if len(fields) == 0 {
		fields = []string{"Id"}
	}
	return "SELECT " + strings.Join(fields, ", ") + " FROM " + d.Name + " WHERE " + strings.Join(conds, " AND ") + " ORDER BY CreatedDate ASC, Id ASC", unfiltered, matched > 0, true
}

func soqlLiteral(typ string, v any) (string, bool) {
	switch typ {
	case "string", "picklist", "email", "phone", "url", "combobox", "reference", "id":
		s, ok := v.(string)
		if !ok || IsLocalID(s) {
			return "", false
		}
		return "'" + soqlEscape(s) + "'", true
	case "boolean":
		b, ok := v.(bool)
		return strconv.FormatBool(b), ok
	case "double", "currency", "int", "percent":
		f, ok := v.(float64)
		return strconv.FormatFloat(f, 'f', -1, 64), ok
	case "date":
		s, ok := v.(string)
		if !ok {
			return "", false
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return "", false // a date literal is not quoted: only a date may go in
		}
		return s, true
	}
	return "", false
}

// inFormOrder sorts field names as the object's describe lists them (the form's order), names
// the describe lacks last, by name.
func inFormOrder(d *remote.Describe, fields []string) []string {
	pos := map[string]int{}
	if d != nil {
		for i, f := range d.Fields {
			pos[f.Name] = i
		}
	}
	out := slices.Clone(fields)
	slices.SortStableFunc(out, func(a, b string) int {
		pa, oka := pos[a]
		pb, okb := pos[b]
		switch {
		case oka && okb:
			return pa - pb
		case oka:
			return -1
		case okb:
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}

// sameID compares two record ids, either of which may be the 15-character form of the other.
func sameID(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if len(a) == 18 && len(b) == 18 {
		// The last three characters only spell the case of the first 15: an org takes them in
		// either case.
		return a[:15] == b[:15] && strings.EqualFold(a[15:], b[15:])
	}
	if len(a) == len(b) {
		return a == b
	}
	return a[:min(15, len(a))] == b[:min(15, len(b))] && min(len(a), len(b)) == 15
}
