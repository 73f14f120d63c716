package tui

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// relation is one related list: child records whose field points at the record.
type relation struct{ child, field string }

// relations lists the related lists of each object.
var relations = map[string][]relation{
	"Account":     {{"Contact", "AccountId"}, {"Opportunity", "AccountId"}, {"Case", "AccountId"}, {"Task", "WhatId"}},
	"Contact":     {{"Case", "ContactId"}, {"Task", "WhoId"}},
	"Opportunity": {{"Task", "WhatId"}},
	"Case":        {{"Task", "WhatId"}},
	"Lead":        {{"Task", "WhoId"}},
}

// highlightFields are shown in the highlights area under the name.
var highlightFields = map[string][]string{
	"Account":     {"Industry", "Phone", "Rating"},
	"Contact":     {"Title", "Email", "Phone"},
	"Opportunity": {"StageName", "Amount", "CloseDate"},
	"Lead":        {"Company", "Status", "Email"},
	"Case":        {"Status", "Priority", "Origin"},
	"Task":        {"Status", "Priority", "ActivityDate"},
}

// hiddenFields are never listed on a record or offered in a form.
var hiddenFields = map[string]bool{"Id": true, "IsDeleted": true, "Offline_Key__c": true, "SystemModstamp": true}

const relatedRows = 5

type relatedList struct {
	relation
	total int
	rows  []pending.Row
}

type recordMsg struct {
	object, id string
	gen        int
	view       pending.RecordView
	desc       *remote.Describe
	related    []relatedList
	// relatedOnly marks the second answer of a load: the related lists alone, read after the
	// record so that the page shows at once (each list reads every child of its object).
	relatedOnly bool
	// waitsFor names the record created offline the record's change waits for ("" when it
	// waits for none).
	waitsFor string
	err      error
}

// detailModel is a record page: highlights with the sash, fields, related lists, action bar.
type detailModel struct {
	c          *common
	object, id string
	gen        int
	loaded     bool
	missing    bool
	view       pending.RecordView
	desc       *remote.Describe
	related    []relatedList
	waitsFor   string // the record created offline its change waits for, as a sentence
	scroll     int
	pane       int // 0: fields; i>0: related list i-1
	relCursor  int
	w, h       int
	// askedAccess is the record whose access the page last asked the org about: a record shared
	// with limits is asked about once each time its page opens online, so a share widened
	// since the device last checked offers Edit at once.
	askedAccess string
	// memo keeps the field lines between frames (shared by the model's copies).
	memo *fieldMemo
	// find is / (or ctrl+f): find a field by part of its label or API name. found is the
	// field it found, marked until the next key; findScroll where the page was when it began.
	find       fieldFind
	found      string
	findScroll int
}

func newDetail(c *common) detailModel { return detailModel{c: c, memo: &fieldMemo{}} }

// fieldMemo keeps a record page's field lines for as long as nothing they are drawn from
// changes: scrolling, the commonest key, changes none of it, and drawing every field of a big
// org's record (800 of them) twice a key took tens of milliseconds.
type fieldMemo struct {
	key    fieldMemoKey
	lines  []string
	starts []int // the line each field starts on, in the order of findLabels
	// The record's maps the lines were drawn from: each load brings new ones, told apart by
	// identity (held here, so that a map let go cannot lend its address to a later one).
	fields, server remote.Fields
	names          map[string]string
}

// fieldMemoKey is the rest of what a record page's field lines are drawn from: the width, the
// change and the describe as loaded, and the minute (times are shown relative to today).
type fieldMemoKey struct {
	w        int
	entry    *pending.Entry
	desc     *remote.Describe
	me, name string
	minute   int64
	found    string
}

func (m detailModel) open(object, id string) (detailModel, tea.Cmd) {
	m.find, m.found = fieldFind{}, ""
	if m.object != object || m.id != id {
		m.scroll, m.pane, m.relCursor = 0, 0, 0
		m.loaded, m.missing = false, false
		m.related = nil
	}
	m.askedAccess = ""
	m.object, m.id = object, id
	return m.load()
}

func (m detailModel) load() (detailModel, tea.Cmd) {
	if m.id == "" {
		return m, nil
	}
	m.gen++
	gen, object, id := m.gen, m.object, m.id
	b, ctx := m.c.backend, m.c.ctx
	known := m.c.describes[object]
	labels := map[string]string{} // read here: a command must not read the app's describes
	for _, o := range b.Objects() {
		labels[o] = m.c.singleLabel(o)
	}
	return m, func() tea.Msg {
		out := recordMsg{object: object, id: id, gen: gen, desc: known}
		out.view, out.err = b.Record(ctx, object, id)
		if out.err != nil {
			return out
		}
		if out.desc == nil {
			out.desc, out.err = b.Describe(ctx, object)
			if out.err != nil {
				return out
			}
		}
		if e := out.view.Entry; e != nil && e.Status == pending.StatusWaiting && e.WaitingOn != "" {
			if es, err := b.Entries(ctx); err == nil {
				out.waitsFor = waitsForIn(func(o string) string { return labels[o] }, *e, es)
			}
		}
		return out
	}
}

// relatedSelected is the id of the record the cursor is on in a related list ("" when the
// cursor is on the record's own fields).
func (m detailModel) relatedSelected() string {
	if m.pane < 1 || m.pane > len(m.related) {
		return ""
	}
	rows := m.related[m.pane-1].rows
	if m.relCursor < 0 || m.relCursor >= len(rows) {
		return ""
	}
	return rows[m.relCursor].ID
}

// loadRelated reads the related lists of the record the page shows, once the record itself is
// on the page.
func (m detailModel) loadRelated() tea.Cmd {
	gen, object, id := m.gen, m.object, m.id
	b, ctx := m.c.backend, m.c.ctx
	objects := map[string]bool{}
	for _, o := range b.Objects() {
		objects[o] = true
	}
	return func() tea.Msg {
		out := recordMsg{object: object, id: id, gen: gen, relatedOnly: true}
		for _, r := range relations[object] {
			if !objects[r.child] {
				continue
			}
			p, err := b.List(ctx, pending.ListQuery{Object: r.child, Where: map[string]string{r.field: id}, Limit: relatedRows})
			if err != nil {
				out.err = err
				return out
			}
			out.related = append(out.related, relatedList{relation: r, total: p.Total, rows: p.Rows})
		}
		return out
	}
}

// checkAccess asks the org, once per opening of the page and only online, what the user may do
// with a record the device knows as shared with limits. The engine says when the answer
// changed anything (a cache event), and the page loads again; an org that does not answer
// leaves the page as it is.
func (m *detailModel) checkAccess() tea.Cmd {
	b, ctx, id := m.c.backend, m.c.ctx, m.view.ID
	if id == "" || m.view.Access == pending.AccessFull || m.askedAccess == id || !b.Online() {
		return nil
	}
	m.askedAccess = id
	return func() tea.Msg {
		acc, err := b.CheckAccess(ctx, id)
		return accessCheckedMsg{id: id, access: acc, err: err}
	}
}

// accessCheckedMsg is the org's answer to checkAccess: the page loads again when it changed
// what the user may do, or when the record left the device (no longer visible to the user).
type accessCheckedMsg struct {
	id     string
	access pending.Access
	err    error
}

// SetSize sizes the page; the fields stay scrolled no further than the new size lets them.
func (m *detailModel) SetSize(w, h int) {
	m.w, m.h = w, h
	if m.c != nil {
		m.scroll = max(0, min(m.scroll, m.maxScroll()))
	}
}

// locked says why the record refuses edits, or "".
func (m detailModel) locked() string {
	e := m.view.Entry
	if e == nil || !e.Status.Locked() {
		return ""
	}
	if m.readableAgain() {
		return sprintf("Locked: this %s's change can't be saved: you had lost access to it when it was sent (it is shared with you again now). Press x to dismiss the change (here or in Pending Changes).",
			strings.ToLower(m.c.singleLabel(m.object)))
	}
	return lockedMessage(m.c.singleLabel(m.object), e.Status, e.Code, e.Message)
}

// refusedUnseen says whether the record's change was refused because the user could no longer
// see the record (its owner changed, a share taken away), not merely change it.
func (m detailModel) refusedUnseen() bool {
	e := m.view.Entry
	return e != nil && e.Status == pending.StatusFailed && redCauseOf(e.Code, e.Message) == causeNoAccess && !stillReadable(e.Code)
}

// readableAgain says whether the record of a change refused because the user could no longer
// see it is one the org has said since (asked when a page of it opened online) they may read
// again: shared with them since. The change still can't be saved, but the record is in reach.
func (m detailModel) readableAgain() bool {
	if !m.refusedUnseen() {
		return false
	}
	e := m.view.Entry
	at, ok := m.c.seenAgain[e.ID]
	return ok && at == e.Attempts
}

// lostSight says whether the record's change was refused because the user could no longer
// see it and nothing the device learnt since says they can again.
func (m detailModel) lostSight() bool { return m.refusedUnseen() && !m.readableAgain() }

// refusesEdit says why Edit and Delete refuse on this record, or "": a change that needs the
// user locks it, and a delete waiting to sync leaves nothing to edit.
func (m detailModel) refusesEdit() string {
	if why := m.locked(); why != "" {
		return why
	}
	if e := m.view.Entry; e != nil && e.Op == pending.OpDelete {
		return sprintf("This %s is waiting to be deleted; discard the delete to edit it (x here or in Pending Changes).",
			strings.ToLower(m.c.singleLabel(m.object)))
	}
	if !m.view.Access.CanEdit() {
		return sprintf("This %s is shared with you read-only: the org would refuse a change to it. %s",
			strings.ToLower(m.c.singleLabel(m.object)), m.widenedShare())
	}
	return ""
}

// widenedShare ends a refusal on access: the page asks the org again each time it opens online
// (and when the device comes online with the page open).
func (m detailModel) widenedShare() string {
	if m.c.online {
		return "If it was shared with you to edit since, open the page again: it asks the org each time it opens online."
	}
	return "If it was shared with you to edit since, go online (o): the page asks the org again."
}

// refusesDelete says why Delete refuses on this record, or "": what refuses Edit, and a record
// shared with the user to edit but not to delete.
func (m detailModel) refusesDelete() string {
	if m.view.Access == pending.AccessRead && m.locked() == "" && (m.view.Entry == nil || m.view.Entry.Op != pending.OpDelete) {
		return sprintf("This %s is shared with you read-only: the org would refuse to delete it.",
			strings.ToLower(m.c.singleLabel(m.object)))
	}
	if e := m.view.Entry; e != nil && e.Op == pending.OpDelete && m.locked() == "" {
		return sprintf("This %s is already waiting to be deleted: it goes when the device syncs (x here or in Pending Changes discards the delete).",
			strings.ToLower(m.c.singleLabel(m.object)))
	}
	if why := m.refusesEdit(); why != "" {
		return why
	}
	if !m.view.Access.CanDelete() {
		return sprintf("This %s is shared with you to edit, not to delete: only its owner or an admin can delete it.",
			strings.ToLower(m.c.singleLabel(m.object)))
	}
	return ""
}

// refusesChildren says why New Task, New Contact and New refuse on this record whatever the
// connection, or "": a child of a record the org deleted (or that is out of reach) could
// never sync, nor could one of a record waiting to be deleted here.
func (m detailModel) refusesChildren() string {
	e := m.view.Entry
	if e == nil {
		return ""
	}
	label := strings.ToLower(m.c.singleLabel(m.object))
	switch {
	case e.Status == pending.StatusFailed && redCauseOf(e.Code, e.Message) == causeNoAccess && !m.lostSight():
		return "" // the user may still (or again) read it: a task or a contact under it is theirs to make
	case e.Status == pending.StatusFailed && redCauseOf(e.Code, e.Message) == causeNoAccess:
		return sprintf("This %s can't take new records: you no longer have access to it. Press x to dismiss the change.", label)
	case e.Status == pending.StatusFailed && redCauseOf(e.Code, e.Message) == causeDeleted:
		return sprintf("This %s can't take new records: it was deleted on the org. Press x to dismiss the change.", label)
	case e.Status == pending.StatusFailed:
		return sprintf("This %s can't take new records until its change that can't be saved is dismissed (x).", label)
	case e.Op == pending.OpDelete:
		return sprintf("This %s is waiting to be deleted, so it can't take new records; discard the delete first (x).", label)
	}
	return ""
}

// childNote is the action bar's note on New Task, New Contact and New, "" when they work.
func (m detailModel) childNote() string {
	e := m.view.Entry
	switch {
	case m.refusesChildren() == "":
	case m.lostSight():
		return " (no access)"
	case e.Status == pending.StatusFailed && redCauseOf(e.Code, e.Message) == causeDeleted:
		return " (record deleted)"
	case e.Status == pending.StatusFailed:
		return " (locked)"
	default:
		return " (deleted here)"
	}
	if !m.c.online {
		return " (online only)"
	}
	return ""
}

// newChild opens a New form for a child of this record, or says why it can't.
func (m detailModel) newChild(action string, open openFormMsg) tea.Cmd {
	if why := m.refusesChildren(); why != "" {
		return errCmd(errors.New(why))
	}
	if !m.c.online {
		return errCmd(refuseOffline(action))
	}
	return cmdOf(open)
}

// editNote is the action bar's note on a refused Edit or Delete.
func (m detailModel) editNote() string {
	if m.locked() != "" {
		return " (locked)"
	}
	if e := m.view.Entry; e != nil && e.Op == pending.OpDelete {
		return " (deleted here)"
	}
	if !m.view.Access.CanEdit() {
		return " (read only)"
	}
	return " (not yours)"
}

// stillReadable says whether a change the org refused for want of access leaves the record
// readable to the user (INSUFFICIENT_ACCESS_OR_READONLY: shared read-only, say), unlike a
// record they can no longer see at all (NOT_FOUND).
func stillReadable(code string) bool { return code == "INSUFFICIENT_ACCESS_OR_READONLY" }

func lockedMessage(label string, st pending.Status, code, message string) string {
	return lockedMessageIn(label, st, code, message, false)
}

// lockedMessageIn is lockedMessage, said in a form when inForm: there r, x and p are text, so
// the keys are those of the record page, once esc has left the form.
func lockedMessageIn(label string, st pending.Status, code, message string, inForm bool) string {
	press := func(k, what string) string {
		if inForm {
			return sprintf("Nothing was saved: esc leaves the form, then press %s on the record to %s (or in Pending Changes).", k, what)
		}
		return sprintf("Press %s to %s (here or in Pending Changes).", k, what)
	}
	if st == pending.StatusFailed {
		why := sprintf("this %s's change can't be saved", strings.ToLower(label))
		switch redCauseOf(code, message) {
		case causeDeleted:
			why = sprintf("this %s was deleted on the org", strings.ToLower(label))
		case causeNoAccess:
			why = sprintf("you no longer have access to this %s", strings.ToLower(label))
			if stillReadable(code) {
				why = sprintf("you can no longer change this %s (you may still read it)", strings.ToLower(label))
			}
			if givenAway(code, message) {
				why = sprintf("this %s was given to another user; you can no longer change it (you may still read it)", strings.ToLower(label))
			}
		}
		return sprintf("Locked: %s. %s", why, press("x", "dismiss the change"))
	}
	if st == pending.StatusInvalid {
		switch code {
		case codeReferenceDiscarded:
			return sprintf("Locked: this %s's change points at a new record discarded on this device. %s",
				strings.ToLower(label), press("r", "choose another first"))
		case codeReferenceCycle:
			return sprintf("Locked: this %s and another new record point at each other. %s",
				strings.ToLower(label), press("r", "fix it first"))
		}
		return sprintf("Locked: the org refused this %s's change (invalid). %s",
			strings.ToLower(label), press("r", "fix it first"))
	}
	if st != pending.StatusConflict {
		if inForm {
			return sprintf("Locked: this %s has a change that needs your attention. Nothing was saved: esc leaves the form; resolve, fix or dismiss the change in Pending Changes first.",
				strings.ToLower(label))
		}
		return sprintf("Locked: this %s has a change that needs your attention: open it in Pending Changes (p) to resolve, fix or dismiss it first.",
			strings.ToLower(label))
	}
	return sprintf("Locked: this %s's change needs your attention (conflict). %s",
		strings.ToLower(label), press("r", "resolve it first"))
}

// lockedError is the message of an edit or a delete the engine refused as locked: what the
// change that locks the record needs (resolve, fix or dismiss), as the record's page says it.
func lockedError(ctx context.Context, b Backend, label, object, id string, inForm bool) error {
	if v, err := b.Record(ctx, object, id); err == nil && v.Entry != nil && v.Entry.Status.Locked() {
		e := v.Entry
		return errors.New(lockedMessageIn(label, e.Status, e.Code, e.Message, inForm))
	}
	return errors.New(lockedMessageIn(label, "", "", "", inForm))
}

// refuseOffline is the message of a "new record" action on a record page while offline.
func refuseOffline(action string) error {
	return errors.New(action + " isn't available offline: creating a record from a record page needs a connection. " +
		"Press o to go online, or use New (n) on an object home or My Tasks.")
}

func (m detailModel) recordID() string {
	if m.view.ID != "" {
		return m.view.ID
	}
	return m.id
}

func (m detailModel) Update(msg tea.Msg) (detailModel, tea.Cmd) {
	k := m.c.keys
	switch msg := msg.(type) {
	case recordMsg:
		if msg.gen != m.gen || msg.object != m.object || msg.id != m.id {
			return m, nil
		}
		if isNotFound(msg.err) {
			m.loaded, m.missing = true, true
			return m, nil
		}
		if msg.err != nil {
			return m, errCmd(msg.err)
		}
		if msg.relatedOnly {
			// The cursor in a related list stays on its record when records before it come
			// or go (a sync): enter opens the record the user chose.
			was := m.relatedSelected()
			m.related = msg.related
			if m.pane > 0 && m.pane <= len(m.related) && was != "" {
				if i := slices.IndexFunc(m.related[m.pane-1].rows, func(r pending.Row) bool { return r.ID == was }); i >= 0 {
					m.relCursor = i
				}
			}
		} else {
			// The related lists shown stay (a reload of the same record) until the new ones
			// are read.
			m.loaded, m.missing = true, false
			m.view, m.desc, m.waitsFor = msg.view, msg.desc, msg.waitsFor
			if m.view.ID != "" && m.view.ID != m.id {
				m.id = m.view.ID // a create that synced: its page follows the org's id
			}
		}
		if m.pane > len(m.related) {
			m.pane = 0
		}
		if m.pane > 0 {
			// A row the cursor was on may have left the list meanwhile.
			m.relCursor = clampIndex(m.relCursor, len(m.related[m.pane-1].rows))
		}
		m.scroll = max(0, min(m.scroll, m.maxScroll()))
		if msg.relatedOnly {
			return m, nil
		}
		return m, tea.Batch(m.checkAccess(), m.loadRelated())
	case accessCheckedMsg:
		if msg.id == m.view.ID && m.refusedUnseen() && (msg.err == nil || isNotFound(msg.err)) {
			// The org's answer on a record whose change it refused as out of the user's
			// sight: an answer at all means they may read it again; not found, that they
			// still may not.
			e := m.view.Entry
			if m.c.seenAgain == nil {
				m.c.seenAgain = map[string]int{}
			}
			if msg.err == nil {
				m.c.seenAgain[e.ID] = e.Attempts
			} else {
				delete(m.c.seenAgain, e.ID)
			}
			return m.load()
		}
		if msg.id != m.view.ID || (msg.err == nil && msg.access == m.view.Access) || (msg.err != nil && !isNotFound(msg.err)) {
			return m, nil // another record's answer, nothing new, or no answer: the page stands
		}
		return m.load()
	case tea.MouseMsg:
		m.scroll = max(0, min(m.scroll+3*wheelDelta(msg), m.maxScroll()))
		return m, nil
	case tea.KeyMsg:
		if !m.loaded || m.missing {
			return m, nil
		}
		if m.find.on {
			return m.updateFind(msg), nil
		}
		m.found = ""
		switch {
		case key.Matches(msg, findFieldPageKey) && m.desc != nil:
			_, starts := m.fieldLayout()
			m.findScroll = m.scroll
			// From the first field on screen: the first match after it comes first.
			start := len(starts)
			for i, at := range starts {
				if at >= m.scroll {
					start = i
					break
				}
			}
			m.find.open(start)
			return m, nil
		case key.Matches(msg, k.Resolve):
			if e := m.view.Entry; e != nil {
				return m, resolveEntry(m.c, *e)
			}
		case key.Matches(msg, k.Dismiss):
			if e := m.view.Entry; e != nil {
				return m, dismissEntry(m.c, *e)
			}
		case key.Matches(msg, k.Edit):
			if why := m.refusesEdit(); why != "" {
				return m, errCmd(errors.New(why))
			}
			v := m.view
			return m, cmdOf(openFormMsg{mode: formEdit, object: m.object, id: m.recordID(), view: &v})
		case key.Matches(msg, k.Delete):
			if why := m.refusesDelete(); why != "" {
				return m, errCmd(errors.New(why))
			}
			if e := m.view.Entry; e != nil && e.Op == pending.OpCreate && e.InDoubt {
				// Asked before the confirmation, not after it: the engine refuses this delete.
				return m, errCmd(fmt.Errorf("%q may already be on the org (the reply to its creation was lost); sync first, then delete it", CleanLine(m.view.Name)))
			}
			msg := confirmDeleteMsg{object: m.object, id: m.recordID(), name: CleanLine(m.view.Name)}
			if e := m.view.Entry; e != nil && e.Op == pending.OpCreate {
				// Created on this device and never sent: the delete discards it, and the
				// question names the changes left pointing at it, as a discard's does.
				msg.created = true
				b, ctx, id := m.c.backend, m.c.ctx, e.RecordID
				return m, func() tea.Msg {
					if all, err := b.Entries(ctx); err == nil {
						msg.pointing = pointingAt(all, id)
					}
					return msg
				}
			}
			return m, cmdOf(msg)
		case key.Matches(msg, k.NewTask):
			return m, m.newChild("New Task", openFormMsg{mode: formNew, object: "Task", defaults: m.parentDefaults("Task"), names: m.selfName()})
		case key.Matches(msg, k.NewContact) && m.object == "Account":
			return m, m.newChild("New Contact", openFormMsg{mode: formNew, object: "Contact", defaults: m.parentDefaults("Contact"), names: m.selfName()})
		case key.Matches(msg, k.New):
			if len(m.related) == 0 {
				return m, nil
			}
			rel := m.related[max(0, m.pane-1)]
			return m, m.newChild("New "+m.c.singleLabel(rel.child),
				openFormMsg{mode: formNew, object: rel.child, defaults: remote.Fields{rel.field: m.recordID()}, names: m.selfName()})
		case key.Matches(msg, k.NextPane):
			m.pane = (m.pane + 1) % (len(m.related) + 1)
			m.relCursor = 0
		case key.Matches(msg, k.PrevPane):
			m.pane = (m.pane + len(m.related)) % (len(m.related) + 1)
			m.relCursor = 0
		case key.Matches(msg, k.Up):
			if m.pane > 0 {
				m.relCursor = max(0, m.relCursor-1)
			} else {
				m.scroll = max(0, m.scroll-1)
			}
		case key.Matches(msg, k.Down):
			if m.pane > 0 {
				m.relCursor = clampIndex(m.relCursor+1, len(m.related[m.pane-1].rows))
			} else {
				m.scroll = min(m.scroll+1, m.maxScroll())
			}
		case key.Matches(msg, k.PageDown):
			m.scroll = min(m.scroll+max(1, m.h/2), m.maxScroll())
		case key.Matches(msg, k.PageUp):
			m.scroll = max(0, m.scroll-max(1, m.h/2))
		case key.Matches(msg, k.Top):
			if m.pane > 0 {
				m.relCursor = 0
			} else {
				m.scroll = 0
			}
		case key.Matches(msg, k.Bottom):
			if m.pane > 0 {
				m.relCursor = max(0, len(m.related[m.pane-1].rows)-1)
			} else {
				m.scroll = m.maxScroll()
			}
		case key.Matches(msg, k.Open):
			if m.pane > 0 {
				rel := m.related[m.pane-1]
				if m.relCursor >= 0 && m.relCursor < len(rel.rows) {
					return m, cmdOf(openRecordMsg{object: rel.child, id: rel.rows[m.relCursor].ID})
				}
			}
		}
	}
	return m, nil
}

// updateFind gives a key to the find line: the page scrolls to the field found (at the top of
// the fields), or back to where it was when nothing is found or find is left with esc.
func (m detailModel) updateFind(msg tea.KeyMsg) detailModel {
	switch m.find.update(msg, m.findLabels()) {
	case findShow, findKeep:
		i := m.find.shown()
		m.found = m.findLabels()[i].name
		_, starts := m.fieldLayout()
		m.pane = 0
		m.scroll = min(starts[i], m.maxScroll())
	case findCancel:
		m.found = ""
		m.scroll = min(m.findScroll, m.maxScroll())
	}
	return m
}

// capturing: the find line takes every key.
func (m detailModel) capturing() bool { return m.find.on }

// findLabels are the fields the page shows, in its order, as find reads them.
func (m detailModel) findLabels() []findLabel {
	if m.desc == nil {
		return nil
	}
	var out []findLabel
	for _, f := range orderedFields(m.desc.Fields) {
		if !hiddenFields[f.Name] {
			out = append(out, findLabel{label: CleanLine(fieldLabel(f)), name: f.Name})
		}
	}
	return out
}

// parentDefaults prefills the lookup of a new child record to this record.
func (m detailModel) parentDefaults(child string) remote.Fields {
	for _, r := range relations[m.object] {
		if r.child == child {
			return remote.Fields{r.field: m.recordID()}
		}
	}
	return nil
}

func (m detailModel) selfName() map[string]string {
	return map[string]string{m.recordID(): m.view.Name}
}

func (m detailModel) lookupName(field string, v any) string {
	id, _ := v.(string)
	if id == "" {
		return ""
	}
	if n, ok := m.view.Names[field]; ok && n != "" {
		return CleanLine(n)
	}
	if n, ok := m.view.Names[id]; ok && n != "" {
		return CleanLine(n)
	}
	if field == "RecordTypeId" {
		if rt, ok := recordTypeOf(m.desc, id); ok { // record types are named in the describe
			return rt.name
		}
	}
	if pending.IsLocalID(id) {
		// A new record of this device's that is gone (discarded), as the Fix form says it:
		// its id means nothing to the user.
		return discardedLookup
	}
	return CleanLine(id)
}

// author names who made the other side of a conflict: the signed-in user's own save (me) is
// theirs from another device or an automation that runs as them, as the entry's message says,
// not "they" with the user's own name.
func author(names map[string]string, me, id string) string {
	if isMe(me, id) {
		return "you (on another device or through an automation)"
	}
	return userName(names, id)
}

// authorInline is author inside parentheses of its own (a value's "(who, when)").
func authorInline(names map[string]string, me, id string) string {
	if isMe(me, id) {
		return "you, on another device or through an automation"
	}
	return userName(names, id)
}

func isMe(me, id string) bool { return me != "" && sameID(id, me) }

// userName is the display name of a user id (a record's owner, who changed it last, the
// author of a conflicting edit) when the engine knows it, else the id.
func userName(names map[string]string, id string) string {
	if n := names[id]; n != "" {
		return CleanLine(n)
	}
	return CleanLine(id)
}

func (m detailModel) header() []string {
	s := m.c.styles
	var out []string
	title := s.Subtle.Render(m.c.singleLabel(m.object)) + "  " + s.Title.Render(CleanLine(m.view.Name))
	tag := ""
	e := m.view.Entry
	switch {
	case m.view.Access != pending.AccessFull && e != nil && e.Status == pending.StatusFailed && redCauseOf(e.Code, e.Message) == causeNoAccess && !m.readableAgain():
		// The org refused the change for want of access: the share the device last knew of
		// is no longer there to claim (unless the org has said since that it is again).
		tag = s.Subtle.Render("(no access)")
		if stillReadable(e.Code) {
			tag = s.Subtle.Render("(read only)")
		}
	case m.view.Access == pending.AccessRead:
		tag = s.Subtle.Render("(read only: shared with you)")
	case m.view.Access == pending.AccessEdit:
		tag = s.Subtle.Render("(shared with you: edit, not delete)")
	}
	switch {
	case tag == "":
		out = append(out, title)
	case m.w > 0 && lipgloss.Width(title)+2+lipgloss.Width(tag) > m.w:
		out = append(out, title, tag) // a long name is cut at the edge, the tag never
	default:
		out = append(out, title+"  "+tag)
	}
	if e := m.view.Entry; e != nil {
		line := s.entrySash(*e)
		if e.Op == pending.OpDelete && e.Status.Sash() != pending.SashGreen {
			line += s.Subtle.Render("  (deleted here)")
		} else if e.Op == pending.OpCreate {
			line += s.Subtle.Render("  (created here)")
		}
		if how := entryHint(e.Status); how != "" {
			line += s.Subtle.Render(" · ") + s.Key.Render(how)
		}
		// The status and the org's messages wrap, each on a few lines at most.
		out = append(out, boundLines(flowItems([]string{line}, "", m.w), maxStatusLines, m.w)...)
		indentedN := func(st lipgloss.Style, prefix, text string, n int) []string {
			w := max(1, m.w-2)
			lines := boundLines(strings.Split(wrap(prefix+text, w), "\n"), n, w)
			for i, l := range lines {
				lines[i] = st.Render("  " + l)
			}
			return lines
		}
		indented := func(st lipgloss.Style, prefix, text string) []string {
			return indentedN(st, prefix, text, maxStatusLines)
		}
		if msg := m.c.entryMessage(*e); msg != "" {
			out = append(out, indented(s.sashStyle(e.Status), "", CleanLine(msg))...)
		}
		if m.waitsFor != "" && e.Status == pending.StatusWaiting {
			out = append(out, indented(s.sashStyle(e.Status), "", m.waitsFor+".")...)
		}
		for _, fe := range e.Errors {
			switch {
			case fe.Field != "":
			case e.Status == pending.StatusFailed && redCauseOf(e.Code, e.Message) != causeOther:
				// The org's own words for a record deleted or out of reach, given as its answer
				// so that they do not contradict the line above: it says NOT_FOUND, "does not
				// exist", for a record this user can no longer see.
				out = append(out, indentedN(s.Error, "• ", orgSaid(*e, fe, m.readableAgain()), maxOrgSaidLines)...)
			case !strings.HasPrefix(CleanLine(e.Message), CleanLine(fe.Message)):
				// A record-level message the line above already says is not said twice.
				out = append(out, indented(s.Error, "• ", CleanLine(fe.Message))...)
			}
		}
		if m.readableAgain() {
			out = append(out, indented(s.Subtle, "", m.sharedAgain())...)
		}
	}
	var hl []string
	if m.desc != nil {
		for _, f := range highlightFields[m.object] {
			if fd, ok := m.desc.Field(f); ok {
				// An empty highlight is shown as such: the page keeps its shape, and a
				// record just made with only its name still has its highlights line.
				v := m.c.displayField(fd, m.view.Fields[f])
				if v == "" {
					v = s.Subtle.Render("—")
				}
				hl = append(hl, s.Label.Render(CleanLine(fieldLabel(fd))+": ")+v)
			}
		}
	}
	if len(hl) == 0 {
		return out
	}
	return append(out, boundLines(flowItems(hl, "   ", m.w), maxHighlightLines, m.w)...)
}

// goneText says why the page's record is no longer on the device. A new record last seen
// here unsynced was discarded (a create that synced is still found by its local id); one
// created here and not seen so is either that or gone after it synced.
func (m detailModel) goneText() string {
	switch {
	case !pending.IsLocalID(m.id):
		return "This record is no longer cached on this device (it was deleted or you lost access)."
	case m.view.ID == m.id && m.view.Entry != nil && m.view.Entry.Op == pending.OpCreate:
		return "This new record was discarded on this device before it synced: it is no longer here."
	}
	return "This record created on this device is no longer here: its creation was discarded, or it synced and was then deleted or unshared."
}

// maxStatusLines is how many lines the record's status, and each message of the org about
// its change, may take in the header.
const maxStatusLines = 2

// maxOrgSaidLines is how many lines the org's answer about a record deleted or out of reach may
// take in the header: its code, its words and what they mean.
const maxOrgSaidLines = 3

// sharedAgain is the header's line on a red change whose record is readable again: what the
// user may do with the record now, and that the change itself still can't be saved.
func (m detailModel) sharedAgain() string {
	label := strings.ToLower(m.c.singleLabel(m.object))
	switch m.view.Access {
	case pending.AccessFull:
		return sprintf("You may see and change this %s again: this change still can't be saved; dismiss it, then edit the %s again.", label, label)
	case pending.AccessEdit:
		return sprintf("This %s is shared with you again (to edit): this change still can't be saved; dismiss it, then edit the %s again.", label, label)
	}
	return sprintf("This %s is shared with you again (read only): you may read it, but this change still can't be saved.", label)
}

// orgSaid gives one of the org's messages about a red change whose record was deleted or is out
// of reach as the org's answer, with its code: "The org said NOT_FOUND (“The requested resource
// does not exist”)". A NOT_FOUND about a record out of reach says what it means there: the org
// answers so for a record the user can no longer see, which need not have been deleted.
// seenAgain is true when the record is readable again since: the answer was for a record the
// user could not see then.
func orgSaid(e pending.Entry, fe pending.FieldError, seenAgain bool) string {
	code := CleanLine(fe.Code)
	if code == "" {
		code = CleanLine(e.Code)
	}
	msg := CleanLine(fe.Message)
	var b strings.Builder
	b.WriteString("The org said")
	if code != "" {
		b.WriteString(" " + code)
	}
	if msg != "" {
		b.WriteString(" (“" + msg + "”)")
	}
	switch {
	case strings.EqualFold(code, "NOT_FOUND") && redCauseOf(e.Code, e.Message) == causeNoAccess && seenAgain:
		b.WriteString(": its answer for a record you could not see then")
	case strings.EqualFold(code, "NOT_FOUND") && redCauseOf(e.Code, e.Message) == causeNoAccess:
		b.WriteString(": its answer for a record you can no longer see")
	}
	return b.String() + "."
}

// maxHighlightLines is how many lines the highlights may take; values longer than that end
// with "…" (the field itself shows them whole).
const maxHighlightLines = 3

// boundLines keeps at most n of lines; when it drops some, the last kept line ends with "…"
// within w cells.
func boundLines(lines []string, n, w int) []string {
	if len(lines) <= n {
		return lines
	}
	out := append([]string(nil), lines[:n]...)
	if n > 0 {
		out[n-1] = trunc(out[n-1]+" …", w)
	}
	return out
}

// flowItems lays items out on lines of at most w cells, sep between them: an item that does
// not fit on a line goes on the next one, and one wider than a whole line is wrapped (a word
// longer than the line is broken), so none is ever cut. w <= 0 puts them all on one line.
func flowItems(items []string, sep string, w int) []string {
	var lines []string
	line := ""
	for _, it := range items {
		switch {
		case line == "":
			line = it
		case w > 0 && lipgloss.Width(line)+lipgloss.Width(sep)+lipgloss.Width(it) > w:
			lines = append(lines, line)
			line = it
		default:
			line += sep + it
		}
	}
	lines = append(lines, line)
	var out []string
	for _, l := range lines {
		if w > 0 && lipgloss.Width(l) > w {
			out = append(out, strings.Split(ansi.Wrap(l, w, ""), "\n")...)
			continue
		}
		out = append(out, l)
	}
	return out
}

func (m detailModel) actionBar() string {
	s := m.c.styles
	item := func(k, label string, enabled bool, note string) string {
		if !enabled {
			return s.Disabled.Render("[" + k + "] " + label + note)
		}
		return s.Key.Render("["+k+"]") + " " + label
	}
	editable := m.refusesEdit() == ""
	deletable, deleteNote := m.refusesDelete() == "", m.editNote()
	if e := m.view.Entry; editable && e != nil && e.Op == pending.OpCreate && e.InDoubt {
		deletable, deleteNote = false, " (sync first)"
	}
	parts := []string{
		item("e", "Edit", editable, m.editNote()),
		item("d", "Delete", deletable, deleteNote),
		item("t", "New Task", m.childNote() == "", m.childNote()),
	}
	if m.object == "Account" {
		parts = append(parts, item("c", "New Contact", m.childNote() == "", m.childNote()))
	}
	if child := m.newInView(); child != "" {
		parts = append(parts, item("n", "New "+m.c.singleLabel(child), m.childNote() == "", m.childNote()))
	}
	// Items that do not fit go on the next line, never cut.
	var lines []string
	line := ""
	for _, p := range parts {
		switch {
		case line == "":
			line = p
		case m.w > 0 && lipgloss.Width(line)+2+lipgloss.Width(p) > m.w:
			lines = append(lines, line)
			line = p
		default:
			line += "  " + p
		}
	}
	return strings.Join(append(lines, line), "\n")
}

// twoColumnWidth is the width from which the record's fields are laid out in two columns.
const twoColumnWidth = 140

// fieldBlock is one field on the record page: its line and the flags under it.
type fieldBlock struct {
	mark, label, value string
	long               bool // long text: wrapped on as many lines as it takes, never cut
	flagged            bool
	found              bool // the field find found
	flags              []string
}

// fieldBlocks are the record's fields in describe order, system fields last.
func (m detailModel) fieldBlocks() []fieldBlock {
	s := m.c.styles
	if m.desc == nil {
		return nil
	}
	flags := map[string][]string{}
	// shown is a value of a field as the page shows the field (a datetime with its zone).
	shown := func(field string, v any) string {
		if fd, ok := m.desc.Field(field); ok && fd.Type != "reference" {
			return m.c.displayField(fd, v)
		}
		return display(v)
	}
	if e := m.view.Entry; e != nil {
		for _, c := range e.Conflicts {
			flag := sprintf("conflict: they set %s (%s, %s)", quoteJoined(shown(c.Field, c.Theirs)), userName(m.view.Names, c.TheirsBy), m.c.when(c.TheirsAt))
			if m.view.Me != "" && sameID(c.TheirsBy, m.view.Me) {
				// The user's own save, as the entry's message says: the device cannot tell
				// their other device from an automation that runs as them.
				flag = sprintf("conflict: you set %s (on another device or through an automation, %s)", quoteJoined(shown(c.Field, c.Theirs)), m.c.when(c.TheirsAt))
			}
			if now, ok := m.view.Server[c.Field]; ok && !bsSame(now, c.Theirs) {
				// A later sync brought a newer value: that is what taking theirs keeps now.
				flag = sprintf("conflict: changed again on the org, now %s (was %s)", quoteJoined(shown(c.Field, now)), quoteJoined(shown(c.Field, c.Theirs)))
			}
			flags[c.Field] = append(flags[c.Field], flag)
		}
		for _, fe := range e.Errors {
			if fe.Field != "" {
				flags[fe.Field] = append(flags[fe.Field], CleanLine(fe.Message))
			}
		}
	}
	var out []fieldBlock
	for _, f := range orderedFields(m.desc.Fields) {
		if hiddenFields[f.Name] {
			continue
		}
		v := m.view.Fields[f.Name]
		b := fieldBlock{mark: "  ", label: CleanLine(fieldLabel(f)), flags: flags[f.Name], flagged: len(flags[f.Name]) > 0}
		switch f.Type {
		case "reference":
			b.value = m.lookupName(f.Name, v)
		case "textarea":
			text, _ := v.(string)
			b.value, b.long = strings.TrimRight(Clean(text), "\n "), true
		default:
			b.value = m.c.displayField(f, v)
			switch {
			case b.value != "" || !isComputedName(f):
			case madeFromParts(f):
				// The org fills a computed name (a contact's Full Name) when the record
				// syncs; until then it is the name the title shows.
				b.value = CleanLine(m.view.Name)
			case m.view.Entry != nil && m.view.Entry.Op == pending.OpCreate:
				// A number the org gives (a case's Case Number) is not the title (the
				// case's Subject): it has none until the record syncs.
				b.value = s.Subtle.Render("assigned when it syncs")
			}
		}
		if e := m.view.Entry; e != nil {
			if _, changed := e.Changes[f.Name]; changed {
				b.mark = s.sashStyle(e.Status).Render("● ")
			}
		}
		if b.flagged {
			b.mark = s.Flag.Render("▲ ")
		}
		if f.Name == m.found {
			b.found = true
			if b.mark == "  " {
				b.mark = s.Accent.Render("» ")
			}
		}
		out = append(out, b)
	}
	return out
}

// isComputedName reports whether f is a name the org makes from other fields (Full Name from
// First and Last Name) or numbers itself (Case Number), which no form sets.
func isComputedName(f remote.Field) bool {
	return f.NameField && !f.Createable && !f.Updateable
}

// madeFromParts reports whether a computed name is made from the record's own name fields (a
// contact's or a lead's Name), which the title shows before the org makes it; not an
// auto-number, nor a computed name field by another name (Case Number), which the title (a
// case's Subject) is not, whether or not the describe the device holds says autoNumber.
func madeFromParts(f remote.Field) bool {
	return isComputedName(f) && f.Name == "Name" && !f.AutoNumber
}

// labelWidth sizes the label column to the longest label, capped at limit.
func labelWidth(blocks []fieldBlock, limit int) int {
	labels := make([]string, len(blocks))
	for i, b := range blocks {
		labels[i] = b.label
	}
	return labelColumn(labels, 1, limit)
}

// render draws a field in a column of width w with labels labelW wide.
func (b fieldBlock) render(s Styles, w, labelW int, keepEnd bool) []string {
	label := fitLabel(b.label, labelW, keepEnd)
	switch {
	case b.found:
		label = s.Accent.Render(label)
	case b.flagged:
		label = s.Flag.Render(label)
	default:
		label = s.Label.Render(label)
	}
	valW := max(1, w-labelW-3)
	out := []string{b.mark + label + " " + trunc(b.value, valW)}
	if b.long {
		lines := strings.Split(wrap(b.value, valW), "\n")
		out = []string{b.mark + label + " " + lines[0]}
		for _, l := range lines[1:] {
			out = append(out, strings.Repeat(" ", labelW+3)+l)
		}
	}
	// A conflict or the org's message under the field is wrapped, never cut: who and when
	// come last.
	for _, fl := range b.flags {
		for _, l := range strings.Split(wrap(fl, valW), "\n") {
			out = append(out, strings.Repeat(" ", labelW+3)+s.Flag.Render(l))
		}
	}
	return out
}

// fieldLines lays the fields out: one column, or two side by side on a wide terminal.
func (m detailModel) fieldLines() []string {
	lines, _ := m.fieldLayout()
	return lines
}

// fieldLayout is fieldLines and the line each field starts on.
func (m detailModel) fieldLayout() ([]string, []int) {
	if m.memo == nil {
		return m.drawFieldLines()
	}
	k := fieldMemoKey{w: m.w, entry: m.view.Entry, desc: m.desc, me: m.view.Me, name: m.view.Name, minute: m.c.clock().Unix() / 60, found: m.found}
	v, memo := m.view, m.memo
	if memo.lines == nil || memo.key != k || !sameMap(memo.fields, v.Fields) || !sameMap(memo.server, v.Server) || !sameMap(memo.names, v.Names) {
		memo.lines, memo.starts = m.drawFieldLines()
		memo.key = k
		memo.fields, memo.server, memo.names = v.Fields, v.Server, v.Names
	}
	return memo.lines, memo.starts
}

// sameMap reports whether a and b are the same map (not merely equal ones).
func sameMap[M ~map[K]V, K comparable, V any](a, b M) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// drawFieldLines draws what fieldLayout returns.
func (m detailModel) drawFieldLines() (out []string, starts []int) {
	s := m.c.styles
	blocks := m.fieldBlocks()
	labels := make([]string, len(blocks))
	for i, b := range blocks {
		labels[i] = b.label
	}
	starts = make([]int, len(blocks))
	if m.w < twoColumnWidth {
		labelW := labelWidth(blocks, m.w/3)
		kept := endKept(labels, labelW)
		for i, b := range blocks {
			starts[i] = len(out)
			out = append(out, b.render(s, m.w, labelW, kept[b.label])...)
		}
		return out, starts
	}
	const gap = 3
	colW := (m.w - gap) / 2
	// A third of the width, shared by the two columns: labels may take 2/5 of a column.
	labelW := labelWidth(blocks, colW*2/5)
	kept := endKept(labels, labelW)
	for i := 0; i < len(blocks); i += 2 {
		starts[i] = len(out)
		if i+1 < len(blocks) {
			starts[i+1] = len(out)
		}
		left := blocks[i].render(s, colW, labelW, kept[blocks[i].label])
		var right []string
		if i+1 < len(blocks) {
			right = blocks[i+1].render(s, colW, labelW, kept[blocks[i+1].label])
		}
		for j := 0; j < max(len(left), len(right)); j++ {
			var l, r string
			if j < len(left) {
				l = left[j]
			}
			if j < len(right) {
				r = right[j]
			}
			out = append(out, strings.TrimRight(fit(l, colW)+strings.Repeat(" ", gap)+r, " "))
		}
	}
	return out, starts
}

// relatedColumns are the key columns shown after the name in each related list.
var relatedColumns = map[string][]string{
	"Contact":     {"Title", "Email"},
	"Opportunity": {"StageName", "Amount", "CloseDate"},
	"Case":        {"Subject", "Status"},
	"Task":        {"Status", "ActivityDate"},
}

// relatedCell formats one key column of a related row, by the child's describe when known.
func (m detailModel) relatedCell(child, field string, v any) string {
	if d := m.c.describes[child]; d != nil {
		if f, ok := d.Field(field); ok {
			return m.c.displayField(f, v)
		}
	}
	return displayCell(field, v)
}

// relatedWidths shares avail cells between a related list's name and its columns by what the
// rows hold: short values stay whole and long ones share the rest; on a wide terminal each
// column keeps close to its values (the name at most 44 cells, the others 32) so a row reads
// across.
func (m detailModel) relatedWidths(r relatedList, cols []string, avail int) []int {
	want := make([]int, 1+len(cols))
	want[0] = 4
	for _, row := range r.rows {
		want[0] = max(want[0], lipgloss.Width(CleanLine(row.Name)))
		for k, c := range cols {
			want[k+1] = max(want[k+1], lipgloss.Width(m.relatedCell(r.child, c, row.Fields[c])))
		}
	}
	if len(cols) == 0 {
		return []int{avail}
	}
	total := 0
	for _, w := range want {
		total += w
	}
	if total > avail {
		return shareWidth(want, avail)
	}
	// Everything fits: give each column a fair part of what is left, within its cap.
	out := append([]int(nil), want...)
	extra := (avail - total) / len(out)
	for k := range out {
		limit := 32
		if k == 0 {
			limit = 44
		}
		out[k] = max(want[k], min(want[k]+extra, limit))
	}
	return out
}

// relatedLines draws the related lists: a title per list, then a row per record with its
// sash, name and key columns.
func (m detailModel) relatedLines() []string {
	s := m.c.styles
	var sts []sashMark
	for _, r := range m.related {
		for _, row := range r.rows {
			sts = append(sts, sashMark{row.Status, row.Op})
		}
	}
	sashW := sashColumn(sts...)
	var out []string
	for i, r := range m.related {
		out = append(out, "")
		title := sprintf("%s (%d)", m.c.objectLabel(r.child), r.total)
		if m.pane == i+1 {
			out = append(out, s.Accent.Render("▸ "+title))
		} else {
			out = append(out, s.Header.Render("  "+title))
		}
		if len(r.rows) == 0 {
			out = append(out, s.Subtle.Render("    none"))
		}
		cols := relatedColumns[r.child]
		avail := m.w - 4 - sashGap(sashW) - len(cols)
		if len(cols) == 0 || avail < 20+8*len(cols) {
			cols = nil
		}
		widths := m.relatedWidths(r, cols, avail)
		for j, row := range r.rows {
			line := s.sashCell(row.Status, row.Op, sashW) + fit(CleanLine(row.Name), widths[0])
			for k, c := range cols {
				line += " " + fit(m.relatedCell(r.child, c, row.Fields[c]), widths[k+1])
			}
			line = strings.TrimRight(line, " ")
			if m.pane == i+1 && j == m.relCursor {
				line = s.selectedRow("  ▸ "+line, m.w)
			} else {
				line = "    " + line
			}
			out = append(out, line)
		}
	}
	return out
}

// body is everything under the highlights: the fields, then the related lists.
func (m detailModel) body() []string {
	return append(m.fieldLines(), m.relatedLines()...)
}

func (m detailModel) View() string {
	s := m.c.styles
	if !m.loaded {
		return clampLines(s.Subtle.Render("Loading…"), m.w, m.h)
	}
	if m.missing {
		return clampLines(renderLines(s.Subtle, wrap(m.goneText()+" Press esc to go back.", max(1, m.w))), m.w, m.h)
	}
	head, body, room := m.layout()
	maxScroll := max(0, len(body)-room)
	scroll := min(m.scroll, maxScroll)
	// Keep a focused related list in view.
	if m.pane > 0 {
		for i, l := range body {
			if strings.Contains(l, "▸ ") {
				if i < scroll || i+relatedRows >= scroll+room {
					scroll = min(maxScroll, max(0, i-1))
				}
				break
			}
		}
	}
	end := min(len(body), scroll+room)
	lines := append(head, body[scroll:end]...)
	return clampLines(strings.Join(lines, "\n"), m.w, m.h)
}

// minFieldRows is how many rows of fields the record page keeps under its header however
// long the values the header shows: the header gives way first.
const minFieldRows = 3

// layout is the record page cut to its height: the header (title, status, highlights,
// action bar and rule), the body under it, and how many body rows fit. The title, the
// action bar and the rule always stay; the lines between them give way (the last of them
// ends with "…") so that at least minFieldRows rows of fields show.
func (m detailModel) layout() (head, body []string, room int) {
	s := m.c.styles
	top := m.header()
	bar := strings.Split(m.actionBar(), "\n")
	rule := s.Subtle.Render(strings.Repeat("─", max(0, m.w)))
	flex := top[1:]
	if budget := max(0, m.h-minFieldRows-2-len(bar)); len(flex) > budget {
		flex = append([]string(nil), flex[:budget]...)
		if budget > 0 {
			flex[budget-1] = trunc(flex[budget-1]+" …", m.w)
		}
	}
	if m.find.on {
		rule = m.find.line(s, m.w)
	}
	head = append(append(append([]string{top[0]}, flex...), bar...), rule)
	body = m.body()
	return head, body, max(0, m.h-len(head))
}

// maxScroll is the furthest the fields scroll: the last body row at the bottom of the page.
func (m detailModel) maxScroll() int {
	if !m.loaded || m.missing {
		return 0
	}
	_, body, room := m.layout()
	return max(0, len(body)-room)
}

// entryHint says in the highlights how to deal with the record's change.
func entryHint(st pending.Status) string {
	switch st.Sash() {
	case pending.SashOrange:
		if st == pending.StatusInvalid {
			return "r to fix"
		}
		return "r to resolve"
	case pending.SashRed:
		return "x to dismiss"
	}
	return ""
}

// entryKeys are r and x as they apply to the record's change: r resolves an orange one, x
// dismisses a red one.
func (m detailModel) entryKeys() []key.Binding {
	k := m.c.keys
	e := m.view.Entry
	if e == nil || !m.loaded || m.missing {
		return nil
	}
	switch e.Status.Sash() {
	case pending.SashOrange:
		r := k.Resolve
		r.SetHelp("r", "resolve")
		if e.Status == pending.StatusInvalid {
			r.SetHelp("r", "fix")
		}
		return []key.Binding{r}
	case pending.SashRed:
		x := k.Dismiss
		x.SetHelp("x", "dismiss")
		return []key.Binding{x}
	}
	if e.Status == pending.StatusSyncing {
		return nil
	}
	x := k.Dismiss
	switch e.Op {
	case pending.OpDelete:
		x.SetHelp("x", "discard delete")
	case pending.OpCreate:
		x.SetHelp("x", "discard new record")
	default:
		x.SetHelp("x", "discard change")
	}
	if e.Attempts > 0 {
		// A change waiting for a retry: r sends it at the next sync without waiting.
		r := k.Resolve
		r.SetHelp("r", "retry")
		return []key.Binding{x, r}
	}
	return []key.Binding{x}
}

// editKeys are e and d, disabled (left out of the help bar) when the record refuses them.
func (m detailModel) editKeys() []key.Binding {
	k := m.c.keys
	e, d := k.Edit, k.Delete
	e.SetEnabled(m.refusesEdit() == "")
	d.SetEnabled(m.refusesDelete() == "")
	return []key.Binding{e, d}
}

// childKeys are t, c and n, disabled (left out of the help bar) where the record refuses them
// whatever the connection.
func (m detailModel) childKeys() []key.Binding {
	k := m.c.keys
	t, c, n := k.NewTask, k.NewContact, k.New
	if m.refusesChildren() != "" {
		t.SetEnabled(false)
		c.SetEnabled(false)
		n.SetEnabled(false)
	}
	return []key.Binding{t, c, n}
}

func (m detailModel) ShortHelp() []key.Binding {
	k := m.c.keys
	if !m.loaded || m.missing {
		// Nothing on the page takes a key until the record is there.
		return []key.Binding{k.Online, k.Pending, k.Back, k.Help}
	}
	if m.find.on {
		return findHelp(k)
	}
	out := append(m.entryKeys(), m.editKeys()...)
	next := k.NextPane
	if len(m.related) == 0 {
		next.SetEnabled(false) // no related list to move to
	}
	if m.childNote() == "" { // offered and working: not while offline, nor on a locked record
		out = append(out, m.offeredChildKeys()...)
	}
	return append(out, next, k.Online, k.Pending, k.Back, k.Help)
}

// offeredChildKeys are the keys of the new-record items the action bar offers, as it words
// them: t always, c on an Account, n for the related list in view when t and c make another
// kind.
func (m detailModel) offeredChildKeys() []key.Binding {
	all := m.childKeys()
	out := []key.Binding{all[0]}
	if m.object == "Account" {
		out = append(out, all[1])
	}
	if child := m.newInView(); child != "" {
		n := all[2]
		n.SetHelp("n", "new "+strings.ToLower(m.c.singleLabel(child)))
		out = append(out, n)
	}
	return out
}

// newInView is the object n makes a record of on the action bar: that of the related list in
// view, unless t or c already makes that kind ("" then, and when the record has no related
// list).
func (m detailModel) newInView() string {
	if len(m.related) == 0 {
		return ""
	}
	child := m.related[max(0, m.pane-1)].child
	if child == "Task" || child == "Contact" && m.object == "Account" {
		return ""
	}
	return child
}

func (m detailModel) FullHelp() [][]key.Binding {
	k := m.c.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.NextPane, k.PrevPane, k.Open, findFieldPageKey}, append(append(m.entryKeys(), m.editKeys()...), m.childKeys()...), k.globalKeys()}
}

// systemFields are listed after the record's own fields.
var systemFields = map[string]bool{"OwnerId": true, "CreatedDate": true, "CreatedById": true, "LastModifiedDate": true, "LastModifiedById": true}

func orderedFields(fs []remote.Field) []remote.Field {
	out := make([]remote.Field, 0, len(fs))
	for _, f := range fs {
		if !systemFields[f.Name] {
			out = append(out, f)
		}
	}
	for _, f := range fs {
		if systemFields[f.Name] {
			out = append(out, f)
		}
	}
	return out
}

// quoteJoined quotes a value as %q does, but leaves zero-width joiners as they are: they join an
// emoji sequence (a family, a flag) that the field's own row shows joined, and are no control.
func quoteJoined(v string) string {
	parts := strings.Split(v, "\u200d")
	for i, p := range parts {
		q := strconv.Quote(p)
		parts[i] = q[1 : len(q)-1]
	}
	return `"` + strings.Join(parts, "\u200d") + `"`
}
