package pending

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// syncLosingTheReply syncs with the first Composite's reply lost after the org applied it.
func syncLosingTheReply(t *testing.T, h *harness) {
	t.Helper()
	h.faults.set(once(isComposite, "lose"))
	h.eng.SetOnline(true)
	if _, err := h.eng.Sync(bg); err == nil {
		t.Fatal("a lost reply must report a network failure")
	}
}

// createLosingTheReply queues a create offline and syncs it with its reply lost: the org has
// the record, the device does not know it. It returns the record's local id.
func createLosingTheReply(t *testing.T, h *harness, fields remote.Fields) string {
	t.Helper()
	h.eng.SetOnline(false)
	local, err := h.eng.Create(bg, "Account", fields)
	if err != nil {
		t.Fatal(err)
	}
	syncLosingTheReply(t, h)
	return local
}

// A change sent with its reply lost may have reached the org. When the user changes the record
// again before the next sync, the values the org holds from that earlier send are the user's
// own, not another user's: no conflict with oneself, and the later change is what the org ends
// up with.
func TestAChangeAfterALostReplyIsNotAConflictWithOneself(t *testing.T) {
	cases := []struct {
		name  string
		field string // the field the first (lost) edit sets
		then  func(h *harness, id string) error
		want  func(t *testing.T, h *harness, id string)
	}{
		{"the same field edited again", "Phone",
			func(h *harness, id string) error {
				return h.eng.Edit(bg, "Contact", id, remote.Fields{"Phone": "888"})
			},
			func(t *testing.T, h *harness, id string) {
				if got := h.serverRecord(t, "Contact", id).Fields["Phone"]; got != "888" {
					t.Fatalf("org has Phone %v, want the later edit 888", got)
				}
			}},
		{"another field edited", "Phone",
			func(h *harness, id string) error {
				return h.eng.Edit(bg, "Contact", id, remote.Fields{"Title": "Later"})
			},
			func(t *testing.T, h *harness, id string) {
				f := h.serverRecord(t, "Contact", id).Fields
				if f["Phone"] != "777" || f["Title"] != "Later" {
					t.Fatalf("org has Phone %v Title %v", f["Phone"], f["Title"])
				}
			}},
		{"the record deleted", "Phone",
			func(h *harness, id string) error { return h.eng.Delete(bg, "Contact", id) },
			func(t *testing.T, h *harness, id string) {
				if n := countOnOrg(t, h, "SELECT Id FROM Contact WHERE Id = '"+id+"'"); n != 0 {
					t.Fatal("the record is still on the org")
				}
			}},
		{"the record deleted after a name part changed", "LastName",
			func(h *harness, id string) error { return h.eng.Delete(bg, "Contact", id) },
			func(t *testing.T, h *harness, id string) {
				if n := countOnOrg(t, h, "SELECT Id FROM Contact WHERE Id = '"+id+"'"); n != 0 {
					t.Fatal("the record is still on the org")
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{})
			h.sync(t)
			c := h.firstOwned(t, "Contact")
			h.eng.SetOnline(false)
			if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{tc.field: "777"}); err != nil {
				t.Fatal(err)
			}
			syncLosingTheReply(t, h)
			if got := h.serverRecord(t, "Contact", c.ID).Fields[tc.field]; got != "777" {
				t.Fatalf("the lost send did not reach the org (%v): the test proves nothing", got)
			}
			h.eng.SetOnline(false)
			h.clock.Set(h.clock.Now().Add(10 * time.Minute))
			if err := tc.then(h, c.ID); err != nil {
				t.Fatal(err)
			}
			h.eng.SetOnline(true)
			s := h.sync(t)
			if s.Attention != 0 || s.Synced != 1 {
				ents, _ := h.eng.Entries(bg)
				t.Fatalf("summary %+v, queue %+v", s, ents)
			}
			tc.want(t, h, c.ID)
			acts, _ := h.eng.Activity(bg, "", 200)
			if hasNote(acts, "another user changed") {
				t.Fatalf("the log blames another user for the user's own earlier send: %+v", acts)
			}
		})
	}
}

// A create whose reply was lost, then edited before the next sync: the record the earlier send
// made is found (by its key, or by the values that send carried) and the edit reaches it; no
// second record, and the edit is not dropped. Also for a queue an older build wrote, which kept
// no record of what a send carried: what differs from the record found goes.
func TestAnEditAfterALostCreateReachesTheRecordItMade(t *testing.T) {
	for _, tc := range []struct {
		profile    mockorg.Profile
		olderBuild bool
	}{{mockorg.ProfileDemo, false}, {mockorg.ProfileReal, false}, {mockorg.ProfileDemo, true}, {mockorg.ProfileReal, true}} {
		profile := tc.profile
		t.Run(fmt.Sprintf("%s/older build %v", profile, tc.olderBuild), func(t *testing.T) {
			h := newHarness(t, harnessOpts{profile: profile})
			h.sync(t)
			name := fmt.Sprintf("Lost Then Edited %s", profile)
			local := createLosingTheReply(t, h, remote.Fields{"Name": name, "Phone": "123"})
			h.eng.SetOnline(false)
			h.clock.Set(h.clock.Now().Add(2 * time.Minute))
			if err := h.eng.Edit(bg, "Account", local, remote.Fields{"Phone": "456", "Website": "https://later.example"}); err != nil {
				t.Fatal(err)
			}
			if tc.olderBuild {
				asBuildOfSchema(t, h, 8) // before the sent column
			}
			h.eng.SetOnline(true)
			s := h.sync(t)
			if s.Attention != 0 {
				t.Fatalf("summary %+v", s)
			}
			h.sync(t) // an edit queued after the create may go in a second pass
			res, err := h.as(t, "admin@demo.example").Query(bg, "SELECT Id, Phone FROM Account WHERE Name = '"+soqlEscape(name)+"'", 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Records) != 1 {
				t.Fatalf("%d records named %q on the org, want 1", len(res.Records), name)
			}
			if got := res.Records[0].Fields["Phone"]; got != "456" {
				t.Fatalf("org has Phone %v, want the edit made after the lost reply (456)", got)
			}
			if got, err := h.as(t, "admin@demo.example").Retrieve(bg, "Account", res.Records[0].ID(), []string{"Website"}); err != nil || got.Fields["Website"] != "https://later.example" {
				t.Fatalf("org has Website %v (%v), want the edit made after the lost reply", got.Fields["Website"], err)
			}
			if total, _, _ := h.eng.Counts(bg); total != 0 {
				ents, _ := h.eng.Entries(bg)
				t.Fatalf("queue holds %+v", ents)
			}
			assertNoLocalIDs(t, h)
		})
	}
}

// A record created offline whose create may have reached the org (its reply lost) cannot be
// deleted by dropping the create: the org would keep the record. The delete is refused until a
// sync settles the create, and then goes to the org.
func TestDeletingACreateWhoseReplyWasLostWaitsForTheSync(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	name := "Created Then Deleted"
	local := createLosingTheReply(t, h, remote.Fields{"Name": name})
	h.eng.SetOnline(false)
	err := h.eng.Delete(bg, "Account", local)
	if !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), "sync first") {
		t.Fatalf("delete of a create whose reply was lost: %v", err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Minute))
	h.eng.SetOnline(true)
	h.sync(t)
	byName := "SELECT Id FROM Account WHERE Name = '" + name + "'"
	res, err := h.as(t, "admin@demo.example").Query(bg, byName, 0)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("after the sync the org has %v (%v), want the one record", res.Records, err)
	}
	if err := h.eng.Delete(bg, "Account", res.Records[0].ID()); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if n := countOnOrg(t, h, byName); n != 0 {
		t.Fatalf("the record is still on the org (%d)", n)
	}
}

// A create whose reply was lost, then changed on the org by another user: the user's later edit
// of the same field is a conflict, not an overwrite; with no later edit (also when the user
// asked for a retry meanwhile, which edits nothing), the other user's value stays and nothing
// is left queued.
func TestAnotherUsersEditOfARecordFoundAfterALostCreateIsNotOverwritten(t *testing.T) {
	for _, tc := range []struct{ laterEdit, retried bool }{{true, false}, {false, false}, {false, true}} {
		laterEdit := tc.laterEdit
		t.Run(fmt.Sprintf("later edit %v, retried %v", laterEdit, tc.retried), func(t *testing.T) {
			h := newHarness(t, harnessOpts{})
			h.sync(t)
			name := fmt.Sprintf("Found And Changed %v", laterEdit)
			local := createLosingTheReply(t, h, remote.Fields{"Name": name, "Phone": "1"})
			res, err := h.as(t, "admin@demo.example").Query(bg, "SELECT Id FROM Account WHERE Name = '"+name+"'", 0)
			if err != nil || len(res.Records) != 1 {
				t.Fatalf("the lost create is not on the org: %v %v", res.Records, err)
			}
			id := res.Records[0].ID()
			h.clock.Set(h.clock.Now().Add(2 * time.Second))
			if err := h.as(t, "admin@demo.example").Update(bg, "Account", id, remote.Fields{"Phone": "admin-9"}, remote.WriteOptions{}); err != nil {
				t.Fatal(err)
			}
			h.eng.SetOnline(false)
			if laterEdit {
				if err := h.eng.Edit(bg, "Account", local, remote.Fields{"Phone": "2"}); err != nil {
					t.Fatal(err)
				}
			}
			if tc.retried {
				h.clock.Set(h.clock.Now().Add(time.Minute))
				if err := h.eng.Retry(bg, h.entryOf(t, local).ID); err != nil {
					t.Fatal(err)
				}
			}
			h.clock.Set(h.clock.Now().Add(10 * time.Minute))
			h.eng.SetOnline(true)
			s := h.sync(t)
			got := h.serverRecord(t, "Account", id).Fields["Phone"]
			if got != "admin-9" {
				t.Fatalf("the other user's Phone was overwritten: org has %v", got)
			}
			if laterEdit {
				en := h.entryOf(t, id)
				if en.Status != StatusConflict || len(en.Conflicts) != 1 || en.Conflicts[0].Theirs != "admin-9" || en.Conflicts[0].Mine != "2" || en.Conflicts[0].Base != "1" {
					t.Fatalf("want a conflict on Phone (base 1, theirs admin-9, mine 2): %+v (summary %+v)", en, s)
				}
			} else if total, _, _ := h.eng.Counts(bg); total != 0 || s.Attention != 0 {
				t.Fatalf("queue holds %d, summary %+v", total, s)
			}
		})
	}
}

// A create whose send never left (no connection to the org) is not in doubt: it can be deleted
// (dropped) at once, as one never sent.
func TestACreateThatNeverLeftCanBeDeleted(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	local, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Never Left Ltd"})
	if err != nil {
		t.Fatal(err)
	}
	h.faults.set(func(r *http.Request) string {
		if isComposite(r) {
			return "refuse"
		}
		return ""
	})
	h.eng.SetOnline(true)
	if _, err := h.eng.Sync(bg); err == nil {
		t.Fatal("a refused connection must report a network failure")
	}
	if err := h.eng.Delete(bg, "Account", local); err != nil {
		t.Fatalf("delete of a create that never left: %v", err)
	}
	if total, _, _ := h.eng.Counts(bg); total != 0 {
		t.Fatalf("queue holds %d", total)
	}
}

// After a lost create, a field the user did not touch again is not theirs to push (another
// user's later value stands), and a field the create did not carry (the owner) is not another
// user's change: neither is a conflict.
func TestALostCreateFoundLaterConflictsOnlyOnFieldsBothChanged(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	local := createLosingTheReply(t, h, remote.Fields{"Name": "Untouched Again Ltd", "Phone": "1"})
	res, err := h.as(t, "admin@demo.example").Query(bg, "SELECT Id FROM Account WHERE Name = 'Untouched Again Ltd'", 0)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("the lost create is not on the org: %v %v", res.Records, err)
	}
	id := res.Records[0].ID()
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := h.as(t, "admin@demo.example").Update(bg, "Account", id, remote.Fields{"Name": "Renamed By Admin Ltd"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(false)
	sam := h.users["sam@demo.example"].ID
	if err := h.eng.Edit(bg, "Account", local, remote.Fields{"Phone": "2", "OwnerId": sam}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(10 * time.Minute))
	h.eng.SetOnline(true)
	s := h.sync(t)
	h.sync(t)
	f := h.serverRecord(t, "Account", id).Fields
	if s.Attention != 0 || f["Name"] != "Renamed By Admin Ltd" || f["Phone"] != "2" || f["OwnerId"] != sam {
		t.Fatalf("summary %+v, org has Name %v Phone %v OwnerId %v", s, f["Name"], f["Phone"], f["OwnerId"])
	}
}

// Several edits after one lost send remember that send once: the conflict's base is the value
// the org may hold from it, not an edit that was never sent.
func TestEditsAfterALostSendRememberOnlyWhatWasSent(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	local := createLosingTheReply(t, h, remote.Fields{"Name": "Edited Twice Ltd", "Phone": "1"})
	res, err := h.as(t, "admin@demo.example").Query(bg, "SELECT Id FROM Account WHERE Name = 'Edited Twice Ltd'", 0)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("the lost create is not on the org: %v %v", res.Records, err)
	}
	id := res.Records[0].ID()
	h.eng.SetOnline(false)
	for _, phone := range []string{"2", "3"} {
		if err := h.eng.Edit(bg, "Account", local, remote.Fields{"Phone": phone}); err != nil {
			t.Fatal(err)
		}
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := h.as(t, "admin@demo.example").Update(bg, "Account", id, remote.Fields{"Phone": "admin-9"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(10 * time.Minute))
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, id)
	if en.Status != StatusConflict || len(en.Conflicts) != 1 || en.Conflicts[0].Base != "1" || en.Conflicts[0].Mine != "3" {
		t.Fatalf("want a conflict on Phone with base 1 (what was sent) and mine 3: %+v", en)
	}
}

// A conflict found while the refresh fails part-way still names the other user: the user names
// are fetched whenever the push reached the org.
func TestAConflictNamesTheOtherUserEvenWhenTheRefreshFails(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "111"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Phone": "999"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	admin := h.users["admin@demo.example"].ID
	h.faults.set(func(r *http.Request) string {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/query") && !strings.Contains(r.URL.RawQuery, "+User+") {
			return "503" // the refresh's queries fail; the one naming users does not
		}
		return ""
	})
	h.eng.SetOnline(true)
	_, _ = h.eng.Sync(bg)
	missing, err := h.db.UnknownUsers(bg, []string{admin})
	if err != nil || len(missing) != 0 {
		t.Fatalf("the other user of the conflict is not named: missing %v (%v)", missing, err)
	}
}

// A retry of a create in doubt edits nothing: the sync looks for what its send carried, as
// without the retry, and never takes another record of the same name (the user's own, made on
// the web meanwhile) nor writes the create's values over it. So also when the retry was made
// by the build before and this one opens its database: the upgrade does not take the retried
// change for an older build's edited one.
func TestARetriedCreateInDoubtTakesNoOtherRecordByItsName(t *testing.T) {
	for _, tc := range []struct {
		profile  mockorg.Profile
		upgraded bool
	}{{mockorg.ProfileDemo, false}, {mockorg.ProfileReal, false}, {mockorg.ProfileDemo, true}, {mockorg.ProfileReal, true}} {
		profile := tc.profile
		t.Run(fmt.Sprintf("%s/upgraded %v", profile, tc.upgraded), func(t *testing.T) {
			h := newHarness(t, harnessOpts{profile: profile})
			h.sync(t)
			name := "Retried Same Name " + string(profile)
			h.eng.SetOnline(false)
			local, err := h.eng.Create(bg, "Account", remote.Fields{"Name": name, "Phone": "111"})
			if err != nil {
				t.Fatal(err)
			}
			h.faults.set(once(isComposite, "drop")) // never reaches the org
			h.eng.SetOnline(true)
			if _, err := h.eng.Sync(bg); err == nil {
				t.Fatal("want a network failure")
			}
			en := h.entryOf(t, local)
			h.clock.Set(h.clock.Now().Add(time.Minute))
			webID, err := h.as(t, "alex@demo.example").Create(bg, "Account", remote.Fields{"Name": name, "Phone": "999"}, remote.WriteOptions{})
			if err != nil {
				t.Fatal(err)
			}
			h.clock.Set(h.clock.Now().Add(time.Minute))
			if err := h.eng.Retry(bg, en.ID); err != nil {
				t.Fatal(err)
			}
			if tc.upgraded {
				asBuildOfSchema(t, h, cache.SchemaVersion-1)
				h.eng.SetOnline(true)
			}
			h.clock.Set(h.clock.Now().Add(time.Minute))
			h.sync(t)
			n := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name = '"+name+"'")
			web := h.serverRecord(t, "Account", webID)
			if n != 2 || web.Fields["Phone"] != "999" {
				t.Fatalf("org has %d accounts named %q (want 2); the web one's Phone is %v (want 999)", n, name, web.Fields["Phone"])
			}
		})
	}
}

// asBuildOfSchema leaves the device's database as a build of that schema version left it (no
// earlier send remembered, when before the sent column), and has this build open it.
func asBuildOfSchema(t *testing.T, h *harness, version int) {
	t.Helper()
	if version < 9 {
		if _, err := h.db.SQL().Exec(`UPDATE entries SET sent = ''`); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.db.SQL().Exec(fmt.Sprintf(`PRAGMA user_version = %d`, version)); err != nil {
		t.Fatal(err)
	}
	h.reopen(t)
}

// An older build's change marked at the upgrade, sent again by this build and its reply lost
// too, then edited: that send is remembered (the mark goes with it), so the record it made is
// found and renamed, not created a second time.
func TestAnOlderBuildsChangeSentAgainIsRememberedFromThen(t *testing.T) {
	for _, profile := range []mockorg.Profile{mockorg.ProfileDemo, mockorg.ProfileReal} {
		t.Run(string(profile), func(t *testing.T) {
			h := newHarness(t, harnessOpts{profile: profile})
			h.sync(t)
			h.eng.SetOnline(false)
			local, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Sent Again A " + string(profile), "Phone": "111"})
			if err != nil {
				t.Fatal(err)
			}
			h.faults.set(once(isComposite, "drop")) // never reaches the org
			h.eng.SetOnline(true)
			if _, err := h.eng.Sync(bg); err == nil {
				t.Fatal("want a network failure")
			}
			h.eng.SetOnline(false)
			h.clock.Set(h.clock.Now().Add(time.Minute))
			if err := h.eng.Edit(bg, "Account", local, remote.Fields{"Name": "Sent Again B " + string(profile)}); err != nil {
				t.Fatal(err)
			}
			asBuildOfSchema(t, h, 8)
			h.clock.Set(h.clock.Now().Add(time.Minute))
			h.faults.set(once(isComposite, "lose")) // reaches the org, the reply is lost
			h.eng.SetOnline(true)
			if _, err := h.eng.Sync(bg); err == nil {
				t.Fatal("want a network failure")
			}
			h.eng.SetOnline(false)
			h.clock.Set(h.clock.Now().Add(time.Minute))
			if err := h.eng.Edit(bg, "Account", local, remote.Fields{"Name": "Sent Again C " + string(profile)}); err != nil {
				t.Fatal(err)
			}
			h.clock.Set(h.clock.Now().Add(time.Minute))
			h.eng.SetOnline(true)
			h.sync(t)
			h.sync(t)
			if n := countOnOrg(t, h, "SELECT Id FROM Account WHERE Name LIKE 'Sent Again %'"); n != 1 {
				t.Fatalf("org has %d accounts Sent Again A/B/C (want 1: the one create, renamed C)", n)
			}
		})
	}
}
