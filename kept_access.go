package main

import (
	"context"
	"strings"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
)

// keptAccess is what the user may do with cached records as the device last learnt it, read
// without an engine (while another process holds the device), by the engine's own rule: the
// owner may do everything; else the level the org gave when last asked (Read or None: read
// only, Edit: no delete); else everything (the org decides at sync).
type keptAccess struct {
	db *cache.DB
	me string // the device user's id; "" when the device never learnt it
}

// userIDFact is the device fact in which the engine keeps a user's id, asked of the org by
// username when the sign-in did not say it.
func userIDFact(username string) string { return "user-id:" + strings.ToLower(username) }

// readKeptAccess finds the device user's id as the engine would: the sign-in's identity the
// device kept ("00D…/005…"), else the id the engine asked of the org for username.
func readKeptAccess(ctx context.Context, db *cache.DB, username string) (keptAccess, error) {
	ids, err := db.DeviceFact(ctx, deviceIdentity)
	if err != nil {
		return keptAccess{}, err
	}
	if _, user, ok := strings.Cut(ids, "/"); ok && user != "" {
		return keptAccess{db: db, me: user}, nil
	}
	if username == "" {
		return keptAccess{db: db}, nil
	}
	me, err := db.DeviceFact(ctx, userIDFact(username))
	if err != nil {
		return keptAccess{}, err
	}
	return keptAccess{db: db, me: me}, nil
}

// of is what the user may do with rec.
func (k keptAccess) of(ctx context.Context, rec cache.Record) (pending.Access, error) {
	if rec.Server == nil || k.me == "" {
		return pending.AccessFull, nil // created on this device, or nothing known for this user
	}
	if owner, _ := rec.Server["OwnerId"].(string); owner == k.me {
		return pending.AccessFull, nil
	}
	lv, err := k.db.Access(ctx, k.me, rec.ID)
	switch {
	case err != nil:
		return pending.AccessFull, err
	case lv == cache.AccessEdit:
		return pending.AccessEdit, nil
	case lv == cache.AccessRead || lv == cache.AccessNone:
		return pending.AccessRead, nil
	}
	return pending.AccessFull, nil
}
