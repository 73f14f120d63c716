package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/tui"
)

// conflictFacts are what the device knows beside the queue's conflicts: the names of the users
// who made their other side (TheirsBy), by id, and the org's copy of each conflicting record
// on the device now, by record id: a later sync may have brought a newer theirs.
type conflictFacts struct {
	names     map[string]string
	server    map[string]remote.Fields
	describes map[string]*remote.Describe // by object, to name fields by their labels
}

func readConflictFacts(ctx context.Context, db *cache.DB, entries []pending.Entry) (conflictFacts, error) {
	facts := conflictFacts{names: map[string]string{}, server: map[string]remote.Fields{}, describes: map[string]*remote.Describe{}}
	var ids []string
	for _, e := range entries {
		if len(e.Conflicts) == 0 {
			continue
		}
		for _, c := range e.Conflicts {
			if c.TheirsBy != "" && !slices.Contains(ids, c.TheirsBy) {
				ids = append(ids, c.TheirsBy)
			}
		}
		rec, err := db.Record(ctx, e.RecordID)
		if err != nil && !errors.Is(err, cache.ErrNotFound) {
			return facts, fmt.Errorf("read the org's copy of %s: %w", e.RecordID, err)
		}
		if rec.Server != nil {
			facts.server[e.RecordID] = rec.Server
		}
		if _, ok := facts.describes[e.Object]; !ok {
			d, _ := db.Describe(ctx, e.Object) // without one, fields go by their names
			facts.describes[e.Object] = d
		}
	}
	if len(ids) == 0 {
		return facts, nil
	}
	names, err := db.Names(ctx, ids)
	if err != nil {
		return facts, fmt.Errorf("read the names of the users in conflicts: %w", err)
	}
	facts.names = names
	return facts, nil
}

// theirsNow is the value the org's copy on the device holds now for a conflict's field, and
// whether it is another than the sync that found the conflict saw (changed again since).
func (f conflictFacts) theirsNow(e pending.Entry, c pending.Conflict) (any, bool) {
	v, ok := f.server[e.RecordID][c.Field]
	if !ok || sameJSONValue(v, c.Theirs) {
		return c.Theirs, false
	}
	return v, true
}

// sameJSONValue: no value and empty text are one.
func sameJSONValue(a, b any) bool {
	if a == "" {
		a = nil
	}
	if b == "" {
		b = nil
	}
	return reflect.DeepEqual(a, b)
}

// namedEntry is a pending change as `pending --json` and `sync --json` write it: the engine's
// keys, and in each conflict the name of the user who made the other side (theirsByName, ""
// when the device does not know it), after their id, and after theirs the value the org's copy
// on the device holds now (theirsNow: what taking theirs keeps; theirs when nothing moved).
type namedEntry struct {
	pending.Entry
	facts conflictFacts
}

// namedEntries pairs each entry with what the device knows beside its conflicts (a nil queue
// stays null).
func namedEntries(entries []pending.Entry, facts conflictFacts) []namedEntry {
	if entries == nil {
		return nil
	}
	creates := map[string]pending.Entry{}
	for _, e := range entries {
		if e.Op == pending.OpCreate {
			creates[e.RecordID] = e
		}
	}
	out := make([]namedEntry, len(entries))
	for i, e := range entries {
		if e.Message == "" {
			e.Message = waitsFor(e, creates) // as the table says it: a script reads why, too
		}
		out[i] = namedEntry{e, facts}
	}
	return out
}

func (n namedEntry) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(n.Entry)
	if err != nil {
		return nil, err
	}
	if len(n.Conflicts) == 0 {
		return b, nil
	}
	entry, err := readObject(b)
	if err != nil {
		return nil, err
	}
	conflicts := make([]jsonObject, len(n.Conflicts))
	for i, c := range n.Conflicts {
		cb, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		if conflicts[i], err = readObject(cb); err != nil {
			return nil, err
		}
		name, _ := json.Marshal(n.facts.names[c.TheirsBy])
		conflicts[i] = conflicts[i].insertAfter("theirsBy", "theirsByName", name)
		now, _ := n.facts.theirsNow(n.Entry, c)
		nowJSON, err := json.Marshal(now)
		if err != nil {
			return nil, err
		}
		conflicts[i] = conflicts[i].insertAfter("theirs", "theirsNow", nowJSON)
	}
	cs, err := json.Marshal(conflicts)
	if err != nil {
		return nil, err
	}
	if !entry.set("conflicts", cs) {
		return nil, errors.New("an entry's JSON has no conflicts")
	}
	return json.Marshal(entry)
}

// jsonObject is a JSON object whose members keep their order.
type jsonObject []jsonMember

type jsonMember struct {
	key   string
	value json.RawMessage
}

// readObject reads a JSON object, keeping the order of its members.
func readObject(b []byte) (jsonObject, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object: %.40s", b)
	}
	var obj jsonObject
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		obj = append(obj, jsonMember{key, v})
	}
	return obj, nil
}

// set replaces the value of key, reporting whether the object has it.
func (o jsonObject) set(key string, v json.RawMessage) bool {
	for i := range o {
		if o[i].key == key {
			o[i].value = v
			return true
		}
	}
	return false
}

// insertAfter puts key right after the member named after (at the end if there is none).
func (o jsonObject) insertAfter(after, key string, v json.RawMessage) jsonObject {
	at := len(o)
	for i := range o {
		if o[i].key == after {
			at = i + 1
		}
	}
	return slices.Insert(o, at, jsonMember{key, v})
}

func (o jsonObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// conflictBy says who made the other side of an entry's conflicts and when ("" for an entry
// without conflicts): "by Ada Admin, Nov 27 18:02", the user's id where the device does not
// know their name.
func conflictBy(e pending.Entry, names map[string]string) string {
	var who []string
	var last pending.Conflict
	// The message already says it was the user's own save ("You (on another device or through
	// an automation) changed …"): "by" and the user's own name would read as someone else.
	own := strings.HasPrefix(e.Message, pending.MsgOwnSave)
	for _, c := range e.Conflicts {
		if c.TheirsBy != "" && !own {
			name := names[c.TheirsBy]
			if name == "" {
				name = c.TheirsBy
			}
			if name = clip(tui.CleanLine(name), 30); !slices.Contains(who, name) {
				who = append(who, name)
			}
		}
		if c.TheirsAt.After(last.TheirsAt) {
			last = c
		}
	}
	var parts []string
	if len(who) > 0 {
		parts = append(parts, "by "+strings.Join(who, ", "))
	}
	if !last.TheirsAt.IsZero() {
		parts = append(parts, last.TheirsAt.Local().Format("Jan 2 15:04"))
	}
	return strings.Join(parts, ", ")
}

// activityRow is one row of `log --json`: every key on every row, as `pending --json` writes
// every key of every change, so a script reads the same shape whatever the request was. A
// member with nothing to say is "" (a note, a request that answered no error code, a request
// that served no change or record), a status 0 when no reply came or nothing was sent.
type activityRow struct {
	At       time.Time     `json:"at"`
	Method   string        `json:"method"`
	Path     string        `json:"path"`
	Status   int           `json:"status"`
	Code     string        `json:"code"`
	Duration time.Duration `json:"duration"`
	EntryID  string        `json:"entryId"`
	RecordID string        `json:"recordId"`
	Note     string        `json:"note"`
}

// activityRows is the log as `log --json` writes it ([] when empty, never null).
func activityRows(acts []pending.Activity) []activityRow {
	out := make([]activityRow, len(acts))
	for i, a := range acts {
		out[i] = activityRow(a)
	}
	return out
}
