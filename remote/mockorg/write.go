package mockorg

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"maps"
	"math"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Access levels of a user on a record.
const (
	accessNone = ""
	accessRead = "read"
	accessEdit = "edit"
	accessAll  = "all" // owner or admin: may also delete and transfer
)

// accessOf says what a user may do with a record. Called with o.mu held.
func (o *Org) accessOf(u User, r *rec) string {
	if r.Object.Public {
		return accessRead
	}
	if u.Admin || r.Owner == u.ID {
		return accessAll
	}
	return o.shares[r.ID][u.ID]
}

func canRead(a string) bool { return a != accessNone }
func canEdit(a string) bool { return a == accessEdit || a == accessAll }

// wctx is the context of one write.
type wctx struct {
	t        *txn
	user     User
	profile  Profile
	allowDup bool
	now      time.Time
	// stamp and userID are now in wire format and the user's id, made into values once for
	// every record the write stamps.
	stamp, userID any
}

func (o *Org) newWctx(t *txn, u User, allowDup bool) *wctx {
	profile, now := o.Profile(), o.now()
	if profile == ProfileReal {
		// A real org keeps datetimes in whole seconds (every stamp ends in .000): two writes
		// in one second carry the same LastModifiedDate and SystemModstamp.
		now = now.Truncate(time.Second)
	}
	return &wctx{t: t, user: u, profile: profile, allowDup: allowDup, now: now}
}

func etagOf(r *rec) string {
	h := sha1.Sum([]byte(fmt.Sprintf("%s:%d:%s", r.ID, r.Version, r.str("SystemModstamp"))))
	return `"` + base64.StdEncoding.EncodeToString(h[:]) + `-gzip"`
}

// lookupForWrite finds a record the user wants to change: NOT_FOUND when it does not exist or
// is invisible, ENTITY_IS_DELETED in the recycle bin, INSUFFICIENT_ACCESS_OR_READONLY when read-only.
func (o *Org) lookupForWrite(c *wctx, obj *objectDef, id string, needAll bool) (*rec, *apiError) {
	r := c.t.get(id)
	if r == nil || r.Object != obj {
		return nil, errNotFound()
	}
	a := o.accessOf(c.user, r)
	if !canRead(a) {
		return nil, errNotFound()
	}
	if r.Deleted {
		return nil, errDeleted()
	}
	if !canEdit(a) || (needAll && a != accessAll) {
		return nil, errReadOnly()
	}
	if aerr := o.rowLocked(id); aerr != nil {
		return nil, aerr
	}
	return r, nil
}

// create inserts a record and returns its id.
func (o *Org) create(c *wctx, obj *objectDef, body map[string]any) (string, *apiError) {
	if !obj.Writable {
		return "", newErr(http.StatusBadRequest, "INSUFFICIENT_ACCESS_OR_READONLY", fmt.Sprintf("entity type cannot be inserted: %s", obj.Name))
	}
	vals, aerr := o.checkBody(c, obj, body, true)
	if aerr != nil {
		return "", aerr
	}
	o.seq++
	id := ID(obj.Prefix, o.seq)
	r := &rec{ID: id, Object: obj, F: map[string]any{}, Version: 1}
	for _, f := range obj.Fields {
		r.F[f.Name] = nil
		if f.Type == "boolean" {
			r.F[f.Name] = false
		}
		if f.DefaultedOnCreate && f.PicklistDefault != "" {
			r.F[f.Name] = f.PicklistDefault
		}
	}
	stamp := formatWireTime(c.now)
	r.F["Id"] = id
	r.F["OwnerId"] = c.user.ID
	r.F["CreatedDate"], r.F["CreatedById"] = stamp, c.user.ID
	if obj.Name == "Case" {
		o.caseSeq++
		r.F["CaseNumber"] = fmt.Sprintf("%08d", 1000+o.caseSeq)
	}
	if _, ok := vals["OwnerId"]; ok && vals["OwnerId"] == nil {
		delete(vals, "OwnerId")
	}
	for k, v := range vals {
		r.F[k] = v
	}
	if _, ok := vals["StageName"]; ok && obj.Name == "Opportunity" {
		if _, given := vals["Probability"]; !given {
			r.F["Probability"] = stageProb[r.str("StageName")]
		}
		if _, given := vals["ForecastCategoryName"]; !given {
			r.F["ForecastCategoryName"] = forecastOf(r.str("StageName"))
		}
	}
	o.stamp(c, r)
	if aerr := o.checkRecord(c, r, nil, vals); aerr != nil {
		return "", aerr
	}
	c.t.put(r)
	return id, nil
}

func forecastOf(stage string) string {
	if f, ok := stageFcst[stage]; ok {
		return f
	}
	return "Pipeline"
}

// stamp sets the derived and system fields of a record about to be written.
func (o *Org) stamp(c *wctx, r *rec) {
	if r.Modified.After(c.now) {
		// Written later than now already (with milliseconds before the org kept whole
		// seconds, its profile switched to the real one; or before its clock was set back):
		// a record's stamp never goes back, as on a real org.
		stamp := formatWireTime(r.Modified)
		r.F["LastModifiedDate"], r.F["LastModifiedById"], r.F["SystemModstamp"] = stamp, c.user.ID, stamp
		o.stampDerived(r)
		return
	}
	if c.stamp == nil {
		if c.t != nil {
			c.stamp, c.userID = c.t.stampValues(c.now, c.user.ID)
		} else {
			c.stamp, c.userID = formatWireTime(c.now), c.user.ID
		}
	}
	r.F["LastModifiedDate"], r.F["LastModifiedById"], r.F["SystemModstamp"] = c.stamp, c.userID, c.stamp
	r.Modified = c.now
	o.stampDerived(r)
}

// stampDerived sets the fields the org derives from a record's others.
func (o *Org) stampDerived(r *rec) {
	r.Owner = r.str("OwnerId")
	r.F["IsDeleted"] = r.Deleted
	switch r.Object.Name {
	case "Contact", "Lead":
		// The full name is built on the stack and stored only when it changed.
		var buf [128]byte
		name := bytes.TrimSpace(append(append(append(buf[:0], r.str("FirstName")...), ' '), r.str("LastName")...))
		if cur, isStr := r.F["Name"].(string); !isStr || cur != string(name) {
			r.F["Name"] = string(name)
		}
	case "Opportunity":
		st := r.str("StageName")
		r.F["IsClosed"] = st == "Closed Won" || st == "Closed Lost"
		r.F["IsWon"] = st == "Closed Won"
	case "Case":
		r.F["IsClosed"] = r.str("Status") == "Closed"
	case "Task":
		r.F["IsClosed"] = r.str("Status") == "Completed"
		r.F["IsHighPriority"] = r.str("Priority") == "High"
	}
}

// update changes fields of a record.
func (o *Org) update(c *wctx, obj *objectDef, id string, body map[string]any, pre func(*rec) *apiError) *apiError {
	old, aerr := o.lookupForWrite(c, obj, id, false)
	if aerr != nil {
		return aerr
	}
	if pre != nil {
		if aerr := pre(old); aerr != nil {
			return aerr
		}
	}
	if v, ok := body["Id"]; ok {
		if s, _ := v.(string); s != id && s != id[:15] {
			return errInvalidField("The Id in the body does not match the record being updated", "Id")
		}
		body = withoutKey(body, "Id")
	}
	vals, aerr := o.checkBody(c, obj, body, false)
	if aerr != nil {
		return aerr
	}
	if owner, ok := vals["OwnerId"]; ok && owner != old.Owner && o.accessOf(c.user, old) != accessAll {
		return errReadOnly()
	}
	if v, ok := vals["OwnerId"]; ok && v == nil {
		return newErr(http.StatusBadRequest, "REQUIRED_FIELD_MISSING", "Required fields are missing: [OwnerId]", "OwnerId")
	}
	r := old.clone()
	for k, v := range vals {
		r.F[k] = v
	}
	if _, ok := vals["StageName"]; ok && obj.Name == "Opportunity" && vals["StageName"] != old.F["StageName"] {
		if _, given := vals["Probability"]; !given {
			r.F["Probability"] = stageProb[r.str("StageName")]
		}
		if _, given := vals["ForecastCategoryName"]; !given {
			r.F["ForecastCategoryName"] = forecastOf(r.str("StageName"))
		}
	}
	r.Version++
	o.stamp(c, r)
	if aerr := o.checkRecord(c, r, old, vals); aerr != nil {
		return aerr
	}
	c.t.put(r)
	return nil
}

// remove moves a record to the recycle bin.
func (o *Org) remove(c *wctx, obj *objectDef, id string) *apiError {
	if !obj.Writable {
		return newErr(http.StatusBadRequest, "INVALID_TYPE_FOR_OPERATION", "entity type cannot be deleted: "+obj.Name)
	}
	old, aerr := o.lookupForWrite(c, obj, id, true)
	if aerr != nil {
		return aerr
	}
	o.cascade(c, o.recycle(c, old))
	return nil
}

// recycle writes a copy of r moved to the recycle bin and returns it.
func (o *Org) recycle(c *wctx, r *rec) *rec {
	d := r.clone()
	d.Deleted = true
	d.DeletedAt = c.now
	d.Version++
	o.stamp(c, d)
	c.t.put(d)
	return d
}

// cascades lists, per parent object, the child reference fields whose records go to the recycle
// bin with the parent, as on Salesforce: an Account takes its Contacts, Opportunities and Cases
// with it, and any record takes the Tasks related to it.
var cascades = map[string]map[string][]string{
	"Account": {"Contact": {"AccountId"}, "Opportunity": {"AccountId"}, "Case": {"AccountId"}},
}

// cascadesTo reports whether deleting a parent of this object deletes child records through field.
func cascadesTo(parent, child, field string) bool {
	if child == "Task" && (field == "WhatId" || field == "WhoId") {
		return true
	}
	for _, f := range cascades[parent][child] {
		if f == field {
			return true
		}
	}
	return false
}

// cascade deletes, in the same transaction, what goes with a deleted record (see cascades),
// level by level: an Account's Contacts, then those Contacts' Tasks. Only the objects that can
// hang off what was just deleted are looked through (a Task takes nothing with it), and records
// written earlier in the same request are seen too.
func (o *Org) cascade(c *wctx, parent *rec) {
	gone := map[string]string{parent.ID: parent.Object.Name} // deleted id → its object
	for len(gone) > 0 {
		// The child objects that can hang off what was just deleted, and through which fields.
		children := map[string][]string{}
		for _, obj := range slices.Sorted(maps.Values(gone)) {
			for child, fields := range cascades[obj] {
				children[child] = appendNew(children[child], fields...)
			}
			if obj != "Task" {
				children["Task"] = appendNew(children["Task"], "WhatId", "WhoId")
			}
		}
		next := map[string]string{}
		for _, child := range slices.Sorted(maps.Keys(children)) {
			for _, id := range o.idsInTxn(c.t, child) {
				r := c.t.get(id)
				if r == nil || r.Deleted {
					continue
				}
				for _, field := range children[child] {
					pid, _ := r.F[field].(string)
					if pobj, ok := gone[pid]; ok && cascadesTo(pobj, child, field) {
						next[o.recycle(c, r).ID] = child
						break
					}
				}
			}
		}
		gone = next
	}
}

// appendNew appends the values not in list yet.
func appendNew(list []string, values ...string) []string {
	for _, v := range values {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

// idsInTxn lists the ids of an object's records as the transaction sees them: the stored ones
// and those it created.
func (o *Org) idsInTxn(t *txn, object string) []string {
	ids := o.ids[object]
	var added []string
	for x := t; x != nil; x = x.parent {
		for _, r := range x.recs {
			if r.Object.Name == object && o.recs[r.ID] == nil {
				added = append(added, r.ID)
			}
		}
	}
	if len(added) == 0 {
		return ids
	}
	return append(slices.Clip(ids), added...)
}

// upsert creates or updates the record whose external id field has the value.
func (o *Org) upsert(c *wctx, obj *objectDef, field *fieldDef, value string, body map[string]any) (string, bool, *apiError) {
	if v, ok := lookupKey(body, field.Name); ok {
		if s, _ := v.(string); s != value {
			return "", false, errInvalidField(fmt.Sprintf("The value of %s in the body does not match the value in the URL", field.Name), field.Name)
		}
	}
	var existing *rec
	if field.Name == "Id" {
		nid, ok := NormalizeID(value)
		if !ok {
			return "", false, newErr(http.StatusBadRequest, "MALFORMED_ID", "malformed id "+value, "Id")
		}
		existing = c.t.get(nid)
		if existing == nil || existing.Object != obj {
			return "", false, errNotFound()
		}
	} else {
		existing = c.t.byKey(obj.Name, value)
	}
	if existing == nil {
		b := withoutKey(body, field.Name)
		b[field.Name] = value
		id, aerr := o.create(c, obj, b)
		return id, true, aerr
	}
	if !canRead(o.accessOf(c.user, existing)) {
		return "", false, newErr(http.StatusBadRequest, "DUPLICATE_VALUE", fmt.Sprintf("duplicate value found: %s duplicates value on record with id: %s", field.Name, existing.ID), field.Name)
	}
	aerr := o.update(c, obj, existing.ID, withoutKey(withoutKey(body, field.Name), "Id"), nil)
	return existing.ID, false, aerr
}

func lookupKey(m map[string]any, key string) (any, bool) {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func withoutKey(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !strings.EqualFold(k, key) {
			out[k] = v
		}
	}
	return out
}

// emailRE is an address the org takes: letters and digits of any script, as an org with Email
// Address Internationalization takes them (josé@empresa.es).
var emailRE = regexp.MustCompile(`^[\p{L}\p{N}.!#$%&'*+/=?^_{|}~-]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+$`)

// checkBody validates the fields a client sent and returns them coerced, by canonical name.
func (o *Org) checkBody(c *wctx, obj *objectDef, body map[string]any, creating bool) (map[string]any, *apiError) {
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var defs []*fieldDef
	var readOnly []string
	for _, k := range keys {
		if k == "attributes" {
			continue
		}
		f := obj.field(k, c.profile)
		if f == nil {
			return nil, errInvalidField(fmt.Sprintf("No such column '%s' on sobject of type %s", k, obj.Name), k)
		}
		if f.Name == "Id" {
			if creating {
				return nil, errInvalidField("The Id field should not be specified in the sobject data.", "Id")
			}
			continue
		}
		if (creating && !f.Createable) || (!creating && !f.Updateable) {
			readOnly = append(readOnly, f.Name)
			continue
		}
		defs = append(defs, f)
	}
	if len(readOnly) > 0 {
		return nil, newErr(http.StatusBadRequest, "INVALID_FIELD_FOR_INSERT_UPDATE",
			fmt.Sprintf("Unable to create/update fields: %s. Please check the security settings of this field and verify that it is read/write for your profile or permission set.", strings.Join(readOnly, ", ")),
			readOnly...)
	}
	vals := map[string]any{}
	for _, f := range defs {
		raw, _ := lookupKey(body, f.Name)
		v, aerr := coerce(f, raw)
		if aerr != nil {
			return nil, aerr
		}
		vals[f.Name] = v
	}
	var items []errItem
	for _, f := range defs {
		v := vals[f.Name]
		if n, isNum := v.(float64); isNum && f.isNumber() && outOfRange(f, n) {
			items = append(items, rangeError(f, n))
			continue
		}
		s, isStr := v.(string)
		if !isStr {
			continue
		}
		if f.Length > 0 && f.isText() && f.Type != "reference" && len([]rune(s)) > f.Length {
			shown := s
			if len([]rune(shown)) > 40 {
				shown = string([]rune(shown)[:40]) + "..."
			}
			items = append(items, errItem{ErrorCode: "STRING_TOO_LONG", Message: fmt.Sprintf("%s: data value too large: %s (max length=%d)", f.Label, shown, f.Length), Fields: []string{f.Name}})
		}
		if f.Type == "picklist" && f.Restricted && s != "" && !inPicklist(f, s) {
			items = append(items, errItem{ErrorCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", Message: fmt.Sprintf("%s: bad value for restricted picklist field: %s", f.Label, s), Fields: []string{f.Name}})
		}
		if f.Type == "multipicklist" {
			stored, bad := multiValue(f, s)
			for _, b := range bad {
				items = append(items, errItem{ErrorCode: "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", Message: fmt.Sprintf("%s: bad value for restricted picklist field: %s", f.Label, b), Fields: []string{f.Name}})
			}
			vals[f.Name] = stored
		}
		if f.Type == "email" && s != "" && !emailRE.MatchString(s) {
			items = append(items, errItem{ErrorCode: "INVALID_EMAIL_ADDRESS", Message: fmt.Sprintf("%s: invalid email address: %s", f.Label, s), Fields: []string{f.Name}})
		}
	}
	if len(items) > 0 {
		return nil, &apiError{Status: http.StatusBadRequest, Items: items}
	}
	for _, f := range defs {
		if f.Type != "reference" || vals[f.Name] == nil {
			continue
		}
		s := vals[f.Name].(string)
		if s == "" {
			vals[f.Name] = nil
			continue
		}
		id, ok := NormalizeID(s)
		if !ok {
			return nil, newErr(http.StatusBadRequest, "MALFORMED_ID", fmt.Sprintf("%s: id value of incorrect type: %s", f.Label, s), f.Name)
		}
		if isMasterRecordType(f, id) {
			vals[f.Name] = nil
			continue
		}
		target := c.t.get(id)
		okType := false
		if target != nil {
			for _, to := range f.ReferenceTo {
				if target.Object.Name == to {
					okType = true
				}
			}
		}
		if target == nil || !okType || target.Deleted || !canRead(o.accessOf(c.user, target)) {
			return nil, newErr(http.StatusBadRequest, "INVALID_CROSS_REFERENCE_KEY", fmt.Sprintf("invalid cross reference id %s", s), f.Name)
		}
		vals[f.Name] = id
	}
	return vals, nil
}

// multiValue is a multi-select picklist's value as the org stores it: the chosen values once
// each, in the order the picklist lists them (an org sorts them so), joined by ";"; nil when
// none is chosen. bad lists the values a restricted picklist does not have, in the order sent.
func multiValue(f *fieldDef, s string) (stored any, bad []string) {
	chosen := map[string]bool{}
	var unknown []string
	for _, v := range strings.Split(s, ";") {
		switch {
		case v == "" || chosen[v]:
		case inPicklist(f, v):
			chosen[v] = true
		default:
			chosen[v] = true
			unknown = append(unknown, v)
		}
	}
	if f.Restricted && len(unknown) > 0 {
		return nil, unknown
	}
	var out []string
	for _, v := range f.Picklist {
		if chosen[v] {
			out = append(out, v)
		}
	}
	out = append(out, unknown...) // an unrestricted picklist keeps other values after its own
	if len(out) == 0 {
		return nil, nil
	}
	return strings.Join(out, ";"), nil
}

func inPicklist(f *fieldDef, s string) bool {
	for _, v := range f.Picklist {
		if v == s {
			return true
		}
	}
	return false
}

// coerce turns a decoded JSON value into the field's stored form.
func coerce(f *fieldDef, v any) (any, *apiError) {
	if v == nil {
		return nil, nil
	}
	bad := func() (any, *apiError) {
		return nil, errJSON(fmt.Sprintf("Cannot deserialize instance of %s from %s value %s or request may be missing a required field", f.Type, jsonKind(v), shortValue(v)))
	}
	switch {
	case f.isText():
		switch x := v.(type) {
		case string:
			return v, nil // the value as decoded, not boxed again
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		case bool:
			return strconv.FormatBool(x), nil
		}
		return bad()
	case f.isNumber():
		var n float64
		switch x := v.(type) {
		case float64:
			n = x
		case string:
			p, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return bad()
			}
			n = p
		default:
			return bad()
		}
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return bad()
		}
		if f.Type == "int" {
			n = math.Trunc(n)
		}
		return n, nil
	case f.Type == "boolean":
		switch x := v.(type) {
		case bool:
			return v, nil
		case string:
			if b, err := strconv.ParseBool(x); err == nil {
				return b, nil
			}
		}
		return bad()
	case f.Type == "date":
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		if len(s) > 10 && s[10] == 'T' {
			s = s[:10]
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return bad()
		}
		if e := beyondOrgDates(f, t); e != nil {
			return nil, e
		}
		return s, nil
	case f.Type == "datetime":
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		t, err := parseWireTime(s)
		if err != nil {
			return bad()
		}
		if e := beyondOrgDates(f, t); e != nil {
			return nil, e
		}
		return formatWireTime(t), nil
	}
	return bad()
}

// The moments an org keeps: from 1700-01-01T00:00:00Z to 4000-12-31T00:00:00Z; a date field
// takes any day from 1700-01-01 to 4000-12-31.
var (
	firstDate = time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)
	lastDate  = time.Date(4000, 12, 31, 0, 0, 0, 0, time.UTC)
)

// beyondOrgDates refuses a date or date-time outside the moments an org keeps, as an org does.
func beyondOrgDates(f *fieldDef, t time.Time) *apiError {
	if t.Before(firstDate) || t.After(lastDate) {
		return newErr(http.StatusBadRequest, "FIELD_INTEGRITY_EXCEPTION",
			fmt.Sprintf("%s: value outside of valid range on date or datetime field", f.Label), f.Name)
	}
	return nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "VALUE_STRING"
	case float64:
		return "VALUE_NUMBER"
	case bool:
		return "VALUE_BOOLEAN"
	case []any:
		return "START_ARRAY"
	case map[string]any:
		return "START_OBJECT"
	}
	return "VALUE"
}

func shortValue(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

func blank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	}
	return false
}

// checkRecord applies the rules that look at the whole record: required fields, the unique
// Offline_Key__c, validation rules and duplicate rules. old is nil on create.
func (o *Org) checkRecord(c *wctx, r, old *rec, vals map[string]any) *apiError {
	var missing []string
	for _, f := range r.Object.Fields {
		if f.Nillable || f.Type == "boolean" || !(f.Createable || f.Updateable) {
			continue
		}
		if old != nil {
			if _, touched := vals[f.Name]; !touched {
				continue
			}
		}
		if blank(r.F[f.Name]) {
			missing = append(missing, f.Name)
		}
	}
	if len(missing) > 0 {
		return newErr(http.StatusBadRequest, "REQUIRED_FIELD_MISSING", fmt.Sprintf("Required fields are missing: [%s]", strings.Join(missing, ", ")), missing...)
	}
	if aerr := o.checkCustom(r, vals); aerr != nil {
		return aerr
	}
	if k := r.str("Offline_Key__c"); k != "" {
		if other := c.t.byKey(r.Object.Name, k); other != nil && other.ID != r.ID {
			return newErr(http.StatusBadRequest, "DUPLICATE_VALUE", fmt.Sprintf("duplicate value found: Offline_Key__c duplicates value on record with id: %s", other.ID), "Offline_Key__c")
		}
	}
	var items []errItem
	var dups, flows []Rule
	for _, rule := range o.rules {
		if !strings.EqualFold(rule.Object, r.Object.Name) {
			continue
		}
		switch rule.Kind {
		case KindDuplicate:
			dups = append(dups, rule)
			continue
		case KindFlowError:
			flows = append(flows, rule)
			continue
		}
		if ruleFails(rule, r) {
			items = append(items, errItem{ErrorCode: "FIELD_CUSTOM_VALIDATION_EXCEPTION", Message: rule.message(), Fields: []string{canonicalField(r.Object, rule.Field)}})
		}
	}
	if len(items) > 0 {
		return &apiError{Status: http.StatusBadRequest, Items: items}
	}
	if !c.allowDup {
		for _, rule := range dups {
			if match := o.findDuplicate(c, r, rule); match != nil {
				return duplicateError(r, rule, match)
			}
		}
	}
	// Flows run after the save passed the rules: the first to fail undoes it.
	for _, rule := range flows {
		if ruleFails(rule, r) {
			return newErr(http.StatusBadRequest, "CANNOT_EXECUTE_FLOW_TRIGGER", flowMessage(rule))
		}
	}
	return nil
}

func canonicalField(obj *objectDef, name string) string {
	if f := obj.byName[strings.ToLower(name)]; f != nil {
		return f.Name
	}
	return name
}

func (o *Org) findDuplicate(c *wctx, r *rec, rule Rule) *rec {
	field := canonicalField(r.Object, rule.Field)
	v := r.F[field]
	if blank(v) {
		return nil
	}
	for _, id := range c.t.idsOf(r.Object.Name) {
		if id == r.ID {
			continue
		}
		other := c.t.get(id)
		if other == nil || other.Deleted {
			continue
		}
		if valuesEqual(other.F[field], v) {
			return other
		}
	}
	return nil
}

func valuesEqual(a, b any) bool {
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok && bok {
		return strings.EqualFold(strings.TrimSpace(as), strings.TrimSpace(bs))
	}
	return a == b
}

func duplicateError(r *rec, rule Rule, match *rec) *apiError {
	msg := rule.message()
	ruleName := "Duplicate_" + r.Object.Name + "_" + canonicalField(r.Object, rule.Field)
	dup := map[string]any{
		"allowSave":               true,
		"duplicateRule":           ruleName,
		"duplicateRuleEntityType": r.Object.Name,
		"errorMessage":            msg,
		"matchResults": []any{map[string]any{
			"entityType":  r.Object.Name,
			"errors":      []any{},
			"matchEngine": "ExactMatchEngine",
			"matchRecords": []any{map[string]any{
				"additionalInformation": []any{},
				"fieldDiffs":            []any{},
				"matchConfidence":       100.0,
				"record": map[string]any{
					"attributes": map[string]any{"type": r.Object.Name, "url": "/services/data/v62.0/sobjects/" + r.Object.Name + "/" + match.ID},
					"Id":         match.ID,
				},
			}},
			"rule":    ruleName,
			"size":    1,
			"success": true,
		}},
	}
	return &apiError{Status: http.StatusBadRequest, Items: []errItem{{Message: msg, ErrorCode: "DUPLICATES_DETECTED", Fields: []string{}, Dup: dup}}}
}
