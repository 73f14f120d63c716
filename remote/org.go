// Package remote is the app's only way to reach a Salesforce org: the Org interface the rest of
// the app uses, and its implementation over the Salesforce REST API (the same code for the
// embedded mock org and a real org).
package remote

import (
	"context"
	"encoding/json"
	"time"
)

// Fields holds record field values as decoded from JSON: string, float64, bool or nil.
// Dates and datetimes are strings in the org's wire format.
type Fields map[string]any

// Record is one record as the org returned it, without its "attributes" object.
type Record struct {
	Type   string // sObject name, from attributes.type
	Fields Fields // includes "Id" and system fields when they were asked for
	ETag   string // the ETag response header of a single-record GET (Account only on real orgs)
}

// ID returns the record's Id field, or "".
func (r Record) ID() string { s, _ := r.Fields["Id"].(string); return s }

// Version identifies one state of a record on the org; it is the precondition of an update.
type Version struct {
	LastModifiedDate time.Time `json:",omitzero"`
	SystemModstamp   time.Time `json:",omitzero"`
	ETag             string    `json:",omitempty"`
}

// WriteOptions are the optional headers of a write.
type WriteOptions struct {
	IfMatch           string    // strong precondition (ETag), sent as If-Match
	IfUnmodifiedSince time.Time // weak precondition, sent as If-Unmodified-Since (1 s resolution)
	AllowDuplicates   bool      // Sforce-Duplicate-Rule-Header: allowSave=true
}

// QueryResult is one page of a query.
type QueryResult struct {
	TotalSize      int
	Done           bool
	NextRecordsURL string // absolute path, empty when Done
	Records        []Record
}

// UpdatedResult is the reply of getUpdated.
type UpdatedResult struct {
	IDs               []string
	LatestDateCovered time.Time
}

// DeletedRecord is one entry of getDeleted.
type DeletedRecord struct {
	ID          string
	DeletedDate time.Time
}

// DeletedResult is the reply of getDeleted.
type DeletedResult struct {
	DeletedRecords        []DeletedRecord
	EarliestDateAvailable time.Time
	LatestDateCovered     time.Time
}

// Subrequest is one entry of a Composite request. URL is a path under /services/data/vNN.0
// (for example "/sobjects/Account/001..."); the client prefixes the version.
type Subrequest struct {
	Method      string
	URL         string
	ReferenceID string
	Body        any               // marshalled as JSON; may contain "@{ref.id}" strings
	Headers     map[string]string // httpHeaders (never Accept, Authorization or Content-Type)
}

// Subresponse is one entry of a Composite reply.
type Subresponse struct {
	ReferenceID string
	StatusCode  int
	Headers     map[string]string
	Body        json.RawMessage
}

// Err returns the subresponse's error as an *Error, or nil when StatusCode is 2xx or 304.
// A malformed error body still yields an *Error carrying the status.
func (s Subresponse) Err() error { return subresponseError(s) }

// APIVersion is one entry of the versions list.
type APIVersion struct {
	Label   string `json:"label"`
	URL     string `json:"url"`
	Version string `json:"version"` // "62.0"
}

// SObjectInfo is one entry of describe global.
type SObjectInfo struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	LabelPlural string `json:"labelPlural"`
	KeyPrefix   string `json:"keyPrefix"`
	Createable  bool   `json:"createable"`
	Updateable  bool   `json:"updateable"`
	Deletable   bool   `json:"deletable"`
	Queryable   bool   `json:"queryable"`
	Custom      bool   `json:"custom"`
}

// PicklistValue is one value of a picklist field.
type PicklistValue struct {
	Value        string `json:"value"`
	Label        string `json:"label"`
	Active       bool   `json:"active"`
	DefaultValue bool   `json:"defaultValue"`
	ValidFor     string `json:"validFor,omitempty"` // dependent picklists (base64 bitmap)
}

// Field is the part of a field describe an edit form and the sync engine need.
type Field struct {
	Name               string          `json:"name"`
	Label              string          `json:"label"`
	Type               string          `json:"type"` // id, string, textarea, picklist, multipicklist, combobox, reference, boolean, currency, double, int, percent, date, datetime, email, phone, url
	Length             int             `json:"length"`
	Precision          int             `json:"precision"`
	Scale              int             `json:"scale"`
	Createable         bool            `json:"createable"`
	Updateable         bool            `json:"updateable"`
	Nillable           bool            `json:"nillable"`
	DefaultedOnCreate  bool            `json:"defaultedOnCreate"`
	DefaultValue       any             `json:"defaultValue"`
	NameField          bool            `json:"nameField"`
	AutoNumber         bool            `json:"autoNumber"` // the org numbers it (a case's Case Number)
	ExternalID         bool            `json:"externalId"`
	Unique             bool            `json:"unique"`
	Custom             bool            `json:"custom"`
	Calculated         bool            `json:"calculated"`
	RestrictedPicklist bool            `json:"restrictedPicklist"`
	DependentPicklist  bool            `json:"dependentPicklist"`
	ControllerName     string          `json:"controllerName,omitempty"`
	PicklistValues     []PicklistValue `json:"picklistValues"`
	ReferenceTo        []string        `json:"referenceTo"`
	RelationshipName   string          `json:"relationshipName,omitempty"`
}

// Required reports whether a create must give the field a value.
func (f Field) Required() bool {
	return f.Createable && !f.Nillable && !f.DefaultedOnCreate && f.Type != "boolean"
}

// ChildRelationship is one entry of a describe's childRelationships.
type ChildRelationship struct {
	ChildSObject     string `json:"childSObject"`
	Field            string `json:"field"`
	RelationshipName string `json:"relationshipName"`
	// CascadeDelete: deleting the parent deletes these child records too.
	CascadeDelete bool `json:"cascadeDelete"`
}

// Describe is the part of an sObject describe the app uses.
type Describe struct {
	Name               string              `json:"name"`
	Label              string              `json:"label"`
	LabelPlural        string              `json:"labelPlural"`
	KeyPrefix          string              `json:"keyPrefix"`
	Createable         bool                `json:"createable"`
	Updateable         bool                `json:"updateable"`
	Deletable          bool                `json:"deletable"`
	Custom             bool                `json:"custom"`
	Fields             []Field             `json:"fields"`
	ChildRelationships []ChildRelationship `json:"childRelationships"`
	RecordTypeInfos    []RecordTypeInfo    `json:"recordTypeInfos"`
}

// RecordTypeInfo is one entry of a describe's recordTypeInfos: a record type the signed-in
// user may (Available) or may not use to create records of the object. Master is the record
// type every object has; a record of the master record type has a null RecordTypeId.
type RecordTypeInfo struct {
	ID                       string `json:"recordTypeId"`
	Name                     string `json:"name"`
	DeveloperName            string `json:"developerName"`
	Available                bool   `json:"available"`
	Active                   bool   `json:"active"`
	Master                   bool   `json:"master"`
	DefaultRecordTypeMapping bool   `json:"defaultRecordTypeMapping"`
}

// Field returns the named field (case-insensitive) and whether it exists.
func (d *Describe) Field(name string) (Field, bool) {
	for _, f := range d.Fields {
		if equalFold(f.Name, name) {
			return f, true
		}
	}
	return Field{}, false
}

// NameField returns the name of the record's name field ("Name", "CaseNumber", "Subject"...).
func (d *Describe) NameField() string {
	for _, f := range d.Fields {
		if f.NameField {
			return f.Name
		}
	}
	return "Id"
}

// Org is everything the app asks of an org. Every method fails at once with an error matching
// ErrOffline (errors.Is) when the device is offline, and with an *Error for any API error.
type Org interface {
	// APIVersion is the version in use, e.g. "62.0".
	APIVersion() string
	Versions(ctx context.Context) ([]APIVersion, error)
	DescribeGlobal(ctx context.Context) ([]SObjectInfo, error)
	Describe(ctx context.Context, object string) (*Describe, error)
	// DescribeIfModified is Describe when the org's metadata for the object changed after since,
	// and (nil, false, nil) when it did not (304); a zero since asks unconditionally.
	DescribeIfModified(ctx context.Context, object string, since time.Time) (*Describe, bool, error)

	Retrieve(ctx context.Context, object, id string, fields []string) (Record, error)
	Create(ctx context.Context, object string, fields Fields, opts WriteOptions) (id string, err error)
	Update(ctx context.Context, object, id string, fields Fields, opts WriteOptions) error
	Upsert(ctx context.Context, object, extField, extValue string, fields Fields, opts WriteOptions) (id string, created bool, err error)
	Delete(ctx context.Context, object, id string) error

	// Query runs SOQL; batchSize 0 means the org's default (2,000).
	Query(ctx context.Context, soql string, batchSize int) (QueryResult, error)
	QueryAll(ctx context.Context, soql string, batchSize int) (QueryResult, error)
	QueryMore(ctx context.Context, nextRecordsURL string) (QueryResult, error)
	Updated(ctx context.Context, object string, start, end time.Time) (UpdatedResult, error)
	Deleted(ctx context.Context, object string, start, end time.Time) (DeletedResult, error)

	// Composite sends up to 25 subrequests in one call.
	Composite(ctx context.Context, allOrNone bool, subs []Subrequest) ([]Subresponse, error)

	// Limits is the last Sforce-Limit-Info seen ("api-usage=18/5000"), or "".
	LimitInfo() string
	// Identity is who the client is signed in as.
	Identity() Identity
}

// Identity names the signed-in user.
type Identity struct {
	InstanceURL string
	Username    string
	UserID      string
	OrgID       string
}
