// Package scenario runs scripted sync situations headless, steps through them one step at a
// time, and records what a user did as a scenario that replays to the same result. QA use it to
// create every sync situation on purpose; support staff use it to reproduce what a user reported.
//
// # The file format
//
// A scenario is a YAML file:
//
//	name: Conflict resolved with mine          # required
//	description: Sam and I edit the same Phone # optional
//	seed: 7                                    # seed of the embedded org's data (default 0)
//	size: 60                                   # records seeded (default: the org's default)
//	strict: false                              # engine strict mode: any remote change conflicts
//	profile: demo                              # the embedded org's profile: demo, or real (no Offline_Key__c)
//	objects: [Site_Visit__c]                   # objects cached besides Account, Contact, Opportunity, Lead, Case, Task
//	steps:
//	  - create: Account                        # as me, while online: syncs at once
//	    ref: acme                              # later steps call the record "acme"
//	    fields: {Name: Acme Scenario Ltd, Phone: "555-0100"}
//	  - share: acme
//	    with: sam
//	  - offline
//	  - edit: acme
//	    fields: {Phone: "555-0111"}
//	  - edit: acme
//	    as: sam                                # through sam's own API session
//	    fields: {Phone: "555-0199"}
//	  - online                                 # the automatic sync runs; the runner waits for it
//	  - expect: {record: acme, sash: orange, status: conflict}
//	  - resolve: acme
//	    fields: {Phone: mine}
//	  - expect: {record: acme, org: {Phone: "555-0111"}, cache: {Phone: "555-0111"}}
//	  - expect: {pending: 0}
//
// On a served org (offline-edit serve) the data is the org's own, seeded when it was started,
// whatever seed and size say; a profile the file names must be the served org's, or nothing
// runs. The command line may run a file with another seed, size, strict or profile; the run
// then says so before its first step.
//
// The device starts online with its cache primed, as the app does on first run. The device's
// user is "me" (alex@demo.example on the demo org); "sam" and "admin" are the other users.
//
// # Records
//
// A record is named by the ref an earlier create gave it (`edit: acme`), or by object and the
// value of its name field (`edit: {object: Account, name: Burlington Textiles}`: Name, or
// Subject for a Task, CaseNumber for a Case; exactly one record must match), or by object and id
// (`edit: {object: Account, id: 001...}`).
//
// A lookup field takes the id of a record an earlier create named with {ref: NAME}:
//
//	create: Contact
//	fields: {LastName: Child, AccountId: {ref: parent}}
//
// It is the record's local id while it waits offline and the org's id once it has synced, so
// expectations such as `org: {AccountId: {ref: parent}}` check that a child points at its parent.
//
// # Steps
//
// Each step is a word, or a mapping whose first key says what it does:
//
//	offline                          the device goes offline: no request leaves it
//	online                           back online; the automatic sync runs and is waited for
//	online: {synced: 1, merged: 1}   the same, and checks the sync's counts
//	                                 (synced, merged, attention, retrying, waiting)
//	sync                             one sync run now (also takes the counts above)
//	network: {latency: 300ms, jitter: 100ms, drop: 10%, lossy: 100%, errors: 50%}
//	network: normal                  conditions back to normal
//	wait: 5m                         the scenario clock moves on (retry timers expire)
//	create: OBJECT                   with fields: {...}, optional ref: NAME (keys beside create)
//	edit: RECORD                     with fields: {...}
//	delete: RECORD
//	share: RECORD                    with: me|sam, access: read|edit (default edit); done by the admin
//	unshare: RECORD                  with: me|sam; done by the admin
//	lock: RECORD                     the org holds the record's row lock: its updates and deletes
//	                                 answer UNABLE_TO_LOCK_ROW (reads and other records go on);
//	                                 optional writes: N refuses N writes, else until unlock
//	unlock: RECORD                   the org lets the record go
//	add_rule: {object: Opportunity, kind: min, field: Amount, value: 0, message: ...}
//	                                 optional ref: NAME beside add_rule (not inside the braces);
//	                                 kinds: required, min, max_length,
//	                                 forbid_value, require_if (other_field + value), duplicate,
//	                                 flow_error (a flow that fails on Field = value)
//	remove_rule: NAME
//	expire                           the admin expires my session (expire: sam for sam's)
//	signin                           I sign in again: a fresh token, and the sync resumes
//	resolve: RECORD                  fields: {Phone: mine, Rating: theirs, Industry: {value: Energy}}
//	                                 or take: mine|theirs for every conflicting field,
//	                                 or delete: anyway|keep for a delete conflict
//	fix: RECORD                      fields: {...}: new values for a change the org refused
//	dismiss: RECORD                  a red change goes; the cache takes the org's truth
//	discard: RECORD                  the pending change is thrown away
//	retry: RECORD                    try the change now
//	check_access: RECORD             the device asks the org what I may do with a record shared
//	                                 with me, as its page does when it opens online
//	expect: {...}                    checks, below
//
// Field values are text, numbers, true/false or null; a lookup to a record a create step named
// is {ref: NAME}, a user (an owner) is {user: sam} (me, sam, admin or a username); a lookup given
// as text must be a record id ("" or null clears it). A multi-select picklist takes a list of
// its values or the org's text of them, joined by ";":
//
//	fields: {Product_Interest__c: [Training, Hardware]}   # the same as "Training;Hardware"
//
// each value must be one of the picklist's, and [] clears it. A date and time is an instant:
// 2026-01-05T09:00:00Z, or with an offset ("2026-01-05T10:00:00+01:00"); one without its zone
// is refused.
//
// create, edit and delete act as me unless `as: sam` or `as: admin` is given: another user acts
// through the org's API with their own session, never through my device. While I am online, my
// own changes sync at once, as in the app, and the runner waits for that sync.
//
// A step that must be refused says so with `expect_error:` and one of locked, not_found,
// not_allowed, auth, offline, network, or an org error code (INSUFFICIENT_ACCESS_OR_READONLY).
// A step that fails without expect_error stops the run.
//
// # Checks
//
//	expect:
//	  record: acme
//	  sash: orange            green, orange, red or none
//	  status: conflict        pending, syncing, waiting, conflict, invalid, failed or none
//	  code: FIELD_CUSTOM_VALIDATION_EXCEPTION
//	  message: Amount         a part of the change's message
//	  attempts: 2             how many sends of the change the org refused or left unknown
//	                          (a transient error, such as UNABLE_TO_LOCK_ROW, counts one each)
//	  access: read            what the device lets me do with it, as it last learnt from the
//	                          org: full, edit (shared to edit: no delete) or read (read only)
//	  cache: {Phone: "1"}     what I see (the cached copy with my change over it)
//	  org: {Phone: "2"}       the values on the org, read as the admin
//	  org_exists: false       whether the org still has the record (not in the recycle bin)
//	  conflicts: {Phone: "9"} exactly the fields the change conflicts on, each with the org's
//	                          value now (theirs; in strict mode that may be unchanged)
//	expect: {pending: 1, attention: 1}   pending changes, of which need me (orange or red)
//	expect:
//	  count: {object: Account, where: "Name = 'Lossy Ltd'", is: 1}   records on the org
//	expect:
//	  cached: {object: Account, name: Lossy Ltd, is: 1}   records of that name on this device
//
// A value checked compares as the org would: numbers by value, "" as null, a date and time as
// the instant it is (2026-01-05T09:00:00Z is the org's 2026-01-05T09:00:00.000+0000), the
// values of a multi-select picklist in any order.
//
// Every failed check is reported with what was expected and what was found; the run goes on, so
// one run shows every difference.
//
// # Validation
//
// Parse checks everything that needs no org: step kinds, keys, object names, value types,
// refs named before use; a problem is a *ParseError "FILE:LINE: problem". Before the first step
// runs, Validate checks the rest against the org: fields exist on the object's describe, values
// fit their types, and records named by object and name exist (unless an earlier step creates
// them). Nothing runs half-way silently.
package scenario
