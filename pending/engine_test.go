package pending

import (
	"context"
	"testing"
)

func TestFirstSyncPrimesTheCacheAndListsRecords(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.sync(t)
	ctx := context.Background()
	for _, o := range h.eng.Objects() {
		p, err := h.eng.List(ctx, ListQuery{Object: o, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total == 0 || len(p.Rows) == 0 {
			t.Fatalf("%s: nothing cached", o)
		}
		if _, err := h.eng.Describe(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
}
