package signin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// FromPassword signs in with the OAuth password grant at {loginURL}/services/oauth2/token, as
// a served mock org allows (real orgs discourage it and also want a connected app's client id
// and secret; use FromOAuth there). rt carries the requests (nil: http.DefaultTransport). The
// session's Refresh signs in again the same way.
func FromPassword(ctx context.Context, rt http.RoundTripper, loginURL, username, password string) (Session, error) {
	login, err := CheckInstanceURL(loginURL)
	if err != nil {
		return Session{}, fmt.Errorf("login URL: %w", err)
	}
	username = strings.TrimSpace(username)
	if username == "" {
		return Session{}, errors.New("no user name: pass --user USERNAME")
	}
	if password == "" {
		return Session{}, errors.New("no password: pass --password PASSWORD")
	}
	grant := func(ctx context.Context) (Session, error) {
		form := url.Values{
			"grant_type": {"password"},
			"username":   {username},
			"password":   {password},
		}
		tr, err := postToken(ctx, rt, login, form)
		if err != nil {
			return Session{}, fmt.Errorf("signing in to %s as %s: %w", login, username, err)
		}
		return sessionFrom(tr, login, username)
	}
	s, err := grant(ctx)
	if err != nil {
		return Session{}, err
	}
	first := IdentityIDs(s.IdentityURL)
	moved := &instanceOf{}
	s.Instance = moved.get
	s.Refresh = newRefresh(func(ctx context.Context) (string, error) {
		ns, err := grant(ctx)
		if err != nil {
			return "", err
		}
		// The same URL may now answer for another org (a served org started afresh): its token
		// must not carry this session's requests there.
		if now := IdentityIDs(ns.IdentityURL); first != "" && now != "" && now != first {
			return "", fmt.Errorf("%w: %s now answers for %s, not %s (the org this session signed in to); nothing was sent to it", ErrOtherOrg, login, now, first)
		}
		moved.set(ns.InstanceURL)
		return ns.AccessToken, nil
	})
	return s, nil
}

// ErrOtherOrg is a session refresh that reached another org or user than the session's own.
var ErrOtherOrg = errors.New("signing in again reached another org")

// IdentityIDs is the "00D…/005…" part of an identity URL (…/id/00D…/005…), or "": the org
// and user a session belongs to.
func IdentityIDs(u string) string {
	_, ids, ok := strings.Cut(u, "/id/")
	if !ok {
		return ""
	}
	return strings.TrimSuffix(ids, "/")
}
