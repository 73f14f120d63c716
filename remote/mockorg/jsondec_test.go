package mockorg

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

var plainDecoderSeeds = []string{
	`{"allOrNone":false,"compositeRequest":[{"method":"PATCH","url":"/services/data/v62.0/sobjects/Contact/003","referenceId":"u0","body":{"Title":"T1","Phone":"555"},"httpHeaders":{"If-Unmodified-Since":"Mon, 04 Mar 2024 11:00:00 GMT"}},{"method":"GET","url":"/services/data/v62.0/composite/sobjects/Contact?ids=003&fields=Id","referenceId":"r0"}]}`,
	" \n{ \"allOrNone\" : true , \"collateSubrequests\":false, \"compositeRequest\" : [ ] } \t",
	`{"compositeRequest":[{"method":"POST","url":"/x","referenceId":"a","body":{"Name":"@{b.id}","n":[1,-2.5e3,{"x":null}],"s":"q\"\\\/\b\f\n\r\t\u00e9"}}]}`,
	`{"compositeRequest":[{"method":"POST","url":"/x","referenceId":"a","body":null}]}`,
	`{"compositeRequest":[{"method":"POST","url":"/x","referenceId":"a","body":"text"}]}`,
	`{"compositeRequest":[{"method":"POST","url":"/x","referenceId":"a","body":{"Name":"x"}}]} trailing`,
	`{"compositeRequest":[{"Method":"POST","url":"/x","referenceId":"a"}]}`,
	`{"compositeRequest":[{"method":"POST","method":"GET","url":"/x","referenceId":"a"}]}`,
	`{"compositeRequest":[{"method":"POST","url":"/x","referenceId":"a","httpHeaders":{"A":"1","A":"2"}}]}`,
	`{"compositeRequest":[{"method":"POST","url":"/x","referenceId":"a","httpHeaders":{"A":"1"},"httpHeaders":{"B":"2"}}]}`,
	`{"compositeRequest":[{"method":"PÖST","url":"/x","referenceId":"a"}]}`,
	`{"compositeRequest":[{"method":"POST","url":"/x\u0041","referenceId":"a"}]}`,
	`{"compositeRequest":[{"method":"POST","url":"/x","referenceId":"a","body":{"a":01}}]}`,
	`{"compositeRequest":[{"method":"POST","url":"/x","referenceId":"a","body":{"a":1.}}]}`,
	`{"compositeRequest":[{"method":"POST","url":"/x","referenceId":"a","body":{"a":"\x"}}]}`,
	`{"compositeRequest":[{"method":"POST","url":"/x","referenceId":"a","body":{"a":tru}}]}`,
	`{"compositeRequest":[{"method":"POST","url":"/x","referenceId":"a","body":{"a":1,}}]}`,
	`{"compositeRequest":null}`,
	`{"allOrNone":"yes","compositeRequest":[]}`,
	`{"allOrNone":true,"allOrNone":false,"compositeRequest":[]}`,
	`{"extra":1,"compositeRequest":[]}`,
	`{"Title":"T1","Phone":"555-1234"}`,
	`{"Amount":12.5,"IsClosed":true,"Other":false,"Nothing":null,"Big":1e400,"Neg":-0,"Exp":2E-3}`,
	`{"a":"x","a":"y"}`,
	`{"a":{"nested":true}}`,
	`{"a":[1]}`,
	`{}`,
	`null`,
	`[]`,
	``,
	`{"a":"x"} {"b":1}`,
	`{"a":"tab	in string"}`,
}

// checkPlainDecoders fails when a hand-written decoder accepts a body and decodes it to
// anything but what encoding/json makes of it.
func checkPlainDecoders(t *testing.T, body []byte) (compositeOK, flatOK bool) {
	t.Helper()
	fast, compositeOK := decodePlainComposite(body)
	if compositeOK {
		var std compositeRequest
		if aerr := decodeJSON(body, &std); aerr != nil {
			t.Fatalf("composite %q: accepted by hand, refused by encoding/json: %v", body, aerr)
		}
		if fast.AllOrNone != std.AllOrNone || fast.CollateSubs != std.CollateSubs || len(fast.CompositeRequest) != len(std.CompositeRequest) || (fast.CompositeRequest == nil) != (std.CompositeRequest == nil) {
			t.Fatalf("composite %q:\nhand %+v\nstd  %+v", body, fast, std)
		}
		for i, f := range fast.CompositeRequest {
			s := std.CompositeRequest[i]
			if f.Method != s.Method || f.URL != s.URL || f.ReferenceID != s.ReferenceID || !bytes.Equal(f.Body, s.Body) || (f.Body == nil) != (s.Body == nil) {
				t.Fatalf("composite %q subrequest %d:\nhand %+v\nstd  %+v", body, i, f, s)
			}
			if len(f.HTTPHeaders) != len(s.HTTPHeaders) || (len(f.HTTPHeaders) > 0 && !reflect.DeepEqual(f.HTTPHeaders, s.HTTPHeaders)) {
				t.Fatalf("composite %q subrequest %d headers: hand %v std %v", body, i, f.HTTPHeaders, s.HTTPHeaders)
			}
		}
	}
	m, flatOK := decodeFlatObject(body)
	if flatOK {
		var std map[string]any
		if err := json.Unmarshal(body, &std); err != nil || std == nil {
			t.Fatalf("flat %q: accepted by hand, refused by encoding/json: %v", body, err)
		}
		if !reflect.DeepEqual(m, std) {
			t.Fatalf("flat %q:\nhand %v\nstd  %v", body, m, std)
		}
	}
	return compositeOK, flatOK
}

func TestPlainDecodersAgreeWithEncodingJSON(t *testing.T) {
	for _, s := range plainDecoderSeeds {
		checkPlainDecoders(t, []byte(s))
	}
}

func TestPlainDecodersTakeTheCommonShapesAndLeaveTheRest(t *testing.T) {
	tests := []struct {
		name              string
		body              string
		composite, record bool
	}{
		{"sync push of updates", plainDecoderSeeds[0], true, false},
		{"white space and an empty list", plainDecoderSeeds[1], true, false},
		{"escapes inside a subrequest body", plainDecoderSeeds[2], true, false},
		{"null body", plainDecoderSeeds[3], true, false},
		{"record body of strings", `{"Title":"T1","Phone":"555-1234"}`, false, true},
		{"record body of scalars", `{"Amount":12.5,"IsClosed":true,"Nothing":null,"Neg":-0}`, false, true},
		{"empty record body", `{}`, true, true},
		{"repeated record field", `{"a":"x","a":"y"}`, false, true},
		{"data after the value", plainDecoderSeeds[5], false, false},
		{"key in another case", plainDecoderSeeds[6], false, false},
		{"repeated subrequest key", plainDecoderSeeds[7], false, false},
		{"repeated header", plainDecoderSeeds[8], false, false},
		{"non-ASCII method", plainDecoderSeeds[10], false, false},
		{"escaped url", plainDecoderSeeds[11], false, false},
		{"number with a leading zero", plainDecoderSeeds[12], false, false},
		{"bad escape", plainDecoderSeeds[14], false, false},
		{"trailing comma", plainDecoderSeeds[16], false, false},
		{"null list", `{"compositeRequest":null}`, false, true},
		{"unknown envelope key", `{"extra":1,"compositeRequest":[]}`, false, false},
		{"number out of range", `{"Big":1e400}`, false, false},
		{"nested record value", `{"a":{"nested":true}}`, false, false},
		{"escaped record string", `{"a":"\u00e9"}`, false, false},
		{"control character in a string", `{"a":"tab	in string"}`, false, false},
		{"null", `null`, false, false},
		{"empty", ``, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, r := checkPlainDecoders(t, []byte(tt.body))
			if c != tt.composite || r != tt.record {
				t.Fatalf("taken by hand: composite %v record %v, want %v %v", c, r, tt.composite, tt.record)
			}
		})
	}
}

// FuzzPlainDecodersAgreeWithEncodingJSON: whatever the hand-written decoders accept decodes to
// what encoding/json makes of it.
func FuzzPlainDecodersAgreeWithEncodingJSON(f *testing.F) {
	for _, s := range plainDecoderSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkPlainDecoders(t, body)
	})
}
