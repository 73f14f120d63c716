package mockorg

import (
	"regexp"
	"strings"
	"testing"
)

func TestChecksumMatchesDocumentedVectors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"001D000000IqhSL", "001D000000IqhSLIAZ"},
		{"00190000001pPvH", "00190000001pPvHAAU"},
		{"003D000000QV9n2", "003D000000QV9n2IAD"},
		{"a00D0000008pQR5", "a00D0000008pQR5IAM"},
	} {
		if got := To18(tc.in); got != tc.want {
			t.Errorf("To18(%s) = %s, want %s", tc.in, got, tc.want)
		}
		if got, ok := NormalizeID(tc.in); !ok || got != tc.want {
			t.Errorf("NormalizeID(%s) = %s %v", tc.in, got, ok)
		}
		if got, ok := NormalizeID(strings.ToLower(tc.want[:15]) + tc.want[15:]); ok && got == tc.want {
			t.Errorf("NormalizeID accepted a lower-cased id as %s", got)
		}
	}
}

func TestIDHasPrefixLengthAndSortsByNumber(t *testing.T) {
	prev := ""
	for _, n := range []int64{0, 1, 61, 62, 1000, 1 << 40} {
		id := ID("006", n)
		if len(id) != 18 || id[:3] != "006" {
			t.Fatalf("ID(006,%d) = %q", n, id)
		}
		if _, ok := NormalizeID(id); !ok {
			t.Fatalf("ID(006,%d) = %q does not validate", n, id)
		}
		if id <= prev {
			t.Fatalf("ID(006,%d) = %q does not sort after %q", n, id, prev)
		}
		prev = id
	}
}

func TestNormalizeIDRejectsBadIDs(t *testing.T) {
	for _, s := range []string{"", "001", "001D000000IqhSLAAA", "001D000000IqhS!", "001D000000IqhSLIAZX", "not an id at all"} {
		if _, ok := NormalizeID(s); ok {
			t.Errorf("NormalizeID(%q) accepted", s)
		}
	}
}

func TestIDRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		prefix string
		n      int64
	}{{"01", 1}, {"0011", 1}, {"0!1", 1}, {"001", -1}} {
		if got := ID(tc.prefix, tc.n); got != "" {
			t.Errorf("ID(%q, %d) = %q", tc.prefix, tc.n, got)
		}
	}
}

func TestAPIVersionAcceptsWhatTheVersionPatternDoes(t *testing.T) {
	re := regexp.MustCompile(`^v(\d{2,3})\.0$`)
	for _, seg := range []string{"v62.0", "v50.0", "v100.0", "v9.0", "v1000.0", "v62.1", "62.0", "V62.0", "v6a.0", "v62.00", "v62", "v.0", "v", "", "v62.0x", "v٦٢.0", "v62,0"} {
		got, ok := apiVersion(seg)
		m := re.FindStringSubmatch(seg)
		if ok != (m != nil) || (ok && got != m[1]) {
			t.Errorf("apiVersion(%q) = %q, %v; the pattern gives %v", seg, got, ok, m)
		}
	}
}
