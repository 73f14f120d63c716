package cache

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// accountDescribe is a small Account describe: a name, short text fields and a long one.
func accountDescribe() *remote.Describe {
	return &remote.Describe{Name: "Account", Fields: []remote.Field{
		{Name: "Id", Type: "id", Length: 18},
		{Name: "Name", Type: "string", Length: 255, NameField: true},
		{Name: "Phone", Type: "phone", Length: 40},
		{Name: "BillingCity", Type: "string", Length: 40},
		{Name: "Website", Type: "url", Length: 255},
		{Name: "Industry", Type: "picklist", Length: 255},
		{Name: "Description", Type: "textarea", Length: 32000},
		{Name: "OwnerId", Type: "reference", Length: 18, ReferenceTo: []string{"User"}},
		{Name: "Offline_Key__c", Type: "string", Length: 255, ExternalID: true, Unique: true},
	}}
}

func account(i int) Record {
	id := fmt.Sprintf("001%015d", i)
	view := remote.Fields{"Id": id, "Name": fmt.Sprintf("Account %06d", i), "Phone": fmt.Sprintf("(415) 555-%04d", i%10000),
		"BillingCity": []string{"Lyon", "Porto", "Oslo", "Quito"}[i%4], "Website": fmt.Sprintf("https://a%d.example", i),
		"Industry": "Energy", "Description": "long text mentions Zanzibar", "OwnerId": "005000000000001AAA",
		"Offline_Key__c": fmt.Sprintf("key-%d", i)}
	return Record{Object: "Account", ID: id, Name: view["Name"].(string), View: view, Server: view}
}

func seedAccounts(tb testing.TB, db *DB, n int) {
	tb.Helper()
	ctx := context.Background()
	err := db.Update(ctx, func(tx *Tx) error {
		if err := tx.PutDescribe(ctx, accountDescribe(), time.Now()); err != nil {
			return err
		}
		rs := make([]Record, 0, n)
		for i := 0; i < n; i++ {
			rs = append(rs, account(i))
		}
		return tx.PutRecords(ctx, rs)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestListFilterMatchesNameAndShortTextFields(t *testing.T) {
	db := openTemp(t)
	seedAccounts(t, db, 200)
	ctx := context.Background()
	for _, tc := range []struct {
		filter string
		want   int
	}{
		{"account 00012", 10},  // name
		{"555-0042", 1},        // phone
		{"OSLO", 50},           // city, any case
		{"a17.example", 1},     // website
		{"energy", 200},        // picklist
		{"zanzibar", 0},        // long text is not searched
		{"005000000000001", 0}, // nor ids
		{"key-1", 0},           // nor the offline key
		{"100%", 0},            // LIKE wildcards are literal
		{"no such thing", 0},
	} {
		rows, total, err := db.List(ctx, ListQuery{Object: "Account", Filter: tc.filter, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if total != tc.want || len(rows) != tc.want {
			t.Errorf("filter %q: %d rows (total %d), want %d", tc.filter, len(rows), total, tc.want)
		}
	}
}

func TestListFilterNeverMatchesAcrossTwoFields(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	view := remote.Fields{"Id": "001000000000000001AAA", "Name": "Acme", "Phone": "555-0100", "BillingCity": "Lyon",
		"Website": "https://acme.example", "Industry": "Energy"}
	err := db.Update(ctx, func(tx *Tx) error {
		if err := tx.PutDescribe(ctx, accountDescribe(), time.Now()); err != nil {
			return err
		}
		return tx.PutRecords(ctx, []Record{{Object: "Account", ID: "001000000000000001", Name: "Acme", View: view, Server: view}})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		filter string
		want   int
	}{
		{"acme", 1},      // the name alone
		{"lyon", 1},      // one field alone
		{"acme555", 0},   // end of the name, start of the phone
		{"0100lyon", 0},  // end of one field, start of the next
		{"lyonhttps", 0}, // and the next
		{"acme.exampleenergy", 0},
	} {
		rows, total, err := db.List(ctx, ListQuery{Object: "Account", Filter: tc.filter})
		if err != nil {
			t.Fatal(err)
		}
		if total != tc.want || len(rows) != tc.want {
			t.Errorf("filter %q: %d rows (total %d), want %d", tc.filter, len(rows), total, tc.want)
		}
	}
}

func BenchmarkListFilter100k(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "device.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	seedAccounts(b, db, 100_000)
	ctx := context.Background()
	for _, f := range []string{"555-0042", "Account 0999", "zz-nothing"} {
		b.Run(f, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := db.List(ctx, ListQuery{Object: "Account", Filter: f, Limit: 50}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestADatabaseFromBeforeSearchTextFiltersByShortFieldsAfterOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations[:searchMigration-1] {
		if _, err := old.Exec(m); err != nil {
			t.Fatal(err)
		}
	}
	body, _ := json.Marshal(accountDescribe())
	r := account(42)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{fmt.Sprintf("PRAGMA user_version = %d", searchMigration-1), nil},
		{`INSERT INTO describes(object, body) VALUES(?, ?)`, []any{"Account", string(body)}},
		{`INSERT INTO records(id, object, name, view, server) VALUES(?,?,?,?,?)`, []any{r.ID, r.Object, r.Name, EncodeFields(r.View), EncodeFields(r.Server)}},
	} {
		if _, err := old.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	_ = old.Close()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, total, err := db.List(context.Background(), ListQuery{Object: "Account", Filter: "555-0042"})
	if err != nil || total != 1 || len(rows) != 1 || rows[0].ID != r.ID {
		t.Fatalf("filter on an old database: %d rows (total %d) %v", len(rows), total, err)
	}
}

// Position agrees with List: a record's place among the rows of a filter is the row List gives
// it, and a record the filter leaves out has none.
func TestPositionIsTheRowListGivesTheRecord(t *testing.T) {
	db := openTemp(t)
	seedAccounts(t, db, 300)
	ctx := context.Background()
	for _, filter := range []string{"", "oslo", "account 001"} {
		rows, _, err := db.List(ctx, ListQuery{Object: "Account", Filter: filter, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			pos, ok, err := db.Position(ctx, "Account", filter, r.ID)
			if err != nil || !ok || pos != i {
				t.Fatalf("filter %q: %s is row %d, Position says %d (%v, %v)", filter, r.Name, i, pos, ok, err)
			}
		}
	}
	all, _, _ := db.List(ctx, ListQuery{Object: "Account", Limit: 1000})
	for _, r := range all {
		if _, ok, _ := db.Position(ctx, "Account", "account 001", r.ID); ok && !strings.Contains(strings.ToLower(r.Name), "account 001") {
			t.Fatalf("%s is placed among the rows of a filter it does not match", r.Name)
		}
	}
	if _, ok, err := db.Position(ctx, "Contact", "", all[0].ID); ok || err != nil {
		t.Fatalf("an Account placed among Contacts (%v)", err)
	}
}
