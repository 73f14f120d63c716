package tui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// display turns a field value into sanitised single-line text.
func display(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return CleanLine(x)
	case bool:
		if x {
			return "Yes"
		}
		return "No"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return CleanLine(strings.TrimSpace(strings.ReplaceAll(toString(v), "\n", " ")))
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return strconv.Quote("?")
}

// displayField formats a value for a describe field: a number with the field's scale (a
// currency its describe gives no precision with two decimals), a date as the screens write a
// day ("Nov 4", "Nov 4 2025": see dayIn), datetimes as every screen shows a moment (see
// whenIn), with the zone's name ("Jan 5 09:30 EST", "Jan 5 2025 09:30 EST").
func (c *common) displayField(f remote.Field, v any) string {
	return displayFieldIn(f, v, c.loc, c.clock())
}

// displayFieldIn is displayField with datetimes in loc, seen at now.
func displayFieldIn(f remote.Field, v any, loc *time.Location, now time.Time) string {
	switch f.Type {
	case "currency", "double", "percent", "int":
		if x, ok := v.(float64); ok {
			return formatNumber(f, x)
		}
	case "date":
		if s, ok := v.(string); ok {
			if d, ok := dayIn(s, now, loc); ok {
				return d
			}
		}
	case "datetime":
		if s, ok := v.(string); ok {
			if t, err := remote.ParseTime(s); err == nil {
				// Shown alone, a time says its zone, as the form's editor does beside it.
				return whenIn(t, now, loc) + " " + zoneName(t, loc)
			}
		}
	case "multipicklist":
		if s, ok := v.(string); ok {
			return display(strings.ReplaceAll(s, ";", "; "))
		}
	case "boolean":
		if v == nil {
			return "No"
		}
	}
	return display(v)
}

// sfTime is the org's datetime wire format.
const sfTime = "2006-01-02T15:04:05.000-0700"

func formatMoney(x float64) string { return formatDecimal(x, 2, true) }

// formatNumber is a number as the record page shows it: with as many decimals as the field's
// scale, rounded half away from zero as the org's own pages round, a currency with its
// thousands grouped. A field whose describe gives no precision shows as before: a currency
// with two decimals, any other number as it is.
func formatNumber(f remote.Field, x float64) string {
	money := f.Type == "currency"
	switch {
	case f.Precision > 0:
		return formatDecimal(x, f.Scale, money)
	case money:
		return formatMoney(x)
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// formatDecimal is x with scale decimals, rounded half away from zero on the decimal digits x
// is written with, its thousands grouped with commas when group is set.
func formatDecimal(x float64, scale int, group bool) string {
	scale = max(0, scale)
	s := remote.RoundDecimal(strconv.FormatFloat(x, 'f', -1, 64), scale)
	neg := strings.HasPrefix(s, "-")
	intPart, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if pad := scale - len(frac); pad > 0 {
		frac += strings.Repeat("0", pad)
	}
	var b strings.Builder
	for i, r := range intPart {
		if group && i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if scale > 0 {
		out += "." + frac
	}
	if neg && strings.Trim(intPart+frac, "0") != "" {
		return "-" + out // -0.001 shown with two decimals is 0.00, not -0.00
	}
	return out
}

// decimalsWord says how many decimals a field keeps: "no decimals", "1 decimal", "2 decimals".
func decimalsWord(scale int) string {
	switch scale {
	case 0:
		return "no decimals"
	case 1:
		return "1 decimal"
	}
	return sprintf("%d decimals", scale)
}

// retryWords are the end of the engine's message about a change it will send again by itself.
const retryWords = "will retry automatically"

// entryMessage is what the engine says about a change, with when it will be tried next where
// that is a minute or more away: "…; next try at 20:39" (today), "tomorrow at 08:00", or
// "Nov 30 08:00", in the zone times show in. While sync is paused nothing is tried by itself:
// the line says what starts it again instead.
func (c *common) entryMessage(e pending.Entry) string {
	now := c.clock()
	msg := changedSaid(c.describes[e.Object], momentsSaid(c.describes[e.Object], e.Message, c.loc, now))
	if msg == "" || e.Status != pending.StatusPending {
		return msg
	}
	if c.paused {
		return strings.TrimRight(strings.TrimSuffix(msg, retryWords), "; .") + "; sync is paused: " + c.pauseCure()
	}
	if e.NextAttempt.Sub(now) < time.Minute {
		return msg
	}
	next := "next try " + nextTryText(e.NextAttempt, now, c.loc)
	if strings.HasSuffix(msg, retryWords) {
		return strings.TrimSuffix(msg, retryWords) + next
	}
	return strings.TrimRight(msg, ". ") + "; " + next
}

// nowWords open the value the org now holds, as the engine names it in a conflict's message
// (strict mode): `Close Date (now "2026-11-04")`.
const nowWords = ` (now "`

// momentsSaid is a conflict's message with the dates and date-times it quotes ("Close Date
// (now \"2026-11-04\")") written as the screens write them, unquoted as numbers are
// ("Close Date (now Nov 4)"), seen at now in loc; a message without them, or one naming
// something d does not have, as it is.
func momentsSaid(d *remote.Describe, msg string, loc *time.Location, now time.Time) string {
	if d == nil || !strings.Contains(msg, nowWords) {
		return msg
	}
	for _, f := range d.Fields {
		if (f.Type != "date" && f.Type != "datetime") || f.Label == "" {
			continue
		}
		var b strings.Builder
		rest := msg
		for {
			i := strings.Index(rest, f.Label+nowWords)
			if i < 0 {
				break
			}
			head := rest[:i]
			at := i + len(f.Label) + len(nowWords) - 1 // the opening quote
			b.WriteString(rest[:at])
			rest = rest[at:]
			// The label starts the field's part: right after "changed " or ", ", not in
			// the middle of another label ("Due Date" in "Last Due Date").
			if !strings.HasSuffix(head, " changed ") && !strings.HasSuffix(head, ", ") && head != "" {
				continue
			}
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				continue
			}
			v, err := strconv.Unquote(q)
			if err != nil || !strings.HasPrefix(rest[len(q):], ")") {
				continue
			}
			shown := displayFieldIn(f, v, loc, now)
			if shown == display(v) {
				continue // not a date the screens write otherwise: left as the engine quoted it
			}
			b.WriteString(shown)
			rest = rest[len(q):]
		}
		b.WriteString(rest)
		msg = b.String()
	}
	return msg
}

// changedSaid is a conflict's message ("Another user changed Account ID, Account Name") with
// its fields named as the screens name them (a lookup without " ID") and in the order the
// record's form shows them; any other message, or one naming something d does not have, as it
// is.
func changedSaid(d *remote.Describe, msg string) string {
	who, rest, ok := strings.Cut(msg, " changed ")
	if !ok || d == nil || rest == "" {
		return msg
	}
	byLabel := map[string]int{} // a describe label → its field's place on the form
	for i, f := range d.Fields {
		if _, dup := byLabel[f.Label]; !dup && f.Label != "" {
			byLabel[f.Label] = i
		}
	}
	toks := strings.Split(rest, ", ")
	var at []int
	suffix := ""
	for i, t := range toks {
		if j, ok := byLabel[t]; ok {
			at = append(at, j)
			continue
		}
		if i < len(toks)-1 {
			return msg
		}
		// The last may run on: "Phone before your delete reached the org".
		best := ""
		for l := range byLabel {
			if strings.HasPrefix(t, l+" ") && len(l) > len(best) {
				best = l
			}
		}
		if best == "" {
			return msg
		}
		at, suffix = append(at, byLabel[best]), t[len(best):]
	}
	slices.Sort(at)
	labels := make([]string, len(at))
	for i, j := range at {
		labels[i] = fieldLabel(d.Fields[j])
	}
	return who + " changed " + strings.Join(labels, ", ") + suffix
}

// nextTryText says when t is, seen at now: "at 20:39" on the same day, "tomorrow at 08:00" on
// the next, else the date ("Nov 30 08:00", with the year when it is another year's), in loc.
func nextTryText(t, now time.Time, loc *time.Location) string {
	t, now = t.In(loc), now.In(loc)
	ty, tm, td := t.Date()
	ny, nm, nd := now.Date()
	ty2, tm2, td2 := now.AddDate(0, 0, 1).Date()
	switch {
	case ty == ny && tm == nm && td == nd:
		return t.Format("at 15:04")
	case ty == ty2 && tm == tm2 && td == td2:
		return t.Format("tomorrow at 15:04")
	}
	return whenIn(t, now, loc)
}

// when formats a moment as every screen shows one (see whenIn), in the zone times show in.
func (c *common) when(t time.Time) string { return whenIn(t, c.clock(), c.loc) }

// whenIn is the one way the screens show a moment: its date and minutes in loc, with the
// year when it is not now's year there ("Nov 27 22:36", "Oct 18 2025 20:14"). A field's value
// follows it with its zone (displayField).
func whenIn(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if t.In(loc).Year() != now.In(loc).Year() {
		return t.In(loc).Format("Jan 2 2006 15:04")
	}
	return t.In(loc).Format("Jan 2 15:04")
}

// dayIn is a date-only value ("2026-11-04") as the screens write a day: its month and day,
// with the year when it is not now's year in loc ("Nov 4", "Nov 4 2025"), as whenIn writes
// the day of a moment. A date is a day on the calendar, not an instant: no zone shifts it.
// ok is false for text that is not a date, which is shown as it is.
func dayIn(s string, now time.Time, loc *time.Location) (string, bool) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return "", false
	}
	if d.Year() != now.In(loc).Year() {
		return d.Format("Jan 2 2006"), true
	}
	return d.Format("Jan 2"), true
}

// cellWidth is the most cells s can take on screen. Terminals do not agree: some measure by
// grapheme cluster (as lipgloss does), others (tmux, xterm) add up each code point's wcwidth,
// which makes a Devanagari word or an emoji with a skin tone wider (हिन्दी is 3 cells to one, 5
// to the other; 👍🏽 2 or 4). A line cut or padded to w cells by this measure is never wider
// than w on either kind, so it never wraps and pushes the rest of the screen down; where the
// two agree (Latin, CJK, most emoji, flags, ZWJ families: tmux draws what a zero width joiner
// joins into the joiner's cell) nothing changes.
func cellWidth(s string) int { return max(lipgloss.Width(s), codePointWidth(s)) }

// truncCells cuts s to at most w cells by cellWidth, ending it with tail. Where the two measures
// agree it is ansi.Truncate; where a terminal may count more cells, it cuts further, a
// cluster at a time, until the wider measure fits.
func truncCells(s string, w int, tail string) string {
	out := ansi.Truncate(s, w, tail)
	if cellWidth(out) <= w {
		return out
	}
	// The longest cut (by lipgloss's measure) that fits by the wider one: a binary search, as
	// the two measures part by different amounts along the text.
	lo, hi := 0, w-1 // a cut at lo always fits (at worst the tail alone); one at hi+1 does not
	best := ansi.Truncate(s, 0, tail)
	for lo <= hi {
		k := (lo + hi) / 2
		if c := ansi.Truncate(s, k, tail); cellWidth(c) <= w {
			best, lo = c, k+1
		} else {
			hi = k - 1
		}
	}
	return best
}

// fit truncates s to w cells and pads it to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if cellWidth(s) > w {
		s = truncCells(s, w, "…")
	}
	if pad := w - cellWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// endKept says which of labels, cut to w cells, are to keep their end (fitLabel): those whose
// starts, as far as a cut at the end would keep, are another's too. A big org's fields often
// share a long beginning and differ at their end ("Regional Compliance Detail 410"); other
// labels read best cut at the end ("Billing Zip/Postal…").
func endKept(labels []string, w int) map[string]bool {
	var out map[string]bool
	starts := map[string]string{}
	for _, l := range labels {
		if len(l) <= w || cellWidth(l) <= w { // a text has at least as many bytes as cells
			continue
		}
		start := runePrefix(l, w-1)
		if other, ok := starts[start]; ok && other != l {
			if out == nil {
				out = map[string]bool{}
			}
			out[l], out[other] = true, true
		}
		starts[start] = l
	}
	return out
}

// runePrefix is the first n runes of s.
func runePrefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// fitLabel is fit for a field's label; with keepEnd (see endKept), one too long for w cells
// keeps its last words and is cut in the middle ("Regional Compli…Detail 410").
func fitLabel(s string, w int, keepEnd bool) string {
	if w <= 0 || !keepEnd || cellWidth(s) <= w {
		return fit(s, w)
	}
	most := (w - 1) / 2 // the tail takes at most half of what is left beside the "…"
	tail := ""
	for i := len(s) - 1; i > 0; i-- {
		if s[i-1] != ' ' || s[i] == ' ' {
			continue
		}
		if cellWidth(s[i:]) > most {
			break
		}
		tail = s[i:]
	}
	if tail == "" || w < 8 {
		return fit(s, w)
	}
	head := strings.TrimRight(truncCells(s, w-cellWidth(tail), "…"), " ")
	if strings.HasSuffix(head, " …") {
		head = strings.TrimSuffix(head, " …") + "…"
	}
	return fit(head+tail, w)
}

// trunc truncates s to w cells without padding.
func trunc(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if cellWidth(s) > w {
		return truncCells(s, w, "…")
	}
	return s
}

// clampLines keeps at most h lines of s and truncates each to w cells, then pads to h lines.
func clampLines(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = trunc(l, w)
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// labelColumn is the width of a column of labels: the longest label's, within most cells, and
// never narrower than least. The record page and both forms (edit and backstage) size their
// labels with it.
func labelColumn(labels []string, least, most int) int {
	longest := 0
	for _, l := range labels {
		longest = max(longest, lipgloss.Width(l))
	}
	return max(least, min(longest, most))
}

// shareWidth splits room cells between columns that want want[i] cells each. When all fit
// each gets what it wants; otherwise the columns that want less than an equal share get it
// and the wider ones share the rest equally. No column gets less than one cell.
func shareWidth(want []int, room int) []int {
	out := make([]int, len(want))
	if len(want) == 0 {
		return out
	}
	// The largest cap c with sum(min(want, c)) <= room, found by bisection.
	lo, hi := 0, 0
	for _, x := range want {
		hi = max(hi, x)
	}
	for lo < hi {
		c := (lo + hi + 1) / 2
		sum := 0
		for _, x := range want {
			sum += min(x, c)
		}
		if sum <= room {
			lo = c
		} else {
			hi = c - 1
		}
	}
	left := room
	for i, x := range want {
		out[i] = max(1, min(x, lo))
		left -= out[i]
	}
	// Cells the cap left over go one each to the columns still short of what they want.
	for i := 0; left > 0 && i < len(want); i++ {
		if out[i] < want[i] {
			out[i]++
			left--
		}
	}
	return out
}

// spreadWidth lays columns out in room cells by what they want (the first, a list's name,
// leading): when all fit each gets its want and the room left over is spread, two fifths to
// the first column and the rest evenly; otherwise shareWidth decides.
func spreadWidth(want []int, room int) []int {
	total := 0
	for _, x := range want {
		total += x
	}
	if total > room || len(want) == 0 {
		return shareWidth(want, room)
	}
	out := append([]int(nil), want...)
	left := room - total
	if len(out) == 1 {
		out[0] += left
		return out
	}
	first := left * 2 / 5
	each := (left - first) / (len(out) - 1)
	out[0] += left - each*(len(out)-1)
	for i := 1; i < len(out); i++ {
		out[i] += each
	}
	return out
}
