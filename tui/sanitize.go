package tui

import "github.com/offline-edit/offline-edit/internal/plain"

// Clean makes text from an org or a file safe to draw (plain.Text): escape sequences are
// stripped, control and format runes dropped but for the joiners writing needs; newlines
// survive, tabs become spaces.
func Clean(s string) string { return plain.Text(s) }

// CleanLine is Clean for single-line places (list rows, titles, status words): newlines
// become spaces too.
func CleanLine(s string) string { return plain.Line(s) }
