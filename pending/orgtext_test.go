package pending

import (
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
)

// An org's message that ends in an escape left open does not take the app's own words after it
// (the way to keep a duplicate anyway), nor reach a screen or the log as an escape; and a long
// one makes a note of the log of a few hundred characters, not of its whole length.
func TestAnOrgsMessageIsInertAndItsNoteBounded(t *testing.T) {
	for _, tc := range []struct {
		name, message string
		wantMsg       string
	}{
		{"an escape left open", "Use one of these records?\x1b]", "Use one of these records? (save again unchanged to keep it anyway)"},
		{"a title set", "Dup\x1b]0;PWNED\x07 found", "Dup found (save again unchanged to keep it anyway)"},
		{"a C1 introducer", "Dup\u009b2J found", "Dup found (save again unchanged to keep it anyway)"},
		{"a long message", strings.Repeat("x", 990), strings.Repeat("x", 990) + " (save again unchanged to keep it anyway)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOpts{})
			if _, err := h.admin(t).AddRule(bg, remote.Rule{Object: "Account", Kind: "duplicate", Field: "Name", Message: tc.message}); err != nil {
				t.Fatal(err)
			}
			h.sync(t)
			a := h.firstOwned(t, "Account")
			h.eng.SetOnline(false)
			local, err := h.eng.Create(bg, "Account", remote.Fields{"Name": a.Name})
			if err != nil {
				t.Fatal(err)
			}
			h.eng.SetOnline(true)
			h.sync(t)
			en := h.entryOf(t, local)
			if en.Status != StatusInvalid || en.Message != tc.wantMsg {
				t.Fatalf("entry %s %q, want invalid %q", en.Status, en.Message, tc.wantMsg)
			}
			acts, err := h.eng.Activity(bg, "", 100)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, a := range acts {
				if strings.ContainsAny(a.Note, "\x1b\x07\u009b") || len(a.Note) > maxNote+len("…") {
					t.Errorf("note of %d bytes: %.80q", len(a.Note), a.Note)
				}
				found = found || strings.HasPrefix(a.Note, "refused: ")
			}
			if !found {
				t.Errorf("no note of the refusal among %d", len(acts))
			}
		})
	}
}

// A user's name put inside one of the app's sentences (a note, "given to …") comes inert: an
// escape left open in it would take the rest of the sentence with it on the screen.
func TestAUsersNameInTheAppsSentencesIsInert(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for id, name := range map[string]string{"005A": "Sam\x1b]0;PWNED\a Backstage", "005B": "Ada\x1b]", "005C": "\x1b[2J"} {
		if _, err := h.eng.DB().SQL().Exec(`INSERT INTO users(id, name) VALUES(?, ?)`, id, name); err != nil {
			t.Fatal(err)
		}
	}
	err := h.eng.DB().Update(bg, func(tx *cache.Tx) error {
		for id, want := range map[string]string{"005A": "Sam Backstage", "005B": "Ada", "005C": msgAnotherUser} {
			if got := userName(bg, tx, id); got != want {
				t.Errorf("userName(%s) = %q, want %q", id, got, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A field's label from the org's describe goes inert into the engine's sentences ("Another user
// changed Rating, Phone"): an escape left open in it would take the rest on the screen.
func TestAFieldsLabelInTheAppsSentencesIsInert(t *testing.T) {
	d := &remote.Describe{Name: "Account", Fields: []remote.Field{
		{Name: "Rating", Label: "Rating\x1b]", Type: "picklist"},
		{Name: "Phone", Label: "Phone\x1b]0;PWNED\a", Type: "phone"},
		{Name: "Fax", Label: "\x1b[2J", Type: "phone"},
	}}
	if got := fieldLabels(d, []string{"Rating", "Phone", "Fax"}); got != "Rating, Phone, Fax" {
		t.Fatalf("fieldLabels = %q", got)
	}
}
