package pending

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"pgregory.net/rapid"
)

// The model's fields beyond plain text: a multi-select picklist on Accounts and a datetime on
// Contacts. The oracle compares them on its own terms (sets, instants), not with the engine's
// comparison, so a mistake there cannot hide behind itself.
const (
	multiField = "Product_Interest__c"
	timeField  = "Next_Meeting__c"
)

// productLines are the values of Account.Product_Interest__c, in the picklist's order: the
// order the org stores a chosen set in.
var productLines = []string{"Hardware", "Software", "Cloud Services", "Training", "Support Plans"}

// meetingZones are the offsets a datetime is written in besides Z and +0000.
var meetingZones = []int{5*60 + 30, -8 * 60, 9*60 + 45, -(3*60 + 30), 14 * 60, -12 * 60, 1 * 60}

// modelFieldsOf lists the fields the model edits on a record of object.
func modelFieldsOf(object string) []string {
	if !valueFieldsInModel {
		return []string{"Phone", "Description"}
	}
	switch object {
	case "Account":
		return []string{"Phone", "Description", multiField}
	case "Contact":
		return []string{"Phone", "Description", timeField}
	}
	return []string{"Phone", "Description"}
}

// valueFieldsInModel says whether the model's ops set the multi-select and the datetime too.
// The model with lost replies leaves them out: when another user writes the user's own value
// while a send of it is in doubt, and then another, whether the change was done or is a
// conflict depends on what the device saw in between, which that model does not follow yet.
var valueFieldsInModel = true

// drawSet draws a subset of the picklist written in a random order ("" for none).
func drawSet(t *rapid.T, label string) string {
	set := rapid.SliceOfNDistinct(rapid.SampledFrom(productLines), 0, len(productLines), rapid.ID[string]).Draw(t, label)
	return strings.Join(set, ";")
}

// rewriteSet writes the set v chooses in a random order.
func rewriteSet(t *rapid.T, v any, label string) string {
	parts := setOf(v)
	list := make([]string, 0, len(parts))
	for _, p := range productLines {
		if parts[p] {
			list = append(list, p)
		}
	}
	return strings.Join(rapid.Permutation(list).Draw(t, label), ";")
}

// drawInstant draws an instant (to the millisecond, what the org keeps), 2020 to 2035.
func drawInstant(t *rapid.T, label string) time.Time {
	ms := rapid.Int64Range(1577836800000, 2082758400000).Draw(t, label)
	if rapid.Bool().Draw(t, label+"WholeSecond") {
		ms -= ms % 1000
	}
	return time.UnixMilli(ms).UTC()
}

// writeInstant writes at in a random form: Z, +0000, or another offset (+05:30, -0800, …).
func writeInstant(t *rapid.T, at time.Time, label string) string {
	zone := time.FixedZone("", rapid.SampledFrom(meetingZones).Draw(t, label+"Offset")*60)
	forms := []string{
		at.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		at.UTC().Format("2006-01-02T15:04:05.000-0700"),
		at.In(zone).Format("2006-01-02T15:04:05.000-07:00"),
		at.In(zone).Format("2006-01-02T15:04:05.000-0700"),
	}
	if at.Nanosecond() == 0 {
		forms = append(forms, at.UTC().Format(time.RFC3339), at.In(zone).Format(time.RFC3339))
	}
	return rapid.SampledFrom(forms).Draw(t, label+"Form")
}

// drawFieldValue draws a value for field f. other is the value on the other side (the org's for
// a local edit, the user's for another user's): sometimes the same set or instant is written
// again, in another order or form.
func drawFieldValue(t *rapid.T, f string, other any, plain []string) any {
	switch f {
	case multiField:
		if rapid.IntRange(0, 2).Draw(t, "sameAsOtherSide") == 0 {
			return sameWritten(t, f, other)
		}
		return drawSet(t, "set")
	case timeField:
		if _, ok := instantOf(other); ok && rapid.IntRange(0, 2).Draw(t, "sameAsOtherSide") == 0 {
			return sameWritten(t, f, other)
		}
		return writeInstant(t, drawInstant(t, "instant"), "instant")
	}
	return rapid.SampledFrom(plain).Draw(t, "value")
}

// setOf reads a multi-select value as the set it chooses (empty for null or "").
func setOf(v any) map[string]bool {
	out := map[string]bool{}
	s, _ := v.(string)
	if s == "" {
		return out
	}
	for _, p := range strings.Split(s, ";") {
		out[p] = true
	}
	return out
}

// instantOf reads a datetime written in any of the forms the model writes or the org returns.
func instantOf(v any) (time.Time, bool) {
	s, _ := v.(string)
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", time.RFC3339Nano} {
		if at, err := time.Parse(layout, s); err == nil {
			return at, true
		}
	}
	return time.Time{}, false
}

// blank is null or "": the org stores both as null.
func blank(v any) bool { s, ok := v.(string); return v == nil || ok && s == "" }

// modelSame is the oracle's comparison of two values of field f: multi-selects as sets,
// datetimes as instants, anything else as the text it is.
func modelSame(f string, a, b any) bool {
	if blank(a) || blank(b) {
		return blank(a) && blank(b)
	}
	switch f {
	case multiField:
		x, y := setOf(a), setOf(b)
		if len(x) != len(y) {
			return false
		}
		for p := range x {
			if !y[p] {
				return false
			}
		}
		return true
	case timeField:
		x, okx := instantOf(a)
		y, oky := instantOf(b)
		return okx && oky && x.Equal(y)
	}
	return a == b
}

// stored is how the org must hold the value the user set: a set once each in the picklist's
// order, an instant in UTC in the wire form, null for nothing, anything else as it is.
func stored(f string, v any) any {
	if blank(v) {
		return nil
	}
	switch f {
	case multiField:
		set := setOf(v)
		var out []string
		for _, p := range productLines {
			if set[p] {
				out = append(out, p)
			}
		}
		return strings.Join(out, ";")
	case timeField:
		if at, ok := instantOf(v); ok {
			return at.UTC().Format("2006-01-02T15:04:05.000-0700")
		}
	}
	return v
}

// orgHolds reports whether the org's value of f is the user's, in the form the org stores it.
func orgHolds(f string, org, mine any) bool {
	want := stored(f, mine)
	if want == nil {
		return blank(org)
	}
	return org == want
}

// writeLog records the writes the org accepted from the device: for each record, the fields
// each accepted update carried.
type writeLog struct {
	base http.RoundTripper
	mu   sync.Mutex
	on   bool
	sent map[string][][]string // record id → the fields of each accepted update
}

func (w *writeLog) start() {
	if w == nil {
		return
	}
	w.mu.Lock()
	w.on, w.sent = true, map[string][][]string{}
	w.mu.Unlock()
}

// stop ends the recording and returns what was recorded.
func (w *writeLog) stop() map[string][][]string {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.on = false
	return w.sent
}

func (w *writeLog) RoundTrip(req *http.Request) (*http.Response, error) {
	w.mu.Lock()
	on := w.on
	w.mu.Unlock()
	if !on || req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/composite") || req.Body == nil {
		return w.base.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := w.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(answer))
	var in struct {
		CompositeRequest []struct {
			Method      string         `json:"method"`
			URL         string         `json:"url"`
			ReferenceID string         `json:"referenceId"`
			Body        map[string]any `json:"body"`
		} `json:"compositeRequest"`
	}
	var out struct {
		CompositeResponse []struct {
			ReferenceID    string `json:"referenceId"`
			HTTPStatusCode int    `json:"httpStatusCode"`
		} `json:"compositeResponse"`
	}
	if json.Unmarshal(body, &in) != nil || json.Unmarshal(answer, &out) != nil {
		return resp, nil
	}
	status := map[string]int{}
	for _, r := range out.CompositeResponse {
		status[r.ReferenceID] = r.HTTPStatusCode
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range in.CompositeRequest {
		code := status[s.ReferenceID]
		if s.Method != http.MethodPatch || code < 200 || code > 299 {
			continue
		}
		i := strings.LastIndex(s.URL, "/")
		if i < 0 || strings.Contains(s.URL, "/"+OfflineKeyField+"/") {
			continue // an upsert creates (or finds) a record: not an update of a known one
		}
		fields := make([]string, 0, len(s.Body))
		for f := range s.Body {
			fields = append(fields, f)
		}
		w.sent[s.URL[i+1:]] = append(w.sent[s.URL[i+1:]], fields)
	}
	return resp, nil
}

// remoteValue is the value another user writes to field f of record k: plain text fields get a
// value nobody else writes; the multi-select and the datetime sometimes get the user's own
// value written again in another order or form.
func (m *model) remoteValue(t *rapid.T, k, f string) any {
	if f != multiField && f != timeField {
		return "theirs-" + strconv.Itoa(m.remoteOp)
	}
	mine, ok := m.mine[k][f]
	if !ok {
		if rv, err := m.h.eng.Record(bg, "", m.currentID(k)); err == nil {
			mine = rv.Fields[f]
		}
	}
	return drawFieldValue(t, f, mine, nil)
}

// localValue is the value the user writes to field f of record id: for the multi-select and the
// datetime, sometimes the one the org holds now, in another order or form.
func (m *model) localValue(t *rapid.T, id, f string) any {
	var org any
	if (f == multiField || f == timeField) && !IsLocalID(id) {
		if rec, err := m.h.as(t, "admin@demo.example").Retrieve(bg, m.object[m.keyOf(id)], id, []string{f}); err == nil {
			org = rec.Fields[f]
		}
	}
	return drawFieldValue(t, f, org, []string{"a", "b", "c", "666"})
}

// pickTouched picks, half the time, a record that touched reports (one the other side has
// changed or has values waiting for), so that both sides often meet on one record and field;
// otherwise any known record.
func (m *model) pickTouched(t *rapid.T, touched func(k string) bool) string {
	var ks []string
	for _, k := range m.known {
		if touched(k) {
			ks = append(ks, k)
		}
	}
	if len(ks) > 0 && rapid.Bool().Draw(t, "touched") {
		k := rapid.SampledFrom(ks).Draw(t, "record")
		m.noteParent(k)
		return k
	}
	return m.pickKnown(t)
}

// pickField picks one of the model's fields of object, half the time one of prefer.
func pickField(t *rapid.T, object string, prefer func(f string) bool) string {
	fs := modelFieldsOf(object)
	var ps []string
	for _, f := range fs {
		if prefer(f) {
			ps = append(ps, f)
		}
	}
	if len(ps) > 0 && rapid.Bool().Draw(t, "touchedField") {
		return rapid.SampledFrom(ps).Draw(t, "field")
	}
	return rapid.SampledFrom(fs).Draw(t, "field")
}

// pickForEdit picks a record and field for the user to edit, leaning to what another user
// changed since the last sync.
func (m *model) pickForEdit(t *rapid.T) (id, f string) {
	k := m.keyOf(m.currentID(m.pickTouched(t, func(k string) bool { return len(m.remoteChanged[k]) > 0 })))
	f = pickField(t, m.object[k], func(f string) bool { return m.remoteChanged[k][f] })
	return m.currentID(k), f
}

// pickForRemote picks a record on the org and a field for another user to change, leaning to
// the values the user has waiting.
func (m *model) pickForRemote(t *rapid.T) (k, id, f string) {
	k = m.pickTouched(t, func(k string) bool { return len(m.mine[k]) > 0 && m.serverID(k) != "" })
	if id = m.serverID(k); id == "" {
		t.Skip("not on the org yet")
	}
	f = pickField(t, m.object[k], func(f string) bool { _, ok := m.mine[k][f]; return ok })
	return k, id, f
}

// RemoteEcho has another user choose the set, or the meeting time, the user has waiting for a
// record, written in another order or form.
func (m *model) RemoteEcho(t *rapid.T) {
	var ks []string
	for _, k := range m.known {
		if m.serverID(k) != "" && (hasField(m.mine[k], multiField) || hasField(m.mine[k], timeField)) {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		t.Skip("no set or meeting waiting")
	}
	k := rapid.SampledFrom(ks).Draw(t, "record")
	f := multiField
	if !hasField(m.mine[k], f) {
		f = timeField
	}
	m.remoteOp++
	m.remoteWrite(t, k, m.serverID(k), f, sameWritten(t, f, m.mine[k][f]))
}

// EditEcho has the user choose the set, or the meeting time, another user chose for a record
// since the last sync, written in another order or form.
func (m *model) EditEcho(t *rapid.T) {
	var ks []string
	for _, k := range m.known {
		if m.serverID(k) != "" && (m.remoteChanged[k][multiField] || m.remoteChanged[k][timeField]) {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		t.Skip("no set or meeting changed by another user")
	}
	k := rapid.SampledFrom(ks).Draw(t, "record")
	f := multiField
	if !m.remoteChanged[k][f] {
		f = timeField
	}
	rec, err := m.h.as(t, "admin@demo.example").Retrieve(bg, m.object[k], m.serverID(k), []string{f})
	if err != nil {
		t.Skip("gone from the org")
	}
	m.edit(t, m.serverID(k), f, sameWritten(t, f, rec.Fields[f]))
}

// sameWritten writes the set or instant v again, in another order or form.
func sameWritten(t *rapid.T, f string, v any) any {
	if f == multiField {
		return rewriteSet(t, v, "order")
	}
	if at, ok := instantOf(v); ok {
		return writeInstant(t, at, "again")
	}
	return nil
}
