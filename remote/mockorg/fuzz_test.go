package mockorg

import (
	"strings"
	"testing"
)

// FuzzDecodeRecord sends arbitrary bodies to create, update, upsert, collections and composite:
// every answer must be a success or a 4xx JSON error array, never a 500 or a panic.
func FuzzDecodeRecord(f *testing.F) {
	for _, s := range []string{
		`{"Name":"Acme","AnnualRevenue":5,"Rating":"Hot"}`,
		`{"LastName":"x","Email":"a@b.example","AccountId":"001Dm0000000001AAA","Birthdate":"2024-01-01"}`,
		`{"records":[{"attributes":{"type":"Account"},"Name":"n"}],"allOrNone":true}`,
		`{"compositeRequest":[{"method":"POST","url":"/services/data/v62.0/sobjects/Account","referenceId":"a","body":{"Name":"@{a.id}"}}]}`,
		`{"Name":null,"NumberOfEmployees":"12","IsDeleted":true}`,
		`[1,2,{"a":[]}]`,
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(3))
	}
	e := newEnv(f, Options{Size: 50, DailyLimit: 1 << 30})
	accID := e.query(e.alex, "SELECT Id FROM Account WHERE OwnerId = '"+e.org.users[0].ID+"' LIMIT 1")[0]["Id"].(string)
	targets := []struct{ method, path string }{
		{"POST", v + "/sobjects/Account"},
		{"POST", v + "/sobjects/Contact"},
		{"PATCH", v + "/sobjects/Account/" + accID},
		{"PATCH", v + "/sobjects/Opportunity/Offline_Key__c/fuzz-key"},
		{"POST", v + "/composite/sobjects"},
		{"PATCH", v + "/composite/sobjects"},
		{"POST", v + "/composite"},
		{"POST", v + "/composite/batch"},
		{"POST", v + "/composite/sobjects/Account"},
		{"POST", "/mockorg/v1/rules"},
	}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		e.t = t
		tg := targets[int(which)%len(targets)]
		tok := e.alex
		if strings.HasPrefix(tg.path, "/mockorg") {
			tok = e.admin
		}
		r := e.do(tok, tg.method, tg.path, body)
		if r.Status >= 500 {
			t.Fatalf("%s %s with %q: %d %s", tg.method, tg.path, body, r.Status, r.Body)
		}
		if r.Status >= 400 {
			r.code(t) // must be a JSON error array
		}
	})
}

// FuzzQueryEndpoint runs arbitrary SOQL through the whole query path.
func FuzzQueryEndpoint(f *testing.F) {
	for _, s := range []string{
		"SELECT Id, Name, Owner.Name FROM Account WHERE Name LIKE 'A%' ORDER BY Name DESC NULLS LAST LIMIT 5",
		"SELECT COUNT() FROM Task WHERE ActivityDate = LAST_N_DAYS:3 OR What.Name != null",
		"SELECT Id FROM Opportunity WHERE Amount IN (1, 2.5) AND CloseDate > 2024-01-01 AND LastModifiedDate < 2024-01-01T00:00:00Z",
		"SELECT RecordId, HasEditAccess, MaxAccessLevel FROM UserRecordAccess WHERE UserId = '005Dm0000000001IAA' AND RecordId IN ('001Dm0000000001IAA', '003Dm0000000002IAA') ORDER BY MaxAccessLevel DESC",
		"SELECT RecordId FROM UserRecordAccess WHERE RecordId = '001Dm0000000001' AND UserId = '005Dm0000000001' AND HasReadAccess = false",
	} {
		f.Add(s)
	}
	e := newEnv(f, Options{Size: 50, DailyLimit: 1 << 30})
	f.Fuzz(func(t *testing.T, q string) {
		e.t = t
		r := e.do(e.alex, "GET", v+"/query?q="+urlQueryEscape(q), nil)
		if r.Status != 200 && r.Status != 400 {
			t.Fatalf("%q: %d %s", q, r.Status, r.Body)
		}
		if r.Status == 400 {
			r.code(t)
		}
	})
}
