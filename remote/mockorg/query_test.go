package mockorg

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

func TestQueryAcceptsPlusAndPercent20AndTrailingSlash(t *testing.T) {
	e := newEnv(t, Options{})
	for _, p := range []string{
		v + "/query?q=SELECT+Id,Name+FROM+Account+LIMIT+2",
		v + "/query/?q=SELECT%20Id%2CName%20FROM%20Account%20LIMIT%202",
		v + "/query?q=select+id+from+account+limit+2",
	} {
		var res queryResult
		r := e.do(e.alex, "GET", p, nil, "Content-Type", "application/json", "X-PrettyPrint", "1").want(t, 200)
		r.json(t, &res)
		if res.TotalSize != 2 || !res.Done || len(res.Records) != 2 || res.NextRecordsURL != "" {
			t.Fatalf("%s: %s", p, r.Body)
		}
		if strings.Contains(string(r.Body), "nextRecordsUrl") {
			t.Fatalf("nextRecordsUrl present when done: %s", r.Body)
		}
	}
}

func TestQueryFiltersSortsAndPages(t *testing.T) {
	e := newEnv(t, Options{})
	alexID := e.org.users[0].ID
	recs := e.query(e.alex, "SELECT Name, Amount, StageName, Account.Name FROM Opportunity WHERE Amount >= 10000 AND (StageName = 'Closed Won' OR StageName LIKE 'Prosp%') ORDER BY Amount DESC, Name LIMIT 5")
	if len(recs) == 0 {
		t.Fatal("no opportunities")
	}
	prev := 1e18
	for _, r := range recs {
		amt := r["Amount"].(float64)
		st := r["StageName"].(string)
		if amt < 10000 || amt > prev || (st != "Closed Won" && !strings.HasPrefix(st, "Prosp")) {
			t.Fatalf("row %v", r)
		}
		prev = amt
		if acc, ok := r["Account"].(map[string]any); !ok || acc["Name"] == "" || acc["attributes"].(map[string]any)["type"] != "Account" {
			t.Fatalf("parent %v", r["Account"])
		}
	}
	keys := []string{}
	for k := range recs[0] {
		keys = append(keys, k)
	}
	if len(keys) != 5 {
		t.Fatalf("selected keys %v", keys)
	}
	n := len(e.query(e.alex, "SELECT Id FROM Contact WHERE OwnerId = '"+alexID+"'"))
	notIn := len(e.query(e.alex, "SELECT Id FROM Contact WHERE OwnerId NOT IN ('"+alexID+"')"))
	total := len(e.query(e.alex, "SELECT Id FROM Contact"))
	if n == 0 || notIn == 0 || n+notIn != total {
		t.Fatalf("own %d + others %d != %d", n, notIn, total)
	}
	if got := len(e.query(e.alex, "SELECT Id FROM Contact WHERE NOT OwnerId = '"+alexID+"'")); got != notIn {
		t.Fatalf("NOT: %d vs %d", got, notIn)
	}
	page1 := e.query(e.alex, "SELECT Id FROM Contact ORDER BY LastName, Id LIMIT 3")
	page2 := e.query(e.alex, "SELECT Id FROM Contact ORDER BY LastName, Id LIMIT 3 OFFSET 3")
	all := e.query(e.alex, "SELECT Id FROM Contact ORDER BY LastName, Id LIMIT 6")
	for i := 0; i < 3; i++ {
		if all[i]["Id"] != page1[i]["Id"] || all[i+3]["Id"] != page2[i]["Id"] {
			t.Fatal("OFFSET does not continue LIMIT")
		}
	}
	var cnt queryResult
	e.do(e.alex, "GET", v+"/query?q="+urlQueryEscape("SELECT COUNT() FROM Contact"), nil).want(t, 200).json(t, &cnt)
	if cnt.TotalSize != total || len(cnt.Records) != 0 {
		t.Fatalf("COUNT() %+v", cnt)
	}
}

func TestQueryNullsDatesBooleansAndLike(t *testing.T) {
	e := newEnv(t, Options{})
	e.do(e.alex, "POST", v+"/sobjects/Account", map[string]any{"Name": "100% Pure_Co"}).want(t, 201)
	e.do(e.alex, "POST", v+"/sobjects/Account", map[string]any{"Name": "1000 Pure Co", "Rating": "Hot"}).want(t, 201)
	if got := e.query(e.alex, `SELECT Name FROM Account WHERE Name LIKE '100\% Pure\_%'`); len(got) != 1 || got[0]["Name"] != "100% Pure_Co" {
		t.Fatalf("escaped LIKE %v", got)
	}
	if got := e.query(e.alex, `SELECT Name FROM Account WHERE Name LIKE '100_ pure%'`); len(got) != 2 {
		t.Fatalf("_ wildcard, case-insensitive %v", got)
	}
	if got := e.query(e.alex, `SELECT Name FROM Account WHERE Name LIKE '%pure%' AND Rating = null`); len(got) != 1 {
		t.Fatalf("= null %v", got)
	}
	if got := e.query(e.alex, `SELECT Name FROM Account WHERE Name LIKE '%pure%' AND Rating != null`); len(got) != 1 || got[0]["Name"] != "1000 Pure Co" {
		t.Fatalf("!= null %v", got)
	}
	if got := e.query(e.alex, `SELECT Name FROM Account WHERE Name = '1000 PURE CO'`); len(got) != 1 {
		t.Fatalf("= is case-insensitive %v", got)
	}
	asc := e.query(e.alex, `SELECT Rating FROM Account WHERE Name LIKE '%pure%' ORDER BY Rating`)
	desc := e.query(e.alex, `SELECT Rating FROM Account WHERE Name LIKE '%pure%' ORDER BY Rating DESC NULLS FIRST`)
	if asc[0]["Rating"] != nil || desc[0]["Rating"] != nil {
		t.Fatalf("nulls first: %v %v", asc, desc)
	}
	if got := e.query(e.alex, `SELECT Rating FROM Account WHERE Name LIKE '%pure%' ORDER BY Rating DESC`); got[1]["Rating"] != nil {
		t.Fatalf("DESC puts nulls last %v", got)
	}
	if got := e.query(e.alex, "SELECT Id FROM Account WHERE CreatedDate = TODAY AND Name LIKE '%pure%'"); len(got) != 2 {
		t.Fatalf("TODAY %v", got)
	}
	if got := e.query(e.alex, "SELECT Id FROM Account WHERE CreatedDate >= 2024-03-04T10:00:00Z AND CreatedDate < 2024-03-04T10:00:01.000+0000 AND Name LIKE '%pure%'"); len(got) != 2 {
		t.Fatalf("datetime range %v", got)
	}
	if got := e.query(e.alex, "SELECT Id FROM Opportunity WHERE IsClosed = true AND StageName NOT IN ('Closed Won', 'Closed Lost')"); len(got) != 0 {
		t.Fatalf("IsClosed derived %v", got)
	}
	if got := e.query(e.alex, "SELECT Id FROM Opportunity WHERE CloseDate > 2000-01-01"); len(got) == 0 {
		t.Fatal("date literal")
	}
	if got := e.query(e.alex, "SELECT Id, What.Name, Who.Name FROM Task WHERE What.Name != null LIMIT 1"); len(got) != 1 || got[0]["What"].(map[string]any)["Name"] == nil {
		t.Fatalf("polymorphic parent %v", got)
	}
}

func TestQueryErrorsAreMalformedQueryOrInvalidField(t *testing.T) {
	e := newEnv(t, Options{})
	for _, tc := range []struct{ q, code string }{
		{"SELECT FROM Account", "MALFORMED_QUERY"},
		{"SELEC Id FROM Account", "MALFORMED_QUERY"},
		{"SELECT Id FROM Account GROUP BY Name", "MALFORMED_QUERY"},
		{"SELECT Id, (SELECT Id FROM Contacts) FROM Account", "MALFORMED_QUERY"},
		{"SELECT Id FROM Account WHERE Name = 'unterminated", "MALFORMED_QUERY"},
		{"SELECT Nope FROM Account", "INVALID_FIELD"},
		{"SELECT Id FROM Account WHERE Nope = 1", "INVALID_FIELD"},
		{"SELECT Id FROM Account ORDER BY Nope", "INVALID_FIELD"},
		{"SELECT Parent.Nope FROM Account", "INVALID_FIELD"},
		{"SELECT Nope.Name FROM Account", "INVALID_FIELD"},
		{"SELECT Id FROM Account WHERE Name = 5", "INVALID_FIELD"},
		{"SELECT Id FROM Account WHERE AnnualRevenue = '5'", "INVALID_FIELD"},
		{"SELECT Id FROM Account WHERE CreatedDate > 2024-01-01", "INVALID_FIELD"},
		{"SELECT Id FROM Account WHERE AnnualRevenue LIKE '5%'", "INVALID_FIELD"},
		{"SELECT Id FROM Nothing", "INVALID_TYPE"},
		{"SELECT Id, Id FROM Account", "MALFORMED_QUERY"},
	} {
		r := e.do(e.alex, "GET", v+"/query?q="+urlQueryEscape(tc.q), nil).want(t, 400)
		if got := r.code(t); got != tc.code {
			t.Errorf("%s: %s, want %s (%s)", tc.q, got, tc.code, r.Body)
		}
	}
	if c := e.do(e.alex, "GET", v+"/query", nil).want(t, 400).code(t); c != "MALFORMED_QUERY" {
		t.Fatalf("missing q: %s", c)
	}
}

func TestQueryMoreWalksAllPagesWithTheRequestVersion(t *testing.T) {
	e := newEnv(t, Options{Size: 3000})
	total := len(e.query(e.admin, "SELECT Id FROM Contact LIMIT 100000"))
	if total < 500 {
		t.Fatalf("only %d contacts", total)
	}
	seen := map[string]bool{}
	next := "/services/data/v55.0/query?q=" + urlQueryEscape("SELECT Id FROM Contact")
	pages := 0
	for next != "" {
		var res queryResult
		r := e.do(e.admin, "GET", next, nil, "Sforce-Query-Options", "batchSize=200").want(t, 200)
		r.json(t, &res)
		if res.TotalSize != total {
			t.Fatalf("totalSize %d, want %d", res.TotalSize, total)
		}
		if !res.Done && !strings.HasPrefix(res.NextRecordsURL, "/services/data/v55.0/query/01g") {
			t.Fatalf("nextRecordsUrl %q", res.NextRecordsURL)
		}
		if len(res.Records) > 200 {
			t.Fatalf("page of %d", len(res.Records))
		}
		for _, rec := range res.Records {
			id := rec.(map[string]any)["Id"].(string)
			if seen[id] {
				t.Fatalf("%s twice", id)
			}
			seen[id] = true
		}
		next = res.NextRecordsURL
		pages++
	}
	if len(seen) != total || pages != (total+199)/200 {
		t.Fatalf("saw %d of %d in %d pages", len(seen), total, pages)
	}
	if c := e.do(e.admin, "GET", v+"/query/01gDm0000000000AAA-200", nil).want(t, 400).code(t); c != "INVALID_QUERY_LOCATOR" {
		t.Fatalf("bad locator: %s", c)
	}
	var first queryResult
	e.do(e.admin, "GET", v+"/query?q="+urlQueryEscape("SELECT Id FROM Contact"), nil, "Sforce-Query-Options", "batchSize=50").json(t, &first)
	if len(first.Records) != 200 {
		t.Fatalf("batchSize below 200 is raised to 200, got %d", len(first.Records))
	}
	if c := e.do(e.alex, "GET", first.NextRecordsURL, nil).want(t, 400).code(t); c != "INVALID_QUERY_LOCATOR" {
		t.Fatalf("another user's locator: %s", c)
	}
	var def queryResult
	e.do(e.admin, "GET", v+"/query?q="+urlQueryEscape("SELECT Id FROM Contact"), nil).json(t, &def)
	if want := min(total, 2000); len(def.Records) != want {
		t.Fatalf("default batch %d, want %d", len(def.Records), want)
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	names := func(seed int64) string {
		e := newEnv(t, Options{Seed: seed, Size: 200})
		var b strings.Builder
		for _, r := range e.query(e.admin, "SELECT Id, Name, Owner.Name FROM Account ORDER BY Id") {
			fmt.Fprintf(&b, "%s %s %v\n", r["Id"], r["Name"], r["Owner"].(map[string]any)["Name"])
		}
		return b.String()
	}
	a, b, c := names(7), names(7), names(8)
	if a != b {
		t.Fatal("same seed, different data")
	}
	if a == c {
		t.Fatal("different seeds, same data")
	}
}

func TestDefaultSeedHasAllObjectsAndUsers(t *testing.T) {
	e := newEnv(t, Options{})
	for _, obj := range []string{"Account", "Contact", "Opportunity", "Lead", "Case", "Task"} {
		var res queryResult
		e.do(e.admin, "GET", v+"/query?q="+urlQueryEscape("SELECT COUNT() FROM "+obj), nil).want(t, 200).json(t, &res)
		if res.TotalSize == 0 {
			t.Errorf("no %s records", obj)
		}
	}
	var total int
	for _, obj := range []string{"Account", "Contact", "Opportunity", "Lead", "Case", "Task"} {
		var res queryResult
		e.do(e.admin, "GET", v+"/query?q="+urlQueryEscape("SELECT COUNT() FROM "+obj), nil).json(t, &res)
		total += res.TotalSize
	}
	if total < 200 || total > 400 {
		t.Fatalf("default size seeded %d records", total)
	}
	users := e.query(e.alex, "SELECT Username, Name FROM User ORDER BY Username")
	if len(users) != 3 || users[0]["Username"] != "admin@demo.example" {
		t.Fatalf("users %v", users)
	}
}

func TestProjectionOfOwnFieldsMatchesTheGeneralOne(t *testing.T) {
	e := newEnv(t, Options{Size: 60})
	obj := theSchema.object("Contact")
	resolve := func(names ...string) []*column {
		var cols []*column
		for _, n := range names {
			c, aerr := e.org.resolve(obj, strings.Split(n, "."), ProfileDemo)
			if aerr != nil {
				t.Fatal(aerr)
			}
			cols = append(cols, c)
		}
		return cols
	}
	id := e.firstID(e.alex, "SELECT Id FROM Contact WHERE AccountId != null")
	r := e.org.recs[id]
	own := resolve("Id", "FirstName", "LastName", "Email", "AccountId", "LastModifiedDate")
	keys := ownFieldKeys(own)
	if keys == nil {
		t.Fatal("no shared keys for own fields")
	}
	got := projectOwn(r, keys, own, "62.0").appendJSON(nil)
	want := e.org.project(e.org.begin(), e.org.users[0], r, own, "62.0").appendJSON(nil)
	if string(got) != string(want) {
		t.Fatalf("own %s\ngeneral %s", got, want)
	}
	for _, names := range [][]string{{"Id", "Account.Name"}, {"Id", "Title", "Title"}} {
		if k := ownFieldKeys(resolve(names...)); k != nil {
			t.Errorf("%v: shared keys %v, want none", names, k)
		}
	}
}

func TestQueryStringEscapesAreSOQLs(t *testing.T) {
	e := newEnv(t, Options{})
	for _, name := range []string{`Back\_slash`, "Back_slash", `Quote's "Co"`, "Line\nBreak", "Caf\u00e9"} {
		e.do(e.alex, "POST", v+"/sobjects/Account", map[string]any{"Name": name}).want(t, 201)
	}
	names := func(soql string) string {
		var out []string
		for _, r := range e.query(e.alex, soql) {
			out = append(out, r["Name"].(string))
		}
		sort.Strings(out)
		return strings.Join(out, "|")
	}
	tests := []struct {
		name, where, want string
	}{
		{"an escaped backslash before _ is a backslash", `Name = 'Back\\_slash'`, `Back\_slash`},
		{"an escaped backslash in LIKE is a backslash", `Name LIKE 'Back\\\_slash'`, `Back\_slash`},
		{"_ in LIKE is any character", `Name LIKE 'Back_slash'`, "Back_slash"},
		{"escaped _ in LIKE is an underscore", `Name LIKE 'Back\_slash'`, "Back_slash"},
		{"quotes", `Name = 'Quote\'s \"Co\"'`, `Quote's "Co"`},
		{"upper-case N escape is a new line", `Name = 'Line\NBreak'`, "Line\nBreak"},
		{"lower-case n escape is a new line", `Name = 'Line\nBreak'`, "Line\nBreak"},
		{"u escape", `Name = 'Caf\u00E9'`, "Caf\u00e9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := names("SELECT Name FROM Account WHERE " + tt.where); got != tt.want {
				t.Fatalf("WHERE %s found %q, want %q", tt.where, got, tt.want)
			}
		})
	}
	for _, where := range []string{`Name = 'Back\_slash'`, `Name = '100\%'`, `Name = 'bad \q escape'`, `Name = 'short \u00e'`} {
		t.Run("refused: "+where, func(t *testing.T) {
			e.do(e.alex, "GET", v+"/query?q="+urlQueryEscape("SELECT Name FROM Account WHERE "+where), nil).want(t, 400)
		})
	}
}
