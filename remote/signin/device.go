package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// DefaultDeviceInterval is the wait between polls when the org names none.
const DefaultDeviceInterval = 5 * time.Second

// slowDownStep is added to the interval on each slow_down answer (RFC 8628 §3.5).
const slowDownStep = 5 * time.Second

// ErrDeviceDenied means the user denied the sign-in on the verification page.
var ErrDeviceDenied = errors.New("the sign-in was denied on the verification page")

// ErrDeviceExpired means the device code expired (or the org no longer knows it) before the
// sign-in was approved; the sign-in must start again.
var ErrDeviceExpired = errors.New("the device code expired before the sign-in was approved; start the sign-in again")

// DevicePrompt is what the user needs to approve a device sign-in: the page to open (on any
// device) and the code to enter there. Neither is a secret.
type DevicePrompt struct {
	UserCode        string
	VerificationURI string
}

// DeviceConfig configures the OAuth 2.0 device flow (for terminals without a browser).
type DeviceConfig struct {
	LoginURL     string // default DefaultLoginURL; https://test.salesforce.com for sandboxes, or My Domain
	ClientID     string // the connected app's consumer key (required; "Enable for Device Flow" ticked)
	ClientSecret string // optional, sent with the polls and refreshes
	// Store keeps the refresh token between runs; nil keeps it only in this process. The key is
	// the same as OAuthConfig's, so a token remembered by either flow serves both.
	Store     TokenStore
	LoginHint string   // user name, for the store key and as the name when the identity is unknown
	Scopes    []string // nil means DefaultScopes
	// Prompt shows the user the code and the page (required). It is called once, before polling.
	Prompt func(DevicePrompt)
	// Sleep waits d, or until ctx ends (then it returns ctx's error); nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// oauth is the web-server flow configuration sharing this one's store, key and refresh.
func (c DeviceConfig) oauth() OAuthConfig {
	return OAuthConfig{LoginURL: c.LoginURL, ClientID: c.ClientID, ClientSecret: c.ClientSecret, Store: c.Store,
		LoginHint: c.LoginHint, Scopes: c.Scopes}
}

// StoreKey is the key under which the refresh token of this configuration is stored.
func (c DeviceConfig) StoreKey() string { return c.oauth().StoreKey() }

// FromDevice signs in with the OAuth 2.0 device flow: it asks the org for a device code, shows
// the user code and verification URL through cfg.Prompt, and polls the token endpoint until the
// user approves (or denies) the sign-in on any device. With a refresh token in cfg.Store it first
// tries the refresh_token grant and skips the device step. ctx bounds the whole sign-in; without a
// deadline, DefaultSignInTimeout applies. Transport failures while polling are retried until the
// deadline. A denial wraps ErrDeviceDenied, an expired code ErrDeviceExpired.
func FromDevice(ctx context.Context, rt http.RoundTripper, cfg DeviceConfig) (Session, error) {
	ctx, cancel := withSignInDeadline(ctx)
	defer cancel()
	oc := cfg.oauth()
	if err := oc.normalise(); err != nil {
		return Session{}, err
	}
	if cfg.Prompt == nil {
		return Session{}, errors.New("device sign-in: no way to show the user code (Prompt is nil)")
	}
	sleep := cfg.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	f := &oauthFlow{cfg: oc, rt: rt, key: oc.StoreKey()}
	if s, ok, err := f.remembered(ctx); ok || err != nil {
		return s, err
	}

	start, err := f.deviceStart(ctx)
	if err != nil {
		return Session{}, err
	}
	cfg.Prompt(DevicePrompt{UserCode: start.UserCode, VerificationURI: start.VerificationURI})

	form := url.Values{"grant_type": {"device"}, "client_id": {oc.ClientID}, "code": {start.DeviceCode}}
	if oc.ClientSecret != "" {
		form.Set("client_secret", oc.ClientSecret)
	}
	interval := start.Interval
	for {
		if err := sleep(ctx, interval); err != nil {
			return Session{}, waitErr(ctx, err)
		}
		tr, err := postToken(ctx, rt, oc.LoginURL, form)
		if err == nil {
			return f.complete(ctx, tr)
		}
		if ctx.Err() != nil {
			return Session{}, waitErr(ctx, ctx.Err())
		}
		var oe *OAuthError
		var te *transportError
		switch {
		case errors.As(err, &oe) && oe.Code == "authorization_pending":
		case errors.As(err, &oe) && oe.Code == "slow_down":
			interval += slowDownStep
		case errors.As(err, &oe) && oe.Code == "access_denied":
			return Session{}, fmt.Errorf("%w: %w", ErrDeviceDenied, oe)
		case errors.As(err, &oe) && (oe.Code == "invalid_grant" || oe.Code == "expired_token"):
			return Session{}, fmt.Errorf("%w: %w", ErrDeviceExpired, oe)
		case errors.As(err, &oe) && oe.Status >= 500, errors.As(err, &te):
			// The org or the network failed this poll; the next one may get through.
		default:
			return Session{}, fmt.Errorf("waiting for the device sign-in at %s: %w", oc.LoginURL, err)
		}
	}
}

// waitErr is the error of a sign-in whose context ended while waiting for the approval.
func waitErr(ctx context.Context, err error) error {
	if cause := ctx.Err(); cause != nil {
		err = cause
	}
	return fmt.Errorf("the device sign-in was not approved in time: %w", err)
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// deviceStart is the checked reply of the device authorization request.
type deviceStart struct {
	DeviceCode      string
	UserCode        string
	VerificationURI string
	Interval        time.Duration
}

// maxDeviceInterval bounds the interval an org may ask for.
const maxDeviceInterval = 5 * time.Minute

// deviceStart asks the org for a device code and checks the reply.
func (f *oauthFlow) deviceStart(ctx context.Context) (deviceStart, error) {
	form := url.Values{"response_type": {"device_code"}, "client_id": {f.cfg.ClientID}}
	if len(f.cfg.Scopes) > 0 {
		form.Set("scope", strings.Join(f.cfg.Scopes, " "))
	}
	body, err := postForm(ctx, f.rt, f.cfg.LoginURL, form)
	if err != nil {
		var oe *OAuthError
		if errors.As(err, &oe) && oe.Status < 500 {
			return deviceStart{}, fmt.Errorf("starting the device sign-in at %s (is \"Enable for Device Flow\" ticked on the connected app?): %w", f.cfg.LoginURL, err)
		}
		return deviceStart{}, fmt.Errorf("starting the device sign-in at %s: %w", f.cfg.LoginURL, err)
	}
	var raw struct {
		DeviceCode      string          `json:"device_code"`
		UserCode        string          `json:"user_code"`
		VerificationURI string          `json:"verification_uri"`
		Interval        json.RawMessage `json:"interval"`
	}
	bad := func(format string, a ...any) (deviceStart, error) {
		return deviceStart{}, fmt.Errorf("the device sign-in at %s could not start: "+format, append([]any{f.cfg.LoginURL}, a...)...)
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return bad("malformed reply: %w", scrubJSONError(err))
	}
	if raw.DeviceCode == "" {
		return bad("the reply has no device_code")
	}
	known := []string{raw.DeviceCode}
	if !printableCode(raw.UserCode) || strings.Contains(raw.UserCode, raw.DeviceCode) {
		return bad("the reply has no usable user_code (%q)", scrub(raw.UserCode, 40, known...))
	}
	vu, err := verificationURI(raw.VerificationURI, raw.DeviceCode)
	if err != nil {
		return bad("%w", err)
	}
	interval, err := parseInterval(raw.Interval)
	if err != nil {
		return bad("%w", err)
	}
	return deviceStart{DeviceCode: raw.DeviceCode, UserCode: raw.UserCode, VerificationURI: vu, Interval: interval}, nil
}

// printableCode reports whether a user code can be shown as is: 1 to 64 visible characters.
func printableCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

// verificationURI checks the page the user is sent to: an absolute http(s) URL that does not
// carry the device code.
func verificationURI(raw, deviceCode string) (string, error) {
	if raw == "" {
		return "", errors.New("the reply has no verification_uri")
	}
	if len(raw) > 2000 || strings.Contains(raw, deviceCode) ||
		strings.IndexFunc(raw, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) >= 0 {
		return "", errors.New("the reply's verification_uri is not a URL to show")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("the reply's verification_uri %q is not an http(s) URL", scrub(raw, 200, deviceCode))
	}
	return u.String(), nil
}

// parseInterval reads the poll interval in seconds (a number, or a string holding one);
// absent means DefaultDeviceInterval.
func parseInterval(raw json.RawMessage) (time.Duration, error) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "" || s == "null" {
		return DefaultDeviceInterval, nil
	}
	secs, err := strconv.ParseFloat(s, 64)
	if err != nil || secs < 0 || secs != secs {
		return 0, fmt.Errorf("the reply's interval %q is not a number of seconds", scrub(s, 20))
	}
	d := time.Duration(secs * float64(time.Second))
	switch {
	case secs == 0:
		return DefaultDeviceInterval, nil
	case secs > maxDeviceInterval.Seconds():
		return maxDeviceInterval, nil
	case d < time.Second:
		return time.Second, nil
	}
	return d, nil
}
