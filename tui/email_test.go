package tui

import (
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

func TestEmailFieldTakesWhatTheCommandsTakeAndRefusesTheRest(t *testing.T) {
	cases := []struct {
		typed string
		ok    bool
		value any // what goes to the engine when ok
	}{
		{"jo@example.com", true, "jo@example.com"},
		{"  jo@example.com  ", true, "jo@example.com"}, // spaces around it go, as in the commands
		{"josé@empresa.es", true, "josé@empresa.es"},   // letters of any script
		{"a@bücher.de", true, "a@bücher.de"},
		{"first.last+tag@mail.example.co.uk", true, "first.last+tag@mail.example.co.uk"},
		{"", true, nil},
		{"   ", true, nil},
		{"Jo Smith <jo@example.com>", false, nil}, // a display name: the org refuses it
		{"<jo@example.com>", false, nil},
		{"jo@example.com (work)", false, nil}, // a comment
		{"(work) jo@example.com", false, nil},
		{`"jo smith"@example.com`, false, nil}, // a quoted local part
		{"jo@localhost", false, nil},           // no dotted domain
		{"jo@[192.0.2.1]", false, nil},         // a domain literal: the org wants a name
		{"jo@-example.com", false, nil},
		{"jo.@example.com", true, "jo.@example.com"}, // the commands take dots anywhere before the @
		{"jo@@example.com", false, nil},
		{"jo@example..com", false, nil},
		{"jo smith@example.com", false, nil},
		{"jo@example.com, al@example.com", false, nil}, // a list
		{"not an address", false, nil},
	}
	f := remote.Field{Name: "Email", Label: "Email", Type: "email", Length: 80, Nillable: true}
	for _, c := range cases {
		in := &emailField{textField: newTextField(f, c.typed, "")}
		err := in.Check()
		if (err == nil) != c.ok {
			t.Errorf("%q: Check() = %v, want ok=%v", c.typed, err, c.ok)
			continue
		}
		if c.ok && !sameValue(in.Value(), c.value) {
			t.Errorf("%q: Value() = %#v, want %#v", c.typed, in.Value(), c.value)
		}
	}
}

func TestEditFormQueuesAnEmailWithoutTheSpacesAroundItAndRefusesADomainLiteral(t *testing.T) {
	f := seededFake(3)
	d := newDriver(t, f, 100, 30)
	d.keys("down", "enter", "enter", "e") // Contacts, the first one, edit
	d.requireView("Edit Contact")
	for range 20 {
		if d.model().form.fields[d.model().form.focus].def.Name == "Email" {
			break
		}
		d.keys("tab")
	}
	clear := func() {
		for range 40 {
			d.keys("backspace")
		}
	}
	clear()
	d.keys("jo@[192.0.2.1]", "ctrl+s")
	d.requireView("enter an email address like name@example.com")
	if n := len(f.entries); n != 0 {
		t.Fatalf("an address the org refuses was queued: %+v", f.entries)
	}
	clear()
	d.keys("  jo@example.com ", "ctrl+s")
	d.refuseView("enter an email address")
	if len(f.entries) != 1 || f.entries[0].Changes["Email"] != "jo@example.com" {
		t.Fatalf("want jo@example.com queued, without spaces: %+v", f.entries)
	}
}
