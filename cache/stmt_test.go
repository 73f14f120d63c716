package cache

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

func TestAStatementIsPreparedOncePerDatabaseNotPerTransaction(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	const q = `SELECT COUNT(*) FROM records WHERE object = ?`
	count := func() {
		t.Helper()
		err := db.Update(ctx, func(tx *Tx) error {
			st, err := tx.Prepared(ctx, q)
			if err != nil {
				return err
			}
			var n int
			return st.QueryRowContext(ctx, "Account").Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	count()
	db.stmtMu.Lock()
	shared := db.stmts[q]
	db.stmtMu.Unlock()
	if shared == nil {
		t.Fatal("after its first transaction the statement is not kept for the next ones")
	}
	before := db.reused.Load()
	count()
	db.stmtMu.Lock()
	again := db.stmts[q]
	db.stmtMu.Unlock()
	if again != shared || db.reused.Load() != before+1 {
		t.Fatal("the second transaction prepared the statement again instead of taking the kept one")
	}
}

func TestStatementsPreparedFromManyGoroutinesNeitherDeadlockNorLeak(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 30 {
				q := fmt.Sprintf(`SELECT %d + ? FROM sync_state LIMIT 1`, i%7) // shared among goroutines
				run := db.Update
				if i%2 == 1 {
					run = db.View
				}
				err := run(ctx, func(tx *Tx) error {
					st, err := tx.Prepared(ctx, q)
					if err != nil {
						return err
					}
					rows, err := st.QueryContext(ctx, g)
					if err != nil {
						return err
					}
					return rows.Close()
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	// A panic inside a transaction rolls it back and leaves the database usable.
	func() {
		defer func() { _ = recover() }()
		_ = db.Update(ctx, func(tx *Tx) error {
			if _, err := tx.Prepared(ctx, `SELECT 42`); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if err := db.View(ctx, func(tx *Tx) error {
		_, err := tx.Prepared(ctx, `SELECT 42`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	db.stmtMu.Lock()
	n := len(db.stmts)
	db.stmtMu.Unlock()
	if n > 8 {
		t.Fatalf("%d statements kept for 8 distinct queries", n)
	}
}
