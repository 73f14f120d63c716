package main

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote/mockorg"
)

func TestListShowsCachedRecordsWithTheirIdsAndPendingChanges(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "list", "Account"); exitCode(err) != 1 || !strings.Contains(err.Error(), "cached nothing yet") {
		t.Fatalf("list before any sync: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	local, err := run(t, dir, "", "new", "Account", "Name=Listed Offline Co")
	if err != nil {
		t.Fatal(err)
	}
	local = strings.TrimSpace(local)
	if out, err := run(t, dir, "", "edit", "Account", "Acme Group", "Phone=555-0101"); err != nil {
		t.Fatalf("edit: %v\n%s", err, out)
	}

	out, err := run(t, dir, "", "list", "account", "acme group") // names and filters read case-insensitively
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "Acme Group") ||
		!strings.Contains(lines[1], "update: green waiting to sync") || !strings.HasPrefix(lines[1], "001") {
		t.Fatalf("list account acme group:\n%s", out)
	}

	out, err = run(t, dir, "", "list", "Account", "Listed Offline", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var recs []listedRecord
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(recs) != 1 || recs[0].ID != local || !recs[0].IsLocal || recs[0].Status != "pending" || recs[0].Op != "create" ||
		recs[0].Fields["Name"] != "Listed Offline Co" {
		t.Fatalf("the record created offline: %+v (new printed %q)", recs, local)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "Widget__c"}, "not cached on this device"},
		{[]string{"list", "Account", "--limit", "0"}, "want 1 to 1000"},
		{[]string{"log", "--limit", "0"}, "want 1 to 5000"},
		{[]string{"log", "--limit", "-5"}, "want 1 to 5000"},
		{[]string{"log", "--limit", "5001"}, "want 1 to 5000"},
	} {
		if out, err := run(t, dir, "", c.args...); exitCode(err) != 1 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v\n%s", c.args, err, out)
		}
	}
	if out, err := run(t, dir, "", "list", "Account", "no such account anywhere"); err != nil || !strings.Contains(out, "No cached Account record matches") {
		t.Errorf("a filter that matches nothing: %v\n%s", err, out)
	}
}

// list says which records are shared with the user and what the share allows.
func TestListSaysWhatASharedRecordAllows(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	out, err := run(t, dir, "", "list", "Account", "Blue Sun", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var recs []listedRecord
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := map[string]string{}
	for _, r := range recs {
		got[r.Name] = string(r.Access)
	}
	// The demo org shares sam's Blue Sun Industries with alex read-only; the others are alex's.
	if got["Blue Sun Industries"] != "read" || got["Blue Sun Partners"] != "full" || got["Blue Sun Health"] != "full" {
		t.Fatalf("access by name: %v", got)
	}
	out, err = run(t, dir, "", "list", "Account", "Blue Sun")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "SHARED WITH YOU") || !regexp.MustCompile(`Blue Sun Industries\s+-\s+read only`).MatchString(out) {
		t.Fatalf("list table:\n%s", out)
	}
}

// While the app holds the device, list reads what the device kept and shows the same access as
// the engine does: the owner's own records in full, shares read-only or to edit.
func TestListBesideTheAppShowsTheSameAccessAsTheEngine(t *testing.T) {
	for _, tc := range []struct {
		name string
		org  func(t *testing.T) []string
	}{
		{"embedded org (the id asked of the org)", func(*testing.T) []string { return nil }},
		{"served org (the id the sign-in gave)", func(t *testing.T) []string { return []string{"--org", serveDemoOrg(t)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			org := tc.org(t)
			if out, err := run(t, dir, "", append(org, "sync")...); err != nil {
				t.Fatalf("prime: %v\n%s", err, out)
			}
			access := func(object string) map[string]string {
				t.Helper()
				out, err := run(t, dir, "", append(org, "list", object, "--json", "--limit", "1000")...)
				if err != nil {
					t.Fatalf("list %s: %v\n%s", object, err, out)
				}
				var recs []listedRecord
				if err := json.Unmarshal([]byte(out[strings.Index(out, "["):]), &recs); err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				got := map[string]string{}
				for _, r := range recs {
					got[r.ID] = string(r.Access)
				}
				return got
			}
			for _, object := range []string{"Account", "Contact"} {
				want := access(object)
				levels := map[string]int{}
				for _, a := range want {
					levels[a]++
				}
				if levels["read"] == 0 || levels["edit"] == 0 {
					t.Fatalf("%s: the engine shows no read-only or no edit share (%v): nothing to compare", object, levels)
				}
				db, _ := holdDevice(t, dir)
				got := access(object)
				db.Close()
				if !reflect.DeepEqual(got, want) {
					for id, a := range want {
						if got[id] != a {
							t.Errorf("%s %s: beside the app %q, the engine says %q", object, id, got[id], a)
						}
					}
					t.FailNow()
				}
			}
		})
	}
}

// serveDemoOrg serves a demo org of the default size over loopback and returns its URL.
func serveDemoOrg(t *testing.T) string {
	t.Helper()
	org, err := mockorg.Open(mockorg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { org.Close() })
	srv := httptest.NewServer(org.Handler())
	t.Cleanup(srv.Close)
	org.SetInstanceURL(srv.URL)
	return srv.URL
}

// Every record of list --json has the same keys: access is there on the user's own records
// ("full") and on one created offline, not only on shared ones, also beside the app.
func TestListJSONGivesEveryRecordItsAccess(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	if out, err := run(t, dir, "", "new", "Account", "Name=Blue Sun Offline"); err != nil {
		t.Fatalf("new: %v\n%s", err, out)
	}
	check := func(where string) {
		t.Helper()
		out, err := run(t, dir, "", "list", "Account", "Blue Sun", "--json")
		if err != nil {
			t.Fatalf("%s: %v\n%s", where, err, out)
		}
		var recs []map[string]any
		if err := json.Unmarshal([]byte(out[strings.Index(out, "["):]), &recs); err != nil {
			t.Fatalf("%s: %v\n%s", where, err, out)
		}
		want := map[string]any{"Blue Sun Industries": "read", "Blue Sun Partners": "full", "Blue Sun Health": "full", "Blue Sun Offline": "full"}
		if len(recs) != len(want) {
			t.Fatalf("%s: %d records, want %d:\n%s", where, len(recs), len(want), out)
		}
		for _, r := range recs {
			if a, ok := r["access"]; !ok || a != want[r["name"].(string)] {
				t.Errorf("%s: %v has access %v (there: %v), want %q", where, r["name"], a, ok, want[r["name"].(string)])
			}
			if len(r) != len(recs[0]) {
				t.Errorf("%s: %v has keys %d, the first record %d", where, r["name"], len(r), len(recs[0]))
			}
		}
	}
	check("alone")
	db, _ := holdDevice(t, dir)
	defer db.Close()
	check("beside the app")
}

func TestListAtATerminalSaysHowOldTheCachedCopyIs(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	if out, _ := run(t, dir, "", "list", "Account"); strings.Contains(out, "Cached as of") {
		t.Fatalf("a script's list got the terminal's note:\n%s", out)
	}
	onTerminal = func(io.Writer) bool { return true }
	defer func() { onTerminal = isTerminal }()
	out, err := run(t, dir, "", "list", "Account")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^Cached as of \d\d:\d\d:\d\d \(the last sync that finished\)`).MatchString(out) {
		t.Fatalf("list at a terminal:\n%s", out)
	}
}

func TestCachedAsOfNamesTheDayOfAnOldSync(t *testing.T) {
	now := time.Date(2026, 3, 9, 12, 0, 0, 0, time.Local)
	for _, c := range []struct {
		last time.Time
		want string
	}{
		{time.Time{}, "no sync has finished on this device yet"},
		{now.Add(-time.Hour), "Cached as of 11:00:00 "},
		{now.AddDate(0, 0, -2), "Cached as of Mar 7 12:00:00 "},
	} {
		if got := cachedAsOf(c.last, now); !strings.Contains(got, c.want) {
			t.Errorf("last sync %v: %q, want %q", c.last, got, c.want)
		}
	}
}

// list draws a name without the characters a terminal would act on; that drawn name is not the
// record's, and the refusal says to name it by its id.
func TestARecordNamedWithEscapesIsNamedByItsID(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, dir, "", "sync"); err != nil {
		t.Fatalf("prime: %v\n%s", err, out)
	}
	id, err := run(t, dir, "", "new", "Account", "Name=Zed\x1b[31mRed")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := run(t, dir, "", "list", "Account", "Zed")
	if !strings.Contains(out, "ZedRed") {
		t.Fatalf("list draws:\n%s", out)
	}
	_, err = run(t, dir, "", "edit", "Account", "ZedRed", "Phone=1")
	if err == nil || !strings.Contains(err.Error(), "is named by its id") {
		t.Fatalf("edit by the drawn name: %v", err)
	}
	if out, err := run(t, dir, "", "edit", "Account", strings.TrimSpace(id), "Phone=1"); err != nil {
		t.Fatalf("edit by id: %v\n%s", err, out)
	}
}
