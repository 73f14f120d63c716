package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/offline-edit/offline-edit/remote/signin"
)

// knownSession is what a sign-in said about the org and the user (never a token), remembered
// so that the device's data opens without the network next time.
type knownSession struct {
	InstanceURL string `json:"instanceURL"`
	Username    string `json:"username"`
	IdentityURL string `json:"identityURL,omitempty"`
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
		return "org " + trimSlash(f.orgURL) + " " + f.user
	case f.oauth && f.remember:
		return "oauth " + signin.OAuthConfig{LoginURL: f.loginURL, ClientID: f.clientID}.StoreKey()
	case f.device && f.remember:
		return "oauth " + signin.DeviceConfig{LoginURL: f.loginURL, ClientID: f.clientID}.StoreKey()
	}
	return ""
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
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

// rememberSession keeps what sess says about the org for the flags' way of signing in.
func (f *orgFlags) rememberSession(sess signin.Session) error {
	key := f.signInKey()
	if key == "" || sess.InstanceURL == "" || sess.Username == "" {
		return nil
	}
	known, path, err := f.knownSessions()
	if err != nil {
		return err
	}
	k := knownSession{InstanceURL: sess.InstanceURL, Username: sess.Username, IdentityURL: sess.IdentityURL}
	if known[key] == k {
		return nil
	}
	known[key] = k
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

// unreachable reports whether a sign-in failed for want of the network (not a refusal).
func unreachable(err error) bool {
	var ne net.Error
	var oe *signin.OAuthError
	if errors.As(err, &oe) {
		return false
	}
	return signin.IsUnreachable(err) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

// deferredSession opens the device's data without the network: the session the flags' way of
// signing in gave last time, with no token; signIn runs when the device first reaches the org.
func deferredSession(k knownSession, signIn func(ctx context.Context) (string, error)) signin.Session {
	return signin.Session{InstanceURL: k.InstanceURL, Username: k.Username, IdentityURL: k.IdentityURL, Refresh: signIn}
}

// offlineNote says why the device opened offline.
func offlineNote(label string, err error) string {
	return fmt.Sprintf("%s cannot be reached (%v); this device's data opened offline, and the sign-in runs when the device goes online", label, err)
}
