package pending

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/remote"
)

// userPrefix is the key prefix of User ids (OwnerId may also name a queue, 00G).
const userPrefix = "005"

// userFields are the standard fields every cached object has that point at a user.
var userFields = []string{"OwnerId", "CreatedById", "LastModifiedById"}

// seeUsers remembers the users a record's fields point at (any reference to User), so the run
// can fetch the names the device does not know yet.
func (e *Engine) seeUsers(d *remote.Describe, f remote.Fields) {
	if f == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	add := func(v any) {
		if s, ok := v.(string); ok && strings.HasPrefix(s, userPrefix) {
			if e.usersSeen == nil {
				e.usersSeen = map[string]bool{}
			}
			if !e.usersSeen[s] {
				e.usersSeen[strings.Clone(s)] = true // kept for the run: not the record's text
			}
		}
	}
	if d == nil {
		for _, k := range userFields {
			add(f[k])
		}
		return
	}
	for _, fd := range d.Fields {
		if fd.Type != "reference" {
			continue
		}
		for _, to := range fd.ReferenceTo {
			if to == "User" {
				add(f[fd.Name])
				break
			}
		}
	}
}

// usersToBackfill reports whether this run must learn every user the cached records name: the
// device holds records yet no user name (it cached them before names were kept, or the run that
// stored them stopped before asking, and its process ended). A first prime need not: each
// record it stores is seen as it is stored, and reading every record's JSON again would add
// seconds to a big prime.
func (e *Engine) usersToBackfill(ctx context.Context) (bool, error) {
	named, err := e.db.UsersCached(ctx)
	if err != nil || named {
		return false, err
	}
	return e.db.AnyRecords(ctx)
}

// userNameTTL is how long a user's name is taken as the org's without asking again.
const userNameTTL = 24 * time.Hour

// fetchUserNames asks the org for the names of the users seen this run that the device does
// not know (SELECT Id, Name FROM User WHERE Id IN (…)) and caches them, so a record or a
// conflict names its owner and authors without a request while it is drawn. With backfill
// (see usersToBackfill) it also asks for every user the cached records point at. An org that
// will not say (no access to User) leaves the ids as they are.
func (e *Engine) fetchUserNames(ctx context.Context, backfill bool) (err error) {
	e.mu.Lock()
	seen := e.usersSeen
	e.usersSeen = nil
	e.mu.Unlock()
	defer func() {
		if err != nil { // the run could not ask: the users seen stay to be asked for by the next
			e.mu.Lock()
			if e.usersSeen == nil {
				e.usersSeen = map[string]bool{}
			}
			for id := range seen {
				e.usersSeen[id] = true
			}
			e.mu.Unlock()
		}
	}()
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	if backfill {
		old, err := e.db.ReferencedUsers(ctx, userFields)
		if err != nil {
			return err
		}
		ids = append(ids, old...)
	}
	// The users queued changes give records to (an owner set by id): their names show as the
	// change's value ("mine" on the conflict screen) and are typed back on the fix form.
	queued, err := e.db.QueuedUserIDs(ctx)
	if err != nil {
		return err
	}
	for _, id := range queued {
		if looksLikeID(id) { // letters and digits only: it goes into a query
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	ids = slices.Compact(ids)
	// A name fetched more than a day ago is asked again when the run saw its user: a user
	// renamed on the org is named anew within a day.
	missing, err := e.db.StaleUsers(ctx, ids, e.now().Add(-userNameTTL))
	if err != nil || len(missing) == 0 {
		return err
	}
	names := map[string]string{}
	for i := 0; i < len(missing); i += idsPerQuery {
		part := missing[i:min(i+idsPerQuery, len(missing))]
		res, err := e.org.Query(ctx, "SELECT Id, Name FROM User WHERE Id IN "+soqlList(part), 0)
		if err != nil {
			if c := Classify(err); c == ClassInvalid || c == ClassFailed {
				e.note("", "", "could not read user names: "+err.Error())
				return nil
			}
			return err
		}
		for _, rec := range res.Records {
			if name, ok := rec.Fields["Name"].(string); ok && rec.ID() != "" {
				names[rec.ID()] = name
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	return e.db.Update(ctx, func(tx *cache.Tx) error { return tx.PutUserNames(ctx, names, e.now()) })
}

// myIDFact is the device fact that keeps a user's id once asked of the org (by username: a
// device file opened as another user learns that user's).
func myIDFact(username string) string { return "user-id:" + strings.ToLower(username) }

// myID is the id of the device's user: the sign-in's identity says it when it has one; else
// what learnMyID asked of the org and the device kept (read when the engine opened, so it is
// known offline too, and never read here: callers may hold the database); "" when neither is
// known yet.
func (e *Engine) myID() string {
	if id := e.Identity().UserID; id != "" {
		return id
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.meID
}

// tokenOwner is an org client that can ask whose its token is (remote.Client).
type tokenOwner interface {
	TokenOwner(ctx context.Context) (username, identityURL string, err error)
	Claim(username, identityURL string)
}

// AnotherUserError: the org says the session's token is another user's than the one whose data
// the device holds. Nothing is sent; the sync stops as for a refused sign-in.
type AnotherUserError struct{ Token, Device string }

func (e *AnotherUserError) Error() string {
	return "the access token is " + e.Token + "'s, but this device's data is " + e.Device + "'s: nothing was sent; start again with " + e.Device + "'s token, or without --user"
}

// UnknownTokenOwnerError: the org did not say whose the session's bare token is, so the sync
// sends nothing and refreshes nothing. A failure of the network is retried like any other.
type UnknownTokenOwnerError struct{ Err error }

func (e *UnknownTokenOwnerError) Error() string {
	return "the org did not say whose this access token is, so nothing was sent (one user's changes must never go out with another's token): " + e.Err.Error()
}

func (e *UnknownTokenOwnerError) Unwrap() error { return e.Err }

// learnMyID asks the org for the device user's id by username when the sign-in did not give
// it (a token without its identity URL), once per device: creates found by their values and
// what the user may do with records they do not own rest on it. An org that will not say
// leaves it unknown (the log says so); only a lost sign-in or connection is an error.
func (e *Engine) learnMyID(ctx context.Context) error {
	if e.Identity().UserID != "" {
		return nil
	}
	username := e.Identity().Username
	if username == "" {
		return nil
	}
	if t, ok := e.org.(tokenOwner); ok {
		// A bare token named by the user (--user): the org says whose it is before anything
		// of this device's queue goes out with it.
		owner, identityURL, err := t.TokenOwner(ctx)
		switch c := Classify(err); {
		case err == nil && !strings.EqualFold(owner, username):
			return &AnotherUserError{Token: owner, Device: username}
		case err == nil:
			t.Claim(owner, identityURL)
			if id := e.Identity().UserID; id != "" {
				return e.keepMyID(ctx, username, id)
			}
		case c == ClassAuth || c == ClassOffline || c == ClassCanceled:
			return err
		case e.opts.VerifyTokenOwner:
			// Not known whose the token is: nothing goes out with it (a change sent with
			// another user's token would be saved as theirs, and the refresh would fill this
			// user's cache with what the other user sees).
			return &UnknownTokenOwnerError{Err: err}
		}
		// A sign-in that named its user (the Salesforce CLI, the embedded org) with an org that
		// will not say (no userinfo for the token's scopes): asked by name below.
	}
	if e.myID() != "" {
		return nil // kept from an earlier sync
	}
	res, err := e.org.Query(ctx, "SELECT Id FROM User WHERE Username = '"+soqlEscape(username)+"' LIMIT 1", 0)
	if err != nil {
		if c := Classify(err); c == ClassAuth || c == ClassOffline || c == ClassCanceled {
			return err
		}
		// The push goes on without it (the next sync asks again): creates found by values then
		// match any author, and what the user may do with shared records waits.
		e.note("", "", "could not learn this user's id, asked again at the next sync ("+err.Error()+")")
		return nil
	}
	if len(res.Records) == 0 || res.Records[0].ID() == "" {
		e.note("", "", "the org has no user "+username+" to learn the id of")
		return nil
	}
	return e.keepMyID(ctx, username, strings.Clone(res.Records[0].ID()))
}

// keepMyID keeps the device user's id, learnt from the org, on the device and in the engine.
func (e *Engine) keepMyID(ctx context.Context, username, id string) error {
	if err := e.db.SetDeviceFact(ctx, myIDFact(username), id); err != nil {
		return errors.Join(errors.New("pending: keep this user's id"), err)
	}
	e.mu.Lock()
	e.meID = id
	e.mu.Unlock()
	return nil
}
