package scenario

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/offline-edit/offline-edit/internal/plain"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/netsim"
)

// Failure is one expectation that did not hold.
type Failure struct {
	Line     int    `json:"line"`
	What     string `json:"what"`
	Expected string `json:"expected"`
	Found    string `json:"found"`
}

func (f Failure) String() string {
	return fmt.Sprintf("line %d: %s: expected %s, found %s", f.Line, f.What, f.Expected, f.Found)
}

// StepResult is what one step did.
type StepResult struct {
	Index    int       `json:"index"` // 0-based; -1 for the check before the first step
	Line     int       `json:"line"`
	Text     string    `json:"text"` // the step as a person reads it
	Outcome  string    `json:"outcome,omitempty"`
	Failures []Failure `json:"failures,omitempty"`
	Err      error     `json:"-"`
	Error    string    `json:"error,omitempty"` // Err as text, for JSON
}

// OK reports whether the step ran and every check held.
func (r StepResult) OK() bool { return r.Err == nil && len(r.Failures) == 0 }

// Stepper runs a scenario one step at a time.
type Stepper struct {
	sc        *Scenario
	env       *Env
	next      int
	validated bool
	stopped   bool
	refs      map[string]*recordState
	rules     map[string]string // rule ref → org rule id
	adhoc     bool              // steps come one by one from Env.Do, not from a file
	lastRule  string            // org id of the rule the last add_rule added
}

type recordState struct {
	object  string
	id      string
	entryID string // the pending entry of a record I created (its Offline_Key__c)
	name    string
}

// NewStepper prepares to run sc on env. Nothing runs until Next.
func NewStepper(sc *Scenario, env *Env) *Stepper {
	return &Stepper{sc: sc, env: env, refs: map[string]*recordState{}, rules: map[string]string{}}
}

// Done reports whether no step is left to run (all ran, or a step failed to run).
func (s *Stepper) Done() bool { return s.stopped || s.next >= len(s.sc.Steps) }

// Peek is the step Next would run, and whether there is one.
func (s *Stepper) Peek() (Step, bool) {
	if s.Done() {
		return Step{}, false
	}
	return s.sc.Steps[s.next], true
}

// Next runs one step and reports it; it returns false when nothing is left to run. Before the
// first step it checks the scenario against the org (Validate); a problem is reported as a
// result with Index -1 and stops the run. A step that fails to run (not an expectation that
// does not hold) stops the run too.
func (s *Stepper) Next(ctx context.Context) (StepResult, bool) {
	if !s.validated {
		s.validated = true
		if err := Validate(ctx, s.sc, s.env); err != nil {
			s.stopped = true
			line := 0
			var pe *ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return StepResult{Index: -1, Line: line, Text: "check the scenario against the org", Err: err, Error: err.Error()}, true
		}
	}
	if s.Done() {
		return StepResult{}, false
	}
	i := s.next
	if err := ctx.Err(); err != nil {
		// Interrupted (Ctrl-C): the steps left do not run.
		s.stopped = true
		st := s.sc.Steps[i]
		err = fmt.Errorf("interrupted before this step: %w", err)
		return StepResult{Index: i, Line: st.Line, Text: st.String(), Err: err, Error: err.Error()}, true
	}
	s.next++
	res := s.run(ctx, i, s.sc.Steps[i])
	if res.Err != nil {
		s.stopped = true
	}
	return res, true
}

// run runs one step: the clock moves on a second (a virtual clock), the step runs, and a
// step that must be refused is checked.
func (s *Stepper) run(ctx context.Context, i int, st Step) StepResult {
	res := StepResult{Index: i, Line: st.Line, Text: st.String()}
	if s.env.clock.Virtual() {
		s.env.clock.Advance(time.Second)
	}
	x := &exec{s: s, st: st, res: &res}
	err := x.run(ctx)
	if st.ExpectError != "" {
		switch {
		case err == nil:
			x.fail("error", st.ExpectError, "the step succeeded")
		case !errorMatches(err, st.ExpectError):
			x.fail("error", st.ExpectError, err.Error())
		case res.Outcome != "":
			x.outcome("refused as expected (" + st.ExpectError + ")")
		default:
			x.outcome("refused as expected: " + err.Error())
		}
		err = nil
	}
	if err != nil {
		if s.adhoc {
			res.Err = fmt.Errorf("%s: %w", st.Kind, err)
		} else {
			res.Err = fmt.Errorf("%s:%d: %s: %w", s.sc.File, st.Line, st.Kind, err)
		}
		res.Error = res.Err.Error()
	}
	return res
}

// exec runs one step.
type exec struct {
	s   *Stepper
	st  Step
	res *StepResult
}

func (x *exec) fail(what, expected, found string) {
	x.res.Failures = append(x.res.Failures, Failure{Line: x.st.Line, What: what, Expected: expected, Found: found})
}

func (x *exec) outcome(s string) {
	if x.res.Outcome != "" {
		x.res.Outcome += "; "
	}
	x.res.Outcome += s
}

func (x *exec) run(ctx context.Context) error {
	env, st := x.s.env, x.st
	eng := env.engine
	switch st.Kind {
	case KindOffline:
		eng.SetOnline(false)
	case KindOnline:
		eng.SetOnline(true)
		return x.sync(ctx)
	case KindSync:
		return x.sync(ctx)
	case KindNetwork:
		c := st.Network
		env.net.SetConditions(netsim.Conditions{Latency: c.Latency, Jitter: c.Jitter, DropRate: c.Drop, LossyRate: c.Lossy, ErrorRate: c.Errors})
		if env.net.Online() {
			x.outcome(env.net.String())
		} else {
			x.outcome("set; the device is offline, so they apply once it goes online") // the step did not take it offline
		}
	case KindWait:
		env.clock.Advance(st.Wait)
	case KindCreate:
		return x.create(ctx)
	case KindEdit, KindDelete:
		return x.change(ctx)
	case KindShare, KindUnshare:
		_, id, err := x.s.resolve(ctx, st.Record)
		if err != nil {
			return err
		}
		access := st.Access
		if st.Kind == KindUnshare {
			access = "none"
		}
		admin, err := env.adminAPI(ctx)
		if err != nil {
			return err
		}
		return admin.Share(ctx, id, env.Username(st.User), access)
	case KindCheck:
		// As the record's page does when it opens online: the device learns a share (or its
		// end) now rather than at the next sync.
		_, id, err := x.s.resolve(ctx, st.Record)
		if err != nil {
			return err
		}
		acc, err := eng.CheckAccess(ctx, id)
		if errors.Is(err, pending.ErrNotFound) {
			// The org no longer shows it to me (unshared, deleted): an answer, as the page takes
			// it, not a failure of the step.
			x.outcome("no longer visible to me on the org")
			return nil
		}
		if err != nil {
			return err
		}
		x.outcome("access " + cmp.Or(string(acc), "full"))
	case KindLock, KindUnlock:
		_, id, err := x.s.resolve(ctx, st.Record)
		if err != nil {
			return err
		}
		if pending.IsLocalID(id) {
			return fmt.Errorf("%s exists only on this device until it syncs; the org has no row to lock", st.Record)
		}
		admin, err := env.adminAPI(ctx)
		if err != nil {
			return err
		}
		if st.Kind == KindUnlock {
			held, err := admin.UnlockRow(ctx, id)
			if err == nil && !held {
				x.outcome("it held no lock")
			}
			return err
		}
		return admin.LockRow(ctx, id, st.Writes)
	case KindAddRule:
		admin, err := env.adminAPI(ctx)
		if err != nil {
			return err
		}
		r := st.Rule
		id, err := admin.AddRule(ctx, remote.Rule{Object: r.Object, Kind: r.Kind, Field: r.Field, Value: r.Value, OtherField: r.OtherField, Message: r.Message})
		if err != nil {
			return err
		}
		if st.Ref != "" {
			x.s.rules[st.Ref] = id
		}
		x.s.lastRule = id
		x.outcome("rule " + id)
	case KindRemoveRule:
		admin, err := env.adminAPI(ctx)
		if err != nil {
			return err
		}
		id, ok := x.s.rules[st.RuleRef]
		if !ok && x.s.adhoc {
			// A step built by the app names any rule of the org by its id.
			id, ok = st.RuleRef, st.RuleRef != ""
		}
		if !ok {
			return fmt.Errorf("rule %s was not added", st.RuleRef)
		}
		return admin.RemoveRule(ctx, id)
	case KindExpire:
		return env.Expire(ctx, st.User)
	case KindSignin:
		if err := env.SignIn(ctx); err != nil {
			return err
		}
		return x.autoSync(ctx)
	case KindResolve, KindFix, KindDismiss, KindDiscard, KindRetry:
		return x.resolution(ctx)
	case KindExpect:
		return x.expect(ctx)
	default:
		return fmt.Errorf("unknown step kind %q", st.Kind)
	}
	return nil
}

// sync runs the sync that going online (or a sync step) starts, and checks its counts.
func (x *exec) sync(ctx context.Context) error {
	sum, err := x.s.env.engine.Sync(ctx)
	x.outcome(summaryText(sum, x.red(ctx), err))
	if err != nil {
		// A transient failure (lost reply, dropped request, 503) leaves changes green for a
		// retry, as the app shows them; it stops nothing unless the step expects an error.
		if x.st.ExpectError != "" || pending.Classify(err) != pending.ClassTransient {
			return err
		}
	}
	if want := x.st.Summary; want != nil {
		for _, c := range []struct {
			name  string
			want  *int
			found int
		}{
			{"synced", want.Synced, sum.Synced}, {"merged", want.Merged, sum.Merged},
			{"attention", want.Attention, sum.Attention}, {"retrying", want.Retrying, sum.Retrying},
			{"waiting", want.Waiting, sum.Waiting},
		} {
			if c.want != nil && *c.want != c.found {
				x.fail("sync "+c.name, strconv.Itoa(*c.want), strconv.Itoa(c.found))
			}
		}
	}
	return nil
}

// autoSync is the sync the app runs by itself after a change made while online.
func (x *exec) autoSync(ctx context.Context) error {
	eng := x.s.env.engine
	if !eng.Online() {
		return nil
	}
	sum, err := eng.Sync(ctx)
	x.outcome(summaryText(sum, x.red(ctx), err))
	return nil
}

func summaryText(s pending.Summary, red int, err error) string {
	red = min(red, s.Attention)
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{s.Synced, "synced"}, {s.Merged, "merged"}, {s.Attention - red, "need attention"}, {red, "can't be saved"}, {s.Retrying, "retrying"}, {s.Waiting, "waiting"}} {
		if c.n == 1 && c.what == "need attention" {
			c.what = "needs attention"
		}
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	text := "sync: " + strings.Join(parts, ", ")
	if len(parts) == 0 {
		text = "sync: nothing to push"
	}
	if err != nil {
		text += " (" + err.Error() + ")"
	}
	return text
}

// red counts the changes that can't be saved (a red sash) in the queue now: a sync's summary
// counts them with the orange ones, and the report says them apart, as `sync` and the app do.
func (x *exec) red(ctx context.Context) int {
	ents, err := x.s.env.engine.Entries(ctx)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range ents {
		if e.Status.Sash() == pending.SashRed {
			n++
		}
	}
	return n
}

// waitForNextSecond makes another user's write on a served org land in a later second than
// anything before it: the org compares If-Unmodified-Since at whole seconds.
func (x *exec) waitForNextSecond(ctx context.Context) error {
	if x.s.env.clock.Virtual() {
		return nil
	}
	now := time.Now()
	d := now.Truncate(time.Second).Add(time.Second + 20*time.Millisecond).Sub(now)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (x *exec) create(ctx context.Context) error {
	env, st := x.s.env, x.st
	fields, err := x.s.resolveFields(ctx, st.Fields)
	if err != nil {
		return err
	}
	var state *recordState
	if st.As == "" {
		id, err := env.engine.Create(ctx, st.Object, fields)
		if err != nil {
			return err
		}
		state = &recordState{object: st.Object, id: id}
		if ents, err := env.engine.Entries(ctx); err == nil {
			for _, en := range ents {
				if en.RecordID == id {
					state.entryID = en.ID
				}
			}
		}
		x.outcome("created " + id)
		if err := x.autoSync(ctx); err != nil {
			return err
		}
	} else {
		if err := x.waitForNextSecond(ctx); err != nil {
			return err
		}
		c, err := env.Client(ctx, st.As)
		if err != nil {
			return err
		}
		id, err := c.Create(ctx, st.Object, fields, remote.WriteOptions{})
		if err != nil {
			return err
		}
		state = &recordState{object: st.Object, id: id}
		x.outcome("created " + id + " as " + st.As)
	}
	if d, err := env.Describe(ctx, st.Object); err == nil {
		state.name = nameOf(d, st.Fields)
	}
	if st.Ref != "" {
		x.s.refs[st.Ref] = state
	}
	return nil
}

func (x *exec) change(ctx context.Context) error {
	env, st := x.s.env, x.st
	object, id, err := x.s.resolve(ctx, st.Record)
	if err != nil {
		return err
	}
	fields, err := x.s.resolveFields(ctx, st.Fields)
	if err != nil {
		return err
	}
	if st.As == "" {
		if st.Kind == KindEdit {
			err = env.engine.Edit(ctx, object, id, fields)
		} else {
			err = env.engine.Delete(ctx, object, id)
		}
		if errors.Is(err, pending.ErrNotFound) && !pending.IsLocalID(id) && st.ExpectError == "" {
			// A record shared or created on the org since the device last synced: it is not
			// on the device yet.
			return fmt.Errorf("%w; if it was shared with me or made on the org since the last sync, add a sync (or online) step first", err)
		}
		if err != nil {
			return err
		}
		return x.autoSync(ctx)
	}
	if err := x.waitForNextSecond(ctx); err != nil {
		return err
	}
	c, err := env.Client(ctx, st.As)
	if err != nil {
		return err
	}
	if st.Kind == KindEdit {
		return c.Update(ctx, object, id, fields, remote.WriteOptions{})
	}
	return c.Delete(ctx, object, id)
}

// entryOf finds the pending entry of a record.
func (x *exec) entryOf(ctx context.Context, object, id string) (pending.Entry, error) {
	eng := x.s.env.engine
	if rv, err := eng.Record(ctx, object, id); err == nil && rv.Entry != nil {
		return *rv.Entry, nil
	}
	ents, err := eng.Entries(ctx)
	if err != nil {
		return pending.Entry{}, err
	}
	for _, en := range ents {
		if en.RecordID == id {
			return en, nil
		}
	}
	return pending.Entry{}, fmt.Errorf("%s has no pending change: %w", x.st.Record, pending.ErrNotFound)
}

func (x *exec) resolution(ctx context.Context) error {
	env, st := x.s.env, x.st
	eng := env.engine
	object, id, err := x.s.resolve(ctx, st.Record)
	if err != nil {
		return err
	}
	en, err := x.entryOf(ctx, object, id)
	if err != nil {
		return err
	}
	switch st.Kind {
	case KindResolve:
		if st.Delete != "" {
			err = eng.ResolveDelete(ctx, en.ID, st.Delete == "anyway")
			break
		}
		var choices map[string]pending.Choice
		choices, err = choicesFor(en, st)
		if err == nil {
			err = x.s.resolveChoiceValues(ctx, choices)
		}
		switch {
		case err != nil:
		case st.Newer:
			err = eng.ResolveAgainst(ctx, en.ID, choices, nil)
		default:
			// On theirs as the conflict found them: a later sync that brought newer values
			// stops the step (changed_again), as the app and the resolve command stop.
			err = eng.Resolve(ctx, en.ID, choices)
			if errors.Is(err, pending.ErrTheirsMoved) && st.ExpectError == "" {
				err = fmt.Errorf("%w; add newer: true if the choices stand against the newer values", err)
			}
		}
	case KindFix:
		var fields remote.Fields
		if fields, err = x.s.resolveFields(ctx, st.Fields); err == nil {
			err = eng.Fix(ctx, en.ID, fields)
		}
	case KindDismiss:
		err = eng.Dismiss(ctx, en.ID)
	case KindDiscard:
		err = eng.Discard(ctx, en.ID)
	case KindRetry:
		err = eng.Retry(ctx, en.ID)
	}
	if err != nil {
		return err
	}
	if st.Kind == KindDismiss || st.Kind == KindDiscard {
		return nil
	}
	return x.autoSync(ctx)
}

// resolveChoiceValues replaces a typed new value written {ref: NAME} or {user: NAME} by the id it
// names, as in the fields of an edit.
func (s *Stepper) resolveChoiceValues(ctx context.Context, choices map[string]pending.Choice) error {
	values := remote.Fields{}
	for f, c := range choices {
		if c.Take == pending.TakeValue {
			values[f] = c.Value
		}
	}
	resolved, err := s.resolveFields(ctx, values)
	if err != nil {
		return err
	}
	for f, v := range resolved {
		c := choices[f]
		c.Value = v
		choices[f] = c
	}
	return nil
}

// choicesFor turns a resolve step into the engine's choices for the entry's conflicting fields.
func choicesFor(en pending.Entry, st Step) (map[string]pending.Choice, error) {
	if en.Status != pending.StatusConflict {
		return nil, fmt.Errorf("the change is %s, not in conflict: %w", en.Status, pending.ErrNotAllowed)
	}
	conflicting := map[string]bool{}
	var names []string
	for _, c := range en.Conflicts {
		conflicting[strings.ToLower(c.Field)] = true
		names = append(names, c.Field)
	}
	out := map[string]pending.Choice{}
	for f, c := range st.Choices {
		if !conflicting[strings.ToLower(f)] {
			return nil, fmt.Errorf("%s is not in conflict (conflicting: %s)", f, strings.Join(names, ", "))
		}
		for _, name := range names {
			if strings.EqualFold(name, f) {
				f = name
			}
		}
		out[f] = toChoice(c)
	}
	for _, name := range names {
		if _, ok := out[name]; ok {
			continue
		}
		if st.TakeAll == "" {
			return nil, fmt.Errorf("no choice for the conflicting field %s (add it to fields, or take: mine|theirs)", name)
		}
		out[name] = toChoice(Choice{Take: st.TakeAll})
	}
	return out, nil
}

func toChoice(c Choice) pending.Choice {
	switch c.Take {
	case "theirs":
		return pending.Choice{Take: pending.TakeTheirs}
	case "value":
		return pending.Choice{Take: pending.TakeValue, Value: c.Value}
	}
	return pending.Choice{Take: pending.TakeMine}
}

// errorMatches says whether err is the error an expect_error names.
func errorMatches(err error, want string) bool {
	apiErr, isAPI := remote.AsError(err)
	switch want {
	case "locked":
		return errors.Is(err, pending.ErrLocked)
	case "not_found":
		return errors.Is(err, pending.ErrNotFound) || (isAPI && (apiErr.HasCode("NOT_FOUND") || apiErr.HasCode("ENTITY_IS_DELETED")))
	case "not_allowed":
		return errors.Is(err, pending.ErrNotAllowed)
	case "changed_again":
		return errors.Is(err, pending.ErrTheirsMoved)
	case "auth":
		return errors.Is(err, pending.ErrAuth) || errors.Is(err, ErrSignedOut) || (isAPI && apiErr.Status == 401)
	case "offline":
		return errors.Is(err, remote.ErrOffline)
	case "network":
		return netsim.IsNetworkFailure(err) || errors.Is(err, remote.ErrOffline)
	}
	return isAPI && apiErr.HasCode(want)
}

// String is the step as a person reads it.
func (st Step) String() string {
	var b strings.Builder
	if st.As != "" && st.As != Me {
		b.WriteString("as " + st.As + ": ")
	}
	b.WriteString(string(st.Kind))
	switch st.Kind {
	case KindNetwork:
		if st.Network == nil || *st.Network == (Conditions{}) {
			b.WriteString(" normal")
		} else {
			c := st.Network
			if c.Latency > 0 {
				fmt.Fprintf(&b, " latency %s±%s", c.Latency, c.Jitter)
			}
			for _, r := range []struct {
				what string
				v    float64
			}{{"dropped", c.Drop}, {"lossy", c.Lossy}, {"errors", c.Errors}} {
				if r.v > 0 {
					fmt.Fprintf(&b, " %s %s", strconv.FormatFloat(r.v*100, 'f', -1, 64)+"%", r.what)
				}
			}
		}
	case KindWait:
		b.WriteString(" " + st.Wait.String())
	case KindCreate:
		b.WriteString(" " + st.Object)
		if st.Ref != "" {
			b.WriteString(" " + st.Ref)
		}
	case KindEdit, KindDelete, KindFix, KindDismiss, KindDiscard, KindRetry, KindResolve, KindShare, KindUnshare, KindLock, KindUnlock, KindCheck:
		b.WriteString(" " + st.Record.String())
	case KindAddRule:
		if r := st.Rule; r != nil {
			fmt.Fprintf(&b, " %s %s.%s", r.Kind, r.Object, r.Field)
			if r.Value != "" {
				b.WriteString(" " + r.Value)
			}
		}
	case KindRemoveRule:
		b.WriteString(" " + st.RuleRef)
	case KindExpire:
		b.WriteString(" " + userName(st.User))
	case KindExpect:
		b.WriteString(" " + st.Expect.String())
	}
	switch st.Kind {
	case KindShare:
		fmt.Fprintf(&b, " with %s (%s)", userName(st.User), st.Access)
	case KindUnshare:
		fmt.Fprintf(&b, " from %s", userName(st.User))
	case KindLock:
		switch {
		case st.Writes == 1:
			b.WriteString(" for 1 write")
		case st.Writes > 1:
			fmt.Fprintf(&b, " for %d writes", st.Writes)
		default:
			b.WriteString(" until unlocked")
		}
	case KindResolve:
		switch {
		case st.Delete == "anyway":
			b.WriteString(": delete anyway")
		case st.Delete == "keep":
			b.WriteString(": keep the record")
		default:
			var parts []string
			for _, f := range sortedChoiceKeys(st.Choices) {
				c := st.Choices[f]
				if c.Take == "value" {
					parts = append(parts, f+" = "+showValue(c.Value))
				} else {
					parts = append(parts, f+" "+c.Take)
				}
			}
			if st.TakeAll != "" {
				rest := "every field "
				if len(parts) > 0 {
					rest = "the other fields "
				}
				parts = append(parts, rest+st.TakeAll)
			}
			if st.Newer {
				parts = append(parts, "against the newer values")
			}
			b.WriteString(": " + strings.Join(parts, ", "))
		}
	}
	if len(st.Fields) > 0 {
		b.WriteString(" " + showFields(st.Fields))
	}
	if st.ExpectError != "" {
		b.WriteString(" (must be refused: " + st.ExpectError + ")")
	}
	return b.String()
}

// String is the expectation as a person reads it.
func (e *Expectation) String() string {
	if e == nil {
		return ""
	}
	var parts []string
	if !e.Record.IsZero() {
		var rec []string
		for _, kv := range [][2]string{{"sash", e.Sash}, {"status", e.Status}, {"code", e.Code}, {"message ~", e.Message}, {"access", e.Access}} {
			if kv[1] != "" {
				rec = append(rec, kv[0]+" "+kv[1])
			}
		}
		if e.Attempts != nil {
			rec = append(rec, "attempts "+strconv.Itoa(*e.Attempts))
		}
		if len(e.Cache) > 0 {
			rec = append(rec, "cache "+showFields(e.Cache))
		}
		if len(e.Org) > 0 {
			rec = append(rec, "org "+showFields(e.Org))
		}
		if e.OrgExists != nil {
			rec = append(rec, map[bool]string{true: "exists on the org", false: "not on the org"}[*e.OrgExists])
		}
		if len(e.Conflicts) > 0 {
			rec = append(rec, "conflicts "+showFields(e.Conflicts))
		}
		parts = append(parts, e.Record.String()+": "+strings.Join(rec, ", "))
	}
	if e.Pending != nil {
		parts = append(parts, fmt.Sprintf("pending %d", *e.Pending))
	}
	if e.Attention != nil {
		parts = append(parts, fmt.Sprintf("attention %d", *e.Attention))
	}
	if c := e.Count; c != nil {
		q := c.Object
		if c.Where != "" {
			q += " WHERE " + c.Where
		}
		parts = append(parts, fmt.Sprintf("%d on the org: %s", c.Is, q))
	}
	if c := e.Cached; c != nil {
		parts = append(parts, fmt.Sprintf("%d on this device: %s named %s", c.Is, c.Object, showText(c.Name, 0)))
	}
	return strings.Join(parts, "; ")
}

func sortedChoiceKeys(m map[string]Choice) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func showFields(f remote.Fields) string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + showValue(f[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// maxShown is the most characters of a text value a step, a check or a message shows.
const maxShown = 120

// showValue is v as JSON for a person to read; a long text is cut to its start and its length.
func showValue(v any) string {
	switch x := v.(type) {
	case string:
		return showText(x, 0)
	case RefTo:
		return "{ref: " + x.Ref + "}" // as the file writes it
	case UserTo:
		if x.User == Me {
			return "{user: me}"
		}
		return "{user: " + x.User + "}"
	}
	b, err := marshalPlain(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// marshalPlain is json.Marshal without its escapes for HTML ("A&B", not "A\u0026B"), and with
// every rune that does not print escaped as JSON escapes it, which JSON leaves as it is: the C1
// controls and the format characters (U+009D, U+202E). Shown raw, a terminal would act on them,
// or the cleaning of the line would take them away with what follows them.
func marshalPlain(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	if !bytes.ContainsFunc(out, unprintable) {
		return out, nil
	}
	var e []byte
	for _, r := range string(out) {
		if !unprintable(r) {
			e = utf8.AppendRune(e, r)
			continue
		}
		if r > 0xFFFF {
			hi, lo := utf16.EncodeRune(r)
			e = fmt.Appendf(e, `\u%04x\u%04x`, hi, lo)
			continue
		}
		e = fmt.Appendf(e, `\u%04x`, r)
	}
	return e, nil
}

// unprintable reports the runes a quoted value shows escaped: controls and format characters.
func unprintable(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }

// showText is s quoted; when it is longer than maxShown characters, only maxShown of them from
// the rune from (moved back a little, so what comes before shows too) with … for what is left
// out, and the length.
func showText(s string, from int) string {
	r := []rune(s)
	if len(r) <= maxShown {
		b, _ := marshalPlain(s)
		return string(b)
	}
	start := max(0, min(from-maxShown/4, len(r)-maxShown))
	end := start + maxShown
	b, _ := marshalPlain(string(r[start:end]))
	out := string(b[1 : len(b)-1])
	if start > 0 {
		out = "…" + out
	}
	if end < len(r) {
		out += "…"
	}
	return fmt.Sprintf(`"%s" (%d characters)`, out, len(r))
}

// showPair is what a check expected and found; when a long text differs, both show the part
// around the first difference.
func showPair(want, found any) (string, string) {
	w, ok1 := want.(string)
	f, ok2 := found.(string)
	if !ok1 || !ok2 {
		return showValue(want), showValue(found)
	}
	rw, rf := []rune(w), []rune(f)
	i := 0
	for i < len(rw) && i < len(rf) && rw[i] == rf[i] {
		i++
	}
	return showText(w, i), showText(f, i)
}

// Report is the outcome of a whole run.
type Report struct {
	File   string       `json:"file"`
	Name   string       `json:"name"`
	Passed bool         `json:"passed"`
	Steps  []StepResult `json:"steps"`
	Error  string       `json:"error,omitempty"` // why the run stopped early
	// Overrides are the settings the command line gave instead of the file's (Scenario.Overrides).
	Overrides []string `json:"overrides,omitempty"`
}

// Failures lists every failed expectation of the run.
func (r Report) Failures() []Failure {
	var out []Failure
	for _, s := range r.Steps {
		out = append(out, s.Failures...)
	}
	return out
}

// Run runs every step of sc on env, printing each step and each failure to out (which may be
// nil), and reports whether everything passed.
func Run(ctx context.Context, sc *Scenario, env *Env, out io.Writer) Report {
	if out == nil {
		out = io.Discard
	}
	rep := Report{File: sc.File, Name: sc.Name, Passed: true, Overrides: sc.Overrides}
	fmt.Fprintf(out, "scenario %s: %s\n", sanitize(sc.File), sanitize(sc.Name))
	for _, o := range sc.Overrides {
		fmt.Fprintf(out, "  with %s\n", sanitize(o))
	}
	s := NewStepper(sc, env)
	stopped := -1 // the step Ctrl-C stopped before
	for {
		res, ok := s.Next(ctx)
		if !ok {
			break
		}
		rep.Steps = append(rep.Steps, res)
		mark := "ok  "
		interrupted := errors.Is(res.Err, context.Canceled) && res.Index >= 0 && len(res.Failures) == 0
		if !res.OK() {
			mark = "FAIL"
			rep.Passed = false
		}
		if interrupted {
			// Ctrl-C before this step: it did not run, it did not fail.
			rep.Error = res.Err.Error()
			fmt.Fprintf(out, "  stop %3d  line %-4d %s  → interrupted: this step and the rest did not run to their end\n", res.Index+1, res.Line, sanitize(res.Text))
			stopped = res.Index
			continue
		}
		if res.Index >= 0 {
			fmt.Fprintf(out, "  %s %3d  line %-4d %s", mark, res.Index+1, res.Line, sanitize(res.Text))
			if res.Outcome != "" {
				fmt.Fprintf(out, "  → %s", sanitize(res.Outcome))
			}
			fmt.Fprintln(out)
		}
		for _, f := range res.Failures {
			fmt.Fprintf(out, "         %s: expected %s, found %s\n", sanitize(f.What), sanitize(f.Expected), sanitize(f.Found))
		}
		if res.Err != nil {
			rep.Error = res.Err.Error()
			if res.Index < 0 {
				// One problem a line (a file checked before it runs reports every problem).
				label := "invalid:"
				for _, line := range strings.Split(res.Err.Error(), "\n") {
					fmt.Fprintf(out, "  %-8s %s\n", label, sanitize(line))
					label = ""
				}
			} else {
				fmt.Fprintf(out, "         stopped: %s\n", sanitize(res.Err.Error()))
			}
		}
	}
	switch {
	case stopped >= 0:
		fmt.Fprintf(out, "STOP %s (interrupted after %d steps; %d failed expectations)\n", sanitize(sc.File), stopped, len(rep.Failures()))
	case rep.Passed:
		fmt.Fprintf(out, "PASS %s (%d steps)\n", sanitize(sc.File), len(rep.Steps))
	case rep.Error != "" && !slices.ContainsFunc(rep.Steps, func(r StepResult) bool { return r.Index >= 0 }):
		fmt.Fprintf(out, "FAIL %s (refused before any step ran)\n", sanitize(sc.File))
	case rep.Error != "":
		fmt.Fprintf(out, "FAIL %s (did not run to the end; %d failed expectations)\n", sanitize(sc.File), len(rep.Failures()))
	default:
		fmt.Fprintf(out, "FAIL %s (%d failed expectations)\n", sanitize(sc.File), len(rep.Failures()))
	}
	return rep
}

// sanitize makes text that came from a file or the org safe to print on a terminal line.
func sanitize(s string) string { return plain.Line(s) }
