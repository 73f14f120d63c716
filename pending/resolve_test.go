package pending

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// A resolve is made on theirs as the conflict found them (or as a screen showed them): when a
// later sync brought a newer value of a conflicting field, nothing is resolved and the error
// names the field with both values; against the newer value (given, or nil for "whatever the
// device holds now") it stands.
func TestAResolveOnTheirsThatChangedAgainIsRefused(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Phone": "111"}); err != nil {
		t.Fatal(err)
	}
	admin := h.as(t, "admin@demo.example")
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := admin.Update(bg, "Contact", c.ID, remote.Fields{"Phone": "222"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, c.ID)
	if en.Status != StatusConflict {
		t.Fatalf("entry %+v", en)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := admin.Update(bg, "Contact", c.ID, remote.Fields{"Phone": "333"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.sync(t) // sync-down brings 333; the conflict still says 222
	mine := map[string]Choice{"Phone": {Take: TakeMine}}
	err := h.eng.Resolve(bg, en.ID, mine)
	var moved *TheirsMovedError
	if !errors.Is(err, ErrTheirsMoved) || !errors.As(err, &moved) || len(moved.Fields) != 1 ||
		moved.Fields[0].Field != "Phone" || moved.Fields[0].Was != "222" || moved.Fields[0].Now != "333" {
		t.Fatalf("resolve on the value the conflict found: %v (%+v)", err, moved)
	}
	if err := h.eng.ResolveAgainst(bg, en.ID, mine, remote.Fields{"Phone": "222"}); !errors.Is(err, ErrTheirsMoved) {
		t.Fatalf("resolve against the old value shown: %v", err)
	}
	if got := h.entryOf(t, c.ID); got.Status != StatusConflict || got.Changes["Phone"] != "111" {
		t.Fatalf("a refused resolve changed the entry: %+v", got)
	}
	if err := h.eng.ResolveAgainst(bg, en.ID, mine, remote.Fields{"Phone": "333"}); err != nil {
		t.Fatalf("resolve against the newer value shown: %v", err)
	}
	h.sync(t)
	if got := h.serverRecord(t, "Contact", c.ID).Fields["Phone"]; got != "111" {
		t.Fatalf("org has Phone %v, want mine", got)
	}
}

// A composite answers 200 as a whole; the log row of each entry in it says what the org
// answered that entry, so a record's history shows the 412 without reading the notes — also
// when the push takes several waves (the replies of one wave arrive while the one before is
// recorded, which writes their rows to the log first).
func TestTheCompositeRowOfAnEntrySaysWhatTheOrgAnsweredIt(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	h.eng.perRequest, h.eng.waveChunks = 1, 1
	page, err := h.eng.List(bg, ListQuery{Object: "Contact", Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	me := h.users["alex@demo.example"].ID
	var ids []string
	for _, row := range page.Rows {
		if row.Fields["OwnerId"] == me && len(ids) < 6 {
			ids = append(ids, row.ID)
		}
	}
	h.eng.SetOnline(false)
	admin := h.as(t, "admin@demo.example")
	h.clock.Set(h.clock.Now().Add(2e9))
	for _, id := range ids {
		if err := h.eng.Edit(bg, "Contact", id, remote.Fields{"Phone": "111"}); err != nil {
			t.Fatal(err)
		}
		if err := admin.Update(bg, "Contact", id, remote.Fields{"Phone": "222"}, remote.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	h.eng.SetOnline(true)
	h.sync(t)
	for _, id := range ids {
		acts, err := h.eng.Activity(bg, id, 50)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, a := range acts {
			if a.Method == "POST" && strings.HasSuffix(a.Path, "/composite") {
				found = true
				if a.Status != 200 || !strings.HasPrefix(a.Code, "412") {
					t.Errorf("%s: the composite row says %d %q, want 200 with the entry's 412", id, a.Status, a.Code)
				}
			}
		}
		if !found {
			t.Errorf("%s: no composite row in the record's log: %+v", id, acts)
		}
	}
}

// A record deleted on the org names its parent only when the parent's delete took it along: an
// account whose parent account was deleted too was deleted on its own (ParentId does not
// cascade), while a contact goes with its account.
func TestADeletedRecordNamesOnlyAParentWhoseDeleteCascades(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	admin := h.as(t, "admin@demo.example")
	a := h.firstOwned(t, "Account")
	var p RecordView
	page, err := h.eng.List(bg, ListQuery{Object: "Account", Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range page.Rows {
		if row.ID != a.ID && row.Fields["OwnerId"] == a.Fields["OwnerId"] {
			p, _ = h.eng.Record(bg, "Account", row.ID)
			break
		}
	}
	if p.ID == "" {
		t.Fatal("no second account of alex's")
	}
	if err := admin.Update(bg, "Account", a.ID, remote.Fields{"ParentId": p.ID}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	h.sync(t)
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", a.ID, remote.Fields{"Phone": "555-0142"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a.ID, p.ID} {
		if err := admin.Delete(bg, "Account", id); err != nil {
			t.Fatal(err)
		}
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, a.ID)
	if en.Status != StatusFailed || en.Message != msgDeleted || en.Cause() != CauseDeleted {
		t.Fatalf("entry %s %q (%v); want red %q", en.Status, en.Message, en.Cause(), msgDeleted)
	}
}

// My offline change gave the record to sam; meanwhile the admin took it and shared it back to me
// to edit. Keeping my owner change would make the org refuse the whole change: resolving says
// so, and taking theirs for the owner keeps the rest of my change.
func TestResolvingKeepsNoOwnerChangeOnARecordNoLongerMine(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	a := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", a.ID, remote.Fields{"OwnerId": h.users["sam@demo.example"].ID, "Phone": "555-6001"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := h.as(t, "admin@demo.example").Update(bg, "Account", a.ID, remote.Fields{"OwnerId": h.users["admin@demo.example"].ID}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := h.admin(t).Share(bg, a.ID, "alex@demo.example", "edit"); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, a.ID)
	if en.Status != StatusConflict {
		t.Fatalf("entry %+v", en)
	}
	err := h.eng.Resolve(bg, en.ID, map[string]Choice{"OwnerId": {Take: TakeMine}})
	if !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), "take theirs for Owner") {
		t.Fatalf("keeping my owner change on a record no longer mine: %v", err)
	}
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"OwnerId": {Take: TakeTheirs}}); err != nil {
		t.Fatal(err)
	}
	if s := h.sync(t); s.Synced != 1 {
		t.Fatalf("summary %+v", s)
	}
	srv := h.serverRecord(t, "Account", a.ID).Fields
	if srv["Phone"] != "555-6001" || srv["OwnerId"] != h.users["admin@demo.example"].ID {
		t.Fatalf("org has Phone %v, owner %v", srv["Phone"], srv["OwnerId"])
	}
}

// A resolution that would pair a dependent picklist's value with a controlling value it does
// not suit (my Case Reason with their Case Type) is refused before anything is queued: the org
// would refuse the whole change again. Both from one side go through.
func TestAResolutionPairingADependentValueWithAControllerItDoesNotSuitIsRefused(t *testing.T) {
	h := newHarness(t, harnessOpts{objects: []string{"Account", "Contact", "Case"}})
	h.sync(t)
	cs := h.firstOwned(t, "Case")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Case", cs.ID, remote.Fields{"Type": "Electrical", "Reason": "Performance"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := h.as(t, "admin@demo.example").Update(bg, "Case", cs.ID, remote.Fields{"Type": "Mechanical", "Reason": "Installation"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, cs.ID)
	if en.Status != StatusConflict || len(en.Conflicts) != 2 {
		t.Fatalf("want a conflict on Type and Reason (the test's premise): %+v", en)
	}
	err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Type": {Take: TakeTheirs}, "Reason": {Take: TakeMine}})
	if !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), `Case Reason "Performance" does not go with Case Type "Mechanical"`) {
		t.Fatalf("mine Reason with their Type: %v; want it refused, naming both", err)
	}
	if again := h.entryOf(t, cs.ID); again.Status != StatusConflict {
		t.Fatalf("the refused resolution changed the entry: %+v", again)
	}
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Type": {Take: TakeMine}, "Reason": {Take: TakeMine}}); err != nil {
		t.Fatalf("both mine: %v", err)
	}
	h.sync(t)
	if got := h.serverRecord(t, "Case", cs.ID).Fields; got["Type"] != "Electrical" || got["Reason"] != "Performance" {
		t.Fatalf("the org holds Type %v, Reason %v", got["Type"], got["Reason"])
	}
}

// A conflict on one field of a change that also holds a dependent value (mine, no conflict)
// its controlling value no longer suits (another user changed it) is still resolved: a
// conflict screen offers only the fields in conflict, so refusing left the user nothing but
// discarding the whole change. The org then refuses the pair, and the user fixes it.
func TestAResolutionIsNotRefusedForADependentPairOutsideTheConflict(t *testing.T) {
	for _, take := range []Take{TakeMine, TakeTheirs} {
		h := newHarness(t, harnessOpts{objects: []string{"Account", "Contact", "Case"}})
		h.sync(t)
		cs := h.firstOwned(t, "Case")
		admin := h.as(t, "admin@demo.example")
		if err := admin.Update(bg, "Case", cs.ID, remote.Fields{"Type": "Electrical", "Reason": "Other"}, remote.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		h.sync(t)
		h.clock.Set(h.clock.Now().Add(2 * time.Second))
		h.eng.SetOnline(false)
		if err := h.eng.Edit(bg, "Case", cs.ID, remote.Fields{"Reason": "Performance", "Subject": "mine"}); err != nil {
			t.Fatal(err)
		}
		h.clock.Set(h.clock.Now().Add(2 * time.Second))
		if err := admin.Update(bg, "Case", cs.ID, remote.Fields{"Type": "Mechanical", "Subject": "theirs"}, remote.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		h.eng.SetOnline(true)
		h.sync(t)
		en := h.entryOf(t, cs.ID)
		if en.Status != StatusConflict || len(en.Conflicts) != 1 || en.Conflicts[0].Field != "Subject" {
			t.Fatalf("want a conflict on Subject alone (the test's premise): %+v", en)
		}
		if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Subject": {Take: take}}); err != nil {
			t.Fatalf("take %v for Subject, the only field in conflict: %v", take, err)
		}
		h.sync(t)
		en = h.entryOf(t, cs.ID)
		flagged := false
		for _, fe := range en.Errors {
			flagged = flagged || fe.Field == "Reason"
		}
		if en.Status != StatusInvalid || !flagged {
			t.Fatalf("after the org judged mine Reason with their Type: %+v; want it to ask for a fix of Reason", en)
		}
		if err := h.eng.Fix(bg, en.ID, remote.Fields{"Reason": "Breakdown"}); err != nil {
			t.Fatal(err)
		}
		h.sync(t)
		got := h.serverRecord(t, "Case", cs.ID).Fields
		wantSubject := map[Take]string{TakeMine: "mine", TakeTheirs: "theirs"}[take]
		if got["Type"] != "Mechanical" || got["Reason"] != "Breakdown" || got["Subject"] != wantSubject {
			t.Fatalf("the org holds Type %v, Reason %v, Subject %v", got["Type"], got["Reason"], got["Subject"])
		}
	}
}

// A record renamed on the org by another user is named the same on Pending Changes as on its
// list: the change takes the name the refresh (or the read after a conflict) brings.
func TestAChangeIsNamedAfterItsRecordRenamedByAnotherUser(t *testing.T) {
	for _, clash := range []bool{false, true} {
		h := newHarness(t, harnessOpts{size: 60, objects: []string{"Account"}})
		h.sync(t)
		a := h.firstOwned(t, "Account")
		h.eng.SetOnline(false)
		if err := h.eng.Edit(bg, "Account", a.ID, remote.Fields{"Phone": "555-0101"}); err != nil {
			t.Fatal(err)
		}
		h.clock.Set(h.clock.Now().Add(2 * time.Second))
		theirs := remote.Fields{"Name": "Renamed By Admin"}
		if clash {
			theirs["Phone"] = "555-0202" // a conflict: found by the push, read after the 412
		}
		if err := h.as(t, "admin@demo.example").Update(bg, "Account", a.ID, theirs, remote.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		h.eng.SetOnline(true)
		h.sync(t)
		rv, err := h.eng.Record(bg, "Account", a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if clash {
			en := h.entryOf(t, a.ID)
			if en.Status != StatusConflict || en.Name != "Renamed By Admin" || rv.Name != en.Name {
				t.Fatalf("conflict entry named %q (record %q), status %s", en.Name, rv.Name, en.Status)
			}
		} else if rv.Name != "Renamed By Admin" {
			t.Fatalf("record named %q after the refresh", rv.Name)
		}
	}
}

// A conflict on a dependent value alone, its controlling value changed by the other user outside
// the conflict: keeping mine would pair it with a controlling value it does not suit, and the org
// would refuse the change again. Refused on the device, saying how to mend it on the same screen:
// theirs, or a value that suits, goes through.
func TestKeepingMyDependentValueThatNoLongerSuitsTheirControllerIsRefused(t *testing.T) {
	h := newHarness(t, harnessOpts{objects: []string{"Account", "Contact", "Case"}})
	h.sync(t)
	cs := h.firstOwned(t, "Case")
	admin := h.as(t, "admin@demo.example")
	if err := admin.Update(bg, "Case", cs.ID, remote.Fields{"Type": "Electrical", "Reason": "Breakdown"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Case", cs.ID, remote.Fields{"Reason": "Installation"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := admin.Update(bg, "Case", cs.ID, remote.Fields{"Type": "Electronic", "Reason": "Performance"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, cs.ID)
	if en.Status != StatusConflict || len(en.Conflicts) != 1 || en.Conflicts[0].Field != "Reason" {
		t.Fatalf("want a conflict on Case Reason alone (the test's premise): %+v", en)
	}
	err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Reason": {Take: TakeMine}})
	if !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), `Case Reason "Installation" does not go with Case Type "Electronic"`) ||
		!strings.Contains(err.Error(), "take theirs for Case Reason") {
		t.Fatalf("keeping my Reason with their Type: %v; want it refused, saying how to mend it", err)
	}
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Reason": {Take: TakeValue, Value: "Installation"}}); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("typing the same value Electronic does not allow: %v", err)
	}
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Reason": {Take: TakeTheirs}}); err != nil {
		t.Fatalf("theirs: %v", err)
	}
	if s := h.sync(t); s.Attention != 0 {
		t.Fatalf("after taking theirs: %+v", s)
	}
	if got := h.serverRecord(t, "Case", cs.ID).Fields; got["Type"] != "Electronic" || got["Reason"] != "Performance" {
		t.Fatalf("the org holds Type %v, Reason %v", got["Type"], got["Reason"])
	}
}

// A fix saved with nothing new (the rule may have been removed since) is logged as sent again
// unchanged, not as a fix of the values it already held.
func TestAFixWithNothingNewIsLoggedAsSentAgainUnchanged(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	if _, err := h.admin(t).AddRule(bg, remote.Rule{Object: "Account", Kind: "forbid_value", Field: "Phone", Value: "666", Message: "Not that number"}); err != nil {
		t.Fatal(err)
	}
	a := h.firstOwned(t, "Account")
	if err := h.eng.Edit(bg, "Account", a.ID, remote.Fields{"Phone": "666"}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	en := h.entryOf(t, a.ID)
	if en.Status != StatusInvalid {
		t.Fatalf("premise: refused, got %s", en.Status)
	}
	if err := h.eng.Fix(bg, en.ID, remote.Fields{"Phone": "666"}); err != nil {
		t.Fatal(err)
	}
	acts, err := ReadActivity(bg, h.db, a.ID, 10)
	if err != nil || len(acts) == 0 || acts[0].Note != "sent again unchanged by the user" {
		t.Fatalf("the log's newest row %+v (%v); want the unchanged resend said so", acts, err)
	}
}

// A conflict on one field of a change, then another user's change of another field of it (a
// sync brings it while the conflict waits): resolving the first does not send mine over the
// second unseen. The choice made stands, and the second field is a new conflict; resolved in
// turn, the org holds what the user chose for each.
func TestResolvingAConflictDoesNotOverwriteAFieldAnotherUserChangedSince(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.editMeetingTheirs(t, "Contact", c.ID, remote.Fields{"Phone": "111", "Description": "mine"}, remote.Fields{"Phone": "222"})
	h.sync(t)
	en := h.entryOf(t, c.ID)
	if en.Status != StatusConflict || len(en.Conflicts) != 1 || en.Conflicts[0].Field != "Phone" {
		t.Fatalf("first conflict: %+v", en)
	}
	h.changeLaterAsAdmin(t, "Contact", c.ID, remote.Fields{"Description": "theirs, later"})
	h.sync(t) // the refresh brings it; the conflict waits on Phone
	if since, err := h.eng.ChangedSince(bg, en.ID); err != nil || len(since) != 1 || since[0] != "Description" {
		t.Fatalf("ChangedSince = %v (%v), want Description", since, err)
	}
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Phone": {Take: TakeMine}}); err != nil {
		t.Fatal(err)
	}
	en = h.entryOf(t, c.ID)
	if en.Status != StatusConflict || len(en.Conflicts) != 1 || en.Conflicts[0].Field != "Description" ||
		en.Conflicts[0].Theirs != "theirs, later" || en.Conflicts[0].Mine != "mine" || en.Changes["Phone"] != "111" {
		t.Fatalf("after resolving Phone: %+v", en)
	}
	h.sync(t)
	if org := h.serverRecord(t, "Contact", c.ID).Fields; org["Description"] != "theirs, later" || org["Phone"] != "222" {
		t.Fatalf("the org took the change before its new conflict was resolved: %v / %v", org["Phone"], org["Description"])
	}
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Description": {Take: TakeTheirs}}); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	org := h.serverRecord(t, "Contact", c.ID).Fields
	if org["Phone"] != "111" || org["Description"] != "theirs, later" {
		t.Fatalf("the org holds %v / %v, want mine for Phone and theirs for Description", org["Phone"], org["Description"])
	}
	if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
		t.Fatalf("left: %+v", ents)
	}
}

// A lookup typed as a 15-character id names the same record as the org's 18-character form:
// the other user setting the same record is no conflict, nor is the org holding the user's own
// earlier send whose reply was lost.
func TestALookupTypedAs15CharactersIsNoConflictWithItsLongForm(t *testing.T) {
	t.Run("another user set the same record", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		h.sync(t)
		c := h.firstOwned(t, "Contact")
		acc := otherAccountOf(t, h, c)
		h.editMeetingTheirs(t, "Contact", c.ID, remote.Fields{"AccountId": acc[:15]}, remote.Fields{"AccountId": acc})
		h.sync(t)
		if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
			t.Fatalf("left: %+v", ents)
		}
	})
	t.Run("the user's own send whose reply was lost", func(t *testing.T) {
		h := newHarness(t, harnessOpts{})
		h.sync(t)
		c := h.firstOwned(t, "Contact")
		acc := otherAccountOf(t, h, c)
		h.eng.SetOnline(false)
		if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"AccountId": acc[:15]}); err != nil {
			t.Fatal(err)
		}
		h.eng.SetOnline(true)
		h.faults.set(once(isComposite, "lose"))
		_, _ = h.eng.Sync(bg)
		h.faults.set(nil)
		h.clock.Set(h.clock.Now().Add(10 * time.Minute))
		h.sync(t)
		if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
			t.Fatalf("left: %+v", ents)
		}
		if got := h.serverRecord(t, "Contact", c.ID).Fields["AccountId"]; got != acc {
			t.Fatalf("the org has %v, want %s", got, acc)
		}
	})
}

// otherAccountOf is an account the harness's user owns other than the contact's own.
func otherAccountOf(t *testing.T, h *harness, c RecordView) string {
	t.Helper()
	for _, r := range h.owned(t, "Account") {
		if r.id != c.Fields["AccountId"] && len(r.id) == 18 {
			return r.id
		}
	}
	t.Fatal("no other account")
	return ""
}

// An 18-character id typed with its last three characters in another case names the record the
// org gives back: no conflict with another user who set it, nor with the user's own send.
func TestAnIDWhoseSuffixIsInAnotherCaseIsTheSameRecord(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	acc := otherAccountOf(t, h, c)
	typed := acc[:15] + strings.ToLower(acc[15:])
	if typed == acc {
		typed = acc[:15] + strings.ToUpper(acc[15:])
	}
	h.editMeetingTheirs(t, "Contact", c.ID, remote.Fields{"AccountId": typed}, remote.Fields{"AccountId": acc})
	h.sync(t)
	if ents, _ := h.eng.Entries(bg); len(ents) != 0 {
		t.Fatalf("left: %+v", ents)
	}
}

// A delete's conflict, then another change of the record by another user (brought by a sync):
// "delete anyway" does not delete over what the conflict never showed. The conflict shows it
// now, and deleting anyway again deletes.
func TestDeleteAnywayDoesNotDeleteOverALaterChangeNotShown(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Delete(bg, "Contact", c.ID); err != nil {
		t.Fatal(err)
	}
	h.changeLaterAsAdmin(t, "Contact", c.ID, remote.Fields{"Phone": "555-0222"})
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, c.ID)
	if en.Status != StatusConflict {
		t.Fatalf("no conflict: %+v", en)
	}
	h.changeLaterAsAdmin(t, "Contact", c.ID, remote.Fields{"Description": "theirs, later"})
	h.sync(t)
	if err := h.eng.ResolveDelete(bg, en.ID, true); err != nil {
		t.Fatal(err)
	}
	en = h.entryOf(t, c.ID)
	fields := map[string]bool{}
	for _, cf := range en.Conflicts {
		fields[cf.Field] = true
	}
	if en.Status != StatusConflict || !fields["Description"] || !fields["Phone"] {
		t.Fatalf("after delete anyway over a later change: %+v", en)
	}
	h.sync(t)
	if got := h.serverRecord(t, "Contact", c.ID).Fields["Description"]; got != "theirs, later" {
		t.Fatalf("the org has %v", got)
	}
	if err := h.eng.ResolveDelete(bg, en.ID, true); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if n := countOnOrg(t, h, "SELECT Id FROM Contact WHERE Id = '"+c.ID+"'"); n != 0 {
		t.Fatalf("the record is still on the org after delete anyway, seen")
	}
}

// A change that gives a record away, in conflict on another field, when the org's owner changed
// since (given to a third user, the record shared back to edit): the resolution does not stop
// on "no longer yours" with no way out; the owner is a conflict of its own, and taking theirs
// for it lets the rest of the change go.
func TestAnOwnerChangedSinceOutsideTheConflictBecomesAConflict(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	a := h.firstOwned(t, "Account")
	adminID, samID := h.users["admin@demo.example"].ID, h.users["sam@demo.example"].ID
	h.editMeetingTheirs(t, "Account", a.ID, remote.Fields{"Phone": "555-0001", "OwnerId": adminID}, remote.Fields{"Phone": "555-0002"})
	h.sync(t)
	en := h.entryOf(t, a.ID)
	if en.Status != StatusConflict || len(en.Conflicts) != 1 || en.Conflicts[0].Field != "Phone" {
		t.Fatalf("first conflict: %+v", en)
	}
	h.changeLaterAsAdmin(t, "Account", a.ID, remote.Fields{"OwnerId": samID})
	if err := h.admin(t).Share(bg, a.ID, "alex@demo.example", "edit"); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Phone": {Take: TakeMine}}); err != nil {
		t.Fatalf("resolving Phone: %v", err)
	}
	en = h.entryOf(t, a.ID)
	if en.Status != StatusConflict || len(en.Conflicts) != 1 || en.Conflicts[0].Field != "OwnerId" {
		t.Fatalf("after resolving Phone: %+v", en)
	}
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"OwnerId": {Take: TakeTheirs}}); err != nil {
		t.Fatalf("taking theirs for Owner: %v", err)
	}
	h.sync(t)
	org := h.serverRecord(t, "Account", a.ID).Fields
	if org["Phone"] != "555-0001" || org["OwnerId"] != samID {
		t.Fatalf("the org has %v / %v", org["Phone"], org["OwnerId"])
	}
}

// A choice the resolution refuses (keeping mine for an Owner the user may no longer give away)
// is refused before anything is saved, even when another field changed since: nothing of the
// choices is stored, the Owner stays a conflict, and taking theirs for it goes through.
func TestARefusedOwnerChoiceIsNotSavedWithAFieldChangedSince(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	a := h.firstOwned(t, "Account")
	adminID, samID := h.users["admin@demo.example"].ID, h.users["sam@demo.example"].ID
	h.editMeetingTheirs(t, "Account", a.ID, remote.Fields{"Phone": "555-0001", "OwnerId": adminID, "Website": "mine.example"}, remote.Fields{"Phone": "555-0002", "OwnerId": samID})
	if err := h.admin(t).Share(bg, a.ID, "alex@demo.example", "edit"); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	en := h.entryOf(t, a.ID)
	if en.Status != StatusConflict || len(en.Conflicts) != 2 {
		t.Fatalf("first conflict: %+v", en)
	}
	h.changeLaterAsAdmin(t, "Account", a.ID, remote.Fields{"Website": "theirs.example"})
	h.sync(t)
	mine := map[string]Choice{"Phone": {Take: TakeMine}, "OwnerId": {Take: TakeMine}}
	if err := h.eng.Resolve(bg, en.ID, mine); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("keeping mine for an owner no longer the user's to give: %v", err)
	}
	if now := h.entryOf(t, a.ID); len(now.Conflicts) != 2 {
		t.Fatalf("a refused resolution changed the conflict: %+v", now.Conflicts)
	}
	if err := h.eng.Resolve(bg, en.ID, map[string]Choice{"Phone": {Take: TakeMine}, "OwnerId": {Take: TakeTheirs}}); err != nil {
		t.Fatalf("taking theirs for Owner: %v", err)
	}
	if now := h.entryOf(t, a.ID); now.Status != StatusConflict || len(now.Conflicts) != 1 || now.Conflicts[0].Field != "Website" {
		t.Fatalf("after taking theirs for Owner: %+v", now)
	}
}

// A value the org holds because the user's own earlier send carried it (its reply lost) is not
// another user's change since: ChangedSince leaves it out, as the resolution does.
func TestChangedSinceLeavesOutTheUsersOwnEarlierSend(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Title": "A"}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.faults.set(once(isComposite, "lose"))
	_, _ = h.eng.Sync(bg)
	h.faults.set(nil)
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Title": "B", "Phone": "111"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Phone": "222"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, c.ID)
	if en.Status != StatusConflict {
		t.Fatalf("no conflict to look at: %+v", en)
	}
	if since, err := h.eng.ChangedSince(bg, en.ID); err != nil || len(since) != 0 {
		t.Fatalf("ChangedSince = %v (%v), want none: Title is the user's own earlier send", since, err)
	}
}

// A conflict's message says what else the other user changed, kept as theirs: the user sees one
// field to decide and would wonder what became of the others.
func TestAConflictSaysWhatElseTheOtherUserChangedIsKept(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	a := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", a.ID, remote.Fields{"Phone": "555-0111"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := h.as(t, "admin@demo.example").Update(bg, "Account", a.ID, remote.Fields{"Phone": "555-0199", "Description": "Theirs"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	ents, err := h.eng.Entries(bg)
	if err != nil || len(ents) != 1 || ents[0].Status != StatusConflict {
		t.Fatalf("entries %+v (%v), want one conflict", ents, err)
	}
	if msg := ents[0].Message; !strings.Contains(msg, "changed Account Phone; their change to Account Description is kept") {
		t.Fatalf("the conflict says %q", msg)
	}
}
