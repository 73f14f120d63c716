package netsim

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

type okOrg struct{}

func (okOrg) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 204, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

// A request is forgotten once it is over, whatever its fate: none stays tracked as under way (to
// be cut off by going offline, and held for the life of the app).
func TestEveryFinishedRequestIsForgotten(t *testing.T) {
	for _, c := range []struct {
		name string
		cond Conditions
	}{
		{"answered", Conditions{}},
		{"dropped", Conditions{DropRate: 1}},
		{"org error", Conditions{ErrorRate: 1}},
		{"reply lost", Conditions{LossyRate: 1}},
		{"after latency", Conditions{Latency: time.Millisecond}},
	} {
		n := New(okOrg{}, 1)
		n.SetConditions(c.cond)
		for range 50 {
			req, err := http.NewRequestWithContext(context.Background(), http.MethodPatch, "http://org.invalid/x", strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			if resp, err := n.RoundTrip(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		n.mu.Lock()
		left := len(n.inflight)
		n.mu.Unlock()
		if left != 0 {
			t.Errorf("%s: %d of 50 finished requests still tracked as under way", c.name, left)
		}
	}
}
