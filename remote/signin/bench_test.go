package signin

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func BenchmarkSessionFormat(b *testing.B) {
	s := Session{InstanceURL: "https://acme.my.salesforce.com", AccessToken: sampleToken, Username: "alex@acme.com"}
	for b.Loop() {
		_ = fmt.Sprintf("%+v", s)
	}
}

func BenchmarkScrubErrorText(b *testing.B) {
	text := strings.Repeat("the org said: session "+sampleToken+" expired; ", 4)
	for b.Loop() {
		_ = scrub(text, 300, testPassword)
	}
}

func BenchmarkPasswordSignIn(b *testing.B) {
	as := newAuthServer(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := FromPassword(ctx, nil, as.URL(), testUser, testPassword); err != nil {
			b.Fatal(err)
		}
	}
}
