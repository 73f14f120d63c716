package signin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const redactedPlaceholder = "[REDACTED] Use 'sf org auth show-access-token' to view"

// fakeSF writes an `sf` shell script into a temporary directory that becomes the whole PATH.
// display and show are shell snippets run for `sf org display ...` and
// `sf org auth show-access-token ...`; every invocation's arguments are appended to the log.
// It returns a func reading the logged invocations.
func fakeSF(t *testing.T, display, show string) func() []string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake sf is a shell script")
	}
	dir := t.TempDir()
	logPath := filepath.Join(dir, "calls.log")
	script := "#!/bin/sh\n" +
		"printf '%s\\n' \"$*\" >> '" + logPath + "'\n" +
		"case \"$1 $2 $3\" in\n" +
		"'org display --target-org')\n" + display + "\n;;\n" +
		"'org auth show-access-token')\n" + show + "\n;;\n" +
		"*) printf 'unexpected arguments: %s\\n' \"$*\" >&2; exit 64;;\n" +
		"esac\n"
	if err := os.WriteFile(filepath.Join(dir, "sf"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	return func() []string {
		b, err := os.ReadFile(logPath)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
}

// out is a shell snippet printing s (single-quoted) and exiting with code.
func out(s string, code int) string {
	return "printf '%s\\n' '" + strings.ReplaceAll(s, "'", `'\''`) + "'\nexit " + string(rune('0'+code))
}

func displayJSON(token string) string {
	return `{"status":0,"result":{"id":"00D5g000004ABCDEAA","apiVersion":"63.0","accessToken":"` + token +
		`","instanceUrl":"https://acme.my.salesforce.com","username":"alex@acme.com","clientId":"PlatformCLI",` +
		`"connectedStatus":"Connected","alias":"acme"},"warnings":[]}`
}

func TestFromSFCLI(t *testing.T) {
	tests := []struct {
		name          string
		display, show string
		wantErr       string
		wantCalls     []string
	}{
		{
			name:      "plain token from org display",
			display:   out(displayJSON(sampleToken), 0),
			wantCalls: []string{"org display --target-org acme --json"},
		},
		{
			name:      "redacted token is fetched with show-access-token",
			display:   out(displayJSON(redactedPlaceholder), 0),
			show:      out(`{"status":0,"result":{"accessToken":"`+sampleToken+`","instanceUrl":"https://acme.my.salesforce.com"}}`, 0),
			wantCalls: []string{"org display --target-org acme --json", "org auth show-access-token --target-org acme --json"},
		},
		{
			name:      "token without an org id is fetched with show-access-token",
			display:   out(displayJSON("abc123"), 0),
			show:      out(`{"status":0,"result":"`+sampleToken+`"}`, 0),
			wantCalls: []string{"org display --target-org acme --json", "org auth show-access-token --target-org acme --json"},
		},
		{
			name:      "update notice before the JSON is skipped",
			display:   out(" »   Warning: @salesforce/cli update available from 2.100.0 to 2.140.0.\n"+displayJSON(sampleToken), 0),
			wantCalls: []string{"org display --target-org acme --json"},
		},
		{
			name:    "unknown alias: non-zero exit with a JSON error",
			display: out(`{"status":1,"name":"NamedOrgNotFoundError","message":"No authorization information found for acme.","exitCode":1}`, 1),
			wantErr: "failed (exit status 1): NamedOrgNotFoundError: No authorization information found for acme.",
		},
		{
			name:    "non-zero exit with plain text on stderr",
			display: "printf 'Error: cannot read auth file\\n' >&2\nexit 2",
			wantErr: "failed (exit status 2): Error: cannot read auth file",
		},
		{
			name:    "garbage output",
			display: out("Welcome to sf!\nthis is not json", 0),
			wantErr: "did not print JSON",
		},
		{
			name:    "empty output",
			display: "exit 0",
			wantErr: "did not print JSON (no output)",
		},
		{
			name:    "status not zero although the exit code is",
			display: out(`{"status":1,"name":"AuthInfoError","message":"expired refresh token"}`, 0),
			wantErr: "reported status 1: AuthInfoError: expired refresh token",
		},
		{
			name:    "JSON without a status",
			display: out(`{"result":{}}`, 0),
			wantErr: "without a status",
		},
		{
			name:    "no instance URL",
			display: out(`{"status":0,"result":{"accessToken":"`+sampleToken+`"}}`, 0),
			wantErr: "gave no instanceUrl",
		},
		{
			name:    "bad instance URL",
			display: out(`{"status":0,"result":{"accessToken":"`+sampleToken+`","instanceUrl":"http://evil.example.com"}}`, 0),
			wantErr: "bad instanceUrl",
		},
		{
			name:    "show-access-token fails",
			display: out(displayJSON(redactedPlaceholder), 0),
			show:    out(`{"status":1,"name":"Error","message":"token for `+sampleToken+` expired"}`, 1),
			wantErr: "`sf org auth show-access-token --target-org acme --json` failed (exit status 1): Error: token for [REDACTED] expired",
		},
		{
			name:    "show-access-token still redacted",
			display: out(displayJSON(redactedPlaceholder), 0),
			show:    out(`{"status":0,"result":{"accessToken":"`+redactedPlaceholder+`"}}`, 0),
			wantErr: "SF_TEMP_SHOW_SECRETS",
		},
		{
			name:    "show-access-token gives nothing",
			display: out(displayJSON(redactedPlaceholder), 0),
			show:    out(`{"status":0,"result":{}}`, 0),
			wantErr: "gave no accessToken",
		},
		{
			name:    "error text with a token is scrubbed",
			display: "printf 'session " + sampleToken + " is invalid\\n' >&2\nexit 1",
			wantErr: "session [REDACTED] is invalid",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := fakeSF(t, tt.display, tt.show)
			s, err := FromSFCLI(testCtx(t), "acme")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v\nwant it to contain %q", err, tt.wantErr)
				}
				assertNoSecret(t, fmtAll(err), sampleToken)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.AccessToken != sampleToken || s.InstanceURL != "https://acme.my.salesforce.com" || s.Refresh == nil {
				t.Fatalf("session = %v (token ok: %t)", s, s.AccessToken == sampleToken)
			}
			if got := calls(); strings.Join(got, "\n") != strings.Join(tt.wantCalls, "\n") {
				t.Fatalf("sf calls = %q, want %q", got, tt.wantCalls)
			}
		})
	}
}

func TestFromSFCLIUsesTheUsernameFromOrgDisplay(t *testing.T) {
	fakeSF(t, out(displayJSON(sampleToken), 0), "")
	s, err := FromSFCLI(testCtx(t), "acme")
	if err != nil || s.Username != "alex@acme.com" {
		t.Fatalf("FromSFCLI = %v, %v", s, err)
	}
}

func TestFromSFCLIWithoutTheCLIOnPathSaysHowToInstallIt(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := FromSFCLI(testCtx(t), "acme")
	if !errors.Is(err, ErrSFCLINotFound) || !strings.Contains(err.Error(), "@salesforce/cli") {
		t.Fatalf("err = %v", err)
	}
}

func TestFromSFCLIRejectsAliasesThatAreNotAliases(t *testing.T) {
	calls := fakeSF(t, out(displayJSON(sampleToken), 0), "")
	for _, alias := range []string{"", "  ", "-o", "--json", "my org", "a\x1b[2Jb"} {
		if _, err := FromSFCLI(testCtx(t), alias); err == nil {
			t.Errorf("alias %q accepted", alias)
		}
	}
	if got := calls(); got != nil {
		t.Fatalf("sf ran for a rejected alias: %q", got)
	}
}

func TestFromSFCLIRefreshRunsTheCLIAgain(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(sampleToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	display := "read -r TOK < '" + tokenFile + "'\n" +
		`printf '{"status":0,"result":{"accessToken":"%s","instanceUrl":"https://acme.my.salesforce.com"}}\n' "$TOK"`
	calls := fakeSF(t, display, "")
	s, err := FromSFCLI(testCtx(t), "acme")
	if err != nil {
		t.Fatal(err)
	}
	const next = "00D5g000004ABCD!AQ4AQNextTokenAfterRefresh"
	if err := os.WriteFile(tokenFile, []byte(next+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := s.Refresh(testCtx(t))
	if err != nil || tok != next {
		t.Fatalf("Refresh = ok:%t, %v", tok == next, err)
	}
	if n := len(calls()); n != 2 {
		t.Fatalf("sf ran %d times, want 2", n)
	}
}

func TestFromSFCLIStopsWithTheContext(t *testing.T) {
	fakeSF(t, "exec /bin/sleep 30", "")
	if _, err := os.Stat("/bin/sleep"); err != nil {
		t.Skip("no /bin/sleep")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := FromSFCLI(ctx, "acme")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}
