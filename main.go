// Command offline-edit recreates the Salesforce mobile Offline Edit experience in a terminal.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "offline-edit: not wired yet")
	os.Exit(1)
}
