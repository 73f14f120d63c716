package mockorg

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Rule is a validation or duplicate rule. JSON keys match the admin API.
type Rule struct {
	ID         string `json:"id"`
	Object     string `json:"object"`
	Kind       string `json:"kind"`
	Field      string `json:"field"`
	Value      string `json:"value,omitempty"`
	OtherField string `json:"otherField,omitempty"`
	Message    string `json:"message,omitempty"`
}

// The closed set of rule kinds.
const (
	KindRequired    = "required"     // Field must not be blank
	KindMin         = "min"          // number Field ≥ Value
	KindMaxLength   = "max_length"   // text Field at most Value characters
	KindForbidValue = "forbid_value" // Field must not equal Value
	KindRequireIf   = "require_if"   // Field required when OtherField = Value
	KindDuplicate   = "duplicate"    // no two records with the same Field (DUPLICATES_DETECTED)
	// KindFlowError is a record-triggered flow that fails when Field = Value: the org refuses
	// the save with CANNOT_EXECUTE_FLOW_TRIGGER and a long message that names no field, after
	// the validation and duplicate rules passed (as an automation's failure reaches a user).
	KindFlowError = "flow_error"
)

// RuleKinds lists the rule kinds the admin API accepts.
func RuleKinds() []string {
	return []string{KindRequired, KindMin, KindMaxLength, KindForbidValue, KindRequireIf, KindDuplicate, KindFlowError}
}

func defaultRules() []Rule {
	return []Rule{
		{ID: "rule-1", Object: "Opportunity", Kind: KindMin, Field: "Amount", Value: "0", Message: "Amount can't be negative."},
		{ID: "rule-2", Object: "Case", Kind: KindRequireIf, Field: "Description", OtherField: "Status", Value: "Closed", Message: "A closed case needs a Description."},
	}
}

func (r Rule) message() string {
	if r.Message != "" {
		return r.Message
	}
	switch r.Kind {
	case KindRequired:
		return fmt.Sprintf("%s is required.", r.Field)
	case KindMin:
		return fmt.Sprintf("%s must be at least %s.", r.Field, r.Value)
	case KindMaxLength:
		return fmt.Sprintf("%s must be at most %s characters.", r.Field, r.Value)
	case KindForbidValue:
		return fmt.Sprintf("%s can't be %s.", r.Field, r.Value)
	case KindRequireIf:
		return fmt.Sprintf("%s is required when %s is %s.", r.Field, r.OtherField, r.Value)
	case KindDuplicate:
		return fmt.Sprintf("You're creating a duplicate record: another %s has the same %s.", r.Object, r.Field)
	case KindFlowError:
		return fmt.Sprintf("The flow can't update a record whose %s is %s.", r.Field, r.Value)
	}
	return "Validation failed."
}

// ruleFails reports whether a record breaks a validation rule.
func ruleFails(rule Rule, r *rec) bool {
	v := r.F[canonicalField(r.Object, rule.Field)]
	switch rule.Kind {
	case KindRequired:
		return blank(v)
	case KindMin:
		n, ok := v.(float64)
		limit, err := strconv.ParseFloat(rule.Value, 64)
		return ok && err == nil && n < limit
	case KindMaxLength:
		s, ok := v.(string)
		limit, err := strconv.Atoi(rule.Value)
		return ok && err == nil && len([]rune(s)) > limit
	case KindForbidValue, KindFlowError:
		return matchesValue(v, rule.Value)
	case KindRequireIf:
		return matchesValue(r.F[canonicalField(r.Object, rule.OtherField)], rule.Value) && blank(v)
	}
	return false
}

// flowMessage is what the org says when a flow fails on a save, in the words of Salesforce's
// own message: the process, where to look, and an error id (the rule's, so it is stable).
func flowMessage(r Rule) string {
	return fmt.Sprintf("We can't save this record because the \"%s Update\" process failed. Give your Salesforce admin these details. "+
		"This error occurred when the flow tried to update records: %s You can look up ExceptionCode values in the SOAP API Developer Guide. Error ID: %s",
		r.Object, r.message(), r.ID)
}

// matchesValue compares a stored value with a rule's text value.
func matchesValue(v any, want string) bool {
	switch x := v.(type) {
	case nil:
		return want == ""
	case string:
		return strings.EqualFold(x, want)
	case bool:
		return strconv.FormatBool(x) == strings.ToLower(want)
	case float64:
		w, err := strconv.ParseFloat(want, 64)
		return err == nil && w == x
	}
	return false
}

// checkRule validates a rule posted to the admin API and canonicalises its names.
func (o *Org) checkRule(r Rule) (Rule, *apiError) {
	bad := func(msg string, fields ...string) (Rule, *apiError) {
		return Rule{}, newErr(http.StatusBadRequest, "INVALID_INPUT", msg, fields...)
	}
	obj := o.schema.object(r.Object)
	if obj == nil || !obj.Writable {
		return bad(fmt.Sprintf("unknown object %q", r.Object), "object")
	}
	r.Object = obj.Name
	known := false
	for _, k := range RuleKinds() {
		if r.Kind == k {
			known = true
		}
	}
	if !known {
		return bad(fmt.Sprintf("unknown rule kind %q; kinds are %s", r.Kind, strings.Join(RuleKinds(), ", ")), "kind")
	}
	f := obj.field(r.Field, ProfileDemo)
	if f == nil {
		return bad(fmt.Sprintf("no field %q on %s", r.Field, obj.Name), "field")
	}
	r.Field = f.Name
	switch r.Kind {
	case KindMin:
		if !f.isNumber() {
			return bad(fmt.Sprintf("%s is not a number field", f.Name), "field")
		}
		if _, err := strconv.ParseFloat(r.Value, 64); err != nil {
			return bad(fmt.Sprintf("value %q is not a number", r.Value), "value")
		}
	case KindMaxLength:
		if n, err := strconv.Atoi(r.Value); err != nil || n < 0 {
			return bad(fmt.Sprintf("value %q is not a whole number", r.Value), "value")
		}
	case KindFlowError:
		if r.Value == "" {
			return bad("a flow_error rule needs the value that makes the flow fail", "value")
		}
	case KindRequireIf:
		of := obj.field(r.OtherField, ProfileDemo)
		if of == nil {
			return bad(fmt.Sprintf("no field %q on %s", r.OtherField, obj.Name), "otherField")
		}
		r.OtherField = of.Name
	}
	if len(r.Message) > 1000 {
		return bad("message longer than 1000 characters", "message")
	}
	return r, nil
}
