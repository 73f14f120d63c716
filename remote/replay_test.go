package remote_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// route is one canned reply of the replay server.
type route struct {
	status int
	file   string // under testdata/; "" = body
	body   string
	header map[string]string
}

// seen is one request the replay server received.
type seen struct {
	method, path, rawQuery string
	header                 http.Header
	body                   string
}

// replay is an httptest server answering documented real-org replies from testdata/.
type replay struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	routes map[string][]route // "GET /services/data/v62.0/query": replies in order, the last repeats
	reqs   []seen
}

const testToken = "00DD0000000FJX9!AQ4AQFwMg.secret-access-token"

func newReplay(t *testing.T) *replay {
	t.Helper()
	r := &replay{t: t, routes: map[string][]route{}}
	r.on("GET /services/data/", route{status: 200, file: "versions.json"})
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *replay) on(key string, replies ...route) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes[key] = replies
}

func (r *replay) requests() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

// last returns the last request with the method and path.
func (r *replay) last(method, path string) (seen, bool) {
	rs := r.requests()
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].method == method && rs[i].path == path {
			return rs[i], true
		}
	}
	return seen{}, false
}

func (r *replay) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	key := req.Method + " " + req.URL.Path
	r.mu.Lock()
	r.reqs = append(r.reqs, seen{method: req.Method, path: req.URL.Path, rawQuery: req.URL.RawQuery, header: req.Header.Clone(), body: string(body)})
	replies, ok := r.routes[key]
	var rt route
	if ok {
		rt = replies[0]
		if len(replies) > 1 {
			r.routes[key] = replies[1:]
		}
	}
	r.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]`)
		return
	}
	data := []byte(rt.body)
	if rt.file != "" {
		var err error
		data, err = os.ReadFile(filepath.Join("testdata", rt.file))
		if err != nil {
			r.t.Errorf("fixture: %v", err)
		}
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Sforce-Limit-Info", "api-usage=18/5000")
	for k, v := range rt.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rt.status)
	_, _ = w.Write(data)
}

// client returns a client of the replay server with the given config tweaks.
func (r *replay) client(t *testing.T, tweak func(*remote.Config)) *remote.Client {
	t.Helper()
	cfg := remote.Config{InstanceURL: r.srv.URL, AccessToken: testToken, Username: "alex@demo.example"}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := remote.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func readFixture(name string) ([]byte, error) { return os.ReadFile(filepath.Join("testdata", name)) }

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := readFixture(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustNotContainToken(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, testToken) || strings.Contains(s, "secret-access-token") {
		t.Errorf("%s holds the token: %s", what, s)
	}
}
