package mockorg

import "testing"

// BenchmarkOpenDefault is Open with the default seed (300 records, in memory).
func BenchmarkOpenDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		o, err := Open(Options{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		o.Close()
	}
}
