package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"modernc.org/sqlite"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
	"github.com/offline-edit/offline-edit/remote/signin"
	"github.com/offline-edit/offline-edit/scenario"
	"github.com/offline-edit/offline-edit/tui"
)

// appFlags are the flags of the interactive app only.
type appFlags struct {
	resetDemo      bool
	debug          string
	offline        bool
	record         string
	othersPassword string
	mouse          bool
}

func (f *appFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.resetDemo, "reset-demo", false, "start the embedded demo org and this device afresh (drops pending changes)")
	fs.StringVar(&f.debug, "debug", "", "write a debug log to this file")
	fs.BoolVar(&f.offline, "offline", false, "start offline")
	fs.BoolVar(&f.mouse, "mouse", false, "scroll with the mouse wheel (selecting text to copy then needs shift held)")
	fs.StringVar(&f.record, "record", "", "record the session as a scenario FILE that replays with 'offline-edit scenario run FILE'; starts a fresh embedded org (--seed, --size) in a temporary directory, leaving the demo org untouched")
	fs.StringVar(&f.othersPassword, "backstage-password", demoPassword, "with --org: password of sam@demo.example and admin@demo.example, whom the backstage (B) acts as")
}

// sayWhileReaching prints to w, a terminal, what the app is waiting for when signing in to an
// org takes longer than after (a second), --offline too on a device that never signed in this
// way (an org that never answers holds the first screen for as long as the sign-in's limit): the call it returns ends the wait. OAuth and device sign-ins say their own.
func sayWhileReaching(w io.Writer, of *orgFlags, after time.Duration) func() {
	org := cmp.Or(of.orgURL, of.instanceURL, of.targetOrg)
	if org == "" || of.oauth || of.device || !onTerminal(w) {
		return func() {}
	}
	done := make(chan struct{})
	said := make(chan struct{})
	go func() {
		defer close(said)
		select {
		case <-done:
		case <-time.After(after):
			fmt.Fprintf(w, "offline-edit: reaching %s… (ctrl+c stops)\n", tui.CleanLine(org))
		}
	}()
	return func() {
		close(done)
		<-said
	}
}

func runApp(ctx context.Context, of *orgFlags, af *appFlags) error {
	if af.record != "" {
		return runRecording(ctx, of, af)
	}
	note := ""
	if af.resetDemo {
		if err := resetDemo(of); err != nil {
			return err
		}
		note = "Demo reset: the demo org is back to its seed, and its users' devices start afresh."
	}
	reached := sayWhileReaching(os.Stderr, of, time.Second)
	s, err := openSession(ctx, of, !af.offline)
	reached()
	if err != nil {
		return err
	}
	defer s.Close()
	// Said on the first screen: printed now, it would show only once the app quits.
	if notes := s.startNotes(true); len(notes) > 0 {
		note = strings.TrimSpace(note + " " + strings.Join(notes, ". ") + ".")
	}
	if s.openedOffline {
		s.eng.SetOnline(false) // the org is out of reach: start offline; o tries again
	}
	opts := tui.Options{Backend: s.eng, NetStatus: s.net.String, LimitInfo: s.client.LimitInfo, Note: note, TokenOnly: s.tokenOnly, Mouse: af.mouse}
	debug, closeDebug, err := openDebug(af.debug)
	if err != nil {
		return err
	}
	defer closeDebug()
	opts.Debug = debug
	env, err := s.backstage(ctx, of, af.othersPassword)
	if err != nil && debug != nil {
		fmt.Fprintf(debug, "backstage: %v\n", err)
	}
	if env != nil {
		opts.Backstage = env
	}
	return tui.Run(ctx, opts)
}

// openDebug opens the debug log (nil when path is "").
func openDebug(path string) (io.Writer, func(), error) {
	if path == "" {
		return nil, func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { _ = f.Close() }, nil
}

// recordingOrg is the scenario a recording starts from: the embedded org and the device the
// flags describe (seed, size, profile, extra fields, strict mode, objects cached besides the
// standard ones), so that the file replays on the same.
func recordingOrg(of *orgFlags, name string) *scenario.Scenario {
	sc := &scenario.Scenario{Name: name, Seed: of.seed, Size: of.size, ExtraFields: of.extra, Strict: of.strict}
	if of.profile != string(mockorg.ProfileDemo) {
		sc.Profile = of.profile
	}
	for _, o := range of.objects {
		if !slices.Contains(pending.DefaultObjects, o) && !slices.Contains(sc.Objects, o) {
			sc.Objects = append(sc.Objects, o)
		}
	}
	return sc
}

// runRecording runs the app on a fresh embedded org in a temporary directory and records what
// the user (and the backstage) does as a scenario file, written after every step and once
// more, with the final state as expectations, on quit.
func runRecording(ctx context.Context, of *orgFlags, af *appFlags) error {
	if !of.embedded() {
		return errors.New("--record works on a fresh embedded org only (drop --org and the real-org flags)")
	}
	dir, err := os.MkdirTemp("", "offline-edit-record-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	name := "Recorded session " + time.Now().UTC().Format("2006-01-02 15:04")
	sc := recordingOrg(of, name)
	env, err := scenario.NewEmbeddedEnv(ctx, sc, dir, scenario.EnvOptions{RealClock: true})
	if err != nil {
		return err
	}
	defer env.Close()
	rec := scenario.NewRecorder(sc)
	eng := scenario.NewRecordingEngine(env.Engine(), rec, af.record)
	if af.offline {
		eng.SetOnline(false)
	}
	env.SetRecorder(rec)
	env.OnRecorded(func() { _ = eng.Flush() }) // backstage steps reach the file at once
	if admin, err := env.Client(ctx, "admin"); err == nil {
		eng.ReadOrgWith(admin) // the final expectations name the org's values
	}
	debug, closeDebug, err := openDebug(af.debug)
	if err != nil {
		return err
	}
	defer closeDebug()
	runErr := tui.Run(ctx, tui.Options{Backend: eng, NetStatus: env.Network().String, Backstage: env, Debug: debug, Recording: af.record, Mouse: af.mouse})
	fctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := eng.Finish(fctx); err != nil {
		return errors.Join(runErr, fmt.Errorf("write the recording: %w", err))
	}
	n := len(rec.Scenario().Steps)
	if n == 0 {
		fmt.Fprintln(os.Stderr, "offline-edit: nothing was done, so nothing was recorded")
	} else {
		fmt.Fprintf(os.Stderr, "offline-edit: recorded %d steps to %s; replay with: offline-edit scenario run %s\n", n, af.record, af.record)
	}
	return runErr
}

// resetDemo removes the embedded org's database and the devices of its users in the data
// directory. The devices of other orgs (a served org, a real one) share the directory and keep
// their queues: they are not the demo's.
func resetDemo(of *orgFlags) error {
	if !of.embedded() {
		return errors.New("--reset-demo applies to the embedded demo org only")
	}
	dir, err := of.dir()
	if err != nil {
		return err
	}
	// Only databases, each removed with its own files while its lock is held: a database another
	// process has open is never deleted under it, and nothing else in the directory is touched.
	dbs, _ := filepath.Glob(filepath.Join(dir, embeddedKey+"-*.db"))
	dbs = append(dbs, filepath.Join(dir, "demo-org.db"))
	if of.dbPath != "" {
		dbs = append(dbs, of.dbPath) // the demo's device, kept where --db says
	}
	if err := cache.Remove(dbs...); err != nil {
		if errors.Is(err, cache.ErrAlreadyOpen) {
			return fmt.Errorf("--reset-demo refused: %w", err)
		}
		return fmt.Errorf("reset: %w", err)
	}
	return nil
}

func newServeCmd() *cobra.Command {
	var addr, db, profile string
	var seed int64
	var size int
	var extra map[string]int
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the mock org over HTTP (Salesforce REST API) for several clients",
		Long: `Serve the mock org over HTTP on 127.0.0.1. It speaks the Salesforce REST API under
/services/data/vNN.0/, signs users in with POST /services/oauth2/token, and has admin-only
operations under /mockorg/v1/. Point the app at it with: offline-edit --org http://ADDR --user USER`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			start := time.Now()
			org, err := mockorg.Open(mockorg.Options{Seed: seed, Size: size, DBPath: db, Profile: mockorg.Profile(profile), ExtraFields: extra})
			if err != nil {
				return err
			}
			defer org.Close()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			url := "http://" + dialable(ln.Addr())
			org.SetInstanceURL(url)
			srv := &http.Server{Handler: org.Handler(), ReadHeaderTimeout: 10 * time.Second}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "mock org (%s profile) ready at %s in %s\n\n", profile, url, time.Since(start).Round(time.Millisecond))
			fmt.Fprintln(out, "Users (password: demo):")
			for _, u := range org.Users() {
				role := "sales rep"
				if u.Admin {
					role = "admin"
				}
				fmt.Fprintf(out, "  %-22s %s\n", u.Username, role)
			}
			fmt.Fprintf(out, "\nSign in:\n  offline-edit --org %s --user sam@demo.example\n", url)
			fmt.Fprintf(out, "  curl -s %s/services/oauth2/token -d grant_type=password -d username=alex@demo.example -d password=demo\n\n", url)
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case <-cmd.Context().Done():
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				return srv.Shutdown(sctx)
			case err := <-errc:
				return err
			}
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8787", "address to listen on")
	cmd.Flags().StringVar(&db, "db", "", "keep the org in this SQLite file (default: in memory)")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed of the generated data")
	cmd.Flags().IntVar(&size, "size", 0, "number of seeded records (0 = default, up to 100000)")
	cmd.Flags().StringVar(&profile, "profile", "demo", "demo, or real (behaves like a real org: no Offline_Key__c, empty 412 bodies)")
	cmd.Flags().StringToIntVar(&extra, "extra-fields", nil, "give objects this many more custom text fields, as a big org's have (e.g. Account=450, up to 800)")
	return cmd
}

// queueSummary counts the queue as a sync's summary would have left it, for a sync that never
// ran: every change not waiting for the user or for another change is still to be retried.
func queueSummary(entries []pending.Entry) pending.Summary {
	var sum pending.Summary
	for _, en := range entries {
		switch {
		case en.Status.Sash() == pending.SashOrange || en.Status.Sash() == pending.SashRed:
			sum.Attention++
		case en.Status == pending.StatusWaiting:
			sum.Waiting++
		default:
			sum.Retrying++
		}
	}
	return sum
}

func newSyncCmd(of *orgFlags) *cobra.Command {
	var wait time.Duration
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Go online and push the pending changes until nothing more can be done",
		Long: `Go online, push every pending change, retry transient failures for up to --wait, refresh the
cache, and print what happened. Exit status: 0 when the queue is empty or holds only changes
that need the user (conflicts, errors, deleted records); 2 when the org refuses the sign-in;
3 when the org still cannot be reached or is still busy (503, 429, its request limit), or
changes are still retrying, after --wait (such an org is tried again until then); 1 for a problem of the device itself (bad flags, the device
database already open elsewhere, unreadable or full); 130 when interrupted (Ctrl-C), after
printing the queue.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			deadline := time.Now().Add(wait)
			told := false
			retrying := func(label string, why error) {
				if !told {
					told = true
					fmt.Fprintf(cmd.ErrOrStderr(), "offline-edit: %s; retrying for up to %s\n", tui.CleanLine(label+" "+notNowReason(why)), max(0, time.Until(deadline)).Round(time.Second))
				}
			}
			s, err := openSessionRetrying(ctx, of, deadline, retrying)
			if err != nil {
				err = sessionExit(err)
				if asJSON {
					// A script reading the JSON gets the same shape whatever went wrong: the error,
					// and the queue as far as it can be read without the session (null if not).
					writeJSON(cmd.OutOrStdout(), map[string]any{"summary": summaryJSON(pending.Summary{}, 0, err), "pending": queueBeside(ctx, of)})
				}
				return err
			}
			defer s.Close()
			s.printStartNotes(cmd.ErrOrStderr(), false)
			var sum pending.Summary
			ran := true
			if s.openedOffline && !time.Now().Before(deadline) {
				// Its sign-in just failed, taking all the time --wait gave: not again.
				err, ran = s.offlineErr, false
			} else {
				if s.openedOffline {
					retrying(s.label, s.offlineErr) // its sign-in just failed: say so now, before trying again
				}
				sum, err = syncUntilSettled(ctx, s.eng, time.Until(deadline), func(_ time.Duration, why error) { retrying(s.label, why) })
			}
			if err != nil && errors.Is(ctx.Err(), context.Canceled) && !errors.Is(err, context.Canceled) {
				// Ctrl-C while a request was failing on its own (the org out of reach): the
				// user stopped it, whichever error came first.
				err = fmt.Errorf("%w (%w)", context.Canceled, err)
			}
			if err != nil && unreachable(err) && !errors.Is(err, context.Canceled) {
				err = &notReached{label: s.label, err: err}
			}
			// The queue as it stands, also after Ctrl-C: the summary is what the user needs then.
			entries, lerr := s.eng.Entries(context.WithoutCancel(ctx))
			if lerr != nil {
				return lerr
			}
			facts, lerr := readConflictFacts(context.WithoutCancel(ctx), s.eng.DB(), entries)
			if lerr != nil {
				return lerr
			}
			if !ran {
				sum = queueSummary(entries) // no run counted them: the queue says where they stand
			}
			out := cmd.OutOrStdout()
			shown := err
			if errors.Is(err, context.Canceled) {
				shown = errInterrupted // not the step that happened to be under way
			}
			if !asJSON && onTerminal(out) && onTerminal(cmd.ErrOrStderr()) {
				shown = nil // the error line the command ends with says it, once
			}
			if asJSON {
				writeJSON(out, map[string]any{"summary": summaryJSON(sum, redOf(entries), shown), "pending": namedEntries(entries, facts)})
			} else {
				printSummary(out, sum, redOf(entries), shown)
				if len(entries) > 0 {
					fmt.Fprintln(out)
					printEntries(out, firstForSync(entries), facts)
					if more := len(entries) - syncShown; more > 0 {
						fmt.Fprintf(out, "… and %d more (`offline-edit pending` lists them all)\n", more)
					}
				}
			}
			switch {
			case errors.Is(err, context.Canceled):
				return &exitError{130, errInterrupted}
			case err != nil && isAuth(err):
				return &exitError{2, err}
			case err != nil && isLocal(err):
				return err
			case err != nil:
				return &exitError{3, err}
			}
			if _, due := pending.NextDue(entries); due > 0 {
				return &exitError{3, fmt.Errorf("%d change(s) still waiting to sync", due)}
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&wait, "wait", 30*time.Second, "how long to keep retrying an org out of reach and transient failures (a request under way finishes)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print {\"summary\": …, \"pending\": the queue as pending --json gives it}")
	return cmd
}

// errInterrupted is what sync says when Ctrl-C stopped it.
var errInterrupted = errors.New("interrupted: changes not yet synced stay queued")

// syncUntilSettled runs sync, then again whenever retrying entries come due, until every entry
// needs the user or wait has passed. An org that cannot be reached is tried again, with growing
// pauses, until wait has passed too; retrying is told once, with the time left, when it starts.
func syncUntilSettled(ctx context.Context, eng *pending.Engine, wait time.Duration, retrying func(left time.Duration, why error)) (pending.Summary, error) {
	deadline := time.Now().Add(wait)
	var total pending.Summary
	var pause backoff
	told := false
	for {
		sum, err := eng.Sync(ctx)
		total.Synced += sum.Synced
		total.Merged += sum.Merged
		total.Attention, total.Retrying, total.Waiting = sum.Attention, sum.Retrying, sum.Waiting
		if err == nil {
			total.Unrefreshed = sum.Unrefreshed // a whole run's: what refreshed since is no problem
		} else {
			total.Unrefreshed = unionByObject(total.Unrefreshed, sum.Unrefreshed)
		}
		if err != nil && retryable(err) && !errors.Is(err, remote.ErrOffline) && ctx.Err() == nil {
			left := time.Until(deadline)
			if left > 0 {
				if !told && retrying != nil {
					retrying(left, err)
					told = true
				}
				if err := pause.wait(ctx, deadline); err != nil {
					total.Err = err
					return total, err
				}
				continue
			}
		}
		if err != nil {
			total.Err = err
			return total, err
		}
		pause = backoff{}
		entries, err := eng.Entries(ctx)
		if err != nil {
			return total, err
		}
		// Changes waiting on a create that needs the user need the user too: syncing again
		// cannot move them (it would only spend the org's API requests until --wait ends).
		next, due := pending.NextDue(entries)
		if due == 0 {
			return total, nil
		}
		if time.Now().After(deadline) || next.After(deadline) {
			return total, nil
		}
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(max(time.Until(next), 50*time.Millisecond)):
		}
	}
}

// dialable is the address to reach a listener at from this machine: a listener on every
// interface (0.0.0.0, [::], which Go opens for both IPv4 and IPv6) is reached on 127.0.0.1.
func dialable(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
}

// notNowReason says why the org could not be used just now, for "ORG … ; retrying": out of
// reach, or busy (its answer's status and code).
func notNowReason(err error) string {
	if ae, answered := remote.AsError(err); answered && remote.IsRedirect(ae.Status) {
		return "answered with a redirect (HTTP " + strconv.Itoa(ae.Status) + "), not as an org does (a network's sign-in page?)"
	}
	if ae, answered := remote.AsError(err); answered && orgBusy(err) {
		return "is busy (it answered " + strings.TrimSpace(strconv.Itoa(ae.Status)+" "+ae.Code()) + ")"
	}
	return "cannot be reached"
}

// openSessionRetrying opens the session for sync, trying again with growing pauses until
// deadline while the org cannot be reached and no earlier session lets the device open offline
// (a first sync, say). retrying is called before each pause. A failure that is no network
// failure (a refused sign-in, bad flags, the device database) is returned at once.
func openSessionRetrying(ctx context.Context, of *orgFlags, deadline time.Time, retrying func(label string, why error)) (*session, error) {
	var pause backoff
	for {
		s, err := openSession(ctx, of, true)
		if err == nil || !retryable(err) || isLocal(err) || ctx.Err() != nil || !time.Now().Before(deadline) {
			switch {
			case err != nil && errors.Is(ctx.Err(), context.Canceled) && !errors.Is(err, context.Canceled):
				err = fmt.Errorf("%w (%w)", context.Canceled, err) // Ctrl-C, whichever error came first
			case err != nil && unreachable(err) && ctx.Err() == nil:
				err = &notReached{label: of.label(), err: err}
			}
			return s, err
		}
		retrying(of.label(), err)
		if err := pause.wait(ctx, deadline); err != nil {
			return nil, err
		}
	}
}

// backoff is the pause before trying an org out of reach again: 250 ms, doubling up to 5 s.
type backoff struct{ last time.Duration }

// wait sleeps the next pause, cut short at deadline; it fails when ctx ends first.
func (b *backoff) wait(ctx context.Context, deadline time.Time) error {
	b.last = min(max(2*b.last, 250*time.Millisecond), 5*time.Second)
	t := time.NewTimer(min(b.last, max(0, time.Until(deadline))))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// notReached is a sync stopped because the org could not be reached, said in a line: where,
// and the network's own reason (connection refused, no such host, timed out), not the chain of
// requests that led to it. The whole chain stays reachable with errors.Is/As.
type notReached struct {
	label string
	err   error
}

func (e *notReached) Error() string {
	return fmt.Sprintf("%s cannot be reached (%s)", e.label, netReason(e.err))
}

func (e *notReached) Unwrap() error { return e.err }

// netReason is what the network said, in a few words (connection refused, no such host, timed
// out; a proxy is named as such), or the whole error when it is no network failure (a TLS
// certificate, an HTTP status, the Salesforce CLI failing), so nothing the user needs is lost.
func netReason(err error) string {
	if reason, ok := noAnswerReason(err); ok {
		return reason
	}
	return err.Error()
}

// noAnswer reports a failure in which no HTTP answer came: the connection was refused, reset
// or timed out, or the name did not resolve.
func noAnswer(err error) bool {
	_, ok := noAnswerReason(err)
	return ok
}

// noAnswerReason is the network's reason for a failure in which no HTTP answer came.
func noAnswerReason(err error) (string, bool) {
	var dns *net.DNSError
	var op *net.OpError
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "timed out", true
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection closed without an answer", true
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return "no such host " + dns.Name, true
		}
		return "name lookup failed: " + dns.Err, true
	case errors.As(err, &op):
		reason := "failed"
		if op.Err != nil {
			reason = strings.TrimPrefix(op.Err.Error(), "connect: ")
		}
		if op.Op == "proxyconnect" {
			return "the proxy " + addrOf(op) + " could not be reached: " + reason, true
		}
		return reason, true
	}
	return "", false
}

func addrOf(op *net.OpError) string {
	if op.Addr != nil {
		return op.Addr.String()
	}
	return "(unknown address)"
}

// sessionExit is the exit status of sync when the session could not be opened: 2 when the org
// refused the sign-in, 3 when it could not be reached or was busy, 130 when interrupted, else 1 (the device
// database, bad flags, sign-in settings that can't work).
func sessionExit(err error) error {
	var oe *signin.OAuthError
	switch {
	case errors.Is(err, context.Canceled):
		return &exitError{130, errors.New("interrupted before the org answered: changes stay queued")}
	case errors.As(err, &oe), isAuth(err),
		errors.Is(err, signin.ErrDeviceDenied), errors.Is(err, signin.ErrDeviceExpired),
		errors.Is(err, signin.ErrRedactedToken), errors.Is(err, signin.ErrNoStoredToken):
		return &exitError{2, err}
	case isLocal(err):
		return err
	case retryable(err):
		return &exitError{3, err}
	}
	// Sign-in settings that can't work (no token, no client id, no Salesforce CLI): retrying
	// cannot cure them.
	return &exitError{1, err}
}

// isLocal reports whether err is this device's own problem (its database or files, or the
// flags), which retrying against the org cannot cure.
func isLocal(err error) bool {
	var se *sqlite.Error
	var pe *fs.PathError
	return errors.As(err, &se) || errors.As(err, &pe) || errors.Is(err, cache.ErrDeviceFile) ||
		errors.Is(err, cache.ErrAlreadyOpen) || errors.Is(err, mockorg.ErrInUse) || errors.Is(err, errBadFlags) ||
		errors.Is(err, errWhoseToken) || errors.Is(err, errAnotherOrg)
}

func isAuth(err error) bool {
	if e, ok := remote.AsError(err); ok && e.Status == http.StatusUnauthorized {
		return true
	}
	return errors.Is(err, pending.ErrAuth)
}

// redOf counts the changes that can't be saved (red) among entries.
func redOf(entries []pending.Entry) int {
	n := 0
	for _, e := range entries {
		if e.Status.Sash() == pending.SashRed {
			n++
		}
	}
	return n
}

// summaryJSON is the summary of a sync for --json: "attention" counts every change left for
// a person, "needAttention" the orange ones (to resolve or fix), "cantBeSaved" the red ones.
func summaryJSON(s pending.Summary, red int, err error) map[string]any {
	red = min(red, s.Attention)
	m := map[string]any{"synced": s.Synced, "merged": s.Merged, "attention": s.Attention,
		"needAttention": s.Attention - red, "cantBeSaved": red, "retrying": s.Retrying, "waiting": s.Waiting}
	if err != nil {
		m["error"] = errorText(err)
	}
	m["unrefreshed"] = append([]string{}, s.Unrefreshed...) // [] rather than null
	return m
}

// printSummary says what a sync did, orange and red apart as the app's status bar does.
func printSummary(w io.Writer, s pending.Summary, red int, err error) {
	red = min(red, s.Attention)
	fmt.Fprintf(w, "synced %d (auto-merged %d) · need attention %d · can't be saved %d · retrying %d · waiting %d\n",
		s.Synced, s.Merged, s.Attention-red, red, s.Retrying, s.Waiting)
	if err != nil {
		fmt.Fprintf(w, "sync stopped: %s\n", tui.CleanLine(errorText(err)))
	}
	if n := len(s.Unrefreshed); n > 0 {
		// The org refused these objects' queries: what the device shows of them may be old,
		// or nothing at all on a device never primed.
		objects := make([]string, n)
		for i, u := range s.Unrefreshed {
			objects[i], _, _ = strings.Cut(u, ":")
		}
		if n == 1 {
			fmt.Fprintf(w, "could not refresh %s; what the device shows of it may be out of date\n", clip(tui.CleanLine(s.Unrefreshed[0]), 300))
		} else {
			fmt.Fprintf(w, "could not refresh %s; what the device shows of them may be out of date. %s (`offline-edit log` says why for the others)\n",
				tui.CleanLine(strings.Join(objects, ", ")), clip(tui.CleanLine(s.Unrefreshed[0]), 200))
		}
	}
}

var statusWord = map[pending.Status]string{
	pending.StatusPending:  "green  waiting to sync",
	pending.StatusSyncing:  "green  syncing",
	pending.StatusWaiting:  "green  waits for parent",
	pending.StatusConflict: "orange conflict",
	pending.StatusInvalid:  "orange fix errors",
	pending.StatusFailed:   "red    can't be saved",
}

// syncShown is how many changes sync lists after its summary: a long queue left by an outage
// would push the line that says why out of sight.
const syncShown = 50

// firstForSync is what sync lists: the changes that need a person first, then the others, in
// queue order, syncShown at most.
func firstForSync(entries []pending.Entry) []pending.Entry {
	out := make([]pending.Entry, 0, min(len(entries), syncShown))
	for _, locked := range []bool{true, false} {
		for _, e := range entries {
			if e.Status.Locked() == locked && len(out) < syncShown {
				out = append(out, e)
			}
		}
	}
	return out
}

// printEntries writes the queue as a table; a conflict's message says who made the other side
// and when, and which fields changed again on the org since (facts: readConflictFacts).
func printEntries(w io.Writer, entries []pending.Entry, facts conflictFacts) {
	creates := map[string]pending.Entry{}
	for _, e := range entries {
		if e.Op == pending.OpCreate {
			creates[e.RecordID] = e
		}
	}
	var rows [][]string
	for _, e := range entries {
		next := "-"
		if !e.NextAttempt.IsZero() && e.Status == pending.StatusPending {
			next = whenText(e.NextAttempt.Local(), time.Now())
		}
		name := e.Name
		if name == "" {
			name = e.RecordID
		}
		msg := clip(tui.CleanLine(e.Message), 90)
		if by := conflictBy(e, facts.names); by != "" {
			msg += " (" + by + ")"
		}
		var moved []string
		for _, c := range e.Conflicts {
			if _, again := facts.theirsNow(e, c); again {
				moved = append(moved, c.Field)
			}
		}
		if len(moved) > 0 {
			// As the conflict screen says it: taking theirs keeps the newer value.
			msg += "; changed again on the org since: " + pending.FieldLabels(facts.describes[e.Object], moved)
		}
		if msg == "" {
			msg = waitsFor(e, creates)
		}
		if e.InDoubt && e.Status.Sash() == pending.SashGreen {
			// Orange or red waits for the user, not for the next sync.
			const hint = "sent, no answer: the org may have it; the next sync sends it again, never twice over"
			msg = strings.TrimPrefix(msg+" — "+hint, " — ")
		}
		rows = append(rows, []string{tui.CleanLine(e.Object), clip(tui.CleanLine(name), 30), string(e.Op),
			statusWord[e.Status], orDash(tui.CleanLine(e.Code)), strconv.Itoa(e.Attempts), next, msg})
	}
	_ = writeTable(w, []string{"OBJECT", "RECORD", "OP", "STATUS", "CODE", "ATTEMPTS", "NEXT", "MESSAGE"}, rows)
}

// unionByObject joins two lists of "Object: why", the later reason of an object winning.
func unionByObject(a, b []string) []string {
	out := slices.Clone(a)
	for _, u := range b {
		object, _, _ := strings.Cut(u, ":")
		i := slices.IndexFunc(out, func(v string) bool { return strings.HasPrefix(v, object+":") })
		if i < 0 {
			out = append(out, u)
		} else {
			out[i] = u
		}
	}
	return out
}

// whenText is a time in the queue: the time of day when it is today, with the date otherwise
// (a Retry-After of hours may fall tomorrow).
func whenText(t, now time.Time) string {
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04:05")
	}
	return t.Format("Jan 2 15:04:05")
}

// waitsFor says which record created offline a waiting change waits for, and whether that
// create needs the user first (then syncing again cannot move either).
func waitsFor(e pending.Entry, creates map[string]pending.Entry) string {
	if e.Status != pending.StatusWaiting || e.WaitingOn == "" {
		return ""
	}
	p, ok := creates[e.WaitingOn]
	if !ok {
		return ""
	}
	name := p.Name
	if name == "" {
		name = p.RecordID
	}
	what := fmt.Sprintf("waits for %s %q", tui.CleanLine(p.Object), clip(tui.CleanLine(name), 30))
	if p.Status.Locked() {
		return what + ", which needs you first (" + strings.Join(strings.Fields(statusWord[p.Status]), " ") + ")"
	}
	return what + " to sync first"
}

func newPendingCmd(of *orgFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "pending",
		Short: "List the pending changes with their status, error, attempts and next attempt",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withDeviceData(cmd, of, func(ctx context.Context, db *cache.DB) error {
				entries, err := pending.ReadEntries(ctx, db)
				if err != nil {
					return err
				}
				facts, err := readConflictFacts(ctx, db, entries)
				if err != nil {
					return err
				}
				if asJSON {
					if entries == nil {
						entries = []pending.Entry{}
					}
					return writeJSON(cmd.OutOrStdout(), namedEntries(entries, facts))
				}
				if len(entries) == 0 {
					fmt.Fprintln(cmd.OutOrStdout(), "No pending changes.")
					return nil
				}
				printEntries(cmd.OutOrStdout(), entries, facts)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the queue as JSON, every key for every change (status pending, syncing or waiting: green; conflict or invalid: orange; failed: red; the README lists the keys)")
	return cmd
}

func printActivity(w io.Writer, acts []pending.Activity) {
	var rows [][]string
	// The time of day alone when the whole log is today's; a log read days later has dates.
	layout := "15:04:05.000"
	today := time.Now().Format(time.DateOnly)
	for _, a := range acts {
		if a.At.Local().Format(time.DateOnly) != today {
			layout = "2006-01-02 15:04:05.000"
		}
	}
	for _, a := range acts {
		st := "-"
		if a.Status != 0 {
			st = strconv.Itoa(a.Status)
		}
		rows = append(rows, []string{a.At.Local().Format(layout), orDash(a.Method),
			clip(tui.CleanLine(a.Path), 70), st, orDash(tui.CleanLine(a.Code)), a.Duration.Round(time.Microsecond).String(),
			orDash(tui.CleanLine(a.RecordID)), tui.CleanLine(a.Note)})
	}
	_ = writeTable(w, []string{"TIME", "METHOD", "PATH", "STATUS", "CODE", "DURATION", "RECORD", "NOTE"}, rows)
}

// idNamedInLog finds the record no longer on the device that the log's notes name name (a new
// record discarded, a record deleted on the org), when they name one.
func idNamedInLog(ctx context.Context, db *cache.DB, name string) (string, error) {
	ids, err := pending.RecordsNamedInLog(ctx, db, name)
	switch {
	case err != nil:
		return "", err
	case len(ids) == 0:
		return "", fmt.Errorf("no record on this device is named %s, nor does the log name one so, and it is no record id (list OBJECT NAME finds one)", jsonText(name))
	case len(ids) > 1:
		return "", fmt.Errorf("the log names several records %s: give the id of one (offline-edit log lists them in its RECORD column)", jsonText(name))
	}
	return ids[0], nil
}

func newLogCmd(of *orgFlags) *cobra.Command {
	var asJSON bool
	var record string
	var limit int
	cmd := &cobra.Command{
		Use:   "log",
		Short: "Show the activity log: each sync request with time, method, path, status, code and duration",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 1 || limit > pending.ActivityLimit {
				return fmt.Errorf("%w: --limit %d: want 1 to %d (the log keeps that many)", errBadFlags, limit, pending.ActivityLimit)
			}
			if cmd.Flags().Changed("record") && strings.TrimSpace(record) == "" {
				// A script's unset variable: the whole log would pass for this record's.
				return fmt.Errorf("%w: --record is empty: give a record's id or its name", errBadFlags)
			}
			return withDeviceData(cmd, of, func(ctx context.Context, db *cache.DB) error {
				acts, err := pending.ReadActivity(ctx, db, record, limit)
				if err != nil {
					return err
				}
				if len(acts) == 0 && record != "" {
					// Not an id the log holds: a record's name, as support staff type it (a
					// case number, an account's name), names it when it names one record.
					ids, err := db.IDsNamed(ctx, record, 2)
					switch {
					case err != nil:
						return err
					case len(ids) > 1:
						return fmt.Errorf("several records are named %s: give the id of one (list OBJECT %s)", jsonText(record), jsonText(record))
					case len(ids) == 1:
						if acts, err = pending.ReadActivity(ctx, db, ids[0], limit); err != nil {
							return err
						}
						record = ids[0]
					case !pending.LooksLikeRecordID(record):
						// A record no longer on the device (discarded, deleted, unshared): the
						// notes that tell of it name it.
						id, err := idNamedInLog(ctx, db, record)
						if err != nil {
							return err
						}
						if acts, err = pending.ReadActivity(ctx, db, id, limit); err != nil {
							return err
						}
						record = id
					}
				}
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), activityRows(acts))
				}
				if len(acts) == 0 {
					// Say so rather than print a header over nothing (stderr: stdout stays the table).
					if record != "" {
						fmt.Fprintf(cmd.ErrOrStderr(), "nothing logged for record %s (the log keeps the last %d requests and notes)\n", tui.CleanLine(record), pending.ActivityLimit)
					} else {
						fmt.Fprintln(cmd.ErrOrStderr(), "nothing logged yet: the log fills when the device syncs")
					}
					return nil
				}
				printActivity(cmd.OutOrStdout(), acts)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&record, "record", "", "only requests that served this record (its id, or a name that names one record)")
	cmd.Flags().IntVar(&limit, "limit", 200, fmt.Sprintf("most recent entries to show (1 to %d)", pending.ActivityLimit))
	return cmd
}

// newChangeCmds are the headless ways to queue changes: new, edit, delete, and apply (many at once).
// They work offline: nothing is sent until `offline-edit sync` or the app goes online.
func newChangeCmds(of *orgFlags) []*cobra.Command {
	newCmd := &cobra.Command{
		Use:   "new OBJECT FIELD=VALUE...",
		Short: "Queue a new record (offline), e.g. new Account Name=Acme Phone=555-0100",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withOfflineEngine(cmd.Context(), of, queueLockWait, func(ctx context.Context, eng *pending.Engine) error {
				object, err := objectName(eng, args[0])
				if err != nil {
					return err
				}
				fields, rounded, err := parseAssignments(ctx, eng, object, args[1:], true)
				if err != nil {
					return err
				}
				if err := checkDependentsOf(ctx, eng, object, "", fields); err != nil {
					return err
				}
				id, err := eng.Create(ctx, object, fields)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), id)
				tell(cmd, eng, "Queued the new "+recordSaying(ctx, eng, object, id)+".")
				sayRounded(cmd, rounded)
				return nil
			})
		},
	}
	editCmd := &cobra.Command{
		Use:   "edit OBJECT ID|NAME FIELD=VALUE...",
		Short: "Queue an edit (offline), e.g. edit Account \"Acme Group\" Phone=555-0100",
		Args:  cobra.MinimumNArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withOfflineEngine(cmd.Context(), of, queueLockWait, func(ctx context.Context, eng *pending.Engine) error {
				object, id, err := namedRecord(ctx, eng, args[0], args[1])
				if err != nil {
					return err
				}
				fields, rounded, err := parseAssignments(ctx, eng, object, args[2:], false)
				if err != nil {
					return err
				}
				if err := checkDependentsOf(ctx, eng, object, id, fields); err != nil {
					return err
				}
				before, _ := eng.Record(ctx, object, id)
				if err := eng.Edit(ctx, object, id, fields); err != nil {
					return err
				}
				tell(cmd, eng, editSaying(ctx, eng, object, id, fields, before.Entry != nil))
				sayRounded(cmd, rounded)
				return nil
			})
		},
	}
	deleteCmd := &cobra.Command{
		Use:   "delete OBJECT ID|NAME",
		Short: "Queue a delete (offline)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withOfflineEngine(cmd.Context(), of, queueLockWait, func(ctx context.Context, eng *pending.Engine) error {
				object, id, err := namedRecord(ctx, eng, args[0], args[1])
				if err != nil {
					return err
				}
				what := recordSaying(ctx, eng, object, id)
				if err := eng.Delete(ctx, object, id); err != nil {
					return err
				}
				if pending.IsLocalID(id) {
					tell(cmd, eng, "Dropped the new "+what+": it never reached the org.")
					// As discard says: the changes that pointed at it need a new value.
					left, err := eng.Entries(ctx)
					if err != nil {
						return err
					}
					if orphaned := pointingAt(left, id); len(orphaned) > 0 {
						fmt.Fprintln(cmd.OutOrStdout(), orphanedSaying("the create of "+what, id, orphaned))
					}
				} else {
					tell(cmd, eng, "Queued the delete of "+what+".")
				}
				return nil
			})
		},
	}
	applyCmd := &cobra.Command{
		Use:   "apply [FILE]",
		Short: "Queue many changes from JSON lines (FILE or stdin)",
		Long: `Queue many changes at once, one JSON object per line, for scripts:
  {"op":"new","object":"Account","fields":{"Name":"Acme"}}
  {"op":"edit","object":"Account","record":"Acme Group","fields":{"Phone":"555-0100"}}
  {"op":"delete","object":"Contact","record":"003..."}
"record" is an id or a name. A lookup takes an org's id or the local id "offline-edit new" printed:
a record an earlier line of the same input creates has no id to give yet (queue it with new
first). Every line is validated; a bad line stops with its line number,
and the lines before it stay queued. It prints how many lines it applied and how many changes
the queue holds: an edit of a record already changed joins that change (one per record), and
an edit to the values a record has changes nothing.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := cmd.InOrStdin()
			if len(args) == 1 && args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			return withOfflineEngine(cmd.Context(), of, queueLockWait, func(ctx context.Context, eng *pending.Engine) error {
				var rounded []string
				n, err := applyLines(ctx, eng, in, &rounded)
				sayRounded(cmd, rounded)
				// Lines are not changes: an edit of a record already changed joins its change,
				// one that sets the values the record has changes nothing.
				held := "?"
				if ents, lerr := eng.Entries(context.WithoutCancel(ctx)); lerr == nil {
					held = strconv.Itoa(len(ents))
				}
				fmt.Fprintf(cmd.OutOrStdout(), "applied %d line(s); the queue now holds %s change(s)\n", n, held)
				if err != nil && ctx.Err() != nil {
					// Which line stopped is of no use; how many went in is (the rest was not read).
					return &exitError{130, fmt.Errorf("interrupted after %d line(s) were applied; the rest of the input was not read", n)}
				}
				return err
			})
		},
	}
	return []*cobra.Command{newCmd, editCmd, deleteCmd, applyCmd}
}

// withDeviceData runs fn on the device's database for reading: through an offline session,
// or, while another offline-edit process holds the database (the app running), read-only
// beside it, saying so on stderr.
func withDeviceData(cmd *cobra.Command, of *orgFlags, fn func(context.Context, *cache.DB) error) error {
	return withDeviceEngine(cmd, of, func(ctx context.Context, db *cache.DB, _ *pending.Engine) error { return fn(ctx, db) })
}

// withDeviceEngine is withDeviceData that also gives the device's engine, or nil when the
// database is read beside another process (or read-only): what only the engine knows is then
// left out.
func withDeviceEngine(cmd *cobra.Command, of *orgFlags, fn func(context.Context, *cache.DB, *pending.Engine) error) error {
	ctx := cmd.Context()
	err := withOfflineEngine(ctx, of, 0, func(ctx context.Context, eng *pending.Engine) error {
		return fn(ctx, eng.DB(), eng)
	})
	held := errors.Is(err, cache.ErrAlreadyOpen)
	if !held && !cache.Unwritable(err) && !cache.Locked(err) {
		return err
	}
	path, perr := of.heldDevicePath()
	if perr != nil {
		return err
	}
	db, rerr := cache.OpenReadOnly(path)
	if rerr != nil {
		return errors.Join(err, rerr)
	}
	defer db.Close()
	switch {
	case held:
		fmt.Fprintln(cmd.ErrOrStderr(), "offline-edit: another offline-edit process has this device open; showing what it has saved so far (read-only)")
	case cache.Locked(err):
		fmt.Fprintf(cmd.ErrOrStderr(), "offline-edit: another program keeps %s locked (an open sqlite3 transaction?); showing what the device has saved (read-only)\n", tui.CleanLine(path))
	default:
		// Reading needs no write: the queue is shown as it was saved, and the reason stays said.
		fmt.Fprintf(cmd.ErrOrStderr(), "offline-edit: %v\noffline-edit: showing what the device has saved (read-only)\n", err)
	}
	return fn(ctx, db, nil)
}

// withOfflineEngine runs fn on the device, offline, waiting up to lockWait for another process
// that has it open.
// queueBeside reads the device's queue without a session, read-only (nil when the device
// cannot be named or read that way).
func queueBeside(ctx context.Context, of *orgFlags) []namedEntry {
	path, err := of.heldDevicePath()
	if err != nil {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	db, err := cache.OpenReadOnly(path)
	if err != nil {
		return nil
	}
	defer db.Close()
	ctx = context.WithoutCancel(ctx)
	entries, err := pending.ReadEntries(ctx, db)
	if err != nil {
		return nil
	}
	if entries == nil {
		entries = []pending.Entry{}
	}
	facts, err := readConflictFacts(ctx, db, entries)
	if err != nil {
		return nil
	}
	return namedEntries(entries, facts)
}

func withOfflineEngine(ctx context.Context, of *orgFlags, lockWait time.Duration, fn func(context.Context, *pending.Engine) error) error {
	s, err := openDeviceSession(ctx, of, lockWait)
	if err != nil {
		if ctx.Err() != nil {
			return &exitError{130, err} // interrupted while waiting for the device or the org
		}
		// As sync says it: 2 when the org refused the sign-in, 3 when it could not be reached
		// or was busy (a device that never signed in there needs it), else 1.
		return sessionExit(err)
	}
	defer s.Close()
	s.printStartNotes(os.Stderr, true)
	return fn(ctx, s.eng)
}

type changeLine struct {
	Op     string         `json:"op"`
	Object string         `json:"object"`
	Record string         `json:"record"`
	Fields map[string]any `json:"fields"`
}

// applyLines queues the changes of r's lines; rounded gets a note for each number rounded to
// its field's decimals, with its line.
func applyLines(ctx context.Context, eng *pending.Engine, r io.Reader, rounded *[]string) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	n, line := 0, 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if !utf8.ValidString(text) {
			// encoding/json would turn each bad byte into U+FFFD: the org would get other text.
			return n, fmt.Errorf("line %d is not UTF-8 text (the byte 0x%02x at %d): the org takes only UTF-8; convert it first (iconv)", line, text[invalidUTF8At(text)], invalidUTF8At(text))
		}
		var cl changeLine
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber() // a number's digits as written: a float64 would round a long one unseen
		if err := dec.Decode(&cl); err != nil {
			return n, fmt.Errorf("line %d: %v", line, err)
		}
		if dec.InputOffset() != int64(len(text)) {
			return n, fmt.Errorf("line %d: more after the JSON object (one change per line)", line)
		}
		var err error
		switch cl.Op {
		case "new", "create", "edit", "update", "delete":
			if cl.Object == "" {
				err = errors.New(`no "object" given`)
			} else {
				cl.Object, err = objectName(eng, cl.Object)
			}
		}
		var notes []string
		if err == nil {
			notes, err = checkLine(ctx, eng, cl)
		}
		switch {
		case err != nil:
		case cl.Op == "new" || cl.Op == "create":
			if err = checkDependentsOf(ctx, eng, cl.Object, "", remote.Fields(cl.Fields)); err == nil {
				_, err = eng.Create(ctx, cl.Object, remote.Fields(cl.Fields))
			}
		case cl.Op == "edit" || cl.Op == "update":
			var id string
			if id, err = findRecord(ctx, eng, cl.Object, cl.Record); err == nil {
				err = checkDependentsOf(ctx, eng, cl.Object, id, remote.Fields(cl.Fields))
			}
			if err == nil {
				err = eng.Edit(ctx, cl.Object, id, remote.Fields(cl.Fields))
			}
		case cl.Op == "delete":
			var id string
			if id, err = findRecord(ctx, eng, cl.Object, cl.Record); err == nil {
				err = eng.Delete(ctx, cl.Object, id)
			}
		default:
			err = fmt.Errorf("unknown op %q (want new, edit or delete)", cl.Op)
		}
		if err != nil {
			return n, fmt.Errorf("line %d: %w", line, err)
		}
		for _, note := range notes {
			*rounded = append(*rounded, fmt.Sprintf("line %d: %s", line, note))
		}
		n++
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return n, fmt.Errorf("line %d is longer than 16 MB: one change per line", line+1)
	} else if err != nil {
		return n, fmt.Errorf("line %d: %w", line+1, err)
	}
	return n, nil
}

// checkLine checks the object and fields of a new or edit line against the cached describe,
// and says which numbers it rounds to their fields' decimals.
func checkLine(ctx context.Context, eng *pending.Engine, cl changeLine) ([]string, error) {
	switch cl.Op {
	case "new", "create", "edit", "update":
	default:
		return nil, nil // the op is refused below
	}
	if cl.Object == "" {
		return nil, errors.New(`no "object" given`)
	}
	d, err := describeFor(ctx, eng, cl.Object)
	if err != nil {
		return nil, err
	}
	if len(cl.Fields) == 0 && (cl.Op == "edit" || cl.Op == "update") {
		return nil, errors.New(`an edit needs "fields"`)
	}
	rounded, err := normalizeValues(ctx, eng.DB(), d, remote.Fields(cl.Fields))
	if err != nil {
		return nil, err
	}
	return rounded, checkRequired(d, remote.Fields(cl.Fields), cl.Op == "new" || cl.Op == "create")
}

// findRecord resolves an id or an exact name among the cached records of object.
// namedRecord is the object and record id that a command line's OBJECT and ID|NAME name.
func namedRecord(ctx context.Context, eng *pending.Engine, objectArg, ref string) (object, id string, err error) {
	if object, err = objectName(eng, objectArg); err != nil {
		return "", "", err
	}
	id, err = findRecord(ctx, eng, object, ref)
	return object, id, err
}

func findRecord(ctx context.Context, eng *pending.Engine, object, ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", errors.New("no record given")
	}
	if rv, err := eng.Record(ctx, object, ref); err == nil {
		return rv.ID, nil // a record created offline that the org has since is named by its id
	}
	// Every record the filter matches is read (it also matches phones, cities…): the one named
	// exactly may come after many whose names only contain it.
	var ids []string
	const pageSize = 500
	for offset := 0; ; offset += pageSize {
		page, err := eng.List(ctx, pending.ListQuery{Object: object, Filter: ref, Offset: offset, Limit: pageSize})
		if err != nil {
			return "", err
		}
		for _, r := range page.Rows {
			if strings.EqualFold(r.Name, ref) {
				ids = append(ids, r.ID)
			}
		}
		if len(page.Rows) < pageSize {
			break
		}
	}
	switch len(ids) {
	case 0:
		if any, err := eng.List(ctx, pending.ListQuery{Object: object, Limit: 1}); err == nil && len(any.Rows) > 0 {
			return "", fmt.Errorf("no cached %s named or with id %q: the device keeps, per object, the %d records most recently changed and those it has changes for (`offline-edit list %s FILTER` shows what it has, with ids: a name holding characters a terminal does not draw is named by its id)", object, ref, eng.PerObject(), object)
		}
		return "", fmt.Errorf("no cached %s named or with id %q (is the cache primed? run `offline-edit sync` once online)", object, ref)
	case 1:
		return ids[0], nil
	}
	return "", fmt.Errorf("%d cached %s records are named %q; give the id (%s)", len(ids), object, ref, strings.Join(ids, ", "))
}

// objectName is the name of the object this device caches that name names: API names are
// case-insensitive, as on the org ("contact" is Contact).
func objectName(eng *pending.Engine, name string) (string, error) {
	objects := eng.Objects()
	if slices.Contains(objects, name) {
		return name, nil
	}
	for _, o := range objects {
		if strings.EqualFold(o, strings.TrimSpace(name)) {
			return o, nil
		}
	}
	return "", fmt.Errorf("%s is not an object this device caches (it caches %s)", jsonText(name), strings.Join(objects, ", "))
}

// describeFor is the cached describe of object, or an error that says what to do.
func describeFor(ctx context.Context, eng *pending.Engine, object string) (*remote.Describe, error) {
	d, err := eng.Describe(ctx, object)
	if err != nil {
		if !slices.Contains(eng.Objects(), object) {
			return nil, fmt.Errorf("%s is not an object this device caches (it caches %s)", object, strings.Join(eng.Objects(), ", "))
		}
		if errors.Is(err, pending.ErrNotFound) {
			return nil, fmt.Errorf("%w (is the cache primed? run `offline-edit sync` once online)", err)
		}
		return nil, err
	}
	return d, nil
}

// noField is the error for a field name the object does not have: when it is a field's label
// (as the screens show it), the error names the field's API name, which the commands take.
func noField(d *remote.Describe, name string) error {
	for _, f := range d.Fields {
		if strings.EqualFold(strings.TrimSpace(name), f.Label) {
			return fmt.Errorf("%s has no field %q: fields are named by their API names here, and %q is the label of %s", d.Name, name, f.Label, f.Name)
		}
	}
	return fmt.Errorf("%s has no field %q", d.Name, name)
}

// normalizeValues refuses, before anything is queued, fields the object does not have and
// values that do not fit their fields' types (a value the org could never take would only come
// back from the next sync as a refusal), and turns the values the org would convert (12 as text
// for a number, a number for a text field, "true" for a checkbox) into the field's own type, in
// place, so that the queue and the screens hold what the org will store.
// A lookup at users takes a user's name too (userByName).
// It returns a note for each number rounded to its field's decimals (roundedNote).
func normalizeValues(ctx context.Context, db *cache.DB, d *remote.Describe, fields remote.Fields) (rounded []string, err error) {
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		f, ok := d.Field(name)
		if !ok {
			return nil, noField(d, name)
		}
		v, err := userByName(ctx, db, f, fields[name])
		if err != nil {
			return nil, err
		}
		given := v
		v, err = normalizeValue(f, v)
		if err != nil {
			return nil, err
		}
		if note := roundedNote(f, given); note != "" {
			rounded = append(rounded, note)
		}
		fields[name] = v
	}
	return rounded, nil
}

// decimalNumber is a number as people and the org write it: no hex, no underscores, no Inf.
var decimalNumber = regexp.MustCompile(`^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// dateTimeLayouts are the date-time forms the org reads: RFC 3339, and its own wire form with
// milliseconds and an offset without a colon; without an offset the time is UTC.
var dateTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"}

// normalizeValue is v as a value of f, or what is wrong with it (nil clears any field).
func normalizeValue(f remote.Field, v any) (any, error) {
	if f.Type == "id" || f.Name == "Id" {
		return nil, fmt.Errorf("%s is given by the org and can't be set (to change a record, name it: edit OBJECT ID|NAME FIELD=VALUE)", f.Name)
	}
	if v == nil {
		return nil, nil
	}
	if x, ok := v.(json.Number); ok {
		// A number from a JSON line, as written: a number field checks its digits; text takes
		// them as they are; other fields refuse a number as they would a float64.
		switch f.Type {
		case "double", "currency", "percent", "int", "long": // its digits are checked below
		case "anyType":
			n, exact := remote.ExactNumber(x.String())
			if !exact {
				if math.IsInf(n, 0) {
					return nil, fmt.Errorf("%s: %s is not a number the org can store", f.Name, x)
				}
				return nil, fmt.Errorf("%s: %s", f.Name, remote.NotKeptExactly(x.String(), n))
			}
			v = n
		case "boolean", "date", "datetime": // refused below, as a float64 would be
			n, _ := x.Float64()
			v = n
		default:
			v = x.String()
		}
	}
	switch f.Type {
	case "double", "currency", "percent", "int", "long":
		var n float64
		switch x := v.(type) {
		case float64:
			n = x
		case string, json.Number:
			t := strings.TrimSpace(fmt.Sprint(x))
			if !decimalNumber.MatchString(t) {
				return nil, fmt.Errorf("%s is a number (%s): give a number, not %s", f.Name, f.Type, jsonText(v))
			}
			scaled := f.Precision > 0 && (f.Type == "double" || f.Type == "currency" || f.Type == "percent")
			if plain, ok := remote.PlainDecimal(t); scaled && ok {
				// As the org will store it: rounded to the field's decimals, on the digits
				// written (12.339999999999999 is 12.34, as its float64 is; 1.5e0 is 2).
				t = remote.RoundDecimal(plain, f.Scale)
			}
			var exact bool
			if n, exact = remote.ExactNumber(t); !exact && !math.IsInf(n, 0) {
				return nil, fmt.Errorf("%s: %s", f.Name, remote.NotKeptExactly(t, n))
			}
		default:
			return nil, fmt.Errorf("%s is a number (%s): give a number, not %s", f.Name, f.Type, jsonText(v))
		}
		whole := f.Type == "int" || f.Type == "long"
		switch {
		case math.IsNaN(n) || math.IsInf(n, 0):
			return nil, fmt.Errorf("%s: %s is not a number the org can store", f.Name, jsonText(v))
		case whole && n != math.Trunc(n):
			return nil, fmt.Errorf("%s is a whole number: give %s or %s, not %s", f.Name, remote.FormatNumber(math.Floor(n)), remote.FormatNumber(math.Ceil(n)), remote.FormatNumber(n))
		case f.Precision > 0 && math.Abs(n) >= math.Pow10(f.Precision-f.Scale):
			return nil, fmt.Errorf("%s takes at most %d digits before the decimal point, not %s", f.Name, f.Precision-f.Scale, remote.FormatNumber(n))
		}
		if n == 0 {
			n = 0 // -0 (or -0.001 rounded) is 0: the org keeps no sign on zero
		}
		return n, nil
	case "boolean":
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
		}
		return nil, fmt.Errorf("%s is a checkbox: give true or false, not %s", f.Name, jsonText(v))
	case "date":
		s, ok := v.(string)
		if ok && len(s) > 10 && s[10] == 'T' {
			if _, err := parseDateTime(s); err == nil {
				s = s[:10] // the org keeps the date of a date-time
			}
		}
		if _, err := time.Parse(time.DateOnly, s); !ok || err != nil {
			if p := remote.CalendarProblem(s); ok && p != "" {
				return nil, fmt.Errorf("%s: %s is no date: %s", f.Name, jsonText(v), p)
			}
			return nil, fmt.Errorf("%s is a date: give YYYY-MM-DD (such as 2025-03-31), not %s", f.Name, jsonText(v))
		}
		return s, nil
	case "datetime":
		s, ok := v.(string)
		t, err := parseDateTime(s)
		if ok && err != nil && len(s) > 10 && s[10] == ' ' {
			// As the app takes it: YYYY-MM-DD HH:MM in this machine's time zone (TZ).
			if t, err = tui.ParseTypedDateTime(s, nil); err != nil {
				return nil, fmt.Errorf("%s: %s is no date and time: %v", f.Name, jsonText(v), err)
			}
		}
		if !ok || err != nil {
			if p := remote.CalendarProblem(s); ok && p != "" {
				return nil, fmt.Errorf("%s: %s is no date and time: %s", f.Name, jsonText(v), p)
			}
			return nil, fmt.Errorf("%s is a date and time: give YYYY-MM-DD HH:MM in this machine's time zone (%s), or YYYY-MM-DDThh:mm:ssZ in UTC (such as 2025-03-31T09:30:00Z), not %s",
				f.Name, tui.ZoneName(time.Now()), jsonText(v))
		}
		// In the org's own form, as its copy will come back: the engine compares the two.
		return remote.FormatTime(t), nil
	case "anyType":
		switch v.(type) {
		case string, float64, bool:
			return v, nil
		}
	default: // text of every kind: string, textarea, picklist, reference, email, phone, url, time…
		var text string
		switch x := v.(type) {
		case string:
			text = x
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("%s is a %s field: give text (in quotes), not %s", f.Name, f.Type, jsonText(v))
			}
			text = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			text = strconv.FormatBool(x)
		default:
			return nil, fmt.Errorf("%s is a %s field: give text (in quotes), not %s", f.Name, f.Type, jsonText(v))
		}
		if f.Type == "email" {
			text = strings.TrimSpace(text) // an address has no spaces around it
		}
		// A lookup may hold the local id of a record created offline, longer than an org id
		// (it is replaced before anything is sent): the org checks its ids itself.
		if n := utf8.RuneCountInString(text); f.Length > 0 && n > f.Length && f.Type != "reference" {
			return nil, fmt.Errorf("%s takes at most %d characters, not %d", f.Name, f.Length, n)
		}
		if err := checkText(f, text); err != nil {
			return nil, err
		}
		return text, nil
	}
	return nil, fmt.Errorf("%s is a %s field: give text (in quotes), not %s", f.Name, f.Type, jsonText(v))
}

// emailAddress is an address as the org takes it in an email field: letters and digits of any
// script, as an org with Email Address Internationalization takes them (josé@empresa.es,
// a@bücher.de); the org itself judges what it allows beyond that.
var emailAddress = regexp.MustCompile(`^[\p{L}\p{N}.!#$%&'*+/=?^_{|}~-]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)+$`)

// checkText refuses text the org refuses in f whatever the record: a value a restricted
// picklist does not list, an email field's text that is no address. Queued, either would come
// back from the sync as an orange refusal, which locks the record: a script could neither fix
// nor discard it.
func checkText(f remote.Field, text string) error {
	switch {
	case text == "":
		return nil
	case f.Type == "email" && !emailAddress.MatchString(text):
		return fmt.Errorf("%s is an email field: give an address such as name@example.com, not %s", f.Name, jsonText(text))
	case f.RestrictedPicklist && (f.Type == "picklist" || f.Type == "multipicklist"):
		values := []string{text}
		if f.Type == "multipicklist" {
			// Each value chosen, as the org reads them (spaces around a value go).
			if values = remote.SplitChoices(text); len(values) == 0 {
				return fmt.Errorf("%s: %s chooses no value; give %s= to empty it", f.Name, jsonText(text), f.Name)
			}
		}
		for _, v := range values {
			if !slices.ContainsFunc(f.PicklistValues, func(p remote.PicklistValue) bool { return p.Value == v }) {
				return fmt.Errorf("%s takes only its picklist's values, not %s: %s", f.Name, jsonText(v), picklistHint(f, v))
			}
		}
	}
	return nil
}

// picklistHint names the value v was likely meant to be, or the values f takes.
func picklistHint(f remote.Field, v string) string {
	var names []string
	for _, p := range f.PicklistValues {
		if strings.EqualFold(p.Value, strings.TrimSpace(v)) {
			return fmt.Sprintf("did you mean %s?", jsonText(p.Value))
		}
		if p.Active {
			names = append(names, p.Value)
		}
	}
	list := strings.Join(names, ", ")
	if len(names) > 12 {
		list = strings.Join(names[:12], ", ") + fmt.Sprintf(" and %d more", len(names)-12)
	}
	return "one of " + tui.CleanLine(list)
}

// checkRequired refuses a new record that leaves out a field a create must give (the org
// would refuse it with REQUIRED_FIELD_MISSING, and the record would be locked), and an edit
// that empties a field the org keeps filled.
func checkRequired(d *remote.Describe, fields remote.Fields, creating bool) error {
	var missing []string
	for _, f := range d.Fields {
		v, given := fields[f.Name]
		// Spaces alone are no value: the org refuses them as it refuses none (REQUIRED_FIELD_MISSING).
		if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
			v = nil
		}
		switch {
		case creating && f.Required() && v == nil:
			missing = append(missing, f.Name)
		case !creating && given && v == nil && !f.Nillable && f.Updateable && f.Type != "boolean":
			return fmt.Errorf("%s can't be emptied: every %s has one", f.Name, d.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("a new %s needs %s: give %s=VALUE", d.Name, strings.Join(missing, ", "), missing[0])
	}
	return nil
}

// invalidUTF8At is the offset of the first byte of s that is not part of UTF-8 text.
func invalidUTF8At(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return i
			}
		}
	}
	return 0
}

// parseDateTime reads a date-time in one of the forms the org reads.
func parseDateTime(s string) (time.Time, error) {
	var err error
	for _, layout := range dateTimeLayouts {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// jsonText is v as JSON, clipped, for messages.
func jsonText(v any) string {
	if s, ok := v.(string); ok {
		// Quoted with every character that does not print escaped: JSON leaves C1 controls
		// raw, and cleaning them for the terminal then ate the letter after a CSI.
		return clip(strconv.Quote(s), 60)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return clip(tui.CleanLine(string(b)), 60)
}

// parseAssignments turns FIELD=VALUE arguments into typed field values using the cached describe.
// creating says the fields are a new record's, which must give every required field.
func parseAssignments(ctx context.Context, eng *pending.Engine, object string, args []string, creating bool) (fields remote.Fields, rounded []string, err error) {
	d, err := describeFor(ctx, eng, object)
	if err != nil {
		return nil, nil, err
	}
	fields = remote.Fields{}
	for _, a := range args {
		name, val, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return nil, nil, fmt.Errorf("%q: want FIELD=VALUE", a)
		}
		if !utf8.ValidString(val) {
			return nil, nil, fmt.Errorf("%s: the value is not UTF-8 text (the byte 0x%02x at %d): the org takes only UTF-8; convert it first (iconv)", clip(tui.CleanLine(name), 60), val[invalidUTF8At(val)], invalidUTF8At(val))
		}
		f, ok := d.Field(name)
		if !ok {
			return nil, nil, noField(d, name)
		}
		v, err := typedValue(f, val)
		if err != nil {
			return nil, nil, err
		}
		if v, err = userByName(ctx, eng.DB(), f, v); err != nil {
			return nil, nil, err
		}
		if v, err = normalizeValue(f, v); err != nil {
			return nil, nil, err
		}
		if note := roundedNote(f, val); note != "" {
			rounded = append(rounded, note)
		}
		fields[f.Name] = v
	}
	if err := checkRequired(d, fields, creating); err != nil {
		return nil, nil, err
	}
	return fields, rounded, nil
}

// roundedNote says how a number given for a field with decimals is rounded to them, as the org
// stores it ("AnnualRevenue 5.5 is queued as 6: the field keeps no decimals"), or "" when it
// is kept as given.
func roundedNote(f remote.Field, given any) string {
	if f.Precision == 0 || f.Type != "double" && f.Type != "currency" && f.Type != "percent" {
		return ""
	}
	var t string
	switch x := given.(type) {
	case string:
		t = strings.TrimSpace(x)
	case json.Number:
		t = x.String()
	default:
		return "" // a float64 is rounded as the number it is, with no digits written to lose
	}
	plain, ok := remote.PlainDecimal(t)
	if !ok {
		return ""
	}
	a, errA := strconv.ParseFloat(plain, 64)
	b, errB := strconv.ParseFloat(remote.RoundDecimal(plain, f.Scale), 64)
	if errA != nil || errB != nil || a == b {
		return ""
	}
	decimals := "no decimals"
	if f.Scale == 1 {
		decimals = "1 decimal"
	} else if f.Scale > 1 {
		decimals = strconv.Itoa(f.Scale) + " decimals"
	}
	return fmt.Sprintf("%s %s is queued as %s: the field keeps %s", f.Name, clip(t, 40), remote.FormatNumber(b), decimals)
}

// sayRounded tells, on standard error, of the numbers a command rounded to their fields'
// decimals (a script is told too: the org will not hold what it gave).
func sayRounded(cmd *cobra.Command, notes []string) {
	const most = 5
	for i, n := range notes {
		if i == most {
			fmt.Fprintf(cmd.ErrOrStderr(), "offline-edit: and %d more numbers rounded to their fields' decimals\n", len(notes)-most)
			break
		}
		fmt.Fprintln(cmd.ErrOrStderr(), "offline-edit: "+tui.CleanLine(n)+".")
	}
}

// userByName takes a lookup at users (an owner) given as a user's name, as the app's messages
// name users ("set Owner back to Sam Chen"), for that user's id, when the device knows one
// user of that name. An id, or any other field's value, is left as it is.
func userByName(ctx context.Context, db *cache.DB, f remote.Field, v any) (any, error) {
	s, ok := v.(string)
	if !ok || f.Type != "reference" || !slices.Contains(f.ReferenceTo, "User") || pending.LooksLikeRecordID(s) {
		return v, nil
	}
	ids, err := db.UserIDsNamed(ctx, s, 10)
	switch {
	case err != nil:
		return nil, err
	case len(ids) == 1:
		return ids[0], nil
	case len(ids) > 1:
		return nil, fmt.Errorf("%s: several users are named %s: give the id of the one you mean (%s)", f.Name, jsonText(s), strings.Join(ids, ", "))
	}
	return nil, fmt.Errorf("%s: no user named %s is known on this device: give the user's id (005…)", f.Name, jsonText(s))
}

func typedValue(f remote.Field, s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	switch f.Type {
	case "double", "currency", "percent", "int", "long":
		// As typed: normalizeValue checks that the device keeps its digits.
		if !decimalNumber.MatchString(strings.TrimSpace(s)) {
			return nil, fmt.Errorf("%s: %q is not a number", f.Name, s)
		}
		return strings.TrimSpace(s), nil
	case "boolean":
		v, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not true or false", f.Name, s)
		}
		return v, nil
	}
	return s, nil
}

func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeForTerminal(buf.Bytes()))
	return err
}

// escapeForTerminal rewrites, as \u escapes, the characters encoding/json leaves raw that a
// terminal would act on or that reorder what is shown: C1 controls (U+0080–U+009F, U+009B is a
// CSI) and the bidirectional overrides and isolates. The JSON means the same; values from the
// org cannot drive the terminal of whoever reads it.
func escapeForTerminal(data []byte) []byte {
	if !bytes.ContainsFunc(data, unsafeInTerminal) {
		return data
	}
	out := make([]byte, 0, len(data)+32)
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if unsafeInTerminal(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, data[:n]...)
		}
		data = data[n:]
	}
	return out
}

func unsafeInTerminal(r rune) bool {
	return r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clip shortens s to n terminal columns, ending it with … when it was longer.
func clip(s string, n int) string {
	if ansi.StringWidth(s) <= n {
		return s
	}
	return ansi.Truncate(s, n, "…")
}
