package pending

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// noteWith reports whether a note of the log contains s.
func noteWith(acts []Activity, s string) bool {
	for _, a := range acts {
		if strings.Contains(a.Note, s) {
			return true
		}
	}
	return false
}

// A new opportunity's stage changed offline: the org sets Forecast Category and Probability
// from the stage on saving it. Nobody else touched the record: the log must not blame another
// user for them; it says the org set them.
func TestFieldsTheOrgSetOnSavingMyChangeAreNotAnotherUsers(t *testing.T) {
	h := newHarness(t, harnessOpts{size: 60})
	h.sync(t)
	acc := h.firstOwned(t, "Account")
	id, err := h.eng.Create(bg, "Opportunity", remote.Fields{"Name": "Org Set Deal", "StageName": "Prospecting",
		"CloseDate": "2026-12-31", "AccountId": acc.ID})
	if err != nil {
		t.Fatal(err)
	}
	if s := h.sync(t); s.Synced != 1 || s.Attention != 0 {
		t.Fatalf("the create: %+v", s)
	}
	opp, err := h.eng.Record(bg, "Opportunity", id)
	if err != nil || opp.Entry != nil {
		t.Fatalf("the created record: %+v, %v", opp.Entry, err)
	}
	id = opp.ID
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Opportunity", id, remote.Fields{"StageName": "Closed Lost"}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	if s := h.sync(t); s.Synced != 1 || s.Attention != 0 {
		t.Fatalf("the edit: %+v", s)
	}
	srv := h.serverRecord(t, "Opportunity", id).Fields
	if srv["ForecastCategoryName"] != "Omitted" && srv["ForecastCategoryName"] != "Closed" || srv["Probability"] != 0.0 {
		t.Fatalf("premise: the org derived Forecast Category %v, Probability %v from the stage", srv["ForecastCategoryName"], srv["Probability"])
	}
	acts, _ := h.eng.Activity(bg, id, 50)
	if noteWith(acts, "another user") {
		t.Fatalf("the log blames another user: %+v", acts)
	}
	if want := "the org also set Forecast Category, Probability (%) on saving the change"; !noteWith(acts, want) {
		t.Fatalf("the log does not say %q: %+v", want, acts)
	}
}

// Another user changed the record's description while the stage was changed offline: the 412's
// merge says theirs was Description, and once the change is sent on top the fields the org set
// from the stage are said to be the org's, not another user's.
func TestAMergeNamesTheOtherUsersFieldsAndTheOrgsApart(t *testing.T) {
	h := newHarness(t, harnessOpts{size: 60})
	h.sync(t)
	var opp RecordView
	for _, r := range h.owned(t, "Opportunity") {
		rv, err := h.eng.Record(bg, "Opportunity", r.id)
		if err != nil {
			t.Fatal(err)
		}
		if rv.Fields["StageName"] != "Closed Lost" && rv.Fields["StageName"] != "Closed Won" && rv.Entry == nil {
			opp = rv
			break
		}
	}
	if opp.ID == "" {
		t.Fatal("no open opportunity owned by alex")
	}
	h.editMeetingTheirs(t, "Opportunity", opp.ID, remote.Fields{"StageName": "Closed Lost"}, remote.Fields{"Description": "Theirs"})
	if s := h.sync(t); s.Synced != 1 || s.Attention != 0 {
		t.Fatalf("the edit: %+v", s)
	}
	acts, _ := h.eng.Activity(bg, opp.ID, 50)
	if !noteWith(acts, "auto-merged: another user changed Description;") {
		t.Fatalf("the merge does not name Description as the other user's: %+v", acts)
	}
	if noteWith(acts, "kept another user's change") {
		t.Fatalf("the fields the org set from the stage are blamed on another user: %+v", acts)
	}
	if want := "the org also set Forecast Category, Probability (%) on saving the change"; !noteWith(acts, want) {
		t.Fatalf("the log does not say %q: %+v", want, acts)
	}
}
