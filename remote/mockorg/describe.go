package mockorg

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

var urlUnescape = url.PathUnescape

func (o *Org) globalEntry(obj *objectDef, version string) map[string]any {
	base := fmt.Sprintf("/services/data/v%s/sobjects/%s", version, obj.Name)
	return map[string]any{
		"activateable": false, "createable": obj.Writable, "custom": obj.Custom, "customSetting": false,
		"deletable": obj.Writable, "deprecatedAndHidden": false, "feedEnabled": false, "hasSubtypes": false,
		"isSubtype": false, "keyPrefix": obj.Prefix, "label": obj.Label, "labelPlural": obj.LabelPlural,
		"layoutable": true, "mergeable": false, "mruEnabled": true, "name": obj.Name, "queryable": true,
		"replicateable": true, "retrieveable": true, "searchable": true, "triggerable": true,
		"undeletable": obj.Writable, "updateable": obj.Writable,
		"urls": map[string]string{"rowTemplate": base + "/{ID}", "describe": base + "/describe", "sobject": base},
	}
}

// notModified reports whether a describe request's If-Modified-Since (a valid HTTP date) is
// no earlier than the org's last metadata change, to the second: the answer is then 304.
func (o *Org) notModified(req *apiReq) bool {
	v := req.header.Get("If-Modified-Since")
	if v == "" {
		return false
	}
	at, valid := parseHTTPDate(v)
	if !valid {
		return false
	}
	o.cfgMu.Lock()
	changed := o.metaModified.Truncate(time.Second)
	o.cfgMu.Unlock()
	return !changed.After(at)
}

func (o *Org) describeGlobal(req *apiReq) apiResp {
	if o.notModified(req) {
		return fail(&apiError{Status: http.StatusNotModified, Empty: true})
	}
	var list []map[string]any
	for _, name := range o.schema.names {
		list = append(list, o.globalEntry(o.schema.object(name), req.version))
	}
	return ok(http.StatusOK, map[string]any{"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list})
}

func soapType(f *fieldDef) string {
	switch f.Type {
	case "id", "reference":
		return "tns:ID"
	case "boolean":
		return "xsd:boolean"
	case "currency", "double", "percent":
		return "xsd:double"
	case "int":
		return "xsd:int"
	case "date":
		return "xsd:date"
	case "datetime":
		return "xsd:dateTime"
	}
	return "xsd:string"
}

func fieldDescribe(obj *objectDef, f *fieldDef) map[string]any {
	var controller *fieldDef
	if f.Controller != "" {
		controller = obj.byName[strings.ToLower(f.Controller)]
	}
	picklist := []map[string]any{}
	for _, v := range f.Picklist {
		var vf any
		if controller != nil {
			vf = validFor(controller.Picklist, f.ValidFor[v])
		}
		picklist = append(picklist, map[string]any{"active": true, "defaultValue": v == f.PicklistDefault, "label": v, "validFor": vf, "value": v})
	}
	var controllerName any
	if controller != nil {
		controllerName = controller.Name
	}
	refTo := f.ReferenceTo
	if refTo == nil {
		refTo = []string{}
	}
	var rel any
	if f.RelationshipName != "" {
		rel = f.RelationshipName
	}
	length := 0
	if f.isText() {
		length = f.Length
	}
	digits := 0
	if f.Type == "int" {
		digits = f.Precision
	}
	// Long text and multi-select picklists can be filtered on but not sorted or grouped by.
	plain := f.Type != "textarea" && f.Type != "multipicklist"
	return map[string]any{
		"aggregatable": plain, "autoNumber": f.AutoNumber, "byteLength": length * 3,
		"calculated": f.Calculated && !f.AutoNumber, "calculatedFormula": nil, "cascadeDelete": false,
		"caseSensitive": false, "compoundFieldName": nil, "controllerName": controllerName,
		"createable": f.Createable, "custom": f.Custom, "defaultValue": f.Default, "defaultValueFormula": nil,
		"defaultedOnCreate": f.DefaultedOnCreate, "dependentPicklist": controller != nil, "deprecatedAndHidden": false,
		"digits": digits, "encrypted": false, "externalId": f.ExternalID, "extraTypeInfo": nil,
		"filterable": f.Type != "textarea", "groupable": plain && f.Type != "currency" && f.Type != "double" && f.Type != "percent",
		"htmlFormatted": false, "idLookup": f.Name == "Id" || f.ExternalID, "inlineHelpText": nil,
		"label": f.Label, "length": length, "name": f.Name, "nameField": f.NameField,
		"namePointing": len(f.ReferenceTo) > 1, "nillable": f.Nillable, "permissionable": f.Nillable && f.Createable,
		"picklistValues": picklist, "precision": f.Precision, "referenceTargetField": nil,
		"referenceTo": refTo, "relationshipName": rel, "relationshipOrder": nil,
		"restrictedDelete": false, "restrictedPicklist": f.Restricted, "scale": f.Scale,
		"soapType": soapType(f), "sortable": plain, "type": f.Type, "unique": f.Unique,
		"updateable": f.Updateable, "writeRequiresMasterRead": false,
	}
}

func (o *Org) describe(req *apiReq, obj *objectDef, profile Profile) apiResp {
	if o.notModified(req) {
		return fail(&apiError{Status: http.StatusNotModified, Empty: true})
	}
	d := o.globalEntry(obj, req.version)
	var fields []map[string]any
	for _, f := range obj.visibleFields(profile) {
		fields = append(fields, fieldDescribe(obj, f))
	}
	var children []map[string]any
	for _, c := range obj.Children {
		var rel any
		if c.Relationship != "" {
			rel = c.Relationship
		}
		children = append(children, map[string]any{"cascadeDelete": cascadesTo(obj.Name, c.Child, c.Field), "childSObject": c.Child, "deprecatedAndHidden": false, "field": c.Field, "relationshipName": rel, "restrictedDelete": false})
	}
	if children == nil {
		children = []map[string]any{}
	}
	d["fields"] = fields
	d["childRelationships"] = children
	d["recordTypeInfos"] = recordTypeInfos(obj, req.version)
	d["namedLayoutInfos"] = []any{}
	d["supportedScopes"] = []map[string]string{{"label": "All " + obj.LabelPlural, "name": "everything"}, {"label": "My " + obj.LabelPlural, "name": "mine"}}
	return ok(http.StatusOK, d)
}
