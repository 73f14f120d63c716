package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
	"github.com/offline-edit/offline-edit/remote/netsim"
	"github.com/offline-edit/offline-edit/remote/signin"
	"github.com/offline-edit/offline-edit/scenario"
	"github.com/offline-edit/offline-edit/tui"
)

const (
	defaultUser     = "alex@demo.example"
	demoPassword    = "demo"
	embeddedURL     = "https://demo.offline-edit.invalid"
	defaultLoginURL = "https://login.salesforce.com"
)

// orgFlags choose the org, the user and the device database. They are shared by the app and the
// headless commands.
type orgFlags struct {
	orgURL      string
	user        string
	password    string
	instanceURL string
	accessToken string
	targetOrg   string
	oauth       bool
	device      bool
	clientID    string
	loginURL    string
	remember    bool
	oauthPort   int

	dbPath    string
	dataDir   string
	seed      int64
	size      int
	profile   string
	extra     map[string]int
	strict    bool
	objects   []string
	perObject int

	userFlag *pflag.Flag // --user, to tell a name given from the default
}

// userGiven reports whether --user was given on the command line.
func (f *orgFlags) userGiven() bool { return f.userFlag != nil && f.userFlag.Changed }

func (f *orgFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.orgURL, "org", "", "URL of a served mock org (offline-edit serve); signs in with --user/--password")
	fs.StringVar(&f.user, "user", defaultUser, "user to sign in as (embedded org or --org); with --access-token, whose token it is when the org cannot say")
	f.userFlag = fs.Lookup("user")
	fs.StringVar(&f.password, "password", demoPassword, "password for --org")
	fs.StringVar(&f.instanceURL, "instance-url", "", "real org: instance URL (or SF_INSTANCE_URL)")
	fs.StringVar(&f.accessToken, "access-token", "", "real org: access token (or SF_ACCESS_TOKEN)")
	fs.StringVar(&f.targetOrg, "target-org", "", "real org: Salesforce CLI `ALIAS` or username (runs the sf CLI)")
	fs.BoolVar(&f.oauth, "oauth", false, "real org: sign in with OAuth (web-server flow + PKCE, loopback redirect)")
	fs.BoolVar(&f.device, "device", false, "real org: sign in with the OAuth device flow (enter a code on any device; for SSH sessions without a browser)")
	fs.StringVar(&f.clientID, "client-id", "", "connected app consumer key for --oauth or --device")
	fs.StringVar(&f.loginURL, "login-url", defaultLoginURL, "login host for --oauth or --device (https://test.salesforce.com for sandboxes)")
	fs.BoolVar(&f.remember, "remember", false, "with --oauth or --device: keep the refresh token in the OS keyring")
	fs.IntVar(&f.oauthPort, "oauth-port", 1717, "with --oauth: loopback port of the redirect (the connected app's callback is http://localhost:PORT/OauthRedirect)")
	fs.StringVar(&f.dbPath, "db", "", "device database file (default: one per org and user under the XDG data directory)")
	fs.StringVar(&f.dataDir, "data-dir", "", "directory for the demo org and device databases (default $XDG_DATA_HOME/offline-edit)")
	fs.Int64Var(&f.seed, "seed", 1, "embedded org: seed of the demo data")
	fs.IntVar(&f.size, "size", 0, "embedded org: number of seeded records (0 = default)")
	fs.StringVar(&f.profile, "profile", "demo", "embedded org profile: demo, or real (no Offline_Key__c, stricter replies)")
	fs.StringToIntVar(&f.extra, "extra-fields", nil, "embedded org: give objects this many more custom text fields, as a big org's have (e.g. Account=450, up to 800)")
	fs.BoolVar(&f.strict, "strict", false, "treat any remote change to a record I changed as a conflict (no auto-merge; a field both set to the same value is none)")
	fs.StringSliceVar(&f.objects, "objects", nil, "objects to cache (default Account,Contact,Opportunity,Lead,Case,Task)")
	fs.IntVar(&f.perObject, "per-object", 0, "records per object to cache when priming (0 = default)")
}

// embeddedOptions are the embedded org's, kept in path.
func (f *orgFlags) embeddedOptions(path string) mockorg.Options {
	return mockorg.Options{Seed: f.seed, Size: f.size, DBPath: path, Profile: mockorg.Profile(f.profile), ExtraFields: f.extra}
}

func (f *orgFlags) embedded() bool {
	return f.orgURL == "" && f.instanceURL == "" && f.accessToken == "" && f.targetOrg == "" && !f.oauth && !f.device &&
		os.Getenv("SF_INSTANCE_URL") == "" && os.Getenv("SF_ACCESS_TOKEN") == ""
}

// signInWays names the ways of signing in the flags ask for; more than one is an error (the
// app would otherwise pick one silently). The SF_* variables count only when no flag is given.
func (f *orgFlags) signInWays() []string {
	var ways []string
	if f.orgURL != "" {
		ways = append(ways, "--org")
	}
	if f.instanceURL != "" || f.accessToken != "" {
		ways = append(ways, "--instance-url/--access-token")
	}
	if f.targetOrg != "" {
		ways = append(ways, "--target-org")
	}
	if f.oauth {
		ways = append(ways, "--oauth")
	}
	if f.device {
		ways = append(ways, "--device")
	}
	return ways
}

// label names the org the flags choose, for messages written before a session exists.
func (f *orgFlags) label() string {
	switch {
	case f.orgURL != "":
		return strings.TrimRight(f.orgURL, "/")
	case f.targetOrg != "":
		return f.targetOrg
	case f.instanceURL != "":
		return f.instanceURL
	case f.oauth || f.device:
		return f.loginURL
	case f.embedded():
		return "embedded demo org"
	}
	return "the org"
}

func (f *orgFlags) dir() (string, error) {
	if f.dataDir != "" {
		return f.dataDir, usableDir(f.dataDir, "--data-dir")
	}
	base := os.Getenv("XDG_DATA_HOME")
	if base == "" || !filepath.IsAbs(base) { // a relative one is ignored, as the XDG spec says
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no data directory: %w", err)
		}
		base = filepath.Join(home, ".local", "share")
	}
	d := filepath.Join(base, "offline-edit")
	return d, usableDir(d, "the data directory")
}

// usableDir makes dir if it is missing and says, naming what set it, when it is a file or
// cannot be written (the demo org and the device's databases are written there).
func usableDir(dir, what string) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("%w: %s %s is a file, not a directory; choose a directory", errBadFlags, what, dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("%s %s cannot be made: %w", what, dir, err)
	}
	probe, err := os.CreateTemp(dir, writeProbe)
	if err != nil {
		return fmt.Errorf("%s %s cannot be written (%w); make it writable or choose another", what, dir, err)
	}
	probe.Close()
	sweepProbes(dir, probe.Name())
	if err := os.Remove(probe.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// writeProbe names the empty file usableDir writes to learn that a directory takes files.
const writeProbe = ".writable-*"

// sweepProbes removes the probes of processes killed between making theirs and removing it,
// leaving a running process's (a minute is far longer than a probe lives).
func sweepProbes(dir, mine string) {
	names, _ := os.ReadDir(dir) // not a glob: the directory's own name may hold [ or *
	for _, n := range names {
		p := filepath.Join(dir, n.Name())
		if !strings.HasPrefix(n.Name(), strings.TrimSuffix(writeProbe, "*")) || p == mine {
			continue
		}
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 && time.Since(fi.ModTime()) > time.Minute {
			_ = os.Remove(p)
		}
	}
}

func (f *orgFlags) demoOrgPath() (string, error) {
	d, err := f.dir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "demo-org.db"), nil
}

// session is one signed-in device: the org client behind the network switch, the cache and the
// engine. For the embedded org it also holds the org itself.
type session struct {
	org     *mockorg.Org // nil unless embedded (and opened at once)
	lazyOrg *lazyOrg     // the embedded org when a headless command opens it only if asked
	net     *netsim.Network
	client  *remote.Client
	db      *cache.DB
	eng     *pending.Engine
	label   string // where we are connected, for messages
	baseRT  http.RoundTripper
	orgURL  string
	engSink engineSink
	// verifyOwner: a bare token's user was named by --user, not by the org (it did not say, or
	// could not be reached): nothing is sent until it says so.
	verifyOwner bool
	// rememberVouched remembers such a token as its user's once the org has said so.
	rememberVouched func()
	dbPath          string // the device database's file
	// openedOffline says the org could not be reached when the session opened: the device's
	// data is open with the last session's identity and no token yet.
	openedOffline bool
	offlineErr    error // why, when openedOffline
	// afresh says why the device's cache was started afresh as the session opened ("" when it
	// was not): the org at the address is another than the cache came from.
	afresh string
	// tokenOnly: the session is a bare access token, which nothing can renew.
	tokenOnly bool
}

// startNotes is what the opening of the session has to tell the user: that the device's cache
// started afresh, and, with offline, that the org could not be reached and what happens next
// (sync does not ask for that: it goes on to try the org and says what it found). The app
// shows them on its first screen; the headless commands print them (printStartNotes).
func (s *session) startNotes(offline bool) []string {
	var notes []string
	if s.afresh != "" {
		notes = append(notes, s.afresh)
	}
	if offline && s.openedOffline {
		notes = append(notes, offlineNote(s.label, s.offlineErr))
	}
	return notes
}

// printStartNotes prints startNotes to w (stderr), for the headless commands.
func (s *session) printStartNotes(w io.Writer, offline bool) {
	for _, n := range s.startNotes(offline) {
		fmt.Fprintln(w, "offline-edit:", tui.CleanLine(n))
	}
}

// engineSink forwards the client's request log to the engine, which is built after the client.
type engineSink struct{ eng *pending.Engine }

func (s *engineSink) observe(ri remote.RequestInfo) {
	if s.eng != nil {
		s.eng.Observe(ri)
	}
}

// openSession builds the device for the chosen org. online says whether the network starts up.
// openOffline is the session to open the device's data with when signing in failed with
// signInErr: when the org could not be reached (or was busy) and this way of signing in worked before, the
// session it gave then, without a token (signIn gets one once the device reaches the org);
// else signInErr.
func (s *session) openOffline(f *orgFlags, signInErr error, signIn func(context.Context) (signin.Session, error)) (signin.Session, error) {
	if !retryable(signInErr) {
		return signin.Session{}, signInErr
	}
	return s.openOfflineAnyway(f, signInErr, signIn)
}

// openOfflineAnyway is openOffline for a way of signing in whose failures do not say whether
// the network was at fault: any failure opens offline when the way worked before.
func (s *session) openOfflineAnyway(f *orgFlags, signInErr error, signIn func(context.Context) (signin.Session, error)) (signin.Session, error) {
	k, ok := f.recalledSession()
	if !ok {
		return signin.Session{}, signInErr
	}
	inner := signIn
	failedAt, timedOut := time.Now(), remote.IsTimeout(signInErr)
	signIn = func(ctx context.Context) (signin.Session, error) {
		if s.net != nil && !s.net.Online() {
			// Offline, nothing may leave the device: not even a sign-in the CLI would make.
			return signin.Session{}, fmt.Errorf("signing in: %w", remote.ErrOffline)
		}
		if timedOut && time.Since(failedAt) < signInTimeoutMemory {
			// The sign-in that just waited out its time would wait as long again.
			return signin.Session{}, signInErr
		}
		return inner(ctx)
	}
	s.openedOffline, s.offlineErr = true, signInErr
	return deferredSession(k, signIn), nil
}

// signInWhenOnline is the session to open the device's data with when the app starts offline
// (--offline) and this way of signing in worked here before: the session it gave then, without
// a token, and nothing sent at start; signIn runs when the device first goes online. ok is false
// when the app starts online or the device has never signed in this way.
func (s *session) signInWhenOnline(f *orgFlags, online bool, signIn func(context.Context) (signin.Session, error)) (sess signin.Session, ok bool) {
	if online {
		return signin.Session{}, false
	}
	k, ok := f.recalledSession()
	if !ok {
		return signin.Session{}, false
	}
	return deferredSession(k, func(ctx context.Context) (signin.Session, error) {
		if s.net != nil && !s.net.Online() {
			return signin.Session{}, fmt.Errorf("signing in: %w", remote.ErrOffline) // nothing leaves the device offline
		}
		return signIn(ctx)
	}), true
}

// withTokenOwner gives sess, a sign-in that names no org (the Salesforce CLI's), the identity
// of the token's user as the org tells it (userinfo), so that the device's data, and its queue,
// go to the org they came from and no other at the same address (a served org started afresh,
// a refreshed sandbox). An org that will not say leaves sess as it was, known by its address
// and user name.
func withTokenOwner(ctx context.Context, sess signin.Session, rt http.RoundTripper) signin.Session {
	if sess.IdentityURL != "" || sess.AccessToken == "" {
		return sess
	}
	c, err := remote.NewClient(ctx, remote.Config{InstanceURL: sess.InstanceURL, AccessToken: sess.AccessToken, Transport: rt, APIVersion: remote.MaxAPIVersion})
	if err != nil {
		return sess
	}
	user, id, err := c.TokenOwner(ctx)
	if err != nil || sess.Username != "" && !strings.EqualFold(strings.TrimSpace(user), strings.TrimSpace(sess.Username)) {
		return sess
	}
	sess.IdentityURL = id
	if sess.Username == "" {
		sess.Username = user
	}
	return sess
}

// signInTimeoutMemory is how long a sign-in that timed out is answered by its failure rather
// than tried again at once.
const signInTimeoutMemory = 15 * time.Second

// embeddedKey stands for the embedded demo org in device database names.
const embeddedKey = "embedded-demo"

// devicePath is the device database of a user of an org (key: its instance URL, or
// embeddedKey): --db when given, else one file per org and user in the data directory.
func (f *orgFlags) devicePath(key, username string) (string, error) {
	if f.dbPath != "" {
		return f.dbPath, nil
	}
	dir, err := f.dir()
	if err != nil {
		return "", err
	}
	path, err := cache.DefaultPath(key, username)
	if err != nil {
		return "", err
	}
	if f.dataDir != "" {
		path = filepath.Join(dir, filepath.Base(path))
	}
	return path, nil
}

// heldDevicePath is the device database the flags name, found without signing in: for the
// embedded org, --db, or a way of signing in that worked before on this machine.
func (f *orgFlags) heldDevicePath() (string, error) {
	switch {
	case f.dbPath != "":
		return f.dbPath, nil
	case f.embedded():
		return f.devicePath(embeddedKey, f.user)
	}
	if k, ok := f.recalledSession(); ok {
		return f.knownDevicePath(k)
	}
	return "", errors.New("this device's database cannot be named without signing in")
}

// heldUsername is the user whose data heldDevicePath names: the one a way of signing in that
// worked before signed in as, else --user.
func (f *orgFlags) heldUsername() string {
	if !f.embedded() {
		if k, ok := f.recalledSession(); ok {
			return k.Username
		}
	}
	return f.user
}

// checkOrgFlag checks --org before anything is sent to it and returns it without a trailing
// slash: a URL of a served mock org, https or http to this machine.
func checkOrgFlag(raw string) (string, error) {
	if t := strings.TrimSpace(raw); t != "" && !strings.Contains(t, "://") {
		example := "http://127.0.0.1:8787"
		if strings.ContainsAny(t, ".:") && !strings.ContainsAny(t, "/ \t") {
			example = "http://" + t // a host (and port) without its scheme
		}
		return "", fmt.Errorf("%w: --org %q is not a URL; give the one `offline-edit serve` prints, such as %s", errBadFlags, raw, example)
	}
	u, err := signin.CheckInstanceURL(raw)
	if err != nil {
		return "", fmt.Errorf("%w: --org: %w", errBadFlags, err)
	}
	if p, err := url.Parse(u); err == nil && p.Path != "" {
		p.Path = ""
		return "", fmt.Errorf("%w: --org %q has a path (%s); give the org's address alone, such as %s", errBadFlags, raw, strings.TrimPrefix(u, p.String()), p.String())
	}
	return u, nil
}

// embeddedOrgError says why the embedded demo org would not open, and what to do when another
// process has it: each process keeps the org in memory, so one org serves one process.
func embeddedOrgError(err error) error {
	if errors.Is(err, mockorg.ErrInUse) {
		return orgInUse{err}
	}
	return fmt.Errorf("embedded org: %w", err)
}

// orgInUse is the embedded org held by another process, said for the user (the org's own
// error, which names the file, stays in the chain).
type orgInUse struct{ err error }

func (e orgInUse) Error() string {
	_, file, _ := strings.Cut(e.err.Error(), mockorg.ErrInUse.Error()+": ")
	if file != "" {
		file = " (" + file + ")"
	}
	return "the embedded demo org" + file + " is open in another offline-edit process (the app, or a sync as another user): " +
		"quit that one first, act as another user from that app's backstage (B), or share one org between processes with `offline-edit serve` and --org"
}

func (e orgInUse) Unwrap() error { return e.err }

// errBadFlags marks a session the flags describe wrongly (nothing was tried).
var errBadFlags = errors.New("bad flags")

// errWhoseToken marks a bare access token whose user neither the org (out of reach, or not
// saying) nor the device could tell, and no --user names: nothing is tried (a local problem,
// like errBadFlags, but the flags themselves are not wrong).
var errWhoseToken = errors.New("whose access token is this?")

// openSession opens the device for the app or a sync, waiting up to openLockWait for another
// process to let go of it.
func openSession(ctx context.Context, f *orgFlags, online bool) (*session, error) {
	return openSessionFor(ctx, f, online, false, openLockWait)
}

// openLockWait is how long the app and sync wait for another offline-edit process to let go of
// the device before saying that one has it: a command that reads or queues holds it for a
// moment (a script polling pending beside a scheduled sync made the sync fail), the app until
// it quits.
var openLockWait = 2 * time.Second

// openDeviceSession opens the device for a headless command that only reads or queues (it
// stays offline throughout). On the embedded org it leaves the org closed while it can: the
// org loads every record when it opens (0.3 s at 20,000 records, each command paying it again),
// and nothing is asked of it offline. It opens as before the first time a user's device is
// made, so an unknown user is still refused. lockWait is how long to wait for another process
// that has the device open to let go of it.
func openDeviceSession(ctx context.Context, f *orgFlags, lockWait time.Duration) (*session, error) {
	s, err := openSessionFor(ctx, f, false, true, lockWait)
	if err != nil && unreachable(err) && !f.embedded() && !f.recalled() {
		return nil, fmt.Errorf("%s cannot be reached, and this device has never signed in there, so it has nothing to open without it: start the org (offline-edit serve) or check the flags: %w", f.label(), err)
	}
	return s, err
}

// queueLockWait is how long a command that queues changes waits for another offline-edit process
// to let go of the device: scripts that queue changes at the same time take turns (each command
// holds it for milliseconds) instead of failing; the app holds it until it quits.
var queueLockWait = 10 * time.Second

// openDeviceDB opens the device database, waiting up to wait, with short randomised pauses,
// while another process has it open; past a second it says so on stderr, once.
func openDeviceDB(ctx context.Context, path string, wait time.Duration) (*cache.DB, error) {
	start := time.Now()
	deadline := start.Add(wait)
	pause, told := 5*time.Millisecond, false
	for {
		db, err := cache.Open(path)
		if err == nil || !errors.Is(err, cache.ErrAlreadyOpen) || !time.Now().Before(deadline) {
			return db, err
		}
		if !told && time.Since(start) >= time.Second && onTerminal(os.Stderr) {
			// A script (stderr not a terminal) is told only if the wait fails.
			told = true
			fmt.Fprintf(os.Stderr, "offline-edit: another offline-edit process has this device open; waiting up to %s more for it\n", time.Until(deadline).Round(time.Second))
		}
		t := time.NewTimer(min(pause/2+rand.N(pause), time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("interrupted while waiting: %w", err)
		case <-t.C:
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}

func openSessionFor(ctx context.Context, f *orgFlags, online, deviceOnly bool, lockWait time.Duration) (*session, error) {
	if ways := f.signInWays(); len(ways) > 1 {
		return nil, fmt.Errorf("%w: choose one way to sign in, not %s", errBadFlags, strings.Join(ways, " and "))
	}
	s := &session{}
	var sess signin.Session
	var err error
	switch {
	case f.embedded() && deviceOnly && f.embeddedDeviceExists():
		path, err := f.demoOrgPath()
		if err != nil {
			return nil, err
		}
		opts := f.embeddedOptions(path)
		s.lazyOrg = &lazyOrg{open: func() (*mockorg.Org, error) {
			org, err := mockorg.Open(opts)
			if err != nil {
				return nil, embeddedOrgError(err)
			}
			org.SetInstanceURL(embeddedURL)
			return org, nil
		}}
		s.baseRT = s.lazyOrg
		lazy, user := s.lazyOrg, f.user
		sess = signin.Session{InstanceURL: embeddedURL, Username: f.user, Refresh: func(context.Context) (string, error) {
			if s.net != nil && !s.net.Online() {
				return "", fmt.Errorf("signing in: %w", remote.ErrOffline) // nothing is asked of the org offline
			}
			org, err := lazy.get()
			if err != nil {
				return "", err
			}
			return org.IssueToken(user)
		}}
		s.label = "embedded demo org"
	case f.embedded():
		path, err := f.demoOrgPath()
		if err != nil {
			return nil, err
		}
		s.org, err = mockorg.Open(f.embeddedOptions(path))
		if err != nil {
			return nil, embeddedOrgError(err)
		}
		s.org.SetInstanceURL(embeddedURL)
		tok, err := s.org.IssueToken(f.user)
		if err != nil {
			s.org.Close()
			return nil, fmt.Errorf("embedded org: %w", err)
		}
		s.baseRT = remote.InProcess(s.org.Handler())
		sess = signin.Session{InstanceURL: embeddedURL, AccessToken: tok, Username: f.user}
		org := s.org
		user := f.user
		sess.Refresh = func(context.Context) (string, error) { return org.IssueToken(user) }
		s.label = "embedded demo org"
	case deviceOnly && !f.embedded() && f.recalled():
		// Reading or queueing needs no org: the device's data opens as the last sign-in left it,
		// at once, even when the org would take a minute to say it is out of reach.
		k, _ := f.recalledSession()
		if strings.HasPrefix(f.signInKey(), "token ") {
			if err := f.notTheTokens(k.Username, "was %s's when it was last used here"); err != nil {
				return nil, err
			}
		}
		s.baseRT = http.DefaultTransport
		s.label = k.InstanceURL
		if f.orgURL != "" {
			if s.orgURL, err = checkOrgFlag(f.orgURL); err != nil {
				return nil, err
			}
			s.label = s.orgURL
		}
		sess = deferredSession(k, func(context.Context) (signin.Session, error) {
			return signin.Session{}, fmt.Errorf("signing in: %w", remote.ErrOffline) // this command stays offline
		})
	case f.orgURL != "":
		s.baseRT = http.DefaultTransport
		if s.orgURL, err = checkOrgFlag(f.orgURL); err != nil {
			return nil, err
		}
		s.label = s.orgURL
		orgURL, user, pw := s.orgURL, f.user, f.password
		signIn := func(ctx context.Context) (signin.Session, error) {
			return signin.FromPassword(ctx, s.net, orgURL, user, pw)
		}
		if deferred, ok := s.signInWhenOnline(f, online, signIn); ok {
			sess = deferred
			break
		}
		sess, err = signin.FromPassword(ctx, s.baseRT, s.orgURL, f.user, f.password)
		if err != nil {
			// Something answered, but was it an org? Asked only where the URL is new to this
			// device (an org it signed in to before is out of reach, not a wrong URL) and only
			// when an HTTP answer came (no answer at all can't tell).
			if _, known := f.recalledSession(); !known && !noAnswer(err) {
				if perr := scenario.ProbeOrg(ctx, s.baseRT, s.orgURL); perr != nil {
					return nil, fmt.Errorf("%w: --org: %w; give the URL `offline-edit serve` prints", errBadFlags, perr)
				}
			}
			if sess, err = s.openOffline(f, err, signIn); err != nil {
				return nil, err
			}
		}
	case f.targetOrg != "":
		s.baseRT = http.DefaultTransport
		target := f.targetOrg
		signIn := func(ctx context.Context) (signin.Session, error) {
			sess, err := signin.FromSFCLI(ctx, target)
			if err != nil {
				return sess, err
			}
			return withTokenOwner(ctx, sess, s.net), nil
		}
		if deferred, ok := s.signInWhenOnline(f, online, signIn); ok {
			sess, s.label = deferred, deferred.InstanceURL
			break
		}
		if sess, err = signin.FromSFCLI(ctx, f.targetOrg); err == nil {
			sess = withTokenOwner(ctx, sess, s.baseRT)
			if sess.IdentityURL != "" {
				// Each renewal (sf run again) is checked as the first sign-in was: the alias
				// may name another org by then (a refreshed sandbox, sf org login again).
				checked := deferredSession(knownSession{InstanceURL: sess.InstanceURL, Username: sess.Username, IdentityURL: sess.IdentityURL}, signIn)
				sess.Refresh, sess.Instance = checked.Refresh, checked.Instance
			}
		} else {
			// The CLI says nothing typed about the network: with a session remembered for this
			// org, any failure but a missing CLI opens the device's data offline.
			s.label = f.targetOrg
			if errors.Is(err, signin.ErrSFCLINotFound) {
				return nil, err
			}
			if sess, err = s.openOfflineAnyway(f, err, signIn); err != nil {
				return nil, err
			}
		}
		s.label = sess.InstanceURL
	case f.oauth:
		s.baseRT = http.DefaultTransport
		cfg := signin.OAuthConfig{
			LoginURL: f.loginURL, ClientID: f.clientID, RedirectPort: f.oauthPort,
			ShowURL: func(u string) { fmt.Fprintf(os.Stderr, "Sign in at: %s\n", u) },
		}
		if f.user != defaultUser {
			cfg.LoginHint = f.user
		}
		if f.remember {
			cfg.Store = signin.KeyringStore()
		}
		stored := func(ctx context.Context) (signin.Session, error) { return signin.FromStoredToken(ctx, s.net, cfg) }
		if deferred, ok := s.signInWhenOnline(f, online, stored); ok { // known only with --remember
			sess, s.label = deferred, deferred.InstanceURL
			break
		}
		sess, err = signin.FromOAuth(ctx, s.baseRT, cfg)
		if errors.Is(err, signin.ErrNotRemembered) {
			fmt.Fprintln(os.Stderr, "offline-edit:", err)
		} else if err != nil {
			s.label = f.loginURL
			if sess, err = s.openOffline(f, err, stored); err != nil {
				return nil, err
			}
		}
		s.label = sess.InstanceURL
	case f.device:
		s.baseRT = http.DefaultTransport
		cfg := signin.DeviceConfig{
			LoginURL: f.loginURL, ClientID: f.clientID,
			Prompt: func(p signin.DevicePrompt) {
				fmt.Fprintf(os.Stderr, "To sign in, open %s and enter the code %s\n", p.VerificationURI, p.UserCode)
			},
		}
		if f.user != defaultUser {
			cfg.LoginHint = f.user
		}
		if f.remember {
			cfg.Store = signin.KeyringStore()
		}
		storedCfg := cfg.StoredTokenConfig()
		stored := func(ctx context.Context) (signin.Session, error) {
			return signin.FromStoredToken(ctx, s.net, storedCfg)
		}
		if deferred, ok := s.signInWhenOnline(f, online, stored); ok { // known only with --remember
			sess, s.label = deferred, deferred.InstanceURL
			break
		}
		sess, err = signin.FromDevice(ctx, s.baseRT, cfg)
		if errors.Is(err, signin.ErrNotRemembered) {
			fmt.Fprintln(os.Stderr, "offline-edit:", err)
		} else if err != nil {
			s.label = f.loginURL
			if sess, err = s.openOffline(f, err, stored); err != nil {
				return nil, err
			}
		}
		s.label = sess.InstanceURL
	default:
		s.baseRT = http.DefaultTransport
		if sess, err = signin.FromToken(f.instanceURL, f.accessToken); err != nil {
			return nil, err
		}
		s.label = sess.InstanceURL
		if sess, err = f.tokenOwner(ctx, sess, s.baseRT, online); err != nil {
			return nil, err
		}
		// A user named by --user, not by the org: the engine asks the org before it sends.
		s.verifyOwner = sess.IdentityURL == ""
	}
	if sess.Username == "" {
		sess.Username = f.user
	}
	remember := func(dbPath string) {
		if sess.AccessToken == "" {
			return
		}
		// Remembered (never the token) so the device's data opens next time without the network.
		if err := f.rememberSession(sess, dbPath); err != nil {
			fmt.Fprintln(os.Stderr, "offline-edit: could not remember this sign-in for offline use:", err)
		}
	}
	if s.verifyOwner {
		// Once a sync has had the org say the token is the user's, it is remembered as theirs.
		s.rememberVouched = func() {
			id := s.client.Identity()
			if id.OrgID == "" || id.UserID == "" {
				return
			}
			vouched := sess
			vouched.IdentityURL = strings.TrimRight(sess.InstanceURL, "/") + "/id/" + id.OrgID + "/" + id.UserID
			if err := f.rememberSession(vouched, s.dbPath); err != nil {
				fmt.Fprintln(os.Stderr, "offline-edit: could not remember this sign-in for offline use:", err)
			}
		}
	}

	s.net = netsim.New(s.baseRT, time.Now().UnixNano())
	s.net.SetOnline(online)
	s.tokenOnly = sess.Refresh == nil
	s.client, err = remote.NewClient(ctx, remote.Config{
		InstanceURL: sess.InstanceURL,
		AccessToken: sess.AccessToken,
		Transport:   s.net,
		Refresh:     sess.Refresh,
		Observe:     s.engSink.observe,
		// A refreshed token that belongs to another instance (the org moved) takes the
		// requests there; the embedded and served orgs never move.
		RefreshedInstance: sess.Instance,
		Username:          sess.Username,
		IdentityURL:       sess.IdentityURL,
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	key := sess.InstanceURL
	if s.org != nil || s.lazyOrg != nil {
		key = embeddedKey
	}
	dbPath, err := f.devicePath(key, sess.Username)
	if err != nil {
		s.Close()
		return nil, err
	}
	if key != embeddedKey {
		dbPath = f.movedDevicePath(dbPath, sess)
	}
	s.dbPath = dbPath
	if s.db, err = openDeviceDB(ctx, dbPath, lockWait); err != nil {
		s.Close()
		return nil, err
	}
	// The device's data came from one org and user, which the device records: a sign-in that
	// reached another (the same URL now answering for another org, a served org started
	// afresh, say) is not taken for its own, whatever the device file (--db) or the URL's form.
	if now := signin.IdentityIDs(sess.IdentityURL); sess.AccessToken != "" && now != "" && s.org == nil && s.lazyOrg == nil {
		was, err := s.db.DeviceFact(ctx, deviceIdentity)
		if err != nil {
			s.Close()
			return nil, err
		}
		if was != "" && was != now {
			if err := s.startOverForAnotherOrg(ctx, dbPath, was, now, lockWait); err != nil {
				s.Close()
				return nil, err
			}
		}
		if was != now {
			if err := s.db.SetDeviceFact(ctx, deviceIdentity, now); err != nil {
				s.Close()
				return nil, err
			}
		}
	}
	remember(dbPath)
	var metaAt time.Time
	if s.org != nil {
		metaAt = s.org.MetadataModified() // the embedded org's, opened with other extra fields
	}
	s.eng, err = pending.Open(s.db, s.client, pending.Options{
		Objects:           f.objects,
		PerObject:         f.perObject,
		Strict:            f.strict,
		Network:           s.net,
		MetadataChangedAt: metaAt,

		VerifyTokenOwner: s.verifyOwner,
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	s.engSink.eng = s.eng
	return s, nil
}

// deviceIdentity is the device fact naming the org and user its data came from ("00D…/005…").
const deviceIdentity = "identity"

// errAnotherOrg is a sign-in that reached another org than the device's data came from, while
// the device holds changes for that one.
var errAnotherOrg = errors.New("another org")

// startOverForAnotherOrg: the org at the device's URL is not the one its data came from. A
// device with no pending change starts afresh (its cache is of the other org's records); one
// with changes is left alone, and the user is told how to reach its org or drop them.
func (s *session) startOverForAnotherOrg(ctx context.Context, path, was, is string, lockWait time.Duration) error {
	var n int
	if err := s.db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM entries`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%w: %s now answers for another org or user (%s) than this device's data came from (%s): a served org started afresh? The device holds %d pending change(s) for that one: start it again if it kept its data in a file (offline-edit serve --db FILE); if it lived in memory they can no longer reach it: see them with offline-edit pending and drop them with offline-edit discard, or remove %s", errAnotherOrg, s.label, is, was, n, path)
	}
	if err := s.db.Close(); err != nil {
		return err
	}
	s.db = nil
	if err := cache.Remove(path); err != nil {
		return err
	}
	s.afresh = fmt.Sprintf("%s now answers for another org or user (%s) than before (%s); this device had no pending change, so its cache starts afresh", s.label, is, was)
	db, err := openDeviceDB(ctx, path, lockWait)
	if err != nil {
		return err
	}
	s.db = db
	return nil
}

// backstage builds the simulation side of the session: other users and the admin of a mock
// org (embedded or served) and the device's network. On a real org only the network part
// works; steps that need another user say so.
func (s *session) backstage(ctx context.Context, f *orgFlags, othersPassword string) (*scenario.Env, error) {
	cfg := scenario.AppConfig{Engine: s.eng, Network: s.net, Transport: s.baseRT}
	switch {
	case s.org != nil:
		org := s.org
		cfg.InstanceURL = embeddedURL
		cfg.Login = func(_ context.Context, username string) (string, error) { return org.IssueToken(username) }
	case s.orgURL != "":
		cfg.InstanceURL, cfg.Served = s.orgURL, true
		cfg.Users = map[string]scenario.Credentials{
			scenario.Me: {Username: f.user, Password: f.password},
			"sam":       {Username: "sam@demo.example", Password: othersPassword},
			"admin":     {Username: "admin@demo.example", Password: othersPassword},
		}
		users := cfg.Users
		rt, url := s.baseRT, s.orgURL
		cfg.Login = func(ctx context.Context, username string) (string, error) {
			pw := othersPassword
			for _, c := range users {
				if c.Username == username {
					pw = c.Password
				}
			}
			tok, err := remote.PasswordLogin(ctx, rt, url, username, pw)
			return tok.AccessToken, err
		}
	default:
		cfg.InstanceURL = s.client.Identity().InstanceURL
	}
	env, err := scenario.NewAppEnv(ctx, cfg)
	if err != nil && cfg.Login != nil {
		// Not a mock org after all (or the admin cannot sign in): keep the network part.
		cfg.Login, cfg.Users = nil, nil
		if env2, err2 := scenario.NewAppEnv(ctx, cfg); err2 == nil {
			return env2, err
		}
	}
	return env, err
}

func (s *session) Close() {
	if s.eng != nil {
		s.eng.Close()
	}
	if s.rememberVouched != nil && s.client != nil {
		s.rememberVouched()
	}
	if s.db != nil {
		s.db.Close()
	}
	if s.org != nil {
		s.org.Close()
	}
	if s.lazyOrg != nil {
		s.lazyOrg.close()
	}
}

// embeddedDeviceExists reports whether the embedded org and the device of f.user on it were
// made before (the user was known to the org then). With --db it reports false: that file does
// not say whose device it is.
func (f *orgFlags) embeddedDeviceExists() bool {
	if f.dbPath != "" {
		return false
	}
	org, err := f.demoOrgPath()
	if err != nil {
		return false
	}
	dev, err := f.devicePath(embeddedKey, f.user)
	if err != nil {
		return false
	}
	for _, p := range []string{org, dev} {
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
			return false
		}
	}
	return true
}

// lazyOrg is the embedded org opened on first use, as an http.RoundTripper to its handler.
type lazyOrg struct {
	open func() (*mockorg.Org, error)

	mu  sync.Mutex
	org *mockorg.Org
	err error
}

func (l *lazyOrg) get() (*mockorg.Org, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.org == nil && l.err == nil {
		l.org, l.err = l.open()
	}
	return l.org, l.err
}

func (l *lazyOrg) RoundTrip(req *http.Request) (*http.Response, error) {
	org, err := l.get()
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return remote.InProcess(org.Handler()).RoundTrip(req)
}

func (l *lazyOrg) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.org != nil {
		l.org.Close()
	}
	l.org, l.err = nil, errors.New("embedded org: closed")
}

var _ io.Closer = (*cache.DB)(nil)

// tokenOwner names the user of a bare access token, which carries no name: the device's data is
// kept per user, and a queue must never go out with another user's token. Online, the org says
// (userinfo); a --user given that is not the token's is refused. Otherwise the user this token
// was found to be before on this machine (remembered by a hash of it, never the token), else
// --user given; the engine checks that one with the org before it sends anything.
func (f *orgFlags) tokenOwner(ctx context.Context, sess signin.Session, rt http.RoundTripper, online bool) (signin.Session, error) {
	var asked error
	if online {
		c, err := remote.NewClient(ctx, remote.Config{InstanceURL: sess.InstanceURL, AccessToken: sess.AccessToken, Transport: rt, APIVersion: remote.MaxAPIVersion})
		if err != nil {
			return sess, err
		}
		user, id, err := c.TokenOwner(ctx)
		switch e, _ := remote.AsError(err); {
		case err == nil:
			if err := f.notTheTokens(user, "is %s's"); err != nil {
				return sess, err
			}
			sess.Username, sess.IdentityURL = user, id
			return sess, nil
		case e != nil && e.Status == http.StatusUnauthorized:
			return sess, fmt.Errorf("%s refused the access token (expired or revoked?): get a new one: %w", sess.InstanceURL, err)
		}
		asked = err
	}
	if k, ok := f.recalledSession(); ok && strings.TrimRight(k.InstanceURL, "/") == strings.TrimRight(sess.InstanceURL, "/") {
		if err := f.notTheTokens(k.Username, "was %s's when it was last used here"); err != nil {
			return sess, err
		}
		sess.Username, sess.IdentityURL = k.Username, k.IdentityURL
		return sess, nil
	}
	if f.userGiven() {
		sess.Username = strings.TrimSpace(f.user)
		return sess, nil
	}
	why := "the org was not asked (offline)"
	if asked != nil {
		why = "the org did not say (" + asked.Error() + ")"
	}
	return sess, fmt.Errorf("%w %s: give --user USERNAME, the token's own user (the org checks it before anything is sent)", errWhoseToken, why)
}

// notTheTokens refuses a --user given that is not owner, the access token's user; whose says
// how that is known ("is %s's").
func (f *orgFlags) notTheTokens(owner, whose string) error {
	if !f.userGiven() || strings.EqualFold(strings.TrimSpace(f.user), owner) {
		return nil
	}
	return fmt.Errorf("%w: the access token "+whose+", not --user %s's: leave --user out, or give that user's token", errBadFlags, owner, f.user)
}
