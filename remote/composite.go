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

// MaxCollectionSubrequests is the most of a Composite request's subrequests that may be queries
// (query, queryAll) or sObject Collections operations.
const MaxCollectionSubrequests = 5

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
	req, err := c.compositeRequest(ctx, allOrNone, subs)
	if err != nil {
		return nil, err
	}
	rep, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	return readComposite(req.path, subs, rep)
}

// compositeRequest is the POST of a Composite request carrying subs.
func (c *Client) compositeRequest(ctx context.Context, allOrNone bool, subs []Subrequest) (request, error) {
	if len(subs) == 0 {
		return request{}, errors.New("remote: composite request without subrequests")
	}
	if len(subs) > MaxSubrequests {
		return request{}, fmt.Errorf("remote: composite request with %d subrequests (at most %d)", len(subs), MaxSubrequests)
	}
	vp, err := c.vpath(ctx)
	if err != nil {
		return request{}, err
	}
	seen := make(map[string]bool, len(subs))
	out := make([]compositeSub, len(subs))
	collections := 0
	for i, s := range subs {
		if err := checkSubrequest(s, seen); err != nil {
			return request{}, fmt.Errorf("remote: composite subrequest %d: %w", i, err)
		}
		u := s.URL
		if !strings.HasPrefix(u, "/services/data/") {
			u = vp + u
		}
		if isCollectionOrQuery(u) {
			if collections++; collections > MaxCollectionSubrequests {
				return request{}, fmt.Errorf("remote: composite request with more than %d query or sObject Collections subrequests", MaxCollectionSubrequests)
			}
		}
		out[i] = compositeSub{Method: strings.ToUpper(s.Method), URL: u, ReferenceID: s.ReferenceID, Body: s.Body, HTTPHeaders: s.Headers}
	}
	return request{method: http.MethodPost, path: vp + "/composite",
		body: map[string]any{"allOrNone": allOrNone, "compositeRequest": out}}, nil
}

// readComposite reads the reply of the Composite request POSTed to path carrying subs.
func readComposite(path string, subs []Subrequest, rep *reply) ([]Subresponse, error) {
	res, err := DecodeCompositeResponse(rep.body)
	if err != nil {
		return nil, fmt.Errorf("remote: POST %s: %w", path, err)
	}
	if refusal := wholeRequestRefusal(res); refusal != nil {
		// Also when the request had a single subrequest: its one subresponse answers none.
		return nil, fmt.Errorf("remote: POST %s: the org refused the composite request: %w", path, refusal)
	}
	if len(res) != len(subs) {
		return nil, fmt.Errorf("remote: POST %s: %w: %d subresponses for %d subrequests", path, ErrMalformedReply, len(res), len(subs))
	}
	if res, err = inRequestOrder(subs, res); err != nil {
		return nil, fmt.Errorf("remote: POST %s: %w", path, err)
	}
	return res, nil
}

// wholeRequestRefusal is the error of a Composite reply that refuses the request as a whole: one
// subresponse answering no subrequest (referenceId null) with an error, as a real org answers a
// request over its limits ({"compositeResponse":[{"body":[{"errorCode":"LIMIT_EXCEEDED",
// "message":"The request can’t contain more than 25 operations."}],"httpHeaders":{},
// "httpStatusCode":400,"referenceId":null}]}). It is nil for any other reply.
func wholeRequestRefusal(res []Subresponse) error {
	if len(res) != 1 || res[0].ReferenceID != "" {
		return nil
	}
	return res[0].Err()
}

// isCollectionOrQuery reports whether a subrequest URL (a path under /services/data/vNN.0/,
// with or without a query string) is a query, a queryAll or an sObject Collections operation.
func isCollectionOrQuery(u string) bool {
	path, _, _ := strings.Cut(u, "?")
	parts := strings.Split(strings.TrimPrefix(path, "/services/data/"), "/")
	if len(parts) < 2 {
		return false
	}
	switch parts[1] {
	case "query", "queryAll":
		return true
	case "composite":
		return len(parts) > 2 && parts[2] == "sobjects"
	}
	return false
}

// inRequestOrder returns the subresponses in the order of their subrequests, matched by
// referenceId: the org keeps the order, but a reply whose subresponses name other requests
// (or the same one twice) must never credit one change with another's outcome. A subresponse
// without a referenceId is taken to answer the subrequest at its position.
func inRequestOrder(subs []Subrequest, res []Subresponse) ([]Subresponse, error) {
	inOrder := true
	for i := range res {
		if res[i].ReferenceID != "" && res[i].ReferenceID != subs[i].ReferenceID {
			inOrder = false
			break
		}
	}
	if inOrder {
		return res, nil
	}
	at := make(map[string]int, len(res))
	for i, r := range res {
		if r.ReferenceID == "" {
			return nil, fmt.Errorf("%w: subresponse %d has no referenceId among reordered ones", ErrMalformedReply, i)
		}
		if _, dup := at[r.ReferenceID]; dup {
			return nil, fmt.Errorf("%w: two subresponses answer %q", ErrMalformedReply, r.ReferenceID)
		}
		at[r.ReferenceID] = i
	}
	out := make([]Subresponse, len(subs))
	for i, s := range subs {
		j, ok := at[s.ReferenceID]
		if !ok {
			return nil, fmt.Errorf("%w: no subresponse answers %q", ErrMalformedReply, s.ReferenceID)
		}
		out[i] = res[j]
	}
	return out, nil
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
