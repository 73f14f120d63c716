package scenario

import (
	"time"

	"github.com/offline-edit/offline-edit/remote"
)

// Scenario is one parsed scenario file.
type Scenario struct {
	File        string // the path or name it was parsed from, used in error messages
	Name        string
	Description string
	Seed        int64    // seed of the embedded org's data
	Size        int      // approximate number of seeded records (0 = the org's default)
	Strict      bool     // the engine's strict mode: any remote change is a conflict
	Profile     string   // the embedded org's profile: "demo" or "real"; "" is the demo one (or a served org's own)
	Objects     []string // objects cached besides the standard six (e.g. custom objects)
	ObjectsLine int      // the line of the objects key, for messages
	// ExtraFields gives objects of the embedded org that many more custom fields, as a big
	// org's have (mockorg.Options.ExtraFields); a served org must have them already.
	ExtraFields map[string]int
	Steps       []Step

	// Overrides say which of the settings above the command line gave instead of the file
	// (such as "--strict: strict: true, the file says false"); Run prints them before the
	// first step and its Report carries them, so a run is never taken for the file's own.
	Overrides []string

	lists map[listed]bool // the values the file wrote as lists, for the validator
}

// MaxSize is the largest size a scenario asks of the embedded org.
const MaxSize = 100000

// Profiles are the values of a scenario's profile.
var Profiles = []string{"demo", "real"}

// Kind is what a step does.
type Kind string

// The step kinds. A scenario file names each step by one of these keys.
const (
	KindOffline    Kind = "offline"      // the device goes offline
	KindOnline     Kind = "online"       // the device goes online; the automatic sync runs and is waited for
	KindNetwork    Kind = "network"      // network conditions of the device
	KindWait       Kind = "wait"         // the scenario clock moves forward (backoff timers expire)
	KindSync       Kind = "sync"         // one sync run now
	KindCreate     Kind = "create"       // create a record (as me, or as another user)
	KindEdit       Kind = "edit"         // edit a record
	KindDelete     Kind = "delete"       // delete a record
	KindShare      Kind = "share"        // the admin shares a record with a user
	KindUnshare    Kind = "unshare"      // the admin takes a user's access away
	KindLock       Kind = "lock"         // the org holds a record's row lock: its writes answer UNABLE_TO_LOCK_ROW
	KindUnlock     Kind = "unlock"       // the org lets a locked record go
	KindAddRule    Kind = "add_rule"     // the admin adds a validation rule
	KindRemoveRule Kind = "remove_rule"  // the admin removes a rule added earlier
	KindExpire     Kind = "expire"       // the admin expires a user's session
	KindSignin     Kind = "signin"       // I sign in again: a fresh token
	KindResolve    Kind = "resolve"      // resolve a conflict
	KindFix        Kind = "fix"          // new values for an invalid change
	KindDismiss    Kind = "dismiss"      // dismiss a failed (red) change
	KindDiscard    Kind = "discard"      // discard a pending change
	KindRetry      Kind = "retry"        // attempt a change now
	KindCheck      Kind = "check_access" // the device asks the org what I may do with a record
	KindExpect     Kind = "expect"       // check the state of the device and the org
)

// Kinds lists every step kind in the order the format documents them.
var Kinds = []Kind{
	KindOffline, KindOnline, KindNetwork, KindWait, KindSync, KindCreate, KindEdit, KindDelete,
	KindShare, KindUnshare, KindLock, KindUnlock, KindAddRule, KindRemoveRule, KindExpire, KindSignin, KindResolve,
	KindFix, KindDismiss, KindDiscard, KindRetry, KindCheck, KindExpect,
}

// Objects are the object names a scenario may use (checked again against the org's describe).
var Objects = []string{"Account", "Contact", "Opportunity", "Lead", "Case", "Task"}

// RuleKinds are the kinds of validation rule the mock org can add at run time.
var RuleKinds = []string{"required", "min", "max_length", "forbid_value", "require_if", "duplicate", "flow_error"}

// Me is the user name that stands for the device's own user.
const Me = "me"

// RecordRef points at a record: by the name a create step gave it (Ref), or by object and
// the value of its name field, or by object and id.
type RecordRef struct {
	Ref    string `json:"ref,omitempty"`
	Object string `json:"object,omitempty"`
	Name   string `json:"name,omitempty"`
	ID     string `json:"id,omitempty"`
}

// IsZero reports whether the reference is empty.
func (r RecordRef) IsZero() bool { return r == RecordRef{} }

// String is the reference as a person reads it.
func (r RecordRef) String() string {
	switch {
	case r.Ref != "":
		return r.Ref
	case r.ID != "":
		return r.Object + " " + r.ID
	default:
		return r.Object + " " + quoteIfNeeded(r.Name)
	}
}

// RefTo is a field value that is the id of a record a create step named: a lookup to it,
// written {ref: NAME} in a file. It is replaced by the record's current id (local before it
// syncs, the org's after) when the step runs.
type RefTo struct {
	Ref string `json:"ref"`
}

// UserTo is a field value that is the id of a user (an owner): {user: sam} in a file, for me,
// sam, admin or a username. It is replaced by the user's id on the org when the step runs.
type UserTo struct {
	User string `json:"user"`
}

// Choice is how one conflicting field is resolved: Take is "mine", "theirs" or "value".
type Choice struct {
	Take  string `json:"take"`
	Value any    `json:"value,omitempty"`
}

// Rule is a validation rule an add_rule step adds.
type Rule struct {
	Object     string `json:"object"`
	Kind       string `json:"kind"`
	Field      string `json:"field"`
	Value      string `json:"value,omitempty"`
	OtherField string `json:"otherField,omitempty"`
	Message    string `json:"message,omitempty"`
}

// Conditions are the network conditions of a network step. All zero is a normal network.
type Conditions struct {
	Latency time.Duration `json:"latency,omitempty"`
	Jitter  time.Duration `json:"jitter,omitempty"`
	Drop    float64       `json:"drop,omitempty"`   // share of requests that never reach the org
	Lossy   float64       `json:"lossy,omitempty"`  // share applied by the org whose reply is lost
	Errors  float64       `json:"errors,omitempty"` // share answered by 503 or UNABLE_TO_LOCK_ROW
}

// SummaryExpect are the expected counts of a sync run (nil = not checked).
type SummaryExpect struct {
	Synced    *int `json:"synced,omitempty"`
	Merged    *int `json:"merged,omitempty"`
	Attention *int `json:"attention,omitempty"`
	Retrying  *int `json:"retrying,omitempty"`
	Waiting   *int `json:"waiting,omitempty"`
}

// Count expects the number of records on the org (read as the admin) matching a SOQL WHERE.
type Count struct {
	Object string `json:"object"`
	Where  string `json:"where,omitempty"`
	Is     int    `json:"is"`
}

// Expectation is what an expect step checks. Unset parts are not checked.
type Expectation struct {
	Record    RecordRef     `json:"record,omitzero"`
	Sash      string        `json:"sash,omitempty"`     // green, orange, red or none
	Status    string        `json:"status,omitempty"`   // an entry status, or none
	Code      string        `json:"code,omitempty"`     // the entry's error code
	Message   string        `json:"message,omitempty"`  // a substring of the entry's message
	Attempts  *int          `json:"attempts,omitempty"` // how many times the org refused the change's sends (or left their outcome unknown)
	Access    string        `json:"access,omitempty"`   // what the device lets me do: full, edit (no delete) or read
	Cache     remote.Fields `json:"cache,omitempty"`    // field values as I see them
	Org       remote.Fields `json:"org,omitempty"`      // field values on the org, read as the admin
	OrgExists *bool         `json:"orgExists,omitempty"`
	Pending   *int          `json:"pending,omitempty"`   // number of pending changes
	Attention *int          `json:"attention,omitempty"` // of which need the user (orange or red)
	Count     *Count        `json:"count,omitempty"`
	// Conflicts are the fields the record's change conflicts on, each with the value another
	// user gave it (theirs): exactly these fields.
	Conflicts remote.Fields `json:"conflicts,omitempty"`
	Cached    *Cached       `json:"cached,omitempty"`
}

// Cached counts the records of an object on this device (the cache, with changes not yet
// synced) whose name is Name.
type Cached struct {
	Object string `json:"object"`
	Name   string `json:"name"`
	Is     int    `json:"is"`
}

// Step is one step of a scenario. Which fields matter depends on Kind; see the package
// documentation for the file format.
type Step struct {
	Line int  `json:"line"` // where it is in the file (0 for steps built in code)
	Kind Kind `json:"kind"`

	As          string            `json:"as,omitempty"`     // who acts: "" or "me" for the device's user, "sam", "admin", or a username
	Object      string            `json:"object,omitempty"` // create
	Record      RecordRef         `json:"record,omitzero"`  // the record acted on
	Fields      remote.Fields     `json:"fields,omitempty"` // create, edit, fix
	Ref         string            `json:"ref,omitempty"`    // the name a create or add_rule gives its record or rule
	User        string            `json:"user,omitempty"`   // share/unshare: with whom; expire: whose session
	Access      string            `json:"access,omitempty"` // share: read or edit
	Writes      int               `json:"writes,omitempty"` // lock: how many writes it refuses (0 = until unlock)
	Rule        *Rule             `json:"rule,omitempty"`
	RuleRef     string            `json:"ruleRef,omitempty"` // remove_rule
	Choices     map[string]Choice `json:"choices,omitempty"`
	TakeAll     string            `json:"takeAll,omitempty"` // resolve: mine or theirs for every conflicting field not in Choices
	Delete      string            `json:"delete,omitempty"`  // resolve a delete conflict: anyway or keep
	Newer       bool              `json:"newer,omitempty"`   // resolve against theirs as the device holds it now (a later sync brought newer values)
	Network     *Conditions       `json:"network,omitempty"`
	Wait        time.Duration     `json:"wait,omitempty"`
	Summary     *SummaryExpect    `json:"summary,omitempty"` // sync, online
	Expect      *Expectation      `json:"expect,omitempty"`
	ExpectError string            `json:"expectError,omitempty"` // the step must fail with this error
}
