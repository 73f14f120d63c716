package tui

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/scenario"
)

// Backstage acts on the org behind the device's back (as another user or the admin) and on the
// device's network. It speaks scenario steps; *scenario.Env satisfies it.
type Backstage interface {
	Do(ctx context.Context, st scenario.Step) scenario.StepResult
	RuleKinds(ctx context.Context) ([]string, error)
	Rules(ctx context.Context) ([]remote.Rule, error)
	UserID(ctx context.Context, user string) (string, error)
}

type bsAction int

const (
	bsEdit bsAction = iota
	bsDelete
	bsOwner
	bsGiveBack
	bsShareMeEdit
	bsShareMeRead
	bsUnshareMe
	bsShareSam
	bsLock
	bsUnlock
	bsAddRule
	bsRemoveRule
	bsExpire
	bsNetNormal
	bsNetOnline
	bsNetLatency
	bsNetFlaky
	bsNetLossy
	bsNetErrors
)

// The network presets of the panel.
var (
	netLatency = scenario.Conditions{Latency: 300 * time.Millisecond, Jitter: 100 * time.Millisecond}
	netFlaky   = scenario.Conditions{Drop: 0.2}
	netLossy   = scenario.Conditions{Lossy: 0.5}
	netErrors  = scenario.Conditions{Errors: 0.3}
)

type bsItem struct {
	act     bsAction
	section string
	label   string
	record  bool // needs a record
}

type bsFormKind int

const (
	bsFormEdit bsFormKind = iota
	bsFormAddRule
	bsFormRemoveRule
)

type bsRow struct {
	label, name string
	def         remote.Field
	input       fieldInput
	initial     any
}

// settleNumbers shows each typed number rounded to its field's scale, as it is sent (the
// record form does so on saving).
func (f *bsForm) settleNumbers() {
	for _, r := range f.rows {
		if n, ok := r.input.(*numberField); ok {
			n.settle()
		}
	}
}

// roundedNote says which typed numbers sending rounded to their field's scale, as the record
// form says it ("Annual Revenue rounded to 100: the field keeps no decimals."), or "".
func (f *bsForm) roundedNote() string {
	var notes []string
	for _, r := range f.rows {
		if n, ok := r.input.(*numberField); ok {
			if note := n.roundedNote(r.def); note != "" {
				notes = append(notes, note)
			}
		}
	}
	if len(notes) == 0 {
		return ""
	}
	return strings.Join(notes, "; ") + "."
}

// linkDependents makes the form's dependent picklists and checklists follow their
// controllers, as the record form does: only the values valid for the controller's value are
// offered.
func (f *bsForm) linkDependents(all []remote.Field, values remote.Fields) {
	for i := range f.rows {
		if !dependentInput(f.rows[i].input) || f.rows[i].def.ControllerName == "" {
			continue
		}
		for _, ctl := range all {
			if ctl.Name != f.rows[i].def.ControllerName {
				continue
			}
			v := values[ctl.Name]
			for _, r := range f.rows {
				if r.name == ctl.Name {
					v = r.input.Value()
				}
			}
			switch in := f.rows[i].input.(type) {
			case *picklistField:
				in.dependOn(ctl, v)
			case *multiPickField:
				in.dependOn(ctl, v)
			}
		}
	}
}

// controllerChanged lets the picklists controlled by row i follow its new value (a value no
// longer valid is cleared), and so on down a chain; a checklist keeps its ticks, marked.
func (f *bsForm) controllerChanged(i, depth int) {
	if depth > len(f.rows) {
		return // a loop of controllers in a broken describe
	}
	for j := range f.rows {
		if f.rows[j].def.ControllerName != f.rows[i].name {
			continue
		}
		if mp, ok := f.rows[j].input.(*multiPickField); ok {
			mp.setController(f.rows[i].input.Value()) // ticked values stay, marked
			continue
		}
		p, ok := f.rows[j].input.(*picklistField)
		if !ok {
			continue
		}
		if old := p.followController(f.rows[i].input.Value()); old != "" {
			f.controllerChanged(j, depth+1)
		}
	}
}

// bsForm is the small form of an action that needs values.
type bsForm struct {
	kind  bsFormKind
	title string
	rows  []bsRow
	focus int
	err   string
	// describes are the objects' describes as the form opened (the rule form: its Field
	// and Other field are checked against them before anything is sent).
	describes map[string]*remote.Describe
	opened    []any     // each row's value as the form showed, to tell what was typed since
	find      fieldFind // ctrl+f: find a field by part of its label or API name
}

// dirty reports whether a value of the form changed since it showed: leaving it loses that.
func (f *bsForm) dirty() bool {
	if f == nil {
		return false
	}
	for i, r := range f.rows {
		if i < len(f.opened) && !bsSame(r.input.Value(), f.opened[i]) {
			return true
		}
	}
	return false
}

// Messages of the backstage.
type (
	// confirmCloseBsFormMsg asks before closing a backstage form holding typed values;
	// closeBsFormMsg closes it (when it is still the form of that gen).
	confirmCloseBsFormMsg struct{ gen int }
	closeBsFormMsg        struct{ gen int }
	openBackstageMsg      struct{ object, id, name string }
	bsFormMsg             struct {
		gen  int
		form *bsForm
		err  error
	}
	bsDoneMsg struct {
		gen  int
		res  scenario.StepResult
		text string // the step as the status line says it ("" : as the scenario says it)
		then string // what follows from the step, said after it when it is done
	}
	// bsOwnerMsg says who owns the record on the org now, as the admin reads it.
	bsOwnerMsg struct {
		gen  int
		id   string // the record it is about
		mine owner
	}
)

// owner is what the backstage knows of the record's owner on the org: whether it is someone
// other than the device's user, and that user's id and name (for "Make alex its owner").
type owner struct {
	known, other bool
	myID, me     string
}

// backstageModel is the simulation panel: what other users and the admin do to the org, and
// the conditions of the device's network.
type backstageModel struct {
	c                *common
	bs               Backstage
	object, id, name string
	user             string // who acts on the record: sam or admin
	cursor, top      int
	busy             bool
	gen              int
	form             *bsForm
	sent             *bsForm // the form whose step is running: shown again, as filled in, if it fails
	last             string
	lastFailed       bool
	// lastDone is the last action that succeeded, as said, and doneTimes how many times in a
	// row it was done: enter on the item the cursor stayed on does it again, and says so.
	lastDone  string
	doneTimes int
	w, h      int
	// owner is the record's owner on the org, read when the panel opens and after each step:
	// the panel offers to give the record back to the device's user while another owns it.
	owner owner
}

func newBackstage(c *common, bs Backstage) backstageModel {
	return backstageModel{c: c, bs: bs, user: "sam"}
}

func (m *backstageModel) SetSize(w, h int) {
	m.w, m.h = w, h
	m.sizeForm()
}

// sizeForm gives the form's editors that keep state for their width the width they are drawn
// in, and its checklists and picklist choosers the rows the panel has for them.
func (m *backstageModel) sizeForm() {
	if m.form == nil {
		return
	}
	for _, r := range m.form.rows {
		if in, ok := r.input.(sizedInput); ok {
			in.SetWidth(m.formInputWidth())
		}
	}
	m.fitChoosers()
}

// fitChoosers sizes the form's lists to the room the panel leaves for the form's rows: a
// checklist shows its values under its own line, an open picklist chooser its values under
// the value and the filter line, so that all of a list, and its cursor, stay on screen with
// the form's hint under them (as on the edit form).
func (m *backstageModel) fitChoosers() {
	if m.form == nil {
		return
	}
	room := m.formRowsRoom()
	for _, r := range m.form.rows {
		switch in := r.input.(type) {
		case *multiPickField:
			in.setRows(min(maxChooserRows, room-1))
		case *picklistField:
			in.setRows(min(maxChooserRows, room-2))
		}
	}
}

// formRowsRoom is how many lines the form's rows have: the panel less its head, the form's
// title and the lines under the rows.
func (m backstageModel) formRowsRoom() int {
	return max(1, m.h-len(m.headLines())-len(m.formHead())-len(m.formFoot()))
}

// formInputWidth is the width of the form's inputs: what the label column leaves.
func (m backstageModel) formInputWidth() int {
	labels := make([]string, len(m.form.rows))
	for i, r := range m.form.rows {
		labels[i] = r.label
	}
	return max(1, m.w-labelColumn(labels, 22, min(32, m.w/3))-4)
}

func (m backstageModel) open(object, id, name string) (backstageModel, tea.Cmd) {
	if m.object != object || m.id != id {
		// Another record: its actions come first again (the cursor left on a network item
		// would change the network on enter).
		m.last, m.lastFailed = "", false
		m.lastDone, m.doneTimes = "", 0
		m.cursor, m.top = 0, 0
	}
	if m.object != object || m.id != id {
		m.owner.known, m.owner.other = false, false
	}
	// The same record keeps what it knew of the owner until the admin's fresh answer: hidden
	// meanwhile, the give-back item came back under a cursor that had moved, and enter ran the
	// item below the one last chosen.
	m.object, m.id, m.name = object, id, name
	m.form, m.sent, m.busy = nil, nil, false
	m.gen++
	return m, m.loadOwner()
}

// userNamer is a Backstage that knows its users' usernames (scenario.Env does).
type userNamer interface {
	Username(user string) string
}

// loadOwner reads, as the admin, who owns the record on the org now (nil when there is no
// record, or the backstage cannot read the org as the admin).
func (m backstageModel) loadOwner() tea.Cmd {
	oc, ok := m.bs.(orgClients)
	if !ok || m.id == "" {
		return nil
	}
	bs, ctx, gen, object, id, known := m.bs, m.c.ctx, m.gen, m.object, m.id, m.owner
	return func() tea.Msg {
		mine := known
		if mine.myID == "" {
			myID, err := bs.UserID(ctx, scenario.Me)
			if err != nil {
				return nil
			}
			mine.myID, mine.me = myID, "me"
			if n, ok := bs.(userNamer); ok {
				// alex@demo.example → alex, as sam and admin are named.
				if u, _, _ := strings.Cut(n.Username(scenario.Me), "@"); u != "" {
					mine.me = u
				}
			}
		}
		f, err := readAs(ctx, oc, "admin", object, id, []string{"OwnerId"})
		if err != nil {
			return bsOwnerMsg{gen: gen, id: id, mine: owner{myID: mine.myID, me: mine.me}}
		}
		o, _ := f["OwnerId"].(string)
		mine.known, mine.other = true, o != "" && !sameID(o, mine.myID)
		return bsOwnerMsg{gen: gen, id: id, mine: mine}
	}
}

// sameID compares two record ids, either of which may be the 15-character form.
func sameID(a, b string) bool {
	if len(a) == 15 || len(b) == 15 {
		return len(a) >= 15 && len(b) >= 15 && a[:15] == b[:15]
	}
	return a == b
}

func (m backstageModel) capturing() bool { return m.form != nil }

func (m backstageModel) items() []bsItem {
	u := m.user
	online := "Go offline"
	if !m.c.online {
		online = "Go online"
	}
	items := []bsItem{
		{bsEdit, "as", "Edit fields of this record as " + u + "…", true},
		{bsDelete, "as", "Delete this record as " + u, true},
		{bsOwner, "as", "Change its owner to " + u + " (done by the admin)", true},
		{bsGiveBack, "as", "Make " + m.owner.me + " its owner", true},
		{bsShareMeEdit, "share", "Share it with me: read and edit", true},
		{bsShareMeRead, "share", "Share it with me: read only", true},
		{bsUnshareMe, "share", "Unshare it from me (I lose access)", true},
		{bsShareSam, "share", "Share it with sam: read and edit", true},
		{bsLock, "org", "Lock its row: the org refuses its writes (UNABLE_TO_LOCK_ROW)", true},
		{bsUnlock, "org", "Unlock its row", true},
		{bsAddRule, "org", "Add a validation rule…", false},
		{bsRemoveRule, "org", "Remove a validation rule…", false},
		{bsExpire, "org", "Expire my session (the app signs in again by itself)", false},
		{bsNetNormal, "net", "Normal: no delay, nothing lost", false},
		{bsNetOnline, "net", online, false},
		{bsNetLatency, "net", "Latency: 300 ms ± 100", false},
		{bsNetFlaky, "net", "Flaky: 20% of requests dropped", false},
		{bsNetLossy, "net", "Lossy: 50% of replies lost (the org applies the request)", false},
		{bsNetErrors, "net", "Org errors: 30% answered 503 or UNABLE_TO_LOCK_ROW", false},
	}
	if !m.giveBack() {
		items = slices.DeleteFunc(items, func(it bsItem) bool { return it.act == bsGiveBack })
	}
	return items
}

// giveBack says whether the panel offers to give the record back to the device's user: while
// the org says someone else owns it.
func (m backstageModel) giveBack() bool {
	return m.id != "" && m.owner.known && m.owner.other && m.owner.myID != ""
}

// giveBackIndex is where the give-back item stands (or would stand) in the items.
func (m backstageModel) giveBackIndex() int {
	o := m
	o.owner.known, o.owner.other, o.owner.myID = true, true, "x"
	return slices.IndexFunc(o.items(), func(it bsItem) bool { return it.act == bsGiveBack })
}

func (m backstageModel) sectionTitle(sec string) string {
	switch sec {
	case "as":
		return "As " + m.user + ", on this record   (u: act as " + map[string]string{"sam": "admin", "admin": "sam"}[m.user] + ")"
	case "share":
		return "Sharing (done by the admin)"
	case "org":
		return "The org (done by the admin)"
	case "net":
		return "This device's network"
	}
	return ""
}

func (m backstageModel) Update(msg tea.Msg) (backstageModel, tea.Cmd) {
	switch msg := msg.(type) {
	case closeBsFormMsg:
		if msg.gen == m.gen {
			m.form = nil
		}
		return m, nil
	case bsFormMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.busy = false
		if msg.err != nil {
			m.last, m.lastFailed = CleanLine(msg.err.Error()), true
			return m, nil
		}
		m.form = msg.form
		m.sizeForm()
		if m.form != nil {
			m.form.opened = m.form.opened[:0]
			for _, r := range m.form.rows {
				m.form.opened = append(m.form.opened, r.input.Value())
			}
		}
		if m.form != nil && len(m.form.rows) > 0 {
			return m, m.form.rows[0].input.Focus()
		}
		return m, nil
	case bsOwnerMsg:
		if msg.gen != m.gen || msg.id != m.id {
			return m, nil
		}
		before := m.giveBack()
		m.owner = msg.mine
		// The cursor stays on the item it was on as the give-back item comes or goes (on the
		// owner item when it was on the give-back item itself).
		if i := m.giveBackIndex(); before != m.giveBack() && i >= 0 {
			switch {
			case !before && m.cursor >= i:
				m.cursor++
			case before && m.cursor >= i:
				m.cursor = max(0, m.cursor-1)
			}
		}
		return m, nil
	case bsDoneMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.busy = false
		r := msg.res
		if msg.text != "" {
			r.Text = msg.text
		}
		sent := m.sent
		m.sent = nil
		switch {
		case r.Err != nil:
			m.last, m.lastFailed = "✖ "+CleanLine(r.Text)+": "+CleanLine(r.Err.Error()), true
			if sent != nil {
				// What was typed stays, with the org's answer, to be put right.
				sent.err = CleanLine(r.Err.Error())
				m.form = sent
				m.sizeForm()
			}
			if apiErr, ok := remote.AsError(r.Err); ok && apiErr.HasCode("NOT_FOUND") && m.user == "sam" {
				m.last += " — sam cannot see this record: share it with sam first."
			} else if ok && apiErr.HasCode("INVALID_CROSS_REFERENCE_KEY") && m.user == "sam" {
				// The lookups offer every cached record; sam sees only some of them.
				m.last += " — sam cannot see the record a lookup points at: choose one sam can see, or act as the admin (u)."
			}
		default:
			done := "✓ " + CleanLine(r.Text)
			if r.Outcome != "" {
				done += " → " + CleanLine(r.Outcome)
			}
			if msg.then != "" {
				done += " — " + msg.then
			}
			if done == m.lastDone {
				m.doneTimes++
			} else {
				m.lastDone, m.doneTimes = done, 1
			}
			m.last, m.lastFailed = done, false
			if m.doneTimes > 1 {
				m.last += sprintf(" (×%d: done again)", m.doneTimes)
			}
		}
		if sent != nil {
			if note := sent.roundedNote(); note != "" {
				m.last += " · " + note
			}
		}
		// A step may have changed the record's owner (or deleted it): read it again.
		return m, m.loadOwner()
	case lookupResultsMsg:
		// A lookup's matches go to its own row, wherever the focus went meanwhile.
		if m.form != nil {
			for i := range m.form.rows {
				if m.form.rows[i].name == msg.field {
					m.form.rows[i].input, _ = m.form.rows[i].input.Update(msg)
				}
			}
		}
		return m, nil
	case tea.KeyMsg:
		if m.form != nil {
			m, cmd := m.updateForm(msg)
			m.fitChoosers() // the form's message under the rows may have come or gone
			return m, cmd
		}
		return m.updateMenu(msg)
	}
	if m.form != nil && len(m.form.rows) > 0 {
		var cmd tea.Cmd
		r := &m.form.rows[m.form.focus]
		r.input, cmd = r.input.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m backstageModel) updateMenu(msg tea.KeyMsg) (backstageModel, tea.Cmd) {
	k := m.c.keys
	items := m.items()
	switch {
	case key.Matches(msg, k.Up):
		m.cursor = max(0, m.cursor-1)
	case key.Matches(msg, k.Down):
		m.cursor = clampIndex(m.cursor+1, len(items))
	case key.Matches(msg, k.Top):
		m.cursor = 0
	case key.Matches(msg, k.Bottom):
		m.cursor = clampIndex(len(items)-1, len(items))
	case key.Matches(msg, k.ActAs) && m.busy:
		// A step under way is someone's: its form, should it come back, stays theirs.
	case key.Matches(msg, k.ActAs):
		if m.user == "sam" {
			m.user = "admin"
		} else {
			m.user = "sam"
		}
		// What the last step said was about the user acting then ("sam cannot see this
		// record…"): it goes, so it is not read as the new user's.
		m.last, m.lastFailed = "Acting as "+m.user+" now.", false
	case key.Matches(msg, k.Open):
		if m.busy || m.cursor < 0 || m.cursor >= len(items) {
			return m, nil
		}
		return m.run(items[m.cursor])
	}
	return m, nil
}

// sharesMeNothing says whether it shares the record with the device's user, or unshares it,
// while that user owns it: the owner may do everything whatever the shares say.
func (m backstageModel) sharesMeNothing(it bsItem) bool {
	switch it.act {
	case bsShareMeEdit, bsShareMeRead, bsUnshareMe:
		return m.id != "" && m.owner.known && !m.owner.other
	}
	return false
}

// run starts the chosen action.
func (m backstageModel) run(it bsItem) (backstageModel, tea.Cmd) {
	if it.record && m.id == "" {
		m.last, m.lastFailed = "✖ No record: open a record (or select one in a list) before opening the backstage.", true
		return m, nil
	}
	if m.sharesMeNothing(it) {
		m.last, m.lastFailed = "✖ You own this record: sharing it with you or unsharing it changes nothing you may do. Give it to sam first (Change its owner to sam), then share or unshare it.", true
		return m, nil
	}
	if m.bs == nil {
		m.last, m.lastFailed = "✖ "+scenario.ErrNoMockOrg.Error(), true
		return m, nil
	}
	rec := scenario.RecordRef{Object: m.object, ID: m.id}
	var st scenario.Step
	switch it.act {
	case bsEdit:
		return m.loadEditForm()
	case bsAddRule:
		return m.loadRuleForm()
	case bsRemoveRule:
		return m.loadRemoveForm()
	case bsOwner:
		return m.changeOwner("admin", m.user, m.user)
	case bsGiveBack:
		// Given back by whoever is acting: the admin may, sam only while sam owns the record
		// (the org decides).
		return m.changeOwner(m.user, scenario.Me, m.owner.me)
	case bsDelete:
		return m.deleteAs(scenario.Step{Kind: scenario.KindDelete, As: m.user, Record: rec})
	case bsShareMeEdit:
		st = scenario.Step{Kind: scenario.KindShare, Record: rec, User: scenario.Me, Access: "edit"}
	case bsShareMeRead:
		st = scenario.Step{Kind: scenario.KindShare, Record: rec, User: scenario.Me, Access: "read"}
	case bsUnshareMe:
		st = scenario.Step{Kind: scenario.KindUnshare, Record: rec, User: scenario.Me}
	case bsShareSam:
		st = scenario.Step{Kind: scenario.KindShare, Record: rec, User: "sam", Access: "edit"}
	case bsLock:
		st = scenario.Step{Kind: scenario.KindLock, Record: rec}
	case bsUnlock:
		st = scenario.Step{Kind: scenario.KindUnlock, Record: rec}
	case bsExpire:
		// Nothing shows on the device until it next asks the org for something: the org
		// answers 401 and the app signs in again by itself (scenario.NewAppEnv), which only
		// the log tells.
		st = scenario.Step{Kind: scenario.KindExpire, User: scenario.Me}
		bs, ctx, gen, text := m.bs, m.c.ctx, m.gen, m.stepText(st, nil)
		m.busy = true
		m.last, m.lastFailed = "… "+text, false
		return m, func() tea.Msg { return bsDoneMsg{gen: gen, res: bs.Do(ctx, st), text: text, then: expireNote} }
	case bsNetNormal:
		st = scenario.Step{Kind: scenario.KindNetwork, Network: &scenario.Conditions{}}
	case bsNetOnline:
		st = scenario.Step{Kind: scenario.KindOffline}
		if !m.c.online {
			st.Kind = scenario.KindOnline
		}
	case bsNetLatency:
		st = scenario.Step{Kind: scenario.KindNetwork, Network: &netLatency}
	case bsNetFlaky:
		st = scenario.Step{Kind: scenario.KindNetwork, Network: &netFlaky}
	case bsNetLossy:
		st = scenario.Step{Kind: scenario.KindNetwork, Network: &netLossy}
	case bsNetErrors:
		st = scenario.Step{Kind: scenario.KindNetwork, Network: &netErrors}
	}
	return m.do(st)
}

// changeOwner makes user (named name on the status line) the record's owner, acting as as.
func (m backstageModel) changeOwner(as, user, name string) (backstageModel, tea.Cmd) {
	rec := scenario.RecordRef{Object: m.object, ID: m.id}
	bs, ctx, gen := m.bs, m.c.ctx, m.gen
	// Said before the owner's id is known: the line names the user.
	text := m.stepText(scenario.Step{Kind: scenario.KindEdit, As: as, Record: rec, Fields: remote.Fields{"OwnerId": name}}, map[string]string{"OwnerId": name})
	m.busy = true
	m.last, m.lastFailed = "… "+text, false
	return m, func() tea.Msg {
		id, err := bs.UserID(ctx, user)
		st := scenario.Step{Kind: scenario.KindEdit, As: as, Record: rec, Fields: remote.Fields{"OwnerId": id}}
		if err != nil {
			return bsDoneMsg{gen: gen, res: scenario.StepResult{Text: text, Err: err}, text: text}
		}
		return bsDoneMsg{gen: gen, res: bs.Do(ctx, st), text: text}
	}
}

// expireNote says, after "Expire my session", what QA will see happen.
const expireNote = "the org has forgotten your session. Nothing shows on screen: at the app's next request (a sync, online) the org answers 401 INVALID_SESSION_ID, the app signs in again by itself and sends the request again; the log (L) shows the 401 and the request after it."

func (m backstageModel) do(st scenario.Step) (backstageModel, tea.Cmd) {
	return m.doSaying(st, m.stepText(st, nil))
}

// doSaying runs st, calling it text while it runs and after.
func (m backstageModel) doSaying(st scenario.Step, text string) (backstageModel, tea.Cmd) {
	bs, ctx, gen := m.bs, m.c.ctx, m.gen
	m.busy = true
	m.last, m.lastFailed = "… "+text, false
	return m, func() tea.Msg { return bsDoneMsg{gen: gen, res: bs.Do(ctx, st), text: text} }
}

// deleteAs deletes the record as st.As, first checking, as the edit form does, that the user
// can see it: a user who cannot is told how to give them access, and nothing is sent.
func (m backstageModel) deleteAs(st scenario.Step) (backstageModel, tea.Cmd) {
	oc, ok := m.bs.(orgClients)
	if !ok || st.As == "admin" {
		return m.do(st)
	}
	bs, ctx, gen, text := m.bs, m.c.ctx, m.gen, m.stepText(st, nil)
	user, object, id := st.As, st.Record.Object, st.Record.ID
	m.busy = true
	m.last, m.lastFailed = "… "+text, false
	return m, func() tea.Msg {
		if _, err := readAs(ctx, oc, user, object, id, []string{"Id"}); err != nil {
			if ae, ok := remote.AsError(err); ok && ae.HasCode("NOT_FOUND") {
				return bsFormMsg{gen: gen, err: errors.New(user + " cannot see this record, so cannot delete it: share it with " + user + " first (Share it with " + user + ": read and edit), or act as the admin (u)")}
			}
		}
		return bsDoneMsg{gen: gen, res: bs.Do(ctx, st), text: text}
	}
}

// stepText is a step as the status line says it: a record by its name, fields by label with
// their values as the screens show them (shown holds a field's shown value where the step's
// value is an id: a lookup's record name, an owner's user). Steps on no field of this record
// are said as the scenario says them.
func (m backstageModel) stepText(st scenario.Step, shown map[string]string) string {
	switch {
	case st.Kind == scenario.KindAddRule && st.Rule != nil && st.Rule.Message != "":
		// In the app's words, as the org will say it: the form gave the rule its message.
		return "add a rule on " + CleanLine(m.c.singleLabel(st.Rule.Object)) + ": " + CleanLine(st.Rule.Message)
	case st.Kind == scenario.KindRemoveRule:
		return "remove rule " + CleanLine(st.RuleRef)
	}
	if st.Record.ID == "" || st.Record.ID != m.id {
		return CleanLine(st.String())
	}
	var b strings.Builder
	if st.As != "" && st.As != scenario.Me {
		b.WriteString("as " + st.As + ": ")
	}
	rest := st
	rest.As, rest.Fields = "", nil
	// "edit Account 001…" → "edit Account "Acme Group"".
	b.WriteString(strings.Replace(CleanLine(rest.String()), st.Record.String(), m.c.singleLabel(m.object)+" "+strconv.Quote(CleanLine(m.name)), 1))
	if len(st.Fields) == 0 {
		return b.String()
	}
	d := m.c.describes[m.object]
	if m.form != nil && m.form.describes[m.object] != nil {
		d = m.form.describes[m.object]
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(st.Fields)) {
		v := st.Fields[name]
		label, text, quote := name, display(v), true
		if d != nil {
			if f, ok := d.Field(name); ok {
				label, text = fieldLabel(f), m.c.displayField(f, v)
				quote = !isNumberType(f.Type) && f.Type != "boolean" && f.Type != "date" && f.Type != "datetime"
			}
		}
		if s, ok := shown[name]; ok {
			text = s
		}
		switch {
		case text == "":
			text = "(empty)"
		case quote:
			text = strconv.Quote(text)
		}
		parts = append(parts, CleanLine(label)+" "+text)
	}
	return b.String() + ": " + strings.Join(parts, ", ")
}

// editable says whether the backstage edit form offers a field. A lookup is offered when it
// can point at a cached object, as on the record form: its value is chosen among the cached
// records (OwnerId, pointing at users, has its own action).
func editable(f remote.Field, cached map[string]bool) bool {
	if !f.Updateable || hiddenFields[f.Name] || systemFields[f.Name] || f.Calculated {
		return false
	}
	switch f.Type {
	case "reference":
		for _, o := range f.ReferenceTo {
			if cached[o] {
				return true
			}
		}
		return false
	case "id":
		return false
	}
	return true
}

// refName is the name of the record a lookup's value points at, as far as the device knows it
// ("" when it does not).
func refName(ctx context.Context, b Backend, f remote.Field, id string, names map[string]string) string {
	if id == "" {
		return ""
	}
	if n := names[id]; n != "" {
		return n
	}
	for _, o := range f.ReferenceTo {
		if r, err := b.Record(ctx, o, id); err == nil && r.Name != "" {
			return r.Name
		}
	}
	return ""
}

// orgClients is a Backstage that hands out a user's own session with the org (scenario.Env
// does), so the backstage can read a record as that user.
type orgClients interface {
	Client(ctx context.Context, user string) (*remote.Client, error)
}

// readAs reads a record's fields on the org as user.
func readAs(ctx context.Context, oc orgClients, user, object, id string, fields []string) (remote.Fields, error) {
	cl, err := oc.Client(ctx, user)
	if err != nil {
		return nil, err
	}
	rec, err := cl.Retrieve(ctx, object, id, fields)
	if err != nil {
		return nil, err
	}
	return rec.Fields, nil
}

func (m backstageModel) loadEditForm() (backstageModel, tea.Cmd) {
	b, ctx, gen, c, bs := m.c.backend, m.c.ctx, m.gen, m.c, m.bs
	object, id, user, name := m.object, m.id, m.user, m.name
	d := m.c.describes[object] // read here: Update may change the app's describes meanwhile
	m.busy = true
	return m, func() tea.Msg {
		var err error
		if d == nil {
			if d, err = b.Describe(ctx, object); err != nil {
				return bsFormMsg{gen: gen, err: err}
			}
		}
		rv, err := b.Record(ctx, object, id)
		if err != nil {
			return bsFormMsg{gen: gen, err: err}
		}
		values := rv.Server
		if values == nil {
			values = rv.Fields
		}
		// The form starts from the org's values as the acting user reads them now: the device's
		// copy can be older (another user's change reaches it at its next sync), and a form
		// showing it would pass for the org's and send nothing for a field typed back to it.
		source := "values as this device last synced them: the org may hold newer ones"
		cached := map[string]bool{}
		for _, o := range b.Objects() {
			cached[o] = true
		}
		var names []string
		for _, fd := range orderedFields(d.Fields) {
			if editable(fd, cached) {
				names = append(names, fd.Name)
			}
		}
		if oc, ok := bs.(orgClients); ok {
			if org, err := readAs(ctx, oc, user, object, id, names); err == nil {
				values, source = org, "values on the org now, as "+user+" reads them"
			} else if ae, ok := remote.AsError(err); ok && ae.HasCode("NOT_FOUND") && user != "admin" {
				// Said before a form is filled in that the org would refuse.
				return bsFormMsg{gen: gen, err: errors.New(user + " cannot see this record, so cannot edit it: share it with " + user + " first (Share it with " + user + ": read and edit), or act as the admin (u)")}
			} else {
				source += " (" + user + " can't read it: " + err.Error() + ")"
			}
		}
		f := &bsForm{kind: bsFormEdit, title: "Edit " + CleanLine(name) + " as " + user + " (only the fields you change are sent)\n" + source,
			describes: map[string]*remote.Describe{object: d}}
		for _, fd := range orderedFields(d.Fields) {
			if !editable(fd, cached) {
				continue
			}
			v := values[fd.Name]
			var in fieldInput
			if fd.Type == "reference" {
				// The other user picks among the records the org has: one created on this
				// device and not synced yet has no id there.
				id, _ := v.(string)
				l := newLookupField(c, fd, v, refName(ctx, b, fd, id, rv.Names))
				l.orgOnly = true
				in = l
			} else {
				in = newFieldInput(c, fd, v, "")
			}
			f.rows = append(f.rows, bsRow{label: CleanLine(fieldLabel(fd)), name: fd.Name, def: fd, input: in, initial: in.Value()})
		}
		f.linkDependents(d.Fields, values)
		return bsFormMsg{gen: gen, form: f}
	}
}

func textRow(label, name string) bsRow {
	fd := remote.Field{Name: name, Label: label, Type: "string", Length: 255}
	return bsRow{label: label, name: name, def: fd, input: newTextField(fd, nil, "")}
}

func choiceRow(label, name string, values []string, labels map[string]string) bsRow {
	fd := remote.Field{Name: name, Label: label, Type: "picklist"}
	for _, v := range values {
		fd.PicklistValues = append(fd.PicklistValues, remote.PicklistValue{Value: v, Label: labels[v], Active: true})
	}
	var first any
	if len(values) > 0 {
		first = values[0]
	}
	return bsRow{label: label, name: name, def: fd, input: newPicklistField(fd, first)}
}

func (m backstageModel) loadRuleForm() (backstageModel, tea.Cmd) {
	bs, ctx, gen, objects := m.bs, m.c.ctx, m.gen, m.c.backend.Objects()
	b, object := m.c.backend, m.object
	m.busy = true
	return m, func() tea.Msg {
		kinds, err := bs.RuleKinds(ctx)
		if err != nil {
			return bsFormMsg{gen: gen, err: err}
		}
		// Read here, not from the app's describes: on a first run those may have been asked
		// for before the cache held any.
		describes := map[string]*remote.Describe{}
		for _, o := range objects {
			if d, err := b.Describe(ctx, o); err == nil && d != nil {
				describes[o] = d
			}
		}
		if object != "" {
			// The current record's object first.
			objects = append([]string{object}, without(objects, object)...)
		}
		f := &bsForm{kind: bsFormAddRule, title: "Add a validation rule (the admin)", describes: describes}
		f.rows = append(f.rows,
			choiceRow("Object", "object", objects, nil),
			choiceRow("Kind", "kind", kinds, nil),
			textRow("Field", "field"),
			textRow("Value", "value"),
			textRow("Other field", "otherField"),
			textRow("Message", "message"),
		)
		return bsFormMsg{gen: gen, form: f}
	}
}

func without(ss []string, drop string) []string {
	var out []string
	for _, s := range ss {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

func (m backstageModel) loadRemoveForm() (backstageModel, tea.Cmd) {
	bs, ctx, gen := m.bs, m.c.ctx, m.gen
	m.busy = true
	return m, func() tea.Msg {
		rules, err := bs.Rules(ctx)
		if err != nil {
			return bsFormMsg{gen: gen, err: err}
		}
		if len(rules) == 0 {
			return bsFormMsg{gen: gen, err: errors.New("the org has no rule to remove")}
		}
		var ids []string
		for _, r := range rules {
			ids = append(ids, r.ID)
		}
		row := choiceRow("Rule", "rule", ids, nil)
		f := &bsForm{kind: bsFormRemoveRule, title: "Remove a validation rule (the admin)", rows: []bsRow{row}}
		return bsFormMsg{gen: gen, form: withRuleHelp(f, rules)}
	}
}

// withRuleHelp lists the org's rules under the remove form.
func withRuleHelp(f *bsForm, rules []remote.Rule) *bsForm {
	var lines []string
	for _, r := range rules {
		d := r.ID + ": " + r.Kind + " " + r.Object + "." + r.Field
		if r.Value != "" {
			d += " " + r.Value
		}
		if r.Message != "" {
			d += " — " + r.Message
		}
		// One line a rule, whatever its message holds (newlines, a page of text): the chooser
		// and its keys stay on the screen.
		if d = CleanLine(d); utf8.RuneCountInString(d) > maxRuleLine {
			d = string([]rune(d)[:maxRuleLine-1]) + "…"
		}
		lines = append(lines, d)
	}
	if len(lines) > maxRuleLines {
		lines = append(lines[:maxRuleLines-1], fmt.Sprintf("… and %d more (the chooser lists them all)", len(lines)-maxRuleLines+1))
	}
	f.title += "\n" + strings.Join(lines, "\n")
	return f
}

// The rules listed above the remove-rule chooser: at most maxRuleLines, each cut to maxRuleLine.
const maxRuleLines, maxRuleLine = 6, 160

func (m backstageModel) updateForm(msg tea.KeyMsg) (backstageModel, tea.Cmd) {
	k := m.c.keys
	f := m.form
	if m.busy {
		return m, nil
	}
	if f.find.on {
		if key.Matches(msg, k.Save) {
			f.find.on = false // ctrl+s runs the action from the find line too
		} else {
			return m.updateFind(msg)
		}
	}
	if len(f.rows) > 0 {
		// An open picklist chooser takes every key, esc included.
		if p, ok := f.rows[f.focus].input.(*picklistField); ok && p.capturing() {
			before := p.Value()
			var cmd tea.Cmd
			f.rows[f.focus].input, cmd = p.Update(msg)
			if !sameValue(before, f.rows[f.focus].input.Value()) {
				f.controllerChanged(f.focus, 0)
			}
			return m, cmd
		}
	}
	if len(f.rows) > 0 {
		// A lookup's open matches take esc, enter and the arrows.
		if l, ok := f.rows[f.focus].input.(*lookupField); ok && l.Wants(msg) {
			var cmd tea.Cmd
			f.rows[f.focus].input, cmd = l.Update(msg)
			f.err = ""
			return m, cmd
		}
	}
	switch {
	case key.Matches(msg, findFieldKey) && len(f.rows) > 0:
		f.find.open(f.focus)
		return m, nil
	case msg.Type == tea.KeyEsc:
		if f.dirty() {
			return m, cmdOf(confirmCloseBsFormMsg{gen: m.gen})
		}
		m.form = nil
		return m, nil
	case key.Matches(msg, k.Save):
		f.settleNumbers()
		st, err := m.formStep()
		if err != nil {
			f.err = err.Error()
			return m, nil
		}
		text := m.stepText(st, f.shown())
		m.form, m.sent = nil, f
		return m.doSaying(st, text)
	}
	if len(f.rows) == 0 {
		return m, nil
	}
	r := &f.rows[f.focus]
	if !r.input.Wants(msg) {
		to := -1
		page := max(1, m.formRowsRoom()-1)
		switch msg.Type {
		case tea.KeyTab, tea.KeyDown, tea.KeyEnter:
			to = (f.focus + 1) % len(f.rows)
		case tea.KeyShiftTab, tea.KeyUp:
			to = (f.focus - 1 + len(f.rows)) % len(f.rows)
		case tea.KeyPgDown: // a screen of fields at a time, or to either end: an object of a big org has hundreds
			to = min(f.focus+page, len(f.rows)-1)
		case tea.KeyPgUp:
			to = max(f.focus-page, 0)
		case tea.KeyCtrlEnd:
			to = len(f.rows) - 1
		case tea.KeyCtrlHome:
			to = 0
		}
		if to >= 0 {
			r.input.Blur()
			f.focus = to
			return m, f.rows[f.focus].input.Focus()
		}
	}
	if p, ok := r.input.(*picklistField); ok && key.Matches(msg, clearFieldKey) && !p.nillable {
		f.err = r.label + ": " + mustHaveValue
		return m, nil
	}
	before := r.input.Value()
	var cmd tea.Cmd
	r.input, cmd = r.input.Update(msg)
	f.err = ""
	if !sameValue(before, r.input.Value()) {
		f.controllerChanged(f.focus, 0)
	}
	return m, cmd
}

// updateFind gives a key to the form's find line: the focus goes to the row found, or back to
// the one it was on.
func (m backstageModel) updateFind(msg tea.KeyMsg) (backstageModel, tea.Cmd) {
	f := m.form
	labels := make([]findLabel, len(f.rows))
	for i, r := range f.rows {
		labels[i] = findLabel{label: CleanLine(r.label), name: r.name}
	}
	to := -1
	switch f.find.update(msg, labels) {
	case findShow, findKeep:
		to = f.find.shown()
	case findCancel:
		to = f.find.start
	}
	if to < 0 || to >= len(f.rows) {
		return m, nil
	}
	f.rows[f.focus].input.Blur()
	f.focus = to
	return m, f.rows[f.focus].input.Focus()
}

// formStep turns the form into the step it asks for.
func (m backstageModel) formStep() (scenario.Step, error) {
	f := m.form
	vals := map[string]any{}
	for _, r := range f.rows {
		// A value left as the form opened with it is the org's: never refused here.
		if bsSame(r.input.Value(), r.initial) {
			vals[r.name] = r.input.Value()
			continue
		}
		if err := r.input.Check(); err != nil {
			return scenario.Step{}, errors.New(r.label + ": " + err.Error())
		}
		vals[r.name] = r.input.Value()
	}
	str := func(name string) string { s, _ := vals[name].(string); return strings.TrimSpace(s) }
	switch f.kind {
	case bsFormEdit:
		changed := remote.Fields{}
		for _, r := range f.rows {
			if !bsSame(r.input.Value(), r.initial) {
				changed[r.name] = r.input.Value()
			}
		}
		if len(changed) == 0 {
			return scenario.Step{}, errors.New("nothing changed: change a field, then ctrl+s")
		}
		return scenario.Step{Kind: scenario.KindEdit, As: m.user, Record: scenario.RecordRef{Object: m.object, ID: m.id}, Fields: changed}, nil
	case bsFormAddRule:
		rule := &scenario.Rule{Object: str("object"), Kind: str("kind"), Field: str("field"), Value: str("value"), OtherField: str("otherField"), Message: str("message")}
		if rule.Object == "" || rule.Kind == "" || rule.Field == "" {
			return scenario.Step{}, errors.New("a rule needs an object, a kind and a field")
		}
		if err := f.nameRuleFields(rule); err != nil {
			return scenario.Step{}, err
		}
		return scenario.Step{Kind: scenario.KindAddRule, Rule: rule}, nil
	case bsFormRemoveRule:
		id := str("rule")
		if id == "" {
			return scenario.Step{}, errors.New("choose the rule to remove")
		}
		return scenario.Step{Kind: scenario.KindRemoveRule, RuleRef: id}, nil
	}
	return scenario.Step{}, errors.New("unknown form")
}

// bsSame compares a form value with the value the form started from.
func bsSame(a, b any) bool {
	if a == nil || b == nil {
		return (a == nil || a == "") && (b == nil || b == "")
	}
	return display(a) == display(b)
}

func (m backstageModel) View() string {
	out := m.headLines()
	if m.form != nil {
		out = append(out, m.formView()...)
	} else {
		out = append(out, m.menuView(m.h-len(out))...)
	}
	return clampLines(strings.Join(out, "\n"), m.w, m.h)
}

// headLines are the panel's lines above the menu or the form: what it is, the record, and a
// blank line.
func (m backstageModel) headLines() []string {
	s := m.c.styles
	var out []string
	out = append(out, s.Sim.Render(fit(" SIMULATION — backstage: acting on the org behind this device's back ", m.w)))
	if m.id != "" {
		out = append(out, s.Label.Render("Record: ")+CleanLine(m.c.singleLabel(m.object))+" "+s.Title.Render(CleanLine(m.name))+s.Subtle.Render("  "+CleanLine(m.id)))
	} else {
		out = append(out, s.Subtle.Render("No record chosen: record actions need one (open a record first)."))
	}
	if m.bs == nil {
		out = append(out, "", s.Error.Render(scenario.ErrNoMockOrg.Error()))
	}
	return append(out, "")
}

// lastLines are the result of the last action, wrapped to the panel's width.
func (m backstageModel) lastLines() []string {
	s := m.c.styles
	text, st := m.last, s.Green
	switch {
	case m.last == "":
		text, st = "Nothing done here yet. Other users' changes reach this device at its next sync; a share, when the record's page opens online.", s.Subtle
	case m.lastFailed:
		st = s.Error
	}
	return strings.Split(renderLines(st, wrap(text, max(1, m.w))), "\n")
}

// menuView is the list of actions, scrolled to keep the cursor in view, and the last result,
// in h lines.
func (m backstageModel) menuView(h int) []string {
	s := m.c.styles
	var lines []string
	cursorLine := 0
	sec := ""
	for i, it := range m.items() {
		if it.section != sec {
			sec = it.section
			if len(lines) > 0 {
				lines = append(lines, "")
			}
			title := m.sectionTitle(sec)
			if sec == "net" && m.c.netStatus != nil {
				title += " — now: " + CleanLine(m.c.netStatus())
			}
			lines = append(lines, s.Header.Render(title))
		}
		label := it.label
		mark := ""
		switch {
		case it.record && m.id == "":
			mark = "  (no record)"
		case m.sharesMeNothing(it):
			mark = "  (you own it)"
		}
		line := "   " + label
		if mark != "" {
			line = s.Disabled.Render(line + mark)
		}
		if i == m.cursor {
			cursorLine = len(lines)
			line = s.Selected.Render(fit(" ▸ "+label+mark, m.w))
		}
		lines = append(lines, line)
	}
	last := m.lastLines()
	room := max(1, h-1-len(last))
	top := m.top
	if cursorLine < top {
		top = cursorLine
	}
	if cursorLine >= top+room {
		top = cursorLine - room + 1
	}
	top = max(0, min(top, max(0, len(lines)-room)))
	end := min(len(lines), top+room)
	out := append([]string{}, lines[top:end]...)
	// What the window leaves out is said, so the network items below the fold are found.
	more := ""
	switch {
	case top > 0 && end < len(lines):
		more = "↑↓ more above and below"
	case end < len(lines):
		more = "↓ more below"
	case top > 0:
		more = "↑ more above"
	}
	out = append(out, s.Subtle.Render(more))
	return append(out, last...)
}

// beforeBrackets puts s into title before the words in brackets that end it, if any ("Edit Acme
// (UK) Ltd as admin · field 3 of 24 (only the fields you change are sent)").
func beforeBrackets(title, s string) string {
	if i := strings.LastIndex(title, " ("); i > 0 && strings.HasSuffix(title, ")") {
		return title[:i] + s + title[i:]
	}
	return title + s
}

// formHead is the form's title, what its values are, and a blank line.
func (m backstageModel) formHead() []string {
	s := m.c.styles
	lines := strings.Split(m.form.title, "\n")
	title := CleanLine(lines[0])
	if n := len(m.form.rows); n > 1 && n > m.h-len(m.headLines())-len(m.formFoot())-2 {
		// Longer than the screen: where the focus is, before what the title says in brackets
		// (which a narrow screen cuts).
		title = beforeBrackets(title, sprintf(" · field %d of %d", m.form.focus+1, n))
	}
	out := []string{s.Title.Render(title)}
	// The lines under the title (the rules above the remove-rule chooser) give way to the
	// form's rows: an open chooser needs formHeadRowsKept lines to be of use.
	sub := lines[1:]
	if room := m.h - len(m.headLines()) - len(m.formFoot()) - 2 - formHeadRowsKept; len(sub) > max(0, room) {
		n := max(0, room)
		if n > 0 {
			sub = append(sub[:n-1:n-1], sprintf("… %d more", len(sub)-n+1))
		} else {
			sub = nil
		}
	}
	for _, l := range sub {
		out = append(out, s.Subtle.Render(trunc("  "+CleanLine(l), m.w)))
	}
	return append(out, "")
}

// formHeadRowsKept is the room a form's rows keep before the lines under its title.
const formHeadRowsKept = 7

// formFoot are the lines under the form's rows: a blank line, what the chosen rule kind
// checks, the form's message (wrapped), and the form's keys.
func (m backstageModel) formFoot() []string {
	s := m.c.styles
	f := m.form
	out := []string{""}
	if f.kind == bsFormAddRule {
		if hint := ruleKindHints[f.value("kind")]; hint != "" {
			out = append(out, s.Subtle.Render(trunc("  "+hint, m.w)))
		}
	}
	if f.err != "" {
		for _, l := range capLines(strings.Split(wrap(f.err, max(1, m.w)), "\n"), 3, m.w) {
			out = append(out, s.Error.Render(l))
		}
	}
	if f.find.on {
		return append(out, f.find.line(s, m.w))
	}
	return append(out, s.Subtle.Render(trunc("tab/↓ next · ←/→ choose · ctrl+s run · esc cancel · pgup/pgdn page · ctrl+f find", m.w)))
}

// formView is the form: its head, its rows scrolled to keep the focused row whole in view (an
// open list with it), and the lines under them.
func (m backstageModel) formView() []string {
	s := m.c.styles
	f := m.form
	labels := make([]string, len(f.rows))
	for i, r := range f.rows {
		labels[i] = r.label
	}
	labelW := labelColumn(labels, 22, min(32, m.w/3)) // the longest label, within a third of the screen
	kept := endKept(labels, labelW)
	var body []string
	focusTop, focusEnd := 0, 0
	for i, r := range f.rows {
		if i == f.focus {
			focusTop = len(body)
		}
		mark := "  "
		label := s.Label.Render(fitLabel(r.label, labelW, kept[r.label]))
		if i == f.focus {
			mark = s.Accent.Render("▸ ")
			label = s.Accent.Render(fitLabel(r.label, labelW, kept[r.label]))
		}
		lines := strings.Split(r.input.View(i == f.focus, max(1, m.w-labelW-4)), "\n")
		body = append(body, mark+label+" "+lines[0])
		for _, l := range lines[1:] { // an open chooser, under the value as on the edit form
			body = append(body, strings.Repeat(" ", labelW+3)+l)
		}
		if i == f.focus {
			focusEnd = len(body)
		}
	}
	top, end := focusWindow(focusTop, focusEnd, m.formRowsRoom(), len(body))
	out := m.formHead()
	out = append(out, body[top:end]...)
	return append(out, m.formFoot()...)
}

// ruleKindHints say what each kind of rule checks and which of the form's rows it uses.
var ruleKindHints = map[string]string{
	"required":     "required: Field must not be blank (Value and Other field are not used)",
	"min":          "min: Field, a number, must be at least Value",
	"max_length":   "max_length: Field, a text, must be at most Value characters long",
	"forbid_value": "forbid_value: Field must not be Value",
	"require_if":   "require_if: Field is required when Other field is Value",
	"duplicate":    "duplicate: no two records may have the same Field (the org answers DUPLICATES_DETECTED)",
	"flow_error":   "flow_error: a flow fails when Field is Value (CANNOT_EXECUTE_FLOW_TRIGGER)",
}

// shown is what the form's lookups show for the ids they hold: the chosen records' names.
func (f *bsForm) shown() map[string]string {
	out := map[string]string{}
	for _, r := range f.rows {
		if l, ok := r.input.(*lookupField); ok && l.id != "" && l.name != "" {
			out[r.name] = CleanLine(l.name)
		}
	}
	return out
}

// value is what the row named name holds, as text ("" when there is no such row).
func (f *bsForm) value(name string) string {
	for _, r := range f.rows {
		if r.name == name {
			if v, ok := r.input.Value().(string); ok {
				return v
			}
		}
	}
	return ""
}

func (m backstageModel) ShortHelp() []key.Binding {
	k := m.c.keys
	if f := m.form; f != nil {
		// In the words of the form's own hint: ctrl+s runs the action, esc closes the form.
		run, cancel := k.Save, k.Back
		run.SetHelp("ctrl+s", "run")
		cancel.SetHelp("esc", "cancel")
		if f.find.on {
			return findHelp(k)
		}
		// On a picklist, and while its chooser is open, the keys are the edit form's.
		if f.focus < len(f.rows) {
			if l, ok := f.rows[f.focus].input.(*lookupField); ok {
				if l.open && len(l.matches) > 0 {
					return []key.Binding{lookupChooseKey, lookupTakeKey, lookupCloseKey}
				}
				return []key.Binding{run, lookupSearchKey, k.NextPane, cancel}
			}
			if p, ok := f.rows[f.focus].input.(*picklistField); ok {
				if p.capturing() {
					return []key.Binding{chooseEnterKey, chooseEscKey, chooseMoveKey, chooseFilterKey}
				}
				return []key.Binding{run, pickListKey, pickCycleKey, k.NextPane, cancel}
			}
			if _, ok := f.rows[f.focus].input.(*multiPickField); ok {
				return []key.Binding{run, multiTickKey, multiMoveKey, k.NextPane, cancel}
			}
		}
		return []key.Binding{run, k.NextPane, cancel}
	}
	return []key.Binding{k.Open, k.ActAs, k.Up, k.Down, k.Back, k.Help}
}

// The keys of a lookup on the backstage form.
var (
	lookupSearchKey = key.NewBinding(key.WithKeys("type"), key.WithHelp("type", "search the cached records"))
	lookupChooseKey = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "choose a match"))
	lookupTakeKey   = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "take it"))
	lookupCloseKey  = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close the matches"))
)

func (m backstageModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.Open, k.ActAs}, {k.Save, k.NextPane, k.PrevPane}, k.globalKeys()}
}

// nameRuleFields turns the rule's Field and Other field, each named as the screens show it
// (its label) or by its API name in any case, into API names, and gives a rule without a
// message one that names its fields by label. A name the object's describe does not know is
// refused with the fields a rule of that kind takes. Without the object's describe the names
// go as typed, and the org judges them.
func (f *bsForm) nameRuleFields(rule *scenario.Rule) error {
	d := f.describes[rule.Object]
	if d == nil {
		return nil
	}
	field, err := ruleField(d, rule.Kind, "Field", rule.Field)
	if err != nil {
		return err
	}
	rule.Field = field.Name
	var other remote.Field
	if rule.OtherField != "" || rule.Kind == "require_if" {
		if other, err = ruleField(d, "", "Other field", rule.OtherField); err != nil {
			return err
		}
		rule.OtherField = other.Name
	}
	if rule.Message == "" {
		rule.Message = ruleMessage(d, rule, field, other)
	}
	return nil
}

// ruleField finds the field name names on d for a rule of kind, refusing a name it does not
// know, or a field a rule of that kind cannot check, with the fields it takes.
func ruleField(d *remote.Describe, kind, row, name string) (remote.Field, error) {
	takes := func(f remote.Field) bool {
		// The app's own fields (Offline_Key__c) are no one's to rule on: a rule there would
		// refuse every create the device sends.
		if !f.Createable && !f.Updateable || hiddenFields[f.Name] {
			return false
		}
		return kind != "min" || isNumberType(f.Type)
	}
	var labels []string
	for _, f := range d.Fields {
		if takes(f) {
			labels = append(labels, CleanLine(fieldLabel(f)))
		}
	}
	list := strings.Join(labels, ", ")
	name = strings.TrimSpace(name)
	if name == "" {
		return remote.Field{}, errors.New(sprintf("%s: name a field of %s: %s", row, CleanLine(objectLabel(d)), list))
	}
	f, ok := d.Field(name)
	if !ok {
		for _, c := range d.Fields {
			if strings.EqualFold(fieldLabel(c), name) || strings.EqualFold(strings.TrimSpace(c.Label), name) {
				f, ok = c, true
				break
			}
		}
	}
	switch {
	case !ok:
		return remote.Field{}, errors.New(sprintf("%s: %s has no field %q; it takes %s", row, CleanLine(objectLabel(d)), CleanLine(name), list))
	case !takes(f) && kind == "min" && (f.Createable || f.Updateable):
		return remote.Field{}, errors.New(sprintf("%s: %s is not a number; a min rule takes %s", row, CleanLine(fieldLabel(f)), list))
	case !takes(f) && hiddenFields[f.Name] && (f.Createable || f.Updateable):
		return remote.Field{}, errors.New(sprintf("%s: %s is the app's own field; a rule takes %s", row, CleanLine(fieldLabel(f)), list))
	case !takes(f):
		return remote.Field{}, errors.New(sprintf("%s: %s is kept by the org, no one sets it; a rule takes %s", row, CleanLine(fieldLabel(f)), list))
	}
	return f, nil
}

// ruleMessage is what the org says when the rule refuses a change, in the app's words: fields
// by label, a picklist value by its label.
func ruleMessage(d *remote.Describe, rule *scenario.Rule, field, other remote.Field) string {
	label := CleanLine(fieldLabel(field))
	switch rule.Kind {
	case "required":
		return label + " is required."
	case "min":
		return label + " must be at least " + rule.Value + "."
	case "max_length":
		return label + " must be at most " + rule.Value + " characters long."
	case "forbid_value":
		return label + " can't be " + valueLabel(field, rule.Value) + "."
	case "require_if":
		return label + " is required when " + CleanLine(fieldLabel(other)) + " is " + valueLabel(other, rule.Value) + "."
	case "duplicate":
		return "You're creating a duplicate record: another " + strings.ToLower(CleanLine(objectLabel(d))) + " has the same " + label + "."
	case "flow_error":
		return "The flow can't update a record whose " + label + " is " + valueLabel(field, rule.Value) + "."
	}
	return ""
}

// valueLabel is a picklist value as the screens show it; any other value as it is.
func valueLabel(f remote.Field, v string) string {
	for _, p := range f.PicklistValues {
		if strings.EqualFold(p.Value, v) && p.Label != "" {
			return CleanLine(p.Label)
		}
	}
	return CleanLine(v)
}

func objectLabel(d *remote.Describe) string {
	if d.Label != "" {
		return d.Label
	}
	return d.Name
}
