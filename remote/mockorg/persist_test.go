package mockorg

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// reopen closes an org on a file database and opens it again with the same clock.
func reopen(t *testing.T, e *env, path string) *env {
	t.Helper()
	if err := e.org.Close(); err != nil {
		t.Fatal(err)
	}
	org, err := Open(Options{DBPath: path, Now: e.clk.Now, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { org.Close() })
	e2 := &env{t: t, org: org, h: org.Handler(), clk: e.clk}
	e2.alex, e2.admin = e2.token("alex@demo.example"), e2.token("admin@demo.example")
	return e2
}

func TestCompositeUpdatesAndCountersSurviveAReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "org.db")
	e := newEnv(t, Options{DBPath: path})
	ids := []string{}
	for _, r := range e.query(e.alex, "SELECT Id FROM Contact WHERE OwnerId = '"+e.org.users[0].ID+"' LIMIT 24") {
		ids = append(ids, r["Id"].(string))
	}
	since := e.clk.Now().Add(time.Hour).Format(http.TimeFormat)
	retrieve := v + "/composite/sobjects/Contact?ids=" + strings.Join(ids, ",") + "&fields=Id,Title,Phone"
	e.clk.Advance(time.Minute)
	e.do(e.alex, "POST", v+"/composite", compositeUpdateBody(ids, since, retrieve, 7)).want(t, 200)
	caseID := e.do(e.alex, "POST", v+"/sobjects/Case", map[string]any{"Subject": "first"}).want(t, 201).obj(t)["id"].(string)
	// A commit that creates nothing leaves the counters as they are.
	e.do(e.alex, "PATCH", v+"/sobjects/Case/"+caseID, map[string]any{"Subject": "first, edited"}).want(t, 204)

	e = reopen(t, e, path)
	for j, r := range e.query(e.alex, "SELECT Id, Title, Phone, LastModifiedDate FROM Contact WHERE Id IN ('"+strings.Join(ids, "','")+"')") {
		if r["Title"] != "T7" {
			t.Errorf("contact %d after reopen: %v", j, r)
		}
		if r["LastModifiedDate"] != formatWireTime(e.clk.Now()) {
			t.Errorf("contact %d LastModifiedDate %v, want %s", j, r["LastModifiedDate"], formatWireTime(e.clk.Now()))
		}
	}
	phones := 0
	for _, r := range e.query(e.alex, "SELECT Phone FROM Contact WHERE Phone = '555-1007'") {
		if r["Phone"] == "555-1007" {
			phones++
		}
	}
	if phones != 12 {
		t.Errorf("%d contacts with the new phone after reopen, want 12", phones)
	}
	got := e.do(e.alex, "GET", v+"/sobjects/Case/"+caseID, nil).want(t, 200).obj(t)
	if got["Subject"] != "first, edited" {
		t.Errorf("case after reopen: %v", got["Subject"])
	}
	next := e.do(e.alex, "POST", v+"/sobjects/Case", map[string]any{"Subject": "second"}).want(t, 201).obj(t)
	if next["id"].(string) <= caseID {
		t.Errorf("id %s reused after reopen (last %s)", next["id"], caseID)
	}
	nums := map[string]bool{}
	for _, r := range e.query(e.admin, "SELECT CaseNumber FROM Case") {
		n := fmt.Sprint(r["CaseNumber"])
		if nums[n] {
			t.Errorf("case number %s given twice", n)
		}
		nums[n] = true
	}
}

func TestCountersWrittenAfterAResetSurviveAReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "org.db")
	e := newEnv(t, Options{DBPath: path})
	e.do(e.alex, "POST", v+"/sobjects/Case", map[string]any{"Subject": "before reset"}).want(t, 201)
	if err := e.org.Reset(); err != nil {
		t.Fatal(err)
	}
	// After the reset the counter climbs back to the value it had before; that value must
	// still be stored, or the next id after a reopen would be handed out again.
	id := e.do(e.alex, "POST", v+"/sobjects/Case", map[string]any{"Subject": "after reset"}).want(t, 201).obj(t)["id"].(string)
	e = reopen(t, e, path)
	next := e.do(e.alex, "POST", v+"/sobjects/Case", map[string]any{"Subject": "after reopen"}).want(t, 201).obj(t)["id"].(string)
	if next <= id {
		t.Fatalf("id %s handed out again after reopen (last %s)", next, id)
	}
	if got := e.do(e.alex, "GET", v+"/sobjects/Case/"+id, nil).want(t, 200).obj(t); got["Subject"] != "after reset" {
		t.Fatalf("case %s after reopen: %v", id, got["Subject"])
	}
}

func TestStoredRecordDataHoldsEveryNonNullField(t *testing.T) {
	obj := theSchema.object("Contact")
	r := &rec{ID: "003000000000001AAA", Object: obj, F: map[string]any{
		"Id": "003000000000001AAA", "LastName": "Ng <Jr> \"Q\"", "FirstName": nil, "Title": "VP",
		"IsDeleted": false, "Amount_Not_In_Schema": 12.5, "lastname": "other key, same letters",
	}}
	var got map[string]any
	if err := json.Unmarshal(recordData(r), &got); err != nil {
		t.Fatalf("invalid JSON %s: %v", recordData(r), err)
	}
	want := map[string]any{}
	for k, v := range r.F {
		if v != nil {
			want[k] = v
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("stored %v\nwant   %v", got, want)
	}
}

func TestStoredWireTimesParseAsTimeParseDoes(t *testing.T) {
	for _, s := range []string{
		"2024-03-04T10:00:00.000+0000", "2024-02-29T23:59:59.999+0000", "2023-02-29T10:00:00.000+0000",
		"2024-04-31T10:00:00.000+0000", "2024-13-01T10:00:00.000+0000", "2024-00-01T10:00:00.000+0000",
		"2024-01-00T10:00:00.000+0000", "2024-01-01T24:00:00.000+0000", "2024-01-01T10:60:00.000+0000",
		"2024-01-01T10:00:60.000+0000", "0000-01-01T00:00:00.000+0000", "9999-12-31T23:59:59.999+0000",
		"2024-01-01T10:00:00.000+0100", "2024-01-01T10:00:00.000Z", "2024-01-01T10:00:00+0000",
		"2024-1-01T10:00:00.000+00000", "2024-01-01T1a:00:00.000+0000", "+024-01-01T10:00:00.000+0000",
		"2024-01-01 10:00:00.000+0000", "",
	} {
		fast, ok := parseStoredWireTime(s)
		slow, err := time.Parse(wireTime, s)
		if !ok {
			continue // parseWireTime goes on to time.Parse
		}
		if err != nil || !fast.Equal(slow) || fast.Location() != time.UTC {
			t.Errorf("%q: fast %v, time.Parse %v (%v)", s, fast, slow, err)
		}
	}
	if _, ok := parseStoredWireTime(formatWireTime(time.Date(2024, 3, 4, 10, 0, 0, 5e6, time.UTC))); !ok {
		t.Error("the stored form is not read by the fast path")
	}
}

func TestAReopenDropsAccessTokensOlderThanADay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "org.db")
	e := newEnv(t, Options{DBPath: path})
	old := e.alex
	e.clk.Advance(25 * time.Hour)
	e = reopen(t, e, path) // signs alex and the admin in again
	var access int
	if err := e.org.db.QueryRow(`SELECT COUNT(*) FROM tokens WHERE kind = 'access'`).Scan(&access); err != nil {
		t.Fatal(err)
	}
	if access != 2 {
		t.Fatalf("%d access tokens kept, want the two issued since the reopen", access)
	}
	e.do(old, "GET", v+"/limits", nil).want(t, 401)
	e.do(e.alex, "GET", v+"/limits", nil).want(t, 200)
}

func TestAnOrgOnAFileIsOpenedByOneOpenerAtATime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "org.db")
	first, err := Open(Options{DBPath: path, Seed: 1, Size: 20})
	if err != nil {
		t.Fatal(err)
	}
	// A second opener (another process, or this one) would keep its own copy in memory and hand
	// out the ids the first does.
	if _, err := Open(Options{DBPath: path, Seed: 1, Size: 20}); !errors.Is(err, ErrInUse) {
		t.Fatalf("second open: %v, want ErrInUse", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(Options{DBPath: path, Seed: 1, Size: 20})
	if err != nil {
		t.Fatalf("open after the first closed: %v", err)
	}
	again.Close()
}

// The org's file keeps bearer tokens: it and its -wal are the owner's alone, and the file is
// the one the path names even when the path holds characters a URI gives a meaning to.
func TestAnOrgFileIsPrivateAndWhereItsPathSays(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "q#x ?y %41")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "org.db")
	org, err := Open(Options{DBPath: path, Seed: 1, Size: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	for _, p := range []string{path, path + "-wal"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v (files in the directory's parent: %v)", p, err, mustGlob(t, filepath.Join(filepath.Dir(dir), "*")))
		}
		if perm := st.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %o, want 600", p, perm)
		}
	}
	if err := org.Close(); err != nil {
		t.Fatal(err)
	}
	// A file an earlier release left readable by all is made private when opened.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := Open(Options{DBPath: path, Seed: 1, Size: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("reopened file has mode %o, want 600", st.Mode().Perm())
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
