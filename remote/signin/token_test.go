package signin

import (
	"errors"
	"strings"
	"testing"
)

const sampleToken = "00D5g000004ABCD!AQ4AQGq8sQz1Yq1hbwnXvRIPi2jEEbKHIrKsRy_PxVmPxA"

func TestFromTokenTakesArgumentsThenEnvironment(t *testing.T) {
	tests := []struct {
		name             string
		envURL, envTok   string
		argURL, argTok   string
		wantURL, wantErr string
	}{
		{name: "arguments", argURL: "https://acme.my.salesforce.com", argTok: sampleToken, wantURL: "https://acme.my.salesforce.com"},
		{name: "trailing slash and spaces trimmed", argURL: " https://acme.my.salesforce.com/ ", argTok: sampleToken + "\n", wantURL: "https://acme.my.salesforce.com"},
		{name: "environment", envURL: "https://env.my.salesforce.com", envTok: sampleToken, wantURL: "https://env.my.salesforce.com"},
		{name: "arguments win over environment", envURL: "https://env.my.salesforce.com", envTok: "other!x", argURL: "https://arg.my.salesforce.com", argTok: sampleToken, wantURL: "https://arg.my.salesforce.com"},
		{name: "mixed: URL from argument, token from environment", envTok: sampleToken, argURL: "https://arg.my.salesforce.com", wantURL: "https://arg.my.salesforce.com"},
		{name: "loopback http for a served mock org", argURL: "http://127.0.0.1:8080", argTok: sampleToken, wantURL: "http://127.0.0.1:8080"},
		{name: "no URL anywhere", argTok: sampleToken, wantErr: "SF_INSTANCE_URL"},
		{name: "no token anywhere", argURL: "https://acme.my.salesforce.com", wantErr: "SF_ACCESS_TOKEN"},
		{name: "redacted placeholder", argURL: "https://acme.my.salesforce.com", argTok: "[REDACTED] Use 'sf org auth show-access-token' to view", wantErr: "show-access-token"},
		{name: "token with inner space", argURL: "https://acme.my.salesforce.com", argTok: "00D!abc def", wantErr: "spaces"},
		{name: "plain http to a remote host", argURL: "http://acme.my.salesforce.com", argTok: sampleToken, wantErr: "plain http"},
		{name: "not a URL", argURL: "acme.my.salesforce.com", argTok: sampleToken, wantErr: "https://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvInstanceURL, tt.envURL)
			t.Setenv(EnvAccessToken, tt.envTok)
			s, err := FromToken(tt.argURL, tt.argTok)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				assertNoSecret(t, err.Error(), sampleToken)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.InstanceURL != tt.wantURL || s.AccessToken != sampleToken || s.Refresh != nil {
				t.Fatalf("session = %v (token ok: %t)", s, s.AccessToken == sampleToken)
			}
		})
	}
}

func TestFromTokenRedactedPlaceholderIsErrRedactedToken(t *testing.T) {
	_, err := FromToken("https://acme.my.salesforce.com", "[REDACTED] Use 'sf org auth show-access-token' to view")
	if !errors.Is(err, ErrRedactedToken) {
		t.Fatalf("err = %v", err)
	}
}

func TestEnvTokenReadsBothVariables(t *testing.T) {
	t.Setenv(EnvInstanceURL, " https://x.my.salesforce.com ")
	t.Setenv(EnvAccessToken, sampleToken)
	u, tok := EnvToken()
	if u != "https://x.my.salesforce.com" || tok != sampleToken {
		t.Fatalf("EnvToken = %q, (token ok: %t)", u, tok == sampleToken)
	}
}

func TestCheckInstanceURL(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "https://acme.my.salesforce.com", want: "https://acme.my.salesforce.com"},
		{in: "https://acme.my.salesforce.com///", want: "https://acme.my.salesforce.com"},
		{in: "http://localhost:1717/", want: "http://localhost:1717"},
		{in: "http://[::1]:8080", want: "http://[::1]:8080"},
		{in: "https://host/prefix/", want: "https://host/prefix"},
		{in: "", wantErr: "empty"},
		{in: "ftp://acme", wantErr: "https://"},
		{in: "https://", wantErr: "no host"},
		{in: "https://user:pw@acme.my.salesforce.com", wantErr: "user or password"},
		{in: "https://acme.my.salesforce.com?x=1", wantErr: "query"},
		{in: "https://acme.my.salesforce.com#x", wantErr: "fragment"},
		{in: "https://acme\x1b[2J.com", wantErr: "control"},
		{in: "http://10.0.0.5:8080", wantErr: "plain http"},
		{in: "https://bad host", wantErr: "spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CheckInstanceURL(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("CheckInstanceURL(%q) = %q, %v; want error mentioning %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CheckInstanceURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// assertNoSecret fails when text contains any of the secrets.
func assertNoSecret(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Fatalf("secret leaked into %q", text)
		}
	}
}
