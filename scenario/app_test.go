package scenario

import (
	"context"
	"testing"
)

func TestUserIDFindsEachUserOfTheOrgByUsername(t *testing.T) {
	ctx := context.Background()
	sc, err := Parse("users.yaml", []byte("name: users\nsteps:\n  - offline\n"))
	if err != nil {
		t.Fatal(err)
	}
	env, err := NewEmbeddedEnv(ctx, sc, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	want := map[string]string{}
	for _, u := range env.org.Users() {
		want[u.Username] = u.ID
	}
	for _, user := range []string{Me, "sam", "admin"} {
		id, err := env.UserID(ctx, user)
		if err != nil {
			t.Fatalf("%s: %v", user, err)
		}
		if id == "" || id != want[env.Username(user)] {
			t.Fatalf("%s: id %q, want %q", user, id, want[env.Username(user)])
		}
	}
	if _, err := env.UserID(ctx, "nobody@demo.example"); err == nil {
		t.Fatal("a user the org does not have got an id")
	}
}
