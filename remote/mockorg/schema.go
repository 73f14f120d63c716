package mockorg

import (
	"fmt"
	"sort"
	"strings"
)

// fieldDef describes one field of an sObject.
type fieldDef struct {
	Name              string
	Label             string
	Type              string // id string textarea picklist multipicklist combobox reference boolean currency double int percent date datetime email phone url
	Length            int
	Precision         int
	Scale             int
	Createable        bool
	Updateable        bool
	Nillable          bool
	DefaultedOnCreate bool
	Default           any
	NameField         bool
	ExternalID        bool
	Unique            bool
	Custom            bool
	Calculated        bool
	AutoNumber        bool
	Picklist          []string
	PicklistDefault   string
	Restricted        bool
	ReferenceTo       []string
	RelationshipName  string
	DemoOnly          bool // exists only in the demo profile (Offline_Key__c)
	// Controller names the picklist this dependent picklist depends on; ValidFor maps each
	// of this field's values to the controller values it may be used with.
	Controller string
	ValidFor   map[string][]string
}

func (f *fieldDef) isText() bool {
	switch f.Type {
	case "id", "string", "textarea", "picklist", "multipicklist", "combobox", "reference", "email", "phone", "url":
		return true
	}
	return false
}

func (f *fieldDef) isNumber() bool {
	switch f.Type {
	case "currency", "double", "int", "percent":
		return true
	}
	return false
}

// objectDef describes one sObject.
type objectDef struct {
	Name        string
	Label       string
	LabelPlural string
	Prefix      string
	Writable    bool // createable, updateable, deletable through the API
	Custom      bool // a custom object (name ends in __c)
	Public      bool // every user reads every record (User, RecordType)
	Fields      []*fieldDef
	byName      map[string]*fieldDef // lower-case name → field
	exact       map[string]*fieldDef // name as declared → field (found without lower-casing)
	byRel       map[string]*fieldDef // lower-case relationship name → reference field
	Children    []childRel
}

type childRel struct {
	Child, Field, Relationship string
}

// field returns the named field (case-insensitive), honouring the profile.
func (o *objectDef) field(name string, p Profile) *fieldDef {
	f := o.exact[name]
	if f == nil {
		f = o.byName[strings.ToLower(name)]
	}
	if f == nil || (f.DemoOnly && p == ProfileReal) {
		return nil
	}
	return f
}

// relationship returns the reference field behind a relationship name ("Account" → AccountId).
func (o *objectDef) relationship(name string) *fieldDef {
	return o.byRel[strings.ToLower(name)]
}

func (o *objectDef) nameField() *fieldDef {
	for _, f := range o.Fields {
		if f.NameField {
			return f
		}
	}
	return o.byName["id"]
}

// fields returns the fields visible in a profile, in describe order.
func (o *objectDef) visibleFields(p Profile) []*fieldDef {
	out := make([]*fieldDef, 0, len(o.Fields))
	for _, f := range o.Fields {
		if f.DemoOnly && p == ProfileReal {
			continue
		}
		out = append(out, f)
	}
	return out
}

// schema is the set of sObjects; built once, never changed.
type schema struct {
	objects map[string]*objectDef // lower-case name → object
	exact   map[string]*objectDef // name as declared → object
	names   []string              // sorted
}

func (s *schema) object(name string) *objectDef {
	if o := s.exact[name]; o != nil {
		return o
	}
	return s.objects[strings.ToLower(name)]
}

// Field builders.
func str(name, label string, length int) *fieldDef {
	return &fieldDef{Name: name, Label: label, Type: "string", Length: length, Createable: true, Updateable: true, Nillable: true}
}
func typed(typ, name, label string, length int) *fieldDef {
	f := str(name, label, length)
	f.Type = typ
	return f
}
func num(typ, name, label string, precision, scale int) *fieldDef {
	f := str(name, label, 0)
	f.Type, f.Precision, f.Scale = typ, precision, scale
	return f
}
func pick(name, label string, values ...string) *fieldDef {
	f := str(name, label, 255)
	f.Type, f.Picklist, f.Restricted = "picklist", values, true
	return f
}

// multiPick is a restricted multi-select picklist: its value is the chosen values joined by
// ";". A real org describes it with a length of 4099 characters.
func multiPick(name, label string, values ...string) *fieldDef {
	f := str(name, label, 4099)
	f.Type, f.Picklist, f.Restricted = "multipicklist", values, true
	return f
}
func ref(name, label, rel string, to ...string) *fieldDef {
	f := str(name, label, 18)
	f.Type, f.ReferenceTo, f.RelationshipName = "reference", to, rel
	return f
}
func required(f *fieldDef) *fieldDef { f.Nillable = false; return f }
func named(f *fieldDef) *fieldDef    { f.NameField = true; return f }
func readOnly(f *fieldDef) *fieldDef {
	f.Createable, f.Updateable = false, false
	return f
}
func defaulted(f *fieldDef, v string) *fieldDef {
	f.Nillable, f.DefaultedOnCreate, f.PicklistDefault, f.Default = false, true, v, v
	return f
}
func calc(f *fieldDef) *fieldDef {
	readOnly(f)
	f.Calculated = true
	f.DefaultedOnCreate = true
	f.Nillable = false
	return f
}

func systemFields(hasOwner bool) []*fieldDef {
	id := readOnly(&fieldDef{Name: "Id", Label: "Record ID", Type: "id", Length: 18, DefaultedOnCreate: true})
	id.ExternalID = false
	out := []*fieldDef{id}
	if hasOwner {
		owner := ref("OwnerId", "Owner ID", "Owner", "User")
		owner.Nillable, owner.DefaultedOnCreate = false, true
		out = append(out, owner)
	}
	out = append(out, calc(&fieldDef{Name: "IsDeleted", Label: "Deleted", Type: "boolean"}))
	for _, f := range []*fieldDef{
		{Name: "CreatedDate", Label: "Created Date", Type: "datetime"},
		ref("CreatedById", "Created By ID", "CreatedBy", "User"),
		{Name: "LastModifiedDate", Label: "Last Modified Date", Type: "datetime"},
		ref("LastModifiedById", "Last Modified By ID", "LastModifiedBy", "User"),
		{Name: "SystemModstamp", Label: "System Modstamp", Type: "datetime"},
	} {
		readOnly(f)
		f.DefaultedOnCreate, f.Nillable = true, false
		out = append(out, f)
	}
	return out
}

func offlineKey() *fieldDef {
	f := str("Offline_Key__c", "Offline Key", 36)
	f.ExternalID, f.Unique, f.Custom, f.DemoOnly = true, true, true, true
	return f
}

var (
	industries  = []string{"Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications", "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering", "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government", "Healthcare", "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media", "Not For Profit", "Recreation", "Retail", "Shipping", "Technology", "Telecommunications", "Transportation", "Utilities", "Other"}
	leadSources = []string{"Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"}
	ratings     = []string{"Hot", "Warm", "Cold"}
	stages      = []string{"Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost"}
	stageProb   = map[string]float64{"Prospecting": 10, "Qualification": 10, "Needs Analysis": 20, "Value Proposition": 50, "Id. Decision Makers": 60, "Perception Analysis": 70, "Proposal/Price Quote": 75, "Negotiation/Review": 90, "Closed Won": 100, "Closed Lost": 0}
	stageFcst   = map[string]string{"Closed Won": "Closed", "Closed Lost": "Omitted", "Negotiation/Review": "Commit", "Proposal/Price Quote": "Best Case"}
)

func address(prefix, label string) []*fieldDef {
	return []*fieldDef{
		typed("textarea", prefix+"Street", label+" Street", 255),
		str(prefix+"City", label+" City", 40),
		str(prefix+"State", label+" State/Province", 80),
		str(prefix+"PostalCode", label+" Zip/Postal Code", 20),
		str(prefix+"Country", label+" Country", 80),
	}
}

// buildSchema builds the org's objects, with extra[object] more custom text fields on an
// object (see Options.ExtraFields).
func buildSchema(extra map[string]int) *schema {
	var objs []*objectDef
	add := func(o *objectDef, hasOwner bool, fields ...*fieldDef) {
		all := systemFields(hasOwner)
		all = append(all, fields...)
		for i := 1; i <= extra[o.Name]; i++ {
			all = append(all, extraField(i))
		}
		if o.Writable {
			all = append(all, offlineKey())
		}
		o.Fields = all
		objs = append(objs, o)
	}
	add(&objectDef{Name: "Account", Label: "Account", LabelPlural: "Accounts", Prefix: "001", Writable: true}, true,
		append([]*fieldDef{
			named(required(str("Name", "Account Name", 255))),
			pick("Type", "Account Type", "Prospect", "Customer - Direct", "Customer - Channel", "Channel Partner / Reseller", "Installation Partner", "Technology Partner", "Other"),
			pick("Industry", "Industry", industries...),
			pick("Rating", "Account Rating", ratings...),
			typed("phone", "Phone", "Account Phone", 40),
			typed("phone", "Fax", "Account Fax", 40),
			typed("url", "Website", "Website", 255),
			num("currency", "AnnualRevenue", "Annual Revenue", 18, 0),
			num("int", "NumberOfEmployees", "Employees", 8, 0),
			str("AccountNumber", "Account Number", 40),
			typed("textarea", "Description", "Account Description", 32000),
			ref("ParentId", "Parent Account ID", "Parent", "Account"),
		}, append(append(address("Billing", "Billing"), address("Shipping", "Shipping")...),
			// Custom fields come after the standard ones, as in a real describe.
			custom(pick("Region__c", "Region", regions...)),
			custom(multiPick("Product_Interest__c", "Product Interest", productLines...)))...)...)
	add(&objectDef{Name: "Contact", Label: "Contact", LabelPlural: "Contacts", Prefix: "003", Writable: true}, true,
		append([]*fieldDef{
			named(calc(str("Name", "Full Name", 121))),
			required(str("LastName", "Last Name", 80)),
			str("FirstName", "First Name", 40),
			pick("Salutation", "Salutation", "Mr.", "Ms.", "Mrs.", "Dr.", "Prof."),
			ref("AccountId", "Account ID", "Account", "Account"),
			str("Title", "Title", 128),
			typed("email", "Email", "Email", 80),
			typed("phone", "Phone", "Business Phone", 40),
			typed("phone", "MobilePhone", "Mobile Phone", 40),
			str("Department", "Department", 80),
			pick("LeadSource", "Lead Source", leadSources...),
			&fieldDef{Name: "DoNotCall", Label: "Do Not Call", Type: "boolean", Createable: true, Updateable: true, DefaultedOnCreate: true, Default: false},
			typed("date", "Birthdate", "Birthdate", 0),
			ref("ReportsToId", "Reports To ID", "ReportsTo", "Contact"),
			typed("textarea", "Description", "Contact Description", 32000),
		}, append(address("Mailing", "Mailing"),
			custom(pick("Preferred_Channel__c", "Preferred Channel", channels...)),
			custom(typed("datetime", "Next_Meeting__c", "Next Meeting", 0)))...)...)
	add(&objectDef{Name: "Opportunity", Label: "Opportunity", LabelPlural: "Opportunities", Prefix: "006", Writable: true}, true,
		named(required(str("Name", "Name", 120))),
		ref("AccountId", "Account ID", "Account", "Account"),
		required(pick("StageName", "Stage", stages...)),
		required(typed("date", "CloseDate", "Close Date", 0)),
		num("currency", "Amount", "Amount", 18, 2),
		num("percent", "Probability", "Probability (%)", 3, 0),
		pick("Type", "Opportunity Type", "Existing Customer - Upgrade", "Existing Customer - Replacement", "Existing Customer - Downgrade", "New Customer"),
		pick("LeadSource", "Lead Source", leadSources...),
		str("NextStep", "Next Step", 255),
		pick("ForecastCategoryName", "Forecast Category", "Omitted", "Pipeline", "Best Case", "Commit", "Closed"),
		typed("textarea", "Description", "Description", 32000),
		calc(&fieldDef{Name: "IsClosed", Label: "Closed", Type: "boolean"}),
		calc(&fieldDef{Name: "IsWon", Label: "Won", Type: "boolean"}),
		recordTypeField(),
	)
	add(&objectDef{Name: "Lead", Label: "Lead", LabelPlural: "Leads", Prefix: "00Q", Writable: true}, true,
		named(calc(str("Name", "Full Name", 121))),
		required(str("LastName", "Last Name", 80)),
		str("FirstName", "First Name", 40),
		pick("Salutation", "Salutation", "Mr.", "Ms.", "Mrs.", "Dr.", "Prof."),
		required(str("Company", "Company", 255)),
		defaulted(pick("Status", "Lead Status", "Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted"), "Open - Not Contacted"),
		str("Title", "Title", 128),
		typed("email", "Email", "Email", 80),
		typed("phone", "Phone", "Phone", 40),
		pick("LeadSource", "Lead Source", leadSources...),
		pick("Rating", "Rating", ratings...),
		pick("Industry", "Industry", industries...),
		typed("textarea", "Description", "Description", 32000),
		calc(&fieldDef{Name: "IsConverted", Label: "Converted", Type: "boolean"}),
	)
	caseNumber := named(calc(str("CaseNumber", "Case Number", 30)))
	caseNumber.AutoNumber = true
	add(&objectDef{Name: "Case", Label: "Case", LabelPlural: "Cases", Prefix: "500", Writable: true}, true,
		caseNumber,
		str("Subject", "Subject", 255),
		typed("textarea", "Description", "Description", 32000),
		defaulted(pick("Status", "Status", "New", "Working", "Escalated", "Closed"), "New"),
		pick("Origin", "Case Origin", "Phone", "Email", "Web"),
		defaulted(pick("Priority", "Priority", "High", "Medium", "Low"), "Medium"),
		pick("Type", "Case Type", "Mechanical", "Electrical", "Electronic", "Structural", "Other"),
		caseReason(),
		ref("AccountId", "Account ID", "Account", "Account"),
		ref("ContactId", "Contact ID", "Contact", "Contact"),
		calc(&fieldDef{Name: "IsClosed", Label: "Closed", Type: "boolean"}),
		recordTypeField(),
	)
	subject := named(typed("combobox", "Subject", "Subject", 255))
	subject.Picklist = []string{"Call", "Send Letter", "Send Quote", "Other"}
	add(&objectDef{Name: "Task", Label: "Task", LabelPlural: "Tasks", Prefix: "00T", Writable: true}, true,
		subject,
		defaulted(pick("Status", "Status", "Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"), "Not Started"),
		defaulted(pick("Priority", "Priority", "High", "Normal", "Low"), "Normal"),
		typed("date", "ActivityDate", "Due Date Only", 0),
		ref("WhoId", "Name ID", "Who", "Contact", "Lead"),
		ref("WhatId", "Related To ID", "What", "Account", "Opportunity", "Case"),
		typed("textarea", "Description", "Description", 32000),
		calc(&fieldDef{Name: "IsClosed", Label: "Closed", Type: "boolean"}),
		calc(&fieldDef{Name: "IsHighPriority", Label: "High Priority", Type: "boolean"}),
	)
	add(&objectDef{Name: "User", Label: "User", LabelPlural: "Users", Prefix: "005"}, false,
		readOnly(str("Username", "Username", 80)),
		named(readOnly(str("Name", "Full Name", 121))),
		readOnly(str("FirstName", "First Name", 40)),
		readOnly(str("LastName", "Last Name", 80)),
		readOnly(typed("email", "Email", "Email", 128)),
		readOnly(&fieldDef{Name: "IsActive", Label: "Active", Type: "boolean"}),
		readOnly(str("Title", "Title", 80)),
	)
	objs[len(objs)-1].Public = true
	add(&objectDef{Name: "RecordType", Label: "Record Type", LabelPlural: "Record Types", Prefix: "012", Public: true}, false,
		named(readOnly(str("Name", "Record Type Name", 80))),
		readOnly(str("DeveloperName", "Record Type Name", 80)),
		readOnly(str("SobjectType", "SObject Type Name", 40)),
		readOnly(&fieldDef{Name: "IsActive", Label: "Active", Type: "boolean"}),
		readOnly(str("Description", "Description", 255)),
	)
	add(siteVisitObject(), true, siteVisitFields()...)
	// The user's Username is its unique external id in a real org.
	s := &schema{objects: map[string]*objectDef{}, exact: map[string]*objectDef{}}
	for _, o := range objs {
		o.byName = map[string]*fieldDef{}
		o.exact = map[string]*fieldDef{}
		o.byRel = map[string]*fieldDef{}
		for _, f := range o.Fields {
			o.byName[strings.ToLower(f.Name)] = f
			o.exact[f.Name] = f
			if f.RelationshipName != "" {
				o.byRel[strings.ToLower(f.RelationshipName)] = f
			}
		}
		s.objects[strings.ToLower(o.Name)] = o
		s.exact[o.Name] = o
		s.names = append(s.names, o.Name)
	}
	sort.Strings(s.names)
	for _, child := range objs {
		for _, f := range child.Fields {
			if f.Type != "reference" || f.Name == "OwnerId" || f.Name == "CreatedById" || f.Name == "LastModifiedById" || f.Name == "RecordTypeId" {
				continue
			}
			for _, to := range f.ReferenceTo {
				parent := s.object(to)
				parent.Children = append(parent.Children, childRel{Child: child.Name, Field: f.Name, Relationship: childRelName(child, f, parent)})
			}
		}
	}
	return s
}

func childRelName(child *objectDef, f *fieldDef, parent *objectDef) string {
	switch {
	case f.Name == "ParentId":
		return "ChildAccounts"
	case f.Name == "ReportsToId":
		return ""
	case child.Name == "Task":
		return "Tasks"
	case child.Custom || f.Custom:
		return strings.TrimSuffix(strings.ReplaceAll(child.LabelPlural, " ", "_"), "__c") + "__r"
	}
	return child.LabelPlural
}

var theSchema = buildSchema(nil)

// extraField is the i-th of the custom fields Options.ExtraFields adds to an object, named as
// such fields often are in a big org (long names, a number at the end).
func extraField(i int) *fieldDef {
	return custom(str(ExtraFieldName(i), fmt.Sprintf("Regional Compliance Detail %d", i), 255))
}

// ExtraFieldName is the name of the i-th field (from 1) Options.ExtraFields adds to an object.
func ExtraFieldName(i int) string { return fmt.Sprintf("Regional_Compliance_Detail_%03d__c", i) }

// MaxExtraFields is the most fields Options.ExtraFields adds to one object (a real org allows
// 800 custom fields on an object in its largest edition).
const MaxExtraFields = 800

// CheckExtraFields says why n extra fields cannot be added to object (nil when they can): the
// object must be one of the org's that users write to, n within 0..MaxExtraFields.
func CheckExtraFields(object string, n int) error {
	if obj := theSchema.object(object); obj == nil || obj.Name != object || !obj.Writable {
		var names []string
		for _, name := range theSchema.names {
			if theSchema.object(name).Writable {
				names = append(names, name)
			}
		}
		return fmt.Errorf("extra fields on %q: no such object one may write to (%s)", object, strings.Join(names, ", "))
	}
	if n < 0 || n > MaxExtraFields {
		return fmt.Errorf("%d extra fields on %s: out of range 0..%d", n, object, MaxExtraFields)
	}
	return nil
}
