package tui

import (
	"errors"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
)

// dateTimeLayout is how a date and time is typed and shown: minutes, in the app's zone (the
// zone the record page shows datetimes in).
const dateTimeLayout = "2006-01-02 15:04"

// dateTimeTyped are the forms a typed date and time may take: dateTimeLayout, or with seconds
// (either with the T of the wire form in place of the space).
var dateTimeTyped = []string{dateTimeLayout, "2006-01-02 15:04:05"}

// dateTimeField edits a datetime as "YYYY-MM-DD HH:MM" in the app's zone; its value is the
// instant in the org's wire form, in UTC ("2006-01-02T15:04:05.000+0000"). A value left as it
// came is given back exactly as it came, seconds and all: the minutes it shows would lose them.
// A full date and time with its zone (2026-01-05T09:00:00Z, as a script or the org writes it)
// is taken too, pasted.
type dateTimeField struct {
	*textField
	loc   *time.Location
	raw   any    // the value as it came
	start string // its text as the field showed it then
}

// newDateTimeField makes the editor of a datetime field holding v, shown in loc (the local
// zone when nil).
func newDateTimeField(f remote.Field, v any, loc *time.Location) *dateTimeField {
	if loc == nil {
		loc = time.Local
	}
	text := ""
	if s, ok := v.(string); ok {
		text = s // a value that is no datetime is shown as it is; saved changed, it is refused
		if t, err := remote.ParseTime(s); err == nil {
			text = t.In(loc).Format(dateTimeLayout)
		}
	}
	d := &dateTimeField{textField: newTextField(f, text, "YYYY-MM-DD HH:MM"), loc: loc, raw: v, start: text}
	return d
}

func (d *dateTimeField) Update(msg tea.Msg) (fieldInput, tea.Cmd) {
	_, cmd := d.textField.Update(msg)
	return d, cmd
}

// View shows the zone the time is typed in after the text while the field has focus.
func (d *dateTimeField) View(focused bool, w int) string {
	if !focused {
		return d.textField.View(false, w)
	}
	zone := "  " + d.zoneName()
	if cellWidth(zone) >= w/2 {
		return d.textField.View(true, w)
	}
	return d.in.View(w-cellWidth(zone)) + zone
}

// SetWidth leaves room for the zone after the text.
func (d *dateTimeField) SetWidth(w int) {
	zone := cellWidth("  " + d.zoneName())
	if zone >= w/2 {
		zone = 0
	}
	d.textField.SetWidth(w - zone)
}

// zoneName names the zone times are typed in: its abbreviation at the typed time (or now),
// as the clock on the wall reads it ("CET", "EST"), or its name when it has none.
func (d *dateTimeField) zoneName() string {
	at := time.Now()
	if t, err := d.parse(); err == nil && !t.IsZero() {
		at = t
	}
	return d.zoneAt(at)
}

// zoneAt names the zone at the instant at.
func (d *dateTimeField) zoneAt(at time.Time) string { return zoneName(at, d.loc) }

// ZoneName names the local zone at the instant at, as the app shows it beside a date and time.
func ZoneName(at time.Time) string { return zoneName(at, time.Local) }

// zoneName names the zone loc at the instant at: its abbreviation as the clock on the wall
// reads it then ("EST", "EDT", "UTC"), else the zone's name, else its offset ("UTC+05:30").
func zoneName(at time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	name, offset := at.In(loc).Zone()
	if name != "" && !strings.HasPrefix(name, "+") && !strings.HasPrefix(name, "-") {
		return CleanLine(name)
	}
	if n := loc.String(); n != "" && n != "Local" {
		return CleanLine(n)
	}
	return "UTC" + at.In(time.FixedZone("", offset)).Format("-07:00")
}

// parse reads the typed text as an instant. Empty text is the zero time.
func (d *dateTimeField) parse() (time.Time, error) { return ParseTypedDateTime(d.text(), d.loc) }

// ParseTypedDateTime reads a date and time as people type it, YYYY-MM-DD HH:MM (or with
// seconds, or the T of the org's form) in the zone loc (the local zone when nil), or a full
// date and time with its zone, as pasted; the error says what is wrong with it. Empty text is
// the zero time.
func ParseTypedDateTime(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.Local
	}
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := remote.ParseTime(s); err == nil {
		return t, nil // a full date and time with its zone, pasted
	}
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10] + " " + s[11:] // the T of the wire form, typed
	}
	for _, layout := range dateTimeTyped {
		if len(s) != len(layout) {
			continue
		}
		t, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			return time.Time{}, explainDateTime(s, err)
		}
		if t.Format(layout) != s {
			// The clocks went forward over this time: it is not a time of that day here.
			shift := ""
			if before, after := zoneName(t.Add(-3*time.Hour), loc), zoneName(t.Add(3*time.Hour), loc); before != after {
				shift = " from " + before + " to " + after
			}
			return time.Time{}, errors.New(sprintf("%s does not exist on %s: the clocks go forward%s then; enter a later time",
				s[11:16], s[:10], shift))
		}
		return t, nil
	}
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return time.Time{}, errors.New("add the time: YYYY-MM-DD HH:MM, such as " + s + " 09:30")
	}
	return time.Time{}, errors.New("enter a date and time as YYYY-MM-DD HH:MM, such as 2026-01-05 09:30")
}

// explainDateTime turns a parse error of text in the right shape into what is wrong with it.
func explainDateTime(s string, err error) error {
	var pe *time.ParseError
	if errors.As(err, &pe) && strings.Contains(pe.Message, "out of range") {
		switch {
		case strings.Contains(pe.Message, "month"):
			return errors.New(sprintf("%s has no month %s", s[:10], s[5:7]))
		case strings.Contains(pe.Message, "day"):
			return errors.New(sprintf("%s is not a day of the calendar", s[:10]))
		case strings.Contains(pe.Message, "hour"):
			return errors.New(sprintf("%s is not a time of day: hours go from 00 to 23", s[11:]))
		case strings.Contains(pe.Message, "minute"), strings.Contains(pe.Message, "second"):
			return errors.New(sprintf("%s is not a time of day: minutes go from 00 to 59", s[11:]))
		}
	}
	return errors.New("enter a date and time as YYYY-MM-DD HH:MM, such as 2026-01-05 09:30")
}

// Value is the instant typed, in the org's wire form in UTC; the value as it came when the
// text is unchanged; nil when empty; the text itself when it is no date and time (Check says
// why).
func (d *dateTimeField) Value() any {
	if !d.edited() {
		if s, ok := d.raw.(string); ok && s == "" {
			return nil
		}
		return d.raw
	}
	if d.text() == "" {
		return nil
	}
	t, err := d.parse()
	if err != nil {
		return d.text()
	}
	return remote.FormatTime(t)
}

// Check explains a typed text that is no date and time, in the words of what is wrong.
func (d *dateTimeField) Check() error {
	if !d.edited() || d.text() == "" {
		return nil
	}
	t, err := d.parse()
	if err == nil && (t.UTC().Year() < minYear || t.UTC().Year() > maxYear) {
		// The org takes years 1700 to 4000: a year of 9999 or 0226 is a typo.
		return errors.New(sprintf("the year must be between %d and %d", minYear, maxYear))
	}
	return err
}

// The years an org takes in a date or a datetime.
const minYear, maxYear = 1700, 4000

// edited reports whether the text is no longer the one the field opened with (spaces around it
// are no edit: the value as it came is kept to the millisecond).
func (d *dateTimeField) edited() bool {
	return strings.TrimSpace(d.in.Value()) != strings.TrimSpace(d.start)
}
