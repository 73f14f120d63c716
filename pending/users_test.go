package pending

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

func TestRecordNamesItsOwnerAndAuthorsAndAConflictNamesWhoChangedIt(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	alex, admin := h.users["alex@demo.example"], h.users["admin@demo.example"]
	c := h.firstOwned(t, "Contact")
	if c.Names[alex.ID] != alex.Name || c.Fields["OwnerId"] != alex.ID {
		t.Fatalf("owner not named: %v", c.Names)
	}
	for _, f := range []string{"CreatedById", "LastModifiedById"} {
		id, _ := c.Fields[f].(string)
		if c.Names[id] == "" {
			t.Fatalf("%s %s not named: %v", f, id, c.Names)
		}
	}
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "mine"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Phone": "theirs"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	// Drawing the record makes no request.
	var requests int
	h.faults.set(func(*http.Request) string { requests++; return "" })
	rv, err := h.eng.Record(bg, "Contact", c.ID)
	if err != nil || rv.Entry == nil || len(rv.Entry.Conflicts) == 0 {
		t.Fatalf("no conflict: %v %+v", err, rv.Entry)
	}
	by := rv.Entry.Conflicts[0].TheirsBy
	if by != admin.ID || rv.Names[by] != admin.Name {
		t.Fatalf("conflict by %q named %q, want %s", by, rv.Names[by], admin.Name)
	}
	if requests != 0 {
		t.Fatalf("reading a record made %d requests", requests)
	}
}

func TestUserNamesAreFetchedOnceAndOnlyForUnknownUsers(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	var userQueries int
	h.faults.set(func(req *http.Request) string {
		if q := req.URL.Query().Get("q"); strings.Contains(q, "FROM User ") || strings.HasSuffix(q, "FROM User") {
			userQueries++
		}
		return ""
	})
	h.sync(t)
	if userQueries != 1 {
		t.Fatalf("%d user queries in the prime, want 1", userQueries)
	}
	h.clock.Set(h.clock.Now().Add(5 * time.Minute))
	h.sync(t)
	if userQueries != 1 {
		t.Fatalf("%d user queries after a refresh that met no new user, want still 1", userQueries)
	}
}

// A run that cannot ask the org for the names of the users it saw (the request failed) leaves
// them to the next run, which asks again.
func TestUsersSeenByARunWhoseNameQueryFailedAreAskedByTheNext(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	sam := h.users["sam@demo.example"].ID
	if _, err := h.eng.db.SQL().ExecContext(bg, `DELETE FROM users WHERE id = ?`, sam); err != nil {
		t.Fatal(err)
	}
	h.eng.seeUsers(nil, remote.Fields{"OwnerId": sam})
	h.faults.set(once(func(r *http.Request) bool {
		return strings.HasPrefix(r.URL.Query().Get("q"), "SELECT Id, Name FROM User WHERE Id IN")
	}, "drop"))
	if err := h.eng.fetchUserNames(bg, false); err == nil {
		t.Fatal("the dropped name query did not fail the fetch")
	}
	h.faults.set(nil)
	if err := h.eng.fetchUserNames(bg, false); err != nil {
		t.Fatal(err)
	}
	if names, _ := h.eng.db.Names(bg, []string{sam}); names[sam] != h.users["sam@demo.example"].Name {
		t.Fatalf("sam's name after the next fetch: %q", names[sam])
	}
}

// A name kept for more than a day is asked again when a run sees its user: a user renamed on
// the org is named anew.
func TestAUserNameKeptMoreThanADayIsAskedAgain(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.learnAdminName(t)
	admin := h.users["admin@demo.example"]
	// As if the device had learnt the admin under an older name two days ago.
	if _, err := h.eng.db.SQL().ExecContext(bg, `UPDATE users SET name = 'Old Name', fetched_at = ? WHERE id = ?`,
		h.clock.Now().Add(-48*time.Hour).UnixMilli(), admin.ID); err != nil {
		t.Fatal(err)
	}
	h.learnAdminName(t) // the admin changes a record again; the run sees them
	if names, _ := h.eng.db.Names(bg, []string{admin.ID}); names[admin.ID] != admin.Name {
		t.Fatalf("the admin is still named %q; want %q", names[admin.ID], admin.Name)
	}
}

// A device holding records but no user name (cached before names were kept, or its process
// ended before the run asked) learns the names its records point at on its next sync, even
// when the refresh brings no record; a fresh device's prime does not read its records again
// for them (each record it stores is seen as it is stored).
func TestADeviceWithRecordsButNoUserNamesLearnsThemOnItsNextSync(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	if fill, err := h.eng.usersToBackfill(bg); err != nil || fill {
		t.Fatalf("a fresh device would backfill: %v %v", fill, err)
	}
	admin := h.as(t, "admin@demo.example") // a third user, beside alex and sam, changes a record
	res, err := admin.Query(bg, "SELECT Id FROM Contact WHERE OwnerId = '"+h.users["alex@demo.example"].ID+"' LIMIT 1", 0)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("no contact of alex's: %v", err)
	}
	if err := admin.Update(bg, "Contact", res.Records[0].ID(), remote.Fields{"Title": "Admin"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if fill, err := h.eng.usersToBackfill(bg); err != nil || fill {
		t.Fatalf("a primed device with names would backfill: %v %v", fill, err)
	}
	if _, err := h.eng.db.SQL().ExecContext(bg, `DELETE FROM users`); err != nil {
		t.Fatal(err)
	}
	h.reopen(t) // a new process: nothing seen in memory
	h.clock.Set(h.clock.Now().Add(time.Minute))
	h.sync(t)
	ids, err := h.eng.db.ReferencedUsers(bg, userFields)
	if err != nil || len(ids) != 3 {
		t.Fatalf("the records name users %v (%v); want alex, sam and the admin", ids, err)
	}
	names, err := h.eng.db.Names(bg, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if names[id] == "" {
			t.Errorf("user %s, named by a cached record, has no name after the sync", id)
		}
	}
}

// A user a queued change gives a record to, whom no cached record names, is named after the
// next sync: the conflict screen shows the change's owner by name.
func TestAUserAQueuedChangeNamesIsNamedAfterTheSync(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	admin := h.users["admin@demo.example"]
	if names, _ := h.eng.db.Names(bg, []string{admin.ID}); names[admin.ID] != "" {
		t.Fatalf("premise: the admin is already named %q", names[admin.ID])
	}
	// The org refuses the change (a rule on the phone): it stays queued, the record unchanged.
	if _, err := h.admin(t).AddRule(bg, remote.Rule{Object: "Account", Kind: "forbid_value", Field: "Phone", Value: "666", Message: "Not that number"}); err != nil {
		t.Fatal(err)
	}
	a := h.firstOwned(t, "Account")
	if err := h.eng.Edit(bg, "Account", a.ID, remote.Fields{"OwnerId": admin.ID, "Phone": "666"}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if en := h.entryOf(t, a.ID); en.Status != StatusInvalid {
		t.Fatalf("premise: refused, got %s", en.Status)
	}
	if names, _ := h.eng.db.Names(bg, []string{admin.ID}); names[admin.ID] != admin.Name {
		t.Fatalf("the admin a change gave a record to is named %q; want %q", names[admin.ID], admin.Name)
	}
}
