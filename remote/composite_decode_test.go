package remote

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodeCompositeStd is the reply decoding done with encoding/json, the reference the one-pass
// decoder must agree with.
func decodeCompositeStd(data []byte) ([]Subresponse, bool) {
	var raw struct {
		CompositeResponse *[]struct {
			Body           json.RawMessage   `json:"body"`
			HTTPHeaders    map[string]string `json:"httpHeaders"`
			HTTPStatusCode int               `json:"httpStatusCode"`
			ReferenceID    string            `json:"referenceId"`
		} `json:"compositeResponse"`
	}
	if err := json.Unmarshal(data, &raw); err != nil || raw.CompositeResponse == nil {
		return nil, false
	}
	out := []Subresponse{}
	for _, r := range *raw.CompositeResponse {
		if r.HTTPStatusCode < 100 || r.HTTPStatusCode > 599 {
			return nil, false
		}
		body := r.Body
		if string(body) == "null" {
			body = nil
		}
		out = append(out, Subresponse{ReferenceID: r.ReferenceID, StatusCode: r.HTTPStatusCode, Headers: r.HTTPHeaders, Body: body})
	}
	return out, true
}

func sameCompositeAsStd(t *testing.T, data []byte) {
	t.Helper()
	want, ok := decodeCompositeStd(data)
	got, err := DecodeCompositeResponse(data)
	if (err == nil) != ok {
		t.Fatalf("DecodeCompositeResponse(%q): err %v, encoding/json ok=%v", data, err, ok)
	}
	if !ok {
		return
	}
	for i := range got {
		if len(got[i].Body) == 0 {
			got[i].Body = nil
		}
		if len(want[i].Body) == 0 {
			want[i].Body = nil
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeCompositeResponse(%q) = %#v, encoding/json %#v", data, got, want)
	}
}

var compositeCases = []string{
	`{"compositeResponse":[]}`,
	`{"compositeResponse":[{"body":null,"httpHeaders":{},"httpStatusCode":204,"referenceId":"u1"},{"body":{"id":"001","success":true,"errors":[]},"httpHeaders":{"Location":"/x"},"httpStatusCode":201,"referenceId":"c2"}]}`,
	`{"compositeResponse":[{"body":[{"errorCode":"PRECONDITION_FAILED","message":"changed"}],"httpHeaders":{},"httpStatusCode":412,"referenceId":"u1"}]}`,
	`{"CompositeResponse":[{"BODY":1,"HttpStatusCode":200,"REFERENCEID":"x"}]}`,
	`{"other":{"deep":[1,2,{"a":null}]},"compositeResponse":[{"body":"s","httpStatusCode":200,"referenceId":"a","extra":[true]}]}`,
	`{"compositeResponse":[{"body":1,"httpStatusCode":200,"httpHeaders":{"a":"1"},"httpHeaders":{"b":"2"}}]}`,
	`{"compositeResponse":[{"body":1,"httpStatusCode":200,"httpHeaders":{"a":null}}]}`,
	`{"compositeResponse":[null]}`, `{"compositeResponse":null}`, `{}`, `null`, `[]`, ``,
	`{"compositeResponse":[{"httpStatusCode":"200"}]}`, `{"compositeResponse":[{"httpStatusCode":2e2}]}`,
	`{"compositeResponse":[{"httpStatusCode":200.0}]}`, `{"compositeResponse":[{"httpStatusCode":99}]}`,
	`{"compositeResponse":[{"httpStatusCode":200,"httpHeaders":{"a":1}}]}`,
	`{"compositeResponse":[{"httpStatusCode":200,"body":{"a":}}]}`, `{"compositeResponse":[{"httpStatusCode":200}]`,
	`{"compositeResponse":[{"httpStatusCode":200}]} x`, `{"compositeResponse":[{"httpStatusCode":200,"referenceId":null,"body":"\u00e9\ud800"}]}`,
	`{"compositeResponse":[],"compositeResponse":[{"httpStatusCode":200}]}`,
	`{"compositeResponse":[{"body":1,"referenceId":"a","httpStatusCode":201}],"compositeResponse":[{"httpStatusCode":200}]}`,
	`{"compositeResponse":[{"body":1,"referenceId":"a","httpStatusCode":201,"httpHeaders":{"a":"1"}}],"compositeResponse":[null,{"httpStatusCode":204}]}`,
	`{"compositeResponse":[{"httpStatusCode":201},{"httpStatusCode":202}],"compositeResponse":[{"referenceId":"x"}]}`,
	`{"compositeResponse":[{"httpStatusCode":201}],"compositeResponse":null,"compositeResponse":[{"referenceId":"x"}]}`,
}

// nestedBody is a composite reply whose one body nests depth arrays.
func nestedBody(depth int) []byte {
	return []byte(`{"compositeResponse":[{"httpStatusCode":200,"body":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}]}`)
}

func TestDecodeCompositeResponseRefusesWhatIsNestedTooDeeplyAsEncodingJSONDoes(t *testing.T) {
	for _, depth := range []int{9990, 9996, 9997, 9998, 10000} {
		sameCompositeAsStd(t, nestedBody(depth))
	}
}

func TestDecodeCompositeResponseAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range compositeCases {
		sameCompositeAsStd(t, []byte(c))
	}
}

func FuzzDecodeCompositeResponseAgrees(f *testing.F) {
	for _, c := range compositeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) { sameCompositeAsStd(t, data) })
}
