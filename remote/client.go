package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/offline-edit/offline-edit/internal/plain"
)

// MaxAPIVersion is the newest API version the client speaks. Discovery picks the newest version the
// org offers that is not above it.
const MaxAPIVersion = "62.0"

// DefaultMaxReplyBytes caps the size of a reply body the client reads.
const DefaultMaxReplyBytes = 64 << 20

// ErrMalformedReply is wrapped by every error about a 2xx reply the client could not understand:
// not JSON where JSON was expected, truncated, or of the wrong shape.
var ErrMalformedReply = errors.New("malformed reply from the org")

// ErrReplyTooLarge is wrapped when a reply body exceeds Config.MaxReplyBytes.
var ErrReplyTooLarge = errors.New("reply from the org is too large")

// Config says where the org is and how to sign requests.
type Config struct {
	InstanceURL string            // e.g. https://x.my.salesforce.com or http://127.0.0.1:8787
	AccessToken string            // bearer token; never printed
	APIVersion  string            // "" = discover: GET /services/data/, use the newest ≤ MaxAPIVersion
	Transport   http.RoundTripper // nil = http.DefaultTransport
	// Refresh is called once on 401 INVALID_SESSION_ID; the request is then retried once with the
	// token it returns.
	Refresh func(ctx context.Context) (accessToken string, err error)
	// RefreshedInstance, when set, is asked after each successful Refresh for the instance URL
	// the new token belongs to ("" = unchanged): an org moved to another instance (a migration,
	// a My Domain change) is answered there from then on, as Salesforce asks.
	RefreshedInstance func() string
	// Observe is called after every HTTP request the client makes (never given tokens).
	Observe  func(RequestInfo)
	Username string
	// IdentityURL is the "id" of an OAuth token reply (…/id/00D…/005…); it fills Identity's
	// OrgID and UserID. Optional.
	IdentityURL string
	// MaxReplyBytes caps reply bodies; 0 = DefaultMaxReplyBytes.
	MaxReplyBytes int64
	// RequestTimeout bounds one request, its reply body included: an org that never answers is
	// a network failure after it, not a hang. 0 = DefaultRequestTimeout; negative = none.
	RequestTimeout time.Duration
	// StallTimeout bounds the wait for the next bytes of a reply body once it has begun: a reply
	// that stops coming is a network failure after it, however long it has been flowing.
	// 0 = DefaultStallTimeout; negative = none.
	StallTimeout time.Duration
	// ReadAnswerTimeout bounds the wait for the org to start answering a read (GET): reads are
	// quick on Salesforce (a query times out there after 120 s), so an org that says nothing for
	// longer is out of reach. Writes wait up to RequestTimeout. 0 = DefaultReadAnswerTimeout;
	// negative = none.
	ReadAnswerTimeout time.Duration
}

// DefaultReadAnswerTimeout is Config.ReadAnswerTimeout when it is not set.
const DefaultReadAnswerTimeout = 3 * time.Minute

// errNoAnswer ends a read the org did not start answering in time.
var errNoAnswer = errors.New("the org did not answer")

// noAnswerError is a read the org did not start answering within a while: a timeout, as
// IsTimeout, Unreachable and the screens take it (the org out of reach, "not answering"), and
// errNoAnswer.
type noAnswerError struct{ after time.Duration }

func (e noAnswerError) Error() string { return fmt.Sprintf("%v within %s", errNoAnswer, e.after) }

func (e noAnswerError) Is(target error) bool {
	return target == errNoAnswer || target == context.DeadlineExceeded
}

// DefaultRequestTimeout is Config.RequestTimeout when it is not set: Salesforce ends a
// synchronous request after 10 minutes, so an org may legitimately work that long (a Composite
// whose triggers are heavy) before it answers.
const DefaultRequestTimeout = 10 * time.Minute

// DefaultStallTimeout is Config.StallTimeout when it is not set.
const DefaultStallTimeout = 2 * time.Minute

// errStalled ends a request whose reply stopped coming.
var errStalled = errors.New("the reply stalled")

// String describes the configuration without its token.
func (c Config) String() string {
	return fmt.Sprintf("remote.Config{InstanceURL: %q, Username: %q, APIVersion: %q, AccessToken: %s}",
		c.InstanceURL, c.Username, c.APIVersion, redactedMark(c.AccessToken))
}

// GoString is String, so %#v never prints the token.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Config) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

func redactedMark(token string) string {
	if token == "" {
		return "(none)"
	}
	return "[redacted]"
}

// RequestInfo describes one HTTP request after it completed. It never holds tokens.
type RequestInfo struct {
	Method   string
	Path     string // URL path, without host and query
	Status   int    // 0 when no reply arrived
	Code     string // the first errorCode of an error reply
	Duration time.Duration
	Tag      string // from WithTag
	Err      error
	// Via is the request that carried this GET, "POST /services/data/vNN.0/composite", when the
	// GET's URL was too long to send as it is (see MaxGetURL), or "". Status and Code are then
	// the GET's, as the org answered it inside.
	Via string
}

type tagKey struct{}

// WithTag returns a context whose requests report tag in RequestInfo.Tag.
func WithTag(ctx context.Context, tag string) context.Context {
	return context.WithValue(ctx, tagKey{}, tag)
}

func tagOf(ctx context.Context) string {
	s, _ := ctx.Value(tagKey{}).(string)
	return s
}

// Client is an Org over the Salesforce REST API.
type Client struct {
	base     string // instance URL without trailing slash (guarded by tokenMu: a refresh may move it)
	http     *http.Client
	refresh  func(ctx context.Context) (string, error)
	moved    func() string // Config.RefreshedInstance
	observe  func(RequestInfo)
	maxReply int64
	timeout  time.Duration // per request; 0 = none
	stall    time.Duration // between bytes of a reply body; 0 = none
	answer   time.Duration // for a read to start being answered; 0 = none
	identity Identity

	tokenMu   sync.RWMutex
	token     string
	refreshMu sync.Mutex
	// refreshTimedOut is the last session refresh's failure when it timed out, and when
	// (guarded by tokenMu).
	refreshTimedOut   error
	refreshTimedOutAt time.Time

	discoverMu sync.Mutex // one discovery at a time
	// versionTimedOut is the last version lookup's failure when it timed out, and when (held
	// under discoverMu): the requests that wait for the version fail at once rather than each
	// wait as long again.
	versionTimedOut   error
	versionTimedOutAt time.Time
	version           atomic.Pointer[string] // "62.0" once known; read without locks (Observe may call APIVersion)

	limitMu sync.Mutex
	limit   string
	date    time.Time // the org's clock, from the last reply's Date header
	dateAt  time.Time // when that reply came (this machine's clock, monotonic)
}

var _ Org = (*Client)(nil)

// NewClient checks the configuration and, when cfg.APIVersion is "", discovers the API version.
// If discovery fails because the network is unreachable (offline, dropped), it is retried on the
// first call instead; an error reply from the org fails NewClient.
func NewClient(ctx context.Context, cfg Config) (*Client, error) {
	base, err := normalizeInstanceURL(cfg.InstanceURL)
	if err != nil {
		return nil, err
	}
	if cfg.AccessToken == "" && cfg.Refresh == nil {
		return nil, errors.New("remote: an access token (or a refresh function) is required")
	}
	rt := cfg.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c := &Client{
		base: base,
		http: &http.Client{
			Transport:     rt,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		refresh:  cfg.Refresh,
		moved:    cfg.RefreshedInstance,
		observe:  cfg.Observe,
		maxReply: cfg.MaxReplyBytes,
		token:    cfg.AccessToken,
		identity: Identity{InstanceURL: base, Username: cfg.Username},
	}
	if c.maxReply <= 0 {
		c.maxReply = DefaultMaxReplyBytes
	}
	switch {
	case cfg.RequestTimeout == 0:
		c.timeout = DefaultRequestTimeout
	case cfg.RequestTimeout > 0:
		c.timeout = cfg.RequestTimeout
	}
	switch {
	case cfg.StallTimeout == 0:
		c.stall = DefaultStallTimeout
	case cfg.StallTimeout > 0:
		c.stall = cfg.StallTimeout
	}
	switch {
	case cfg.ReadAnswerTimeout == 0:
		c.answer = DefaultReadAnswerTimeout
	case cfg.ReadAnswerTimeout > 0:
		c.answer = cfg.ReadAnswerTimeout
	}
	c.identity.OrgID, c.identity.UserID = parseIdentityURL(cfg.IdentityURL)
	if cfg.APIVersion != "" {
		v, err := normalizeVersion(cfg.APIVersion)
		if err != nil {
			return nil, err
		}
		c.version.Store(&v)
		return c, nil
	}
	if _, err := c.ensureVersion(ctx); err != nil {
		if _, ok := AsError(err); ok || errors.Is(err, ErrMalformedReply) || errors.Is(err, errNoVersion) {
			return nil, err
		}
		// Network trouble: discover on the first call.
	}
	return c, nil
}

// String names the client without its token.
func (c *Client) String() string {
	return fmt.Sprintf("remote.Client{%s as %q, v%s}", c.baseURL(), c.identity.Username, c.APIVersion())
}

// GoString is String.
func (c *Client) GoString() string { return c.String() }

// Format prints String for every verb, so no token is ever printed.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// APIVersion is the version in use ("62.0"), or "" while it has not been discovered yet.
func (c *Client) APIVersion() string {
	if v := c.version.Load(); v != nil {
		return *v
	}
	return ""
}

// LimitInfo is the last Sforce-Limit-Info header seen, or "".
func (c *Client) LimitInfo() string {
	c.limitMu.Lock()
	defer c.limitMu.Unlock()
	return c.limit
}

// OrgNow is the org's clock now, to the second, as the Date header of its last reply and the
// time since tell; ok is false before any reply with a Date came.
func (c *Client) OrgNow() (now time.Time, ok bool) {
	c.limitMu.Lock()
	defer c.limitMu.Unlock()
	if c.date.IsZero() {
		return time.Time{}, false
	}
	return c.date.Add(time.Since(c.dateAt)), true
}

// Identity is who the client is signed in as.
func (c *Client) Identity() Identity {
	c.tokenMu.RLock()
	defer c.tokenMu.RUnlock()
	return c.identity
}

// baseURL is the instance URL requests go to.
func (c *Client) baseURL() string {
	c.tokenMu.RLock()
	defer c.tokenMu.RUnlock()
	return c.base
}

func normalizeInstanceURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("remote: instance URL is required")
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("remote: instance URL %q: %v", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("remote: instance URL %q must start with https:// (or http:// for a local org)", s)
	}
	if u.Host == "" {
		return "", fmt.Errorf("remote: instance URL %q has no host", s)
	}
	if u.User != nil {
		return "", errors.New("remote: instance URL must not carry credentials")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("remote: instance URL %q must not have a query or fragment", s)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// normalizeVersion accepts "62.0", "v62.0" or "62" and returns "62.0".
func normalizeVersion(s string) (string, error) {
	v := strings.TrimPrefix(strings.TrimSpace(s), "v")
	major, minor, ok := strings.Cut(v, ".")
	if !ok {
		minor = "0"
	}
	n, err := strconv.Atoi(major)
	if err != nil || n <= 0 || n > 999 || minor != "0" {
		return "", fmt.Errorf("remote: API version %q is not of the form 62.0", s)
	}
	return strconv.Itoa(n) + ".0", nil
}

func versionNumber(s string) (int, bool) {
	v, err := normalizeVersion(s)
	if err != nil {
		return 0, false
	}
	n, _ := strconv.Atoi(strings.TrimSuffix(v, ".0"))
	return n, true
}

var errNoVersion = errors.New("remote: the org offers no API version the client supports")

// ensureVersion returns the API version, discovering it when it is not known yet.
func (c *Client) ensureVersion(ctx context.Context) (string, error) {
	if v := c.APIVersion(); v != "" {
		return v, nil
	}
	c.discoverMu.Lock()
	defer c.discoverMu.Unlock()
	if v := c.APIVersion(); v != "" {
		return v, nil
	}
	if last := c.versionTimedOut; last != nil && time.Since(c.versionTimedOutAt) < refreshTimeoutMemory {
		return "", last
	}
	// The lookup is the client's own, not part of the changes the caller tagged its request
	// with: the log does not put it in their records' stories.
	versions, err := c.fetchVersions(WithTag(ctx, ""))
	if err != nil {
		// The request that needed the version never left: nothing of it reached the org.
		err = notSentError{fmt.Errorf("remote: discovering the API version: %w", err)}
		if IsTimeout(err) && ctx.Err() == nil {
			c.versionTimedOut, c.versionTimedOutAt = err, time.Now()
		}
		return "", err
	}
	c.versionTimedOut = nil
	maxN, _ := versionNumber(MaxAPIVersion)
	best := 0
	for _, v := range versions {
		if n, ok := versionNumber(v.Version); ok && n <= maxN && n > best {
			best = n
		}
	}
	if best == 0 {
		return "", fmt.Errorf("%w (newest supported: %s)", errNoVersion, MaxAPIVersion)
	}
	v := strconv.Itoa(best) + ".0"
	c.version.Store(&v)
	return v, nil
}

// Versions lists the API versions the org offers.
func (c *Client) Versions(ctx context.Context) ([]APIVersion, error) { return c.fetchVersions(ctx) }

func (c *Client) fetchVersions(ctx context.Context) ([]APIVersion, error) {
	var out []APIVersion
	if err := c.getJSON(ctx, "/services/data/", nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// vpath returns the versioned base path, "/services/data/v62.0".
func (c *Client) vpath(ctx context.Context) (string, error) {
	v, err := c.ensureVersion(ctx)
	if err != nil {
		return "", err
	}
	return "/services/data/v" + v, nil
}

// request is one call to the org.
type request struct {
	method string
	path   string // absolute path, starting with /services/
	query  url.Values
	body   any // marshalled as JSON when not nil
	header http.Header
	// carried is the GET this Composite request carries (see get), or nil.
	carried *carriedGet
}

// reply is a completed 2xx reply.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends the request, refreshing the session once on 401 INVALID_SESSION_ID. A non-2xx reply
// becomes an *Error.
func (c *Client) do(ctx context.Context, r request) (*reply, error) {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return nil, fmt.Errorf("remote: encoding the %s %s body: %w", r.method, r.path, err)
		}
	}
	token := c.currentToken()
	if token == "" && c.refresh != nil {
		// A session opened without the network has no token yet: sign in first. Not reaching
		// the org is a network failure like any other; a refusal is an auth failure.
		if rerr := c.refreshToken(ctx, token); rerr != nil {
			if Unreachable(rerr) {
				return nil, &transportError{method: r.method, path: r.path, err: rerr, notSent: true}
			}
			notSignedIn := &Error{Status: http.StatusUnauthorized, Items: []ErrorItem{{Code: "INVALID_SESSION_ID", Message: "not signed in yet"}}}
			return nil, &refreshError{api: notSignedIn, err: rerr, first: true}
		}
		token = c.currentToken()
	}
	rep, err := c.send(ctx, r, payload, token)
	if err == nil || c.refresh == nil {
		return rep, err
	}
	apiErr, ok := AsError(err)
	if !ok || apiErr.Status != http.StatusUnauthorized || !apiErr.HasCode("INVALID_SESSION_ID") {
		return rep, err
	}
	if rerr := c.refreshToken(ctx, token); rerr != nil {
		if Unreachable(rerr) {
			// The session expired while the org's sign-in could not be reached: a network
			// failure (retried), not a refusal that needs the user to sign in again. The org
			// refused the request itself (401): it did nothing with it.
			return nil, &transportError{method: r.method, path: r.path, err: rerr, notSent: true}
		}
		return nil, &refreshError{api: apiErr, err: rerr}
	}
	return c.send(ctx, r, payload, c.currentToken())
}

// Unreachable reports whether a failed sign-in or refresh got no reply at all: offline, a
// network error, a timeout or cancel, a connection the org closed before its reply was whole
// (EOF: an org restarting), or an error that says so itself (Unreachable() bool, as the
// sign-in package's are).
func Unreachable(err error) bool {
	var ne net.Error
	var u interface{ Unreachable() bool }
	var te *transportError
	return errors.Is(err, ErrOffline) || errors.As(err, &ne) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &te) && (errors.Is(te.err, io.EOF) || errors.Is(te.err, io.ErrUnexpectedEOF)) ||
		errors.As(err, &u) && u.Unreachable()
}

func (c *Client) currentToken() string {
	c.tokenMu.RLock()
	defer c.tokenMu.RUnlock()
	return c.token
}

// refreshToken asks for a new token unless another call already replaced the stale one.
func (c *Client) refreshToken(ctx context.Context, stale string) error {
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	if c.currentToken() != stale {
		return nil
	}
	c.tokenMu.RLock()
	last, at := c.refreshTimedOut, c.refreshTimedOutAt
	c.tokenMu.RUnlock()
	if last != nil && time.Since(at) < refreshTimeoutMemory {
		// A sign-in that just waited out its time would wait as long again: the requests of
		// the same run fail at once instead of each waiting in turn.
		return last
	}
	tok, err := c.refresh(ctx)
	if err != nil {
		err = c.scrub(err)
		if IsTimeout(err) && ctx.Err() == nil {
			// Its own time ran out, not the caller's: the caller's deadline says nothing of the org.
			c.tokenMu.Lock()
			c.refreshTimedOut, c.refreshTimedOutAt = err, time.Now()
			c.tokenMu.Unlock()
		}
		return err
	}
	if tok == "" {
		return errors.New("the refresh returned an empty token")
	}
	moved := ""
	if c.moved != nil {
		if u := c.moved(); u != "" {
			nb, err := normalizeInstanceURL(u)
			if err != nil {
				return fmt.Errorf("the refreshed session names an instance URL that cannot be used (%q): %w", u, err)
			}
			moved = nb
		}
	}
	c.tokenMu.Lock()
	c.refreshTimedOut = nil
	c.token = tok
	if moved != "" && moved != c.base {
		c.base, c.identity.InstanceURL = moved, moved
	}
	c.tokenMu.Unlock()
	return nil
}

// ForgetRefreshFailure drops the memory of a session refresh that timed out: the device has just
// come back online, and the next request tries the org again at once.
func (c *Client) ForgetRefreshFailure() {
	c.tokenMu.Lock()
	c.refreshTimedOut = nil
	c.tokenMu.Unlock()
	c.discoverMu.Lock()
	c.versionTimedOut = nil // and of a version lookup that did
	c.discoverMu.Unlock()
}

// refreshTimeoutMemory is how long a session refresh that timed out is answered by its failure
// rather than tried again.
const refreshTimeoutMemory = 15 * time.Second

// IsTimeout reports whether err is a timeout: a network one, or a context's deadline.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// refreshError is a 401 whose session refresh failed; errors.As still finds the *Error.
type refreshError struct {
	api *Error
	err error
	// first: the session had no token yet (opened without the network): no request reached
	// the org, the first sign-in failed.
	first bool
}

func (e *refreshError) Error() string {
	if e.first {
		return "signing in failed: " + e.err.Error()
	}
	return e.api.Error() + "; refreshing the session failed: " + e.err.Error()
}

// SignInFailure reports whether err is a sign-in (or a renewal of the session) that failed, and
// with what words: the way of signing in's own (a refused password, another org), without the
// request it was made for.
func SignInFailure(err error) (string, bool) {
	var re *refreshError
	if !errors.As(err, &re) {
		return "", false
	}
	return re.err.Error(), true
}
func (e *refreshError) Unwrap() []error { return []error{e.api, e.err} }

// IsRedirect reports a status that sends the client elsewhere (not 300 Multiple Choices, an
// upsert's answer naming the records its key matched, nor 304 Not Modified).
func IsRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// send makes one HTTP request and reports it to Observe.
func (c *Client) send(ctx context.Context, r request, payload []byte, token string) (rep *reply, err error) {
	start := time.Now()
	info := RequestInfo{Method: r.method, Path: r.path, Tag: tagOf(ctx)}
	if r.carried != nil {
		info.Method, info.Path, info.Via = http.MethodGet, r.carried.path, r.method+" "+r.path
	}
	defer func() {
		if c.observe == nil {
			return
		}
		info.Duration = time.Since(start)
		info.Err = err
		if e, ok := AsError(err); ok {
			info.Code = e.Code()
		}
		c.observe(info)
	}()

	parent := ctx
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	// timedOut names a failure caused by this request's own limits (not the caller's), without
	// the context error a stall leaves (a stall is no cancel by the user).
	timedOut := func(err error) error {
		if parent.Err() != nil {
			return err
		}
		if errors.Is(context.Cause(ctx), errStalled) {
			return fmt.Errorf("%w: no data for %s", errStalled, c.stall)
		}
		if errors.Is(context.Cause(ctx), errNoAnswer) {
			return noAnswerError{after: c.answer}
		}
		if c.timeout > 0 && errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("no complete reply within %s: %w", c.timeout, err)
		}
		return err
	}
	u := c.baseURL() + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("remote: building %s %s: %w", r.method, r.path, err)
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	var answered func() bool
	read := r.method == http.MethodGet || r.carried != nil
	if read && c.answer > 0 && (c.timeout <= 0 || c.answer < c.timeout) {
		t := time.AfterFunc(c.answer, func() { stop(errNoAnswer) })
		answered = t.Stop
	}
	resp, err := c.http.Do(req)
	if answered != nil {
		answered() // the reply has begun (or failed): the stall timer takes over
	}
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.Err != nil {
			err = ue.Err // the URL is already in our message; keep the cause
		}
		return nil, &transportError{method: r.method, path: r.path, err: timedOut(err), token: token}
	}
	defer resp.Body.Close()
	info.Status = resp.StatusCode
	if li := resp.Header.Get("Sforce-Limit-Info"); li != "" {
		c.limitMu.Lock()
		c.limit = li
		c.limitMu.Unlock()
	}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		c.limitMu.Lock()
		c.date, c.dateAt = d, time.Now()
		c.limitMu.Unlock()
	}
	var flow io.Reader = resp.Body
	if c.stall > 0 {
		t := time.AfterFunc(c.stall, func() { stop(errStalled) })
		defer t.Stop()
		flow = &flowingReader{r: resp.Body, timer: t, stall: c.stall}
	}
	data, err := readBody(flow, resp.ContentLength, c.maxReply)
	if err != nil {
		return nil, &transportError{method: r.method, path: r.path, err: timedOut(err), token: token}
	}
	if int64(len(data)) > c.maxReply {
		return nil, fmt.Errorf("remote: %s %s: %w (over %d bytes)", r.method, r.path, ErrReplyTooLarge, c.maxReply)
	}
	if IsRedirect(resp.StatusCode) {
		// Not the org's answer: a network's sign-in page (a hotel's Wi-Fi), or an address that
		// is not the org's API. Followed, it would send the token elsewhere.
		where := "another address"
		if u, err := url.Parse(resp.Header.Get("Location")); err == nil && u.Host != "" {
			where = u.Scheme + "://" + u.Host
		}
		return nil, &Error{Status: resp.StatusCode, Items: []ErrorItem{{Message: fmt.Sprintf(
			"%s answered with a redirect (HTTP %d) to %s, not as an org does: a network that wants you to sign in to it first, or not the org's address",
			c.baseURL(), resp.StatusCode, plain.Line(where))}}}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := ParseErrorBody(resp.StatusCode, data)
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		e.scrub(token)
		return nil, e
	}
	rep = &reply{status: resp.StatusCode, header: resp.Header, body: data}
	if r.carried != nil {
		// The GET's own answer, inside: what the caller gets, and what Observe reports.
		rep, err = r.carried.answer(rep)
		if ae, ok := AsError(err); ok {
			ae.scrub(token)
			info.Status = ae.Status
		} else if err == nil {
			info.Status = rep.status
		}
	}
	return rep, err
}

// transportError is a failure before a complete reply arrived: offline, dropped, timed out,
// cancelled. It unwraps to the cause (so errors.Is(err, ErrOffline) and net.Error checks work),
// and its message never holds the token.
type transportError struct {
	method, path string
	err          error
	token        string
	notSent      bool // failed before the org could act on it (its session could not be signed in)
}

// NotSent reports whether a failed request is known not to have reached the org: offline, its
// session could not be signed in first, or no connection to the org was made. Any other
// failure without a reply (a timeout, a connection cut) may have reached it.
func NotSent(err error) bool {
	var te *transportError
	var ns notSentError
	if errors.As(err, &te) && te.notSent || errors.Is(err, ErrOffline) || errors.As(err, &ns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// notSentError is a request that failed before it left the device, for want of something it
// needed first (the org's API version): the org cannot have acted on it.
type notSentError struct{ error }

// NotSentBecause is a request the caller chose not to send because of err (another request
// found the org out of reach): NotSent reports it, and it unwraps to err.
func NotSentBecause(err error) error { return notSentError{err} }

func (e notSentError) Unwrap() error { return e.error }

func (e *transportError) Error() string {
	msg := e.err.Error()
	if e.token != "" {
		msg = strings.ReplaceAll(msg, e.token, "[redacted]")
	}
	return "remote: " + e.method + " " + e.path + ": " + msg
}
func (e *transportError) Unwrap() error { return e.err }

// scrub removes the current token from an error's text, keeping the error chain.
func (c *Client) scrub(err error) error {
	tok := c.currentToken()
	if err == nil || tok == "" || !strings.Contains(err.Error(), tok) {
		return err
	}
	return &transportError{method: "refresh", path: "session", err: err, token: tok}
}

// scrub removes token from the error's texts (an org never echoes it, but a proxy might).
func (e *Error) scrub(token string) {
	if token == "" {
		return
	}
	e.Raw = strings.ReplaceAll(e.Raw, token, "[redacted]")
	for i := range e.Items {
		e.Items[i].Message = strings.ReplaceAll(e.Items[i].Message, token, "[redacted]")
	}
}

// getJSON GETs path and decodes the JSON reply into out.
func (c *Client) getJSON(ctx context.Context, path string, query url.Values, out any) error {
	rep, err := c.do(ctx, request{method: http.MethodGet, path: path, query: query})
	if err != nil {
		return err
	}
	return decodeJSON(http.MethodGet, path, rep.body, out)
}

func decodeJSON(method, path string, body []byte, out any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("remote: %s %s: %w: empty body where JSON was expected", method, path, ErrMalformedReply)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("remote: %s %s: %w: %v", method, path, ErrMalformedReply, err)
	}
	return nil
}

// parseIdentityURL takes "…/id/00D…/005…" and returns the org and user ids.
func parseIdentityURL(s string) (orgID, userID string) {
	if s == "" {
		return "", ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := 0; i+2 < len(parts); i++ {
		if parts[i] == "id" {
			return parts[i+1], parts[i+2]
		}
	}
	return "", ""
}

// readBody reads at most limit+1 bytes of a reply, in one allocation when the reply says its
// length (replies of a few hundred kilobytes would otherwise be copied as the buffer doubles).
// The first allocation is capped, so a length claimed but never sent costs nothing, and a body
// cut short (io.ErrUnexpectedEOF from net/http) is an error, never a shorter reply.
// flowingReader restarts its timer each time bytes arrive: the timer fires only when the reply
// stops coming for the stall time.
type flowingReader struct {
	r     io.Reader
	timer *time.Timer
	stall time.Duration
}

func (f *flowingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if n > 0 {
		f.timer.Reset(f.stall)
	}
	return n, err
}

func readBody(r io.Reader, size, limit int64) ([]byte, error) {
	r = io.LimitReader(r, limit+1)
	if size < 0 || size > limit {
		return io.ReadAll(r)
	}
	b := bytes.NewBuffer(make([]byte, 0, min(size, 1<<20)+bytes.MinRead))
	if _, err := b.ReadFrom(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// TokenOwner asks the org whose session the client's token is (GET
// /services/oauth2/userinfo): the user's username, and the identity URL naming the org and the
// user. A bare access token carries neither; the other ways of signing in are told both.
func (c *Client) TokenOwner(ctx context.Context) (username, identityURL string, err error) {
	var info struct {
		Sub               string `json:"sub"`
		ID                string `json:"id"`
		UserID            string `json:"user_id"`
		OrganizationID    string `json:"organization_id"`
		PreferredUsername string `json:"preferred_username"`
		Username          string `json:"username"`
	}
	if err := c.getJSON(ctx, "/services/oauth2/userinfo", nil, &info); err != nil {
		return "", "", err
	}
	username = info.PreferredUsername
	if username == "" {
		username = info.Username
	}
	for _, u := range []string{info.Sub, info.ID} {
		if org, user := parseIdentityURL(u); org != "" && user != "" {
			identityURL = u
			break
		}
	}
	if identityURL == "" && info.OrganizationID != "" && info.UserID != "" {
		identityURL = c.baseURL() + "/id/" + info.OrganizationID + "/" + info.UserID
	}
	if username == "" || identityURL == "" {
		return "", "", fmt.Errorf("remote: GET /services/oauth2/userinfo: %w: no username or user id in the reply", ErrMalformedReply)
	}
	return username, identityURL, nil
}

// Claim makes the client's identity the user a TokenOwner reply named.
func (c *Client) Claim(username, identityURL string) {
	c.tokenMu.Lock()
	defer c.tokenMu.Unlock()
	c.identity.Username = username
	c.identity.OrgID, c.identity.UserID = parseIdentityURL(identityURL)
}
