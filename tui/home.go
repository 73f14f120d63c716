package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
)

// column is one key column of an object home.
type column struct{ field, title string }

// keyColumns are the columns after the name on each object's home.
var keyColumns = map[string][]column{
	"Account":     {{"Industry", "Industry"}, {"Phone", "Phone"}, {"BillingCity", "City"}},
	"Contact":     {{"Title", "Title"}, {"Email", "Email"}, {"Phone", "Phone"}},
	"Opportunity": {{"StageName", "Stage"}, {"Amount", "Amount"}, {"CloseDate", "Close"}},
	"Lead":        {{"Company", "Company"}, {"Status", "Status"}, {"Email", "Email"}},
	"Case":        {{"Subject", "Subject"}, {"Status", "Status"}, {"Priority", "Priority"}},
	"Task":        {{"Status", "Status"}, {"Priority", "Priority"}, {"ActivityDate", "Due"}},
}

// pageSize is how many rows one List call brings; the view draws only the visible ones.
const pageSize = 200

type pageMsg struct {
	object string
	gen    int
	offset int
	page   pending.Page
	err    error
	// follow: the page reloads the rows shown (after a change or a sync), and the cursor
	// stays on the record it was on wherever the reload put it.
	follow bool
	filter string // the filter the rows were read with
	around bool   // the page was asked for around a record (ListQuery.Around)
}

// homeModel is an object home: a list of records, a page at a time.
type homeModel struct {
	c      *common
	object string

	rows    []pending.Row // the loaded window
	offset  int           // index of rows[0]
	total   int
	loaded  bool
	gen     int // generation of the latest request; older replies are dropped
	loading int // offset being fetched, -1 when idle

	cursor, top int
	w, h        int

	// sashW and want are what the loaded page needs (pageWidths), worked out when it comes.
	sashW int
	want  []int

	filter    lineInput
	filtering bool
	// replace: the filter was opened again over a kept one; the first letter typed starts a
	// new filter (as over a selection), while a move or a deletion edits the kept one.
	replace bool

	// focusID is a record the cursor goes to when the next page holds it (a record just
	// created); "" when none.
	focusID string
	// rowsFilter is the filter the rows loaded were read with.
	rowsFilter string
	// keepAt is the screen row the cursor's record stays on when a page read around it
	// arrives (keep: a reload followed it out of the rows loaded).
	keepAt int
	keep   bool
}

func newHome(c *common) homeModel {
	ti := newLineInput("filter by name")
	ti.limit = 80
	return homeModel{c: c, filter: ti, loading: -1}
}

// open shows an object's home from its first row.
func (m homeModel) open(object string) (homeModel, tea.Cmd) {
	if m.object != object {
		m.filter.SetValue("")
	}
	m.object = object
	m.cursor, m.top, m.offset, m.total = 0, 0, 0, 0
	m.rows, m.loaded, m.filtering = nil, false, false
	m.sashW, m.want = 0, nil
	m.filter.Blur()
	return m.fetch(0)
}

// reload fetches the current window again (after a change or an event).
func (m homeModel) reload() (homeModel, tea.Cmd) {
	if m.object == "" {
		return m, nil
	}
	return m.fetchPage(m.offset, true, "")
}

func (m homeModel) fetch(offset int) (homeModel, tea.Cmd) { return m.fetchPage(offset, false, "") }

// fetchPage asks for the rows from offset on; follow keeps the cursor on its record (reload);
// around asks for the page that holds that record instead, wherever it sorts now.
func (m homeModel) fetchPage(offset int, follow bool, around string) (homeModel, tea.Cmd) {
	if offset < 0 {
		offset = 0
	}
	m.gen++
	m.loading = offset
	gen, object, filter := m.gen, m.object, m.filter.Value()
	b, ctx := m.c.backend, m.c.ctx
	return m, func() tea.Msg {
		p, err := b.List(ctx, pending.ListQuery{Object: object, Filter: filter, Offset: offset, Limit: pageSize, Around: around})
		msg := pageMsg{object: object, gen: gen, offset: offset, page: p, err: err, follow: follow, filter: filter, around: around != ""}
		if err == nil && around != "" {
			msg.offset = p.Offset
		}
		return msg
	}
}

func (m *homeModel) SetSize(w, h int) {
	m.w, m.h = w, h
	m.filter.SetWidth(max(10, w-2))
	m.clamp()
}

// visible is how many rows fit under the title and header lines and above the footer.
func (m homeModel) visible() int { return max(1, m.h-4) }

func (m homeModel) capturing() bool { return m.filtering }

func (m *homeModel) clamp() {
	if m.cursor >= m.total {
		m.cursor = m.total - 1
	}
	if m.cursor < 0 {
		m.cursor = 0
	}
	v := m.visible()
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if m.cursor >= m.top+v {
		m.top = m.cursor - v + 1
	}
	if m.top > m.total-v {
		m.top = m.total - v
	}
	if m.top < 0 {
		m.top = 0
	}
}

// ensureLoaded asks for the page around the visible rows when they are not all loaded.
func (m homeModel) ensureLoaded() (homeModel, tea.Cmd) {
	end := min(m.top+m.visible(), m.total)
	if m.top >= m.offset && end <= m.offset+len(m.rows) {
		return m, nil
	}
	want := max(0, m.top-pageSize/4)
	if m.loading == want {
		return m, nil
	}
	return m.fetch(want)
}

func (m homeModel) move(delta int) (homeModel, tea.Cmd) {
	m.cursor += delta
	m.clamp()
	return m.ensureLoaded()
}

func (m homeModel) row(i int) (pending.Row, bool) {
	if i < m.offset || i >= m.offset+len(m.rows) {
		return pending.Row{}, false
	}
	return m.rows[i-m.offset], true
}

func (m homeModel) Update(msg tea.Msg) (homeModel, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case pageMsg:
		if msg.object != m.object || msg.gen != m.gen {
			return m, nil
		}
		m.loading = -1
		if msg.err != nil {
			return m, errCmd(msg.err)
		}
		// A reload keeps the cursor on its record, and that record where it was on the
		// screen, when records before it came or went (a sync, another user's delete): the
		// next key acts on the record the user chose, not on its neighbour.
		// Only rows read with the same filter: a filter typed or cleared meanwhile put the
		// cursor on the first row, where it stays.
		follow := ""
		if r, ok := m.row(m.cursor); ok && msg.follow && msg.filter == m.rowsFilter {
			follow = r.ID
		}
		m.rows, m.offset, m.total, m.loaded = msg.page.Rows, msg.offset, msg.page.Total, true
		m.rowsFilter = msg.filter
		m.sashW, m.want = m.pageWidths()
		missing, keepAt := "", m.cursor-m.top // the record the page does not hold
		if m.focusID != "" {
			missing, keepAt = m.focusID, -1
			for i, r := range m.rows {
				if r.ID == m.focusID {
					m.cursor, missing = m.offset+i, ""
					if m.keep {
						m.top = m.cursor - m.keepAt
					}
				}
			}
			m.focusID, m.keep = "", false
		} else if follow != "" {
			missing = follow
			for i, r := range m.rows {
				if r.ID == follow {
					m.top += m.offset + i - m.cursor
					m.cursor, missing = m.offset+i, ""
				}
			}
		}
		m.clamp()
		if missing != "" && !msg.around {
			// The record moved past the rows read (a rename that sorts it far away, a record
			// just created among thousands): read the page that holds it.
			m.focusID, m.keepAt, m.keep = missing, keepAt, keepAt >= 0
			return m.fetchPage(m.offset, false, missing)
		}
		// The cursor followed its record to rows the page does not hold: read them.
		return m.ensureLoaded()
	case tea.MouseMsg:
		if d := wheelDelta(msg); d != 0 {
			return m.move(3 * d)
		}
	case tea.KeyMsg:
		if m.filtering {
			switch msg.Type {
			case tea.KeyEsc:
				m.filtering = false
				m.filter.Blur()
				m.filter.SetValue("")
				m.cursor, m.top = 0, 0
				return m.fetch(0)
			case tea.KeyEnter:
				m.filtering = false
				m.filter.Blur()
				return m, nil
			case tea.KeyUp, tea.KeyDown, tea.KeyPgUp, tea.KeyPgDown:
				// The arrows move through the matches while the filter is typed, as a lookup's
				// matches do (the filter's text has no lines to move through).
				m.replace = false
				switch msg.Type {
				case tea.KeyUp:
					return m.move(-1)
				case tea.KeyDown:
					return m.move(1)
				case tea.KeyPgUp:
					return m.move(-m.visible())
				}
				return m.move(m.visible())
			}
			if m.replace && msg.Type == tea.KeyRunes {
				m.filter.SetValue("")
			}
			m.replace = false
			before := m.filter.Value()
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			if m.filter.Value() != before {
				m.cursor, m.top = 0, 0
				var fc tea.Cmd
				m, fc = m.fetch(0)
				return m, tea.Batch(cmd, fc)
			}
			return m, cmd
		}
		switch {
		case key.Matches(msg, k.Up):
			return m.move(-1)
		case key.Matches(msg, k.Down):
			return m.move(1)
		case key.Matches(msg, k.PageUp):
			return m.move(-m.visible())
		case key.Matches(msg, k.PageDown):
			return m.move(m.visible())
		case key.Matches(msg, k.Top):
			return m.move(-m.total)
		case key.Matches(msg, k.Bottom):
			return m.move(m.total)
		case key.Matches(msg, k.Filter):
			m.filtering = true
			m.replace = m.filter.Value() != ""
			return m, m.filter.Focus()
		case key.Matches(msg, k.New):
			return m, cmdOf(openFormMsg{mode: formNew, object: m.object})
		case key.Matches(msg, k.Open):
			if r, ok := m.row(m.cursor); ok {
				return m, cmdOf(openRecordMsg{object: m.object, id: r.ID})
			}
		}
	}
	return m, nil
}

// pageWidths are what the loaded page needs: the sash column's width, and the cells of the
// widest name and of the widest value of each key column. The columns are laid out by them,
// not by the rows on screen, so that they hold still while the list scrolls.
func (m homeModel) pageWidths() (sashW int, want []int) {
	cols := keyColumns[m.object]
	want = make([]int, len(cols)+1)
	want[0] = len("Name")
	for i, c := range cols {
		want[i+1] = lipgloss.Width(c.title)
	}
	sts := make([]sashMark, 0, len(m.rows))
	for _, r := range m.rows {
		sts = append(sts, sashMark{r.Status, r.Op})
		want[0] = max(want[0], lipgloss.Width(CleanLine(r.Name)))
		for i, c := range cols {
			want[i+1] = max(want[i+1], lipgloss.Width(m.cell(c.field, r.Fields[c.field])))
		}
	}
	return sashColumn(sts...), want
}

// shownSashW is the width of the sash column for the rows on screen: the room their sashes
// need, none when none of them has one (a sash further down the loaded page takes no room
// from the names until it is scrolled to).
func (m homeModel) shownSashW() int {
	if !m.loaded {
		return m.sashW
	}
	var sts []sashMark
	for i := m.top; i < min(m.top+m.visible(), m.total); i++ {
		if r, ok := m.row(i); ok {
			sts = append(sts, sashMark{r.Status, r.Op})
		}
	}
	return sashColumn(sts...)
}

// columns lays the key columns out in the width by what the loaded page holds (see
// pageWidths): each column gets what its widest value needs when all fit (the room left over
// is spread, the name taking the most). When they do not, the name comes first, with up to half
// the room, and the other columns share the rest (the short ones keep theirs, the long ones
// share what is left), so that a long value further down takes no room from the names.
func (m homeModel) columns(sashW int) (nameW int, cols []column, colWs []int) {
	cols = keyColumns[m.object]
	avail := m.w - 2 - sashGap(sashW) - len(cols)
	if avail < 20 {
		return max(avail, 1), nil, nil
	}
	want := m.want
	if len(want) != len(cols)+1 {
		_, want = m.pageWidths()
	}
	ws := homeWidths(want, avail)
	return ws[0], cols, ws[1:]
}

// homeWidths shares avail cells between a name column (want[0]) and value columns: all get
// what they want when it fits; otherwise the name gets up to half, the values share the rest,
// and what they leave goes back to the name.
func homeWidths(want []int, avail int) []int {
	total := 0
	for _, x := range want {
		total += x
	}
	if total <= avail || len(want) < 2 {
		return spreadWidth(want, avail)
	}
	name := min(want[0], avail/2)
	rest := shareWidth(want[1:], avail-name)
	used := name
	for _, x := range rest {
		used += x
	}
	name += max(0, min(want[0]-name, avail-used))
	return append([]int{name}, rest...)
}

func (m homeModel) View() string {
	s := m.c.styles
	var b strings.Builder
	title := m.c.objectLabel(m.object)
	if m.object == "Task" {
		title = "My Tasks"
	}
	count := ""
	if m.loaded {
		count = sprintf("  %d records", m.total)
		if m.total == 1 {
			count = "  1 record"
		}
	}
	b.WriteString(s.Title.Render(title) + s.Subtle.Render(count))
	b.WriteString("\n")
	if m.filtering || m.filter.Value() != "" {
		b.WriteString(trunc("/ "+m.filter.View(max(10, m.w-2)), m.w))
	}
	b.WriteString("\n")

	// The value columns are laid out for the loaded page, so they hold still while the list
	// scrolls; the sash column takes only what the rows on screen need, and the names what
	// it leaves.
	nameW, cols, colWs := m.columns(m.sashW)
	sashW := m.shownSashW()
	nameW += sashGap(m.sashW) - sashGap(sashW)
	hdr := "  " + fit("", sashGap(sashW)) + fit("Name", nameW)
	for i, c := range cols {
		hdr += " " + fit(c.title, colWs[i])
	}
	b.WriteString(s.Header.Render(fit(hdr, m.w)))
	b.WriteString("\n")

	v := m.visible()
	if !m.loaded {
		b.WriteString(s.Subtle.Render("Loading…"))
		return clampLines(b.String(), m.w, m.h)
	}
	if m.total == 0 {
		if m.filter.Value() != "" {
			b.WriteString(s.Subtle.Render("No records match the filter."))
		} else {
			b.WriteString(s.Subtle.Render("No cached records. Press n to create one."))
		}
		return clampLines(b.String(), m.w, m.h)
	}
	top := m.top
	for i := top; i < min(top+v, m.total); i++ {
		r, ok := m.row(i)
		line := "  "
		if i == m.cursor {
			line = "▸ "
		}
		if !ok {
			line += fit("", sashGap(sashW)) + s.Subtle.Render("…")
		} else {
			line += s.sashCell(r.Status, r.Op, sashW) + fit(CleanLine(r.Name), nameW)
			for i, c := range cols {
				line += " " + fit(m.cell(c.field, r.Fields[c.field]), colWs[i])
			}
		}
		if i == m.cursor {
			line = s.selectedRow(line, m.w)
		}
		b.WriteString(line)
		b.WriteString("\n")
	}
	return clampLines(b.String(), m.w, m.h-1) + "\n" + s.Subtle.Render(trunc(sprintf("%d of %d", m.cursor+1, m.total), m.w))
}

// cell formats one key column of a row as the record page shows the field (a date "Nov 4",
// a currency with its decimals), by the object's describe when it is known.
func (m homeModel) cell(field string, v any) string {
	if d := m.c.describes[m.object]; d != nil {
		if f, ok := d.Field(field); ok {
			return m.c.displayField(f, v)
		}
	}
	return displayCell(field, v)
}

// displayCell formats a key column of a row whose describe is not known.
func displayCell(field string, v any) string {
	if field == "Amount" {
		if x, ok := v.(float64); ok {
			return formatMoney(x)
		}
	}
	return display(v)
}

func (m homeModel) ShortHelp() []key.Binding {
	k := m.c.keys
	if m.filtering {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
			key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "matches")), withDesc(k.OnlineAnywhere, "online/offline")}
	}
	return []key.Binding{k.Open, k.New, k.Filter, k.Online, k.Pending, k.Back, k.Help}
}

func (m homeModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Open, k.New, k.Filter}, k.globalKeys()}
}
