package mockorg

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Number fields on a real org, as written through the API.
//
// A field's precision and scale bound how many digits may stand before the decimal point
// (precision − scale); a value with more is refused with NUMBER_OUTSIDE_VALID_RANGE, whatever
// its sign. The scale itself is not applied: the API stores a value with more decimal places
// than the field shows exactly as sent (Salesforce knowledge articles 000385689, "Round Off
// Decimal Values of Currency Fields in the Salesforce UI and API", and 000212661); only the
// Salesforce UI rounds what a user types. The value travels as a double, so a JSON number
// with more digits than a double holds keeps the double's nearest value (article 000394530).

// outOfRange reports whether a number has more integer digits than the field allows. Fields
// without a precision take any value.
func outOfRange(f *fieldDef, n float64) bool {
	if f.Precision <= 0 {
		return false
	}
	whole := f.Precision - f.Scale
	if whole < 0 {
		whole = 0
	}
	return math.Abs(n) >= math.Pow10(whole)
}

// rangeError is the error item a real org answers an out-of-range number with, the value shown
// as the org's Java double prints it (100.0, 1.0E20).
func rangeError(f *fieldDef, n float64) errItem {
	return errItem{
		ErrorCode: "NUMBER_OUTSIDE_VALID_RANGE",
		Message:   fmt.Sprintf("%s: value outside of valid range on numeric field: %s", f.Label, javaDouble(n)),
		Fields:    []string{f.Name},
	}
}

// javaDouble formats a number as Java's Double.toString does: plain decimals with at least one
// fractional digit between 10⁻³ and 10⁷, scientific notation (1.2345E8, 1.0E-5) outside.
func javaDouble(n float64) string {
	if n == 0 {
		if math.Signbit(n) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(n); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(n, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(n, 'e', -1, 64) // 1.2345e+08
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, err := strconv.Atoi(exp)
	if err != nil {
		return s
	}
	return mant + "E" + strconv.Itoa(e)
}
