// Package pending holds the device's pending-change queue, its state machine and the sync
// engine that pushes it to the org, plus the resolution of conflicts and errors. It is the
// only package the terminal app calls to read and change records.
//
// # The queue
//
// One entry per record, in the order the record was first changed, coalesced: an edit after a
// create stays one create with the merged fields; a delete after a create removes the entry
// (nothing is sent); an edit after an edit is the union of the changed fields with the base
// unchanged; a delete after an edit is a delete that keeps the base. Every local change is one
// SQLite transaction that commits before the call returns. A record whose entry is conflict,
// invalid or failed (orange or red) is locked: Edit and Delete return ErrLocked.
//
// # Sending
//
// Entries go out in Composite requests (at most 25 subrequests, allOrNone false), each change
// with its own precondition, and the same request reads the records back after the writes, so
// the cache takes the server's copy without another round trip: the updates whose base has no
// ETag through one sObject Collections retrieve per object at the end of the request (GET
// /composite/sobjects/{Object}?ids=…&fields=…, the fields sync-down asks for, or its POST form
// with ids and fields in the body when they would make the URL too long; at most five such
// subrequests per request, as on a real org), so a request carries up to 24 updates; a create,
// or an update sent with If-Match, through a GET of its own right after it (which brings the
// record's ETag for the next If-Match). Should a retrieve fail as a whole, each record it named
// that was written, or answered 412, is read on its own. Updates are conditional: If-Match when
// the base has an ETag, otherwise If-Unmodified-Since with the base's LastModifiedDate (its
// SystemModstamp when the org gave none; a record whose stamps are no dates is a reply that
// could not be read, and is not cached). A 412
// is judged field by field against the server copy read back in the same request: if the org
// already has every value of the change, it was ours (a reply lost or a crash after the org
// applied it) and the entry is done; if another user changed only other fields, the entry is
// rebased on the server's version and resent (auto-merge, noted in the activity log); otherwise
// it is a conflict with base, theirs and mine per field. Strict mode makes every remote change
// a conflict. Deletes read the record first (DELETE takes no precondition): a change since the
// base is a conflict, a record already deleted is done.
//
// Creates are exactly-once. Where the object has Offline_Key__c, a create is an upsert keyed by
// the entry's UUID, and a create whose earlier outcome is unknown is first looked up by that
// key. Without the field, the create is a POST, and before a create whose outcome is unknown is
// sent again the engine queries for a record created by the signed-in user since five minutes
// before the attempt whose filterable fields (text, picklist, email, phone, url, number,
// boolean, date, lookup) equal the change, prefers among them one that also holds the rest
// (long text, multi-select; with no filterable field at all, only such a one is taken), and
// adopts the oldest one not already mapped to another local id nor found for another create
// in the same sync (two identical creates take one record each). Residual risk of that fallback: an identical record created by the same
// user through another client within that window is taken for ours (and ours is not
// created); a record whose matched fields were changed by automation right after the create
// is not found, and the resend duplicates it. Records created offline that point at each other
// go in one Composite with @{ref.id}; local ids are replaced everywhere (cache, lookups, queue,
// id map) in the transaction that records the create.
//
// # The If-Unmodified-Since window
//
// On a real org If-Unmodified-Since has one-second resolution and only Account gives an ETag,
// and only on a single-record GET. The engine closes the window as far as the API allows: an
// update uses If-Match whenever the cached copy carries an ETag (taken from the GET that
// follows a create or an update sent with If-Match when the org reports one there; the
// Collections retrieve after other updates brings none, sync-down by query brings none, and
// neither the embedded org's Composite replies nor, as far as documented, a real org's do, so
// in practice Account falls back to If-Unmodified-Since as well). Whenever the engine has read
// the record anyway (sync-down, the GET after a 412 or after a write) it compares
// SystemModstamp to the millisecond, so a cached server copy newer than the base is judged
// field by field before anything is sent. A real org keeps whole seconds, so a copy with the
// stamp the device holds counts as newer when its values differ (a refresh stores it, the
// judgement before a send and the read before a delete take it as another user's change);
// and after a successful write the GET shows any other
// user's change to the fields this entry did not send, which is kept (a merge, noted in the
// activity log). An update rebased on a copy just read (an auto-merge after a 412) waits until
// that copy's second is over on the org's clock, reads its record again and is judged against
// it before it is resent: two devices auto-merging against the same change resend within one
// second, and the second resend would pass its precondition. What remains possible: another
// user's change made in the same second as the base's LastModifiedDate, to the same fields,
// and not yet seen by a sync-down or such a read, passes the precondition and is overwritten by
// ours (a base read in its own second by a refresh just before the send). TestIfUnmodifiedSinceWindow places changes inside and
// outside that second with the mock org's clock.
//
// # Errors
//
// Every outcome falls in exactly one class (see Classify): transient (network, 5xx,
// UNABLE_TO_LOCK_ROW, REQUEST_LIMIT_EXCEEDED, 429/503) → pending with exponential backoff and
// full jitter, never sooner than Retry-After; auth (401) → sync pauses, EventAuthRequired, Sync
// returns ErrAuth; conflict; invalid (rule errors with their fields; DUPLICATES_DETECTED, where
// saving the entry unchanged resends it with the duplicate rule header when the rule allows);
// failed (NOT_FOUND, ENTITY_IS_DELETED, INSUFFICIENT_ACCESS_*, INVALID_CROSS_REFERENCE_KEY on the
// record itself). An entry never blocks the entries behind it; an entry that points at a record
// created offline waits (status waiting) until that record exists on the org.
//
// # Crash safety
//
// Every state change is one transaction. Entries are marked syncing before their request leaves
// and settled after the reply; an entry found syncing when the engine opens has an unknown
// outcome and is settled without duplicates: creates are looked up first, updates are resent
// conditionally (a 412 caused by our own earlier success is recognised), deletes are
// idempotent.
//
// # Sync-down
//
// The first sync primes each object (its PerObject most recently modified records the user can
// see, paged with queryMore). Later syncs refresh incrementally:
//
//   - updates by a query on SystemModstamp, from one minute before the newest SystemModstamp
//     already seen (the org's own clock, so the device's clock does not matter; the minute
//     covers a transaction that committed after a later one). Unlike getUpdated, which counts
//     whole minutes ending before now, this sees a change made seconds before the refresh, and
//     it brings the records in the same request instead of a list of ids to fetch;
//   - deletes by getDeleted, from a separate delete watermark. The org truncates its window to
//     whole minutes and refuses one that is not "more than one minute" long
//     (INVALID_REPLICATION_DATE), so getDeleted waits until the window spans two whole minutes:
//     a refresh soon after the last one makes no such request and reloads nothing, and a
//     delete shows up at most about three minutes late. Should the org refuse the window
//     anyway, the watermark stays and the next refresh asks again.
//
// Sharing changes move no SystemModstamp, so neither of those sees a record newly shared with
// the user or one whose access was taken away. Every Options.MembershipEvery (default two
// minutes; each refresh at most once) a refresh also runs an ids-only query with the prime's
// order and limit and compares it with the cached ids: ids new to the device are fetched in
// full, cached records no longer among them are dropped unless they carry a pending entry (so
// the cache stays what a prime would take now, at the cost of one small query per object).
//
// What the user may do with the records they do not own (read, edit, delete) is asked of the
// org (UserRecordAccess, 200 ids a query) for the records a refresh stores and, with each
// comparison of ids, for every such cached record: a share narrowed or widened moves no
// SystemModstamp either. The device keeps what is less than edit and delete, and Edit and
// Delete refuse what the org would (ErrNotAllowed) before anything is queued. An org that
// will not say leaves them offered; the org then decides at sync, as before.
//
// A delete log that starts after the delete watermark, or a delete watermark older than the
// org keeps (15 days), forces a full refresh. A refresh never overwrites a pending change or
// its base: the server copy is stored and the change is laid over it.
package pending
