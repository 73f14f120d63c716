package tui

import (
	"regexp"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// A case created offline has no Case Number until it syncs (the org numbers it): its page says
// so, rather than showing the case's Subject there as a contact shows its name in Full Name.
func TestCaseCreatedOfflineShowsItsCaseNumberAsNotYetAssigned(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		w := newWorld(t)
		s := newStorySized(t, w, size[0], size[1])
		s.goOffline()
		s.press("down", "down", "down", "down", "enter")
		s.wait("Cases", "records")
		s.press("n")
		s.wait("Support")
		s.press("enter")
		s.wait("New Case", "Subject")
		s.focusField("▸ Subject")
		s.press("Printer jam", "ctrl+s")
		v := s.wait("1 pending", "Case  Printer jam", "Case Number")
		// The field's value follows its label (a wide page has a second column on the line).
		if !regexp.MustCompile(`Case Number +assigned when it syncs`).MatchString(v) {
			t.Fatalf("%dx%d: the Case Number of the new case does not say it is not assigned yet:\n%s", size[0], size[1], v)
		}
		if regexp.MustCompile(`Case Number +Printer jam`).MatchString(v) {
			t.Fatalf("%dx%d: the Case Number of the new case shows its Subject:\n%s", size[0], size[1], v)
		}
	}
}

// Which computed names the title stands in for before the org makes them: only a name made
// from the record's own name fields, never an auto-number, said so by the describe or not.
func TestOnlyANameMadeFromPartsShowsTheTitleBeforeItSyncs(t *testing.T) {
	cases := []struct {
		name string
		f    remote.Field
		want bool
	}{
		{"a contact's Full Name", remote.Field{Name: "Name", Label: "Full Name", Type: "string", NameField: true}, true},
		{"a case's Case Number", remote.Field{Name: "CaseNumber", Label: "Case Number", Type: "string", NameField: true, AutoNumber: true}, false},
		{"a Case Number from a describe kept without autoNumber", remote.Field{Name: "CaseNumber", Label: "Case Number", Type: "string", NameField: true}, false},
		{"an auto-numbered Name of a custom object", remote.Field{Name: "Name", Label: "Invoice Number", Type: "string", NameField: true, AutoNumber: true}, false},
		{"a Name the user types", remote.Field{Name: "Name", Label: "Account Name", Type: "string", NameField: true, Createable: true, Updateable: true}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := madeFromParts(c.f); got != c.want {
				t.Fatalf("madeFromParts = %v, want %v", got, c.want)
			}
		})
	}
}
