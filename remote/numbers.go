package remote

import (
	"strconv"
	"strings"
)

// ExactNumber parses a number written in decimal (an optional sign, digits with an optional
// point, an optional exponent) into the float64 the device keeps it as, and reports whether
// that float64 writes back as the same number: in its shortest form, or to 16 or 17
// significant digits as programs print a float64 in full (99.989999999999995 is 99.99). A
// float64 holds any number of up to 15 significant digits; a longer one may come out as a
// neighbour (123456789012345678 is kept as 123456789012345680), and saving that would store a
// number nobody typed.
func ExactNumber(s string) (float64, bool) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return x, false // not a number, or beyond a float64's range
	}
	want, ok := decimalOf(s)
	if !ok {
		return x, false
	}
	for _, prec := range []int{-1, 15, 16} {
		if got, _ := decimalOf(strconv.FormatFloat(x, 'e', prec, 64)); got == want {
			return x, true
		}
	}
	return x, false
}

// NotKeptExactly says why a number ExactNumber refused is not kept as written (what it would be
// saved as).
func NotKeptExactly(s string, x float64) string {
	if d, _ := decimalOf(s); x == 0 && d.digits != "" {
		return s + " is too small to keep: it would be saved as 0"
	}
	return s + " has more significant digits than the device keeps (15 to 17): it would be saved as " + FormatNumber(x)
}

// decimal is a number as sign, significant digits and a power of ten: -1.50e3 is {true, "15", 2}.
type decimal struct {
	neg    bool
	digits string
	exp    int
}

// decimalOf reads a decimal number written as ExactNumber takes it, with its digits stripped
// of leading and trailing zeros; zero is {false, "", 0} whatever its sign.
func decimalOf(s string) (decimal, bool) {
	var d decimal
	s = strings.TrimSpace(s)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		d.neg = s[0] == '-'
		s = s[1:]
	}
	mant, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp {
		e, err := strconv.Atoi(expText)
		if err != nil || e > 1e6 || e < -1e6 {
			return d, false
		}
		d.exp = e
	}
	whole, frac, _ := strings.Cut(mant, ".")
	digits := whole + frac
	d.exp -= len(frac)
	digits = strings.TrimLeft(digits, "0")
	trimmed := strings.TrimRight(digits, "0")
	d.exp += len(digits) - len(trimmed)
	d.digits = trimmed
	if d.digits == "" {
		return decimal{}, true
	}
	return d, true
}

// FormatNumber writes a number the way a person reads it: in full (1e+16 is
// 10000000000000000), with an exponent only past 21 digits.
func FormatNumber(x float64) string {
	if x == 0 {
		x = 0 // not -0
	}
	if x != 0 && (x >= 1e21 || x <= -1e21 || (x < 1e-6 && x > -1e-6)) {
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// RoundDecimal rounds a plain decimal ([-]digits[.digits]) to scale places, half away from
// zero.
func RoundDecimal(s string, scale int) string {
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if len(frac) <= scale {
		return s
	}
	if whole == "" {
		whole = "0" // .4 is 0.4
	}
	digits := []byte(whole + frac[:scale])
	if frac[scale] >= '5' {
		i := len(digits) - 1
		for ; i >= 0 && digits[i] == '9'; i-- {
			digits[i] = '0'
		}
		if i >= 0 {
			digits[i]++
		} else {
			digits = append([]byte{'1'}, digits...)
		}
	}
	cut := len(digits) - scale
	out := string(digits[:cut])
	if scale > 0 {
		out += "." + string(digits[cut:])
	}
	if neg {
		out = "-" + out
	}
	return out
}

// PlainDecimal writes a number given with an exponent (1.5e3) in plain decimals (1500), digit
// for digit, so that it can be rounded on the digits written; false when it is not such a
// number or its exponent is beyond a float64's range.
func PlainDecimal(s string) (string, bool) {
	d, ok := decimalOf(s)
	if !ok || d.exp > 400 || d.exp < -400 {
		return "", false
	}
	out := d.digits
	switch {
	case out == "":
		return "0", true
	case d.exp >= 0:
		out += strings.Repeat("0", d.exp)
	case -d.exp >= len(out):
		out = "0." + strings.Repeat("0", -d.exp-len(out)) + out
	default:
		out = out[:len(out)+d.exp] + "." + out[len(out)+d.exp:]
	}
	if d.neg {
		out = "-" + out
	}
	return out, true
}
