package mockorg

import (
	"strings"
	"testing"
)

// A locked record refuses updates and deletes with UNABLE_TO_LOCK_ROW in the shape a real org
// uses for each kind of request, while reads and other records go on; N refused writes or an
// unlock end it.
func TestRowLockRefusesWritesOfThatRecordOnly(t *testing.T) {
	e := newEnv(t, Options{})
	ids := e.query(e.alex, "SELECT Id FROM Account WHERE OwnerId != null ORDER BY Id LIMIT 2")
	if len(ids) < 2 {
		t.Fatal("need two accounts")
	}
	locked, other := ids[0]["Id"].(string), ids[1]["Id"].(string)
	e.do(e.alex, "POST", "/mockorg/v1/lock", map[string]any{"recordId": locked}).want(t, 403)
	e.do(e.admin, "POST", "/mockorg/v1/lock", map[string]any{"recordId": "bad"}).want(t, 400)
	e.do(e.admin, "POST", "/mockorg/v1/lock", map[string]any{"recordId": locked, "writes": -1}).want(t, 400)
	e.do(e.admin, "POST", "/mockorg/v1/lock", map[string]any{"recordId": locked}).want(t, 204)

	// A single PATCH and DELETE: 400 with an error array.
	r := e.do(e.admin, "PATCH", v+"/sobjects/Account/"+locked, map[string]any{"Phone": "1"}).want(t, 400)
	if c := r.code(t); c != "UNABLE_TO_LOCK_ROW" || !strings.Contains(string(r.Body), "unable to obtain exclusive access to this record or 1 records") {
		t.Fatalf("PATCH: %s", r.Body)
	}
	if c := e.do(e.admin, "DELETE", v+"/sobjects/Account/"+locked, nil).want(t, 400).code(t); c != "UNABLE_TO_LOCK_ROW" {
		t.Fatalf("DELETE: %s", c)
	}
	// Reads and the other record go on.
	e.do(e.admin, "GET", v+"/sobjects/Account/"+locked, nil).want(t, 200)
	if n := len(e.query(e.admin, "SELECT Id FROM Account WHERE Id = '"+locked+"'")); n != 1 {
		t.Fatalf("query found %d", n)
	}
	e.do(e.admin, "PATCH", v+"/sobjects/Account/"+other, map[string]any{"Phone": "2"}).want(t, 204)

	// Composite: a 200 whose locked subrequest failed and the others succeeded.
	var res compositeReply
	e.do(e.admin, "POST", v+"/composite", map[string]any{"allOrNone": false, "compositeRequest": []any{
		map[string]any{"method": "PATCH", "url": v + "/sobjects/Account/" + locked, "referenceId": "a", "body": map[string]any{"Phone": "3"}},
		map[string]any{"method": "PATCH", "url": v + "/sobjects/Account/" + other, "referenceId": "b", "body": map[string]any{"Phone": "3"}},
		map[string]any{"method": "GET", "url": v + "/sobjects/Account/" + locked, "referenceId": "c"},
	}}).want(t, 200).json(t, &res)
	got := res.CompositeResponse
	if len(got) != 3 || got[0].HTTPStatusCode != 400 || errCodeOf(got[0].Body) != "UNABLE_TO_LOCK_ROW" || got[1].HTTPStatusCode != 204 || got[2].HTTPStatusCode != 200 {
		t.Fatalf("composite: %+v", got)
	}

	// sObject Collections: the locked record fails, the other is saved.
	var saves []struct {
		Success bool `json:"success"`
		Errors  []struct {
			StatusCode string `json:"statusCode"`
		} `json:"errors"`
	}
	e.do(e.admin, "PATCH", v+"/composite/sobjects", map[string]any{"allOrNone": false, "records": []any{
		map[string]any{"attributes": map[string]any{"type": "Account"}, "Id": locked, "Phone": "4"},
		map[string]any{"attributes": map[string]any{"type": "Account"}, "Id": other, "Phone": "4"},
	}}).want(t, 200).json(t, &saves)
	if len(saves) != 2 || saves[0].Success || len(saves[0].Errors) != 1 || saves[0].Errors[0].StatusCode != "UNABLE_TO_LOCK_ROW" || !saves[1].Success {
		t.Fatalf("collections: %+v", saves)
	}
	var locks []RowLock
	e.do(e.admin, "GET", "/mockorg/v1/lock", nil).want(t, 200).json(t, &locks)
	if len(locks) != 1 || locks[0].RecordID != locked || locks[0].Refused != 4 || locks[0].Writes != 0 {
		t.Fatalf("locks: %+v", locks)
	}

	// DELETE unlocks; a second DELETE finds no lock.
	e.do(e.admin, "DELETE", "/mockorg/v1/lock/"+locked, nil).want(t, 204)
	e.do(e.admin, "DELETE", "/mockorg/v1/lock/"+locked, nil).want(t, 404)
	e.do(e.admin, "PATCH", v+"/sobjects/Account/"+locked, map[string]any{"Phone": "5"}).want(t, 204)

	// writes: 2 refuses two writes, then the record is free; writes: 0 unlocks at once.
	e.do(e.admin, "POST", "/mockorg/v1/lock", map[string]any{"recordId": locked, "writes": 2}).want(t, 204)
	e.do(e.admin, "PATCH", v+"/sobjects/Account/"+locked, map[string]any{"Phone": "6"}).want(t, 400)
	// The listing says how many writes it still refuses.
	e.do(e.admin, "GET", "/mockorg/v1/lock", nil).want(t, 200).json(t, &locks)
	if len(locks) != 1 || locks[0].Writes != 1 || locks[0].Refused != 1 {
		t.Fatalf("a lock of 2 writes after one refusal lists %+v; want 1 write left", locks)
	}
	e.do(e.admin, "PATCH", v+"/sobjects/Account/"+locked, map[string]any{"Phone": "6"}).want(t, 400)
	e.do(e.admin, "PATCH", v+"/sobjects/Account/"+locked, map[string]any{"Phone": "6"}).want(t, 204)
	e.do(e.admin, "POST", "/mockorg/v1/lock", map[string]any{"recordId": locked}).want(t, 204)
	e.do(e.admin, "POST", "/mockorg/v1/lock", map[string]any{"recordId": locked, "writes": 0}).want(t, 204)
	e.do(e.admin, "DELETE", v+"/sobjects/Account/"+locked, nil).want(t, 204)

	// A reset org holds no lock.
	e.do(e.admin, "POST", "/mockorg/v1/lock", map[string]any{"recordId": other}).want(t, 204)
	e.do(e.admin, "POST", "/mockorg/v1/reset", nil).want(t, 204)
	if l := e.org.RowLocks(); len(l) != 0 {
		t.Fatalf("after reset: %+v", l)
	}
}
