package tui

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

const (
	rtMaster  = "012000000000000AAA"
	rtRetail  = "012000000000001AAA"
	rtPublic  = "012000000000002AAA"
	rtOld     = "012000000000003AAA"
	rtPrivate = "012000000000004AAA"
)

func master(def bool) remote.RecordTypeInfo {
	return remote.RecordTypeInfo{ID: rtMaster, Name: "Master", DeveloperName: "Master", Available: true, Active: true, Master: true, DefaultRecordTypeMapping: def}
}

func rtInfo(id, name string, def bool) remote.RecordTypeInfo {
	return remote.RecordTypeInfo{ID: id, Name: name, DeveloperName: strings.ReplaceAll(name, " ", "_"), Available: true, Active: true, DefaultRecordTypeMapping: def}
}

func TestOfferedRecordTypesAreTheAvailableActiveOnesDefaultFirst(t *testing.T) {
	inactive := rtInfo(rtOld, "Old", false)
	inactive.Active = false
	unavailable := rtInfo(rtPrivate, "Private", false)
	unavailable.Available = false
	unnamed := rtInfo(rtPublic, "", false)
	unnamed.DeveloperName = "Public_Sector"
	hostile := rtInfo(rtPublic, "Pub\x1b]52;c;aGk=\x07lic\u202e\x1b[2J", false)
	tests := []struct {
		name  string
		infos []remote.RecordTypeInfo
		want  []string // names as offered; "(default)" marks the default
	}{
		{"an object without record types offers none", nil, nil},
		{"the master alone is offered alone (no choice to make)", []remote.RecordTypeInfo{master(true)}, []string{"Master (default)"}},
		{"two record types and the master offer the two", []remote.RecordTypeInfo{rtInfo(rtRetail, "Retail", false), rtInfo(rtPublic, "Public", false), master(true)},
			[]string{"Retail", "Public"}},
		{"the default comes first", []remote.RecordTypeInfo{master(false), rtInfo(rtRetail, "Retail", false), rtInfo(rtPublic, "Public", true)},
			[]string{"Public (default)", "Retail"}},
		{"inactive and unavailable ones are skipped", []remote.RecordTypeInfo{rtInfo(rtRetail, "Retail", true), inactive, unavailable, rtInfo(rtPublic, "Public", false), master(false)},
			[]string{"Retail (default)", "Public"}},
		{"one record type and the master offer one", []remote.RecordTypeInfo{rtInfo(rtRetail, "Retail", true), master(false)}, []string{"Retail (default)"}},
		{"only inactive ones besides the master leave the master", []remote.RecordTypeInfo{inactive, master(true)}, []string{"Master (default)"}},
		{"a record type without a name shows its developer name", []remote.RecordTypeInfo{rtInfo(rtRetail, "Retail", false), unnamed}, []string{"Retail", "Public_Sector"}},
		{"names are sanitised", []remote.RecordTypeInfo{rtInfo(rtRetail, "Retail", false), hostile}, []string{"Retail", "Public"}},
		{"an entry without an id or repeated is skipped", []remote.RecordTypeInfo{rtInfo("", "Nothing", false), rtInfo(rtRetail, "Retail", false), rtInfo(rtRetail, "Retail again", false)},
			[]string{"Retail"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range offeredRecordTypes(&remote.Describe{Name: "Account", RecordTypeInfos: tc.infos}) {
				n := c.name
				if c.isDefault {
					n += defaultMark
				}
				got = append(got, n)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("offered %q, want %q", got, tc.want)
			}
		})
	}
	if got := offeredRecordTypes(nil); got != nil {
		t.Fatalf("a missing describe offered %v", got)
	}
}

func TestChosenMasterRecordTypeLeavesRecordTypeIdUnset(t *testing.T) {
	choices := offeredRecordTypes(&remote.Describe{RecordTypeInfos: []remote.RecordTypeInfo{master(true)}})
	if len(choices) != 1 || choices[0].fieldValue() != nil {
		t.Fatalf("master gives RecordTypeId %v", choices)
	}
	// A master record type told apart by its id alone, as some orgs send it.
	byID := remote.RecordTypeInfo{ID: rtMaster, Name: "Master", Available: true, Active: true}
	if c := offeredRecordTypes(&remote.Describe{RecordTypeInfos: []remote.RecordTypeInfo{byID}}); len(c) != 1 || !c[0].master || c[0].fieldValue() != nil {
		t.Fatalf("master by id gives %+v", c)
	}
	if v := (recordTypeChoice{id: rtRetail}).fieldValue(); v != rtRetail {
		t.Fatalf("a record type gives RecordTypeId %v", v)
	}
}

// fakeWithRecordTypes is the fake org whose Accounts have the record types Retail and Public
// (Public the default) besides the master; Contacts have only the master.
func fakeWithRecordTypes() *fakeBackend {
	f := seededFake(2)
	d := *f.desc["Account"]
	d.RecordTypeInfos = []remote.RecordTypeInfo{rtInfo(rtRetail, "Retail", false), rtInfo(rtPublic, "Public", true), master(false)}
	f.desc["Account"] = &d
	c := *f.desc["Contact"]
	c.RecordTypeInfos = []remote.RecordTypeInfo{master(true)}
	f.desc["Contact"] = &c
	return f
}

func TestNewAccountAsksForTheRecordTypeAndTheRecordCarriesIt(t *testing.T) {
	f := fakeWithRecordTypes()
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "n")
	d.requireView("New Account: record type", "▸ Public (default)", "  Retail", "esc cancel")
	if d.model().form.dirty() {
		t.Fatal("the chooser counts as unsaved changes")
	}
	d.keys("ret")
	d.requireView("filter: ret", "▸ Retail")
	d.refuseView("Public")
	d.keys("enter")
	d.requireView("New Account", "Record Type", "Retail", "▸ Account Name")
	d.refuseView(": record type")
	d.keys("Chosen Type Ltd", "ctrl+s")
	d.requireView("Account saved")
	es, _ := f.Entries(context.Background())
	if len(es) != 1 || es[0].Op != pending.OpCreate || es[0].Changes["RecordTypeId"] != rtRetail || es[0].Changes["Name"] != "Chosen Type Ltd" {
		t.Fatalf("queued %+v", es)
	}
}

func TestRecordTypeChooserEnterTakesTheDefaultFirst(t *testing.T) {
	f := fakeWithRecordTypes()
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "n", "enter")
	d.requireView("Record Type", "Public", "▸ Account Name")
	d.keys("Default Type Ltd", "ctrl+s")
	es, _ := f.Entries(context.Background())
	if len(es) != 1 || es[0].Changes["RecordTypeId"] != rtPublic {
		t.Fatalf("queued %+v", es)
	}
}

func TestEscOnRecordTypeChooserCancelsTheNew(t *testing.T) {
	f := fakeWithRecordTypes()
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "n")
	d.requireView("New Account: record type")
	d.keys("pub", "esc")
	if d.model().active() != ScreenHome {
		t.Fatalf("esc left the app on screen %v:\n%s", d.model().active(), d.view())
	}
	d.requireView("Accounts", "records")
	if n, _, _ := f.Counts(context.Background()); n != 0 {
		t.Fatalf("%d entries queued by a cancelled New", n)
	}
	// New again asks again.
	d.keys("n")
	d.requireView("New Account: record type", "▸ Public (default)")
}

func TestObjectWithOnlyTheMasterRecordTypeGoesStraightToTheForm(t *testing.T) {
	f := fakeWithRecordTypes()
	d := newDriver(t, f, 100, 30)
	d.keys("down", "enter", "n")
	d.requireView("New Contact", "Last Name *")
	d.refuseView("record type", "Record Type")
	d.keys("Plain", "ctrl+s")
	es, _ := f.Entries(context.Background())
	if len(es) != 1 {
		t.Fatalf("queued %+v", es)
	}
	if _, set := es[0].Changes["RecordTypeId"]; set {
		t.Fatalf("a master-only object's record got RecordTypeId %v", es[0].Changes["RecordTypeId"])
	}
}

func TestNewWithARecordTypeGivenSkipsTheChooser(t *testing.T) {
	f := fakeWithRecordTypes()
	d := newDriver(t, f, 100, 30)
	d.send(openFormMsg{mode: formNew, object: "Account", defaults: remote.Fields{"RecordTypeId": rtRetail}})
	d.requireView("New Account", "Record Type", "Retail", "▸ Account Name")
	d.keys("Given Type Ltd", "ctrl+s")
	es, _ := f.Entries(context.Background())
	if len(es) != 1 || es[0].Changes["RecordTypeId"] != rtRetail {
		t.Fatalf("queued %+v", es)
	}
}

func TestRecordTypeChooserGoldenAt80x24(t *testing.T) {
	w := newWorld(t)
	s := newStorySized(t, w, 80, 24)
	s.goOffline()
	s.press("down", "down", "enter")
	s.wait("Opportunities", "records")
	s.press("n")
	s.golden("chooser", "New Opportunity: record type", "▸ New Business", "Renewal", "esc cancel")
	s.refuse("Master")
}

func TestStoryOfflineNewOpportunityOfAChosenRecordTypeSyncsWithIt(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	res, err := w.admin.Query(ctx, "SELECT Id, Name FROM RecordType WHERE SobjectType = 'Opportunity' AND DeveloperName = 'Renewal'", 0)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("the org's Renewal record type: %+v %v", res.Records, err)
	}
	renewal := res.Records[0].ID()

	s := newStory(t, w)
	s.goOffline()
	s.press("down", "down", "enter")
	s.wait("Opportunities", "records")
	s.press("n")
	s.wait("New Opportunity: record type", "▸ New Business", "Renewal")
	s.press("down")
	s.wait("▸ Renewal")
	s.press("enter")
	s.wait("New Opportunity", "Record Type", "Renewal", "▸ Name *")
	s.refuse(": record type")
	s.press("Offline Renewal Deal")
	s.focusField("▸ Stage *")
	s.press("p")
	s.focusField("▸ Close Date *")
	s.press("2024-06-30", "ctrl+s")
	s.wait("1 pending", "Opportunity  Offline Renewal Deal", "● Waiting to sync")

	row, err := w.eng.List(ctx, pending.ListQuery{Object: "Opportunity", Filter: "Offline Renewal Deal", Limit: 5})
	if err != nil || len(row.Rows) != 1 || !strings.HasPrefix(row.Rows[0].ID, "local-") {
		t.Fatalf("offline opportunity: %+v %v", row.Rows, err)
	}
	s.press("o")
	s.wait(" ONLINE ", "0 pending", "Offline Renewal Deal")
	s.waitGone("● To sync")

	row, err = w.eng.List(ctx, pending.ListQuery{Object: "Opportunity", Filter: "Offline Renewal Deal", Limit: 5})
	if err != nil || len(row.Rows) != 1 || !strings.HasPrefix(row.Rows[0].ID, "006") {
		t.Fatalf("opportunity after sync: %+v %v", row.Rows, err)
	}
	got, err := w.admin.Retrieve(ctx, "Opportunity", row.Rows[0].ID, []string{"Name", "RecordTypeId", "CloseDate"})
	if err != nil {
		t.Fatalf("org: %v", err)
	}
	if got.Fields["RecordTypeId"] != renewal || got.Fields["Name"] != "Offline Renewal Deal" || got.Fields["CloseDate"] != "2024-06-30" {
		t.Fatalf("org's opportunity %+v, want RecordTypeId %s", got.Fields, renewal)
	}
}

func TestRecordPageNamesTheRecordTypeInsteadOfItsID(t *testing.T) {
	d := &remote.Describe{Name: "Opportunity", RecordTypeInfos: []remote.RecordTypeInfo{
		{ID: "012Dm0000000001IAA", Name: "New Business", Available: true, Active: true},
		{ID: "012Dm0000000002IAA", Name: "Renewal", Available: true, Active: true},
	}}
	m := detailModel{desc: d}
	for _, tc := range []struct{ id, want string }{
		{"012Dm0000000002IAA", "Renewal"},
		{"012Dm0000000002", "Renewal"}, // 15-character form
		{"012Dm0000000009IAA", "012Dm0000000009IAA"},
	} {
		if got := m.lookupName("RecordTypeId", tc.id); got != tc.want {
			t.Errorf("RecordTypeId %s shows %q, want %q", tc.id, got, tc.want)
		}
	}
}

func TestEditFormShowsTheRecordsRecordTypeAndNeverChangesIt(t *testing.T) {
	for _, tc := range []struct {
		name   string
		object int // 0 Accounts, 1 Contacts on the home menu
		rt     any // the record's RecordTypeId (nil: none set)
		want   string
	}{
		{"a record type set", 0, rtRetail, "Retail"},
		{"the 15-character form", 0, rtRetail[:15], "Retail"},
		{"none set is the master", 0, nil, "Master"},
		{"master-only object shows none", 1, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fakeWithRecordTypes()
			obj := []string{"Account", "Contact"}[tc.object]
			f.records[obj][0]["RecordTypeId"] = tc.rt
			d := newDriver(t, f, 100, 30)
			for range tc.object {
				d.keys("down")
			}
			d.keys("enter", "enter", "e")
			d.requireView("Edit " + obj)
			if tc.want == "" {
				d.refuseView("Record Type")
			} else {
				d.requireView("Record Type", tc.want)
			}
			d.keys("ctrl+e", " edited", "ctrl+s")
			d.requireView(obj + " saved")
			es, _ := f.Entries(context.Background())
			if len(es) != 1 || es[0].Op != pending.OpUpdate {
				t.Fatalf("queued %+v", es)
			}
			if _, set := es[0].Changes["RecordTypeId"]; set {
				t.Fatalf("an edit changed the record type: %+v", es[0].Changes)
			}
		})
	}
}

func TestActionBarOffersEachKindOfNewRecordOnce(t *testing.T) {
	c := newDriver(t, seededFake(2), 200, 30).model().c
	c.online = true
	for _, tc := range []struct {
		object string
		pane   int // 0 the record, then its related lists in order
		want   []string
		refuse string
	}{
		{"Account", 0, []string{"[t] New Task", "[c] New Contact"}, "[n]"},
		{"Account", 2, []string{"[t] New Task", "[c] New Contact", "[n] New Opportunity"}, ""},
		{"Account", 3, []string{"[n] New Case"}, ""},
		{"Account", 4, []string{"[t] New Task"}, "[n]"},
		{"Opportunity", 1, []string{"[t] New Task"}, "[n]"},
		{"Contact", 1, []string{"[n] New Case"}, "[c]"},
	} {
		m := detailModel{c: c, object: tc.object, pane: tc.pane}
		for _, r := range relations[tc.object] {
			m.related = append(m.related, relatedList{relation: r})
		}
		bar := ansi.Strip(m.actionBar())
		for _, w := range tc.want {
			if !strings.Contains(bar, w) {
				t.Errorf("%s pane %d: bar %q lacks %q", tc.object, tc.pane, bar, w)
			}
		}
		if tc.refuse != "" && strings.Contains(bar, tc.refuse) {
			t.Errorf("%s pane %d: bar %q offers %q", tc.object, tc.pane, bar, tc.refuse)
		}
		for _, label := range []string{"New Task", "New Contact"} {
			if n := strings.Count(bar, label); n > 1 {
				t.Errorf("%s pane %d: bar %q offers %s %d times", tc.object, tc.pane, bar, label, n)
			}
		}
	}
}

func TestRelatedListColumnsKeepShortValuesWholeAndShareTheRest(t *testing.T) {
	c := newDriver(t, seededFake(2), 80, 30).model().c
	m := detailModel{c: c, w: 80}
	r := relatedList{relation: relation{child: "Contact", field: "AccountId"}, rows: []pending.Row{
		{ID: "003A", Name: "Sofia Howard", Fields: remote.Fields{"Title": "Buyer", "Email": "sofia.howard@acmegroup.example"}},
	}}
	cols := []string{"Title", "Email"}
	w := m.relatedWidths(r, cols, 70)
	if w[2] < len("sofia.howard@acmegroup.example") || w[1] < len("Buyer") || w[0] < len("Sofia Howard") {
		t.Fatalf("widths %v cut a value that fits (70 cells for 12+5+30)", w)
	}
	if sum := w[0] + w[1] + w[2]; sum > 70 {
		t.Fatalf("widths %v take %d cells of 70", w, sum)
	}
	// Too narrow for all: the short values stay whole, the long one takes what is left.
	w = m.relatedWidths(r, cols, 36)
	if w[1] != len("Buyer") || w[0]+w[1]+w[2] > 36 {
		t.Fatalf("narrow widths %v", w)
	}
	// Wide: columns stay near their values (caps), not spread over 200 cells.
	w = m.relatedWidths(r, cols, 190)
	if w[0] > 44 || w[1] > 32 || w[2] > 32+len("sofia.howard@acmegroup.example") {
		t.Fatalf("wide widths %v", w)
	}
}
