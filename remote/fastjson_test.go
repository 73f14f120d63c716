package remote

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// sameAsEncodingJSON fails when ParseFields and encoding/json disagree about data: both must
// refuse it, or both accept it with equal results.
func sameAsEncodingJSON(t *testing.T, data []byte) {
	t.Helper()
	var want Fields
	wantErr := json.Unmarshal(data, &want)
	got, err := ParseFields(data)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("ParseFields(%q): err %v, encoding/json err %v", data, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseFields(%q) = %#v, encoding/json %#v", data, got, want)
	}
	var wantList []Fields
	wantErr = json.Unmarshal(data, &wantList)
	gotList, err := ParseFieldsList(data)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("ParseFieldsList(%q): err %v, encoding/json err %v", data, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(gotList, wantList) {
		t.Fatalf("ParseFieldsList(%q) = %#v, encoding/json %#v", data, gotList, wantList)
	}
}

var fieldsCases = []string{
	`{}`, `null`, ` { "a" : 1 } `, `{"a":1,"a":2}`, `{"Id":"001","Amount":12.5,"Closed":false,"Owner":null}`,
	`{"attributes":{"type":"Account","url":"/x"},"Tags":["a",1,true,null,{"b":[]}]}`,
	`{"n":-0.5e+10,"m":0,"k":-0,"big":1e400}`, `{"n":01}`, `{"n":-}`, `{"n":1.}`, `{"n":.5}`, `{"n":1e}`,
	`{"s":"tab\tin"}`, `{"s":"esc \" \\ \/ \b \f \n \r \t \u00e9 \u2028"}`, `{"s":"\ud83d\ude00"}`,
	`{"s":"\ud83d"}`, `{"s":"\ud83d\u0041"}`, `{"s":"\ude00\ud83d"}`, `{"s":"\u12"}`, `{"s":"\x"}`,
	"{\"s\":\"\xff\xfe bad utf8 \xed\xa0\x80\"}", "{\"s\":\"\x1b[31mred\x1b[0m\"}", `{"s":"ok"`, `{"s"}`,
	`{"a":1,}`, `{"a":1}x`, `[]`, `[null,{"a":1}]`, `[1]`, `[{"a":1},]`, `"str"`, `1`, `true`, ``, `  `,
	`{"a":tru}`, `{"a":nul}`, `{"a":[1,2}`, `{"\u0041":"key escaped"}`, `{"a":{"b":{"c":{}}}}`,
	`[null]`, `nullx`, `{"a":"` + strings.Repeat("x", 70000) + `"}`,
}

func TestParseFieldsAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range fieldsCases {
		sameAsEncodingJSON(t, []byte(c))
	}
}

func TestParseFieldsListCountsItsArrayInTheNestingLimit(t *testing.T) {
	for _, depth := range []int{9997, 9998, 9999, 10000} {
		sameAsEncodingJSON(t, []byte("["+strings.Repeat(`{"a":`, depth)+"1"+strings.Repeat("}", depth)+"]"))
	}
}

func TestARepeatedRecordsKeyMergesIntoTheRecordsAsEncodingJSONDoes(t *testing.T) {
	data := []byte(`{"totalSize":1,"done":true,"records":[{"Id":"001000000000001AAA","b":2}],"records":[{"Id":"001000000000003AAA"}]}`)
	var raw struct {
		Records []map[string]any `json:"records"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	res, err := DecodeQueryResult(data)
	if err != nil || len(res.Records) != 1 {
		t.Fatalf("DecodeQueryResult: %+v, %v", res, err)
	}
	if got, want := res.Records[0].Fields, Fields(raw.Records[0]); !reflect.DeepEqual(got, want) {
		t.Fatalf("records %v, encoding/json %v", got, want)
	}
}

func TestParseFieldsRefusesDeepNestingWithoutCrashing(t *testing.T) {
	deep := `{"a":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
	if _, err := ParseFields([]byte(deep)); err == nil {
		t.Fatal("20,000 nested arrays accepted")
	}
}

func FuzzParseFields(f *testing.F) {
	for _, c := range fieldsCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) { sameAsEncodingJSON(t, data) })
}

func BenchmarkParseFieldsRecord(b *testing.B) {
	rec := []byte(`{"attributes":{"type":"Contact","url":"/services/data/v62.0/sobjects/Contact/0035g00000AbCdEAAZ"},"Id":"0035g00000AbCdEAAZ","FirstName":"Ada","LastName":"Lovelace","Email":"ada@example.com","Title":"Engineer","Phone":"+44 20 7946 0000","AccountId":"0015g00000XyZaBAAV","OwnerId":"0055g00000OwNeRAAV","Description":"bench 3","LastModifiedDate":"2026-11-27T04:27:38.000+0000","SystemModstamp":"2026-11-27T04:27:38.123+0000","LastModifiedById":"0055g00000OwNeRAAV","CreatedDate":"2026-01-02T03:04:05.000+0000","IsDeleted":false,"MailingCity":"Londön","Amount":1250.5}`)
	b.Run("ParseFields", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseFields(rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var f Fields
			if err := json.Unmarshal(rec, &f); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestReadBodyReadsWhateverLengthTheReplyClaims(t *testing.T) {
	body := strings.Repeat("x", 1000)
	for _, tc := range []struct {
		name    string
		claimed int64
		limit   int64
		want    int
	}{
		{"exact", 1000, 5000, 1000},
		{"unknown length", -1, 5000, 1000},
		{"claims less than it sends", 10, 5000, 1000},
		{"claims more than it sends", 4000, 5000, 1000},
		{"over the limit: limit+1 bytes to show it", 1000, 100, 101},
		{"claims over the limit", 1 << 40, 100, 101},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readBody(strings.NewReader(body), tc.claimed, tc.limit)
			if err != nil || len(got) != tc.want {
				t.Fatalf("readBody: %d bytes, %v; want %d", len(got), err, tc.want)
			}
		})
	}
}

func TestAReplyCutShortIsATransportErrorNotAShorterReply(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		// Says 100 bytes, sends 15, hangs up.
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"totalSize\":0,")
		buf.Flush()
	}))
	defer srv.Close()
	c, err := NewClient(context.Background(), Config{InstanceURL: srv.URL, AccessToken: "t", APIVersion: "62.0"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Query(context.Background(), "SELECT Id FROM Account", 0)
	var te *transportError
	if !errors.As(err, &te) || !errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrMalformedReply) {
		t.Fatalf("a cut reply gave %v; want a transport error (unexpected EOF)", err)
	}
}
