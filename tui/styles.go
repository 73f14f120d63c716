package tui

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Theme is the colour palette. Every token adapts to light and dark terminals; with NO_COLOR
// (or a terminal without colour) lipgloss drops the colours and the words carry the meaning.
type Theme struct {
	Text, Muted, Accent, Border lipgloss.AdaptiveColor
	Green, Orange, Red          lipgloss.AdaptiveColor
	SelectedBg                  lipgloss.AdaptiveColor
	OnlineBg, OfflineBg, BarBg  lipgloss.AdaptiveColor
	UnreachableBg               lipgloss.AdaptiveColor // online, but the last sync did not reach the org
	BarText                     lipgloss.AdaptiveColor
}

// DefaultTheme uses ANSI-256 colours readable on both backgrounds.
func DefaultTheme() Theme {
	return Theme{
		Text:          lipgloss.AdaptiveColor{Light: "235", Dark: "252"},
		Muted:         lipgloss.AdaptiveColor{Light: "243", Dark: "245"},
		Accent:        lipgloss.AdaptiveColor{Light: "25", Dark: "75"},
		Border:        lipgloss.AdaptiveColor{Light: "250", Dark: "240"},
		Green:         lipgloss.AdaptiveColor{Light: "28", Dark: "42"},
		Orange:        lipgloss.AdaptiveColor{Light: "130", Dark: "214"},
		Red:           lipgloss.AdaptiveColor{Light: "124", Dark: "203"},
		SelectedBg:    lipgloss.AdaptiveColor{Light: "254", Dark: "237"},
		OnlineBg:      lipgloss.AdaptiveColor{Light: "28", Dark: "28"},
		OfflineBg:     lipgloss.AdaptiveColor{Light: "240", Dark: "240"},
		BarBg:         lipgloss.AdaptiveColor{Light: "253", Dark: "236"},
		UnreachableBg: lipgloss.AdaptiveColor{Light: "130", Dark: "172"},
		BarText:       lipgloss.AdaptiveColor{Light: "235", Dark: "252"},
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
