package pending

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/netsim"
)

// peakHeap samples the heap while fn runs and returns the largest HeapAlloc seen. Callers collect
// garbage before they start the timer, so the figure is fn's own and the collection is not timed.
func peakHeap(fn func()) uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	return peak.Load()
}

// queueUpdates queues one edit on each of n cached records of the given objects.
func queueUpdates(b testing.TB, h *harness, n int, round int) {
	b.Helper()
	ctx := context.Background()
	queued := 0
	for _, o := range h.opts.Objects {
		offset := 0
		for queued < n {
			p, err := h.eng.List(ctx, ListQuery{Object: o, Limit: 1000, Offset: offset})
			if err != nil {
				b.Fatal(err)
			}
			if len(p.Rows) == 0 {
				break
			}
			offset += len(p.Rows)
			field := "Description"
			for _, r := range p.Rows {
				if r.Status != "" || r.Fields["OwnerId"] != h.users["alex@demo.example"].ID {
					continue
				}
				if err := h.eng.Edit(ctx, o, r.ID, remote.Fields{field: fmt.Sprintf("bench %d", round)}); err != nil {
					continue // e.g. read-only shares
				}
				queued++
				if queued == n {
					break
				}
			}
		}
	}
	if queued < n {
		b.Fatalf("only %d records to edit", queued)
	}
}

func benchPush(b *testing.B, n int, perChange bool, latency time.Duration) {
	h := newHarness(b, harnessOpts{size: 60000, objects: []string{"Account", "Contact", "Opportunity", "Case"}})
	h.opts.PerObject = 20000
	h.reopen(b)
	if _, err := h.eng.Sync(context.Background()); err != nil {
		b.Fatal(err)
	}
	if perChange {
		h.eng.perRequest, h.eng.parallel, h.eng.waveChunks = 1, 1, 1
	}
	h.net.SetConditions(netsim.Conditions{Latency: latency})
	b.ResetTimer()
	var total, waveTx time.Duration
	var peak uint64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h.eng.SetOnline(false)
		queueUpdates(b, h, n, i)
		h.eng.SetOnline(true)
		r := newRun(&Summary{})
		if err := h.eng.ensureDescribes(context.Background(), r); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		b.StartTimer()
		start := time.Now()
		tx0 := h.eng.waveTx
		p := peakHeap(func() {
			if err := h.eng.push(context.Background(), r); err != nil {
				b.Fatal(err)
			}
		})
		total += time.Since(start)
		waveTx += h.eng.waveTx - tx0
		peak = max(peak, p)
		if r.sum.Synced != n {
			ents, _ := h.eng.Entries(context.Background())
			if len(ents) > 0 {
				b.Logf("first left: %+v", ents[0])
			}
			b.Fatalf("synced %d of %d (summary %+v)", r.sum.Synced, n, *r.sum)
		}
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "changes/s")
	// The device's own transactions, one after the other, per change: the part of a push that
	// no batching removes (a floor under the time per change).
	b.ReportMetric(float64(waveTx.Microseconds())/float64(n*b.N), "device-tx-us/change")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkPush10000Updates pushes 10,000 pending updates through Composite batches.
// The in-process transport has no latency at all, so this is the engine's and the embedded
// org's own cost.
func BenchmarkPush10000Updates(b *testing.B) { benchPush(b, 10000, false, 0) }

// BenchmarkPushOneRequestPerChange is the same push with one change per request (and one
// request in flight), for comparison (1,000 changes: the rate, not the count, is what compares).
func BenchmarkPushOneRequestPerChange(b *testing.B) { benchPush(b, 1000, true, 0) }

// The same two with 20 ms per request (netsim latency), closer to a phone on a real network.
func BenchmarkPush10000UpdatesLatency20ms(b *testing.B) {
	benchPush(b, 10000, false, 20*time.Millisecond)
}

func BenchmarkPushOneRequestPerChangeLatency20ms(b *testing.B) {
	benchPush(b, 200, true, 20*time.Millisecond)
}

// BenchmarkPrime50000Records primes an empty device from 50,000 records.
func BenchmarkPrime50000Records(b *testing.B) {
	h := newHarness(b, harnessOpts{size: 100000, objects: []string{"Account", "Contact", "Opportunity", "Case", "Task", "Lead"}})
	h.opts.PerObject = 50000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h.close()
		h.path = fmt.Sprintf("%s.%d", h.path, i)
		h.open(b)
		runtime.GC()
		b.StartTimer()
		start := time.Now()
		var err error
		p := peakHeap(func() { _, err = h.eng.Sync(context.Background()) })
		el := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		var n int
		_ = h.db.SQL().QueryRow(`SELECT COUNT(*) FROM records`).Scan(&n)
		if n < 50000 {
			b.Fatalf("primed only %d records", n)
		}
		b.ReportMetric(float64(n), "records")
		b.ReportMetric(el.Seconds(), "s/prime")
		b.ReportMetric(float64(p)/(1<<20), "peak-heap-MB")
	}
}

// BenchmarkEnqueueEdit measures one durable local edit (committed before it returns).
func BenchmarkEnqueueEdit(b *testing.B) {
	h := newHarness(b, harnessOpts{size: 3000, objects: []string{"Account"}})
	if _, err := h.eng.Sync(context.Background()); err != nil {
		b.Fatal(err)
	}
	h.eng.SetOnline(false)
	var ids []string
	for _, r := range h.owned(b, "Account") {
		ids = append(ids, r.id)
	}
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := h.eng.Edit(context.Background(), "Account", ids[i%len(ids)], remote.Fields{"Description": fmt.Sprint(i)}); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durs)
	b.ReportMetric(float64(durs[len(durs)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkPushCreatesAmongManyCachedRecords pushes 100 parent and 100 child creates made
// offline on a device that caches about 24,000 records: replacing each local id by the org's
// must not cost a pass over the whole cache.
func BenchmarkPushCreatesAmongManyCachedRecords(b *testing.B) {
	h := newHarness(b, harnessOpts{size: 40000, objects: []string{"Account", "Contact", "Opportunity"}})
	h.opts.PerObject = 8000
	h.reopen(b)
	if _, err := h.eng.Sync(context.Background()); err != nil {
		b.Fatal(err)
	}
	var cached int
	_ = h.db.SQL().QueryRow(`SELECT COUNT(*) FROM records`).Scan(&cached)
	b.ReportMetric(float64(cached), "cached-records")
	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h.eng.SetOnline(false)
		for k := 0; k < 100; k++ {
			acc, err := h.eng.Create(context.Background(), "Account", remote.Fields{"Name": fmt.Sprintf("Bench %d parent %d", i, k)})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := h.eng.Create(context.Background(), "Contact", remote.Fields{"LastName": fmt.Sprintf("Bench %d child %d", i, k), "AccountId": acc}); err != nil {
				b.Fatal(err)
			}
		}
		total += timedPush(b, h, 200)
	}
	b.ReportMetric(float64(200*b.N)/total.Seconds(), "creates/s")
}

// BenchmarkPush5000QueuedCreates pushes 5,000 records created offline at once: each create's
// local id is replaced by the org's, which must not cost a pass over the other creates still
// queued (the rate would fall as the queue grows).
func BenchmarkPush5000QueuedCreates(b *testing.B) {
	h := newHarness(b, harnessOpts{size: 2000, objects: []string{"Account"}})
	if _, err := h.eng.Sync(context.Background()); err != nil {
		b.Fatal(err)
	}
	const n = 5000
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h.eng.SetOnline(false)
		for k := 0; k < n; k++ {
			if _, err := h.eng.Create(context.Background(), "Account", remote.Fields{"Name": fmt.Sprintf("Bulk %d-%d", i, k)}); err != nil {
				b.Fatal(err)
			}
		}
		total += timedPush(b, h, n)
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "creates/s")
}

// timedPush goes online and times one push of the queue (the timer runs only for the push),
// which must sync want changes.
func timedPush(b *testing.B, h *harness, want int) time.Duration {
	b.Helper()
	h.eng.SetOnline(true)
	r := newRun(&Summary{})
	if err := h.eng.ensureDescribes(context.Background(), r); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	start := time.Now()
	if err := h.eng.push(context.Background(), r); err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	b.StopTimer()
	if r.sum.Synced != want {
		b.Fatalf("synced %d of %d", r.sum.Synced, want)
	}
	return took
}
