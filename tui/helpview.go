package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
)

// helpSection is one block of the full help (?): a title and its keys. Every key listed is a
// binding the screens use, so the help cannot promise a key that does nothing.
type helpSection struct {
	title string
	keys  []key.Binding
}

// withDesc is b with a longer description for the full help; its keys stay b's.
func withDesc(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

// joinKeys is one help entry for two bindings that do the same (q and ctrl+c).
func joinKeys(a, b key.Binding, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(append(a.Keys(), b.Keys()...)...),
		key.WithHelp(a.Help().Key+"/"+b.Help().Key, desc))
}

// helpSections are the keys of the current screen, then the keys that never change meaning,
// then the QA keys. A key the later sections list is left out of the first.
func (m Model) helpSections() []helpSection {
	k := m.c.keys
	// covered maps each key the later sections list to what the screens call it there.
	covered := map[string]string{}
	as := func(b key.Binding, desc string) key.Binding {
		for _, kk := range b.Keys() {
			if _, ok := covered[kk]; !ok {
				covered[kk] = b.Help().Desc
			}
		}
		if desc == "" {
			return b
		}
		return withDesc(b, desc)
	}
	as(k.Help, "") // a screen's own ? (help) is this help's
	everywhere := []key.Binding{
		as(joinKeys(k.Online, k.OnlineAnywhere, "online/offline"), ""), as(k.Pending, "Pending Changes"), as(k.Open, ""), as(k.Back, ""),
		as(joinKeys(k.Help, k.HelpAnywhere, "this help (f1 in a form)"), ""), as(joinKeys(k.Quit, k.ForceQuit, "quit"), ""),
	}
	records := []key.Binding{
		as(k.New, "new record (object home; on My Tasks a new task)"),
		key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "on a record page: New <related> of the action bar (tab picks which)")),
		as(k.Edit, "edit the open record"),
		as(k.Delete, "delete the open record (asks first)"),
		as(k.NewTask, "new task for the open record (online)"),
		as(k.NewContact, "new contact for the open account (online)"),
		as(k.NextPane, "on a record page: next related list"),
		as(k.Filter, "filter the list"),
		as(pageDownKey(k), "page down (lists, record page, log, this help)"),
		as(k.Resolve, "resolve (orange) or retry"),
		as(k.Dismiss, "dismiss (red) or discard (asks first)"),
		as(k.Save, "save a form"),
		as(clearFieldKey, "in a form: clear the field (a picklist to --None--, a checklist unticked)"),
		as(pickListKey, "on a picklist: list its values (type to filter)"),
		as(pickStepKey, "on a picklist: previous/next value (h/l before a letter is typed)"),
		as(pickTypeKey, "on a picklist: type the start of a value to go to it"),
		as(multiTickHelpKey, "on a multi-select: tick/untick the value (↑/↓ move, a letter jumps)"),
		as(k.Mine, "on a conflict: keep mine"),
		as(k.Theirs, "on a conflict: take theirs"),
		as(k.Value, "on a conflict: type a value; enter sets it (tab: picklist, long text)"),
		as(k.AllMine, "on a conflict: keep mine on every field not given a value"),
		as(k.AllTheirs, "on a conflict: take theirs on every field not given a value"),
		as(formPageKey, "in a form: a screen of fields up/down"),
		as(formFirstKey, "in a form: the first field"),
		as(formLastKey, "in a form: the last field"),
		as(findFieldKey, "find a field by its label (a form; a record page, where / does too)"),
	}
	qa := []key.Binding{
		as(k.Backstage, "backstage: SIMULATION (other users, admin, network)"),
		as(k.ActAs, "in backstage: act as sam or the admin"),
		as(k.Log, "activity log"),
		as(k.LogScope, "in the log: all requests / this record"),
		as(k.NextStep, "next step of a scenario (scenario open)"),
		as(k.Report, "a scenario's failed checks and why it stopped, whole"),
	}
	var screen []key.Binding
	seen := map[string]bool{}
	for _, group := range m.fullHelp() {
		for _, b := range group {
			id := b.Help().Key + "\x00" + b.Help().Desc
			if !b.Enabled() || seen[id] || coveredBy(b, covered) {
				continue
			}
			seen[id] = true
			screen = append(screen, b)
		}
	}
	var out []helpSection
	if len(screen) > 0 {
		out = append(out, helpSection{"Keys on this screen", screen})
	}
	return append(out,
		helpSection{"Keys that never change", everywhere},
		helpSection{"Records, lists and forms", records},
		helpSection{"QA and support", qa})
}

// pageDownKey is page down as the help names it: space pages down too, where a list or a page
// has focus.
func pageDownKey(k keyMap) key.Binding {
	b := k.PageDown
	b.SetHelp("pgdn/space", b.Help().Desc)
	return b
}

// Keys of a closed picklist, as the full help names them.
var (
	pickStepKey = key.NewBinding(key.WithKeys("left", "right", "h", "l"), key.WithHelp("←/→ h/l", "previous/next value"))
	pickTypeKey = key.NewBinding(key.WithKeys("a"), key.WithHelp("a-z", "go to the value starting so"))
	// multiTickHelpKey is space on a multi-select checklist, as the full help names it.
	multiTickHelpKey = key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "tick/untick a value"))
)

// coveredBy reports whether every key of b does the same in the later help sections.
func coveredBy(b key.Binding, covered map[string]string) bool {
	for _, kk := range b.Keys() {
		if d, ok := covered[kk]; !ok || d != b.Help().Desc {
			return false
		}
	}
	return len(b.Keys()) > 0
}

// helpEntries lays a section's keys out in as many columns as fit in w cells, filled down
// each column first.
func (m Model) helpEntries(keys []key.Binding, w int) []string {
	s := m.c.styles
	keyW, descW := 0, 0
	for _, b := range keys {
		keyW = max(keyW, lipgloss.Width(b.Help().Key))
		descW = max(descW, lipgloss.Width(b.Help().Desc))
	}
	const gap = 3
	entryW := keyW + 1 + descW
	cols := max(1, (w+gap)/(entryW+gap))
	if cols == 1 {
		// One column: a description longer than the width wraps under itself, not cut.
		var out []string
		for _, b := range keys {
			lines := strings.Split(wrap(b.Help().Desc, max(10, w-keyW-1)), "\n")
			for i, l := range lines {
				lead := s.Key.Render(fit(b.Help().Key, keyW))
				if i > 0 {
					lead = strings.Repeat(" ", keyW)
				}
				out = append(out, lead+" "+l)
			}
		}
		return out
	}
	rows := (len(keys) + cols - 1) / cols
	out := make([]string, rows)
	for i, b := range keys {
		r, c := i%rows, i/rows
		cell := s.Key.Render(fit(b.Help().Key, keyW)) + " " + b.Help().Desc
		if c > 0 {
			out[r] += strings.Repeat(" ", gap)
		}
		if c < cols-1 && i+rows < len(keys) {
			cell = fit(cell, entryW)
		}
		out[r] += cell
	}
	return out
}

// helpLines is the whole full help, before scrolling.
func (m Model) helpLines(w int) []string {
	s := m.c.styles
	var out []string
	for i, sec := range m.helpSections() {
		if i > 0 {
			out = append(out, "")
		}
		out = append(out, s.Title.Render(sec.title))
		out = append(out, m.helpEntries(sec.keys, w)...)
	}
	out = append(out, "", s.Title.Render("Sashes"))
	rows := sashHelpRows()
	marks := make([]sashMark, len(rows))
	for i, r := range rows {
		marks[i] = r.mark
	}
	sashW := sashColumn(marks...)
	for _, r := range rows {
		// The word of the lists, then what it means.
		lines := strings.Split(wrap(r.means, max(10, w-sashW-2)), "\n")
		for i, l := range lines {
			lead := s.sashCell(r.mark.st, r.mark.op, sashW)
			if i > 0 {
				lead = strings.Repeat(" ", sashW+1)
			}
			out = append(out, lead+" "+s.Subtle.Render(l))
		}
	}
	return out
}

// helpRoom is how many help lines show at once: the body less the hint line.
func helpRoom(h int) int { return max(1, h-1) }

// scrollHelp answers a key while the full help is open: it scrolls, or closes the help.
func (m Model) scrollHelp(msg tea.KeyMsg) Model {
	k := m.c.keys
	w, h := m.bodySize()
	room := helpRoom(h)
	last := max(0, len(m.helpLines(w))-room)
	switch {
	case key.Matches(msg, k.Help), key.Matches(msg, k.HelpAnywhere), msg.Type == tea.KeyEsc, key.Matches(msg, k.Quit):
		m.showHelp = false
	case key.Matches(msg, k.Down):
		m.helpTop++
	case key.Matches(msg, k.Up):
		m.helpTop--
	case key.Matches(msg, k.PageDown):
		m.helpTop += room
	case key.Matches(msg, k.PageUp):
		m.helpTop -= room
	case key.Matches(msg, k.Top):
		m.helpTop = 0
	case key.Matches(msg, k.Bottom):
		m.helpTop = last
	}
	m.helpTop = max(0, min(m.helpTop, last))
	return m
}

// fullHelpView is the part of the help in view, with a line saying what lies above or below.
func (m Model) fullHelpView(w, h int) string {
	s := m.c.styles
	lines := m.helpLines(w)
	room := helpRoom(h)
	top := max(0, min(m.helpTop, len(lines)-room))
	end := min(len(lines), top+room)
	var hint []string
	if top > 0 {
		hint = append(hint, "↑ more above")
	}
	if end < len(lines) {
		hint = append(hint, "↓ more below (pgdn, end)")
	}
	hint = append(hint, "? or esc closes")
	view := append(append([]string(nil), lines[top:end]...), s.Subtle.Render(strings.Join(hint, " · ")))
	return clampLines(strings.Join(view, "\n"), w, h)
}

// sashHelpRow is one line of the help's Sashes: the sash of a list row and what the record
// page and Pending Changes say of it.
type sashHelpRow struct {
	mark  sashMark
	means string
}

// sashHelpRows are every state the app shows a sash for, in the words the screens use.
func sashHelpRows() []sashHelpRow {
	row := func(st pending.Status, op pending.Op, means string) sashHelpRow {
		return sashHelpRow{sashMark{st, op}, means}
	}
	long := func(st pending.Status, op pending.Op) sashHelpRow {
		return row(st, op, longWordOp(st, op, "", ""))
	}
	failed := func(code string) sashHelpRow {
		return row(pending.StatusFailed, pending.OpUpdate, longWord(pending.StatusFailed, code, ""))
	}
	return []sashHelpRow{
		long(pending.StatusPending, pending.OpUpdate),
		long(pending.StatusPending, pending.OpDelete),
		row(pending.StatusPending, pending.OpUpdate, inDoubtWord(pending.OpUpdate)),
		long(pending.StatusSyncing, pending.OpUpdate),
		long(pending.StatusSyncing, pending.OpDelete),
		long(pending.StatusWaiting, pending.OpCreate),
		long(pending.StatusConflict, pending.OpUpdate),
		long(pending.StatusInvalid, pending.OpUpdate),
		row(pending.StatusInvalid, pending.OpCreate, longWord(pending.StatusInvalid, codeReferenceDiscarded, "")),
		row(pending.StatusInvalid, pending.OpCreate, longWord(pending.StatusInvalid, codeReferenceCycle, "")),
		failed("ENTITY_IS_DELETED"),
		row(pending.StatusFailed, pending.OpUpdate, longWord(pending.StatusFailed, "NOT_FOUND", "")+" (unshared, or its owner changed)"),
		row(pending.StatusFailed, pending.OpUpdate, longWord(pending.StatusFailed, "INSUFFICIENT_ACCESS_OR_READONLY", "")+" (shared with you read-only now)"),
		row(pending.StatusFailed, pending.OpUpdate, wordGivenAway+" (its owner changed since your change; you may still read it)"),
	}
}
