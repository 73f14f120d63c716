package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// BenchmarkPutRecordsChanged stores, per transaction, 192 cached records whose server copy
// changed (as a push records one wave of accepted updates) among 60,000.
func BenchmarkPutRecordsChanged(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "device.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	seedAccounts(b, db, 60_000)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		recs := make([]Encoded, 192)
		for j := range recs {
			r := account(rng.IntN(60_000))
			r.View["Description"] = fmt.Sprintf("changed %d", i)
			recs[j] = db.Encode(ctx, r)
		}
		err := db.Update(ctx, func(tx *Tx) error {
			for _, e := range recs {
				if err := tx.PutEncoded(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func TestStoringARecordAgainKeepsNameAndSearchInStep(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seedAccounts(t, db, 10)
	ctx := context.Background()
	put := func(r Record) {
		t.Helper()
		if err := db.Update(ctx, func(tx *Tx) error { return tx.PutRecord(ctx, r) }); err != nil {
			t.Fatal(err)
		}
	}
	count := func(filter string) int {
		t.Helper()
		_, total, err := db.List(ctx, ListQuery{Object: "Account", Filter: filter, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return total
	}
	r := account(3)
	r.View["Description"] = "only the long text changed"
	put(r) // indexed columns as they were
	if got, _ := db.Record(ctx, r.ID); got.View["Description"] != "only the long text changed" || count("account 000003") != 1 {
		t.Fatalf("description change: %v, name found %d times", got.View["Description"], count("account 000003"))
	}
	r.View["Name"], r.Name = "Renamed Ltd", "Renamed Ltd"
	put(r) // the name changes: its index entry must follow
	if count("account 000003") != 0 || count("renamed") != 1 {
		t.Fatalf("after a rename: old name found %d times, new %d", count("account 000003"), count("renamed"))
	}
	r.View["Phone"] = "(415) 555-9999"
	put(r) // a searched field changes
	if count("555-9999") != 1 || count("555-0003") != 0 {
		t.Fatalf("after a phone change: new %d, old %d", count("555-9999"), count("555-0003"))
	}
	rows, _, err := db.List(ctx, ListQuery{Object: "Account", Limit: 100})
	if err != nil || len(rows) != 10 || rows[len(rows)-1].Name != "Renamed Ltd" {
		t.Fatalf("listing by name: %d rows, last %q, %v", len(rows), rows[len(rows)-1].Name, err)
	}
}
