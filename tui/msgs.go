package tui

import (
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

var sprintf = fmt.Sprintf

// Navigation requests: screens ask the root to move; the root owns the stack.
type (
	openHomeMsg   struct{ object string }
	openRecordMsg struct{ object, id string }
	// openPendingMsg opens Pending Changes; attention puts the cursor on the first change
	// that needs the user.
	openPendingMsg struct{ attention bool }
	openFormMsg    struct {
		mode     formMode
		object   string
		id       string        // edit and fix
		entryID  string        // fix
		defaults remote.Fields // new: prefilled values (a parent lookup)
		names    map[string]string
		view     *pending.RecordView
	}
	openConflictMsg struct{ entryID string }
	backMsg         struct{ reload bool }
)

// Results of I/O; each carries what it belongs to so stale replies are dropped.
type (
	eventMsg        struct{ ev pending.Event }
	eventsMsg       struct{ evs []pending.Event } // events that came together, in order
	eventsClosedMsg struct{}
	countsMsg       struct {
		total, attention int
		red              int // of attention, the red ones
		lastSync         time.Time
		err              error
	}
	describeMsg struct {
		object string
		d      *remote.Describe
		err    error
	}
	describesMsg struct{ ds map[string]*remote.Describe }
	refreshMsg   struct{}
	// syncFinishedMsg is a finished run that needs the user, with how many of its changes
	// can't be saved.
	syncFinishedMsg struct {
		sum     pending.Summary
		red     int // changes that can't be saved
		blocked int // changes waiting for a record created offline whose create needs the user
	}
	syncDoneMsg struct {
		sum pending.Summary
		err error
	}
	// errMsg shows an error on the message line until the next key.
	errMsg struct{ err error }
	// toastMsg shows a note that clears itself.
	toastMsg      struct{ text string }
	clearToastMsg struct{ id int }
	// quitHeldMsg replaces a quit while a form has unsaved changes.
	quitHeldMsg struct{}
	// opDoneMsg reports a change the user made (saved, deleted, resolved...).
	opDoneMsg struct {
		note string
		err  error
		back bool
		// changed holds the values a sync brought, meanwhile, for fields an Edit form
		// changed (the save was refused): the form takes them as seen.
		changed remote.Fields
		// created is the record a New form made ("" for other changes): the list it returns
		// to puts its cursor there.
		createdObject, created string
		// from is the screen that started the operation, nil when unknown: its "go back"
		// applies only while that screen is still on top.
		from *opOrigin
		// resolved is the change a resolution saved, watched from now until a sync settles
		// it (nil for other operations, and unused when err is set); syncRuns is how many
		// sync runs had finished when the resolution started.
		resolved *resolvedWatch
		syncRuns int
	}
)

// opOrigin names the screen on top when an operation started: where it is in the stack and
// on the record trail, and the record it shows.
type opOrigin struct {
	screen             ScreenID
	depth, trail       int
	object, id, record string
}

func cmdOf(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

func errCmd(err error) tea.Cmd { return cmdOf(errMsg{err}) }

func toastCmd(text string) tea.Cmd { return cmdOf(toastMsg{text}) }
