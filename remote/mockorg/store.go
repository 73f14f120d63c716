package mockorg

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// rec is one record (or user) as the org holds it. Records are never changed in place: a
// write makes a copy, so readers holding an old pointer see a consistent record.
type rec struct {
	ID        string
	Object    *objectDef
	F         map[string]any // canonical field name → string, float64, bool or nil (datetimes in wire format)
	Owner     string
	Deleted   bool
	DeletedAt time.Time
	Modified  time.Time // LastModifiedDate
	Version   int64     // bumped on every write; the ETag derives from it
}

func (r *rec) clone() *rec {
	c := *r
	c.F = maps.Clone(r.F)
	if c.F == nil {
		c.F = map[string]any{}
	}
	return &c
}

func (r *rec) str(field string) string {
	s, _ := r.F[field].(string)
	return s
}

const schemaSQL = `
CREATE TABLE IF NOT EXISTS records (
	id TEXT PRIMARY KEY,
	object TEXT NOT NULL,
	owner TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	modstamp INTEGER NOT NULL,
	deleted INTEGER NOT NULL DEFAULT 0,
	deleted_at INTEGER NOT NULL DEFAULT 0,
	version INTEGER NOT NULL DEFAULT 1,
	offline_key TEXT,
	data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_owner ON records(object, owner);
CREATE INDEX IF NOT EXISTS records_modstamp ON records(object, modstamp);
CREATE INDEX IF NOT EXISTS records_name ON records(object, name);
CREATE INDEX IF NOT EXISTS records_key ON records(object, offline_key);
CREATE TABLE IF NOT EXISTS shares (
	record_id TEXT NOT NULL,
	user_id TEXT NOT NULL,
	access TEXT NOT NULL,
	PRIMARY KEY (record_id, user_id)
);
CREATE TABLE IF NOT EXISTS rules (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, kind TEXT NOT NULL, user_id TEXT NOT NULL, issued INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`

func openDB(path string) (*sql.DB, error) {
	dsn := ":memory:"
	if path != "" {
		// The org keeps its users' bearer tokens: its file (and the -wal and -shm files SQLite
		// makes with the same mode) is the owner's alone, as the device's is.
		if err := ownerOnly(path); err != nil {
			return nil, fmt.Errorf("mockorg: open database %s: %w", path, err)
		}
		// Escaped: a path holding '?', '#' or '%' names the file it says, not a URI's parts.
		dsn = "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("mockorg: open database: %w", err)
	}
	// One connection: an in-memory database is private to its connection, and every write
	// happens under the org's lock anyway.
	db.SetMaxOpenConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if _, err := db.Exec(schemaSQL); err != nil {
		db.Close()
		return nil, fmt.Errorf("mockorg: create schema in %q: %w", path, err)
	}
	return db, nil
}

// ownerOnly creates the org's database file readable and writable by its owner only, or makes
// an existing one so (a file written by an earlier release may be readable by all).
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Mode().IsRegular() && st.Mode().Perm()&0o077 != 0 {
		return f.Chmod(0o600)
	}
	return nil
}

// load reads a stored org; it reports false when the database holds none yet.
func (o *Org) load() (bool, error) {
	var seeded string
	err := o.db.QueryRow(`SELECT value FROM meta WHERE key='seeded'`).Scan(&seeded)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mockorg: read database: %w", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.resetMemory()
	o.seedUsers()
	rows, err := o.db.Query(`SELECT id, object, owner, deleted, deleted_at, version, data FROM records ORDER BY id`)
	if err != nil {
		return false, fmt.Errorf("mockorg: read records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, object, owner, data string
		var deleted int
		var deletedAt, version int64
		if err := rows.Scan(&id, &object, &owner, &deleted, &deletedAt, &version, &data); err != nil {
			return false, fmt.Errorf("mockorg: read records: %w", err)
		}
		def := o.schema.object(object)
		if def == nil {
			return false, fmt.Errorf("mockorg: stored record %s has unknown object %q", id, object)
		}
		r := &rec{ID: id, Object: def, Owner: owner, Deleted: deleted != 0, Version: version}
		if err := json.Unmarshal([]byte(data), &r.F); err != nil {
			return false, fmt.Errorf("mockorg: stored record %s: %w", id, err)
		}
		for _, f := range def.Fields {
			if _, present := r.F[f.Name]; !present {
				r.F[f.Name] = nil
			}
		}
		if deletedAt != 0 {
			r.DeletedAt = time.UnixMilli(deletedAt).UTC()
		}
		r.Modified, _ = parseWireTime(r.str("LastModifiedDate"))
		o.index(r)
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	srows, err := o.db.Query(`SELECT record_id, user_id, access FROM shares`)
	if err != nil {
		return false, err
	}
	defer srows.Close()
	for srows.Next() {
		var rid, uid, access string
		if err := srows.Scan(&rid, &uid, &access); err != nil {
			return false, err
		}
		o.setShareMem(rid, uid, access)
	}
	rrows, err := o.db.Query(`SELECT data FROM rules ORDER BY seq`)
	if err != nil {
		return false, err
	}
	defer rrows.Close()
	for rrows.Next() {
		var data string
		if err := rrows.Scan(&data); err != nil {
			return false, err
		}
		var r Rule
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return false, fmt.Errorf("mockorg: stored rule: %w", err)
		}
		o.rules = append(o.rules, r)
	}
	meta := map[string]string{}
	mrows, err := o.db.Query(`SELECT key, value FROM meta`)
	if err != nil {
		return false, err
	}
	defer mrows.Close()
	for mrows.Next() {
		var k, v string
		if err := mrows.Scan(&k, &v); err != nil {
			return false, err
		}
		meta[k] = v
	}
	o.seq, _ = strconv.ParseInt(meta["seq"], 10, 64)
	o.caseSeq, _ = strconv.ParseInt(meta["caseSeq"], 10, 64)
	o.ruleSeq, _ = strconv.Atoi(meta["ruleSeq"])
	if id := meta["orgId"]; id != "" {
		o.orgID = id
	} else {
		o.orgID = ID("00D", 1) // a file from before orgs had their own ids
	}
	if p := Profile(meta["profile"]); p == ProfileDemo || p == ProfileReal {
		o.profile = p
	}
	o.extraLoaded = meta["extraFields"]
	if ms, err := strconv.ParseInt(meta["metaModified"], 10, 64); err == nil && ms > 0 {
		o.metaModified = time.UnixMilli(ms).UTC()
	}
	// Access tokens last a day at most, as a Salesforce session does: older ones are dropped
	// rather than kept forever (every sign-in adds one).
	if _, err := o.db.Exec(`DELETE FROM tokens WHERE kind = 'access' AND issued < ?`, o.now().Add(-accessTokenKept).UnixMilli()); err != nil {
		return false, err
	}
	trows, err := o.db.Query(`SELECT token, kind, user_id, issued FROM tokens`)
	if err != nil {
		return false, err
	}
	defer trows.Close()
	for trows.Next() {
		var tok, kind, uid string
		var issued int64
		if err := trows.Scan(&tok, &kind, &uid, &issued); err != nil {
			return false, err
		}
		if kind == "refresh" {
			o.refresh[tok] = uid
		} else {
			o.tokens[tok] = session{UserID: uid, Issued: time.UnixMilli(issued).UTC()}
		}
	}
	return true, trows.Err()
}

func (o *Org) resetMemory() {
	o.recs = map[string]*rec{}
	o.ids = map[string][]string{}
	o.keys = map[string]string{}
	o.shares = map[string]map[string]string{}
	o.rules = nil
	o.savedSeq, o.savedCaseSeq = -1, -1 // the stored counters are not known to match
}

// index puts a record into the in-memory maps (a new record or a new version of one).
func (o *Org) index(r *rec) {
	old, existed := o.recs[r.ID]
	if !existed {
		o.ids[r.Object.Name] = append(o.ids[r.Object.Name], r.ID)
	} else if k := old.str("Offline_Key__c"); k != "" {
		delete(o.keys, r.Object.Name+"\x00"+strings.ToLower(k))
	}
	if k := r.str("Offline_Key__c"); k != "" {
		o.keys[r.Object.Name+"\x00"+strings.ToLower(k)] = r.ID
	}
	o.recs[r.ID] = r
}

func (o *Org) setShareMem(recordID, userID, access string) {
	if access == "none" || access == "" {
		delete(o.shares[recordID], userID)
		return
	}
	m := o.shares[recordID]
	if m == nil {
		m = map[string]string{}
		o.shares[recordID] = m
	}
	m[userID] = access
}

const upsertRecordSQL = `INSERT OR REPLACE INTO records (id, object, owner, name, modstamp, deleted, deleted_at, version, offline_key, data) VALUES (?,?,?,?,?,?,?,?,?,?)`

// recordData is the stored JSON of a record's fields; null fields are left out.
func recordData(r *rec) []byte { return appendRecordData(make([]byte, 0, 1024), r) }

// appendRecordData appends recordData(r) to b: the object's fields in schema order, then any
// other key the record holds.
func appendRecordData(b []byte, r *rec) []byte {
	b = append(b, '{')
	first := true
	put := func(k string, v any) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, k)
		b = append(b, ':')
		b = appendValue(b, v)
	}
	found := 0
	for _, f := range r.Object.Fields {
		v, ok := r.F[f.Name]
		if !ok {
			continue
		}
		found++
		if v != nil {
			put(f.Name, v)
		}
	}
	if found < len(r.F) {
		for k, v := range r.F {
			if r.Object.exact[k] == nil && v != nil {
				put(k, v)
			}
		}
	}
	return append(b, '}')
}

const updateRecordDataSQL = `UPDATE records SET modstamp = ?, deleted = ?, deleted_at = ?, version = ?, data = ? WHERE id = ?`

// recordName and recordKey are the stored name and offline_key columns of a record.
func recordName(r *rec) string {
	if nf := r.Object.nameField(); nf != nil {
		return r.str(nf.Name)
	}
	return ""
}

func recordKey(r *rec) string { return strings.ToLower(r.str("Offline_Key__c")) }

// sameIndexedColumns says whether the stored columns other than the data and its stamps are
// the same for two versions of a record.
func sameIndexedColumns(old, r *rec) bool {
	return old.Object == r.Object && old.Owner == r.Owner && recordName(old) == recordName(r) && recordKey(old) == recordKey(r)
}

// updateRecordData rewrites a stored record's data and stamps; n is 0 when the row is missing.
// buf is scratch space for the encoded data, returned for reuse.
func updateRecordData(stmt *sql.Stmt, r *rec, buf []byte) (n int64, _ []byte, _ error) {
	stamp, _ := parseWireTime(r.str("SystemModstamp"))
	var deletedAt int64
	if !r.DeletedAt.IsZero() {
		deletedAt = r.DeletedAt.UnixMilli()
	}
	del := 0
	if r.Deleted {
		del = 1
	}
	buf = appendRecordData(buf[:0], r)
	res, err := stmt.Exec(stamp.UnixMilli(), del, deletedAt, r.Version, string(buf), r.ID)
	if err != nil {
		return 0, buf, err
	}
	n, err = res.RowsAffected()
	return n, buf, err
}

func writeRecord(stmt *sql.Stmt, r *rec) error {
	data := recordData(r)
	stamp, _ := parseWireTime(r.str("SystemModstamp"))
	var deletedAt int64
	if !r.DeletedAt.IsZero() {
		deletedAt = r.DeletedAt.UnixMilli()
	}
	var key any
	if k := r.str("Offline_Key__c"); k != "" {
		key = strings.ToLower(k)
	}
	name := ""
	if nf := r.Object.nameField(); nf != nil {
		name = r.str(nf.Name)
	}
	del := 0
	if r.Deleted {
		del = 1
	}
	_, err := stmt.Exec(r.ID, r.Object.Name, r.Owner, name, stamp.UnixMilli(), del, deletedAt, r.Version, key, string(data))
	return err
}

const putMetaSQL = `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`

// stmts are the statements every write uses, prepared once on the org's database.
type stmts struct {
	upsert, update, meta *sql.Stmt
}

func prepareStmts(db *sql.DB) (*stmts, error) {
	s := &stmts{}
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{{&s.upsert, upsertRecordSQL}, {&s.update, updateRecordDataSQL}, {&s.meta, putMetaSQL}} {
		st, err := db.Prepare(p.query)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("mockorg: prepare: %w", err)
		}
		*p.dst = st
	}
	return s, nil
}

func (s *stmts) close() {
	for _, st := range []*sql.Stmt{s.upsert, s.update, s.meta} {
		if st != nil {
			st.Close()
		}
	}
}

// persist writes changed records and counters in one transaction. Called with o.mu held.
func (o *Org) persist(recs []*rec) error {
	if o.db == nil {
		return nil
	}
	tx, err := o.db.Begin()
	if err != nil {
		return fmt.Errorf("mockorg: begin: %w", err)
	}
	defer tx.Rollback()
	// The statements are prepared on the database's only connection, which the transaction
	// holds, so tx.Stmt reuses them.
	var ins, upd *sql.Stmt
	buf := make([]byte, 0, 2048)
	for _, r := range recs {
		if old := o.recs[r.ID]; old != nil && sameIndexedColumns(old, r) {
			// Only the data and its stamps changed: an UPDATE leaves the row's other index
			// entries alone (INSERT OR REPLACE deletes and rewrites them all).
			if upd == nil {
				upd = tx.Stmt(o.stmts.update)
				defer upd.Close()
			}
			var n int64
			n, buf, err = updateRecordData(upd, r, buf)
			if err != nil {
				return fmt.Errorf("mockorg: write %s: %w", r.ID, err)
			}
			if n == 1 {
				continue
			}
		}
		if ins == nil {
			ins = tx.Stmt(o.stmts.upsert)
			defer ins.Close()
		}
		if err := writeRecord(ins, r); err != nil {
			return fmt.Errorf("mockorg: write %s: %w", r.ID, err)
		}
	}
	// The counters are written when they moved since this org last wrote them.
	seqChanged := o.seq != o.savedSeq || o.caseSeq != o.savedCaseSeq
	if seqChanged {
		meta := tx.Stmt(o.stmts.meta)
		defer meta.Close()
		for _, kv := range [][2]string{{"caseSeq", strconv.FormatInt(o.caseSeq, 10)}, {"seq", strconv.FormatInt(o.seq, 10)}} {
			if _, err := meta.Exec(kv[0], kv[1]); err != nil {
				return fmt.Errorf("mockorg: write meta: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if seqChanged {
		o.savedSeq, o.savedCaseSeq = o.seq, o.caseSeq
	}
	return nil
}

type execer interface {
	Exec(query string, args ...any) (sql.Result, error)
}

func putMetaTx(x execer, kv map[string]string) error {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, err := x.Exec(putMetaSQL, k, kv[k]); err != nil {
			return fmt.Errorf("mockorg: write meta: %w", err)
		}
	}
	return nil
}

func (o *Org) putMeta(k, v string) error {
	if o.db == nil {
		return nil
	}
	return putMetaTx(o.db, map[string]string{k: v})
}

func (o *Org) persistShare(recordID, userID, access string) error {
	if o.db == nil {
		return nil
	}
	if access == "none" {
		_, err := o.db.Exec(`DELETE FROM shares WHERE record_id=? AND user_id=?`, recordID, userID)
		return err
	}
	_, err := o.db.Exec(`INSERT OR REPLACE INTO shares (record_id, user_id, access) VALUES (?,?,?)`, recordID, userID, access)
	return err
}

func (o *Org) persistToken(tok, kind, userID string, issued time.Time) {
	if o.db == nil {
		return
	}
	_, _ = o.db.Exec(`INSERT OR REPLACE INTO tokens (token, kind, user_id, issued) VALUES (?,?,?,?)`, tok, kind, userID, issued.UnixMilli())
}

// parseStoredWireTime reads the form formatWireTime writes (2006-01-02T15:04:05.000+0000)
// without time.Parse; false for anything else, including a date time.Parse would refuse.
func parseStoredWireTime(s string) (time.Time, bool) {
	if len(s) != 28 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23:] != "+0000" {
		return time.Time{}, false
	}
	num := func(from, to int) int {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, sec, milli := num(11, 13), num(14, 16), num(17, 19), num(20, 23)
	if year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 || milli < 0 {
		return time.Time{}, false
	}
	// Day 0 of the next month is the last day of this one.
	if day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, milli*int(time.Millisecond), time.UTC), true
}

// Wire time format of datetimes in JSON.
const wireTime = "2006-01-02T15:04:05.000-0700"

func formatWireTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000+0000") }

// parseWireTime accepts the API's datetime forms: .000+0000, +00:00, Z, with or without millis.
func parseWireTime(s string) (time.Time, error) {
	if t, ok := parseStoredWireTime(s); ok {
		return t, nil
	}
	for _, layout := range []string{wireTime, "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05.999999999-0700", "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid datetime %q", s)
}
