package tui

import (
	"context"
	"time"

	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
)

// Backend is everything the app asks of the sync engine. *pending.Engine satisfies it.
type Backend interface {
	Start(ctx context.Context)
	SetOnline(on bool)
	Online() bool
	Sync(ctx context.Context) (pending.Summary, error)
	Events() <-chan pending.Event
	Identity() remote.Identity
	Objects() []string
	Describe(ctx context.Context, object string) (*remote.Describe, error)
	List(ctx context.Context, q pending.ListQuery) (pending.Page, error)
	Record(ctx context.Context, object, id string) (pending.RecordView, error)
	CheckAccess(ctx context.Context, id string) (pending.Access, error)
	Entries(ctx context.Context) ([]pending.Entry, error)
	Entry(ctx context.Context, entryID string) (pending.Entry, error)
	// ChangedSince lists the fields of a conflict's change, outside the conflict, that another
	// user changed since the user changed them: resolving asks about them next.
	ChangedSince(ctx context.Context, entryID string) ([]string, error)
	Counts(ctx context.Context) (total, attention int, err error)
	Activity(ctx context.Context, recordID string, limit int) ([]pending.Activity, error)
	LastSync() time.Time
	Create(ctx context.Context, object string, fields remote.Fields) (string, error)
	Edit(ctx context.Context, object, id string, fields remote.Fields, opts ...pending.EditOption) error
	Delete(ctx context.Context, object, id string) error
	ResolveAgainst(ctx context.Context, entryID string, choices map[string]pending.Choice, theirs remote.Fields) error
	ResolveDelete(ctx context.Context, entryID string, deleteAnyway bool) error
	Fix(ctx context.Context, entryID string, fields remote.Fields) error
	Retry(ctx context.Context, entryID string) error
	Dismiss(ctx context.Context, entryID string) error
	Discard(ctx context.Context, entryID string) error
}
