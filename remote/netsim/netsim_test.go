package netsim_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/netsim"
)

// countingOrg answers 204 and counts the requests that reached it.
type countingOrg struct{ n atomic.Int64 }

func (o *countingOrg) RoundTrip(req *http.Request) (*http.Response, error) {
	o.n.Add(1)
	if req.Body != nil {
		req.Body.Close()
	}
	return &http.Response{StatusCode: 204, Status: "204 No Content", Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

// forbidden fails the test if any request reaches it.
type forbidden struct{ t *testing.T }

func (f forbidden) RoundTrip(req *http.Request) (*http.Response, error) {
	f.t.Errorf("a request left the device: %s %s", req.Method, req.URL)
	return nil, errors.New("forbidden")
}

// trackedBody records whether the transport closed the request body.
type trackedBody struct {
	io.Reader
	closed atomic.Bool
}

func (b *trackedBody) Close() error { b.closed.Store(true); return nil }

func newReq(t *testing.T, ctx context.Context) (*http.Request, *trackedBody) {
	t.Helper()
	body := &trackedBody{Reader: strings.NewReader(`{"Name":"x"}`)}
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, "http://org.invalid/services/data/v62.0/sobjects/Account/001", body)
	if err != nil {
		t.Fatal(err)
	}
	return req, body
}

func TestOfflineFailsAtOnceAndNothingLeavesTheDevice(t *testing.T) {
	n := netsim.New(forbidden{t}, 1)
	n.SetConditions(netsim.Conditions{Latency: time.Hour})
	n.SetOnline(false)
	req, body := newReq(t, context.Background())
	start := time.Now()
	_, err := n.RoundTrip(req)
	if !errors.Is(err, remote.ErrOffline) {
		t.Fatalf("err = %v, want ErrOffline", err)
	}
	if errors.Is(err, netsim.ErrDropped) || errors.Is(err, netsim.ErrReplyLost) {
		t.Error("offline error is also a dropped/lost error")
	}
	if time.Since(start) > time.Second {
		t.Error("offline call waited out the latency")
	}
	if !body.closed.Load() {
		t.Error("request body not closed")
	}
	if n.Online() || n.String() != "offline" || n.Stats().Offline != 1 {
		t.Errorf("Online=%v String=%q Stats=%+v", n.Online(), n.String(), n.Stats())
	}
}

func TestOfflineThroughTheClientSendsNothing(t *testing.T) {
	n := netsim.New(forbidden{t}, 1)
	n.SetOnline(false)
	c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: "https://org.invalid", AccessToken: "tok", Transport: n})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Update(context.Background(), "Account", "001D000000IqhSLIAZ", remote.Fields{"Name": "x"}, remote.WriteOptions{})
	if !errors.Is(err, remote.ErrOffline) {
		t.Fatalf("err = %v, want ErrOffline", err)
	}
}

func TestFailureModes(t *testing.T) {
	tests := []struct {
		name        string
		cond        netsim.Conditions
		wantErr     error
		wantReached int64
		wantStatus  []int
	}{
		{name: "dropped never reaches the org", cond: netsim.Conditions{DropRate: 1}, wantErr: netsim.ErrDropped, wantReached: 0},
		{name: "lossy reply is applied then lost", cond: netsim.Conditions{LossyRate: 1}, wantErr: netsim.ErrReplyLost, wantReached: 10},
		{name: "errors are synthesized without the org", cond: netsim.Conditions{ErrorRate: 1}, wantReached: 0, wantStatus: []int{400, 503}},
		{name: "perfect network", cond: netsim.Conditions{}, wantReached: 10, wantStatus: []int{204}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			org := &countingOrg{}
			n := netsim.New(org, 7)
			n.SetConditions(tt.cond)
			statuses := map[int]int{}
			for range 10 {
				req, body := newReq(t, context.Background())
				resp, err := n.RoundTrip(req)
				if tt.wantErr != nil {
					if !errors.Is(err, tt.wantErr) {
						t.Fatalf("err = %v, want %v", err, tt.wantErr)
					}
					var ne net.Error
					if !errors.As(err, &ne) || !ne.Timeout() || errors.Is(err, remote.ErrOffline) || !netsim.IsNetworkFailure(err) {
						t.Errorf("%v is not a recognisable network failure", err)
					}
					if !body.closed.Load() && org.n.Load() == 0 {
						t.Error("body of a dropped request not closed")
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				statuses[resp.StatusCode]++
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 204 {
					e := remote.ParseErrorBody(resp.StatusCode, data)
					if c := e.Code(); c != "UNABLE_TO_LOCK_ROW" && c != "SERVER_UNAVAILABLE" {
						t.Errorf("synthesized %d with code %q", resp.StatusCode, c)
					}
				}
			}
			if got := org.n.Load(); got != tt.wantReached {
				t.Errorf("org reached %d times, want %d", got, tt.wantReached)
			}
			for _, s := range tt.wantStatus {
				if statuses[s] == 0 {
					t.Errorf("no %d among %v", s, statuses)
				}
			}
		})
	}
}

func TestLatencyWaitsAndHonoursTheContext(t *testing.T) {
	org := &countingOrg{}
	n := netsim.New(org, 1)
	n.SetConditions(netsim.Conditions{Latency: 30 * time.Millisecond, Jitter: 10 * time.Millisecond})
	req, _ := newReq(t, context.Background())
	start := time.Now()
	if _, err := n.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Errorf("round trip took %v, want ≥ 20ms", d)
	}

	n.SetConditions(netsim.Conditions{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, body := newReq(t, ctx)
	if _, err := n.RoundTrip(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if !body.closed.Load() || org.n.Load() != 1 {
		t.Errorf("closed=%v reached=%d", body.closed.Load(), org.n.Load())
	}
}

func TestGoingOfflineDuringLatencyFailsAsOffline(t *testing.T) {
	n := netsim.New(forbidden{t}, 1)
	n.SetConditions(netsim.Conditions{Latency: 50 * time.Millisecond})
	req, _ := newReq(t, context.Background())
	done := make(chan error, 1)
	go func() { _, err := n.RoundTrip(req); done <- err }()
	time.AfterFunc(5*time.Millisecond, func() { n.SetOnline(false) })
	if err := <-done; !errors.Is(err, remote.ErrOffline) {
		t.Fatalf("err = %v, want ErrOffline", err)
	}
}

func TestSameSeedGivesSameFates(t *testing.T) {
	run := func(seed int64) string {
		n := netsim.New(&countingOrg{}, seed)
		n.SetConditions(netsim.Conditions{DropRate: 0.3, LossyRate: 0.2, ErrorRate: 0.2})
		var b strings.Builder
		for range 60 {
			req, _ := newReq(t, context.Background())
			resp, err := n.RoundTrip(req)
			switch {
			case errors.Is(err, netsim.ErrDropped):
				b.WriteByte('d')
			case errors.Is(err, netsim.ErrReplyLost):
				b.WriteByte('l')
			case err != nil:
				t.Fatal(err)
			default:
				resp.Body.Close()
				b.WriteByte(byte('0' + resp.StatusCode/100))
			}
		}
		return b.String()
	}
	a, b, c := run(42), run(42), run(43)
	if a != b {
		t.Errorf("seed 42 gave %s then %s", a, b)
	}
	if a == c {
		t.Errorf("seeds 42 and 43 gave the same fates %s", a)
	}
	for _, ch := range "dl24" {
		if !strings.ContainsRune(a, ch) {
			t.Errorf("fates %s lack %c", a, ch)
		}
	}
}

func TestStringSummarisesConditions(t *testing.T) {
	tests := []struct {
		cond netsim.Conditions
		want string
	}{
		{netsim.Conditions{}, "online"},
		{netsim.Conditions{Latency: 300 * time.Millisecond, Jitter: 100 * time.Millisecond, DropRate: 0.1}, "online · 300±100ms · 10% dropped"},
		{netsim.Conditions{Latency: 1500 * time.Microsecond}, "online · 1.5ms"},
		{netsim.Conditions{LossyRate: 0.025, ErrorRate: 0.5}, "online · 2.5% replies lost · 50% errors"},
		{netsim.Conditions{DropRate: 7, LossyRate: -1, Latency: -time.Second}, "online · 100% dropped"},
	}
	for _, tt := range tests {
		n := netsim.New(nil, 1)
		n.SetConditions(tt.cond)
		if got := n.String(); got != tt.want {
			t.Errorf("String(%+v) = %q, want %q", tt.cond, got, tt.want)
		}
	}
}

func TestConcurrentUseIsSafe(t *testing.T) {
	org := &countingOrg{}
	n := netsim.New(org, 3)
	n.SetConditions(netsim.Conditions{DropRate: 0.2, ErrorRate: 0.2, LossyRate: 0.2})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if g == 0 && i%10 == 0 {
					n.SetOnline(i%20 == 0)
					n.SetConditions(netsim.Conditions{DropRate: 0.1})
					_ = n.String()
				}
				req, _ := newReq(t, context.Background())
				if resp, err := n.RoundTrip(req); err == nil {
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	s := n.Stats()
	if total := s.Sent + s.Offline + s.Dropped + s.Errors; total != 400 {
		t.Errorf("stats %+v account for %d of 400 requests", s, total)
	}
	if int64(s.Sent) != org.n.Load() {
		t.Errorf("Sent = %d, org saw %d", s.Sent, org.n.Load())
	}
}

// hangingOrg takes the request and never answers, until the request's context ends; body, when
// set, is a reply whose body never ends instead.
type hangingOrg struct {
	reached chan struct{}
	body    bool
}

func (o hangingOrg) RoundTrip(req *http.Request) (*http.Response, error) {
	close(o.reached)
	if o.body {
		pr, pw := io.Pipe()
		go func() {
			<-req.Context().Done()
			pw.CloseWithError(req.Context().Err())
		}()
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: pr, Request: req}, nil
	}
	<-req.Context().Done()
	return nil, req.Context().Err()
}

// Going offline cuts off a request the org is holding (as airplane mode closes a phone's
// connections): it fails at once with ErrCutOff, which says the org may have handled it, and a
// reply whose body is still coming fails the same way.
func TestGoingOfflineCutsOffARequestUnderWay(t *testing.T) {
	for _, body := range []bool{false, true} {
		org := hangingOrg{reached: make(chan struct{}), body: body}
		n := netsim.New(org, 1)
		req, _ := newReq(t, context.Background())
		done := make(chan error, 1)
		go func() {
			resp, err := n.RoundTrip(req)
			if err == nil {
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			done <- err
		}()
		<-org.reached
		n.SetOnline(false)
		select {
		case err := <-done:
			if !errors.Is(err, netsim.ErrCutOff) || remote.NotSent(err) {
				t.Fatalf("body %v: err = %v, want ErrCutOff (not known unsent)", body, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("body %v: the request went on after the device went offline", body)
		}
	}
}
