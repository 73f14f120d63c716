package cache

import (
	"context"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

func TestAccessKeepsOnlyLevelsBelowDeleting(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	set := func(levels map[string]string) {
		t.Helper()
		if err := db.Update(ctx, func(tx *Tx) error { return tx.SetAccess(ctx, "005A", levels, time.Now()) }); err != nil {
			t.Fatal(err)
		}
	}
	set(map[string]string{"a": "Read", "b": "Edit", "c": "All", "d": "Delete", "e": "None", "f": "Transfer"})
	for id, want := range map[string]string{"a": AccessRead, "b": AccessEdit, "c": "", "d": "", "e": AccessNone, "f": "", "never": ""} {
		got, err := db.Access(ctx, "005A", id)
		if err != nil || got != want {
			t.Errorf("access of %s = %q, %v; want %q", id, got, err, want)
		}
	}
	// Shared with edit since, then given to the user: each answer replaces the last.
	set(map[string]string{"a": "Edit", "b": "All"})
	for id, want := range map[string]string{"a": AccessEdit, "b": ""} {
		if got, _ := db.Access(ctx, "005A", id); got != want {
			t.Errorf("after a second answer, access of %s = %q; want %q", id, got, want)
		}
	}
}

func TestDroppingARecordForgetsItsAccess(t *testing.T) {
	db := openTemp(t)
	seedAccounts(t, db, 3)
	ctx := context.Background()
	a, b := account(0), account(1)
	err := db.Update(ctx, func(tx *Tx) error {
		if err := tx.SetAccess(ctx, "005A", map[string]string{a.ID: "Read", b.ID: "Read"}, time.Now()); err != nil {
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
		if got, _ := db.Access(ctx, "005A", id); got != "" {
			t.Errorf("access of dropped record %s still %q", id, got)
		}
	}
}

func TestAccessIsKeptForEachUserApart(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	if err := db.Update(ctx, func(tx *Tx) error {
		return tx.SetAccess(ctx, "005A", map[string]string{"001X": "Read"}, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Access(ctx, "005B", "001X"); got != "" {
		t.Fatalf("another user takes the first one's answer: %q", got)
	}
	if got, _ := db.Access(ctx, "005A", "001X"); got != AccessRead {
		t.Fatalf("the user's own answer: %q", got)
	}
}

// A record created offline names itself; only a record that names another one created offline
// is among the rows every replacement of a local id reads. Its own row still takes the org's id.
func TestARecordCreatedOfflineIsNotMarkedForNamingItself(t *testing.T) {
	db := openTemp(t)
	ctx := context.Background()
	parent, child := LocalIDPrefix+"aaa", LocalIDPrefix+"bbb"
	put := func(id string, f remote.Fields) {
		t.Helper()
		if err := db.Update(ctx, func(tx *Tx) error {
			return tx.PutRecord(ctx, Record{Object: "Account", ID: id, Name: id, View: f})
		}); err != nil {
			t.Fatal(err)
		}
	}
	put(parent, remote.Fields{"Id": parent, "Name": "P"})
	put(child, remote.Fields{"Id": child, "Name": "C", "ParentId": parent})
	marked := func(id string) (n int) {
		_ = db.SQL().QueryRow(`SELECT has_local FROM records WHERE id = ?`, id).Scan(&n)
		return n
	}
	if marked(parent) != 0 || marked(child) != 1 {
		t.Fatalf("has_local: parent %d, child %d; want 0 and 1", marked(parent), marked(child))
	}
	if err := db.Update(ctx, func(tx *Tx) error { return tx.ReplaceID(ctx, "Account", parent, "001P", time.Now()) }); err != nil {
		t.Fatal(err)
	}
	p, err := db.Record(ctx, "001P")
	if err != nil || p.View["Id"] != "001P" {
		t.Fatalf("the parent's own row: %+v %v", p.View, err)
	}
	c, err := db.Record(ctx, child)
	if err != nil || c.View["ParentId"] != "001P" {
		t.Fatalf("the child's lookup: %+v %v", c.View, err)
	}
}
