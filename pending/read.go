package pending

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
)

// Describe returns an object's cached describe.
func (e *Engine) Describe(ctx context.Context, object string) (*remote.Describe, error) {
	if !e.cachedObject(object) {
		return nil, fmt.Errorf("object %q is not cached on this device: %w", object, ErrNotFound)
	}
	d, err := e.db.Describe(ctx, object)
	if err != nil {
		return nil, notFound("describe of "+object, err)
	}
	cp := *d // the cached describe is shared; hand out a copy
	cp.Fields = append([]remote.Field(nil), d.Fields...)
	cp.ChildRelationships = append([]remote.ChildRelationship(nil), d.ChildRelationships...)
	return &cp, nil
}

// List returns a page of an object's records as the user sees them, in name order.
func (e *Engine) List(ctx context.Context, q ListQuery) (Page, error) {
	if !e.cachedObject(q.Object) {
		return Page{}, fmt.Errorf("object %q is not cached on this device: %w", q.Object, ErrNotFound)
	}
	if q.Around != "" && len(q.Where) == 0 {
		pos, ok, err := e.db.Position(ctx, q.Object, q.Filter, q.Around)
		if err != nil {
			return Page{}, err
		}
		if ok {
			q.Offset = max(0, pos-max(q.Limit, 1)/4)
		}
	}
	rows, total, err := e.db.List(ctx, cache.ListQuery{Object: q.Object, Filter: q.Filter, Where: q.Where, Offset: q.Offset, Limit: q.Limit})
	if err != nil {
		return Page{}, err
	}
	p := Page{Total: total, Offset: max(q.Offset, 0), Rows: make([]Row, 0, len(rows))}
	for _, r := range rows {
		p.Rows = append(p.Rows, Row{ID: r.ID, Name: r.Name, Fields: r.View, Status: Status(r.Status), Op: Op(r.Op)})
	}
	return p, nil
}

// Record returns one record as the user sees it, with its entry and the names its lookups
// point at (records by display name, users — owner, created by, last modified by, and the
// author of a conflicting change — by name) from the device, without a request.
//
// A record created offline keeps answering to its local id after it synced: the view then
// carries the server id (RecordView.ID), which a screen opened on the local id follows.
func (e *Engine) Record(ctx context.Context, object, id string) (RecordView, error) {
	rec, err := e.db.Record(ctx, id)
	if errors.Is(err, cache.ErrNotFound) && IsLocalID(id) {
		var sid string
		if verr := e.db.View(ctx, func(tx *cache.Tx) error {
			var err error
			sid, err = tx.ServerID(ctx, id)
			return err
		}); verr != nil {
			return RecordView{}, verr
		}
		if sid != "" {
			id = sid
			rec, err = e.db.Record(ctx, id)
		}
	}
	if err != nil {
		return RecordView{}, notFound(fmt.Sprintf("%s %s", object, id), err)
	}
	if object != "" && rec.Object != object {
		return RecordView{}, fmt.Errorf("%s %s: %w", object, id, ErrNotFound)
	}
	rv := RecordView{Object: rec.Object, ID: rec.ID, Name: rec.Name, Fields: rec.View, Server: rec.Server, Me: e.myID()}
	if rv.Access, err = e.accessTo(ctx, e.db, rec); err != nil {
		return rv, err
	}
	ent, err := entryByRecord(ctx, e.db.SQL(), id)
	if err != nil {
		return rv, err
	}
	if ent != nil {
		pub := ent.Entry
		rv.Entry = &pub
	}
	var ids []string
	if d, err := e.db.Describe(ctx, rec.Object); err == nil {
		for _, f := range d.Fields {
			if f.Type != "reference" {
				continue
			}
			// The org's value too, where a change replaces it: a refusal names it ("set Owner
			// back to Sam Chen"), and a form takes it by that name.
			for _, src := range []remote.Fields{rec.View, rec.Server} {
				if s, ok := src[f.Name].(string); ok && s != "" {
					ids = append(ids, s)
				}
			}
		}
	}
	if rv.Entry != nil {
		// Who made the change a conflict is about: the user's name, cached during sync.
		for _, c := range rv.Entry.Conflicts {
			if c.TheirsBy != "" {
				ids = append(ids, c.TheirsBy)
			}
		}
	}
	if len(ids) > 0 {
		rv.Names, err = e.db.Names(ctx, ids)
		if err != nil {
			return rv, err
		}
	}
	return rv, nil
}

// RecordAccess is what the user may do with a cached record (see RecordView.Access).
func (e *Engine) RecordAccess(ctx context.Context, id string) (Access, error) {
	rec, err := e.db.Record(ctx, id)
	if err != nil {
		return AccessFull, notFound("record "+id, err)
	}
	return e.accessTo(ctx, e.db, rec)
}

// Names are the display names of cached records (and of those the device keeps a name for),
// by id: ids it knows no name for are left out.
func (e *Engine) Names(ctx context.Context, ids []string) (map[string]string, error) {
	return e.db.Names(ctx, ids)
}

// Entries lists the queue in order.
func (e *Engine) Entries(ctx context.Context) ([]Entry, error) { return ReadEntries(ctx, e.db) }

// ReadEntries lists the queue of a device database in order, without an engine: for a database
// another process holds (cache.OpenReadOnly), whose engine is not this process's.
func ReadEntries(ctx context.Context, db *cache.DB) ([]Entry, error) {
	ents, err := entriesWhere(ctx, db.SQL(), "")
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(ents))
	for i, en := range ents {
		out[i] = en.Entry
	}
	return out, nil
}

// Entry returns one entry.
func (e *Engine) Entry(ctx context.Context, entryID string) (Entry, error) {
	en, err := entryByID(ctx, e.db.SQL(), entryID)
	if err != nil {
		return Entry{}, err
	}
	return en.Entry, nil
}

// RedCount is how many queued changes can't be saved (red sash: failed), without reading the
// queue.
func (e *Engine) RedCount(ctx context.Context) (int, error) {
	var n int
	err := e.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM entries WHERE status = ?`, string(StatusFailed)).Scan(&n)
	return n, err
}

// Counts returns the number of entries and how many need the user (orange or red).
func (e *Engine) Counts(ctx context.Context) (total, attention int, err error) {
	err = e.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(status IN (?, ?, ?)), 0) FROM entries`,
		string(StatusConflict), string(StatusInvalid), string(StatusFailed)).Scan(&total, &attention)
	return total, attention, err
}

// Activity returns the newest activity first, for one record or (recordID "") all.
func (e *Engine) Activity(ctx context.Context, recordID string, limit int) ([]Activity, error) {
	if err := e.flushActivity(ctx); err != nil {
		return nil, err
	}
	return ReadActivity(ctx, e.db, recordID, limit)
}

// ReadActivity is the activity log of a device database without an engine (newest first; only
// what its engine has written so far): for a database another process holds.
func ReadActivity(ctx context.Context, db *cache.DB, recordID string, limit int) ([]Activity, error) {
	if limit <= 0 || limit > activityLimit {
		limit = activityLimit
	}
	q := `SELECT at, method, path, status, code, duration, entry_id, record_id, note FROM activity`
	args := []any{}
	if recordID != "" {
		// A record created on this device is logged under its local id until the org gives it
		// one: either id finds the whole story.
		q += ` WHERE record_id = ? OR record_id IN (SELECT local_id FROM idmap WHERE server_id = ?)
			OR record_id IN (SELECT server_id FROM idmap WHERE local_id = ?)`
		args = append(args, recordID, recordID, recordID)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.SQL().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Activity
	for rows.Next() {
		var a Activity
		var at, dur int64
		if err := rows.Scan(&at, &a.Method, &a.Path, &a.Status, &a.Code, &dur, &a.EntryID, &a.RecordID, &a.Note); err != nil {
			return nil, err
		}
		a.At, a.Duration = cache.FromMS(at), timeDuration(dur)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, nameUsersInNotes(ctx, db, out)
}

// userInNote is a user a note names by id, the device not knowing the name when it wrote it.
var userInNote = regexp.MustCompile(`(?i)another user \((005[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?)\)`)

// nameUsersInNotes names, in the notes of acts, the users they name by id whose names the device
// has learnt since.
func nameUsersInNotes(ctx context.Context, db *cache.DB, acts []Activity) error {
	if !slices.ContainsFunc(acts, func(a Activity) bool { return strings.Contains(a.Note, "(005") }) {
		return nil // the commonest case: no read of the database for it (the log redraws often)
	}
	names := map[string]string{}
	return db.View(ctx, func(tx *cache.Tx) error {
		for i, a := range acts {
			if !strings.Contains(a.Note, "(005") {
				continue
			}
			acts[i].Note = userInNote.ReplaceAllStringFunc(a.Note, func(m string) string {
				id := userInNote.FindStringSubmatch(m)[1]
				name, ok := names[id]
				if !ok {
					name = userName(ctx, tx, id)
					names[id] = name
				}
				if name == msgAnotherUser {
					return m
				}
				return name
			})
		}
		return nil
	})
}

// RecordsNamedInLog lists the records whose own notes in the activity log name them name, in
// any case (a discarded change names its record, a record that left the device is named at the
// head of the note that says so; a value quoted in another record's note does not count): how a
// record no longer on the device is found by its name. A record created here is one record
// under its local id and the org's: it is listed once, by the org's id when it has one.
func RecordsNamedInLog(ctx context.Context, db *cache.DB, name string) ([]string, error) {
	acts, err := ReadActivity(ctx, db, "", activityLimit)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var ids []string
	err = db.View(ctx, func(tx *cache.Tx) error {
		for _, a := range acts {
			if a.RecordID == "" || !noteNamesItsRecord(a.Note, name) {
				continue
			}
			id := a.RecordID
			if IsLocalID(id) {
				sid, err := tx.ServerID(ctx, id)
				if err != nil {
					return err
				}
				id = cmp.Or(sid, id)
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		return nil
	})
	return ids, err
}

// ReadLastSync is the end of the last completed sync run of a device database, as its log
// keeps it (zero when there is none): for a database another process holds, as LastSync.
func ReadLastSync(ctx context.Context, db *cache.DB) time.Time {
	var last int64
	if v, err := db.DeviceFact(ctx, lastSyncFact); err == nil && v != "" {
		last, _ = strconv.ParseInt(v, 10, 64)
	}
	if last == 0 { // a device from before the fact was kept: its log may still say
		_ = db.SQL().QueryRowContext(ctx, `SELECT COALESCE(MAX(at), 0) FROM activity WHERE note = 'sync finished'`).Scan(&last)
	}
	if last == 0 {
		return time.Time{}
	}
	return cache.FromMS(last)
}

// lastSyncFact is the device fact that keeps when the last complete sync run ended (ms).
const lastSyncFact = "last-sync"

// ServerID is the org's id of a record created on this device under localID, once its create
// synced; "" before that (or for an id that was never local).
func (e *Engine) ServerID(ctx context.Context, localID string) (string, error) {
	var id string
	err := e.db.View(ctx, func(tx *cache.Tx) error {
		var err error
		id, err = tx.ServerID(ctx, localID)
		return err
	})
	return id, err
}

// DB is the device database the engine works on.
func (e *Engine) DB() *cache.DB { return e.db }
