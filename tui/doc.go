// Package tui is the terminal app: the Bubble Tea program with its screens (navigation menu,
// object homes, record detail, edit and new forms, Pending Changes, conflict resolution), the
// status bar, help and alerts. It reads and changes records only through a Backend (the sync
// engine of package pending) and never speaks HTTP or SQL.
package tui
