package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// statusBarOf is the line above the help bar: the status bar.
func statusBarOf(v string) string {
	lines := strings.Split(v, "\n")
	return lines[len(lines)-2]
}

func TestStatusBarDropsWholePartsBeforeItCutsTheSashCounts(t *testing.T) {
	both := []pending.Status{pending.StatusConflict, pending.StatusFailed}
	tests := []struct {
		name      string
		width     int
		online    bool
		statuses  []pending.Status
		want, not []string
	}{
		// The network's condition outlasts the API usage and the last sync, shortened.
		{"60 offline, one red", 60, false, []pending.Status{pending.StatusFailed}, []string{"1 pending", "✖ 1 can't be saved", "flaky (20% drop)"}, []string{"API", "last sync"}},
		{"60 offline", 60, false, both, []string{" OFFLINE ", "▲ 1 needs attention", "✖ 1 can't be saved"}, []string{"API", "flaky"}},
		{"60 online", 60, true, both, []string{" ONLINE ", "▲ 1 needs attention", "✖ 1 can't be saved"}, []string{"API", "flaky"}},
		{"80 offline", 80, false, both, []string{"2 pending", "▲ 1 needs attention", "✖ 1 can't be saved"}, nil},
		{"200 online", 200, true, both, []string{"2 pending", "▲ 1 needs attention", "✖ 1 can't be saved", "last sync Mar 4 10:30", "flaky", "API used 18/15000"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := seededFake(3)
			f.online = tc.online
			for i, st := range tc.statuses {
				f.setEntry(pending.Entry{ID: fmt.Sprint("e", i), Object: "Account", RecordID: fmt.Sprintf("001%015d", i),
					Op: pending.OpUpdate, Status: st, Code: "ENTITY_IS_DELETED"})
			}
			d := newDriverWith(t, Options{Backend: f,
				NetStatus: func() string { return "flaky (20% dropped)" },
				LimitInfo: func() string { return "api-usage=18/15000" }}, tc.width, 24)
			bar := statusBarOf(d.view())
			if strings.Contains(bar, "…") || lipgloss.Width(bar) > tc.width {
				t.Errorf("the status bar is cut: %q", bar)
			}
			for _, w := range tc.want {
				if !strings.Contains(bar, w) {
					t.Errorf("the status bar %q lacks %q", bar, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(bar, w) {
					t.Errorf("the status bar %q keeps %q, which should have given way", bar, w)
				}
			}
		})
	}
}

func TestRecordHighlightsWrapInsteadOfCuttingAValue(t *testing.T) {
	const email = "alexandra.konstantinopoulou-vanderbilt@northwind-traders.example.com"
	tests := []struct {
		object, id string
		fields     remote.Fields
		want       []string
	}{
		{"Account", "001000000000000000", remote.Fields{"Industry": "Telecommunications", "Phone": "(475) 664-9610", "Rating": "Hot"},
			[]string{"Industry: Telecommunications", "Account Phone: (475) 664-9610", "Account Rating: Hot"}},
		{"Contact", "003000000000000001", remote.Fields{"Email": email}, []string{"Email: " + email}},
	}
	for _, tc := range tests {
		for _, size := range [][2]int{{60, 24}, {80, 24}, {200, 60}} {
			t.Run(sprintf("%s/%dx%d", tc.object, size[0], size[1]), func(t *testing.T) {
				f := seededFake(1)
				d := f.desc["Account"]
				d.Fields = append(d.Fields, remote.Field{Name: "Rating", Label: "Account Rating", Type: "picklist", Updateable: true, Nillable: true,
					PicklistValues: []remote.PicklistValue{{Value: "Hot", Active: true}}})
				for _, r := range f.records[tc.object] {
					if r["Id"] == tc.id {
						for k, v := range tc.fields {
							r[k] = v
						}
					}
				}
				dr := newDriver(t, f, size[0], size[1])
				dr.send(openRecordMsg{object: tc.object, id: tc.id})
				dr.requireView("[e] Edit")
				dr.requireFits(size[0])
				// The lines above the action bar: the name and the highlights.
				var head []string
				for _, l := range strings.Split(dr.view(), "\n") {
					if strings.HasPrefix(l, "[e] Edit") {
						break
					}
					head = append(head, l)
				}
				if h := strings.Join(head, "\n"); strings.Contains(h, "…") {
					t.Fatalf("the highlights are cut:\n%s", dr.view())
				}
				// A value may go on to the next line (a word longer than the line is broken),
				// but it is never cut.
				words := strings.Join(strings.Fields(strings.Join(head, " ")), " ")
				broken := strings.Join(head, "")
				for _, w := range tc.want {
					if !strings.Contains(words, w) && !strings.Contains(broken, w) {
						t.Errorf("the highlights lack %q whole:\n%s", w, dr.view())
					}
				}
			})
		}
	}
}

func TestPendingChangesColumnsTakeTheirContentWidthAndLeaveTheRestAtTheEnd(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d := newDriver(t, pendingFake(), size[0], size[1])
			d.keys("p")
			// The longest name, three spaces, then the change and when.
			d.requireView("Blue Sun Industries   Edit   Mar 4 10:30", "Blue Sun Partners     Edit   Mar 4 10:30")
			for _, l := range strings.Split(d.view(), "\n") {
				if strings.Contains(l, "Record") {
					if i, j := strings.Index(l, "Record"), strings.Index(l, "Change"); j-i != len("Blue Sun Industries   ") {
						t.Fatalf("Change is %d cells after Record, want %d:\n%s", j-i, len("Blue Sun Industries   "), d.view())
					}
				}
			}
			d.refuseCutBody()
			d.requireFits(size[0])
		})
	}
}

func TestBackstageHelpBarShowsThePicklistChoosersKeysWhileItIsOpen(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d := newDriverWith(t, Options{Backend: seededFake(2), Backstage: stageRefusing{}}, size[0], size[1])
			d.keys("enter", "enter", "B", "enter")
			d.requireView("▸ Account Name")
			d.keys("tab")
			d.requireView("▸ Industry")
			if bar := helpBarOf(d.view()); !strings.Contains(bar, "ctrl+s run") || !strings.Contains(bar, "enter/space list values") {
				t.Errorf("on a picklist the help bar is %q", bar)
			}
			d.keys("enter")
			d.requireView("filter:")
			bar := helpBarOf(d.view())
			for _, w := range []string{"enter choose", "esc close list", "↑/↓ move", "a-z filter"} {
				if !strings.Contains(bar, w) {
					t.Errorf("with the chooser open the help bar lacks %q: %q", w, bar)
				}
			}
			for _, w := range []string{"ctrl+s", "tab next", "esc back"} {
				if strings.Contains(bar, w) {
					t.Errorf("with the chooser open the help bar offers %q: %q", w, bar)
				}
			}
			d.keys("esc")
			d.refuseView("filter:")
			if bar := helpBarOf(d.view()); !strings.Contains(bar, "ctrl+s run") {
				t.Errorf("after the chooser closed the help bar is %q", bar)
			}
		})
	}
}

func TestConflictHintUnderTheTypingBoxSaysWhatTheHelpBarSays(t *testing.T) {
	for _, size := range [][2]int{{60, 24}, {80, 24}, {200, 60}} {
		t.Run(sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := seededFake(2)
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
				Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "1"},
				Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "2", Mine: "1"}}})
			d := newDriver(t, f, size[0], size[1])
			d.keys("p", "r")
			for _, step := range []struct{ key, hint string }{
				{"v", "typing replaces this value · tab/enter set the value · esc cancel · ←/→ move in the value"},
				{"left", "tab/enter set the value · esc cancel · ←/→ move in the value"},
			} {
				d.keys(step.key)
				if bar := helpBarOf(d.view()); !strings.Contains(bar, "tab/enter set the value · esc cancel · ←/→ move in the value") {
					t.Fatalf("while typing the help bar is %q", bar)
				}
				// The hint under the box, on as many lines as it takes.
				lines := strings.Split(d.view(), "\n")
				var under []string
				for i, l := range lines[:len(lines)-2] {
					if strings.Contains(l, "new value: ") {
						under = lines[i+1:]
						break
					}
				}
				hint := strings.Join(strings.Fields(strings.Join(under, " ")), " ")
				if !strings.HasPrefix(hint, step.hint) {
					t.Errorf("after %s the hint under the typing box is %q, want %q:\n%s", step.key, hint, step.hint, d.view())
				}
				d.refuseCutBody()
				d.requireFits(size[0])
			}
		})
	}
}

func TestTitleBarKeepsTheTitleOfTheScreenOnTopWhole(t *testing.T) {
	for _, size := range [][2]int{{60, 24}, {80, 24}, {200, 60}} {
		t.Run(sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := seededFake(0)
			f.add("Account", remote.Fields{"Id": "001000000000000011", "Name": "Adventure Logistics International", "Phone": "555-0100"})
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000011", Name: "Adventure Logistics International",
				Op: pending.OpUpdate, Status: pending.StatusConflict, Changes: remote.Fields{"Phone": "1"},
				Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "2", Mine: "1"}}})
			d := newDriver(t, f, size[0], size[1])
			d.keys("enter", "enter", "p", "r")
			title := strings.Split(d.view(), "\n")[0]
			want := "offline-edit › Accounts › Adventure Logistics International › Pending Changes › Resolve conflict"
			if size[0] < lipgloss.Width(want) {
				want = "› Pending Changes › Resolve conflict"
				if !strings.HasPrefix(title, "offline-edit › … ") {
					t.Errorf("the title bar %q does not start with the app and a …", title)
				}
			}
			if !strings.HasSuffix(title, want) || lipgloss.Width(title) > size[0] {
				t.Errorf("the title bar is %q, want it to end %q", title, want)
			}
		})
	}
}

func TestBackstageFormHelpBarSaysWhatTheFormsHintSays(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d := newDriverWith(t, Options{Backend: seededFake(2), Backstage: stageRefusing{}}, size[0], size[1])
			d.keys("enter", "enter", "B", "enter")
			d.requireView("▸ Account Name", "ctrl+s run · esc cancel")
			bar := helpBarOf(d.view())
			for _, w := range []string{"ctrl+s run", "tab next", "esc cancel"} {
				if !strings.Contains(bar, w) {
					t.Errorf("the help bar %q lacks %q", bar, w)
				}
			}
			for _, w := range []string{"save", "esc back"} {
				if strings.Contains(bar, w) {
					t.Errorf("the help bar %q says %q where the form says otherwise", bar, w)
				}
			}
		})
	}
}

func TestDeleteConflictSaysWhatHappenedWholeAt80(t *testing.T) {
	for _, size := range [][2]int{{60, 24}, {80, 24}, {200, 60}} {
		t.Run(sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := seededFake(2)
			f.setEntry(pending.Entry{ID: "e1", Object: "Account", RecordID: "001000000000000000", Name: "Acme 000000",
				Op: pending.OpDelete, Status: pending.StatusConflict,
				Conflicts: []pending.Conflict{{Field: "Phone", Base: "555-0100", Theirs: "555-0199 extension 4410, ask for the front desk", TheirsBy: samID, TheirsAt: f.now}}})
			d := newDriver(t, namedBackend{f, map[string]string{samID: "Sam Chen"}}, size[0], size[1])
			d.keys("p", "r")
			d.requireView("Delete anyway")
			v := strings.Join(strings.Fields(d.view()), " ")
			for _, w := range []string{"another user changed it before your delete reached the org.",
				`Account Phone: now "555-0199 extension 4410, ask for the front desk" (Sam Chen, Mar 4 10:30)`} {
				if !strings.Contains(v, w) {
					t.Errorf("the screen lacks %q whole:\n%s", w, d.view())
				}
			}
			d.refuseCutBody()
			d.requireFits(size[0])
		})
	}
}

func TestConflictRowsKeepWhoAndWhenWholeBesideALongValue(t *testing.T) {
	for _, size := range [][2]int{{60, 24}, {80, 24}, {200, 60}} {
		t.Run(sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := ownedFake()
			f.entries[0].Conflicts[0].Theirs = "555-0199 extension 4410, ask for the front desk"
			d := newDriver(t, namedBackend{f, map[string]string{samID: "Sam Chen"}}, size[0], size[1])
			d.keys("p", "r")
			d.requireView("Resolve conflict")
			v := strings.Join(strings.Fields(d.view()), " ")
			if !strings.Contains(v, "theirs 555-0199 extension 4410, ask for the front desk (Sam Chen, Mar 4 10:30)") {
				t.Errorf("the theirs row is not whole:\n%s", d.view())
			}
			d.refuseCutBody()
			d.requireFits(size[0])
			d.keys("t")
			d.refuseCutBody()
		})
	}
}

// A simulated bad network stays on the bar at 80 columns beside both sash counts, without the
// "online" that ONLINE says already; it goes, whole, only where the counts need the room.
func TestTheNetworkConditionStaysOnTheBarBesideTheSashCounts(t *testing.T) {
	for _, tc := range []struct {
		status, want string
	}{
		{"online · 300±100ms", "300±100ms"},
		{"online · 50% replies lost", "50% lost"},
		{"online · 20% dropped", "20% drop"},
		{"online", ""},
	} {
		f := seededFake(3)
		f.online = true
		for i, st := range []pending.Status{pending.StatusConflict, pending.StatusFailed} {
			f.setEntry(pending.Entry{ID: fmt.Sprint("e", i), Object: "Account", RecordID: fmt.Sprintf("001%015d", i),
				Op: pending.OpUpdate, Status: st, Code: "ENTITY_IS_DELETED"})
		}
		d := newDriverWith(t, Options{Backend: f, NetStatus: func() string { return tc.status },
			LimitInfo: func() string { return "api-usage=18/15000" }}, 80, 24)
		bar := statusBarOf(d.view())
		if !strings.Contains(bar, "▲ 1 needs attention · ✖ 1 can't be saved") || strings.Contains(bar, "online") ||
			tc.want != "" && !strings.Contains(bar, tc.want) || lipgloss.Width(bar) > 80 {
			t.Errorf("%q: the status bar is %q", tc.status, bar)
		}
	}
}

// A network condition gives way before the sync's progress does: at 90 columns with both sash
// counts, "⟳ syncing 40/120" stays.
func TestTheSyncsProgressOutlastsTheNetworkCondition(t *testing.T) {
	f := seededFake(3)
	f.online = true
	for i, st := range []pending.Status{pending.StatusConflict, pending.StatusFailed} {
		f.setEntry(pending.Entry{ID: fmt.Sprint("e", i), Object: "Account", RecordID: fmt.Sprintf("001%015d", i),
			Op: pending.OpUpdate, Status: st, Code: "ENTITY_IS_DELETED"})
	}
	d := newDriverWith(t, Options{Backend: f, NetStatus: func() string { return "online · 300±100ms · 20% dropped" },
		LimitInfo: func() string { return "api-usage=18/15000" }}, 90, 24)
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncStarted}})
	d.send(eventMsg{pending.Event{Kind: pending.EventSyncProgress, Done: 40, Total: 120}})
	if bar := statusBarOf(d.view()); !strings.Contains(bar, "⟳ syncing 40/120") || !strings.Contains(bar, "✖ 1 can't be saved") {
		t.Fatalf("the status bar is %q", bar)
	}
}
