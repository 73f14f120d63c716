package scenario

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// Rec identifies a record the way the app knows it: object, id (server or local) and the
// display name. The recorder turns it into a reference that still holds on a replay, where
// records created during the session get other ids.
type Rec struct {
	Object string
	ID     string
	Name   string
}

// Recorder writes what a user did (and what was done to the org behind their back) as a
// scenario that replays to the same result. It is safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	sc      Scenario
	byID    map[string]string // record id → ref
	byName  map[string]string // object + "\x00" + name → ref
	rules   map[string]string // org rule id → rule ref
	objects map[string]int    // refs handed out per object
	// touched lists, in first-touched order, the records whose fields a recorded step wrote
	// (created, edited by anyone, fixed, resolved), with those fields: a checkpoint expects
	// their values on the org.
	touched []*touchedRec
	latest  map[string]string // ref of a record created here → its latest id
}

type touchedRec struct {
	object, id, ref string // ref when created in this session (its id then changes on sync)
	name            string // the name the user saw, last
	fields          map[string]bool
	deleted         bool // a step deleted it: the closing checks say whether the org still has it
}

// NewRecorder starts an empty recording of a session on the org and device org describes (its
// name, seed, size, profile, extra fields, strict mode and objects; its steps are not taken).
func NewRecorder(org *Scenario) *Recorder {
	return &Recorder{
		sc: Scenario{Name: org.Name, Seed: org.Seed, Size: org.Size, Profile: org.Profile, ExtraFields: org.ExtraFields,
			Strict: org.Strict, Objects: org.Objects},
		byID:    map[string]string{},
		byName:  map[string]string{},
		rules:   map[string]string{},
		objects: map[string]int{},
		latest:  map[string]string{},
	}
}

// seenID notes the org's id of a record created in this session once a step names it by it.
func (r *Recorder) seenID(ref, id string) {
	if id != "" && !pending.IsLocalID(id) {
		r.latest[ref] = id
	}
}

// touch notes that a step wrote fields of a record (r.mu held).
func (r *Recorder) touch(rec Rec, ref RecordRef, fields []string) {
	r.touchAs(rec, ref, fields, false)
}

// touchAs is touch, and notes a delete of the record when deleted.
func (r *Recorder) touchAs(rec Rec, ref RecordRef, fields []string, deleted bool) {
	if len(fields) == 0 && !deleted || rec.Object == "" {
		return
	}
	var t *touchedRec
	for _, x := range r.touched {
		if x.object == rec.Object && (ref.Ref != "" && x.ref == ref.Ref || ref.Ref == "" && x.ref == "" && x.id == rec.ID) {
			t = x
			break
		}
	}
	if t == nil {
		if ref.Ref == "" && (rec.ID == "" || pending.IsLocalID(rec.ID)) {
			return // a record this recording cannot name again
		}
		t = &touchedRec{object: rec.Object, id: rec.ID, ref: ref.Ref, fields: map[string]bool{}}
		r.touched = append(r.touched, t)
	}
	if rec.Name != "" {
		t.name = rec.Name
	}
	for _, f := range fields {
		t.fields[f] = true
	}
	t.deleted = t.deleted || deleted
}

// Scenario is a copy of what has been recorded so far.
func (r *Recorder) Scenario() *Scenario {
	r.mu.Lock()
	defer r.mu.Unlock()
	sc := r.sc
	sc.Steps = append([]Step(nil), r.sc.Steps...)
	return &sc
}

// Add records a step as it is.
func (r *Recorder) Add(step Step) {
	r.mu.Lock()
	defer r.mu.Unlock()
	step.Line = 0
	r.sc.Steps = append(r.sc.Steps, step)
}

// Ref is the reference a recorded step uses for a record: the ref of the step that created it
// in this session (matched by id, or by name when the id changed on sync), else its id.
func (r *Recorder) Ref(rec Rec) RecordRef {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refLocked(rec)
}

func (r *Recorder) refLocked(rec Rec) RecordRef {
	if ref, ok := r.byID[rec.ID]; ok {
		r.seenID(ref, rec.ID)
		return RecordRef{Ref: ref, Object: rec.Object}
	}
	if rec.Name != "" {
		if ref, ok := r.byName[rec.Object+"\x00"+rec.Name]; ok {
			if rec.ID != "" {
				r.byID[rec.ID] = ref
				r.seenID(ref, rec.ID)
			}
			return RecordRef{Ref: ref, Object: rec.Object}
		}
	}
	if rec.ID != "" && !pending.IsLocalID(rec.ID) {
		// By its id, which no edit of its name changes; the name the user saw goes with it,
		// written as a comment for whoever reads the file.
		return RecordRef{Object: rec.Object, ID: rec.ID, Name: rec.Name}
	}
	return RecordRef{Object: rec.Object, Name: rec.Name}
}

func (r *Recorder) add(st Step) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sc.Steps = append(r.sc.Steps, st)
}

// Offline records going offline.
func (r *Recorder) Offline() { r.add(Step{Kind: KindOffline}) }

// Online records going online (and the automatic sync).
func (r *Recorder) Online() { r.add(Step{Kind: KindOnline}) }

// Sync records a sync run asked for by the user.
func (r *Recorder) Sync() { r.add(Step{Kind: KindSync}) }

// Signin records signing in again.
func (r *Recorder) Signin() { r.add(Step{Kind: KindSignin}) }

// Network records new network conditions (all zero: normal).
func (r *Recorder) Network(c Conditions) { r.add(Step{Kind: KindNetwork, Network: &c}) }

// Create records a create by me; id is what the engine returned (a local id). It returns the
// ref later steps use.
func (r *Recorder) Create(object string, fields remote.Fields, id string) string {
	return r.CreateAs("", object, fields, id)
}

// CreateAs records a create by another user (user "" or "me" is me).
func (r *Recorder) CreateAs(user, object string, fields remote.Fields, id string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.objects[object]++
	ref := fmt.Sprintf("%s%d", strings.ToLower(object), r.objects[object])
	for r.refTaken(ref) {
		r.objects[object]++
		ref = fmt.Sprintf("%s%d", strings.ToLower(object), r.objects[object])
	}
	if id != "" {
		r.byID[id] = ref
		r.latest[ref] = id
	}
	if name := recordedName(object, fields); name != "" {
		r.byName[object+"\x00"+name] = ref
	}
	r.sc.Steps = append(r.sc.Steps, Step{Kind: KindCreate, As: asUser(user), Object: object, Fields: r.lookups(fields), Ref: ref})
	r.touch(Rec{Object: object, ID: id}, RecordRef{Ref: ref, Object: object}, fieldNames(fields))
	return ref
}

func (r *Recorder) refTaken(ref string) bool {
	for _, st := range r.sc.Steps {
		if st.Kind == KindCreate && st.Ref == ref {
			return true
		}
	}
	return false
}

func recordedName(object string, f remote.Fields) string {
	if object == "Contact" {
		first, _ := f["FirstName"].(string)
		last, _ := f["LastName"].(string)
		return strings.TrimSpace(first + " " + last)
	}
	for _, k := range []string{"Name", "Subject", "CaseNumber"} {
		if s, ok := f[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// IDChanged tells the recorder that a record created in this session now has another id (a
// local id replaced by the server's).
func (r *Recorder) IDChanged(oldID, newID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ref, ok := r.byID[oldID]; ok {
		r.byID[newID] = ref
		r.latest[ref] = newID
	}
}

// Edit records an edit by me.
func (r *Recorder) Edit(rec Rec, fields remote.Fields) { r.EditAs("", rec, fields) }

// EditAs records an edit by another user.
func (r *Recorder) EditAs(user string, rec Rec, fields remote.Fields) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ref := r.refLocked(rec)
	r.sc.Steps = append(r.sc.Steps, Step{Kind: KindEdit, As: asUser(user), Record: ref, Fields: r.lookups(fields)})
	r.touch(rec, ref, fieldNames(fields))
}

func fieldNames(f remote.Fields) []string {
	out := make([]string, 0, len(f))
	for k := range f {
		out = append(out, k)
	}
	return out
}

// Delete records a delete by me.
func (r *Recorder) Delete(rec Rec) { r.DeleteAs("", rec) }

// DeleteAs records a delete by another user.
func (r *Recorder) DeleteAs(user string, rec Rec) {
	r.recordStep(Step{Kind: KindDelete, As: asUser(user)}, rec)
}

// AsUser records a step done by another user (create, edit or delete).
func (r *Recorder) AsUser(user string, step Step) {
	step.As = asUser(user)
	r.Add(step)
}

func (r *Recorder) recordStep(st Step, rec Rec) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st.Record = r.refLocked(rec)
	r.sc.Steps = append(r.sc.Steps, st)
	switch st.Kind {
	case KindDelete:
		r.touchAs(rec, st.Record, nil, true)
	case KindFix:
		r.touch(rec, st.Record, fieldNames(st.Fields))
	case KindResolve:
		var fields []string
		for f := range st.Choices {
			fields = append(fields, f)
		}
		r.touch(rec, st.Record, fields)
	}
}

// Resolve records resolving a conflict with a choice per field.
func (r *Recorder) Resolve(rec Rec, choices map[string]pending.Choice) {
	r.resolve(rec, choices, false)
}

func (r *Recorder) resolve(rec Rec, choices map[string]pending.Choice, newer bool) {
	st := Step{Kind: KindResolve, Choices: map[string]Choice{}, Newer: newer}
	for f, c := range choices {
		switch c.Take {
		case pending.TakeTheirs:
			st.Choices[f] = Choice{Take: "theirs"}
		case pending.TakeValue:
			st.Choices[f] = Choice{Take: "value", Value: c.Value}
		default:
			st.Choices[f] = Choice{Take: "mine"}
		}
	}
	r.recordStep(st, rec)
}

// ResolveDelete records deciding a delete conflict.
func (r *Recorder) ResolveDelete(rec Rec, deleteAnyway bool) {
	d := "keep"
	if deleteAnyway {
		d = "anyway"
	}
	r.recordStep(Step{Kind: KindResolve, Delete: d}, rec)
}

// Fix records new values for a change the org refused.
func (r *Recorder) Fix(rec Rec, fields remote.Fields) {
	r.mu.Lock()
	f := r.lookups(fields)
	r.mu.Unlock()
	r.recordStep(Step{Kind: KindFix, Fields: f}, rec)
}

// Dismiss records dismissing a red change.
func (r *Recorder) Dismiss(rec Rec) { r.recordStep(Step{Kind: KindDismiss}, rec) }

// Discard records discarding a pending change.
func (r *Recorder) Discard(rec Rec) { r.recordStep(Step{Kind: KindDiscard}, rec) }

// Retry records retrying a change now.
func (r *Recorder) Retry(rec Rec) { r.recordStep(Step{Kind: KindRetry}, rec) }

// CheckAccess records the device asking the org what I may do with a record (its page opened
// online), when the answer changed what the device lets me do.
func (r *Recorder) CheckAccess(rec Rec) { r.recordStep(Step{Kind: KindCheck}, rec) }

// Share records the admin sharing a record with a user (access read, edit, or none to unshare).
func (r *Recorder) Share(rec Rec, user, access string) {
	if access == "none" {
		r.recordStep(Step{Kind: KindUnshare, User: userKey(user)}, rec)
		return
	}
	r.recordStep(Step{Kind: KindShare, User: userKey(user), Access: access}, rec)
}

// AddRule records the admin adding a rule; id is the org's id of the rule.
func (r *Recorder) AddRule(rule remote.Rule, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ref := fmt.Sprintf("rule%d", len(r.rules)+1)
	if id != "" {
		r.rules[id] = ref
	}
	r.sc.Steps = append(r.sc.Steps, Step{Kind: KindAddRule, Ref: ref, Rule: &Rule{Object: rule.Object, Kind: rule.Kind, Field: rule.Field, Value: rule.Value, OtherField: rule.OtherField, Message: rule.Message}})
}

// RemoveRule records the admin removing a rule added in this session (others are ignored:
// a replay starts from a fresh org that does not have them).
func (r *Recorder) RemoveRule(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ref, ok := r.rules[id]; ok {
		r.sc.Steps = append(r.sc.Steps, Step{Kind: KindRemoveRule, RuleRef: ref})
	}
}

// Expire records the admin expiring a user's session.
func (r *Recorder) Expire(user string) { r.add(Step{Kind: KindExpire, User: userKey(user)}) }

// RecordReader reads a record from the org (a *remote.Client signed in as the admin).
type RecordReader interface {
	Retrieve(ctx context.Context, object, id string, fields []string) (remote.Record, error)
}

// Checkpoint records the device's state now as expectations: the number of pending changes
// and of those needing attention, the status of each one, and, when org is given, the org's
// values of every field a recorded step wrote on a record with nothing pending (or whether
// the record is gone), so a replay proves it reaches the same state.
func (r *Recorder) Checkpoint(ctx context.Context, eng *pending.Engine, org RecordReader) error {
	total, attention, err := eng.Counts(ctx)
	if err != nil {
		return err
	}
	ents, err := eng.Entries(ctx)
	if err != nil {
		return err
	}
	queued := map[string]bool{}
	for _, en := range ents {
		queued[en.RecordID] = true
	}
	r.mu.Lock()
	touched := make([]touchedRec, 0, len(r.touched))
	for _, t := range r.touched {
		c := *t
		if c.ref != "" {
			c.id = r.latest[c.ref]
		}
		touched = append(touched, c)
	}
	r.mu.Unlock()
	// Read the org without the lock: steps may still be recorded meanwhile.
	var orgSteps []Step
	for i := range touched {
		t := &touched[i]
		if t.id != "" && pending.IsLocalID(t.id) {
			if id, err := eng.ServerID(ctx, t.id); err == nil && id != "" {
				t.id = id // created here and synced since
			}
		}
		if org == nil || t.id == "" || pending.IsLocalID(t.id) || queued[t.id] {
			continue // not on the org yet, or a change of it still waits: its values may move
		}
		fields := make([]string, 0, len(t.fields))
		for f := range t.fields {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		ref := RecordRef{Object: t.object, Ref: t.ref}
		if t.ref == "" {
			ref.ID, ref.Name = t.id, t.name
		}
		got, err := org.Retrieve(ctx, t.object, t.id, fields)
		if e, ok := remote.AsError(err); ok && (e.HasCode("NOT_FOUND") || e.HasCode("ENTITY_IS_DELETED")) {
			gone := false
			orgSteps = append(orgSteps, Step{Kind: KindExpect, Expect: &Expectation{Record: ref, OrgExists: &gone}})
			continue
		}
		if err != nil {
			return fmt.Errorf("scenario: read %s %s from the org: %w", t.object, t.id, err)
		}
		if len(fields) == 0 { // deleted by a step, and still there (the delete was dropped)
			there := true
			orgSteps = append(orgSteps, Step{Kind: KindExpect, Expect: &Expectation{Record: ref, OrgExists: &there}})
			continue
		}
		want := remote.Fields{}
		for _, f := range fields {
			want[f] = got.Fields[f]
		}
		orgSteps = append(orgSteps, Step{Kind: KindExpect, Expect: &Expectation{Record: ref, Org: want}})
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range touched {
		if t.ref != "" && t.id != "" && !pending.IsLocalID(t.id) {
			// Created here and synced since: a lookup at it names it by its ref too, not by
			// the id this run's org happened to give it.
			r.byID[t.id] = t.ref
		}
	}
	r.sc.Steps = append(r.sc.Steps, Step{Kind: KindExpect, Expect: &Expectation{Pending: &total, Attention: &attention}})
	for _, en := range ents {
		ref := r.refLocked(Rec{Object: en.Object, ID: en.RecordID, Name: en.Name})
		if ref.Ref == "" && ref.ID == "" && ref.Name == "" {
			continue
		}
		r.sc.Steps = append(r.sc.Steps, Step{Kind: KindExpect, Expect: &Expectation{Record: ref, Status: string(en.Status)}})
	}
	for _, st := range orgSteps {
		st.Expect.Org = r.lookups(st.Expect.Org)
		r.sc.Steps = append(r.sc.Steps, st)
	}
	return nil
}

// WriteFile writes the recording as a scenario file (mode 0600), after checking it parses back.
func (r *Recorder) WriteFile(path string) error {
	sc := r.Scenario()
	if len(sc.Steps) == 0 {
		return fmt.Errorf("scenario: nothing was recorded")
	}
	data, err := Format(sc)
	if err != nil {
		return fmt.Errorf("scenario: write the recording: %w", err)
	}
	if _, err := Parse(path, data); err != nil {
		return fmt.Errorf("scenario: the recording does not read back: %w", err)
	}
	// Written beside and renamed over the file, so a crash mid-write leaves the last whole one.
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("scenario: write the recording: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("scenario: write the recording: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("scenario: write the recording: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("scenario: write the recording: %w", err)
	}
	return nil
}

func asUser(user string) string {
	switch u := userKey(user); u {
	case Me:
		return ""
	default:
		return u
	}
}

// userKey turns a username of the demo org into the short name scenarios use.
func userKey(user string) string {
	switch strings.ToLower(user) {
	case "", Me, "alex", "alex@demo.example":
		return Me
	case "sam@demo.example":
		return "sam"
	case "admin@demo.example":
		return "admin"
	}
	return user
}

// lookups copies fields, writing ids of records created in this session as {ref: NAME}.
func (r *Recorder) lookups(f remote.Fields) remote.Fields {
	if f == nil {
		return nil
	}
	out := make(remote.Fields, len(f))
	for k, v := range f {
		if s, ok := v.(string); ok {
			if ref, ok := r.byID[s]; ok {
				v = RefTo{Ref: ref}
			}
		}
		out[k] = v
	}
	return out
}
