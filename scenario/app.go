package scenario

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/netsim"
)

// AppConfig describes a running app session that steps act on: its engine and network, and
// how other users of the same org sign in.
type AppConfig struct {
	Engine      *pending.Engine
	Network     *netsim.Network
	InstanceURL string
	// Transport reaches the org directly, not through the device's network (other users do
	// not share my connection).
	Transport http.RoundTripper
	// Login signs a user in and returns an access token. Nil means the org has no other
	// users to act as (a real org): steps that need them fail with ErrNoMockOrg.
	Login func(ctx context.Context, username string) (string, error)
	// Users maps me, sam and admin to their credentials; missing ones are the demo users.
	Users map[string]Credentials
	// Served says the org is served elsewhere (not embedded in this process).
	Served bool
}

// NewAppEnv builds an Env around an app session that already runs: steps act on the app's
// own engine and network, so the screens show what they do. The app keeps owning the engine:
// Close leaves it alone. My session is never marked signed out by an expire step: the app
// signs in again by itself, as a device with a refresh token does.
func NewAppEnv(ctx context.Context, cfg AppConfig) (*Env, error) {
	if cfg.Engine == nil || cfg.Network == nil {
		return nil, errors.New("scenario: an app env needs the app's engine and network")
	}
	users := map[string]Credentials{}
	for k, v := range DemoUsers {
		users[k] = v
	}
	for k, v := range cfg.Users {
		if k == "alex" {
			k = Me
		}
		users[k] = v
	}
	if me := cfg.Engine.Identity().Username; me != "" {
		c := users[Me]
		c.Username = me
		users[Me] = c
	}
	rt := cfg.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	e := &Env{
		instanceURL: strings.TrimRight(cfg.InstanceURL, "/"),
		transport:   rt,
		net:         cfg.Network,
		clock:       NewRealClock(),
		engine:      cfg.Engine,
		users:       users,
		login:       cfg.Login,
		served:      cfg.Served,
		borrowed:    true,
		clients:     map[string]*remote.Client{},
		describes:   map[string]*remote.Describe{},
	}
	if e.login != nil && cfg.Network.Online() {
		// Briefly: the app shows nothing until this returns. An org out of reach now is signed
		// in to when a backstage step first needs the admin; so is one the app starts offline
		// with (--offline: nothing goes to the org at start).
		lctx, cancel := context.WithTimeout(ctx, adminSignInWait)
		tok, err := e.login(lctx, users["admin"].Username)
		cancel()
		switch {
		case err == nil:
			e.admin = remote.NewMockAdmin(e.instanceURL, tok, rt)
		case !remote.Unreachable(err):
			return nil, fmt.Errorf("scenario: sign in as the admin: %w", err)
		}
	}
	return e, nil
}

// adminSignInWait bounds the admin's sign-in when the app starts.
const adminSignInWait = 5 * time.Second

// SetRecorder makes Do record every step that succeeds (nil stops recording).
func (e *Env) SetRecorder(r *Recorder) {
	e.doMu.Lock()
	defer e.doMu.Unlock()
	e.rec = r
}

// OnRecorded calls fn after each step Do records (the app writes the recording then, so a
// backstage step is on disk at once).
func (e *Env) OnRecorded(fn func()) {
	e.doMu.Lock()
	defer e.doMu.Unlock()
	e.onRecord = fn
}

// Do runs one step on the env, outside any scenario file: the app's backstage builds steps
// and runs them here. Records are named by object and id (RecordRef{Object, ID}); a
// remove_rule step names the org's rule id. Steps run one at a time; a step that succeeds is
// recorded when a recorder is set.
func (e *Env) Do(ctx context.Context, st Step) StepResult {
	e.doMu.Lock()
	defer e.doMu.Unlock()
	if e.adhoc == nil {
		e.adhoc = NewStepper(&Scenario{File: "backstage", Name: "backstage"}, e)
		e.adhoc.validated, e.adhoc.adhoc = true, true
	}
	var rec Rec
	if !st.Record.IsZero() && st.Record.ID != "" {
		rec = Rec{Object: st.Record.Object, ID: st.Record.ID}
		if rv, err := e.engine.Record(ctx, st.Record.Object, st.Record.ID); err == nil {
			rec.Name = rv.Name
		}
		if pending.IsLocalID(st.Record.ID) && (st.As != "" && st.As != Me || st.Kind == KindShare || st.Kind == KindUnshare) {
			err := errors.New("this record exists only on this device until it syncs; the org does not know it yet")
			return StepResult{Index: -1, Text: st.String(), Err: err, Error: err.Error()}
		}
	}
	res := e.adhoc.run(ctx, -1, st)
	if res.OK() && st.Kind == KindNetwork {
		// Conditions changed (back to normal, say): the app tries at once, as a phone does
		// when its network returns, rather than at its next retry (up to 30 s on).
		e.engine.SyncSoon()
	}
	if res.OK() && e.rec != nil {
		e.record(st, rec)
		if e.onRecord != nil {
			e.onRecord()
		}
	}
	return res
}

// record writes a step Do ran to the recorder, naming records the way a replay finds them.
func (e *Env) record(st Step, rec Rec) {
	r := e.rec
	switch st.Kind {
	case KindOffline:
		r.Offline()
	case KindOnline:
		r.Online()
	case KindSync:
		r.Sync()
	case KindSignin:
		r.Signin()
	case KindNetwork:
		c := Conditions{}
		if st.Network != nil {
			c = *st.Network
		}
		r.Network(c)
	case KindEdit:
		r.EditAs(st.As, rec, st.Fields)
	case KindDelete:
		r.DeleteAs(st.As, rec)
	case KindShare:
		r.Share(rec, st.User, st.Access)
	case KindUnshare:
		r.Share(rec, st.User, "none")
	case KindAddRule:
		if st.Rule != nil {
			rl := st.Rule
			r.AddRule(remote.Rule{Object: rl.Object, Kind: rl.Kind, Field: rl.Field, Value: rl.Value, OtherField: rl.OtherField, Message: rl.Message}, e.adhoc.lastRule)
		}
	case KindRemoveRule:
		r.RemoveRule(st.RuleRef)
	case KindExpire:
		r.Expire(st.User)
		if e.borrowed && userKey(e.Username(st.User)) == userKey(e.users[Me].Username) {
			// The app signs in again by itself; a replay must too.
			r.Signin()
		}
	case KindExpect, KindWait:
		// Checks and waits change nothing worth replaying.
	default:
		st.Line = 0
		r.Add(st)
	}
}

// RuleKinds are the kinds of rule the org can add at run time (GET rulekinds).
func (e *Env) RuleKinds(ctx context.Context) ([]string, error) {
	admin, err := e.adminAPI(ctx)
	if err != nil {
		return nil, err
	}
	return admin.RuleKinds(ctx)
}

// Rules are the rules the org has now.
func (e *Env) Rules(ctx context.Context) ([]remote.Rule, error) {
	admin, err := e.adminAPI(ctx)
	if err != nil {
		return nil, err
	}
	return admin.Rules(ctx)
}

// UserID is the org's id of a user (me, sam, admin or a username), for an owner change.
func (e *Env) UserID(ctx context.Context, user string) (string, error) {
	c, err := e.Client(ctx, user)
	if err != nil {
		return "", err
	}
	if id := c.Identity().UserID; id != "" {
		return id, nil
	}
	// A session signed in with a password or token alone does not carry its identity: ask the
	// org for the user by username.
	username := e.Username(user)
	res, err := c.Query(ctx, "SELECT Id FROM User WHERE Username = "+soqlString(username), 0)
	if err != nil {
		return "", fmt.Errorf("look up the id of %s: %w", username, err)
	}
	if len(res.Records) != 1 || res.Records[0].ID() == "" {
		return "", fmt.Errorf("the org has no user %s", username)
	}
	return res.Records[0].ID(), nil
}

// Progress is how many steps have run and how many the scenario has.
func (s *Stepper) Progress() (ran, total int) { return s.next, len(s.sc.Steps) }

// Scenario is the scenario the stepper runs.
func (s *Stepper) Scenario() *Scenario { return s.sc }
