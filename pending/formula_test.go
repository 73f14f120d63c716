package pending

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// formulaMoves stands for a formula field of a real org whose value changes with the day (a
// TODAY() in it): once moved, every reply carries another value of the contact's Full Name (a
// field the describe says is calculated) while SystemModstamp stays where it was. Nobody wrote
// the record.
type formulaMoves struct {
	base     http.RoundTripper
	from, to []byte
	moved    atomic.Bool
}

func (f *formulaMoves) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := f.base.RoundTrip(req)
	if err != nil || !f.moved.Load() {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	body = bytes.ReplaceAll(body, f.from, f.to)
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// formulaHarness has alex's contact cached, the newest the org stamped (so that a refresh's
// overlap reads it again), and a formula of it that moves when told to.
func formulaHarness(t *testing.T, strict bool) (*harness, *formulaMoves, string) {
	h := newHarness(t, harnessOpts{size: 60, objects: []string{"Contact"}, strict: strict})
	admin := h.as(t, "admin@demo.example")
	res, err := admin.Query(bg, "SELECT Id, Name FROM Contact WHERE OwnerId = '"+h.users["alex@demo.example"].ID+"' LIMIT 1", 0)
	if err != nil || len(res.Records) == 0 {
		t.Fatalf("alex's contact: %v", err)
	}
	c := res.Records[0].ID()
	name, _ := res.Records[0].Fields["Name"].(string)
	if err := admin.Update(bg, "Contact", c, remote.Fields{"Title": "Base"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	q := func(s string) []byte { return []byte(`"Name":` + strconv.Quote(s)) }
	fm := &formulaMoves{base: h.faults.base, from: q(name), to: q(name + " (day 2)")}
	h.faults.base = fm
	return h, fm, c
}

// A delete reads the record first. A formula whose value moved overnight, SystemModstamp
// unmoved, is no other user's change: the delete goes out.
func TestADeleteIsNoConflictWhenOnlyAFormulaMoved(t *testing.T) {
	h, fm, c := formulaHarness(t, false)
	h.eng.SetOnline(false)
	if err := h.eng.Delete(bg, "Contact", c); err != nil {
		t.Fatal(err)
	}
	next := h.clock.Now().Truncate(24 * time.Hour).Add(24*time.Hour + time.Minute)
	h.clock.Set(next)
	fm.moved.Store(true)
	h.eng.SetOnline(true)
	h.sync(t)
	if rv, err := h.eng.Record(bg, "Contact", c); err == nil && rv.Entry != nil {
		t.Fatalf("entry %+v; want the delete sent", *rv.Entry)
	}
	if n := countOnOrg(t, h, "SELECT Id FROM Contact WHERE Id = '"+c+"'"); n != 0 {
		t.Fatalf("the contact is still on the org")
	}
}

// The judgement before a send, in strict mode (any other user's change is a conflict): a
// cached copy with the base's stamp whose only other value is a formula's is no conflict.
func TestAnUpdateIsNoConflictWhenOnlyAFormulaMoved(t *testing.T) {
	h, fm, c := formulaHarness(t, true)
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c, remote.Fields{"Title": "Mine"}); err != nil {
		t.Fatal(err)
	}
	fm.moved.Store(true)
	h.eng.SetOnline(true)
	// A refresh first (its overlap reads the record again): it stores the moved formula.
	r := newRun(&Summary{})
	if err := h.eng.ensureDescribes(bg, r); err != nil {
		t.Fatal(err)
	}
	if err := h.eng.syncDown(bg, r); err != nil {
		t.Fatal(err)
	}
	if rv, _ := h.eng.Record(bg, "Contact", c); !bytes.Contains(fm.to, []byte(rv.Server["Name"].(string))) {
		t.Fatalf("the refresh stored Name %v, not the moved formula", rv.Server["Name"])
	}
	h.sync(t)
	if rv, err := h.eng.Record(bg, "Contact", c); err == nil && rv.Entry != nil {
		t.Fatalf("entry %+v; want the change sent", *rv.Entry)
	}
	if got := h.serverRecord(t, "Contact", c).Fields["Title"]; got != "Mine" {
		t.Fatalf("the org has Title %v", got)
	}
}

// A change of a contact's Last Name moves its Full Name (calculated): the org's copy after the
// update holds no other user's change, and the log says none was kept.
func TestANameTheOrgDerivesFromMyChangeIsNotAnotherUsersChange(t *testing.T) {
	h := newHarness(t, harnessOpts{size: 60, objects: []string{"Contact"}})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"LastName": "Renamed"}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	acts, err := h.eng.Activity(bg, c.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acts {
		if strings.Contains(a.Note, "kept another user's change") {
			t.Fatalf("logged %q", a.Note)
		}
	}
}
