package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap holds every binding. The letters of DESIGN §6 never change meaning.
type keyMap struct {
	Online, Pending, New, Edit, Delete, Open, Back, Filter, Help, Quit, ForceQuit, Save, Dismiss, Resolve key.Binding
	Up, Down, PageUp, PageDown, Top, Bottom                                                               key.Binding
	NewTask, NewContact, NextPane, PrevPane                                                               key.Binding
	Mine, Theirs, AllMine, AllTheirs, Value                                                               key.Binding
	Yes, No                                                                                               key.Binding
	Backstage, Log, NextStep, Report, ActAs, LogScope                                                     key.Binding
	// OnlineAnywhere switches online/offline also where letters are text (a form, a filter);
	// HelpAnywhere opens the help there.
	OnlineAnywhere, HelpAnywhere key.Binding
}

func defaultKeys() keyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return keyMap{
		Online:     b("o", "online/offline", "o"),
		Pending:    b("p", "pending changes", "p"),
		New:        b("n", "new", "n"),
		Edit:       b("e", "edit", "e"),
		Delete:     b("d", "delete", "d"),
		Open:       b("enter", "open", "enter"),
		Back:       b("esc", "back", "esc"),
		Filter:     b("/", "filter", "/"),
		Help:       b("?", "help", "?"),
		Quit:       b("q", "quit", "q"),
		ForceQuit:  b("ctrl+c", "quit", "ctrl+c"),
		Save:       b("ctrl+s", "save", "ctrl+s"),
		Dismiss:    b("x", "dismiss/discard", "x"),
		Resolve:    b("r", "resolve/retry", "r"),
		Up:         b("↑/k", "up", "up", "k"),
		Down:       b("↓/j", "down", "down", "j"),
		PageUp:     b("pgup", "page up", "pgup"),
		PageDown:   b("pgdn", "page down", "pgdown", " "),
		Top:        b("g/home", "first", "g", "home"),
		Bottom:     b("G/end", "last", "G", "end"),
		NewTask:    b("t", "new task", "t"),
		NewContact: b("c", "new contact", "c"),
		NextPane:   b("tab", "next", "tab"),
		PrevPane:   b("shift+tab", "previous", "shift+tab"),
		Mine:       b("m", "keep mine", "m"),
		Theirs:     b("t", "take theirs", "t"),
		AllMine:    b("M", "keep mine on every field not given a value", "M"),
		AllTheirs:  b("T", "take theirs on every field not given a value", "T"),
		Value:      b("v", "type a value", "v"),
		Yes:        b("y", "yes", "y", "Y"),
		No:         b("n/esc", "no", "n", "N", "esc"),
		Backstage:  b("B", "backstage", "B"),
		Log:        b("L", "log", "L"),
		NextStep:   b("N/ctrl+n", "next scenario step", "N", "ctrl+n"),
		Report:     b("F", "scenario's failed checks", "F"),
		ActAs:      b("u", "act as sam/admin", "u"),
		LogScope:   b("f", "all / this record", "f"),
		// ctrl+o: o is text in a form; going offline there ends a send the org is holding.
		OnlineAnywhere: b("ctrl+o", "online/offline (also where o is text)", "ctrl+o"),
		// f1: ? is text in a form.
		HelpAnywhere: b("f1", "help", "f1"),
	}
}

// globalKeys are shown on every screen's full help.
func (k keyMap) globalKeys() []key.Binding {
	return []key.Binding{k.Online, k.Pending, k.Back, k.Help, k.Quit, k.Backstage, k.Log}
}
