package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/scenario"
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

// wide800 is an account with 800 custom fields, all filled.
func wide800() *fakeBackend {
	f := seededFake(1)
	d := f.desc["Account"]
	for i := 1; i <= 800; i++ {
		name := fmt.Sprintf("Regional_Compliance_Detail_%03d__c", i)
		d.Fields = append(d.Fields, remote.Field{Name: name, Label: fmt.Sprintf("Regional Compliance Detail %d", i),
			Type: "string", Length: 255, Createable: true, Updateable: true, Nillable: true, Custom: true})
		f.records["Account"][0][name] = fmt.Sprintf("value %d of a field far down the list", i)
	}
	return f
}

// BenchmarkWideRecordPageScrollKeypress: one ↓ (↑ on every other hundred) on the record page of
// an account with 800 custom fields, all filled, at 200×60: Update and View.
func BenchmarkWideRecordPageScrollKeypress(b *testing.B) {
	f := wide800()
	m := New(Options{Backend: f})
	var tm tea.Model = m
	tm, _ = tm.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	m = tm.(Model)
	detail, cmd := m.detail.open("Account", f.records["Account"][0]["Id"].(string))
	m.detail, _ = detail.Update(cmd())
	m.stack = []ScreenID{ScreenNav, ScreenHome, ScreenRecord}
	benchKeys(b, m, "Regional")
}

// BenchmarkWideEditFormKeypress: the same on the account's edit form at 80×24.
func BenchmarkWideEditFormKeypress(b *testing.B) {
	d := newDriver(b, wide800(), 80, 24)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account")
	benchKeys(b, d.model(), "Regional")
}

// benchKeys times ↓ (↑ on every other hundred) on m's screen: Update (with the command it
// returns, such as a page to load) and View.
func benchKeys(b *testing.B, m Model, want string) {
	var tm tea.Model = m
	if !strings.Contains(tm.View(), want) {
		b.Fatalf("the screen is not drawn:\n%s", tm.View())
	}
	down, up := tea.KeyMsg{Type: tea.KeyDown}, tea.KeyMsg{Type: tea.KeyUp}
	i := 0
	for b.Loop() {
		k := down
		if i/100%2 == 1 {
			k = up
		}
		i++
		var c tea.Cmd
		tm, c = tm.Update(k)
		if c != nil {
			tm, _ = tm.Update(c())
		}
		_ = tm.View()
	}
}

// An edit waiting to sync names the fields it changes on Pending Changes: on a record of
// hundreds of fields they may be pages down its record page.
func TestPendingChangesNamesTheFieldsAnEditChanges(t *testing.T) {
	f := wideFake()
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusPending,
		Changes: remote.Fields{"Regional_Compliance_Detail_437__c": "x", "Phone": "1"}})
	d := newDriver(t, f, 80, 24)
	d.keys("p")
	d.requireView("Pending Changes", "Waiting to sync · Account Phone, Regional Compliance Detail 437")
}

// The backstage's edit form (another user's edits, to set a conflict up) pages through a wide
// record as the app's own form does.
func TestBackstageEditFormPagesThroughAWideRecord(t *testing.T) {
	env := qaEnv(t, &scenario.Scenario{Name: "wide", Seed: 1, Size: 120, ExtraFields: map[string]int{"Account": 450}})
	s := newQAStoryAt(t, Options{Backend: env.Engine(), NetStatus: env.Network().String, Backstage: env}, 80, 24)
	s.openFirstAccount()
	s.press("B")
	s.wait("SIMULATION — backstage")
	s.press("u")
	s.backstageItem("Edit fields of this record as admin")
	s.press("enter")
	s.wait("values on the org now")
	s.press("ctrl+end")
	v := s.wait("Detail 450")
	if lines := linesWith(v, "▸ "); len(lines) != 1 || !strings.Contains(lines[0], "Detail 450") {
		t.Fatalf("ctrl+end did not reach the last field:\n%s", v)
	}
	if !strings.Contains(v, "as admin · field 474 of 474") {
		t.Fatalf("the title does not say where the focus is:\n%s", v)
	}
	s.press("pgup")
	v = s.wait("pgup/pgdn page")
	if lines := linesWith(v, "▸ "); len(lines) != 1 || strings.Contains(lines[0], "Detail 450") || !strings.Contains(lines[0], "Detail 4") {
		t.Fatalf("pgup did not move a page up:\n%s", v)
	}
	s.press("ctrl+home")
	v = s.wait("pgup/pgdn page")
	if lines := linesWith(v, "▸ "); len(lines) != 1 || strings.Contains(lines[0], "Detail") {
		t.Fatalf("ctrl+home did not reach the first field:\n%s", v)
	}
	// ctrl+f finds a field; its letters are the find's text, not the form's.
	s.press("ctrl+f")
	for _, r := range "detail 437" {
		s.press(string(r))
	}
	v = s.wait("Find a field: ", "1 of 1")
	if lines := linesWith(v, "▸ "); len(lines) != 1 || !strings.Contains(lines[0], "Detail 437") || strings.Contains(lines[0], "detail 437") {
		t.Fatalf("ctrl+f did not focus the field found:\n%s", v)
	}
	s.press("esc")
	v = s.wait("pgup/pgdn page")
	if lines := linesWith(v, "▸ "); len(lines) != 1 || strings.Contains(lines[0], "Detail") {
		t.Fatalf("esc did not go back to the first field:\n%s", v)
	}
	if strings.Contains(v, "Close this form") || strings.Contains(v, "SIMULATION — backstage\n") && !strings.Contains(v, "field 1 of 474") {
		t.Fatalf("esc on the find line left the form:\n%s", v)
	}
}

// A message that wraps onto a second line leaves the screens one row less, rather than cutting
// the row under the cursor off the bottom (at 60 columns, going offline from a form's last
// field).
func TestAWrappedMessageKeepsTheFocusedRowInView(t *testing.T) {
	d := newDriver(t, wideFake(), 60, 20)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account")
	d.keys("ctrl+end", "ctrl+o")
	v := d.view()
	if !strings.Contains(v, "changes stay on this device") {
		t.Fatalf("no message about going offline:\n%s", v)
	}
	if lines := linesWith(v, "▸ "); len(lines) != 1 || !strings.Contains(lines[0], "450") {
		t.Fatalf("the focused field is out of view:\n%s", v)
	}
	if got := len(strings.Split(v, "\n")); got != 20 {
		t.Fatalf("the frame has %d lines, want 20:\n%s", got, v)
	}
}

// A message that takes a row from the screen while a picklist's values are open keeps the row
// under the list's cursor in view (enter then chooses what the user sees).
func TestAWrappedMessageKeepsAnOpenListsCursorInView(t *testing.T) {
	f := seededFake(3)
	for i, fd := range f.desc["Account"].Fields {
		if fd.Name == "Industry" {
			for n := range 40 {
				f.desc["Account"].Fields[i].PicklistValues = append(f.desc["Account"].Fields[i].PicklistValues,
					remote.PicklistValue{Value: fmt.Sprintf("Industry %02d", n), Label: fmt.Sprintf("Industry %02d", n), Active: true})
			}
		}
	}
	d := newDriver(t, f, 60, 19)
	d.keys("enter", "enter", "e")
	d.requireView("Edit Account")
	for !strings.Contains(focusedLine(d.view()), "Industry") {
		d.keys("down")
	}
	d.keys("enter") // the values open
	for i := 0; i < 30; i++ {
		d.keys("down")
	}
	// The cursor on a value at the bottom of the list's window.
	var at string
	for _, l := range linesWith(d.view(), "▸ Industry ") {
		if !strings.Contains(l, "▾") {
			at = strings.TrimSpace(l)
		}
	}
	if at == "" {
		t.Fatalf("no value under the list's cursor:\n%s", d.view())
	}
	d.keys("ctrl+o")
	v := d.view()
	if !strings.Contains(v, "changes stay on this device") {
		t.Fatalf("no message:\n%s", v)
	}
	if !strings.Contains(v, at) {
		t.Fatalf("the list's cursor row %q is out of view:\n%s", at, v)
	}
}

// Rows a message gives back to a long list are loaded, not left as placeholders.
func TestAListGivenRowsBackByAMessageLoadsThem(t *testing.T) {
	d := newDriver(t, seededFake(2000), 60, 20)
	d.keys("enter")
	d.requireView("of 2000")
	for !strings.Contains(d.view(), "200 of 2000") {
		d.keys("down")
	}
	d.keys("o") // offline: a message on two lines takes a row; the cursor's row stays in view
	d.requireView("changes stay on this device")
	d.send(clearToastMsg{d.model().toastID})
	v := d.view()
	if strings.Contains(v, "changes stay on this device") {
		t.Fatalf("the message stayed:\n%s", v)
	}
	noPlaceholders := func(v string) {
		t.Helper()
		for _, l := range strings.Split(v, "\n") {
			if strings.TrimSpace(l) == "…" {
				t.Fatalf("a row given back is not loaded:\n%s", v)
			}
		}
	}
	noPlaceholders(v)
	// A taller terminal gives rows back too.
	d.send(tea.WindowSizeMsg{Width: 60, Height: 60})
	noPlaceholders(d.view())
}

func TestTheBackstageFormsPositionGoesBeforeItsTitlesLastBrackets(t *testing.T) {
	for _, c := range []struct{ title, want string }{
		{"Edit Acme (UK) Ltd as admin (only the fields you change are sent)", "Edit Acme (UK) Ltd as admin · field 3 of 24 (only the fields you change are sent)"},
		{"Edit Acme (UK) Ltd as admin", "Edit Acme (UK) Ltd as admin · field 3 of 24"},
		{"Edit Acme as sam", "Edit Acme as sam · field 3 of 24"},
	} {
		if got := beforeBrackets(c.title, " · field 3 of 24"); got != c.want {
			t.Errorf("beforeBrackets(%q) = %q, want %q", c.title, got, c.want)
		}
	}
}

// Enter on the backstage item the cursor stayed on (reopened on the same record) does it again
// and says so, rather than showing the same line as if nothing ran.
func TestTheBackstageSaysAnActionWasDoneAgain(t *testing.T) {
	env := qaEnv(t, nil)
	s := newQAStory(t, Options{Backend: env.Engine(), NetStatus: env.Network().String, Backstage: env})
	s.openFirstAccount()
	s.press("B")
	s.wait("SIMULATION — backstage")
	s.backstageItem("Share it with sam")
	s.press("enter")
	v := s.wait("✓ share")
	if strings.Contains(v, "done again") {
		t.Fatalf("the first share says it was done again:\n%s", v)
	}
	s.press("esc")
	s.press("B")
	s.wait("SIMULATION — backstage", "▸ Share it with sam")
	s.press("enter")
	s.wait("✓ share", "(×2: done again)")
}
