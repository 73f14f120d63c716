package tui

import (
	"context"
	"io"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
)

// common is the state every screen shares: size, styles, keys, the backend and its online
// flag. The root owns it; screens get the pointer.
type common struct {
	ctx     context.Context
	backend Backend
	styles  Styles
	keys    keyMap
	debug   io.Writer
	online  bool
	// tokenOnly: the session is an access token the app cannot renew; when the org refuses
	// it, only a new token helps.
	tokenOnly bool
	// running: a sync run is under way (between its started and finished events).
	running bool
	// paused: the org refused the session and sync waits for a sign-in (until the device goes
	// online again or a run gets through). restart: what stopped it is one a sign-in does not
	// cure (another org at the address, another user's token): only starting the app again.
	paused, restart bool
	// loc is the zone times show in.
	loc *time.Location
	// now is the clock the screens read the time by (nil: the wall clock).
	now func() time.Time
	// done closes when the program ends (nil: never); commands that wait on the engine stop
	// waiting then.
	done <-chan struct{}
	// reach is why the last sync run did not reach the org while the device is online (the
	// org's server stopped, the network is down), until a run reaches it again; its zero value
	// is a run that reached the org, or none yet.
	reach orgReach

	// netStatus labels the device's network conditions; may be nil.
	netStatus func() string
	// limitInfo returns the org's last Sforce-Limit-Info; may be nil.
	limitInfo func() string

	// quitConfirmed lets a held quit through the program's filter.
	quitConfirmed bool

	// describes caches object metadata once loaded. Update replaces the map and never writes
	// into it, so a command may take the map (not c) with it and read it while Update runs;
	// the describes themselves are never changed.
	describes map[string]*remote.Describe

	// resolved is the change whose conflict the user resolved last, from when the resolution
	// is saved until a sync settles it: when the sync finds it in conflict again, the app says
	// another user changed the record again meanwhile. "" when there is none.
	resolved resolvedWatch
	// seenAgain holds the red changes refused because their record was out of the user's
	// sight (entry id → its attempts then) whose record a page, opened online, has since
	// learnt from the org the user may read again. Written only by Update.
	seenAgain map[string]int
	// syncRuns counts the sync runs seen finishing: a run that ended while a resolution was
	// being saved may have settled it already.
	syncRuns int
}

// resolvedWatch names a change resolved by the user and not yet settled by a sync.
type resolvedWatch struct {
	entryID, name string
	theirs        *theirsTaken // the fields taken as theirs, nil when none
}

// theirsTaken are the values a resolution took as theirs, as the conflict screen showed them:
// the org keeps whatever it holds for those fields, which another user may have changed again
// before the resolution reached it.
type theirsTaken struct {
	object, recordID string
	values           map[string]any    // field → theirs as shown
	shown            map[string]string // field → theirs in the screen's words (a lookup by name)
	labels           map[string]string // field → label
	// show writes a field's value as the screens do (a date "Nov 4"); nil: as text.
	show func(field string, v any) string
}

// clock is the time now, by the screens' clock.
func (c *common) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (c *common) logf(format string, args ...any) {
	if c.debug != nil {
		// The line may carry an org's message or a field's value: cleaned like the screens,
		// so that reading the log in a terminal runs no escape sequence.
		_, _ = io.WriteString(c.debug, CleanLine(sprintf(format, args...))+"\n")
	}
}

// objectLabel is the plural label of an object for menus and titles.
func (c *common) objectLabel(object string) string {
	if d := c.describes[object]; d != nil && d.LabelPlural != "" {
		return CleanLine(d.LabelPlural)
	}
	return pluralOf(object)
}

func (c *common) singleLabel(object string) string {
	if d := c.describes[object]; d != nil && d.Label != "" {
		return CleanLine(d.Label)
	}
	return object
}

func pluralOf(object string) string {
	switch object {
	case "Opportunity":
		return "Opportunities"
	case "Case":
		return "Cases"
	}
	if len(object) > 0 && object[len(object)-1] == 's' {
		return object + "es"
	}
	return object + "s"
}

// listCursor moves a list's cursor over n rows by the list keys: ↑/↓ a row, pgup/pgdn page
// rows, g/home and G/end to the ends. moved reports whether msg was one of them.
func listCursor(msg tea.KeyMsg, k keyMap, cursor, n, page int) (next int, moved bool) {
	last := max(0, n-1)
	switch {
	case key.Matches(msg, k.Up):
		return max(0, cursor-1), true
	case key.Matches(msg, k.Down):
		return max(0, min(last, cursor+1)), true
	case key.Matches(msg, k.PageUp):
		return max(0, cursor-page), true
	case key.Matches(msg, k.PageDown):
		return max(0, min(last, cursor+page)), true
	case key.Matches(msg, k.Top):
		return 0, true
	case key.Matches(msg, k.Bottom):
		return last, true
	}
	return cursor, false
}

// wheelDelta is -1 for a mouse-wheel step up, +1 for a step down, and 0 for any other mouse event.
func wheelDelta(msg tea.MouseMsg) int {
	if msg.Action != tea.MouseActionPress {
		return 0
	}
	switch msg.Button {
	case tea.MouseButtonWheelUp:
		return -1
	case tea.MouseButtonWheelDown:
		return 1
	}
	return 0
}

// clampIndex keeps a list cursor within n rows (0 when the list is empty).
func clampIndex(i, n int) int { return max(0, min(i, n-1)) }
