package remote

import (
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

func TestExactNumberSaysWhetherTheDeviceKeepsTheNumberTyped(t *testing.T) {
	tests := []struct {
		typed string
		exact bool
	}{
		{"0", true},
		{"-0.0", true},
		{"0.1", true},
		{"1.005", true},
		{"90000.50", true},
		{"+12", true},
		{"1e20", true},
		{"1.5E-3", true},
		{"123456789012345", true},     // 15 digits: always kept
		{"9007199254740992", true},    // 2^53: 16 digits a float64 holds
		{"9007199254740993", false},   // 2^53+1: kept as 2^53
		{"123456789012345678", false}, // kept as …680
		{"99.989999999999995", true},  // 99.99 printed to 17 digits (%.17g)
		{"12.339999999999999", false}, // parses to 12.34, which prints otherwise at any length
		{"0.30000000000000004", true},
		{"1234567890123456", true},
		{"12.3400000000000001", false}, // 18 digits: kept as 12.34
		{"1234567890123456.78", false},
		{"9999999999999999.99", false},
		{"1.00499999999999999", false},
		{"1e400", false},  // beyond a float64
		{"1e-400", false}, // kept as 0
		{"1e99999999999", false},
	}
	for _, tc := range tests {
		if _, exact := ExactNumber(tc.typed); exact != tc.exact {
			t.Errorf("ExactNumber(%q) exact = %v, want %v", tc.typed, exact, tc.exact)
		}
	}
}

// Every number a float64 prints back (its shortest form) is exact, and so is every number of
// up to 15 significant digits.
func TestExactNumberHoldsForEveryFloatAndEveryShortDecimal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := rapid.Float64().Draw(t, "x")
		for _, f := range []byte{'e', 'f', 'g'} {
			s := strconv.FormatFloat(x, f, -1, 64)
			if got, exact := ExactNumber(s); !exact || got != x {
				t.Fatalf("ExactNumber(%q) = %v, %v", s, got, exact)
			}
		}
		digits := rapid.StringMatching(`[1-9][0-9]{0,14}`).Draw(t, "digits")
		point := rapid.IntRange(0, len(digits)).Draw(t, "point")
		s := digits[:point] + "." + digits[point:] + "e" + strconv.Itoa(rapid.IntRange(-300, 290).Draw(t, "exp"))
		if _, exact := ExactNumber(s); !exact {
			t.Fatalf("ExactNumber(%q): a number of %d significant digits is not exact", s, len(digits))
		}
	})
}

func TestFormatNumberWritesNumbersInFull(t *testing.T) {
	for x, want := range map[float64]string{1e16: "10000000000000000", 99999999999: "99999999999", 0.5: "0.5", 1e21: "1e+21", -2.5e-7: "-2.5e-07"} {
		if got := FormatNumber(x); got != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestRoundDecimalRoundsHalfAwayFromZeroOnTheDigitsWritten(t *testing.T) {
	tests := []struct {
		in    string
		scale int
		want  string
	}{
		{"1.005", 2, "1.01"},
		{"-1.005", 2, "-1.01"},
		{"1234.567", 2, "1234.57"},
		{"9.995", 2, "10.00"},
		{".4", 0, "0"}, // no whole part written
		{".6", 0, "1"},
		{"-.4", 0, "-0"},
		{".004", 2, "0.00"},
		{"12", 2, "12"}, // fewer decimals than the scale: as written
	}
	for _, tc := range tests {
		if got := RoundDecimal(tc.in, tc.scale); got != tc.want {
			t.Errorf("RoundDecimal(%q, %d) = %q, want %q", tc.in, tc.scale, got, tc.want)
		}
	}
}

func TestPlainDecimalWritesAnExponentOut(t *testing.T) {
	for in, want := range map[string]string{"1.5e3": "1500", "1.23456789012345678e1": "12.3456789012345678", "-2.5E-3": "-0.0025",
		"1e0": "1", "0e5": "0", "+7.10e1": "71", "12e-1": "1.2"} {
		if got, ok := PlainDecimal(in); !ok || got != want {
			t.Errorf("PlainDecimal(%q) = %q, %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := PlainDecimal("1e99999"); ok {
		t.Error("an exponent beyond a float64's range was written out")
	}
}
