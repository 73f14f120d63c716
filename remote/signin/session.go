// Package signin obtains a session (instance URL and bearer token) for a Salesforce org: from a
// token the user already has, from the Salesforce CLI's stored authorisation, from the OAuth 2.0
// web-server flow with PKCE on a loopback redirect, from the OAuth 2.0 device flow (a code the
// user approves on any device, for terminals without a browser), or from the password grant of
// a served mock org. A Session never prints its token, and no error of this package contains one.
package signin

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
)

// redacted replaces every secret in printed output.
const redacted = "[REDACTED]"

// Session is what the REST client needs to talk to an org.
type Session struct {
	InstanceURL string // e.g. https://mydomain.my.salesforce.com, without a trailing slash
	AccessToken string // the bearer token; never printed by String, GoString or Format
	Username    string // the signed-in user when known, else ""
	IdentityURL string // the token reply's "id" (…/id/00D…/005…), when the sign-in had one
	// Refresh obtains a new access token (after a 401 INVALID_SESSION_ID). It is nil when this
	// session cannot be refreshed. It is safe for concurrent use: callers that arrive while a
	// refresh is in flight share its result.
	Refresh func(ctx context.Context) (string, error)
	// Instance is the instance URL the last refreshed token belongs to ("" until a refresh
	// names one): an org moved to another instance is answered there (remote.Config's
	// RefreshedInstance). Nil when the session cannot be refreshed.
	Instance func() string
}

// instanceOf keeps the instance URL of the last refreshed token, for Session.Instance.
type instanceOf struct {
	mu  sync.Mutex
	url string
}

func (i *instanceOf) set(u string) {
	i.mu.Lock()
	i.url = u
	i.mu.Unlock()
}

func (i *instanceOf) get() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.url
}

// String describes the session without its token.
func (s Session) String() string {
	var b strings.Builder
	b.WriteString("signin.Session{InstanceURL: ")
	b.WriteString(s.InstanceURL)
	b.WriteString(", Username: ")
	if s.Username == "" {
		b.WriteString("(unknown)")
	} else {
		b.WriteString(s.Username)
	}
	b.WriteString(", AccessToken: ")
	if s.AccessToken == "" {
		b.WriteString("(none)")
	} else {
		b.WriteString(redacted)
	}
	b.WriteString(", Refresh: ")
	if s.Refresh == nil {
		b.WriteString("no")
	} else {
		b.WriteString("yes")
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String, so %#v never prints the token either.
func (s Session) GoString() string { return s.String() }

// Format prints String for every verb (%v, %+v, %#v, %s, %q, ...), so no formatting of a
// Session can leak its token.
func (s Session) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s.String())
		return
	}
	_, _ = f.Write([]byte(s.String()))
}

// LogValue keeps the token out of structured logs.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("instance_url", s.InstanceURL),
		slog.String("username", s.Username),
		slog.Bool("refreshable", s.Refresh != nil),
	)
}

// MarshalJSON keeps the token out of any JSON the session ends up in.
func (s Session) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"instanceUrl":%q,"username":%q,"accessToken":%q,"refreshable":%t}`,
		s.InstanceURL, s.Username, redacted, s.Refresh != nil), nil
}

// refresher shares one in-flight refresh among concurrent callers.
type refresher struct {
	fn      func(ctx context.Context) (string, error)
	mu      sync.Mutex
	call    *refreshCall
	waiters int // callers waiting on call, for tests
}

type refreshCall struct {
	done  chan struct{}
	token string
	err   error
}

// newRefresh wraps fn so that concurrent calls share one refresh.
func newRefresh(fn func(ctx context.Context) (string, error)) func(ctx context.Context) (string, error) {
	return (&refresher{fn: fn}).refresh
}

func (r *refresher) refresh(ctx context.Context) (string, error) {
	r.mu.Lock()
	c := r.call
	if c == nil {
		c = &refreshCall{done: make(chan struct{})}
		r.call = c
		r.mu.Unlock()
		c.token, c.err = r.fn(ctx)
		r.mu.Lock()
		r.call = nil
		r.mu.Unlock()
		close(c.done)
		return c.token, c.err
	}
	r.waiters++
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.waiters--
		r.mu.Unlock()
	}()
	select {
	case <-c.done:
		return c.token, c.err
	case <-ctx.Done():
		return "", fmt.Errorf("refreshing the session: %w", ctx.Err())
	}
}
