// Package netsim simulates the device's network as an http.RoundTripper: online or offline,
// latency with jitter, dropped requests, replies lost after the org applied the request, and
// synthesized server errors. Its randomness is seeded, so a run can be replayed.
package netsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// netError is a simulated network failure; it satisfies net.Error as a timeout.
type netError struct {
	msg  string
	kind error // what it is, for errors.Is beyond netsim (remote.ErrCutOff); nil when nothing more
}

func (e *netError) Error() string   { return e.msg }
func (e *netError) Unwrap() error   { return e.kind }
func (e *netError) Timeout() bool   { return true }
func (e *netError) Temporary() bool { return true }

var (
	// ErrDropped: the request never reached the org (like a timeout). Transient.
	ErrDropped error = &netError{"netsim: request dropped by the network, it never reached the org", nil}
	// ErrReplyLost: the org applied the request but its reply was lost. Transient; the outcome
	// is unknown to the caller.
	ErrReplyLost error = &netError{"netsim: reply lost after the org handled the request", nil}
	// ErrCutOff: the device went offline while the request was under way (its connection
	// closed, as a phone's airplane mode does). Transient; the org may have handled it.
	ErrCutOff error = &netError{"netsim: " + remote.ErrCutOff.Error(), remote.ErrCutOff}
)

// offlineError wraps remote.ErrOffline.
type offlineError struct{}

func (offlineError) Error() string { return "netsim: " + remote.ErrOffline.Error() }
func (offlineError) Unwrap() error { return remote.ErrOffline }

// Conditions are the network's qualities while online.
type Conditions struct {
	Latency, Jitter time.Duration // each request waits Latency ± Jitter (context-aware)
	DropRate        float64       // share of requests that never reach the org
	LossyRate       float64       // share of requests the org applies but whose reply is lost
	ErrorRate       float64       // share answered by a synthesized 503 (half) or 400 UNABLE_TO_LOCK_ROW (half)
}

func (c Conditions) normalized() Conditions {
	c.Latency = max(c.Latency, 0)
	c.Jitter = max(c.Jitter, 0)
	c.DropRate = clampRate(c.DropRate)
	c.LossyRate = clampRate(c.LossyRate)
	c.ErrorRate = clampRate(c.ErrorRate)
	return c
}

func clampRate(r float64) float64 {
	if math.IsNaN(r) || r < 0 {
		return 0
	}
	return min(r, 1)
}

// Stats counts what the network did since New.
type Stats struct {
	Sent      int // requests handed to the org (including those whose reply was lost)
	Offline   int // refused because the device was offline
	Dropped   int
	ReplyLost int
	Errors    int // synthesized 503 / UNABLE_TO_LOCK_ROW replies
}

// Network is an http.RoundTripper between the device and the org. It is safe for concurrent use.
type Network struct {
	base http.RoundTripper

	mu     sync.Mutex
	rng    *rand.Rand
	online bool
	cond   Conditions
	stats  Stats
	// inflight cancels the requests under way, when the network goes offline.
	inflight map[*int]context.CancelCauseFunc
}

// New returns an online network with perfect conditions in front of base (nil = http.DefaultTransport).
func New(base http.RoundTripper, seed int64) *Network {
	if base == nil {
		base = http.DefaultTransport
	}
	return &Network{base: base, rng: rand.New(rand.NewPCG(uint64(seed), 0x6f66666c696e65)), online: true}
}

// Online reports whether requests may leave the device.
func (n *Network) Online() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.online
}

// SetOnline switches the network on or off. Requests under way when it goes offline fail at
// once: with remote.ErrOffline while they wait out their latency (they never left), with
// ErrCutOff once handed to the org (it may have handled them).
func (n *Network) SetOnline(on bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.online = on
	if !on {
		for _, cancel := range n.inflight {
			cancel(ErrCutOff)
		}
	}
}

// track gives a request a context that going offline cancels; done forgets it.
func (n *Network) track(req *http.Request) (r *http.Request, cutOff func() bool, done func()) {
	ctx, cancel := context.WithCancelCause(req.Context())
	key := new(int)
	n.mu.Lock()
	if n.inflight == nil {
		n.inflight = map[*int]context.CancelCauseFunc{}
	}
	n.inflight[key] = cancel
	n.mu.Unlock()
	cutOff = func() bool { return errors.Is(context.Cause(ctx), ErrCutOff) }
	done = func() {
		n.mu.Lock()
		delete(n.inflight, key)
		n.mu.Unlock()
		cancel(nil)
	}
	return req.WithContext(ctx), cutOff, done
}

// Conditions returns the current conditions.
func (n *Network) Conditions() Conditions {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cond
}

// SetConditions sets latency, jitter and failure rates; rates are clamped to [0, 1] and negative
// durations to 0.
func (n *Network) SetConditions(c Conditions) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cond = c.normalized()
}

// Stats returns the counters.
func (n *Network) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stats
}

// String is a status-bar summary: "offline", "online", or "online · 300±100ms · 10% dropped".
func (n *Network) String() string {
	n.mu.Lock()
	on, c := n.online, n.cond
	n.mu.Unlock()
	if !on {
		return "offline"
	}
	parts := []string{"online"}
	switch {
	case c.Latency > 0 && c.Jitter > 0:
		parts = append(parts, ms(c.Latency)+"±"+ms(c.Jitter)+"ms")
	case c.Latency > 0:
		parts = append(parts, ms(c.Latency)+"ms")
	case c.Jitter > 0:
		parts = append(parts, "0±"+ms(c.Jitter)+"ms")
	}
	if c.DropRate > 0 {
		parts = append(parts, pct(c.DropRate)+" dropped")
	}
	if c.LossyRate > 0 {
		parts = append(parts, pct(c.LossyRate)+" replies lost")
	}
	if c.ErrorRate > 0 {
		parts = append(parts, pct(c.ErrorRate)+" errors")
	}
	return strings.Join(parts, " · ")
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64)
}

func pct(r float64) string { return strconv.FormatFloat(math.Round(r*1000)/10, 'f', -1, 64) + "%" }

// fate is what happens to one request, drawn up front so a seed replays the same sequence.
type fate struct {
	delay             time.Duration
	drop, lose, fail  bool
	failWithLockedRow bool
}

func (n *Network) draw() (fate, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.online {
		n.stats.Offline++
		return fate{}, false
	}
	c := n.cond
	f := fate{delay: c.Latency}
	if c.Jitter > 0 {
		f.delay += time.Duration((n.rng.Float64()*2 - 1) * float64(c.Jitter))
		f.delay = max(f.delay, 0)
	}
	f.drop = c.DropRate > 0 && n.rng.Float64() < c.DropRate
	f.fail = c.ErrorRate > 0 && n.rng.Float64() < c.ErrorRate
	f.failWithLockedRow = f.fail && n.rng.IntN(2) == 1
	f.lose = c.LossyRate > 0 && n.rng.Float64() < c.LossyRate
	return f, true
}

func (n *Network) count(fn func(*Stats)) {
	n.mu.Lock()
	fn(&n.stats)
	n.mu.Unlock()
}

// RoundTrip carries req to the org under the current conditions.
func (n *Network) RoundTrip(req *http.Request) (*http.Response, error) {
	closeBody := func() {
		if req.Body != nil {
			req.Body.Close()
		}
	}
	f, ok := n.draw()
	if !ok {
		closeBody()
		return nil, offlineError{}
	}
	orig := req
	req, cutOff, done := n.track(req)
	if f.delay > 0 {
		if err := wait(req.Context(), f.delay); err != nil {
			done()
			closeBody()
			if cutOff() {
				n.count(func(s *Stats) { s.Offline++ })
				return nil, offlineError{}
			}
			return nil, err
		}
		if !n.Online() {
			done()
			n.count(func(s *Stats) { s.Offline++ })
			closeBody()
			return nil, offlineError{}
		}
	}
	switch {
	case f.drop:
		done()
		n.count(func(s *Stats) { s.Dropped++ })
		closeBody()
		return nil, ErrDropped
	case f.fail:
		done()
		n.count(func(s *Stats) { s.Errors++ })
		closeBody()
		return synthesized(orig, f.failWithLockedRow), nil
	}
	n.count(func(s *Stats) { s.Sent++ })
	resp, err := n.base.RoundTrip(req)
	if err != nil {
		done()
		if cutOff() {
			return nil, ErrCutOff
		}
		return nil, err
	}
	if !f.lose {
		// The body is read after RoundTrip returns: going offline meanwhile cuts it off too.
		resp.Body = &trackedBody{ReadCloser: resp.Body, done: done, cutOff: cutOff}
		resp.Request = orig
		return resp, nil
	}
	done()
	// The org has handled the request; the reply never arrives.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<20))
	resp.Body.Close()
	n.count(func(s *Stats) { s.ReplyLost++ })
	return nil, ErrReplyLost
}

func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// synthesized is a reply the network makes up without calling the org.
func synthesized(req *http.Request, lockedRow bool) *http.Response {
	status, body := http.StatusServiceUnavailable,
		`[{"message":"Service temporarily unavailable (simulated)","errorCode":"SERVER_UNAVAILABLE"}]`
	if lockedRow {
		status, body = http.StatusBadRequest,
			`[{"message":"unable to obtain exclusive access to this record (simulated)","errorCode":"UNABLE_TO_LOCK_ROW","fields":[]}]`
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// IsNetworkFailure reports whether err is a simulated dropped request or lost reply.
func IsNetworkFailure(err error) bool {
	return errors.Is(err, ErrDropped) || errors.Is(err, ErrReplyLost)
}

// trackedBody is a reply's body whose request stays cancellable by going offline until the
// body is closed; a read cut off so says ErrCutOff.
type trackedBody struct {
	io.ReadCloser
	done   func()
	cutOff func() bool
	once   sync.Once
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.cutOff() {
		return n, ErrCutOff
	}
	return n, err
}

func (b *trackedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}
