package remote

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// MaxGetURL is the longest URL (path and query string) the client sends as a plain GET. An org
// refuses a request whose URL and headers together pass 16,384 bytes (431 Request Header Fields
// Too Large, or 414 URI Too Long for the URL alone); Salesforce advises URLs of about 2,000
// characters and headers of about 8,000 bytes, and warns that a query may be refused below the
// limit, since the org adds to it. A longer GET (a query naming hundreds of fields, a record
// asked for with all of them) goes as the one subrequest of a Composite request, whose
// subrequest URL travels in the body: the way Salesforce advises around the limit. It counts
// as one API call, as the GET would. 8,000 keeps the queries of an object with a couple of
// hundred fields plain GETs (as they have always worked) with room for the headers.
const MaxGetURL = 8000

// get sends a GET of path with query, inside a Composite request when its URL is longer than
// MaxGetURL. The reply is the same either way: the subresponse's status, headers and body, or
// the same *Error for a refusal; the request is timed as a read and reported (Config.Observe)
// as the GET, with the Composite that carried it in RequestInfo.Via.
func (c *Client) get(ctx context.Context, path string, query url.Values, header http.Header) (*reply, error) {
	enc := query.Encode()
	if len(path)+1+len(enc) <= MaxGetURL {
		return c.do(ctx, request{method: http.MethodGet, path: path, query: query, header: header})
	}
	sub := Subrequest{Method: http.MethodGet, URL: path + "?" + enc, ReferenceID: "get"}
	for k := range header {
		if sub.Headers == nil {
			sub.Headers = map[string]string{}
		}
		sub.Headers[k] = header.Get(k)
	}
	subs := []Subrequest{sub}
	req, err := c.compositeRequest(ctx, false, subs)
	if err != nil {
		return nil, err
	}
	req.carried = &carriedGet{path: path, answer: func(rep *reply) (*reply, error) {
		res, err := readComposite(req.path, subs, rep)
		if err != nil {
			return nil, err
		}
		s := res[0]
		if err := s.Err(); err != nil {
			return nil, fmt.Errorf("remote: GET %s (%d bytes, sent inside a Composite request): %w", path, len(path)+1+len(enc), err)
		}
		h := make(http.Header, len(s.Headers))
		for k, v := range s.Headers {
			h.Set(k, v)
		}
		return &reply{status: s.StatusCode, header: h, body: s.Body}, nil
	}}
	return c.do(ctx, req)
}

// carriedGet is the GET a Composite request carries (see get): its path, and how the reply
// of the Composite becomes the GET's.
type carriedGet struct {
	path   string
	answer func(*reply) (*reply, error)
}

// APIPrefix is the "/services/data/vNN.N" every REST path starts with ("" when there is none):
// the activity log leaves it out of the paths it shows.
func APIPrefix(path string) string {
	const base = "/services/data/v"
	rest, ok := strings.CutPrefix(path, base)
	if !ok {
		return ""
	}
	n := strings.IndexByte(rest, '/')
	if n < 0 {
		return ""
	}
	return base + rest[:n]
}
