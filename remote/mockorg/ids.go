package mockorg

import "strings"

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const checksumAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// orgInstance is the two characters after the key prefix in every id this org makes.
const orgInstance = "Dm"

// ID returns the 18-character id of the n-th record with the given 3-character key prefix
// ("001" Account, "003" Contact...). Ids of one prefix sort in the order of n. It returns ""
// when the prefix is not three base-62 characters or n is negative.
func ID(prefix string, n int64) string {
	if len(prefix) != 3 || n < 0 || strings.Trim(prefix, base62) != "" {
		return ""
	}
	var digits [10]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = base62[n%62]
		n /= 62
	}
	return To18(prefix + orgInstance + string(digits[:]))
}

// Checksum returns the three-character suffix that turns a 15-character id into its
// case-insensitive 18-character form.
func Checksum(id15 string) string {
	c := checksum(id15)
	return string(c[:])
}

func checksum(id15 string) [3]byte {
	var out [3]byte
	for chunk := 0; chunk < 3; chunk++ {
		v := 0
		for i := 0; i < 5; i++ {
			c := id15[chunk*5+i]
			if c >= 'A' && c <= 'Z' {
				v |= 1 << i
			}
		}
		out[chunk] = checksumAlphabet[v]
	}
	return out
}

// To18 appends the checksum to a 15-character id.
func To18(id15 string) string { return id15 + Checksum(id15) }

// NormalizeID checks a 15- or 18-character id and returns its 18-character form.
// An 18-character id must carry the right checksum (compared case-insensitively).
func NormalizeID(s string) (string, bool) {
	if len(s) != 15 && len(s) != 18 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(base62, s[i]) < 0 {
			return "", false
		}
	}
	if len(s) == 15 {
		return To18(s), true
	}
	sum := checksum(s[:15])
	if s[15:] == string(sum[:]) {
		return s, true
	}
	if !strings.EqualFold(s[15:], string(sum[:])) {
		return "", false
	}
	return s[:15] + string(sum[:]), true
}
