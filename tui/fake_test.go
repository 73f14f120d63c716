package tui

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// fakeBackend is a small in-memory engine for screen tests and benchmarks: records, a queue
// with one entry per record, and events. Stories run the real engine instead.
type fakeBackend struct {
	mu      sync.Mutex
	online  bool
	objects []string
	desc    map[string]*remote.Describe
	records map[string][]remote.Fields // per object, sorted by Name
	entries []pending.Entry
	events  chan pending.Event
	now     time.Time
	seq     int
	quiet   bool // Events returns nil: unit tests drive Update by hand
	// synced maps the local id of a record created offline to the server id it got when it
	// synced: Record follows it, as the engine does.
	synced map[string]string
	acts   []pending.Activity
	// resolved holds the choices of the last Resolve.
	resolved map[string]pending.Choice
	// resolvedInto, when set, is what a Resolve leaves in the change's place (another
	// conflict, as the engine leaves when a field outside it changed since), rather than
	// taking it away.
	resolvedInto *pending.Entry
	// access is what the org lets the user do with a record (by id; full when absent), as the
	// device knows it; orgAccess what the org says when asked now (CheckAccess), and checked the
	// ids it was asked about.
	access    map[string]pending.Access
	orgAccess map[string]pending.Access
	checked   []string
	// orgUnseen holds the records the org says, when asked now, the user can't see at all:
	// CheckAccess answers not found (the record stays while a change waits on it).
	orgUnseen map[string]bool
}

func newFakeBackend() *fakeBackend {
	f := &fakeBackend{
		online:  true,
		objects: []string{"Account", "Contact", "Task"},
		records: map[string][]remote.Fields{},
		events:  make(chan pending.Event, 1024),
		now:     time.Date(2024, 3, 4, 10, 30, 0, 0, time.UTC),
		desc: map[string]*remote.Describe{
			"Account": {Name: "Account", Label: "Account", LabelPlural: "Accounts", Fields: []remote.Field{
				{Name: "Id", Label: "Account ID", Type: "id"},
				{Name: "Name", Label: "Account Name", Type: "string", Length: 255, Createable: true, Updateable: true, NameField: true},
				{Name: "Industry", Label: "Industry", Type: "picklist", Createable: true, Updateable: true, Nillable: true,
					PicklistValues: []remote.PicklistValue{{Value: "Banking", Active: true}, {Value: "Energy", Active: true}, {Value: "Retail", Active: true}}},
				{Name: "Phone", Label: "Account Phone", Type: "phone", Length: 40, Createable: true, Updateable: true, Nillable: true},
				{Name: "AnnualRevenue", Label: "Annual Revenue", Type: "currency", Createable: true, Updateable: true, Nillable: true},
				{Name: "Description", Label: "Description", Type: "textarea", Length: 32000, Createable: true, Updateable: true, Nillable: true},
			}},
			"Contact": {Name: "Contact", Label: "Contact", LabelPlural: "Contacts", Fields: []remote.Field{
				{Name: "Id", Label: "Contact ID", Type: "id"},
				{Name: "Name", Label: "Full Name", Type: "string", NameField: true},
				{Name: "LastName", Label: "Last Name", Type: "string", Length: 80, Createable: true, Updateable: true},
				{Name: "Email", Label: "Email", Type: "email", Length: 80, Createable: true, Updateable: true, Nillable: true},
				{Name: "AccountId", Label: "Account ID", Type: "reference", ReferenceTo: []string{"Account"}, Createable: true, Updateable: true, Nillable: true},
				{Name: "DoNotCall", Label: "Do Not Call", Type: "boolean", Createable: true, Updateable: true},
				{Name: "Birthdate", Label: "Birthdate", Type: "date", Createable: true, Updateable: true, Nillable: true},
			}},
			"Task": {Name: "Task", Label: "Task", LabelPlural: "Tasks", Fields: []remote.Field{
				{Name: "Id", Label: "Activity ID", Type: "id"},
				{Name: "Subject", Label: "Subject", Type: "combobox", Length: 255, Createable: true, Updateable: true, Nillable: true, NameField: true},
				{Name: "WhatId", Label: "Related To", Type: "reference", ReferenceTo: []string{"Account"}, Createable: true, Updateable: true, Nillable: true},
			}},
		},
	}
	return f
}

func (f *fakeBackend) CheckAccess(_ context.Context, id string) (pending.Access, error) {
	f.mu.Lock()
	known := f.access[id]
	if known == pending.AccessFull || !f.online {
		f.mu.Unlock()
		return known, nil
	}
	f.checked = append(f.checked, id)
	if f.orgUnseen[id] {
		f.mu.Unlock()
		return pending.AccessRead, fmt.Errorf("record %s: %w: no longer visible to you on the org", id, pending.ErrNotFound)
	}
	now, ok := f.orgAccess[id]
	if !ok || now == known {
		f.mu.Unlock()
		return known, nil
	}
	f.access[id] = now
	f.mu.Unlock()
	f.emit(pending.Event{Kind: pending.EventCacheRefreshed, RecordID: id})
	return now, nil
}

func (f *fakeBackend) add(object string, fields remote.Fields) {
	f.records[object] = append(f.records[object], fields)
}

func (f *fakeBackend) sortAll() {
	for o := range f.records {
		rs := f.records[o]
		sort.SliceStable(rs, func(i, j int) bool { return nameOf(rs[i]) < nameOf(rs[j]) })
	}
}

func nameOf(r remote.Fields) string {
	for _, k := range []string{"Name", "Subject", "LastName"} {
		if s, ok := r[k].(string); ok {
			return s
		}
	}
	return ""
}

func (f *fakeBackend) Start(context.Context) {}
func (f *fakeBackend) SetOnline(on bool) {
	f.mu.Lock()
	f.online = on
	f.mu.Unlock()
	f.emit(pending.Event{Kind: pending.EventOnlineChanged, Online: on})
}
func (f *fakeBackend) Online() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.online
}
func (f *fakeBackend) Sync(context.Context) (pending.Summary, error) { return pending.Summary{}, nil }
func (f *fakeBackend) Events() <-chan pending.Event {
	if f.quiet {
		return nil
	}
	return f.events
}

func (f *fakeBackend) emit(ev pending.Event) {
	select {
	case f.events <- ev:
	default:
	}
}
func (f *fakeBackend) Identity() remote.Identity {
	return remote.Identity{Username: "alex@demo.example"}
}
func (f *fakeBackend) Objects() []string { return f.objects }
func (f *fakeBackend) Describe(_ context.Context, o string) (*remote.Describe, error) {
	if d, ok := f.desc[o]; ok {
		return d, nil
	}
	return nil, fmt.Errorf("no describe for %s", o)
}

func (f *fakeBackend) entryFor(id string) *pending.Entry {
	for i := range f.entries {
		if f.entries[i].RecordID == id {
			return &f.entries[i]
		}
	}
	return nil
}

func (f *fakeBackend) List(_ context.Context, q pending.ListQuery) (pending.Page, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var rows []pending.Row
	all := f.records[q.Object]
	match := func(r remote.Fields) bool {
		if q.Filter != "" && !strings.Contains(strings.ToLower(nameOf(r)), strings.ToLower(q.Filter)) {
			return false
		}
		for k, v := range q.Where {
			if r[k] != v {
				return false
			}
		}
		return true
	}
	if q.Around != "" {
		i := 0
		for _, r := range all {
			if !match(r) {
				continue
			}
			if r["Id"] == q.Around {
				q.Offset = max(0, i-max(q.Limit, 1)/4)
				break
			}
			i++
		}
	}
	total := 0
	for _, r := range all {
		if !match(r) {
			continue
		}
		if total >= q.Offset && (q.Limit == 0 || len(rows) < q.Limit) {
			row := pending.Row{ID: r["Id"].(string), Name: nameOf(r), Fields: r}
			if e := f.entryFor(row.ID); e != nil {
				row.Status, row.Op = e.Status, e.Op
			}
			rows = append(rows, row)
		}
		total++
	}
	return pending.Page{Rows: rows, Total: total, Offset: q.Offset}, nil
}

func (f *fakeBackend) Record(_ context.Context, object, id string) (pending.RecordView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if sid, ok := f.synced[id]; ok {
		id = sid
	}
	for _, r := range f.records[object] {
		if r["Id"] == id {
			v := pending.RecordView{Object: object, ID: id, Name: nameOf(r), Fields: r, Server: r, Names: map[string]string{}, Access: f.access[id]}
			if e := f.entryFor(id); e != nil {
				c := *e
				v.Entry = &c
				if len(e.Conflicts) > 0 {
					// The sync that found the conflict stored the org's copy: theirs.
					v.Server = remote.Fields{}
					for k, x := range r {
						v.Server[k] = x
					}
					for _, cf := range e.Conflicts {
						v.Server[cf.Field] = cf.Theirs
					}
				}
			}
			for _, o := range f.objects {
				for _, x := range f.records[o] {
					for k, val := range r {
						if val == x["Id"] && k != "Id" {
							v.Names[k] = nameOf(x)
							v.Names[x["Id"].(string)] = nameOf(x)
						}
					}
				}
			}
			return v, nil
		}
	}
	return pending.RecordView{}, pending.ErrNotFound
}

func (f *fakeBackend) Entries(context.Context) ([]pending.Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]pending.Entry(nil), f.entries...), nil
}
func (f *fakeBackend) Entry(_ context.Context, id string) (pending.Entry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.entries {
		if e.ID == id {
			return e, nil
		}
	}
	return pending.Entry{}, pending.ErrNotFound
}
func (f *fakeBackend) Counts(context.Context) (int, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := 0
	for _, e := range f.entries {
		if e.Status.Sash() != pending.SashGreen {
			a++
		}
	}
	return len(f.entries), a, nil
}
func (f *fakeBackend) Activity(_ context.Context, recordID string, limit int) ([]pending.Activity, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []pending.Activity
	for _, a := range f.acts {
		if (recordID == "" || a.RecordID == recordID) && len(out) < limit {
			out = append(out, a)
		}
	}
	return out, nil
}
func (f *fakeBackend) LastSync() time.Time { return f.now }

// dataNow is the time the fake's data is as of: the screens' clock starts there in tests.
func (f *fakeBackend) dataNow() time.Time { return f.now }

func (f *fakeBackend) Create(_ context.Context, object string, fields remote.Fields) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	id := fmt.Sprintf("local-%012d", f.seq)
	r := remote.Fields{"Id": id}
	for k, v := range fields {
		r[k] = v
	}
	f.records[object] = append(f.records[object], r)
	f.entries = append(f.entries, pending.Entry{ID: fmt.Sprintf("e%d", f.seq), Object: object, RecordID: id, Name: nameOf(r),
		Op: pending.OpCreate, Changes: fields, Status: pending.StatusPending, CreatedAt: f.now, UpdatedAt: f.now})
	f.emit(pending.Event{Kind: pending.EventEntryChanged})
	return id, nil
}

func (f *fakeBackend) Edit(_ context.Context, object, id string, fields remote.Fields, _ ...pending.EditOption) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e := f.entryFor(id); e != nil && e.Status.Locked() {
		return pending.ErrLocked
	}
	for _, r := range f.records[object] {
		if r["Id"] == id {
			for k, v := range fields {
				r[k] = v
			}
			if e := f.entryFor(id); e != nil {
				for k, v := range fields {
					e.Changes[k] = v
				}
			} else {
				f.seq++
				f.entries = append(f.entries, pending.Entry{ID: fmt.Sprintf("e%d", f.seq), Object: object, RecordID: id, Name: nameOf(r),
					Op: pending.OpUpdate, Changes: fields, Status: pending.StatusPending, CreatedAt: f.now, UpdatedAt: f.now})
			}
			f.emit(pending.Event{Kind: pending.EventEntryChanged})
			return nil
		}
	}
	return pending.ErrNotFound
}

func (f *fakeBackend) Delete(_ context.Context, object, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	f.entries = append(f.entries, pending.Entry{ID: fmt.Sprintf("e%d", f.seq), Object: object, RecordID: id, Op: pending.OpDelete, Status: pending.StatusPending})
	return nil
}

// syncCreate does what a sync does to a record created offline: it gets serverID (and the
// name the org gave it), the lookups of other records follow, and its entry leaves the queue.
func (f *fakeBackend) syncCreate(localID, serverID, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.synced == nil {
		f.synced = map[string]string{}
	}
	f.synced[localID] = serverID
	for _, rs := range f.records {
		for _, r := range rs {
			for k, v := range r {
				if v == localID {
					r[k] = serverID
				}
			}
			if r["Id"] == serverID && name != "" {
				for _, k := range []string{"Name", "Subject", "LastName"} {
					if _, ok := r[k]; ok {
						r[k] = name
						break
					}
				}
			}
		}
	}
	for i, e := range f.entries {
		if e.RecordID == localID {
			f.entries = append(f.entries[:i], f.entries[i+1:]...)
			break
		}
	}
}

func (f *fakeBackend) setEntry(e pending.Entry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.entries = append(f.entries, e)
}

func (f *fakeBackend) remove(entryID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, e := range f.entries {
		if e.ID == entryID {
			f.entries = append(f.entries[:i], f.entries[i+1:]...)
			f.emit(pending.Event{Kind: pending.EventEntryRemoved})
			return nil
		}
	}
	return pending.ErrNotFound
}

func (f *fakeBackend) ResolveAgainst(_ context.Context, id string, choices map[string]pending.Choice, _ remote.Fields) error {
	f.mu.Lock()
	f.resolved = choices
	into := f.resolvedInto
	f.mu.Unlock()
	if into != nil {
		_ = f.remove(id)
		f.setEntry(*into)
		return nil
	}
	return f.remove(id)
}
func (f *fakeBackend) ResolveDelete(_ context.Context, id string, _ bool) error {
	f.mu.Lock()
	into := f.resolvedInto
	f.mu.Unlock()
	if into != nil {
		_ = f.remove(id)
		f.setEntry(*into)
		return nil
	}
	return f.remove(id)
}
func (f *fakeBackend) Fix(_ context.Context, id string, _ remote.Fields) error { return f.remove(id) }
func (f *fakeBackend) Retry(context.Context, string) error                     { return nil }
func (f *fakeBackend) Dismiss(_ context.Context, id string) error              { return f.remove(id) }

// Discard drops a change; a discarded create takes its record with it, as in the engine.
func (f *fakeBackend) Discard(_ context.Context, id string) error {
	f.mu.Lock()
	for _, e := range f.entries {
		if e.ID != id || e.Op != pending.OpCreate {
			continue
		}
		rs := f.records[e.Object]
		for i, r := range rs {
			if r["Id"] == e.RecordID {
				f.records[e.Object] = append(rs[:i:i], rs[i+1:]...)
				break
			}
		}
	}
	f.mu.Unlock()
	return f.remove(id)
}

// ChangedSince, as the engine judges it but without earlier sends: the fields of a conflict's
// change outside it whose value in the org's copy is neither the base nor mine.
func (f *fakeBackend) ChangedSince(ctx context.Context, entryID string) ([]string, error) {
	e, err := f.Entry(ctx, entryID)
	if err != nil || e.Status != pending.StatusConflict {
		return nil, err
	}
	v, err := f.Record(ctx, e.Object, e.RecordID)
	if err != nil {
		return nil, nil
	}
	inConflict := map[string]bool{}
	for _, c := range e.Conflicts {
		inConflict[c.Field] = true
	}
	var out []string
	for field, mine := range e.Changes {
		base, known := e.Base[field]
		now := v.Server[field]
		if known && !inConflict[field] && !reflect.DeepEqual(now, base) && !reflect.DeepEqual(now, mine) {
			out = append(out, field)
		}
	}
	return out, nil
}

var _ Backend = (*fakeBackend)(nil)
