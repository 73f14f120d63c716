package mockorg

import (
	"encoding/json"
	"testing"
)

func TestFastJSONMatchesEncodingJSON(t *testing.T) {
	m := newOrderedMap(4)
	m.set("s", "quote\" back\\ nl\n tab\t ctl\x01 html<>& bad\xff sep\u2028 é 日本")
	m.set("n", 12.5)
	m.set("big", 1e22)
	m.set("small", 1e-7)
	m.set("int", 120000.0)
	m.set("b", true)
	m.set("null", nil)
	m.set("list", []string{"a"})
	nested := newOrderedMap(1)
	nested.set("x", "y")
	m.set("nested", nested)
	got := m.appendJSON(nil)
	var a, b map[string]any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatalf("invalid JSON %s: %v", got, err)
	}
	s, _ := m.get("s")
	plain := map[string]any{"s": s, "n": 12.5, "big": 1e22, "small": 1e-7, "int": 120000.0, "b": true, "null": nil, "list": []string{"a"}, "nested": map[string]any{"x": "y"}}
	want, _ := json.Marshal(plain)
	if err := json.Unmarshal(want, &b); err != nil {
		t.Fatal(err)
	}
	ga, _ := json.Marshal(a)
	gb, _ := json.Marshal(b)
	if string(ga) != string(gb) {
		t.Fatalf("fast %s\nstd  %s", ga, gb)
	}
	if keys := string(got[:5]); keys != `{"s":` {
		t.Fatalf("order lost: %s", got)
	}
}

func TestFloatsEncodeLikeEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 12.5, 1e-7, -1e-7, 1.5e-9, 1e-6, 1e20, 1e21, 1e22, -3e100, 5e-324, 123456789.125} {
		want, _ := json.Marshal(f)
		if got := appendFloat(nil, f); string(got) != string(want) {
			t.Errorf("%v: got %s, want %s", f, got, want)
		}
	}
}

func TestCompositeReplyEncodesLikeEncodingJSON(t *testing.T) {
	rec := newOrderedMap(3)
	rec.set("attributes", &recordAttrs{typ: "Contact", id: "003Dm00000000ABAAA", version: "62.0"})
	rec.set("Title", "VP <Sales> & \"more\"")
	rec.set("Amount", 1e-7)
	dup := map[string]any{"allowSave": true, "matchResults": []any{map[string]any{"size": 1, "rule": "R"}}}
	results := []subresponse{
		{Body: nil, HTTPStatusCode: 204, ReferenceID: "u0"},
		{Body: map[string]any{"id": "001", "success": true, "errors": []any{}}, HTTPHeaders: map[string]string{"Location": "/x", "ETag": `"e"`}, HTTPStatusCode: 201, ReferenceID: "c1"},
		{Body: newErr(412, "PRECONDITION_FAILED", "changed since").Items, HTTPStatusCode: 412, ReferenceID: "u2"},
		{Body: []errItem{{Message: "dup", ErrorCode: "DUPLICATES_DETECTED", Fields: []string{}, Dup: dup}, {Message: "m", ErrorCode: "X", Fields: []string{"A", "B"}}}, HTTPStatusCode: 400, ReferenceID: "u3"},
		{Body: []errItem{{Message: "nil fields", ErrorCode: "Y"}}, HTTPStatusCode: 400, ReferenceID: "u4"},
		{Body: []any{rec, nil, rec}, HTTPStatusCode: 200, ReferenceID: "r0"},
		{Body: &queryResult{TotalSize: 1, Done: true, Records: []any{rec}}, HTTPStatusCode: 200, ReferenceID: "q0"},
		{Body: []any(nil), HTTPStatusCode: 200, ReferenceID: "n0"},
	}
	got := compositeResponse(results).appendJSON(nil)
	// The form encoding/json was given before: every subresponse with a header map.
	plain := make([]subresponse, len(results))
	for i, r := range results {
		plain[i] = r
		if plain[i].HTTPHeaders == nil {
			plain[i].HTTPHeaders = map[string]string{}
		}
	}
	want, err := json.Marshal(map[string]any{"compositeResponse": plain})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("fast %s\nstd  %s", got, want)
	}
}

func TestRecordAttributesGiveTheTypeAndTheRecordURL(t *testing.T) {
	r := &rec{ID: "003Dm00000000ABAAA", Object: theSchema.object("Contact")}
	var got map[string]string
	if err := json.Unmarshal(attributes(r, "62.0").appendJSON(nil), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"type": "Contact", "url": "/services/data/v62.0/sobjects/Contact/003Dm00000000ABAAA"}
	if got["type"] != want["type"] || got["url"] != want["url"] || len(got) != 2 {
		t.Fatalf("attributes %v, want %v", got, want)
	}
}
