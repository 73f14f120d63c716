package pending

// Property tests: lost creates looked for on the org's clock, device clock moves
// and org clock skews, restarts, and refreshes capped at a small PerObject after data loads by
// another user, interleaved with the existing model's local and remote actions.

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

type clockModel struct {
	*model
	perObject int
	loads     int
	lookups   *[]string
}

type lookupLog struct {
	base    http.RoundTripper
	lookups *[]string
	h       *harness
}

func (l lookupLog) RoundTrip(r *http.Request) (*http.Response, error) {
	if q := r.URL.Query().Get("q"); strings.Contains(q, "CreatedDate >=") {
		*l.lookups = append(*l.lookups, "org now "+l.h.clock.Now().Add(-time.Duration(l.h.orgBehind.Load())).Format(time.RFC3339)+": "+q[strings.Index(q, " WHERE "):])
	}
	if isComposite(r) {
		*l.lookups = append(*l.lookups, "composite at org "+l.h.clock.Now().Add(-time.Duration(l.h.orgBehind.Load())).Format(time.RFC3339))
	}
	return l.base.RoundTrip(r)
}

// DeviceClock sets the device's clock (the org's runs on as it did).
func (q *clockModel) DeviceClock(t *rapid.T) {
	d := rapid.SampledFrom([]time.Duration{-2 * time.Hour, -30 * time.Minute, -10 * time.Minute, -6 * time.Minute,
		6 * time.Minute, 10 * time.Minute, 30 * time.Minute, 2 * time.Hour}).Draw(t, "deviceClockBy")
	q.h.clock.Set(q.h.clock.Now().Add(d))
	q.h.orgBehind.Add(int64(d))
}

// TimePasses moves both clocks on.
func (q *clockModel) TimePasses(t *rapid.T) {
	d := time.Duration(rapid.IntRange(1, 900).Draw(t, "secs")) * time.Second
	q.h.clock.Set(q.h.clock.Now().Add(d))
}

// DataLoad: the admin changes more of alex's records than the device keeps per object (a field
// the model does not track), and creates some new ones alex owns.
func (q *clockModel) DataLoad(t *rapid.T) {
	obj := rapid.SampledFrom([]string{"Account", "Contact"}).Draw(t, "loadObject")
	n := rapid.IntRange(q.perObject+1, 3*q.perObject).Draw(t, "loadSize")
	newOnes := rapid.IntRange(0, q.perObject).Draw(t, "loadNew")
	admin := q.h.as(t, "admin@demo.example")
	alex := q.h.users["alex@demo.example"].ID
	res, err := admin.Query(bg, "SELECT Id FROM "+obj+" WHERE OwnerId = '"+alex+"' ORDER BY Id LIMIT "+fmt.Sprint(n), 0)
	if err != nil {
		t.Fatal(err)
	}
	q.loads++
	field := map[string]string{"Account": "Website", "Contact": "Title"}[obj]
	val := fmt.Sprintf("load-%d", q.loads)
	if obj == "Account" {
		val = fmt.Sprintf("https://load%d.example", q.loads)
	}
	for _, r := range res.Records {
		_ = admin.Update(bg, obj, r.ID(), remote.Fields{field: val}, remote.WriteOptions{})
	}
	for i := 0; i < newOnes; i++ {
		f := remote.Fields{"OwnerId": alex}
		if obj == "Account" {
			f["Name"] = fmt.Sprintf("Loaded %d-%d", q.loads, i)
		} else {
			f["LastName"] = fmt.Sprintf("Loaded %d-%d", q.loads, i)
		}
		if _, err := admin.Create(bg, obj, f, remote.WriteOptions{}); err != nil {
			t.Fatalf("load create: %v", err)
		}
	}
}

// SyncFaultNth spoils the nth request of one sync with a fault of some kind.
func (q *clockModel) SyncFaultNth(t *rapid.T) {
	if !q.h.eng.Online() {
		return
	}
	action := rapid.SampledFrom([]string{"lose", "drop", "refuse", "503"}).Draw(t, "action")
	nth := int64(rapid.IntRange(1, 12).Draw(t, "nth"))
	if action == "lose" {
		if ents, err := q.h.eng.Entries(bg); err == nil {
			for _, e := range ents {
				k := q.keyOf(e.RecordID)
				q.inDoubt[k] = true
				delete(q.remoteChanged, k)
			}
		}
	}
	for k := range q.remoteChanged {
		if rv, err := q.h.eng.Record(bg, "", q.serverID(k)); err != nil || rv.Entry == nil {
			delete(q.remoteChanged, k)
		}
	}
	var seen atomic.Int64
	q.h.faults.set(func(r *http.Request) string {
		if seen.Add(1) == nth {
			return action
		}
		return ""
	})
	_, _ = q.h.eng.Sync(bg)
	q.h.faults.set(nil)
	q.checkSynced(t)
	for k := range q.remoteChanged {
		if rv, err := q.h.eng.Record(bg, "", q.serverID(k)); err != nil || rv.Entry == nil {
			delete(q.remoteChanged, k)
		}
	}
}

// cacheMatchesOrg: every cached record with no change equals the org's copy (on the fields
// the cache holds), and the cache holds at most PerObject records per object beyond those with
// changes.
func (q *clockModel) cacheMatchesOrg(t *rapid.T) {
	admin := q.h.as(t, "admin@demo.example")
	ents, err := q.h.eng.Entries(bg)
	if err != nil {
		t.Fatal(err)
	}
	withEntry := map[string]bool{}
	for _, e := range ents {
		withEntry[e.RecordID] = true
	}
	for _, obj := range []string{"Account", "Contact"} {
		var ids []string
		if err := q.h.db.View(bg, func(tx *cache.Tx) error {
			var err error
			ids, err = tx.RecordIDs(bg, obj)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		extra := 0
		for _, id := range ids {
			if withEntry[id] {
				extra++
				continue
			}
			rv, err := q.h.eng.Record(bg, obj, id)
			if err != nil {
				t.Fatalf("cached %s %s: %v", obj, id, err)
			}
			rec, err := admin.Retrieve(bg, obj, id, nil)
			if err != nil {
				t.Fatalf("cached %s %s (no change queued) is not on the org: %v", obj, id, err)
			}
			var diff []string
			for f, v := range rv.Server {
				if f == "attributes" {
					continue
				}
				if ov, ok := rec.Fields[f]; ok && !sameModelValue(f, ov, v) {
					diff = append(diff, fmt.Sprintf("%s: cache %v, org %v", f, v, ov))
				}
			}
			if len(diff) > 0 {
				sort.Strings(diff)
				t.Fatalf("cached %s %s (no change queued) differs from the org after a final sync: %s", obj, id, strings.Join(diff, "; "))
			}
		}
		if len(ids)-extra > q.perObject {
			t.Fatalf("%d %s records cached without changes, PerObject %d", len(ids)-extra, obj, q.perObject)
		}
	}
}

func newClockModel(t *testing.T, rt *rapid.T, keyless bool) *clockModel {
	profile := mockorg.ProfileDemo
	if keyless {
		profile = mockorg.ProfileReal
	}
	skew := rapid.SampledFrom([]time.Duration{-2 * time.Hour, -10 * time.Minute, -3 * time.Minute, 0,
		3 * time.Minute, 10 * time.Minute, 2 * time.Hour}).Draw(rt, "orgBehind")
	h := newHarness(t, harnessOpts{size: 40, profile: profile, objects: []string{"Account", "Contact"}, orgBehind: skew})
	per := rapid.SampledFrom([]int{4, 8, 12}).Draw(rt, "perObject")
	h.opts.PerObject = per
	h.reopen(rt)
	h.org.SetDailyLimit(1 << 30)
	lookups := &[]string{}
	h.faults.base = lookupLog{h.faults.base, lookups, h}
	if _, err := h.eng.Sync(bg); err != nil {
		rt.Fatal(err)
	}
	return &clockModel{model: newSyncedModel(h, rt), perObject: per, lookups: lookups}
}

func (q *clockModel) finalAll(rt *rapid.T) {
	q.final(rt)
	// One more sync without interference, with the comparison of ids due.
	q.h.clock.Set(q.h.clock.Now().Add(10 * time.Minute))
	q.h.eng.SetOnline(false)
	q.h.eng.SetOnline(true)
	if _, err := q.h.eng.Sync(bg); err != nil {
		rt.Fatalf("final sync: %v", err)
	}
	q.cacheMatchesOrg(rt)
}

func (q *clockModel) actions(withProfile bool) map[string]func(*rapid.T) {
	a := map[string]func(*rapid.T){
		"":            q.checkNoDuplicate,
		"create":      q.Create,
		"edit":        q.Edit,
		"delete":      q.Delete,
		"remoteEdit":  q.RemoteEditInDoubt,
		"toggle":      q.Toggle,
		"sync":        q.Sync,
		"syncLose":    q.SyncLose,
		"syncDrop":    q.SyncDrop,
		"syncFault":   q.SyncFaultNth,
		"reopen":      q.Reopen,
		"deviceClock": q.DeviceClock,
		"timePasses":  q.TimePasses,
		"dataLoad":    q.DataLoad,
	}
	if withProfile {
		a["profile"] = q.SwitchProfile
	}
	return a
}

func TestModelClocksSetLostCreatesAndDataLoads(t *testing.T) {
	fewerChecks(t, 30)
	rapid.Check(t, func(rt *rapid.T) {
		keyless := rapid.Bool().Draw(rt, "keyless")
		q := newClockModel(t, rt, keyless)
		defer q.h.close()
		rt.Repeat(q.actions(!keyless))
		q.finalAll(rt)
	})
}

// checkNoDuplicate dumps what the device and the org hold for a duplicated create before the model's
// Check fails on it.
func (q *clockModel) checkNoDuplicate(t *rapid.T) {
	for tag := range q.tags {
		if n := q.orgCount(t, tag); n > 1 {
			for _, obj := range []string{"Account", "Contact"} {
				nf := map[string]string{"Account": "Name", "Contact": "LastName"}[obj]
				res, _ := q.h.as(t, "admin@demo.example").Query(bg, "SELECT Id, CreatedDate, CreatedById, Phone, Description FROM "+obj+" WHERE "+nf+" = '"+tag+"'", 0)
				for _, r := range res.Records {
					t.Logf("org %s: %v", obj, r.Fields)
				}
			}
			rows, _ := q.h.db.SQL().Query(`SELECT id, record_id, op, status, changes, sent_at, sent_org_at, first_sent_org_at, created_at, sent, unknown, no_reply, attempts FROM entries`)
			for rows != nil && rows.Next() {
				var id, rid, op, st, ch, sent string
				var sa, soa, fsoa, ca int64
				var unk, nr, att int
				_ = rows.Scan(&id, &rid, &op, &st, &ch, &sa, &soa, &fsoa, &ca, &sent, &unk, &nr, &att)
				t.Logf("entry %s %s %s %s %s sent_at=%s sent_org_at=%s first_sent_org_at=%s created=%s sent=%s unknown=%d noReply=%d attempts=%d",
					id, rid, op, st, ch, cache.FromMS(sa).Format(time.RFC3339), cache.FromMS(soa).Format(time.RFC3339), cache.FromMS(fsoa).Format(time.RFC3339), cache.FromMS(ca).Format(time.RFC3339), sent, unk, nr, att)
			}
			acts, _ := q.h.eng.Activity(bg, "", 200)
			for _, a := range acts {
				t.Logf("activity: %+v", a)
			}
			for _, l := range *q.lookups {
				t.Logf("lookup: %s", l)
			}
			t.Logf("device now %s, org behind %s", q.h.clock.Now().Format(time.RFC3339), time.Duration(q.h.orgBehind.Load()))
			t.Fatalf("%d records with tag %q: duplicated", n, tag)
		}
	}
	q.Check(t)
}

// fewerChecks runs a long property test with n cases instead of rapid's default, unless the
// long checks run (OE_LONG=1) or -rapid.checks was given: .ci/run stays within its time on two
// cores, and the long run takes the full number.
func fewerChecks(t *testing.T, n int) {
	f := flag.Lookup("rapid.checks")
	if f == nil || os.Getenv("OE_LONG") == "1" || f.Value.String() != f.DefValue {
		return
	}
	if err := f.Value.Set(strconv.Itoa(n)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Value.Set(f.DefValue) })
}
