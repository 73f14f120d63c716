package soql

import (
	"strings"
	"testing"
	"time"
)

func TestParseAcceptsTheSupportedSubset(t *testing.T) {
	for _, q := range []string{
		"SELECT Id FROM Account",
		"select id, name from account where name = 'A' and (amount > 5 or not isclosed = true)",
		"SELECT COUNT() FROM Contact WHERE AccountId != null",
		"SELECT Id, Account.Name FROM Contact WHERE Account.Name LIKE 'Acme%' ORDER BY LastName DESC NULLS LAST, FirstName LIMIT 10 OFFSET 5",
		"SELECT Id FROM Opportunity WHERE StageName IN ('Prospecting', 'Closed Won') AND Amount >= -1.5e3",
		"SELECT Id FROM Opportunity WHERE StageName NOT IN ('Closed Lost')",
		"SELECT Id FROM Account WHERE LastModifiedDate > 2024-01-02T03:04:05Z AND CreatedDate < 2024-01-02T03:04:05.000+0000",
		"SELECT Id FROM Opportunity WHERE CloseDate = 2024-05-01 OR CloseDate = LAST_N_DAYS:30 OR CloseDate = TODAY",
		"SELECT Id FROM Account WHERE Name = 'O\\'Brien \\\\ \\n'",
		"SELECT Id FROM Account WHERE Name <> 'x'",
		"SELECT Id FROM Account WHERE Product_Interest__c INCLUDES ('Hardware;Software', 'Cloud') OR Product_Interest__c excludes ('Training')",
	} {
		if _, err := Parse(q); err != nil {
			t.Errorf("Parse(%q): %v", q, err)
		}
	}
}

func TestParseBuildsTheTree(t *testing.T) {
	q, err := Parse("SELECT Id, Account.Name FROM Contact WHERE A = 1 OR B = 'x' AND NOT C = true ORDER BY Name DESC LIMIT 7 OFFSET 2")
	if err != nil {
		t.Fatal(err)
	}
	if q.Object != "Contact" || len(q.Fields) != 2 || q.Fields[1].String() != "Account.Name" {
		t.Fatalf("fields/object: %+v", q)
	}
	or, ok := q.Where.(*Or)
	if !ok {
		t.Fatalf("AND must bind tighter than OR: %#v", q.Where)
	}
	and, ok := or.Right.(*And)
	if !ok {
		t.Fatalf("right of OR: %#v", or.Right)
	}
	if _, ok := and.Right.(*Not); !ok {
		t.Fatalf("NOT: %#v", and.Right)
	}
	if q.Limit != 7 || q.Offset != 2 || !q.OrderBy[0].Desc || q.OrderBy[0].NullsFirst {
		t.Fatalf("order/limit/offset: %+v", q)
	}
}

func TestParseRejectsWhatItDoesNotSupport(t *testing.T) {
	for _, q := range []string{
		"", "SELECT", "SELECT FROM Account", "SELECT Id", "SELECT Id FROM", "SELECT Id FROM Account WHERE",
		"SELECT Id FROM Account WHERE Name = ", "SELECT Id FROM Account WHERE Name = 'open",
		"SELECT Id FROM Account GROUP BY Name", "SELECT COUNT(Id) FROM Account", "SELECT MAX(Amount) FROM Opportunity",
		"SELECT Id, (SELECT Id FROM Contacts) FROM Account", "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)",
		"SELECT Account.Owner.Name FROM Contact", "SELECT Id FROM Account LIMIT -1", "SELECT Id FROM Account LIMIT x",
		"SELECT Id FROM Account WHERE (Name = 'a'", "SELECT Id FROM Account WHERE Name = 'a\\q'", "SELECT Id FROM Account;",
		"SELECT Id FROM Account WHERE Name = 'a' ORDER BY", "SELECT Id FROM Account WHERE Name ! 'a'",
		"SELECT Id FROM Account WHERE CreatedDate > 2024-13-45", "SELECT Id FROM Account WHERE d = LAST_N_DAYS",
		"SELECT Id FROM Account WHERE Name = \xff",
	} {
		if _, err := Parse(q); err == nil {
			t.Errorf("Parse(%q) succeeded", q)
		}
	}
}

func TestParseSurvivesDeepNesting(t *testing.T) {
	q := "SELECT Id FROM Account WHERE " + strings.Repeat("(", 5000) + "Name = 'a'" + strings.Repeat(")", 5000)
	if _, err := Parse(q); err == nil {
		t.Fatal("a 5000-deep condition should be refused")
	}
	q = "SELECT Id FROM Account WHERE " + strings.Repeat("NOT ", 5000) + "Name = 'a'"
	if _, err := Parse(q); err == nil {
		t.Fatal("5000 NOTs should be refused")
	}
}

func TestDateRangeCoversWholeDays(t *testing.T) {
	now := time.Date(2024, 3, 4, 15, 30, 0, 0, time.UTC)
	day := func(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		lit      Literal
		from, to time.Time
	}{
		{Literal{Range: "TODAY"}, day(4), day(5)},
		{Literal{Range: "YESTERDAY"}, day(3), day(4)},
		{Literal{Range: "TOMORROW"}, day(5), day(6)},
		{Literal{Range: "LAST_N_DAYS", N: 2}, day(2), day(5)},
		{Literal{Range: "NEXT_N_DAYS", N: 2}, day(4), day(7)},
	} {
		from, to := tc.lit.DateRange(now)
		if !from.Equal(tc.from) || !to.Equal(tc.to) {
			t.Errorf("%s: [%s, %s), want [%s, %s)", tc.lit.Range, from, to, tc.from, tc.to)
		}
	}
}

func FuzzParseSOQL(f *testing.F) {
	for _, s := range []string{
		"SELECT Id FROM Account",
		"SELECT Id, Account.Name FROM Contact WHERE Name LIKE 'a%' AND (Amount > 5 OR NOT IsClosed = true) ORDER BY Name DESC NULLS LAST LIMIT 5 OFFSET 1",
		"SELECT COUNT() FROM Lead WHERE Status IN ('a','b') AND CreatedDate > 2024-01-01T00:00:00Z",
		"SELECT Id FROM Task WHERE ActivityDate = LAST_N_DAYS:7",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err == nil && (q == nil || q.Object == "") {
			t.Fatalf("Parse(%q) returned no query and no error", s)
		}
		if err != nil && err.Error() == "" {
			t.Fatalf("empty error for %q", s)
		}
	})
}
