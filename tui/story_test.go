package tui

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
	"github.com/offline-edit/offline-edit/remote/netsim"
)

// clock is the stories' shared time: it moves only when a story says so, so screens and the
// org's one-second preconditions are reproducible.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// world is the real engine on the real mock org, in process, with a second user and an admin.
type world struct {
	clk   *clock
	org   *mockorg.Org
	net   *netsim.Network
	eng   *pending.Engine
	sam   *remote.Client
	admin *remote.Client
	mock  *remote.MockAdmin
}

func newWorld(t *testing.T) *world { return newWorldWith(t, pending.Options{}) }

// newWorldWith is newWorld with engine options of the test's choosing (e.g. which objects to cache).
func newWorldWith(t *testing.T, opts pending.Options) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{clk: &clock{t: time.Date(2024, 3, 4, 10, 30, 0, 0, time.UTC)}}
	org, err := mockorg.Open(mockorg.Options{Seed: 1, Size: 120, Now: w.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = org.Close() })
	w.org = org
	h := remote.InProcess(org.Handler())
	w.net = netsim.New(h, 1)
	client := func(user string, rt http.RoundTripper) *remote.Client {
		tok, err := org.IssueToken(user)
		if err != nil {
			t.Fatal(err)
		}
		c, err := remote.NewClient(ctx, remote.Config{InstanceURL: org.InstanceURL(), AccessToken: tok, Transport: rt, Username: user})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	alex := client("alex@demo.example", w.net)
	w.sam = client("sam@demo.example", h)
	w.admin = client("admin@demo.example", h)
	adminTok, _ := org.IssueToken("admin@demo.example")
	w.mock = remote.NewMockAdmin(org.InstanceURL(), adminTok, h)
	db, err := cache.Open(filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	opts.Network, opts.Now = w.net, w.clk.Now
	eng, err := pending.Open(db, alex, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close(); _ = db.Close() })
	w.eng = eng
	if _, err := eng.Sync(ctx); err != nil {
		t.Fatalf("prime: %v", err)
	}
	return w
}

// firstAccount is the record on the first row of the Accounts home.
func (w *world) firstAccount(t *testing.T) pending.Row {
	p, err := w.eng.List(context.Background(), pending.ListQuery{Object: "Account", Limit: 1})
	if err != nil || len(p.Rows) == 0 {
		t.Fatalf("no account: %v", err)
	}
	return p.Rows[0]
}

// harness wraps the root model so a story can read the screen without racing the program.
type harness struct{ m tea.Model }

type viewProbe struct{ ch chan string }

func (h harness) Init() tea.Cmd { return h.m.Init() }
func (h harness) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if p, ok := msg.(viewProbe); ok {
		m := h.m.(Model)
		m.toast = "" // toasts come and go on a timer; goldens leave them out
		p.ch <- m.View()
		return h, nil
	}
	var cmd tea.Cmd
	h.m, cmd = h.m.Update(msg)
	return h, cmd
}
func (h harness) View() string { return h.m.View() }

type story struct {
	t  *testing.T
	w  *world
	b  Backend // what the app drives: the engine, or a wrapper of it
	tm *teatest.TestModel
}

func newStory(t *testing.T, w *world) *story { return newStorySized(t, w, 100, 30) }

// newStorySized is newStory on a terminal of the given size.
func newStorySized(t *testing.T, w *world, width, height int) *story {
	m := endsWithTest(t, New(Options{Backend: w.eng}))
	start := time.Now()
	m.c.now = func() time.Time { return w.clk.Now().Add(time.Since(start)) }
	tm := teatest.NewTestModel(t, harness{m}, teatest.WithInitialTermSize(width, height))
	s := &story{t: t, w: w, b: w.eng, tm: tm}
	t.Cleanup(func() { _ = tm.Quit() })
	s.wait("Pending Changes (")
	return s
}

func (s *story) view() string {
	ch := make(chan string, 1)
	s.tm.Send(viewProbe{ch})
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		s.t.Fatal("the program stopped answering")
	}
	return ""
}

// syncRunning reports whether the status bar shows a sync under way (sending or refreshing).
func syncRunning(v string) bool {
	return strings.Contains(v, "⟳ syncing") || strings.Contains(v, "⟳ refreshing")
}

// wait polls the screen until every marker is on it (and no sync is running).
func (s *story) wait(markers ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		v := s.view()
		ok := !syncRunning(v) && !strings.Contains(v, "Loading…")
		for _, m := range markers {
			ok = ok && strings.Contains(v, m)
		}
		if ok {
			return v
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q:\n%s", markers, v)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *story) waitGone(marker string) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		v := s.view()
		if !strings.Contains(v, marker) && !syncRunning(v) {
			return v
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen kept %q:\n%s", marker, v)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// goOffline presses o and waits until the device is offline: the engine, and then the screen.
func (s *story) goOffline() {
	s.t.Helper()
	s.switchOnline(false)
	s.wait(" OFFLINE ")
}

// switchOnline presses o and waits until the engine has gone online (on) or offline and the
// status bar says so.
func (s *story) switchOnline(on bool) {
	s.t.Helper()
	s.press("o")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if s.b.Online() == on && strings.Contains(s.view(), " OFFLINE ") != on {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the device did not go online=%v (engine online=%v):\n%s", on, s.b.Online(), s.view())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// press sends keys one at a time, as a person types.
func (s *story) press(keys ...string) {
	for _, k := range keys {
		if k == "ctrl+u" {
			s.tm.Send(tea.KeyMsg{Type: tea.KeyCtrlU})
			continue
		}
		for _, msg := range keyMsgs(k) {
			s.tm.Send(msg)
		}
	}
}

// golden compares the current screen with testdata/<test>/<name>.golden.
func (s *story) golden(name string, markers ...string) {
	s.t.Helper()
	v := s.wait(markers...)
	s.t.Run(name, func(t *testing.T) { teatest.RequireEqualOutput(t, []byte(v)) })
}

// openFirstAccount goes from the menu to the first Account's record page.
func (s *story) openFirstAccount() {
	s.t.Helper()
	s.press("enter")
	s.wait("records")
	s.press("enter")
	s.wait("[e] Edit", "[d] Delete")
}

// renameFirstAccount opens the first account and saves a new name for it through the edit form
// (what most stories change).
func (s *story) renameFirstAccount(name string) {
	s.t.Helper()
	s.openFirstAccount()
	s.press("e")
	s.wait("▸ Account Name")
	s.press("ctrl+u", name, "ctrl+s")
}

func (s *story) record(object, id string) pending.RecordView {
	s.t.Helper()
	v, err := s.w.eng.Record(context.Background(), object, id)
	if err != nil {
		s.t.Fatalf("record %s: %v", id, err)
	}
	return v
}

func TestStoryOfflineEditTurnsGreenThenSyncsAndDisappears(t *testing.T) {
	w := newWorld(t)
	acct := w.firstAccount(t)
	s := newStory(t, w)
	s.golden("menu", "Accounts", " ONLINE ")
	s.goOffline()
	s.press("enter")
	s.golden("accounts", "records", acct.Name)
	s.press("enter")
	s.wait("[e] Edit", "(online only)")
	s.press("e")
	s.wait("Edit Account", "▸ Account Name")
	s.press("ctrl+u", "Harbor Offline Ltd", "ctrl+s")
	s.golden("record_green", "tab next", "● Waiting to sync", "Harbor Offline Ltd", "1 pending")
	s.press("esc")
	s.golden("accounts_green", "● To sync", "Harbor Offline Ltd", "1 pending")
	s.press("p")
	s.golden("pending_green", "› Pending Changes", "● To sync", "1 pending")
	s.press("o")
	s.golden("pending_synced", "Nothing is waiting", " ONLINE ", "0 pending")
	got, err := w.sam.Retrieve(context.Background(), "Account", acct.ID, []string{"Name"})
	if err == nil && got.Fields["Name"] != "Harbor Offline Ltd" {
		t.Fatalf("org has %v", got.Fields["Name"])
	}
	if v := s.record("Account", acct.ID); v.Entry != nil || v.Fields["Name"] != "Harbor Offline Ltd" {
		t.Fatalf("after sync the record is %+v", v)
	}
}

// editNameMeetsTheAdmins edits the first account's name offline to "Mine Name Co", has the
// admin change it to theirs meanwhile, and goes online: the sync finds the conflict.
func editNameMeetsTheAdmins(t *testing.T, s *story, w *world, id, theirs string) {
	t.Helper()
	s.goOffline()
	s.renameFirstAccount("Mine Name Co")
	s.wait("● Waiting to sync")
	w.clk.Advance(3 * time.Second)
	if err := w.admin.Update(context.Background(), "Account", id, remote.Fields{"Name": theirs}, remote.WriteOptions{}); err != nil {
		t.Fatalf("another user's edit: %v", err)
	}
	w.clk.Advance(3 * time.Second)
	s.press("o")
}

func TestStoryConflictingRemoteEditTurnsOrangeAndResolvesToSynced(t *testing.T) {
	w := newWorld(t)
	acct := w.firstAccount(t)
	s := newStory(t, w)
	editNameMeetsTheAdmins(t, s, w, acct.ID, "Theirs Name Co")
	s.golden("alert", "Sync needs your attention", "1 change could not be synced", "▲ 1 needs attention")
	s.press("enter")
	s.golden("pending_conflict", "▲ Conflict", "Another user changed")
	s.press("enter")
	// The record page opens on the copy it loaded while the sync ran, before the author's name
	// was cached; the golden is of the reload, which names the author.
	s.golden("record_conflict", "tab next", "▲ Needs your attention: conflict", "Theirs Name Co", "(Ada Admin,", "[e] Edit (locked)")
	s.press("e")
	s.wait("Locked")
	s.press("p")
	s.wait("▲ Conflict")
	s.press("r")
	s.golden("resolve_conflict", "Resolve conflict", "theirs", "Theirs Name Co", "Mine Name Co")
	s.press("m", "ctrl+s")
	s.wait("Pending Changes", "0 pending")
	s.waitGone("▲ Conflict")
	got, err := w.admin.Retrieve(context.Background(), "Account", acct.ID, []string{"Name"})
	if err != nil || got.Fields["Name"] != "Mine Name Co" {
		t.Fatalf("org has %v (%v), want mine", got.Fields["Name"], err)
	}
}

func TestStoryValidationRuleTurnsOrangeAndFixSyncs(t *testing.T) {
	w := newWorld(t)
	if _, err := w.mock.AddRule(context.Background(), remote.Rule{Object: "Account", Kind: "forbid_value", Field: "Name",
		Value: "Forbidden Co", Message: "That account name is not allowed"}); err != nil {
		t.Fatalf("add rule: %v", err)
	}
	acct := w.firstAccount(t)
	s := newStory(t, w)
	s.goOffline()
	s.renameFirstAccount("Forbidden Co")
	s.wait("● Waiting to sync")
	s.press("o")
	s.wait("Sync needs your attention")
	s.press("enter")
	s.golden("pending_invalid", "▲ Fix errors", "That account name is not allowed", "1 needs attention")
	s.press("r")
	s.golden("fix_form", "Fix Account", "That account name is not allowed")
	s.press("ctrl+u", "Permitted Co", "ctrl+s")
	s.wait("Pending Changes", "0 pending")
	s.waitGone("▲ Fix errors")
	if v := s.record("Account", acct.ID); v.Entry != nil || v.Fields["Name"] != "Permitted Co" {
		t.Fatalf("after the fix the record is %+v", v)
	}
}

func TestStoryDuplicateRuleTurnsOrangeAndSavingUnchangedSavesAnyway(t *testing.T) {
	w := newWorld(t)
	p, err := w.eng.List(context.Background(), pending.ListQuery{Object: "Account", Limit: 2})
	if err != nil || len(p.Rows) < 2 {
		t.Fatalf("two accounts: %v", err)
	}
	acct, other := p.Rows[0], p.Rows[1]
	if _, err := w.mock.AddRule(context.Background(), remote.Rule{Object: "Account", Kind: "duplicate", Field: "Name",
		Message: "An account with this name exists"}); err != nil {
		t.Fatalf("add rule: %v", err)
	}
	s := newStory(t, w)
	s.goOffline()
	s.renameFirstAccount(other.Name)
	s.wait("● Waiting to sync")
	s.press("o")
	s.wait("Sync needs your attention")
	s.press("esc")
	s.wait("▲ Needs your attention")
	s.press("r")
	s.wait("Fix Account", "save it unchanged (ctrl+s) to save anyway")
	s.press("ctrl+s")
	s.wait("0 pending")
	if v := s.record("Account", acct.ID); v.Entry != nil || v.Fields["Name"] != other.Name {
		t.Fatalf("after saving anyway the record is %+v", v)
	}
}

func TestStoryRemoteDeleteTurnsRedAndDismisses(t *testing.T) {
	w := newWorld(t)
	acct := w.firstAccount(t)
	s := newStory(t, w)
	s.goOffline()
	s.renameFirstAccount("Doomed Edit Co")
	s.wait("● Waiting to sync")
	w.clk.Advance(3 * time.Second)
	if err := w.admin.Delete(context.Background(), "Account", acct.ID); err != nil {
		t.Fatalf("another user's delete: %v", err)
	}
	s.press("o")
	s.wait("Sync needs your attention")
	s.press("esc")
	s.golden("record_red", "tab next", "✖ Can't be saved: record was deleted", "[e] Edit (locked)", "✖ 1 can't be saved")
	s.press("p")
	s.golden("pending_red", "Pending Changes  1", "✖ Can't be saved Account")
	s.press("x")
	s.wait("Dismiss change?")
	s.press("y")
	s.wait("Nothing is waiting", "0 pending")
}

func TestStoryNewAccountAndContactOfflineSyncWithTheRealParentID(t *testing.T) {
	w := newWorld(t)
	s := newStory(t, w)
	s.goOffline()
	s.press("enter")
	s.wait("records")
	s.press("n")
	s.wait("New Account", "▸ Account Name *")
	s.press("Zephyr Offline Parent", "ctrl+s")
	s.wait("1 pending", "Account  Zephyr Offline Parent")
	s.press("esc")
	s.wait("Accounts", "records")
	s.press("esc")
	s.wait("▸ Accounts")
	s.press("down", "enter")
	s.wait("Contacts", "records")
	s.press("n")
	s.wait("New Contact", "Last Name *")
	// Walk to the Account lookup and search for the record created offline.
	for i := 0; i < 30 && !strings.Contains(s.view(), "▸ Account   "); i++ {
		s.press("tab")
	}
	s.wait("▸ Account   ")
	s.press("Zephyr")
	s.wait("Zephyr Offline Parent  (Account)")
	s.press("enter")
	s.wait("✓")
	for i := 0; i < 30 && !strings.Contains(s.view(), "▸ Last Name"); i++ {
		s.press("tab")
	}
	s.press("Child", "ctrl+s")
	s.wait("2 pending", "Contact  Child", "Waiting for Account \"Zephyr Offline Parent\" to sync first.")
	s.press("esc")
	s.golden("contacts_after_create", "2 pending", "● Waits for parent Child")
	s.press("o")
	s.wait(" ONLINE ", "0 pending")
	ctx := context.Background()
	acc, err := w.eng.List(ctx, pending.ListQuery{Object: "Account", Filter: "Zephyr Offline Parent", Limit: 5})
	if err != nil || len(acc.Rows) != 1 || strings.HasPrefix(acc.Rows[0].ID, "local-") {
		t.Fatalf("parent after sync: %+v %v", acc.Rows, err)
	}
	con, err := w.eng.List(ctx, pending.ListQuery{Object: "Contact", Where: map[string]string{"AccountId": acc.Rows[0].ID}, Limit: 5})
	if err != nil || len(con.Rows) != 1 {
		t.Fatalf("child under the real parent id %s: %+v %v", acc.Rows[0].ID, con.Rows, err)
	}
	got, err := w.admin.Retrieve(ctx, "Contact", con.Rows[0].ID, []string{"AccountId", "LastName"})
	if err != nil || got.Fields["AccountId"] != acc.Rows[0].ID {
		t.Fatalf("org's contact points at %v (%v), want %s", got.Fields["AccountId"], err, acc.Rows[0].ID)
	}
}

func TestStoryNewTaskFromRecordActionBarRefusedOffline(t *testing.T) {
	w := newWorld(t)
	s := newStory(t, w)
	s.goOffline()
	s.openFirstAccount()
	s.wait("[t] New Task (online only)", "tab next") // tab: its related lists are read too
	s.press("t")
	s.golden("refused", "New Task isn't available offline")
	if n, _, _ := w.eng.Counts(context.Background()); n != 0 {
		t.Fatalf("%d entries queued by a refused action", n)
	}
	s.press("?")
	s.golden("help", "Keys that never change", "more below")
}

func TestDismissOfARecordDeletedOnTheOrgSaysItIsGone(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	acct := w.firstAccount(t)
	w.eng.SetOnline(false)
	if err := w.eng.Edit(ctx, "Account", acct.ID, remote.Fields{"Phone": "555-0001"}); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(3 * time.Second)
	if err := w.admin.Delete(ctx, "Account", acct.ID); err != nil {
		t.Fatal(err)
	}
	w.eng.SetOnline(true)
	if _, err := w.eng.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	rv, err := w.eng.Record(ctx, "Account", acct.ID)
	if err != nil || rv.Entry == nil || rv.Entry.Status != pending.StatusFailed {
		t.Fatalf("want a red change, got %+v (%v)", rv.Entry, err)
	}
	c := New(Options{Backend: w.eng}).c
	msg, ok := dismissNow(c, *rv.Entry)().(opDoneMsg)
	if !ok || msg.err != nil || !strings.Contains(msg.note, "was deleted on the org, and it is gone from this device") {
		t.Fatalf("dismiss said %+v", msg)
	}
}

func TestStoryRecordChangedAgainWhileResolvingSaysSoAndResolvesAgain(t *testing.T) {
	w := newWorld(t)
	acct := w.firstAccount(t)
	ctx := context.Background()
	s := newStory(t, w)
	editNameMeetsTheAdmins(t, s, w, acct.ID, "Theirs First Co")
	s.wait("Sync needs your attention")
	s.press("esc")
	s.wait("▲ Needs your attention: conflict", "Theirs First Co")
	s.press("r")
	s.wait("Resolve conflict", "Theirs First Co", "Mine Name Co")
	// The other user changes the record again while the conflict screen is open.
	w.clk.Advance(3 * time.Second)
	if err := w.admin.Update(ctx, "Account", acct.ID, remote.Fields{"Name": "Theirs Second Co"}, remote.WriteOptions{}); err != nil {
		t.Fatalf("another user's second edit: %v", err)
	}
	w.clk.Advance(3 * time.Second)
	s.press("m", "ctrl+s")
	s.golden("changed_again", "Changed again while you resolved it", "Ada Admin changed", "enter resolve it again", "▲ 1 needs attention")
	s.press("enter")
	s.wait("Resolve conflict", "Theirs Second Co", "Mine Name Co")
	s.press("m", "ctrl+s")
	s.wait("0 pending")
	s.refuse("Changed again")
	got, err := w.admin.Retrieve(ctx, "Account", acct.ID, []string{"Name"})
	if err != nil || got.Fields["Name"] != "Mine Name Co" {
		t.Fatalf("org has %v (%v), want mine", got.Fields["Name"], err)
	}
}
