// Command offline-edit recreates the Salesforce mobile Offline Edit experience in a terminal:
// create, edit and delete cached records while offline, watch them on Pending Changes with green,
// orange and red sashes, and sync, resolve and dismiss when the connection returns.
//
// main wires the parts together and holds no logic of its own: flags and subcommands here,
// the org in remote/, the device in cache/ and pending/, the screens in tui/.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/tui"
)

// version is set by the release build (-X main.version=...).
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		v := info.Main.Version
		var rev, dirty string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "-dirty"
				}
			}
		}
		if v == "" || v == "(devel)" {
			v = "devel"
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			return v + " (" + rev + dirty + ")"
		}
		return v
	}
	return "devel"
}

// exitError carries a specific exit status out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	root := newRootCmd()
	err := root.ExecuteContext(ctx)
	stop()
	if err != nil {
		os.Exit(report(os.Stderr, err))
	}
}

// report writes a command's error on w and returns the exit status it carries. The text may
// hold what an org or a file said (an error message, an HTML page): escape sequences and
// controls are dropped, so it cannot drive the terminal (set the clipboard, clear the screen).
func report(w io.Writer, err error) int {
	fmt.Fprintln(w, "offline-edit:", tui.Clean(errorText(err)))
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// errorText is what a command says of err: in the words of its cause where the chain of steps
// that met it would say nothing to the user (a database another program keeps locked).
func errorText(err error) string {
	if cache.Locked(err) {
		// sqlite3 (or another program) in a transaction on a file this command writes.
		return cache.LockedAdvice
	}
	if cache.Damaged(err) {
		return cache.DamagedAdvice + " (" + err.Error() + ")"
	}
	return err.Error()
}

func newRootCmd() *cobra.Command {
	var of orgFlags
	var af appFlags
	root := &cobra.Command{
		Use:   "offline-edit",
		Short: "Work on Salesforce records offline: pending changes, sashes, sync and conflict resolution",
		Long: `offline-edit recreates the Salesforce mobile Offline Edit experience in a terminal.

With no arguments it opens the app on the embedded demo org, signed in as the demo sales
rep (alex@demo.example), with the cache primed and state kept between runs.

Keys: o online/offline · p Pending Changes · n new · e edit · d delete · enter open ·
esc back · / filter · ? help · q quit · ctrl+s save · x dismiss/discard · r resolve/retry
QA: B backstage (simulation: other users, admin, network) · L activity log

With --record FILE it records the session as a scenario that replays with
"offline-edit scenario run FILE" (on a fresh embedded org in a temporary directory).`,
		Version:       buildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runApp(cmd.Context(), &of, &af)
		},
	}
	root.SetVersionTemplate("offline-edit {{.Version}}\n")
	of.register(root.PersistentFlags())
	af.register(root.Flags())
	root.AddCommand(newServeCmd(), newSyncCmd(&of), newPendingCmd(&of), newLogCmd(&of), newScenarioCmd(&of))
	root.AddCommand(newChangeCmds(&of)...)
	root.AddCommand(newSettleCmds(&of)...)
	root.AddCommand(newListCmd(&of))
	return root
}
