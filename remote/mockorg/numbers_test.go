package mockorg

import (
	"math"
	"testing"
)

func TestNumberWithMoreIntegerDigitsThanTheFieldAllowsIsRefused(t *testing.T) {
	e := newEnv(t, Options{})
	opp := func(extra map[string]any) map[string]any {
		b := map[string]any{"Name": "o", "StageName": "Prospecting", "CloseDate": "2024-05-01"}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	visit := func(rating any) map[string]any {
		return map[string]any{"Name": "v", "Visit_Date__c": "2024-05-01", "Rating__c": rating}
	}
	for _, tc := range []struct {
		name, obj string
		body      any // a map, or raw JSON text
		field     string
		msg       string // "" when the value is taken
	}{
		// Amount is currency(18, 2): 16 digits before the point.
		{"currency: 17 integer digits", "Opportunity", opp(map[string]any{"Amount": 1e16}), "Amount",
			"Amount: value outside of valid range on numeric field: 1.0E16"},
		{"currency: 16 integer digits", "Opportunity", opp(map[string]any{"Amount": 9e15}), "Amount", ""},
		{"currency: negative, 17 integer digits", "Opportunity", opp(map[string]any{"Amount": -2.5e16}), "Amount",
			"Amount: value outside of valid range on numeric field: -2.5E16"},
		// AnnualRevenue is currency(18, 0): 18 digits before the point.
		{"scale 0: 19 integer digits", "Account", map[string]any{"Name": "a", "AnnualRevenue": 1e18}, "AnnualRevenue",
			"Annual Revenue: value outside of valid range on numeric field: 1.0E18"},
		{"scale 0: negative, 19 integer digits", "Account", map[string]any{"Name": "a", "AnnualRevenue": -1e18}, "AnnualRevenue",
			"Annual Revenue: value outside of valid range on numeric field: -1.0E18"},
		{"scale 0: negative that fits", "Account", map[string]any{"Name": "a", "AnnualRevenue": -5e17}, "AnnualRevenue", ""},
		// Probability is percent(3, 0).
		{"percent: 4 integer digits", "Opportunity", opp(map[string]any{"Probability": 1000}), "Probability",
			"Probability (%): value outside of valid range on numeric field: 1000.0"},
		{"percent: 3 integer digits", "Opportunity", opp(map[string]any{"Probability": 999}), "Probability", ""},
		{"percent: just under the limit", "Opportunity", opp(map[string]any{"Probability": 999.9}), "Probability", ""},
		// Rating__c is a custom double(3, 1): 2 digits before the point.
		{"custom double: 3 integer digits", "Site_Visit__c", visit(100), "Rating__c",
			"Rating: value outside of valid range on numeric field: 100.0"},
		{"custom double: negative, 3 integer digits", "Site_Visit__c", visit(-100.5), "Rating__c",
			"Rating: value outside of valid range on numeric field: -100.5"},
		{"custom double: 2 integer digits", "Site_Visit__c", visit(99.99), "Rating__c", ""},
		// NumberOfEmployees is int with 8 digits.
		{"int: 9 digits", "Account", map[string]any{"Name": "a", "NumberOfEmployees": 123456789}, "NumberOfEmployees",
			"Employees: value outside of valid range on numeric field: 1.23456789E8"},
		{"int: 8 digits", "Account", map[string]any{"Name": "a", "NumberOfEmployees": 99999999}, "NumberOfEmployees", ""},
		{"number sent as text", "Account", map[string]any{"Name": "a", "AnnualRevenue": "2e20"}, "AnnualRevenue",
			"Annual Revenue: value outside of valid range on numeric field: 2.0E20"},
		{"JSON number with 30 digits", "Account", `{"Name":"a","AnnualRevenue":123456789012345678901234567890}`, "AnnualRevenue",
			"Annual Revenue: value outside of valid range on numeric field: 1.2345678901234568E29"},
		{"JSON number with many decimals that fits", "Opportunity",
			`{"Name":"o","StageName":"Prospecting","CloseDate":"2024-05-01","Amount":1234.56789012345678901234567890}`, "Amount", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(e.alex, "POST", v+"/sobjects/"+tc.obj, tc.body)
			if tc.msg == "" {
				r.want(t, 201)
				return
			}
			r.want(t, 400)
			var items []errItem
			r.json(t, &items)
			if len(items) != 1 {
				t.Fatalf("want one error, got %s", r.Body)
			}
			it := items[0]
			if it.ErrorCode != "NUMBER_OUTSIDE_VALID_RANGE" || it.Message != tc.msg || len(it.Fields) != 1 || it.Fields[0] != tc.field {
				t.Fatalf("got %+v\nwant NUMBER_OUTSIDE_VALID_RANGE %q [%s]", it, tc.msg, tc.field)
			}
		})
	}
}

func TestNumbersKeepTheDecimalPlacesSentAsARealOrgDoesThroughTheAPI(t *testing.T) {
	// A real org rounds to the field's scale only in its own UI; through the API the value is
	// stored as sent (Salesforce knowledge article 000385689).
	e := newEnv(t, Options{})
	for _, tc := range []struct {
		name, obj, field string
		body             any
		want             float64
	}{
		{"currency scale 2", "Opportunity", "Amount",
			map[string]any{"Name": "o", "StageName": "Prospecting", "CloseDate": "2024-05-01", "Amount": 1234.567}, 1234.567},
		{"currency scale 0", "Account", "AnnualRevenue", map[string]any{"Name": "a", "AnnualRevenue": 4500.7}, 4500.7},
		{"negative half", "Account", "AnnualRevenue", map[string]any{"Name": "a", "AnnualRevenue": -4500.5}, -4500.5},
		{"percent scale 0", "Opportunity", "Probability",
			map[string]any{"Name": "o", "StageName": "Prospecting", "CloseDate": "2024-05-01", "Probability": 12.5}, 12.5},
		{"custom double scale 1", "Site_Visit__c", "Rating__c",
			map[string]any{"Name": "v", "Visit_Date__c": "2024-05-01", "Rating__c": 4.25}, 4.25},
		{"JSON number with more digits than a double holds", "Opportunity", "Amount",
			`{"Name":"o","StageName":"Prospecting","CloseDate":"2024-05-01","Amount":1234.56789012345678901234567890}`, 1234.5678901234568},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := e.do(e.alex, "POST", v+"/sobjects/"+tc.obj, tc.body).want(t, 201).obj(t)["id"].(string)
			got := e.do(e.alex, "GET", v+"/sobjects/"+tc.obj+"/"+id+"?fields="+tc.field, nil).want(t, 200).obj(t)[tc.field]
			if got != tc.want {
				t.Fatalf("%s = %v, want %v", tc.field, got, tc.want)
			}
		})
	}
}

func TestEveryWritePathRefusesAnOutOfRangeNumber(t *testing.T) {
	e := newEnv(t, Options{})
	accID := e.do(e.alex, "POST", v+"/sobjects/Account", map[string]any{"Name": "Range Co", "AnnualRevenue": 100}).want(t, 201).obj(t)["id"].(string)
	tooBig := 1e19
	t.Run("update", func(t *testing.T) {
		if c := e.do(e.alex, "PATCH", v+"/sobjects/Account/"+accID, map[string]any{"AnnualRevenue": tooBig}).want(t, 400).code(t); c != "NUMBER_OUTSIDE_VALID_RANGE" {
			t.Fatalf("code %s", c)
		}
	})
	t.Run("upsert that updates", func(t *testing.T) {
		e.do(e.alex, "PATCH", v+"/sobjects/Account/Offline_Key__c/range-1", map[string]any{"Name": "Keyed"}).want(t, 201)
		if c := e.do(e.alex, "PATCH", v+"/sobjects/Account/Offline_Key__c/range-1", map[string]any{"AnnualRevenue": tooBig}).want(t, 400).code(t); c != "NUMBER_OUTSIDE_VALID_RANGE" {
			t.Fatalf("code %s", c)
		}
	})
	t.Run("upsert that creates", func(t *testing.T) {
		if c := e.do(e.alex, "PATCH", v+"/sobjects/Account/Offline_Key__c/range-2", map[string]any{"Name": "New", "AnnualRevenue": -tooBig}).want(t, 400).code(t); c != "NUMBER_OUTSIDE_VALID_RANGE" {
			t.Fatalf("code %s", c)
		}
	})
	t.Run("composite", func(t *testing.T) {
		var res compositeReply
		e.do(e.alex, "POST", v+"/composite", map[string]any{"compositeRequest": []any{
			map[string]any{"method": "PATCH", "url": v + "/sobjects/Account/" + accID, "referenceId": "up", "body": map[string]any{"AnnualRevenue": tooBig}},
			map[string]any{"method": "POST", "url": v + "/sobjects/Account", "referenceId": "new", "body": map[string]any{"Name": "n", "NumberOfEmployees": 1e9}},
		}}).want(t, 200).json(t, &res)
		for i, sr := range res.CompositeResponse {
			if sr.HTTPStatusCode != 400 || errCodeOf(sr.Body) != "NUMBER_OUTSIDE_VALID_RANGE" {
				t.Fatalf("subresponse %d: %d %v", i, sr.HTTPStatusCode, sr.Body)
			}
		}
	})
	t.Run("collections", func(t *testing.T) {
		var res []saveReply
		e.do(e.alex, "POST", v+"/composite/sobjects", map[string]any{"records": []any{
			map[string]any{"attributes": map[string]any{"type": "Account"}, "Name": "fits", "AnnualRevenue": 1e17},
			map[string]any{"attributes": map[string]any{"type": "Account"}, "Name": "too big", "AnnualRevenue": tooBig},
		}}).want(t, 200).json(t, &res)
		if !res[0].Success || res[1].Success || res[1].Errors[0].StatusCode != "NUMBER_OUTSIDE_VALID_RANGE" || res[1].Errors[0].Fields[0] != "AnnualRevenue" {
			t.Fatalf("collections %+v", res)
		}
		e.do(e.alex, "PATCH", v+"/composite/sobjects", map[string]any{"records": []any{
			map[string]any{"attributes": map[string]any{"type": "Account"}, "id": accID, "AnnualRevenue": tooBig},
		}}).want(t, 200).json(t, &res)
		if res[0].Success || res[0].Errors[0].StatusCode != "NUMBER_OUTSIDE_VALID_RANGE" {
			t.Fatalf("collections update %+v", res)
		}
	})
	if got := e.do(e.alex, "GET", v+"/sobjects/Account/"+accID+"?fields=AnnualRevenue", nil).want(t, 200).obj(t)["AnnualRevenue"]; got != 100.0 {
		t.Fatalf("a refused write changed AnnualRevenue to %v", got)
	}
}

func TestJavaDoubleFormatsAsTheOrgPrintsNumbers(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{100, "100.0"},
		{-100.5, "-100.5"},
		{0.001, "0.001"},
		{0.0001, "1.0E-4"},
		{9999999, "9999999.0"},
		{1e7, "1.0E7"},
		{123456789, "1.23456789E8"},
		{-2.5e16, "-2.5E16"},
		{1.2345678901234568e29, "1.2345678901234568E29"},
	} {
		if got := javaDouble(tc.in); got != tc.want {
			t.Errorf("javaDouble(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestOutOfRangeCountsIntegerDigitsOnly(t *testing.T) {
	amount := num("currency", "Amount", "Amount", 18, 2)
	rating := num("double", "Rating__c", "Rating", 3, 1)
	noPrecision := num("double", "X__c", "X", 0, 0)
	allDecimals := num("double", "Y__c", "Y", 4, 4)
	for _, tc := range []struct {
		name string
		f    *fieldDef
		n    float64
		want bool
	}{
		{"many decimals, few integer digits", amount, 1.23456789012345, false},
		{"largest 16-digit double", amount, 9999999999999998, false},
		{"17 integer digits", amount, 1e16, true},
		{"2 integer digits and decimals", rating, -99.99, false},
		{"3 integer digits", rating, 100, true},
		{"no precision takes anything", noPrecision, 1e300, false},
		{"scale equal to precision: a fraction", allDecimals, 0.9999, false},
		{"scale equal to precision: one", allDecimals, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := outOfRange(tc.f, tc.n); got != tc.want {
				t.Fatalf("outOfRange(%v) = %v, want %v", tc.n, got, tc.want)
			}
		})
	}
}

// An org keeps dates from 1700-01-01 to 4000-12-31 and refuses others, as a date or as a
// date-time (FIELD_INTEGRITY_EXCEPTION).
func TestADateOutsideTheYearsAnOrgKeepsIsRefused(t *testing.T) {
	e := newEnv(t, Options{})
	id := e.do(e.alex, "POST", v+"/sobjects/Contact", map[string]any{"LastName": "Dated"}).want(t, 201).obj(t)["id"].(string)
	for _, c := range []struct {
		field, value string
		ok           bool
	}{
		{"Birthdate", "1700-01-01", true},
		{"Birthdate", "4000-12-31", true},
		{"Birthdate", "1699-12-31", false},
		{"Birthdate", "4001-01-01", false},
		{"Birthdate", "0000-12-31", false},
		{"Next_Meeting__c", "1700-01-01T00:00:00.000+0000", true},
		{"Next_Meeting__c", "1699-12-31T23:59:59.000+0000", false},
		{"Next_Meeting__c", "4000-12-31T23:00:00-02:00", false},
		{"Next_Meeting__c", "4000-12-31T00:00:00.000+0000", true},
		{"Next_Meeting__c", "4000-12-31T00:00:01.000+0000", false},
	} {
		r := e.do(e.alex, "PATCH", v+"/sobjects/Contact/"+id, map[string]any{c.field: c.value})
		switch {
		case c.ok:
			r.want(t, 204)
		default:
			if code := r.want(t, 400).code(t); code != "FIELD_INTEGRITY_EXCEPTION" {
				t.Errorf("%s = %s: code %s", c.field, c.value, code)
			}
		}
	}
}
