package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// A conflict made by another user (the admin): pending --json keeps theirsBy as the user's id
// and adds their name; the table says who and when, also beside the app.
func TestPendingSaysWhoMadeTheOtherSideOfAConflict(t *testing.T) {
	dir := t.TempDir()
	must := phoneConflict(t, dir, "555-9999")

	check := func(where string) {
		t.Helper()
		var got []map[string]any
		out := must("pending", "--json")
		if err := json.Unmarshal([]byte(out[strings.Index(out, "["):]), &got); err != nil {
			t.Fatalf("%s: %v\n%s", where, err, out)
		}
		if len(got) != 1 || got[0]["status"] != "conflict" {
			t.Fatalf("%s: want one conflict (the test's premise):\n%s", where, out)
		}
		cs, _ := got[0]["conflicts"].([]any)
		if len(cs) != 1 {
			t.Fatalf("%s: conflicts %v", where, got[0]["conflicts"])
		}
		c := cs[0].(map[string]any)
		if by, _ := c["theirsBy"].(string); !strings.HasPrefix(by, "005") || c["theirsByName"] != "Ada Admin" {
			t.Errorf("%s: theirsBy %v, theirsByName %v; want the admin's id and name", where, c["theirsBy"], c["theirsByName"])
		}
		for _, k := range []string{"field", "base", "theirs", "mine", "theirsAt"} {
			if _, ok := c[k]; !ok {
				t.Errorf("%s: the conflict lost its %s", where, k)
			}
		}
		if sent, ok := c["sent"].([]any); !ok || len(sent) != 0 {
			t.Errorf("%s: sent is %v; want [] (no earlier send in question)", where, c["sent"])
		}
		if table := must("pending"); !regexp.MustCompile(`Another user changed Account Phone \(by Ada Admin, [A-Z][a-z]{2} \d+ \d\d:\d\d\)`).MatchString(table) {
			t.Errorf("%s: the table does not say who and when:\n%s", where, table)
		}
	}
	check("alone")
	db, _ := holdDevice(t, dir)
	defer db.Close()
	check("beside the app")
}

func TestEntryJSONAddsTheConflictingUsersNameAndKeepsEveryKeyInItsPlace(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	withConflicts := pending.Entry{ID: "e1", Object: "Account", RecordID: "001A", Name: "Acme", Op: pending.OpUpdate,
		Status: pending.StatusConflict, Conflicts: []pending.Conflict{
			{Field: "Phone", Base: "1", Theirs: "2", Mine: "3", TheirsBy: "005K", TheirsAt: at},
			{Field: "Rating", Base: nil, Theirs: "Hot", Mine: "Cold", TheirsBy: "005U", TheirsAt: at},
		}}
	// Phone changed again on the org since the conflict was found (a later sync brought it).
	facts := conflictFacts{names: map[string]string{"005K": "Kim Known"},
		server: map[string]remote.Fields{"001A": {"Phone": "4", "Rating": "Hot"}}}

	plain, err := json.Marshal(withConflicts)
	if err != nil {
		t.Fatal(err)
	}
	named, err := json.Marshal(namedEntry{withConflicts, facts})
	if err != nil {
		t.Fatal(err)
	}
	// Without the added keys the output is the engine's, byte for byte: same keys, same order.
	stripped := regexp.MustCompile(`,"theirsByName":"[^"]*"|,"theirsNow":"[^"]*"`).ReplaceAll(named, nil)
	if !bytes.Equal(stripped, plain) {
		t.Errorf("named JSON differs beyond theirsByName and theirsNow:\n%s\n%s", named, plain)
	}
	for _, want := range []string{`"theirsBy":"005K","theirsByName":"Kim Known","theirsAt"`, `"theirsBy":"005U","theirsByName":"","theirsAt"`,
		`"theirs":"2","theirsNow":"4","mine"`, `"theirs":"Hot","theirsNow":"Hot","mine"`} {
		if !bytes.Contains(named, []byte(want)) {
			t.Errorf("want %s in\n%s", want, named)
		}
	}

	without := pending.Entry{ID: "e2", Object: "Account", RecordID: "001B", Op: pending.OpCreate, Status: pending.StatusPending}
	a, _ := json.Marshal(without)
	b, err := json.Marshal(namedEntry{without, facts})
	if err != nil || !bytes.Equal(a, b) {
		t.Errorf("an entry without conflicts changed (%v):\n%s\n%s", err, b, a)
	}
	var back pending.Entry
	if err := json.Unmarshal(named, &back); err != nil || len(back.Conflicts) != 2 || back.Conflicts[0].TheirsBy != "005K" {
		t.Errorf("a script reading the old fields: %+v, %v", back, err)
	}
}

func TestConflictBySaysWhoAndWhen(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.Local)
	later := at.Add(time.Hour)
	names := map[string]string{"005A": "Ada Admin", "005E": "Eve\x1b[2J\u202eEvil"}
	for _, tc := range []struct {
		name      string
		conflicts []pending.Conflict
		want      string
	}{
		{"no conflict", nil, ""},
		{"a known user", []pending.Conflict{{TheirsBy: "005A", TheirsAt: at}}, "by Ada Admin, Mar 4 05:06"},
		{"an unknown user by id", []pending.Conflict{{TheirsBy: "005X", TheirsAt: at}}, "by 005X, Mar 4 05:06"},
		{"one user over several fields, the latest time", []pending.Conflict{{TheirsBy: "005A", TheirsAt: at}, {TheirsBy: "005A", TheirsAt: later}}, "by Ada Admin, Mar 4 06:06"},
		{"a name that would drive the terminal", []pending.Conflict{{TheirsBy: "005E", TheirsAt: at}}, "by EveEvil, Mar 4 05:06"},
		{"nobody known, a time", []pending.Conflict{{TheirsAt: at}}, "Mar 4 05:06"},
		{"the user's own save: the message says so", []pending.Conflict{{TheirsBy: "005A", TheirsAt: at}}, "Mar 4 05:06"},
	} {
		e := pending.Entry{Conflicts: tc.conflicts}
		if strings.HasPrefix(tc.name, "the user's own save") {
			e.Message = pending.MsgOwnSave + " changed Account Phone"
		}
		if got := conflictBy(e, names); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestLogTableDatesItsRowsWhenNotAllAreToday(t *testing.T) {
	now := time.Now()
	today := pending.Activity{At: now, Method: "PATCH", Path: "/x", Status: 204}
	older := pending.Activity{At: now.AddDate(0, 0, -3), Method: "GET", Path: "/y", Status: 200}
	var b strings.Builder
	printActivity(&b, []pending.Activity{today})
	if strings.Contains(b.String(), now.Format(time.DateOnly)) || !strings.Contains(b.String(), now.Format("15:04:05")) {
		t.Errorf("today's log:\n%s\nwant the time of day alone", b.String())
	}
	b.Reset()
	printActivity(&b, []pending.Activity{today, older})
	for _, a := range []pending.Activity{today, older} {
		if !strings.Contains(b.String(), a.At.Format("2006-01-02 15:04:05")) {
			t.Errorf("a log reaching back days:\n%s\nwant each row dated (%s)", b.String(), a.At.Format(time.DateOnly))
		}
	}
}

// A change the org was out of reach for waits for a retry: `pending` gives its next attempt and
// why it waits (no org error code: no reply came; the engine's message says the network
// failed), in the table and in --json alike.
func TestPendingSaysWhyAChangeRetriesAfterTheOrgWasOutOfReach(t *testing.T) {
	dir, org := queuedWhileOrgIsDown(t)
	out, err := run(t, dir, "", append(org, "sync", "--wait", "300ms")...)
	if exitCode(err) != 3 {
		t.Fatalf("sync with the org down: exit %d (%v), want 3\n%s", exitCode(err), err, out)
	}
	const why = "Not synced yet (the network failed); will retry automatically"
	en := pendingEntries(t, dir, org...)
	if len(en) != 1 || en[0].Status != pending.StatusPending || en[0].NextAttempt.IsZero() || en[0].Attempts == 0 {
		t.Fatalf("the queue after a sync that could not reach the org (the test's premise): %+v", en)
	}
	if en[0].Code != "" || en[0].Message != why {
		t.Errorf("pending --json: code %q, message %q; want no code and %q", en[0].Code, en[0].Message, why)
	}
	table, err := run(t, dir, "", append(org, "pending")...)
	if err != nil {
		t.Fatalf("pending: %v\n%s", err, table)
	}
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 2 {
		t.Fatalf("pending: want a header and one row:\n%s", table)
	}
	cell := func(col string) string {
		at := strings.Index(lines[0], col)
		rest := lines[1][at:]
		if i := strings.Index(rest, "  "); i >= 0 && col != "MESSAGE" {
			rest = rest[:i]
		}
		return rest
	}
	if got := cell("NEXT"); !regexp.MustCompile(`^\d\d:\d\d:\d\d$|^[A-Z][a-z]{2} \d+ \d\d:\d\d:\d\d$`).MatchString(got) {
		t.Errorf("NEXT is %q, want the time of the next attempt:\n%s", got, table)
	}
	if got := cell("CODE"); got != "-" {
		t.Errorf("CODE is %q, want - (the org answered nothing):\n%s", got, table)
	}
	if got := cell("MESSAGE"); got != why {
		t.Errorf("MESSAGE is %q, want %q:\n%s", got, why, table)
	}
}

// "The next sync sends it again" is said of a change in doubt that waits to be sent (green), not
// of one in doubt that waits for the user (orange or red): that one goes only once settled.
func TestThePendingTableSaysAChangeInDoubtGoesAgainOnlyWhenItWill(t *testing.T) {
	const hint = "the next sync sends it again"
	for _, tc := range []struct {
		status pending.Status
		said   bool
	}{
		{pending.StatusPending, true},
		{pending.StatusConflict, false},
		{pending.StatusFailed, false},
	} {
		var b strings.Builder
		printEntries(&b, []pending.Entry{{ID: "e1", Object: "Account", RecordID: "001A", Name: "Acme", Op: pending.OpUpdate,
			Status: tc.status, Message: "some message", InDoubt: true}}, conflictFacts{})
		if got := strings.Contains(b.String(), hint); got != tc.said {
			t.Errorf("%s in doubt: says %q %v, want %v:\n%s", tc.status, hint, got, tc.said, b.String())
		}
	}
}
