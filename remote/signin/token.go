package signin

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"unicode"
)

// The environment variables FromToken falls back to.
const (
	EnvInstanceURL = "SF_INSTANCE_URL"
	EnvAccessToken = "SF_ACCESS_TOKEN"
)

// ErrRedactedToken means the token given is the Salesforce CLI's redaction placeholder, not a token.
var ErrRedactedToken = errors.New("the access token is the Salesforce CLI's redaction placeholder; " +
	"get the real one with `sf org auth show-access-token --target-org ALIAS --json`, or use --target-org ALIAS")

// EnvToken returns the instance URL and access token from SF_INSTANCE_URL and SF_ACCESS_TOKEN
// (each "" when unset), trimmed of surrounding white space.
func EnvToken() (instanceURL, accessToken string) {
	return strings.TrimSpace(os.Getenv(EnvInstanceURL)), strings.TrimSpace(os.Getenv(EnvAccessToken))
}

// FromToken makes a session from a token the user already has. An empty argument is taken from
// SF_INSTANCE_URL or SF_ACCESS_TOKEN. The session cannot refresh itself.
func FromToken(instanceURL, accessToken string) (Session, error) {
	envURL, envToken := EnvToken()
	instanceURL = strings.TrimSpace(instanceURL)
	accessToken = strings.TrimSpace(accessToken)
	if instanceURL == "" {
		instanceURL = envURL
	}
	if accessToken == "" {
		accessToken = envToken
	}
	if instanceURL == "" {
		return Session{}, fmt.Errorf("no instance URL: pass --instance-url URL or set %s", EnvInstanceURL)
	}
	if accessToken == "" {
		return Session{}, fmt.Errorf("no access token: pass --access-token TOKEN or set %s", EnvAccessToken)
	}
	u, err := CheckInstanceURL(instanceURL)
	if err != nil {
		return Session{}, err
	}
	if err := checkToken(accessToken); err != nil {
		return Session{}, err
	}
	return Session{InstanceURL: u, AccessToken: accessToken}, nil
}

// CheckInstanceURL validates an org's base URL and returns it without a trailing slash. It must
// be https, or http on a loopback address (a served mock org), with no user, query or fragment.
func CheckInstanceURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("empty org URL")
	}
	if strings.IndexFunc(raw, unicode.IsControl) >= 0 || strings.ContainsAny(raw, " \t") {
		return "", fmt.Errorf("org URL %q contains spaces or control characters", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("org URL %q is not a URL: %w", raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("org URL %q must start with https://", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", fmt.Errorf("org URL %q has no host", raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("org URL must not contain a user or password")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("org URL %q must not have a query or fragment", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("org URL %q uses plain http; tokens are only sent over https (or http to this machine)", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkToken rejects values that cannot be a bearer token, without echoing them.
func checkToken(tok string) error {
	if strings.Contains(strings.ToUpper(tok), "REDACTED") {
		return ErrRedactedToken
	}
	for _, r := range tok {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r > unicode.MaxASCII {
			return fmt.Errorf("the access token (%d characters) contains spaces, control or non-ASCII characters", len(tok))
		}
	}
	return nil
}
