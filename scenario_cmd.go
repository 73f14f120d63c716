package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/offline-edit/offline-edit/scenario"
	"github.com/offline-edit/offline-edit/tui"
)

func newScenarioCmd(of *orgFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenario",
		Short: "Run scripted sync situations (QA) or step through them",
	}
	var asJSON bool
	run := &cobra.Command{
		Use:   "run FILE...",
		Short: "Run scenarios headless on a fresh embedded org (or --org URL); exit 0 only if all pass",
		Long: `Run each scenario file on a fresh, deterministically seeded embedded org (or on the mock
org served at --org URL, which is reset to its seed first). Each step is printed, and each failed
expectation with what was expected and what was found. A file that does not parse or names
unknown objects, fields or records is reported with its line and nothing of it runs.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if err := checkScenarioOrg(of); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			text := out
			if asJSON {
				text = io.Discard
			}
			var reports []scenario.Report
			failed := 0
			for _, path := range args {
				rep := runScenarioFile(cmd, of, path, text)
				if !rep.Passed {
					failed++
				}
				reports = append(reports, rep)
				if ctx.Err() != nil {
					break
				}
			}
			if asJSON {
				if err := writeJSON(out, reports); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(out, "\n%d scenario(s), %d passed, %d failed\n", len(reports), len(reports)-failed, failed)
			}
			if failed > 0 {
				return &exitError{1, fmt.Errorf("%d of %d scenario(s) failed", failed, len(reports))}
			}
			return nil
		},
	}
	run.Flags().BoolVar(&asJSON, "json", false, "print a JSON report")
	cmd.AddCommand(run, newScenarioOpenCmd(of))
	return cmd
}

func newScenarioOpenCmd(of *orgFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "open FILE",
		Short: "Load a scenario into the app and step through it, one step per N (or ctrl+n)",
		Long: `Open the app on a fresh, deterministically seeded embedded org (or on the mock org served at
--org URL, reset to its seed first) with the scenario loaded. A strip above the status bar shows
the next step; N (or ctrl+n) runs it, and the strip shows what it did and any check that failed.
Between steps the app works as usual: open records, Pending Changes (p), the activity log (L),
the backstage (B). The scenario clock moves on a second at every step, as in scenario run.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if err := checkScenarioOrg(of); err != nil {
				return err
			}
			sc, err := scenario.ParseFile(args[0])
			if err != nil {
				return err
			}
			dir, err := os.MkdirTemp("", "offline-edit-scenario-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			var env *scenario.Env
			if of.orgURL != "" {
				env, err = scenario.NewRemoteEnv(ctx, sc, of.orgURL, dir, nil)
			} else {
				env, err = scenario.NewEmbeddedEnv(ctx, sc, dir)
			}
			if err != nil {
				return err
			}
			defer env.Close()
			// A file that names what the org lacks is refused here, with its line, rather than
			// in the app at the first N.
			if err := scenario.Validate(ctx, sc, env); err != nil {
				return err
			}
			return tui.Run(ctx, tui.Options{
				Backend:   env.Engine(),
				NetStatus: env.Network().String,
				Backstage: env,
				Script:    scenario.NewStepper(sc, env),
			})
		},
	}
}

// checkScenarioOrg refuses flags a scenario cannot use: a malformed --org, or a way of signing
// in to a real org (scenarios need a mock org: the embedded one or a served one).
func checkScenarioOrg(of *orgFlags) error {
	var real []string
	for _, w := range of.signInWays() {
		if w != "--org" {
			real = append(real, w)
		}
	}
	if len(real) > 0 {
		return fmt.Errorf("%w: scenarios run on the embedded org or on a served mock org (--org URL), not on a real org: drop %s", errBadFlags, strings.Join(real, ", "))
	}
	if of.orgURL != "" {
		u, err := checkOrgFlag(of.orgURL)
		if err != nil {
			return err
		}
		of.orgURL = u
	}
	return nil
}

// runScenarioFile parses, sets up and runs one file; every problem becomes a failed report.
func runScenarioFile(cmd *cobra.Command, of *orgFlags, path string, text io.Writer) scenario.Report {
	ctx := cmd.Context()
	fail := func(err error) scenario.Report {
		var pe *scenario.ParseError
		if errors.As(err, &pe) {
			// Each problem on its own line, already naming the file.
			fmt.Fprintln(text, tui.Clean(err.Error()))
		} else {
			fmt.Fprintf(text, "scenario %s: %s\n", path, tui.CleanLine(err.Error()))
		}
		return scenario.Report{File: path, Error: err.Error()}
	}
	sc, err := scenario.ParseFile(path)
	if err != nil {
		return fail(err)
	}
	dir, err := os.MkdirTemp("", "offline-edit-scenario-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	var env *scenario.Env
	if of.orgURL != "" {
		env, err = scenario.NewRemoteEnv(ctx, sc, of.orgURL, dir, nil)
	} else {
		env, err = scenario.NewEmbeddedEnv(ctx, sc, dir)
	}
	if err != nil {
		return fail(err)
	}
	defer env.Close()
	return scenario.Run(ctx, sc, env, text)
}
