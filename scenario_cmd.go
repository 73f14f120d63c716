package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/offline-edit/offline-edit/scenario"
	"github.com/offline-edit/offline-edit/tui"
)

// scenarioFlagsHelp is the part of each scenario command's help about the global flags.
const scenarioFlagsHelp = `
Global flags: --strict, --profile, --seed and --size run the file with that setting instead of
the one the file gives (strict, profile, seed, size); the run says so before its first step.
With --org the served org's data and profile are its own (offline-edit serve --seed, --size,
--profile): --seed and --size are refused, and --profile (or the file's profile) must be the
served org's, or nothing runs. --data-dir DIR keeps the org and the device a scenario leaves in
DIR, which must be empty (one FILE at a time), so that 'offline-edit --data-dir DIR pending'
(or log, list) shows them afterwards. Every other global flag (--user, --password, --db,
--objects, ...) is refused, saying what to do instead.`

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
org served at --org URL, which is reset to its seed first: --reset-org says you agree). Each step is printed, and each failed
expectation with what was expected and what was found. A file that does not parse or names
unknown objects, fields or records is reported with its line and nothing of it runs.
` + scenarioFlagsHelp,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			sf, err := checkScenarioFlags(cmd, of, len(args))
			if err != nil {
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
				rep := runScenarioFile(cmd, of, sf, path, text)
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
			if ctx.Err() != nil {
				return &exitError{130, fmt.Errorf("interrupted after %d of %d scenario file(s)", len(reports), len(args))}
			}
			if failed > 0 {
				return &exitError{1, fmt.Errorf("%d of %d scenario(s) failed", failed, len(reports))}
			}
			return nil
		},
	}
	run.Flags().BoolVar(&asJSON, "json", false, "print a JSON report")
	run.Flags().Bool(resetOrgFlag, false, resetOrgUsage)
	cmd.AddCommand(run, newScenarioOpenCmd(of))
	return cmd
}

// resetOrgFlag is the consent a scenario needs to reset a served org: other users' records,
// rules and shares there are replaced by the seed's, and their devices lose what they synced.
const (
	resetOrgFlag  = "reset-org"
	resetOrgUsage = "with --org: agree that the served org is reset to its seed first (every user's records, rules and shares there are replaced)"
)

func newScenarioOpenCmd(of *orgFlags) *cobra.Command {
	var mouse bool
	open := &cobra.Command{
		Use:   "open FILE",
		Short: "Load a scenario into the app and step through it, one step per N (or ctrl+n)",
		Long: `Open the app on a fresh, deterministically seeded embedded org (or on the mock org served at
--org URL, reset to its seed first: --reset-org says you agree) with the scenario loaded. A strip above the status bar shows
the next step; N (or ctrl+n) runs it, and the strip shows what it did and any check that failed.
Between steps the app works as usual: open records, Pending Changes (p), the activity log (L),
the backstage (B). The scenario clock moves on a second at every step, as in scenario run.
` + scenarioFlagsHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			sf, err := checkScenarioFlags(cmd, of, 1)
			if err != nil {
				return err
			}
			sc, err := scenario.ParseFile(args[0])
			if err != nil {
				return err
			}
			sf.apply(of, sc)
			env, cleanup, err := newScenarioEnv(cmd, of, sf, sc)
			if err != nil {
				return err
			}
			defer cleanup()
			// A file that names what the org lacks is refused here, with its line, rather than
			// in the app at the first N.
			if err := scenario.Validate(ctx, sc, env); err != nil {
				return err
			}
			if err := tui.Run(ctx, tui.Options{
				Backend:   env.Engine(),
				NetStatus: env.Network().String,
				Backstage: env,
				Script:    scenario.NewStepper(sc, env),
				Now:       env.Clock().Now,
				Mouse:     mouse,
			}); err != nil {
				return err
			}
			if sf.keep {
				cleanup()
				fmt.Fprintln(cmd.OutOrStdout(), sf.keptNote(of))
			}
			return nil
		},
	}
	open.Flags().Bool(resetOrgFlag, false, resetOrgUsage)
	open.Flags().BoolVar(&mouse, "mouse", false, "scroll with the mouse wheel (selecting text to copy then needs shift held)")
	return open
}

// scenarioFlags is what the global flags given to a scenario command ask of it: settings that
// run the file with another value than its own, and a directory to keep the org and device in.
type scenarioFlags struct {
	strict, profile, seed, size bool // given on the command line
	keep                        bool // --data-dir: keep the org and the device there
}

// scenarioRealSignIn are the flags that sign in to a real org.
var scenarioRealSignIn = []string{"instance-url", "access-token", "target-org", "oauth", "device"}

// scenarioFlagRefusals say, for each global flag a scenario cannot use, why and what to do
// instead. A global flag named neither here nor in checkScenarioFlags is refused as meaningless.
var scenarioFlagRefusals = map[string]string{
	"user":       "a scenario's device belongs to me (alex@demo.example); another user acts in a step with `as: sam` or `as: admin`",
	"password":   "a scenario signs its users in to the mock org with the demo password",
	"db":         "a scenario starts a fresh device; to keep it and its org for `pending`, `log` and `list`, give --data-dir DIR (an empty directory)",
	"objects":    "a scenario caches the six standard objects and those its file names: set `objects: [NAME, ...]` in the scenario file",
	"per-object": "a scenario primes its cache with the default number of records per object",
	"extra-fields": "a scenario's org has the extra fields its file names: set `extra_fields: {Account: 450}` in the scenario file " +
		"(a served org is given them by `offline-edit serve --extra-fields`)",
	"client-id":  "it is for signing in to a real org; scenarios run on the embedded org or on a served mock org (--org URL)",
	"login-url":  "it is for signing in to a real org; scenarios run on the embedded org or on a served mock org (--org URL)",
	"remember":   "it is for signing in to a real org; scenarios run on the embedded org or on a served mock org (--org URL)",
	"oauth-port": "it is for signing in to a real org; scenarios run on the embedded org or on a served mock org (--org URL)",
}

// checkScenarioFlags refuses, before anything runs, every global flag a scenario command was
// given and cannot honour (given at all counts, even with its default value), naming each with
// what to do instead; files is the number of scenario files the command runs.
func checkScenarioFlags(cmd *cobra.Command, of *orgFlags, files int) (*scenarioFlags, error) {
	sf := &scenarioFlags{}
	served := of.orgURL != ""
	var real, problems []string
	cmd.InheritedFlags().VisitAll(func(f *pflag.Flag) {
		if !f.Changed {
			return
		}
		name := f.Name
		switch {
		case slices.Contains(scenarioRealSignIn, name):
			real = append(real, "--"+name)
		case name == "org":
		case name == "strict":
			sf.strict = true
		case name == "profile":
			if !slices.Contains(scenario.Profiles, of.profile) {
				problems = append(problems, fmt.Sprintf("--profile %q: a profile is demo or real", of.profile))
			}
			sf.profile = true
		case name == "seed" || name == "size":
			if served {
				problems = append(problems, fmt.Sprintf("--%s: the served org's data is its own, seeded when it was started: "+
					"restart it with `offline-edit serve --%s N`, or drop --org to run on the embedded org", name, name))
				return
			}
			if name == "size" && (of.size < 0 || of.size > scenario.MaxSize) {
				problems = append(problems, fmt.Sprintf("--size %d: a scenario's size is between 0 and %d", of.size, scenario.MaxSize))
			}
			if name == "seed" {
				sf.seed = true
			} else {
				sf.size = true
			}
		case name == "data-dir":
			if files != 1 {
				problems = append(problems, "--data-dir keeps the org and device of one scenario: give one FILE (each file with its own directory)")
				return
			}
			if err := scenarioKeepDir(of.dataDir); err != nil {
				problems = append(problems, err.Error())
				return
			}
			sf.keep = true
		default:
			why, ok := scenarioFlagRefusals[name]
			if !ok {
				why = "it has no meaning for a scenario"
			}
			problems = append(problems, fmt.Sprintf("--%s: %s; drop --%s", name, why, name))
		}
	})
	if len(real) > 0 {
		problems = append([]string{fmt.Sprintf("scenarios run on the embedded org or on a served mock org (--org URL), not on a real org: drop %s", strings.Join(real, ", "))}, problems...)
	}
	switch len(problems) {
	case 0:
	case 1:
		return nil, fmt.Errorf("%w: %s", errBadFlags, problems[0])
	default:
		return nil, fmt.Errorf("%w:\n  %s", errBadFlags, strings.Join(problems, "\n  "))
	}
	if served {
		u, err := checkOrgFlag(of.orgURL)
		if err != nil {
			return nil, err
		}
		of.orgURL = u
		if reset, _ := cmd.Flags().GetBool(resetOrgFlag); !reset {
			return nil, fmt.Errorf("%w: --org: a scenario resets the org at %s to its seed first: every user's records, rules and shares there are replaced, "+
				"and devices that synced with it lose what it no longer has. Add --%s to go on, or drop --org to run on an embedded org of its own", errBadFlags, u, resetOrgFlag)
		}
	}
	if sf.keep {
		// Made (and checked writable) now, not after a run that could not keep anything.
		if _, err := of.dir(); err != nil {
			return nil, err
		}
	}
	return sf, nil
}

// scenarioKeepDir says why dir cannot keep a scenario's org and device: it must be a directory
// with nothing in it yet (or not exist), so that nothing of anyone's is overwritten or mixed in.
func scenarioKeepDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
			return fmt.Errorf("--data-dir %s is a file, not a directory; choose an empty directory", dir)
		}
		return fmt.Errorf("--data-dir %s cannot be read (%v); choose an empty directory", dir, err)
	case len(entries) > 0:
		return fmt.Errorf("--data-dir %s is not empty: a scenario keeps its org and device only in an empty directory (so that nothing there is overwritten); remove what it holds or choose another directory", dir)
	}
	return nil
}

// apply puts the settings given on the command line into sc, noting each that differs from the
// file's so that the run says so.
func (sf *scenarioFlags) apply(of *orgFlags, sc *scenario.Scenario) {
	note := func(flag, key, val, file string) {
		if val != file {
			sc.Overrides = append(sc.Overrides, fmt.Sprintf("%s: %s %s, the file says %s", flag, key, val, file))
		}
	}
	if sf.strict {
		flag := "--strict"
		if !of.strict {
			flag = "--strict=false"
		}
		note(flag, "strict", strconv.FormatBool(of.strict), strconv.FormatBool(sc.Strict))
		sc.Strict = of.strict
	}
	if sf.seed {
		note("--seed "+strconv.FormatInt(of.seed, 10), "seed", strconv.FormatInt(of.seed, 10), strconv.FormatInt(sc.Seed, 10))
		sc.Seed = of.seed
	}
	if sf.size {
		note("--size "+strconv.Itoa(of.size), "size", strconv.Itoa(of.size), strconv.Itoa(sc.Size))
		sc.Size = of.size
	}
	if sf.profile {
		file := sc.Profile
		switch {
		case file != "":
		case of.orgURL != "":
			file = "none (the served org's own)"
		default:
			file = "none (demo)"
		}
		note("--profile "+of.profile, "profile", of.profile, file)
		sc.Profile = of.profile
	}
}

// newScenarioEnv builds the org and the device sc runs on: in a temporary directory removed by
// cleanup, or, with --data-dir, where the app and the headless commands find them afterwards.
// cleanup closes the Env; it may be called more than once.
func newScenarioEnv(cmd *cobra.Command, of *orgFlags, sf *scenarioFlags, sc *scenario.Scenario) (*scenario.Env, func(), error) {
	ctx := cmd.Context()
	dir, err := os.MkdirTemp("", "offline-edit-scenario-")
	if err != nil {
		return nil, nil, err
	}
	var opts scenario.EnvOptions
	if sf.keep {
		if of.orgURL == "" {
			if opts.OrgDB, err = of.demoOrgPath(); err != nil {
				os.RemoveAll(dir)
				return nil, nil, err
			}
		}
		opts.DevicePath = func(instanceURL, username string) (string, error) {
			if of.orgURL == "" {
				return of.devicePath(embeddedKey, username)
			}
			return of.devicePath(instanceURL, username)
		}
	}
	var env *scenario.Env
	if of.orgURL != "" {
		env, err = scenario.NewRemoteEnv(ctx, sc, of.orgURL, dir, nil, opts)
	} else {
		env, err = scenario.NewEmbeddedEnv(ctx, sc, dir, opts)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	var closed bool
	return env, func() {
		if !closed {
			closed = true
			env.Close()
			os.RemoveAll(dir)
		}
	}, nil
}

// keptNote says where a scenario's org and device were kept and how to look at them.
func (sf *scenarioFlags) keptNote(of *orgFlags) string {
	flags := "--data-dir " + scenarioShellWord(of.dataDir)
	what := "the org and the device"
	if of.orgURL != "" {
		flags = "--org " + scenarioShellWord(of.orgURL) + " " + flags
		what = "the device (the served org keeps its own state until the next reset)"
	}
	return fmt.Sprintf("kept %s in %s: see them with `offline-edit %s pending` (or log, list, or the app)", what, of.dataDir, flags)
}

// runScenarioFile parses, sets up and runs one file; every problem becomes a failed report.
func runScenarioFile(cmd *cobra.Command, of *orgFlags, sf *scenarioFlags, path string, text io.Writer) scenario.Report {
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
	sf.apply(of, sc)
	env, cleanup, err := newScenarioEnv(cmd, of, sf, sc)
	if err != nil {
		rep := fail(err)
		rep.Overrides = sc.Overrides
		return rep
	}
	rep := scenario.Run(ctx, sc, env, text)
	cleanup()
	if sf.keep {
		fmt.Fprintln(text, tui.CleanLine(sf.keptNote(of)))
	}
	return rep
}

// scenarioShellWord quotes s for a POSIX shell when it holds more than letters, digits and
// the punctuation of paths and URLs.
func scenarioShellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-:+=@,%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
