package tui

import (
	"context"
	"errors"
	"flag"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
	"pgregory.net/rapid"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/scenario"
)

// The monkey drives the whole app from the menu with random keys, pasted text, resizes and
// engine events, over records whose values are hostile, and checks after every step that the
// app did not panic, that the frame fits the terminal, that no escape sequence but SGR reaches
// it, that the help bar is its last line and that q quits wherever it is not typed into a field.
//
// By default it runs monkeyChecks cases over the fake engine and a tenth of that over the real
// one, a few seconds in all. A hard run (the package path comes before rapid's flag):
//
//	OE_MONKEY=1 go test ./tui -run Monkey                        # monkeyLongChecks cases (~30 s)
//	go test ./tui -run Monkey -rapid.checks=20000                # any count; the flag wins
const (
	monkeyChecks     = 60
	monkeyLongChecks = 2000
)

// monkeyCheckCount sets rapid's number of cases for one test to small, or to small scaled by
// monkeyLongChecks/monkeyChecks when OE_MONKEY is set; a -rapid.checks flag on the command line
// wins over both. The flag's value is restored when the test ends.
func monkeyCheckCount(t *testing.T, small int) {
	given := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "rapid.checks" {
			given = true
		}
	})
	f := flag.Lookup("rapid.checks")
	if given || f == nil {
		return
	}
	n := small
	if os.Getenv("OE_MONKEY") != "" {
		n = monkeyLongChecks * small / monkeyChecks
	}
	old := f.Value.String()
	if err := f.Value.Set(strconv.Itoa(max(1, n))); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Value.Set(old) })
}

// monkey runs the root model by hand like driver, but skips the commands that only wait (timers,
// cursor blinks, the engine's event stream): the monkey fires those itself as steps of their own,
// so a case runs in milliseconds.
type monkey struct {
	t    fataler
	m    tea.Model
	quit bool
	// slow lists commands that took longer than monkeyCmdTimeout (their messages are lost).
	slow []string
}

const monkeyCmdTimeout = 5 * time.Second

func newMonkey(t fataler, opts Options, w, h int) *monkey {
	d := &monkey{t: t, m: New(opts)}
	d.send(tea.WindowSizeMsg{Width: w, Height: h})
	d.run(d.m.Init())
	return d
}

func (d *monkey) model() Model { return d.m.(Model) }

func (d *monkey) send(msg tea.Msg) {
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(msg)
	d.run(cmd)
}

// waits reports whether a command only waits: a timer, a cursor blink, the engine's events.
func waits(c tea.Cmd) bool {
	name := runtime.FuncForPC(reflect.ValueOf(c).Pointer()).Name()
	for _, w := range []string{"bubbletea.Tick", "bubbletea.Every", "bubbles/cursor.", ".waitEvent."} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

func (d *monkey) run(cmd tea.Cmd) {
	var quit bool
	d.m, quit = drain(d.m, cmd, waits, monkeyCmdTimeout, func(c tea.Cmd) {
		d.slow = append(d.slow, runtime.FuncForPC(reflect.ValueOf(c).Pointer()).Name())
	})
	d.quit = d.quit || quit
}

// timePasses fires what the skipped timers would have: the queued refresh, the toast's end.
func (d *monkey) timePasses() {
	m := d.model()
	if m.refreshQueued {
		d.send(refreshMsg{})
	}
	if m := d.model(); m.toast != "" {
		d.send(clearToastMsg{m.toastID})
	}
}

// hostileStrings are values an org, a file or a paste may hold.
var hostileStrings = []string{
	"",
	" ",
	"\x1b]0;PWNED\x07title",
	"\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",
	"\x1b[2J\x1b[Hcleared",
	"\x1b[31mred\x1b[0m",
	"\x9b31mC1 CSI\x9d0;C1 OSC\x9c",
	"\x1bP+q544e\x1b\\dcs",
	"\x1b[?1049lalt screen off",
	"tab\there\nnew\r\nline\rcr",
	"\u202eevil\u202c right to left",
	"👩‍👩‍👧‍👦 🇯🇵 ❤️ 🏳️‍🌈",
	"日本語の取引先名がとても長い株式会社",
	strings.Repeat("長", 1100),
	strings.Repeat("x", 2048),
	strings.Repeat("word ", 420),
	"e\u0301\u0301\u0301 combining",
	"\x00\x01\x07\x08\x7f controls",
	"\u200b\u200d\ufeff zero width",
	"https://example.com/" + strings.Repeat("a/", 300),
}

var hostileRunes = []rune("aZ09 -_.,;:/\\'\"%{}\t\n\r\x1b\x07\x00\x7f\u009b\u009d長日🎉👩\u200d\u0301\u202e\ufe0f")

func hostileString() *rapid.Generator[string] {
	return rapid.OneOf(
		rapid.SampledFrom(hostileStrings),
		rapid.StringOfN(rapid.SampledFrom(hostileRunes), 0, 80, -1),
		rapid.Custom(func(t *rapid.T) string {
			return strings.Repeat(rapid.SampledFrom(hostileStrings).Draw(t, "unit"), rapid.IntRange(1, 40).Draw(t, "times"))
		}),
	)
}

func hostileValue(t *rapid.T, label string) any {
	switch rapid.IntRange(0, 9).Draw(t, label+"Kind") {
	case 0:
		return nil
	case 1:
		return rapid.SampledFrom([]any{1e300, -1e300, 0.0, -0.5, 123456789012345.67, true, false}).Draw(t, label+"Odd")
	}
	return hostileString().Draw(t, label)
}

// hostileFake is the fake engine with accounts, contacts and tasks whose values, queued
// changes and activity are hostile.
func hostileFake(t *rapid.T) *fakeBackend {
	f := newFakeBackend()
	f.quiet = true
	f.online = rapid.Bool().Draw(t, "online")
	nAcc := rapid.IntRange(0, 6).Draw(t, "accounts")
	for i := 0; i < nAcc; i++ {
		r := remote.Fields{"Id": sprintf("001%015d", i)}
		for _, k := range []string{"Name", "Industry", "Phone", "Description"} {
			if v := hostileValue(t, k); v != nil || rapid.Bool().Draw(t, k+"Set") {
				r[k] = v
			}
		}
		r["AnnualRevenue"] = rapid.SampledFrom([]any{nil, 1e300, 12.5, -3.0, "not a number"}).Draw(t, "revenue")
		f.add("Account", r)
	}
	for i := 0; i < rapid.IntRange(0, 4).Draw(t, "contacts"); i++ {
		r := remote.Fields{"Id": sprintf("003%015d", i), "Name": hostileValue(t, "cName"), "LastName": hostileValue(t, "lastName"),
			"Email": hostileValue(t, "email"), "Birthdate": rapid.SampledFrom([]any{nil, "2001-02-03", "not a date", "\x1b[2J"}).Draw(t, "birth"),
			"DoNotCall": rapid.SampledFrom([]any{nil, true, false, "yes"}).Draw(t, "dnc")}
		if nAcc > 0 {
			r["AccountId"] = sprintf("001%015d", rapid.IntRange(0, nAcc-1).Draw(t, "parent"))
		}
		f.add("Contact", r)
	}
	for i := 0; i < rapid.IntRange(0, 3).Draw(t, "tasks"); i++ {
		r := remote.Fields{"Id": sprintf("00T%015d", i), "Subject": hostileValue(t, "subject")}
		if nAcc > 0 {
			r["WhatId"] = sprintf("001%015d", rapid.IntRange(0, nAcc-1).Draw(t, "what"))
		}
		f.add("Task", r)
	}
	f.sortAll()
	if rapid.Bool().Draw(t, "hostileDescribe") {
		// A customised org: labels and picklist values are the admin's free text.
		for _, o := range []string{"Account", "Contact", "Task"} {
			d := f.desc[o]
			d.Label, d.LabelPlural = hostileString().Draw(t, "label"), hostileString().Draw(t, "plural")
			for i := range d.Fields {
				if rapid.Bool().Draw(t, "relabel") {
					d.Fields[i].Label = hostileString().Draw(t, "fieldLabel")
				}
			}
		}
		f.desc["Account"].Fields[2].PicklistValues = []remote.PicklistValue{{Value: hostileString().Draw(t, "pv"), Label: hostileString().Draw(t, "pl"), Active: true},
			{Value: "Energy", Active: true}}
	}
	for i := 0; i < rapid.IntRange(0, 25).Draw(t, "moreObjects"); i++ {
		f.objects = append(f.objects, sprintf("Custom%02d__c", i))
	}
	for i := 0; i < rapid.IntRange(0, 3).Draw(t, "entries"); i++ {
		monkeyEntry(t, f, false)
	}
	for i := 0; i < rapid.IntRange(0, 4).Draw(t, "activities"); i++ {
		f.acts = append(f.acts, pending.Activity{At: f.now, Method: hostileString().Draw(t, "method"), Path: hostileString().Draw(t, "path"),
			Status: rapid.IntRange(0, 599).Draw(t, "httpStatus"), Code: hostileString().Draw(t, "actCode"),
			RecordID: monkeyRecordID(t, f)})
	}
	return f
}

// monkeyRecordID is the id of a record of the fake, or a made-up one.
func monkeyRecordID(t *rapid.T, f *fakeBackend) string {
	var ids []string
	for _, o := range f.objects {
		for _, r := range f.records[o] {
			ids = append(ids, r["Id"].(string))
		}
	}
	ids = append(ids, "001999999999999999")
	return rapid.SampledFrom(ids).Draw(t, "record")
}

func objectOf(id string) string {
	switch {
	case strings.HasPrefix(id, "003"):
		return "Contact"
	case strings.HasPrefix(id, "00T"):
		return "Task"
	}
	return "Account"
}

// monkeyEntry queues a change on a record of the fake (replacing the one it had); attention
// makes it orange or red. It returns the event the engine sends for it.
func monkeyEntry(t *rapid.T, f *fakeBackend, attention bool) pending.Event {
	statuses := []pending.Status{pending.StatusPending, pending.StatusSyncing, pending.StatusWaiting,
		pending.StatusConflict, pending.StatusInvalid, pending.StatusFailed}
	if attention {
		statuses = statuses[3:]
	}
	id := monkeyRecordID(t, f)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	e := pending.Entry{ID: sprintf("e%d", f.seq), Object: objectOf(id), RecordID: id, Name: hostileString().Draw(t, "entryName"),
		Op:     rapid.SampledFrom([]pending.Op{pending.OpUpdate, pending.OpCreate, pending.OpDelete}).Draw(t, "op"),
		Status: rapid.SampledFrom(statuses).Draw(t, "status"), Code: hostileString().Draw(t, "code"),
		Message: hostileString().Draw(t, "message"), Attempts: rapid.IntRange(0, 1000).Draw(t, "attempts"),
		Changes:   remote.Fields{"Phone": hostileValue(t, "mine"), "Name": hostileValue(t, "mineName")},
		CreatedAt: f.now, UpdatedAt: f.now}
	if rapid.Bool().Draw(t, "fieldErrors") {
		e.Errors = []pending.FieldError{{Field: rapid.SampledFrom([]string{"", "Phone", "Name", "Nope__c"}).Draw(t, "errField"),
			Code: hostileString().Draw(t, "errCode"), Message: hostileString().Draw(t, "errMessage")}}
	}
	if e.Status == pending.StatusConflict {
		e.Conflicts = []pending.Conflict{{Field: rapid.SampledFrom([]string{"Phone", "Name", "Description", "Nope__c"}).Draw(t, "cField"),
			Base: hostileValue(t, "base"), Theirs: hostileValue(t, "theirs"), Mine: hostileValue(t, "mineC"),
			TheirsBy: hostileString().Draw(t, "by"), TheirsAt: f.now}}
	}
	for i := range f.entries {
		if f.entries[i].RecordID == id {
			f.entries = append(f.entries[:i], f.entries[i+1:]...)
			break
		}
	}
	f.entries = append(f.entries, e)
	return pending.Event{Kind: pending.EventEntryChanged, EntryID: e.ID, RecordID: id, Status: e.Status}
}

// vanish takes a record out of the fake (deleted by someone else, or unshared).
func vanish(t *rapid.T, f *fakeBackend) pending.Event {
	id := monkeyRecordID(t, f)
	f.mu.Lock()
	defer f.mu.Unlock()
	o := objectOf(id)
	for i, r := range f.records[o] {
		if r["Id"] == id {
			f.records[o] = append(f.records[o][:i], f.records[o][i+1:]...)
			break
		}
	}
	return pending.Event{Kind: pending.EventCacheRefreshed, RecordID: id}
}

// stageHostile is a backstage whose results are hostile.
type stageHostile struct{ text, err string }

func (s stageHostile) Do(context.Context, scenario.Step) scenario.StepResult {
	r := scenario.StepResult{Text: s.text}
	if s.err != "" {
		r.Err = errors.New(s.err)
	}
	return r
}
func (stageHostile) RuleKinds(context.Context) ([]string, error) {
	return []string{"required", "\x1b]0;PWNED\x07"}, nil
}
func (s stageHostile) Rules(context.Context) ([]remote.Rule, error) { return nil, nil }
func (stageHostile) UserID(context.Context, string) (string, error) {
	return "005000000000000002", nil
}

// scriptHostile is a scenario whose steps and results are hostile text.
type scriptHostile struct {
	mu         sync.Mutex
	ran, steps int
	text, fail string
	stop       bool
}

func (s *scriptHostile) Peek() (scenario.Step, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ran >= s.steps {
		return scenario.Step{}, false
	}
	return scenario.Step{Kind: scenario.KindEdit, As: s.text, Object: "Account", Fields: remote.Fields{"Name": s.text}}, true
}

func (s *scriptHostile) Next(context.Context) (scenario.StepResult, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ran >= s.steps {
		return scenario.StepResult{}, false
	}
	s.ran++
	r := scenario.StepResult{Index: s.ran - 1, Text: s.text, Outcome: s.fail,
		Failures: []scenario.Failure{{Line: 3, What: s.text, Expected: s.fail, Found: s.text}}}
	if s.stop && s.ran == s.steps {
		r.Err = errors.New(s.fail)
	}
	return r, true
}

func (s *scriptHostile) Done() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ran >= s.steps
}

func (s *scriptHostile) Progress() (int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ran, s.steps
}

func (s *scriptHostile) Scenario() *scenario.Scenario {
	return &scenario.Scenario{Name: s.text, Description: s.fail}
}

var monkeyNamedKeys = map[string]tea.KeyType{
	"enter": tea.KeyEnter, "esc": tea.KeyEsc, "ctrl+s": tea.KeyCtrlS, "ctrl+u": tea.KeyCtrlU, "ctrl+n": tea.KeyCtrlN,
	"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
	"tab": tea.KeyTab, "shift+tab": tea.KeyShiftTab, "backspace": tea.KeyBackspace, "delete": tea.KeyDelete,
	"pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "space": tea.KeySpace, "home": tea.KeyHome, "end": tea.KeyEnd,
	"ctrl+f": tea.KeyCtrlF, "ctrl+home": tea.KeyCtrlHome, "ctrl+end": tea.KeyCtrlEnd,
}

// monkeyKeys are the keys the app binds, most of them more than once so they come up often.
var monkeyKeys = strings.Fields(`o p n e d t c enter esc / r x m v ctrl+s tab shift+tab up down pgup pgdown home end
	? B L f u N y n ctrl+u ctrl+n space backspace delete left right k j g G
	enter enter enter enter esc down down down up tab tab e e n / ctrl+s ctrl+s y x r m t v
	ctrl+f ctrl+home ctrl+end`)

func monkeyKey(t *rapid.T) tea.KeyMsg {
	switch rapid.IntRange(0, 9).Draw(t, "keyKind") {
	case 0:
		return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{rapid.SampledFrom([]rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.@ ")).Draw(t, "letter")}}
	case 1:
		return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(hostileString().Draw(t, "typed")), Paste: rapid.Bool().Draw(t, "paste")}
	}
	k := rapid.SampledFrom(monkeyKeys).Draw(t, "key")
	if kt, ok := monkeyNamedKeys[k]; ok {
		return tea.KeyMsg{Type: kt}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// checkFrame fails when the frame breaks one of the monkey's invariants.
func checkFrame(t fataler, m Model, color bool) {
	t.Helper()
	v := m.View()
	lines := strings.Split(v, "\n")
	if len(lines) > m.height {
		t.Fatalf("the frame takes %d lines on a %dx%d screen:\n%s", len(lines), m.width, m.height, v)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > m.width {
			t.Fatalf("line %d takes %d cells on a %dx%d screen: %q", i, w, m.width, m.height, l)
		}
	}
	if bad := badControl(v, color); bad != "" {
		t.Fatalf("the frame holds %s:\n%q", bad, v)
	}
	if m.width < minWidth || m.height < minHeight {
		return
	}
	if last, bar := lines[len(lines)-1], m.helpBar(m.width); last != bar || strings.Contains(bar, "\n") {
		t.Fatalf("the last line is %q, not the help bar %q", last, bar)
	}
	if st := ansi.Strip(lines[len(lines)-2]); !strings.HasPrefix(st, " ONLINE ") && !strings.HasPrefix(st, " OFFLINE ") {
		t.Fatalf("the line above the help bar is %q, not the status bar", st)
	}
}

// badControl names the first control character or escape sequence in a frame other than the
// SGR sequences lipgloss draws colours with (none at all without colour), or "".
func badControl(v string, color bool) string {
	for i := 0; i < len(v); {
		r, size := rune(v[i]), 1
		if r >= 0x80 {
			r, size = decodeRune(v[i:])
		}
		switch {
		case r == 0x1b:
			if !color {
				return sprintf("an escape sequence at byte %d (%q)", i, v[i:min(len(v), i+12)])
			}
			j := i + 1
			if j >= len(v) || v[j] != '[' {
				return sprintf("a non-CSI escape at byte %d (%q)", i, v[i:min(len(v), i+12)])
			}
			j++
			for j < len(v) && (v[j] >= '0' && v[j] <= '9' || v[j] == ';' || v[j] == ':') {
				j++
			}
			if j >= len(v) || v[j] != 'm' {
				return sprintf("a CSI other than SGR at byte %d (%q)", i, v[i:min(len(v), j+1)])
			}
			i = j + 1
			continue
		case r == '\n':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			return sprintf("control character %U at byte %d", r, i)
		}
		i += size
	}
	return ""
}

func decodeRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 1
}

// checkQuit fails when q does not quit where it should: on any screen with no pop-up, no help
// and no field taking the keys.
func checkQuit(t fataler, m Model) {
	t.Helper()
	if m.modal.open() || m.showHelp || m.capturing() {
		return
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	if cmd == nil {
		t.Fatalf("q on %v did nothing", m.active())
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatalf("q on %v did not quit", m.active())
	}
}

// monkeySteps drives d with random steps; f (nil for the real engine) is the fake to change
// under the app, more pushes the engine's own events.
func monkeySteps(t *rapid.T, d *monkey, f *fakeBackend, color bool, more func()) {
	w, h := d.model().width, d.model().height
	steps := rapid.IntRange(1, 150).Draw(t, "steps")
	for i := 0; i < steps; i++ {
		switch rapid.IntRange(0, 19).Draw(t, "step") {
		case 0:
			w, h = rapid.IntRange(40, 220).Draw(t, "w"), rapid.IntRange(10, 70).Draw(t, "h")
			d.send(tea.WindowSizeMsg{Width: w, Height: h})
		case 1:
			n := rapid.IntRange(0, 50).Draw(t, "total")
			d.send(eventMsg{pending.Event{Kind: pending.EventSyncStarted, Total: n}})
			if rapid.Bool().Draw(t, "progress") {
				d.send(eventMsg{pending.Event{Kind: pending.EventSyncProgress, Done: rapid.IntRange(0, n).Draw(t, "done"), Total: n}})
			}
		case 2:
			sum := &pending.Summary{Synced: rapid.IntRange(0, 9).Draw(t, "synced"), Attention: rapid.IntRange(0, 9).Draw(t, "attention"),
				Retrying: rapid.IntRange(0, 3).Draw(t, "retrying")}
			if rapid.Bool().Draw(t, "sumErr") {
				sum.Err = errors.New(hostileString().Draw(t, "sumErrText"))
			}
			d.send(eventMsg{pending.Event{Kind: pending.EventSyncFinished, Summary: sum}})
		case 3:
			if f != nil {
				d.send(eventMsg{monkeyEntry(t, f, rapid.Bool().Draw(t, "attentionEntry"))})
			}
		case 4:
			if f != nil {
				d.send(eventMsg{vanish(t, f)})
			}
		case 5:
			d.timePasses()
		case 6:
			if more != nil {
				more()
			}
			d.timePasses()
		case 7:
			d.send(tea.MouseMsg{Action: tea.MouseActionPress, Button: rapid.SampledFrom([]tea.MouseButton{tea.MouseButtonWheelUp, tea.MouseButtonWheelDown}).Draw(t, "wheel")})
		default:
			k := monkeyKey(t)
			before := d.model()
			d.send(k)
			if d.quit {
				// q quits on a screen not taking text, also over an alert (it closes it), but
				// never over a question.
				if k.String() != "q" || before.capturing() || before.modal.open() && before.modal.kind != modalAlert {
					t.Fatalf("%q quit the app on %v", k.String(), before.active())
				}
				return
			}
		}
		m := d.model()
		checkFrame(t, m, color)
		checkQuit(t, m)
	}
}

// withColor draws frames in colour for one case when on is true.
func withColor(on bool) func() {
	if !on {
		return func() {}
	}
	lipgloss.SetColorProfile(termenv.TrueColor)
	return func() { lipgloss.SetColorProfile(termenv.Ascii) }
}

func TestMonkeyNeverBreaksTheFrameOverHostileRecords(t *testing.T) {
	monkeyCheckCount(t, monkeyChecks)
	rapid.Check(t, func(rt *rapid.T) {
		f := hostileFake(rt)
		color := rapid.Bool().Draw(rt, "color")
		defer withColor(color)()
		opts := Options{Backend: f}
		if rapid.Bool().Draw(rt, "backstage") {
			opts.Backstage = stageHostile{text: hostileString().Draw(rt, "bsText"), err: hostileString().Draw(rt, "bsErr")}
		}
		if rapid.Bool().Draw(rt, "script") {
			opts.Script = &scriptHostile{steps: rapid.IntRange(0, 4).Draw(rt, "scriptSteps"), text: hostileString().Draw(rt, "stepText"),
				fail: hostileString().Draw(rt, "stepFailure"), stop: rapid.Bool().Draw(rt, "stepStops")}
		}
		if rapid.Bool().Draw(rt, "netStatus") {
			ns := hostileString().Draw(rt, "net")
			opts.NetStatus = func() string { return ns }
		}
		if rapid.Bool().Draw(rt, "limitInfo") {
			li := "api-usage=" + hostileString().Draw(rt, "usage")
			opts.LimitInfo = func() string { return li }
		}
		w, h := rapid.IntRange(40, 220).Draw(rt, "w0"), rapid.IntRange(10, 70).Draw(rt, "h0")
		d := newMonkey(rt, opts, w, h)
		checkFrame(rt, d.model(), color)
		monkeySteps(rt, d, f, color, nil)
		if len(d.slow) > 0 {
			rt.Logf("slow commands: %v", d.slow)
		}
	})
}

func TestMonkeyOnTheRealEngineNeverBreaksTheFrame(t *testing.T) {
	monkeyCheckCount(t, monkeyChecks/10)
	rapid.Check(t, func(rt *rapid.T) {
		w := newWorld(t)
		ctx := context.Background()
		// Another user leaves hostile values on the first accounts; the device syncs them down.
		p, err := w.eng.List(ctx, pending.ListQuery{Object: "Account", Limit: 4})
		if err != nil {
			rt.Fatal(err)
		}
		for _, r := range p.Rows {
			name := []rune(hostileString().Draw(rt, "name"))
			fields := remote.Fields{"Name": string(name[:min(len(name), 200)]) + "x", "Description": hostileString().Draw(rt, "description")}
			if err := w.admin.Update(ctx, "Account", r.ID, fields, remote.WriteOptions{}); err != nil {
				rt.Logf("the org refused %q: %v", fields, err)
			}
		}
		w.clk.Advance(time.Minute)
		if _, err := w.eng.Sync(ctx); err != nil {
			rt.Fatal(err)
		}
		color := rapid.Bool().Draw(rt, "color")
		defer withColor(color)()
		d := newMonkey(rt, Options{Backend: w.eng}, rapid.IntRange(40, 220).Draw(rt, "w0"), rapid.IntRange(10, 70).Draw(rt, "h0"))
		checkFrame(rt, d.model(), color)
		// The org changes under the app (a record deleted, another renamed), time moves on and
		// the engine's events reach it.
		more := func() {
			ctx := context.Background()
			if p, err := w.eng.List(ctx, pending.ListQuery{Object: "Account", Limit: 6}); err == nil && len(p.Rows) > 0 {
				r := p.Rows[rapid.IntRange(0, len(p.Rows)-1).Draw(rt, "row")]
				if rapid.Bool().Draw(rt, "delete") {
					_ = w.admin.Delete(ctx, "Account", r.ID)
				} else {
					_ = w.admin.Update(ctx, "Account", r.ID, remote.Fields{"Phone": hostileString().Draw(rt, "phone")}, remote.WriteOptions{})
				}
			}
			w.clk.Advance(time.Minute)
			_, _ = w.eng.Sync(ctx)
			for {
				select {
				case ev := <-w.eng.Events():
					d.send(eventMsg{ev})
				default:
					return
				}
			}
		}
		monkeySteps(rt, d, nil, color, more)
		if len(d.slow) > 0 {
			rt.Logf("slow commands: %v", d.slow)
		}
	})
}

func TestFrameCheckRefusesEscapesFromDataAndAllowsSGR(t *testing.T) {
	tests := []struct {
		frame string
		color bool
		bad   bool
	}{
		{"plain\nlines", false, false},
		{"\x1b[1;38;2;1;2;3mbold\x1b[0m", true, false},
		{"\x1b[1mbold\x1b[0m", false, true},
		{"title \x1b]0;PWNED\x07", true, true},
		{"\x1b[2J", true, true},
		{"\x1bPq\x1b\\", true, true},
		{"c1 \u009b31m", true, true},
		{"bell \x07", false, true},
		{"tab\t", false, true},
	}
	for _, tc := range tests {
		if got := badControl(tc.frame, tc.color) != ""; got != tc.bad {
			t.Errorf("badControl(%q, color %v) found something: %v, want %v", tc.frame, tc.color, got, tc.bad)
		}
	}
}
