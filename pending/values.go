package pending

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/internal/plain"
	"github.com/offline-edit/offline-edit/remote"
)

// LocalPrefix starts every id of a record created offline; no Salesforce id looks like it.
const LocalPrefix = cache.LocalIDPrefix

// IsLocalID reports whether id names a record created offline that the org has not seen yet.
func IsLocalID(id string) bool {
	return strings.HasPrefix(id, LocalPrefix) && len(id) >= len(LocalPrefix)+12
}

func newLocalID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return LocalPrefix + hex.EncodeToString(b[:])
}

// systemFields are maintained by the org; a user never edits them and a difference in them
// alone is not "another user changed the record".
var systemFields = map[string]bool{
	"Id": true, "OwnerId": false, "CreatedDate": true, "CreatedById": true, "LastModifiedDate": true,
	"LastModifiedById": true, "SystemModstamp": true, "IsDeleted": true, "LastViewedDate": true,
	"LastReferencedDate": true, "LastActivityDate": true,
}

func isSystemField(f string) bool { return systemFields[f] }

// isCalculated reports whether d describes f as calculated: a formula, or a value the org derives
// from others (a compound name). Its value is never another user's change.
func isCalculated(d *remote.Describe, f string) bool {
	if d == nil {
		return false
	}
	fd, ok := d.Field(f)
	return ok && fd.Calculated
}

// normalizeFields turns caller values into JSON types (string, float64, bool, nil) so stored,
// compared and sent values agree.
func normalizeFields(in remote.Fields) (remote.Fields, error) {
	out := make(remote.Fields, len(in))
	for k, v := range in {
		if strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%w: empty field name", ErrNotAllowed)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("%w: field %s: value %v is not a JSON value", ErrNotAllowed, k, v)
		}
		var nv any
		if err := json.Unmarshal(b, &nv); err != nil {
			return nil, fmt.Errorf("%w: field %s: %v", ErrNotAllowed, k, err)
		}
		switch nv.(type) {
		case map[string]any, []any:
			return nil, fmt.Errorf("%w: field %s: nested values are not field values", ErrNotAllowed, k)
		}
		if f, ok := nv.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return nil, fmt.Errorf("%w: field %s: not a number", ErrNotAllowed, k)
		}
		out[k] = nv
	}
	return out, nil
}

// sameFieldValue compares two values of field f of d as the org would store them: sameValue,
// two values of a multi-select picklist ("A;B") as the sets of values they choose (the org
// keeps them in the picklist's order), and two ids of a lookup as the record they name, 15
// characters or 18. Only a field d describes as a multi-select compares so:
// text that happens to hold semicolons is text, and reordering it is an edit.
func sameFieldValue(d *remote.Describe, f string, a, b any) bool {
	if sameValue(a, b) {
		return true
	}
	if d == nil {
		return false
	}
	fd, ok := d.Field(f)
	if !ok || fd.Type != "multipicklist" && fd.Type != "reference" {
		return false
	}
	x, okx := canon(a).(string)
	y, oky := canon(b).(string)
	if fd.Type == "reference" {
		// A record's id as typed (15 characters) and as the org gives it back (18): one record.
		return okx && oky && sameID(x, y)
	}
	return okx && oky && sameChoices(x, y)
}

// sameValue compares two field values as the org would store them: "" equals null, datetimes
// compare as instants (to the millisecond, which is what the org keeps), numbers as numbers.
func sameValue(a, b any) bool {
	a, b = canon(a), canon(b)
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		if looksLikeDateTime(x) && looksLikeDateTime(y) {
			tx, err1 := remote.ParseTime(x)
			ty, err2 := remote.ParseTime(y)
			return err1 == nil && err2 == nil && tx.Truncate(time.Millisecond).Equal(ty.Truncate(time.Millisecond))
		}
		return false
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.Abs(x-y) < 1e-9*math.Max(1, math.Abs(x)))
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// maxChoiceLen is the most characters of one picklist value.
const maxChoiceLen = 255

// choices splits a multi-select picklist value ("A;B;C") into the values it chooses. ok is
// false unless s reads as one: at least two values, none empty, none with spaces around it or
// a line break in it, none longer than a picklist value, none twice.
func choices(s string) (set map[string]bool, ok bool) {
	if !strings.Contains(s, ";") {
		return nil, false
	}
	parts := strings.Split(s, ";")
	set = make(map[string]bool, len(parts))
	for _, p := range parts {
		if p == "" || strings.TrimSpace(p) != p || strings.ContainsAny(p, "\r\n") || utf8.RuneCountInString(p) > maxChoiceLen || set[p] {
			return nil, false
		}
		set[p] = true
	}
	return set, true
}

// sameChoices reports whether two multi-select picklist values choose the same values in
// another order ("Hardware;Training" and "Training;Hardware"): the org keeps them in the
// picklist's order, so a value sent in another order comes back changed but is the same.
func sameChoices(x, y string) bool {
	sx, okx := choices(x)
	if !okx {
		return false
	}
	sy, oky := choices(y)
	if !oky || len(sx) != len(sy) {
		return false
	}
	for v := range sx {
		if !sy[v] {
			return false
		}
	}
	return true
}

func canon(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return nil
		}
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	case json.Number:
		f, err := x.Float64()
		if err == nil {
			return f
		}
	}
	return v
}

func looksLikeDateTime(s string) bool { return len(s) >= 19 && s[4] == '-' && s[10] == 'T' }

// overlay returns server with changes laid over it (a new map).
func overlay(server, changes remote.Fields) remote.Fields {
	out := make(remote.Fields, len(server)+len(changes))
	for k, v := range server {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}

// withChanges is what the user sees of a record: its server copy with the pending changes on
// top. A name the org composes from other fields (a Contact's or Lead's Full Name, which no one
// can write) is composed again when a change touches its parts, so the record reads with its new
// name before the org has it.
func withChanges(d *remote.Describe, server, changes remote.Fields) remote.Fields {
	out := overlay(server, changes)
	if d == nil || len(changes) == 0 {
		return out
	}
	nf, ok := d.Field(d.NameField())
	if !ok || nf.Createable || nf.Updateable {
		return out // a name the user writes (Account Name) is in the changes already
	}
	parts := []string{"FirstName", "MiddleName", "LastName", "Suffix"}
	touched := false
	for _, p := range parts {
		if _, ok := changes[p]; ok {
			touched = true
		}
	}
	if !touched {
		return out
	}
	var words []string
	for _, p := range parts {
		if s, ok := out[p].(string); ok && strings.TrimSpace(s) != "" {
			words = append(words, strings.TrimSpace(s))
		}
	}
	if len(words) > 0 {
		out[nf.Name] = strings.Join(words, " ")
	}
	return out
}

// changedFields lists the non-system fields of d whose values differ between a and b, sorted.
// The calculated ones (a formula, a compound name) are not among them: nobody writes them, and
// a formula with TODAY() or NOW() in it takes another value overnight, SystemModstamp unmoved.
func changedFields(d *remote.Describe, a, b remote.Fields) []string {
	return changedFieldsExcept(d, a, b, nil)
}

// changedFieldsExcept is changedFields leaving out the fields in skip. A field only one side
// knows (a partial copy, say) is not evidence of a change.
func changedFieldsExcept(d *remote.Describe, a, b, skip remote.Fields) []string {
	var out []string
	for k, av := range a {
		if isSystemField(k) || isCalculated(d, k) {
			continue
		}
		if _, s := skip[k]; s {
			continue
		}
		bv, ok := b[k]
		if !ok {
			continue
		}
		if !sameFieldValue(d, k, av, bv) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// localRefs lists the local ids the values point at.
func localRefs(f remote.Fields) []string {
	var out []string
	for _, v := range f {
		if s, ok := v.(string); ok && IsLocalID(s) {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// displayName is the record's name as a list shows it.
func displayName(d *remote.Describe, f remote.Fields) string {
	if f == nil {
		return ""
	}
	nf := "Name"
	if d != nil {
		nf = d.NameField()
	}
	if s, ok := f[nf].(string); ok && s != "" {
		return s
	}
	first, _ := f["FirstName"].(string)
	last, _ := f["LastName"].(string)
	if n := strings.TrimSpace(first + " " + last); n != "" {
		return n
	}
	for _, k := range []string{"Name", "Subject", "Title", "CaseNumber"} {
		if s, ok := f[k].(string); ok && s != "" {
			return s
		}
	}
	if id, ok := f["Id"].(string); ok {
		return id
	}
	return ""
}

// FieldLabels joins the labels of fields as the user sees them and the engine's messages name
// them ("Account Phone and Rating"): for a command's table beside such a message.
func FieldLabels(d *remote.Describe, fs []string) string { return fieldLabels(d, fs) }

// fieldLabels joins the labels of fields, as the user sees them (a field the describe does
// not list goes by its name).
func fieldLabels(d *remote.Describe, fs []string) string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, fieldLabel(d, f))
	}
	return joinFields(out)
}

// fieldLabel is the label of field f as the user sees it (its name when d does not list it),
// made inert: it goes inside the engine's sentences, where an escape left open in it would
// take the rest of the sentence with it on the screen.
func fieldLabel(d *remote.Describe, f string) string {
	if d == nil {
		return plain.Line(f)
	}
	fd, ok := d.Field(f)
	label := strings.TrimSpace(plain.Line(fd.Label))
	if !ok || label == "" {
		return plain.Line(f)
	}
	// A lookup is shown by the name of its record, so its label drops the describe's trailing
	// " ID", as on the screens ("Account ID" → "Account").
	if t := strings.TrimSpace(strings.TrimSuffix(label, " ID")); fd.Type == "reference" && t != "" {
		label = t
	}
	return label
}

func joinFields(fs []string) string {
	if len(fs) == 0 {
		return ""
	}
	return strings.Join(fs, ", ")
}

func sortedKeys(f remote.Fields) []string {
	out := make([]string, 0, len(f))
	for k := range f {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// versionOf reads a record's version from its fields (and the ETag, when one was given).
func versionOf(f remote.Fields, etag string) remote.Version {
	v := remote.Version{ETag: etag}
	if s, ok := f["LastModifiedDate"].(string); ok {
		v.LastModifiedDate, _ = remote.ParseTime(s)
	}
	if s, ok := f["SystemModstamp"].(string); ok {
		v.SystemModstamp, _ = remote.ParseTime(s)
	}
	return v
}

// unmodifiedSince is the time an update's If-Unmodified-Since gives: the base's
// LastModifiedDate, else its SystemModstamp (never earlier than it: a save by anyone after the
// base moves both), zero when the base has neither.
func unmodifiedSince(v remote.Version) time.Time {
	if !v.LastModifiedDate.IsZero() {
		return v.LastModifiedDate
	}
	return v.SystemModstamp
}

var zeroTime = time.Time{}

func timeDuration(ns int64) time.Duration { return time.Duration(ns) }
