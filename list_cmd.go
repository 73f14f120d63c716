package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/tui"
)

// listedRecord is one record of `list --json`: what the user sees (the org's copy with the
// pending change on top) and the change's state.
type listedRecord struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	Status  pending.Status `json:"status"` // "" when no change is pending
	Op      pending.Op     `json:"op"`
	Fields  remote.Fields  `json:"fields"`
	IsLocal bool           `json:"isLocal"` // created offline, not synced yet
	// Access is what the user may do with the record, as the device last learnt it: "full"
	// (edit and delete: their own record, or one the org was never asked about), "edit" (shared
	// to edit, no delete) or "read" (shared read-only). Always there, so every record has the
	// same keys.
	Access string `json:"access"`
}

// newListCmd lists the cached records of an object, so a script can find the ids and names to
// give the other commands.
func newListCmd(of *orgFlags) *cobra.Command {
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "list OBJECT [FILTER]",
		Short: "List the cached records of an object by name (FILTER: part of a name, phone, email, city…)",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 1 || limit > 1000 {
				return fmt.Errorf("--limit %d: want 1 to 1000", limit)
			}
			filter := ""
			if len(args) == 2 {
				filter = args[1]
			}
			return withDeviceEngine(cmd, of, func(ctx context.Context, db *cache.DB, eng *pending.Engine) error {
				object, err := describedObject(ctx, db, args[0])
				if err != nil {
					return err
				}
				rows, total, err := db.List(ctx, cache.ListQuery{Object: object, Filter: filter, Limit: limit})
				if err != nil {
					return err
				}
				accessTo := func(r cache.Row) (pending.Access, error) { return eng.RecordAccess(ctx, r.ID) }
				if eng == nil {
					// Another process holds the device: what the user may do, as the device kept it.
					kept, err := readKeptAccess(ctx, db, of.heldUsername())
					if err != nil {
						return err
					}
					accessTo = func(r cache.Row) (pending.Access, error) { return kept.of(ctx, r.Record) }
				}
				out := make([]listedRecord, 0, len(rows))
				for _, r := range rows {
					lr := listedRecord{ID: r.ID, Name: r.Name, Status: pending.Status(r.Status), Op: pending.Op(r.Op),
						Fields: r.View, IsLocal: pending.IsLocalID(r.ID)}
					a, err := accessTo(r)
					if err != nil {
						return err
					}
					lr.Access = accessName(a)
					out = append(out, lr)
				}
				if total > len(rows) {
					fmt.Fprintf(cmd.ErrOrStderr(), "offline-edit: showing %d of %d %s records (--limit, or a FILTER)\n", len(rows), total, object)
				}
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), out)
				}
				if len(out) == 0 {
					if filter != "" {
						fmt.Fprintf(cmd.OutOrStdout(), "No cached %s record matches %q.\n", object, filter)
					} else {
						fmt.Fprintf(cmd.OutOrStdout(), "No cached %s records.\n", object)
					}
					return nil
				}
				var table [][]string
				shared := false
				for _, r := range out {
					shared = shared || r.Access != accessName(pending.AccessFull)
				}
				for _, r := range out {
					change := "-"
					if r.Status != "" {
						change = string(r.Op) + ": " + strings.Join(strings.Fields(statusWord[r.Status]), " ")
					}
					row := []string{tui.CleanLine(r.ID), clip(tui.CleanLine(r.Name), 50), change}
					if shared {
						row = append(row, accessWords[r.Access])
					}
					table = append(table, row)
				}
				head := []string{"ID", "NAME", "PENDING CHANGE"}
				if shared {
					head = append(head, "SHARED WITH YOU")
				}
				if err := writeTable(cmd.OutOrStdout(), head, table); err != nil {
					return err
				}
				if w := cmd.ErrOrStderr(); onTerminal(w) {
					// What the device shows is as old as its last refresh: a person comparing it
					// with a colleague's screen needs to know how old.
					fmt.Fprintln(w, cachedAsOf(pending.ReadLastSync(ctx, db), time.Now()))
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: id, name, status, op, fields (as the user sees them), access (full; or read or edit when shared with you)")
	cmd.Flags().IntVar(&limit, "limit", 50, "most records to show, in name order (1 to 1000)")
	return cmd
}

// cachedAsOf says how fresh the device's copy of the org is.
func cachedAsOf(last, now time.Time) string {
	if last.IsZero() {
		return "Cached copy: no sync has finished on this device yet; `offline-edit sync` refreshes it."
	}
	return "Cached as of " + whenText(last.Local(), now) + " (the last sync that finished); `offline-edit sync` refreshes it."
}

// describedObject is the cached object a name names (API names are case-insensitive).
func describedObject(ctx context.Context, db *cache.DB, name string) (string, error) {
	objects, err := db.DescribedObjects(ctx)
	if err != nil {
		return "", err
	}
	if i := slices.IndexFunc(objects, func(o string) bool { return strings.EqualFold(o, name) }); i >= 0 {
		return objects[i], nil
	}
	if len(objects) == 0 {
		return "", fmt.Errorf("this device has cached nothing yet: run `offline-edit sync` once online")
	}
	return "", fmt.Errorf("%q is not cached on this device (it caches %s)", name, strings.Join(objects, ", "))
}

// accessName names an access level in `list --json`: "full" for edit and delete, else the
// level's own name ("read", "edit").
func accessName(a pending.Access) string {
	if a == pending.AccessFull {
		return "full"
	}
	return string(a)
}

// accessWords says in the list what a share lets the user do ("-" for their own records), by
// the level's name in JSON.
var accessWords = map[string]string{
	"full": "-",
	"read": "read only",
	"edit": "edit, not delete",
}
