package tui

import (
	"strings"
	"testing"
)

// "Expire my session" says what will happen, since nothing shows on screen: the app signs in
// again by itself at its next request, and the log tells it.
func TestBackstageExpireSaysTheAppSignsInAgainAndWhereToSeeIt(t *testing.T) {
	env := qaEnv(t, nil)
	s := newQAStory(t, Options{Backend: env.Engine(), NetStatus: env.Network().String, Backstage: env})
	s.press("B")
	s.wait("SIMULATION — backstage")
	s.backstageItem("Expire my session (the app signs in again by itself)")
	s.press("enter")
	v := flat(s.wait("✓ expire me"))
	for _, want := range []string{"the org has forgotten your session", "the app signs in again by itself", "the log (L) shows the 401"} {
		if !strings.Contains(v, want) {
			t.Fatalf("the backstage does not say %q:\n%s", want, s.view())
		}
	}
}
