package tui

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/teatest"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/scenario"
)

// readmeKeys are the keys the README's key table names (backticked, in any column).
func readmeKeys(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Skipf("no README: %v", err)
	}
	text := string(data)
	start := strings.Index(text, "### Keys")
	if start < 0 {
		t.Fatal("README has no ### Keys section")
	}
	var keys []string
	tick := regexp.MustCompile("`([^`]+)`")
	for _, line := range strings.Split(text[start:], "\n")[1:] {
		if strings.HasPrefix(line, "#") {
			break
		}
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|---") {
			continue
		}
		for _, m := range tick.FindAllStringSubmatch(line, -1) {
			if !strings.Contains(m[1], " ") { // a command named in the text, not a key
				keys = append(keys, m[1])
			}
		}
	}
	if len(keys) < 10 {
		t.Fatalf("found only %v in the README's key table", keys)
	}
	return keys
}

// keyName is how a binding's key is written in the README.
func keyName(k string) string {
	switch k {
	case " ":
		return "space"
	case "left":
		return "←"
	case "right":
		return "→"
	case "up":
		return "↑"
	case "down":
		return "↓"
	case "pgdown":
		return "pgdn"
	}
	return k
}

func TestHelpListsEveryKeyOfTheReadmeKeyTableAndTheQAKeys(t *testing.T) {
	d := newDriver(t, seededFake(3), 80, 24)
	d.keys("?")
	m := d.model()
	bound := map[string]bool{}
	for _, sec := range m.helpSections() {
		for _, b := range sec.keys {
			for _, k := range b.Keys() {
				bound[keyName(k)] = true
			}
		}
	}
	text := strings.Join(m.helpLines(80), "\n")
	for _, k := range append(readmeKeys(t), "f", "u", "N", "ctrl+n") {
		if !bound[k] {
			t.Errorf("the help lists no binding for %q (README key table)", k)
		}
		if !strings.Contains(text, k) {
			t.Errorf("the help text never shows %q", k)
		}
	}
}

func TestHelpScrollsAt80x24WithMoreBelowAndAboveHints(t *testing.T) {
	d := newDriver(t, seededFake(3), 80, 24)
	d.keys("enter", "enter", "?")
	d.requireView("Keys on this screen", "more below")
	d.refuseView("more above", "Can't be saved: record was deleted")
	d.keys("end")
	d.requireView("more above", "Can't be saved: record was deleted", "given to another user")
	d.refuseView("more below", "Keys on this screen")
	d.keys("home")
	d.requireView("Keys on this screen", "more below")
	first := func() string { return strings.Split(d.view(), "\n")[1] }
	top := first()
	d.keys("down")
	if first() == top {
		t.Fatalf("↓ did not scroll the help: %q", top)
	}
	d.keys("up")
	if first() != top {
		t.Fatalf("↑ did not scroll back: %q", first())
	}
	d.keys("pgdown")
	d.requireView("more above")
	d.keys("pgup")
	d.refuseView("more above")
	d.keys("esc")
	d.refuseView("Keys on this screen")
	d.requireView("Acme 000000")
}

func TestHelpAt200x60ShowsEverythingWithoutScrolling(t *testing.T) {
	d := newDriver(t, seededFake(3), 200, 60)
	d.keys("?")
	d.requireView("Keys that never change", "QA and support", "Can't be saved: record was deleted")
	d.refuseView("more below", "more above")
}

// flat is the view with its lines joined by spaces and runs of spaces folded, so a wrapped
// sentence reads as one.
func flat(v string) string { return strings.Join(strings.Fields(v), " ") }

func TestLongMessagesWrapWholeAt80Columns(t *testing.T) {
	d := newDriver(t, seededFake(3), 80, 24)
	d.keys("o", "enter", "enter", "c")
	want := flat(refuseOffline("New Contact").Error())
	if got := flat(d.view()); !strings.Contains(got, want) {
		t.Fatalf("the message is cut; want %q in:\n%s", want, d.view())
	}
	if n := len(strings.Split(d.view(), "\n")); n != 24 {
		t.Fatalf("the view has %d lines, want 24", n)
	}
}

func TestMessagesLongerThanThreeLinesEndWithAnEllipsis(t *testing.T) {
	got := messageLines(strings.Repeat("word ", 100), 40)
	lines := strings.Split(got, "\n")
	if len(lines) != maxMessageLines || !strings.HasSuffix(lines[len(lines)-1], "…") {
		t.Fatalf("got %q", got)
	}
}

func TestRecordDeletedOfflineRefusesEditAndDeleteAtOnce(t *testing.T) {
	for k, said := range map[string]string{"e": "discard the delete to edit it", "d": "already waiting to be deleted: it goes when the device syncs"} {
		t.Run(k, func(t *testing.T) {
			f := seededFake(3)
			d := newDriver(t, f, 80, 24)
			d.keys("o", "enter", "enter", "d", "y")
			if d.model().active() != ScreenHome {
				t.Fatalf("the delete did not go back to the list")
			}
			d.keys("enter")
			d.requireView("[e] Edit (deleted here)", "[d] Delete (deleted here)", "x discard delete")
			d.keys(k)
			d.requireView("waiting to be deleted", said)
			if d.model().active() != ScreenRecord || d.model().modal.open() {
				t.Fatalf("%s on a record deleted offline opened a form or a confirmation", k)
			}
			if n, _, _ := f.Counts(t.Context()); n != 1 {
				t.Fatalf("%d entries, want the one delete", n)
			}
		})
	}
}

func TestOfflineDeleteReadsAsADeleteInListsAndOnTheRecordPage(t *testing.T) {
	f := seededFake(3)
	d := newDriver(t, f, 80, 24)
	d.keys("o", "enter", "enter", "d", "y")
	d.requireView("● To delete Acme 000000")
	d.refuseView("To sync")
	d.keys("enter")
	d.requireView("● To delete: waiting to sync")
	d.refuseView("Waiting to sync  (deleted here)")
	d.keys("p")
	d.requireView("● To delete", "Delete")
	// An edit keeps its words.
	d.keys("esc", "esc", "down", "enter", "e", "X", "ctrl+s", "esc")
	d.requireView("● To sync   Acme 000001X", "● To delete Acme 000000")
}

func TestNewChildActionsRefuseOnARecordTheOrgDeleted(t *testing.T) {
	tests := []struct {
		code, note, why string
	}{
		{"ENTITY_IS_DELETED", "(record deleted)", "it was deleted on the org"},
		{"NOT_FOUND", "(no access)", "you no longer have access to it"},
	}
	for _, tc := range tests {
		for _, k := range []string{"t", "c", "n"} {
			t.Run(tc.code+"/"+k, func(t *testing.T) {
				f := seededFake(2)
				msg := map[string]string{"NOT_FOUND": "You no longer have access to this record"}[tc.code]
				f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
					Op: pending.OpUpdate, Status: pending.StatusFailed, Code: tc.code, Message: msg, Changes: remote.Fields{"Phone": "1"}})
				d := newDriver(t, f, 80, 24)
				d.keys("enter", "enter")
				d.requireView("[t] New Task "+tc.note, "[c] New Contact "+tc.note)
				d.refuseView("t new task")
				d.keys("tab", k) // tab: the Contacts list, so n makes a contact
				d.requireView("can't take new records", tc.why, "Press x")
				if d.model().active() != ScreenRecord {
					t.Fatalf("%s opened a New form on a record the org deleted", k)
				}
			})
		}
	}
}

func TestFocusStaysVisibleOnAFlaggedFormField(t *testing.T) {
	d := newDriver(t, seededFake(1), 80, 24)
	d.keys("down", "enter", "n", "ctrl+s")
	d.requireView("▸ ▲ Last Name *", "required")
	d.keys("tab", "not-an-email", "ctrl+s")
	// The focus went back to the first field that fails; the others keep their flag alone.
	d.requireView("▸ ▲ Last Name *", "enter an email address")
	d.keys("tab")
	d.requireView("▲ Last Name *", "▸ ▲ Email")
	d.refuseView("▸ ▲ Last Name")
}

func TestActivityLogGoldenAt80x24(t *testing.T) {
	d := newDriver(t, activityFake(), 80, 24)
	d.keys("L", "down")
	d.requireView("AT ", "TOOK", "PRECONDITION_FAILED", "record 001000000000000001")
	d.refuseView("TIME")
	teatest.RequireEqualOutput(t, []byte(d.view()))
}

func TestActivityLogGivesThePathTheRoomAndCodeOnlyWhatItNeeds(t *testing.T) {
	for _, w := range []int{80, 200} {
		cells := []logCells{
			{at: "10:31:04.500", method: "PATCH", path: "/services/data/v60.0/sobjects/Account/001000000000000001", status: "412", took: "3.2ms", record: "001000000000000001"},
			{at: "10:31:03.500", method: "GET", path: "/services/data/v60.0/query?q=SELECT+Id+FROM+Account", status: "200", took: "1.0ms"},
		}
		cw := logWidths(cells, w)
		if cw.code != len("CODE") {
			t.Errorf("%d wide: an empty CODE column got %d cells", w, cw.code)
		}
		if cw.path < 30 || cw.path < cw.record {
			t.Errorf("%d wide: the path got %d cells, the record %d", w, cw.path, cw.record)
		}
		gaps := 6
		if cw.record == 0 {
			gaps = 5
		}
		if total := cw.at + cw.method + cw.path + cw.status + cw.code + cw.took + cw.record + gaps; total > w {
			t.Errorf("%d wide: the columns take %d", w, total)
		}
	}
}

func TestShareWidthGivesNarrowColumnsWhatTheyWant(t *testing.T) {
	tests := []struct {
		want []int
		room int
		got  []int
	}{
		{[]int{5, 10}, 40, []int{5, 10}},
		{[]int{5, 30}, 20, []int{5, 15}},
		{[]int{30, 30}, 21, []int{11, 10}},
		{[]int{3, 3, 40}, 20, []int{3, 3, 14}},
		{[]int{10, 10}, 0, []int{1, 1}},
	}
	for _, tc := range tests {
		got := shareWidth(tc.want, tc.room)
		if fmt.Sprint(got) != fmt.Sprint(tc.got) {
			t.Errorf("shareWidth(%v, %d) = %v, want %v", tc.want, tc.room, got, tc.got)
		}
	}
}

func TestListColumnsShareTheWidthByContentAt80(t *testing.T) {
	f := newFakeBackend()
	f.quiet = true
	f.add("Account", remote.Fields{"Id": "001000000000000001", "Name": "Adventure Logistics", "Industry": "Food & Beverage", "Phone": "(472) 433-5918", "BillingCity": "New York"})
	f.add("Account", remote.Fields{"Id": "001000000000000002", "Name": "Blue Sun Health", "Industry": "Engineering", "Phone": "(806) 866-9422", "BillingCity": "Dublin"})
	f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000002", Op: pending.OpDelete, Status: pending.StatusPending})
	d := newDriver(t, f, 80, 24)
	d.keys("enter")
	d.requireView("● To delete", "Adventure Logistics", "Food & Beverage", "(472) 433-5918", "(806) 866-9422", "New York")
	if v := aboveHelpBar(d.view()); strings.Contains(v, "…") {
		t.Fatalf("a column is cut:\n%s", v)
	}
}

// lostReply is a transport failure as the network simulation reports it: a timeout.
type lostReply struct{}

func (lostReply) Error() string   { return "netsim: reply lost after the org handled the request" }
func (lostReply) Timeout() bool   { return true }
func (lostReply) Temporary() bool { return true }

type refused struct{}

func (refused) Error() string   { return "dial tcp 127.0.0.1:8787: connection refused" }
func (refused) Timeout() bool   { return false }
func (refused) Temporary() bool { return false }

func TestSyncStoppedSaysItForAPersonAndPointsAtTheLog(t *testing.T) {
	wrapped := func(err error) error {
		return fmt.Errorf("remote: GET /services/data/v62.0/query: %w", err)
	}
	tests := []struct {
		err  error
		want string
	}{
		{wrapped(lostReply{}), "the connection dropped; will retry."},
		{wrapped(refused{}), "the org could not be reached; will retry."},
		{fmt.Errorf("remote: composite: %w: 8 subresponses for 9 subrequests", remote.ErrMalformedReply), "the org's reply could not be read (the log, L, says what came); will retry."},
		{&remote.Error{Status: 503, Items: []remote.ErrorItem{{Code: "SERVER_UNAVAILABLE"}}}, "the org is unavailable (503); will retry."},
		{&remote.Error{Status: 400, Items: []remote.ErrorItem{{Code: "UNABLE_TO_LOCK_ROW"}}}, "the org was busy (a record was locked); will retry."},
		{&remote.Error{Status: 403, Items: []remote.ErrorItem{{Code: "REQUEST_LIMIT_EXCEEDED"}}}, "API request limit was reached"},
		{&remote.Error{Status: 401}, "the org asked to sign in again."},
		{wrapped(context.DeadlineExceeded), "the org took too long to answer; will retry."},
		{fmt.Errorf("%w: %w", pending.ErrAuth, &pending.AnotherUserError{Token: "admin@demo.example", Device: "alex@demo.example"}),
			"the access token is admin@demo.example's, but this device's data is alex@demo.example's, so nothing was sent"},
	}
	for _, tc := range tests {
		got := syncStopped(tc.err)
		if !strings.HasPrefix(got, "Sync stopped: ") || !strings.Contains(got, tc.want) || !strings.Contains(got, "L (activity log)") {
			t.Errorf("%v: got %q, want %q", tc.err, got, tc.want)
		}
		if strings.Contains(got, "/services/") || strings.Contains(got, "netsim") || strings.Contains(got, "remote:") {
			t.Errorf("%v: the raw error shows: %q", tc.err, got)
		}
	}
	d := newDriver(t, seededFake(1), 80, 24)
	d.send(syncDoneMsg{err: wrapped(lostReply{})})
	d.requireView("Sync stopped: the connection dropped; will retry.")
}

func TestStatusBarDropsWholePartsAndNeverCutsTheAPICount(t *testing.T) {
	for w := minWidth; w <= 130; w++ {
		f := seededFake(1)
		f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Op: pending.OpUpdate, Status: pending.StatusConflict})
		d := newDriverWith(t, Options{Backend: f,
			NetStatus: func() string { return "lossy 50% replies lost" },
			LimitInfo: func() string { return "api-usage=18/15000" }}, w, 24)
		lines := strings.Split(d.view(), "\n")
		bar := lines[len(lines)-2]
		if strings.Contains(bar, "…") {
			t.Fatalf("%d wide: a part is cut: %q", w, bar)
		}
		if strings.Contains(bar, "API") && !strings.Contains(bar, "API used 18/15000") {
			t.Fatalf("%d wide: the API count is cut: %q", w, bar)
		}
		if !strings.Contains(bar, "1 pending") {
			t.Fatalf("%d wide: the pending count went: %q", w, bar)
		}
		if w >= 100 && !strings.Contains(bar, "API used 18/15000") {
			t.Fatalf("%d wide: the API count went while there is room: %q", w, bar)
		}
	}
}

// countScript is a scenario of total steps that do nothing but count.
type countScript struct{ ran, total int }

func (s *countScript) Peek() (scenario.Step, bool) {
	return scenario.Step{Kind: scenario.KindSync}, s.ran < s.total
}
func (s *countScript) Next(context.Context) (scenario.StepResult, bool) {
	if s.ran >= s.total {
		return scenario.StepResult{}, false
	}
	s.ran++
	return scenario.StepResult{Index: s.ran - 1, Text: "sync"}, true
}
func (s *countScript) Done() bool                   { return s.ran >= s.total }
func (s *countScript) Progress() (int, int)         { return s.ran, s.total }
func (s *countScript) Scenario() *scenario.Scenario { return &scenario.Scenario{Name: "count"} }

func TestNextStepGoesOnPastTheSyncAlertAndClosesIt(t *testing.T) {
	for _, k := range []string{"N", "ctrl+n"} {
		t.Run(k, func(t *testing.T) {
			sc := &countScript{total: 3}
			d := newDriverWith(t, Options{Backend: seededFake(1), Script: sc}, 80, 24)
			d.requireView("SCENARIO 0/3")
			d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: &pending.Summary{Attention: 1}}})
			d.requireView("Sync needs your attention")
			d.keys(k)
			d.refuseView("Sync needs your attention")
			d.requireView("SCENARIO 1/3")
			if sc.ran != 1 {
				t.Fatalf("%s ran %d steps, want 1", k, sc.ran)
			}
		})
	}
}

func TestNOnADeleteConfirmationStillMeansNo(t *testing.T) {
	sc := &countScript{total: 3}
	d := newDriverWith(t, Options{Backend: seededFake(1), Script: sc}, 80, 24)
	d.keys("enter", "enter", "d")
	d.requireView("Delete Account?")
	d.keys("N")
	d.refuseView("Delete Account?")
	if sc.ran != 0 {
		t.Fatalf("N on a confirmation ran a step")
	}
}

func TestNotesDoNotOutliveTheirScreen(t *testing.T) {
	d := newDriver(t, seededFake(2), 80, 24)
	d.keys("enter", "n", "New Co", "ctrl+s")
	d.requireView("Account saved.")
	d.keys("esc")
	d.refuseView("Account saved.")
	d.keys("n")
	d.requireView("New Account")
	d.keys("esc", "enter", "e", "X", "ctrl+s")
	d.requireView("Account saved.")
	d.keys("d")
	d.requireView("Delete Account?")
	d.refuseView("Account saved.")
}

func TestSavingANewRecordOpensItsPageAndEscGoesToTheListOnIt(t *testing.T) {
	d := newDriver(t, seededFake(5), 80, 24)
	d.keys("enter", "down", "n", "Acme 000003b", "ctrl+s")
	d.requireView("Account saved.", "Account  Acme 000003b", "● Waiting to sync", "(created here)", "[e] Edit")
	if m := d.model(); m.active() != ScreenRecord || m.detail.view.Name != "Acme 000003b" {
		t.Fatalf("after saving, the screen is %v on %q, want the new record's page:\n%s", m.active(), m.detail.view.Name, d.view())
	}
	d.keys("esc")
	m := d.model()
	if r, ok := m.home.row(m.home.cursor); m.active() != ScreenHome || !ok || r.Name != "Acme 000003b" {
		t.Fatalf("esc from the new record: the cursor is on %+v, want the new record", r)
	}
	d.requireView("▸ ● To sync Acme 000003b")
}

func TestSavingANewChildRecordOpensItAndEscGoesBackToTheParent(t *testing.T) {
	d := newDriver(t, seededFake(2), 80, 24)
	d.keys("enter", "enter") // Accounts › the first account
	parent := d.model().detail.view.Name
	d.keys("c")
	d.requireView("New Contact")
	d.keys("Child Person", "ctrl+s")
	d.requireView("Contact saved.", "Contact  Child Person")
	d.keys("esc")
	if m := d.model(); m.active() != ScreenRecord || m.detail.view.Name != parent {
		t.Fatalf("esc from the new contact shows %v %q, want the account %q:\n%s", m.active(), m.detail.view.Name, parent, d.view())
	}
}

func TestTypingANewConflictValueReplacesMineAndSaysSo(t *testing.T) {
	conflictFake := func() *fakeBackend {
		f := seededFake(2)
		f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
			Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "555-0111"},
			Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "555-0122", Mine: "555-0111"}}})
		return f
	}
	t.Run("typing replaces", func(t *testing.T) {
		d := newDriver(t, conflictFake(), 80, 24)
		d.keys("p", "r", "v")
		d.requireView("new value: 555-0111", "typing replaces this value")
		d.keys("555-0199", "enter")
		m := d.model()
		if got := m.conflict.choices[0]; got.Take != pending.TakeValue || got.Value != "555-0199" {
			t.Fatalf("chose %+v, want the typed 555-0199", got)
		}
		d.requireView("new     555-0199")
	})
	t.Run("editing keeps", func(t *testing.T) {
		d := newDriver(t, conflictFake(), 80, 24)
		d.keys("p", "r", "v", "backspace", "9", "enter")
		if got := d.model().conflict.choices[0]; got.Value != "555-0119" {
			t.Fatalf("chose %+v, want mine edited to 555-0119", got)
		}
	})
}

func TestStatusBarCountsOrangeAndRedApart(t *testing.T) {
	tests := []struct {
		name     string
		statuses []pending.Status
		want     []string
		unwanted []string
	}{
		{"red", []pending.Status{pending.StatusFailed}, []string{"✖ 1 can't be saved"}, []string{"▲"}},
		{"orange", []pending.Status{pending.StatusConflict}, []string{"▲ 1 needs attention"}, []string{"can't be saved"}},
		{"both", []pending.Status{pending.StatusInvalid, pending.StatusFailed, pending.StatusConflict},
			[]string{"▲ 2 need attention", "✖ 1 can't be saved"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := seededFake(3)
			for i, st := range tc.statuses {
				f.setEntry(pending.Entry{ID: fmt.Sprint("e", i), Object: "Account", RecordID: fmt.Sprintf("001%015d", i), Op: pending.OpUpdate, Status: st, Code: "ENTITY_IS_DELETED"})
			}
			d := newDriver(t, f, 100, 24)
			lines := strings.Split(d.view(), "\n")
			bar := lines[len(lines)-2]
			for _, w := range tc.want {
				if !strings.Contains(bar, w) {
					t.Errorf("status bar %q lacks %q", bar, w)
				}
			}
			for _, w := range tc.unwanted {
				if strings.Contains(bar, w) {
					t.Errorf("status bar %q has %q", bar, w)
				}
			}
		})
	}
}

func TestNextStepWithoutAScenarioSaysHowToLoadOne(t *testing.T) {
	d := newDriver(t, seededFake(3), 80, 24)
	d.keys("N")
	if v := d.view(); !strings.Contains(v, "No scenario is loaded") {
		t.Fatalf("N without a scenario said nothing:\n%s", v)
	}
	// In a text field N is a letter.
	d = newDriver(t, seededFake(3), 80, 24)
	d.keys("enter", "n", "N")
	if v := d.view(); strings.Contains(v, "No scenario is loaded") {
		t.Fatalf("N typed into a form was taken as a key:\n%s", v)
	}
}
