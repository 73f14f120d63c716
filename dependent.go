package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/tui"
)

// This file holds the commands' check of a dependent picklist (or multi-select) before they
// queue a value, the one the app's form makes before it saves: each value must be valid for the controlling field's value, as the
// describe's controllerName and validFor bitmaps say. Queued without it, such a value only
// comes back from the next sync as an orange INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, which
// locks the record.

// checkDependentsOf is checkDependents for the record id of object as this device holds it
// (its server copy with its pending change); id is "" for a new record.
func checkDependentsOf(ctx context.Context, eng *pending.Engine, object, id string, fields remote.Fields) error {
	d, err := describeFor(ctx, eng, object)
	if err != nil {
		return err
	}
	if !hasDependents(d) {
		return nil
	}
	var held remote.Fields
	if id != "" {
		rv, err := eng.Record(ctx, object, id)
		if err != nil {
			return err
		}
		held = heldValues(d, rv)
	} else {
		held = createDefaults(d)
	}
	return checkDependents(d, fields, held)
}

// hasDependents reports whether any field of d follows a controlling field.
func hasDependents(d *remote.Describe) bool {
	for _, f := range d.Fields {
		if f.ControllerName != "" {
			return true
		}
	}
	return false
}

// heldValues are the values the device holds for a record: the server copy with its pending
// change laid over it. A record created offline that has not reached the org yet holds, for
// the fields its create leaves out, the defaults the org will give them.
func heldValues(d *remote.Describe, rv pending.RecordView) remote.Fields {
	held := remote.Fields{}
	if rv.Server == nil && rv.Entry != nil && rv.Entry.Op == pending.OpCreate {
		for name, v := range createDefaults(d) {
			if _, given := rv.Fields[name]; !given {
				held[name] = v
			}
		}
	}
	for name, v := range rv.Fields {
		held[name] = v
	}
	return held
}

// createDefaults are the values the org gives a new record's fields that its create leaves
// out, as the app's new-record form starts them: the describe's default value, else the
// picklist value marked as the default (a checkbox is false).
func createDefaults(d *remote.Describe) remote.Fields {
	out := remote.Fields{}
	for _, f := range d.Fields {
		switch {
		case f.DefaultValue != nil:
			out[f.Name] = f.DefaultValue
		case f.Type == "boolean":
			out[f.Name] = false
		default:
			for _, p := range f.PicklistValues {
				if p.DefaultValue {
					out[f.Name] = p.Value
				}
			}
		}
	}
	return out
}

// checkDependents refuses a value of a dependent picklist or multi-select that its
// controlling field's value does not allow, and a value given with no controlling value at
// all (the org refuses both). fields are the values a command gives, after normalizeValues;
// held are the record's values on the device (for a new record, the defaults the org gives).
// The controlling value is the one given, else the one held. A field whose value and
// controlling value both stay as held is not checked: nothing of it is sent. A controlling
// value changed alone must still suit the dependent value the record holds.
func checkDependents(d *remote.Describe, fields, held remote.Fields) error {
	given := remote.Fields{}
	for name, v := range fields {
		if f, ok := d.Field(name); ok {
			given[f.Name] = v
		}
	}
	for _, dep := range d.Fields {
		if dep.ControllerName == "" || (dep.Type != "picklist" && dep.Type != "multipicklist") {
			continue
		}
		ctl, ok := d.Field(dep.ControllerName)
		if !ok {
			continue // a controller describe does not list: the org decides
		}
		depV, depGiven := given[dep.Name]
		ctlV, ctlGiven := given[ctl.Name]
		depMoved := depGiven && !sameChoice(dep, depV, held[dep.Name])
		ctlMoved := ctlGiven && !sameChoice(ctl, ctlV, held[ctl.Name])
		if !depMoved && !ctlMoved {
			continue
		}
		if !depGiven {
			depV = held[dep.Name]
		}
		if !ctlGiven {
			ctlV = held[ctl.Name]
		}
		if err := dependentProblem(dep, ctl, depV, ctlV, !depGiven); err != nil {
			return err
		}
	}
	return nil
}

// dependentProblem says what is wrong with the dependent field dep holding depV while its
// controller ctl holds ctlV (nil when nothing is). held says depV is the record's, not given.
func dependentProblem(dep, ctl remote.Field, depV, ctlV any, held bool) error {
	values := chosenValues(dep, depV)
	if len(values) == 0 {
		return nil
	}
	i, set := remote.ControllerIndex(ctl, ctlV)
	if set && i < 0 {
		return nil // a controlling value describe does not list: the org decides
	}
	var bad []string
	for _, v := range values {
		pv, listed := picklistValue(dep, v)
		if !listed {
			continue // not a value describe lists: checkText refuses it when the org would
		}
		if !set || !remote.ValidForAllows(pv.ValidFor, i) {
			bad = append(bad, v)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	depLabel, ctlLabel := fieldLabel(dep), fieldLabel(ctl)
	quoted := make([]string, len(bad))
	for j, v := range bad {
		quoted[j] = jsonText(v)
	}
	what := fmt.Sprintf("%s %s is", depLabel, quoted[0])
	if len(bad) > 1 {
		what = fmt.Sprintf("%s %s are", depLabel, strings.Join(quoted, ", "))
	}
	if !set {
		if held {
			// The controlling value was emptied: the dependent value the record holds goes too,
			// or the controller keeps a value.
			return fmt.Errorf("%s not valid while %s is empty (the record holds it): give %s= to empty it too, or %s=VALUE (%s)",
				what, ctlLabel, dep.Name, ctl.Name, validForHint(dep, ctl, bad))
		}
		return fmt.Errorf("%s not valid while %s is empty: give %s=VALUE too (%s)", what, ctlLabel, ctl.Name, validForHint(dep, ctl, bad))
	}
	valid := allowedValues(dep, i)
	if held {
		// The controlling value changed alone: the record's dependent value no longer suits it.
		return fmt.Errorf("%s not valid for %s %s (the record holds it): give %s=VALUE too (%s), or %s= to empty it",
			what, ctlLabel, controllerText(ctlV), dep.Name, validList(valid), dep.Name)
	}
	return fmt.Errorf("%s not valid for %s %s; %s", what, ctlLabel, controllerText(ctlV), validList(valid))
}

// validList says which values a controlling value allows: "valid: A, B" or that none is.
func validList(valid []string) string {
	if len(valid) == 0 {
		return "no value is valid for it"
	}
	return "valid: " + listClipped(valid)
}

// validForHint names the controlling values the first of bad is valid for.
func validForHint(dep, ctl remote.Field, bad []string) string {
	pv, _ := picklistValue(dep, bad[0])
	var ctls []string
	if ctl.Type == "boolean" {
		for i, v := range []string{"false", "true"} {
			if remote.ValidForAllows(pv.ValidFor, i) {
				ctls = append(ctls, v)
			}
		}
	} else {
		for i, c := range ctl.PicklistValues {
			if c.Active && remote.ValidForAllows(pv.ValidFor, i) {
				ctls = append(ctls, c.Value)
			}
		}
	}
	if len(ctls) == 0 {
		return fmt.Sprintf("no %s makes %s valid", fieldLabel(ctl), jsonText(bad[0]))
	}
	return fmt.Sprintf("%s is valid for %s", jsonText(bad[0]), listClipped(ctls))
}

// allowedValues are the active values of dep that the controlling value at index i allows.
func allowedValues(dep remote.Field, i int) []string {
	var out []string
	for _, p := range dep.PicklistValues {
		if p.Active && remote.ValidForAllows(p.ValidFor, i) {
			out = append(out, p.Value)
		}
	}
	return out
}

// listClipped joins values for a message, cleaned for a terminal, at most 12 of them.
func listClipped(values []string) string {
	list := strings.Join(values, ", ")
	if len(values) > 12 {
		list = strings.Join(values[:12], ", ") + fmt.Sprintf(" and %d more", len(values)-12)
	}
	return tui.CleanLine(list)
}

// fieldLabel is how the form names a field: its label, else its API name.
func fieldLabel(f remote.Field) string {
	if l := tui.CleanLine(f.Label); l != "" {
		return l
	}
	return tui.CleanLine(f.Name)
}

// controllerText writes a controlling value for a message: a picklist's value quoted, a
// checkbox's true or false.
func controllerText(v any) string {
	if b, ok := v.(bool); ok {
		return fmt.Sprint(b)
	}
	if v == nil {
		return "false" // only a checkbox reaches here without a value
	}
	return jsonText(v)
}

// chosenValues are the values a picklist (one) or a multi-select (each, split at ";") holds.
func chosenValues(f remote.Field, v any) []string {
	s, _ := v.(string)
	if s == "" {
		return nil
	}
	if f.Type != "multipicklist" {
		return []string{s}
	}
	return remote.SplitChoices(s)
}

// sameChoice reports whether a and b are the same value of f: for a multi-select, the same
// values in any order (no change, as the org and the form see it); an empty text is no value.
func sameChoice(f remote.Field, a, b any) bool {
	if f.Type == "boolean" {
		ab, _ := a.(bool)
		bb, _ := b.(bool)
		return ab == bb
	}
	as, aText := a.(string)
	bs, bText := b.(string)
	if (a != nil && !aText) || (b != nil && !bText) {
		return fmt.Sprint(a) == fmt.Sprint(b)
	}
	if f.Type != "multipicklist" {
		return as == bs
	}
	av, bv := chosenValues(f, as), chosenValues(f, bs)
	set := map[string]bool{}
	for _, v := range av {
		set[v] = true
	}
	other := map[string]bool{}
	for _, v := range bv {
		if !set[v] {
			return false
		}
		other[v] = true
	}
	return len(set) == len(other)
}

// picklistValue is the describe's entry of value v of f.
func picklistValue(f remote.Field, v string) (remote.PicklistValue, bool) {
	for _, p := range f.PicklistValues {
		if p.Value == v {
			return p, true
		}
	}
	return remote.PicklistValue{}, false
}

// checkResolvedDependents checks what resolving en with choices would send against the record
// as the device last read it from the org (theirs): a dependent value and its controlling value
// that end up one taken from each side can be a pair the org refuses.
func checkResolvedDependents(ctx context.Context, eng *pending.Engine, en *pending.Entry, choices map[string]pending.Choice) error {
	d, err := describeFor(ctx, eng, en.Object)
	if err != nil || !hasDependents(d) {
		return err
	}
	rv, err := eng.Record(ctx, en.Object, en.RecordID)
	if err != nil {
		return err
	}
	if rv.Server == nil {
		return nil // the engine refuses a resolution without the org's copy
	}
	sent := remote.Fields{}
	for f, v := range en.Changes {
		sent[f] = v
	}
	for f, c := range choices {
		switch c.Take {
		case pending.TakeTheirs:
			delete(sent, f)
		case pending.TakeValue:
			sent[f] = c.Value
		}
	}
	if err := checkDependents(d, sent, rv.Server); err != nil {
		return fmt.Errorf("with these choices, %w", err)
	}
	return nil
}
