package tui

import (
	"testing"

	"github.com/offline-edit/offline-edit/pending"
)

// The events waiting when the screen asks for the next one come in one message, in order:
// a push that tells thousands of them does not leave the screen a minute behind.
func TestEventsWaitingComeTogetherInOrder(t *testing.T) {
	ch := make(chan pending.Event, 3000)
	for i := 1; i <= 2500; i++ {
		ch <- pending.Event{Kind: pending.EventSyncProgress, Done: i, Total: 2500}
	}
	ch <- pending.Event{Kind: pending.EventSyncFinished}
	var got []pending.Event
	msgs := 0
	for len(got) < 2501 {
		msg, ok := waitEvent(ch, make(chan struct{}))().(eventsMsg)
		if !ok {
			t.Fatalf("message %d is not a batch of events", msgs)
		}
		msgs++
		got = append(got, msg.evs...)
	}
	if msgs > 3 {
		t.Fatalf("2,501 waiting events took %d messages", msgs)
	}
	for i, ev := range got[:2500] {
		if ev.Done != i+1 {
			t.Fatalf("event %d says done %d: out of order", i, ev.Done)
		}
	}
	if got[2500].Kind != pending.EventSyncFinished {
		t.Fatalf("the last event is %v", got[2500].Kind)
	}
	// One event alone is not held back waiting for company.
	ch <- pending.Event{Kind: pending.EventSyncStarted}
	if msg := waitEvent(ch, make(chan struct{}))().(eventsMsg); len(msg.evs) != 1 {
		t.Fatalf("%d events", len(msg.evs))
	}
}
