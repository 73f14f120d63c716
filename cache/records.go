package cache

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// Record is one cached record: what the user sees (View) and the server copy it came from.
type Record struct {
	Object  string
	ID      string
	Name    string         // display name of View
	View    remote.Fields  // the server copy with the pending change laid over it
	Server  remote.Fields  // the last server copy; nil for a record created offline
	Version remote.Version // of Server
}

// Row is a listed record with the status and op of its pending entry ("" when none).
type Row struct {
	Record
	Status string
	Op     string
}

// MS converts a time to Unix milliseconds (0 for the zero time).
func MS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// FromMS converts Unix milliseconds back (the zero time for 0).
func FromMS(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// EncodeFields marshals fields as JSON ("{}" for nil), byte for byte as json.Marshal does.
func EncodeFields(f remote.Fields) string {
	if f == nil {
		return "{}"
	}
	if b, ok := appendFields(make([]byte, 0, 64*len(f)+2), f); ok {
		return string(b)
	}
	b, err := json.Marshal(f)
	if err != nil {
		// Fields come from JSON or from callers who were told to use JSON types; anything
		// else is stored as its string form rather than lost.
		safe := remote.Fields{}
		for k, v := range f {
			if _, err := json.Marshal(v); err != nil {
				safe[k] = fmt.Sprint(v)
			} else {
				safe[k] = v
			}
		}
		b, _ = json.Marshal(safe)
	}
	return string(b)
}

// appendFields encodes the usual record (keys sorted; string, number, boolean and null values)
// without reflection, giving what json.Marshal gives; ok is false for anything else, which is
// left to json.Marshal.
func appendFields(b []byte, f remote.Fields) ([]byte, bool) {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		switch v := f[k].(type) {
		case nil:
			b = append(b, "null"...)
		case bool:
			b = strconv.AppendBool(b, v)
		case string:
			b = appendString(b, v)
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return b, false
			}
			// As encoding/json: exponent form outside [1e-6, 1e21), with a one-digit
			// negative exponent written without its leading zero.
			format := byte('f')
			if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
				format = 'e'
			}
			b = strconv.AppendFloat(b, v, format, -1, 64)
			if format == 'e' {
				if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
					b[n-2] = b[n-1]
					b = b[:n-1]
				}
			}
		default:
			return b, false
		}
	}
	return append(b, '}'), true
}

// appendString quotes s as json.Marshal does: directly when it needs no escaping at all
// (printable ASCII without ", \, <, > or &), through json.Marshal otherwise.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f, c == '"', c == '\\', c == '<', c == '>', c == '&':
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// DecodeFields unmarshals JSON fields ("" or "null" give nil).
func DecodeFields(s string) (remote.Fields, error) {
	if s == "" || s == "null" {
		return nil, nil
	}
	f, err := remote.ParseFieldsString(s)
	if err != nil {
		return nil, fmt.Errorf("cache: corrupt fields: %w", err)
	}
	return f, nil
}

const recordCols = `id, object, name, view, server, lmd, sysmod, etag`

type scanner interface{ Scan(dest ...any) error }

func scanRecord(s scanner, extra ...any) (Record, error) {
	var r Record
	var view string
	var server sql.NullString
	var lmd, sysmod int64
	dest := append([]any{&r.ID, &r.Object, &r.Name, &view, &server, &lmd, &sysmod, &r.Version.ETag}, extra...)
	if err := s.Scan(dest...); err != nil {
		return r, err
	}
	var err error
	if r.View, err = DecodeFields(view); err != nil {
		return r, err
	}
	if server.Valid {
		if r.Server, err = DecodeFields(server.String); err != nil {
			return r, err
		}
	}
	r.Version.LastModifiedDate = FromMS(lmd)
	r.Version.SystemModstamp = FromMS(sysmod)
	return r, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func getRecord(ctx context.Context, q querier, id string) (Record, error) {
	r, err := scanRecord(q.QueryRowContext(ctx, `SELECT `+recordCols+` FROM records WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("record %s: %w", id, ErrNotFound)
	}
	return r, err
}

// Record reads one cached record.
func (db *DB) Record(ctx context.Context, id string) (Record, error) {
	return getRecord(ctx, db.sql, id)
}

// Record reads one cached record inside the transaction.
func (tx *Tx) Record(ctx context.Context, id string) (Record, error) { return getRecord(ctx, tx, id) }

const putRecordSQL = `INSERT INTO records(` + recordCols + `, search, has_local) VALUES(?,?,?,?,?,?,?,?,?,?)
	ON CONFLICT(id) DO UPDATE SET object=excluded.object, name=excluded.name, view=excluded.view,
	server=excluded.server, lmd=excluded.lmd, sysmod=excluded.sysmod, etag=excluded.etag, search=excluded.search,
	has_local=excluded.has_local`

// LocalIDPrefix starts every id of a record created offline; no Salesforce id looks like it.
const LocalIDPrefix = "local-"

// HasLocalID reports whether encoded JSON may name a record created offline (it holds a string
// that starts like a local id): the rows ReplaceID must look at.
func HasLocalID(encoded ...string) int {
	for _, s := range encoded {
		if strings.Contains(s, `"`+LocalIDPrefix) {
			return 1
		}
	}
	return 0
}

// hasLocal is HasLocalID of a record's view and server copy (nil or a string), not counting
// the record's own id: a record created offline names itself, and ReplaceID rewrites its own
// row by id, so it need not be among the rows every other replacement reads (with thousands of
// creates queued, each replacement would read them all).
func hasLocal(id, view string, server any) int {
	s, _ := server.(string)
	if !strings.HasPrefix(id, LocalIDPrefix) {
		return HasLocalID(view, s)
	}
	own, any := `"`+id+`"`, `"`+LocalIDPrefix
	for _, text := range []string{view, s} {
		if strings.Count(text, any) > strings.Count(text, own) {
			return 1
		}
	}
	return 0
}

// encodeViewServer encodes a record's view and server copy (nil when it has none), once when
// both are the same map (a record without a pending change may share it).
func encodeViewServer(r Record) (string, any) {
	view := EncodeFields(r.View)
	if r.Server == nil {
		return view, nil
	}
	if r.View != nil && len(r.View) == len(r.Server) && reflect.ValueOf(r.View).UnsafePointer() == reflect.ValueOf(r.Server).UnsafePointer() {
		return view, view
	}
	return view, EncodeFields(r.Server)
}

// PutRecord inserts or replaces a cached record. View and Server may be the same map.
func (tx *Tx) PutRecord(ctx context.Context, r Record) error {
	view, server := encodeViewServer(r)
	return tx.putEncoded(ctx, r, view, server, tx.searchText(ctx, r))
}

// Encoded is a record encoded for storage ahead of the transaction that stores it, so that the
// encoding can run beside other work rather than while the database is held.
type Encoded struct {
	Record Record
	view   string
	server any
	search string
}

// Encode encodes r for PutEncoded. It may be called from any goroutine, outside a transaction.
func (db *DB) Encode(ctx context.Context, r Record) Encoded {
	view, server := encodeViewServer(r)
	d, _ := db.memoDescribe(ctx, db.sql, r.Object)
	return Encoded{Record: r, view: view, server: server, search: searchOf(d, r.Name, r.View)}
}

// PutEncoded stores a record encoded by Encode, as PutRecord would have stored it.
func (tx *Tx) PutEncoded(ctx context.Context, e Encoded) error {
	return tx.putEncoded(ctx, e.Record, e.view, e.server, e.search)
}

// updateDataSQL rewrites a record's copies where its indexed columns stay as they are: the
// index entries are left alone (an upsert setting them would rewrite them).
const updateDataSQL = `UPDATE records SET view = ?, server = ?, lmd = ?, sysmod = ?, etag = ?, has_local = ?
	WHERE id = ? AND object = ? AND name = ? AND search IS ?`

func (tx *Tx) putEncoded(ctx context.Context, r Record, view string, server any, search string) error {
	up, err := tx.Prepared(ctx, updateDataSQL)
	if err != nil {
		return fmt.Errorf("cache: prepare: %w", err)
	}
	local := hasLocal(r.ID, view, server)
	res, err := up.ExecContext(ctx, view, server, MS(r.Version.LastModifiedDate), MS(r.Version.SystemModstamp), r.Version.ETag, local,
		r.ID, r.Object, r.Name, search)
	if err != nil {
		return fmt.Errorf("cache: store record %s: %w", r.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		return nil
	}
	st, err := tx.Prepared(ctx, putRecordSQL)
	if err != nil {
		return fmt.Errorf("cache: prepare: %w", err)
	}
	_, err = st.ExecContext(ctx,
		r.ID, r.Object, r.Name, view, server,
		MS(r.Version.LastModifiedDate), MS(r.Version.SystemModstamp), r.Version.ETag, search, local)
	if err != nil {
		return fmt.Errorf("cache: store record %s: %w", r.ID, err)
	}
	return nil
}

// PutRecords stores many records with one prepared statement (sync-down pages).
func (tx *Tx) PutRecords(ctx context.Context, rs []Record) error {
	if len(rs) == 0 {
		return nil
	}
	st, err := tx.Prepared(ctx, putRecordSQL)
	if err != nil {
		return fmt.Errorf("cache: prepare: %w", err)
	}
	for _, r := range rs {
		view, server := encodeViewServer(r)
		if _, err := st.ExecContext(ctx, r.ID, r.Object, r.Name, view, server,
			MS(r.Version.LastModifiedDate), MS(r.Version.SystemModstamp), r.Version.ETag, tx.searchText(ctx, r), hasLocal(r.ID, view, server)); err != nil {
			return fmt.Errorf("cache: store record %s: %w", r.ID, err)
		}
	}
	return nil
}

// DeleteRecord removes a cached record (no error when it is absent), and any name kept for it:
// a record deleted is no longer named.
func (tx *Tx) DeleteRecord(ctx context.Context, id string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM records WHERE id = ?`, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM access WHERE id = ?`, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM names WHERE id = ?`, id)
	return err
}

// namesKept bounds the names table: the oldest go first (a variable for the tests).
var namesKept = 20000

// DropRecordKeepingName removes a cached record the org still has but the device no longer
// keeps, and keeps its display name for the records that point at it (see Names). It reports
// whether there was such a record.
func (tx *Tx) DropRecordKeepingName(ctx context.Context, id string, at time.Time) (bool, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO names(id, name, kept_at)
		SELECT id, name, ? FROM records WHERE id = ? AND name != ''
		ON CONFLICT(id) DO UPDATE SET name = excluded.name, kept_at = excluded.kept_at`, MS(at), id); err != nil {
		return false, fmt.Errorf("cache: keep the name of %s: %w", id, err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM records WHERE id = ?`, id)
	if err != nil {
		return false, fmt.Errorf("cache: drop record %s: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM access WHERE id = ?`, id); err != nil {
		return false, fmt.Errorf("cache: drop record %s: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// TrimNames keeps the most recently kept names, namesKept of them.
func (tx *Tx) TrimNames(ctx context.Context) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM names WHERE id IN (
		SELECT id FROM names ORDER BY kept_at DESC, id LIMIT -1 OFFSET ?)`, namesKept)
	return err
}

// RecordIDs lists the ids of an object's cached records that have a server copy.
func (tx *Tx) RecordIDs(ctx context.Context, object string) ([]string, error) {
	return queryIDs(ctx, tx, `SELECT id FROM records WHERE object = ? AND server IS NOT NULL`, object)
}

// RecordIDsNotOwnedBy lists the ids of an object's cached server copies whose OwnerId is not
// the given user (records shared with the user, or of an object without owners).
func (tx *Tx) RecordIDsNotOwnedBy(ctx context.Context, object, userID string) ([]string, error) {
	return queryIDs(ctx, tx, `SELECT id FROM records WHERE object = ? AND server IS NOT NULL
		AND coalesce(json_extract(server, '$.OwnerId'), '') != ?`, object, userID)
}

// ListQuery asks for a page of an object's records by display name.
type ListQuery struct {
	Object string
	Filter string            // case-insensitive substring of the name or a short text field (see SearchFields)
	Where  map[string]string // exact matches on fields of the merged view
	Offset int
	Limit  int // default 50, at most 1000
	// Keyset paging: rows strictly after (AfterName, AfterID) in name order. Used when AfterID != "".
	AfterName string
	AfterID   string
}

// Position is where the record id stands among the rows of object matching filter, in the
// name order List gives them (0 is the first); ok is false when no such row matches.
func (db *DB) Position(ctx context.Context, object, filter, id string) (pos int, ok bool, err error) {
	where := "r.object = ?"
	args := []any{object}
	if f := strings.TrimSpace(filter); f != "" {
		where += ` AND instr(r.search, ?) > 0`
		args = append(args, strings.ToLower(f))
	}
	var name string
	err = db.sql.QueryRowContext(ctx, `SELECT r.name FROM records r WHERE `+where+` AND r.id = ?`, append(args, id)...).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("cache: position: %w", err)
	}
	err = db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM records r WHERE `+where+
		` AND (r.name COLLATE NOCASE < ? OR (r.name COLLATE NOCASE = ? AND r.id < ?))`, append(args, name, name, id)...).Scan(&pos)
	if err != nil {
		return 0, false, fmt.Errorf("cache: position: %w", err)
	}
	return pos, true, nil
}

// List returns one page of rows in name order and the number of rows matching the query.
func (db *DB) List(ctx context.Context, q ListQuery) ([]Row, int, error) {
	if q.Object == "" {
		return nil, 0, errors.New("cache: list needs an object")
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	if q.Limit > 1000 {
		q.Limit = 1000
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	where := []string{"r.object = ?"}
	args := []any{q.Object}
	if f := strings.TrimSpace(q.Filter); f != "" {
		where = append(where, `instr(r.search, ?) > 0`)
		args = append(args, strings.ToLower(f))
	}
	for k, v := range q.Where {
		if !validFieldName(k) {
			return nil, 0, fmt.Errorf("cache: bad field name %q", k)
		}
		where = append(where, `json_extract(r.view, '$.`+k+`') = ?`)
		args = append(args, v)
	}
	cond := strings.Join(where, " AND ")
	// Matching on field values reads every row's JSON (a related list: the children that point
	// at a record, among thousands): one pass counts the rows and takes the page. Without it the
	// index counts alone, and a window over a whole object would hold every row it reads.
	counted := len(q.Where) > 0 && q.AfterID == "" // keyset paging narrows the page, not the count
	total := -1
	if !counted {
		if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM records r WHERE `+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("cache: count: %w", err)
		}
	}
	count := ""
	if counted {
		count = ", COUNT(*) OVER ()"
	}
	page := cond
	pargs := append([]any(nil), args...)
	if q.AfterID != "" {
		page += ` AND (r.name COLLATE NOCASE > ? OR (r.name COLLATE NOCASE = ? AND r.id > ?))`
		pargs = append(pargs, q.AfterName, q.AfterName, q.AfterID)
		q.Offset = 0
	}
	pargs = append(pargs, q.Limit, q.Offset)
	rows, err := db.sql.QueryContext(ctx, `SELECT r.id, r.object, r.name, r.view, r.server, r.lmd, r.sysmod, r.etag,
		COALESCE(e.status, ''), COALESCE(e.op, '')`+count+`
		FROM records r LEFT JOIN entries e ON e.record_id = r.id
		WHERE `+page+` ORDER BY r.name COLLATE NOCASE, r.id LIMIT ? OFFSET ?`, pargs...)
	if err != nil {
		return nil, 0, fmt.Errorf("cache: list: %w", err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var row Row
		extra := []any{&row.Status, &row.Op}
		if counted {
			extra = append(extra, &total)
		}
		rec, err := scanRecord(rows, extra...)
		if err != nil {
			return nil, 0, err
		}
		row.Record = rec
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if total < 0 {
		// A page past the last row: the window had nothing to count over.
		if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM records r WHERE `+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("cache: count: %w", err)
		}
	}
	return out, total, nil
}

func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

func validFieldName(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Names returns the display names of the given ids that are cached: records by their display
// name, users by their name, and records dropped from the cache by the name they had (KeepName).
func (db *DB) Names(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if _, done := out[id]; done || id == "" {
			continue
		}
		name, err := nameOf(ctx, db.sql, id)
		if err != nil {
			return nil, err
		}
		if name != "" {
			out[id] = name
		}
	}
	return out, nil
}

// UserIDsNamed lists the ids of the users the device knows by name (any case), at most limit.
func (db *DB) UserIDsNamed(ctx context.Context, name string, limit int) ([]string, error) {
	return queryIDs(ctx, db.sql, `SELECT id FROM users WHERE name = ? COLLATE NOCASE ORDER BY id LIMIT ?`, strings.TrimSpace(name), limit)
}

// Name is the display name the device knows for an id, as Names finds it, "" when none.
func (tx *Tx) Name(ctx context.Context, id string) (string, error) { return nameOf(ctx, tx, id) }

// nameOf is the name of a cached record, else of a user, else the one kept for a record
// dropped from the cache; "" when none is known.
func nameOf(ctx context.Context, q querier, id string) (string, error) {
	var name string
	err := q.QueryRowContext(ctx, `SELECT name FROM (
		SELECT 1 AS k, name FROM records WHERE id = ?1 UNION ALL
		SELECT 2, name FROM users WHERE id = ?1 UNION ALL
		SELECT 3, name FROM names WHERE id = ?1) WHERE name <> '' ORDER BY k LIMIT 1`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return name, err
}

// IDsNamed returns the ids of the records the device knows by this name (ASCII letters in any
// case, as a person types it), those it caches first, then those whose names it keeps; at
// most limit.
func (db *DB) IDsNamed(ctx context.Context, name string, limit int) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id FROM (
		SELECT 1 AS k, id FROM records WHERE name = ?1 COLLATE NOCASE UNION ALL
		SELECT 2, id FROM names WHERE name = ?1 COLLATE NOCASE AND id NOT IN (SELECT id FROM records)) ORDER BY k, id LIMIT ?2`, name, limit)
	if err != nil {
		return nil, fmt.Errorf("cache: find records named %q: %w", name, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// UnknownUsers returns the ids among the given ones whose user name is not cached, each once,
// in the order given.
func (db *DB) UnknownUsers(ctx context.Context, ids []string) ([]string, error) {
	return db.StaleUsers(ctx, ids, time.Time{})
}

// StaleUsers returns the ids among the given ones whose user name is not cached or was fetched
// before the given moment (a user renamed on the org since), each once, in the order given.
func (db *DB) StaleUsers(ctx context.Context, ids []string, before time.Time) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		var n int
		if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = ? AND fetched_at >= ?`, id, MS(before)).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			out = append(out, id)
		}
	}
	return out, nil
}

// PutUserNames stores user names by id.
func (tx *Tx) PutUserNames(ctx context.Context, names map[string]string, at time.Time) error {
	for id, name := range names {
		if id == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO users(id, name, fetched_at) VALUES(?,?,?)
			ON CONFLICT(id) DO UPDATE SET name=excluded.name, fetched_at=excluded.fetched_at`, id, name, MS(at)); err != nil {
			return fmt.Errorf("cache: store user %s: %w", id, err)
		}
	}
	return nil
}

// PutDescribe stores an object's describe.
func (tx *Tx) PutDescribe(ctx context.Context, d *remote.Describe, at time.Time) error {
	if d == nil || d.Name == "" {
		return errors.New("cache: empty describe")
	}
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO describes(object, body, fetched_at) VALUES(?,?,?)
		ON CONFLICT(object) DO UPDATE SET body=excluded.body, fetched_at=excluded.fetched_at`, d.Name, string(b), MS(at))
	if tx.db != nil {
		tx.db.forgetDescribe(d.Name)
	}
	return err
}

// DescribeFetchedAt is when the object's cached describe was last fetched or confirmed unchanged
// by the org (zero when it was marked stale); ErrNotFound when none is cached.
func (db *DB) DescribeFetchedAt(ctx context.Context, object string) (time.Time, error) {
	var at int64
	err := db.sql.QueryRowContext(ctx, `SELECT fetched_at FROM describes WHERE object = ?`, object).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("describe of %s: %w", object, ErrNotFound)
	}
	if err != nil {
		return time.Time{}, err
	}
	if at == 0 {
		return time.Time{}, nil
	}
	return time.UnixMilli(at).UTC(), nil
}

// TouchDescribe records that the org confirmed the object's cached describe at at (a zero at
// marks it stale: the next check fetches it whatever the org says about its age).
func (tx *Tx) TouchDescribe(ctx context.Context, object string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE describes SET fetched_at = ? WHERE object = ?`, MS(at), object)
	return err
}

func (db *DB) forgetDescribe(object string) {
	db.describeMu.Lock()
	delete(db.describes, object)
	db.describeMu.Unlock()
}

// memoDescribe returns the decoded describe, reading it once per object. Callers must not
// modify the result.
func (db *DB) memoDescribe(ctx context.Context, q querier, object string) (*remote.Describe, error) {
	db.describeMu.Lock()
	d, ok := db.describes[object]
	db.describeMu.Unlock()
	if ok {
		return d, nil
	}
	d, err := getDescribe(ctx, q, object)
	if err != nil {
		return nil, err
	}
	db.describeMu.Lock()
	if db.describes == nil {
		db.describes = map[string]*remote.Describe{}
	}
	db.describes[object] = d
	db.describeMu.Unlock()
	return d, nil
}

func getDescribe(ctx context.Context, q querier, object string) (*remote.Describe, error) {
	var body string
	err := q.QueryRowContext(ctx, `SELECT body FROM describes WHERE object = ?`, object).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("describe of %s: %w", object, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	var d remote.Describe
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return nil, fmt.Errorf("cache: corrupt describe of %s: %w", object, err)
	}
	return &d, nil
}

// Describe reads an object's cached describe.
func (db *DB) Describe(ctx context.Context, object string) (*remote.Describe, error) {
	return db.memoDescribe(ctx, db.sql, object)
}

// DescribedObjects lists the objects whose describe the device has, by name.
func (db *DB) DescribedObjects(ctx context.Context) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT object FROM describes ORDER BY object`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Describe reads an object's cached describe inside the transaction.
func (tx *Tx) Describe(ctx context.Context, object string) (*remote.Describe, error) {
	if tx.db == nil {
		return getDescribe(ctx, tx, object)
	}
	return tx.db.memoDescribe(ctx, tx, object)
}

// SyncState is the sync-down progress of one object.
type SyncState struct {
	Object    string
	Primed    bool
	UpdatedWM time.Time // getUpdated start for the next refresh
	DeletedWM time.Time // getDeleted start for the next refresh
	MembersAt time.Time // when the cached ids were last compared with the org's
}

// SyncState reads an object's sync-down state (zero when never synced).
func (db *DB) SyncState(ctx context.Context, object string) (SyncState, error) {
	s := SyncState{Object: object}
	var primed int
	var u, d, m int64
	err := db.sql.QueryRowContext(ctx, `SELECT primed, updated_wm, deleted_wm, members_at FROM sync_state WHERE object = ?`, object).Scan(&primed, &u, &d, &m)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	s.Primed, s.UpdatedWM, s.DeletedWM, s.MembersAt = primed != 0, FromMS(u), FromMS(d), FromMS(m)
	return s, nil
}

// PutSyncState stores an object's sync-down state.
func (tx *Tx) PutSyncState(ctx context.Context, s SyncState) error {
	primed := 0
	if s.Primed {
		primed = 1
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sync_state(object, primed, updated_wm, deleted_wm, members_at) VALUES(?,?,?,?,?)
		ON CONFLICT(object) DO UPDATE SET primed=excluded.primed, updated_wm=excluded.updated_wm, deleted_wm=excluded.deleted_wm,
		members_at=excluded.members_at`,
		s.Object, primed, MS(s.UpdatedWM), MS(s.DeletedWM), MS(s.MembersAt))
	return err
}

// ReplaceID replaces a local id by the server id everywhere, inside the transaction: the
// record's own id, every cached record's fields (lookups), every queue entry's record id,
// changes and WaitingOn, and records the mapping. Local ids are random and long, so a textual
// replacement of the quoted id cannot touch anything else.
func (tx *Tx) ReplaceID(ctx context.Context, object, localID, serverID string, at time.Time) error {
	if localID == "" || serverID == "" {
		return errors.New("cache: replace id needs both ids")
	}
	ql, qs := `"`+localID+`"`, `"`+serverID+`"`
	like := "%" + escapeLike(ql) + "%"
	stmts := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO idmap(local_id, server_id, object, mapped_at) VALUES(?,?,?,?)
			ON CONFLICT(local_id) DO UPDATE SET server_id=excluded.server_id`, []any{localID, serverID, object, MS(at)}},
		{`DELETE FROM records WHERE id = ? AND EXISTS (SELECT 1 FROM records WHERE id = ?)`, []any{serverID, localID}},
		{`UPDATE records SET id = ? WHERE id = ?`, []any{serverID, localID}},
		// The record's own row names itself without being marked (see hasLocal).
		{`UPDATE records SET view = replace(view, ?, ?), server = replace(server, ?, ?) WHERE id = ?`, []any{ql, qs, ql, qs, serverID}},
		// Only rows marked has_local can hold a local id (it stays set until the row is written
		// again, which computes it anew).
		{`UPDATE records SET view = replace(view, ?, ?) WHERE has_local = 1 AND view LIKE ? ESCAPE '\'`, []any{ql, qs, like}},
		{`UPDATE records SET server = replace(server, ?, ?) WHERE has_local = 1 AND server LIKE ? ESCAPE '\'`, []any{ql, qs, like}},
		{`UPDATE entries SET record_id = ?, rev = rev + 1 WHERE record_id = ?`, []any{serverID, localID}},
		{`UPDATE entries SET changes = replace(changes, ?, ?), rev = rev + 1 WHERE has_local = 1 AND changes LIKE ? ESCAPE '\'`, []any{ql, qs, like}},
		{`UPDATE entries SET base_record = replace(base_record, ?, ?), base = replace(base, ?, ?), rev = rev + 1 WHERE has_local = 1 AND (base_record LIKE ? ESCAPE '\' OR base LIKE ? ESCAPE '\')`, []any{ql, qs, ql, qs, like, like}},
		{`UPDATE entries SET waiting_on = '', rev = rev + 1, status = CASE WHEN status = 'waiting' THEN 'pending' ELSE status END WHERE waiting_on = ? AND waiting_on != ''`, []any{localID}},
	}
	for _, s := range stmts {
		st, err := tx.Prepared(ctx, s.q) // the same statements for every create of a push
		if err != nil {
			return fmt.Errorf("cache: replace %s by %s: %w", localID, serverID, err)
		}
		if _, err := st.ExecContext(ctx, s.args...); err != nil {
			return fmt.Errorf("cache: replace %s by %s: %w", localID, serverID, err)
		}
	}
	return nil
}

// ServerID returns the server id a local id was mapped to, or "".
func (tx *Tx) ServerID(ctx context.Context, localID string) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT server_id FROM idmap WHERE local_id = ?`, localID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// IsMapped reports whether a server id is the target of some local id (it was created here).
func (tx *Tx) IsMapped(ctx context.Context, serverID string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM idmap WHERE server_id = ?`, serverID).Scan(&n)
	return n > 0, err
}

// UsersCached reports whether any user name is cached.
func (db *DB) UsersCached(ctx context.Context) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1)`).Scan(&n)
	return n > 0, err
}

// QueuedUserIDs lists the user ids (005…, 15 or 18 characters) queued changes hold as values.
func (db *DB) QueuedUserIDs(ctx context.Context) ([]string, error) {
	ids, err := queryIDs(ctx, db.sql, `SELECT DISTINCT j.value FROM entries, json_each(entries.changes) AS j
		WHERE entries.changes LIKE '%"005%' AND j.type = 'text' AND j.value LIKE '005%' AND length(j.value) IN (15, 18)
		ORDER BY j.value`)
	if err != nil {
		return nil, fmt.Errorf("cache: read the users queued changes name: %w", err)
	}
	return ids, nil
}

// AnyRecords reports whether any record is cached.
func (db *DB) AnyRecords(ctx context.Context) (bool, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM records LIMIT 1)`).Scan(&n)
	return n > 0, err
}

// ReferencedUsers lists the distinct user ids (prefix 005) that the cached server copies name
// in the given fields (the users a device learns at once when it has records but no names).
func (db *DB) ReferencedUsers(ctx context.Context, fields []string) ([]string, error) {
	var parts []string
	for _, f := range fields {
		if !validFieldName(f) {
			return nil, fmt.Errorf("cache: bad field name %q", f)
		}
		parts = append(parts, `SELECT json_extract(server, '$.`+f+`') AS id FROM records WHERE server IS NOT NULL`)
	}
	if len(parts) == 0 {
		return nil, nil
	}
	return queryIDs(ctx, db.sql, `SELECT DISTINCT id FROM (`+strings.Join(parts, " UNION ALL ")+`) WHERE id LIKE '005%' ORDER BY id`)
}

// queryIDs runs a query of one text column and returns its values.
func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// DeviceFact is a fact about the device's data as a whole ("" when it was never set).
func (db *DB) DeviceFact(ctx context.Context, key string) (string, error) {
	var v string
	err := db.sql.QueryRowContext(ctx, `SELECT value FROM device WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cache: read %s: %w", key, err)
	}
	return v, nil
}

// SetDeviceFact records a fact about the device's data as a whole.
func (db *DB) SetDeviceFact(ctx context.Context, key, value string) error {
	return db.Update(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO device(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}

// Access levels the org reports for a user and a record (UserRecordAccess.MaxAccessLevel).
const (
	AccessNone = "None"
	AccessRead = "Read"
	AccessEdit = "Edit" // may edit, not delete
	AccessAll  = "All"
)

// restrictedLevel maps an org's MaxAccessLevel to what the access table keeps: "" for a level
// that allows editing and deleting (Delete, Transfer, All), so that no row is kept.
func restrictedLevel(level string) string {
	switch level {
	case AccessNone, AccessRead, AccessEdit:
		return level
	default:
		return ""
	}
}

// SetAccess records what the org lets a user do with records (id → MaxAccessLevel): a level
// below deleting is kept, any other clears what was kept.
func (tx *Tx) SetAccess(ctx context.Context, userID string, levels map[string]string, at time.Time) error {
	if len(levels) == 0 {
		return nil
	}
	if userID == "" {
		return errors.New("cache: access needs the user it is for")
	}
	put, err := tx.Prepared(ctx, `INSERT INTO access(id, user_id, level, checked_at) VALUES(?, ?, ?, ?)
		ON CONFLICT(id, user_id) DO UPDATE SET level = excluded.level, checked_at = excluded.checked_at`)
	if err != nil {
		return fmt.Errorf("cache: prepare: %w", err)
	}
	del, err := tx.Prepared(ctx, `DELETE FROM access WHERE id = ? AND user_id = ?`)
	if err != nil {
		return fmt.Errorf("cache: prepare: %w", err)
	}
	for _, id := range slices.Sorted(maps.Keys(levels)) {
		if lv := restrictedLevel(levels[id]); lv != "" {
			_, err = put.ExecContext(ctx, id, userID, lv, MS(at))
		} else {
			_, err = del.ExecContext(ctx, id, userID)
		}
		if err != nil {
			return fmt.Errorf("cache: store the access to %s: %w", id, err)
		}
	}
	return nil
}

func accessOf(ctx context.Context, q querier, userID, id string) (string, error) {
	var lv string
	err := q.QueryRowContext(ctx, `SELECT level FROM access WHERE id = ? AND user_id = ?`, id, userID).Scan(&lv)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cache: read the access to %s: %w", id, err)
	}
	return lv, nil
}

// Access is the kept access level of a user to a record: AccessRead, AccessEdit or AccessNone
// when the org said the user may do less than edit and delete it, "" otherwise (or never
// asked).
func (db *DB) Access(ctx context.Context, userID, id string) (string, error) {
	return accessOf(ctx, db.sql, userID, id)
}

// Access is DB.Access inside a transaction.
func (tx *Tx) Access(ctx context.Context, userID, id string) (string, error) {
	return accessOf(ctx, tx, userID, id)
}
