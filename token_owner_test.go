package main

import (
	"os"
	"strings"
	"testing"
)

// A bare access token carries no user name: the device's data is filed under the user the org
// says the token is, so one user's queue never goes out with another user's token, and a --user
// that is not the token's is refused.
func TestAnAccessTokenIsFiledUnderTheUserItBelongsTo(t *testing.T) {
	o := newFlakyOrg(t)
	dir := t.TempDir()
	token := func(user string) string {
		tok, err := o.org.IssueToken(user)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	alex, admin := token("alex@demo.example"), token("admin@demo.example")
	with := func(tok string, args ...string) []string {
		return append([]string{"--instance-url", o.srv.URL, "--access-token", tok}, args...)
	}
	if out, err := run(t, dir, "", with(alex, "sync")...); err != nil {
		t.Fatalf("alex's first sync: %v\n%s", err, out)
	}
	acct := o.firstAccountOf(t, "alex@demo.example")
	before := o.phoneOf(t, acct)
	// Queued offline with the token seen before: alex's device, found without the org.
	o.down.Store(true)
	if out, err := run(t, dir, "", with(alex, "edit", "Account", acct, "Phone=555-0142")...); err != nil {
		t.Fatalf("alex's edit: %v\n%s", err, out)
	}
	o.down.Store(false)

	// The admin's token is the admin's device: alex's change is neither listed nor sent.
	if out, err := run(t, dir, "", with(admin, "sync")...); err != nil {
		t.Fatalf("the admin's sync: %v\n%s", err, out)
	}
	if got := o.phoneOf(t, acct); got != before {
		t.Fatalf("alex's change went out with the admin's token: phone %q", got)
	}
	if out, _ := run(t, dir, "", with(admin, "pending")...); strings.Contains(out, "update") {
		t.Fatalf("the admin's pending lists alex's change:\n%s", out)
	}
	// A --user that is not the token's is refused, online and offline alike.
	for _, down := range []bool{false, true} {
		o.down.Store(down)
		out, err := run(t, dir, "", with(admin, "--user", "alex@demo.example", "pending")...)
		if exitCode(err) != 1 || !strings.Contains(out+errText(err), "admin@demo.example") {
			t.Fatalf("the admin's token as --user alex (org down %v): exit %d, %v\n%s", down, exitCode(err), err, out)
		}
	}
	o.down.Store(false)
	// A token never seen, with the org out of reach and no --user: nobody to file it under.
	o.down.Store(true)
	if _, err := run(t, dir, "", with(token("sam@demo.example"), "pending")...); exitCode(err) != 1 {
		t.Fatalf("an unknown token offline without --user: exit %d (%v), want 1", exitCode(err), err)
	}
	o.down.Store(false)

	if out, err := run(t, dir, "", with(alex, "sync")...); err != nil {
		t.Fatalf("alex's sync: %v\n%s", err, out)
	}
	if got := o.phoneOf(t, acct); got != "555-0142" {
		t.Fatalf("alex's change did not reach the org: phone %q", got)
	}
	files, _ := os.ReadDir(dir)
	var names []string
	for _, f := range files {
		names = append(names, f.Name())
	}
	joined := strings.Join(names, " ")
	if !strings.Contains(joined, "alex@demo.example") || !strings.Contains(joined, "admin@demo.example") || strings.Contains(joined, "sam@demo.example") {
		t.Fatalf("device files %v; want alex's and the admin's, none of sam's", names)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
