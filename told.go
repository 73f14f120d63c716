package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/tui"
)

// onTerminal reports whether w is a terminal. The commands that queue or settle a change confirm
// what they did only there: a script reads the exit code, and a script that queues a thousand
// changes wants no thousand lines.
var onTerminal = isTerminal

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// tell says on the terminal (stderr) what a command did to the queue, then what the queue holds
// now, so that a person at the prompt knows the command worked and what is left to do.
func tell(cmd *cobra.Command, eng *pending.Engine, did string) {
	w := cmd.ErrOrStderr()
	if !onTerminal(w) {
		return
	}
	line := tui.CleanLine(did)
	if ents, err := eng.Entries(cmd.Context()); err == nil {
		line += " " + queueSaying(ents)
	}
	fmt.Fprintln(w, line)
}

// queueSaying sums up the queue by sash, with the command that moves it on.
func queueSaying(ents []pending.Entry) string {
	if len(ents) == 0 {
		return "Nothing is pending."
	}
	var green, orange, red int
	for _, e := range ents {
		switch e.Status.Sash() {
		case pending.SashOrange:
			orange++
		case pending.SashRed:
			red++
		default:
			green++
		}
	}
	var parts []string
	if green > 0 {
		parts = append(parts, fmt.Sprintf("%d %s to sync", green, plural(green, "change waits", "changes wait")))
	}
	if orange > 0 {
		parts = append(parts, fmt.Sprintf("%d %s you", orange, plural(orange, "needs", "need")))
	}
	if red > 0 {
		parts = append(parts, fmt.Sprintf("%d can't be saved", red))
	}
	s := "Pending: " + strings.Join(parts, ", ") + "."
	if green > 0 {
		s += ` "offline-edit sync" sends ` + plural(green, "it.", "them.")
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// recordSaying names a record for a confirmation: Account "Acme Group".
func recordSaying(ctx context.Context, eng *pending.Engine, object, id string) string {
	name := id
	if rv, err := eng.Record(ctx, object, id); err == nil && rv.Name != "" {
		name = rv.Name
	}
	return fmt.Sprintf("%s %q", object, name)
}

// editSaying is what `edit` tells of the edit it queued: the fields it queued, and those it left
// out because the record holds their values already (a record with no change pending is not
// changed by them; one with a change pending takes them all). Nothing queued says so.
func editSaying(ctx context.Context, eng *pending.Engine, object, id string, fields remote.Fields, hadChange bool) string {
	names := slices.Sorted(maps.Keys(fields))
	rec := recordSaying(ctx, eng, object, id)
	if hadChange {
		return "Queued an edit of " + rec + " (" + strings.Join(names, ", ") + ")."
	}
	var changes remote.Fields
	if rv, err := eng.Record(ctx, object, id); err == nil && rv.Entry != nil {
		changes = rv.Entry.Changes
	}
	var queued, same []string
	for _, f := range names {
		if _, ok := changes[f]; ok {
			queued = append(queued, f)
		} else {
			same = append(same, f)
		}
	}
	if len(queued) == 0 {
		return "Nothing queued: " + rec + " already holds " + strings.Join(same, ", ") + " as given."
	}
	out := "Queued an edit of " + rec + " (" + strings.Join(queued, ", ") + ")."
	if len(same) > 0 {
		out += " Left out, already as given: " + strings.Join(same, ", ") + "."
	}
	return out
}
