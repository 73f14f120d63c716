package mockorg

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MaxBodyBytes is the largest request body accepted (413 above it).
const MaxBodyBytes = 10 << 20

const jsonType = "application/json;charset=UTF-8"

// Oldest and newest API versions listed by GET /services/data; any vNN.0 from 50.0 up is served.
const (
	MinVersion    = 50
	NewestVersion = 65
)

// apiVersion reads a version segment such as "v62.0" and returns "62": a "v", two or three
// ASCII digits and ".0".
func apiVersion(seg string) (string, bool) {
	n := len(seg) - 3 // digits between "v" and ".0"
	if (n != 2 && n != 3) || seg[0] != 'v' || seg[len(seg)-2:] != ".0" {
		return "", false
	}
	for i := 1; i <= n; i++ {
		if seg[i] < '0' || seg[i] > '9' {
			return "", false
		}
	}
	return seg[1 : 1+n], true
}

// apiReq is one REST call, from HTTP or from a composite subrequest.
type apiReq struct {
	method      string
	segs        []string // path segments after /services/data/vNN.0/
	query       url.Values
	header      http.Header
	body        []byte
	user        User
	version     string // "62.0"
	inComposite bool
}

// apiResp is the answer of one REST call.
type apiResp struct {
	status int
	header http.Header
	body   any // nil: no body
	err    *apiError
}

func ok(status int, body any) apiResp { return apiResp{status: status, body: body} }
func fail(e *apiError) apiResp        { return apiResp{status: e.Status, err: e} }

func (r *apiResp) setHeader(k, v string) {
	if r.header == nil {
		r.header = http.Header{}
	}
	r.header.Set(k, v)
}

// wire is the JSON body of a response (nil for none).
func (r apiResp) wire() any {
	if r.err != nil {
		if r.err.Empty {
			return nil
		}
		return r.err.Items
	}
	return r.body
}

func (o *Org) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/services/data/", o.serveData)
	mux.HandleFunc("/services/data", o.serveData)
	mux.HandleFunc("/services/oauth2/", o.serveOAuth)
	mux.HandleFunc("/id/", o.serveIdentity)
	mux.HandleFunc("/setup/connect", o.serveConnect)
	mux.HandleFunc("/mockorg/v1/", o.serveAdmin)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errNotFound().Items)
	})
	return recoverer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", o.now().Format(http.TimeFormat)) // the org's clock, as a real org's replies carry it
		if status := requestTooLarge(r); status != 0 {
			// A real org's front end answers these, not its API: plain text, no error code.
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, http.StatusText(status)+"\n")
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

// MaxRequestHead is the most bytes a request's URL and headers may take together, as on a real
// org (which answers 431 Request Header Fields Too Large beyond it, or 414 URI Too Long when the
// URL alone passes it).
const MaxRequestHead = 16384

// requestTooLarge is the status a real org answers a request with whose URL and headers are
// over MaxRequestHead, or 0.
func requestTooLarge(r *http.Request) int {
	n := len(r.URL.RequestURI())
	if n > MaxRequestHead {
		return http.StatusRequestURITooLong
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4 // "k: v\r\n"
		}
	}
	if n > MaxRequestHead {
		return http.StatusRequestHeaderFieldsTooLarge
	}
	return 0
}

// recoverer turns a panic into 500 UNKNOWN_EXCEPTION instead of a dropped connection.
func recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				fmt.Fprintf(debugLog, "mockorg: panic serving %s %s: %v\n%s", r.Method, r.URL.Path, p, debug.Stack())
				writeJSON(w, http.StatusInternalServerError, []errItem{{ErrorCode: "UNKNOWN_EXCEPTION", Message: "An unexpected error occurred. Please include this ErrorId if you contact support: mockorg", Fields: []string{}}})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// debugLog receives panic reports; tests may swap it.
var debugLog io.Writer = io.Discard

// replyBufs holds buffers replies are encoded into; Write copies the bytes out, so a buffer is
// reused once the reply is written.
var replyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// maxPooledReply is the largest buffer kept for reuse (a big query page is not).
const maxPooledReply = 1 << 20

func writeJSON(w http.ResponseWriter, status int, body any) {
	if body == nil {
		w.WriteHeader(status)
		return
	}
	var data []byte
	var err error
	if a, fast := body.(jsonAppender); fast {
		bp := replyBufs.Get().(*[]byte)
		data = a.appendJSON((*bp)[:0])
		defer func() {
			if cap(data) <= maxPooledReply {
				*bp = data[:0]
				replyBufs.Put(bp)
			}
		}()
	} else {
		data, err = json.Marshal(body)
	}
	if err != nil {
		status = http.StatusInternalServerError
		data, _ = json.Marshal([]errItem{{ErrorCode: "UNKNOWN_EXCEPTION", Message: "could not encode the response", Fields: []string{}}})
	}
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func writeResp(w http.ResponseWriter, resp apiResp) {
	for k, vs := range resp.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if resp.status == http.StatusNoContent || resp.status == http.StatusNotModified {
		w.WriteHeader(resp.status)
		return
	}
	writeJSON(w, resp.status, resp.wire())
}

// readBody reads a request body with the size cap, undoing gzip.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	if r.Body == nil {
		return nil, nil
	}
	var src io.Reader = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	gzipped := strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip")
	if gzipped {
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, errJSON("request body is not valid gzip: " + err.Error())
		}
		defer zr.Close()
		src = io.LimitReader(zr, MaxBodyBytes+1)
	}
	var data []byte
	var err error
	if n := r.ContentLength; n > 0 && n <= MaxBodyBytes && !gzipped {
		// The declared length sizes the buffer once (with room to see the end).
		buf := bytes.NewBuffer(make([]byte, 0, n+bytes.MinRead))
		_, err = buf.ReadFrom(src)
		data = buf.Bytes()
	} else {
		data, err = io.ReadAll(src)
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || len(data) > MaxBodyBytes {
		return nil, newErr(http.StatusRequestEntityTooLarge, "REQUEST_ENTITY_TOO_LARGE", fmt.Sprintf("request body larger than %d bytes", MaxBodyBytes))
	}
	if err != nil {
		return nil, errJSON("could not read the request body: " + err.Error())
	}
	return data, nil
}

// decodeObject decodes a JSON object body.
func decodeObject(body []byte) (map[string]any, *apiError) {
	if m, ok := decodeFlatObject(body); ok {
		return m, nil
	}
	var m map[string]any
	if aerr := decodeJSON(body, &m); aerr != nil {
		return nil, aerr
	}
	if m == nil {
		return nil, errJSON("the request body must be a JSON object")
	}
	return m, nil
}

// decodeJSON decodes exactly one JSON value.
func decodeJSON(body []byte, v any) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		return errJSON("The HTTP entity body is required, but this request has no entity body.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return errJSON(jsonErrorText(err))
	}
	if dec.More() {
		return errJSON("unexpected data after the JSON value")
	}
	return nil
}

func jsonErrorText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("Unexpected character at [offset %d]: %s", se.Offset, se.Error())
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("Cannot deserialize value of type %s from %s at [offset %d]", te.Type, te.Value, te.Offset)
	}
	return err.Error()
}

// authenticate finds the user of a bearer token.
func (o *Org) authenticate(r *http.Request) (User, *apiError) {
	h := r.Header.Get("Authorization")
	tok := ""
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		tok = strings.TrimSpace(h[7:])
	} else if len(h) > 6 && strings.EqualFold(h[:6], "OAuth ") {
		tok = strings.TrimSpace(h[6:])
	}
	if tok == "" {
		return User{}, errInvalidSession()
	}
	o.cfgMu.Lock()
	s, found := o.tokens[tok]
	ttl := o.opts.SessionTTL
	o.cfgMu.Unlock()
	if !found || (ttl > 0 && o.now().Sub(s.Issued) > ttl) {
		return User{}, errInvalidSession()
	}
	u, ok := o.userByID(s.UserID)
	if !ok {
		return User{}, errInvalidSession()
	}
	return u, nil
}

// countCall counts one API call; it fails when the daily limit is used up.
func (o *Org) countCall() (string, *apiError) {
	o.cfgMu.Lock()
	defer o.cfgMu.Unlock()
	day := o.now().Format("2006-01-02")
	if day != o.usageDay {
		o.usageDay, o.usage = day, 0
	}
	if o.usage >= o.limit {
		return fmt.Sprintf("api-usage=%d/%d", o.usage, o.limit), newErr(http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
	}
	o.usage++
	return fmt.Sprintf("api-usage=%d/%d", o.usage, o.limit), nil
}

func (o *Org) usageNow() (used, limit int) {
	o.cfgMu.Lock()
	defer o.cfgMu.Unlock()
	if o.now().Format("2006-01-02") != o.usageDay {
		return 0, o.limit
	}
	return o.usage, o.limit
}

// splitPath splits a path into segments, ignoring a trailing slash and empty segments.
func splitPath(p string) []string {
	out := make([]string, 0, strings.Count(p, "/")+1)
	for s := range strings.SplitSeq(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (o *Org) serveData(w http.ResponseWriter, r *http.Request) {
	segs := splitPath(r.URL.Path)[2:] // drop "services", "data"
	if len(segs) == 0 {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeResp(w, fail(errMethod(r.Method, "GET", "HEAD")))
			return
		}
		writeJSON(w, http.StatusOK, versionsList())
		return
	}
	ver, valid := apiVersion(segs[0])
	if !valid {
		writeJSON(w, http.StatusNotFound, errNotFound().Items)
		return
	}
	if n, _ := strconv.Atoi(ver); n < MinVersion {
		writeJSON(w, http.StatusNotFound, newErr(http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("API version %s.0 is not supported by this org; use %d.0 or later", ver, MinVersion)).Items)
		return
	}
	user, aerr := o.authenticate(r)
	if aerr != nil {
		writeResp(w, fail(aerr))
		return
	}
	limitInfo, aerr := o.countCall()
	w.Header().Set("Sforce-Limit-Info", limitInfo)
	if aerr != nil {
		writeResp(w, fail(aerr))
		return
	}
	body, aerr := readBody(w, r)
	if aerr != nil {
		writeResp(w, fail(aerr))
		return
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	req := &apiReq{method: method, segs: segs[1:], query: r.URL.Query(), header: r.Header, body: body, user: user, version: ver + ".0"}
	resp := o.exec(req)
	if r.Method == http.MethodHead {
		resp = apiResp{status: resp.status, header: resp.header}
		if resp.status < 300 {
			w.Header().Set("Content-Type", jsonType)
		}
	}
	writeResp(w, resp)
}

// exec runs one top-level call under the org lock and commits its writes.
func (o *Org) exec(req *apiReq) apiResp {
	if req.method == http.MethodGet {
		o.mu.RLock()
		defer o.mu.RUnlock()
		return o.dispatch(o.begin(), req)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	t := o.begin()
	resp := o.dispatch(t, req)
	if err := t.commit(); err != nil {
		return fail(newErr(http.StatusInternalServerError, "UNKNOWN_EXCEPTION", "could not save: "+err.Error()))
	}
	return resp
}

var releaseNames = []string{"Winter '21", "Spring '21", "Summer '21", "Winter '22", "Spring '22", "Summer '22", "Winter '23", "Spring '23", "Summer '23", "Winter '24", "Spring '24", "Summer '24", "Winter '25", "Spring '25", "Summer '25", "Winter '26"}

func versionsList() []map[string]string {
	var out []map[string]string
	for v := MinVersion; v <= NewestVersion; v++ {
		label := "Version " + strconv.Itoa(v)
		if i := v - MinVersion; i < len(releaseNames) {
			label = releaseNames[i]
		}
		out = append(out, map[string]string{"label": label, "url": fmt.Sprintf("/services/data/v%d.0", v), "version": fmt.Sprintf("%d.0", v)})
	}
	return out
}

// parseHTTPDate reads an If-(Un)Modified-Since value.
func parseHTTPDate(s string) (time.Time, bool) {
	if t, err := http.ParseTime(s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range []string{time.RFC1123Z, time.RFC1123, "Mon, 2 Jan 2006 15:04:05 MST"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
