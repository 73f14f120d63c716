package mockorg

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBadBodiesGetClearErrors(t *testing.T) {
	e := newEnv(t, Options{})
	for _, body := range []string{"", "{", "[1,2]", `{"Name": "a"} trailing`, "null", `"text"`, `{"Name": {"nested": 1}}`} {
		r := e.do(e.alex, "POST", v+"/sobjects/Account", body).want(t, 400)
		if c := r.code(t); c != "JSON_PARSER_ERROR" {
			t.Errorf("body %q: %s", body, r.Body)
		}
	}
	big := `{"Name":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
	if c := e.do(e.alex, "POST", v+"/sobjects/Account", big).want(t, 413).code(t); c != "REQUEST_ENTITY_TOO_LARGE" {
		t.Fatalf("413 code %s", c)
	}
	for _, p := range []string{v + "/composite", v + "/composite/sobjects", v + "/composite/batch"} {
		e.do(e.alex, "POST", p, "{oops").want(t, 400)
	}
}

func TestGzipRequestBodiesAreAccepted(t *testing.T) {
	e := newEnv(t, Options{})
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"Name":"Zipped"}`))
	zw.Close()
	e.do(e.alex, "POST", v+"/sobjects/Account", buf.Bytes(), "Content-Encoding", "gzip").want(t, 201)
	e.do(e.alex, "POST", v+"/sobjects/Account", "not gzip", "Content-Encoding", "gzip").want(t, 400)
}

func TestPanicsBecome500UnknownException(t *testing.T) {
	h := recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 500 || !strings.Contains(w.Body.String(), "UNKNOWN_EXCEPTION") || w.Header().Get("Content-Type") != jsonType {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestFileDatabaseSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "org.db")
	clk := newClock()
	org, err := Open(Options{DBPath: path, Now: clk.Now, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, org: org, h: org.Handler(), clk: clk}
	e.alex, e.admin = e.token("alex@demo.example"), e.token("admin@demo.example")
	id := e.do(e.alex, "POST", v+"/sobjects/Case", map[string]any{"Subject": "Persist me", "Offline_Key__c": "case-key"}).want(t, 201).obj(t)["id"].(string)
	gone := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+org.users[0].ID+"'")
	e.do(e.alex, "DELETE", v+"/sobjects/Account/"+gone, nil).want(t, 204)
	rule := e.do(e.admin, "POST", "/mockorg/v1/rules", map[string]any{"object": "Lead", "kind": "required", "field": "Email"}).want(t, 201).obj(t)["id"]
	e.do(e.admin, "POST", "/mockorg/v1/profile", map[string]any{"profile": "real"}).want(t, 200)
	count := len(e.query(e.admin, "SELECT Id FROM Contact"))
	alexTok := e.alex
	if err := org.Close(); err != nil {
		t.Fatal(err)
	}

	org2, err := Open(Options{DBPath: path, Now: clk.Now, Seed: 99})
	if err != nil {
		t.Fatal(err)
	}
	defer org2.Close()
	e2 := &env{t: t, org: org2, h: org2.Handler(), clk: clk, alex: alexTok}
	e2.admin = e2.token("admin@demo.example")
	got := e2.do(alexTok, "GET", v+"/sobjects/Case/"+id, nil).want(t, 200).obj(t)
	if got["Subject"] != "Persist me" {
		t.Fatalf("case after restart %v", got)
	}
	if c := e2.do(alexTok, "DELETE", v+"/sobjects/Account/"+gone, nil).want(t, 404).code(t); c != "ENTITY_IS_DELETED" {
		t.Fatalf("recycle bin after restart: %s", c)
	}
	if n := len(e2.query(e2.admin, "SELECT Id FROM Contact")); n != count {
		t.Fatalf("contacts %d, want %d (reseeded?)", n, count)
	}
	if org2.Profile() != ProfileReal || len(org2.Rules()) != 3 || org2.Rules()[2].ID != rule {
		t.Fatalf("profile %s rules %v", org2.Profile(), org2.Rules())
	}
	newID := e2.do(alexTok, "POST", v+"/sobjects/Case", map[string]any{"Subject": "After"}).want(t, 201).obj(t)["id"].(string)
	if newID <= id {
		t.Fatalf("id %s reused after restart (last %s)", newID, id)
	}
	org2.SetProfile(ProfileDemo)
	if c := e2.do(alexTok, "POST", v+"/sobjects/Case", map[string]any{"Subject": "x", "Offline_Key__c": "case-key"}).want(t, 400).code(t); c != "DUPLICATE_VALUE" {
		t.Fatalf("unique key after restart: %s", c)
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{{Size: -1}, {Size: MaxSize + 1}, {Profile: "strict"}, {DBPath: filepath.Join(t.TempDir(), "missing", "dir", "x.db")}} {
		if org, err := Open(o); err == nil {
			org.Close()
			t.Errorf("Open(%+v) succeeded", o)
		}
	}
	if _, err := (&Org{}).IssueToken("nobody"); err == nil {
		t.Error("IssueToken for an unknown user succeeded")
	}
}

func TestConcurrentRequestsAreSafe(t *testing.T) {
	e := newEnv(t, Options{})
	ids := []string{}
	for _, r := range e.query(e.alex, "SELECT Id FROM Contact WHERE OwnerId = '"+e.org.users[0].ID+"' LIMIT 5") {
		ids = append(ids, r["Id"].(string))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				var r reply
				switch i % 4 {
				case 0:
					r = e.do(e.alex, "PATCH", v+"/sobjects/Contact/"+ids[i%len(ids)], map[string]any{"Title": fmt.Sprintf("w%d-%d", w, i)})
				case 1:
					r = e.do(e.alex, "GET", v+"/query?q="+urlQueryEscape("SELECT Id, Title, Account.Name FROM Contact ORDER BY Title"), nil)
				case 2:
					r = e.do(e.sam, "POST", v+"/sobjects/Lead", map[string]any{"LastName": "L", "Company": "C"})
				default:
					r = e.do(e.alex, "GET", v+"/sobjects/Contact/"+ids[i%len(ids)], nil)
				}
				if r.Status >= 300 {
					errs <- fmt.Sprintf("%d %s", r.Status, r.Body)
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestDefaultOrgStartsFastAnd100kIsServed(t *testing.T) {
	start := time.Now()
	e := newEnv(t, Options{})
	e.do(e.alex, "GET", v+"/query?q="+urlQueryEscape("SELECT Id FROM Account"), nil).want(t, 200)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("default org took %s to open and answer", d)
	}
	if testing.Short() {
		t.Skip("100k seed skipped in -short")
	}
	big := newEnv(t, Options{Size: 100000, DBPath: filepath.Join(t.TempDir(), "big.db")})
	var res queryResult
	big.do(big.admin, "GET", v+"/query?q="+urlQueryEscape("SELECT COUNT() FROM Contact"), nil).want(t, 200).json(t, &res)
	total := res.TotalSize
	for _, obj := range []string{"Account", "Opportunity", "Lead", "Case", "Task"} {
		big.do(big.admin, "GET", v+"/query?q="+urlQueryEscape("SELECT COUNT() FROM "+obj), nil).want(t, 200).json(t, &res)
		total += res.TotalSize
	}
	if total < 90000 || total > 110000 {
		t.Fatalf("100k seed made %d records", total)
	}
	var page queryResult
	r := big.do(big.alex, "GET", v+"/query?q="+urlQueryEscape("SELECT Id, Name, Account.Name FROM Contact ORDER BY Name"), nil).want(t, 200)
	if err := json.Unmarshal(r.Body, &page); err != nil || len(page.Records) != 2000 || page.Done {
		t.Fatalf("first page: %d records, done %v", len(page.Records), page.Done)
	}
}
