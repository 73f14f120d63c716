package tui

import (
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// A lookup shows a record's name, so its label drops the describe's trailing " ID"; other
// fields keep theirs.
func TestALookupsLabelDropsItsTrailingID(t *testing.T) {
	tests := []struct {
		f    remote.Field
		want string
	}{
		{remote.Field{Name: "AccountId", Label: "Account ID", Type: "reference"}, "Account"},
		{remote.Field{Name: "OwnerId", Label: "Owner ID", Type: "reference"}, "Owner"},
		{remote.Field{Name: "CreatedById", Label: "Created By ID", Type: "reference"}, "Created By"},
		{remote.Field{Name: "ParentId", Label: "Parent Account ID", Type: "reference"}, "Parent Account"},
		{remote.Field{Name: "X__c", Label: "ID", Type: "reference"}, "ID"},
		{remote.Field{Name: "Id", Label: "Account ID", Type: "id"}, "Account ID"},
		{remote.Field{Name: "Ext__c", Label: "Legacy ID", Type: "string"}, "Legacy ID"},
		{remote.Field{Name: "Nolabel__c", Type: "string"}, "Nolabel__c"},
	}
	for _, tc := range tests {
		if got := fieldLabel(tc.f); got != tc.want {
			t.Errorf("fieldLabel(%s %q) = %q, want %q", tc.f.Type, tc.f.Label, got, tc.want)
		}
	}
}

// A conflict's message names its fields as the screens do, in the order of the form.
func TestAConflictMessageNamesFieldsByTheirShownLabelInFormOrder(t *testing.T) {
	d := &remote.Describe{Name: "Contact", Fields: []remote.Field{
		{Name: "LastName", Label: "Last Name", Type: "string"},
		{Name: "AccountId", Label: "Account ID", Type: "reference"},
		{Name: "Title", Label: "Title", Type: "string"},
		{Name: "Phone", Label: "Business Phone", Type: "phone"},
	}}
	tests := []struct{ msg, want string }{
		{"Another user changed Title, Account ID", "Another user changed Account, Title"},
		{"Another user changed Business Phone, Last Name before your delete reached the org", "Another user changed Last Name, Business Phone before your delete reached the org"},
		{"You (on another device or through an automation) changed Account ID", "You (on another device or through an automation) changed Account"},
		{"Another user changed the record", "Another user changed the record"},
		{"Another user changed Title (\"CEO\") (strict mode: every remote change needs your decision)", "Another user changed Title (\"CEO\") (strict mode: every remote change needs your decision)"},
		{"Phone is required.", "Phone is required."},
	}
	for _, tc := range tests {
		if got := changedSaid(d, tc.msg); got != tc.want {
			t.Errorf("changedSaid(%q) = %q, want %q", tc.msg, got, tc.want)
		}
	}
}
