package cache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

func openTemp(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestOpenCreatesPrivateFileAtCurrentSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "device.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	var v int
	if err := db.SQL().QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion {
		t.Fatalf("user_version %d (%v), want %d", v, err, SchemaVersion)
	}
	var mode string
	if err := db.SQL().QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q (%v)", mode, err)
	}
}

func TestSecondOpenOfSameFileIsRefusedUntilClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "device.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path)
	if !errors.Is(err, ErrAlreadyOpen) {
		t.Fatalf("second open: %v, want ErrAlreadyOpen", err)
	}
	if !strings.Contains(err.Error(), "already open") {
		t.Fatalf("message not clear: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(path)
	if err != nil {
		t.Fatalf("reopen after close: %v", err)
	}
	db2.Close()
}

func TestCallsDuringAndAfterCloseFailWithAnErrorNotAPanic(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := db.Update(ctx, func(tx *Tx) error {
		return tx.PutRecord(ctx, Record{Object: "Account", ID: "001A", Name: "Acme", View: remote.Fields{"Name": "Acme"}, Server: remote.Fields{"Name": "Acme"}})
	}); err != nil {
		t.Fatal(err)
	}
	// Readers on other goroutines, as a screen loading a record while the app quits.
	errs, reading := make(chan error, 4), make(chan struct{}, 4)
	for i := 0; i < 4; i++ {
		go func() {
			for first := true; ; first = false {
				if _, err := db.Names(ctx, []string{"001A"}); err != nil {
					errs <- err
					return
				}
				if _, err := db.Record(ctx, "001A"); err != nil {
					errs <- err
					return
				}
				if first {
					reading <- struct{}{}
				}
			}
		}()
	}
	for i := 0; i < 4; i++ {
		<-reading
	}
	if err := db.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	for i := 0; i < 4; i++ {
		if err := <-errs; !strings.Contains(err.Error(), "closed") {
			t.Fatalf("a read during close: %v, want a closed-database error", err)
		}
	}
	if _, err := db.Names(ctx, []string{"001A"}); err == nil {
		t.Fatal("Names after Close succeeded")
	}
	if err := db.View(ctx, func(*Tx) error { return nil }); err == nil {
		t.Fatal("View after Close succeeded")
	}
	if err := db.Update(ctx, func(*Tx) error { return nil }); err == nil {
		t.Fatal("Update after Close succeeded")
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "device.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err = db.Update(ctx, func(tx *Tx) error {
		return tx.PutRecord(ctx, Record{Object: "Account", ID: "001A", Name: "Acme", View: remote.Fields{"Name": "Acme"}, Server: remote.Fields{"Name": "Acme"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := db.Record(ctx, "001A")
	if err != nil || r.Name != "Acme" {
		t.Fatalf("record after reopen: %+v %v", r, err)
	}
}

func TestDefaultPathUsesXDGDataHomeAndSafeNames(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data")
	p, err := DefaultPath("https://acme.my.salesforce.com", "alex@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	if want := "/data/offline-edit/acme.my.salesforce.com-alex@demo.example.db"; p != want {
		t.Fatalf("got %s want %s", p, want)
	}
	p, err = DefaultPath("http://127.0.0.1:8787", "../../etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(p) != "/data/offline-edit" {
		t.Fatalf("unsafe name escaped the directory: %s", p)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/u")
	p, _ = DefaultPath("http://x", "u")
	if !strings.HasPrefix(p, "/home/u/.local/share/offline-edit/") {
		t.Fatalf("fallback path %s", p)
	}
	if _, err := DefaultPath("", "u"); err == nil {
		t.Fatal("empty instance URL accepted")
	}
}

func TestListFiltersByNameSubstringAndPages(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	var rs []Record
	for i := 0; i < 120; i++ {
		name := fmt.Sprintf("Company %03d", i)
		if i%10 == 0 {
			name = fmt.Sprintf("Globex %03d", i)
		}
		rs = append(rs, Record{Object: "Account", ID: fmt.Sprintf("001%015d", i), Name: name,
			View: remote.Fields{"Name": name, "Industry": map[bool]string{true: "Energy", false: "Retail"}[i%2 == 0]}, Server: remote.Fields{"Name": name}})
	}
	rs = append(rs, Record{Object: "Contact", ID: "003X", Name: "Globex person", View: remote.Fields{}})
	if err := db.Update(ctx, func(tx *Tx) error { return tx.PutRecords(ctx, rs) }); err != nil {
		t.Fatal(err)
	}
	rows, total, err := db.List(ctx, ListQuery{Object: "Account", Filter: "globex", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if total != 12 || len(rows) != 5 || rows[0].Name != "Globex 000" || rows[4].Name != "Globex 040" {
		t.Fatalf("total %d rows %d first %q", total, len(rows), rows[0].Name)
	}
	rows2, _, _ := db.List(ctx, ListQuery{Object: "Account", Filter: "globex", Limit: 5, Offset: 5})
	if rows2[0].Name != "Globex 050" {
		t.Fatalf("offset page starts at %q", rows2[0].Name)
	}
	rows3, _, _ := db.List(ctx, ListQuery{Object: "Account", Filter: "globex", Limit: 5, AfterName: rows[4].Name, AfterID: rows[4].ID})
	if rows3[0].Name != "Globex 050" {
		t.Fatalf("keyset page starts at %q", rows3[0].Name)
	}
	// Matching on a field's value counts and pages in one pass; the count is the whole match's
	// whatever the page: the first, a middle one, one past the end, one after a key.
	for _, c := range []struct {
		name        string
		q           ListQuery
		rows, total int
		first       string
	}{
		{"first page", ListQuery{Limit: 5}, 5, 60, "Company 002"},
		{"offset", ListQuery{Limit: 5, Offset: 55}, 5, 60, ""},
		{"past the end", ListQuery{Limit: 5, Offset: 60}, 0, 60, ""},
		{"with a filter", ListQuery{Filter: "globex", Limit: 50}, 12, 12, "Globex 000"},
		{"after a key", ListQuery{Limit: 5, AfterName: "Company 002", AfterID: "001000000000000002"}, 5, 60, "Company 004"},
		{"no match", ListQuery{Where: map[string]string{"Industry": "Mining"}, Limit: 5}, 0, 0, ""},
	} {
		q := c.q
		q.Object = "Account"
		if q.Where == nil {
			q.Where = map[string]string{"Industry": "Energy"}
		}
		rows, total, err := db.List(ctx, q)
		if err != nil || len(rows) != c.rows || total != c.total || (c.first != "" && rows[0].Name != c.first) {
			first := ""
			if len(rows) > 0 {
				first = rows[0].Name
			}
			t.Errorf("%s: %d rows from %q, total %d, %v; want %d from %q, total %d", c.name, len(rows), first, total, err, c.rows, c.first, c.total)
		}
	}
	_, total, _ = db.List(ctx, ListQuery{Object: "Account", Filter: "50%_"})
	if total != 0 {
		t.Fatalf("LIKE wildcards in the filter were not escaped: %d", total)
	}
	if _, _, err := db.List(ctx, ListQuery{Object: "Account", Where: map[string]string{"x') OR 1=1 --": "a"}}); err == nil {
		t.Fatal("bad field name accepted")
	}
}

func TestListOrdersNamesIgnoringCaseAndKeysetPagingVisitsEachOnce(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	var rs []Record
	for i, name := range []string{"gamma", "Beta", "alpha"} {
		rs = append(rs, Record{Object: "Account", ID: fmt.Sprintf("001%015d", i), Name: name,
			View: remote.Fields{"Name": name, "Industry": "Energy"}, Server: remote.Fields{"Name": name}})
	}
	if err := db.Update(ctx, func(tx *Tx) error { return tx.PutRecords(ctx, rs) }); err != nil {
		t.Fatal(err)
	}
	want := "alpha,Beta,gamma"
	for _, c := range []struct {
		name  string
		where map[string]string
	}{
		{"whole object", nil},
		{"matching a field", map[string]string{"Industry": "Energy"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rows, _, err := db.List(ctx, ListQuery{Object: "Account", Where: c.where})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range rows {
				names = append(names, r.Name)
			}
			if got := strings.Join(names, ","); got != want {
				t.Errorf("one page: %s, want %s", got, want)
			}
			names = nil
			q := ListQuery{Object: "Account", Where: c.where, Limit: 1}
			for i := 0; i < 10; i++ {
				rows, _, err := db.List(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) == 0 {
					break
				}
				names = append(names, rows[0].Name)
				q.AfterName, q.AfterID = rows[0].Name, rows[0].ID
			}
			if got := strings.Join(names, ","); got != want {
				t.Fatalf("pages of one after a key: %s, want %s", got, want)
			}
		})
	}
}

func TestListUsesTheNameIndex(t *testing.T) {
	db := openTemp(t)
	rows, err := db.SQL().Query(`EXPLAIN QUERY PLAN SELECT id FROM records WHERE object = 'Account' ORDER BY name COLLATE NOCASE, id LIMIT 50`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var a, b, c int
		var d string
		_ = rows.Scan(&a, &b, &c, &d)
		plan.WriteString(d + "\n")
	}
	if strings.Contains(plan.String(), "TEMP B-TREE") || !strings.Contains(plan.String(), "records_by_name") {
		t.Fatalf("list is not served by the index:\n%s", plan.String())
	}
}

func TestReplaceIDRewritesRecordsLookupsEntriesAndMap(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	local, server := "local-0123456789abcdef", "001000000000001AAA"
	err := db.Update(ctx, func(tx *Tx) error {
		if err := tx.PutRecord(ctx, Record{Object: "Account", ID: local, Name: "New", View: remote.Fields{"Id": local, "Name": "New"}}); err != nil {
			return err
		}
		if err := tx.PutRecord(ctx, Record{Object: "Contact", ID: "local-ffff0000ffff0000", Name: "Kid", View: remote.Fields{"AccountId": local}}); err != nil {
			return err
		}
		// Entries are written with has_local computed as the queue computes it.
		kid := `{"AccountId":"` + local + `"}`
		_, err := tx.ExecContext(ctx, `INSERT INTO entries(id, object, record_id, op, changes, status, waiting_on, has_local) VALUES
			('e1','Account',?,'create','{"Name":"New"}','pending','',?),
			('e2','Contact','local-ffff0000ffff0000','create',?,'waiting',?,?)`, local, HasLocalID(`{"Name":"New"}`), kid, local, HasLocalID(kid))
		if err != nil {
			return err
		}
		return tx.ReplaceID(ctx, "Account", local, server, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Record(ctx, local); !errors.Is(err, ErrNotFound) {
		t.Fatalf("local record still there: %v", err)
	}
	r, err := db.Record(ctx, server)
	if err != nil || r.View["Id"] != server {
		t.Fatalf("server record %+v %v", r, err)
	}
	kid, _ := db.Record(ctx, "local-ffff0000ffff0000")
	if kid.View["AccountId"] != server {
		t.Fatalf("lookup not replaced: %v", kid.View)
	}
	var rid, changes, status, waiting string
	_ = db.SQL().QueryRow(`SELECT record_id FROM entries WHERE id='e1'`).Scan(&rid)
	_ = db.SQL().QueryRow(`SELECT changes, status, waiting_on FROM entries WHERE id='e2'`).Scan(&changes, &status, &waiting)
	if rid != server || !strings.Contains(changes, server) || status != "pending" || waiting != "" {
		t.Fatalf("entries not rewritten: %s %s %s %q", rid, changes, status, waiting)
	}
	_ = db.View(ctx, func(tx *Tx) error {
		got, _ := tx.ServerID(ctx, local)
		if got != server {
			t.Fatalf("idmap %q", got)
		}
		return nil
	})
}

func TestUserNamesAreCachedAndNamedLikeRecords(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	missing, err := db.UnknownUsers(ctx, []string{"005A", "005B", "005A", ""})
	if err != nil || len(missing) != 2 || missing[0] != "005A" || missing[1] != "005B" {
		t.Fatalf("unknown users %v %v", missing, err)
	}
	err = db.Update(ctx, func(tx *Tx) error {
		if err := tx.PutUserNames(ctx, map[string]string{"005A": "Alex Rep"}, time.Now()); err != nil {
			return err
		}
		return tx.PutRecord(ctx, Record{Object: "Account", ID: "001X", Name: "Acme", View: remote.Fields{"Id": "001X"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if missing, _ := db.UnknownUsers(ctx, []string{"005A", "005B"}); len(missing) != 1 || missing[0] != "005B" {
		t.Fatalf("unknown users after storing one: %v", missing)
	}
	names, err := db.Names(ctx, []string{"005A", "001X", "005B"})
	if err != nil || names["005A"] != "Alex Rep" || names["001X"] != "Acme" || len(names) != 2 {
		t.Fatalf("names %v %v", names, err)
	}
}

func TestADroppedRecordKeepsItsNameUntilCachedAgainOrTrimmed(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	put := func(name string) {
		t.Helper()
		if err := db.Update(ctx, func(tx *Tx) error {
			return tx.PutRecord(ctx, Record{Object: "Account", ID: "001X", Name: name, View: remote.Fields{"Id": "001X", "Name": name}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	names := func() map[string]string {
		t.Helper()
		n, err := db.Names(ctx, []string{"001X"})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	put("Acme")
	var dropped bool
	if err := db.Update(ctx, func(tx *Tx) error {
		var err error
		dropped, err = tx.DropRecordKeepingName(ctx, "001X", time.Now())
		return err
	}); err != nil || !dropped {
		t.Fatalf("drop: %v %v", dropped, err)
	}
	if _, err := db.Record(ctx, "001X"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the record is still cached: %v", err)
	}
	if n := names(); n["001X"] != "Acme" {
		t.Fatalf("the dropped record's name: %v", n)
	}
	put("Acme Renamed") // cached again: its own name wins over the kept one
	if n := names(); n["001X"] != "Acme Renamed" {
		t.Fatalf("a cached record's name: %v", n)
	}
	if err := db.Update(ctx, func(tx *Tx) error { return tx.DeleteRecord(ctx, "001X") }); err != nil {
		t.Fatal(err)
	}
	if n := names(); len(n) != 0 {
		t.Fatalf("a deleted record is still named: %v", n)
	}
	// The table is bounded: the oldest kept names go first.
	defer func(n int) { namesKept = n }(namesKept)
	namesKept = 50
	base := time.Now()
	if err := db.Update(ctx, func(tx *Tx) error {
		for i := 0; i <= namesKept; i++ {
			id := fmt.Sprintf("001N%07d", i)
			if err := tx.PutRecord(ctx, Record{Object: "Account", ID: id, Name: "n" + id, View: remote.Fields{"Id": id}}); err != nil {
				return err
			}
			if _, err := tx.DropRecordKeepingName(ctx, id, base.Add(time.Duration(i)*time.Millisecond)); err != nil {
				return err
			}
		}
		return tx.TrimNames(ctx)
	}); err != nil {
		t.Fatal(err)
	}
	n, err := db.Names(ctx, []string{"001N0000000", "001N0000001", fmt.Sprintf("001N%07d", namesKept)})
	if err != nil {
		t.Fatal(err)
	}
	if len(n) != 2 || n["001N0000000"] != "" || n["001N0000001"] == "" {
		t.Fatalf("after trimming to %d: %v", namesKept, n)
	}
}

// A name fetched before a given moment is stale: asked again, as one never fetched is.
func TestAUserNameFetchedLongAgoIsStale(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	err := db.Update(ctx, func(tx *Tx) error {
		if err := tx.PutUserNames(ctx, map[string]string{"005OLD": "Old Name"}, now.Add(-48*time.Hour)); err != nil {
			return err
		}
		return tx.PutUserNames(ctx, map[string]string{"005NEW": "New Name"}, now.Add(-time.Hour))
	})
	if err != nil {
		t.Fatal(err)
	}
	stale, err := db.StaleUsers(ctx, []string{"005OLD", "005NEW", "005NONE"}, now.Add(-24*time.Hour))
	if err != nil || len(stale) != 2 || stale[0] != "005OLD" || stale[1] != "005NONE" {
		t.Fatalf("stale users %v %v; want the one fetched two days ago and the one never fetched", stale, err)
	}
	if unknown, _ := db.UnknownUsers(ctx, []string{"005OLD", "005NEW", "005NONE"}); len(unknown) != 1 || unknown[0] != "005NONE" {
		t.Fatalf("unknown users %v; want only the one never fetched", unknown)
	}
}
