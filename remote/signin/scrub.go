package signin

import (
	"regexp"
	"strings"
	"unicode"
)

var (
	// sfTokenRE matches a Salesforce session id: an org id, "!", then the opaque part.
	sfTokenRE = regexp.MustCompile(`00D[A-Za-z0-9]{12,15}![A-Za-z0-9._~+/=-]+`)
	// opaqueRE matches any long opaque run (refresh tokens, codes, other bearer formats).
	opaqueRE = regexp.MustCompile(`[A-Za-z0-9._~+=!-]{40,}`)
)

// scrub makes text from outside (an org's error, a command's output) safe to put in an error:
// token-like runs are masked, control characters dropped, and the result cut to max runes.
func scrub(s string, max int, known ...string) string {
	for _, k := range known {
		if len(k) >= 4 {
			s = strings.ReplaceAll(s, k, redacted)
		}
	}
	s = sfTokenRE.ReplaceAllString(s, redacted)
	s = opaqueRE.ReplaceAllString(s, redacted)
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
