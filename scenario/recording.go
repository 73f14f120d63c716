package scenario

import (
	"context"
	"errors"
	"sync"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// RecordingEngine is the sync engine with a recorder on its side: every change the user makes
// through it (creates, edits, deletes, going online or offline, resolving, fixing, dismissing,
// discarding, retrying) is recorded after it succeeds, and the recording is written to its
// file after each step, so a crash loses nothing. It has the engine's methods, so the app uses
// it in place of the engine.
type RecordingEngine struct {
	*pending.Engine
	rec  *Recorder
	path string // "" = keep the recording in memory only

	mu       sync.Mutex
	creates  map[string]string // entry id (the Offline_Key__c) → local id of a record created here
	flushErr error
	org      RecordReader // reads the org's values for the final expectations; nil: none
	writeMu  sync.Mutex   // one write of the file at a time
}

// ReadOrgWith makes Finish expect the org's values of the fields the session wrote, read with
// org (the admin's client).
func (r *RecordingEngine) ReadOrgWith(org RecordReader) {
	r.mu.Lock()
	r.org = org
	r.mu.Unlock()
}

// NewRecordingEngine wraps eng so that what the user does is recorded by rec and written to
// path (mode 0600) after each step.
func NewRecordingEngine(eng *pending.Engine, rec *Recorder, path string) *RecordingEngine {
	return &RecordingEngine{Engine: eng, rec: rec, path: path, creates: map[string]string{}}
}

// Recorder is the recorder the engine writes to.
func (r *RecordingEngine) Recorder() *Recorder { return r.rec }

// Flush writes the recording to its file now. A recording with no step is not written.
func (r *RecordingEngine) Flush() error {
	if r.path == "" || len(r.rec.Scenario().Steps) == 0 {
		return nil
	}
	r.writeMu.Lock()
	err := r.rec.WriteFile(r.path)
	r.writeMu.Unlock()
	r.mu.Lock()
	r.flushErr = err
	r.mu.Unlock()
	return err
}

// Err is the error of the last write of the recording, if it failed.
func (r *RecordingEngine) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flushErr
}

// Finish records the device's state now as expectations (so a replay proves it reaches the
// same state) and writes the file.
func (r *RecordingEngine) Finish(ctx context.Context) error {
	if len(r.rec.Scenario().Steps) == 0 {
		return nil
	}
	r.mu.Lock()
	org := r.org
	r.mu.Unlock()
	if err := r.rec.Checkpoint(ctx, r.Engine, org); err != nil {
		return err
	}
	return r.Flush()
}

// Rec is the record as the recorder knows it. A record created in this session that now has
// the org's id is matched to its create by its Offline_Key__c (the create's entry id).
func (r *RecordingEngine) Rec(ctx context.Context, object, id string) Rec {
	rec := Rec{Object: object, ID: id}
	rv, err := r.Engine.Record(ctx, object, id)
	if err != nil {
		return rec
	}
	rec.Name = rv.Name
	if rv.ID != "" {
		rec.ID = rv.ID
	}
	if key, ok := rv.Fields["Offline_Key__c"].(string); ok && key != "" {
		r.mu.Lock()
		local, mine := r.creates[key]
		r.mu.Unlock()
		if mine && local != rec.ID {
			r.rec.IDChanged(local, rec.ID)
		}
	}
	return rec
}

func (r *RecordingEngine) entryRec(ctx context.Context, entryID string) (Rec, bool) {
	en, err := r.Engine.Entry(ctx, entryID)
	if err != nil {
		return Rec{}, false
	}
	rec := r.Rec(ctx, en.Object, en.RecordID)
	if rec.Name == "" {
		rec.Name = en.Name
	}
	return rec, true
}

func (r *RecordingEngine) recorded() { _ = r.Flush() }

// SetOnline switches the device and records the switch.
func (r *RecordingEngine) SetOnline(on bool) {
	was := r.Engine.Online()
	r.Engine.SetOnline(on)
	if was == on {
		return
	}
	if on {
		r.rec.Online()
	} else {
		r.rec.Offline()
	}
	r.recorded()
}

// Sync runs a sync the user asked for and records it.
func (r *RecordingEngine) Sync(ctx context.Context) (pending.Summary, error) {
	sum, err := r.Engine.Sync(ctx)
	r.rec.Sync()
	r.recorded()
	return sum, err
}

// Create queues a new record and records it.
func (r *RecordingEngine) Create(ctx context.Context, object string, fields remote.Fields) (string, error) {
	id, err := r.Engine.Create(ctx, object, fields)
	if err != nil {
		return id, err
	}
	if rv, err := r.Engine.Record(ctx, object, id); err == nil && rv.Entry != nil {
		r.mu.Lock()
		r.creates[rv.Entry.ID] = id
		r.mu.Unlock()
	}
	r.rec.Create(object, fields, id)
	r.recorded()
	return id, nil
}

// Edit queues an edit and records it.
func (r *RecordingEngine) Edit(ctx context.Context, object, id string, fields remote.Fields, opts ...pending.EditOption) error {
	rec := r.Rec(ctx, object, id)
	if err := r.Engine.Edit(ctx, object, id, fields, opts...); err != nil {
		return err
	}
	r.rec.Edit(rec, fields)
	r.recorded()
	return nil
}

// Delete queues a delete and records it.
func (r *RecordingEngine) Delete(ctx context.Context, object, id string) error {
	rec := r.Rec(ctx, object, id)
	if err := r.Engine.Delete(ctx, object, id); err != nil {
		return err
	}
	r.rec.Delete(rec)
	r.recorded()
	return nil
}

// entryOp runs an operation on an entry and records it with the entry's record.
func (r *RecordingEngine) entryOp(ctx context.Context, entryID string, op func() error, record func(Rec)) error {
	rec, ok := r.entryRec(ctx, entryID)
	if err := op(); err != nil {
		return err
	}
	if ok {
		record(rec)
		r.recorded()
	}
	return nil
}

// Resolve resolves a conflict and records the choices.
func (r *RecordingEngine) Resolve(ctx context.Context, entryID string, choices map[string]pending.Choice) error {
	return r.entryOp(ctx, entryID, func() error { return r.Engine.Resolve(ctx, entryID, choices) },
		func(rec Rec) { r.rec.Resolve(rec, choices) })
}

// ResolveAgainst resolves a conflict on the values of theirs a screen showed and records the
// choices; when those were newer than the conflict found (a later sync brought them), the
// step says newer: true, so that the replay resolves against them too.
func (r *RecordingEngine) ResolveAgainst(ctx context.Context, entryID string, choices map[string]pending.Choice, theirs remote.Fields) error {
	newer := theirs == nil
	if en, err := r.Engine.Entry(ctx, entryID); err == nil {
		for _, c := range en.Conflicts {
			if v, ok := theirs[c.Field]; ok && !sameValue(v, c.Theirs) {
				newer = true
			}
		}
	}
	return r.entryOp(ctx, entryID, func() error { return r.Engine.ResolveAgainst(ctx, entryID, choices, theirs) },
		func(rec Rec) { r.rec.resolve(rec, choices, newer) })
}

// ResolveDelete decides a delete conflict and records it.
func (r *RecordingEngine) ResolveDelete(ctx context.Context, entryID string, deleteAnyway bool) error {
	return r.entryOp(ctx, entryID, func() error { return r.Engine.ResolveDelete(ctx, entryID, deleteAnyway) },
		func(rec Rec) { r.rec.ResolveDelete(rec, deleteAnyway) })
}

// Fix saves new values for a refused change and records them.
func (r *RecordingEngine) Fix(ctx context.Context, entryID string, fields remote.Fields) error {
	return r.entryOp(ctx, entryID, func() error { return r.Engine.Fix(ctx, entryID, fields) },
		func(rec Rec) { r.rec.Fix(rec, fields) })
}

// Retry tries a change now and records it.
func (r *RecordingEngine) Retry(ctx context.Context, entryID string) error {
	return r.entryOp(ctx, entryID, func() error { return r.Engine.Retry(ctx, entryID) },
		func(rec Rec) { r.rec.Retry(rec) })
}

// CheckAccess asks the org what I may do with a record (its page opened online) and records it
// when the answer changed what the device lets me do: a replay must learn a share the same way,
// or the edit that followed it is refused there.
func (r *RecordingEngine) CheckAccess(ctx context.Context, id string) (pending.Access, error) {
	before, berr := r.Engine.Record(ctx, "", id)
	acc, err := r.Engine.CheckAccess(ctx, id)
	if berr == nil && (err == nil && acc != before.Access || errors.Is(err, pending.ErrNotFound)) {
		r.rec.CheckAccess(r.Rec(ctx, before.Object, before.ID))
		r.recorded()
	}
	return acc, err
}

// Dismiss dismisses a red change and records it.
func (r *RecordingEngine) Dismiss(ctx context.Context, entryID string) error {
	return r.entryOp(ctx, entryID, func() error { return r.Engine.Dismiss(ctx, entryID) },
		func(rec Rec) { r.rec.Dismiss(rec) })
}

// Discard throws a pending change away and records it.
func (r *RecordingEngine) Discard(ctx context.Context, entryID string) error {
	return r.entryOp(ctx, entryID, func() error { return r.Engine.Discard(ctx, entryID) },
		func(rec Rec) { r.rec.Discard(rec) })
}
