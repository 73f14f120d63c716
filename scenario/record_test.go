package scenario

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// session plays the part of the app: every action goes to the env and to the recorder.
type session struct {
	t   *testing.T
	ctx context.Context
	env *Env
	rec *Recorder
}

func (s *session) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

func (s *session) sync() {
	s.t.Helper()
	if s.env.Engine().Online() {
		_, err := s.env.Engine().Sync(s.ctx)
		s.must(err)
	}
}

func (s *session) serverID(object, name string) string {
	s.t.Helper()
	ids, err := s.env.findByName(s.ctx, object, name)
	s.must(err)
	if len(ids) != 1 {
		s.t.Fatalf("%d %s named %q", len(ids), object, name)
	}
	return ids[0]
}

func (s *session) entry(id string) pending.Entry {
	s.t.Helper()
	rv, err := s.env.Engine().Record(s.ctx, "", id)
	s.must(err)
	if rv.Entry == nil {
		s.t.Fatalf("no entry for %s", id)
	}
	return *rv.Entry
}

// finalState is what a replay must reproduce: the org's values of the session's records and
// the device's queue, by record name (ids differ between runs).
func finalState(t *testing.T, ctx context.Context, env *Env) string {
	t.Helper()
	admin, err := env.Client(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	res, err := admin.Query(ctx, "SELECT Name, Phone, Rating FROM Account WHERE Name LIKE 'Recorded%'", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Records {
		lines = append(lines, fmt.Sprintf("org Account %v phone=%v rating=%v", r.Fields["Name"], r.Fields["Phone"], r.Fields["Rating"]))
	}
	res, err = admin.Query(ctx, "SELECT LastName, Account.Name FROM Contact WHERE LastName LIKE 'Recorded%'", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Records {
		acct, _ := r.Fields["Account"].(map[string]any)
		lines = append(lines, fmt.Sprintf("org Contact %v account=%v", r.Fields["LastName"], acct["Name"]))
	}
	res, err = admin.Query(ctx, "SELECT Name FROM Account WHERE Description = 'Recorded note'", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Records {
		lines = append(lines, fmt.Sprintf("org noted Account %v", r.Fields["Name"]))
	}
	ents, err := env.Engine().Entries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range ents {
		lines = append(lines, fmt.Sprintf("queue %s %s %s %s %s", en.Object, en.Name, en.Op, en.Status, en.Code))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestRecordedSessionReplaysToTheSameState(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const seed, size = 21, 40
	sc := &Scenario{File: "session", Name: "session", Seed: seed, Size: size}
	env, err := NewEmbeddedEnv(ctx, sc, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	s := &session{t: t, ctx: ctx, env: env, rec: NewRecorder(&Scenario{Name: "Recorded session", Seed: seed, Size: size})}
	eng := env.Engine()
	tick := func() { env.Clock().Advance(time.Second) }

	// I create two accounts online; they sync at once.
	acme := remote.Fields{"Name": "Recorded Acme", "Phone": "555-2100", "Rating": "Cold"}
	local, err := eng.Create(ctx, "Account", acme)
	s.must(err)
	s.rec.Create("Account", acme, local)
	s.sync()
	tick()
	doomed := remote.Fields{"Name": "Recorded Doomed", "Phone": "555-2200"}
	local2, err := eng.Create(ctx, "Account", doomed)
	s.must(err)
	s.rec.Create("Account", doomed, local2)
	s.sync()
	tick()
	acmeID := s.serverID("Account", "Recorded Acme")
	doomedID := s.serverID("Account", "Recorded Doomed")
	acmeRec := Rec{Object: "Account", ID: acmeID, Name: "Recorded Acme"}
	doomedRec := Rec{Object: "Account", ID: doomedID, Name: "Recorded Doomed"}

	// Backstage: the admin shares Acme with Sam.
	s.must(env.Admin().Share(ctx, acmeID, "sam@demo.example", "edit"))
	s.rec.Share(acmeRec, "sam@demo.example", "edit")
	tick()

	// Offline: I edit both; Sam edits Acme's phone; the admin deletes Doomed.
	eng.SetOnline(false)
	s.rec.Offline()
	s.must(eng.Edit(ctx, "Account", acmeID, remote.Fields{"Phone": "555-2111", "Rating": "Hot"}))
	s.rec.Edit(acmeRec, remote.Fields{"Phone": "555-2111", "Rating": "Hot"})
	s.must(eng.Edit(ctx, "Account", doomedID, remote.Fields{"Phone": "555-2211"}))
	s.rec.Edit(doomedRec, remote.Fields{"Phone": "555-2211"})
	tick()
	sam, err := env.Client(ctx, "sam")
	s.must(err)
	s.must(sam.Update(ctx, "Account", acmeID, remote.Fields{"Phone": "555-2199"}, remote.WriteOptions{}))
	s.rec.EditAs("sam@demo.example", acmeRec, remote.Fields{"Phone": "555-2199"})
	tick()
	admin, err := env.Client(ctx, "admin")
	s.must(err)
	s.must(admin.Delete(ctx, "Account", doomedID))
	s.rec.DeleteAs("admin", doomedRec)
	tick()
	// A seeded record, named by its id in the recording.
	page, err := eng.List(ctx, pending.ListQuery{Object: "Account", Limit: 2})
	s.must(err)
	if len(page.Rows) < 2 {
		t.Fatal("no seeded accounts in the cache")
	}
	// Another, deleted offline: the closing checks say the org no longer has it.
	goner := Rec{Object: "Account", ID: page.Rows[1].ID, Name: page.Rows[1].Name}
	s.must(eng.Delete(ctx, "Account", goner.ID))
	s.rec.Delete(goner)
	seeded := Rec{Object: "Account", ID: page.Rows[0].ID, Name: page.Rows[0].Name}
	s.must(eng.Edit(ctx, "Account", seeded.ID, remote.Fields{"Description": "Recorded note"}))
	s.rec.Edit(seeded, remote.Fields{"Description": "Recorded note"})
	if ref := s.rec.Ref(seeded); ref.ID != seeded.ID {
		t.Fatalf("a seeded record is recorded as %+v, want its id", ref)
	}
	// A contact for Acme, created offline.
	contact := remote.Fields{"LastName": "Recorded Contact", "AccountId": acmeID}
	cid, err := eng.Create(ctx, "Contact", contact)
	s.must(err)
	s.rec.Create("Contact", contact, cid)
	tick()

	// Online: Acme conflicts, Doomed is red, the contact syncs.
	eng.SetOnline(true)
	s.rec.Online()
	s.sync()
	tick()
	if en := s.entry(acmeID); en.Status != pending.StatusConflict {
		t.Fatalf("acme is %s, want conflict", en.Status)
	}
	choices := map[string]pending.Choice{"Phone": {Take: pending.TakeValue, Value: "555-2150"}}
	s.must(eng.Resolve(ctx, s.entry(acmeID).ID, choices))
	s.rec.Resolve(acmeRec, choices)
	s.sync()
	tick()
	admin, err = env.Client(ctx, "admin")
	s.must(err)
	s.must(s.rec.Checkpoint(ctx, eng, admin))
	checked := false
	for _, st := range s.rec.Scenario().Steps {
		if x := st.Expect; x != nil && x.Record.ID == goner.ID && x.OrgExists != nil && !*x.OrgExists {
			checked = true
		}
	}
	if !checked {
		t.Fatalf("the closing checks leave out the record deleted offline: %+v", s.rec.Scenario().Steps)
	}

	want := finalState(t, ctx, env)
	if !strings.Contains(want, "queue Account Recorded Doomed update failed") || !strings.Contains(want, "org noted Account") || !strings.Contains(want, "account=Recorded Acme") {
		t.Fatalf("the session did not reach the state the test means to replay:\n%s", want)
	}

	path := filepath.Join(t.TempDir(), "recorded.yaml")
	s.must(s.rec.WriteFile(path))
	b, err := os.ReadFile(path)
	s.must(err)
	t.Logf("recorded:\n%s", b)
	// A seeded record is named by its id; the name the user saw is its line's comment.
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "id: "+seeded.ID+"}") && !strings.HasSuffix(l, "} # "+seeded.Name) {
			t.Errorf("a step on a seeded record does not say its name: %q", l)
		}
	}
	if !strings.Contains(string(b), "- edit: {object: Account, id: "+seeded.ID+"} # "+seeded.Name+"\n") {
		t.Errorf("the edit of the seeded record is not written by id with its name:\n%s", b)
	}
	replay, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, out := runScenario(t, replay)
	if !rep.Passed {
		t.Fatalf("the recording does not replay:\n%s", out)
	}
	env2, err := NewEmbeddedEnv(ctx, replay, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer env2.Close()
	if r := Run(ctx, replay, env2, nil); !r.Passed {
		t.Fatalf("second replay failed: %+v", r.Failures())
	}
	if got := finalState(t, ctx, env2); got != want {
		t.Errorf("replayed state differs:\n got:\n%s\n want:\n%s", got, want)
	}

	// The recording checks the org's values itself: the resolved phone is expected, and a
	// replay that ends with another value fails.
	var phone *Step
	for i, st := range replay.Steps {
		if st.Kind == KindExpect && st.Expect.Record.Ref == "account1" && st.Expect.Org != nil {
			phone = &replay.Steps[i]
		}
	}
	if phone == nil || phone.Expect.Org["Phone"] != "555-2150" {
		t.Fatalf("the recording does not expect the resolved phone on the org: %+v", phone)
	}
	phone.Expect.Org["Phone"] = "555-2111" // mine, not the value chosen
	if r, _ := runScenario(t, replay); r.Passed {
		t.Fatal("a replay ending with another phone on the org passed the recording's expectations")
	}
}

// A lookup at a record created in the session and synced since is written as {ref: NAME} in the
// closing checks, as in the create step: the org of a replay gives it another id.
func TestARecordingNamesARecordCreatedOfflineByItsRefInTheClosingChecks(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sc := &Scenario{File: "session", Name: "session", Seed: 3, Size: 30}
	env, err := NewEmbeddedEnv(ctx, sc, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	s := &session{t: t, ctx: ctx, env: env, rec: NewRecorder(&Scenario{Name: "Recorded parent and child", Seed: 3, Size: 30})}
	eng := env.Engine()
	eng.SetOnline(false)
	s.rec.Offline()
	acct := remote.Fields{"Name": "Recorded Plane Co"}
	aLocal, err := eng.Create(ctx, "Account", acct)
	s.must(err)
	s.rec.Create("Account", acct, aLocal)
	con := remote.Fields{"LastName": "Recorded Flyer", "AccountId": aLocal}
	cLocal, err := eng.Create(ctx, "Contact", con)
	s.must(err)
	s.rec.Create("Contact", con, cLocal)
	eng.SetOnline(true)
	s.rec.Online()
	s.sync()
	admin, err := env.Client(ctx, "admin")
	s.must(err)
	s.must(s.rec.Checkpoint(ctx, eng, admin))
	checked := false
	for _, st := range s.rec.Scenario().Steps {
		if st.Kind != KindExpect || st.Expect.Org == nil || st.Expect.Org["AccountId"] == nil {
			continue
		}
		checked = true
		if ref, ok := st.Expect.Org["AccountId"].(RefTo); !ok || ref.Ref == "" {
			t.Errorf("the closing check names the new account by %#v, want its ref", st.Expect.Org["AccountId"])
		}
	}
	if !checked {
		t.Fatalf("no closing check of the contact's account: %+v", s.rec.Scenario().Steps)
	}
}

// A share widened on the org and learnt by the record's page opening online (CheckAccess) is a
// step of the recording, so that the edit made after it replays: without it the replay's device
// still knew the record as read-only and refused the edit.
func TestARecordedShareLearntByARecordsPageReplays(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const seed, size = 21, 40
	dir := t.TempDir()
	env, err := NewEmbeddedEnv(ctx, &Scenario{File: "session", Name: "session", Seed: seed, Size: size}, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	rec := NewRecorder(&Scenario{Name: "Recorded session", Seed: seed, Size: size})
	eng := NewRecordingEngine(env.Engine(), rec, filepath.Join(dir, "recorded.yaml"))
	s := &session{t: t, ctx: ctx, env: env, rec: rec}
	s.sync()
	// A contact of sam's, shared with me read-only.
	admin, err := env.Client(ctx, "admin")
	s.must(err)
	users, err := admin.Query(ctx, "SELECT Id FROM User WHERE Username = 'sam@demo.example'", 0)
	s.must(err)
	if len(users.Records) != 1 {
		t.Fatal("no sam in the seed")
	}
	sam := users.Records[0].ID()
	page, err := eng.List(ctx, pending.ListQuery{Object: "Contact", Limit: 1})
	s.must(err)
	if len(page.Rows) != 1 {
		t.Fatal("no contact on the device")
	}
	c := Rec{Object: "Contact", ID: page.Rows[0].ID, Name: page.Rows[0].Name}
	// The admin gives it to sam and shares it with me read-only.
	s.must(admin.Update(ctx, "Contact", c.ID, remote.Fields{"OwnerId": sam}, remote.WriteOptions{}))
	rec.EditAs("admin", c, remote.Fields{"OwnerId": sam})
	s.must(env.Admin().Share(ctx, c.ID, "alex@demo.example", "read"))
	rec.Share(c, "alex@demo.example", "read")
	env.Clock().Advance(time.Second)
	_, err = eng.Sync(ctx) // recorded: the replay's device learns the read-only share too
	s.must(err)
	shared, err := eng.Record(ctx, "Contact", c.ID)
	s.must(err)
	if shared.Access != pending.AccessRead {
		t.Fatalf("the contact shared read-only shows access %q", shared.Access)
	}
	r := Rec{Object: "Contact", ID: shared.ID, Name: shared.Name}
	s.must(env.Admin().Share(ctx, shared.ID, "alex@demo.example", "edit"))
	rec.Share(r, "alex@demo.example", "edit")
	env.Clock().Advance(time.Second)
	// The record's page opens online: the device learns the share.
	if acc, err := eng.CheckAccess(ctx, shared.ID); err != nil || acc != pending.AccessEdit {
		t.Fatalf("CheckAccess = %q, %v; want edit", acc, err)
	}
	eng.SetOnline(false)
	s.must(eng.Edit(ctx, "Contact", shared.ID, remote.Fields{"Phone": "555-0111"}))
	eng.SetOnline(true)
	s.sync()
	s.must(eng.Finish(ctx))
	replay, err := ParseFile(filepath.Join(dir, "recorded.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(replay.Steps, func(st Step) bool { return st.Kind == KindCheck }) {
		t.Fatalf("the recording has no check_access step: %+v", replay.Steps)
	}
	if rep, out := runScenario(t, replay); !rep.Passed {
		t.Fatalf("the recording does not replay:\n%s", out)
	}
	// Without that step the replay's device would not know of the share: the edit is refused.
	replay.Steps = slices.DeleteFunc(replay.Steps, func(st Step) bool { return st.Kind == KindCheck })
	if rep, _ := runScenario(t, replay); rep.Passed {
		t.Fatal("the replay passes without the check_access step: the test proves nothing")
	}
}

// A check_access step whose record the org no longer shows me (unshared, deleted) is an answer,
// not a failure: a recording that wrote one after an unshare did not replay.
func TestACheckAccessOfARecordGoneFromMeIsAnAnswer(t *testing.T) {
	src := `name: check after unshare
steps:
  - create: Account
    as: sam
    ref: sams
    fields: {Name: Sams Shared Co}
  - share: sams
    with: me
    access: read
  - sync
  - expect: {record: sams, access: read}
  - unshare: sams
    with: me
  - check_access: sams
`
	sc, err := Parse("check.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if rep, out := runScenario(t, sc); !rep.Passed || !strings.Contains(out, "no longer visible to me on the org") {
		t.Fatalf("the run:\n%s", out)
	}
}
