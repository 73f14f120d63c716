package pending

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// giveAway has the admin give one of alex's records to sam on the org, and share it back with
// alex at access ("none" leaves alex nothing: the record is out of sight).
func (h *harness) giveAway(t *testing.T, object, id, access string) {
	t.Helper()
	sam := h.users["sam@demo.example"].ID
	if err := h.as(t, "admin@demo.example").Update(bg, object, id, remote.Fields{"OwnerId": sam}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if access != "none" {
		if err := h.admin(t).Share(bg, id, "alex@demo.example", access); err != nil {
			t.Fatal(err)
		}
	}
}

// learnAdminName has the device learn the admin's name, as it does once the admin changed any
// record it caches: the admin edits one of alex's contacts and the device syncs.
func (h *harness) learnAdminName(t *testing.T) {
	t.Helper()
	c := h.firstOwned(t, "Contact")
	if err := h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Title": "Named"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
}

// Support staff read a red change on a record given to another user: it says so, naming to whom,
// and not only that access was lost; the log and the record's page agree. Who gave it is not
// said: the record's last modifier need not be who changed its owner.
func TestAChangeToARecordGivenToAnotherUserSaysToWhom(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.learnAdminName(t)
	acc := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Phone": "555-0104"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	h.giveAway(t, "Account", acc.ID, "read")
	h.eng.SetOnline(true)
	h.sync(t)

	en := h.entryOf(t, acc.ID)
	sam := h.users["sam@demo.example"]
	want := "This record was given to " + sam.Name + "; you can no longer change it"
	if en.Status != StatusFailed || en.Code != "INSUFFICIENT_ACCESS_OR_READONLY" || en.Message != want {
		t.Fatalf("entry %s %s %q; want failed, INSUFFICIENT_ACCESS_OR_READONLY, %q", en.Status, en.Code, en.Message, want)
	}
	if !en.GivenAway() || en.Cause() != CauseNoAccess {
		t.Fatalf("GivenAway %v, Cause %v: want true, no access", en.GivenAway(), en.Cause())
	}
	acts, _ := h.eng.Activity(bg, acc.ID, 20)
	if !hasNote(acts, "failed: "+want) {
		t.Fatalf("the log does not say it: %+v", acts)
	}
	rv, err := h.eng.Record(bg, "Account", acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rv.Server["OwnerId"] != sam.ID || rv.Fields["Phone"] != "555-0104" {
		t.Fatalf("the record's page shows owner %v and phone %v; want sam's id (as the message says) and the change on top",
			rv.Server["OwnerId"], rv.Fields["Phone"])
	}
	// The same sync asked what the user may still do with it: read only. Dismissed, the
	// record stays, and a new edit is refused on the device rather than red again at sync.
	if acc, err := h.eng.RecordAccess(bg, acc.ID); err != nil || acc != AccessRead {
		t.Fatalf("access %v (%v); want read only, as the org says", acc, err)
	}
	if err := h.eng.Dismiss(bg, en.ID); err != nil {
		t.Fatal(err)
	}
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Phone": "555-0105"}); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("an edit after the dismiss: %v; want it refused (read only)", err)
	}
}

// The new owner may be a user the device has never seen when the push meets the refusal: the
// message names them once the same sync has fetched the names of the users it saw.
func TestARecordGivenToAUserTheDeviceHadNotSeenNamesThemAfterTheSync(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	acc := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Phone": "555-0105"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	h.giveAway(t, "Account", acc.ID, "read")
	h.eng.SetOnline(true)
	if _, err := h.eng.db.SQL().ExecContext(bg, `DELETE FROM users`); err != nil { // a device that never learnt a name
		t.Fatal(err)
	}
	h.sync(t)
	en := h.entryOf(t, acc.ID)
	if want := "This record was given to " + h.users["sam@demo.example"].Name + "; you can no longer change it"; en.Message != want || !en.GivenAway() {
		t.Fatalf("message %q (given away %v); want %q", en.Message, en.GivenAway(), want)
	}
}

// A run whose query of the users' names fails leaves them to the next run: the new owner is
// named then, and the log says so (the page and the log agree).
func TestANewOwnerNotNamedByARunIsNamedByTheNext(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	acc := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Phone": "555-0107"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	h.giveAway(t, "Account", acc.ID, "read")
	h.eng.SetOnline(true)
	// A device that knows its other users but not sam.
	if _, err := h.eng.db.SQL().ExecContext(bg, `DELETE FROM users WHERE id = ?`, h.users["sam@demo.example"].ID); err != nil {
		t.Fatal(err)
	}
	h.faults.set(once(func(r *http.Request) bool {
		return strings.HasPrefix(r.URL.Query().Get("q"), "SELECT Id, Name FROM User WHERE Id IN")
	}, "drop"))
	_, _ = h.eng.Sync(bg)
	h.faults.set(nil)
	if en := h.entryOf(t, acc.ID); en.Message != "This record was given to another user; you can no longer change it" {
		t.Fatalf("after a run that could not ask the names: %q", en.Message)
	}
	h.sync(t)
	sam := h.users["sam@demo.example"].Name
	want := "This record was given to " + sam + "; you can no longer change it"
	if en := h.entryOf(t, acc.ID); en.Message != want {
		t.Fatalf("after the next run: %q; want %q", en.Message, want)
	}
	acts, _ := h.eng.Activity(bg, acc.ID, 20)
	if !hasNote(acts, "the new owner is named: "+want) {
		t.Fatalf("the log does not say it: %+v", acts)
	}
}

// When the org no longer lets the user read the record, nothing is known of its owner: the
// message stays as it was.
func TestALostRecordThatCannotBeReadKeepsSayingAccessWasLost(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.learnAdminName(t)
	acc := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Phone": "555-0106"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	h.giveAway(t, "Account", acc.ID, "none")
	h.eng.SetOnline(true)
	h.sync(t)
	if en := h.entryOf(t, acc.ID); en.Code != "NOT_FOUND" || en.Message != msgNoAccess || en.GivenAway() {
		t.Fatalf("out of sight: %s %q (given away %v); want NOT_FOUND, %q", en.Code, en.Message, en.GivenAway(), msgNoAccess)
	}
}

// A delete of a record given to another user meets the gift at the check before the delete: the
// conflict says who has it now, and "delete anyway" on a record shared to edit, not to delete,
// says why not in the same words.
func TestADeleteOfARecordGivenAwaySaysToWhom(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.learnAdminName(t)
	acc := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Delete(bg, "Account", acc.ID); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	h.giveAway(t, "Account", acc.ID, "edit")
	h.eng.SetOnline(true)
	h.sync(t)
	sam := h.users["sam@demo.example"]
	en := h.entryOf(t, acc.ID)
	if want := "This record was given to " + sam.Name + " before your delete reached the org"; en.Status != StatusConflict || en.Message != want {
		t.Fatalf("entry %s %q; want a conflict saying %q", en.Status, en.Message, want)
	}
	err := h.eng.ResolveDelete(bg, en.ID, true)
	if !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), "was given to "+sam.Name) {
		t.Fatalf("delete anyway: %v; want it refused, saying the record was given to %s", err, sam.Name)
	}
}

// The log is read by people: a fix and a resolution name the fields as the screens do (the
// describe's labels, a lookup without " ID"), in the form's order, not by their API names.
func TestTheLogNamesTheFieldsAUserSettledAsTheScreensDo(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.editMeetingTheirs(t, "Contact", c.ID, remote.Fields{"Phone": "111", "Department": "Ops"}, remote.Fields{"Phone": "222", "Department": "Sales"})
	h.sync(t)
	en := h.entryOf(t, c.ID)
	if en.Status != StatusConflict {
		t.Fatalf("entry %+v", en)
	}
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Phone": {Take: TakeMine}, "Department": {Take: TakeTheirs}}); err != nil {
		t.Fatal(err)
	}
	acts, _ := h.eng.Activity(bg, c.ID, 20)
	admin := h.users["admin@demo.example"].Name
	// Whose value each field kept, and for mine, whose it replaced: the conflict screen showed
	// both until now; the log keeps them.
	want := `conflict resolved by the user: Business Phone mine ("111") over ` + admin + `'s "222", Department theirs (`
	if !hasNote(acts, want) {
		t.Fatalf("want a note starting %q in %+v", want, acts)
	}
	if want := `conflict: ` + admin + ` changed Business Phone, Department; Business Phone theirs "222", mine "111"; Department theirs "Sales", mine "Ops"`; !hasNote(acts, want) {
		t.Fatalf("want the conflict's note %q in %+v", want, acts)
	}

	// A fix: a new opportunity the org refuses (a negative amount), fixed with its amount and
	// its account.
	opp := h.firstOwned(t, "Opportunity")
	acc := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Opportunity", opp.ID, remote.Fields{"Amount": -5.0}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	oen := h.entryOf(t, opp.ID)
	if oen.Status != StatusInvalid {
		t.Fatalf("the refused change (the test's premise): %+v", oen)
	}
	if err := h.eng.Fix(bg, oen.ID, remote.Fields{"Amount": 1250.0, "AccountId": acc.ID}); err != nil {
		t.Fatal(err)
	}
	acts, _ = h.eng.Activity(bg, opp.ID, 20)
	// The account by its name, as the form shows it, not its id.
	if want := "fixed by the user: Account=" + `"` + acc.Name + `", Amount=1250`; !hasNote(acts, want) {
		t.Fatalf("want the note %q in %+v", want, acts)
	}
}

// A change whose lookup pointed at a record created offline and discarded since asks for
// another, naming the field as the form does.
func TestADiscardedParentIsAskedForByTheFieldsLabel(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.SetOnline(false)
	parent, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Gone Before Sync"})
	if err != nil {
		t.Fatal(err)
	}
	c := h.firstOwned(t, "Contact")
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"AccountId": parent}); err != nil {
		t.Fatal(err)
	}
	pe := h.entryOf(t, parent)
	if err := h.eng.Discard(bg, pe.ID); err != nil {
		t.Fatal(err)
	}
	en := h.entryOf(t, c.ID)
	if want := "A related record created offline was discarded; choose another for Account"; en.Status != StatusInvalid || en.Message != want {
		t.Fatalf("entry %s %q; want invalid, %q", en.Status, en.Message, want)
	}
}

// The log of a change on a new record tells when it began to wait for its new parent, naming
// it, and when it came to need the user because that parent was discarded.
func TestTheLogTellsWhenAChildWaitsForItsParentAndWhenItsParentIsDiscarded(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	if _, err := h.admin(t).AddRule(bg, remote.Rule{Object: "Account", Kind: "forbid_value", Field: "Rating", Value: "Cold", Message: "Cold accounts need a manager"}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(false)
	acc, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Plane Parent Ltd", "Rating": "Cold"})
	if err != nil {
		t.Fatal(err)
	}
	kid, err := h.eng.Create(bg, "Contact", remote.Fields{"LastName": "Plane Child", "AccountId": acc})
	if err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	h.sync(t) // held again: told once
	notesOf := func() []string {
		acts, err := ReadActivity(bg, h.db, kid, 100)
		if err != nil {
			t.Fatal(err)
		}
		var notes []string
		for _, a := range acts {
			if a.Note != "" {
				notes = append(notes, a.Note)
			}
		}
		return notes
	}
	wait := `waits for Account "Plane Parent Ltd", created on this device, which the org refused: it needs you first`
	if n := slices.Index(notesOf(), wait); n < 0 || slices.Contains(notesOf()[n+1:], wait) {
		t.Fatalf("the child's log, once: %q\n%q", wait, notesOf())
	}
	if err := h.eng.Discard(bg, h.entryOf(t, acc).ID); err != nil {
		t.Fatal(err)
	}
	need := "needs you: A related record created offline was discarded; choose another for Account"
	if !slices.Contains(notesOf(), need) {
		t.Fatalf("the child's log does not say %q:\n%q", need, notesOf())
	}
}

// A new record pointing at two new records, one saved and one refused, waits for the refused
// one, and its log names that one, once.
func TestAChildOfTwoNewParentsWaitsForTheRefusedOneAndSaysSoOnce(t *testing.T) {
	for i := range 5 { // local ids are random: the parents' order varies
		h := newHarness(t, harnessOpts{})
		h.sync(t)
		if _, err := h.admin(t).AddRule(bg, remote.Rule{Object: "Contact", Kind: "forbid_value", Field: "Title", Value: "Bad", Message: "Not that title"}); err != nil {
			t.Fatal(err)
		}
		h.eng.SetOnline(false)
		acc, err := h.eng.Create(bg, "Account", remote.Fields{"Name": "Good Parent Ltd"})
		if err != nil {
			t.Fatal(err)
		}
		boss, err := h.eng.Create(bg, "Contact", remote.Fields{"LastName": "Refused Boss", "Title": "Bad"})
		if err != nil {
			t.Fatal(err)
		}
		kid, err := h.eng.Create(bg, "Contact", remote.Fields{"LastName": "Kid", "AccountId": acc, "ReportsToId": boss})
		if err != nil {
			t.Fatal(err)
		}
		h.eng.SetOnline(true)
		h.sync(t)
		if en := h.entryOf(t, kid); en.Status != StatusWaiting || en.WaitingOn != boss {
			t.Fatalf("run %d: the child is %s waiting on %q; want waiting on the refused boss %q", i, en.Status, en.WaitingOn, boss)
		}
		acts, err := ReadActivity(bg, h.db, kid, 100)
		if err != nil {
			t.Fatal(err)
		}
		var waits []string
		for _, a := range acts {
			if strings.HasPrefix(a.Note, "waits for") {
				waits = append(waits, a.Note)
			}
		}
		if len(waits) != 1 || !strings.Contains(waits[0], `Contact "Refused Boss"`) {
			t.Fatalf("run %d: the child's waiting notes %q; want one, naming the refused boss", i, waits)
		}
	}
}
