package remote

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
)

// Query runs SOQL; batchSize 0 means the org's default (2,000).
func (c *Client) Query(ctx context.Context, soql string, batchSize int) (QueryResult, error) {
	return c.query(ctx, "/query", soql, batchSize)
}

// QueryAll runs SOQL including deleted and archived records.
func (c *Client) QueryAll(ctx context.Context, soql string, batchSize int) (QueryResult, error) {
	return c.query(ctx, "/queryAll", soql, batchSize)
}

func (c *Client) query(ctx context.Context, resource, soql string, batchSize int) (QueryResult, error) {
	if strings.TrimSpace(soql) == "" {
		return QueryResult{}, errors.New("remote: empty SOQL query")
	}
	if batchSize < 0 {
		return QueryResult{}, fmt.Errorf("remote: negative batch size %d", batchSize)
	}
	vp, err := c.vpath(ctx)
	if err != nil {
		return QueryResult{}, err
	}
	var h http.Header
	if batchSize > 0 {
		h = http.Header{"Sforce-Query-Options": {"batchSize=" + strconv.Itoa(batchSize)}}
	}
	path := vp + resource
	rep, err := c.get(ctx, path, url.Values{"q": {soql}}, h)
	if err != nil {
		return QueryResult{}, err
	}
	res, err := DecodeQueryResult(rep.body)
	if err != nil {
		return QueryResult{}, fmt.Errorf("remote: GET %s: %w", path, err)
	}
	return res, nil
}

// QueryMore fetches the next page; nextRecordsURL is the path a previous page gave.
func (c *Client) QueryMore(ctx context.Context, nextRecordsURL string) (QueryResult, error) {
	path, err := checkNextRecordsURL(nextRecordsURL)
	if err != nil {
		return QueryResult{}, err
	}
	rep, err := c.do(ctx, request{method: http.MethodGet, path: path})
	if err != nil {
		return QueryResult{}, err
	}
	res, err := DecodeQueryResult(rep.body)
	if err != nil {
		return QueryResult{}, fmt.Errorf("remote: GET %s: %w", path, err)
	}
	return res, nil
}

// checkNextRecordsURL accepts only a path under /services/data/ on the instance, so a reply can
// never send the client (and its token) to another host.
func checkNextRecordsURL(s string) (string, error) {
	if !strings.HasPrefix(s, "/services/data/") {
		return "", fmt.Errorf("remote: next records URL %q is not a path under /services/data/", truncateRaw([]byte(s)))
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("remote: next records URL %q is not a plain path", truncateRaw([]byte(s)))
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == ".." || seg == "." {
			return "", fmt.Errorf("remote: next records URL %q has a dot segment", truncateRaw([]byte(s)))
		}
	}
	return u.Path, nil
}

// DecodeQueryResult decodes a query page. A page that is not done must carry a nextRecordsUrl
// under /services/data/; when "done" is absent it is taken from the presence of nextRecordsUrl.
func DecodeQueryResult(data []byte) (QueryResult, error) {
	var raw struct {
		TotalSize      *int       `json:"totalSize"`
		Done           *bool      `json:"done"`
		NextRecordsURL string     `json:"nextRecordsUrl"`
		Records        fieldsList `json:"records"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return QueryResult{}, fmt.Errorf("%w: query result: %v", ErrMalformedReply, err)
	}
	if raw.TotalSize == nil && raw.Records == nil && raw.Done == nil {
		return QueryResult{}, fmt.Errorf("%w: query result has none of totalSize, done, records", ErrMalformedReply)
	}
	res := QueryResult{NextRecordsURL: raw.NextRecordsURL}
	if raw.TotalSize != nil {
		if *raw.TotalSize < 0 {
			return QueryResult{}, fmt.Errorf("%w: negative totalSize", ErrMalformedReply)
		}
		res.TotalSize = *raw.TotalSize
	}
	if raw.Done != nil {
		res.Done = *raw.Done
	} else {
		res.Done = raw.NextRecordsURL == ""
	}
	if res.Done {
		res.NextRecordsURL = ""
	} else if _, err := checkNextRecordsURL(raw.NextRecordsURL); err != nil {
		return QueryResult{}, fmt.Errorf("%w: page not done: %v", ErrMalformedReply, err)
	}
	res.Records = make([]Record, 0, len(raw.Records))
	for i, m := range raw.Records {
		if m == nil {
			return QueryResult{}, fmt.Errorf("%w: query record %d is null", ErrMalformedReply, i)
		}
		rec, err := recordFromMap(m)
		if err != nil {
			return QueryResult{}, fmt.Errorf("query record %d: %w", i, err)
		}
		res.Records = append(res.Records, rec)
	}
	if raw.TotalSize == nil {
		res.TotalSize = len(res.Records)
	}
	return res, nil
}

// Updated lists the ids of records changed between start and end (getUpdated).
func (c *Client) Updated(ctx context.Context, object string, start, end time.Time) (UpdatedResult, error) {
	var raw struct {
		IDs               []string `json:"ids"`
		LatestDateCovered string   `json:"latestDateCovered"`
	}
	path, err := c.replicationGet(ctx, object, "updated", start, end, &raw)
	if err != nil {
		return UpdatedResult{}, err
	}
	res := UpdatedResult{IDs: raw.IDs}
	if res.IDs == nil {
		res.IDs = []string{}
	}
	if res.LatestDateCovered, err = optTime(raw.LatestDateCovered); err != nil {
		return UpdatedResult{}, fmt.Errorf("remote: GET %s: %w: latestDateCovered: %v", path, ErrMalformedReply, err)
	}
	return res, nil
}

// Deleted lists records deleted between start and end (getDeleted). When EarliestDateAvailable is
// after start, the org no longer knows every delete since start: a full refresh is needed.
func (c *Client) Deleted(ctx context.Context, object string, start, end time.Time) (DeletedResult, error) {
	var raw struct {
		DeletedRecords []struct {
			ID          string `json:"id"`
			DeletedDate string `json:"deletedDate"`
		} `json:"deletedRecords"`
		EarliestDateAvailable string `json:"earliestDateAvailable"`
		LatestDateCovered     string `json:"latestDateCovered"`
	}
	path, err := c.replicationGet(ctx, object, "deleted", start, end, &raw)
	if err != nil {
		return DeletedResult{}, err
	}
	bad := func(what string, err error) error {
		return fmt.Errorf("remote: GET %s: %w: %s: %v", path, ErrMalformedReply, what, err)
	}
	res := DeletedResult{DeletedRecords: make([]DeletedRecord, 0, len(raw.DeletedRecords))}
	for _, d := range raw.DeletedRecords {
		t, err := optTime(d.DeletedDate)
		if err != nil {
			return DeletedResult{}, bad("deletedDate", err)
		}
		res.DeletedRecords = append(res.DeletedRecords, DeletedRecord{ID: d.ID, DeletedDate: t})
	}
	if res.EarliestDateAvailable, err = optTime(raw.EarliestDateAvailable); err != nil {
		return DeletedResult{}, bad("earliestDateAvailable", err)
	}
	if res.LatestDateCovered, err = optTime(raw.LatestDateCovered); err != nil {
		return DeletedResult{}, bad("latestDateCovered", err)
	}
	return res, nil
}

func (c *Client) replicationGet(ctx context.Context, object, kind string, start, end time.Time, out any) (string, error) {
	if err := checkName("object", object); err != nil {
		return "", err
	}
	if end.Before(start) {
		return "", fmt.Errorf("remote: %s window ends (%s) before it starts (%s)", kind, FormatTime(end), FormatTime(start))
	}
	vp, err := c.vpath(ctx)
	if err != nil {
		return "", err
	}
	path := vp + "/sobjects/" + object + "/" + kind + "/"
	q := url.Values{"start": {isoParam(start)}, "end": {isoParam(end)}}
	return path, c.getJSON(ctx, path, q, out)
}

func optTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return ParseTime(s)
}
