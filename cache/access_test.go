package cache

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestAccessKeepsOnlyLevelsBelowDeleting(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	set := func(levels map[string]string) {
		t.Helper()
		if err := db.Update(ctx, func(tx *Tx) error { return tx.SetAccess(ctx, levels, time.Now()) }); err != nil {
			t.Fatal(err)
		}
	}
	set(map[string]string{"a": "Read", "b": "Edit", "c": "All", "d": "Delete", "e": "None", "f": "Transfer"})
	for id, want := range map[string]string{"a": AccessRead, "b": AccessEdit, "c": "", "d": "", "e": AccessNone, "f": "", "never": ""} {
		got, err := db.Access(ctx, id)
		if err != nil || got != want {
			t.Errorf("access of %s = %q, %v; want %q", id, got, err, want)
		}
	}
	// Shared with edit since, then given to the user: each answer replaces the last.
	set(map[string]string{"a": "Edit", "b": "All"})
	for id, want := range map[string]string{"a": AccessEdit, "b": ""} {
		if got, _ := db.Access(ctx, id); got != want {
			t.Errorf("after a second answer, access of %s = %q; want %q", id, got, want)
		}
	}
}

func TestDroppingARecordForgetsItsAccess(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seedAccounts(t, db, 3)
	ctx := context.Background()
	a, b := account(0), account(1)
	err = db.Update(ctx, func(tx *Tx) error {
		if err := tx.SetAccess(ctx, map[string]string{a.ID: "Read", b.ID: "Read"}, time.Now()); err != nil {
			return err
		}
		if err := tx.DeleteRecord(ctx, a.ID); err != nil {
			return err
		}
		_, err := tx.DropRecordKeepingName(ctx, b.ID, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a.ID, b.ID} {
		if got, _ := db.Access(ctx, id); got != "" {
			t.Errorf("access of dropped record %s still %q", id, got)
		}
	}
}
