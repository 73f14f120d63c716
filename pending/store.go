package pending

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
)

// dupState says what the engine knows about a duplicate-rule refusal of an entry.
const (
	dupNone  = 0 // no duplicate rule involved
	dupAllow = 1 // the rule refused but allows saving anyway
	dupSend  = 2 // resend with Sforce-Duplicate-Rule-Header: allowSave=true
)

// entry is an Entry with the bookkeeping the engine keeps beside it.
type entry struct {
	Entry
	baseRecord remote.Fields // the whole server copy the base was taken from
	unknown    bool          // the outcome of the last send is unknown (lost reply, crash)
	// sent holds the changes of earlier sends whose outcome was unknown when the user changed
	// the record again, oldest first: values the org may hold that are the user's own.
	sent           []remote.Fields
	sentRemembered time.Time // when the last send in sent was made
	// unrecordedSend: a send was made whose values no record tells, and the user edited the
	// change after it (a queue an older build wrote): the values as they are now are no guide.
	unrecordedSend bool
	// noReply: the last send got no HTTP reply at all (the network, not the org, failed it).
	noReply bool
	sentAt  time.Time // when the change was last sent
	// sentOrgAt and firstSentOrgAt are when it was last and first sent on the org's clock
	// (zero: the org had not said its time yet).
	sentOrgAt, firstSentOrgAt time.Time
	dups                      int
	rev                       int64 // write counter of the row this copy was read from
	// notes are what the user's settling of the entry tells the log; modifyEntry writes them
	// in its own transaction, so the log never tells of a change that did not commit.
	notes []string
}

const entryCols = `seq, id, object, record_id, name, op, changes, base, base_record, base_lmd, base_sysmod, base_etag,
	status, code, message, errors, conflicts, waiting_on, attempts, next_attempt, created_at, updated_at, unknown, sent_at, allow_dups, rev, sent, no_reply, sent_org_at, first_sent_org_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanEntry(s rowScanner) (*entry, error) {
	e := &entry{}
	var changes, base, baseRec, errs, confs, sentGens string
	var blmd, bsys, next, created, updated, sent, sentOrg, firstSentOrg int64
	var unknown, noReply int
	err := s.Scan(&e.Seq, &e.ID, &e.Object, &e.RecordID, &e.Name, &e.Op, &changes, &base, &baseRec, &blmd, &bsys, &e.BaseVersion.ETag,
		&e.Status, &e.Code, &e.Message, &errs, &confs, &e.WaitingOn, &e.Attempts, &next, &created, &updated, &unknown, &sent, &e.dups, &e.rev, &sentGens, &noReply,
		&sentOrg, &firstSentOrg)
	if err != nil {
		return nil, err
	}
	e.sentOrgAt, e.firstSentOrgAt = cache.FromMS(sentOrg), cache.FromMS(firstSentOrg)
	if e.sent, e.sentRemembered, e.unrecordedSend, err = decodeSent(sentGens); err != nil {
		return nil, fmt.Errorf("pending: corrupt earlier sends of entry %s: %w", e.ID, err)
	}
	if e.Changes, err = cache.DecodeFields(changes); err != nil {
		return nil, err
	}
	if e.Base, err = cache.DecodeFields(base); err != nil {
		return nil, err
	}
	if e.baseRecord, err = cache.DecodeFields(baseRec); err != nil {
		return nil, err
	}
	if e.Changes == nil {
		e.Changes = remote.Fields{}
	}
	if e.Base == nil {
		e.Base = remote.Fields{}
	}
	if errs != "" && errs != "[]" && errs != "null" {
		if err := json.Unmarshal([]byte(errs), &e.Errors); err != nil {
			return nil, fmt.Errorf("pending: corrupt errors of entry %s: %w", e.ID, err)
		}
	}
	if confs != "" && confs != "[]" && confs != "null" {
		if err := json.Unmarshal([]byte(confs), &e.Conflicts); err != nil {
			return nil, fmt.Errorf("pending: corrupt conflicts of entry %s: %w", e.ID, err)
		}
	}
	e.BaseVersion.LastModifiedDate = cache.FromMS(blmd)
	e.BaseVersion.SystemModstamp = cache.FromMS(bsys)
	e.NextAttempt = cache.FromMS(next)
	e.CreatedAt = cache.FromMS(created)
	e.UpdatedAt = cache.FromMS(updated)
	e.sentAt = cache.FromMS(sent)
	e.unknown = unknown != 0
	e.InDoubt = e.unknown
	e.noReply = noReply != 0
	return e, nil
}

// maxSentKept bounds the earlier sends an entry remembers (each is a change the user made again
// while the outcome of the one before was unknown: a handful at most).
const maxSentKept = 8

// sentRecord is how the sent column stores earlier sends: the field maps, oldest first, and
// when the last of them was sent (its send is remembered once, whatever edits follow).
type sentRecord struct {
	At   int64             `json:"at"`
	Gens []json.RawMessage `json:"gens"`
	// Unrecorded: a send was made that no record tells the values of (a queue an older build
	// wrote, edited after that send; see the schema's migrations).
	Unrecorded bool `json:"unrecorded,omitempty"`
}

// encodeSent stores earlier sends (” when there are none and no send went unrecorded).
func encodeSent(gens []remote.Fields, at time.Time, unrecorded bool) string {
	if len(gens) == 0 && !unrecorded {
		return ""
	}
	rec := sentRecord{At: cache.MS(at), Unrecorded: unrecorded, Gens: []json.RawMessage{}}
	for _, g := range gens {
		rec.Gens = append(rec.Gens, json.RawMessage(cache.EncodeFields(g)))
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return ""
	}
	return string(b)
}

func decodeSent(s string) ([]remote.Fields, time.Time, bool, error) {
	if s == "" {
		return nil, time.Time{}, false, nil
	}
	var rec sentRecord
	if strings.HasPrefix(s, "[") { // the first form: the maps alone
		if err := json.Unmarshal([]byte(s), &rec.Gens); err != nil {
			return nil, time.Time{}, false, err
		}
	} else if err := json.Unmarshal([]byte(s), &rec); err != nil {
		return nil, time.Time{}, false, err
	}
	out := make([]remote.Fields, 0, len(rec.Gens))
	for _, raw := range rec.Gens {
		f, err := cache.DecodeFields(string(raw))
		if err != nil {
			return nil, time.Time{}, false, err
		}
		out = append(out, f)
	}
	return out, cache.FromMS(rec.At), rec.Unrecorded, nil
}

// rememberSent keeps the entry's changes as an earlier send when the outcome of its last send
// is unknown, before the user changes the record again: once per send (a second edit before the
// next send would otherwise remember values that were never sent).
func (e *entry) rememberSent() {
	if !e.unknown || len(e.Changes) == 0 || e.unrecordedSend && len(e.sent) == 0 {
		return // an unrecorded send's values are not the changes as they are now
	}
	if len(e.sent) > 0 && !e.sentAt.IsZero() && e.sentAt.Equal(e.sentRemembered) {
		return // this send is remembered already (a later one has another time, earlier too if the clock was set back)
	}
	g := remote.Fields{}
	for k, v := range e.Changes {
		if s, ok := v.(string); ok && IsLocalID(s) {
			continue // never on the org as it is: the send carried the org's id or a reference
		}
		g[k] = v
	}
	e.sent = append(e.sent, g)
	e.sentRemembered = e.sentAt
	if len(e.sent) > maxSentKept {
		e.sent = e.sent[len(e.sent)-maxSentKept:]
	}
}

// editedSinceSend reports whether the user changed the record after a send whose outcome is
// unknown, with nothing sent since. The device's copy of the record cannot then settle the
// change: it may show that send landing, not what the org holds now, and the user's later
// values are a new wish the org must be asked about.
func (e *entry) editedSinceSend() bool {
	// The last send is the one remembered: the same time, not a later one (a clock set back
	// gives a later send an earlier time).
	return len(e.sent) > 0 && !e.sentRemembered.IsZero() && e.sentAt.Equal(e.sentRemembered)
}

// editedAfterUnrecordedSend reports whether the user changed the record after a send whose
// outcome is unknown, in a queue an older build wrote, which kept no record of what a send
// carried: the migration to this schema marked such entries (unknown, edited after sent_at).
// This build remembers a send before such an edit (rememberSent), so it marks none itself.
func (e *entry) editedAfterUnrecordedSend() bool {
	return e.unrecordedSend && len(e.sent) == 0
}

// lastSent is the value the latest earlier send carried for field f, if one carried it.
func (e *entry) lastSent(f string) (any, bool) {
	for i := len(e.sent) - 1; i >= 0; i-- {
		if v, ok := e.sent[i][f]; ok {
			return v, true
		}
	}
	return nil, false
}

// sentOtherwise lists the values earlier sends of the entry carried for field f that are
// neither its base nor the user's value now, oldest first, each once.
func (e *entry) sentOtherwise(d *remote.Describe, f string) []any {
	var out []any
	for _, g := range e.sent {
		v, ok := g[f]
		if !ok || sameFieldValue(d, f, v, e.Changes[f]) || sameFieldValue(d, f, v, e.Base[f]) ||
			slices.ContainsFunc(out, func(o any) bool { return sameFieldValue(d, f, o, v) }) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// sentValue reports whether an earlier send of this entry carried v for field f of d.
func (e *entry) sentValue(d *remote.Describe, f string, v any) bool {
	for _, g := range e.sent {
		if sv, ok := g[f]; ok && sameFieldValue(d, f, sv, v) {
			return true
		}
	}
	return false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return "[]"
	}
	return string(b)
}

// saveEntry inserts or replaces the entry (by id) inside tx.
func saveEntry(ctx context.Context, tx *cache.Tx, e *entry) error {
	unknown := 0
	if e.unknown {
		unknown = 1
	}
	changes, base, baseRecord := cache.EncodeFields(e.Changes), cache.EncodeFields(e.Base), cache.EncodeFields(e.baseRecord)
	args := []any{e.ID, e.Object, e.RecordID, e.Name, string(e.Op), changes, base,
		baseRecord, cache.MS(e.BaseVersion.LastModifiedDate), cache.MS(e.BaseVersion.SystemModstamp), e.BaseVersion.ETag,
		string(e.Status), e.Code, e.Message, jsonOf(e.Errors), jsonOf(e.Conflicts), e.WaitingOn, e.Attempts,
		cache.MS(e.NextAttempt), cache.MS(e.CreatedAt), cache.MS(e.UpdatedAt), unknown, cache.MS(e.sentAt), e.dups,
		cache.HasLocalID(changes, base, baseRecord), encodeSent(e.sent, e.sentRemembered, e.unrecordedSend), boolInt(e.noReply),
		cache.MS(e.sentOrgAt), cache.MS(e.firstSentOrgAt)}
	if e.Seq == 0 {
		res, err := tx.ExecContext(ctx, `INSERT INTO entries(id, object, record_id, name, op, changes, base, base_record, base_lmd, base_sysmod, base_etag,
			status, code, message, errors, conflicts, waiting_on, attempts, next_attempt, created_at, updated_at, unknown, sent_at, allow_dups, has_local, sent, no_reply,
			sent_org_at, first_sent_org_at)
			VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...)
		if err != nil {
			return fmt.Errorf("pending: store entry: %w", err)
		}
		e.Seq, _ = res.LastInsertId()
		e.rev = 0
		return nil
	}
	// The name is the record's as the device holds it now, when it has one: a copy the org sent
	// since the entry was read may have renamed it (another user's rename).
	st, err := tx.Prepared(ctx, `UPDATE entries SET id=?, object=?, record_id=?,
		name=COALESCE((SELECT r.name FROM records r WHERE r.id = entries.record_id AND r.name != ''), ?), op=?, changes=?, base=?, base_record=?, base_lmd=?, base_sysmod=?, base_etag=?,
		status=?, code=?, message=?, errors=?, conflicts=?, waiting_on=?, attempts=?, next_attempt=?, created_at=?, updated_at=?, unknown=?, sent_at=?, allow_dups=?,
		has_local=?, sent=?, no_reply=?, sent_org_at=?, first_sent_org_at=?, rev = rev + 1 WHERE seq=?`)
	if err == nil {
		_, err = st.ExecContext(ctx, append(args, e.Seq)...)
	}
	if err != nil {
		return fmt.Errorf("pending: store entry: %w", err)
	}
	e.rev++
	return nil
}

func deleteEntry(ctx context.Context, tx *cache.Tx, id string) error {
	st, err := tx.Prepared(ctx, `DELETE FROM entries WHERE id = ?`)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, id)
	return err
}

// takeSyncingEntry deletes an entry only if it is still the syncing entry the engine sent (same
// rev): the one statement that both checks and removes a change the org accepted.
func takeSyncingEntry(ctx context.Context, tx *cache.Tx, id string, rev int64) (bool, error) {
	st, err := tx.Prepared(ctx, `DELETE FROM entries WHERE id = ? AND rev = ? AND status = 'syncing'`)
	if err != nil {
		return false, err
	}
	res, err := st.ExecContext(ctx, id, rev)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func entryByID(ctx context.Context, q queryer, id string) (*entry, error) {
	e, err := scanEntry(q.QueryRowContext(ctx, `SELECT `+entryCols+` FROM entries WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("entry %s: %w", id, ErrNotFound)
	}
	return e, err
}

// entryByRecord returns the record's entry, or nil when it has none.
func entryByRecord(ctx context.Context, q queryer, recordID string) (*entry, error) {
	e, err := scanEntry(q.QueryRowContext(ctx, `SELECT `+entryCols+` FROM entries WHERE record_id = ?`, recordID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return e, err
}

func entriesWhere(ctx context.Context, q queryer, where string, args ...any) ([]*entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+entryCols+` FROM entries `+where+` ORDER BY seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("pending: read queue: %w", err)
	}
	defer rows.Close()
	var out []*entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
