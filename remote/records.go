package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// checkName validates an sObject or field name (letters, digits, underscores; "__c" suffixes).
func checkName(kind, s string) error {
	if s == "" {
		return fmt.Errorf("remote: empty %s name", kind)
	}
	if len(s) > 255 {
		return fmt.Errorf("remote: %s name too long", kind)
	}
	for i, r := range s {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9')
		if !ok {
			return fmt.Errorf("remote: %s name %q has a character other than letters, digits and _", kind, truncateRaw([]byte(s)))
		}
	}
	return nil
}

// checkID validates a 15- or 18-character Salesforce id.
func checkID(id string) error {
	if len(id) != 15 && len(id) != 18 {
		return fmt.Errorf("remote: %q is not a Salesforce id (15 or 18 letters and digits)", truncateRaw([]byte(id)))
	}
	for _, r := range id {
		if !((r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return fmt.Errorf("remote: %q is not a Salesforce id (15 or 18 letters and digits)", id)
		}
	}
	return nil
}

// checkFieldList validates field names for ?fields= (relationship paths like Account.Name allowed).
func checkFieldList(fields []string) error {
	for _, f := range fields {
		for _, part := range strings.Split(f, ".") {
			if err := checkName("field", part); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeHeader(opts WriteOptions) http.Header {
	h := http.Header{}
	if opts.IfMatch != "" {
		h.Set("If-Match", opts.IfMatch)
	}
	if !opts.IfUnmodifiedSince.IsZero() {
		h.Set("If-Unmodified-Since", httpDate(opts.IfUnmodifiedSince))
	}
	if opts.AllowDuplicates {
		h.Set("Sforce-Duplicate-Rule-Header", "allowSave=true")
	}
	return h
}

// DescribeGlobal lists the org's sObjects.
func (c *Client) DescribeGlobal(ctx context.Context) ([]SObjectInfo, error) {
	vp, err := c.vpath(ctx)
	if err != nil {
		return nil, err
	}
	var out struct {
		SObjects []SObjectInfo `json:"sobjects"`
	}
	if err := c.getJSON(ctx, vp+"/sobjects/", nil, &out); err != nil {
		return nil, err
	}
	return out.SObjects, nil
}

// Describe returns the describe of one sObject.
func (c *Client) Describe(ctx context.Context, object string) (*Describe, error) {
	d, _, err := c.DescribeIfModified(ctx, object, time.Time{})
	return d, err
}

// DescribeIfModified returns the describe of one sObject if the org's metadata for it changed
// after since (sent as If-Modified-Since, one-second resolution), and (nil, false, nil) when the
// org answers 304 Not Modified. A zero since asks unconditionally.
func (c *Client) DescribeIfModified(ctx context.Context, object string, since time.Time) (*Describe, bool, error) {
	if err := checkName("object", object); err != nil {
		return nil, false, err
	}
	vp, err := c.vpath(ctx)
	if err != nil {
		return nil, false, err
	}
	path := vp + "/sobjects/" + object + "/describe/"
	r := request{method: http.MethodGet, path: path}
	if !since.IsZero() {
		r.header = http.Header{"If-Modified-Since": {httpDate(since)}}
	}
	rep, err := c.do(ctx, r)
	if e, ok := AsError(err); ok && e.Status == http.StatusNotModified && !since.IsZero() {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var d Describe
	if err := decodeJSON(http.MethodGet, path, rep.body, &d); err != nil {
		return nil, false, err
	}
	if d.Name == "" {
		return nil, false, fmt.Errorf("remote: GET %s: %w: describe has no name", path, ErrMalformedReply)
	}
	return &d, true, nil
}

// Retrieve GETs one record; fields nil means all fields.
func (c *Client) Retrieve(ctx context.Context, object, id string, fields []string) (Record, error) {
	if err := checkName("object", object); err != nil {
		return Record{}, err
	}
	if err := checkID(id); err != nil {
		return Record{}, err
	}
	if err := checkFieldList(fields); err != nil {
		return Record{}, err
	}
	vp, err := c.vpath(ctx)
	if err != nil {
		return Record{}, err
	}
	var q url.Values
	if len(fields) > 0 {
		q = url.Values{"fields": {strings.Join(fields, ",")}}
	}
	path := vp + "/sobjects/" + object + "/" + id
	rep, err := c.get(ctx, path, q, nil)
	if err != nil {
		return Record{}, err
	}
	rec, err := DecodeRecord(rep.body)
	if err != nil {
		return Record{}, fmt.Errorf("remote: GET %s: %w", path, err)
	}
	if rec.Type == "" {
		rec.Type = object
	}
	rec.ETag = rep.header.Get("ETag")
	return rec, nil
}

// saveResult is the body of a create or upsert reply.
type saveResult struct {
	ID      string          `json:"id"`
	Success *bool           `json:"success"`
	Created *bool           `json:"created"`
	Errors  json.RawMessage `json:"errors"`
}

func (s saveResult) failure(status int) error {
	if s.Success != nil && !*s.Success {
		e := ParseErrorBody(status, s.Errors)
		if len(e.Items) == 0 && e.Raw == "" {
			e.Raw = "success:false with no errors"
		}
		return e
	}
	return nil
}

// Create POSTs a new record and returns its id.
func (c *Client) Create(ctx context.Context, object string, fields Fields, opts WriteOptions) (string, error) {
	if err := checkName("object", object); err != nil {
		return "", err
	}
	vp, err := c.vpath(ctx)
	if err != nil {
		return "", err
	}
	path := vp + "/sobjects/" + object + "/"
	rep, err := c.do(ctx, request{method: http.MethodPost, path: path, body: nonNilFields(fields), header: writeHeader(opts)})
	if err != nil {
		return "", err
	}
	var res saveResult
	if err := decodeJSON(http.MethodPost, path, rep.body, &res); err != nil {
		return "", err
	}
	if err := res.failure(rep.status); err != nil {
		return "", err
	}
	if checkID(res.ID) != nil {
		return "", fmt.Errorf("remote: POST %s: %w: no valid id in the reply", path, ErrMalformedReply)
	}
	return res.ID, nil
}

// Update PATCHes the given fields of a record (204 on success).
func (c *Client) Update(ctx context.Context, object, id string, fields Fields, opts WriteOptions) error {
	if err := checkName("object", object); err != nil {
		return err
	}
	if err := checkID(id); err != nil {
		return err
	}
	vp, err := c.vpath(ctx)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{method: http.MethodPatch, path: vp + "/sobjects/" + object + "/" + id,
		body: nonNilFields(fields), header: writeHeader(opts)})
	return err
}

// Upsert PATCHes by external id: 201 created, 200 updated (204 updated on versions before 46.0,
// in which case the id is looked up by the external id).
func (c *Client) Upsert(ctx context.Context, object, extField, extValue string, fields Fields, opts WriteOptions) (string, bool, error) {
	if err := checkName("object", object); err != nil {
		return "", false, err
	}
	if err := checkName("external id field", extField); err != nil {
		return "", false, err
	}
	if extValue == "" {
		return "", false, fmt.Errorf("remote: empty external id value for %s.%s", object, extField)
	}
	vp, err := c.vpath(ctx)
	if err != nil {
		return "", false, err
	}
	path := vp + "/sobjects/" + object + "/" + extField + "/" + url.PathEscape(extValue)
	rep, err := c.do(ctx, request{method: http.MethodPatch, path: path, body: nonNilFields(fields), header: writeHeader(opts)})
	if err != nil {
		return "", false, err
	}
	if rep.status == http.StatusNoContent {
		var rec Record
		rec, err = c.retrieveByPath(ctx, path, []string{"Id"})
		if err != nil {
			return "", false, err
		}
		return rec.ID(), false, nil
	}
	var res saveResult
	if err := decodeJSON(http.MethodPatch, path, rep.body, &res); err != nil {
		return "", false, err
	}
	if err := res.failure(rep.status); err != nil {
		return "", false, err
	}
	if checkID(res.ID) != nil {
		return "", false, fmt.Errorf("remote: PATCH %s: %w: no valid id in the reply", path, ErrMalformedReply)
	}
	created := rep.status == http.StatusCreated
	if res.Created != nil {
		created = *res.Created
	}
	return res.ID, created, nil
}

func (c *Client) retrieveByPath(ctx context.Context, path string, fields []string) (Record, error) {
	rep, err := c.get(ctx, path, url.Values{"fields": {strings.Join(fields, ",")}}, nil)
	if err != nil {
		return Record{}, err
	}
	rec, err := DecodeRecord(rep.body)
	if err != nil {
		return Record{}, fmt.Errorf("remote: GET %s: %w", path, err)
	}
	return rec, nil
}

// Delete DELETEs a record (204 on success).
func (c *Client) Delete(ctx context.Context, object, id string) error {
	if err := checkName("object", object); err != nil {
		return err
	}
	if err := checkID(id); err != nil {
		return err
	}
	vp, err := c.vpath(ctx)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, request{method: http.MethodDelete, path: vp + "/sobjects/" + object + "/" + id})
	return err
}

func nonNilFields(f Fields) Fields {
	if f == nil {
		return Fields{}
	}
	return f
}

// DecodeRecord decodes one record JSON object: "attributes" is removed (Type comes from
// attributes.type), including from nested relationship records.
func DecodeRecord(data []byte) (Record, error) {
	m, err := ParseFields(data)
	if err != nil {
		return Record{}, fmt.Errorf("%w: record is not a JSON object: %v", ErrMalformedReply, err)
	}
	if m == nil {
		return Record{}, fmt.Errorf("%w: record is null", ErrMalformedReply)
	}
	return recordFromMap(m)
}

// fieldsList decodes a JSON array of records with ParseFieldsList inside encoding/json.
type fieldsList []Fields

func (l *fieldsList) UnmarshalJSON(data []byte) error {
	list, err := ParseFieldsList(data)
	if err != nil {
		return err
	}
	// A repeated key decodes into the records already there, as encoding/json does.
	for i, m := range list {
		if i < len(*l) && (*l)[i] != nil && m != nil {
			maps.Copy((*l)[i], m)
			list[i] = (*l)[i]
		}
	}
	*l = list
	return nil
}

func recordFromMap(m map[string]any) (Record, error) {
	rec := Record{Fields: Fields(m)}
	if a, ok := m["attributes"]; ok {
		if a != nil {
			attrs, ok := a.(map[string]any)
			if !ok {
				return Record{}, fmt.Errorf("%w: record attributes is not an object", ErrMalformedReply)
			}
			if t, ok := attrs["type"]; ok {
				s, ok := t.(string)
				if !ok {
					return Record{}, fmt.Errorf("%w: record attributes.type is not a string", ErrMalformedReply)
				}
				rec.Type = s
			}
		}
		delete(m, "attributes")
	}
	if id, ok := m["Id"]; ok && id != nil {
		if _, ok := id.(string); !ok {
			return Record{}, fmt.Errorf("%w: record Id is not a string", ErrMalformedReply)
		}
	}
	if err := CheckStamps(m); err != nil {
		return Record{}, err
	}
	stripNested(m, 0)
	return rec, nil
}

// CheckStamps refuses, as a reply that could not be read, a record whose version stamps are
// no dates and times: the device would hold a copy it cannot send a change of conditionally
// (another user's save since would be overwritten unseen). A stamp left out, or null, is the
// org's to leave out.
func CheckStamps(f Fields) error {
	for _, name := range versionFields {
		if v, ok := f[name]; ok && v != nil {
			s, isText := v.(string)
			if _, err := ParseTime(s); !isText || err != nil {
				return fmt.Errorf("%w: a record's %s is %s, not a date and time", ErrMalformedReply, name, clipJSON(v))
			}
		}
	}
	return nil
}

// versionFields are the fields a record's version is read from.
var versionFields = []string{"LastModifiedDate", "SystemModstamp"}

// clipJSON is v as JSON for a message, at most 60 bytes of it, with no control character.
func clipJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%T", v)
	}
	s := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return -1
		}
		return r
	}, string(b))
	if len(s) > 60 {
		s = strings.ToValidUTF8(s[:57], "") + "..."
	}
	return s
}

// stripNested removes "attributes" from nested relationship records and subquery results.
func stripNested(v any, depth int) {
	if depth > 32 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if depth > 0 {
			delete(x, "attributes")
		}
		for _, child := range x {
			stripNested(child, depth+1)
		}
	case []any:
		for _, child := range x {
			stripNested(child, depth+1)
		}
	}
}
