package mockorg

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// This file holds what makes the org look like a customised one: the custom object
// Site_Visit__c, custom fields on standard objects, record types on Opportunity and Case, and
// the dependent picklist Case.Reason (controlled by Case.Type).

var (
	regions  = []string{"EMEA", "AMER", "APAC"}
	channels = []string{"Email", "Phone", "SMS", "In Person"}
	// productLines are the values of the multi-select Account.Product_Interest__c.
	productLines  = []string{"Hardware", "Software", "Cloud Services", "Training", "Support Plans"}
	visitOutcomes = []string{"Scheduled", "Completed", "Cancelled"}
	caseTypes     = []string{"Mechanical", "Electrical", "Electronic", "Structural", "Other"}
	caseReasons   = []string{"Installation", "Equipment Complexity", "Performance", "Breakdown", "Equipment Design", "Feedback", "Other"}
	// reasonValidFor says which Case Types each Case Reason may be used with.
	reasonValidFor = map[string][]string{
		"Installation":         {"Mechanical", "Electrical", "Structural"},
		"Equipment Complexity": {"Electronic", "Other"},
		"Performance":          {"Electrical", "Electronic"},
		"Breakdown":            {"Mechanical", "Electrical", "Electronic"},
		"Equipment Design":     {"Mechanical", "Structural"},
		"Feedback":             {"Other"},
		"Other":                {"Mechanical", "Electrical", "Electronic", "Structural", "Other"},
	}
)

// MasterRecordTypeID is the id of the master record type every object has. A record whose
// record type is the master one has a null RecordTypeId.
const MasterRecordTypeID = "012000000000000AAA"

// recordTypeDef is one record type of an object.
type recordTypeDef struct {
	N             int64 // the id is ID("012", N)
	Object        string
	Name          string
	DeveloperName string
	Description   string
}

func (rt recordTypeDef) id() string { return ID("012", rt.N) }

// recordTypes are the org's record types, two per object that has any.
var recordTypes = []recordTypeDef{
	{N: 1, Object: "Opportunity", Name: "New Business", DeveloperName: "New_Business", Description: "Deals with customers new to us"},
	{N: 2, Object: "Opportunity", Name: "Renewal", DeveloperName: "Renewal", Description: "Renewals and upgrades of existing contracts"},
	{N: 3, Object: "Case", Name: "Support", DeveloperName: "Support", Description: "Questions and problems handled remotely"},
	{N: 4, Object: "Case", Name: "Field Service", DeveloperName: "Field_Service", Description: "Problems that need a technician on site"},
}

// recordTypesOf lists an object's record types (none for most objects).
func recordTypesOf(object string) []recordTypeDef {
	var out []recordTypeDef
	for _, rt := range recordTypes {
		if rt.Object == object {
			out = append(out, rt)
		}
	}
	return out
}

func custom(f *fieldDef) *fieldDef { f.Custom = true; return f }

func recordTypeField() *fieldDef {
	f := ref("RecordTypeId", "Record Type ID", "RecordType", "RecordType")
	f.DefaultedOnCreate = true
	return f
}

func caseReason() *fieldDef {
	f := pick("Reason", "Case Reason", caseReasons...)
	f.Controller, f.ValidFor = "Type", reasonValidFor
	return f
}

func siteVisitObject() *objectDef {
	return &objectDef{Name: "Site_Visit__c", Label: "Site Visit", LabelPlural: "Site Visits", Prefix: "a01", Writable: true, Custom: true}
}

func siteVisitFields() []*fieldDef {
	name := named(required(str("Name", "Site Visit Name", 80)))
	account := custom(ref("Account__c", "Account", "Account__r", "Account"))
	notes := custom(typed("textarea", "Notes__c", "Notes", 32768))
	return []*fieldDef{
		name,
		account,
		custom(required(typed("date", "Visit_Date__c", "Visit Date", 0))),
		custom(pick("Outcome__c", "Outcome", visitOutcomes...)),
		notes,
		custom(num("double", "Rating__c", "Rating", 3, 1)),
	}
}

// validFor encodes, Salesforce's way, the controller values a dependent picklist value may be
// used with: bit i (most significant bit of byte 0 first) stands for the controller's i-th
// value, and the bytes are base64-encoded.
func validFor(controller []string, allowed []string) string {
	n := (len(controller) + 7) / 8
	if r := n % 3; r != 0 {
		n += 3 - r // whole base64 quanta, as the API sends them ("gAAA")
	}
	bits := make([]byte, n)
	for i, v := range controller {
		for _, a := range allowed {
			if a == v {
				bits[i/8] |= 0x80 >> (i % 8)
			}
		}
	}
	return base64.StdEncoding.EncodeToString(bits)
}

// ValidForAllows reports whether a base64 validFor bitmap allows the controller value at index i.
// It is the check a client makes when it filters a dependent picklist.
func ValidForAllows(bitmap string, i int) bool {
	b, err := base64.StdEncoding.DecodeString(bitmap)
	if err != nil || i < 0 || i/8 >= len(b) {
		return false
	}
	return b[i/8]&(0x80>>(i%8)) != 0
}

// recordTypeInfos is the describe's recordTypeInfos: the object's record types, then the master.
func recordTypeInfos(obj *objectDef, version string) []map[string]any {
	var out []map[string]any
	for _, rt := range recordTypesOf(obj.Name) {
		out = append(out, map[string]any{
			"active": true, "available": true, "defaultRecordTypeMapping": false, "developerName": rt.DeveloperName,
			"master": false, "name": rt.Name, "recordTypeId": rt.id(),
			"urls": map[string]string{"layout": fmt.Sprintf("/services/data/v%s/sobjects/%s/describe/layouts/%s", version, obj.Name, rt.id())},
		})
	}
	out = append(out, map[string]any{
		"active": true, "available": true, "defaultRecordTypeMapping": true, "developerName": "Master",
		"master": true, "name": "Master", "recordTypeId": MasterRecordTypeID,
		"urls": map[string]string{"layout": fmt.Sprintf("/services/data/v%s/sobjects/%s/describe/layouts/%s", version, obj.Name, MasterRecordTypeID)},
	})
	return out
}

// seedRecordTypes adds the read-only RecordType records. Like users, they are not stored:
// every open builds them again.
func (o *Org) seedRecordTypes() {
	def := o.schema.object("RecordType")
	stamp := formatWireTime(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	admin := o.users[len(o.users)-1].ID
	for _, rt := range recordTypes {
		id := rt.id()
		r := &rec{ID: id, Object: def, Owner: admin, Version: 1, F: map[string]any{
			"Id": id, "Name": rt.Name, "DeveloperName": rt.DeveloperName, "SobjectType": rt.Object,
			"IsActive": true, "Description": rt.Description, "IsDeleted": false,
			"CreatedDate": stamp, "CreatedById": admin, "LastModifiedDate": stamp,
			"LastModifiedById": admin, "SystemModstamp": stamp,
		}}
		r.Modified, _ = parseWireTime(stamp)
		o.recs[id] = r
		o.ids["RecordType"] = append(o.ids["RecordType"], id)
	}
}

// checkCustom applies the rules of the customisations to a record about to be written:
// the record type must be one of the object's, and a dependent picklist's value must be valid
// for its controller's value. vals are the fields the request set.
func (o *Org) checkCustom(r *rec, vals map[string]any) *apiError {
	if _, set := vals["RecordTypeId"]; set {
		if id := r.str("RecordTypeId"); id != "" {
			rt := o.recs[id]
			if rt == nil || rt.Object.Name != "RecordType" || rt.str("SobjectType") != r.Object.Name {
				return newErr(http.StatusBadRequest, "INVALID_CROSS_REFERENCE_KEY",
					fmt.Sprintf("Record Type ID: this ID value isn't valid for the user: %s", id), "RecordTypeId")
			}
		}
	}
	for _, f := range r.Object.Fields {
		if f.Controller == "" {
			continue
		}
		_, setDep := vals[f.Name]
		_, setCtl := vals[f.Controller]
		if !setDep && !setCtl {
			continue
		}
		v := r.str(f.Name)
		if v == "" {
			continue
		}
		ctl := r.str(f.Controller)
		chosen := []string{v}
		if f.Type == "multipicklist" {
			chosen = strings.Split(v, ";") // each value chosen must suit the controlling value
		}
		for _, one := range chosen {
			if !slices.Contains(f.ValidFor[one], ctl) {
				// A value that is not valid for the controlling value is refused like any other
				// bad value of a restricted picklist, which is what an org answers.
				return newErr(http.StatusBadRequest, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
					fmt.Sprintf("%s: bad value for restricted picklist field: %s", f.Label, one), f.Name)
			}
		}
	}
	return nil
}

// isMasterRecordType reports whether a reference field is set to the master record type, which
// the org stores as a null RecordTypeId.
func isMasterRecordType(f *fieldDef, id string) bool {
	return f.Name == "RecordTypeId" && strings.EqualFold(id[:15], MasterRecordTypeID[:15])
}
