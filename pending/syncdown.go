package pending

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
)

const (
	// updatedOverlap re-reads the minute before the newest SystemModstamp seen: a transaction
	// that was still running at the last refresh commits with an earlier stamp.
	updatedOverlap = time.Minute
	// deletedWindow is how far back getDeleted reaches on a real org (15 days); an older
	// watermark means a full refresh.
	deletedWindow = 14 * 24 * time.Hour
	// deletedMinSpan is the shortest getDeleted window asked for, in whole minutes: the org
	// truncates start and end to the minute and wants start "more than one minute" before end.
	deletedMinSpan = 2 * time.Minute
	// idsPerQuery is how many ids one "WHERE Id IN (...)" query names: the query travels in the
	// URL of a GET, beside every cached field, and a URL over about 16 KB is refused.
	idsPerQuery = 100
	// replicationSkew is how old the delete watermark may be when getDeleted refuses its window
	// (INVALID_REPLICATION_DATE) for the refusal to be read as clocks that disagree; older, the
	// org's delete log no longer covers it and the object is reloaded.
	replicationSkew = time.Hour
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
		n, err := e.refreshObject(ctx, r, st)
		changed += n
		if c := Classify(err); err != nil && (c == ClassInvalid || c == ClassFailed) {
			// The org refused the query: its metadata may have changed under the cached
			// describe (a field removed or hidden). Fetch the describe again and, if it did
			// change, try once more with the fields the org now has.
			redone, rerr := e.redescribe(ctx, r, o, err)
			err = rerr
			if redone {
				if st, err = e.db.SyncState(ctx, o); err != nil {
					return err
				}
				n, err = e.refreshObject(ctx, r, st)
				changed += n
			}
		}
		if err == nil {
			err = e.learnAccess(ctx, r, o)
			if c := Classify(err); err != nil && c == ClassTransient && ctx.Err() == nil {
				// Asked again by the next run (learnAccess noted it): the other objects are
				// refreshed meanwhile, and the run says why it is not complete.
				r.lastNet, err = err, nil
			}
		}
		if err != nil {
			if c := Classify(err); c == ClassInvalid || c == ClassFailed {
				// The org refused this object's queries (a field it will not select, say):
				// keep refreshing the others; the activity log says why.
				e.note("", "", "could not refresh "+o+": "+err.Error())
				r.sum.Unrefreshed = append(r.sum.Unrefreshed, o+": "+err.Error())
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

// refreshObject primes an object the first time and refreshes it incrementally afterwards.
func (e *Engine) refreshObject(ctx context.Context, r *run, st cache.SyncState) (int, error) {
	if !st.Primed {
		return e.refreshAll(ctx, r, st.Object, false)
	}
	return e.refreshIncremental(ctx, r, st)
}

// redescribe fetches an object's describe unconditionally after the org refused a query built
// from the cached one; it reports whether the fields changed (then the run uses the new ones),
// else returns the query's error unchanged.
func (e *Engine) redescribe(ctx context.Context, r *run, object string, queryErr error) (bool, error) {
	changed, err := e.refetchDescribe(ctx, r, object)
	if err != nil {
		return false, err
	}
	if !changed {
		return false, queryErr
	}
	return true, nil
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
	newest := time.Time{}
	var pg pages
	fetchCtx, stopFetch := context.WithCancel(ctx)
	defer stopFetch()
	for {
		for _, rec := range res.Records {
			seen[strings.Clone(rec.ID())] = true // its own copy: the record's text can go
			if v := versionOf(rec.Fields, ""); v.SystemModstamp.After(newest) {
				newest = v.SystemModstamp
			}
		}
		last := res.Done || res.NextRecordsURL == "" || len(seen) >= e.opts.PerObject
		var next chan fetched
		if !last {
			// The next page is asked for while this one is stored: the org's work and the
			// reply's decoding run beside the device's transaction. Its answer (or error) is
			// taken once this page is stored, as if it had been asked for then.
			next = make(chan fetched, 1)
			go func(cur remote.QueryResult) {
				page, err := pg.more(fetchCtx, e.org, cur)
				next <- fetched{page, err}
			}(res)
		}
		k, err := e.storeServerCopies(ctx, r, object, res.Records, false)
		if err != nil {
			if next != nil {
				stopFetch()
				<-next
			}
			return n, err
		}
		n += k
		e.step("stored-page")
		if last {
			break
		}
		f := <-next
		if f.err != nil {
			return n, f.err
		}
		res = f.page
	}
	var vanished []string
	err = e.db.Update(ctx, func(tx *cache.Tx) error {
		if dropMissing {
			ids, err := tx.RecordIDs(ctx, object)
			if err != nil {
				return err
			}
			gone, err := dropVanished(ctx, tx, ids, seen, e.now())
			n += len(gone)
			vanished = gone
			if err != nil {
				return err
			}
		}
		// The update watermark is the org's own newest stamp (no clock skew); the delete
		// watermark is when this reload began.
		if newest.IsZero() {
			newest = start
		}
		return tx.PutSyncState(ctx, cache.SyncState{Object: object, Primed: true, UpdatedWM: newest, DeletedWM: start, MembersAt: start})
	})
	if err == nil {
		e.noteVanished(ctx, object, vanished)
	}
	return n, err
}

// noteVanished says in the log why records of object left the device when the org no longer
// listed them among those the device keeps. When they are few (one query), the org is asked
// which were deleted and which the user can no longer see; the others are only older than the
// most recent the device keeps. Otherwise, or when the org does not answer, the note names the
// three possible reasons.
func (e *Engine) noteVanished(ctx context.Context, object string, ids []string) {
	if len(ids) == 0 {
		return
	}
	names, _ := e.db.Names(ctx, ids) // kept when they were dropped; without them, the ids alone
	if len(ids) > idsPerQuery {
		e.noteRemovedNamed(object, ids, names, vanishedWhy(object, e.opts.PerObject))
		return
	}
	deleted, err := e.deletedStates(ctx, object, ids)
	if err != nil {
		e.noteRemovedNamed(object, ids, names, vanishedWhy(object, e.opts.PerObject))
		return
	}
	var del, hidden, older []string
	for _, id := range ids {
		switch d, seen := deleted[id]; {
		case !seen:
			hidden = append(hidden, id)
		case d:
			del = append(del, id)
		default:
			older = append(older, id)
		}
	}
	e.noteRemovedNamed(object, del, names, "deleted on the org: removed from this device")
	e.noteRemovedNamed(object, hidden, names, "no longer visible to you on the org (unshared or given to another user): removed from this device")
	e.noteRemovedNamed(object, older, names, "older than the "+itoa(e.opts.PerObject)+" most recent "+object+" records this device keeps: removed from it")
}

// deletedStates asks the org (queryAll, idsPerQuery ids a query) about records of object: id →
// whether it is in the recycle bin, for each record the org still holds for the user (one it
// does not answer about was deleted for good or is out of the user's reach).
func (e *Engine) deletedStates(ctx context.Context, object string, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for i := 0; i < len(ids); i += idsPerQuery {
		part := ids[i:min(i+idsPerQuery, len(ids))]
		res, err := e.org.QueryAll(ctx, "SELECT Id, IsDeleted FROM "+object+" WHERE Id IN "+soqlList(part), 2000)
		if err != nil {
			return out, err
		}
		for _, rec := range res.Records {
			deleted, _ := rec.Fields["IsDeleted"].(bool)
			out[rec.ID()] = deleted
		}
	}
	return out, nil
}

// vanishedWhy is the log's reason for a cached record the org no longer lists among those the
// device keeps: the device cannot tell which of the three it was.
func vanishedWhy(object string, perObject int) string {
	return "no longer among the " + object + " records this device keeps (deleted on the org, unshared, or older than the " +
		itoa(perObject) + " most recent): removed from this device"
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
//
// Updates come from a query on SystemModstamp (to the millisecond, so a refresh a few seconds
// after the last one sees what changed in between), starting one minute before the newest
// SystemModstamp already seen (a transaction that commits late keeps its earlier stamp).
// Deletes come from getDeleted, which works in whole minutes and refuses a window shorter than
// that: until the window since the delete watermark spans deletedMinSpan, getDeleted waits
// (its watermark stays, so nothing is skipped).
func (e *Engine) refreshIncremental(ctx context.Context, r *run, st cache.SyncState) (int, error) {
	object := st.Object
	now := e.now().UTC()
	if now.Sub(st.DeletedWM) > deletedWindow {
		e.note("", "", object+": last refresh too long ago, reloading")
		return e.refreshAll(ctx, r, object, true)
	}
	n, newUpdated, err := e.refreshUpdated(ctx, r, object, st.UpdatedWM)
	if err != nil {
		if _, api := remote.AsError(err); api && Classify(err) != ClassAuth && Classify(err) != ClassTransient {
			e.note("", "", object+": the query for changes was refused ("+err.Error()+"), reloading")
			k, err := e.refreshAll(ctx, r, object, true)
			return n + k, err
		}
		return n, err
	}
	newDeleted := st.DeletedWM
	if now.Truncate(time.Minute).Sub(st.DeletedWM.UTC().Truncate(time.Minute)) >= deletedMinSpan {
		del, err := e.org.Deleted(ctx, object, st.DeletedWM.UTC(), now)
		switch {
		case err == nil:
		case isReplicationDate(err) && now.Sub(st.DeletedWM) < replicationSkew:
			// A short window: the org's clock and ours may disagree about it. Try again at
			// the next refresh (the watermark stays, so nothing is skipped).
			del, err = remote.DeletedResult{LatestDateCovered: st.DeletedWM}, nil
		case isReplicationDate(err):
			// The org's delete log no longer reaches back to the watermark (it keeps a limited
			// time, and an emptied recycle bin shortens it): deletes since could be missed.
			e.note("", "", object+": the org's delete log no longer covers the last refresh ("+err.Error()+"), reloading")
			k, err := e.refreshAll(ctx, r, object, true)
			return n + k, err
		default:
			if _, api := remote.AsError(err); api && Classify(err) != ClassAuth && Classify(err) != ClassTransient {
				e.note("", "", object+": getDeleted refused ("+err.Error()+"), reloading")
				k, err := e.refreshAll(ctx, r, object, true)
				return n + k, err
			}
			return n, err
		}
		if !del.EarliestDateAvailable.IsZero() && del.EarliestDateAvailable.After(st.DeletedWM) {
			e.note("", "", object+": the org's delete log starts after the last refresh, reloading")
			k, err := e.refreshAll(ctx, r, object, true)
			return n + k, err
		}
		k, err := e.dropDeleted(ctx, object, del.DeletedRecords)
		n += k
		if err != nil {
			return n, err
		}
		newDeleted = del.LatestDateCovered
		if newDeleted.IsZero() || newDeleted.After(now) {
			newDeleted = now.Truncate(time.Minute)
		}
		if newDeleted.Before(st.DeletedWM) {
			newDeleted = st.DeletedWM
		}
	}
	if periodic := now.Sub(st.MembersAt) >= e.opts.MembershipEvery; periodic || r.recheckMembers {
		// The access to every shared record is asked again with the periodic comparison and
		// when the device comes back online; a process that starts online compares the ids
		// only (a script running sync every minute would otherwise ask it all each time).
		askAccess := periodic || r.recheckAccess
		k, err := e.reconcileMembers(ctx, r, object, askAccess)
		n += k
		switch {
		case err == nil && askAccess:
			st.MembersAt = now
		case err == nil:
			// The ids alone (a process that starts online): the access of every shared
			// record is still asked when it falls due (a script syncing every minute, a new
			// process each time, would otherwise never ask it).
		case Classify(err) == ClassInvalid || Classify(err) == ClassFailed:
			e.note("", "", object+": could not compare the cached records with the org's ("+err.Error()+")")
			st.MembersAt = now
		default:
			return n, err
		}
	}
	st.Primed, st.UpdatedWM, st.DeletedWM = true, newUpdated, newDeleted
	err = e.db.Update(ctx, func(tx *cache.Tx) error { return tx.PutSyncState(ctx, st) })
	return n, err
}

// reconcileMembers compares the object's cached ids with the ids of the records the prime
// would take now (an ids-only query, the same order and limit): records that are new to the
// device (shared with the user since, say) are fetched, and cached records that are no longer
// among them (unshared, deleted, or pushed out of the PerObject most recent) are dropped unless
// they carry a pending entry.
func (e *Engine) reconcileMembers(ctx context.Context, r *run, object string, askAccess bool) (int, error) {
	res, err := e.org.Query(ctx, "SELECT Id FROM "+object+" ORDER BY LastModifiedDate DESC LIMIT "+itoa(e.opts.PerObject), 2000)
	if err != nil {
		return 0, err
	}
	visible := map[string]bool{}
	var pg pages
	for {
		for _, rec := range res.Records {
			if id := rec.ID(); id != "" {
				visible[id] = true
			}
		}
		if res.Done || res.NextRecordsURL == "" || len(visible) >= e.opts.PerObject {
			break
		}
		if res, err = pg.more(ctx, e.org, res); err != nil {
			return 0, err
		}
	}
	cached := map[string]bool{}
	due := r.due(object)
	err = e.db.View(ctx, func(tx *cache.Tx) error {
		ids, err := tx.RecordIDs(ctx, object)
		for _, id := range ids {
			cached[id] = true
		}
		if err != nil {
			return err
		}
		// Sharing changes leave the records as they were: what the user may do with those
		// they do not own is asked again now and then, with the membership.
		if !askAccess {
			return nil
		}
		shared, err := tx.RecordIDsNotOwnedBy(ctx, object, e.myID())
		for _, id := range shared {
			if visible[id] {
				due[id] = true
			}
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	var fresh []string
	for id := range visible {
		if !cached[id] {
			fresh = append(fresh, id)
		}
	}
	sort.Strings(fresh)
	n, err := e.fetchByID(ctx, r, object, fresh)
	if err != nil {
		return n, err
	}
	var vanished []string
	err = e.db.Update(ctx, func(tx *cache.Tx) error {
		ids := make([]string, 0, len(cached))
		for id := range cached {
			ids = append(ids, id)
		}
		gone, err := dropVanished(ctx, tx, ids, visible, e.now())
		n += len(gone)
		vanished = gone
		return err
	})
	if err == nil {
		e.noteVanished(ctx, object, vanished)
		err = e.settleVanishedOrange(ctx, object, visible)
	}
	if len(fresh) > 0 {
		e.note("", "", object+": "+itoa(len(fresh))+" record(s) newly visible, fetched")
	}
	return n, err
}

// fetchByID stores the server copies of the given records, idsPerQuery at a time.
func (e *Engine) fetchByID(ctx context.Context, r *run, object string, ids []string) (int, error) {
	return e.fetchWhere(ctx, r, object, ids, "")
}

// fetchWhere is fetchByID for the records that also meet cond (a SOQL condition followed by
// " AND ", or "").
func (e *Engine) fetchWhere(ctx context.Context, r *run, object string, ids []string, cond string) (int, error) {
	n := 0
	for i := 0; i < len(ids); i += idsPerQuery {
		part := ids[i:min(i+idsPerQuery, len(ids))]
		q := "SELECT " + strings.Join(r.fields[object], ", ") + " FROM " + object + " WHERE " + cond + "Id IN " + soqlList(part)
		res, err := e.org.Query(ctx, q, 2000)
		if err != nil {
			return n, err
		}
		var pg pages
		for {
			k, err := e.storeServerCopies(ctx, r, object, res.Records, true)
			n += k
			if err != nil {
				return n, err
			}
			if res.Done || res.NextRecordsURL == "" {
				break
			}
			if res, err = pg.more(ctx, e.org, res); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// isReplicationDate reports the org's refusal of a getUpdated/getDeleted window.
func isReplicationDate(err error) bool {
	ae, ok := remote.AsError(err)
	return ok && ae.HasCode("INVALID_REPLICATION_DATE")
}

// refreshUpdated stores the records whose SystemModstamp is at or after the watermark minus
// the overlap, and returns the new watermark: the newest SystemModstamp seen.
//
// It takes at most PerObject of them, the most recently stamped: after a data load over many
// thousands of records the user can see, the device would otherwise download them all, only to
// drop all but the most recent at the next comparison of ids. When it takes that many, the
// cached records among the others are asked for by id, so that none of them stays stale (the
// watermark moves past them).
func (e *Engine) refreshUpdated(ctx context.Context, r *run, object string, wm time.Time) (int, time.Time, error) {
	since := wm.UTC().Add(-updatedOverlap).Truncate(time.Second)
	changedSince := "SystemModstamp >= " + since.Format("2006-01-02T15:04:05Z")
	q := "SELECT " + strings.Join(r.fields[object], ", ") + " FROM " + object +
		" WHERE " + changedSince + " ORDER BY SystemModstamp DESC LIMIT " + itoa(e.opts.PerObject)
	res, err := e.org.Query(ctx, q, 2000)
	if err != nil {
		return 0, wm, err
	}
	n := 0
	newest := wm
	seen := map[string]bool{}
	var pg pages
	for {
		for _, rec := range res.Records {
			if v := versionOf(rec.Fields, ""); v.SystemModstamp.After(newest) {
				newest = v.SystemModstamp
			}
			seen[strings.Clone(rec.ID())] = true
		}
		k, err := e.storeServerCopies(ctx, r, object, res.Records, true)
		n += k
		if err != nil {
			return n, wm, err
		}
		if res.Done || res.NextRecordsURL == "" {
			break
		}
		if res, err = pg.more(ctx, e.org, res); err != nil {
			return n, wm, err
		}
	}
	if len(seen) < e.opts.PerObject {
		return n, newest, nil
	}
	var cached []string
	if err := e.db.View(ctx, func(tx *cache.Tx) error {
		ids, err := tx.RecordIDs(ctx, object)
		for _, id := range ids {
			if !seen[id] {
				cached = append(cached, id)
			}
		}
		return err
	}); err != nil {
		return n, wm, err
	}
	k, err := e.fetchWhere(ctx, r, object, cached, changedSince+" AND ")
	n += k
	if err != nil {
		return n, wm, err
	}
	return n, newest, nil
}

// dropDeleted removes records the org deleted, except those with an entry: a change still to
// send keeps its record until its sync says what happened, and one that waits for the user
// (orange: a conflict, a refused value) turns red now, since nothing the user chooses can
// save it any more; a delete waiting for the user is done (the org deleted the record).
func (e *Engine) dropDeleted(ctx context.Context, object string, recs []remote.DeletedRecord) (int, error) {
	if len(recs) == 0 {
		return 0, nil
	}
	n := 0
	var gone []string
	goneNames := map[string]string{} // the device's last name for each, said in the log: it keeps none
	var done []settledEntry
	err := e.db.Update(ctx, func(tx *cache.Tx) error {
		n, gone, done = 0, gone[:0], done[:0]
		clear(goneNames)
		for _, d := range recs {
			en, err := entryByRecord(ctx, tx, d.ID)
			if err != nil {
				return err
			}
			if en != nil && en.Status.Sash() == SashOrange {
				s, err := e.deletedUnderUser(ctx, tx, en)
				if err != nil {
					return err
				}
				done = append(done, s)
				if en.Op != OpDelete {
					continue // the record stays with its red change until it is dismissed
				}
			} else if en != nil {
				continue
			}
			rec, err := tx.Record(ctx, d.ID)
			if errors.Is(err, cache.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if err := tx.DeleteRecord(ctx, d.ID); err != nil {
				return err
			}
			gone = append(gone, d.ID)
			goneNames[d.ID] = rec.Name
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	e.tell(done)
	e.noteRemovedNamed(object, gone, goneNames, "deleted on the org: removed from this device")
	return n, nil
}

// settleVanishedOrange asks the org about the records of object with a change waiting for the
// user (orange) that are no longer among those the org lists for the device: one deleted
// meanwhile turns its change red (or ends a delete), one the user can no longer see at all
// turns it red for access; one merely older than the most recent stays as it is. getDeleted
// would say the first only minutes later (it works in whole minutes).
func (e *Engine) settleVanishedOrange(ctx context.Context, object string, visible map[string]bool) error {
	ents, err := entriesWhere(ctx, e.db.SQL(), `WHERE object = ? AND status IN ('conflict', 'invalid')`, object)
	if err != nil {
		return err
	}
	var ids []string
	for _, en := range ents {
		if !visible[en.RecordID] && !IsLocalID(en.RecordID) {
			ids = append(ids, en.RecordID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	seen, err := e.deletedStates(ctx, object, ids)
	if err != nil {
		return err
	}
	var done []settledEntry
	err = e.db.Update(ctx, func(tx *cache.Tx) error {
		done = done[:0]
		for _, id := range ids {
			deleted, found := seen[id]
			if found && !deleted {
				continue // still there and visible: older than the most recent the device keeps
			}
			en, err := entryByRecord(ctx, tx, id)
			if err != nil {
				return err
			}
			if en == nil || en.Status.Sash() != SashOrange {
				continue
			}
			settle := unreachableUnderUser
			if deleted {
				settle = e.deletedUnderUser
			}
			s, err := settle(ctx, tx, en)
			if err != nil {
				return err
			}
			if deleted && en.Op == OpDelete {
				if err := tx.DeleteRecord(ctx, id); err != nil {
					return err
				}
			}
			done = append(done, s)
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.tell(done)
	return nil
}

// settledEntry is what settling an entry in a transaction tells once it commits: the event and
// the log's note (never before: a transaction rolled back did nothing to tell).
type settledEntry struct {
	ev         Event
	code, note string
}

func (e *Engine) tell(done []settledEntry) {
	for _, d := range done {
		e.noteCode(d.ev.EntryID, d.ev.RecordID, d.code, d.note)
		e.emit(d.ev)
	}
}

// deletedUnderUser settles an entry waiting for the user whose record the org deleted: an
// update can no longer be saved (red, to dismiss), a delete is done (the entry goes).
func (e *Engine) deletedUnderUser(ctx context.Context, tx *cache.Tx, en *entry) (settledEntry, error) {
	if en.Op == OpDelete {
		if err := deleteEntry(ctx, tx, en.ID); err != nil {
			return settledEntry{}, err
		}
		return settledEntry{ev: Event{Kind: EventEntryRemoved, EntryID: en.ID, RecordID: en.RecordID},
			note: "deleted on the org while your delete waited for you: nothing left to do"}, nil
	}
	return redUnderUser(ctx, tx, en, "ENTITY_IS_DELETED", msgDeleted, "deleted on the org while your change waited for you: it can't be saved")
}

// unreachableUnderUser turns red an entry waiting for the user whose record the user can no
// longer see on the org.
func unreachableUnderUser(ctx context.Context, tx *cache.Tx, en *entry) (settledEntry, error) {
	return redUnderUser(ctx, tx, en, "NOT_FOUND", msgNoAccess, "no longer visible to you on the org while your change waited for you: it can't be saved")
}

// redUnderUser turns an entry waiting for the user red (can't be saved: dismiss it), for the
// reason code and message say, and what the log will note once the transaction commits.
func redUnderUser(ctx context.Context, tx *cache.Tx, en *entry, code, message, note string) (settledEntry, error) {
	en.Status, en.Code, en.Message = StatusFailed, code, message
	en.Conflicts, en.Errors, en.NextAttempt = nil, nil, zeroTime
	if err := saveEntry(ctx, tx, en); err != nil {
		return settledEntry{}, err
	}
	return settledEntry{ev: Event{Kind: EventEntryChanged, EntryID: en.ID, RecordID: en.RecordID, Status: en.Status},
		code: code, note: note}, nil
}

// storeServerCopies writes server copies in one transaction. A record with a pending entry
// keeps its change on top and its entry keeps its base. With onlyNewer, a copy no newer than
// the cached one is skipped.
func (e *Engine) storeServerCopies(ctx context.Context, r *run, object string, recs []remote.Record, onlyNewer bool) (int, error) {
	if len(recs) == 0 {
		return 0, nil
	}
	me := e.myID()
	due := r.due(object)
	n := 0
	noted := len(r.overwrites)
	var reopened []settledEntry // red for want of access, and the user's own record again
	err := e.db.Update(ctx, func(tx *cache.Tx) error {
		reopened = nil
		var others []cache.Record // changed by another user since the device last read them
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
			e.seeUsers(d, fields)
			if onlyNewer {
				var sysmod int64
				var hasServer bool
				err := tx.QueryRowContext(ctx, `SELECT sysmod, server IS NOT NULL FROM records WHERE id = ?`, id).Scan(&sysmod, &hasServer)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return err
				}
				switch stamp := cache.MS(ver.SystemModstamp); {
				case err != nil || !hasServer || sysmod == 0 || sysmod < stamp:
				case sysmod > stamp:
					continue // a copy older than the one held
				default:
					// The same stamp: on a real org, which keeps whole seconds, a change made in
					// the second of the copy held carries it too, and only its values tell.
					if held, err := tx.Record(ctx, id); err != nil || sameServerValues(d, held.Server, fields) {
						continue
					}
				}
			}
			if en := pendingChanges[id]; en != nil && en.Status == StatusFailed && en.Cause() == CauseNoAccess && en.Op != OpCreate {
				if owner, _ := fields["OwnerId"].(string); me != "" && sameID(owner, me) {
					// Given back, in a copy newer than the one held: the change can be saved again.
					en.Status, en.Code, en.Message, en.Errors, en.Conflicts, en.NextAttempt = StatusPending, "", "", nil, nil, zeroTime
					if err := saveEntry(ctx, tx, en); err != nil {
						return err
					}
					reopened = append(reopened, settledEntry{ev: Event{Kind: EventEntryChanged, EntryID: en.ID, RecordID: id, Status: en.Status},
						note: "the record is yours again on the org: your change, which could not be saved, goes with the next sync"})
				}
			}
			rec := cache.Record{Object: object, ID: id, Server: fields, Version: ver}
			if en := pendingChanges[id]; en != nil && en.Op == OpUpdate {
				rec.View = withChanges(d, fields, en.Changes)
			} else {
				rec.View = overlay(fields, nil)
			}
			rec.Name = displayName(d, rec.View)
			out = append(out, rec)
			if owner, _ := fields["OwnerId"].(string); owner == "" || owner != me {
				due[id] = true
			}
			if by, _ := fields["LastModifiedById"].(string); onlyNewer && pendingChanges[id] == nil && by != "" && me != "" && !sameID(by, me) {
				others = append(others, rec)
			}
		}
		if err := e.noteOverwrites(ctx, tx, r, d, others); err != nil {
			return err
		}
		n = len(out)
		return tx.PutRecords(ctx, out)
	})
	if err != nil {
		r.overwrites = r.overwrites[:noted] // what was not stored was not seen
		return n, err
	}
	e.tell(reopened)
	if len(reopened) > 0 {
		r.requeued = true // sent by this run, after its refresh
	}
	return n, nil
}

// noteOverwrites logs, for each record among recs (new server copies another user saved) that
// the org took a change of this device's for, as far back as the log reaches, which fields the other user
// changed since: "my change is gone" then reads as what it was, a later change by someone else.
// They are logged once the run knows the users' names (overwritten).
func (e *Engine) noteOverwrites(ctx context.Context, tx *cache.Tx, r *run, d *remote.Describe, recs []cache.Record) error {
	if len(recs) == 0 || d == nil {
		return nil
	}
	sent := map[string]bool{}
	for chunk := range slices.Chunk(recs, 500) {
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = r.ID
		}
		if err := queryIDs(ctx, tx, sent, `SELECT DISTINCT record_id FROM activity
			WHERE (note LIKE 'created %' OR note LIKE 'update %' AND code = '' AND status BETWEEN 200 AND 299)
			AND record_id IN (?`+strings.Repeat(",?", len(args)-1)+`)`, args...); err != nil {
			return err
		}
	}
	for _, rec := range recs {
		if !sent[rec.ID] {
			continue
		}
		old, err := tx.Record(ctx, rec.ID)
		if errors.Is(err, cache.ErrNotFound) || err == nil && old.Server == nil {
			continue
		}
		if err != nil {
			return err
		}
		var changed []string
		for _, fd := range d.Fields {
			if !fd.Updateable || fd.Calculated {
				continue
			}
			was, now := old.Server[fd.Name], rec.Server[fd.Name]
			if _, ok := rec.Server[fd.Name]; !ok || sameFieldValue(d, fd.Name, was, now) {
				continue
			}
			changed = append(changed, fieldLabel(d, fd.Name)+" to "+noteFieldValue(ctx, tx, d, fd.Name, now))
		}
		if len(changed) == 0 {
			continue
		}
		by, _ := rec.Server["LastModifiedById"].(string)
		r.overwrites = append(r.overwrites, overwrite{recordID: rec.ID, by: by, what: strings.Join(changed, ", ")})
	}
	return nil
}

// overwrite is another user's change of a record this device sent a change for.
type overwrite struct{ recordID, by, what string }

// overwritten logs the run's overwrites, naming their users as far as the device knows them.
func (e *Engine) overwritten(ctx context.Context, r *run) {
	for _, o := range r.overwrites {
		who := msgAnotherUser
		if names, err := e.db.Names(ctx, []string{o.by}); err == nil && names[o.by] != "" {
			who = names[o.by]
		}
		e.note("", o.recordID, truncate("refreshed: "+who+" changed "+o.what+" after your change reached the org", 300))
	}
	r.overwrites = nil
}

// dropVanished drops the cached records among ids that the org no longer returns (not in
// visible), except those carrying a pending entry: the user's change keeps its record. Their
// names stay for the records that point at them.
func dropVanished(ctx context.Context, tx *cache.Tx, ids []string, visible map[string]bool, now time.Time) ([]string, error) {
	var gone []string
	for _, id := range ids {
		if visible[id] {
			continue
		}
		if en, err := entryByRecord(ctx, tx, id); err != nil {
			return gone, err
		} else if en != nil {
			continue
		}
		dropped, err := tx.DropRecordKeepingName(ctx, id, now)
		if err != nil {
			return gone, err
		}
		if dropped {
			gone = append(gone, id)
		}
	}
	if len(gone) == 0 {
		return nil, nil
	}
	sort.Strings(gone)
	return gone, tx.TrimNames(ctx)
}

// notedPerObject is how many records leaving the device one sync-down notes one by one for an
// object; the rest are counted in one note.
const notedPerObject = 20

// noteRemovedNamed says in the log which records of object left the device and why (each with
// its id, so a record's own log tells it, and the name it had on the device, said before why:
// `"Sofia Howard": deleted on the org: …`, since the device keeps no name for a deleted
// record's id), up to notedPerObject, then how many more.
func (e *Engine) noteRemovedNamed(object string, ids []string, names map[string]string, why string) {
	for i, id := range ids {
		if i == notedPerObject {
			e.note("", "", object+": "+itoa(len(ids)-i)+" more record(s) "+why)
			return
		}
		text := why
		if n := names[id]; n != "" {
			text = quotedName(n) + ": " + why
		}
		e.note("", id, text)
	}
}

// accessBatch is how many record ids one UserRecordAccess query may name (the org's limit).
const accessBatch = 200

// due is the set of an object's records whose access this run asks the org about.
func (r *run) due(object string) map[string]bool {
	m := r.accessDue[object]
	if m == nil {
		m = map[string]bool{}
		r.accessDue[object] = m
	}
	return m
}

// learnAccess asks the org what the user may do with the records of object that this
// sync-down stored or re-checked and that the user does not own (UserRecordAccess, 200 ids a
// query), and keeps the answer: a record shared read-only offers no Edit, one shared to edit
// no Delete, rather than a change the org refuses at sync. An org that will not say (an
// object outside its sharing model, an API without UserRecordAccess) leaves the records as
// they were, and the log says so once a run for each object.
func (e *Engine) learnAccess(ctx context.Context, r *run, object string) error {
	due := r.accessDue[object]
	delete(r.accessDue, object)
	me := e.myID()
	if len(due) == 0 || me == "" || r.noAccess[object] {
		return nil
	}
	ids := slices.Sorted(maps.Keys(due))
	levels := map[string]string{}
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, accessInFlight)
	for i := 0; i < len(ids); i += accessBatch {
		part := ids[i:min(i+accessBatch, len(ids))]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			got, err := e.askAccess(ctx, me, part)
			mu.Lock()
			defer mu.Unlock()
			maps.Copy(levels, got)
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	if first != nil && Classify(first) != ClassInvalid && Classify(first) != ClassFailed {
		// Not answered now: the next run, in this process or another, asks about every record
		// of the object the user does not own (a record with no access known is taken as the
		// user's to change, and a script syncing every minute would never ask again). Kept
		// first, whatever else fails or is cancelled.
		if err := e.db.Update(context.WithoutCancel(ctx), func(tx *cache.Tx) error {
			_, err := tx.ExecContext(context.WithoutCancel(ctx), `UPDATE sync_state SET members_at = 0 WHERE object = ?`, object)
			return err
		}); err != nil {
			return err
		}
	}
	// What was learnt is kept, whatever a part that failed.
	if err := e.keepAccess(context.WithoutCancel(ctx), me, levels); err != nil {
		return err
	}
	if first != nil {
		if c := Classify(first); c == ClassInvalid || c == ClassFailed {
			r.noAccess[object] = true
			code := ""
			if ae, ok := remote.AsError(first); ok {
				code = ae.Code()
			}
			e.noteCode("", "", code, "could not ask the org which "+object+" records you may only read ("+first.Error()+
				"): those whose access is not known stay open to Edit and Delete, and the org decides when the change syncs")
			return nil
		}
		return first
	}
	return nil
}

// keepAccess stores, in one transaction, the access levels the org gave the user (me). A record
// the user can no longer see at all (given away, unshared) leaves the device, unless a change of
// theirs waits on it (its sync says what happened), and the log says why.
func (e *Engine) keepAccess(ctx context.Context, me string, levels map[string]string) error {
	var gone []string
	var noAccess []settledEntry
	if err := e.db.Update(ctx, func(tx *cache.Tx) error {
		gone, noAccess = gone[:0], noAccess[:0]
		if err := tx.SetAccess(ctx, me, levels, e.now()); err != nil {
			return err
		}
		for _, id := range slices.Sorted(maps.Keys(levels)) {
			if levels[id] == cache.AccessRead {
				// Read only: a change waiting for the user (an owner change the org refused
				// while it was not known whether the user could still edit, say) could never
				// be saved: red now, as a sent change would come back.
				if en, err := entryByRecord(ctx, tx, id); err != nil {
					return err
				} else if en != nil && en.Op != OpCreate && en.Status.Sash() == SashOrange {
					msg := msgNoAccessToChange
					if en.Op == OpDelete {
						msg = msgNoAccessToDelete
					}
					s, err := redUnderUser(ctx, tx, en, "INSUFFICIENT_ACCESS_OR_READONLY", msg, "read only for you on the org while your change waited for you: it can't be saved")
					if err != nil {
						return err
					}
					noAccess = append(noAccess, s)
				}
				continue
			}
			if levels[id] != cache.AccessNone {
				continue
			}
			if en, err := entryByRecord(ctx, tx, id); err != nil {
				return err
			} else if en != nil {
				if en.Status.Sash() == SashOrange {
					// Waiting for the user, it would never be sent to learn this: red now.
					s, err := unreachableUnderUser(ctx, tx, en)
					if err != nil {
						return err
					}
					noAccess = append(noAccess, s)
				}
				continue
			}
			dropped, err := tx.DropRecordKeepingName(ctx, id, e.now())
			if err != nil {
				return err
			}
			if dropped {
				gone = append(gone, id)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	for _, id := range gone {
		e.note("", id, "no longer visible to you on the org (given to another user or unshared): removed from this device")
	}
	e.tell(noAccess)
	return nil
}

// CheckAccess asks the org, now, what the user may do with a cached record that the device
// knows only as shared with them (read-only, or to edit and not delete), and keeps the answer:
// a share widened since the last check shows at once, not at the next comparison of ids. A
// record the user owns, one whose access the device holds no limit for, and any record while
// offline are not asked about: the answer is what the device knows. A record the user can no
// longer see at all leaves the device (unless a change of theirs waits on it), and CheckAccess
// says so with ErrNotFound (also when the record stays for the change).
func (e *Engine) CheckAccess(ctx context.Context, id string) (Access, error) {
	rec, err := e.db.Record(ctx, id)
	if err != nil {
		return AccessFull, notFound("record "+id, err)
	}
	known, err := e.accessTo(ctx, e.db, rec)
	me := e.myID()
	if err != nil || known == AccessFull || me == "" || !e.Online() {
		return known, err
	}
	levels, err := e.askAccess(ctx, me, []string{rec.ID})
	if err != nil {
		return known, err
	}
	if _, ok := levels[rec.ID]; !ok {
		// The org answers for every record it has: one it says nothing of is gone (deleted,
		// the next comparison of ids will tell). It is not the user's again to read.
		return known, fmt.Errorf("record %s: %w: the org says nothing of it (deleted?)", rec.ID, ErrNotFound)
	}
	if err := e.keepAccess(ctx, me, levels); err != nil {
		return known, err
	}
	if _, err := e.db.Record(ctx, rec.ID); errors.Is(err, cache.ErrNotFound) {
		e.emit(Event{Kind: EventCacheRefreshed, RecordID: rec.ID})
		return AccessRead, fmt.Errorf("record %s: %w: no longer visible to you on the org", rec.ID, ErrNotFound)
	}
	if levels[rec.ID] == cache.AccessNone {
		// Kept because a change of the user's waits on it, but out of their sight all the same.
		if known != AccessRead {
			e.emit(Event{Kind: EventCacheRefreshed, RecordID: rec.ID})
		}
		return AccessRead, fmt.Errorf("record %s: %w: no longer visible to you on the org", rec.ID, ErrNotFound)
	}
	now, err := e.accessTo(ctx, e.db, rec)
	if err == nil && now != known {
		e.emit(Event{Kind: EventCacheRefreshed, RecordID: rec.ID})
	}
	return now, err
}

// accessInFlight is how many UserRecordAccess queries one object's check has in flight.
const accessInFlight = 4

// askAccess asks the org for the user's MaxAccessLevel on the records ids names (at most
// accessBatch): id → level, for the records the org answered about.
func (e *Engine) askAccess(ctx context.Context, me string, ids []string) (map[string]string, error) {
	asked := make(map[string]string, 2*len(ids)) // also by the 15 characters an org may answer with
	for _, id := range ids {
		asked[id] = id
		asked[id[:min(15, len(id))]] = id
	}
	q := "SELECT RecordId, MaxAccessLevel FROM UserRecordAccess WHERE UserId = '" + soqlEscape(me) +
		"' AND RecordId IN " + soqlList(ids)
	levels := map[string]string{}
	res, err := e.org.Query(ctx, q, 2000)
	var pg pages
	for err == nil {
		for _, rec := range res.Records {
			id, _ := rec.Fields["RecordId"].(string)
			lv, _ := rec.Fields["MaxAccessLevel"].(string)
			if full := asked[id]; full != "" && lv != "" {
				levels[full] = lv
			}
		}
		if res.Done || res.NextRecordsURL == "" {
			break
		}
		res, err = pg.more(ctx, e.org, res)
	}
	return levels, err
}

// sameServerValues reports whether a copy of a record the org sent holds nothing the cached
// server copy held does not: every field sent has the value held.
func sameServerValues(d *remote.Describe, held, sent remote.Fields) bool {
	return sameValuesAs(d, held, sent, false)
}

// sameWrittenValues is sameServerValues blind to the calculated fields: a copy whose only new
// values are a formula's (one with TODAY() in it moves overnight, SystemModstamp unmoved) is
// the same version, as far as anyone wrote it.
func sameWrittenValues(d *remote.Describe, held, sent remote.Fields) bool {
	return sameValuesAs(d, held, sent, true)
}

func sameValuesAs(d *remote.Describe, held, sent remote.Fields, written bool) bool {
	if held == nil {
		return false
	}
	for f, v := range sent {
		if f == "attributes" || written && isCalculated(d, f) {
			continue
		}
		if hv, ok := held[f]; !ok || !sameFieldValue(d, f, hv, v) {
			return false
		}
	}
	return true
}

// pages follows the pages of one query's answer. A page that does not move the answer on (its
// locator came before, or it holds no record yet says more follow) is a malformed reply, never
// a loop: an org, or something between, sending the same page for ever would hold the sync,
// and every change queued behind it, until the user gave up.
type pages struct{ seen map[string]bool }

// fetched is a query page asked for ahead of its use, or why it could not be had.
type fetched struct {
	page remote.QueryResult
	err  error
}

// more fetches the page after res.
func (p *pages) more(ctx context.Context, org remote.Org, res remote.QueryResult) (remote.QueryResult, error) {
	next := res.NextRecordsURL
	if len(res.Records) == 0 {
		return remote.QueryResult{}, fmt.Errorf("remote: query page %q: %w: no records, yet more are said to follow", next, remote.ErrMalformedReply)
	}
	if p.seen[next] {
		return remote.QueryResult{}, fmt.Errorf("remote: query page %q: %w: the same page was sent before", next, remote.ErrMalformedReply)
	}
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	p.seen[next] = true
	return org.QueryMore(ctx, next)
}
