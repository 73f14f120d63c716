package mockorg

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// dispatch routes a REST call (path after /services/data/vNN.0/).
func (o *Org) dispatch(t *txn, req *apiReq) apiResp {
	s := req.segs
	if len(s) == 0 {
		if req.method != http.MethodGet {
			return fail(errMethod(req.method, "GET", "HEAD"))
		}
		base := "/services/data/v" + req.version
		return ok(http.StatusOK, map[string]string{
			"sobjects": base + "/sobjects", "query": base + "/query", "queryAll": base + "/queryAll",
			"composite": base + "/composite", "limits": base + "/limits",
		})
	}
	switch s[0] {
	case "sobjects":
		return o.dispatchSObjects(t, req)
	case "query", "queryAll":
		if req.method != http.MethodGet {
			return fail(errMethod(req.method, "GET", "HEAD"))
		}
		if len(s) == 2 {
			return o.queryMore(t, req, s[1])
		}
		if len(s) > 2 {
			return fail(errNotFound())
		}
		q := req.query.Get("q")
		if strings.TrimSpace(q) == "" {
			return fail(errMalformedQuery("The query string is missing: add ?q=SELECT..."))
		}
		res, aerr := o.runQuery(t, req.user, q, s[0] == "queryAll", req.version, batchSize(req.header))
		if aerr != nil {
			return fail(aerr)
		}
		return ok(http.StatusOK, res)
	case "composite":
		return o.dispatchComposite(t, req)
	case "limits":
		if len(s) != 1 {
			return fail(errNotFound())
		}
		if req.method != http.MethodGet {
			return fail(errMethod(req.method, "GET", "HEAD"))
		}
		used, limit := o.usageNow()
		return ok(http.StatusOK, map[string]any{
			"DailyApiRequests":    map[string]int{"Max": limit, "Remaining": max(limit-used, 0)},
			"DailyBulkApiBatches": map[string]int{"Max": 15000, "Remaining": 15000},
			"DataStorageMB":       map[string]int{"Max": 1024, "Remaining": 1000},
		})
	}
	return fail(errNotFound())
}

// batchSize reads Sforce-Query-Options: batchSize=N, clamped to 200..2000.
func batchSize(h http.Header) int {
	for _, part := range strings.Split(h.Get("Sforce-Query-Options"), ",") {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "batchSize") {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0
		}
		return min(max(n, 200), 2000)
	}
	return 0
}

func (o *Org) queryMore(t *txn, req *apiReq, locator string) apiResp {
	id, startText, found := strings.Cut(locator, "-")
	start, err := strconv.Atoi(startText)
	bad := newErr(http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
	if !found || err != nil || start < 0 {
		return fail(bad)
	}
	cur := o.cursors.get(id)
	if cur == nil || cur.user != req.user.ID || start > len(cur.rows) {
		return fail(bad)
	}
	return ok(http.StatusOK, o.page(t, req.user, cur, start, req.version))
}

func (o *Org) dispatchSObjects(t *txn, req *apiReq) apiResp {
	s := req.segs
	if len(s) == 1 {
		if req.method != http.MethodGet {
			return fail(errMethod(req.method, "GET", "HEAD"))
		}
		return o.describeGlobal(req)
	}
	obj := o.schema.object(s[1])
	if obj == nil {
		return fail(newErr(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("The requested resource does not exist: sObject type '%s' is not supported", s[1])))
	}
	profile := o.Profile()
	switch len(s) {
	case 2:
		switch req.method {
		case http.MethodGet:
			return ok(http.StatusOK, map[string]any{"objectDescribe": o.globalEntry(obj, req.version), "recentItems": []any{}})
		case http.MethodPost:
			return o.createOne(t, req, obj)
		}
		return fail(errMethod(req.method, "GET", "HEAD", "POST"))
	case 3:
		switch s[2] {
		case "describe":
			if req.method != http.MethodGet {
				return fail(errMethod(req.method, "GET", "HEAD"))
			}
			return o.describe(req, obj, profile)
		case "updated":
			return o.getUpdated(t, req, obj)
		case "deleted":
			return o.getDeleted(t, req, obj)
		}
		if f := obj.field(s[2], profile); f != nil && f.Name == "Id" && req.method == http.MethodPost {
			return o.createOne(t, req, obj)
		}
		return o.recordByID(t, req, obj, s[2])
	case 4:
		f := obj.field(s[2], profile)
		if f == nil || !(f.ExternalID || f.Name == "Id") {
			return fail(newErr(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Provided external ID field does not exist or is not accessible: %s", s[2])))
		}
		return o.recordByExternalID(t, req, obj, f, s[3])
	}
	return fail(errNotFound())
}

func (o *Org) createOne(t *txn, req *apiReq, obj *objectDef) apiResp {
	body, aerr := decodeObject(req.body)
	if aerr != nil {
		return fail(aerr)
	}
	c := o.newWctx(t, req.user, allowDuplicates(req.header))
	id, aerr := o.create(c, obj, body)
	if aerr != nil {
		return fail(aerr)
	}
	resp := ok(http.StatusCreated, map[string]any{"id": id, "success": true, "errors": []any{}})
	resp.setHeader("Location", fmt.Sprintf("/services/data/v%s/sobjects/%s/%s", req.version, obj.Name, id))
	return resp
}

func allowDuplicates(h http.Header) bool {
	v := h.Get("Sforce-Duplicate-Rule-Header")
	if v == "" {
		return false
	}
	for _, part := range strings.Split(v, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		if strings.EqualFold(strings.TrimSpace(k), "allowSave") && strings.EqualFold(strings.TrimSpace(v), "true") {
			return true
		}
	}
	return false
}

// recordByID serves GET / PATCH / DELETE of /sobjects/{O}/{id}.
func (o *Org) recordByID(t *txn, req *apiReq, obj *objectDef, rawID string) apiResp {
	id, valid := NormalizeID(rawID)
	if !valid {
		if len(rawID) == 15 || len(rawID) == 18 {
			return fail(newErr(http.StatusBadRequest, "MALFORMED_ID", fmt.Sprintf("malformed id %s", rawID)))
		}
		return fail(newErr(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Provided external ID field does not exist or is not accessible: %s", rawID)))
	}
	switch req.method {
	case http.MethodGet:
		return o.retrieve(t, req, obj, id)
	case http.MethodPatch:
		body, aerr := decodeObject(req.body)
		if aerr != nil {
			return fail(aerr)
		}
		c := o.newWctx(t, req.user, allowDuplicates(req.header))
		if aerr := o.update(c, obj, id, body, o.preconditions(req, obj, true)); aerr != nil {
			return fail(aerr)
		}
		return apiResp{status: http.StatusNoContent}
	case http.MethodDelete:
		c := o.newWctx(t, req.user, false)
		if aerr := o.remove(c, obj, id); aerr != nil {
			return fail(aerr)
		}
		return apiResp{status: http.StatusNoContent}
	}
	return fail(errMethod(req.method, "GET", "HEAD", "PATCH", "DELETE"))
}

func (o *Org) recordByExternalID(t *txn, req *apiReq, obj *objectDef, f *fieldDef, value string) apiResp {
	switch req.method {
	case http.MethodGet, http.MethodDelete:
		var r *rec
		if f.Name == "Id" {
			if id, valid := NormalizeID(value); valid {
				r = t.get(id)
			}
		} else {
			r = t.byKey(obj.Name, value)
		}
		if r == nil || r.Object != obj || !canRead(o.accessOf(req.user, r)) {
			return fail(errNotFound())
		}
		return o.recordByID(t, req, obj, r.ID)
	case http.MethodPatch, http.MethodPost:
		body, aerr := decodeObject(req.body)
		if aerr != nil {
			return fail(aerr)
		}
		if strings.EqualFold(req.query.Get("updateOnly"), "true") && t.byKey(obj.Name, value) == nil && f.Name != "Id" {
			return fail(errNotFound())
		}
		c := o.newWctx(t, req.user, allowDuplicates(req.header))
		id, created, aerr := o.upsert(c, obj, f, value, body)
		if aerr != nil {
			return fail(aerr)
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		resp := ok(status, map[string]any{"id": id, "success": true, "errors": []any{}, "created": created})
		resp.setHeader("Location", fmt.Sprintf("/services/data/v%s/sobjects/%s/%s", req.version, obj.Name, id))
		return resp
	}
	return fail(errMethod(req.method, "GET", "HEAD", "PATCH", "POST", "DELETE"))
}

// preconditions returns the check of conditional headers for a GET or PATCH of a record.
func (o *Org) preconditions(req *apiReq, obj *objectDef, write bool) func(*rec) *apiError {
	return func(r *rec) *apiError {
		failed := func(why string) *apiError {
			e := newErr(http.StatusPreconditionFailed, "PRECONDITION_FAILED", why)
			if o.Profile() == ProfileReal {
				e.Empty = true
			}
			return e
		}
		if obj.Name == "Account" {
			etag := etagOf(r)
			if im := req.header.Get("If-Match"); im != "" && !etagMatches(im, etag) {
				return failed("The record's ETag does not match If-Match: it was changed since.")
			}
			if inm := req.header.Get("If-None-Match"); inm != "" && etagMatches(inm, etag) {
				if write {
					return failed("The record's ETag matches If-None-Match.")
				}
				return &apiError{Status: http.StatusNotModified, Empty: true}
			}
		}
		lastMod := r.Modified.Truncate(time.Second)
		if v := req.header.Get("If-Unmodified-Since"); v != "" {
			at, valid := parseHTTPDate(v)
			if !valid {
				if write {
					return newErr(http.StatusBadRequest, "INVALID_HEADER_TYPE", "If-Unmodified-Since is not a valid HTTP date: "+v)
				}
			} else if lastMod.After(at) {
				return failed(fmt.Sprintf("The record was modified at %s, after If-Unmodified-Since.", r.Modified.Format(http.TimeFormat)))
			}
		}
		if v := req.header.Get("If-Modified-Since"); v != "" && !write {
			if at, valid := parseHTTPDate(v); valid && !lastMod.After(at) {
				return &apiError{Status: http.StatusNotModified, Empty: true}
			}
		}
		return nil
	}
}

func etagMatches(header, etag string) bool {
	for _, part := range strings.Split(header, ",") {
		p := strings.TrimSpace(part)
		if p == "*" || p == etag || strings.TrimPrefix(p, "W/") == etag {
			return true
		}
	}
	return false
}

func (o *Org) retrieve(t *txn, req *apiReq, obj *objectDef, id string) apiResp {
	r := t.get(id)
	if r == nil || r.Object != obj || !canRead(o.accessOf(req.user, r)) {
		return fail(errNotFound())
	}
	if r.Deleted {
		return fail(errDeleted())
	}
	if aerr := o.preconditions(req, obj, false)(r); aerr != nil {
		return fail(aerr)
	}
	profile := o.Profile()
	var cols []*column
	if fl := strings.TrimSpace(req.query.Get("fields")); fl != "" {
		for _, name := range strings.Split(fl, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			col, aerr := o.resolve(obj, strings.Split(name, "."), profile)
			if aerr != nil {
				return fail(aerr)
			}
			cols = append(cols, col)
		}
		hasID := false
		for _, c := range cols {
			if c.rel == nil && c.field.Name == "Id" {
				hasID = true
			}
		}
		if !hasID {
			cols = append(cols, &column{path: []string{"Id"}, field: obj.byName["id"]})
		}
	} else {
		for _, f := range obj.visibleFields(profile) {
			cols = append(cols, &column{path: []string{f.Name}, field: f})
		}
	}
	resp := ok(http.StatusOK, o.project(t, req.user, r, cols, req.version))
	if obj.Name == "Account" {
		resp.setHeader("ETag", etagOf(r))
	}
	resp.setHeader("Last-Modified", r.Modified.Format(http.TimeFormat))
	return resp
}

// parseRangeParam reads a start/end parameter of getUpdated/getDeleted in any of the forms
// clients send: +00:00, Z, .000+0000, pre-encoded, or with '+' turned into a space.
func parseRangeParam(v string) (time.Time, bool) {
	for i := 0; i < 2 && strings.Contains(v, "%"); i++ {
		if u, err := urlUnescape(v); err == nil {
			v = u
		}
	}
	v = strings.ReplaceAll(strings.TrimSpace(v), " ", "+")
	t, err := parseWireTime(v)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

func (o *Org) replicationRange(req *apiReq, maxAge time.Duration) (start, end, now time.Time, aerr *apiError) {
	if req.method != http.MethodGet {
		return start, end, now, errMethod(req.method, "GET", "HEAD")
	}
	now = o.now()
	s, e := req.query.Get("start"), req.query.Get("end")
	if s == "" || e == "" {
		return start, end, now, newErr(http.StatusBadRequest, "MISSING_ARGUMENT", "start and end are required")
	}
	var okS, okE bool
	start, okS = parseRangeParam(s)
	end, okE = parseRangeParam(e)
	if !okS || !okE {
		return start, end, now, newErr(http.StatusBadRequest, "INVALID_REPLICATION_DATE", "start and end must be ISO-8601 datetimes such as 2024-01-02T03:04:05+00:00")
	}
	start, end = start.Truncate(time.Minute), end.Truncate(time.Minute)
	if end.After(now) {
		end = now.Truncate(time.Minute)
	}
	if !start.Before(end) {
		return start, end, now, newErr(http.StatusBadRequest, "INVALID_REPLICATION_DATE", "startDate must chronologically precede endDate by more than one minute")
	}
	if maxAge > 0 && start.Before(now.Add(-maxAge).Truncate(time.Minute)) {
		return start, end, now, newErr(http.StatusBadRequest, "INVALID_REPLICATION_DATE", fmt.Sprintf("startDate cannot be more than %d days ago", int(maxAge.Hours()/24)))
	}
	return start, end, now, nil
}

func (o *Org) getUpdated(t *txn, req *apiReq, obj *objectDef) apiResp {
	start, end, _, aerr := o.replicationRange(req, 30*24*time.Hour)
	if aerr != nil {
		return fail(aerr)
	}
	ids := []string{}
	for _, id := range t.idsOf(obj.Name) {
		r := t.get(id)
		if r.Deleted || !canRead(o.accessOf(req.user, r)) {
			continue
		}
		stamp, err := parseWireTime(r.str("SystemModstamp"))
		if err == nil && !stamp.Before(start) && stamp.Before(end) {
			ids = append(ids, r.ID)
		}
	}
	return ok(http.StatusOK, map[string]any{"ids": ids, "latestDateCovered": formatWireTime(end)})
}

func (o *Org) getDeleted(t *txn, req *apiReq, obj *objectDef) apiResp {
	start, end, now, aerr := o.replicationRange(req, 0)
	if aerr != nil {
		return fail(aerr)
	}
	earliest := now.Add(-o.deleteRetention()).Truncate(time.Minute)
	type deleted struct {
		ID          string `json:"id"`
		DeletedDate string `json:"deletedDate"`
	}
	out := []deleted{}
	for _, id := range t.idsOf(obj.Name) {
		r := t.get(id)
		if !r.Deleted || r.DeletedAt.Before(earliest) || !canRead(o.accessOf(req.user, r)) {
			continue
		}
		if !r.DeletedAt.Before(start) && r.DeletedAt.Before(end) {
			out = append(out, deleted{r.ID, formatWireTime(r.DeletedAt)})
		}
	}
	return ok(http.StatusOK, map[string]any{"deletedRecords": out, "earliestDateAvailable": formatWireTime(earliest), "latestDateCovered": formatWireTime(end)})
}
