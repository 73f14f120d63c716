//go:build race

package main

// raceEnabled: the race detector slows every child process several times over, so tests that
// start many of them do fewer rounds.
const raceEnabled = true
