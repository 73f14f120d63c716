package pending

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
)

// OfflineKeyField is the external-id field that makes creates exactly-once: each create is an
// upsert keyed by its entry's UUID.
const OfflineKeyField = "Offline_Key__c"

type jobKind int

const (
	jobUpdate jobKind = iota // PATCH with a precondition, then GET
	jobCreate                // upsert by Offline_Key__c (or POST), then GET
	jobCheck                 // GET before a delete
	jobDelete                // DELETE after a check found no remote change
)

type job struct {
	ent      *entry
	kind     jobKind
	main     int // index of the write (or the check GET) in its chunk
	get      int // index of the GET that follows the write, -1 when none
	hasKey   bool
	parentOf []string // local ids this job's body refers to through @{ref.id}
	// An update whose base has no ETag reads the record back through its chunk's sObject
	// Collections retrieve of the object (fields: what sync-down asks for) instead of a GET
	// of its own; coll is that retrieve and pos the record's place in it.
	fields []string
	coll   *collGet
	pos    int

	// Worked out beside the requests in flight, for a successful update (see prepareStore).
	stored *cache.Encoded
	others []string // fields another user changed that the update kept
}

// collGet is one sObject Collections retrieve (GET /composite/sobjects/{O}?ids=…&fields=…, or
// its POST form when the fields are too many for a URL) at the end of a chunk: the server copies of the chunk's updates of one object, after their
// PATCHes, as one subrequest.
type collGet struct {
	object string
	fields []string
	ids    []string
	index  int // of the subrequest in the chunk, once sealed

	read bool
	recs []remote.Fields // decoded reply, one per id (nil: not returned)
	err  error           // the retrieve failed as a whole
}

// maxCollectionOps is the most query or sObject Collections subrequests one Composite may hold.
const maxCollectionOps = 5

type chunk struct {
	subs   []remote.Subrequest
	jobs   []*job
	refs   map[string]string // local id → referenceId of the create in this chunk
	colls  []*collGet
	sealed bool
	resp   []remote.Subresponse
	err    error
}

// collFor returns the chunk's retrieve of the object with these fields, nil when none yet.
func (c *chunk) collFor(object string) *collGet {
	for _, g := range c.colls {
		if g.object == object {
			return g
		}
	}
	return nil
}

// size is the number of subrequests the chunk holds once sealed.
func (c *chunk) size() int { return len(c.subs) + len(c.colls) }

// seal appends the chunk's Collections retrieves after all its writes.
func (c *chunk) seal() {
	if c.sealed {
		return
	}
	c.sealed = true
	for i, g := range c.colls {
		g.index = len(c.subs)
		sub := remote.Subrequest{Method: http.MethodGet,
			URL:         "/composite/sobjects/" + g.object + "?ids=" + strings.Join(g.ids, ",") + "&fields=" + strings.Join(g.fields, ","),
			ReferenceID: "r" + strconv.Itoa(i)}
		if len(sub.URL) > remote.MaxGetURL {
			// The fields of an object with hundreds: the retrieve's POST form takes them in
			// its body rather than in a URL an org may find too long.
			sub = remote.Subrequest{Method: http.MethodPost, URL: "/composite/sobjects/" + g.object,
				Body: map[string]any{"ids": g.ids, "fields": g.fields}, ReferenceID: sub.ReferenceID}
		}
		c.subs = append(c.subs, sub)
	}
}

// release drops a recorded chunk's requests and replies, so a long push holds one wave's
// worth of them at a time rather than all of them until it ends.
func (c *chunk) release() {
	c.subs, c.resp, c.colls, c.refs = nil, nil, nil, nil
	for _, j := range c.jobs {
		j.coll, j.stored, j.others = nil, nil, nil // the decoded and encoded server copies
	}
}

// outcome is what happened to one job.
type outcome struct {
	job     *job
	class   Class
	apiErr  *remote.Error
	callErr error          // the whole request failed
	server  *remote.Record // the record as the org has it now, when known
	newID   string         // a create's server id
	deleted bool           // a 404 was checked: the record is in the recycle bin
	// deletedWith names the parent whose delete took the record with it (`Account "Acme"`).
	deletedWith string
	subCode     string // what the org answered this entry's subrequest, when it failed
	gone        bool   // a 404 on a delete: nothing left to delete
	taken       bool   // the entry has already left the queue in this transaction
	found       bool   // a create's record was found on the org (an earlier send made it)
}

// run holds what one sync run learned.
type run struct {
	sum *Summary
	// overwrites are other users' later changes of records this device sent changes for,
	// found by the refresh and logged once their users' names are known.
	overwrites []overwrite
	merges     map[string]int
	merged     map[string]bool
	checked    map[string]bool // delete entries whose check found no remote change
	keyed      map[string]bool // object → describe has Offline_Key__c
	fields     map[string][]string
	skip       map[string]bool // objects the org would not describe
	// rekey lists objects whose keyed creates the org refused for want of Offline_Key__c: the
	// run fetches their describe again and creates them without the key from then on.
	rekey map[string]bool
	// redescribe lists objects whose records the org would not read back with the fields the
	// cached describe lists (INVALID_FIELD): the run fetches their describe again, once.
	redescribe, redescribed map[string]bool
	lastNet                 error
	stopErr                 error
	// unreachedBy is the first send's failure that found the org out of reach, set by the
	// sending goroutines: the sends still waiting for a slot, and the waves after, are not made.
	unreachedBy    atomic.Pointer[error]
	recheckMembers bool // compare every object's cached ids with the org's this run
	recheckAccess  bool // and ask again what the user may do with every shared record
	// accessDue lists, per object, the records the user does not own that this sync-down
	// stored or re-checked: the org is asked what the user may do with them (learnAccess).
	accessDue map[string]map[string]bool
	// unread are the auto-merged updates whose record could not be read again (rereadFresh):
	// they wait for the next run; the rest of the queue goes on.
	unread map[string]bool
	// noAccess lists objects whose access the org refused to say (UserRecordAccess): this run
	// asks no more about them.
	noAccess map[string]bool
	// keyLooked lists the creates findByKeys looked up by Offline_Key__c, and byKey what it
	// found, by key (= entry id).
	keyLooked map[string]bool
	byKey     map[string]remote.Record
	// parentGone caches, by id, whether the org deleted a parent of a deleted record.
	parentGone map[string]bool
	// claimed maps the org records creates looked up by their values were found to be this run
	// to those creates' entries: two creates of the same values are not both taken for the one
	// record before either mapping is stored.
	claimed map[string]string
	// requeued says the refresh put changes back in the queue (a record given back to the
	// user): the run pushes once more after it.
	requeued bool
}

const maxMergesPerRun = 3

func newRun(sum *Summary) *run {
	return &run{sum: sum, merges: map[string]int{}, merged: map[string]bool{}, checked: map[string]bool{},
		keyed: map[string]bool{}, fields: map[string][]string{}, skip: map[string]bool{}, rekey: map[string]bool{},
		redescribe: map[string]bool{}, redescribed: map[string]bool{}, accessDue: map[string]map[string]bool{}, noAccess: map[string]bool{}, unread: map[string]bool{},
		keyLooked: map[string]bool{}, byKey: map[string]remote.Record{}, parentGone: map[string]bool{}, claimed: map[string]string{}}
}

// Sync runs once now: it pushes the queue until nothing more can be done, then refreshes the
// cache (a prime the first time, incremental afterwards). It fails on auth or network failure;
// record-level problems are not errors (they land on their entries).
func (e *Engine) Sync(ctx context.Context) (Summary, error) {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	sum := Summary{}
	if !e.Online() {
		err := fmt.Errorf("sync: %w", remote.ErrOffline)
		sum.Err = err
		return sum, err
	}
	e.emit(Event{Kind: EventSyncStarted})
	// No run is in flight (runMu is held): an entry still syncing was left by a run that
	// stopped half-way; its outcome is unknown.
	if err := e.recoverSyncing(ctx); err != nil {
		// The device's own database refused the write (a full disk): the run ends here, and
		// says so, as every run that started does.
		sum.Err = err
		s := sum
		e.emit(Event{Kind: EventSyncFinished, Summary: &s})
		return sum, err
	}
	r := newRun(&sum)
	e.mu.Lock()
	r.recheckMembers, e.recheckMembers = e.recheckMembers, false
	r.recheckAccess, e.recheckAccess = e.recheckAccess, false
	e.mu.Unlock()
	backfill, err := e.usersToBackfill(ctx)
	if err == nil {
		err = e.learnMyID(ctx)
	}
	if err == nil {
		err = e.ensureDescribes(ctx, r)
	}
	if err == nil {
		err = e.push(ctx, r)
	}
	// The last push got no reply at all (the org out of reach, its sign-in timing out): the
	// refresh would wait as long again for each request it makes, and find the same.
	unreached := r.lastNet != nil && ctx.Err() == nil && outOfReach(r.lastNet)
	pushed := err == nil
	if err == nil && !unreached {
		err = e.syncDown(ctx, r)
	}
	if err == nil && !unreached && r.requeued {
		err = e.push(ctx, r)
	}
	if pushed && !unreached && ctx.Err() == nil {
		// Also when the refresh failed part-way: a conflict found by the push names its other
		// user, and one query is enough to name them.
		ferr := e.fetchUserNames(ctx, backfill)
		if ferr == nil {
			ferr = e.renameGiven(ctx)
		}
		if err == nil {
			err = ferr
		}
	}
	e.overwritten(context.WithoutCancel(ctx), r)
	// The run completed: it pushed what it could and refreshed the cache. Changes left for a
	// retry after a transient failure do not make it less complete.
	completed := err == nil && !unreached
	if err == nil && r.lastNet != nil {
		err = fmt.Errorf("sync: %s; changes left pending will be retried: %w", howItFailed(r.lastNet), r.lastNet)
	}
	if err != nil && Classify(err) == ClassAuth {
		if cause, ok := remote.SignInFailure(err); ok {
			// No refusal of a session to tell: the sign-in itself failed (a wrong password).
			err = &signInError{cause: cause, err: err}
		} else {
			err = fmt.Errorf("%w: %w", ErrAuth, err)
		}
	}
	if errors.Is(err, ErrAuth) {
		e.mu.Lock()
		e.authPaused = true
		e.mu.Unlock()
		e.emit(Event{Kind: EventAuthRequired, Reason: authReason(err)})
	}
	e.finishCounts(ctx, &sum)
	if !completed && r.recheckMembers {
		e.mu.Lock()
		e.recheckMembers = true // for the next run, which may get further
		e.recheckAccess = e.recheckAccess || r.recheckAccess
		e.mu.Unlock()
	}
	if completed && r.lastNet != nil {
		// Finished, with changes left for a retry: the log says why they were (a reply that
		// could not be read came with a 200).
		e.note("", "", truncate("sync finished; changes left pending will be retried: "+howItFailed(r.lastNet)+": "+r.lastNet.Error(), 300))
		e.lastStop = ""
	} else if completed {
		e.note("", "", "sync finished")
		e.lastStop = ""
	} else if err != nil {
		// Also when it stopped before any request reached the org (a sign-in the network
		// refused): the log says the sync was tried, and why it went no further. Once per
		// reason: retries that stop the same way do not push the requests out of the log.
		if text := truncate("sync stopped: "+err.Error(), 300); text != e.lastStop {
			e.note("", "", text)
			e.lastStop = text
		}
	}
	_ = e.flushActivity(context.WithoutCancel(ctx))
	if completed {
		now := e.now()
		e.mu.Lock()
		e.lastSync = now
		e.mu.Unlock()
		// Kept apart from the log too, which trims its oldest rows: runs that keep stopping
		// part-way must not make a device look as if it never synced.
		_ = e.db.SetDeviceFact(context.WithoutCancel(ctx), lastSyncFact, strconv.FormatInt(cache.MS(now), 10))
	}
	sum.Err = err
	s := sum
	e.emit(Event{Kind: EventSyncFinished, Summary: &s})
	return sum, err
}

func (e *Engine) finishCounts(ctx context.Context, sum *Summary) {
	ctx = context.WithoutCancel(ctx)
	now := cache.MS(e.now())
	_ = e.db.SQL().QueryRowContext(ctx, `SELECT
		COALESCE(SUM(status IN ('conflict','invalid','failed')), 0),
		COALESCE(SUM(status = 'pending' AND (next_attempt > ? OR attempts > 0)), 0),
		COALESCE(SUM(status = 'waiting'), 0) FROM entries`, now).Scan(&sum.Attention, &sum.Retrying, &sum.Waiting)
}

// ensureDescribes fetches the describe of every cached object not described yet.
func (e *Engine) ensureDescribes(ctx context.Context, r *run) error {
	for _, o := range e.opts.Objects {
		d, err := e.db.Describe(ctx, o)
		switch {
		case errors.Is(err, cache.ErrNotFound):
			d, err = e.org.Describe(ctx, o)
			if err != nil {
				if c := Classify(err); c == ClassInvalid || c == ClassFailed {
					// The org has no such object for this user: cache the others.
					e.note("", "", "skipped "+o+": "+err.Error())
					r.sum.Unrefreshed = append(r.sum.Unrefreshed, o+": the org has no such object for this user ("+err.Error()+")")
					r.skip[o] = true
					continue
				}
				return fmt.Errorf("describe %s: %w", o, err)
			}
			if err := e.db.Update(ctx, func(tx *cache.Tx) error { return tx.PutDescribe(ctx, d, e.now()) }); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if d, err = e.recheckDescribe(ctx, o, d, false); err != nil {
				return err
			}
		}
		e.useDescribe(r, d)
	}
	return nil
}

// useDescribe takes what a run needs from an object's describe.
func (e *Engine) useDescribe(r *run, d *remote.Describe) {
	_, r.keyed[d.Name] = d.Field(OfflineKeyField)
	r.fields[d.Name] = queryFields(d)
}

// recheckDescribe asks the org whether an object's cached describe is still current once it is
// older than DescribeMaxAge, or at once when force is set or the cached copy was marked stale
// (then without If-Modified-Since). A changed describe replaces the cached one; one the org
// confirms gets a new fetch time. It returns the describe to use: the cached one whenever the
// check fails for any reason but auth or the network, which end the run.
func (e *Engine) recheckDescribe(ctx context.Context, object string, cached *remote.Describe, force bool) (*remote.Describe, error) {
	fetched, err := e.db.DescribeFetchedAt(ctx, object)
	if err != nil {
		return cached, err
	}
	now := e.now()
	if !force && !fetched.IsZero() && (e.opts.DescribeMaxAge > 0 && now.Sub(fetched) < e.opts.DescribeMaxAge) &&
		!fetched.Before(e.opts.MetadataChangedAt) {
		return cached, nil
	}
	since := time.Time{}
	if !force && !fetched.IsZero() {
		since = fetched.Add(-describeSkew)
	}
	d, modified, err := e.org.DescribeIfModified(ctx, object, since)
	if err != nil {
		switch Classify(err) {
		case ClassAuth, ClassOffline, ClassCanceled:
			return cached, fmt.Errorf("describe %s: %w", object, err)
		}
		e.note("", "", "could not check whether the "+object+" metadata changed: "+err.Error())
		return cached, nil
	}
	err = e.db.Update(ctx, func(tx *cache.Tx) error {
		if modified {
			return tx.PutDescribe(ctx, d, now)
		}
		return tx.TouchDescribe(ctx, object, now)
	})
	if err != nil {
		return cached, err
	}
	if !modified {
		return cached, nil
	}
	if !sameFieldNames(cached, d) {
		e.note("", "", "the org's "+object+" fields changed: the cache follows")
	}
	e.emit(Event{Kind: EventCacheRefreshed})
	return d, nil
}

// refetchDescribe fetches an object's describe from the org whatever its age, for the rest of
// the run and for later runs, and reports whether its fields changed.
func (e *Engine) refetchDescribe(ctx context.Context, r *run, object string) (bool, error) {
	cached, err := e.db.Describe(ctx, object)
	if err != nil {
		return false, err
	}
	d, err := e.recheckDescribe(ctx, object, cached, true)
	if err != nil {
		return false, err
	}
	e.useDescribe(r, d)
	return d != cached && !sameFieldNames(cached, d), nil
}

// sameFieldNames reports whether two describes list the same fields in the same order.
func sameFieldNames(a, b *remote.Describe) bool {
	if len(a.Fields) != len(b.Fields) {
		return false
	}
	for i := range a.Fields {
		if a.Fields[i].Name != b.Fields[i].Name {
			return false
		}
	}
	return true
}

// queryFields are the fields sync-down asks for.
func queryFields(d *remote.Describe) []string {
	var out []string
	for _, f := range d.Fields {
		switch f.Type {
		case "address", "location", "base64":
			continue
		}
		out = append(out, f.Name)
	}
	return out
}

// push sends the queue in passes until a pass makes no progress.
func (e *Engine) push(ctx context.Context, r *run) error {
	for pass := 0; pass < 10000; pass++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		all, err := entriesWhere(ctx, e.db.SQL(), "")
		if err != nil {
			return err
		}
		creates := map[string]*entry{}
		for _, en := range all {
			if en.Op == OpCreate {
				creates[en.RecordID] = en
			}
		}
		now := e.now()
		var ready []*entry
		for _, en := range all {
			// A change whose last send got no reply at all waits for no backoff: the network,
			// not the org, failed it, and this run is the device trying the org again (a
			// backoff grown during an outage would outlive it by minutes). A refusal, a 503 or a
			// Retry-After keeps its time.
			// Once per run: a change that fails so again waits for the next run.
			noReply := pass == 0 && en.noReply
			if (en.Status == StatusPending || en.Status == StatusWaiting) && (!en.NextAttempt.After(now) || noReply) {
				if noReply {
					en.NextAttempt = time.Time{} // due now (a lookup that fails before sending sets it again)
				}
				ready = append(ready, en)
			}
		}
		if len(ready) == 0 {
			return nil
		}
		e.step("pass")
		if err := e.learnOrgClock(ctx, ready); err != nil {
			return err
		}
		progress, err := e.settleBeforeSend(ctx, r, ready)
		if err != nil {
			return err
		}
		e.step("settled")
		if r.unreached() {
			return nil // the rest waits for the next run: each request would wait as long
		}
		chunks, holds := e.plan(r, ready, creates)
		if len(holds) > 0 {
			if err := e.hold(ctx, holds, creates); err != nil {
				return err
			}
			e.step("held")
		}
		if len(chunks) == 0 {
			if !progress {
				return nil
			}
			continue
		}
		total := 0
		for _, c := range chunks {
			total += len(c.jobs)
		}
		done := 0
		var prev []*chunk
		var prevWait func() []outcome
		finish := func() error {
			if prevWait == nil {
				return nil
			}
			outs := prevWait()
			prevWait = nil
			if err := e.finishWave(ctx, r, prev, outs); err != nil {
				return err
			}
			for _, c := range prev {
				done += len(c.jobs)
				c.release()
			}
			e.emit(Event{Kind: EventSyncProgress, Done: done, Total: total})
			return nil
		}
		for start := 0; start < len(chunks) && r.stopErr == nil && !r.unreached(); start += e.waveChunks {
			if !e.Online() {
				r.stopErr = fmt.Errorf("sync: %w", remote.ErrOffline)
				break
			}
			wave := chunks[start:min(start+e.waveChunks, len(chunks))]
			wait, err := e.startWave(ctx, r, wave)
			if err != nil {
				_ = finish()
				return err
			}
			if err := finish(); err != nil {
				wait()
				return err
			}
			prev, prevWait = wave, wait
		}
		if err := finish(); err != nil {
			return err
		}
		if r.stopErr != nil {
			return r.stopErr
		}
		if r.unreached() {
			return nil // the rest waits for the next run: each send would wait as long
		}
		if err := e.followMetadata(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// keyFieldGone reports whether the org refused a keyed upsert because it has no usable
// Offline_Key__c, so that nothing was created: 404 NOT_FOUND ("Provided external ID field does
// not exist or is not accessible"), or INVALID_FIELD naming the field. Any other refusal that
// names the field (DUPLICATE_VALUE: a record with this key exists) is not that.
func keyFieldGone(e *remote.Error) bool {
	if e == nil {
		return false
	}
	if e.Status == http.StatusNotFound && e.HasCode("NOT_FOUND") {
		return true
	}
	if !e.HasCode("INVALID_FIELD") {
		return false
	}
	for _, it := range e.Items {
		if it.Code == "INVALID_FIELD" && strings.Contains(it.Message, OfflineKeyField) {
			return true
		}
	}
	return false
}

// fieldRefused reports whether the org refused a read for a field it does not have.
func fieldRefused(err error) bool {
	e, ok := remote.AsError(err)
	return ok && e.HasCode("INVALID_FIELD")
}

// followMetadata catches up, between passes, with metadata the org changed under the device:
// objects whose keyed creates it refused turn to keyless creates for the rest of the run, and
// those it refused to read back with the cached fields get their describe fetched again (once
// a run). Later runs use the new describes too.
func (e *Engine) followMetadata(ctx context.Context, r *run) error {
	for _, o := range slices.Sorted(maps.Keys(r.rekey)) {
		e.note("", "", "the org refused creates keyed by "+OfflineKeyField+" on "+o+": creating without it")
		r.redescribe[o] = true
	}
	for _, o := range slices.Sorted(maps.Keys(r.redescribe)) {
		delete(r.redescribe, o)
		r.redescribed[o] = true
		if _, err := e.refetchDescribe(ctx, r, o); err != nil {
			return err
		}
	}
	for o := range r.rekey {
		delete(r.rekey, o)
		r.keyed[o] = false // whatever the describe says: this run has seen the org refuse the key
	}
	return nil
}

// settleBeforeSend handles what needs no write: creates whose earlier outcome is unknown are
// looked up (exactly-once), and updates whose cached server copy is already newer than their
// base (seen by sync-down, compared to the millisecond) are judged without a request.
func (e *Engine) settleBeforeSend(ctx context.Context, r *run, ready []*entry) (bool, error) {
	var outs []outcome
	var pre []*entry
	if err := e.findByKeys(ctx, r, ready); err != nil {
		if Classify(err) == ClassAuth || Classify(err) == ClassOffline {
			return false, err
		}
		if r.lookupUnreached(ctx, err) {
			return false, nil
		}
	} // other failures leave the lookups to findByKey, one create at a time
	if err := e.rereadFresh(ctx, r, ready); err != nil {
		return false, err
	}
	for _, en := range ready {
		switch {
		case en.Op == OpCreate && en.unknown:
			if r.unreached() {
				continue // the org did not answer a lookup: the others would wait as long
			}
			o, found, err := e.lookupCreate(ctx, r, en)
			if err != nil {
				if Classify(err) == ClassAuth || Classify(err) == ClassOffline {
					return false, err
				}
				if r.lookupUnreached(ctx, err) {
					continue // left in doubt, as it was, for the next run
				}
				// Lookup failed: leave the entry unknown and try again later.
				outs = append(outs, outcome{job: &job{ent: en, kind: jobCreate}, class: ClassTransient, callErr: err})
				continue
			}
			if found {
				outs = append(outs, o)
			} else {
				en.unknown = false
			}
		case en.Op == OpUpdate && !en.editedSinceSend():
			pre = append(pre, en)
		}
	}
	progress := len(outs) > 0
	// What the transaction claims (a change synced, "created X") counts only if it commits.
	counted := *r.sum
	before := e.takeActivity() // the lookups' requests and what they found: true either way
	e.holdEvents()             // told once the transaction commits
	e.openTxActivity()         // and logged
	err := e.db.Update(ctx, func(tx *cache.Tx) error {
		// One query finds the records whose cached server copy is newer than an update's base:
		// a later stamp, or the same one with other values (a real org stamps whole seconds, so
		// a change in the base's second carries the base's stamp).
		newer := map[string]bool{}
		if len(pre) > 0 {
			if err := queryIDs(ctx, tx, newer, `SELECT r.id FROM entries e JOIN records r ON r.id = e.record_id
				WHERE e.op = 'update' AND e.base_sysmod <> 0 AND r.server IS NOT NULL
				AND (r.sysmod > e.base_sysmod OR (r.sysmod = e.base_sysmod AND r.server IS NOT e.base_record))`); err != nil {
				return err
			}
		}
		for _, en := range pre {
			if en.BaseVersion.SystemModstamp.IsZero() || !newer[en.RecordID] {
				continue
			}
			rec, err := tx.Record(ctx, en.RecordID)
			if err != nil || rec.Server == nil {
				continue
			}
			if rec.Version.SystemModstamp.Equal(en.BaseVersion.SystemModstamp) && sameWrittenValues(e.describeOf(ctx, tx, en.Object), en.baseRecord, rec.Server) {
				continue // the same copy, written out another way (or only a formula moved)
			}
			srv := remote.Record{Type: en.Object, Fields: rec.Server, ETag: rec.Version.ETag}
			o := outcome{job: &job{ent: en, kind: jobUpdate}, class: ClassConflict, server: &srv}
			changedStatus, err := e.applyConflict(ctx, tx, r, o, true)
			if err != nil {
				return err
			}
			if changedStatus {
				progress = true
			}
		}
		for _, o := range outs {
			if err := e.apply(ctx, tx, r, o); err != nil {
				return err
			}
		}
		return nil
	})
	during := e.closeTxActivity()
	e.releaseEvents(err == nil)
	if err != nil {
		*r.sum = counted
		during = requestsOf(during)
	}
	e.putBackActivity(append(before, during...))
	return progress, err
}

// queryIDs adds to ids the ids a query of one column returns.
func queryIDs(ctx context.Context, tx *cache.Tx, ids map[string]bool, q string, args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids[id] = true
	}
	return rows.Err()
}

// plan puts ready entries into composite chunks in queue order. An entry that refers to a
// record created offline goes in the same chunk as that create (after it, through @{ref.id});
// otherwise it waits for a later pass.
func (e *Engine) plan(r *run, ready []*entry, creates map[string]*entry) ([]*chunk, []*entry) {
	var chunks []*chunk
	cur := &chunk{refs: map[string]string{}}
	var holds []*entry
	perChunk := max(1, e.perRequest)
	now := e.now()
	for _, en := range ready {
		if en.Status != StatusPending && en.Status != StatusWaiting {
			continue // judged before sending
		}
		if en.NextAttempt.After(now) {
			continue // a lookup before sending failed: back off
		}
		if r.unread[en.ID] {
			continue // auto-merged, and its record could not be read again: the next run
		}
		if en.Op == OpCreate && en.unknown {
			continue // an earlier send may have created it: never resend before a lookup says no
		}
		refs := localRefs(en.Changes)
		inChunk := true
		for _, ref := range refs {
			if _, ok := cur.refs[ref]; !ok {
				inChunk = false
			}
		}
		if !inChunk {
			// Try a fresh chunk only if none of the refs are in the current one either way.
			holds = append(holds, en)
			continue
		}
		kind := jobUpdate
		switch en.Op {
		case OpCreate:
			kind = jobCreate
		case OpDelete:
			kind = jobCheck
			if r.checked[en.ID] {
				kind = jobDelete
			}
		}
		j := &job{ent: en, kind: kind, get: -1, hasKey: r.keyed[en.Object], parentOf: refs}
		if kind == jobUpdate && en.BaseVersion.ETag == "" {
			j.fields = r.fields[en.Object]
		}
		if !fits(cur, j) || len(cur.jobs) >= perChunk {
			if len(refs) > 0 {
				holds = append(holds, en)
				continue
			}
			cur.seal()
			chunks = append(chunks, cur)
			cur = &chunk{refs: map[string]string{}}
		}
		e.addJob(cur, j)
		cur.jobs = append(cur.jobs, j)
	}
	if len(cur.jobs) > 0 {
		cur.seal()
		chunks = append(chunks, cur)
	}
	// Entries held only because their parent sits in another chunk of this pass are retried
	// next pass; those whose parent is not going out at all are marked waiting.
	sending := map[string]bool{}
	for _, c := range chunks {
		for _, j := range c.jobs {
			if j.kind == jobCreate {
				sending[j.ent.RecordID] = true
			}
		}
	}
	var wait []*entry
	for _, en := range holds {
		parentGoing := false
		for _, ref := range localRefs(en.Changes) {
			if sending[ref] {
				parentGoing = true
			}
		}
		if !parentGoing {
			wait = append(wait, en)
		}
	}
	return chunks, wait
}

// fits says whether the job's subrequests still fit in the chunk.
func fits(c *chunk, j *job) bool {
	need := 2 // the write and its GET
	switch {
	case j.kind == jobCheck || j.kind == jobDelete:
		need = 1
	case len(j.fields) > 0:
		need = 1 // the PATCH; its record joins the object's retrieve
		if g := c.collFor(j.ent.Object); g == nil {
			if len(c.colls) >= maxCollectionOps {
				return false
			}
			need++
		} else if len(g.ids) >= maxCollectionRetrieve {
			return false
		}
	}
	return c.size()+need <= remote.MaxSubrequests
}

// maxCollectionRetrieve is the most ids one sObject Collections retrieve may name: the GET form
// takes about 800 before its URL is too long (2,000 is the limit of the POST form, which seal
// uses when the fields are many). A chunk's 25 subrequests keep it far below either.
const maxCollectionRetrieve = 800

func seqRef(prefix string, seq int64) string { return prefix + strconv.FormatInt(seq, 10) }

// sentNote says what a job's request does, for its row of the activity log: the fields a write
// sends with their values (each cut to 40 bytes, the whole to 300), so that support can tell
// what the device sent; a lookup to a record created in the same request shows its local id.
func sentNote(j *job) string {
	var b strings.Builder
	switch j.kind {
	case jobDelete:
		return sentDelete + quotedName(cmp.Or(j.ent.Name, j.ent.RecordID)) // names it: the record is gone after
	case jobCheck:
		return "read before delete"
	case jobCreate:
		b.WriteString("create")
	default:
		b.WriteString("update")
	}
	for _, f := range slices.Sorted(maps.Keys(j.ent.Changes)) {
		b.WriteString(" ")
		b.WriteString(f)
		b.WriteString("=")
		b.WriteString(noteValue(j.ent.Changes[f]))
	}
	return truncate(b.String(), 300)
}

// addJob appends a job's subrequests to the chunk.
func (e *Engine) addJob(c *chunk, j *job) {
	en := j.ent
	path := "/sobjects/" + en.Object + "/"
	body := func() remote.Fields {
		b := make(remote.Fields, len(en.Changes))
		for k, v := range en.Changes {
			if s, ok := v.(string); ok && IsLocalID(s) {
				b[k] = "@{" + c.refs[s] + ".id}"
				continue
			}
			b[k] = v
		}
		return b
	}
	headers := map[string]string{}
	if en.dups == dupSend {
		headers["Sforce-Duplicate-Rule-Header"] = "allowSave=true"
	}
	switch j.kind {
	case jobUpdate:
		if en.BaseVersion.ETag != "" {
			headers["If-Match"] = en.BaseVersion.ETag
		} else if at := unmodifiedSince(en.BaseVersion); !at.IsZero() {
			headers["If-Unmodified-Since"] = at.UTC().Format(http.TimeFormat)
		}
		j.main = len(c.subs)
		c.subs = append(c.subs, remote.Subrequest{Method: http.MethodPatch, URL: path + en.RecordID, ReferenceID: seqRef("u", en.Seq), Body: body(), Headers: nilIfEmpty(headers)})
		if len(j.fields) > 0 {
			g := c.collFor(en.Object)
			if g == nil {
				g = &collGet{object: en.Object, fields: j.fields}
				c.colls = append(c.colls, g)
			}
			j.coll, j.pos = g, len(g.ids)
			g.ids = append(g.ids, en.RecordID)
			return
		}
		j.get = len(c.subs)
		c.subs = append(c.subs, remote.Subrequest{Method: http.MethodGet, URL: path + en.RecordID, ReferenceID: seqRef("g", en.Seq)})
	case jobCreate:
		ref := seqRef("c", en.Seq)
		j.main = len(c.subs)
		if j.hasKey {
			c.subs = append(c.subs, remote.Subrequest{Method: http.MethodPatch, URL: path + OfflineKeyField + "/" + en.ID, ReferenceID: ref, Body: body(), Headers: nilIfEmpty(headers)})
		} else {
			c.subs = append(c.subs, remote.Subrequest{Method: http.MethodPost, URL: strings.TrimSuffix(path, "/"), ReferenceID: ref, Body: body(), Headers: nilIfEmpty(headers)})
		}
		j.get = len(c.subs)
		c.subs = append(c.subs, remote.Subrequest{Method: http.MethodGet, URL: path + "@{" + ref + ".id}", ReferenceID: seqRef("g", en.Seq)})
		c.refs[en.RecordID] = ref
	case jobCheck:
		j.main = len(c.subs)
		c.subs = append(c.subs, remote.Subrequest{Method: http.MethodGet, URL: path + en.RecordID, ReferenceID: seqRef("g", en.Seq)})
	case jobDelete:
		j.main = len(c.subs)
		c.subs = append(c.subs, remote.Subrequest{Method: http.MethodDelete, URL: path + en.RecordID, ReferenceID: seqRef("d", en.Seq)})
	}
}

func nilIfEmpty(h map[string]string) map[string]string {
	if len(h) == 0 {
		return nil
	}
	return h
}

// hold marks entries whose parent record (created offline) is not being sent as waiting.
func (e *Engine) hold(ctx context.Context, holds []*entry, creates map[string]*entry) error {
	var evs []Event
	err := e.db.Update(ctx, func(tx *cache.Tx) error {
		broken := map[string]bool{} // entries already taken out of a cycle
		for _, mem := range holds {
			en, ok, err := reload(ctx, tx, mem)
			if err != nil {
				return err
			}
			if !ok {
				continue // changed since it was read (ids replaced, say): the next pass sees it
			}
			var on string
			orphan := false
			for _, ref := range localRefs(en.Changes) {
				if creates[ref] == nil {
					if sid, err := tx.ServerID(ctx, ref); err == nil && sid != "" {
						continue
					}
					orphan = true
				}
				if on == "" {
					on = ref
				}
			}
			if !orphan {
				if f, ok := cycleField(en, creates, broken); ok {
					broken[en.RecordID] = true
					en.Status, en.WaitingOn, en.Code = StatusInvalid, "", "REFERENCE_CYCLE"
					en.Errors = []FieldError{{Field: f, Code: "REFERENCE_CYCLE", Message: "points at a new record that points back at this one"}}
					en.Message = "Two new records point at each other; save one of them without " + f + " first"
					if err := saveEntry(ctx, tx, en); err != nil {
						return err
					}
					evs = append(evs, Event{Kind: EventEntryChanged, EntryID: en.ID, RecordID: en.RecordID, Status: en.Status})
					continue
				}
			}
			if orphan {
				if err := settleRefs(ctx, tx, en); err != nil {
					en.Status, en.Code = StatusInvalid, "REFERENCE_DISCARDED"
					en.Message = "A related record created offline no longer exists; choose another"
				}
			} else if en.Status == StatusWaiting && en.WaitingOn == on {
				continue
			} else {
				en.Status, en.WaitingOn = StatusWaiting, on
			}
			if err := saveEntry(ctx, tx, en); err != nil {
				return err
			}
			// The log tells when a change began to wait (once: a change waiting on the same
			// record again is passed over above), and on which record, by name.
			if note := holdNote(ctx, tx, en); note != "" {
				if err := e.writeActivity(ctx, tx, []Activity{{At: e.now(), EntryID: en.ID, RecordID: en.RecordID, Note: note}}); err != nil {
					return err
				}
			}
			evs = append(evs, Event{Kind: EventEntryChanged, EntryID: en.ID, RecordID: en.RecordID, Status: en.Status})
		}
		return nil
	})
	if err != nil {
		return err // nothing of it was saved: nothing to tell
	}
	e.emitAll(evs)
	return nil
}

// holdNote is the log's note of an entry hold just set waiting or could not keep pointing at a
// new record.
func holdNote(ctx context.Context, tx *cache.Tx, en *entry) string {
	if en.Status != StatusWaiting {
		return en.Message
	}
	what := "a new record"
	if rec, err := tx.Record(ctx, en.WaitingOn); err == nil && rec.Name != "" {
		what = rec.Object + " " + strconv.Quote(truncate(rec.Name, 60))
	}
	if p, err := entryByRecord(ctx, tx, en.WaitingOn); err == nil && p != nil && p.Status.Sash() != SashGreen && p.Status.Sash() != SashNone {
		// Refused (or in conflict, or unsaveable): it waits for the user, not for a send.
		return "waits for " + what + ", created on this device, which the org refused: it needs you first"
	}
	return "waits for " + what + ", created on this device and not yet saved on the org, to be sent first"
}

// startWave marks a wave's entries syncing (one transaction) and sends its composites; the
// returned wait collects the replies. The caller applies them with finishWave, so the replies of
// one wave are recorded while the next wave is on the wire.
func (e *Engine) startWave(ctx context.Context, r *run, wave []*chunk) (func() []outcome, error) {
	now := e.now()
	began := time.Now()
	err := e.db.Update(ctx, func(tx *cache.Tx) error {
		// Only entries nobody changed since they were read go out; the others wait for the
		// next pass (a local edit got in between).
		// A send of this build is one it remembers (rememberSent): an older build's unrecorded
		// send, settled as not found before this one goes, leaves no mark.
		// The org's clock is kept beside the device's (0 when the org has not said it yet): the
		// first send's only at the first (sent_at still 0).
		st, err := tx.Prepared(ctx, `UPDATE entries SET status = ?, unknown = 0, rev = rev + 1,
			sent_at = ?, sent = CASE WHEN sent = '`+cache.UnrecordedSentMark+`' THEN '' ELSE sent END,
			first_sent_org_at = CASE WHEN sent_at = 0 THEN ? ELSE first_sent_org_at END,
			sent_org_at = CASE WHEN ? = 0 THEN sent_org_at ELSE ? END
			WHERE id = ? AND rev = ? AND status IN ('pending', 'waiting')`)
		if err != nil {
			return err
		}
		orgNow := e.orgNow()
		for i, c := range wave {
			var keep []*job
			for _, j := range c.jobs {
				if !sendable(j, keep) {
					continue
				}
				res, err := st.ExecContext(ctx, string(StatusSyncing), cache.MS(now), cache.MS(orgNow), cache.MS(orgNow), cache.MS(orgNow), j.ent.ID, j.ent.rev)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					continue
				}
				j.ent.Status, j.ent.unknown = StatusSyncing, false
				if len(j.ent.sent) == 0 {
					j.ent.unrecordedSend = false
				}
				j.ent.rev++
				if j.ent.sentAt.IsZero() {
					j.ent.firstSentOrgAt = orgNow
				}
				j.ent.sentAt = now
				if !orgNow.IsZero() {
					j.ent.sentOrgAt = orgNow // unknown, the last known send's stays: earlier, so safe
				}
				keep = append(keep, j)
			}
			if len(keep) != len(c.jobs) {
				wave[i] = e.rebuild(keep)
			}
		}
		return nil
	})
	e.waveTx += time.Since(began)
	if err != nil {
		return nil, err
	}
	e.step("marked-syncing")
	var evs []Event
	e.mu.Lock()
	for _, c := range wave {
		for _, j := range c.jobs {
			e.tagRecord[j.ent.ID] = j.ent.RecordID
			e.tagSent[j.ent.ID] = sentNote(j)
			evs = append(evs, Event{Kind: EventEntryChanged, EntryID: j.ent.ID, RecordID: j.ent.RecordID, Status: StatusSyncing})
		}
	}
	e.mu.Unlock()
	// A screen showing one of these changes shows it being sent: a send the org holds for
	// minutes must not look like one still waiting its turn.
	e.emitAll(evs)
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, e.parallel))
	for _, c := range wave {
		if len(c.jobs) == 0 {
			continue
		}
		wg.Add(1)
		e.sends.Add(1)
		go func(c *chunk) {
			defer e.sends.Done()
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if why := r.unreachedBy.Load(); why != nil {
				// Another request of this run found the org out of reach: this one would wait
				// as long. Not sent, it waits for the next run (and is in no doubt).
				c.err = remote.NotSentBecause(*why)
				return
			}
			ids := make([]string, len(c.jobs))
			for i, j := range c.jobs {
				ids[i] = j.ent.ID
			}
			c.resp, c.err = e.org.Composite(remote.WithTag(ctx, strings.Join(ids, ",")), false, c.subs)
			if c.err != nil && ctx.Err() == nil && outOfReach(c.err) {
				err := c.err
				r.unreachedBy.CompareAndSwap(nil, &err)
			}
			if c.err == nil && len(c.resp) == len(c.subs) {
				// Decoded here, beside the other requests in flight, rather than where the
				// replies are recorded one after the other.
				for _, g := range c.colls {
					g.decode(c.resp[g.index])
				}
				for _, j := range c.jobs {
					e.prepareStore(ctx, c, j)
				}
			}
		}(c)
	}
	return func() []outcome {
		wg.Wait()
		e.step("replied")
		var outs []outcome
		for _, c := range wave {
			outs = append(outs, e.readChunk(ctx, r, c)...)
		}
		e.step("read")
		return outs
	}, nil
}

// cycleField reports the field through which an entry waits, directly or through other new
// records, on itself: such entries could wait forever.
func cycleField(en *entry, creates map[string]*entry, broken map[string]bool) (string, bool) {
	for _, f := range sortedKeys(en.Changes) {
		s, ok := en.Changes[f].(string)
		if !ok || !IsLocalID(s) {
			continue
		}
		seen := map[string]bool{}
		stack := []string{s}
		for len(stack) > 0 {
			id := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if id == en.RecordID {
				return f, true
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			if p := creates[id]; p != nil && !broken[id] {
				stack = append(stack, localRefs(p.Changes)...)
			}
		}
	}
	return "", false
}

// sendable: a job whose body points at creates (through @{ref.id}) goes only with them.
func sendable(j *job, kept []*job) bool {
	for _, ref := range j.parentOf {
		found := false
		for _, k := range kept {
			if k.kind == jobCreate && k.ent.RecordID == ref {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// rebuild makes a chunk of the given jobs again (after some were left out).
func (e *Engine) rebuild(jobs []*job) *chunk {
	c := &chunk{refs: map[string]string{}}
	for _, j := range jobs {
		j.get = -1
		j.coll = nil
		e.addJob(c, j)
		c.jobs = append(c.jobs, j)
	}
	c.seal()
	return c
}

// finishWave records every outcome of a wave in one transaction.
func (e *Engine) finishWave(ctx context.Context, r *run, wave []*chunk, outs []outcome) error {
	counted := *r.sum // what the summary says if this wave's transaction does not commit
	before := e.takeActivity()
	var during []Activity
	e.holdEvents()
	e.openTxActivity()
	began := time.Now()
	defer func() { e.waveTx += time.Since(began) }()
	// The replies are in: they are recorded even when the sync is being cancelled (Ctrl-C), so
	// that what the org did is known rather than left in doubt until the next sync.
	ctx = context.WithoutCancel(ctx)
	err := e.db.Update(ctx, func(tx *cache.Tx) error {
		for _, o := range outs {
			if err := e.apply(ctx, tx, r, o); err != nil {
				return err
			}
		}
		during = e.takeTxActivity()
		acts := append(slices.Clone(before), during...)
		if err := markSubresults(ctx, tx, acts, outs); err != nil {
			return err
		}
		return e.writeActivity(ctx, tx, acts)
	})
	after := e.closeTxActivity() // logged after the take, while the transaction committed
	e.releaseEvents(err == nil)
	if err != nil {
		// Nothing of the wave was recorded: the summary must not claim it, nor the log what the
		// transaction did ("created X"); the requests made meanwhile stay to be written with
		// the next transaction.
		*r.sum = counted
		during = append(during, after...)
		e.putBackActivity(append(before, requestsOf(during)...))
	} else {
		e.appendActivity(after)
	}
	e.mu.Lock()
	for _, c := range wave {
		for _, j := range c.jobs {
			delete(e.tagRecord, j.ent.ID)
			delete(e.tagSent, j.ent.ID)
		}
	}
	e.mu.Unlock()
	e.step("applied")
	return err
}

// requestsOf keeps the requests among activity, leaving out notes.
func requestsOf(acts []Activity) []Activity {
	var out []Activity
	for _, a := range acts {
		if a.Method != "" {
			out = append(out, a)
		}
	}
	return out
}

// howItFailed says what stopped a request that will be tried again: the org answered with a
// refusal to retry (a 5xx, 429, a row lock), its reply could not be read, or no reply came.
func howItFailed(err error) string {
	if errors.Is(err, remote.ErrCutOff) {
		return "the device went offline while changes were being sent"
	}
	if errors.Is(err, remote.ErrMalformedReply) {
		return "the org's reply could not be read"
	}
	if _, answered := remote.AsError(err); answered {
		return "the org could not take the changes now"
	}
	return "the network failed"
}

// unreached reports whether a send of the run got no answer from an org out of reach: it sends
// nothing more (each send would wait out the same limit, minutes a request).
func (r *run) unreached() bool { return r.unreachedBy.Load() != nil }

// lookupUnreached takes a lookup made before sending (is a create whose reply was lost on the
// org?) that got no answer at all for the run finding the org out of reach, as a send that got
// none is: the run looks up and sends nothing more, and says why it stopped. It reports whether
// err was such a failure.
func (r *run) lookupUnreached(ctx context.Context, err error) bool {
	if ctx.Err() != nil || !outOfReach(err) {
		return false
	}
	r.unreachedBy.CompareAndSwap(nil, &err)
	r.lastNet = err
	return true
}

// outOfReach reports whether a failed request says the org is out of reach: no reply at all
// (nothing sent, or no answer within the read's limit), not a reply cut off after the org acted.
func outOfReach(err error) bool {
	return remote.Unreachable(err) && (remote.NotSent(err) || remote.IsTimeout(err))
}

// readChunk turns a composite reply into outcomes, making the few follow-up reads an outcome
// needs (is a 404 record in the recycle bin? which id did an upsert without a body get?).
func (e *Engine) readChunk(ctx context.Context, r *run, c *chunk) []outcome {
	outs := make([]outcome, 0, len(c.jobs))
	if c.err != nil {
		cl := Classify(c.err)
		if cl == ClassConflict || cl == ClassInvalid || cl == ClassFailed || cl == ClassHeld {
			// The composite request itself was refused: nothing in it ran.
			cl = ClassTransient
		}
		switch cl {
		case ClassTransient:
			r.lastNet = c.err
		case ClassAuth, ClassOffline, ClassCanceled:
			if r.stopErr == nil {
				r.stopErr = c.err
			}
		}
		for _, j := range c.jobs {
			outs = append(outs, outcome{job: j, class: cl, callErr: c.err})
		}
		return outs
	}
	if !r.unreached() {
		// A reply: the org is in reach again. Not so for a run that already found it out of
		// reach (a chunk answered beside one that was not): it stopped sending, and says so.
		r.lastNet = nil
	}
	for _, j := range c.jobs {
		o := outcome{job: j}
		main := c.resp[j.main]
		err := main.Err()
		o.subCode = subCode(main, err)
		o.class = Classify(err)
		o.apiErr, _ = remote.AsError(err)
		if o.class == ClassFailed && o.apiErr.HasCode("INVALID_CROSS_REFERENCE_KEY") && e.changesALookup(ctx, j.ent) {
			// The org names no field on a real org ("invalid cross reference id"): with a
			// lookup in the change — and always for a create, which has no record of its own to
			// be out of reach — it is the lookup's record that is gone, which the user can fix.
			o.class = ClassInvalid
		}
		if j.get >= 0 {
			if g := c.resp[j.get]; g.Err() == nil {
				o.server = decodeRecord(j.ent.Object, g)
			}
		} else if j.coll != nil {
			o.server = e.collRecord(ctx, c, j, o.class)
			if o.server == nil && fieldRefused(j.coll.err) && !r.redescribed[j.ent.Object] {
				// The org no longer has a field the device asks for: fetch the describe again,
				// and judge a 412 again in this run with the fields the org has now.
				r.redescribe[j.ent.Object] = true
				if o.class == ClassConflict {
					o.class, o.callErr = ClassHeld, j.coll.err
				}
			}
		} else if j.kind == jobCheck && err == nil {
			o.server = decodeRecord(j.ent.Object, main)
		}
		if o.class == ClassAuth && r.stopErr == nil {
			r.stopErr = err
		}
		switch j.kind {
		case jobCreate:
			if j.hasKey && o.class != ClassOK && keyFieldGone(o.apiErr) {
				// The org no longer has Offline_Key__c (or hides it from this user): nothing
				// was created. The create goes again, without the key, in this run.
				o.class, o.callErr = ClassHeld, err
				r.rekey[j.ent.Object] = true
			}
			if o.class == ClassOK {
				var body struct {
					ID string `json:"id"`
				}
				_ = json.Unmarshal(main.Body, &body)
				o.newID = body.ID
				if o.newID == "" && o.server != nil {
					o.newID = o.server.ID()
				}
				if o.newID == "" && j.hasKey {
					if rec, found, _ := e.findByKey(ctx, r, j.ent); found {
						o.newID, o.server = rec.ID(), &rec
					}
				}
				if o.newID == "" {
					o.class = ClassTransient
					o.callErr = errors.New("the org accepted the record but did not say its id")
				}
			}
		case jobCheck, jobDelete:
			if o.class == ClassFailed && o.apiErr != nil && (o.apiErr.HasCode("NOT_FOUND") || o.apiErr.HasCode("ENTITY_IS_DELETED")) {
				o.deleted = e.inRecycleBin(ctx, j.ent.Object, j.ent.RecordID, o.apiErr)
				o.gone = o.deleted
			}
		case jobUpdate:
			if o.class == ClassFailed && o.apiErr != nil && o.apiErr.HasCode("NOT_FOUND") {
				o.deleted = e.inRecycleBin(ctx, j.ent.Object, j.ent.RecordID, o.apiErr)
			}
			if o.deleted || o.class == ClassFailed && o.apiErr != nil && o.apiErr.HasCode("ENTITY_IS_DELETED") {
				o.deletedWith = e.deletedWith(ctx, r, j.ent)
			}
		}
		outs = append(outs, o)
	}
	return outs
}

// changesALookup reports whether an entry is a create, or sets a lookup to a record.
func (e *Engine) changesALookup(ctx context.Context, en *entry) bool {
	if en.Op == OpCreate {
		return true
	}
	d, _ := e.db.Describe(ctx, en.Object)
	for f, v := range en.Changes {
		if id, ok := v.(string); ok && id != "" && d != nil {
			if fd, ok := d.Field(f); ok && fd.Type == "reference" {
				return true
			}
		}
	}
	return false
}

// subCode is what the org answered one subrequest that failed, for the CODE column of the
// composite's log row of its entry (the request as a whole answers 200): "412", or
// "404 ENTITY_IS_DELETED"; "" for a success.
func subCode(sub remote.Subresponse, err error) string {
	if err == nil {
		return ""
	}
	code := strconv.Itoa(sub.StatusCode)
	if ae, ok := remote.AsError(err); ok && ae.Code() != "" {
		code += " " + ae.Code()
	}
	return code
}

// markSubresults gives the composite's log row of each entry of outs what the org answered
// that entry: in acts, about to be written, or in the log already (a row the previous wave's
// transaction wrote, as the replies of one wave arrive while the one before is recorded).
func markSubresults(ctx context.Context, tx *cache.Tx, acts []Activity, outs []outcome) error {
	codes := map[string]string{}
	for _, o := range outs {
		if o.subCode != "" {
			codes[o.job.ent.ID] = o.subCode
		}
	}
	for i := len(acts) - 1; i >= 0 && len(codes) > 0; i-- {
		a := &acts[i]
		if code, ok := codes[a.EntryID]; ok && a.Method == http.MethodPost && strings.HasSuffix(a.Path, "/composite") {
			if a.Code == "" {
				a.Code = code
			}
			delete(codes, a.EntryID)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(codes)) {
		if _, err := tx.ExecContext(ctx, `UPDATE activity SET code = ? WHERE code = '' AND id = (SELECT MAX(id) FROM activity
			WHERE entry_id = ? AND method = 'POST' AND path LIKE '%/composite')`, codes[id], id); err != nil {
			return err
		}
	}
	return nil
}

// collRecord takes a job's record from its chunk's Collections retrieve. Should the retrieve
// have failed as a whole, a write that reached the org (or a 412 to judge) reads its record on
// its own, so the cache still takes the server's copy.
func (e *Engine) collRecord(ctx context.Context, c *chunk, j *job, class Class) *remote.Record {
	g := j.coll
	g.decode(c.resp[g.index])
	if g.err == nil {
		f := g.recs[j.pos]
		if f == nil {
			return nil
		}
		return collRecordOf(g, f)
	}
	if class != ClassOK && class != ClassConflict {
		return nil
	}
	rec, err := e.org.Retrieve(remote.WithTag(ctx, j.ent.ID), g.object, j.ent.RecordID, g.fields)
	if err != nil {
		return nil
	}
	return &rec
}

// prepareStore encodes, for an update the org accepted, the record the cache will store and
// the fields another user changed, so that recording the wave does only the writes.
func (e *Engine) prepareStore(ctx context.Context, c *chunk, j *job) {
	g := j.coll
	if j.kind != jobUpdate || g == nil || g.err != nil || c.resp[j.main].Err() != nil {
		return
	}
	f := g.recs[j.pos]
	if f == nil {
		return
	}
	srv := collRecordOf(g, f)
	d, _ := e.db.Describe(ctx, j.ent.Object)
	st := e.db.Encode(ctx, serverRecord(d, j.ent.Object, j.ent.RecordID, srv))
	j.stored, j.others = &st, changedFieldsExcept(d, j.ent.baseRecord, f, j.ent.Changes)
}

// collRecordOf is the record of one item of a Collections retrieve (its "attributes" taken off).
func collRecordOf(g *collGet, f remote.Fields) *remote.Record {
	typ := g.object
	if a, ok := f["attributes"].(map[string]any); ok {
		if t, ok := a["type"].(string); ok && t != "" {
			typ = t
		}
	}
	delete(f, "attributes")
	return &remote.Record{Type: typ, Fields: f}
}

// decode reads the retrieve's reply (once): one record, or null, per id asked for.
func (g *collGet) decode(resp remote.Subresponse) {
	if g.read {
		return
	}
	g.read = true
	if g.err = resp.Err(); g.err == nil {
		recs, err := remote.ParseFieldsList(resp.Body)
		if g.recs = recs; err != nil || len(g.recs) != len(g.ids) {
			g.err, g.recs = fmt.Errorf("%w: collections retrieve of %d %s records", remote.ErrMalformedReply, len(g.ids), g.object), nil
			return
		}
		for _, f := range recs {
			if err := remote.CheckStamps(f); err != nil {
				g.err, g.recs = fmt.Errorf("collections retrieve of %d %s records: %w", len(g.ids), g.object, err), nil
				return
			}
		}
	}
}

// deletedWith names, for a record the org deleted, the parent whose delete took it along (a
// contact goes to the recycle bin with its account): the first lookup of its cached copy whose
// relationship cascades deletes (the parent's describe says so) to a record the org deleted
// too, as `Account "Prestige Foods"`; "" when none is known. Only such lookups are asked
// about, each parent once a run.
func (e *Engine) deletedWith(ctx context.Context, r *run, en *entry) string {
	d, _ := e.db.Describe(ctx, en.Object)
	rec, err := e.db.Record(ctx, en.RecordID)
	if d == nil || err != nil || rec.Server == nil {
		return ""
	}
	for _, f := range d.Fields {
		id, _ := rec.Server[f.Name].(string)
		if f.Type != "reference" || id == "" || IsLocalID(id) {
			continue
		}
		object, name := "", ""
		if p, err := e.db.Record(ctx, id); err == nil {
			object, name = p.Object, p.Name
		} else if len(f.ReferenceTo) == 1 {
			object = f.ReferenceTo[0]
			if names, err := e.db.Names(ctx, []string{id}); err == nil {
				name = names[id]
			}
		}
		if object == "" || !cascades(ctx, e.db, object, en.Object, f.Name) {
			continue
		}
		gone, asked := r.parentGone[id]
		if !asked {
			gone = e.deletedOnOrg(ctx, object, id)
			r.parentGone[id] = gone
		}
		if gone {
			return object + " " + strconv.Quote(cmp.Or(name, id))
		}
	}
	return ""
}

// cascades reports whether deleting a parent record deletes the child records that point at it
// through field, as the parent's cached describe says (false when it is not cached).
func cascades(ctx context.Context, db *cache.DB, parent, child, field string) bool {
	pd, _ := db.Describe(ctx, parent)
	if pd == nil {
		return false
	}
	for _, cr := range pd.ChildRelationships {
		if cr.ChildSObject == child && cr.Field == field {
			return cr.CascadeDelete
		}
	}
	return false
}

// inRecycleBin tells a deleted record from one the user can no longer see.
func (e *Engine) inRecycleBin(ctx context.Context, object, id string, apiErr *remote.Error) bool {
	if apiErr.HasCode("ENTITY_IS_DELETED") {
		return true
	}
	return e.deletedOnOrg(ctx, object, id)
}

// deletedOnOrg asks the org whether it holds the record in its recycle bin.
func (e *Engine) deletedOnOrg(ctx context.Context, object, id string) bool {
	deleted, err := e.deletedStates(ctx, object, []string{id})
	return err == nil && deleted[id]
}

func decodeRecord(object string, s remote.Subresponse) *remote.Record {
	var f remote.Fields
	if err := json.Unmarshal(s.Body, &f); err != nil || f == nil || remote.CheckStamps(f) != nil {
		return nil // no copy to go by: the record is read on its own
	}
	typ := object
	if a, ok := f["attributes"].(map[string]any); ok {
		if t, ok := a["type"].(string); ok && t != "" {
			typ = t
		}
	}
	delete(f, "attributes")
	etag := ""
	for k, v := range s.Headers {
		if strings.EqualFold(k, "ETag") {
			etag = v
		}
	}
	return &remote.Record{Type: typ, Fields: f, ETag: etag}
}

func soqlEscape(s string) string { return soqlEscaper.Replace(s) }

// soqlList is values as the list of an IN condition: ('a', 'b'), each quoted and escaped.
func soqlList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "'" + soqlEscape(v) + "'"
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}

// soqlEscaper writes a value inside a SOQL string literal with the escapes SOQL defines, so that
// no quote, backslash or control character of the value reaches the query as itself.
var soqlEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`, `"`, `\"`,
	"\n", `\n`, "\r", `\r`, "\t", `\t`, "\b", `\b`, "\f", `\f`)

// keysPerQuery is how many Offline_Key__c values one lookup names (the query travels in the
// URL of a GET, beside every cached field).
const keysPerQuery = 100

// findByKeys looks up by Offline_Key__c, keysPerQuery at a time, the creates among ready whose
// earlier send has an unknown outcome (a wave whose replies were lost leaves hundreds): one
// query per hundred rather than one each, on a network where each costs a round trip.
// findByKey then answers from what they found.
func (e *Engine) findByKeys(ctx context.Context, r *run, ready []*entry) error {
	byObject := map[string][]*entry{}
	for _, en := range ready {
		if en.Op == OpCreate && en.unknown && r.keyed[en.Object] && !r.keyLooked[en.ID] {
			byObject[en.Object] = append(byObject[en.Object], en)
		}
	}
	for _, object := range slices.Sorted(maps.Keys(byObject)) {
		ents := byObject[object]
		fields := r.fields[object]
		if len(fields) == 0 {
			fields = []string{"Id"}
		}
		if !slices.Contains(fields, OfflineKeyField) {
			fields = append(slices.Clone(fields), OfflineKeyField)
		}
		for i := 0; i < len(ents); i += keysPerQuery {
			part := ents[i:min(i+keysPerQuery, len(ents))]
			keys := make([]string, len(part))
			for j, en := range part {
				keys[j] = en.ID
			}
			q := "SELECT " + strings.Join(fields, ", ") + " FROM " + object + " WHERE " + OfflineKeyField + " IN " + soqlList(keys)
			found := map[string]remote.Record{}
			res, err := e.org.Query(ctx, q, 0)
			var pg pages
			for err == nil {
				for _, rec := range res.Records {
					if k, _ := rec.Fields[OfflineKeyField].(string); k != "" {
						found[k] = rec
					}
				}
				if res.Done || res.NextRecordsURL == "" {
					break
				}
				res, err = pg.more(ctx, e.org, res)
			}
			if err != nil {
				return err // what a part of the answer found is not taken for the whole
			}
			maps.Copy(r.byKey, found)
			for _, en := range part {
				r.keyLooked[en.ID] = true
			}
		}
	}
	return nil
}

// findByKey looks a create up by its Offline_Key__c (in what findByKeys found, when it looked).
func (e *Engine) findByKey(ctx context.Context, r *run, en *entry) (remote.Record, bool, error) {
	if r.keyLooked[en.ID] {
		delete(r.keyLooked, en.ID) // a later pass looks again: the create may have gone since
		rec, ok := r.byKey[en.ID]
		delete(r.byKey, en.ID)
		return rec, ok, nil
	}
	fields := r.fields[en.Object]
	if len(fields) == 0 {
		fields = []string{"Id"}
	}
	q := "SELECT " + strings.Join(fields, ", ") + " FROM " + en.Object + " WHERE " + OfflineKeyField + " = '" + soqlEscape(en.ID) + "'"
	res, err := e.org.Query(remote.WithTag(ctx, en.ID), q, 0)
	if err != nil {
		return remote.Record{}, false, err
	}
	if len(res.Records) == 0 {
		return remote.Record{}, false, nil
	}
	return res.Records[0], true, nil
}

// authReason is why a sign-in failed, without the chain of the sync around it: the sign-in's
// own words, or err's.
func authReason(err error) string {
	if cause, ok := remote.SignInFailure(err); ok {
		return cause
	}
	return err.Error()
}

// signInError is a sync stopped because signing in (again) failed: it is ErrAuth, and says the
// sign-in's own words rather than the request it was made for.
type signInError struct {
	cause string
	err   error
}

func (e *signInError) Error() string   { return "signing in again failed: " + e.cause }
func (e *signInError) Unwrap() []error { return []error{ErrAuth, e.err} }

// learnOrgClock asks the org the cheapest thing it answers (its API versions) when a create is
// among the changes to send or look for and the org has not said its time in this process yet
// (a sign-in says nothing to the REST client): a create's send is kept on the org's clock, and a
// lost one is looked for on it. A failure other than offline or a sign-in leaves the time
// unknown: the device's clock stands in, as before.
func (e *Engine) learnOrgClock(ctx context.Context, ready []*entry) error {
	if !e.orgNow().IsZero() {
		return nil
	}
	if _, ok := e.org.(orgClock); !ok {
		return nil
	}
	if !slices.ContainsFunc(ready, func(en *entry) bool { return en.Op == OpCreate }) {
		return nil
	}
	_, err := e.org.Versions(ctx)
	if err == nil || Classify(err) == ClassOffline || Classify(err) == ClassAuth {
		return err
	}
	if _, answered := remote.AsError(err); answered {
		// The org is there but would not say (a 503): sent now, a create would be kept on the
		// device's clock, which may be set before it is looked for. The run stops, as a send
		// would on the same answer, and the next tries again. (No answer at all: the sends meet
		// the same network, and each change says so; an org that answers without a Date
		// header stops nothing.)
		return fmt.Errorf("sync: the org could not be asked its time before sending new records: %w", err)
	}
	return nil
}

// readInItsSecond reports whether a copy just read may have been read in the second its
// If-Unmodified-Since names, on the org's clock (the device's while the org has not said its
// time): another save in that second could then follow it unseen (see rereadFresh). A copy
// read after its second holds every save of it.
func (e *Engine) readInItsSecond(v remote.Version) bool {
	at := unmodifiedSince(v)
	if at.IsZero() {
		return false
	}
	return e.orgTime().Before(at.Truncate(time.Second).Add(2 * time.Second)) // a second's margin for the clocks
}

// orgTime is the time now on the org's clock as its last reply said it (never ahead of the
// org's: its Date header has whole seconds), the device's before the org has said it.
func (e *Engine) orgTime() time.Time {
	if now := e.orgNow(); !now.IsZero() {
		return now
	}
	return e.now()
}

// markFresh notes an update rebased on a copy just read (see rereadFresh).
func (e *Engine) markFresh(entryID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.freshBases == nil {
		e.freshBases = map[string]bool{}
	}
	e.freshBases[entryID] = true
}

// rereadFresh reads again the records of the updates among ready rebased on a copy just read
// (an auto-merge), once that copy's second is over on the org's clock, and stores what it
// reads: If-Unmodified-Since sees whole seconds, so another user's save in the same second (a
// second device auto-merging against the same change) would pass the resend's precondition and
// be overwritten unseen. A copy read after that second holds every such save (the judgement
// before sending takes it as another user's change), and any later save is stamped with a
// later second, which the precondition refuses.
func (e *Engine) rereadFresh(ctx context.Context, r *run, ready []*entry) error {
	var fresh []*entry
	e.mu.Lock()
	for _, en := range ready {
		if e.freshBases[en.ID] && en.Op == OpUpdate && !r.unread[en.ID] {
			fresh = append(fresh, en)
		}
	}
	e.mu.Unlock()
	if len(fresh) == 0 {
		return nil
	}
	now := e.orgTime()
	var until time.Time
	for _, en := range fresh {
		if end := unmodifiedSince(en.BaseVersion).Truncate(time.Second).Add(time.Second); end.After(until) {
			until = end
		}
	}
	if wait := until.Sub(now); wait > 0 {
		// A margin for the two clocks' reading; never more than two seconds whatever they say.
		if err := e.pause(ctx, min(wait+50*time.Millisecond, 2*time.Second)); err != nil {
			return err
		}
	}
	read := map[string][]remote.Record{}
	for _, en := range fresh {
		if r.fields[en.Object] == nil {
			continue // no describe this run: the fields a copy is made of are not known
		}
		rec, err := e.org.Retrieve(remote.WithTag(ctx, en.ID), en.Object, en.RecordID, r.fields[en.Object])
		if err != nil {
			switch c := Classify(err); {
			case c == ClassAuth || c == ClassOffline || c == ClassCanceled:
				return err
			case c == ClassTransient:
				// Not read now: this change waits for the next run (still marked), the rest of
				// the queue goes on, and the run says why it left one.
				r.unread[en.ID] = true
				r.lastNet = err
			}
			// Refused (gone, out of reach, a field the org no longer has): the send meets the
			// same answer and says so, with its precondition as before.
			continue
		}
		read[en.Object] = append(read[en.Object], rec)
	}
	for _, o := range slices.Sorted(maps.Keys(read)) {
		if _, err := e.storeServerCopies(ctx, r, o, read[o], true); err != nil {
			return err
		}
	}
	e.mu.Lock()
	for _, en := range fresh {
		if !r.unread[en.ID] {
			delete(e.freshBases, en.ID)
		}
	}
	e.mu.Unlock()
	return nil
}

// sleepCtx waits d, or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
