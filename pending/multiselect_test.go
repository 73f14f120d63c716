package pending

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/offline-edit/offline-edit/remote"
)

func TestSameValueComparesMultiSelectValuesAsTheSetsTheyChoose(t *testing.T) {
	cases := []struct {
		name string
		a, b any
		want bool
	}{
		{"same order", "Hardware;Training", "Hardware;Training", true},
		{"another order", "Training;Hardware", "Hardware;Training", true},
		{"three in another order", "Support Plans;Hardware;Cloud Services", "Hardware;Cloud Services;Support Plans", true},
		{"one value more", "Hardware;Training", "Hardware;Training;Software", false},
		{"one value other", "Hardware;Training", "Hardware;Software", false},
		{"one value against two", "Hardware", "Hardware;Training", false},
		{"case matters", "hardware;Training", "Training;Hardware", false},
		{"a value twice is not a set", "Hardware;Hardware;Training", "Training;Hardware;Hardware", false},
		{"an empty part is not a set", "Hardware;;Training", "Training;;Hardware", false},
		{"spaces around a part", "Hardware; Training", " Training;Hardware", false},
		{"a line break in a part", "a\nb;c", "c;a\nb", false},
		{"empty is null", "", nil, true},
		{"a set is not null", "Hardware;Training", nil, false},
		{"a set is not a number", "1;2", 1.0, false},
		{"text without separators", "Hardware Training", "Training Hardware", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := sameFieldValue(productDescribe, "Product_Interest__c", c.a, c.b); got != c.want {
				t.Errorf("sameFieldValue(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
			}
			if got := sameFieldValue(productDescribe, "Product_Interest__c", c.b, c.a); got != c.want {
				t.Errorf("sameFieldValue(%q, %q) = %v, want %v (not symmetric)", c.b, c.a, got, c.want)
			}
		})
	}
}

// productDescribe has a multi-select picklist and a text field.
var productDescribe = &remote.Describe{Name: "Account", Fields: []remote.Field{
	{Name: "Product_Interest__c", Type: "multipicklist"},
	{Name: "Description", Type: "textarea"},
}}

// Text that holds semicolons is text: reordering its parts is an edit, never taken for the
// same value (the edit would be dropped as a change to nothing).
func TestTextWithSemicolonsReorderedIsAnotherValue(t *testing.T) {
	for _, c := range []struct {
		d     *remote.Describe
		field string
	}{
		{productDescribe, "Description"},
		{productDescribe, "NoSuchField"},
		{nil, "Product_Interest__c"},
	} {
		if sameFieldValue(c.d, c.field, "apples;pears", "pears;apples") {
			t.Errorf("%s (describe %v): reordered text taken as the same value", c.field, c.d != nil)
		}
	}
	if sameValue("apples;pears", "pears;apples") {
		t.Error("sameValue takes reordered text as the same value")
	}
}

func TestEditReorderingTextWithSemicolonsIsQueued(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	acc := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Description": "apples;pears"}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Description": "pears;apples"}); err != nil {
		t.Fatal(err)
	}
	rv, err := h.eng.Record(bg, "Account", acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rv.Entry == nil || rv.Fields["Description"] != "pears;apples" {
		t.Fatalf("the reordering edit was dropped: entry %v, Description %q", rv.Entry, rv.Fields["Description"])
	}
}

// picklistValue draws a value a multi-select picklist can hold: no ";", no spaces around it.
func picklistValue() *rapid.Generator[string] {
	return rapid.StringMatching(`[A-Za-z0-9][A-Za-z0-9 /&.-]{0,20}[A-Za-z0-9]`)
}

func TestSameValueMultiSelectOrderNeverMattersAndTheSetAlwaysDoes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		set := rapid.SliceOfNDistinct(picklistValue(), 2, 8, rapid.ID[string]).Draw(t, "set")
		perm := rapid.Permutation(set).Draw(t, "perm")
		a, b := strings.Join(set, ";"), strings.Join(perm, ";")
		same := func(x, y string) bool { return sameFieldValue(productDescribe, "Product_Interest__c", x, y) }
		if !same(a, b) {
			t.Fatalf("%q and %q choose the same values but differ", a, b)
		}
		// Dropping a value, or adding one not chosen, makes another value.
		drop := rapid.IntRange(0, len(perm)-1).Draw(t, "drop")
		fewer := strings.Join(append(append([]string{}, perm[:drop]...), perm[drop+1:]...), ";")
		if same(a, fewer) {
			t.Fatalf("%q and %q are taken as the same", a, fewer)
		}
		extra := picklistValue().Filter(func(s string) bool {
			for _, v := range set {
				if v == s {
					return false
				}
			}
			return true
		}).Draw(t, "extra")
		more := b + ";" + extra
		if same(a, more) {
			t.Fatalf("%q and %q are taken as the same", a, more)
		}
	})
}

func TestSameValueDatetimesCompareAsInstantsWhateverTheirForm(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"2026-01-05T09:00:00.000+0000", "2026-01-05T09:00:00Z", true},
		{"2026-01-05T09:00:00.000+0000", "2026-01-05T10:00:00+01:00", true},
		{"2026-01-05T09:00:00.000+0000", "2026-01-05T04:00:00.000-0500", true},
		{"2026-01-05T09:00:00.000+0000", "2026-01-05T09:00:00.000000001Z", true}, // the org keeps milliseconds
		{"2026-01-05T09:00:00.000+0000", "2026-01-05T09:00:00.001Z", false},
		{"2026-01-05T09:00:00.000+0000", "2026-01-05T09:00:00.000+0100", false},
		{"2026-01-05T09:00:00.000+0000", "2026-01-05T09:00:00", false}, // no zone: not an instant
	}
	for _, c := range cases {
		if got := sameValue(c.a, c.b); got != c.want {
			t.Errorf("sameValue(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		ms := rapid.Int64Range(0, 4102444800000).Draw(t, "ms") // 1970 to 2100
		at := time.UnixMilli(ms).UTC()
		zone := time.FixedZone("z", rapid.IntRange(-12*60, 14*60).Draw(t, "offsetMinutes")*60)
		forms := []string{
			remote.FormatTime(at),
			at.Format(time.RFC3339Nano),
			at.In(zone).Format("2006-01-02T15:04:05.000-0700"),
			at.In(zone).Format(time.RFC3339Nano),
		}
		for _, x := range forms {
			for _, y := range forms {
				if !sameValue(x, y) {
					t.Fatalf("%s and %s are the same instant but differ", x, y)
				}
			}
		}
		later := remote.FormatTime(at.Add(time.Millisecond))
		if sameValue(forms[2], later) {
			t.Fatalf("%s and %s are taken as the same", forms[2], later)
		}
	})
}

func TestMultiSelectEditInAnotherOrderIsNoChangeAndSyncsWithoutAConflict(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	acc := h.firstOwned(t, "Account")
	admin := h.as(t, "admin@demo.example")
	// The org keeps the values in the picklist's order.
	if err := admin.Update(bg, "Account", acc.ID, remote.Fields{"Product_Interest__c": "Training;Hardware"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	h.sync(t)
	if got := h.serverRecord(t, "Account", acc.ID).Fields["Product_Interest__c"]; got != "Hardware;Training" {
		t.Fatalf("the org holds %v", got)
	}
	// The same set in another order is no change: nothing is queued.
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Product_Interest__c": "Training;Hardware"}); err != nil {
		t.Fatal(err)
	}
	if rv, err := h.eng.Record(bg, "Account", acc.ID); err != nil || rv.Entry != nil {
		t.Fatalf("the same set queued a change: %+v, %v", rv.Entry, err)
	}
	// Offline, I choose a set in my order; the admin chooses the same set in theirs: no conflict.
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Product_Interest__c": "Software;Hardware;Training"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := admin.Update(bg, "Account", acc.ID, remote.Fields{"Product_Interest__c": "Training;Software;Hardware"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	if s := h.sync(t); s.Attention != 0 {
		t.Fatalf("summary %+v", s)
	}
	rv, err := h.eng.Record(bg, "Account", acc.ID)
	if err != nil || rv.Entry != nil {
		t.Fatalf("the same set in another order left an entry: %+v, %v", rv.Entry, err)
	}
	if got := rv.Fields["Product_Interest__c"]; got != "Hardware;Software;Training" {
		t.Fatalf("the device shows %v", got)
	}
	// A different set chosen on both sides is a conflict on that field.
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Product_Interest__c": "Cloud Services;Hardware"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := admin.Update(bg, "Account", acc.ID, remote.Fields{"Product_Interest__c": "Support Plans"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, acc.ID)
	if en.Status != StatusConflict || len(en.Conflicts) != 1 || en.Conflicts[0].Field != "Product_Interest__c" ||
		en.Conflicts[0].Theirs != "Support Plans" || en.Conflicts[0].Mine != "Hardware;Cloud Services" { // mine in the picklist's order, as queued
		t.Fatalf("entry %+v", en)
	}
	if !strings.Contains(en.Message, "Product Interest") {
		t.Errorf("message %q does not name the field by its label", en.Message)
	}
}

func TestMultiSelectSentInAnotherOrderIsNotTakenForAnotherUsersChange(t *testing.T) {
	// The org stores my set in its own order; the copy that comes back is my change, not
	// another user's (no "kept another user's change" note, nothing left queued).
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	acc := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Product_Interest__c": "Support Plans;Software", "Phone": "555-0100"}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	if s := h.sync(t); s.Attention != 0 || s.Synced != 1 {
		t.Fatalf("summary %+v", s)
	}
	rv, err := h.eng.Record(bg, "Account", acc.ID)
	if err != nil || rv.Entry != nil || rv.Fields["Product_Interest__c"] != "Software;Support Plans" {
		t.Fatalf("record %+v entry %+v, %v", rv.Fields["Product_Interest__c"], rv.Entry, err)
	}
	// Edited again offline to the set it holds, written in my first order: still no change.
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Product_Interest__c": "Support Plans;Software"}); err != nil {
		t.Fatal(err)
	}
	if rv, _ := h.eng.Record(bg, "Account", acc.ID); rv.Entry != nil {
		t.Fatalf("a change was queued: %+v", rv.Entry)
	}
}

func TestDatetimeWrittenInAnotherFormIsTheSameInstantOnBothSides(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	c := h.firstOwned(t, "Contact")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Next_Meeting__c": "2026-01-05T09:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Next_Meeting__c": "2026-01-05T10:00:00+01:00"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	if s := h.sync(t); s.Attention != 0 {
		t.Fatalf("summary %+v", s)
	}
	rv, err := h.eng.Record(bg, "Contact", c.ID)
	if err != nil || rv.Entry != nil || rv.Fields["Next_Meeting__c"] != "2026-01-05T09:00:00.000+0000" {
		t.Fatalf("record %v entry %+v, %v", rv.Fields["Next_Meeting__c"], rv.Entry, err)
	}
	// A malformed datetime is refused before it is queued.
	err = h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Next_Meeting__c": "2026-01-05 09:00"})
	if err == nil || !strings.Contains(err.Error(), "Next_Meeting__c") {
		t.Fatalf("a malformed datetime: %v", err)
	}
	// Another instant on both sides is a conflict.
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Contact", c.ID, remote.Fields{"Next_Meeting__c": "2026-01-06T09:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2 * time.Second))
	if err := h.as(t, "admin@demo.example").Update(bg, "Contact", c.ID, remote.Fields{"Next_Meeting__c": "2026-01-07T09:00:00Z"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	h.sync(t)
	en := h.entryOf(t, c.ID)
	if en.Status != StatusConflict || len(en.Conflicts) != 1 || en.Conflicts[0].Field != "Next_Meeting__c" {
		t.Fatalf("entry %+v", en)
	}
	if got := fmt.Sprint(en.Conflicts[0].Theirs); got != "2026-01-07T09:00:00.000+0000" {
		t.Errorf("theirs %s", got)
	}
}

func BenchmarkSameValue(b *testing.B) {
	cases := []struct{ name, a, c string }{
		{"equal text", "Harbor Offline Ltd", "Harbor Offline Ltd"},
		{"different text", "Harbor Offline Ltd", "Harbor Online Ltd"},
		{"multi-select reordered", "Support Plans;Hardware;Cloud Services", "Hardware;Cloud Services;Support Plans"},
		{"multi-select different", "Support Plans;Hardware;Cloud Services", "Hardware;Cloud Services;Training"},
		{"datetime forms", "2026-01-05T09:00:00.000+0000", "2026-01-05T10:00:00+01:00"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sameFieldValue(productDescribe, "Product_Interest__c", c.a, c.c)
			}
		})
	}
}

// An auto-merge sends again only what the org does not hold: a multi-select set another user
// already saved (in another order) is not re-sent beside the rest of the change.
func TestAnAutoMergeDoesNotResendASetTheOrgHolds(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	acc := h.firstOwned(t, "Account")
	h.eng.SetOnline(false)
	if err := h.eng.Edit(bg, "Account", acc.ID, remote.Fields{"Phone": "555-0101", "Product_Interest__c": "Training;Hardware"}); err != nil {
		t.Fatal(err)
	}
	h.clock.Set(h.clock.Now().Add(2e9))
	if err := h.as(t, "admin@demo.example").Update(bg, "Account", acc.ID, remote.Fields{"Product_Interest__c": "Hardware;Training", "Rating": "Cold"}, remote.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.eng.SetOnline(true)
	if s := h.sync(t); s.Synced != 1 || s.Attention != 0 {
		t.Fatalf("summary %+v", s)
	}
	acts, _ := h.eng.Activity(bg, acc.ID, 50)
	var sends []string
	for _, a := range acts {
		if strings.HasPrefix(a.Note, "update ") {
			sends = append(sends, a.Note)
		}
	}
	if len(sends) != 2 || strings.Contains(sends[0], "Product_Interest__c") || !strings.Contains(sends[0], "Phone=") {
		t.Fatalf("the sends, newest first: %q; want the resend to carry Phone only", sends)
	}
	srv := h.serverRecord(t, "Account", acc.ID).Fields
	if srv["Phone"] != "555-0101" || srv["Product_Interest__c"] != "Hardware;Training" || srv["Rating"] != "Cold" {
		t.Fatalf("org has %v %v %v", srv["Phone"], srv["Product_Interest__c"], srv["Rating"])
	}
}

// A multi-select typed in any order, with spaces or a value twice, is queued, sent and logged
// as the org stores it: each value once, in the picklist's order.
func TestAMultiSelectIsQueuedInThePicklistsOrder(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	a := h.firstOwned(t, "Account")
	for _, c := range []struct{ typed, queued string }{
		{"Training;Software;Training", "Software;Training"},
		{" Cloud Services ;", "Cloud Services"},
		{"Support Plans; Hardware", "Hardware;Support Plans"},
	} {
		if err := h.eng.Edit(bg, "Account", a.ID, remote.Fields{"Product_Interest__c": c.typed}); err != nil {
			t.Fatal(err)
		}
		if got := h.entryOf(t, a.ID).Changes["Product_Interest__c"]; got != c.queued {
			t.Errorf("typed %q, queued %q; want %q", c.typed, got, c.queued)
		}
	}
	h.sync(t)
	acts, _ := h.eng.Activity(bg, a.ID, 20)
	if !hasNote(acts, `update Product_Interest__c="Hardware;Support Plans"`) {
		t.Fatalf("the request row does not say what was sent as the org stores it: %+v", acts)
	}
}
