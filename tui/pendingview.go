package tui

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
)

type entriesMsg struct {
	gen     int
	entries []pending.Entry
	err     error
}

// pendingModel is the Pending Changes page: every queued change with its sash.
type pendingModel struct {
	c       *common
	entries []pending.Entry
	cursor  int
	// gen numbers the loads asked for; shown is the number of the last answer that landed.
	// One load runs at a time: a reload asked while one is in flight (each sync event asks for
	// one) is remembered in again and starts when it lands. Loads that each took longer than
	// the gap between events were all dropped as superseded, and the list stayed as it was
	// for the whole of a big sync.
	gen, shown int
	again      bool
	asked      time.Time // when the load in flight started
	loaded     bool
	// seek puts the cursor, once the entries load, on the first change that needs the user
	// (orange, else red).
	seek bool
	w, h int
}

func newPending(c *common) pendingModel { return pendingModel{c: c} }

// staleLoad is how long a load may run before a reload starts another beside it anyway (its
// answer may never come).
const staleLoad = 30 * time.Second

func (m pendingModel) load() (pendingModel, tea.Cmd) {
	if m.gen != m.shown && time.Since(m.asked) < staleLoad {
		m.again = true
		return m, nil
	}
	m.again = false
	m.asked = time.Now()
	m.gen++
	gen := m.gen
	b, ctx := m.c.backend, m.c.ctx
	return m, func() tea.Msg {
		es, err := b.Entries(ctx)
		return entriesMsg{gen: gen, entries: es, err: err}
	}
}

func (m *pendingModel) SetSize(w, h int) { m.w, m.h = w, h }

func (m pendingModel) current() (pending.Entry, bool) {
	if m.cursor < 0 || m.cursor >= len(m.entries) {
		return pending.Entry{}, false
	}
	return m.entries[m.cursor], true
}

func (m pendingModel) Update(msg tea.Msg) (pendingModel, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case entriesMsg:
		if msg.gen <= m.shown {
			// Older than the list shown.
			return m, nil
		}
		m.shown = msg.gen
		wanted := m.again
		var next tea.Cmd
		if wanted {
			m, next = m.load()
		}
		if msg.err != nil {
			return m, tea.Batch(next, errCmd(msg.err))
		}
		// Keep the cursor on the same entry when the list changes under it.
		var curID string
		if e, ok := m.current(); ok {
			curID = e.ID
		}
		m.entries, m.loaded = msg.entries, true
		for i, e := range m.entries {
			if e.ID == curID {
				m.cursor = i
			}
		}
		m.cursor = max(0, min(m.cursor, len(m.entries)-1))
		if m.seek && !wanted {
			// (An answer asked before the page opened leaves the seek to the next one.)
			m.seek = false
			m.cursor = firstNeedingYou(m.entries, m.cursor)
		}
		return m, next
	case tea.MouseMsg:
		m.cursor = clampIndex(m.cursor+wheelDelta(msg), len(m.entries))
		return m, nil
	case tea.KeyMsg:
		switch next, moved := listCursor(msg, k, m.cursor, len(m.entries), m.page()); {
		case moved:
			m.cursor = next
		case key.Matches(msg, k.Open):
			if e, ok := m.current(); ok {
				return m, cmdOf(openRecordMsg{object: e.Object, id: e.RecordID})
			}
		case key.Matches(msg, k.Resolve):
			if e, ok := m.current(); ok {
				return m, m.resolve(e)
			}
		case key.Matches(msg, k.Dismiss):
			if e, ok := m.current(); ok {
				return m, m.dismiss(e)
			}
		}
	}
	return m, nil
}

// page is how far pgup and pgdn move the cursor: as many entries as are in view (their
// heights differ: each takes its detail lines), at least one.
func (m pendingModel) page() int {
	top, end := m.span()
	return max(1, end-top)
}

// firstNeedingYou is the index of the first change that needs the user (orange), else of the
// first that can't be saved (red), else at.
func firstNeedingYou(es []pending.Entry, at int) int {
	for _, sash := range []pending.Sash{pending.SashOrange, pending.SashRed} {
		for i, e := range es {
			if e.Status.Sash() == sash {
				return i
			}
		}
	}
	return at
}

// resolve is r: open what fixes the entry, or try it again.
func (m pendingModel) resolve(e pending.Entry) tea.Cmd { return resolveEntry(m.c, e) }

// dismiss is x: dismiss a red entry or discard any other, after a confirmation.
func (m pendingModel) dismiss(e pending.Entry) tea.Cmd { return dismissEntry(m.c, e) }

// resolveEntry is r on an entry, wherever it is shown: open what fixes it (the conflict
// screen, the fix form), or try it again. It decides on the entry as the queue holds it now,
// not as the screen last loaded it: a sync may have just turned a green change orange, and
// retrying it would throw the conflict or the org's messages away unseen.
func resolveEntry(c *common, shown pending.Entry) tea.Cmd {
	b, ctx := c.backend, c.ctx
	online, out, running, paused, cure := c.online, c.reach.out(), c.running, c.paused, c.pauseCure()
	return func() tea.Msg {
		e, err := b.Entry(ctx, shown.ID)
		if err != nil {
			if errors.Is(err, pending.ErrNotFound) {
				return errMsg{errors.New("This change is no longer pending (it synced or was removed).")}
			}
			return errMsg{err}
		}
		switch e.Status {
		case pending.StatusConflict:
			return openConflictMsg{entryID: e.ID}
		case pending.StatusInvalid:
			return openFormMsg{mode: formFix, object: e.Object, id: e.RecordID, entryID: e.ID}
		case pending.StatusFailed:
			// "Can't be saved: record was deleted" → "This change can't be saved: record was deleted."
			why := strings.TrimPrefix(longWord(e.Status, e.Code, e.Message), "Can't be saved")
			return errMsg{errors.New("This change can't be saved" + why + ". Press x to dismiss it.")}
		case pending.StatusSyncing:
			return errMsg{errors.New("This change is syncing now.")}
		}
		if err := b.Retry(ctx, e.ID); err != nil {
			return opDoneMsg{err: err}
		}
		if !online {
			return opDoneMsg{note: "Will retry when you go online."}
		}
		if paused {
			return opDoneMsg{note: "Sync is paused: " + cure + " (the change stays queued)."}
		}
		if out {
			return opDoneMsg{note: "Will retry once the org can be reached; the app keeps trying."}
		}
		if running {
			// The run under way may be waiting on an org that does not answer.
			return opDoneMsg{note: "Will retry as soon as the sync under way ends (o twice ends it now)."}
		}
		return opDoneMsg{note: "Retrying now."}
	}
}

// dismissEntry is x on an entry: dismiss a red one, discard any other, each after a
// confirmation (two quick presses of x must not throw away two changes unasked).
func dismissEntry(c *common, e pending.Entry) tea.Cmd {
	if e.Status == pending.StatusFailed {
		return cmdOf(confirmDismissMsg{entry: e})
	}
	if e.Status == pending.StatusSyncing {
		return errCmd(errors.New("This change is syncing now; it can't be discarded."))
	}
	msg := confirmDiscardMsg{entryID: e.ID, name: CleanLine(e.Name), op: e.Op, inDoubt: e.InDoubt}
	if e.Op != pending.OpCreate {
		return cmdOf(msg)
	}
	b, ctx := c.backend, c.ctx
	return func() tea.Msg {
		// A new record other changes point at: the question says which, since they will need
		// another record once it is gone.
		if all, err := b.Entries(ctx); err == nil {
			msg.pointing = pointingAt(all, e.RecordID)
		}
		return msg
	}
}

// pointingAt names the changes whose values point at the record id (a new record's local id):
// `Contact "Orphan"`, in the queue's order.
func pointingAt(all []pending.Entry, id string) []string {
	var out []string
	for _, o := range all {
		if o.RecordID == id {
			continue
		}
		for _, v := range o.Changes {
			if s, ok := v.(string); ok && s == id {
				// Cut short: a question lists several, and what it says after them must show.
				out = append(out, sprintf("%s %q", CleanLine(o.Object), trunc(CleanLine(o.Name), pointingNameCells)))
				break
			}
		}
	}
	return out
}

const pointingNameCells = 30

// dismissNow dismisses a red entry and says what the device shows of its record now.
func dismissNow(c *common, e pending.Entry) tea.Cmd {
	b, ctx := c.backend, c.ctx
	return func() tea.Msg {
		if err := b.Dismiss(ctx, e.ID); err != nil {
			return opDoneMsg{err: err}
		}
		if _, err := b.Record(ctx, e.Object, e.RecordID); errors.Is(err, pending.ErrNotFound) {
			switch e.Cause() {
			case pending.CauseDeleted:
				return opDoneMsg{note: "Dismissed; the record was deleted on the org, and it is gone from this device."}
			case pending.CauseNoAccess:
				return opDoneMsg{note: "Dismissed; the record is out of your reach now, and it is gone from this device."}
			}
			return opDoneMsg{note: "Dismissed; the record is gone from this device (deleted on the org, or out of your reach)."}
		}
		return opDoneMsg{note: "Dismissed; the record now shows the org's copy."}
	}
}

func opWord(op pending.Op) string {
	switch op {
	case pending.OpCreate:
		return "New"
	case pending.OpUpdate:
		return "Edit"
	case pending.OpDelete:
		return "Delete"
	}
	return string(op)
}

// span is the entries in view, top to end: from the first entry, unless the cursor's would
// not fit. Each entry takes its line and its detail, wrapped: the cursor's entry stays whole
// in view.
func (m pendingModel) span() (top, end int) {
	if len(m.entries) == 0 {
		return 0, 0
	}
	var all []sashMark
	for _, e := range m.entries {
		all = append(all, sashMark{e.Status, e.Op})
	}
	room := max(1, m.h-3)
	// Heights are worked out only for the entries the window reaches.
	known := make([]int, len(m.entries))
	allW := sashColumn(all...)
	height := func(i int) int {
		if known[i] == 0 {
			known[i] = 1 + len(m.entryDetail(i, allW))
		}
		return known[i]
	}
	// From the first entry, unless the cursor's would not fit: then it sits at the bottom.
	window := func(room int) (top, end int) {
		used := 0
		for i := 0; i <= m.cursor && used <= room; i++ {
			used += height(i)
		}
		if used > room {
			top, used = m.cursor, height(m.cursor)
			for top > 0 && used+height(top-1) <= room {
				top--
				used += height(top)
			}
		}
		end = top
		for used = 0; end < len(m.entries) && used+height(end) <= room; end++ {
			used += height(end)
		}
		return top, max(end, m.cursor+1)
	}
	top, end = window(room)
	if top > 0 || end < len(m.entries) {
		// Not every change is in view: the last line says how many are not.
		top, end = window(max(1, room-1))
	}
	return top, end
}

func (m pendingModel) View() string {
	s := m.c.styles
	var b strings.Builder
	b.WriteString(s.Title.Render("Pending Changes") + s.Subtle.Render(sprintf("  %d", len(m.entries))))
	b.WriteString("\n\n")
	if !m.loaded {
		b.WriteString(s.Subtle.Render("Loading…"))
		return clampLines(b.String(), m.w, m.h)
	}
	if len(m.entries) == 0 {
		b.WriteString(s.Subtle.Render("Nothing is waiting."))
		return clampLines(b.String(), m.w, m.h)
	}
	top, end := m.span()
	var sts []sashMark
	for i := top; i < end; i++ {
		sts = append(sts, sashMark{m.entries[i].Status, m.entries[i].Op})
	}
	sashW := sashColumn(sts...)
	cols := m.columns(sashW, top, end)
	hdr := "  " + fit("", sashGap(sashW)) + cols.render("Object", "Record", "Change", "When")
	b.WriteString(s.Header.Render(trunc(hdr, m.w)))
	b.WriteString("\n")
	for i := top; i < end; i++ {
		e := m.entries[i]
		mark := "  "
		if i == m.cursor {
			mark = "▸ "
		}
		line := mark + s.sashCell(e.Status, e.Op, sashW) +
			cols.render(m.c.singleLabel(e.Object), CleanLine(e.Name), opWord(e.Op), m.c.when(e.UpdatedAt))
		if i == m.cursor {
			line = s.selectedRow(line, m.w)
		}
		b.WriteString(line + "\n")
		for _, l := range m.entryDetail(i, sashW) {
			b.WriteString(fit("", sashGap(sashW)+2) + s.sashStyle(e.Status).Render(l) + "\n")
		}
	}
	if above, below := top, len(m.entries)-end; above > 0 || below > 0 {
		var parts []string
		if above > 0 {
			parts = append(parts, sprintf("↑ %d more above", above))
		}
		if below > 0 {
			parts = append(parts, sprintf("↓ %d more below", below))
		}
		b.WriteString(s.Subtle.Render(strings.Join(parts, " · ")) + "\n")
	}
	return clampLines(b.String(), m.w, m.h)
}

// maxDetailLines is how many lines an entry's message and code may take under its line; the
// selected entry's take what the screen has, so that its whole message can be read.
const maxDetailLines = 3

// entryDetail is the detail of entry i: the selected entry's whole, within the screen (less
// its own line and the title, blank and header lines, and, when there are other changes, the
// line that says how many more are above or below), the others' on maxDetailLines lines.
func (m pendingModel) entryDetail(i, sashW int) []string {
	if i == m.cursor {
		most := m.h - 4
		if len(m.entries) > 1 {
			most--
		}
		return m.detailLinesUpTo(m.entries[i], sashW, max(maxDetailLines, most))
	}
	return m.detailLines(m.entries[i], sashW)
}

// detailLines say what happened to an entry (the org's message and code), wrapped under its
// line beside a sash column sashW wide, on at most maxDetailLines lines: a long message ends
// with "…" and never hides the code. Only the start of a message is read, so a huge one costs
// no more than a short one.
func (m pendingModel) detailLines(e pending.Entry, sashW int) []string {
	return m.detailLinesUpTo(e, sashW, maxDetailLines)
}

// waitsFor says, for a change waiting on a record created offline, which one, and whether that
// create needs the user first (then syncing cannot move either); "" for other changes.
func (m pendingModel) waitsFor(e pending.Entry) string {
	return waitsForIn(m.c.singleLabel, e, m.entries)
}

// waitsForIn is waitsFor with the queue es, objects named by label.
func waitsForIn(label func(object string) string, e pending.Entry, es []pending.Entry) string {
	if e.Status != pending.StatusWaiting || e.WaitingOn == "" {
		return ""
	}
	for _, p := range es {
		if p.RecordID != e.WaitingOn || p.Op != pending.OpCreate {
			continue
		}
		what := sprintf("Waiting for %s %q", label(p.Object), CleanLine(p.Name))
		if p.Status.Locked() {
			return what + ", which needs you first (" + strings.ToLower(longWord(p.Status, p.Code, p.Message)) + ")"
		}
		return what + " to sync first"
	}
	return ""
}

// detailLinesUpTo is detailLines on at most n lines.
func (m pendingModel) detailLinesUpTo(e pending.Entry, sashW, n int) []string {
	w := max(1, m.w-sashGap(sashW)-2)
	detail := longWordOp(e.Status, e.Op, e.Code, e.Message)
	if w := m.waitsFor(e); w != "" {
		detail = w
	}
	if fields := m.changedFields(e); fields != "" {
		detail += " · " + fields
	}
	cut := false
	if msg := m.c.entryMessage(e); msg != "" {
		var head string
		head, cut = headOf(msg, (n+1)*w)
		detail = CleanLine(head)
	}
	if word := entryWord(e); e.InDoubt && word != longWordOp(e.Status, e.Op, e.Code, e.Message) &&
		!strings.HasPrefix(e.Message, pending.MsgNoConfirmation) { // which says it already
		// Sent with no reply: said first, before what the last try met.
		if e.Message != "" {
			word += " · " + detail
		}
		detail = word
	}
	code := ""
	if e.Code != "" {
		code = " · " + CleanLine(e.Code)
	}
	if lines := strings.Split(wrap(detail+code, w), "\n"); !cut && len(lines) <= n {
		return lines
	}
	// Too long: the message gives way, on its last line, to "…" and the code.
	keep := n
	if code != "" {
		keep--
	}
	lines := strings.Split(wrap(detail, w), "\n")
	if len(lines) > keep {
		lines = lines[:keep]
	}
	last := len(lines) - 1
	lines[last] = trunc(lines[last]+" …", w)
	if code == "" {
		return lines
	}
	if lipgloss.Width(lines[last]+code) <= w {
		lines[last] += code
		return lines
	}
	return append(lines, trunc(strings.TrimPrefix(code, " "), w))
}

// changedFields names, for an edit waiting to sync, the fields it changes (labels, in the
// describe's order): on a record of hundreds of fields the page shows which without opening
// it. "" for other changes (a create sets its fields; an orange or red one's message says).
func (m pendingModel) changedFields(e pending.Entry) string {
	if e.Op != pending.OpUpdate || e.Status != pending.StatusPending && e.Status != pending.StatusSyncing || len(e.Changes) == 0 {
		return ""
	}
	var names []string
	d := m.c.describes[e.Object]
	if d != nil {
		for _, f := range d.Fields {
			if _, ok := e.Changes[f.Name]; ok {
				names = append(names, CleanLine(fieldLabel(f)))
			}
		}
	}
	if len(names) != len(e.Changes) { // a field the describe does not name: all by API name
		names = names[:0]
		for _, f := range slices.Sorted(maps.Keys(e.Changes)) {
			names = append(names, CleanLine(f))
		}
	}
	return strings.Join(names, ", ")
}

// headOf is the start of s, at most n characters, and whether it was cut.
func headOf(s string, n int) (string, bool) {
	for i := range s {
		if n == 0 {
			return s[:i], true
		}
		n--
	}
	return s, false
}

// pendingColumns are the widths of the list's columns; a width of 0 leaves the column out.
type pendingColumns struct{ object, record, op, when int }

// render lays a row's cells out in the columns.
func (c pendingColumns) render(object, record, op, when string) string {
	var cells []string
	for _, cell := range []struct {
		text string
		w    int
	}{{object, c.object}, {record, c.record}, {op, c.op}, {when, c.when}} {
		if cell.w > 0 {
			cells = append(cells, fit(cell.text, cell.w))
		}
	}
	return strings.Join(cells, " ")
}

// minRecordWidth is how much of a record's name the list keeps before it leaves out a column.
const minRecordWidth = 20

// columns are as wide as what the entries top..end hold. The record's name comes first:
// when it would be cut short, the time and then the object make room for it (at 60 columns,
// "Blue Sun Industries" and "Blue Sun Partners" stay apart).
func (m pendingModel) columns(sashW, top, end int) pendingColumns {
	c := pendingColumns{object: lipgloss.Width("Object"), record: lipgloss.Width("Record"), op: lipgloss.Width("Change"), when: lipgloss.Width("When")}
	for _, e := range m.entries[top:end] {
		c.object = max(c.object, lipgloss.Width(m.c.singleLabel(e.Object)))
		c.record = max(c.record, lipgloss.Width(CleanLine(e.Name)))
		c.op = max(c.op, lipgloss.Width(opWord(e.Op)))
		c.when = max(c.when, lipgloss.Width(m.c.when(e.UpdatedAt)))
	}
	want := c.record
	room := func() int {
		n, used := 0, 0
		for _, w := range []int{c.object, c.op, c.when} {
			if w > 0 {
				n++
				used += w
			}
		}
		return m.w - 2 - sashGap(sashW) - n - used
	}
	for _, drop := range []*int{&c.when, &c.object} {
		if room() >= min(want, minRecordWidth) {
			break
		}
		*drop = 0
	}
	// The record gets what its names need and two cells more (a name never runs into the
	// change beside it), or what the others leave when that is less; room left over stays at
	// the end of the line, so Change and When sit next to the names.
	c.record = max(4, min(want+2, room()))
	return c
}

func (m pendingModel) ShortHelp() []key.Binding {
	k := m.c.keys
	return append(m.entryKeys(), k.Online, k.Back, k.Help)
}

func (m pendingModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, m.entryKeys(), k.globalKeys()}
}

// entryKeys are enter, r and x, disabled (left out of the help bar) while no change is listed.
func (m pendingModel) entryKeys() []key.Binding {
	k := m.c.keys
	keys := []key.Binding{k.Open, k.Resolve, k.Dismiss}
	e, ok := m.current()
	if !ok {
		for i := range keys {
			keys[i].SetEnabled(false)
		}
	}
	if e.Status == pending.StatusFailed {
		keys[1].SetEnabled(false) // a red change is dismissed (x): r only says so
	}
	return keys
}
