package remote_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/offline-edit/offline-edit/remote"
)

func BenchmarkParseErrorBody(b *testing.B) {
	for _, name := range []string{"error_required_400.json", "error_multiple_400.json", "duplicates_detected_400.json"} {
		body := benchFixture(b, name)
		b.Run(strings.TrimSuffix(name, ".json"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if e := remote.ParseErrorBody(400, body); e.Code() == "" {
					b.Fatal("no code")
				}
			}
		})
	}
}

func BenchmarkDecodeQueryResult2000(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"totalSize":2000,"done":true,"records":[`)
	for i := range 2000 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"attributes":{"type":"Account","url":"/services/data/v62.0/sobjects/Account/001D000000Iq%04dAAA"},"Id":"001D000000Iq%04dAAA","Name":"Account %d","Industry":"Energy","AnnualRevenue":%d.0,"LastModifiedDate":"2024-01-02T03:04:05.000+0000","SystemModstamp":"2024-01-02T03:04:05.000+0000"}`, i, i, i, i*1000)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if res, err := remote.DecodeQueryResult(body); err != nil || len(res.Records) != 2000 {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateInProcessClientOverhead measures the client and in-process transport alone,
// against a handler that answers 204 at once.
func BenchmarkUpdateInProcessClientOverhead(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	c, err := remote.NewClient(context.Background(), remote.Config{InstanceURL: "http://org.invalid", AccessToken: "t", APIVersion: "62.0", Transport: remote.InProcess(h)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Update(ctx, "Account", "001D000000IqhSLIAZ", remote.Fields{"Name": "x"}, remote.WriteOptions{IfMatch: `"e"`}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchFixture(b *testing.B, name string) []byte {
	b.Helper()
	data, err := readFixture(name)
	if err != nil {
		b.Fatal(err)
	}
	return data
}
