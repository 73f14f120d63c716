//go:build unix

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// appEnv makes the test binary run the app itself (see TestMain), so that a real process can
// be killed with SIGKILL at any instant.
const appEnv = "OE_TEST_RUN_APP"

// killWorld is a mock org served over HTTP (it outlives the killed clients) and one device.
type killWorld struct {
	t     *testing.T
	org   *mockorg.Org
	url   string
	dir   string
	db    string
	rng   *rand.Rand
	batch int

	perObject int // records per object the device caches

	// The oracle: what the org must hold once everything has synced.
	titles   map[string]string // Contact id → Title the last edit gave it
	accounts map[string]bool   // names of Accounts created offline
	children map[string]string // LastName of a Contact created offline → its new parent's Name
	deleted  map[string]bool   // ids of Opportunities deleted offline
	touched  map[string]bool   // records edited or deleted (each once per batch, never both)
}

func (w *killWorld) flags() []string {
	return []string{"--data-dir", w.dir, "--db", w.db, "--org", w.url, "--user", "alex@demo.example",
		"--per-object", strconv.Itoa(w.perObject)}
}

// app runs the app in a child process.
func (w *killWorld) app(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append(w.flags(), args...)...)
	cmd.Env = append(os.Environ(), appEnv+"=1", "XDG_DATA_HOME="+w.dir)
	return cmd
}

// here runs the app in this process (for the steps that are not being killed).
func (w *killWorld) here(stdin string, args ...string) string {
	w.t.Helper()
	root := newRootCmd()
	var out strings.Builder
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(append(w.flags(), args...))
	if err := root.ExecuteContext(context.Background()); err != nil {
		w.t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// queued counts the device's pending changes (straight from its database: the app is not running).
func (w *killWorld) queued() int {
	w.t.Helper()
	db, err := cache.Open(w.db)
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM entries`).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *killWorld) entries() []pending.Entry {
	w.t.Helper()
	var es []pending.Entry
	if err := json.Unmarshal([]byte(w.here("", "pending", "--json")), &es); err != nil {
		w.t.Fatal(err)
	}
	return es
}

// cachedIDs lists the ids of cached records of object that alex owns (others' records may be
// shared read-only).
func (w *killWorld) cachedIDs(object string) []string {
	w.t.Helper()
	db, err := cache.Open(w.db)
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	var alex string
	for _, u := range w.org.Users() {
		if u.Username == "alex@demo.example" {
			alex = u.ID
		}
	}
	rows, err := db.SQL().Query(`SELECT id FROM records WHERE object = ? AND server IS NOT NULL
		AND json_extract(server, '$.OwnerId') = ?`, object, alex)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			w.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// queue queues n changes offline: 60 % edits, 25 % creates (half of them Contacts whose parent
// Account was created offline in the same batch), 15 % deletes.
func (w *killWorld) queue(n int) {
	w.t.Helper()
	w.batch++
	b := w.batch
	clear(w.touched)
	contacts, opps := w.cachedIDs("Contact"), w.cachedIDs("Opportunity")
	var lines []string
	line := func(v map[string]any) {
		j, _ := json.Marshal(v)
		lines = append(lines, string(j))
	}
	pick := func(ids []string) string {
		for range min(50, len(ids)) {
			id := ids[w.rng.IntN(len(ids))]
			if !w.touched[id] && !w.deleted[id] {
				w.touched[id] = true
				return id
			}
		}
		return ""
	}
	creates, deletes := n/4, n*15/100
	edits := n - creates - deletes
	for i := range edits {
		if id := pick(contacts); id != "" {
			title := fmt.Sprintf("k%d-%d", b, i)
			line(map[string]any{"op": "edit", "object": "Contact", "record": id, "fields": map[string]any{"Title": title}})
			w.titles[id] = title
		}
	}
	parents := creates / 2
	for i := range parents {
		name := fmt.Sprintf("Kill %d-%d", b, i)
		line(map[string]any{"op": "new", "object": "Account", "fields": map[string]any{"Name": name}})
		w.accounts[name] = true
	}
	for range deletes {
		if id := pick(opps); id != "" {
			line(map[string]any{"op": "delete", "object": "Opportunity", "record": id})
			w.deleted[id] = true
		}
	}
	w.here(strings.Join(lines, "\n"), "apply")
	// Children point at the local ids of the new Accounts.
	local := map[string]string{}
	for _, e := range w.entries() {
		if e.Op == pending.OpCreate && e.Object == "Account" {
			if name, _ := e.Changes["Name"].(string); name != "" {
				local[name] = e.RecordID
			}
		}
	}
	lines = lines[:0]
	for i := range creates - parents {
		parent := fmt.Sprintf("Kill %d-%d", b, i%max(parents, 1))
		last := fmt.Sprintf("Kid %d-%d", b, i)
		line(map[string]any{"op": "new", "object": "Contact", "fields": map[string]any{"LastName": last, "AccountId": local[parent]}})
		w.children[last] = parent
	}
	w.here(strings.Join(lines, "\n"), "apply")
}

// TestKillNineAtRandomInstantsLosesAndDuplicatesNothing kills `offline-edit sync` with SIGKILL
// at seeded random instants while it pushes edits, creates (parents and children) and deletes,
// then lets a last sync finish and compares the org with what was queued. It runs against both
// profiles: the demo org, where creates are upserts on Offline_Key__c, and the real-org profile,
// where they are plain POSTs and a create whose reply was lost is found by a lookup. OE_KILLS
// (per profile) and OE_KILL_BATCH scale it (.ci/long: 50 kills per profile over batches of
// 3,000 changes).
func TestKillNineAtRandomInstantsLosesAndDuplicatesNothing(t *testing.T) {
	kills, perBatch := 24, 400 // per profile
	if raceEnabled {
		kills, perBatch = 4, 200
	}
	if n, err := strconv.Atoi(os.Getenv("OE_KILLS")); err == nil && n > 0 {
		kills = n
	}
	if n, err := strconv.Atoi(os.Getenv("OE_KILL_BATCH")); err == nil && n > 0 {
		perBatch = n
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("OE_KILL_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (OE_KILL_SEED=%d replays the same instants and changes)", seed, seed)
	for _, profile := range []mockorg.Profile{mockorg.ProfileDemo, mockorg.ProfileReal} {
		t.Run(string(profile), func(t *testing.T) { killAtRandom(t, profile, seed, kills, perBatch) })
	}
}

func killAtRandom(t *testing.T, profile mockorg.Profile, seed uint64, kills, perBatch int) {
	// Enough records that a batch edits and deletes records nobody touched in it.
	size := min(100_000, max(6000, perBatch*8))
	org, err := mockorg.Open(mockorg.Options{Seed: 7, Size: size, DailyLimit: 1 << 30, Profile: profile})
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	srv := httptest.NewServer(org.Handler())
	defer srv.Close()
	org.SetInstanceURL(srv.URL)
	dir := t.TempDir()
	w := &killWorld{t: t, org: org, url: srv.URL, dir: dir, db: filepath.Join(dir, "device.db"), perObject: size,
		rng: rand.New(rand.NewPCG(seed, 1)), titles: map[string]string{}, accounts: map[string]bool{},
		children: map[string]string{}, deleted: map[string]bool{}, touched: map[string]bool{}}

	// Prime the cache, and learn how long a sync with nothing to push takes here.
	if out, err := w.app("sync").CombinedOutput(); err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	start := time.Now()
	if out, err := w.app("sync").CombinedOutput(); err != nil {
		t.Fatalf("second sync: %v\n%s", err, out)
	}
	idle := time.Since(start) // a sync with nothing to push: start-up, sign-in, refresh

	// Kill instants are drawn from [0, window). The window widens while kills land before any
	// change is recorded and narrows while the sync finishes first, so the instants spread over
	// start-up, sign-in, refresh and every part of the push.
	window := 3 * idle
	killed, midPush := 0, 0
	wantMid := max(1, kills/6) // kills that stop a push part-way: the instants that matter most
	for (killed < kills || midPush < wantMid) && killed < 10*kills {
		before := w.queued()
		if before == 0 {
			w.queue(perBatch)
			before = w.queued()
		}
		cmd := w.app("sync")
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(w.rng.Int64N(int64(window))))
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			// It finished first: then it must have succeeded.
			if err != nil {
				t.Fatalf("a sync that was not killed failed: %v\n%s", err, out.String())
			}
			window = window * 7 / 10
			continue
		}
		killed++
		switch after := w.queued(); {
		case after == before:
			window = window * 13 / 10 // too early: nothing was pushed yet
		case after > 0:
			midPush++
		default:
			window = window * 7 / 10 // too late: the push was over (the refresh was under way)
		}
	}
	t.Logf("%d of %d kills stopped a push part-way (some changes synced, some not)", midPush, killed)
	if midPush < wantMid {
		t.Fatalf("only %d kills landed in the middle of a push (want %d): the instants are all too early or too late", midPush, wantMid)
	}
	var out []byte
	for range 3 { // a run may end in a backoff wait; the next one finishes it
		if out, err = w.app("sync", "--wait", "2m").CombinedOutput(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("final sync: %v\n%s", err, out)
	}
	if es := w.entries(); len(es) != 0 {
		t.Fatalf("%d changes left after the final sync, first %+v", len(es), es[0])
	}
	w.check(killed)
}

// check compares the org with the oracle.
func (w *killWorld) check(killed int) {
	t := w.t
	tok, err := w.org.IssueToken("admin@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: w.url, AccessToken: tok, Username: "admin@demo.example"})
	if err != nil {
		t.Fatal(err)
	}
	query := func(q string) []remote.Record {
		t.Helper()
		var all []remote.Record
		res, err := c.Query(context.Background(), q, 0)
		for {
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			all = append(all, res.Records...)
			if res.Done {
				return all
			}
			res, err = c.QueryMore(context.Background(), res.NextRecordsURL)
		}
	}
	// Every Account created offline exists exactly once.
	names := map[string]string{} // Id → Name
	seen := map[string]int{}
	for _, r := range query("SELECT Id, Name FROM Account WHERE Name LIKE 'Kill %'") {
		name, _ := r.Fields["Name"].(string)
		names[r.ID()] = name
		seen[name]++
	}
	for name := range w.accounts {
		if seen[name] != 1 {
			t.Errorf("Account %q is on the org %d times", name, seen[name])
		}
	}
	if len(seen) != len(w.accounts) {
		t.Errorf("%d Accounts named Kill … on the org, %d created offline", len(seen), len(w.accounts))
	}
	// Every child exists once, under the right new parent (no local id left behind).
	kids := map[string]int{}
	for _, r := range query("SELECT Id, LastName, AccountId FROM Contact WHERE LastName LIKE 'Kid %'") {
		last, _ := r.Fields["LastName"].(string)
		parent, _ := r.Fields["AccountId"].(string)
		kids[last]++
		if want := w.children[last]; names[parent] != want {
			t.Errorf("Contact %q points at %q (%q), want the new Account %q", last, parent, names[parent], want)
		}
	}
	for last := range w.children {
		if kids[last] != 1 {
			t.Errorf("Contact %q is on the org %d times", last, kids[last])
		}
	}
	// Every edit landed, with its last value.
	var ids []string
	for id := range w.titles {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	got := map[string]string{}
	for i := 0; i < len(ids); i += 200 {
		chunk := ids[i:min(i+200, len(ids))]
		for _, r := range query("SELECT Id, Title FROM Contact WHERE Id IN ('" + strings.Join(chunk, "','") + "')") {
			got[r.ID()], _ = r.Fields["Title"].(string)
		}
	}
	for _, id := range ids {
		if got[id] != w.titles[id] {
			t.Errorf("Contact %s has Title %q, want %q", id, got[id], w.titles[id])
		}
	}
	// Every delete landed.
	ids = ids[:0]
	for id := range w.deleted {
		ids = append(ids, id)
	}
	for i := 0; i < len(ids); i += 200 {
		chunk := ids[i:min(i+200, len(ids))]
		if left := query("SELECT Id FROM Opportunity WHERE Id IN ('" + strings.Join(chunk, "','") + "')"); len(left) > 0 {
			t.Errorf("%d deleted Opportunities are still on the org, e.g. %s", len(left), left[0].ID())
		}
	}
	if t.Failed() {
		return
	}
	t.Logf("%d kills; %d edits, %d Accounts and %d child Contacts created, %d deletes: all on the org exactly once",
		killed, len(w.titles), len(w.accounts), len(w.children), len(w.deleted))
}
