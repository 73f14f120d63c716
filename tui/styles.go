package tui

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Theme is the colour palette. Every token adapts to light and dark terminals; with NO_COLOR
// (or a terminal without colour) lipgloss drops the colours and the words carry the meaning.
// Each token names its ANSI-16 colour too: on a 16-colour terminal the nearest match of a
// 256-colour one can fall on the wrong side (both sashes red on a light background, or grey
// text on white).
type Theme struct {
	Text, Muted, Accent, Border lipgloss.CompleteAdaptiveColor
	Green, Orange, Red          lipgloss.CompleteAdaptiveColor
	SelectedBg                  lipgloss.CompleteAdaptiveColor
	OnlineBg, OfflineBg, BarBg  lipgloss.CompleteAdaptiveColor
	UnreachableBg               lipgloss.CompleteAdaptiveColor // online, but the last sync did not reach the org
	BarText                     lipgloss.CompleteAdaptiveColor
}

// tone is a colour token: its ANSI-256 and ANSI-16 colours on a light and on a dark background
// (a true-colour terminal takes the 256-colour one).
func tone(light256, light16, dark256, dark16 string) lipgloss.CompleteAdaptiveColor {
	return lipgloss.CompleteAdaptiveColor{
		Light: lipgloss.CompleteColor{TrueColor: light256, ANSI256: light256, ANSI: light16},
		Dark:  lipgloss.CompleteColor{TrueColor: dark256, ANSI256: dark256, ANSI: dark16},
	}
}

// DefaultTheme uses ANSI-256 colours readable on both backgrounds, and on a 16-colour terminal
// keeps green, orange (yellow) and red apart on either.
func DefaultTheme() Theme {
	return Theme{
		Text:          tone("235", "0", "252", "7"),
		Muted:         tone("243", "8", "245", "8"),
		Accent:        tone("25", "4", "75", "12"),
		Border:        tone("250", "7", "240", "8"),
		Green:         tone("28", "2", "42", "10"),
		Orange:        tone("130", "3", "214", "11"),
		Red:           tone("124", "1", "203", "9"),
		SelectedBg:    tone("254", "7", "237", "0"),
		OnlineBg:      tone("28", "2", "28", "2"),
		OfflineBg:     tone("240", "8", "240", "8"),
		BarBg:         tone("253", "7", "236", "0"),
		UnreachableBg: tone("130", "3", "172", "3"),
		BarText:       tone("235", "0", "252", "7"),
	}
}

// Styles holds every style the screens use, built once from a Theme.
type Styles struct {
	Title, Subtle, Bold, Label, Value, Accent lipgloss.Style
	Selected, Header, Error, Toast            lipgloss.Style
	Green, Orange, Red                        lipgloss.Style
	Online, Offline, Bar, BarItem             lipgloss.Style
	// Unreachable is the ONLINE mark while the last sync did not reach the org.
	Unreachable                     lipgloss.Style
	Modal, Box, Key, Disabled, Flag lipgloss.Style
	// Sim marks everything that simulates the world (backstage, scenarios): never the user's own data.
	Sim lipgloss.Style
	// Rec is the status bar's ● REC while the session is recorded as a scenario.
	Rec lipgloss.Style
}

// NewStyles builds the styles of a theme.
func NewStyles(t Theme) Styles {
	base := lipgloss.NewStyle().Foreground(t.Text)
	return Styles{
		Title:       base.Bold(true),
		Subtle:      lipgloss.NewStyle().Foreground(t.Muted),
		Bold:        lipgloss.NewStyle().Bold(true),
		Label:       lipgloss.NewStyle().Foreground(t.Muted),
		Value:       base,
		Accent:      lipgloss.NewStyle().Foreground(t.Accent).Bold(true),
		Selected:    lipgloss.NewStyle().Background(t.SelectedBg).Bold(true),
		Header:      lipgloss.NewStyle().Foreground(t.Muted).Bold(true),
		Error:       lipgloss.NewStyle().Foreground(t.Red).Bold(true),
		Toast:       lipgloss.NewStyle().Foreground(t.Accent),
		Green:       lipgloss.NewStyle().Foreground(t.Green).Bold(true),
		Orange:      lipgloss.NewStyle().Foreground(t.Orange).Bold(true),
		Red:         lipgloss.NewStyle().Foreground(t.Red).Bold(true),
		Online:      lipgloss.NewStyle().Background(t.OnlineBg).Foreground(lipgloss.Color("255")).Bold(true),
		Offline:     lipgloss.NewStyle().Background(t.OfflineBg).Foreground(lipgloss.Color("255")).Bold(true),
		Unreachable: lipgloss.NewStyle().Background(t.UnreachableBg).Foreground(lipgloss.Color("16")).Bold(true),
		Bar:         lipgloss.NewStyle().Background(t.BarBg).Foreground(t.BarText),
		BarItem:     lipgloss.NewStyle().Background(t.BarBg).Foreground(t.BarText),
		Modal:       lipgloss.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(t.Accent).Padding(0, 1),
		Box:         lipgloss.NewStyle().Border(lipgloss.NormalBorder()).BorderForeground(t.Border).Padding(0, 1),
		Key:         lipgloss.NewStyle().Foreground(t.Accent).Bold(true),
		Disabled:    lipgloss.NewStyle().Foreground(t.Muted).Faint(true),
		Flag:        lipgloss.NewStyle().Foreground(t.Orange).Bold(true),
		Sim:         lipgloss.NewStyle().Background(t.Orange).Foreground(lipgloss.Color("16")).Bold(true),
		Rec:         lipgloss.NewStyle().Background(t.BarBg).Foreground(t.Red).Bold(true),
	}
}

// selectedRow is a list's selected row, highlighted across the whole width w. The row's own
// styles (a sash's colour) are dropped first: a style ending inside the row would end the
// highlight there too. The sash keeps its symbol and word.
func (s Styles) selectedRow(line string, w int) string {
	return s.Selected.Render(fit(ansi.Strip(line), w))
}
