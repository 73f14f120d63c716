package pending

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
)

var (
	// ErrLocked: the record has an orange or red entry; only resolution may change it.
	ErrLocked = errors.New("this record has a change that needs your attention")
	// ErrNotFound: no such record, object or entry on the device.
	ErrNotFound = errors.New("not found on this device")
	// ErrNotAllowed: the operation does not apply to the entry or record in its current state.
	ErrNotAllowed = errors.New("not allowed")
	// ErrSending: the record's change is being sent right now (with ErrNotAllowed); it can be
	// changed again once the send ends.
	ErrSending = errors.New("being sent right now")
	// ErrAuth: the org refused the session; sync is paused until the user signs in again.
	ErrAuth = errors.New("the org refused the session (401); sign in again")
	// ErrTheirsMoved: a sync brought another value of a conflicting field than the one the
	// choices were made on; nothing was resolved (see TheirsMovedError).
	ErrTheirsMoved = errors.New("changed again on the org since")
)

// Network switches the device online and offline.
type Network interface {
	Online() bool
	SetOnline(bool)
}

// Options configure an Engine.
type Options struct {
	Objects   []string // default Account, Contact, Opportunity, Lead, Case, Task
	PerObject int      // prime size per object (default 2000), paged with queryMore
	Strict    bool     // any remote change is a conflict (no auto-merge)
	Now       func() time.Time
	Network   Network // nil = always online
	Seed      int64   // jitter randomness
	// VerifyTokenOwner: the session's user name was given, not told by the sign-in (a bare
	// access token): nothing is sent or refreshed until the org says the token is that user's.
	VerifyTokenOwner bool
	// MembershipEvery is how often sync-down compares each object's cached ids with the ids the
	// org lets the user see (an ids-only query), to take in records newly shared with the user
	// and drop those no longer visible. Default 2 minutes; negative means every refresh.
	MembershipEvery time.Duration
	// DescribeMaxAge is how old a cached describe may get before a sync asks the org whether the
	// object's metadata changed (If-Modified-Since: a 304 costs no body). Default 1 hour;
	// negative means at every sync.
	DescribeMaxAge time.Duration
	// MetadataChangedAt is when the org's metadata last changed, when the org says so itself
	// (the embedded org, opened with other extra fields): a describe cached before it is
	// checked at the next sync whatever its age.
	MetadataChangedAt time.Time
}

// DefaultDescribeMaxAge is Options.DescribeMaxAge when it is not set.
const DefaultDescribeMaxAge = time.Hour

// describeSkew is how far before its fetch time a cached describe asks the org for changes, so
// a device clock somewhat ahead of the org's still sees a change made just before the fetch.
const describeSkew = 5 * time.Minute

// DefaultMembershipEvery is Options.MembershipEvery when it is not set.
const DefaultMembershipEvery = 2 * time.Minute

// DefaultObjects are cached when Options.Objects is empty.
var DefaultObjects = []string{"Account", "Contact", "Opportunity", "Lead", "Case", "Task"}

// ActivityLimit is how many requests and notes the activity log keeps (the oldest go first).
const ActivityLimit = activityLimit

const (
	activityLimit = 5000
	eventBuffer   = 4096
)

// Engine is the device's queue and sync engine over one cache database and one org.
type Engine struct {
	db   *cache.DB
	org  remote.Org
	opts Options
	now  func() time.Time
	// pause waits out the rest of a second before a record is read again (rereadFresh).
	pause func(ctx context.Context, d time.Duration) error
	// freshBases are the updates rebased in this process on a copy just read (an auto-merge):
	// their record is read again once that copy's second is over, before they are sent (e.mu).
	freshBases map[string]bool

	events chan Event
	evMu   sync.Mutex
	// holding keeps emitted events in held while a sync transaction runs (evMu guards both).
	holding bool
	held    []Event

	runMu sync.Mutex // one sync run at a time

	mu         sync.Mutex
	online     bool // when opts.Network is nil
	authPaused bool
	lastSync   time.Time
	rng        *rand.Rand
	backoff    Backoff
	actBuf     []Activity
	// txOpen routes the activity logged while a sync transaction runs to txActs: its notes tell
	// what that transaction did, so only it writes them (or drops them when it rolls back); a
	// user's action at that moment writes what came before, never them.
	txOpen    bool
	txActs    []Activity
	tagRecord map[string]string // entry id → record id, for requests in flight
	tagSent   map[string]string // entry id → what its request sends (the log row's note)
	// sends counts the Composite requests in flight. A push waits for its own; Close waits for
	// any a push that died part-way (a panic) left behind, so none reaches the org after it.
	sends sync.WaitGroup
	// waveTx is the time the push has spent inside its own transactions (marking a wave, then
	// recording its replies): the device's serial share of a push, which benchmarks report.
	waveTx time.Duration
	// lastStop is the note of the last sync that stopped, until one completes (noted once).
	lastStop string
	// recheckMembers asks the next sync-down to compare every object's cached ids with the
	// org's, whatever MembershipEvery says (set when the device comes back online, and when
	// it starts).
	recheckMembers bool
	// recheckAccess asks the next comparison of ids to ask again what the user may do with
	// every shared record (set when the device comes back online).
	recheckAccess bool
	usersSeen     map[string]bool // user ids records pointed at this run (names fetched at its end)
	meID          string          // the device user's id when the sign-in did not say it (see myID)
	closed        bool

	trigger chan struct{}
	stop    chan struct{}
	loopWG  sync.WaitGroup
	// cancelLoop ends the background loop's context: Close stops a sync under way (what was in
	// flight settles as unknown at the next sync) rather than waiting for it to finish.
	cancelLoop context.CancelFunc
	onlineMu   sync.Mutex // SetOnline's read, switch and event happen as one

	// batching knobs (tests and benchmarks compare against one change per request)
	perRequest int // changes per composite (default 24: updates share one Collections retrieve)
	parallel   int // composites in flight at once
	waveChunks int // composites per wave (one transaction before, one after)
	crashAt    func(step string) bool
}

// Open binds an engine to an open device database and an org. It recovers entries a crash left
// "syncing": their outcome is unknown and the next sync settles them without duplicating.
func Open(db *cache.DB, org remote.Org, opts Options) (*Engine, error) {
	if db == nil {
		return nil, errors.New("pending: no device database")
	}
	if org == nil {
		return nil, errors.New("pending: no org")
	}
	if len(opts.Objects) == 0 {
		opts.Objects = append([]string(nil), DefaultObjects...)
	}
	if opts.PerObject <= 0 {
		opts.PerObject = 2000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MembershipEvery == 0 {
		opts.MembershipEvery = DefaultMembershipEvery
	}
	if opts.DescribeMaxAge == 0 {
		opts.DescribeMaxAge = DefaultDescribeMaxAge
	}
	e := &Engine{
		db: db, org: org, opts: opts, now: opts.Now, pause: sleepCtx,
		events:     make(chan Event, eventBuffer),
		online:     true,
		rng:        rand.New(rand.NewPCG(uint64(opts.Seed), 0x656e67696e65)),
		backoff:    DefaultBackoff,
		tagRecord:  map[string]string{},
		tagSent:    map[string]string{},
		trigger:    make(chan struct{}, 1),
		stop:       make(chan struct{}),
		perRequest: 24,
		parallel:   4,
		waveChunks: 8,
		// A device that starts online has come online as far as the org can tell: its first
		// sync compares the cached ids with the org's, so records deleted or unshared while it
		// was closed leave now (a headless sync right after a delete sees it), not minutes later.
		recheckMembers: true,
	}
	ctx := context.Background()
	if err := e.recoverSyncing(ctx); err != nil {
		return nil, err
	}
	e.lastSync = ReadLastSync(ctx, db)
	// The user's id as an earlier sync learnt it (myID), for when the sign-in does not say it.
	me, err := db.DeviceFact(ctx, myIDFact(e.Identity().Username))
	if err != nil {
		return nil, err
	}
	e.meID = me
	return e, nil
}

// recoverSyncing turns entries left syncing (by a crash, or a run that stopped half-way) back
// into pending entries whose last outcome is unknown, and takes retries from now when the
// device's clock was set back since their send.
func (e *Engine) recoverSyncing(ctx context.Context) error {
	var n int64
	now := cache.MS(e.now())
	err := e.db.Update(ctx, func(tx *cache.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE entries SET status = ?, unknown = 1, rev = rev + 1 WHERE status = ?`, string(StatusPending), string(StatusSyncing))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		// A device clock set back (now before a change's last send) would hold its retry for as
		// long as the clock went back: the retry waits from now what it was given to wait.
		_, err = tx.ExecContext(ctx, `UPDATE entries SET next_attempt = ? + MAX(0, next_attempt - sent_at)
			WHERE next_attempt > 0 AND sent_at > ?`, now, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("pending: recover interrupted entries: %w", err)
	}
	if n > 0 {
		e.emit(Event{Kind: EventEntryChanged}) // no longer being sent: listeners read again
	}
	return nil
}

// Close stops the background loop and flushes the activity log. The database stays open (its
// owner closes it).
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	close(e.stop)
	cancel := e.cancelLoop
	e.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	e.loopWG.Wait()
	e.runMu.Lock()
	defer e.runMu.Unlock()
	e.sends.Wait()
	return e.flushActivity(context.Background())
}

// Identity is who the engine syncs as.
func (e *Engine) Identity() remote.Identity { return e.currentOrg().Identity() }

// currentOrg is the org client, for calls made outside a sync run (SetOrg may replace it).
func (e *Engine) currentOrg() remote.Org {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.org
}

// Objects are the cached object names.
func (e *Engine) Objects() []string { return append([]string(nil), e.opts.Objects...) }

// PerObject is how many records of each object the device keeps (the most recently changed).
func (e *Engine) PerObject() int { return e.opts.PerObject }

// LastSync is the end of the last completed sync run: one that pushed what it could and
// refreshed the cache (changes left for a retry do not count against it). A run stopped by
// going offline, a network failure before the refresh, or a 401 does not move it.
func (e *Engine) LastSync() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lastSync
}

// Online reports whether the device is online.
func (e *Engine) Online() bool {
	if e.opts.Network != nil {
		return e.opts.Network.Online()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.online
}

// SetOnline switches the device online or offline. Going online triggers a sync when the
// background loop runs.
func (e *Engine) SetOnline(on bool) {
	e.onlineMu.Lock()
	defer e.onlineMu.Unlock()
	was := e.Online()
	if e.opts.Network != nil {
		e.opts.Network.SetOnline(on)
	} else {
		e.mu.Lock()
		e.online = on
		e.mu.Unlock()
	}
	if was != on {
		e.emit(Event{Kind: EventOnlineChanged, Online: on})
	}
	if on {
		e.mu.Lock()
		e.authPaused = false
		if !was {
			// Back online: the next sync also compares the cached ids with the org's, so records
			// deleted or unshared meanwhile leave the cache now, not at the next periodic check.
			e.recheckMembers, e.recheckAccess = true, true
		}
		org := e.org
		e.mu.Unlock()
		if f, ok := org.(interface{ ForgetRefreshFailure() }); ok && !was {
			f.ForgetRefreshFailure() // a sign-in that timed out before may work now
		}
		e.kick()
	}
}

// Events delivers state changes. The channel is buffered; when a reader falls behind, the oldest
// events are dropped so the engine never blocks.
func (e *Engine) Events() <-chan Event { return e.events }

func (e *Engine) emit(ev Event) {
	e.evMu.Lock()
	defer e.evMu.Unlock()
	if e.holding {
		e.held = append(e.held, ev)
		return
	}
	e.send(ev)
}

// emitAll emits each event in turn.
func (e *Engine) emitAll(evs []Event) {
	for _, ev := range evs {
		e.emit(ev)
	}
}

// holdEvents keeps the events emitted from now on until releaseEvents: those of a transaction
// are heard only once it commits.
func (e *Engine) holdEvents() {
	e.evMu.Lock()
	e.holding = true
	e.evMu.Unlock()
}

// releaseEvents sends the held events when the transaction committed; when it did not, what
// they told did not happen, and one event without details tells listeners to read again.
func (e *Engine) releaseEvents(committed bool) {
	e.evMu.Lock()
	defer e.evMu.Unlock()
	held := e.held
	e.held, e.holding = nil, false
	if !committed {
		// The changes to entries did not happen: one event without details tells listeners to
		// read again. Other news held meanwhile (online, sign-in) did happen.
		kept := []Event{{Kind: EventEntryChanged}}
		for _, ev := range held {
			if ev.Kind != EventEntryChanged && ev.Kind != EventEntryRemoved {
				kept = append(kept, ev)
			}
		}
		held = kept
	}
	for _, ev := range held {
		e.send(ev)
	}
}

// send puts ev on the channel, dropping the oldest event when it is full (evMu held).
func (e *Engine) send(ev Event) {
	for {
		select {
		case e.events <- ev:
			return
		default:
		}
		select {
		case <-e.events:
		default:
		}
	}
}

// Observe records one request in the activity log; wire remote.Config.Observe to it. Tokens
// never reach it (RequestInfo holds none).
func (e *Engine) Observe(ri remote.RequestInfo) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := Activity{At: e.now(), Method: ri.Method, Path: ri.Path, Status: ri.Status, Code: ri.Code, Duration: ri.Duration}
	if ri.Err != nil && a.Code == "" && ri.Status == 0 {
		a.Note = truncate(ri.Err.Error(), 200)
	}
	if method, path, ok := strings.Cut(ri.Via, " "); ok {
		a.Note = strings.TrimPrefix(a.Note+"; sent inside "+method+" "+strings.TrimPrefix(path, remote.APIPrefix(path))+" (too long for a URL)", "; ")
	}
	if ri.Tag == "" {
		e.logRow(a)
	}
	// A composite carries several entries: one row per entry, so each record's history shows it.
	for _, id := range strings.Split(ri.Tag, ",") {
		if id == "" {
			continue
		}
		row := a
		row.EntryID, row.RecordID = id, e.tagRecord[id]
		if sent := e.tagSent[id]; sent != "" && ri.Method != "GET" { // a GET reads the record back
			row.Note = strings.TrimPrefix(row.Note+"; "+sent, "; ")
		}
		e.logRow(row)
	}
}

// logRow buffers one row of activity (e.mu held): in the open sync transaction's buffer while
// there is one, otherwise in the buffer the next write takes.
func (e *Engine) logRow(a Activity) {
	a.Note = truncate(a.Note, maxNote)
	if e.txOpen {
		e.txActs = append(e.txActs, a)
		return
	}
	e.actBuf = append(e.actBuf, a)
	if len(e.actBuf) > activityLimit {
		e.actBuf = e.actBuf[len(e.actBuf)-activityLimit:]
	}
}

// maxNote bounds a note of the activity log, in bytes (an org's message quoted whole could
// make a line of a megabyte).
const maxNote = 500

// truncate shortens s to at most n bytes, at a character boundary, ending it with ….
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// note records a decision of the engine in the activity log.
func (e *Engine) note(entryID, recordID, text string) { e.noteCode(entryID, recordID, "", text) }

// noteCode is note with the error code the decision rests on, for the log's CODE column (the
// request that brought it may have succeeded as a whole: a Composite answers 200).
func (e *Engine) noteCode(entryID, recordID, code, text string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.logRow(Activity{At: e.now(), EntryID: entryID, RecordID: recordID, Code: code, Note: text})
}

// putBackActivity returns activity that could not be written to the front of the buffer.
func (e *Engine) putBackActivity(acts []Activity) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.actBuf = append(acts, e.actBuf...)
	if len(e.actBuf) > activityLimit {
		e.actBuf = e.actBuf[len(e.actBuf)-activityLimit:]
	}
}

// openTxActivity is called as a sync transaction begins: what is logged from then on is the
// transaction's own (takeTxActivity, closeTxActivity).
func (e *Engine) openTxActivity() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.txOpen = true
}

// takeTxActivity returns what was logged since the transaction began or since the last take.
func (e *Engine) takeTxActivity() []Activity {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.txActs
	e.txActs = nil
	return out
}

// closeTxActivity ends the transaction's routing, returning what it logged and was not taken.
func (e *Engine) closeTxActivity() []Activity {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.txActs
	e.txOpen, e.txActs = false, nil
	return out
}

// appendActivity adds rows to the end of the buffer (newer than those it holds).
func (e *Engine) appendActivity(acts []Activity) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range acts {
		e.logRow(a)
	}
}

func (e *Engine) takeActivity() []Activity {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.actBuf
	e.actBuf = nil
	return out
}

// writeActivity stores buffered activity inside tx and keeps the log bounded.
func (e *Engine) writeActivity(ctx context.Context, tx *cache.Tx, acts []Activity) error {
	if len(acts) == 0 {
		return nil
	}
	st, err := tx.Prepared(ctx, `INSERT INTO activity(at, method, path, status, code, duration, entry_id, record_id, note) VALUES(?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	for _, a := range acts {
		if _, err := st.ExecContext(ctx, cache.MS(a.At), a.Method, a.Path, a.Status, a.Code, int64(a.Duration), a.EntryID, a.RecordID, truncate(a.Note, maxNote)); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM activity WHERE id <= (SELECT MAX(id) FROM activity) - ?`, activityLimit)
	return err
}

func (e *Engine) flushActivity(ctx context.Context) error {
	acts := e.takeActivity()
	if len(acts) == 0 {
		return nil
	}
	return e.db.Update(ctx, func(tx *cache.Tx) error { return e.writeActivity(ctx, tx, acts) })
}

// kick asks the background loop for a sync run (coalesced).
func (e *Engine) kick() {
	select {
	case e.trigger <- struct{}{}:
	default:
	}
}

// SyncSoon asks the background loop (Start) for a run now rather than at its next timer: the
// network came back, say (a phone's app hears so from the system). A no-op while offline.
func (e *Engine) SyncSoon() {
	if e.Online() {
		e.kick()
	}
}

// Start runs the background loop until ctx ends or Close: it syncs when the device goes online,
// when a change is queued while online, on Retry, and when a backoff timer expires. One run at
// a time.
func (e *Engine) Start(ctx context.Context) {
	e.mu.Lock()
	if e.closed || e.cancelLoop != nil {
		e.mu.Unlock()
		return
	}
	ctx, e.cancelLoop = context.WithCancel(ctx)
	e.loopWG.Add(1) // under the lock: a Close from now on waits for this loop
	e.mu.Unlock()
	go func() {
		defer e.loopWG.Done()
		timer := time.NewTimer(time.Hour)
		defer timer.Stop()
		failed := 0 // runs in a row that failed on the network (or the device's storage)
		rng := rand.New(rand.NewPCG(uint64(e.opts.Seed), 0x6c6f6f70))
		e.kick()
		for {
			select {
			case <-ctx.Done():
				return
			case <-e.stop:
				return
			case <-e.trigger:
			case <-timer.C:
			}
			select {
			case <-e.stop: // a trigger and Close at once: Close wins
				return
			default:
			}
			wait := time.Hour
			if e.Online() && !e.paused() {
				if _, err := e.Sync(ctx); err != nil && !errors.Is(err, ErrAuth) && ctx.Err() == nil {
					failed++
				} else {
					failed = 0
				}
			}
			if failed > 0 {
				// The org could not be reached: try again soon, then less and less often,
				// whatever the changes' own timers say (each run sends again every change
				// whose last send got no reply).
				wait = loopBackoff(failed, rng)
			} else if next, ok := e.nextAttempt(ctx); ok {
				wait = min(wait, max(next.Sub(e.now()), 10*time.Millisecond))
			}
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
			timer.Reset(wait)
		}
	}()
}

// loopRetry is the longest the background loop waits before it tries again after runs failed
// on the network.
const loopRetry = 30 * time.Second

// loopBackoff is the background loop's wait after failed runs in a row: half a second to one
// after the first, doubling up to 15–30 seconds (equal jitter: never a wait of nothing).
func loopBackoff(failed int, rng *rand.Rand) time.Duration {
	d := loopRetry
	if failed < 8 {
		d = min(loopRetry, time.Second<<(failed-1))
	}
	return d/2 + time.Duration(rng.Int64N(int64(d/2)+1))
}

// SetOrg replaces the org client (after the user signed in again) and lifts an auth pause.
func (e *Engine) SetOrg(org remote.Org) {
	if org == nil {
		return
	}
	e.runMu.Lock()
	// The new user's id as the device kept it, read before e.mu is taken: a transaction under
	// way (an edit) may wait on e.mu while it holds the database's one connection.
	kept, keptErr := e.db.DeviceFact(context.Background(), myIDFact(org.Identity().Username))
	e.mu.Lock()
	if !strings.EqualFold(e.org.Identity().Username, org.Identity().Username) {
		e.meID = "" // another user's id; theirs is kept under their own name (learnMyID)
		if keptErr == nil {
			e.meID = kept
		}
	}
	e.org = org
	e.authPaused = false
	e.mu.Unlock()
	e.runMu.Unlock()
	if e.Online() {
		e.kick()
	}
}

// AuthPaused reports whether a 401 paused sync until the user signs in again.
func (e *Engine) AuthPaused() bool { return e.paused() }

func (e *Engine) paused() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.authPaused
}

// nextAttempt is the earliest backoff timer among pending entries.
func (e *Engine) nextAttempt(ctx context.Context) (time.Time, bool) {
	var ms int64
	now := cache.MS(e.now())
	// Taken from now for a change whose last send the clock says is still to come (set back),
	// as the next run takes it (recoverSyncing).
	err := e.db.SQL().QueryRowContext(ctx, `SELECT COALESCE(MIN(CASE WHEN sent_at > ? THEN ? + MAX(0, next_attempt - sent_at) ELSE next_attempt END), 0)
		FROM entries WHERE status = ? AND next_attempt > 0`, now, now, string(StatusPending)).Scan(&ms)
	if err != nil || ms == 0 {
		return time.Time{}, false
	}
	return cache.FromMS(ms), true
}

// changed is called after a local change committed: it tells the UI and, when online, syncs.
func (e *Engine) changed(ev Event) {
	e.emit(ev)
	if e.Online() {
		e.kick()
	}
}

// crash is a test hook: a simulated kill at a step boundary.
type crashSignal struct{ step string }

func (e *Engine) step(name string) {
	if e.crashAt != nil && e.crashAt(name) {
		panic(crashSignal{name})
	}
}

// orgClock is an org that can tell its clock (the REST client, from its replies' Date header).
type orgClock interface {
	OrgNow() (time.Time, bool)
}

// orgNow is the org's clock now, as its replies tell it (zero before the org has said): it
// does not depend on the device's clock, which may be wrong, or set, meanwhile.
func (e *Engine) orgNow() time.Time {
	oc, ok := e.org.(orgClock)
	if !ok {
		return time.Time{}
	}
	now, _ := oc.OrgNow()
	return now
}

// onOrgClock is t, a time on the device's clock, on the org's as it runs now (t itself before
// the org has said its time).
func (e *Engine) onOrgClock(t time.Time) time.Time {
	now := e.orgNow()
	if now.IsZero() || t.IsZero() {
		return t
	}
	return t.Add(now.Sub(e.now()).Truncate(time.Second))
}
