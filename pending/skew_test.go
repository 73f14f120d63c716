package pending

import (
	"errors"
	"testing"
	"time"
)

// A device whose clock disagrees with the org's (ahead or behind) still learns of the org's
// deletes at its next sync: getDeleted refuses a window the org's clock has not reached (the
// watermark stays), and the comparison of the cached ids with the org's, every two minutes,
// finds the records gone.
func TestADeviceClockAheadOrBehindTheOrgsMissesNoDelete(t *testing.T) {
	for _, ahead := range []time.Duration{10 * time.Minute, 2 * time.Hour, -2 * time.Hour} {
		t.Run(ahead.String(), func(t *testing.T) {
			h := newHarness(t, harnessOpts{orgBehind: ahead})
			h.sync(t)
			for i := range 3 {
				h.clock.Set(h.clock.Now().Add(3 * time.Minute))
				c := h.firstOwned(t, "Contact")
				if err := h.as(t, "admin@demo.example").Delete(bg, "Contact", c.ID); err != nil {
					t.Fatal(err)
				}
				h.clock.Set(h.clock.Now().Add(3 * time.Minute))
				// A sync in a process of its own, whose first comparison of ids is left out:
				// only getDeleted is to tell of the delete.
				h.reopen(t)
				h.eng.recheckMembers = false
				h.sync(t)
				if _, err := h.eng.Record(bg, "Contact", c.ID); !errors.Is(err, ErrNotFound) {
					t.Fatalf("sync %d: the contact deleted on the org is still on the device: %v", i+1, err)
				}
			}
		})
	}
}
