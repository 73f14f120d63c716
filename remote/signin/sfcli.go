package signin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"unicode"
)

// SFCommand is the Salesforce CLI executable FromSFCLI runs, looked up on PATH.
const SFCommand = "sf"

// ErrSFCLINotFound means the Salesforce CLI is not installed (not on PATH).
var ErrSFCLINotFound = errors.New("the Salesforce CLI (sf) is not on PATH: install it (npm install --global @salesforce/cli) " +
	"and run `sf org login web --alias ALIAS`, or sign in with --instance-url and --access-token")

// sfReply is the envelope of every `sf ... --json` output.
type sfReply struct {
	Status  *int            `json:"status"`
	Result  json.RawMessage `json:"result"`
	Name    string          `json:"name"`
	Message string          `json:"message"`
}

// sfOrg is the part of `sf org display --json`'s result used here.
type sfOrg struct {
	AccessToken string `json:"accessToken"`
	InstanceURL string `json:"instanceUrl"`
	Username    string `json:"username"`
}

// FromSFCLI makes a session from the Salesforce CLI's stored authorisation of the org ALIAS (an
// alias or user name): `sf org display --target-org ALIAS --json` gives the instance URL, user
// name and, on older CLIs, the token; when the token is redacted (it contains "REDACTED" or lacks
// the "!" of a session id) `sf org auth show-access-token --target-org ALIAS --json` gives it. The
// session's Refresh runs the CLI again, which refreshes an expired token itself.
func FromSFCLI(ctx context.Context, alias string) (Session, error) {
	alias = strings.TrimSpace(alias)
	if alias == "" {
		return Session{}, errors.New("no org alias: pass --target-org ALIAS (see `sf org list`)")
	}
	if strings.HasPrefix(alias, "-") || strings.IndexFunc(alias, func(r rune) bool {
		return unicode.IsControl(r) || unicode.IsSpace(r)
	}) >= 0 {
		return Session{}, fmt.Errorf("org alias %q is not a valid alias or user name", alias)
	}
	s, err := sfSession(ctx, alias)
	if err != nil {
		return Session{}, err
	}
	moved := &instanceOf{}
	s.Instance = moved.get
	s.Refresh = newRefresh(func(ctx context.Context) (string, error) {
		ns, err := sfSession(ctx, alias)
		if err != nil {
			return "", err
		}
		moved.set(ns.InstanceURL)
		return ns.AccessToken, nil
	})
	return s, nil
}

func sfSession(ctx context.Context, alias string) (Session, error) {
	var org sfOrg
	if err := runSF(ctx, &org, "org", "display", "--target-org", alias, "--json"); err != nil {
		return Session{}, err
	}
	if org.InstanceURL == "" {
		return Session{}, fmt.Errorf("`sf org display --target-org %s` gave no instanceUrl", alias)
	}
	inst, err := CheckInstanceURL(org.InstanceURL)
	if err != nil {
		return Session{}, fmt.Errorf("`sf org display --target-org %s` gave a bad instanceUrl: %w", alias, err)
	}
	tok := org.AccessToken
	if sfRedacted(tok) {
		var shown sfOrg
		if err := runSF(ctx, &shown, "org", "auth", "show-access-token", "--target-org", alias, "--json"); err != nil {
			return Session{}, err
		}
		tok = shown.AccessToken
		if tok == "" {
			return Session{}, fmt.Errorf("`sf org auth show-access-token --target-org %s` gave no accessToken", alias)
		}
		if strings.Contains(strings.ToUpper(tok), "REDACTED") {
			return Session{}, fmt.Errorf("`sf org auth show-access-token --target-org %s` gave a redacted token; "+
				"update the Salesforce CLI or set SF_TEMP_SHOW_SECRETS=true", alias)
		}
	}
	if err := checkToken(tok); err != nil {
		return Session{}, fmt.Errorf("the Salesforce CLI's token for %s is unusable: %w", alias, err)
	}
	return Session{InstanceURL: inst, AccessToken: tok, Username: org.Username}, nil
}

// sfRedacted reports whether `org display` withheld the token.
func sfRedacted(tok string) bool {
	return tok == "" || strings.Contains(strings.ToUpper(tok), "REDACTED") || !strings.Contains(tok, "!")
}

// runSF runs `sf args...`, checks the JSON envelope and decodes its result into out.
func runSF(ctx context.Context, out *sfOrg, args ...string) error {
	display := "sf " + strings.Join(args, " ")
	path, err := exec.LookPath(SFCommand)
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return ErrSFCLINotFound
		}
		return fmt.Errorf("finding the Salesforce CLI: %w", err)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.Env = append(cmd.Environ(), "SF_AUTOUPDATE_DISABLE=true", "SF_DISABLE_AUTOUPDATE=true", "FORCE_COLOR=0", "NO_COLOR=1")
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return fmt.Errorf("`%s` was stopped: %w", display, ctx.Err())
	}
	reply, parseErr := parseSFJSON(stdout.Bytes())
	if parseErr != nil {
		// Some failures print the JSON envelope on stderr.
		if r2, err2 := parseSFJSON(stderr.Bytes()); err2 == nil {
			reply, parseErr = r2, nil
		}
	}
	if runErr != nil {
		var ee *exec.ExitError
		if !errors.As(runErr, &ee) {
			return fmt.Errorf("running `%s`: %w", display, runErr)
		}
		detail := ""
		switch {
		case parseErr == nil && (reply.Name != "" || reply.Message != ""):
			detail = strings.TrimPrefix(reply.Name+": "+reply.Message, ": ")
		case strings.TrimSpace(stderr.String()) != "":
			detail = firstLine(stderr.String())
		default:
			detail = firstLine(stdout.String())
		}
		return fmt.Errorf("`%s` failed (exit status %d): %s", display, ee.ExitCode(), scrub(detail, 300))
	}
	if parseErr != nil {
		return fmt.Errorf("`%s` did not print JSON (%v); output began: %q", display, parseErr, scrub(firstLine(stdout.String()), 80))
	}
	if reply.Status == nil {
		return fmt.Errorf("`%s` printed JSON without a status", display)
	}
	if *reply.Status != 0 {
		return fmt.Errorf("`%s` reported status %d: %s", display, *reply.Status,
			scrub(strings.TrimPrefix(reply.Name+": "+reply.Message, ": "), 300))
	}
	if len(reply.Result) == 0 || string(reply.Result) == "null" {
		return fmt.Errorf("`%s` printed no result", display)
	}
	// show-access-token may give the token as a bare string.
	var tok string
	if json.Unmarshal(reply.Result, &tok) == nil {
		out.AccessToken = tok
		return nil
	}
	if err := json.Unmarshal(reply.Result, out); err != nil {
		return fmt.Errorf("`%s` printed an unexpected result: %w", display, scrubJSONError(err))
	}
	return nil
}

// parseSFJSON decodes the envelope, skipping any lines (update notices, warnings) printed before
// the JSON object.
func parseSFJSON(b []byte) (sfReply, error) {
	var r sfReply
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return r, errors.New("no output")
	}
	start := 0
	if b[0] != '{' {
		i := bytes.Index(b, []byte("\n{"))
		if i < 0 {
			return r, errors.New("no JSON object in the output")
		}
		start = i + 1
	}
	dec := json.NewDecoder(bytes.NewReader(b[start:]))
	if err := dec.Decode(&r); err != nil {
		return sfReply{}, scrubJSONError(err)
	}
	return r, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
