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
	s.Refresh = newRefresh(func(ctx context.Context) (string, error) {
		ns, err := grant(ctx)
		if err != nil {
			return "", err
		}
		return ns.AccessToken, nil
	})
	return s, nil
}
