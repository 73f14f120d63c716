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
	plain := map[string]any{"s": m.vals["s"], "n": 12.5, "big": 1e22, "small": 1e-7, "int": 120000.0, "b": true, "null": nil, "list": []string{"a"}, "nested": map[string]any{"x": "y"}}
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
