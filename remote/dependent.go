package remote

import (
	"encoding/base64"
	"slices"
	"strings"
)

// ControllerIndex is the bit a controlling field's value v stands for in a dependent value's
// validFor bitmap: a checkbox is 0 when false and 1 when true; a picklist is the index of the
// value among the controller's picklist values (active or not). set is false when the
// controller holds no value; the index is -1 for a value the describe does not list.
func ControllerIndex(ctl Field, v any) (i int, set bool) {
	if ctl.Type == "boolean" {
		if b, _ := v.(bool); b {
			return 1, true
		}
		return 0, true
	}
	s, _ := v.(string)
	if s == "" {
		return -1, false
	}
	for j, pv := range ctl.PicklistValues {
		if pv.Value == s {
			return j, true
		}
	}
	return -1, true
}

// ValidForAllows reports whether a dependent picklist value whose validFor is bitmap may be
// used with the controlling value at index i: bit i, most significant bit of byte 0 first, of
// the base64-decoded bitmap. A bitmap that cannot be read (or is absent) allows the value: the
// org decides, and a describe the client does not understand never hides every value nor
// blocks a command.
func ValidForAllows(bitmap string, i int) bool {
	if bitmap == "" {
		return true
	}
	b, err := base64.StdEncoding.DecodeString(bitmap)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(bitmap); err != nil {
			return true
		}
	}
	if i < 0 || i>>3 >= len(b) {
		return false
	}
	return b[i>>3]&(0x80>>(i&7)) != 0
}

// SplitChoices are the values a multi-select value chooses, as an org reads them: split at ";",
// each without the spaces around it, empty parts left out, each value once, in the order given.
func SplitChoices(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ";") {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
