package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// Support reads `pending` and `log` for a change on a record an admin gave to another user: both
// say so, naming to whom, not only that access was lost.
func TestPendingAndLogSayARecordWasGivenToAnotherUser(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	org := []string{"--org", o.srv.URL}
	must := mustRun(t, dir, org)
	names := map[string]string{}
	ids := map[string]string{}
	for _, u := range o.org.Users() {
		names[u.Username], ids[u.Username] = u.Name, u.ID
	}
	admin := o.client(t)
	ctx := context.Background()
	// The device knows both users by name: the admin gave sam another of alex's accounts
	// earlier, and sam shares it with alex to read.
	other := o.firstAccountOf(t, "alex@demo.example")
	if err := admin.Update(ctx, "Account", other, remote.Fields{"OwnerId": ids["sam@demo.example"]}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := o.org.Share(other, "alex@demo.example", "read"); err != nil {
		t.Fatal(err)
	}
	must("sync")

	res, err := admin.Query(ctx, "SELECT Id, Name FROM Account WHERE OwnerId = '"+ids["alex@demo.example"]+"' AND Id != '"+other+"' ORDER BY Name LIMIT 1", 0)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("another account of alex's: %v", err)
	}
	id := res.Records[0].ID()
	must("edit", "Account", id, "Phone=555-0104")
	if err := admin.Update(ctx, "Account", id, remote.Fields{"OwnerId": ids["sam@demo.example"]}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := o.org.Share(id, "alex@demo.example", "read"); err != nil {
		t.Fatal(err)
	}
	_, _ = run(t, dir, "", append(org, "sync")...) // exits non-zero: a change can't be saved

	want := "This record was given to " + names["sam@demo.example"] + "; you can no longer change it"
	if out := must("pending"); !strings.Contains(out, want) {
		t.Fatalf("pending does not say %q:\n%s", want, out)
	}
	var en []pending.Entry
	for _, e := range pendingEntries(t, dir, org...) {
		if e.RecordID == id {
			en = append(en, e)
		}
	}
	if len(en) != 1 || en[0].Message != want || !en[0].GivenAway() {
		t.Fatalf("pending --json: %+v; want its message %q", en, want)
	}
	if out := must("log", "--record", id); !strings.Contains(out, "failed: "+want) {
		t.Fatalf("log does not say %q:\n%s", want, out)
	}
	// The same sync asked what alex may still do with it: read only, as the org says (after a
	// dismiss the device must not offer Edit on sam's record).
	if out := must("list", "Account", res.Records[0].Fields["Name"].(string), "--json"); !strings.Contains(out, `"access": "read"`) {
		t.Fatalf("list --json does not say the record is read only:\n%s", out)
	}
	// Support staff type the record's name, as the user said it, in any case.
	if out := must("log", "--record", strings.ToLower(res.Records[0].Fields["Name"].(string))); !strings.Contains(out, "failed: "+want) {
		t.Fatalf("log --record NAME does not find the record's log:\n%s", out)
	}
	if out, err := run(t, dir, "", append(org, "log", "--record", "No Such Account Co")...); err == nil || !strings.Contains(err.Error(), "no record on this device is named") {
		t.Fatalf("a name that names nothing: %v\n%s", err, out)
	}
}

// The log names the fields a user fixed as the form does (Close Date, not CloseDate); `log
// --json` stays JSON with the same keys, the note as the table shows it.
func TestTheLogNamesFixedFieldsAsTheFormDoes(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	org := []string{"--org", o.srv.URL}
	must := mustRun(t, dir, org)
	must("sync")
	must("new", "Opportunity", "Name=Refused Deal", "StageName=Prospecting", "CloseDate=2030-01-01", "Amount=-5")
	_, _ = run(t, dir, "", append(org, "sync")...) // the org refuses a negative amount
	if en := pendingEntries(t, dir, org...); len(en) != 1 || en[0].Status != pending.StatusInvalid {
		t.Fatalf("the refused change (the test's premise): %+v", en)
	}
	must("fix", "Opportunity", "Refused Deal", "Amount=1250", "CloseDate=2031-06-30")
	out := must("log")
	if !strings.Contains(out, `Close Date="2031-06-30"`) || !strings.Contains(out, "Amount=1250") || strings.Contains(out, "fixed by the user: CloseDate") {
		t.Fatalf("the log does not name the fixed fields by their labels:\n%s", out)
	}
	var acts []map[string]any
	if err := json.Unmarshal([]byte(must("log", "--json")), &acts); err != nil {
		t.Fatalf("log --json: %v", err)
	}
	found := false
	for _, a := range acts {
		note, _ := a["note"].(string)
		if strings.HasPrefix(note, "fixed by the user: ") {
			found = strings.Contains(note, `Close Date="2031-06-30"`) && a["at"] != nil && a["entryId"] != nil
		}
	}
	if !found {
		t.Fatalf("log --json has no fix note with its time and entry: %+v", acts)
	}
}

// A script reading `log --json` finds the same keys on every row, in the same order, as
// `pending --json` does for every change: a request with no error code, or serving no record,
// says "" rather than leaving its key out.
func TestLogJSONWritesEveryKeyOnEveryRow(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "new", "Account", "Name=Keys Everywhere"); err != nil {
		t.Fatalf("new: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	out, err := run(t, dir, "", "log", "--json")
	if err != nil {
		t.Fatalf("log --json: %v\n%s", err, out)
	}
	var rows []json.RawMessage
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("log --json is not a JSON array: %v\n%s", err, out)
	}
	want := []string{"at", "method", "path", "status", "code", "duration", "entryId", "recordId", "note"}
	withoutCode, withoutRecord := 0, 0
	for _, r := range rows {
		obj, err := readObject(r)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, m := range obj {
			keys = append(keys, m.key)
			switch {
			case m.key == "code" && string(m.value) == `""`:
				withoutCode++
			case m.key == "recordId" && string(m.value) == `""`:
				withoutRecord++
			}
		}
		if strings.Join(keys, ",") != strings.Join(want, ",") {
			t.Fatalf("a row's keys are %v, want %v:\n%s", keys, want, r)
		}
	}
	// The premise: the log has rows that have no code and rows that served no record.
	if len(rows) == 0 || withoutCode == 0 || withoutRecord == 0 {
		t.Fatalf("%d rows, %d without a code, %d without a record: the test proves nothing\n%s", len(rows), withoutCode, withoutRecord, out)
	}
}

// mustRun runs the command with the org flags in dir, failing the test when it fails.
func mustRun(t *testing.T, dir string, org []string) func(args ...string) string {
	return func(args ...string) string {
		t.Helper()
		out, err := run(t, dir, "", append(org, args...)...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return out
	}
}

// A delete of a record given to another user and shared back to edit meets the gift as a
// conflict; the same sync learns what the user may still do with it, so "delete anyway" is
// refused on the device (only its owner or an admin may delete it) rather than sent and turned
// red by the org.
func TestDeleteAnywayOnARecordGivenAwayIsRefusedOnTheDevice(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	org := []string{"--org", o.srv.URL}
	must := mustRun(t, dir, org)
	ids := map[string]string{}
	for _, u := range o.org.Users() {
		ids[u.Username] = u.ID
	}
	must("sync")
	id := o.firstAccountOf(t, "alex@demo.example")
	must("delete", "Account", id)
	if err := o.client(t).Update(context.Background(), "Account", id, remote.Fields{"OwnerId": ids["sam@demo.example"]}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := o.org.Share(id, "alex@demo.example", "edit"); err != nil {
		t.Fatal(err)
	}
	_, _ = run(t, dir, "", append(org, "sync")...) // a conflict: exits 0 or not, either way
	if out := must("pending"); !strings.Contains(out, "This record was given to") {
		t.Fatalf("the delete's conflict does not say the record was given away:\n%s", out)
	}
	out, err := run(t, dir, "", append(org, "resolve", "Account", id, "--take", "mine")...)
	if err == nil || !strings.Contains(err.Error(), "not to delete") {
		t.Fatalf("delete anyway: %v\n%s; want it refused on the device", err, out)
	}
}

// A record created offline and then discarded is on the device no more, but support staff ask
// about it by the name the user gave it: the log's note of the discard names it, and that finds
// its story, as does a record the user deleted; a name a note quotes as a lookup's value in
// another record's change does not.
func TestLogFindsADiscardedRecordByTheNameItsNotesGive(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	org := []string{"--org", o.srv.URL}
	must := mustRun(t, dir, org)
	must("sync")
	must("new", "Account", "Name=Apply Co")
	must("new", "Account", "Name=Apply Co Two")
	must("discard", "Account", "Apply Co")
	out := must("log", "--record", "apply co")
	if !strings.Contains(out, `discarded by the user: dropped the new record "Apply Co"`) || strings.Contains(out, "Apply Co Two") {
		t.Fatalf("log --record NAME of a discarded record:\n%s", out)
	}
	if out, err := run(t, dir, "", append(org, "log", "--record", "Never Made Co")...); err == nil || !strings.Contains(err.Error(), "no record on this device is named") {
		t.Fatalf("a name that names nothing: %v\n%s", err, out)
	}
	// An empty name (a script's unset variable) is refused, not taken as no filter at all.
	for _, empty := range []string{"", "  "} {
		if out, err := run(t, dir, "", append(org, "log", "--record", empty)...); err == nil || strings.Contains(out, "Apply Co") {
			t.Fatalf("log --record %q: %v\n%s", empty, err, out)
		}
	}
	// A name longer than the notes quote whole.
	long := "Pacific Northwest Timber, Mill and Lumber Supply Holdings Incorporated (Western Division)"
	must("new", "Account", "Name="+long)
	must("discard", "Account", long)
	if out := must("log", "--record", long); !strings.Contains(out, "dropped the new record") {
		t.Fatalf("log --record of a discarded record with a long name:\n%s", out)
	}
	// A name quoted in another record's note as a lookup's value names that record no more: a
	// contact's discarded edit pointed at an account since deleted on this device and synced.
	must("new", "Account", "Name=Pointed At Co")
	must("sync")
	firstID := func(object, filter string) string {
		var recs []listedRecord
		if err := json.Unmarshal([]byte(must("list", object, filter, "--json")), &recs); err != nil || len(recs) == 0 {
			t.Fatalf("list %s %q: %v %+v", object, filter, err, recs)
		}
		return recs[0].ID
	}
	acc, contact := firstID("Account", "Pointed At Co"), firstID("Contact", "")
	must("edit", "Contact", contact, "AccountId="+acc)
	must("discard", "Contact", contact)
	must("delete", "Account", acc)
	must("sync")
	// The account deleted by the user: the delete sent names it.
	out, err := run(t, dir, "", append(org, "log", "--record", "pointed at co")...)
	if err != nil || strings.Contains(out, contact) || !strings.Contains(out, `delete "Pointed At Co"`) || !strings.Contains(out, acc) {
		t.Fatalf("log --record of an account the user deleted (%v), or another record's history:\n%s", err, out)
	}
}

// A lookup at users takes a user's name, as the app's messages name users ("set Owner back to
// Sam Chen"), when the device knows one user of that name; a name it does not know is refused
// with what to give instead.
func TestAnOwnerIsGivenByNameOnTheCommandLine(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	org := []string{"--org", o.srv.URL}
	must := mustRun(t, dir, org)
	var admin, name string
	for _, u := range o.org.Users() {
		if u.Username == "admin@demo.example" {
			admin, name = u.ID, u.Name
		}
	}
	acct := o.firstAccountOf(t, "alex@demo.example")
	// The admin saved the record last: the device learns the admin's name.
	if err := o.client(t).Update(context.Background(), "Account", acct, remote.Fields{"Fax": "555-0178"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	must("sync")
	must("edit", "Account", acct, "OwnerId="+strings.ToUpper(name))
	var got any
	for _, e := range pendingEntries(t, dir, org...) {
		if e.RecordID == acct {
			got = e.Changes["OwnerId"]
		}
	}
	if got != admin {
		t.Fatalf("OwnerId queued as %v; want %s's id %s", got, name, admin)
	}
	if out, err := run(t, dir, "", append(org, "edit", "Account", acct, "OwnerId=Nobody Known")...); err == nil || !strings.Contains(err.Error(), "no user named") {
		t.Fatalf("an unknown user's name: %v\n%s", err, out)
	}
	// apply takes the name too.
	must("discard", "Account", acct)
	line := `{"op":"edit","object":"Account","record":"` + acct + `","fields":{"OwnerId":"` + name + `"}}`
	if out, err := run(t, dir, line+"\n", append(org, "apply")...); err != nil {
		t.Fatalf("apply with an owner's name: %v\n%s", err, out)
	}
	got = nil
	for _, e := range pendingEntries(t, dir, org...) {
		if e.RecordID == acct {
			got = e.Changes["OwnerId"]
		}
	}
	if got != admin {
		t.Fatalf("apply queued OwnerId %v; want %s", got, admin)
	}
}
