package mockorg

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestDescribeMultiSelectAndDatetimeLikeAnOrg(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	acc := e.do(e.alex, "GET", v+"/sobjects/Account/describe", nil).want(t, 200).obj(t)
	pi := fieldByName(t, acc, "Product_Interest__c")
	for k, want := range map[string]any{
		"type": "multipicklist", "custom": true, "updateable": true, "createable": true, "nillable": true,
		"restrictedPicklist": true, "length": 4099.0, "soapType": "xsd:string", "sortable": false, "groupable": false,
		"filterable": true, "label": "Product Interest",
	} {
		if pi[k] != want {
			t.Errorf("Product_Interest__c %s = %v, want %v", k, pi[k], want)
		}
	}
	if got := fmt.Sprint(picklistValues(pi)); got != "[Hardware Software Cloud Services Training Support Plans]" {
		t.Errorf("Product_Interest__c values %s", got)
	}
	con := e.do(e.alex, "GET", v+"/sobjects/Contact/describe", nil).want(t, 200).obj(t)
	nm := fieldByName(t, con, "Next_Meeting__c")
	for k, want := range map[string]any{
		"type": "datetime", "custom": true, "updateable": true, "createable": true, "nillable": true,
		"soapType": "xsd:dateTime", "label": "Next Meeting", "length": 0.0,
	} {
		if nm[k] != want {
			t.Errorf("Next_Meeting__c %s = %v, want %v", k, nm[k], want)
		}
	}
}

func TestSeedGivesSomeAccountsProductInterestAndSomeContactsAMeeting(t *testing.T) {
	e := newEnv(t, Options{Size: 120})
	accs := e.query(e.admin, "SELECT Id, Product_Interest__c FROM Account")
	set := 0
	for _, r := range accs {
		s, ok := r["Product_Interest__c"].(string)
		if !ok {
			continue
		}
		set++
		stored, bad := multiValue(theSchema.object("Account").byName["product_interest__c"], s)
		if len(bad) > 0 || stored != s {
			t.Errorf("account %v holds %q, not a stored multi-select value (%v, bad %v)", r["Id"], s, stored, bad)
		}
	}
	if set == 0 || set == len(accs) {
		t.Errorf("%d of %d accounts have a product interest; want some, not all", set, len(accs))
	}
	cons := e.query(e.admin, "SELECT Id, Next_Meeting__c FROM Contact")
	meetings := 0
	for _, r := range cons {
		s, ok := r["Next_Meeting__c"].(string)
		if !ok {
			continue
		}
		meetings++
		if _, err := time.Parse("2006-01-02T15:04:05.000-0700", s); err != nil {
			t.Errorf("contact %v meeting %q is not in the wire form: %v", r["Id"], s, err)
		}
	}
	if meetings == 0 || meetings == len(cons) {
		t.Errorf("%d of %d contacts have a meeting; want some, not all", meetings, len(cons))
	}
}

func TestMultiSelectIsStoredOnceEachInPicklistOrder(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	acc := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.Users()[0].ID+"' LIMIT 1")
	tests := []struct {
		name string
		sent any
		want any
	}{
		{"in picklist order already", "Hardware;Training", "Hardware;Training"},
		{"another order is sorted", "Support Plans;Hardware;Cloud Services", "Hardware;Cloud Services;Support Plans"},
		{"a value twice is kept once", "Training;Training;Software", "Software;Training"},
		{"empty parts are dropped", ";Software;;", "Software"},
		{"only separators clear it", ";", nil},
		{"empty clears it", "", nil},
		{"null clears it", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.do(e.alex, "PATCH", v+"/sobjects/Account/"+acc, map[string]any{"Product_Interest__c": tc.sent}).want(t, http.StatusNoContent)
			got := e.do(e.alex, "GET", v+"/sobjects/Account/"+acc+"?fields=Product_Interest__c", nil).want(t, 200).obj(t)
			if got["Product_Interest__c"] != tc.want {
				t.Errorf("sent %q, stored %v, want %v", tc.sent, got["Product_Interest__c"], tc.want)
			}
		})
	}
}

func TestMultiSelectValueNotInTheListIsRefusedNamingIt(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	acc := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.Users()[0].ID+"' LIMIT 1")
	e.do(e.alex, "PATCH", v+"/sobjects/Account/"+acc, map[string]any{"Product_Interest__c": "Software"}).want(t, http.StatusNoContent)
	tests := []struct {
		name, sent string
		bad        []string
	}{
		{"unknown value", "Hardware;Consulting", []string{"Consulting"}},
		{"case differs", "hardware", []string{"hardware"}},
		{"spaces around a value", "Hardware; Training", []string{" Training"}},
		{"two unknown values", "Gadgets;Hardware;Widgets", []string{"Gadgets", "Widgets"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(e.alex, "PATCH", v+"/sobjects/Account/"+acc, map[string]any{"Product_Interest__c": tc.sent}).want(t, http.StatusBadRequest)
			var items []struct {
				Message   string   `json:"message"`
				ErrorCode string   `json:"errorCode"`
				Fields    []string `json:"fields"`
			}
			r.json(t, &items)
			if len(items) != len(tc.bad) {
				t.Fatalf("%d errors, want %d: %s", len(items), len(tc.bad), r.Body)
			}
			for i, it := range items {
				want := "Product Interest: bad value for restricted picklist field: " + tc.bad[i]
				if it.ErrorCode != "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" || it.Message != want || fmt.Sprint(it.Fields) != "[Product_Interest__c]" {
					t.Errorf("error %d = %+v, want %q on Product_Interest__c", i, it, want)
				}
			}
		})
	}
	got := e.do(e.alex, "GET", v+"/sobjects/Account/"+acc+"?fields=Product_Interest__c", nil).want(t, 200).obj(t)
	if got["Product_Interest__c"] != "Software" {
		t.Errorf("a refused write changed the value to %v", got["Product_Interest__c"])
	}
	// A create is checked alike.
	r := e.do(e.alex, "POST", v+"/sobjects/Account", map[string]any{"Name": "Multi Co", "Product_Interest__c": "Hardware;Snacks"}).want(t, http.StatusBadRequest)
	if c := r.code(t); c != "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" {
		t.Errorf("create: %s", r.Body)
	}
}

func TestDatetimeIsStoredInTheWireFormAndAMalformedOneIsAParserError(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	con := e.firstID(e.alex, "SELECT Id FROM Contact WHERE OwnerId = '"+e.org.Users()[0].ID+"' LIMIT 1")
	good := []struct{ sent, want string }{
		{"2026-01-05T09:00:00Z", "2026-01-05T09:00:00.000+0000"},
		{"2026-01-05T09:00:00.000+0000", "2026-01-05T09:00:00.000+0000"},
		{"2026-01-05T10:30:00+01:00", "2026-01-05T09:30:00.000+0000"},
		{"2026-01-05T04:00:00.000-0500", "2026-01-05T09:00:00.000+0000"},
	}
	for _, tc := range good {
		e.do(e.alex, "PATCH", v+"/sobjects/Contact/"+con, map[string]any{"Next_Meeting__c": tc.sent}).want(t, http.StatusNoContent)
		got := e.do(e.alex, "GET", v+"/sobjects/Contact/"+con+"?fields=Next_Meeting__c", nil).want(t, 200).obj(t)
		if got["Next_Meeting__c"] != tc.want {
			t.Errorf("sent %s, stored %v, want %s", tc.sent, got["Next_Meeting__c"], tc.want)
		}
	}
	for _, bad := range []any{"2026-01-05 09:00", "next Tuesday", "2026-13-05T09:00:00Z", "2026-01-05", 1767603600.0, true} {
		r := e.do(e.alex, "PATCH", v+"/sobjects/Contact/"+con, map[string]any{"Next_Meeting__c": bad}).want(t, http.StatusBadRequest)
		var items []struct {
			Message   string `json:"message"`
			ErrorCode string `json:"errorCode"`
		}
		r.json(t, &items)
		if len(items) != 1 || items[0].ErrorCode != "JSON_PARSER_ERROR" || !strings.HasPrefix(items[0].Message, "Cannot deserialize instance of datetime from ") {
			t.Errorf("sent %v: %s", bad, r.Body)
		}
	}
	got := e.do(e.alex, "GET", v+"/sobjects/Contact/"+con+"?fields=Next_Meeting__c", nil).want(t, 200).obj(t)
	if got["Next_Meeting__c"] != "2026-01-05T09:00:00.000+0000" {
		t.Errorf("refused writes changed the value to %v", got["Next_Meeting__c"])
	}
}

func TestSOQLFiltersOnTheNewFields(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	acc := e.firstID(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.Users()[0].ID+"' LIMIT 1")
	con := e.firstID(e.alex, "SELECT Id FROM Contact WHERE OwnerId = '"+e.org.Users()[0].ID+"' LIMIT 1")
	e.do(e.alex, "PATCH", v+"/sobjects/Account/"+acc, map[string]any{"Product_Interest__c": "Training;Hardware"}).want(t, http.StatusNoContent)
	e.do(e.alex, "PATCH", v+"/sobjects/Contact/"+con, map[string]any{"Next_Meeting__c": "2031-06-01T12:00:00Z"}).want(t, http.StatusNoContent)
	if got := e.query(e.alex, "SELECT Id FROM Account WHERE Product_Interest__c = 'Hardware;Training'"); len(got) != 1 || got[0]["Id"] != acc {
		t.Errorf("multi-select filter found %v", got)
	}
	if got := e.query(e.alex, "SELECT Id FROM Contact WHERE Next_Meeting__c > 2031-01-01T00:00:00Z"); len(got) != 1 || got[0]["Id"] != con {
		t.Errorf("datetime filter found %v", got)
	}
}

func TestSOQLMultiSelectOperatorsMatchAsAnOrgDoes(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	owner := e.org.Users()[0].ID
	// Accounts of this test only, told apart by name; each holds one multi-select value.
	held := map[string]string{"MS hw": "Hardware", "MS hw sw": "Hardware;Software", "MS sw cloud": "Software;Cloud Services", "MS none": ""}
	for name, val := range held {
		body := map[string]any{"Name": name, "OwnerId": owner}
		if val != "" {
			body["Product_Interest__c"] = val
		}
		e.do(e.alex, "POST", v+"/sobjects/Account", body).want(t, http.StatusCreated)
	}
	for _, tc := range []struct{ where, want string }{
		{"Product_Interest__c INCLUDES ('Hardware')", "[MS hw MS hw sw]"},
		{"Product_Interest__c includes ('hardware;software')", "[MS hw sw]"},
		{"Product_Interest__c INCLUDES ('Software;Hardware', 'Cloud Services')", "[MS hw sw MS sw cloud]"},
		{"Product_Interest__c EXCLUDES ('Hardware')", "[MS none MS sw cloud]"},
		{"Product_Interest__c EXCLUDES ('Hardware;Software', 'Cloud Services')", "[MS hw MS none]"},
		{"Product_Interest__c = 'Software;Hardware'", "[MS hw sw]"},
		{"Product_Interest__c != 'Hardware'", "[MS hw sw MS none MS sw cloud]"},
		{"Product_Interest__c = null", "[MS none]"},
		{"NOT Product_Interest__c INCLUDES ('Training') AND Product_Interest__c != null", "[MS hw MS hw sw MS sw cloud]"},
	} {
		var names []string
		for _, r := range e.query(e.alex, "SELECT Name FROM Account WHERE Name LIKE 'MS %' AND ("+tc.where+")") {
			names = append(names, r["Name"].(string))
		}
		sort.Strings(names)
		if got := fmt.Sprint(names); got != tc.want {
			t.Errorf("%s: found %s, want %s", tc.where, got, tc.want)
		}
	}
	for _, tc := range []struct{ where, code, says string }{
		{"Name INCLUDES ('Acme')", "INVALID_FIELD", "only valid on multipicklist field"},
		{"Product_Interest__c LIKE 'Hard%'", "INVALID_FIELD", "invalid operator on multipicklist field"},
		{"Product_Interest__c INCLUDES (1)", "INVALID_FIELD", "must be of type string"},
		{"Product_Interest__c INCLUDES 'Hardware'", "MALFORMED_QUERY", "expecting '(' after INCLUDES"},
		{"Product_Interest__c EXCLUDES ('Hardware'", "MALFORMED_QUERY", "expecting ')' to close EXCLUDES"},
	} {
		r := e.do(e.alex, "GET", v+"/query?q="+urlQueryEscape("SELECT Id FROM Account WHERE "+tc.where), nil).want(t, http.StatusBadRequest)
		if c := r.code(t); c != tc.code || !strings.Contains(string(r.Body), tc.says) {
			t.Errorf("%s: %s, want %s saying %q", tc.where, r.Body, tc.code, tc.says)
		}
	}
}
