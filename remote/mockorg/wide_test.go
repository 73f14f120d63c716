package mockorg

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// extraNames names the fields Options.ExtraFields adds, first to last.
func extraNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = extraField(i + 1).Name
	}
	return out
}

func TestExtraFieldsAreDescribedQueriedAndWritten(t *testing.T) {
	e := newEnv(t, Options{ExtraFields: map[string]int{"Account": 450}})
	var d struct {
		Fields []struct {
			Name      string `json:"name"`
			Custom    bool   `json:"custom"`
			Updatable bool   `json:"updateable"`
		} `json:"fields"`
	}
	e.do(e.alex, "GET", v+"/sobjects/Account/describe", nil).want(t, 200).json(t, &d)
	have := map[string]bool{}
	for _, f := range d.Fields {
		have[f.Name] = f.Custom && f.Updatable
	}
	for _, name := range extraNames(450) {
		if !have[name] {
			t.Fatalf("describe of Account lacks the updatable custom field %s", name)
		}
	}
	id := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+ID("005", 1)+"' LIMIT 1")
	last := extraNames(450)[449]
	e.do(e.alex, "PATCH", v+"/sobjects/Account/"+id, map[string]any{last: "kept"}).want(t, http.StatusNoContent)
	got := e.query(e.alex, "SELECT "+last+" FROM Account WHERE Id = '"+id+"'")
	if len(got) != 1 || got[0][last] != "kept" {
		t.Fatalf("query after the write = %v", got)
	}
	// Other objects, and other orgs, keep their fields.
	e.do(e.alex, "GET", v+"/query?q="+urlQueryEscape("SELECT "+last+" FROM Contact LIMIT 1"), nil).want(t, 400)
	other := newEnv(t, Options{})
	other.do(other.alex, "GET", v+"/query?q="+urlQueryEscape("SELECT "+last+" FROM Account LIMIT 1"), nil).want(t, 400)
}

func TestExtraFieldsOnAnUnknownObjectOrTooManyAreRefused(t *testing.T) {
	for _, extra := range []map[string]int{{"Acount": 5}, {"User": 5}, {"Account": 801}, {"Account": -1}} {
		if org, err := Open(Options{ExtraFields: extra}); err == nil {
			org.Close()
			t.Errorf("Open with ExtraFields %v: no error", extra)
		}
	}
}

// A real org answers a request whose URL and headers pass 16,384 bytes from its front end:
// 414 for a URL over it, 431 for URL and headers together over it.
func TestRequestHeadOverTheLimitIsRefused(t *testing.T) {
	e := newEnv(t, Options{})
	base := v + "/query?q=" + urlQueryEscape("SELECT Id FROM Account WHERE Name != '")
	pad := func(n int) string {
		return strings.Repeat("x", n-len(base)-len(urlQueryEscape("' LIMIT 1"))) + urlQueryEscape("' LIMIT 1")
	}
	e.do(e.alex, "GET", base+pad(8000), nil).want(t, 200)
	r := e.do(e.alex, "GET", base+pad(MaxRequestHead+1), nil).want(t, http.StatusRequestURITooLong)
	if !strings.Contains(string(r.Body), "URI Too Long") {
		t.Errorf("414 body = %q", r.Body)
	}
	e.do(e.alex, "GET", base+pad(MaxRequestHead-200), nil, "X-Padding", strings.Repeat("y", 300)).want(t, http.StatusRequestHeaderFieldsTooLarge)
	e.do(e.alex, "GET", base+pad(MaxRequestHead-600), nil).want(t, 200)
}

// An org kept in a file and opened again with other extra fields says its describes changed:
// a device that read them before asks again (If-Modified-Since) and gets the new fields.
func TestReopenedWithOtherExtraFieldsTheDescribesChanged(t *testing.T) {
	path := t.TempDir() + "/org.db"
	clk := newClock()
	describeSince := func(extra map[string]int, since string) int {
		t.Helper()
		org, err := Open(Options{Seed: 1, DBPath: path, Now: clk.Now, ExtraFields: extra})
		if err != nil {
			t.Fatal(err)
		}
		defer org.Close()
		e := &env{t: t, org: org, h: org.Handler(), clk: clk}
		return e.do(e.token("alex@demo.example"), "GET", v+"/sobjects/Account/describe", nil, "If-Modified-Since", since).Status
	}
	since := clk.Now().UTC().Format(http.TimeFormat)
	if got := describeSince(nil, since); got != http.StatusNotModified {
		t.Fatalf("fresh org: describe since now = %d, want 304", got)
	}
	clk.Advance(time.Minute)
	if got := describeSince(map[string]int{"Account": 5}, since); got != http.StatusOK {
		t.Fatalf("reopened with extra fields: describe since before = %d, want 200", got)
	}
	since = clk.Now().UTC().Format(http.TimeFormat)
	clk.Advance(time.Minute)
	if got := describeSince(map[string]int{"Account": 5}, since); got != http.StatusNotModified {
		t.Fatalf("reopened with the same extra fields: %d, want 304", got)
	}
	clk.Advance(time.Minute)
	if got := describeSince(nil, since); got != http.StatusOK {
		t.Fatalf("reopened without them: %d, want 200", got)
	}
}

// A record's stamp never goes back: written with milliseconds, then in the same second after the
// org began to keep whole seconds (its profile switched to the real one), or after its clock was
// set back, it keeps the later one.
func TestARecordsStampNeverGoesBackWhenTheProfileSwitches(t *testing.T) {
	e := newEnv(t, Options{})
	e.clk.Advance(232 * time.Millisecond)
	id := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+ID("005", 1)+"' LIMIT 1")
	stampOf := func() string {
		t.Helper()
		got := e.query(e.alex, "SELECT SystemModstamp, LastModifiedDate FROM Account WHERE Id = '"+id+"'")
		if got[0]["SystemModstamp"] != got[0]["LastModifiedDate"] {
			t.Fatalf("stamps differ: %v", got[0])
		}
		return got[0]["SystemModstamp"].(string)
	}
	e.do(e.alex, "PATCH", v+"/sobjects/Account/"+id, map[string]any{"Phone": "1"}).want(t, http.StatusNoContent)
	first := stampOf()
	if !strings.HasSuffix(first, ".232+0000") {
		t.Fatalf("the demo profile's stamp %s", first)
	}
	e.org.SetProfile(ProfileReal)
	e.clk.Advance(300 * time.Millisecond)
	e.do(e.alex, "PATCH", v+"/sobjects/Account/"+id, map[string]any{"Phone": "2"}).want(t, http.StatusNoContent)
	if got := stampOf(); got != first {
		t.Fatalf("a write in the same second after the switch stamped %s, earlier than %s", got, first)
	}
	e.clk.Advance(time.Second)
	e.do(e.alex, "PATCH", v+"/sobjects/Account/"+id, map[string]any{"Phone": "3"}).want(t, http.StatusNoContent)
	later := stampOf()
	if later <= first || !strings.HasSuffix(later, ".000+0000") {
		t.Fatalf("a write a second later stamped %s", later)
	}
	// The org's clock set back: the stamp stays.
	e.clk.Advance(-5 * time.Second)
	e.do(e.alex, "PATCH", v+"/sobjects/Account/"+id, map[string]any{"Phone": "4"}).want(t, http.StatusNoContent)
	if got := stampOf(); got != later {
		t.Fatalf("a write after the clock was set back stamped %s, earlier than %s", got, later)
	}
}
