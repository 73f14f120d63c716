package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// namedBackend adds user names to every record view, as the engine does once it has read
// the org's users.
type namedBackend struct {
	*fakeBackend
	users map[string]string
}

func (b namedBackend) Record(ctx context.Context, object, id string) (pending.RecordView, error) {
	v, err := b.fakeBackend.Record(ctx, object, id)
	for k, n := range b.users {
		v.Names[k] = n
	}
	return v, err
}

const samID = "005Dm0000000002IAA"

func ownedFake() *fakeBackend {
	f := seededFake(2)
	d := f.desc["Account"]
	d.Fields = append(d.Fields, remote.Field{Name: "OwnerId", Label: "  Owner  ", Type: "reference", ReferenceTo: []string{"User"}})
	f.records["Account"][0]["OwnerId"] = samID
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "1"},
		Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "555-0199", Mine: "1", TheirsBy: samID, TheirsAt: f.now}}})
	return f
}

func TestUserIDsShowAsNamesWhenTheEngineKnowsThem(t *testing.T) {
	tests := []struct {
		name  string
		users map[string]string
		want  string
	}{
		{"known", map[string]string{samID: "Sam Chen"}, "Sam Chen"},
		{"unknown", nil, samID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, namedBackend{ownedFake(), tc.users}, 100, 40)
			d.keys("enter", "enter")
			d.requireView("  Owner  ", "they set \"555-0199\" ("+tc.want+",")
			if tc.users != nil {
				d.refuseView(samID)
			}
			owner := ""
			for _, l := range strings.Split(d.view(), "\n") {
				if strings.Contains(l, "  Owner  ") {
					owner = l
				}
			}
			if !strings.Contains(owner, tc.want) {
				t.Fatalf("owner line %q lacks %q", owner, tc.want)
			}
			d.keys("r")
			if d.model().active() != ScreenConflict {
				t.Fatalf("r opened screen %v, want the conflict screen", d.model().active())
			}
			d.requireView("theirs", "("+tc.want+",")
		})
	}
}

// meBackend gives every record view the signed-in user's id, as the engine does.
type meBackend struct {
	*fakeBackend
	me string
}

func (b meBackend) Record(ctx context.Context, object, id string) (pending.RecordView, error) {
	v, err := b.fakeBackend.Record(ctx, object, id)
	v.Me = b.me
	return v, err
}

// A conflict whose other side is the user's own save (another device of theirs, or an
// automation running as them) says "you set" on the record page, as the entry's message says
// "You (on another device or through an automation)", not "they set" with the user's name.
func TestTheRecordPageSaysYouSetForTheUsersOwnOtherSave(t *testing.T) {
	d := newDriver(t, meBackend{ownedFake(), samID}, 100, 40)
	d.keys("enter", "enter")
	d.requireView(`conflict: you set "555-0199" (on another device or through an automation,`)
	d.refuseView("they set")
	d.keys("r") // the conflict screen says so too
	d.requireView("theirs", "(you, on another device or through an automation,")
	d.refuseView(samID)
}

// A delete conflict whose other side is the user's own save says so in its sentence too.
func TestADeleteConflictWithMyOwnSaveSaysYou(t *testing.T) {
	f := seededFake(2)
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
		Op: pending.OpDelete, Status: pending.StatusConflict,
		Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "555-0199", TheirsBy: samID, TheirsAt: f.now}}})
	d := newDriver(t, meBackend{f, samID}, 100, 40)
	d.keys("enter", "enter", "r")
	d.requireView("but you (on another device or through an automation) changed it", "(you, on another device or through an automation,")
	d.refuseView("another user changed it")
}

func TestSyncFinishedReplacesTheSyncingNote(t *testing.T) {
	tests := []struct {
		name string
		sum  pending.Summary
		want string
	}{
		{"synced", pending.Summary{Synced: 3}, "Synced 3 changes."},
		{"one synced", pending.Summary{Synced: 1}, "Synced 1 change."},
		{"attention", pending.Summary{Attention: 1}, "1 change needs your attention."},
		{"stopped", pending.Summary{Err: errors.New("network down")}, "Sync stopped: the connection dropped; will retry."},
		{"retrying", pending.Summary{Retrying: 2}, "2 changes will be tried again later."},
		{"nothing", pending.Summary{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDriver(t, seededFake(1), 100, 30)
			d.keys("o", "o")
			d.requireView(syncingNote)
			sum := tc.sum
			d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &sum}})
			d.refuseView("syncing pending changes")
			if tc.want != "" {
				d.requireView(tc.want)
			}
		})
	}
}

func TestRecordPageResolvesOrangeAndDismissesRed(t *testing.T) {
	tests := []struct {
		status     pending.Status
		code       string
		press      string
		hint, help string
		screen     ScreenID
		removed    bool
	}{
		{pending.StatusConflict, "", "r", "r to resolve", "r resolve", ScreenConflict, false},
		{pending.StatusInvalid, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "r", "r to fix", "r fix", ScreenForm, false},
		{pending.StatusFailed, "ENTITY_IS_DELETED", "x", "x to dismiss", "x dismiss", ScreenRecord, true},
	}
	for _, tc := range tests {
		t.Run(string(tc.status), func(t *testing.T) {
			f := seededFake(2)
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
				Op: pending.OpUpdate, Status: tc.status, Code: tc.code, Changes: remote.Fields{"Phone": "1"},
				Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "2", Mine: "1"}}})
			d := newDriver(t, f, 100, 30)
			d.keys("enter", "enter")
			d.requireView(tc.hint, tc.help)
			d.keys(tc.press)
			if tc.removed {
				d.requireView("Dismiss change?")
				d.keys("y")
			}
			if got := d.model().active(); got != tc.screen {
				t.Fatalf("after %s the screen is %v, want %v", tc.press, got, tc.screen)
			}
			if n, _, _ := f.Counts(context.Background()); (n == 0) != tc.removed {
				t.Fatalf("entries left: %d, want removed=%v", n, tc.removed)
			}
			if tc.removed {
				d.refuseView(tc.hint)
			}
		})
	}
}

func TestRecordPageWithoutAChangeIgnoresRAndX(t *testing.T) {
	f := seededFake(2)
	d := newDriver(t, f, 100, 30)
	d.keys("enter", "enter", "r", "x")
	if d.model().active() != ScreenRecord || d.model().modal.open() {
		t.Fatal("r or x did something on a record without a change")
	}
	d.refuseView("r resolve", "x dismiss")
}

func longLabelFake() *fakeBackend {
	f := seededFake(1)
	d := f.desc["Account"]
	d.Fields = append(d.Fields, remote.Field{Name: "BillingPostalCode", Label: "Billing Zip/Postal Code", Type: "string", Length: 20})
	f.records["Account"][0]["BillingPostalCode"] = "54036"
	return f
}

// linesWith are the screen's lines holding every one of the strings.
func linesWith(v string, all ...string) []string {
	var out []string
	for _, l := range strings.Split(v, "\n") {
		ok := true
		for _, s := range all {
			ok = ok && strings.Contains(l, s)
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

func TestFieldLabelsAreSizedToTheLongestLabelAndTwoColumnsWhenWide(t *testing.T) {
	tests := []struct {
		width      int
		whole      bool // the long label is shown whole
		twoColumns bool
	}{
		{60, false, false},
		{100, true, false},
		{139, true, false},
		{140, true, true},
		{200, true, true},
	}
	for _, tc := range tests {
		t.Run(sprintf("%d", tc.width), func(t *testing.T) {
			d := newDriver(t, longLabelFake(), tc.width, 40)
			d.keys("enter", "enter")
			v := d.view()
			if got := len(linesWith(v, "Billing Zip/Postal Code", "54036")) == 1; got != tc.whole {
				t.Fatalf("long label whole = %v, want %v:\n%s", got, tc.whole, v)
			}
			if !tc.whole {
				if cut := linesWith(v, "Billing Zip/Po", "…", "54036"); len(cut) != 1 || lipgloss.Width(cut[0][:strings.Index(cut[0], "54036")]) > 2+tc.width/3+1 {
					t.Fatalf("label not cut at a third of %d:\n%s", tc.width, v)
				}
			}
			if got := len(linesWith(v, "Account Name", "Industry  ")) > 0; got != tc.twoColumns {
				t.Fatalf("two columns = %v, want %v:\n%s", got, tc.twoColumns, v)
			}
			for _, l := range strings.Split(v, "\n") {
				if w := lipgloss.Width(l); w > tc.width {
					t.Fatalf("line %d wide on a %d terminal: %q", w, tc.width, l)
				}
			}
		})
	}
}

func TestRelatedListsShowKeyColumnsAndSashes(t *testing.T) {
	f := seededFake(1)
	f.records["Contact"][0]["Title"] = "VP Sales"
	f.records["Contact"][0]["Email"] = "jo@acme.example"
	f.add("Contact", remote.Fields{"Id": "003000000000000002", "LastName": "Lee", "Name": "Ann Lee", "AccountId": "001000000000000000", "Title": "CFO"})
	f.sortAll()
	f.setEntry(pending.Entry{ID: "e1", Object: "Contact", RecordID: "003000000000000001", Name: "Jo Smith", Op: pending.OpUpdate, Status: pending.StatusPending})
	d := newDriver(t, f, 100, 40)
	d.keys("enter", "enter")
	v := d.view()
	if len(linesWith(v, "● To sync", "Jo Smith", "VP Sales", "jo@acme.example")) != 1 {
		t.Fatalf("related row lacks sash or key columns:\n%s", v)
	}
	if len(linesWith(v, "Ann Lee", "CFO")) != 1 || len(linesWith(v, "To sync", "Ann Lee")) != 0 {
		t.Fatalf("row without a change is wrong:\n%s", v)
	}
}

func TestHelpBarKeepsHelpVisibleAndDropsLeastImportantKeys(t *testing.T) {
	for _, w := range []int{60, 80, 100, 160} {
		t.Run(sprintf("%d", w), func(t *testing.T) {
			d := newDriver(t, seededFake(2), w, 30)
			for _, step := range [][]string{nil, {"enter"}, {"enter"}, {"p"}} {
				d.keys(step...)
				lines := strings.Split(d.view(), "\n")
				bar := lines[len(lines)-1]
				if !strings.HasPrefix(bar, "? help") || cutItem(bar) || lipgloss.Width(bar) > w {
					t.Fatalf("help bar at %d: %q", w, bar)
				}
				if w >= 160 && !strings.Contains(bar, "B backstage · L log") {
					t.Fatalf("help bar at %d hides B and L: %q", w, bar)
				}
			}
		})
	}
}

func TestSashColumnIsAsWideAsTheVisibleSashes(t *testing.T) {
	tests := []struct {
		name   string
		status pending.Status
		want   []string
	}{
		{"none", "", []string{"▸ Acme 000000", "  Acme 000001"}},
		{"to sync", pending.StatusPending, []string{"▸ ● To sync Acme 000000", "            Acme 000001"}},
		{"conflict", pending.StatusConflict, []string{"▸ ▲ Conflict Acme 000000", "             Acme 000001"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := seededFake(2)
			if tc.status != "" {
				f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000", Op: pending.OpUpdate, Status: tc.status})
			}
			d := newDriver(t, f, 100, 30)
			d.keys("enter")
			d.requireView(tc.want...)
		})
	}
}

func TestTimesShowInTheZoneTheAppIsGiven(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	f := seededFake(1) // last synced 2024-03-04 10:30 UTC
	d := newDriverWith(t, Options{Backend: f, Location: est}, 100, 30)
	c := d.model().c
	at := time.Date(2024, 3, 4, 15, 30, 0, 0, time.UTC)
	if got := c.when(at); got != "Mar 4 10:30" {
		t.Errorf("when = %q, want the time in EST Mar 4 10:30", got)
	}
	fd := remote.Field{Name: "CreatedDate", Type: "datetime"}
	if got := c.displayField(fd, "2024-03-04T15:30:00.000+0000"); got != "Mar 4 10:30 EST" {
		t.Errorf("a datetime field shows %q, want the time in EST Mar 4 10:30 EST", got)
	}
	if bar := statusBarLine(d); !strings.Contains(bar, "last sync Mar 4 05:30") {
		t.Errorf("the status bar gives the last sync in another zone: %q", bar)
	}
	if loc := New(Options{Backend: f}).c.loc; loc != time.Local {
		t.Errorf("without a zone given times show in %v, want the local zone", loc)
	}
}

func TestQuoteJoinedLeavesZeroWidthJoinersAndEscapesTheRest(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"👨\u200d👩\u200d👧 表", "\"👨\u200d👩\u200d👧 表\""},
		{"a\x1b[2Jb", `"a\x1b[2Jb"`},
		{`back\u200d`, `"back\\u200d"`}, // a backslash typed before u200d stays a backslash
		{"\u200d", "\"\u200d\""},
	}
	for _, tc := range tests {
		if got := quoteJoined(tc.in); got != tc.want {
			t.Errorf("quoteJoined(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
