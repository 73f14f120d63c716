package tui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/scenario"
)

// qaEnv is a fresh embedded org with my device on the scenario clock, as scenario run uses.
func qaEnv(t *testing.T, sc *scenario.Scenario) *scenario.Env {
	t.Helper()
	if sc == nil {
		sc = &scenario.Scenario{Name: "qa", Seed: 1, Size: 120}
	}
	env, err := scenario.NewEmbeddedEnv(context.Background(), sc, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	return env
}

func newQAStory(t *testing.T, opts Options) *story {
	tm := teatest.NewTestModel(t, harness{endsWithTest(t, New(opts))}, teatest.WithInitialTermSize(110, 34))
	s := &story{t: t, b: opts.Backend, tm: tm}
	t.Cleanup(func() { _ = tm.Quit() })
	// The menu, or the alert of the first sync over it: on a busy machine that sync may end
	// before the menu is first looked at, and its alert hides the menu.
	deadline := time.Now().Add(15 * time.Second)
	for v := s.view(); !strings.Contains(v, "Pending Changes (") && !strings.Contains(v, "Sync needs your attention"); v = s.view() {
		if time.Now().After(deadline) {
			t.Fatalf("the app never showed its menu:\n%s", v)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

func firstAccountOf(t *testing.T, eng *pending.Engine) pending.Row {
	t.Helper()
	p, err := eng.List(context.Background(), pending.ListQuery{Object: "Account", Limit: 1})
	if err != nil || len(p.Rows) == 0 {
		t.Fatalf("no account: %v", err)
	}
	return p.Rows[0]
}

// backstageItem moves the backstage cursor to the item whose label starts with label.
func (s *story) backstageItem(label string) {
	s.t.Helper()
	s.press("g")
	for i := 0; i < 20; i++ {
		if strings.Contains(s.view(), "▸ "+label) {
			return
		}
		s.press("down")
	}
	s.t.Fatalf("no backstage item %q:\n%s", label, s.view())
}

func TestBackstageSamEditsTheSameFieldAndMyOfflineEditTurnsOrangeOnline(t *testing.T) {
	env := qaEnv(t, nil)
	eng := env.Engine()
	acct := firstAccountOf(t, eng)
	s := newQAStory(t, Options{Backend: eng, NetStatus: env.Network().String, Backstage: env})
	s.goOffline()
	s.renameFirstAccount("Mine Backstage Co")
	s.wait("● Waiting to sync")

	s.press("B")
	s.wait("SIMULATION — backstage", "Mine Backstage Co", acct.ID)
	s.backstageItem("Share it with sam")
	s.press("enter")
	s.wait("✓ share")
	s.backstageItem("Edit fields of this record as sam")
	s.press("enter")
	s.wait("as sam · field 1 of ", "(only the fields you change are sent)", "▸ Account Name")
	s.press("ctrl+u", "Sam Backstage Co", "ctrl+s")
	s.wait("✓ as sam: edit")

	admin, err := env.Client(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	got, err := admin.Retrieve(context.Background(), "Account", acct.ID, []string{"Name", "LastModifiedById"})
	if err != nil || got.Fields["Name"] != "Sam Backstage Co" {
		t.Fatalf("after sam's edit the org has %v (%v)", got.Fields["Name"], err)
	}

	s.press("esc")
	s.wait("● Waiting to sync")
	s.press("o")
	s.wait("Sync needs your attention", "1 change could not be synced")
	s.press("esc")
	s.wait("▲ Needs your attention: conflict", "Sam Backstage Co")
	rv, err := eng.Record(context.Background(), "Account", acct.ID)
	if err != nil || rv.Entry == nil || rv.Entry.Status != pending.StatusConflict || rv.Entry.Status.Sash() != pending.SashOrange {
		t.Fatalf("want an orange conflict, got %+v (%v)", rv.Entry, err)
	}
}

func TestBackstageNetworkConditionShowsInTheStatusBar(t *testing.T) {
	env := qaEnv(t, nil)
	s := newQAStory(t, Options{Backend: env.Engine(), NetStatus: env.Network().String, Backstage: env})
	s.press("B")
	s.wait("SIMULATION — backstage", "No record chosen")
	for _, c := range []struct{ item, bar string }{
		{"Latency: 300 ms ± 100", "300±100ms"},
		{"Flaky: 20% of requests dropped", "20% dropped"},
		{"Lossy: 50% of replies lost", "50% replies lost"},
		{"Org errors: 30%", "30% errors"},
	} {
		s.backstageItem(c.item)
		s.press("enter")
		v := s.wait("✓ network")
		lines := strings.Split(v, "\n")
		if bar := lines[len(lines)-2]; !strings.Contains(bar, c.bar) || !strings.Contains(bar, "ONLINE") {
			t.Fatalf("%s: status bar %q lacks %q", c.item, bar, c.bar)
		}
	}
	s.backstageItem("Normal: no delay")
	s.press("enter")
	s.wait("✓ network normal")
	lines := strings.Split(s.view(), "\n")
	if bar := lines[len(lines)-2]; strings.Contains(bar, "errors") || strings.Contains(bar, "ms") {
		t.Fatalf("normal network still shows a condition: %q", bar)
	}
}

func TestBackstageRecordActionsNeedARecord(t *testing.T) {
	d := newDriver(t, seededFake(3), 100, 30)
	d.keys("B")
	d.requireView("SIMULATION — backstage", "No record chosen")
	d.keys("enter")
	d.requireView("No record: open a record")
}

func TestBackstageWithoutAMockOrgSaysWhy(t *testing.T) {
	d := newDriver(t, seededFake(3), 100, 30)
	d.keys("enter", "enter", "B")
	d.requireView("Acme 000000", scenario.ErrNoMockOrg.Error()[:40])
}

func activityFake() *fakeBackend {
	f := seededFake(3)
	at := time.Date(2024, 3, 4, 10, 31, 2, 500e6, time.UTC)
	f.acts = []pending.Activity{
		{At: at.Add(3 * time.Second), Note: "sync finished"},
		{At: at.Add(2 * time.Second), Method: "PATCH", Path: "/services/data/v60.0/sobjects/Account/001000000000000001", Status: 412, Code: "PRECONDITION_FAILED", Duration: 3200 * time.Microsecond, EntryID: "7f7c2a10-1111-4222-8333-444455556666", RecordID: "001000000000000001"},
		{At: at.Add(time.Second), Method: "POST", Path: "/services/data/v60.0/composite", Status: 200, Duration: 12 * time.Millisecond, EntryID: "0a0b0c0d-1111-4222-8333-444455556666", RecordID: "001000000000000000"},
		{At: at, Method: "GET", Path: "/services/data/v60.0/query?q=SELECT+Id+FROM+Account\x1b[2J", Status: 0, Duration: 0, Note: "netsim: request dropped\x07"},
	}
	return f
}

func TestActivityLogViewGolden(t *testing.T) {
	d := newDriver(t, activityFake(), 120, 20)
	d.keys("L")
	d.requireView("Activity log — all requests", "PRECONDITION_FAILED", "sync finished")
	d.refuseView("\x1b[2J", "\x07")
	teatest.RequireEqualOutput(t, []byte(d.view()))
}

func TestActivityLogFiltersByTheCurrentRecordAndScrolls(t *testing.T) {
	d := newDriver(t, activityFake(), 120, 20)
	d.keys("enter", "down", "enter") // the record page of Acme 000001
	d.requireView("Acme 000001")
	d.keys("L")
	d.requireView("composite", "f: all / this record")
	d.keys("f")
	d.requireView("requests for Acme 000001", "PRECONDITION_FAILED")
	d.refuseView("composite", "sync finished")
	d.keys("f")
	d.requireView("Activity log — all requests", "composite")
	d.keys("G")
	if m := d.model(); m.logv.cursor != len(m.logv.acts)-1 {
		t.Fatalf("G left the cursor at %d of %d", m.logv.cursor, len(m.logv.acts))
	}
	d.keys("esc")
	d.requireView("Acme 000001")
}

var progressRE = regexp.MustCompile(`SCENARIO (\d+)/(\d+)`)

func progressOf(t *testing.T, v string) (int, int) {
	m := progressRE.FindStringSubmatch(v)
	if m == nil {
		t.Fatalf("no scenario strip:\n%s", v)
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	return a, b
}

func TestSteppingAScenarioInTheAppEndsInItsState(t *testing.T) {
	sc, err := scenario.ParseFile(filepath.Join("..", "scenarios", "conflict-mine.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	env := qaEnv(t, sc)
	st := scenario.NewStepper(sc, env)
	s := newQAStory(t, Options{Backend: env.Engine(), NetStatus: env.Network().String, Backstage: env, Script: st})
	v := s.wait("SCENARIO 0/", "N ▶")
	_, total := progressOf(t, v)
	sawOrange := false
	for i := 0; i < 3*total && !strings.Contains(v, "finished:"); i++ {
		v = s.stepThroughOne()
		if strings.Contains(v, "▲ 1 needs attention") {
			sawOrange = true
		}
	}
	if !strings.Contains(v, "✓ finished: every check held") {
		t.Fatalf("the scenario did not pass in the app:\n%s", v)
	}
	if !sawOrange {
		t.Fatal("the status bar never showed the conflict while stepping")
	}
	if ran, tot := st.Progress(); ran != tot {
		t.Fatalf("ran %d of %d steps", ran, tot)
	}
	n, a, err := env.Engine().Counts(context.Background())
	if err != nil || n != 0 || a != 0 {
		t.Fatalf("after the scenario: %d pending, %d need attention (%v)", n, a, err)
	}
}

// stepThroughOne runs one step (or closes an alert) and returns the screen after it.
func (s *story) stepThroughOne() string {
	s.t.Helper()
	v := s.wait()
	if strings.Contains(v, "Sync needs your attention") {
		s.press("esc")
		return s.waitGone("Sync needs your attention")
	}
	ran, _ := progressOf(s.t, v)
	first := strings.Contains(v, "no step has run yet")
	s.press("N")
	deadline := time.Now().Add(20 * time.Second)
	for {
		v = s.wait()
		now, _ := progressOf(s.t, v)
		if (now > ran || first && !strings.Contains(v, "no step has run yet") || strings.Contains(v, "stopped:")) && !strings.Contains(v, "running…") {
			return v
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the step did not finish:\n%s", v)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// orgState is what a replay must reproduce: the org's values of the session's records (by
// name; ids of new records differ between runs) and the device's queue.
func orgState(t *testing.T, env *scenario.Env) string {
	t.Helper()
	ctx := context.Background()
	admin, err := env.Client(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	res, err := admin.Query(ctx, "SELECT Name, Phone FROM Account WHERE Name LIKE 'Recorded%'", 0)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range res.Records {
		lines = append(lines, fmt.Sprintf("org %v %v", r.Fields["Name"], r.Fields["Phone"]))
	}
	ents, err := env.Engine().Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		lines = append(lines, fmt.Sprintf("queue %s %s %s %v", e.Object, e.Name, e.Status, e.Changes))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestRecordedAppSessionReplaysToTheSameFinalState(t *testing.T) {
	ctx := context.Background()
	env := qaEnv(t, &scenario.Scenario{Name: "recorded", Seed: 1, Size: 120})
	path := filepath.Join(t.TempDir(), "session.yaml")
	rec := scenario.NewRecorder(&scenario.Scenario{Name: "Recorded app session", Seed: 1, Size: 120})
	eng := scenario.NewRecordingEngine(env.Engine(), rec, path)
	env.SetRecorder(rec)
	s := newQAStory(t, Options{Backend: eng, NetStatus: env.Network().String, Backstage: env})

	// Offline: edit the first account; sam changes the same field; online → conflict.
	s.goOffline()
	s.renameFirstAccount("Recorded Mine Co")
	s.wait("● Waiting to sync")
	s.press("B")
	s.wait("SIMULATION — backstage")
	s.backstageItem("Share it with sam")
	s.press("enter")
	s.wait("✓ share")
	s.backstageItem("Edit fields of this record as sam")
	s.press("enter")
	s.wait("▸ Account Name")
	s.press("ctrl+u", "Recorded Theirs Co", "ctrl+s")
	s.wait("✓ as sam: edit")
	s.press("esc")
	s.wait("● Waiting to sync")
	s.press("o")
	s.wait("Sync needs your attention")
	s.press("enter")
	s.wait("▲ Conflict")
	s.press("r")
	s.wait("Resolve conflict", "Recorded Theirs Co")
	s.press("m", "ctrl+s")
	s.wait("0 pending")
	s.waitGone("▲ Conflict")

	// Offline again: a new account, and an edit of a second one that stays pending.
	s.press("esc")
	s.wait("[e] Edit")
	s.press("esc")
	s.wait("records")
	s.goOffline()
	s.press("n")
	s.wait("New Account", "▸ Account Name *")
	s.press("Recorded New Ltd", "ctrl+s")
	s.wait("1 pending")
	s.press("o")
	s.wait(" ONLINE ", "0 pending")
	s.goOffline()
	s.press("down", "down", "enter")
	s.wait("[e] Edit")
	s.press("e")
	s.wait("▸ Account Name")
	s.press("ctrl+u", "Recorded Pending Co", "ctrl+s")
	s.wait("● Waiting to sync", "1 pending")

	if err := eng.Finish(ctx); err != nil {
		t.Fatalf("write the recording: %v", err)
	}
	want := orgState(t, env)
	if !strings.Contains(want, "org Recorded Mine Co") || !strings.Contains(want, "org Recorded New Ltd") || !strings.Contains(want, "queue Account Recorded Pending Co pending") {
		t.Fatalf("the session did not reach the state the test drives to:\n%s", want)
	}

	sc, err := scenario.ParseFile(path)
	if err != nil {
		t.Fatalf("the recording does not parse: %v", err)
	}
	replay, err := scenario.NewEmbeddedEnv(ctx, sc, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer replay.Close()
	var out strings.Builder
	rep := scenario.Run(ctx, sc, replay, &out)
	if !rep.Passed {
		t.Fatalf("the recording does not replay:\n%s", out.String())
	}
	if got := orgState(t, replay); got != want {
		t.Fatalf("replay ends elsewhere:\nsession:\n%s\nreplay:\n%s\nrun:\n%s", want, got, out.String())
	}
	for _, kind := range []string{"share:", "as: sam", "resolve:", "create: Account", "offline", "online"} {
		if data := readFile(t, path); !strings.Contains(data, kind) {
			t.Fatalf("the recording lacks %q:\n%s", kind, data)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTheRuleFormSaysWhatEachKindChecks(t *testing.T) {
	env := qaEnv(t, nil)
	s := newQAStory(t, Options{Backend: env.Engine(), NetStatus: env.Network().String, Backstage: env})
	s.press("B")
	s.wait("SIMULATION — backstage")
	s.backstageItem("Add a validation rule")
	s.press("enter")
	s.wait("Add a validation rule (the admin)", "required: Field must not be blank")
	s.press("down") // to Kind
	for _, want := range []string{"min: Field, a number, must be at least Value", "max_length:", "forbid_value: Field must not be Value", "require_if: Field is required when Other field is Value"} {
		s.press("right")
		s.wait(want)
	}
}

func TestBackstageEditFormStartsFromTheOrgsValuesNotTheDevicesCopy(t *testing.T) {
	env := qaEnv(t, nil)
	eng := env.Engine()
	acct := firstAccountOf(t, eng)
	s := newQAStory(t, Options{Backend: eng, NetStatus: env.Network().String, Backstage: env})
	s.goOffline()
	s.openFirstAccount()
	// The admin changes the record; the device, offline, still has the old copy.
	admin, err := env.Client(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.Update(context.Background(), "Account", acct.ID, remote.Fields{"Phone": "555-0177"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	s.press("B")
	s.wait("SIMULATION — backstage")
	s.press("u")
	s.wait("As admin")
	s.backstageItem("Edit fields of this record as admin")
	s.press("enter")
	s.wait("values on the org now, as admin reads them", "555-0177")
}

// The backstage locks a record's row on the org: the device's change to it retries (green,
// the org's UNABLE_TO_LOCK_ROW said) while another record's change is saved; unlocked, the next
// sync saves it.
func TestBackstageLockedRowRetriesWhileOthersSyncThenSavesOnceUnlocked(t *testing.T) {
	env := qaEnv(t, nil)
	eng := env.Engine()
	acct := firstAccountOf(t, eng)
	s := newQAStory(t, Options{Backend: eng, NetStatus: env.Network().String, Backstage: env})
	s.goOffline()
	s.renameFirstAccount("Locked Row Co")
	s.wait("● Waiting to sync")
	s.press("B")
	s.wait("SIMULATION — backstage", "Locked Row Co", acct.ID)
	s.backstageItem("Lock its row")
	s.press("enter")
	s.wait("✓ lock")
	s.press("esc")
	s.press("o")
	var rv pending.RecordView
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var err error
		rv, err = eng.Record(context.Background(), "Account", acct.ID)
		if err == nil && rv.Entry != nil && rv.Entry.Code == "UNABLE_TO_LOCK_ROW" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no UNABLE_TO_LOCK_ROW on the change after going online: %+v (%v)", rv.Entry, err)
		}
	}
	if rv.Entry.Status.Sash() != pending.SashGreen {
		t.Fatalf("a locked row's change is %s (%v), want green: it retries", rv.Entry.Status, rv.Entry.Status.Sash())
	}
	s.press("B")
	s.wait("SIMULATION — backstage", acct.ID)
	s.backstageItem("Unlock its row")
	s.press("enter")
	s.wait("✓ unlock")
	s.press("esc")
	if _, err := eng.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	admin, err := env.Client(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	got, err := admin.Retrieve(context.Background(), "Account", acct.ID, []string{"Name"})
	if err != nil || got.Fields["Name"] != "Locked Row Co" {
		t.Fatalf("unlocked and synced, the org has %v (%v)", got.Fields["Name"], err)
	}
}

// The backstage's network back to normal has the app try at once, as a phone does when its
// network returns: the status bar stops saying the org is not answering, and the change waiting
// is sent, without the 30 s the loop waits after a failed run.
func TestBackstageNetworkBackToNormalSyncsAtOnce(t *testing.T) {
	env := qaEnv(t, nil)
	eng := env.Engine()
	acct := firstAccountOf(t, eng)
	s := newQAStory(t, Options{Backend: eng, NetStatus: env.Network().String, Backstage: env})
	s.goOffline()
	s.renameFirstAccount("Back To Normal Co")
	s.wait("● Waiting to sync")
	ctx := context.Background()
	if res := env.Do(ctx, scenario.Step{Kind: scenario.KindNetwork, Network: &scenario.Conditions{Drop: 1}}); !res.OK() {
		t.Fatal(res.Err)
	}
	s.press("o")
	s.wait("org not answering")
	start := time.Now()
	if res := env.Do(ctx, scenario.Step{Kind: scenario.KindNetwork, Network: &scenario.Conditions{}}); !res.OK() {
		t.Fatal(res.Err)
	}
	for {
		rv, err := eng.Record(ctx, "Account", acct.ID)
		if err == nil && rv.Entry == nil {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("the change was not sent within 10 s of the network coming back: %+v (%v)", rv.Entry, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.waitGone("org not answering")
}
