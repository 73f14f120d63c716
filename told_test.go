package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote/mockorg"
	"github.com/offline-edit/offline-edit/tui"
)

// Queueing from a script prints nothing but what it asked for (the new record's id); at a
// terminal each queueing command confirms what it queued and what the queue holds.
func TestQueueCommandsConfirmOnlyOnATerminal(t *testing.T) {
	dir := t.TempDir()
	must := succeeds(t, dir)
	must("sync")
	if out := must("edit", "Account", "Acme Group", "Phone=555-0100"); out != "" {
		t.Fatalf("edit from a script printed %q", out)
	}
	onTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { onTerminal = isTerminal })
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"edit", "Account", "Acme Group", "Rating=Hot", "Phone=555-0101"},
			`Queued an edit of Account "Acme Group" (Phone, Rating). Pending: 1 change waits to sync. "offline-edit sync" sends it.`},
		{[]string{"delete", "Account", "Adventure Logistics"},
			`Queued the delete of Account "Adventure Logistics". Pending: 2 changes wait to sync. "offline-edit sync" sends them.`},
		{[]string{"discard", "Account", "Adventure Logistics"},
			`Discarded the delete of Account "Adventure Logistics". Pending: 1 change waits to sync. "offline-edit sync" sends it.`},
		{[]string{"discard", "Account", "Acme Group"},
			`Discarded the edit of Account "Acme Group". Nothing is pending.`},
	}
	for _, s := range steps {
		if out := must(s.args...); out != s.want {
			t.Errorf("%v said\n%s\nwant\n%s", s.args, out, s.want)
		}
	}
	out := must("new", "Account", "Name=Zeta \x1b[31mred")
	id, said, _ := strings.Cut(out, "\n")
	if !strings.HasPrefix(id, "local-") || said != `Queued the new Account "Zeta \x1b[31mred". Pending: 1 change waits to sync. "offline-edit sync" sends it.` {
		t.Errorf("new said %q", out)
	}
	if out := must("delete", "Account", id); !strings.HasPrefix(out, `Dropped the new Account "Zeta`) || !strings.HasSuffix(out, "Nothing is pending.") {
		t.Errorf("delete of a new record said %q", out)
	}
}

// The last line of a failed command may carry what an org said: it reaches the terminal with
// no escape sequence or control left (an OSC 52 would set the clipboard, CSI 2J clear the
// screen), keeps its lines, and the command's exit status.
func TestAFailedCommandReportsTheOrgsTextWithoutEscapes(t *testing.T) {
	hostile := "org replied 400: bad \x1b]52;c;aGk=\a\x1b[2J\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ \u009b31m\u202eevil\nsecond line"
	var b strings.Builder
	code := report(&b, &exitError{3, errors.New(hostile)})
	if code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
	got := b.String()
	if strings.ContainsAny(got, "\x1b\a\u009b\u202e") {
		t.Errorf("escape or control reached the terminal: %q", got)
	}
	if want := "offline-edit: org replied 400: bad link evil\nsecond line\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if code := report(&b, errors.New("plain")); code != 1 {
		t.Errorf("a plain error exits %d, want 1", code)
	}
}

func TestQueueTimesCarryTheirDateWhenNotToday(t *testing.T) {
	now := time.Date(2026, 11, 27, 23, 50, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(5 * time.Minute), "23:55:00"},
		{now.Add(15 * time.Minute), "Nov 28 00:05:00"},
		{now.Add(24 * time.Hour), "Nov 28 23:50:00"},
	} {
		if got := whenText(c.at, now); got != c.want {
			t.Errorf("whenText(%v) = %q, want %q", c.at, got, c.want)
		}
	}
}

// The embedded org held by another process is said in the user's words, naming its file, and
// stays recognisable as the org's own error.
func TestTheEmbeddedOrgInUseSaysWhatToDo(t *testing.T) {
	err := embeddedOrgError(fmt.Errorf("%w: %s", mockorg.ErrInUse, "/data/demo-org.db"))
	want := "the embedded demo org (/data/demo-org.db) is open in another offline-edit process (the app, or a sync as another user): " +
		"quit that one first, act as another user from that app's backstage (B), or share one org between processes with `offline-edit serve` and --org"
	if err.Error() != want || !errors.Is(err, mockorg.ErrInUse) {
		t.Errorf("got %q (is ErrInUse: %v)\nwant %q", err, errors.Is(err, mockorg.ErrInUse), want)
	}
}

func TestObjectsNotRefreshedJoinAcrossRunsWithTheLaterReason(t *testing.T) {
	got := unionByObject([]string{"Task: timeout", "Case: no such column"}, []string{"Task: 400 bad", "Lead: denied"})
	want := []string{"Task: 400 bad", "Case: no such column", "Lead: denied"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// Another program holding a write lock on the device file (sqlite3 in a transaction) does not
// stop the commands that only read: they read what the device has saved, and say why.
func TestReadingCommandsReadBesideAForeignLock(t *testing.T) {
	dir := t.TempDir()
	must := succeeds(t, dir)
	must("sync")
	must("edit", "Account", "Acme Group", "Phone=555-0177")
	paths, _ := filepath.Glob(filepath.Join(dir, "*alex@demo.example.db"))
	if len(paths) != 1 {
		t.Fatalf("device files: %v", paths)
	}
	foreign, err := sql.Open("sqlite", "file:"+paths[0])
	if err != nil {
		t.Fatal(err)
	}
	defer foreign.Close()
	conn, err := foreign.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")
	out, err := run(t, dir, "", "pending")
	if err != nil || !strings.Contains(out, "another program keeps") || !strings.Contains(out, "Acme Group") {
		t.Fatalf("pending beside a foreign lock: %v\n%s", err, out)
	}
	// A command that writes cannot: it says why in the same words, not as an internal step.
	_, err = run(t, dir, "", "edit", "Account", "Acme Group", "Phone=555-0178")
	var said bytes.Buffer
	if code := report(&said, err); code != 1 || !strings.HasPrefix(said.String(), "offline-edit: another program keeps") || !strings.Contains(said.String(), "nothing saved was lost") {
		t.Fatalf("edit beside a foreign lock: exit %d\n%s", code, said.String())
	}
	// The app's screens say it in the same words (a form's save, a sync).
	if text := tui.ErrorText(err); !strings.HasPrefix(text, "Another program keeps a database") || strings.Contains(text, "SQLITE_BUSY") {
		t.Fatalf("the screens say %q", text)
	}
}

// An edit to values the record already holds queues nothing and says so, rather than confirm an
// edit that is not in the queue; the fields left out of an edit for that reason are named.
func TestAnEditToTheValuesARecordHoldsSaysNothingWasQueued(t *testing.T) {
	dir := t.TempDir()
	must := succeeds(t, dir)
	must("sync")
	must("edit", "Account", "Adventure Logistics", "Phone=555-0300")
	must("sync")
	onTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { onTerminal = isTerminal })
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"edit", "Account", "Adventure Logistics", "Phone=555-0300"},
			`Nothing queued: Account "Adventure Logistics" already holds Phone as given. Nothing is pending.`},
		{[]string{"edit", "Account", "Adventure Logistics", "Phone=555-0300", "Description=Moved"},
			`Queued an edit of Account "Adventure Logistics" (Description). Left out, already as given: Phone. Pending: 1 change waits to sync. "offline-edit sync" sends it.`},
		// With a change pending, every field given joins it (one back to the org's value too).
		{[]string{"edit", "Account", "Adventure Logistics", "Phone=555-0300"},
			`Queued an edit of Account "Adventure Logistics" (Phone). Pending: 1 change waits to sync. "offline-edit sync" sends it.`},
	}
	for _, s := range steps {
		if out := must(s.args...); out != s.want {
			t.Errorf("%v said\n%s\nwant\n%s", s.args, out, s.want)
		}
	}
}

// The app says what it waits for when signing in to an org takes long (a blank terminal that
// echoes the keys typed otherwise), and nothing when it is quick.
func TestTheAppSaysItIsReachingAnOrgThatTakesLong(t *testing.T) {
	onTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { onTerminal = isTerminal })
	of := &orgFlags{orgURL: "http://127.0.0.1:1\x1b]0;x\a"}
	var quick bytes.Buffer
	sayWhileReaching(&quick, of, time.Hour)()
	if quick.Len() != 0 {
		t.Errorf("a quick sign-in said %q", quick.String())
	}
	var slow bytes.Buffer
	done := sayWhileReaching(&slow, of, time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	done()
	if got := slow.String(); got != "offline-edit: reaching http://127.0.0.1:1… (ctrl+c stops)\n" {
		t.Errorf("a slow sign-in said %q", got)
	}
}
