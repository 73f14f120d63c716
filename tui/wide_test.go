package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

// wideFake has accounts with 450 more custom fields, as in a big org, their labels alike but
// for the number at the end.
func wideFake() *fakeBackend {
	f := seededFake(1)
	d := f.desc["Account"]
	for i := 1; i <= 450; i++ {
		d.Fields = append(d.Fields, remote.Field{Name: fmt.Sprintf("Regional_Compliance_Detail_%03d__c", i),
			Label: fmt.Sprintf("Regional Compliance Detail %d", i), Type: "string", Length: 255,
			Createable: true, Updateable: true, Nillable: true, Custom: true})
	}
	f.records["Account"][0]["Regional_Compliance_Detail_437__c"] = "far away"
	return f
}

func TestAWideRecordsFieldsAreToldApartAndReachedByPage(t *testing.T) {
	d := newDriver(t, wideFake(), 80, 24)
	d.keys("enter", "enter")
	d.requireView("Acme")
	// The record page: each label keeps its end.
	d.keys("G")
	v := d.view()
	if !strings.Contains(v, "Detail 450") || !strings.Contains(v, "Detail 449") {
		t.Fatalf("the last fields cannot be told apart at 80 columns:\n%s", v)
	}
	// The edit form: pgdn moves a page of fields, ctrl+end to the last, and the title says where.
	d.keys("e")
	d.requireView("Edit Account")
	d.keys("pgdown")
	v = d.view()
	var at, of int
	if lines := linesWith(v, "Edit Account · Acme 000000 · field "); len(lines) != 1 {
		t.Fatalf("the title does not say where the focus is:\n%s", v)
	} else if _, err := fmt.Sscanf(lines[0][strings.Index(lines[0], "field "):], "field %d of %d", &at, &of); err != nil || at < 10 || of != 455 {
		t.Fatalf("after pgdn the focus is at %d of %d (%v):\n%s", at, of, err, v)
	}
	if lines := linesWith(v, "▸ "); len(lines) != 1 || !strings.Contains(lines[0], fmt.Sprintf("Detail %d", at-5)) {
		t.Fatalf("the focused field is not in sight:\n%s", v)
	}
	d.keys("ctrl+end")
	v = d.view()
	if lines := linesWith(v, "▸ "); len(lines) != 1 || !strings.Contains(lines[0], "Detail 450") {
		t.Fatalf("ctrl+end did not reach the last field:\n%s", v)
	}
	d.keys("pgup")
	if lines := linesWith(d.view(), "▸ "); len(lines) != 1 || !strings.Contains(lines[0], fmt.Sprintf("Detail %d ", 450-(at-1))) {
		t.Fatalf("pgup from the last field:\n%s", d.view())
	}
	// After pgup from the last field (index 454) the focus is a page above it; field 437 is at
	// index 441 (five fields come before the custom ones).
	for i := 454 - (at - 1); i != 441; {
		if i > 441 {
			d.keys("up")
			i--
		} else {
			d.keys("down")
			i++
		}
	}
	if lines := linesWith(d.view(), "▸ "); len(lines) != 1 || !strings.Contains(lines[0], "Detail 437") || !strings.Contains(lines[0], "far away") {
		t.Fatalf("field 437 with its value:\n%s", d.view())
	}
	d.keys("ctrl+home")
	if lines := linesWith(d.view(), "▸ "); len(lines) != 1 || !strings.Contains(lines[0], "Account Name") {
		t.Fatalf("ctrl+home did not reach the first field:\n%s", d.view())
	}
}
