package pending

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
)

const (
	// updatedOverlap re-reads the last minute of getUpdated: the org truncates start and end to
	// whole minutes, so a change in the minute of the watermark would otherwise be missed.
	updatedOverlap = time.Minute
	// updatedWindow and deletedWindow are how far back getUpdated and getDeleted reach on a
	// real org (30 and 15 days); an older watermark means a full refresh.
	updatedWindow = 29 * 24 * time.Hour
	deletedWindow = 14 * 24 * time.Hour
	idsPerQuery   = 200
)

// syncDown refreshes the cache: a prime for objects never synced, then getUpdated/getDeleted.
func (e *Engine) syncDown(ctx context.Context, r *run) error {
	changed := 0
	for _, o := range e.opts.Objects {
		if r.skip[o] {
			continue
		}
		st, err := e.db.SyncState(ctx, o)
		if err != nil {
			return err
		}
		var n int
		if !st.Primed {
			n, err = e.refreshAll(ctx, r, o, false)
		} else {
			n, err = e.refreshIncremental(ctx, r, st)
		}
		changed += n
		if err != nil {
			if c := Classify(err); c == ClassInvalid || c == ClassFailed {
				// The org refused this object's queries (a field it will not select, say):
				// keep refreshing the others; the activity log says why.
				e.note("", "", "could not refresh "+o+": "+err.Error())
				continue
			}
			return err
		}
	}
	if changed > 0 {
		e.emit(Event{Kind: EventCacheRefreshed, Total: changed})
	}
	return nil
}

// refreshAll queries the object's most recent records (up to PerObject, paged with queryMore).
// With dropMissing, cached records the query no longer returns are dropped (unless they carry a
// pending entry): the full refresh after a gap in the delete log.
func (e *Engine) refreshAll(ctx context.Context, r *run, object string, dropMissing bool) (int, error) {
	start := e.now()
	fields := r.fields[object]
	q := "SELECT " + strings.Join(fields, ", ") + " FROM " + object + " ORDER BY LastModifiedDate DESC LIMIT " + itoa(e.opts.PerObject)
	res, err := e.org.Query(ctx, q, 2000)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	n := 0
	for {
		for _, rec := range res.Records {
			seen[rec.ID()] = true
		}
		k, err := e.storeServerCopies(ctx, object, res.Records, false)
		if err != nil {
			return n, err
		}
		n += k
		e.step("stored-page")
		if res.Done || res.NextRecordsURL == "" || len(seen) >= e.opts.PerObject {
			break
		}
		if res, err = e.org.QueryMore(ctx, res.NextRecordsURL); err != nil {
			return n, err
		}
	}
	err = e.db.Update(ctx, func(tx *cache.Tx) error {
		if dropMissing {
			ids, err := tx.RecordIDs(ctx, object)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if seen[id] {
					continue
				}
				if en, err := entryByRecord(ctx, tx, id); err != nil {
					return err
				} else if en != nil {
					continue
				}
				if err := tx.DeleteRecord(ctx, id); err != nil {
					return err
				}
				n++
			}
		}
		return tx.PutSyncState(ctx, cache.SyncState{Object: object, Primed: true, UpdatedWM: start, DeletedWM: start})
	})
	return n, err
}

func itoa(n int) string {
	if n <= 0 {
		n = 1
	}
	b := []byte{}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// refreshIncremental applies what changed on the org since the watermarks.
func (e *Engine) refreshIncremental(ctx context.Context, r *run, st cache.SyncState) (int, error) {
	object := st.Object
	end := e.now().UTC()
	start := st.UpdatedWM.UTC().Truncate(time.Minute).Add(-updatedOverlap)
	if end.Sub(start) > updatedWindow || end.Sub(st.DeletedWM) > deletedWindow {
		e.note("", "", object+": last refresh too long ago, reloading")
		return e.refreshAll(ctx, r, object, true)
	}
	if end.Sub(start) < time.Minute {
		start = end.Add(-time.Minute)
	}
	upd, err := e.org.Updated(ctx, object, start, end)
	if err != nil {
		if _, api := remote.AsError(err); api && Classify(err) != ClassAuth && Classify(err) != ClassTransient {
			e.note("", "", object+": getUpdated refused ("+err.Error()+"), reloading")
			return e.refreshAll(ctx, r, object, true)
		}
		return 0, err
	}
	n := 0
	for i := 0; i < len(upd.IDs); i += idsPerQuery {
		ids := upd.IDs[i:min(i+idsPerQuery, len(upd.IDs))]
		quoted := make([]string, len(ids))
		for j, id := range ids {
			quoted[j] = "'" + soqlEscape(id) + "'"
		}
		q := "SELECT " + strings.Join(r.fields[object], ", ") + " FROM " + object + " WHERE Id IN (" + strings.Join(quoted, ", ") + ")"
		res, err := e.org.Query(ctx, q, 2000)
		if err != nil {
			return n, err
		}
		for {
			k, err := e.storeServerCopies(ctx, object, res.Records, true)
			if err != nil {
				return n, err
			}
			n += k
			if res.Done || res.NextRecordsURL == "" {
				break
			}
			if res, err = e.org.QueryMore(ctx, res.NextRecordsURL); err != nil {
				return n, err
			}
		}
	}
	newUpdated := upd.LatestDateCovered
	if newUpdated.IsZero() || newUpdated.After(end) {
		newUpdated = end
	}
	delStart := st.DeletedWM.UTC()
	if !delStart.Before(end) {
		delStart = end.Add(-time.Minute)
	}
	del, err := e.org.Deleted(ctx, object, delStart, end)
	if err != nil {
		if _, api := remote.AsError(err); api && Classify(err) != ClassAuth && Classify(err) != ClassTransient {
			e.note("", "", object+": getDeleted refused ("+err.Error()+"), reloading")
			return e.refreshAll(ctx, r, object, true)
		}
		return n, err
	}
	if !del.EarliestDateAvailable.IsZero() && del.EarliestDateAvailable.After(st.DeletedWM) {
		e.note("", "", object+": the org's delete log starts after the last refresh, reloading")
		k, err := e.refreshAll(ctx, r, object, true)
		return n + k, err
	}
	newDeleted := del.LatestDateCovered
	if newDeleted.IsZero() || newDeleted.After(end) {
		newDeleted = end
	}
	err = e.db.Update(ctx, func(tx *cache.Tx) error {
		for _, d := range del.DeletedRecords {
			en, err := entryByRecord(ctx, tx, d.ID)
			if err != nil {
				return err
			}
			if en != nil {
				continue // the entry keeps its record until it is resolved
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM records WHERE id = ?`, d.ID)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k > 0 {
				n++
			}
		}
		return tx.PutSyncState(ctx, cache.SyncState{Object: object, Primed: true, UpdatedWM: newUpdated, DeletedWM: newDeleted})
	})
	return n, err
}

// storeServerCopies writes server copies in one transaction. A record with a pending entry
// keeps its change on top and its entry keeps its base. With onlyNewer, a copy no newer than
// the cached one is skipped.
func (e *Engine) storeServerCopies(ctx context.Context, object string, recs []remote.Record, onlyNewer bool) (int, error) {
	if len(recs) == 0 {
		return 0, nil
	}
	n := 0
	err := e.db.Update(ctx, func(tx *cache.Tx) error {
		d := e.describeOf(ctx, tx, object)
		pendingChanges := map[string]*entry{}
		ents, err := entriesWhere(ctx, tx, `WHERE object = ?`, object)
		if err != nil {
			return err
		}
		for _, en := range ents {
			pendingChanges[en.RecordID] = en
		}
		out := make([]cache.Record, 0, len(recs))
		for _, rr := range recs {
			id := rr.ID()
			if id == "" {
				continue
			}
			fields := rr.Fields
			delete(fields, "attributes")
			ver := versionOf(fields, rr.ETag)
			if onlyNewer {
				var sysmod int64
				var hasServer bool
				err := tx.QueryRowContext(ctx, `SELECT sysmod, server IS NOT NULL FROM records WHERE id = ?`, id).Scan(&sysmod, &hasServer)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return err
				}
				if err == nil && hasServer && sysmod >= cache.MS(ver.SystemModstamp) && sysmod != 0 {
					continue
				}
			}
			rec := cache.Record{Object: object, ID: id, Server: fields, Version: ver}
			if en := pendingChanges[id]; en != nil && en.Op == OpUpdate {
				rec.View = overlay(fields, en.Changes)
			} else {
				rec.View = overlay(fields, nil)
			}
			rec.Name = displayName(d, rec.View)
			out = append(out, rec)
		}
		n = len(out)
		return tx.PutRecords(ctx, out)
	})
	return n, err
}
