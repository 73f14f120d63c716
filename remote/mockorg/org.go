// Package mockorg is the embedded Salesforce-compatible org: users, records of the standard
// objects, sharing, validation rules, a recycle bin, SOQL, and the REST, OAuth and admin
// (/mockorg/v1) surface a real Salesforce client can talk to unchanged. State lives in its own
// SQLite database, in memory or in a file.
package mockorg

import (
	crand "crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Profile selects how strictly the org imitates a real one.
type Profile string

const (
	// ProfileDemo has Offline_Key__c on every object and answers a failed precondition with a JSON body.
	ProfileDemo Profile = "demo"
	// ProfileReal removes Offline_Key__c, answers 412 with an empty body and keeps a short delete log.
	ProfileReal Profile = "real"
)

// Options configure an org.
type Options struct {
	Seed    int64            // deterministic seed data
	Size    int              // approximate number of seeded records (default 300; up to 100,000)
	DBPath  string           // "" = in memory; else a SQLite file that survives restarts
	Now     func() time.Time // clock (default time.Now)
	Profile Profile          // ProfileDemo (default) or ProfileReal

	// DailyLimit is the number of API calls per day before REQUEST_LIMIT_EXCEEDED (default 15000).
	DailyLimit int
	// DeleteLogRetention is how long getDeleted remembers deletes. Default 15 days in the demo
	// profile and 2 hours in the real profile.
	DeleteLogRetention time.Duration
	// SessionTTL expires access tokens this long after they were issued (0 = never).
	SessionTTL time.Duration
	// ExtraFields adds this many custom text fields to an object (Regional_Compliance_Detail_001__c
	// and on), as the objects of a big org have hundreds: a query naming them all is longer
	// than a GET's URL may be.
	ExtraFields map[string]int
}

// User is one user of the org.
type User struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Title    string `json:"title,omitempty"`
	Admin    bool   `json:"admin"`
}

// Password is the password of every demo user.
const Password = "demo"

// DefaultSize is the number of records seeded when Options.Size is 0.
const DefaultSize = 300

// MaxSize is the largest Options.Size accepted.
const MaxSize = 200000

var demoUsers = []User{
	{Username: "alex@demo.example", Name: "Alex Rivera", Title: "Account Executive"},
	{Username: "sam@demo.example", Name: "Sam Chen", Title: "Sales Manager"},
	{Username: "admin@demo.example", Name: "Ada Admin", Title: "System Administrator", Admin: true},
}

// Org is a running mock org. It is safe for concurrent use.
type Org struct {
	opts   Options
	db     *sql.DB  // nil for an org that lives in memory only (no DBPath)
	lock   *os.File // the lock file held while db is open (see lockDB)
	orgID  string
	users  []User
	schema *schema

	mu      sync.RWMutex // guards the data below
	recs    map[string]*rec
	ids     map[string][]string // object name → ids in creation order
	keys    map[string]string   // object + "\x00" + Offline_Key__c → id
	shares  map[string]map[string]string
	rules   []Rule
	ruleSeq int
	seq     int64
	caseSeq int64
	// savedSeq and savedCaseSeq are seq and caseSeq as persist last stored them (-1: unknown).
	savedSeq, savedCaseSeq int64

	stmts *stmts // prepared once on db

	cfgMu       sync.Mutex // guards the settings and auth state below
	profile     Profile
	instanceURL string
	instanceSet bool
	// metaModified is when the org's metadata (what a describe answers) last changed: before
	// any of its records (metadataAge before it was opened), or when its profile last switched.
	// Describes honour If-Modified-Since against it.
	metaModified time.Time
	// extraLoaded is the extra fields (extraFieldsKey) the org's file was last opened with.
	extraLoaded string
	retention   time.Duration
	limit       int
	usageDay    string
	usage       int
	tokens      map[string]session
	refresh     map[string]string // refresh token → user id
	codes       map[string]authCode
	devices     map[string]*deviceCode
	cursors     *cursorStore

	rowMu    sync.Mutex          // guards rowLocks
	rowLocks map[string]*RowLock // record id → its row lock (see rowlock.go)
}

type session struct {
	UserID string
	Issued time.Time
}

// Open creates or reopens an org. With a DBPath whose database already holds an org, the
// stored state is loaded and nothing is reseeded.
// newOrgID is the id of an org made now: each org has its own, as on Salesforce, so that a
// device can tell another org on the same URL (a served org started afresh) from the one its
// data came from. An org kept in a file keeps its id; Reset keeps it too.
func newOrgID() string {
	var b [8]byte
	_, _ = crand.Read(b[:])
	return ID("00D", int64(binary.BigEndian.Uint64(b[:])%(1<<48))+2)
}

func Open(opts Options) (*Org, error) {
	if opts.Size < 0 || opts.Size > MaxSize {
		return nil, fmt.Errorf("mockorg: size %d out of range 0..%d", opts.Size, MaxSize)
	}
	if opts.Size == 0 {
		opts.Size = DefaultSize
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	switch opts.Profile {
	case "":
		opts.Profile = ProfileDemo
	case ProfileDemo, ProfileReal:
	default:
		return nil, fmt.Errorf("mockorg: unknown profile %q (want %q or %q)", opts.Profile, ProfileDemo, ProfileReal)
	}
	if opts.DailyLimit <= 0 {
		opts.DailyLimit = 15000
	}
	sch := theSchema
	if len(opts.ExtraFields) > 0 {
		for _, object := range slices.Sorted(maps.Keys(opts.ExtraFields)) {
			if err := CheckExtraFields(object, opts.ExtraFields[object]); err != nil {
				return nil, fmt.Errorf("mockorg: %w", err)
			}
		}
		sch = buildSchema(opts.ExtraFields)
	}
	o := &Org{
		opts:        opts,
		orgID:       newOrgID(),
		schema:      sch,
		profile:     opts.Profile,
		instanceURL: "http://mockorg.localhost",
		retention:   opts.DeleteLogRetention,
		limit:       opts.DailyLimit,
		tokens:      map[string]session{},
		refresh:     map[string]string{},
		codes:       map[string]authCode{},
		devices:     map[string]*deviceCode{},
		cursors:     newCursorStore(),
	}
	for i, u := range demoUsers {
		u.ID = ID("005", int64(i+1))
		o.users = append(o.users, u)
	}
	if opts.DBPath == "" {
		// An org without a file lives in memory only: nothing would ever read a copy of it back,
		// so no database is kept beside it.
		if err := o.seed(); err != nil {
			return nil, err
		}
		o.metaModified = o.now().Add(-metadataAge)
		return o, nil
	}
	lock, err := lockDB(opts.DBPath)
	if err != nil {
		return nil, err
	}
	db, err := openDB(opts.DBPath)
	if err != nil {
		unlockDB(lock)
		return nil, err
	}
	o.db, o.lock = db, lock
	opened := false
	defer func() {
		if !opened {
			unlockDB(lock) // every failure below closes db
		}
	}()
	if o.stmts, err = prepareStmts(db); err != nil {
		db.Close()
		return nil, err
	}
	loaded, err := o.load()
	if err != nil {
		db.Close()
		return nil, err
	}
	if !loaded {
		if err := o.seed(); err != nil {
			db.Close()
			return nil, err
		}
	}
	if o.metaModified.IsZero() { // not switched since it was made
		o.metaModified = o.now().Add(-metadataAge)
	}
	if key := extraFieldsKey(opts.ExtraFields); key != o.extraLoaded {
		// Opened with other extra fields than last time: its describes changed now, and a
		// device that asks whether they did since it last read them is told so.
		meta := map[string]string{"extraFields": key}
		if loaded {
			o.metaModified = o.now()
			meta["metaModified"] = strconv.FormatInt(o.metaModified.UnixMilli(), 10)
		}
		if err := putMetaTx(o.db, meta); err != nil {
			db.Close()
			return nil, err
		}
		o.extraLoaded = key
	}
	opened = true
	return o, nil
}

// extraFieldsKey writes Options.ExtraFields as the org's file keeps it ("Account=450,Case=20").
func extraFieldsKey(extra map[string]int) string {
	var parts []string
	for _, object := range slices.Sorted(maps.Keys(extra)) {
		if n := extra[object]; n > 0 {
			parts = append(parts, object+"="+strconv.Itoa(n))
		}
	}
	return strings.Join(parts, ",")
}

// metadataAge is how long before it was opened an org's metadata last changed, unless its
// profile switched since: before the oldest seeded record.
const metadataAge = 400 * 24 * time.Hour

// Close releases the database, if the org has one.
func (o *Org) Close() error {
	if o.db == nil {
		return nil
	}
	o.stmts.close()
	err := o.db.Close()
	unlockDB(o.lock)
	o.lock = nil
	return err
}

// ErrInUse is returned by Open when another process has the org's database open.
var ErrInUse = errors.New("mockorg: the org's database is open in another process")

// Users lists the org's users.
func (o *Org) Users() []User { return append([]User(nil), o.users...) }

func (o *Org) userByName(username string) (User, bool) {
	for _, u := range o.users {
		if strings.EqualFold(u.Username, username) {
			return u, true
		}
	}
	return User{}, false
}

func (o *Org) userByID(id string) (User, bool) {
	for _, u := range o.users {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

// InstanceURL is the instance_url the token endpoint returns when SetInstanceURL was called,
// or when a request carries no Host.
func (o *Org) InstanceURL() string {
	o.cfgMu.Lock()
	defer o.cfgMu.Unlock()
	return o.instanceURL
}

// SetInstanceURL fixes the instance_url returned by the token endpoint (e.g. the address
// `serve` listens on). Without it the URL is derived from each request's Host.
func (o *Org) SetInstanceURL(u string) {
	o.cfgMu.Lock()
	defer o.cfgMu.Unlock()
	o.instanceURL = strings.TrimRight(u, "/")
	o.instanceSet = true
}

// Profile is the current profile.
func (o *Org) Profile() Profile {
	o.cfgMu.Lock()
	defer o.cfgMu.Unlock()
	return o.profile
}

// MetadataModified is when the org's metadata (what its describes answer) last changed.
func (o *Org) MetadataModified() time.Time {
	o.cfgMu.Lock()
	defer o.cfgMu.Unlock()
	return o.metaModified
}

// SetProfile switches between the demo and the real-org profile; an unknown value is ignored.
func (o *Org) SetProfile(p Profile) {
	if p != ProfileDemo && p != ProfileReal {
		return
	}
	o.cfgMu.Lock()
	switched := o.profile != p
	if switched {
		o.metaModified = o.now()
	}
	o.profile = p
	at := o.metaModified
	o.cfgMu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	_ = o.putMeta("profile", string(p))
	if switched {
		_ = o.putMeta("metaModified", strconv.FormatInt(at.UnixMilli(), 10))
	}
}

// SetDailyLimit changes the number of API calls allowed per day.
func (o *Org) SetDailyLimit(n int) {
	o.cfgMu.Lock()
	defer o.cfgMu.Unlock()
	if n > 0 {
		o.limit = n
	}
}

// SetDeleteLogRetention changes how long getDeleted remembers deletes (0 = the profile default).
func (o *Org) SetDeleteLogRetention(d time.Duration) {
	o.cfgMu.Lock()
	defer o.cfgMu.Unlock()
	o.retention = d
}

func (o *Org) deleteRetention() time.Duration {
	o.cfgMu.Lock()
	defer o.cfgMu.Unlock()
	if o.retention > 0 {
		return o.retention
	}
	if o.profile == ProfileReal {
		return 2 * time.Hour
	}
	return 15 * 24 * time.Hour
}

// now is the org clock, at millisecond resolution like the API.
func (o *Org) now() time.Time { return o.opts.Now().UTC().Truncate(time.Millisecond) }

// Handler serves the REST API (/services/data), OAuth (/services/oauth2), the identity URL
// (/id) and the admin API (/mockorg/v1).
func (o *Org) Handler() http.Handler { return o.routes() }

var errNoUser = errors.New("no such user")
