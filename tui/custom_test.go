package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// focusField tabs through a form until the marker (e.g. "▸ Visit Date") is on screen.
func (s *story) focusField(marker string) {
	s.t.Helper()
	for i := 0; i < 40 && !strings.Contains(s.view(), marker); i++ {
		s.press("tab")
	}
	s.wait(marker)
}

// chooseLookup types into the focused lookup and picks the match with the given name.
func (s *story) chooseLookup(typed, name, object string) {
	s.t.Helper()
	s.press(typed)
	s.wait("▸ " + name + "  (" + object + ")")
	s.press("enter")
	s.wait("✓")
}

func TestStoryCustomObjectSiteVisitCreatedOfflineSyncsWithItsValues(t *testing.T) {
	w := newWorldWith(t, pending.Options{Objects: []string{"Account", "Site_Visit__c"}})
	ctx := context.Background()
	acct := w.firstAccount(t)
	visits, err := w.eng.List(ctx, pending.ListQuery{Object: "Site_Visit__c", Limit: 1})
	if err != nil || len(visits.Rows) == 0 {
		t.Fatalf("no cached site visit: %v", err)
	}
	s := newStory(t, w)
	s.wait("Accounts", "Site Visits")
	s.goOffline()
	s.press("down", "enter")
	s.wait("Site Visits", "records", visits.Rows[0].Name)

	s.press("n")
	s.wait("New Site Visit", "▸ Site Visit Name *")
	s.press("Depot inspection")
	s.focusField("▸ Account")
	s.chooseLookup(acct.Name, acct.Name, "Account")
	s.focusField("▸ Visit Date *")
	s.press("2024-03-15")
	s.focusField("▸ Outcome")
	s.press("c")
	s.wait("◂ Completed ▸")
	s.focusField("▸ Notes")
	s.press("Roof leak found")
	s.focusField("▸ Rating")
	s.press("4.5")
	s.press("ctrl+s")
	s.wait("1 pending", "Depot inspection")

	row, err := w.eng.List(ctx, pending.ListQuery{Object: "Site_Visit__c", Filter: "Depot inspection", Limit: 5})
	if err != nil || len(row.Rows) != 1 || !strings.HasPrefix(row.Rows[0].ID, "local-") {
		t.Fatalf("offline visit: %+v %v", row.Rows, err)
	}
	s.press("o")
	s.wait(" ONLINE ", "0 pending")

	row, err = w.eng.List(ctx, pending.ListQuery{Object: "Site_Visit__c", Filter: "Depot inspection", Limit: 5})
	if err != nil || len(row.Rows) != 1 || !strings.HasPrefix(row.Rows[0].ID, "a01") {
		t.Fatalf("visit after sync: %+v %v", row.Rows, err)
	}
	got, err := w.admin.Retrieve(ctx, "Site_Visit__c", row.Rows[0].ID, []string{"Name", "Account__c", "Visit_Date__c", "Outcome__c", "Notes__c", "Rating__c", "OwnerId"})
	if err != nil {
		t.Fatalf("org: %v", err)
	}
	want := map[string]any{"Name": "Depot inspection", "Account__c": acct.ID, "Visit_Date__c": "2024-03-15",
		"Outcome__c": "Completed", "Notes__c": "Roof leak found", "Rating__c": 4.5}
	for k, v := range want {
		if got.Fields[k] != v {
			t.Errorf("org's %s = %#v, want %#v", k, got.Fields[k], v)
		}
	}
}

func TestStorySiteVisitForAnAccountCreatedOfflineSyncsUnderTheRealAccountID(t *testing.T) {
	w := newWorldWith(t, pending.Options{Objects: []string{"Account", "Site_Visit__c"}})
	ctx := context.Background()
	s := newStory(t, w)
	s.goOffline()
	s.press("enter")
	s.wait("Accounts", "records")
	s.press("n")
	s.wait("New Account", "▸ Account Name *")
	s.press("Quarry Offline Works", "ctrl+s")
	s.wait("1 pending", "Account  Quarry Offline Works")
	s.press("esc")
	s.wait("Accounts", "records")
	s.press("esc")
	s.wait("▸ Accounts")
	s.press("down", "enter")
	s.wait("Site Visits", "records")
	s.press("n")
	s.wait("New Site Visit", "▸ Site Visit Name *")
	s.press("First visit")
	s.focusField("▸ Account")
	s.chooseLookup("Quarry", "Quarry Offline Works", "Account")
	s.focusField("▸ Visit Date *")
	s.press("2024-04-01")
	s.press("ctrl+s")
	s.wait("2 pending")
	s.press("o")
	s.wait(" ONLINE ", "0 pending")

	acc, err := w.eng.List(ctx, pending.ListQuery{Object: "Account", Filter: "Quarry Offline Works", Limit: 5})
	if err != nil || len(acc.Rows) != 1 || !strings.HasPrefix(acc.Rows[0].ID, "001") {
		t.Fatalf("account after sync: %+v %v", acc.Rows, err)
	}
	vis, err := w.eng.List(ctx, pending.ListQuery{Object: "Site_Visit__c", Filter: "First visit", Limit: 5})
	if err != nil || len(vis.Rows) != 1 || !strings.HasPrefix(vis.Rows[0].ID, "a01") {
		t.Fatalf("visit after sync: %+v %v", vis.Rows, err)
	}
	got, err := w.admin.Retrieve(ctx, "Site_Visit__c", vis.Rows[0].ID, []string{"Account__c", "Visit_Date__c"})
	if err != nil || got.Fields["Account__c"] != acc.Rows[0].ID || got.Fields["Visit_Date__c"] != "2024-04-01" {
		t.Fatalf("org's visit %+v (%v), want Account__c %s", got.Fields, err, acc.Rows[0].ID)
	}
}

func TestStorySiteVisitWithoutItsRequiredDateIsStoppedByTheForm(t *testing.T) {
	w := newWorldWith(t, pending.Options{Objects: []string{"Account", "Site_Visit__c"}})
	s := newStory(t, w)
	s.goOffline()
	s.press("down", "enter")
	s.wait("Site Visits", "records")
	s.press("n")
	s.wait("New Site Visit", "▸ Site Visit Name *")
	s.press("No date", "ctrl+s")
	s.wait("New Site Visit", "required")
	if n, _, _ := w.eng.Counts(context.Background()); n != 0 {
		t.Fatalf("%d entries queued from a form missing a required field", n)
	}
}

// caseMenuDowns is how many times to press down from the top of the default menu to reach Cases
// (Accounts, Contacts, Opportunities, Leads, Cases, My Tasks).
const caseMenuDowns = 4

func TestStoryCaseWithDependentPicklistAndOpportunityWithRecordTypeSaveAndSync(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := newStory(t, w)
	s.goOffline()
	for i := 0; i < caseMenuDowns; i++ {
		s.press("down")
	}
	s.press("enter")
	s.wait("Cases", "records")
	s.press("n")
	s.wait("New Case: record type")
	s.press("enter")
	s.wait("New Case", "Record Type")
	s.focusField("▸ Subject")
	s.press("Grinding noise from unit")
	s.focusField("▸ Case Type")
	s.press("m")
	s.wait("◂ Mechanical ▸")
	s.focusField("▸ Case Reason")
	s.press("b")
	s.wait("◂ Breakdown ▸")
	s.press("ctrl+s")
	s.wait("1 pending", "Case  Grinding noise from unit")
	s.press("esc")
	s.wait("Cases", "records")
	s.press("esc")
	s.wait("▸ Cases")

	// An Opportunity of Alex's that carries a record type: edit it offline.
	opps, err := w.eng.List(ctx, pending.ListQuery{Object: "Opportunity", Where: map[string]string{"OwnerId": w.org.Users()[0].ID}, Limit: 1})
	if err != nil || len(opps.Rows) == 0 {
		t.Fatalf("no opportunity: %v", err)
	}
	opp := opps.Rows[0]
	before, err := w.admin.Retrieve(ctx, "Opportunity", opp.ID, []string{"RecordTypeId"})
	if err != nil || before.Fields["RecordTypeId"] == nil {
		t.Fatalf("seeded opportunity has no record type: %+v %v", before.Fields, err)
	}
	s.press("up", "up", "enter")
	s.wait("Opportunities", "records")
	s.press("/", opp.Name, "enter")
	s.wait("Opportunities", "1 record", opp.Name)
	s.press("enter")
	s.wait("[e] Edit", opp.Name)
	s.press("e")
	s.wait("Edit Opportunity", "▸ Name")
	s.press("ctrl+u", "Record Type Deal", "ctrl+s")
	s.wait("2 pending")
	s.press("o")
	s.wait(" ONLINE ", "0 pending")

	cases, err := w.eng.List(ctx, pending.ListQuery{Object: "Case", Where: map[string]string{"Subject": "Grinding noise from unit"}, Limit: 5})
	if err != nil || len(cases.Rows) != 1 || !strings.HasPrefix(cases.Rows[0].ID, "500") {
		t.Fatalf("case after sync: %+v %v", cases.Rows, err)
	}
	c, err := w.admin.Retrieve(ctx, "Case", cases.Rows[0].ID, []string{"Type", "Reason", "RecordTypeId"})
	if err != nil || c.Fields["Type"] != "Mechanical" || c.Fields["Reason"] != "Breakdown" {
		t.Fatalf("org's case %+v (%v)", c.Fields, err)
	}
	after, err := w.admin.Retrieve(ctx, "Opportunity", opp.ID, []string{"Name", "RecordTypeId"})
	if err != nil || after.Fields["Name"] != "Record Type Deal" || after.Fields["RecordTypeId"] != before.Fields["RecordTypeId"] {
		t.Fatalf("org's opportunity %+v (%v), record type was %v", after.Fields, err, before.Fields["RecordTypeId"])
	}
}

func TestStoryCaseReasonNotValidForItsTypeTurnsOrangeAndFixSyncs(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	s := newStory(t, w)
	s.goOffline()
	// The form offers only valid reasons, so the refused combination is queued another way
	// (as a change made elsewhere would be): Feedback is only valid for the Type Other.
	if _, err := w.eng.Create(ctx, "Case", remote.Fields{"Subject": "Mismatched reason", "Status": "New", "Priority": "Medium",
		"Type": "Mechanical", "Reason": "Feedback"}); err != nil {
		t.Fatalf("queue the case: %v", err)
	}
	s.wait("1 pending")
	s.press("o")
	s.wait("Sync needs your attention")
	s.press("enter")
	s.wait("▲ Fix errors", "bad value for restricted picklist field")
	s.press("r")
	// The form opens on the flagged field, showing the value it would not offer.
	s.wait("Fix Case", "▲ Case Reason", "◂ Feedback ▸", `"Feedback" is not valid for Case Type "Mechanical"`)
	s.press("b")
	s.wait("◂ Breakdown ▸")
	s.press("ctrl+s")
	s.wait("Pending Changes", "0 pending")
	cases, err := w.eng.List(ctx, pending.ListQuery{Object: "Case", Where: map[string]string{"Subject": "Mismatched reason"}, Limit: 5})
	if err != nil || len(cases.Rows) != 1 || strings.HasPrefix(cases.Rows[0].ID, "local-") {
		t.Fatalf("case after the fix: %+v %v", cases.Rows, err)
	}
	c, err := w.admin.Retrieve(ctx, "Case", cases.Rows[0].ID, []string{"Type", "Reason"})
	if err != nil || c.Fields["Type"] != "Mechanical" || c.Fields["Reason"] != "Breakdown" {
		t.Fatalf("org's case %+v (%v)", c.Fields, err)
	}
}
