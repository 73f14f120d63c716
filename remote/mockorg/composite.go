package mockorg

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// MaxCompositeSubrequests is the most subrequests one Composite request may hold.
const MaxCompositeSubrequests = 25

// MaxCompositeCollections is the most of a Composite request's subrequests that may be queries
// (query, queryAll) or sObject Collections operations.
const MaxCompositeCollections = 5

// MaxCollectionRecords is the most records one sObject Collections write may hold.
const MaxCollectionRecords = 200

func (o *Org) dispatchComposite(t *txn, req *apiReq) apiResp {
	s := req.segs
	if req.inComposite && (len(s) == 1 || (len(s) > 1 && s[1] != "sobjects")) {
		return fail(newErr(http.StatusBadRequest, "INVALID_INPUT", "composite requests can't be nested"))
	}
	switch {
	case len(s) == 1:
		if req.method != http.MethodPost {
			return fail(errMethod(req.method, "POST"))
		}
		return o.composite(t, req)
	case len(s) == 2 && s[1] == "batch":
		if req.method != http.MethodPost {
			return fail(errMethod(req.method, "POST"))
		}
		return o.compositeBatch(t, req)
	case len(s) == 2 && s[1] == "sobjects":
		switch req.method {
		case http.MethodPost:
			return o.collectionWrite(t, req, "create", nil, nil)
		case http.MethodPatch:
			return o.collectionWrite(t, req, "update", nil, nil)
		case http.MethodDelete:
			return o.collectionDelete(t, req)
		}
		return fail(errMethod(req.method, "POST", "PATCH", "DELETE"))
	case len(s) == 3 && s[1] == "sobjects":
		obj := o.schema.object(s[2])
		if obj == nil {
			return fail(errNotFound())
		}
		if req.method != http.MethodGet && req.method != http.MethodPost {
			return fail(errMethod(req.method, "GET", "POST"))
		}
		return o.collectionRetrieve(t, req, obj)
	case len(s) == 4 && s[1] == "sobjects":
		obj := o.schema.object(s[2])
		if obj == nil {
			return fail(errNotFound())
		}
		f := obj.field(s[3], o.Profile())
		if f == nil || !f.ExternalID {
			return fail(newErr(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Provided external ID field does not exist or is not accessible: %s", s[3])))
		}
		if req.method != http.MethodPatch {
			return fail(errMethod(req.method, "PATCH"))
		}
		return o.collectionWrite(t, req, "upsert", obj, f)
	}
	return fail(errNotFound())
}

type subrequest struct {
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	ReferenceID string            `json:"referenceId"`
	Body        json.RawMessage   `json:"body"` // kept as sent unless it may hold a reference
	HTTPHeaders map[string]string `json:"httpHeaders"`
}

// mayReference says whether a raw JSON body may hold an @{ref...} expression (possibly with
// escaped characters); only such a body is decoded to substitute references.
func mayReference(raw json.RawMessage) bool {
	return bytes.Contains(raw, []byte("@{")) || bytes.Contains(raw, []byte(`\u`))
}

// hasBody says whether a subrequest carries a body (absent and null are none).
func hasBody(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

type subresponse struct {
	Body           any               `json:"body"`
	HTTPHeaders    map[string]string `json:"httpHeaders"`
	HTTPStatusCode int               `json:"httpStatusCode"`
	ReferenceID    string            `json:"referenceId"`
}

// validRefID says whether a referenceId is one or more letters, digits and underscores.
func validRefID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			return false
		}
	}
	return s != ""
}

var refUseRE = regexp.MustCompile(`@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[[0-9]+\])+)\}`)

func processingHalted(msg string) *apiError {
	return newErr(http.StatusBadRequest, "PROCESSING_HALTED", msg)
}

// composite serves POST /composite.
func (o *Org) composite(t *txn, req *apiReq) apiResp {
	body, aerr := decodeComposite(req.body)
	if aerr != nil {
		return fail(aerr)
	}
	subs := body.CompositeRequest
	if len(subs) == 0 {
		return fail(newErr(http.StatusBadRequest, "INVALID_INPUT", "compositeRequest must hold at least one subrequest"))
	}
	if len(subs) > MaxCompositeSubrequests {
		return wholeRefusal(fmt.Sprintf("The request can’t contain more than %d operations.", MaxCompositeSubrequests))
	}
	colls := 0
	for _, s := range subs {
		if isCollectionOrQuery(s.URL) {
			colls++
		}
	}
	if colls > MaxCompositeCollections {
		return wholeRefusal(fmt.Sprintf("The request can’t contain more than %d query or sObject Collections operations.", MaxCompositeCollections))
	}
	seen := map[string]bool{}
	for _, s := range subs {
		if !validRefID(s.ReferenceID) {
			return fail(newErr(http.StatusBadRequest, "INVALID_INPUT", fmt.Sprintf("invalid referenceId %q: use letters, digits and underscores", s.ReferenceID)))
		}
		if seen[s.ReferenceID] {
			return fail(newErr(http.StatusBadRequest, "INVALID_INPUT", fmt.Sprintf("duplicate referenceId %q", s.ReferenceID)))
		}
		seen[s.ReferenceID] = true
		for k := range s.HTTPHeaders {
			if strings.EqualFold(k, "accept") || strings.EqualFold(k, "authorization") || strings.EqualFold(k, "content-type") {
				return fail(newErr(http.StatusBadRequest, "INVALID_INPUT", fmt.Sprintf("subrequest %s may not set the %s header", s.ReferenceID, k)))
			}
		}
	}
	// Only the replies a later subrequest refers to (@{ref...}) need decoding for lookups.
	used := map[string]bool{}
	for _, s := range subs {
		collectRefs(s.URL, used)
		if hasBody(s.Body) && mayReference(s.Body) {
			var v any
			if err := json.Unmarshal(s.Body, &v); err == nil {
				collectRefs(v, used)
			}
		}
	}
	results := make([]subresponse, len(subs))
	refs := map[string]any{}
	work := t.sub() // all-or-none: everything goes here and is dropped on failure
	failedAt := -1
	for i, s := range subs {
		results[i].ReferenceID = s.ReferenceID
		resp := o.runSubrequest(work, req, s, refs, body.AllOrNone)
		results[i].HTTPStatusCode = resp.status
		results[i].Body = resp.wire()
		if len(resp.header) > 0 {
			results[i].HTTPHeaders = make(map[string]string, len(resp.header))
			for k := range resp.header {
				results[i].HTTPHeaders[k] = resp.header.Get(k)
			}
		}
		if resp.status >= 400 {
			if body.AllOrNone {
				failedAt = i
				break
			}
			continue
		}
		if used[s.ReferenceID] {
			refs[s.ReferenceID] = jsonRoundTrip(resp.body)
		}
	}
	if failedAt >= 0 {
		halted := processingHalted("The transaction was rolled back since another operation in the same transaction failed.")
		for i := range results {
			if i == failedAt {
				continue
			}
			results[i] = subresponse{Body: halted.Items, HTTPStatusCode: http.StatusBadRequest, ReferenceID: subs[i].ReferenceID}
		}
		return ok(http.StatusOK, compositeResponse(results))
	}
	work.merge()
	return ok(http.StatusOK, compositeResponse(results))
}

// wholeRefusal answers a Composite request the org refuses as a whole, as a real org does when
// it holds more than 25 subrequests: HTTP 200 with one subresponse that answers no subrequest
// (referenceId null). The shape and the 25-operation message are a captured real reply; the
// message for more than 5 query or Collections operations is this org's own wording.
func wholeRefusal(msg string) apiResp {
	return ok(http.StatusOK, map[string]any{"compositeResponse": []map[string]any{{
		"body":           newErr(http.StatusBadRequest, "LIMIT_EXCEEDED", msg).Items,
		"httpHeaders":    map[string]string{},
		"httpStatusCode": http.StatusBadRequest,
		"referenceId":    nil,
	}}})
}

// isCollectionOrQuery reports whether a subrequest URL names a query, a queryAll or an sObject
// Collections resource (/services/data/vNN.0/query..., /composite/sobjects...).
func isCollectionOrQuery(u string) bool {
	path, _, _ := strings.Cut(u, "?")
	segs := splitPath(path)
	if len(segs) < 4 || segs[0] != "services" || segs[1] != "data" {
		return false
	}
	switch segs[3] {
	case "query", "queryAll":
		return true
	case "composite":
		return len(segs) > 4 && segs[4] == "sobjects"
	}
	return false
}

// collectRefs notes the referenceIds that @{ref...} expressions in v (a URL or a decoded
// body) point at.
func collectRefs(v any, used map[string]bool) {
	switch x := v.(type) {
	case string:
		if !strings.Contains(x, "@{") {
			return
		}
		for _, m := range refUseRE.FindAllStringSubmatch(x, -1) {
			used[m[1]] = true
		}
	case map[string]any:
		for k, e := range x {
			collectRefs(k, used)
			collectRefs(e, used)
		}
	case []any:
		for _, e := range x {
			collectRefs(e, used)
		}
	}
}

// jsonRoundTrip turns a response body into plain decoded JSON for reference lookups.
func jsonRoundTrip(v any) any {
	if v == nil {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	_ = json.Unmarshal(data, &out)
	return out
}

func (o *Org) runSubrequest(work *txn, parent *apiReq, s subrequest, refs map[string]any, allOrNone bool) apiResp {
	u, aerr := resolveRefs(s.URL, refs, true)
	if aerr != nil {
		return fail(aerr)
	}
	var body []byte
	switch {
	case !hasBody(s.Body):
	case !mayReference(s.Body):
		body = s.Body
	default:
		var v any
		if err := json.Unmarshal(s.Body, &v); err != nil {
			return fail(errJSON("subrequest body: " + err.Error()))
		}
		b, aerr := substituteRefs(v, refs)
		if aerr != nil {
			return fail(aerr)
		}
		data, err := json.Marshal(b)
		if err != nil {
			return fail(errJSON("subrequest body: " + err.Error()))
		}
		body = data
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return fail(newErr(http.StatusBadRequest, "INVALID_INPUT", "invalid subrequest url: "+u))
	}
	segs := splitPath(parsed.Path)
	var ver string
	valid := false
	if len(segs) >= 3 && segs[0] == "services" && segs[1] == "data" {
		ver, valid = apiVersion(segs[2])
	}
	if !valid {
		return fail(newErr(http.StatusBadRequest, "INVALID_INPUT", "subrequest url must start with /services/data/vNN.0/: "+u))
	}
	if n, _ := strconv.Atoi(ver); n < MinVersion {
		return fail(errNotFound())
	}
	h := make(http.Header, len(parent.header)+len(s.HTTPHeaders))
	for k, v := range parent.header {
		h[k] = v
	}
	for k, v := range s.HTTPHeaders {
		h.Set(k, v)
	}
	method := strings.ToUpper(s.Method)
	var query url.Values // nil reads as empty
	if parsed.RawQuery != "" {
		query = parsed.Query()
	}
	sub := &apiReq{method: method, segs: segs[3:], query: query, header: h, body: body, user: parent.user, version: ver + ".0", inComposite: true}
	if allOrNone {
		return o.dispatch(work, sub)
	}
	st := work.sub()
	resp := o.dispatch(st, sub)
	if resp.status < 400 {
		st.merge()
	}
	return resp
}

// resolveRefs replaces @{ref.path} in a string; in a URL the values are path-escaped.
func resolveRefs(s string, refs map[string]any, inURL bool) (string, *apiError) {
	if !strings.Contains(s, "@{") {
		return s, nil
	}
	var aerr *apiError
	out := refUseRE.ReplaceAllStringFunc(s, func(m string) string {
		if aerr != nil {
			return m
		}
		v, e := lookupRef(m, refs)
		if e != nil {
			aerr = e
			return m
		}
		text := fmt.Sprint(v)
		if f, isNum := v.(float64); isNum {
			text = strconv.FormatFloat(f, 'f', -1, 64)
		}
		if inURL {
			text = url.PathEscape(text)
		}
		return text
	})
	return out, aerr
}

func lookupRef(m string, refs map[string]any) (any, *apiError) {
	sm := refUseRE.FindStringSubmatch(m)
	name, path := sm[1], sm[2]
	cur, found := refs[name]
	if !found {
		return nil, processingHalted(fmt.Sprintf("Invalid reference specified. No value for %s found in %s. Provided referenceId ('%s') must refer to a previous subrequest that succeeded.", strings.TrimPrefix(path, "."), name, name))
	}
	for _, step := range regexp.MustCompile(`\.[A-Za-z0-9_]+|\[[0-9]+\]`).FindAllString(path, -1) {
		switch {
		case step[0] == '.':
			obj, isObj := cur.(map[string]any)
			if !isObj {
				cur = nil
				break
			}
			key := step[1:]
			v, ok := obj[key]
			if !ok {
				for k, vv := range obj {
					if strings.EqualFold(k, key) {
						v, ok = vv, true
					}
				}
			}
			cur = v
		default:
			arr, isArr := cur.([]any)
			n, _ := strconv.Atoi(step[1 : len(step)-1])
			if !isArr || n >= len(arr) {
				cur = nil
				break
			}
			cur = arr[n]
		}
		if cur == nil {
			break
		}
	}
	if cur == nil {
		return nil, processingHalted(fmt.Sprintf("Invalid reference specified. No value for %s found in %s.", strings.TrimPrefix(path, "."), name))
	}
	return cur, nil
}

// substituteRefs replaces references in every string of a decoded JSON body. A string that is
// exactly one reference takes the referenced value with its type.
func substituteRefs(v any, refs map[string]any) (any, *apiError) {
	switch x := v.(type) {
	case string:
		if loc := refUseRE.FindStringIndex(x); loc != nil && loc[0] == 0 && loc[1] == len(x) {
			return lookupRef(x, refs)
		}
		return resolveRefs(x, refs, false)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, vv := range x {
			r, aerr := substituteRefs(vv, refs)
			if aerr != nil {
				return nil, aerr
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, vv := range x {
			r, aerr := substituteRefs(vv, refs)
			if aerr != nil {
				return nil, aerr
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

// compositeBatch serves POST /composite/batch: independent subrequests, no references.
func (o *Org) compositeBatch(t *txn, req *apiReq) apiResp {
	var body struct {
		HaltOnError   bool `json:"haltOnError"`
		BatchRequests []struct {
			Method    string          `json:"method"`
			URL       string          `json:"url"`
			RichInput json.RawMessage `json:"richInput"`
		} `json:"batchRequests"`
	}
	if aerr := decodeJSON(req.body, &body); aerr != nil {
		return fail(aerr)
	}
	if len(body.BatchRequests) == 0 || len(body.BatchRequests) > MaxCompositeSubrequests {
		return fail(newErr(http.StatusBadRequest, "INVALID_INPUT", fmt.Sprintf("batchRequests must hold 1 to %d subrequests", MaxCompositeSubrequests)))
	}
	type result struct {
		StatusCode int `json:"statusCode"`
		Result     any `json:"result"`
	}
	var results []result
	hasErrors, halted := false, false
	for _, b := range body.BatchRequests {
		if halted {
			results = append(results, result{http.StatusPreconditionFailed, newErr(http.StatusPreconditionFailed, "BATCH_PROCESSING_HALTED", "Batch processing halted per request").Items})
			continue
		}
		u := b.URL
		if !strings.HasPrefix(u, "/") {
			u = "/services/data/" + u
		}
		resp := o.runSubrequest(t, req, subrequest{Method: b.Method, URL: u, ReferenceID: "batch", Body: b.RichInput}, nil, false)
		results = append(results, result{resp.status, resp.wire()})
		if resp.status >= 400 {
			hasErrors = true
			halted = body.HaltOnError
		}
	}
	return ok(http.StatusOK, map[string]any{"hasErrors": hasErrors, "results": results})
}

// saveResult is one entry of a collections reply; errors use statusCode.
type saveResult struct {
	ID      any       `json:"id,omitempty"`
	Success bool      `json:"success"`
	Errors  []collErr `json:"errors"`
	Created *bool     `json:"created,omitempty"`
}

type collErr struct {
	StatusCode string   `json:"statusCode"`
	Message    string   `json:"message"`
	Fields     []string `json:"fields"`
	Dup        any      `json:"duplicateResut,omitempty"`
}

func toCollErrs(e *apiError) []collErr {
	var out []collErr
	for _, it := range e.Items {
		out = append(out, collErr{StatusCode: it.ErrorCode, Message: it.Message, Fields: it.Fields, Dup: it.Dup})
	}
	if len(out) == 0 {
		out = append(out, collErr{StatusCode: "PRECONDITION_FAILED", Message: "precondition failed", Fields: []string{}})
	}
	return out
}

func rolledBack() []collErr {
	return []collErr{{StatusCode: "ALL_OR_NONE_OPERATION_ROLLED_BACK", Message: "Record rolled back because not all records were valid and the request was using AllOrNone header", Fields: []string{}}}
}

// collectionWrite serves create (POST), update (PATCH) and upsert (PATCH .../{O}/{field}).
func (o *Org) collectionWrite(t *txn, req *apiReq, op string, upsertObj *objectDef, extField *fieldDef) apiResp {
	var body struct {
		AllOrNone bool             `json:"allOrNone"`
		Records   []map[string]any `json:"records"`
	}
	if aerr := decodeJSON(req.body, &body); aerr != nil {
		return fail(aerr)
	}
	if len(body.Records) == 0 {
		return fail(newErr(http.StatusBadRequest, "INVALID_INPUT", "records must hold at least one record"))
	}
	if len(body.Records) > MaxCollectionRecords {
		return fail(newErr(http.StatusBadRequest, "EXCEEDED_ID_LIMIT", fmt.Sprintf("Record limit exceeded: %d records; the limit is %d", len(body.Records), MaxCollectionRecords)))
	}
	work := t.sub()
	results := make([]saveResult, len(body.Records))
	anyFailed := false
	for i, r := range body.Records {
		res := o.collectionOne(work, req, op, upsertObj, extField, r, body.AllOrNone)
		results[i] = res
		if !res.Success {
			anyFailed = true
		}
	}
	if body.AllOrNone && anyFailed {
		for i := range results {
			if results[i].Success {
				results[i] = saveResult{Success: false, Errors: rolledBack()}
			}
		}
		return ok(http.StatusOK, results)
	}
	work.merge()
	return ok(http.StatusOK, results)
}

func (o *Org) collectionOne(work *txn, req *apiReq, op string, upsertObj *objectDef, extField *fieldDef, r map[string]any, allOrNone bool) saveResult {
	failWith := func(e *apiError) saveResult { return saveResult{Success: false, Errors: toCollErrs(e)} }
	obj := upsertObj
	attrs, _ := r["attributes"].(map[string]any)
	typ, _ := attrs["type"].(string)
	if typ != "" {
		obj = o.schema.object(typ)
		if obj == nil || (upsertObj != nil && obj != upsertObj) {
			return failWith(newErr(http.StatusBadRequest, "INVALID_TYPE", fmt.Sprintf("sObject type '%s' is not supported here", typ)))
		}
	}
	if obj == nil {
		return failWith(newErr(http.StatusBadRequest, "INVALID_TYPE", "Must specify a type in attributes for every record"))
	}
	fields := withoutKey(r, "attributes")
	st := work
	if !allOrNone {
		st = work.sub()
	}
	c := o.newWctx(st, req.user, allowDuplicates(req.header))
	var res saveResult
	switch op {
	case "create":
		id, aerr := o.create(c, obj, fields)
		if aerr != nil {
			return failWith(aerr)
		}
		res = saveResult{ID: id, Success: true, Errors: []collErr{}}
	case "update":
		raw, _ := lookupKey(fields, "Id")
		s, _ := raw.(string)
		id, valid := NormalizeID(s)
		if !valid {
			return failWith(newErr(http.StatusBadRequest, "MALFORMED_ID", fmt.Sprintf("malformed id %v", raw), "Id"))
		}
		if aerr := o.update(c, obj, id, withoutKey(fields, "Id"), nil); aerr != nil {
			return saveResult{ID: id, Success: false, Errors: toCollErrs(aerr)}
		}
		res = saveResult{ID: id, Success: true, Errors: []collErr{}}
	case "upsert":
		raw, found := lookupKey(fields, extField.Name)
		value, isStr := raw.(string)
		if !found || !isStr || value == "" {
			return failWith(newErr(http.StatusBadRequest, "REQUIRED_FIELD_MISSING", fmt.Sprintf("Required fields are missing: [%s]", extField.Name), extField.Name))
		}
		id, created, aerr := o.upsert(c, obj, extField, value, fields)
		if aerr != nil {
			return failWith(aerr)
		}
		res = saveResult{ID: id, Success: true, Errors: []collErr{}, Created: &created}
	}
	if !allOrNone {
		st.merge()
	}
	return res
}

func (o *Org) collectionDelete(t *txn, req *apiReq) apiResp {
	raw := strings.TrimSpace(req.query.Get("ids"))
	if raw == "" {
		return fail(newErr(http.StatusBadRequest, "MISSING_ARGUMENT", "ids is required"))
	}
	ids := strings.Split(raw, ",")
	if len(ids) > MaxCollectionRecords {
		return fail(newErr(http.StatusBadRequest, "EXCEEDED_ID_LIMIT", fmt.Sprintf("Record limit exceeded: %d ids; the limit is %d", len(ids), MaxCollectionRecords)))
	}
	allOrNone := strings.EqualFold(req.query.Get("allOrNone"), "true")
	work := t.sub()
	results := make([]saveResult, len(ids))
	anyFailed := false
	for i, rawID := range ids {
		rawID = strings.TrimSpace(rawID)
		id, valid := NormalizeID(rawID)
		if !valid {
			results[i] = saveResult{Success: false, Errors: toCollErrs(newErr(http.StatusBadRequest, "MALFORMED_ID", "malformed id "+rawID))}
			anyFailed = true
			continue
		}
		r := work.get(id)
		if r == nil || r.Object.Name == "User" {
			results[i] = saveResult{ID: id, Success: false, Errors: toCollErrs(newErr(http.StatusBadRequest, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"))}
			anyFailed = true
			continue
		}
		c := o.newWctx(work, req.user, false)
		if aerr := o.remove(c, r.Object, id); aerr != nil {
			if aerr.code() == "NOT_FOUND" {
				aerr = newErr(http.StatusBadRequest, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
			}
			results[i] = saveResult{ID: id, Success: false, Errors: toCollErrs(aerr)}
			anyFailed = true
			continue
		}
		results[i] = saveResult{ID: id, Success: true, Errors: []collErr{}}
	}
	if allOrNone && anyFailed {
		for i := range results {
			if results[i].Success {
				results[i] = saveResult{ID: results[i].ID, Success: false, Errors: rolledBack()}
			}
		}
		return ok(http.StatusOK, results)
	}
	work.merge()
	return ok(http.StatusOK, results)
}

// collectionRetrieve serves GET /composite/sobjects/{O}?ids=&fields= and the POST form.
func (o *Org) collectionRetrieve(t *txn, req *apiReq, obj *objectDef) apiResp {
	var ids, fields []string
	if req.method == http.MethodPost {
		var body struct {
			IDs    []string `json:"ids"`
			Fields []string `json:"fields"`
		}
		if aerr := decodeJSON(req.body, &body); aerr != nil {
			return fail(aerr)
		}
		ids, fields = body.IDs, body.Fields
	} else {
		for _, s := range strings.Split(req.query.Get("ids"), ",") {
			if s = strings.TrimSpace(s); s != "" {
				ids = append(ids, s)
			}
		}
		for _, s := range strings.Split(req.query.Get("fields"), ",") {
			if s = strings.TrimSpace(s); s != "" {
				fields = append(fields, s)
			}
		}
	}
	if len(ids) == 0 || len(fields) == 0 {
		return fail(newErr(http.StatusBadRequest, "MISSING_ARGUMENT", "ids and fields are required"))
	}
	if len(ids) > 2000 {
		return fail(newErr(http.StatusBadRequest, "EXCEEDED_ID_LIMIT", "at most 2000 ids"))
	}
	profile := o.Profile()
	var cols []*column
	for _, name := range fields {
		col, aerr := o.resolve(obj, strings.Split(name, "."), profile)
		if aerr != nil {
			return fail(aerr)
		}
		cols = append(cols, col)
	}
	out := make([]any, len(ids))
	keys := ownFieldKeys(cols)
	for i, raw := range ids {
		id, valid := NormalizeID(raw)
		if !valid {
			return fail(newErr(http.StatusBadRequest, "MALFORMED_ID", "malformed id "+raw))
		}
		r := t.get(id)
		if r == nil || r.Object != obj || r.Deleted || !canRead(o.accessOf(req.user, r)) {
			out[i] = nil
			continue
		}
		if keys != nil {
			out[i] = projectOwn(r, keys, cols, req.version)
			continue
		}
		out[i] = o.project(t, req.user, r, cols, req.version)
	}
	return ok(http.StatusOK, out)
}
