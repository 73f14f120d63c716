package remote

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// InProcess returns a RoundTripper that serves each request by calling h directly: no socket,
// no goroutine, the same bytes a listener would carry. A panic in h becomes an error.
func InProcess(h http.Handler) http.RoundTripper { return inProcess{h: h} }

type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		if body, err = readBody(req.Body, req.ContentLength, 1<<40); err != nil {
			return nil, fmt.Errorf("in-process transport: reading the request body: %w", err)
		}
	}
	sreq := req.Clone(req.Context())
	sreq.Body = io.NopCloser(bytes.NewReader(body))
	sreq.ContentLength = int64(len(body))
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "127.0.0.1:0"
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}
	if sreq.Proto == "" {
		sreq.Proto, sreq.ProtoMajor, sreq.ProtoMinor = "HTTP/1.1", 1, 1
	}
	w := &recorder{header: http.Header{}}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				resp, err = nil, fmt.Errorf("in-process transport: handler aborted %s %s", req.Method, req.URL.Path)
				return
			}
			resp, err = nil, fmt.Errorf("in-process transport: handler panicked on %s %s: %v", req.Method, req.URL.Path, p)
		}
	}()
	t.h.ServeHTTP(w, sreq)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	out := w.body.Bytes()
	if req.Method == http.MethodHead {
		out = nil
	}
	h := w.header.Clone()
	if h.Get("Content-Length") == "" {
		h.Set("Content-Length", strconv.Itoa(len(out)))
	}
	return &http.Response{
		Status:        strconv.Itoa(w.status) + " " + http.StatusText(w.status),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(out)),
		ContentLength: int64(len(out)),
		Request:       req,
	}, nil
}

// recorder is the ResponseWriter of an in-process call.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

// Flush lets handlers that flush work in-process; the body is delivered at the end anyway.
func (r *recorder) Flush() {}
