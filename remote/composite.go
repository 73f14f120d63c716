package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// MaxSubrequests is the most subrequests one Composite request may carry.
const MaxSubrequests = 25

var forbiddenSubHeaders = map[string]bool{"accept": true, "authorization": true, "content-type": true}

type compositeSub struct {
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	ReferenceID string            `json:"referenceId"`
	Body        any               `json:"body,omitempty"`
	HTTPHeaders map[string]string `json:"httpHeaders,omitempty"`
}

// Composite sends up to 25 subrequests in one call. The reply is one Subresponse per subrequest,
// in order; a failed subrequest is not an error of the call (see Subresponse.Err).
func (c *Client) Composite(ctx context.Context, allOrNone bool, subs []Subrequest) ([]Subresponse, error) {
	if len(subs) == 0 {
		return nil, errors.New("remote: composite request without subrequests")
	}
	if len(subs) > MaxSubrequests {
		return nil, fmt.Errorf("remote: composite request with %d subrequests (at most %d)", len(subs), MaxSubrequests)
	}
	vp, err := c.vpath(ctx)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(subs))
	out := make([]compositeSub, len(subs))
	for i, s := range subs {
		if err := checkSubrequest(s, seen); err != nil {
			return nil, fmt.Errorf("remote: composite subrequest %d: %w", i, err)
		}
		u := s.URL
		if !strings.HasPrefix(u, "/services/data/") {
			u = vp + u
		}
		out[i] = compositeSub{Method: strings.ToUpper(s.Method), URL: u, ReferenceID: s.ReferenceID, Body: s.Body, HTTPHeaders: s.Headers}
	}
	path := vp + "/composite"
	rep, err := c.do(ctx, request{method: http.MethodPost, path: path,
		body: map[string]any{"allOrNone": allOrNone, "compositeRequest": out}})
	if err != nil {
		return nil, err
	}
	res, err := DecodeCompositeResponse(rep.body)
	if err != nil {
		return nil, fmt.Errorf("remote: POST %s: %w", path, err)
	}
	if len(res) != len(subs) {
		return nil, fmt.Errorf("remote: POST %s: %w: %d subresponses for %d subrequests", path, ErrMalformedReply, len(res), len(subs))
	}
	return res, nil
}

func checkSubrequest(s Subrequest, seen map[string]bool) error {
	switch strings.ToUpper(s.Method) {
	case http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete, http.MethodHead:
	default:
		return fmt.Errorf("method %q is not allowed", s.Method)
	}
	if !strings.HasPrefix(s.URL, "/") || strings.ContainsAny(s.URL, " \t\r\n") {
		return fmt.Errorf("url %q must be a path starting with /", s.URL)
	}
	if s.ReferenceID == "" {
		return errors.New("empty referenceId")
	}
	for _, r := range s.ReferenceID {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return fmt.Errorf("referenceId %q may hold only letters, digits and _", s.ReferenceID)
		}
	}
	if seen[s.ReferenceID] {
		return fmt.Errorf("referenceId %q used twice", s.ReferenceID)
	}
	seen[s.ReferenceID] = true
	for k := range s.Headers {
		if forbiddenSubHeaders[strings.ToLower(k)] {
			return fmt.Errorf("header %s may not be set on a subrequest", k)
		}
	}
	return nil
}

// DecodeCompositeResponse decodes the body of a Composite reply.
func DecodeCompositeResponse(data []byte) ([]Subresponse, error) {
	subs, err := decodeComposite(data)
	if errors.Is(err, errNoComposite) {
		return nil, fmt.Errorf("%w: %v", ErrMalformedReply, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: composite reply: %v", ErrMalformedReply, err)
	}
	for i := range subs {
		if code := subs[i].StatusCode; code < 100 || code > 599 {
			return nil, fmt.Errorf("%w: composite subresponse %d has status %d", ErrMalformedReply, i, code)
		}
		if string(subs[i].Body) == "null" {
			subs[i].Body = nil
		}
	}
	return subs, nil
}
