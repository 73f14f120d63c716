package main

import (
	"io"
	"strings"
	"testing"
)

// Queueing from a script prints nothing but what it asked for (the new record's id); at a
// terminal each queueing command confirms what it queued and what the queue holds.
func TestQueueCommandsConfirmOnlyOnATerminal(t *testing.T) {
	dir := t.TempDir()
	must := succeeds(t, dir)
	must("sync")
	if out := must("edit", "Account", "Acme Group", "Phone=555-0100"); out != "" {
		t.Fatalf("edit from a script printed %q", out)
	}
	onTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { onTerminal = isTerminal })
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"edit", "Account", "Acme Group", "Rating=Hot", "Phone=555-0101"},
			`Queued an edit of Account "Acme Group" (Phone, Rating). Pending: 1 change waits to sync. "offline-edit sync" sends it.`},
		{[]string{"delete", "Account", "Adventure Logistics"},
			`Queued the delete of Account "Adventure Logistics". Pending: 2 changes wait to sync. "offline-edit sync" sends them.`},
		{[]string{"discard", "Account", "Adventure Logistics"},
			`Discarded the delete of Account "Adventure Logistics". Pending: 1 change waits to sync. "offline-edit sync" sends it.`},
		{[]string{"discard", "Account", "Acme Group"},
			`Discarded the edit of Account "Acme Group". Nothing is pending.`},
	}
	for _, s := range steps {
		if out := must(s.args...); out != s.want {
			t.Errorf("%v said\n%s\nwant\n%s", s.args, out, s.want)
		}
	}
	out := must("new", "Account", "Name=Zeta \x1b[31mred")
	id, said, _ := strings.Cut(out, "\n")
	if !strings.HasPrefix(id, "local-") || said != `Queued the new Account "Zeta \x1b[31mred". Pending: 1 change waits to sync. "offline-edit sync" sends it.` {
		t.Errorf("new said %q", out)
	}
	if out := must("delete", "Account", id); !strings.HasPrefix(out, `Dropped the new Account "Zeta`) || !strings.HasSuffix(out, "Nothing is pending.") {
		t.Errorf("delete of a new record said %q", out)
	}
}
