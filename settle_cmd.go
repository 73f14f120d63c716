package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/tui"
)

// newSettleCmds are the headless ways to settle what the sync left for a person, as the app's
// Pending Changes page does: resolve a conflict, fix a change the org refused, dismiss one that
// can't be saved, discard any change, retry one now. They work offline, like the commands that
// queue changes; `offline-edit sync` sends what they queue again.
func newSettleCmds(of *orgFlags) []*cobra.Command {
	var take string
	var mine, theirs []string
	var newer bool
	resolveCmd := &cobra.Command{
		Use:   "resolve OBJECT ID|NAME [FIELD=VALUE...]",
		Short: "Resolve a conflict (orange): per field keep mine, take theirs or give a value",
		Long: `Resolve a conflict with another user's change, field by field:
  --mine F,G     keep my values of F and G
  --theirs F     take the other user's value of F
  F=VALUE        send VALUE for F instead of either
  --take SIDE    mine or theirs for every conflicting field not named otherwise
Every conflicting field needs a choice. A conflict on a delete takes --take mine (delete
anyway) or --take theirs (keep the record). The change is queued again: run sync to send it.
When a later sync brought a newer value of a conflicting field than the conflict found, resolve
says so and stops; --newer resolves against the newer value.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if take != "" && take != "mine" && take != "theirs" {
				return fmt.Errorf("--take %q: want mine or theirs", take)
			}
			return withSettledEntry(cmd, of, args, func(ctx context.Context, eng *pending.Engine, en *pending.Entry) error {
				if en.Status != pending.StatusConflict {
					return fmt.Errorf("%s has no conflict to resolve (%s)", describeEntry(en), strings.Join(strings.Fields(statusWord[en.Status]), " "))
				}
				if en.Op == pending.OpDelete {
					if take == "" || len(mine)+len(theirs)+len(args) > 2 {
						return fmt.Errorf("a conflict on a delete takes --take mine (delete anyway) or --take theirs (keep the record)")
					}
					if err := eng.ResolveDelete(ctx, en.ID, take == "mine"); err != nil {
						return err
					}
					record := fmt.Sprintf("%s %q", en.Object, cmp.Or(en.Name, en.RecordID))
					if take == "mine" {
						if now, err := eng.Entry(ctx, en.ID); err == nil && now.Status == pending.StatusConflict && now.Message != "" {
							fmt.Fprintf(cmd.OutOrStdout(), "Not deleted: %s changed again since the conflict showed it; see pending, then resolve again.\n", record)
							return nil
						}
						tell(cmd, eng, "Resolved: "+record+" will be deleted anyway.")
					} else {
						tell(cmd, eng, "Resolved: "+record+" is kept; the delete is dropped.")
					}
					return nil
				}
				choices, rounded, err := resolveChoices(ctx, eng, en, take, mine, theirs, args[2:])
				if err != nil {
					return err
				}
				if err := checkResolvedDependents(ctx, eng, en, choices); err != nil {
					return err
				}
				if newer {
					err = eng.ResolveAgainst(ctx, en.ID, choices, nil)
				} else {
					err = theirsMoved(en, eng.Resolve(ctx, en.ID, choices))
				}
				if err != nil {
					return err
				}
				if now, err := eng.Entry(ctx, en.ID); err == nil && now.Status == pending.StatusConflict && now.Message != "" {
					// A field of the change outside the conflict changed on the org since: the
					// choices stand and that field is a new conflict.
					fmt.Fprintf(cmd.OutOrStdout(), "Kept your choices for %s (%s), but %s since your change: a new conflict; resolve it too.\n",
						entrySaying(en), choicesSaying(choices), tui.CleanLine(strings.ToLower(now.Message[:1])+now.Message[1:]))
					return nil
				}
				tell(cmd, eng, "Resolved the conflict on "+entrySaying(en)+" ("+choicesSaying(choices)+").")
				sayRounded(cmd, rounded)
				return nil
			})
		},
	}
	resolveCmd.Flags().StringVar(&take, "take", "", "mine or theirs, for every conflicting field not named otherwise")
	resolveCmd.Flags().StringSliceVar(&mine, "mine", nil, "fields whose value is mine")
	resolveCmd.Flags().StringSliceVar(&theirs, "theirs", nil, "fields whose value is theirs")
	resolveCmd.Flags().BoolVar(&newer, "newer", false, "resolve although the org changed a conflicting field again since the conflict was found (theirs is then the newer value)")

	fixCmd := &cobra.Command{
		Use:   "fix OBJECT ID|NAME FIELD=VALUE...",
		Short: "Fix a change the org refused (orange: a rule, a required field, a bad value) and queue it again",
		Long: `Give new values to the fields the org refused and queue the change again; run sync to send
it. With no FIELD=VALUE, a change a duplicate rule refused is sent again as it is ("save anyway").`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withSettledEntry(cmd, of, args, func(ctx context.Context, eng *pending.Engine, en *pending.Entry) error {
				if en.Status != pending.StatusInvalid {
					return fmt.Errorf("%s was not refused by the org's rules (%s)", describeEntry(en), strings.Join(strings.Fields(statusWord[en.Status]), " "))
				}
				// Only the fields given change: a create keeps the values already queued, so its
				// required fields are not asked for again.
				fields, rounded, err := parseAssignments(ctx, eng, en.Object, args[2:], false)
				if err != nil {
					return err
				}
				if err := checkDependentsOf(ctx, eng, en.Object, en.RecordID, fields); err != nil {
					return err
				}
				if err := eng.Fix(ctx, en.ID, fields); err != nil {
					return err
				}
				tell(cmd, eng, "Fixed "+entrySaying(en)+"; it will be sent again.")
				sayRounded(cmd, rounded)
				return nil
			})
		},
	}
	// simple makes a command that acts on the pending change of one record and then says, on
	// the terminal, done followed by the change it acted on.
	simple := func(use, short, done string, act func(context.Context, *pending.Engine, *pending.Entry) error) *cobra.Command {
		return &cobra.Command{
			Use:   use + " OBJECT ID|NAME",
			Short: short,
			Args:  cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				return withSettledEntry(cmd, of, args, func(ctx context.Context, eng *pending.Engine, en *pending.Entry) error {
					if err := act(ctx, eng, en); err != nil {
						return err
					}
					tell(cmd, eng, fmt.Sprintf(done, entrySaying(en)))
					return nil
				})
			},
		}
	}
	dismissCmd := simple("dismiss", "Dismiss a change that can't be saved (red: record deleted, access lost)", "Dismissed %s.",
		func(ctx context.Context, eng *pending.Engine, en *pending.Entry) error {
			if en.Status != pending.StatusFailed {
				return fmt.Errorf("%s can still be saved (%s): discard it to drop it", describeEntry(en), strings.Join(strings.Fields(statusWord[en.Status]), " "))
			}
			return eng.Dismiss(ctx, en.ID)
		})
	var inDoubt string // the discarded change whose last send got no reply, if it was one
	var inDoubtOp pending.Op
	var orphaned []pending.Entry // the changes that pointed at a discarded create
	var discarded, discardedID string
	discardCmd := simple("discard", "Drop a pending change: the record shows the org's copy again", "Discarded %s.",
		func(ctx context.Context, eng *pending.Engine, en *pending.Entry) error {
			if en.InDoubt {
				inDoubt, inDoubtOp = describeEntry(en), en.Op
			}
			if err := eng.Discard(ctx, en.ID); err != nil {
				return err
			}
			discarded, discardedID = describeEntry(en), en.RecordID
			left, err := eng.Entries(ctx)
			if err != nil {
				return err
			}
			orphaned = pointingAt(left, en.RecordID)
			return nil
		})
	discardRun := discardCmd.RunE
	discardCmd.RunE = func(cmd *cobra.Command, args []string) error {
		inDoubt, orphaned, discarded, discardedID = "", nil, "", ""
		if err := discardRun(cmd, args); err != nil {
			return err
		}
		if len(orphaned) > 0 {
			fmt.Fprintln(cmd.OutOrStdout(), orphanedSaying(discarded, discardedID, orphaned))
		}
		switch {
		case inDoubt == "":
		case inDoubtOp == pending.OpCreate:
			// As the app warns before it: the org may hold the record all the same.
			fmt.Fprintf(cmd.ErrOrStderr(), "offline-edit: discarded %s, but the reply to its creation was lost: the org may already hold the record, and the next sync then shows it on this device again (delete it there to remove it)\n", inDoubt)
		case inDoubtOp == pending.OpDelete:
			fmt.Fprintf(cmd.ErrOrStderr(), "offline-edit: discarded %s, but its last send got no reply: the org may already have deleted the record (the next sync tells)\n", inDoubt)
		default:
			fmt.Fprintf(cmd.ErrOrStderr(), "offline-edit: discarded %s, but its last send got no reply: the org may already hold its values (the next sync brings the org's copy)\n", inDoubt)
		}
		return nil
	}
	retryCmd := simple("retry", "Send a change waiting for a retry at the next sync, without waiting out its backoff", "Will send %s at the next sync.",
		func(ctx context.Context, eng *pending.Engine, en *pending.Entry) error {
			// As the app's r: what needs a person is settled, not sent again as it was.
			switch en.Status {
			case pending.StatusConflict:
				return fmt.Errorf("%s is a conflict: resolve it", describeEntry(en))
			case pending.StatusInvalid:
				return fmt.Errorf("%s was refused by the org: fix it (with no values to send it again as it is)", describeEntry(en))
			case pending.StatusFailed:
				return fmt.Errorf("%s can't be saved: dismiss it", describeEntry(en))
			}
			return eng.Retry(ctx, en.ID)
		})
	return []*cobra.Command{resolveCmd, fixCmd, dismissCmd, discardCmd, retryCmd}
}

// withSettledEntry finds the pending change of the record args name (OBJECT, ID|NAME) on the
// device and runs act on it.
func withSettledEntry(cmd *cobra.Command, of *orgFlags, args []string, act func(context.Context, *pending.Engine, *pending.Entry) error) error {
	return withOfflineEngine(cmd.Context(), of, queueLockWait, func(ctx context.Context, eng *pending.Engine) error {
		object, id, err := namedRecord(ctx, eng, args[0], args[1])
		if err != nil {
			return err
		}
		rv, err := eng.Record(ctx, object, id)
		if err != nil {
			return err
		}
		if rv.Entry == nil {
			return fmt.Errorf("%s %q has no pending change", object, args[1])
		}
		return act(ctx, eng, rv.Entry)
	})
}

// resolveChoices turns the command line into a choice for every conflicting field.
func resolveChoices(ctx context.Context, eng *pending.Engine, en *pending.Entry, take string, mine, theirs, assignments []string) (map[string]pending.Choice, []string, error) {
	values, rounded, err := parseAssignments(ctx, eng, en.Object, assignments, false)
	if err != nil {
		return nil, nil, err
	}
	choices, err := choicesFor(ctx, eng, en, take, mine, theirs, values)
	return choices, rounded, err
}

// choicesFor is resolveChoices once the typed values are read.
func choicesFor(ctx context.Context, eng *pending.Engine, en *pending.Entry, take string, mine, theirs []string, values remote.Fields) (map[string]pending.Choice, error) {
	if d, err := describeFor(ctx, eng, en.Object); err == nil {
		// Named as the org names them (phone is Phone), or refused: a label says which it is.
		for _, names := range [][]string{mine, theirs} {
			for i, f := range names {
				fd, ok := d.Field(f)
				if !ok {
					return nil, noField(d, f)
				}
				names[i] = fd.Name
			}
		}
	}
	choices := map[string]pending.Choice{}
	named := func(f string, c pending.Choice) error {
		if _, dup := choices[f]; dup {
			return fmt.Errorf("%s is given more than one choice", f)
		}
		choices[f] = c
		return nil
	}
	for _, f := range mine {
		if err := named(f, pending.Choice{Take: pending.TakeMine}); err != nil {
			return nil, err
		}
	}
	for _, f := range theirs {
		if err := named(f, pending.Choice{Take: pending.TakeTheirs}); err != nil {
			return nil, err
		}
	}
	for f, v := range values {
		if err := named(f, pending.Choice{Take: pending.TakeValue, Value: v}); err != nil {
			return nil, err
		}
	}
	var open []string
	conflicting := map[string]bool{}
	for _, c := range en.Conflicts {
		conflicting[c.Field] = true
		if _, ok := choices[c.Field]; ok {
			continue
		}
		switch take {
		case "mine":
			choices[c.Field] = pending.Choice{Take: pending.TakeMine}
		case "theirs":
			choices[c.Field] = pending.Choice{Take: pending.TakeTheirs}
		default:
			open = append(open, c.Field)
		}
	}
	for f, c := range choices {
		if !conflicting[f] && c.Take == pending.TakeTheirs {
			return nil, fmt.Errorf("%s is not in conflict: there is no other value of it to take", f)
		}
	}
	if len(open) > 0 {
		slices.Sort(open)
		return nil, fmt.Errorf("no choice for %s: name each conflicting field with --mine, --theirs or FIELD=VALUE, or give --take mine|theirs (`offline-edit pending --json` shows base, theirs and mine)", strings.Join(open, ", "))
	}
	return choices, nil
}

// entrySaying names a change for a confirmation: the edit of Account "Acme Group".
func entrySaying(en *pending.Entry) string {
	name := en.Name
	if name == "" {
		name = en.RecordID
	}
	return fmt.Sprintf("the %s of %s %q", opNoun[en.Op], en.Object, name)
}

var opNoun = map[pending.Op]string{pending.OpCreate: "new record", pending.OpUpdate: "edit", pending.OpDelete: "delete"}

// choicesSaying lists the choices of a resolution: Phone: a new value, Rating: mine.
func choicesSaying(choices map[string]pending.Choice) string {
	parts := make([]string, 0, len(choices))
	for _, f := range slices.Sorted(maps.Keys(choices)) {
		switch choices[f].Take {
		case pending.TakeMine:
			parts = append(parts, f+": mine")
		case pending.TakeTheirs:
			parts = append(parts, f+": theirs")
		default:
			parts = append(parts, f+": a new value")
		}
	}
	return strings.Join(parts, ", ")
}

// describeEntry names an entry's record for a message.
func describeEntry(en *pending.Entry) string {
	name := en.Name
	if name == "" {
		name = en.RecordID
	}
	return fmt.Sprintf("the %s of %s %q", en.Op, en.Object, name)
}

// theirsMoved says, for a resolve the engine refused because a later sync brought newer values
// of conflicting fields (the choices were made on theirs as the conflict found them), what
// changed and how to resolve against the newer values; other errors pass as they are.
func theirsMoved(en *pending.Entry, err error) error {
	var tm *pending.TheirsMovedError
	if !errors.As(err, &tm) {
		return err
	}
	moved := make([]string, len(tm.Fields))
	for i, f := range tm.Fields {
		moved[i] = fmt.Sprintf("%s is now %s (the conflict found %s)", f.Field, jsonText(f.Now), jsonText(f.Was))
	}
	name := en.Name
	if name == "" {
		name = en.RecordID
	}
	return fmt.Errorf("another user changed %s %q again since the conflict was found: %s; resolve with --newer if your choices stand against the newer value",
		en.Object, name, strings.Join(moved, "; "))
}

// pointingAt are the changes the engine marked as needing a new value because a field of theirs
// points at id, a record created offline whose create was discarded (REFERENCE_DISCARDED).
func pointingAt(entries []pending.Entry, id string) []pending.Entry {
	var out []pending.Entry
	for _, e := range entries {
		if e.Code != referenceDiscarded || len(orphanFields(e, id)) == 0 {
			continue
		}
		out = append(out, e)
	}
	return out
}

// referenceDiscarded is the code of a change whose lookup points at a discarded create.
const referenceDiscarded = "REFERENCE_DISCARDED"

// orphanFields are the fields of e that point at id and need a new value.
func orphanFields(e pending.Entry, id string) []string {
	var fields []string
	for _, fe := range e.Errors {
		if v, _ := e.Changes[fe.Field].(string); fe.Code == referenceDiscarded && v == id && !slices.Contains(fields, fe.Field) {
			fields = append(fields, fe.Field)
		}
	}
	return fields
}

// orphanedSaying tells, after the create of record id was discarded (discarded says which, as
// describeEntry does), which changes pointed at it and now need a new value, and in which fields.
func orphanedSaying(discarded, id string, orphaned []pending.Entry) string {
	var which []string
	for _, e := range orphaned {
		name := e.Name
		if name == "" {
			name = e.RecordID
		}
		which = append(which, fmt.Sprintf("%s %q (%s)", tui.CleanLine(e.Object), clip(tui.CleanLine(name), 50), strings.Join(orphanFields(e, id), ", ")))
	}
	n, them := "1 change that pointed at it now needs", "it"
	if len(orphaned) > 1 {
		n, them = fmt.Sprintf("%d changes that pointed at it now need", len(orphaned)), "each"
	}
	return fmt.Sprintf("discarded %s; %s a new value: %s (fix or discard %s)", tui.CleanLine(discarded), n, strings.Join(which, ", "), them)
}
