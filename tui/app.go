package tui

import (
	"context"
	"errors"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/signin"
)

// Options configure the app.
type Options struct {
	Backend Backend
	// Mouse turns on the mouse wheel for scrolling; the terminal's own text selection (to copy
	// an id or an error) then needs shift held.
	Mouse     bool
	NetStatus func() string // extra network-condition label for the status bar ("" = none); may be nil
	// LimitInfo returns the org's last Sforce-Limit-Info header ("api-usage=18/15000"), shown in
	// the status bar as the API usage; may be nil.
	LimitInfo func() string
	Debug     io.Writer // debug log (never the terminal); may be nil
	// Backstage acts on the org as other users and on the device's network (the B panel);
	// nil when there is none (the panel says why).
	Backstage Backstage
	// Script is a scenario to step through, one step per N; nil when none is loaded.
	Script Script
	// Location is the zone times show in; nil means the local zone (time.Local).
	Location *time.Location
	// Note is shown on the first screen until the user moves on ("" for none): what the
	// command line did before the app opened (the demo reset, say).
	Note string
	// Recording is the file the session is recorded to as a scenario (--record FILE), ""
	// when none: the status bar shows ● REC and the file's name for as long as the app runs.
	Recording string
	// Now is the clock the screens judge moments by ("today", "this year"); nil means the
	// wall clock. A scenario's clock starts on its own day.
	Now func() time.Time
	// TokenOnly says the session is an access token given on the command line, which the
	// app cannot renew: when the org refuses it, the user is told to start with a new one.
	TokenOnly bool
}

// ScreenID names a screen. To add a screen: add an id here, a field on Model, and a case in
// each switch of screens.go.
type ScreenID int

const (
	ScreenNav ScreenID = iota
	ScreenHome
	ScreenRecord
	ScreenForm
	ScreenPending
	ScreenConflict
	ScreenBackstage
	ScreenLog
)

// Minimum terminal size the layout supports.
const minWidth, minHeight = 60, 16

// Chrome lines around the body: title, message, status bar, help bar.
const chromeLines = 4

// Model is the root of the app: it routes messages to screens, owns the screen stack, the
// status bar, alerts and help. It renders no rows itself.
type Model struct {
	c *common
	// msgRows is how many lines beyond its one the message took when the screens were last
	// laid out (they are given the rest).
	msgRows int

	stack []ScreenID
	// leaving: the user agreed to leave what the screens push is about to drop hold unsaved;
	// choicesAgreed: to drop the conflict screen's choices (the rest is still asked about).
	leaving, choicesAgreed bool

	nav      navModel
	home     homeModel
	detail   detailModel
	form     formModel
	pend     pendingModel
	conflict conflictModel
	bstage   backstageModel
	logv     logModel
	script   scriptState
	// trail holds the records under the one on the record page, each opened from the
	// related list of the one before (see trail.go).
	trail []detailModel

	modal    modal
	later    []modal // pop-ups that came while another was open, shown in turn as it closes
	help     help.Model
	showHelp bool
	helpTop  int // first line of the full help in view

	width, height int

	errText string
	toast   string
	toastID int
	toastAt time.Time // when the note was shown (a sync's note joins one just shown)
	// stepToast is toastID as a scenario step started: a note shown before it (an earlier
	// step's "Synced 1 change.") is not the step's, and goes when the step ends.
	stepToast int

	total, attention int
	red              int // of attention, the changes that can't be saved (the rest are orange)
	lastSync         time.Time
	// alerted is how many changes needed attention when the sync alert last showed, lowered when
	// a run finds fewer: a later run (the background loop's after a step's, say) that finds no
	// more does not raise the alert the user has just closed again.
	alerted   int
	syncing   bool
	syncDone  int
	syncTotal int

	refreshQueued bool

	// counts numbers the status bar's counts as they are asked for: the answers come back in
	// any order (each event asks again, and a long sync sends many), and one asked before the
	// counts shown is dropped.
	counts *countsOrder

	// recording is the name of the file the session is recorded to, "" when it is not.
	recording string
}

// New builds the root model. It does no I/O: the first frame draws at once and data arrives
// through the commands of Init.
func New(opts Options) Model {
	c := &common{
		ctx:       context.Background(),
		backend:   opts.Backend,
		styles:    NewStyles(DefaultTheme()),
		keys:      defaultKeys(),
		debug:     opts.Debug,
		describes: map[string]*remote.Describe{},
		netStatus: opts.NetStatus,
		limitInfo: opts.LimitInfo,
		loc:       opts.Location,
		now:       opts.Now,
		tokenOnly: opts.TokenOnly,
	}
	if c.loc == nil {
		c.loc = time.Local
	}
	m := Model{
		c:         c,
		stack:     []ScreenID{ScreenNav},
		help:      help.New(),
		toast:     CleanLine(opts.Note),
		recording: recordingName(opts.Recording),
		counts:    &countsOrder{},
	}
	if opts.Backend != nil {
		c.online = opts.Backend.Online()
		m.lastSync = opts.Backend.LastSync()
		m.nav = newNav(c, opts.Backend.Objects())
	}
	m.home = newHome(c)
	m.detail = newDetail(c)
	m.form = newForm(c)
	m.pend = newPending(c)
	m.conflict = newConflict(c)
	m.bstage = newBackstage(c, opts.Backstage)
	m.logv = newLog(c)
	m.script = newScriptState(opts.Script)
	m.help.ShortSeparator = " · "
	m.help.Styles.ShortKey = c.styles.Key
	m.help.Styles.FullKey = c.styles.Key
	// The descriptions in the theme's muted tone rather than the library's light greys, which
	// fade out on a white background.
	for _, st := range []*lipgloss.Style{&m.help.Styles.ShortDesc, &m.help.Styles.ShortSeparator, &m.help.Styles.Ellipsis,
		&m.help.Styles.FullDesc, &m.help.Styles.FullSeparator} {
		*st = c.styles.Subtle
	}
	return m
}

// Run starts the program on the terminal: alt screen, the mouse wheel when asked for, and a
// quit that waits for a confirmation while a form has unsaved changes.
func Run(ctx context.Context, opts Options) error {
	if opts.Backend == nil {
		return errors.New("tui: no backend")
	}
	popts := []tea.ProgramOption{tea.WithAltScreen()}
	if opts.Mouse {
		popts = append(popts, tea.WithMouseCellMotion())
	}
	return run(ctx, opts, popts...)
}

// run runs the program with the options given and those every run has.
func run(ctx context.Context, opts Options, popts ...tea.ProgramOption) error {
	m := New(opts)
	m.c.ctx = ctx
	// The wait for the engine's next event ends with the program: the engine keeps its
	// channel open, and the wait would outlive the program.
	done := make(chan struct{})
	defer close(done)
	m.c.done = done
	p := tea.NewProgram(m, append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithFilter(quitFilter)}, popts...)...)
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// quitFilter holds a quit while a form has unsaved changes and asks instead.
func quitFilter(tm tea.Model, msg tea.Msg) tea.Msg {
	if _, ok := msg.(tea.QuitMsg); ok {
		if m, ok := tm.(Model); ok && m.holdsQuit() {
			return quitHeldMsg{}
		}
	}
	return msg
}

// holdsQuit reports whether quitting now would lose unsaved form input.
func (m Model) holdsQuit() bool {
	if m.c.quitConfirmed {
		return false
	}
	return m.unsaved() != ""
}

// unsaved names what quitting now would lose, or "": a form's unsaved edits, choices made on
// the conflict screen and not saved, a backstage form's values not sent.
func (m Model) unsaved() string { return m.unsavedOf(m.stack, false) }

// unsavedOf names what leaving the screens of stack would lose, every screen's work said,
// leaving out the conflict screen's choices when choicesAgreed (the user agreed to drop them).
func (m Model) unsavedOf(stack []ScreenID, choicesAgreed bool) string {
	var what []string
	for _, s := range stack {
		switch {
		case s == ScreenForm && m.form.dirty():
			what = append(what, "The form has changes that are not saved.")
		case s == ScreenConflict && m.conflict.dirty() && !choicesAgreed:
			what = append(what, "The conflict screen has choices that are not saved: "+m.conflict.chosen()+".")
		case s == ScreenBackstage && m.bstage.form.dirty():
			what = append(what, "The backstage form has values that are not sent.")
		}
	}
	return strings.Join(slices.Compact(what), " ")
}

// leavesConflict reports whether a key would take the conflict screen off the stack while
// it holds choices not saved: esc, or a key opening a screen that lies below it (opening a
// screen already in the stack goes back to it).
func (m Model) leavesConflict(msg tea.KeyMsg) (tea.Msg, bool) {
	if m.active() != ScreenConflict || !m.conflict.dirty() {
		return nil, false
	}
	k := m.c.keys
	below := func(id ScreenID) bool {
		for _, s := range m.stack[:len(m.stack)-1] {
			if s == id {
				return true
			}
		}
		return false
	}
	switch {
	case key.Matches(msg, k.Back):
		return backMsg{}, true
	case key.Matches(msg, k.Pending) && below(ScreenPending):
		return openPendingMsg{}, true
	case key.Matches(msg, k.Backstage) && below(ScreenBackstage):
		object, id, name := m.currentRecord()
		return openBackstageMsg{object: object, id: id, name: name}, true
	case key.Matches(msg, k.Log) && below(ScreenLog):
		object, id, name := m.currentRecord()
		return openLogMsg{object: object, id: id, name: name}, true
	}
	return nil, false
}

// Init starts the engine, listens to its events and loads what the first screen shows.
func (m Model) Init() tea.Cmd {
	b, ctx := m.c.backend, m.c.ctx
	if b == nil {
		return nil
	}
	cmds := []tea.Cmd{
		func() tea.Msg { b.Start(ctx); return nil },
		waitEvent(b.Events(), m.c.done),
		m.loadCounts(),
		loadDescribes(ctx, b),
	}
	// Start syncs at once when online (priming the cache on first run).
	return tea.Batch(cmds...)
}

// waitEvent waits for the next engine event, or until done closes (the program ended: it
// yields nothing then); the root re-arms it after each event.
func waitEvent(ch <-chan pending.Event, done <-chan struct{}) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case ev, ok := <-ch:
			if !ok {
				return eventsClosedMsg{}
			}
			// The events already waiting come with it: during a push of thousands of changes
			// the engine tells several a millisecond, and a screen that took them one message
			// (and one frame) at a time fell a minute behind, its progress stale and the
			// oldest news dropped from the full channel.
			evs := []pending.Event{ev}
			for len(evs) < maxEventBatch {
				select {
				case ev, ok := <-ch:
					if !ok {
						return eventsMsg{evs}
					}
					evs = append(evs, ev)
					continue
				default:
				}
				break
			}
			return eventsMsg{evs}
		case <-done:
			return nil
		}
	}
}

// maxEventBatch is the most events one message carries.
const maxEventBatch = 1024

// countsOrder numbers the counts asked for (asked) and remembers the number of those shown.
type countsOrder struct {
	asked atomic.Int64
	shown int64
}

// countsAnswer is a countsMsg with the number it was asked under.
type countsAnswer struct {
	seq int64
	countsMsg
}

func (m Model) loadCounts() tea.Cmd {
	b, ctx := m.c.backend, m.c.ctx
	var seq int64
	if m.counts != nil {
		seq = m.counts.asked.Add(1)
	}
	return func() tea.Msg {
		t, a, err := b.Counts(ctx)
		out := countsMsg{total: t, attention: a, lastSync: b.LastSync(), err: err}
		if err == nil && a > 0 {
			out.red, out.err = redCount(ctx, b)
		}
		return countsAnswer{seq: seq, countsMsg: out}
	}
}

func loadDescribes(ctx context.Context, b Backend) tea.Cmd {
	return func() tea.Msg {
		out := map[string]*remote.Describe{}
		for _, o := range b.Objects() {
			if d, err := b.Describe(ctx, o); err == nil && d != nil {
				out[o] = d
			}
		}
		return describesMsg{ds: out}
	}
}

func (m Model) active() ScreenID { return m.stack[len(m.stack)-1] }

// bodySize is the room screens get.
func (m Model) bodySize() (int, int) {
	w, h := m.frameBody()
	return w, max(0, h-m.msgRows)
}

// frameBody is the room between the title bar and the message line, the message being one
// line: what a frame's body takes, less what the message takes beyond its one line.
func (m Model) frameBody() (int, int) {
	return max(0, m.width), max(0, m.height-chromeLines-m.script.lines(m.width, stripRoom(m.height)))
}

// messageExtraLines is how many lines the status or error message takes beyond its one.
func (m Model) messageExtraLines() int {
	switch {
	case m.errText != "":
		return strings.Count(messageLines("✖ "+m.errText, m.width), "\n")
	case m.toast != "":
		return strings.Count(messageLines(m.toast, m.width), "\n")
	}
	return 0
}

// Update is update, and then, when the message now takes another number of lines, the screens
// laid out again for the room it leaves: a screen keeps its cursor in the rows it is given, so
// a message that wraps must not cut the row under the cursor off the bottom.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	tm, cmd := m.update(msg)
	mm, ok := tm.(Model)
	if !ok || mm.width == 0 {
		return tm, cmd
	}
	if extra := mm.messageExtraLines(); extra != mm.msgRows {
		mm.msgRows = extra
		mm.resize()
	}
	if mm.active() == ScreenHome && mm.home.h > m.home.h {
		// Rows given to the list (a message gone, a taller terminal, a shorter scenario strip)
		// may be rows it has not loaded yet; nothing is asked when they are all loaded, nor
		// again for a page that failed (that waits for the user's next move).
		var load tea.Cmd
		mm.home, load = mm.home.ensureLoaded()
		cmd = tea.Batch(cmd, load)
	}
	return mm, cmd
}

func (m Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		m.resize()
		return m, nil

	case eventMsg:
		return m.onEvents([]pending.Event{msg.ev})
	case eventsMsg:
		return m.onEvents(msg.evs)
	case eventsClosedMsg:
		return m, nil
	case refreshMsg:
		m.refreshQueued = false
		var cmd tea.Cmd
		m, cmd = m.reload(m.active())
		return m, tea.Batch(cmd, m.loadCounts())
	case countsAnswer:
		if m.counts != nil && msg.err == nil {
			if msg.seq <= m.counts.shown {
				// Asked before the counts shown: older, though it came later.
				return m, nil
			}
			m.counts.shown = msg.seq
		}
		return m.Update(msg.countsMsg)
	case countsMsg:
		if msg.err != nil {
			m.c.logf("counts: %v", msg.err)
			return m, nil
		}
		m.total, m.attention, m.red, m.lastSync = msg.total, msg.attention, msg.red, msg.lastSync
		m.nav.total, m.nav.attention, m.nav.red = msg.total, msg.attention, msg.red
		return m, nil
	case describesMsg:
		// A new map, never the old one written in place: commands under way may hold it.
		ds := maps.Clone(m.c.describes)
		maps.Copy(ds, msg.ds)
		m.c.describes = ds
		if m.home.loaded {
			// The list writes its columns by the describes now (a date "Nov 4"): their widths too.
			m.home.sashW, m.home.want = m.home.pageWidths()
		}
		return m, nil
	case syncFinishedMsg:
		return m.onSyncFinished(&msg.sum, msg.red, msg.blocked)
	case syncDoneMsg:
		m.c.noteReach(msg.err)
		if msg.err != nil && !wentOffline(msg.err) {
			m = m.withError(syncStopped(msg.err))
			m.c.logf("sync stopped: %v", msg.err)
		}
		return m, tea.Batch(m.loadCounts(), m.queueRefresh())
	case errMsg:
		if msg.err != nil {
			m = m.withError(CleanLine(ErrorText(msg.err)))
			m.c.logf("error: %v", msg.err)
		}
		return m, nil
	case toastMsg:
		m.toastID++
		m.toast, m.toastAt = msg.text, m.c.clock()
		id := m.toastID
		return m, tea.Tick(4*time.Second, func(time.Time) tea.Msg { return clearToastMsg{id} })
	case clearToastMsg:
		if msg.id == m.toastID {
			m.toast = ""
		}
		return m, nil
	case quitHeldMsg:
		what := m.unsaved()
		if what == "" {
			what = "The form has changes that are not saved."
		}
		m.modal = modal{kind: modalConfirm, title: "Unsaved changes", yes: "discard and quit",
			body:  what + " Quit anyway and lose them?",
			onYes: func() tea.Msg { return confirmedQuitMsg{} }}
		return m, nil
	case confirmedQuitMsg:
		m.c.quitConfirmed = true
		return m, tea.Quit

	case opDoneMsg:
		return m.onOpDone(msg)
	case resolvedAgainMsg:
		return m.onResolvedAgain(msg), nil
	case backMsg:
		return m.pop()
	case openHomeMsg:
		return m.push(ScreenHome, func(m Model) (Model, tea.Cmd) {
			var cmd tea.Cmd
			m.home, cmd = m.home.open(msg.object)
			return m, cmd
		})
	case openRecordMsg:
		return m.openRecord(msg.object, msg.id)
	case openFormMsg:
		return m.push(ScreenForm, func(m Model) (Model, tea.Cmd) {
			var cmd tea.Cmd
			m.form, cmd = m.form.open(msg)
			return m, cmd
		})
	case openPendingMsg:
		return m.push(ScreenPending, func(m Model) (Model, tea.Cmd) {
			m.pend.seek = msg.attention
			return m.reload(ScreenPending)
		})
	case openConflictMsg:
		return m.push(ScreenConflict, func(m Model) (Model, tea.Cmd) {
			var cmd tea.Cmd
			m.conflict, cmd = m.conflict.open(msg.entryID)
			return m, cmd
		})
	case confirmDeleteMsg:
		b, ctx := m.c.backend, m.c.ctx
		label := m.c.singleLabel(msg.object)
		later := " The delete will sync when you go online."
		if m.c.online {
			later = m.c.syncLater()
		}
		m.toast = ""
		from := m.origin()
		body := sprintf("Delete %q? This removes the %s for everyone once it syncs.%s", questionName(msg.name), strings.ToLower(label), m.c.cascadeNote(msg.object))
		done := label + " deleted." + later
		if msg.created {
			// Never on the org: nothing is sent, and nothing goes with it there.
			body = sprintf("Delete %q? It was created on this device and never synced: it is discarded, and nothing is sent.%s", questionName(msg.name), pointingNote(msg.pointing))
			done = "New " + strings.ToLower(label) + " discarded; nothing was sent."
		}
		m.modal = modal{kind: modalConfirm, title: "Delete " + label + "?", yes: "delete", body: body,
			onYes: func() tea.Msg {
				err := b.Delete(ctx, msg.object, msg.id)
				if isLocked(err) {
					err = lockedError(ctx, b, label, msg.object, msg.id, false)
				}
				return opDoneMsg{note: done, err: err, back: true, from: &from}
			}}
		return m, nil
	case confirmDiscardMsg:
		b, ctx := m.c.backend, m.c.ctx
		m.modal = modal{kind: modalConfirm, title: "Discard change?", yes: "discard",
			body: discardBody(msg.op, questionName(msg.name), msg.inDoubt) + pointingNote(msg.pointing),
			onYes: func() tea.Msg {
				return opDoneMsg{note: "Change discarded.", err: b.Discard(ctx, msg.entryID)}
			}}
		return m, nil
	case confirmDismissMsg:
		m.modal = modal{kind: modalConfirm, title: "Dismiss change?", yes: "dismiss",
			body: dismissBody(msg.entry), onYes: dismissNow(m.c, msg.entry)}
		return m, nil
	case confirmDropChoicesMsg:
		m.modal = modal{kind: modalConfirm, title: "Drop your choices?", yes: "drop them",
			body: sprintf("On %q you chose %s. Nothing is resolved until ctrl+s: leaving now drops your choices and the change stays in conflict.",
				CleanLine(m.conflict.entry.Name), m.conflict.chosen()),
			onYes: cmdOf(leaveAgreedMsg{then: msg.then})}
		return m, nil
	case leaveAgreedMsg:
		// Asked already about the choices: what then opens drops them without asking again
		// (anything else it would drop is still asked about).
		m.choicesAgreed = true
		next, cmd := m.Update(msg.then)
		if nm, ok := next.(Model); ok {
			nm.choicesAgreed = false
			return nm, cmd
		}
		return next, cmd
	case leaveConfirmedMsg:
		// The push the question was asked for, carried by its answer: another question of the
		// kind waiting its turn holds its own.
		m.leaving = true
		return m.push(msg.push.id, msg.push.open)
	case confirmCloseBsFormMsg:
		m.modal = modal{kind: modalConfirm, title: "Discard typed values?", yes: "discard",
			body: "The backstage form has values that are not sent.", onYes: cmdOf(closeBsFormMsg(msg))}
		return m, nil
	case closeBsFormMsg:
		return m.updateScreen(ScreenBackstage, msg)
	case confirmCancelMsg:
		m.modal = modal{kind: modalConfirm, title: "Discard unsaved changes?", yes: "discard",
			body: "The form has changes that are not saved.", onYes: cmdOf(backMsg{})}
		return m, nil

	case tea.KeyMsg:
		return m.onKey(msg)
	case tea.MouseMsg:
		if m.showHelp && !m.modal.open() {
			w, h := m.bodySize()
			m.helpTop = max(0, min(m.helpTop+3*wheelDelta(msg), len(m.helpLines(w))-helpRoom(h)))
			return m, nil
		}
		if m.modal.open() {
			return m, nil
		}
		return m.updateScreen(m.active(), msg)

	// Data for one screen goes to it even when it is not on top.
	case pageMsg:
		return m.updateScreen(ScreenHome, msg)
	case recordMsg:
		return m.updateScreen(ScreenRecord, msg)
	case trailMsg:
		return m.onTrail(msg), nil
	case formDataMsg:
		return m.updateScreen(ScreenForm, msg)
	case lookupResultsMsg:
		// A lookup's matches go to the lookup being typed: the conflict screen's new value or
		// the backstage form's field when that is on top, else the form's field.
		switch m.active() {
		case ScreenConflict, ScreenBackstage:
			return m.updateScreen(m.active(), msg)
		}
		return m.updateScreen(ScreenForm, msg)
	case entriesMsg:
		return m.updateScreen(ScreenPending, msg)
	case conflictDataMsg:
		return m.updateScreen(ScreenConflict, msg)
	case bsFormMsg, bsOwnerMsg:
		return m.updateScreen(ScreenBackstage, msg)
	case bsDoneMsg:
		var cmd tea.Cmd
		// The panel shows the result, failures included, with what to do.
		m, cmd = m.updateScreenModel(ScreenBackstage, msg)
		return m, tea.Batch(cmd, m.loadCounts(), m.queueRefresh())
	case activityMsg:
		return m.updateScreen(ScreenLog, msg)
	case openBackstageMsg:
		return m.push(ScreenBackstage, func(m Model) (Model, tea.Cmd) {
			var cmd tea.Cmd
			m.bstage, cmd = m.bstage.open(msg.object, msg.id, msg.name)
			return m, cmd
		})
	case openLogMsg:
		return m.push(ScreenLog, func(m Model) (Model, tea.Cmd) {
			var cmd tea.Cmd
			m.logv, cmd = m.logv.open(msg.object, msg.id, msg.name)
			return m, cmd
		})
	case scriptStepMsg:
		m = m.withScript(m.script.done(msg))
		if m.toastID == m.stepToast {
			// The note on the line came before the step (an earlier step's sync, say): what
			// the step did is on the strip, and a note the step itself caused (its sync's)
			// comes after this or came during it, with a newer id.
			m.toast = ""
		}
		return m, tea.Batch(m.loadCounts(), m.queueRefresh())
	}
	// Anything else (cursor blinks, for example) goes to the screen on top.
	return m.updateScreen(m.active(), msg)
}

type confirmedQuitMsg struct{}

// resolvedAgainMsg says where a change the user resolved stands after a sync.
type resolvedAgainMsg struct {
	watch  resolvedWatch
	status pending.Status // "" when the change left the queue
	by     string         // who changed the record again, when it is in conflict again
	// theirsMoved says, for the fields taken as theirs, what the org holds now instead of
	// the value the screen showed ("" when every one is as shown).
	theirsMoved string
}

// checkResolved reads where the change the user resolved stands after a sync.
func checkResolved(ctx context.Context, b Backend, w resolvedWatch) tea.Cmd {
	return func() tea.Msg {
		e, err := b.Entry(ctx, w.entryID)
		if errors.Is(err, pending.ErrNotFound) {
			return resolvedAgainMsg{watch: w, theirsMoved: theirsMoved(ctx, b, w.theirs)}
		}
		if err != nil {
			return nil
		}
		msg := resolvedAgainMsg{watch: w, status: e.Status}
		switch e.Status {
		case pending.StatusPending, pending.StatusSyncing, pending.StatusWaiting:
		default: // settled or a conflict again: what the org now holds for fields taken as theirs
			msg.theirsMoved = theirsMoved(ctx, b, w.theirs)
		}
		if e.Status == pending.StatusConflict && len(e.Conflicts) > 0 {
			if v, err := b.Record(ctx, e.Object, e.RecordID); err == nil {
				msg.by = author(v.Names, v.Me, e.Conflicts[0].TheirsBy)
				if r, size := utf8.DecodeRuneInString(msg.by); size > 0 {
					msg.by = string(unicode.ToUpper(r)) + msg.by[size:] // it begins a sentence
				}
			}
		}
		return msg
	}
}

// theirsMoved compares the values taken as theirs with the org's copy a sync left on the
// device: it says, in a sentence, which fields the org now holds otherwise, who changed the
// record last, and that nothing of the user's was sent for them; "" when all are as shown.
func theirsMoved(ctx context.Context, b Backend, t *theirsTaken) string {
	if t == nil {
		return ""
	}
	v, err := b.Record(ctx, t.object, t.recordID)
	if err != nil || v.Server == nil {
		return ""
	}
	var parts []string
	for _, f := range sortedKeys(t.values) {
		now := v.Server[f]
		if bsSame(now, t.values[f]) {
			continue
		}
		was := t.shown[f]
		if was != "(empty)" {
			was = strconv.Quote(was)
		}
		parts = append(parts, sprintf("%s is %s, not %s", t.labels[f], quoteShown(now, v.Names, func(v any) string { return t.showValue(f, v) }), was))
	}
	if len(parts) == 0 {
		return ""
	}
	// The record's last author may be this user (the rest of the resolution, merged on top):
	// who changed the field is not on the device.
	return sprintf("Another user changed %q again after the conflict screen showed it: on the org %s, which you took as theirs. Nothing of yours was sent for %s.",
		CleanLine(v.Name), strings.Join(parts, "; "), plural(len(parts), "that field", "those fields"))
}

// showValue is a value of field f as the screens write it.
func (t *theirsTaken) showValue(f string, v any) string {
	if t.show == nil {
		return display(v)
	}
	return t.show(f, v)
}

// quoteShown is a value as a note quotes it: a lookup by the name the device knows for it,
// an empty value as (empty), any other as show writes it.
func quoteShown(v any, names map[string]string, show func(any) string) string {
	if id, ok := v.(string); ok && names[id] != "" {
		return strconv.Quote(CleanLine(names[id]))
	}
	if v == nil || v == "" {
		return "(empty)"
	}
	return strconv.Quote(show(v))
}

// sortedKeys are the keys of m in order.
func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// onResolvedAgain settles the watch on a resolved change: once it synced or stopped on
// something else, the watch ends; when another user changed the record again before the
// resolution reached the org, the app says so and offers to resolve it again.
func (m Model) onResolvedAgain(msg resolvedAgainMsg) Model {
	if m.c.resolved != msg.watch {
		return m
	}
	switch msg.status {
	case pending.StatusPending, pending.StatusSyncing, pending.StatusWaiting:
		return m // not sent yet: the next sync tells
	}
	m.c.resolved = resolvedWatch{}
	if msg.status != pending.StatusConflict {
		if msg.theirsMoved != "" {
			// Taking theirs sends nothing for a field: the org keeps its newest value, which
			// is not the one the user saw.
			m = m.popUp(modal{kind: modalAlert, title: "Theirs changed again", yes: "open the record",
				body: msg.theirsMoved, onYes: cmdOf(openRecordMsg{object: msg.watch.theirs.object, id: msg.watch.theirs.recordID})})
		}
		return m
	}
	who := "Another user"
	if msg.by != "" {
		who = msg.by
	}
	body := sprintf("%s changed %q again before your resolution reached the org. It is a conflict again: "+
		"mine now holds the values you chose, theirs the latest on the org.", who, msg.watch.name)
	if msg.theirsMoved != "" {
		// A field taken as theirs is in no conflict any more: the org keeps its newest value,
		// and only this says so.
		body += " " + msg.theirsMoved
	}
	return m.popUp(modal{kind: modalAlert, title: "Changed again while you resolved it", yes: "resolve it again",
		body: body, onYes: cmdOf(openConflictMsg{entryID: msg.watch.entryID})})
}

// popUp opens p, or, while another pop-up is open, shows it once that one closes: what it says
// is not lost behind the first.
func (m Model) popUp(p modal) Model {
	if m.modal.open() {
		m.later = append(m.later, p)
		return m
	}
	m.modal = p
	return m
}

// nextPopUp opens the pop-up waiting its turn, if the current one closed.
func (m Model) nextPopUp() Model {
	if !m.modal.open() && len(m.later) > 0 {
		m.modal, m.later = m.later[0], m.later[1:]
	}
	return m
}

// onEvents takes the engine's events in the order they came, and waits for the next ones.
func (m Model) onEvents(evs []pending.Event) (tea.Model, tea.Cmd) {
	cmds := []tea.Cmd{waitEvent(m.c.backend.Events(), m.c.done)}
	for _, ev := range evs {
		var cmd tea.Cmd
		m, cmd = m.onEvent(ev)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// onEvent takes one of the engine's events.
func (m Model) onEvent(ev pending.Event) (Model, tea.Cmd) {
	var cmds []tea.Cmd
	switch ev.Kind {
	case pending.EventSyncStarted:
		m.syncing, m.syncDone, m.syncTotal = true, 0, ev.Total
		m.c.running, m.c.paused = true, false
	case pending.EventSyncProgress:
		m.syncing, m.syncDone, m.syncTotal = true, ev.Done, ev.Total
		m.c.running = true
	case pending.EventSyncFinished:
		m.syncing = false
		m.c.running = false
		m.c.syncRuns++
		if ev.Summary != nil {
			m.c.noteReach(ev.Summary.Err)
		}
		if w := m.c.resolved; w.entryID != "" {
			cmds = append(cmds, checkResolved(m.c.ctx, m.c.backend, w))
		}
		if sum := ev.Summary; sum != nil && sum.Attention > 0 {
			// The note and the alert count orange and red apart, as the status bar does.
			b, ctx := m.c.backend, m.c.ctx
			cmds = append(cmds, func() tea.Msg {
				es, err := b.Entries(ctx)
				if err != nil {
					return syncFinishedMsg{sum: *sum}
				}
				return syncFinishedMsg{sum: *sum, red: countRed(es), blocked: len(blockedBy(es))}
			})
			break
		}
		var cmd tea.Cmd
		m, cmd = m.onSyncFinished(ev.Summary, 0, 0)
		cmds = append(cmds, cmd)
	case pending.EventOnlineChanged:
		// The device's state now, not the event's: when o is pressed twice quickly, the event
		// of the first switch comes after the second and would show its state for a moment.
		m.c.online = m.c.backend.Online()
		cmds = append(cmds, m.queueRefresh())
	case pending.EventAuthRequired:
		m.c.paused = true
		switch {
		case strings.Contains(m.errText+m.toast, "another org") || strings.Contains(m.errText+m.toast, "access token is"):
			// That reason stands: signing in again would not cure it.
		case m.c.tokenOnly:
			// o twice would send the same refused token again.
			m = m.withError("The org refused the session (expired or revoked) and the app cannot renew it; sync is paused and changes stay queued. Quit and start again signed in anew (a new --access-token, or sign in again).")
		default:
			// Signing in again failed: trying it as it is (a password given at start) may fail
			// the same way, so what cures it comes first, then the refusal, however long.
			text := "Sync is paused: signing in again failed; changes stay queued. If the password or the sign-in is wrong, " +
				"quit and start again signed in anew; o twice tries the same sign-in again."
			if ev.Reason != "" {
				text += " Why: " + trunc(CleanLine(ev.Reason), 300)
			}
			m = m.withError(text)
		}
	default:
		cmds = append(cmds, m.queueRefresh())
	}
	return m, tea.Batch(cmds...)
}

// withError puts text on the message line as an error. It takes the place of the note shown
// there: the note, hidden under the error, came back when a key cleared the error ("Account
// saved." again after "New Task isn't available offline"), an older message over a newer.
func (m Model) withError(text string) Model {
	m.errText, m.toast = text, ""
	return m
}

// onSyncFinished shows what a finished run did: a note, and the alert when more changes need
// the user than when it last showed; red of sum.Attention can't be saved.
func (m Model) onSyncFinished(sum *pending.Summary, red, blocked int) (Model, tea.Cmd) {
	var cmds []tea.Cmd
	if sum != nil {
		_, other := errors.AsType[*pending.AnotherUserError](sum.Err)
		m.c.restart = other || errors.Is(sum.Err, signin.ErrOtherOrg)
	}
	if sum != nil && errors.Is(sum.Err, signin.ErrOtherOrg) {
		// The pause for a sign-in came first (the engine pauses, then finishes the run): signing
		// in again would not cure this, and the line says so instead.
		m = m.withError(syncStopped(sum.Err))
	}
	// The "syncing" note gives way to what the run did; a note shown a moment ago (a save that
	// rounded a number, say) stays in front of it, rather than vanish as the sync ends.
	if note := syncOutcome(sum, red); note != "" {
		if m.toast != "" && m.toast != syncingNote && m.c.clock().Sub(m.toastAt) < 3*time.Second && !strings.Contains(m.toast, note) {
			note = m.toast + " " + note
		}
		m.toastID++
		// A run's note is no note for the next run's to join: two runs in a row (a flaky
		// network) said "Synced 1 change. Sync stopped: …" twice in one line.
		m.toast, m.toastAt = note, time.Time{}
		id := m.toastID
		cmds = append(cmds, tea.Tick(4*time.Second, func(time.Time) tea.Msg { return clearToastMsg{id} }))
	} else if m.toast == syncingNote {
		m.toast = ""
	}
	if sum != nil && sum.Attention < m.alerted {
		m.alerted = sum.Attention
	}
	// An attention alert still open shows this run's numbers, not those of the run that raised
	// it (a run cut short by going offline said 430 while the bar said 700); other pop-ups
	// are left alone.
	if open := m.modal.isSyncAlert(); sum != nil && sum.Attention > 0 && (open || sum.Attention > m.alerted && !m.modal.open()) {
		n := sum.Attention
		m.alerted = n
		// On Pending Changes already, the alert offers the first change that needs the user.
		here := m.active() == ScreenPending
		yes := "open Pending Changes"
		if here {
			yes = "go to the first"
		}
		m.modal = modal{kind: modalAlert, title: syncAlertTitle, yes: yes,
			body: alertBody(n, min(red, n), blocked, here), onYes: cmdOf(openPendingMsg{attention: true})}
	}
	cmds = append(cmds, m.queueRefresh())
	if m.describesMissing() {
		// On the first run the describes come with the first sync: the list writes its dates
		// and numbers by them.
		cmds = append(cmds, loadDescribes(m.c.ctx, m.c.backend))
	}
	return m, tea.Batch(cmds...)
}

// syncAlertTitle is the title of the alert a sync that needs the user raises.
const syncAlertTitle = "Sync needs your attention"

// isSyncAlert reports whether the pop-up is the alert a sync that needs the user raised.
func (m modal) isSyncAlert() bool { return m.kind == modalAlert && m.title == syncAlertTitle }

// describesMissing reports whether the app lacks the describe of one of the backend's objects
// (the first sync had not brought them when the app started).
func (m Model) describesMissing() bool {
	if m.c.backend == nil {
		return false
	}
	for _, o := range m.c.backend.Objects() {
		if m.c.describes[o] == nil {
			return true
		}
	}
	return false
}

// alertBody says how many changes could not be synced, and of them how many can't be saved
// (red: they can only be dismissed) and how many need the user to resolve or fix them; then how
// many changes wait for those (made on records created offline whose create is among them).
// here: Pending Changes is open already.
func alertBody(n, red, blocked int, here bool) string {
	orange := n - red
	them := plural(n, "it", "them")
	var what, do string
	switch {
	case red == 0:
		what = sprintf("%d %s could not be synced and %s your attention", n, plural(n, "change", "changes"), plural(n, "needs", "need"))
		do = "resolve " + them
	case orange == 0:
		what = sprintf("%d %s could not be synced and can't be saved", n, plural(n, "change", "changes"))
		do = "see why and dismiss " + them
	default:
		what = sprintf("%d changes could not be synced: %d %s your attention and %d can't be saved", n, orange, plural(orange, "needs", "need"), red)
		do = "resolve or dismiss them"
	}
	if blocked > 0 {
		what += sprintf(", and %d more %s for %s", blocked, plural(blocked, "waits", "wait"), them)
	}
	if here {
		return what + ". " + strings.ToUpper(do[:1]) + do[1:] + " here."
	}
	return what + ". Open Pending Changes to " + do + "."
}

// countRed is how many of the queue's changes can't be saved (red).
func countRed(es []pending.Entry) int {
	n := 0
	for _, e := range es {
		if e.Status.Sash() == pending.SashRed {
			n++
		}
	}
	return n
}

// blockedBy maps each change waiting (directly or through other new records) on a record
// created offline whose create needs the user (orange or red) to that create: syncing again
// cannot move it until the user acts on the create.
func blockedBy(es []pending.Entry) map[string]pending.Entry {
	creates := map[string]pending.Entry{}
	for _, e := range es {
		if e.Op == pending.OpCreate {
			creates[e.RecordID] = e
		}
	}
	out := map[string]pending.Entry{}
	for _, e := range es {
		seen := map[string]bool{}
		for w := e; w.Status == pending.StatusWaiting && w.WaitingOn != "" && !seen[w.WaitingOn]; {
			seen[w.WaitingOn] = true
			p, ok := creates[w.WaitingOn]
			if !ok {
				break
			}
			if p.Status.Locked() {
				out[e.ID] = p
				break
			}
			w = p
		}
	}
	return out
}

// queueRefresh reloads the screen on top once after a burst of events.
func (m *Model) queueRefresh() tea.Cmd {
	if m.refreshQueued {
		return nil
	}
	m.refreshQueued = true
	return tea.Tick(40*time.Millisecond, func(time.Time) tea.Msg { return refreshMsg{} })
}

// switchOnline is o (and ctrl+o): the device goes offline, or online and syncs.
func (m Model) switchOnline() (Model, tea.Cmd) {
	on := !m.c.online
	// Switched here, not in a command: the bar never says OFFLINE before the engine is, and two
	// quick presses reach it in the order they were made. SetOnline sets a flag and signals the
	// background loop; it does no I/O.
	if b := m.c.backend; b != nil {
		b.SetOnline(on)
	}
	m.c.online = on
	if on {
		m.c.paused = false // going online signs in again
	}
	note := "Offline: changes stay on this device and sync when you go online."
	if on {
		note = syncingNote
	}
	return m, toastCmd(note)
}

// wentOffline reports a run stopped because the device went offline: before a request left
// it, or with a request under way (cut off). The offline note says what happens next; "sync
// stopped: the connection dropped; will retry" would not be true.
func wentOffline(err error) bool {
	return errors.Is(err, remote.ErrOffline) || errors.Is(err, remote.ErrCutOff)
}

// syncingNote is the note shown while going online; the outcome of the sync replaces it.
const syncingNote = "Online: syncing pending changes."

// syncOutcome says what a finished sync run did, or "" when it did nothing worth a note.
// red of sum.Attention can't be saved.
func syncOutcome(sum *pending.Summary, red int) string {
	if sum == nil {
		return ""
	}
	var parts []string
	if sum.Synced > 0 {
		merged := ""
		if n := min(sum.Merged, sum.Synced); n > 0 {
			// Said, not only logged: the org's record now holds both users' edits.
			merged = sprintf(" (%d merged with another user's edits of other fields)", n)
		}
		parts = append(parts, sprintf("Synced %d %s%s.", sum.Synced, plural(sum.Synced, "change", "changes"), merged))
	}
	red = max(0, min(red, sum.Attention))
	if orange := sum.Attention - red; orange > 0 {
		parts = append(parts, sprintf("%d %s your attention.", orange, plural(orange, "change needs", "changes need")))
	}
	if red > 0 {
		parts = append(parts, sprintf("%d %s be saved.", red, plural(red, "change can't", "changes can't")))
	}
	if sum.Err != nil && !wentOffline(sum.Err) {
		parts = append(parts, syncStopped(sum.Err))
	} else if sum.Retrying > 0 {
		parts = append(parts, sprintf("%d %s again later.", sum.Retrying, plural(sum.Retrying, "change will be tried", "changes will be tried")))
	}
	if n := len(sum.Unrefreshed); n > 0 {
		// The org refused these objects' queries: what the device shows of them may be old.
		objects := make([]string, n)
		for i, u := range sum.Unrefreshed {
			objects[i], _, _ = strings.Cut(u, ":")
		}
		parts = append(parts, sprintf("Could not refresh %s: the org refused (L shows why); what the device shows of %s may be out of date.",
			strings.Join(objects, ", "), plural(n, "it", "them")))
	}
	return strings.Join(parts, " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (m Model) onOpDone(msg opDoneMsg) (tea.Model, tea.Cmd) {
	// The screen that started the operation learns it finished.
	var cmd tea.Cmd
	m, cmd = m.updateScreenModel(m.active(), msg)
	cmds := []tea.Cmd{cmd, m.loadCounts()}
	if w := msg.resolved; w != nil && msg.err == nil {
		m.c.resolved = *w
		if m.c.syncRuns != msg.syncRuns {
			// A run ended while the resolution was saved: it may have settled it already,
			// and the next one may be long in coming.
			cmds = append(cmds, checkResolved(m.c.ctx, m.c.backend, *w))
		}
	}
	if msg.err != nil {
		m = m.withError(CleanLine(ErrorText(msg.err)))
		return m, tea.Batch(cmds...)
	}
	if msg.note != "" {
		cmds = append(cmds, toastCmd(msg.note))
	}
	if msg.created != "" && m.active() == ScreenForm {
		// A New form gives way to the record it made; esc then goes back to where the form
		// was opened (the list, its cursor on the new record, or the parent record).
		mm := m
		mm.stack = mm.stack[:len(mm.stack)-1]
		if mm.active() == ScreenHome && mm.home.object == msg.createdObject {
			mm.home.focusID = msg.created
		}
		next, c := mm.openRecord(msg.createdObject, msg.created)
		return next, tea.Batch(append(cmds, c)...)
	}
	if msg.back && (msg.from == nil || m.onTop(*msg.from)) {
		mm, c := m.popModel()
		if msg.created != "" && mm.active() == ScreenHome && mm.home.object == msg.createdObject {
			mm.home.focusID = msg.created
		}
		return mm, tea.Batch(append(cmds, c)...)
	}
	mm, c := m.reload(m.active())
	return mm, tea.Batch(append(cmds, c)...)
}

// origin names the screen on top, for an operation it starts.
func (m Model) origin() opOrigin {
	o := opOrigin{screen: m.active(), depth: len(m.stack), trail: len(m.trail)}
	if o.screen == ScreenRecord {
		o.object, o.id, o.record = m.detail.object, m.detail.id, m.detail.recordID()
	}
	return o
}

// onTop reports whether the screen that started an operation is still the one on top (esc
// pressed meanwhile has left it, and its "go back" is then already done).
func (m Model) onTop(o opOrigin) bool {
	if m.active() != o.screen || len(m.stack) != o.depth || len(m.trail) != o.trail {
		return false
	}
	if o.screen == ScreenRecord {
		return m.detail.object == o.object && (m.detail.id == o.id || m.detail.recordID() == o.record)
	}
	return true
}

func (m Model) onKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.c.keys
	m.errText = ""
	if key.Matches(msg, k.ForceQuit) {
		return m, tea.Quit
	}
	if m.modal.open() {
		// A scenario's next step goes on past the sync alert (a step often causes one) and
		// closes it; a confirmation still takes N as its no.
		tells := m.modal.kind == modalAlert || m.modal.kind == modalReport
		if tells && m.script.s != nil && key.Matches(msg, k.NextStep) && !(m.capturing() && msg.Type == tea.KeyRunes) {
			m.modal = modal{}
			var cmd tea.Cmd
			m, cmd = m.nextStep()
			return m.nextPopUp(), cmd
		}
		if m.modal.kind == modalReport && !key.Matches(msg, k.Quit) {
			w, h := m.bodySize()
			m.modal = m.modal.scroll(msg, k, w, h)
			return m.nextPopUp(), nil
		}
		if !tells || !key.Matches(msg, k.Quit) {
			var cmd tea.Cmd
			m.modal, cmd = m.modal.update(msg, k, m.capturing())
			return m.nextPopUp(), cmd
		}
		// q over an alert or a report (they only tell) closes it and quits as it would without it; a
		// question still wants its answer. Over a screen taking text (a form, a filter) q is a
		// letter typed for it: it answers nothing (it closed the alert unread).
		if m.capturing() {
			return m, nil
		}
		m.modal = modal{}
	}
	if m.showHelp {
		// The help lists o, p, B and L as keys that never change: they close it and do what
		// they do on the screen below (they did nothing).
		if !(key.Matches(msg, k.Online) || key.Matches(msg, k.Pending) || key.Matches(msg, k.Backstage) || key.Matches(msg, k.Log)) {
			return m.scrollHelp(msg), nil
		}
		m.showHelp = false
	}
	if key.Matches(msg, k.OnlineAnywhere) {
		return m.switchOnline()
	}
	if key.Matches(msg, k.HelpAnywhere) {
		m.showHelp, m.helpTop = true, 0
		return m, nil
	}
	if m.capturing() {
		return m.updateScreen(m.active(), msg)
	}
	if then, ok := m.leavesConflict(msg); ok {
		return m, cmdOf(confirmDropChoicesMsg{then: then})
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp, m.helpTop = true, 0
		return m, nil
	case key.Matches(msg, k.Online):
		return m.switchOnline()
	case key.Matches(msg, k.Pending):
		if m.active() == ScreenPending {
			return m, nil
		}
		return m, cmdOf(openPendingMsg{})
	case key.Matches(msg, k.Back):
		if len(m.stack) > 1 {
			return m.pop()
		}
		return m, nil
	case key.Matches(msg, k.Backstage):
		if m.active() == ScreenBackstage {
			return m, nil
		}
		object, id, name := m.currentRecord()
		return m, cmdOf(openBackstageMsg{object: object, id: id, name: name})
	case key.Matches(msg, k.Log):
		object, id, name := m.currentRecord()
		if m.active() == ScreenLog {
			object, id, name = m.logv.object, m.logv.id, m.logv.name
		}
		return m, cmdOf(openLogMsg{object: object, id: id, name: name})
	case key.Matches(msg, k.NextStep) && m.script.s != nil:
		return m.nextStep()
	case key.Matches(msg, k.Report) && m.script.s != nil:
		if !m.script.hasReport() {
			return m, toastCmd("No check of the scenario has failed.")
		}
		title, body := m.script.report()
		m.modal = modal{kind: modalReport, title: title, body: body}
		return m, nil
	case key.Matches(msg, k.NextStep):
		return m, toastCmd("No scenario is loaded: `offline-edit scenario open FILE` runs one step per N.")
	}
	return m.updateScreen(m.active(), msg)
}

// nextStep runs the scenario's next step; once the run is over it says so, and what F lists.
func (m Model) nextStep() (Model, tea.Cmd) {
	if m.script.over() {
		note := "The scenario is over: no step is left to run."
		if m.script.hasReport() {
			note = "The scenario is over: no step is left to run (F lists what failed)."
		}
		return m, toastCmd(note)
	}
	st, cmd := m.script.next(m.c.ctx)
	if cmd != nil {
		m.stepToast = m.toastID
	}
	return m.withScript(st), cmd
}

// withScript sets the scenario's strip, and the screens' room when the strip's height changed.
func (m Model) withScript(st scriptState) Model {
	before := m.script.lines(m.width, stripRoom(m.height))
	m.script = st
	if m.script.lines(m.width, stripRoom(m.height)) != before {
		m.resize()
	}
	return m
}

// push puts a screen on top (once: opening a screen already in the stack goes back to it).
func (m Model) push(id ScreenID, open func(Model) (Model, tea.Cmd)) (tea.Model, tea.Cmd) {
	// Going back to a screen on the stack drops those above it and opens it again: a form's
	// edits, the conflict screen's choices, a backstage form's values would go unasked (a
	// pop-up's answer, B or L from over them, another change's conflict or fix form).
	if i := slices.Index(m.stack, id); i >= 0 && !m.leaving {
		if what := m.unsavedOf(m.stack[i:], m.choicesAgreed); what != "" {
			return m.popUp(modal{kind: modalConfirm, title: "Leave without saving?", yes: "leave",
				body: what + " Leave and lose them?", onYes: cmdOf(leaveConfirmedMsg{push: pendingPush{id: id, open: open}})}), nil
		}
	}
	m.leaving, m.choicesAgreed = false, false
	m.showHelp = false
	m.toast = "" // a note belongs to the screen it was shown on
	for i, s := range m.stack {
		if s != id {
			continue
		}
		if id == ScreenRecord && slices.Contains(m.stack[i+1:], ScreenPending) {
			// A record opened from Pending Changes while another record page lies under it:
			// esc goes back to Pending Changes, not past it. The page below gives way, with what
			// was opened over it (a backstage, a log, a form left there would come back to it).
			m.stack = append(slices.Clone(m.stack[:i]), ScreenPending)
			break
		}
		m.stack = m.stack[:i]
		break
	}
	m.stack = append(m.stack, id)
	if !m.onStack(ScreenRecord) {
		m.trail = nil
	}
	return open(m)
}

func (m Model) onStack(id ScreenID) bool {
	for _, s := range m.stack {
		if s == id {
			return true
		}
	}
	return false
}

func (m Model) pop() (tea.Model, tea.Cmd) { return m.popModel() }

func (m Model) popModel() (Model, tea.Cmd) {
	m.toast = ""
	if m.active() == ScreenRecord && len(m.trail) > 0 {
		return m.backToRecord(len(m.trail) - 1)
	}
	if len(m.stack) > 1 {
		m.stack = m.stack[:len(m.stack)-1]
	}
	if m.active() == ScreenRecord {
		// Back on a record page (from the backstage, the log, a form): it opens again, and
		// asks the org again what the user may do with the record (a share changed meanwhile).
		m.detail.askedAccess = ""
	}
	m, cmd := m.reload(m.active())
	if m.active() != ScreenRecord && m.onStack(ScreenRecord) {
		// The record page under the screen come back to names the record in the title bar:
		// it is read again, so that a name changed meanwhile (a conflict resolved with
		// theirs) is the name shown.
		var name tea.Cmd
		m.detail, name = m.detail.load()
		cmd = tea.Batch(cmd, name)
	}
	return m, cmd
}

func (m Model) View() string {
	if m.width == 0 || m.height == 0 {
		return "Starting…"
	}
	s := m.c.styles
	if m.width < minWidth || m.height < minHeight {
		// Wrapped, and the size needed first, so that it can be read however small the
		// terminal is.
		return clampLines(wrap(sprintf("offline-edit needs a terminal of at least %d×%d; this one is %d×%d.", minWidth, minHeight, m.width, m.height), max(1, m.width)), m.width, m.height)
	}
	w, h := m.frameBody()
	// The message line may take up to maxMessageLines lines from the body.
	var msgLine string
	switch {
	case m.errText != "":
		msgLine = renderLines(s.Error, messageLines("✖ "+m.errText, w))
	case m.toast != "":
		msgLine = renderLines(s.Toast, messageLines(m.toast, w))
	}
	h -= strings.Count(msgLine, "\n") // the screens were laid out for it (msgRows)
	var body string
	switch {
	case m.showHelp:
		body = m.fullHelpView(w, h)
	default:
		body = m.screenView(m.active())
	}
	body = clampLines(body, w, h)
	if m.modal.open() {
		body = lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, m.modal.view(s, w, h))
		body = clampLines(body, w, h)
	}
	lines := []string{m.titleBar(), body, msgLine}
	if m.script.s != nil {
		lines = append(lines, m.script.view(s, w, stripRoom(m.height)))
	}
	lines = append(lines, m.statusBar(), m.helpBar(w))
	return strings.Join(lines, "\n")
}

// maxMessageLines is how many lines a status or error message may take.
const maxMessageLines = 3

// messageLines wraps a message to w cells on at most maxMessageLines lines; a longer one ends
// with "…" on its last line.
func messageLines(text string, w int) string {
	lines := strings.Split(wrap(text, w), "\n")
	if len(lines) > maxMessageLines {
		lines = lines[:maxMessageLines]
		lines[maxMessageLines-1] = trunc(lines[maxMessageLines-1]+" …", w)
	}
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// renderLines styles each line on its own, so that no line is padded to the longest.
func renderLines(st lipgloss.Style, text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = st.Render(l)
	}
	return strings.Join(lines, "\n")
}

// helpBar is the short help in one line: "? help" first whenever it works, then the keys of
// the screen in the order it gives them (most important first), then the QA keys; keys that
// do not fit are dropped from the end, never cut in the middle. "esc back" is never dropped
// while there is a screen to go back to: the keys before it give way instead.
func (m Model) helpBar(w int) string {
	k := m.c.keys
	hm := m.help
	hm.Width = 0
	if m.showHelp && !m.modal.open() {
		// The help answers only its own keys (scrollHelp): the screen's under it do nothing.
		closeHelp := key.NewBinding(key.WithKeys("?", "esc", "q"), key.WithHelp("esc/?", "close help"))
		return trunc(hm.ShortHelpView([]key.Binding{closeHelp, k.Up, k.Down, k.PageDown, k.PageUp}), w)
	}
	var keys []key.Binding
	// "…" says keys were left out, where ? opens the help that lists them; a screen taking
	// text (where ? is typed) or a question shows what fits.
	helps := !m.modal.open() && !m.capturing()
	if helps {
		keys = append(keys, k.Help)
	}
	short := m.shortHelp()
	if !m.modal.open() && m.capturing() {
		short = append(short, k.HelpAnywhere) // last: a narrow bar drops it first
	}
	var back *key.Binding
	if len(m.stack) > 1 {
		for i, b := range short {
			if b.Enabled() && sameKeys(b, k.Back) {
				back = &short[i]
				break
			}
		}
	}
	isBack := func(b key.Binding) bool { return back != nil && sameKeys(b, *back) }
	shown := func(b key.Binding) bool { return b.Enabled() && !sameKeys(b, k.Help) }
	// moreAfter reports whether a key the bar would show, besides back, follows short[i].
	moreAfter := func(i int) bool {
		for _, b := range short[i+1:] {
			if shown(b) && !isBack(b) {
				return true
			}
		}
		return false
	}
	// render draws the keys; cut puts "…" after the first n of them, where keys were left out
	// (so that ? help is known to hold more), before back.
	render := func(keys []key.Binding, cut bool, n int) string {
		if !cut {
			return hm.ShortHelpView(keys)
		}
		sep := hm.Styles.ShortSeparator.Inline(true).Render(hm.ShortSeparator)
		out := hm.ShortHelpView(keys[:n])
		if out != "" {
			out += sep
		}
		out += hm.Styles.Ellipsis.Inline(true).Render(hm.Ellipsis)
		if rest := hm.ShortHelpView(keys[n:]); rest != "" {
			out += sep + rest
		}
		return out
	}
	backShown, cut, cutAt := false, false, 0
	for i, b := range short {
		if !shown(b) {
			continue
		}
		if isBack(b) {
			keys, backShown = append(keys, b), true
			continue
		}
		if cut {
			continue
		}
		test := append(append([]key.Binding(nil), keys...), b)
		if back != nil && !backShown {
			test = append(test, *back)
		}
		if lipgloss.Width(render(test, helps && moreAfter(i), len(keys)+1)) > w {
			cut, cutAt = true, len(keys)
			continue
		}
		keys = append(keys, b)
	}
	if back != nil && !backShown {
		keys = append(keys, *back)
	}
	return trunc(render(keys, helps && cut, cutAt), w)
}

func sameKeys(a, b key.Binding) bool {
	return strings.Join(a.Keys(), " ") == strings.Join(b.Keys(), " ")
}

func (m Model) titleBar() string {
	s := m.c.styles
	parts := []string{"offline-edit"}
	for _, id := range m.stack[1:] {
		if id == ScreenRecord {
			parts = append(parts, m.trailTitles()...)
		}
		parts = append(parts, m.screenTitle(id))
	}
	// A path too long for the line gives the screens after the first, oldest first, to a
	// "…": the screen on top keeps its whole title.
	path := strings.Join(parts, " › ")
	for cut := 1; lipgloss.Width(path) > m.width && cut < len(parts)-1; cut++ {
		path = strings.Join(append([]string{parts[0], "…"}, parts[cut+1:]...), " › ")
	}
	return s.Accent.Render(trunc(path, m.width))
}

// barPart is one part of the status bar: its text, a shorter form ("" = none), and when it
// gives way to a narrow terminal: parts with a higher drop go first; 0 never goes.
type barPart struct {
	text, short string
	drop        int
}

// netCondition is the network's condition as the bar shows it ("300±100ms · 20% dropped"):
// without the online or offline the mode beside it says, "" when there is none.
func netCondition(status string) string {
	n := CleanLine(status)
	for _, mode := range []string{"online", "offline"} {
		if n == mode {
			return ""
		}
		n = strings.TrimPrefix(n, mode+" · ")
	}
	return n
}

// netShort shortens a network condition for a narrow bar: "50% lost", "20% drop".
var netShort = strings.NewReplacer(" replies lost", " lost", " dropped", " drop", " errors", " err", " · ", " ")

// statusBar shows ONLINE/OFFLINE, the pending count, the sash counts, sync progress, the last
// sync, the network condition and the API usage. When they do not fit, the last sync shortens
// first, then parts go from the least needed (last sync, API usage, network condition,
// progress, the pending count), so no part is ever cut in the middle: the sash counts stay.
func (m Model) statusBar() string {
	s := m.c.styles
	mode := s.Offline.Render(" OFFLINE ")
	if m.c.online {
		mode = s.Online.Render(" ONLINE ")
	}
	parts := []barPart{{text: sprintf("%d pending", m.total), drop: 1}}
	parts = append(parts, m.attentionParts()...)
	r := m.c.reach
	switch {
	case m.c.paused && m.c.restart:
		r = orgReach{long: "sync stopped: restart needed", short: "restart needed"}
	case m.c.paused:
		r = orgReach{long: "sync paused: sign-in needed", short: "sign-in needed"}
	}
	if m.c.online && r.out() {
		// Online, but the last sync did not reach the org: said beside ONLINE, in the warning
		// style, until a sync reaches it again; shortened, never dropped, on a narrow terminal.
		need := lipgloss.Width(" " + strings.Join(partTexts(parts), " · ") + " ")
		counts := lipgloss.Width(" " + strings.Join(partTexts(m.attentionParts()), " · ") + " ")
		// The long forms when the whole bar fits beside them; then "ORG NOT ANSWERING" when the
		// sash counts do, else "NOT ANSWERING" (both counts fit beside it at 60 columns).
		forms := []string{"ONLINE · " + r.long, "ONLINE · " + r.short, strings.ToUpper(r.short), strings.ToUpper(strings.TrimPrefix(r.short, "org "))}
		for i, text := range forms {
			mode = s.Unreachable.Render(" " + text + " ")
			room := need
			if i == 2 {
				room = counts
			}
			if lipgloss.Width(mode)+room <= m.width {
				break
			}
		}
	}
	if m.syncing {
		p := barPart{text: "⟳ syncing", drop: 2}
		switch {
		case m.syncTotal > 0 && m.syncDone >= m.syncTotal:
			// Every change of the run is sent: what is left is bringing the org's changes
			// down (a push that has more to send says so with its next progress).
			p.text = "⟳ refreshing"
		case m.syncTotal > 0:
			p.text = sprintf("⟳ syncing %d/%d", m.syncDone, m.syncTotal)
		}
		parts = append(parts, p)
	}
	if m.lastSync.IsZero() {
		parts = append(parts, barPart{text: "never synced", drop: 5})
	} else {
		parts = append(parts, barPart{text: "last sync " + m.c.when(m.lastSync), short: "synced " + m.lastSync.In(m.c.loc).Format("15:04"), drop: 5})
	}
	if m.c.netStatus != nil {
		if n := netCondition(m.c.netStatus()); n != "" {
			// A simulated bad network stays in sight, shortened, until only the sync's progress
			// and the counts fit: a QA user must not forget it is on.
			parts = append(parts, barPart{text: n, short: netShort.Replace(n), drop: 3})
		}
	}
	if m.c.limitInfo != nil {
		if u := apiUsage(m.c.limitInfo()); u != "" {
			parts = append(parts, barPart{text: u, drop: 4})
		}
	}
	rec := m.recordingSign(mode, parts)
	room := m.width - lipgloss.Width(mode) - lipgloss.Width(rec)
	render := func(short bool, dropFrom int) string {
		var out []string
		for _, p := range parts {
			switch {
			case dropFrom > 0 && p.drop >= dropFrom:
			case short && p.short != "":
				out = append(out, p.short)
			default:
				out = append(out, p.text)
			}
		}
		return " " + strings.Join(out, " · ") + " "
	}
	rest := render(false, 0)
	for _, dropFrom := range []int{0, 5, 4, 3, 2, 1} {
		if lipgloss.Width(rest) <= room {
			break
		}
		rest = render(true, dropFrom)
	}
	return mode + rec + s.Bar.Render(fit(rest, room))
}

// recordingName is the name a recording's file is shown by: its base name, made safe to draw.
func recordingName(path string) string {
	if path == "" {
		return ""
	}
	name := CleanLine(filepath.Base(path))
	if name == "" || name == "." || name == string(filepath.Separator) {
		name = CleanLine(path)
	}
	return name
}

// recordingSign is "● REC" and the recording's file name beside the mode while the session is
// recorded, "" when it is not. It is never dropped: the file's name shortens first, then goes,
// where the bar's counts (pending, attention) would not fit beside it.
func (m Model) recordingSign(mode string, parts []barPart) string {
	if m.recording == "" {
		return ""
	}
	st := m.c.styles.Rec
	var needed []string
	for _, p := range parts {
		if p.drop < 2 {
			needed = append(needed, p.text)
		}
	}
	need := lipgloss.Width(mode) + lipgloss.Width(" "+strings.Join(needed, " · ")+" ")
	sign := ""
	for _, name := range []string{m.recording, trunc(m.recording, 16), ""} {
		sign = st.Render(strings.TrimRight(" ● REC "+name, " ")) + m.c.styles.Bar.Render(" ·")
		if need+lipgloss.Width(sign) <= m.width {
			break
		}
	}
	return sign
}

// partTexts are the texts of the status bar's parts.
func partTexts(parts []barPart) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.text
	}
	return out
}

// attentionParts count the changes that need the user, none when there are none.
func (m Model) attentionParts() []barPart {
	var out []barPart
	if orange := m.attention - m.red; orange > 0 {
		out = append(out, barPart{text: sprintf("▲ %d %s", orange, plural(orange, "needs attention", "need attention"))})
	}
	if m.red > 0 {
		out = append(out, barPart{text: sprintf("✖ %d can't be saved", m.red)})
	}
	return out
}

// redCounter is a Backend that counts the changes that can't be saved (red) itself.
type redCounter interface {
	RedCount(ctx context.Context) (int, error)
}

// redCount is how many queued changes are red: from the backend when it counts them, else
// from the queue (read only while something needs the user).
func redCount(ctx context.Context, b Backend) (int, error) {
	if rc, ok := b.(redCounter); ok {
		return rc.RedCount(ctx)
	}
	es, err := b.Entries(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range es {
		if e.Status.Sash() == pending.SashRed {
			n++
		}
	}
	return n, nil
}

// apiUsage turns a Sforce-Limit-Info header ("api-usage=18/15000; per-app-api-usage=…") into a
// short status-bar label ("API used 18/15000": requests used today of the daily limit), or "" when there is none.
func apiUsage(info string) string {
	for _, part := range strings.Split(info, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && k == "api-usage" && v != "" {
			return "API used " + CleanLine(v)
		}
	}
	return ""
}

// questionName is a record's name as a question quotes it: on one line, and no longer than
// questionNameCells, so that what the question says after the name shows on a small terminal.
func questionName(name string) string { return trunc(CleanLine(name), questionNameCells) }

const questionNameCells = 80

// dismissBody is the question before a red change is dismissed.
func dismissBody(e pending.Entry) string {
	name := questionName(e.Name)
	what := map[pending.Op]string{pending.OpCreate: sprintf("the new record %q", name),
		pending.OpDelete: sprintf("your delete of %q", name)}[e.Op]
	if what == "" {
		what = sprintf("your edit of %q", name)
	}
	why := ""
	if _, reason, ok := strings.Cut(longWord(e.Status, e.Code, e.Message), ": "); ok {
		why = " (" + reason + ")"
	}
	after := "the record then shows the org's copy"
	switch e.Cause() {
	case pending.CauseDeleted:
		after = "the record then leaves this device"
	case pending.CauseNoAccess:
		after = "the record then leaves this device unless you can still read it"
	}
	return sprintf("Dismiss %s? It can't be saved%s. Dismissing drops it for good; %s.", what, why, after)
}

// discardBody is the question before a discard. A change whose last send got no reply may
// already be on the org: discarding it stops the device sending it, but does not undo it there.
func discardBody(op pending.Op, name string, mayBeOnOrg bool) string {
	switch {
	case op == pending.OpCreate && mayBeOnOrg:
		return sprintf("Discard the new record %q? The reply to its creation was lost, so it may already be on the org; discarding leaves it there. Sync first to find out.", name)
	case op == pending.OpDelete && mayBeOnOrg:
		return sprintf("Discard your delete of %q? Its last send got no reply, so the org may already have deleted it; discarding does not bring it back. Sync first to find out.", name)
	case mayBeOnOrg:
		return sprintf("Discard your edit of %q? Its last send got no reply, so the org may already have it; discarding does not undo it there. Sync first to find out.", name)
	case op == pending.OpCreate:
		return sprintf("Discard the new record %q? It will never be sent.", name)
	case op == pending.OpDelete:
		return sprintf("Discard your delete of %q? It will never be sent.", name)
	}
	return sprintf("Discard your edit of %q? It will never be sent.", name)
}

// pointingNote says, in the question before a new record is discarded, which changes point at
// it: they turn orange and need another record (or to be discarded too).
func pointingNote(pointing []string) string {
	switch n := len(pointing); {
	case n == 0:
		return ""
	case n <= 3:
		return sprintf(" %s %s at it and will need another record.", strings.Join(pointing, ", "), plural(n, "points", "point"))
	default:
		return sprintf(" %s and %d more changes point at it and will need another record.", strings.Join(pointing[:2], ", "), n-2)
	}
}

// cascadeNote says which related records a delete of object takes with it on the org (its
// describe's cascading child relationships among the cached objects), "" when none.
func (c *common) cascadeNote(object string) string {
	d := c.describes[object]
	if d == nil {
		return ""
	}
	cached := map[string]bool{}
	for _, o := range c.backend.Objects() {
		cached[o] = true
	}
	var names []string
	seen := map[string]bool{}
	for _, ch := range d.ChildRelationships {
		if !ch.CascadeDelete || !cached[ch.ChildSObject] || seen[ch.ChildSObject] {
			continue
		}
		seen[ch.ChildSObject] = true
		names = append(names, strings.ToLower(c.objectLabel(ch.ChildSObject)))
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return " Its " + names[0] + " go with it."
	}
	return " Its " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " go with it."
}

// pendingPush is a push waiting for the user to agree to leave unsaved work.
type pendingPush struct {
	id   ScreenID
	open func(Model) (Model, tea.Cmd)
}
