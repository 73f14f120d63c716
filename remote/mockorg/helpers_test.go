package mockorg

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)} }
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	t     testing.TB
	org   *Org
	h     http.Handler
	clk   *clock
	alex  string
	sam   string
	admin string
}

func newEnv(t testing.TB, opts Options) *env {
	t.Helper()
	clk := newClock()
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	org, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { org.Close() })
	e := &env{t: t, org: org, h: org.Handler(), clk: clk}
	e.alex = e.token("alex@demo.example")
	e.sam = e.token("sam@demo.example")
	e.admin = e.token("admin@demo.example")
	return e
}

func (e *env) token(user string) string {
	e.t.Helper()
	tok, err := e.org.IssueToken(user)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// obj decodes a JSON object reply.
func (r reply) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.json(t, &m)
	return m
}

// code is the errorCode of the first item of an error array.
func (r reply) code(t testing.TB) string {
	t.Helper()
	var items []map[string]any
	if err := json.Unmarshal(r.Body, &items); err != nil || len(items) == 0 {
		t.Fatalf("not an error array (status %d): %s", r.Status, r.Body)
	}
	s, _ := items[0]["errorCode"].(string)
	return s
}

func (e *env) do(token, method, path string, body any, headers ...string) reply {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req := httptest.NewRequest(method, path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return reply{Status: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
}

const v = "/services/data/v62.0"

// want fails the test unless the reply has the status.
func (r reply) want(t testing.TB, status int) reply {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	return r
}

// query runs SOQL and returns the records.
func (e *env) query(token, soql string) []map[string]any {
	e.t.Helper()
	r := e.do(token, "GET", v+"/query?q="+urlQueryEscape(soql), nil).want(e.t, 200)
	var res struct {
		Records []map[string]any `json:"records"`
	}
	r.json(e.t, &res)
	return res.Records
}

// firstID returns the id of the first record a query finds.
func (e *env) firstID(token, soql string) string {
	e.t.Helper()
	recs := e.query(token, soql)
	if len(recs) == 0 {
		e.t.Fatalf("no record for %s", soql)
	}
	return recs[0]["Id"].(string)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
