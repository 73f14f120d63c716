package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Rule is a validation or duplicate rule of the mock org, added at run time.
type Rule struct {
	ID         string `json:"id,omitempty"`
	Object     string `json:"object"`
	Kind       string `json:"kind"` // one of RuleKinds: required, min, max_length, forbid_value, require_if, duplicate
	Field      string `json:"field"`
	Value      string `json:"value,omitempty"`
	OtherField string `json:"otherField,omitempty"`
	Message    string `json:"message,omitempty"`
}

// MockAdmin calls the mock org's admin operations under /mockorg/v1/ (no REST resource exists for
// them on a real org). Its String never prints the admin token.
type MockAdmin struct {
	base  string
	token string
	http  *http.Client
	err   error // a bad instance URL, reported by every call
}

// NewMockAdmin returns the admin API of the mock org at instanceURL, signed with an admin token.
func NewMockAdmin(instanceURL, adminToken string, rt http.RoundTripper) *MockAdmin {
	base, err := normalizeInstanceURL(instanceURL)
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &MockAdmin{base: base, token: adminToken, err: err,
		http: &http.Client{Transport: rt, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// String names the admin API without its token.
func (a *MockAdmin) String() string { return "remote.MockAdmin{" + a.base + "}" }

// GoString is String.
func (a *MockAdmin) GoString() string { return a.String() }

// Format prints String for every verb.
func (a *MockAdmin) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, a.String()) }

// Share gives username access ("read", "edit" or "none") to a record.
func (a *MockAdmin) Share(ctx context.Context, recordID, username, access string) error {
	switch access {
	case "read", "edit", "none":
	default:
		return fmt.Errorf("remote: share access %q must be read, edit or none", access)
	}
	return a.call(ctx, http.MethodPost, "/share", map[string]string{"recordId": recordID, "username": username, "access": access}, nil)
}

// AddRule adds a rule and returns its id.
func (a *MockAdmin) AddRule(ctx context.Context, r Rule) (string, error) {
	r.ID = ""
	var out struct {
		ID string `json:"id"`
	}
	if err := a.call(ctx, http.MethodPost, "/rules", r, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", fmt.Errorf("remote: POST /mockorg/v1/rules: %w: no id", ErrMalformedReply)
	}
	return out.ID, nil
}

// RemoveRule deletes a rule.
func (a *MockAdmin) RemoveRule(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("remote: empty rule id")
	}
	return a.call(ctx, http.MethodDelete, "/rules/"+url.PathEscape(id), nil, nil)
}

// Rules lists the rules in force.
func (a *MockAdmin) Rules(ctx context.Context) ([]Rule, error) {
	var raw json.RawMessage
	if err := a.call(ctx, http.MethodGet, "/rules", nil, &raw); err != nil {
		return nil, err
	}
	var out []Rule
	if err := decodeListOrWrapped(raw, "rules", &out); err != nil {
		return nil, fmt.Errorf("remote: GET /mockorg/v1/rules: %w", err)
	}
	return out, nil
}

// RuleKinds lists the kinds of rule AddRule accepts.
func (a *MockAdmin) RuleKinds(ctx context.Context) ([]string, error) {
	var raw json.RawMessage
	if err := a.call(ctx, http.MethodGet, "/rulekinds", nil, &raw); err != nil {
		return nil, err
	}
	var out []string
	if err := decodeListOrWrapped(raw, "kinds", &out); err != nil {
		return nil, fmt.Errorf("remote: GET /mockorg/v1/rulekinds: %w", err)
	}
	return out, nil
}

// Expire invalidates every token of username.
func (a *MockAdmin) Expire(ctx context.Context, username string) error {
	return a.call(ctx, http.MethodPost, "/expire", map[string]string{"username": username}, nil)
}

// LockRow locks a record for writes: its next writes updates and deletes answer
// UNABLE_TO_LOCK_ROW (every one until UnlockRow when writes is 0); reads and other records go on.
func (a *MockAdmin) LockRow(ctx context.Context, recordID string, writes int) error {
	if writes < 0 {
		return fmt.Errorf("remote: lock writes %d must not be negative", writes)
	}
	in := map[string]any{"recordId": recordID}
	if writes > 0 {
		in["writes"] = writes
	}
	return a.call(ctx, http.MethodPost, "/lock", in, nil)
}

// UnlockRow takes a record's row lock away and says whether it held one; unlocking a record
// that is not locked is no error.
func (a *MockAdmin) UnlockRow(ctx context.Context, recordID string) (bool, error) {
	err := a.call(ctx, http.MethodDelete, "/lock/"+url.PathEscape(recordID), nil, nil)
	if e, ok := AsError(err); ok && e.Status == http.StatusNotFound && e.HasCode("NOT_FOUND") {
		return false, nil
	}
	return err == nil, err
}

// Reset puts the org back to its seed data.
func (a *MockAdmin) Reset(ctx context.Context) error {
	return a.call(ctx, http.MethodPost, "/reset", map[string]string{}, nil)
}

// SetProfile switches the org between "demo" and "real".
func (a *MockAdmin) SetProfile(ctx context.Context, profile string) error {
	return a.call(ctx, http.MethodPost, "/profile", map[string]string{"profile": profile}, nil)
}

// Profile returns the org's current profile.
func (a *MockAdmin) Profile(ctx context.Context) (string, error) {
	var out struct {
		Profile string `json:"profile"`
	}
	if err := a.call(ctx, http.MethodGet, "/profile", nil, &out); err != nil {
		return "", err
	}
	return out.Profile, nil
}

// decodeListOrWrapped accepts a bare JSON array or an object holding it under key.
func decodeListOrWrapped(raw json.RawMessage, key string, out any) error {
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && t[0] == '{' {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(t, &m); err != nil {
			return fmt.Errorf("%w: %v", ErrMalformedReply, err)
		}
		inner, ok := m[key]
		if !ok {
			return fmt.Errorf("%w: no %q list", ErrMalformedReply, key)
		}
		t = inner
	}
	if err := json.Unmarshal(t, out); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformedReply, err)
	}
	return nil
}

func (a *MockAdmin) call(ctx context.Context, method, sub string, in, out any) error {
	if a.err != nil {
		return a.err
	}
	path := "/mockorg/v1" + sub
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("remote: encoding %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return fmt.Errorf("remote: building %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := a.http.Do(req)
	if err != nil {
		return &transportError{method: method, path: path, err: err, token: a.token}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return &transportError{method: method, path: path, err: err, token: a.token}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := ParseErrorBody(resp.StatusCode, data)
		e.scrub(a.token)
		return e
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*json.RawMessage); ok {
		if len(bytes.TrimSpace(data)) == 0 {
			return fmt.Errorf("remote: %s %s: %w: empty body", method, path, ErrMalformedReply)
		}
		*raw = append((*raw)[:0], data...)
		return nil
	}
	return decodeJSON(method, strings.TrimSpace(path), data, out)
}
