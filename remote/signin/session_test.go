package signin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// fmtAll renders v with every common verb, joined.
func fmtAll(v any) string {
	return fmt.Sprintf("%v|%+v|%#v|%s|%q|%x", v, v, v, v, v, v)
}

func TestSessionNeverPrintsItsToken(t *testing.T) {
	s := Session{InstanceURL: "https://acme.my.salesforce.com", AccessToken: sampleToken, Username: "alex@acme.com",
		Refresh: func(context.Context) (string, error) { return "", nil }}
	outputs := map[string]string{
		"verbs":          fmtAll(s),
		"pointer verbs":  fmtAll(&s),
		"in a struct":    fmt.Sprintf("%+v %#v", struct{ S Session }{s}, struct{ S Session }{s}),
		"in a slice":     fmt.Sprintf("%v %#v", []Session{s}, []Session{s}),
		"String":         s.String(),
		"GoString":       s.GoString(),
		"error wrapping": fmt.Errorf("failed with %v", s).Error(),
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	outputs["json"] = string(b)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("signed in", "session", s)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("signed in", "session", s)
	outputs["slog"] = logs.String()
	for name, out := range outputs {
		if strings.Contains(out, sampleToken) || strings.Contains(out, "AQ4AQGq8") {
			t.Errorf("%s leaks the token: %s", name, out)
		}
		if name != "slog" && !strings.Contains(out, "acme.my.salesforce.com") {
			t.Errorf("%s lost the instance URL: %s", name, out)
		}
	}
	if !strings.Contains(s.String(), redacted) || !strings.Contains(s.String(), "Refresh: yes") {
		t.Errorf("String() = %s", s)
	}
}

func TestSessionStringShowsWhatIsMissing(t *testing.T) {
	got := Session{InstanceURL: "https://x"}.String()
	want := "signin.Session{InstanceURL: https://x, Username: (unknown), AccessToken: (none), Refresh: no}"
	if got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}

func TestScrubMasksTokensAndControlCharacters(t *testing.T) {
	tests := []struct {
		name, in string
		known    []string
		want     string
	}{
		{"salesforce token", "bad token " + sampleToken + " here", nil, "bad token " + redacted + " here"},
		{"long opaque run", "refresh 5Aep861TNFakeRefreshTokenAAAAAAAAAAAAAAAAAAAAAAAA.x end", nil, "refresh " + redacted + " end"},
		{"known secret", "password hunter22 refused", []string{"hunter22"}, "password " + redacted + " refused"},
		{"escape sequences dropped", "a\x1b]52;c;aGk=\x07b\u202ec", nil, "a]52;c;aGk=bc"},
		{"newlines flattened", "line1\nline2", nil, "line1 line2"},
		{"truncated", strings.Repeat("ab ", 10), nil, "ab ab…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limit := 300
			if tt.name == "truncated" {
				limit = 5
			}
			if got := scrub(tt.in, limit, tt.known...); got != tt.want {
				t.Fatalf("scrub = %q, want %q", got, tt.want)
			}
		})
	}
}
