package scenario

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

func TestValidateRejectsWhatOnlyTheOrgKnows(t *testing.T) {
	head := "name: x\nseed: 1\nsize: 30\nsteps:\n"
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"unknown field", head + "  - create: Account\n    fields: {Name: a, Colour: red}\n", "v.yaml:5: Account has no field Colour"},
		{"number for a phone", head + "  - create: Account\n    fields: {Name: a, Phone: 5550100}\n", "v.yaml:5: Account.Phone is a phone field: give text (in quotes if it looks like a number), not 5550100"},
		{"text for a number", head + "  - create: Opportunity\n    fields: {Name: a, StageName: Prospecting, CloseDate: 2026-01-01, Amount: lots}\n", `v.yaml:5: Opportunity.Amount is a number (currency): give a number, not "lots"`},
		{"bad date", head + "  - create: Opportunity\n    fields: {Name: a, StageName: Prospecting, CloseDate: next week}\n", `v.yaml:5: Opportunity.CloseDate is a date: give YYYY-MM-DD (such as 2025-03-31), not "next week"`},
		{"no such day", head + "  - create: Opportunity\n    fields: {Name: a, StageName: Prospecting, CloseDate: 2024-13-45}\n", `v.yaml:5: Opportunity.CloseDate: "2024-13-45" is no date: there is no month 13: months go from 01 to 12`},
		{"no such day in February", head + "  - create: Opportunity\n    fields: {Name: a, StageName: Prospecting, CloseDate: 2026-02-30}\n", `v.yaml:5: Opportunity.CloseDate: "2026-02-30" is no date: February 2026 has no day 30: it has 28 days`},
		{"fraction for a whole number", head + "  - create: Account\n    fields: {Name: a, NumberOfEmployees: 1.5}\n", "v.yaml:5: Account.NumberOfEmployees is a whole number: give 1 or 2, not 1.5"},
		{"unknown object to cache", "name: x\nseed: 1\nsize: 30\nobjects: [Nope__c]\nsteps:\n  - offline\n", "v.yaml:4: the org has no object Nope__c"},
		{"missing record by id", head + "  - expect: {record: {object: Opportunity, id: 006000000000000AAA}, org: {IsWon: true}}\n", "v.yaml:5: no Opportunity with id 006000000000000AAA on the org"},
		{"text for a checkbox", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - expect: {record: a, org: {IsDeleted: \"no\"}}\n", `v.yaml:8: Account.IsDeleted is a checkbox: give true or false, not "no"`},
		{"missing record by name", head + "  - edit: {object: Account, name: Nobody Here Ltd}\n    fields: {Phone: \"1\"}\n", `v.yaml:5: no Account named "Nobody Here Ltd" on the org, and no earlier step creates one`},
		{"lookup to a non-lookup", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - create: Contact\n    fields: {LastName: b, Phone: {ref: a}}\n", "v.yaml:8: Contact.Phone is a phone field, not a lookup: {ref: ...} does not fit"},
		{"lookup to a record of another object", head + "  - create: Contact\n    ref: kid\n    fields: {LastName: k}\n  - create: Contact\n    fields: {LastName: b, AccountId: {ref: kid}}\n", "v.yaml:8: Contact.AccountId points at Account, but kid is a Contact"},
		{"bad count query", head + "  - expect:\n      count: {object: Account, where: \"Name ==== 'x'\", is: 1}\n", "v.yaml:5: the org refuses the count query"},
		{"unknown field in a rule", head + "  - add_rule: {object: Account, kind: required, field: Colour}\n", "v.yaml:5: Account has no field Colour"},
		{"unknown user acting", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - edit: a\n    as: sam@demo.exmaple\n    fields: {Phone: \"1\"}\n", "v.yaml:8: as: no user sam@demo.exmaple on the org"},
		{"unknown field in a resolve", head + "  - create: Account\n    ref: a\n    fields: {Name: a}\n  - resolve: a\n    fields: {Colour: mine}\n", "v.yaml:8: Account has no field Colour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, env, ctx := embeddedFor(t, tt.src)
			err := Validate(ctx, sc, env)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ParseError", err, err)
			}
			if got := err.Error(); len(got) < len(tt.want) || got[:len(tt.want)] != tt.want {
				t.Errorf("error\n got  %s\n want %s", got, tt.want)
			}
			// Nothing ran: the stepper reports the problem and stops before the first step.
			s := NewStepper(sc, env)
			res, ok := s.Next(ctx)
			if !ok || res.Index != -1 || res.Err == nil || res.Line != pe.Line {
				t.Errorf("stepper: %+v %v", res, ok)
			}
			if _, ok := s.Next(ctx); ok || !s.Done() {
				t.Error("the stepper went on after a validation error")
			}
			if n, _, _ := env.Engine().Counts(ctx); n != 0 {
				t.Errorf("%d changes queued by a scenario that failed validation", n)
			}
		})
	}
}

// A file with several wrong steps, and several wrong values on one line, is reported whole
// before anything runs: the author fixes it in one go, not one run per problem.
func TestValidateReportsEveryProblemOfAFile(t *testing.T) {
	src := `name: x
seed: 1
size: 30
steps:
  - create: Account
    ref: a
    fields: {Name: a, Colour: red, Phone: 5550100}
  - edit: {object: Account, name: Nobody Here Ltd}
    fields: {Rating: 3}
  - edit: a
    fields: {Name: b}
  - add_rule: {object: Account, kind: required, field: Shade}
  - expect: {record: a, org: {IsDeleted: "no"}}
`
	sc, env, ctx := embeddedFor(t, src)
	err := Validate(ctx, sc, env)
	want := `v.yaml:5: Account has no field Colour
v.yaml:5: Account.Phone is a phone field: give text (in quotes if it looks like a number), not 5550100
v.yaml:8: no Account named "Nobody Here Ltd" on the org, and no earlier step creates one
v.yaml:8: Account.Rating is a picklist: give one of its values as text (in quotes if it looks like a number), not 3
v.yaml:12: Account has no field Shade
v.yaml:13: Account.IsDeleted is a checkbox: give true or false, not "no"`
	if err == nil || err.Error() != want {
		t.Errorf("problems\n%v\nwant\n%s", err, want)
	}
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 5 || len(pe.More) != 5 {
		t.Errorf("the first problem and the rest: %#v", pe)
	}
}

// embeddedFor parses src as v.yaml and opens an embedded env for it, closed when the test ends.
func embeddedFor(t *testing.T, src string) (*Scenario, *Env, context.Context) {
	t.Helper()
	sc, err := Parse("v.yaml", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	env, err := NewEmbeddedEnv(ctx, sc, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	return sc, env, ctx
}

// Ctrl-C between steps stops a run: the steps left do not run, and the result says so.
func TestAnInterruptedRunStopsBeforeTheNextStep(t *testing.T) {
	sc, env, ctx := embeddedFor(t, "name: x\nseed: 1\nsize: 30\nsteps:\n  - offline\n  - offline\n  - offline\n")
	ctx, cancel := context.WithCancel(ctx)
	s := NewStepper(sc, env)
	if res, ok := s.Next(ctx); !ok || res.Err != nil || res.Index != 0 {
		t.Fatalf("first step: %+v %v", res, ok)
	}
	cancel()
	res, ok := s.Next(ctx)
	if !ok || res.Index != 1 || !errors.Is(res.Err, context.Canceled) {
		t.Fatalf("after Ctrl-C: %+v %v; want step 2 stopped, interrupted", res, ok)
	}
	if _, ok := s.Next(ctx); ok || !s.Done() {
		t.Error("steps ran after the interrupt")
	}
}

type unreachableTransport struct{}

func (unreachableTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("connection refused")
}

// An org that stops answering while a file is checked is one problem, not one per step: the
// later steps would only meet the same silence.
func TestValidateStopsAtAnOrgThatDoesNotAnswer(t *testing.T) {
	src := "name: x\nseed: 1\nsize: 30\nsteps:\n"
	for i := range 5 {
		src += fmt.Sprintf("  - edit: {object: Account, name: Nobody %d}\n    fields: {Phone: \"1\"}\n", i)
	}
	sc, env, ctx := embeddedFor(t, src)
	env.mu.Lock()
	env.transport, env.clients = unreachableTransport{}, map[string]*remote.Client{}
	env.mu.Unlock()
	err := Validate(ctx, sc, env)
	var pe *ParseError
	if !errors.As(err, &pe) || len(pe.More) != 0 || !strings.Contains(pe.Msg, "connection refused") {
		t.Fatalf("problems: %v", err)
	}
}

// cancelOnWrite cancels a run's context once the run has printed a line holding its mark.
type cancelOnWrite struct {
	strings.Builder
	mark   string
	cancel context.CancelFunc
}

func (c *cancelOnWrite) Write(p []byte) (int, error) {
	n, err := c.Builder.Write(p)
	if strings.Contains(c.String(), c.mark) {
		c.cancel()
	}
	return n, err
}

// Ctrl-C during a run says where it stopped, without calling the step a failure.
func TestAnInterruptedRunSaysWhereItStopped(t *testing.T) {
	sc, env, ctx := embeddedFor(t, "name: x\nseed: 1\nsize: 30\nsteps:\n  - offline\n  - offline\n  - offline\n")
	ctx, cancel := context.WithCancel(ctx)
	out := &cancelOnWrite{mark: "ok     1", cancel: cancel}
	rep := Run(ctx, sc, env, out)
	if rep.Passed || !strings.Contains(out.String(), "stop   2  line 6") || !strings.Contains(out.String(), "STOP v.yaml (interrupted after 1 steps") ||
		strings.Contains(out.String(), "FAIL") {
		t.Fatalf("output:\n%s", out.String())
	}
}
