package main

import (
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// writeTable prints rows under a header in columns two spaces apart, padded by the width each
// cell takes in a terminal (a CJK character takes two columns, an accented letter one), so the
// columns line up whatever the names are written in. Cells are plain text (already cleaned).
func writeTable(w io.Writer, header []string, rows [][]string) error {
	widths := make([]int, len(header))
	for _, row := range append([][]string{header}, rows...) {
		for i, cell := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], ansi.StringWidth(cell))
			}
		}
	}
	var b strings.Builder
	for _, row := range append([][]string{header}, rows...) {
		b.Reset()
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(cell)+2))
			}
		}
		b.WriteString("\n")
		if _, err := io.WriteString(w, strings.TrimRight(b.String(), " \n")+"\n"); err != nil {
			return err
		}
	}
	return nil
}
