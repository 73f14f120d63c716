package scenario

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
	"github.com/offline-edit/offline-edit/remote/netsim"
	"github.com/offline-edit/offline-edit/remote/signin"
)

// Credentials sign a user in to a served org with the password grant.
type Credentials struct {
	Username string
	Password string
}

// DemoUsers are the users of the demo org, by the names scenarios use.
var DemoUsers = map[string]Credentials{
	Me:      {Username: "alex@demo.example", Password: mockorg.Password},
	"sam":   {Username: "sam@demo.example", Password: mockorg.Password},
	"admin": {Username: "admin@demo.example", Password: mockorg.Password},
}

// ErrSignedOut is what my session refresh answers after my session was expired and before the
// signin step: the sync must stop and ask me to sign in again.
var ErrSignedOut = errors.New("the session has expired; sign in again")

// Env is the world a scenario acts on: my device (the engine over its own cache database), the
// other users' API sessions, the admin, and the device's network.
type Env struct {
	org         *mockorg.Org // nil when the org is served elsewhere
	instanceURL string
	transport   http.RoundTripper // to the org, not through my device's network
	net         *netsim.Network
	clock       *Clock
	db          *cache.DB
	engine      *pending.Engine
	admin       *remote.MockAdmin
	users       map[string]Credentials
	login       func(ctx context.Context, username string) (string, error)
	served      bool
	borrowed    bool // the engine and its database belong to an app session (NewAppEnv)
	sink        observeSink

	doMu  sync.Mutex // one Do at a time
	adhoc *Stepper   // state of the steps Do runs (records and rules it named)
	rec   *Recorder  // records what Do ran; nil when not recording
	// onRecord runs after each step Do records.
	onRecord func()

	mu         sync.Mutex
	myInstance string // the instance URL my sign-in gave (it names my device's database)
	myToken    string
	signedOut  bool
	clients    map[string]*remote.Client // by username
	describes  map[string]*remote.Describe
}

// EnvOptions tune an Env; the zero value is what scenarios use.
type EnvOptions struct {
	// KeepOrg leaves a served org as it is instead of resetting it to its seed first.
	KeepOrg bool
	// RealClock runs an embedded org and the device on the wall clock instead of the
	// scenario clock: for an interactive app, where backoff timers must expire by themselves.
	RealClock bool
	// OrgDB keeps an embedded org in this SQLite file instead of in memory, so that it can be
	// opened after the run. The file must not exist yet: a scenario starts on a fresh org.
	OrgDB string
	// DevicePath names my device's database from the org's instance URL (as its token
	// endpoint gives it) and my username; nil keeps it as device.db in the Env's directory.
	DevicePath func(instanceURL, username string) (string, error)
}

// observeSink forwards my client's request log to the engine, which is built after the client.
type observeSink struct {
	mu  sync.Mutex
	eng *pending.Engine
}

func (s *observeSink) observe(ri remote.RequestInfo) {
	s.mu.Lock()
	eng := s.eng
	s.mu.Unlock()
	if eng != nil {
		eng.Observe(ri)
	}
}

// NewEmbeddedEnv builds a fresh embedded org seeded from sc.Seed and sc.Size, and my device
// with its database in dir, online with its cache primed, as the app is after its first start.
// Time on the org and the device is a scenario clock: it starts at a fixed instant and moves on
// by a second at every step, so runs are repeatable.
//
// With EnvOptions.RealClock the org and the device run on the wall clock instead.
func NewEmbeddedEnv(ctx context.Context, sc *Scenario, dir string, opts ...EnvOptions) (*Env, error) {
	var o EnvOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	clock := NewClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	if o.RealClock {
		clock = NewRealClock()
	}
	if o.OrgDB != "" {
		if _, err := os.Lstat(o.OrgDB); err == nil {
			return nil, fmt.Errorf("scenario: %s already exists: a scenario starts on a fresh org; remove it or keep the org elsewhere", o.OrgDB)
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("scenario: %w", err)
		}
	}
	org, err := mockorg.Open(mockorg.Options{Seed: sc.Seed, Size: sc.Size, Now: clock.Now, Profile: mockorg.Profile(sc.Profile), DBPath: o.OrgDB, ExtraFields: sc.ExtraFields})
	if err != nil {
		return nil, fmt.Errorf("scenario: start the embedded org: %w", err)
	}
	e := &Env{
		org:         org,
		instanceURL: org.InstanceURL(),
		myInstance:  org.InstanceURL(),
		transport:   remote.InProcess(org.Handler()),
		clock:       clock,
		users:       DemoUsers,
		login: func(_ context.Context, username string) (string, error) {
			return org.IssueToken(username)
		},
	}
	if err := e.start(ctx, sc, dir, o); err != nil {
		_ = e.Close()
		return nil, err
	}
	return e, nil
}

// NewRemoteEnv builds my device against an org served elsewhere (offline-edit serve), signing
// each user in with the password grant; users maps me, sam and admin to their credentials
// (missing ones default to the demo users). The org is reset to its seed first (it must be a
// mock org: the admin steps use its /mockorg/v1 API) unless opts.KeepOrg. Time is the real
// clock; before another user writes, the runner waits for the next whole second so that the
// org's one-second If-Unmodified-Since resolution sees the change.
func NewRemoteEnv(ctx context.Context, sc *Scenario, orgURL, dir string, users map[string]Credentials, opts ...EnvOptions) (*Env, error) {
	var o EnvOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	all := map[string]Credentials{}
	for k, v := range DemoUsers {
		all[k] = v
	}
	for k, v := range users {
		if k == "alex" {
			k = Me
		}
		all[k] = v
	}
	base, err := signin.CheckInstanceURL(orgURL)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	rt := http.DefaultTransport
	e := &Env{
		instanceURL: base,
		transport:   rt,
		clock:       NewRealClock(),
		users:       all,
		served:      true,
	}
	e.login = func(ctx context.Context, username string) (string, error) {
		for _, c := range e.users {
			if c.Username == username {
				tok, err := remote.PasswordLogin(ctx, rt, e.instanceURL, c.Username, c.Password)
				if err != nil {
					return "", err
				}
				if username == e.users[Me].Username {
					e.mu.Lock()
					e.myInstance = cmp.Or(strings.TrimRight(tok.InstanceURL, "/"), e.instanceURL)
					e.mu.Unlock()
				}
				return tok.AccessToken, nil
			}
		}
		return "", fmt.Errorf("no credentials for %s", username)
	}
	adminToken, err := e.login(ctx, all["admin"].Username)
	if err != nil {
		if remote.Unreachable(err) {
			why := "no answer"
			if oe := (*net.OpError)(nil); errors.As(err, &oe) && oe.Err != nil {
				why = oe.Err.Error()
			}
			return nil, fmt.Errorf("scenario: the org at %s cannot be reached (%s): start one with `offline-edit serve` and pass the URL it prints", e.instanceURL, why)
		}
		if perr := ProbeOrg(ctx, rt, e.instanceURL); perr != nil {
			return nil, fmt.Errorf("scenario: %w; start one with `offline-edit serve` and pass the URL it prints", perr)
		}
		return nil, fmt.Errorf("scenario: sign in as the admin: %w", err)
	}
	admin := remote.NewMockAdmin(e.instanceURL, adminToken, rt)
	if sc.Profile != "" {
		// Checked before the reset: a scenario that cannot run leaves the org as it was.
		p, err := admin.Profile(ctx)
		if err != nil {
			return nil, fmt.Errorf("scenario: read the served org's profile: %w", err)
		}
		if p != sc.Profile {
			return nil, fmt.Errorf("scenario: the served org at %s runs the %s profile and the scenario asks for %s: serve one with `offline-edit serve --profile %s`, or run on the embedded org (without --org)", e.instanceURL, p, sc.Profile, sc.Profile)
		}
	}
	if err := e.checkExtraFields(ctx, sc, adminToken); err != nil {
		return nil, err
	}
	if !o.KeepOrg {
		if err := admin.Reset(ctx); err != nil {
			return nil, fmt.Errorf("scenario: reset the served org: %w", err)
		}
	}
	if err := e.start(ctx, sc, dir, o); err != nil {
		_ = e.Close()
		return nil, err
	}
	return e, nil
}

// checkExtraFields makes sure a served org has the extra fields the scenario asks for: they are
// given when it starts (`offline-edit serve --extra-fields`), not by the scenario.
func (e *Env) checkExtraFields(ctx context.Context, sc *Scenario, adminToken string) error {
	var c *remote.Client
	for _, object := range slices.Sorted(maps.Keys(sc.ExtraFields)) {
		n := sc.ExtraFields[object]
		if n == 0 {
			continue
		}
		if c == nil {
			var err error
			if c, err = remote.NewClient(ctx, remote.Config{InstanceURL: e.instanceURL, AccessToken: adminToken, Transport: e.transport}); err != nil {
				return fmt.Errorf("scenario: %w", err)
			}
		}
		d, err := c.Describe(ctx, object)
		if err != nil {
			return fmt.Errorf("scenario: read the served org's describe of %s: %w", object, err)
		}
		_, has := d.Field(mockorg.ExtraFieldName(n))
		_, more := d.Field(mockorg.ExtraFieldName(n + 1))
		if !has || more {
			what := "no " + object + "." + mockorg.ExtraFieldName(n)
			if more {
				what = "more than " + strconv.Itoa(n) + " extra fields on " + object
			}
			return fmt.Errorf("scenario: the served org at %s has %s, and the scenario asks for %d extra fields on %s: serve one with `offline-edit serve --extra-fields %s=%d`, or run on the embedded org (without --org)",
				e.instanceURL, what, n, object, object, n)
		}
	}
	return nil
}

// ProbeOrg says, when url answers HTTP but not as the REST API of a Salesforce org or of
// `offline-edit serve` (GET /services/data/ lists the API versions without signing in), what
// answered instead. It is nil when url answers as an org, and when it does not answer at all
// (that is a network failure, which the caller reports as such).
func ProbeOrg(ctx context.Context, rt http.RoundTripper, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(url, "/")+"/services/data/", nil)
	if err != nil {
		return nil
	}
	req.Header.Set("Accept", "application/json")
	client := &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented || resp.StatusCode == http.StatusTooManyRequests {
		// A failing or busy server, or a gateway in front of it: out of reach for now, which is
		// no reason to call the URL wrong. (501 says the server has no such thing, for good.)
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil
	}
	var versions []struct {
		Version string `json:"version"`
	}
	if resp.StatusCode == http.StatusOK && json.Unmarshal(body, &versions) == nil && len(versions) > 0 && versions[0].Version != "" {
		return nil
	}
	what := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		ct, _, _ = strings.Cut(ct, ";")
		what += " " + strings.TrimSpace(ct)
	}
	return fmt.Errorf("%s does not answer as a Salesforce org or `offline-edit serve` (GET /services/data/ gave %s, not the list of API versions)", url, what)
}

func (e *Env) start(ctx context.Context, sc *Scenario, dir string, o EnvOptions) error {
	e.clients = map[string]*remote.Client{}
	e.describes = map[string]*remote.Describe{}
	adminToken, err := e.login(ctx, e.users["admin"].Username)
	if err != nil {
		return fmt.Errorf("scenario: sign in as the admin: %w", err)
	}
	e.admin = remote.NewMockAdmin(e.instanceURL, adminToken, e.transport)

	me := e.users[Me].Username
	tok, err := e.login(ctx, me)
	if err != nil {
		return fmt.Errorf("scenario: sign in as %s: %w", me, err)
	}
	e.myToken = tok
	e.net = netsim.New(e.transport, sc.Seed)
	client, err := remote.NewClient(ctx, remote.Config{
		InstanceURL: e.instanceURL,
		AccessToken: tok,
		Transport:   e.net,
		Username:    me,
		Refresh:     e.refreshMine,
		Observe:     e.sink.observe,
	})
	if err != nil {
		return fmt.Errorf("scenario: connect as %s: %w", me, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("scenario: %w", err)
	}
	path := filepath.Join(dir, "device.db")
	if o.DevicePath != nil {
		e.mu.Lock()
		inst := e.myInstance
		e.mu.Unlock()
		if path, err = o.DevicePath(inst, me); err != nil {
			return fmt.Errorf("scenario: name the device database: %w", err)
		}
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("scenario: %s already exists: a scenario starts on a fresh device; remove it or keep the device elsewhere", path)
		}
	}
	e.db, err = cache.Open(path)
	if err != nil {
		return fmt.Errorf("scenario: open the device database: %w", err)
	}
	e.engine, err = pending.Open(e.db, client, pending.Options{
		Objects: append(append([]string{}, pending.DefaultObjects...), sc.Objects...),
		Strict:  sc.Strict,
		Now:     e.clock.Now,
		Network: e.net,
		Seed:    sc.Seed,
	})
	if err != nil {
		return fmt.Errorf("scenario: start the sync engine: %w", err)
	}
	e.sink.mu.Lock()
	e.sink.eng = e.engine
	e.sink.mu.Unlock()
	e.engine.SetOnline(true)
	if _, err := e.engine.Sync(ctx); err != nil {
		return fmt.Errorf("scenario: prime the device cache: %w", err)
	}
	return nil
}

// refreshMine answers my client's session refresh: the token of the last sign-in, unless my
// session was expired since.
func (e *Env) refreshMine(context.Context) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.signedOut {
		return "", ErrSignedOut
	}
	return e.myToken, nil
}

// SignIn gives me a fresh session, as signing in again in the app does.
func (e *Env) SignIn(ctx context.Context) error {
	tok, err := e.login(ctx, e.users[Me].Username)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.myToken, e.signedOut = tok, false
	e.mu.Unlock()
	return nil
}

// Expire ends a user's sessions on the org (the admin's action).
func (e *Env) Expire(ctx context.Context, user string) error {
	username := e.Username(user)
	admin, err := e.adminAPI(ctx)
	if err != nil {
		return err
	}
	if err := admin.Expire(ctx, username); err != nil {
		return err
	}
	if username == e.users[Me].Username && !e.borrowed {
		e.mu.Lock()
		e.signedOut = true
		e.mu.Unlock()
	}
	if username == e.users["admin"].Username {
		// The admin API has no refresh: sign the admin in again at once.
		tok, err := e.login(ctx, username)
		if err != nil {
			return fmt.Errorf("sign the admin in again: %w", err)
		}
		e.mu.Lock()
		e.admin = remote.NewMockAdmin(e.instanceURL, tok, e.transport)
		e.mu.Unlock()
	}
	return nil
}

// Engine is my device's sync engine.
func (e *Env) Engine() *pending.Engine { return e.engine }

// Network is my device's network.
func (e *Env) Network() *netsim.Network { return e.net }

// Admin is the admin's side of the mock org; nil when the org has none (a real org).
func (e *Env) Admin() *remote.MockAdmin {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.admin
}

// ErrNoMockOrg is the answer to a step that needs another user or the admin on an org that
// is not a mock org (a real Salesforce org has no backstage).
var ErrNoMockOrg = errors.New("acting as another user or the admin needs the embedded org or a served mock org (offline-edit serve)")

func (e *Env) adminAPI(ctx context.Context) (*remote.MockAdmin, error) {
	if a := e.Admin(); a != nil {
		return a, nil
	}
	if e.login == nil {
		return nil, ErrNoMockOrg
	}
	// The admin could not sign in when the app started (the served org was out of reach): now.
	tok, err := e.login(ctx, e.users["admin"].Username)
	if err != nil {
		return nil, fmt.Errorf("sign in as the admin: %w", err)
	}
	a := remote.NewMockAdmin(e.instanceURL, tok, e.transport)
	e.mu.Lock()
	if e.admin == nil {
		e.admin = a
	}
	a = e.admin
	e.mu.Unlock()
	return a, nil
}

// Clock is the scenario clock the device (and an embedded org) runs on.
func (e *Env) Clock() *Clock { return e.clock }

// Served reports whether the org is served elsewhere rather than embedded.
func (e *Env) Served() bool { return e.served }

// Username turns a scenario user name (me, sam, admin, or a username) into a username.
func (e *Env) Username(user string) string {
	if user == "" || user == "alex" {
		user = Me
	}
	if c, ok := e.users[user]; ok {
		return c.Username
	}
	return user
}

// Client is a user's own API session, reaching the org directly (not through my device).
// The admin's session reads the org for checks.
func (e *Env) Client(ctx context.Context, user string) (*remote.Client, error) {
	username := e.Username(user)
	e.mu.Lock()
	c := e.clients[username]
	e.mu.Unlock()
	if c != nil {
		return c, nil
	}
	if e.login == nil {
		return nil, ErrNoMockOrg
	}
	tok, err := e.login(ctx, username)
	if err != nil {
		return nil, fmt.Errorf("sign in as %s: %w", username, err)
	}
	c, err = remote.NewClient(ctx, remote.Config{
		InstanceURL: e.instanceURL,
		AccessToken: tok,
		Transport:   e.transport,
		Username:    username,
		Refresh:     func(ctx context.Context) (string, error) { return e.login(ctx, username) },
	})
	if err != nil {
		return nil, fmt.Errorf("connect as %s: %w", username, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if old := e.clients[username]; old != nil {
		return old, nil
	}
	e.clients[username] = c
	return c, nil
}

// Describe is the org's describe of an object, read as the admin once per Env.
func (e *Env) Describe(ctx context.Context, object string) (*remote.Describe, error) {
	e.mu.Lock()
	d := e.describes[object]
	e.mu.Unlock()
	if d != nil {
		return d, nil
	}
	c, err := e.Client(ctx, "admin")
	if err != nil {
		return nil, err
	}
	d, err = c.Describe(ctx, object)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.describes[object] = d
	e.mu.Unlock()
	return d, nil
}

// Close stops the engine and closes the device database and an embedded org.
//
// An Env around an app session (NewAppEnv) closes nothing: the app owns its engine.
func (e *Env) Close() error {
	if e.borrowed {
		return nil
	}
	var errs []error
	if e.engine != nil {
		errs = append(errs, e.engine.Close())
	}
	if e.db != nil {
		errs = append(errs, e.db.Close())
	}
	if e.org != nil {
		errs = append(errs, e.org.Close())
	}
	return errors.Join(errs...)
}

// Clock is the scenario's clock. A virtual clock starts at a fixed instant, moves on by a
// millisecond at each reading (so no two writes share a timestamp) and by whatever Advance
// says; a real clock is the wall clock plus the advances.
type Clock struct {
	mu     sync.Mutex
	real   bool
	t      time.Time
	offset time.Duration
}

// NewClock is a virtual clock starting at start.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// NewRealClock is the wall clock.
func NewRealClock() *Clock { return &Clock{real: true} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		return time.Now().Add(c.offset)
	}
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.real {
		c.offset += d
		return
	}
	c.t = c.t.Add(d)
}

// Virtual reports whether the clock is virtual.
func (c *Clock) Virtual() bool { return !c.real }
