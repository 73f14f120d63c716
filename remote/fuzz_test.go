package remote_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

func addFixtures(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "[", "{", "null", "[null]", `[{"errorCode":5}]`, `{"error":"x"}`, "<html>", `[{"duplicateResult":[]}]`,
		`{"done":false}`, `{"records":[null]}`, `{"records":[{"attributes":"x"}]}`, `{"totalSize":-1}`} {
		f.Add([]byte(s))
	}
}

func FuzzParseErrorBody(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		e := remote.ParseErrorBody(400, body)
		if e == nil || e.Status != 400 {
			t.Fatalf("ParseErrorBody = %+v", e)
		}
		_ = e.Error()
		_ = e.Code()
		if len(e.Raw) > 520 {
			t.Fatalf("Raw not truncated: %d bytes", len(e.Raw))
		}
		if len(e.Items) == 0 && len(strings.TrimSpace(string(body))) > 0 && e.Raw == "" {
			t.Fatal("a non-empty unparsed body left no trace")
		}
	})
}

func FuzzDecodeQueryResult(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := remote.DecodeQueryResult(body)
		if err != nil {
			if !errors.Is(err, remote.ErrMalformedReply) {
				t.Fatalf("error %v does not wrap ErrMalformedReply", err)
			}
			return
		}
		if !res.Done && !strings.HasPrefix(res.NextRecordsURL, "/services/data/") {
			t.Fatalf("page not done with next URL %q", res.NextRecordsURL)
		}
		if res.Done && res.NextRecordsURL != "" {
			t.Fatal("done page with a next URL")
		}
		for _, r := range res.Records {
			if _, ok := r.Fields["attributes"]; ok {
				t.Fatal("attributes left in a record")
			}
			_ = r.ID()
		}
	})
}

func FuzzDecodeCompositeResponse(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		subs, err := remote.DecodeCompositeResponse(body)
		if err != nil {
			if !errors.Is(err, remote.ErrMalformedReply) {
				t.Fatalf("error %v does not wrap ErrMalformedReply", err)
			}
			return
		}
		for _, s := range subs {
			if err := s.Err(); err != nil {
				if _, ok := remote.AsError(err); !ok {
					t.Fatalf("subresponse error %T is not *Error", err)
				}
			}
		}
	})
}
