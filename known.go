package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/signin"
)

// knownSession is what a sign-in said about the org and the user (never a token), remembered
// so that the device's data opens without the network next time.
type knownSession struct {
	InstanceURL string `json:"instanceURL"`
	Username    string `json:"username"`
	IdentityURL string `json:"identityURL,omitempty"`
	// Device, in the entry of an org and user (deviceKey), is the base name of the file that
	// holds their device's data: one file per org and user, whatever instance the org answers
	// at (it moves: a My Domain change, an instance refresh) and whichever way of signing in
	// (or spelling of its URL) reached it.
	Device string `json:"device,omitempty"`
}

// deviceKey is the key of the known sessions that keeps the device file of the org and user an
// identity URL names ("device 00D…/005…"); "" when it names none.
func deviceKey(identityURL string) string {
	if id := signin.IdentityIDs(identityURL); id != "" {
		return "device " + id
	}
	return ""
}

// knownSessionsFile lists, per way of signing in, the last session it gave.
const knownSessionsFile = "sessions.json"

// signInKey names the way the flags sign in, for the known sessions; "" for ways that need no
// network to open (the embedded org, a token given on the command line).
func (f *orgFlags) signInKey() string {
	switch {
	case f.embedded():
		return ""
	case f.orgURL != "":
		return "org " + strings.TrimRight(f.orgURL, "/") + " " + f.user
	case f.oauth && f.remember:
		return "oauth " + signin.OAuthConfig{LoginURL: f.loginURL, ClientID: f.clientID}.StoreKey()
	case f.device && f.remember:
		return "oauth " + signin.DeviceConfig{LoginURL: f.loginURL, ClientID: f.clientID}.StoreKey()
	case f.targetOrg != "":
		return "sf " + f.targetOrg
	}
	inst, tok := f.instanceURL, f.accessToken
	envInst, envTok := signin.EnvToken()
	if strings.TrimSpace(inst) == "" {
		inst = envInst
	}
	if strings.TrimSpace(tok) == "" {
		tok = envTok
	}
	if inst = strings.TrimRight(strings.TrimSpace(inst), "/"); inst != "" && strings.TrimSpace(tok) != "" && !f.oauth && !f.device {
		// A bare access token: known by a hash of it (the token itself is never written).
		sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
		return "token " + inst + " " + hex.EncodeToString(sum[:16])
	}
	return ""
}

func (f *orgFlags) knownSessions() (map[string]knownSession, string, error) {
	dir, err := f.dir()
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(dir, knownSessionsFile)
	known := map[string]knownSession{}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return known, path, nil
	}
	if err != nil {
		return nil, path, err
	}
	if err := json.Unmarshal(data, &known); err != nil {
		// A damaged file only costs opening offline until the next sign-in rewrites it.
		return map[string]knownSession{}, path, nil
	}
	return known, path, nil
}

// rememberSession keeps what sess says about the org for the flags' way of signing in, and, for
// its org and user, the device file it opened (dbPath; not a --db file, which is named each time).
func (f *orgFlags) rememberSession(sess signin.Session, dbPath string) error {
	if f.embedded() || sess.InstanceURL == "" || sess.Username == "" {
		return nil
	}
	known, path, err := f.knownSessions()
	if err != nil {
		return err
	}
	changed := false
	// A bare token is remembered under its hash only once the org has said whose it is: a
	// --user taken on trust must not open that user's data with it next time.
	if key := f.signInKey(); key != "" && (!strings.HasPrefix(key, "token ") || sess.IdentityURL != "") {
		k := knownSession{InstanceURL: sess.InstanceURL, Username: sess.Username, IdentityURL: sess.IdentityURL}
		if known[key] != k {
			known[key], changed = k, true
		}
	}
	if dk := deviceKey(sess.IdentityURL); dk != "" && f.dbPath == "" {
		if d := (knownSession{Device: filepath.Base(dbPath)}); known[dk] != d {
			known[dk], changed = d, true
		}
	}
	if !changed {
		return nil
	}
	data, err := json.MarshalIndent(known, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+knownSessionsFile+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// recalledSession is the session the flags' way of signing in gave last time, if any.
func (f *orgFlags) recalledSession() (knownSession, bool) {
	key := f.signInKey()
	if key == "" {
		return knownSession{}, false
	}
	known, _, err := f.knownSessions()
	if err != nil {
		return knownSession{}, false
	}
	k, ok := known[key]
	return k, ok && k.InstanceURL != "" && k.Username != ""
}

// knownDevicePath is the device file a remembered session used.
func (f *orgFlags) knownDevicePath(k knownSession) (string, error) {
	named, err := f.devicePath(k.InstanceURL, k.Username)
	if err != nil {
		return "", err
	}
	return f.movedDevicePath(named, signin.Session{InstanceURL: k.InstanceURL, Username: k.Username, IdentityURL: k.IdentityURL}), nil
}

// movedDevicePath is the device file for sess, where path is the one its instance names: the
// file its org and user's data is in when that is another (the org answered at another
// instance before, or was reached by another way of signing in), so that their cache and,
// above all, their queue follow them (a file named after the new instance would hold neither,
// and the queue would wait in the old one for ever).
func (f *orgFlags) movedDevicePath(path string, sess signin.Session) string {
	dk := deviceKey(sess.IdentityURL)
	if f.dbPath != "" || f.embedded() || dk == "" {
		return path
	}
	known, _, err := f.knownSessions()
	if err != nil || known[dk].Device == "" {
		return path
	}
	prev := filepath.Join(filepath.Dir(path), filepath.Base(known[dk].Device))
	if prev == path {
		return path
	}
	if _, err := os.Stat(prev); err != nil {
		return path // deleted by hand: the file its instance names
	}
	return prev
}

// recalled reports whether the flags' way of signing in worked before on this machine.
func (f *orgFlags) recalled() bool {
	_, ok := f.recalledSession()
	return ok
}

// unreachable reports whether a sign-in failed for want of the network (not a refusal, and
// not the user stopping it): the REST client's own test of the same.
// orgBusy reports whether the org answered, refusing for now (a 503, a 429, its request limit,
// a row lock): as with an org out of reach, waiting may cure it.
func orgBusy(err error) bool {
	_, answered := remote.AsError(err)
	return answered && pending.Classify(err) == pending.ClassTransient && !errors.Is(err, context.Canceled) && !isLocal(err)
}

// retryable reports whether trying again later may get further: the org out of reach or busy.
func retryable(err error) bool { return unreachable(err) || orgBusy(err) }

func unreachable(err error) bool {
	// A device file's errno is a net.Error too (syscall.Errno has Timeout and Temporary): the
	// device's own problem is not the org out of reach.
	return remote.Unreachable(err) && !errors.Is(err, context.Canceled) && !isLocal(err)
}

// deferredSession opens the device's data without the network: the session the flags' way of
// signing in gave last time, with no token; signIn runs when the device first reaches the org.
// A sign-in that turns out to be another user's, or another org's, is refused: this device's
// data belongs to the remembered one (a refresh token remembered by another sign-in since, say).
func deferredSession(k knownSession, signIn func(ctx context.Context) (signin.Session, error)) signin.Session {
	var mu sync.Mutex
	instance := "" // where the last sign-in's token belongs (an org moved since is followed)
	refresh := func(ctx context.Context) (string, error) {
		got, err := signIn(ctx)
		if err != nil {
			return "", err
		}
		if !sameIdentity(got, k) {
			if strings.EqualFold(strings.TrimSpace(got.Username), strings.TrimSpace(k.Username)) {
				// signin.ErrOtherOrg too: the app says so in those words (not "sign in again",
				// which would change nothing).
				return "", fmt.Errorf("%w: %w: %s now answers for another org (%s) than this device's data came from (%s): a served org started afresh? Start that one again (offline-edit serve --db FILE), or open the device online to see what it holds", errOtherUser, signin.ErrOtherOrg, k.InstanceURL, signin.IdentityIDs(got.IdentityURL), signin.IdentityIDs(k.IdentityURL))
			}
			return "", fmt.Errorf("%w: signed in as %s on %s, but this device's data is %s's on %s; sign in as %s", errOtherUser, got.Username, got.InstanceURL, k.Username, k.InstanceURL, k.Username)
		}
		mu.Lock()
		instance = got.InstanceURL
		mu.Unlock()
		return got.AccessToken, nil
	}
	return signin.Session{InstanceURL: k.InstanceURL, Username: k.Username, IdentityURL: k.IdentityURL, Refresh: refresh,
		Instance: func() string {
			mu.Lock()
			defer mu.Unlock()
			return instance
		}}
}

// errOtherUser is a sign-in that gave another user or org than the device's data belongs to.
var errOtherUser = errors.New("another user's sign-in")

// sameIdentity reports whether a sign-in gave the org and user of a remembered session: the same
// org and user ids (from the identity URLs) or, when either is unknown, the same instance and
// user name.
func sameIdentity(got signin.Session, k knownSession) bool {
	// The ids decide when both are known: an org's instance URL may change its form (a pod's
	// host, then its My Domain) while it stays the same org.
	if a, b := signin.IdentityIDs(got.IdentityURL), signin.IdentityIDs(k.IdentityURL); a != "" && b != "" {
		return a == b
	}
	if strings.TrimRight(got.InstanceURL, "/") != strings.TrimRight(k.InstanceURL, "/") {
		return false
	}
	if got.Username != "" && k.Username != "" {
		return strings.EqualFold(strings.TrimSpace(got.Username), strings.TrimSpace(k.Username))
	}
	return true
}

// offlineNote says why the device opened offline.
func offlineNote(label string, err error) string {
	why := "cannot be reached (" + netReason(err) + ")"
	if orgBusy(err) {
		why = notNowReason(err)
	}
	return fmt.Sprintf("%s %s; this device's data opened offline, and the sign-in runs when the device goes online", label, why)
}
