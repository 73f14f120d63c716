package scenario

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
	"github.com/offline-edit/offline-edit/remote/netsim"
)

// The app's backstage on a served org that is out of reach when the app starts: the app does
// not wait for it, and the admin is signed in when a backstage step first needs them (before,
// the backstage stayed without the admin until the app was restarted).
func TestTheBackstageSignsTheAdminInOnceTheOrgIsBack(t *testing.T) {
	ctx := context.Background()
	org, err := mockorg.Open(mockorg.Options{Seed: 1, Size: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer org.Close()
	rt := remote.InProcess(org.Handler())
	const url = "https://served.invalid"
	tok, err := org.IssueToken("alex@demo.example")
	if err != nil {
		t.Fatal(err)
	}
	nw := netsim.New(rt, 1)
	client, err := remote.NewClient(ctx, remote.Config{InstanceURL: url, AccessToken: tok, Transport: nw, Username: "alex@demo.example"})
	if err != nil {
		t.Fatal(err)
	}
	db, err := cache.Open(filepath.Join(t.TempDir(), "device.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	eng, err := pending.Open(db, client, pending.Options{Network: nw})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var down atomic.Bool
	down.Store(true)
	var tries atomic.Int32
	login := func(_ context.Context, username string) (string, error) {
		tries.Add(1)
		if down.Load() {
			return "", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		}
		return org.IssueToken(username)
	}
	env, err := NewAppEnv(ctx, AppConfig{Engine: eng, Network: nw, InstanceURL: url, Transport: rt, Login: login, Served: true})
	if err != nil {
		t.Fatalf("an org out of reach at start must not stop the app: %v", err)
	}
	if _, err := env.Rules(ctx); err == nil || errors.Is(err, ErrNoMockOrg) {
		t.Fatalf("while the org is down: %v, want the sign-in's failure (not 'no mock org')", err)
	}
	down.Store(false)
	if _, err := env.Rules(ctx); err != nil {
		t.Fatalf("once the org is back: %v", err)
	}
	n := tries.Load()
	if _, err := env.Rules(ctx); err != nil || tries.Load() != n {
		t.Fatalf("the admin signs in once: %v, %d sign-ins then %d", err, n, tries.Load())
	}
	// Started offline (--offline), the app signs the admin in only when a backstage step needs
	// them.
	nw.SetOnline(false)
	n = tries.Load()
	env, err = NewAppEnv(ctx, AppConfig{Engine: eng, Network: nw, InstanceURL: url, Transport: rt, Login: login, Served: true})
	if err != nil || tries.Load() != n {
		t.Fatalf("starting offline: %v, %d sign-ins then %d, want none", err, n, tries.Load())
	}
	if _, err := env.Rules(ctx); err != nil || tries.Load() != n+1 {
		t.Fatalf("a backstage step after starting offline: %v, %d sign-ins then %d", err, n, tries.Load())
	}
	nw.SetOnline(true)
	// An org that refuses the admin (not a mock org) is still said to be one without a backstage.
	refused := func(context.Context, string) (string, error) {
		return "", &remote.Error{Status: 400, Items: []remote.ErrorItem{{Code: "invalid_grant", Message: "authentication failure"}}}
	}
	if _, err := NewAppEnv(ctx, AppConfig{Engine: eng, Network: nw, InstanceURL: url, Transport: rt, Login: refused, Served: true}); err == nil {
		t.Fatal("an org that refuses the admin's sign-in must be reported")
	}
}
