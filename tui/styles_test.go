package tui

import (
	"io"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// The sashes stay three colours, and labels (muted) apart from values (text), on every terminal
// a demo may meet: a 16-colour one maps the 256-colour palette to its nearest match, which put
// orange and red both on red on white.
func TestSashColoursStayApartOnEveryColourProfileAndBackground(t *testing.T) {
	th := DefaultTheme()
	for _, profile := range []termenv.Profile{termenv.ANSI, termenv.ANSI256, termenv.TrueColor} {
		for _, dark := range []bool{false, true} {
			r := lipgloss.NewRenderer(io.Discard)
			r.SetColorProfile(profile)
			r.SetHasDarkBackground(dark)
			seen := map[string]string{}
			for name, c := range map[string]lipgloss.TerminalColor{"green": th.Green, "orange": th.Orange, "red": th.Red, "text": th.Text, "muted": th.Muted} {
				out := r.NewStyle().Foreground(c).Render("x")
				if other, ok := seen[out]; ok {
					t.Errorf("profile %v, dark %v: %s and %s render the same: %q", profile, dark, name, other, out)
				}
				seen[out] = name
			}
		}
	}
}

// On a white 16-colour terminal the key descriptions were light grey (ANSI 37), the help
// library's own: the help bar's words take the theme's muted tone, a dark grey there.
func TestHelpBarDescriptionsAreReadableOnALight16ColourTerminal(t *testing.T) {
	m := New(Options{Backend: seededFake(1)})
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI)
	r.SetHasDarkBackground(false)
	for name, st := range map[string]lipgloss.Style{"description": m.help.Styles.ShortDesc, "separator": m.help.Styles.ShortSeparator,
		"ellipsis": m.help.Styles.Ellipsis, "full description": m.help.Styles.FullDesc} {
		out := r.NewStyle().Foreground(st.GetForeground()).Render("help")
		if want := "\x1b[90mhelp\x1b[0m"; out != want {
			t.Errorf("the help bar's %s renders %q on a light 16-colour terminal, want dark grey (90) %q", name, out, want)
		}
	}
}
