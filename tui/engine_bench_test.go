package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/offline-edit/offline-edit/cache"
	"github.com/offline-edit/offline-edit/pending"
	"github.com/offline-edit/offline-edit/remote"
	"github.com/offline-edit/offline-edit/remote/mockorg"
)

// The engine benchmarks run the app on the real engine: a device database (real SQLite) holding
// 100,000 cached Accounts written through the cache's API in one transaction, with the
// describes of a mock org. The device is offline, so nothing but the device is measured.

const engineBenchAccounts = 100_000

func realEngine(b *testing.B) *pending.Engine {
	b.Helper()
	path, client := realDevice(b)
	db, err := cache.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	eng, err := pending.Open(db, client, pending.Options{Objects: pending.DefaultObjects})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = eng.Close() })
	eng.SetOnline(false)
	return eng
}

// realDevice writes the device database (closed again) and returns its path and a client of
// the mock org.
func realDevice(b *testing.B) (string, remote.Org) {
	b.Helper()
	ctx := context.Background()
	org, err := mockorg.Open(mockorg.Options{Seed: 7, Size: 50})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = org.Close() })
	const instance = "https://bench.my.salesforce.com"
	org.SetInstanceURL(instance)
	tok, err := org.IssueToken("alex@demo.example")
	if err != nil {
		b.Fatal(err)
	}
	client, err := remote.NewClient(ctx, remote.Config{InstanceURL: instance, AccessToken: tok,
		Transport: remote.InProcess(org.Handler()), APIVersion: "62.0", Username: "alex@demo.example"})
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "device.db")
	db, err := cache.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	owner := ""
	for _, u := range org.Users() {
		if u.Username == "alex@demo.example" {
			owner = u.ID
		}
	}
	now := time.Now().UTC()
	err = db.Update(ctx, func(tx *cache.Tx) error {
		for _, o := range pending.DefaultObjects {
			d, err := client.Describe(ctx, o)
			if err != nil {
				return err
			}
			if err := tx.PutDescribe(ctx, d, now); err != nil {
				return err
			}
			if err := tx.PutSyncState(ctx, cache.SyncState{Object: o, Primed: true, UpdatedWM: now, DeletedWM: now, MembersAt: now}); err != nil {
				return err
			}
		}
		cities := []string{"Lyon", "Porto", "Oslo", "Quito", "Austin"}
		industries := []string{"Energy", "Banking", "Retail", "Media"}
		recs := make([]cache.Record, 0, engineBenchAccounts)
		for i := 0; i < engineBenchAccounts; i++ {
			id := fmt.Sprintf("001Bn%010dAAA", i)
			stamp := now.Add(-time.Duration(i) * time.Second).Format("2006-01-02T15:04:05.000+0000")
			f := remote.Fields{"Id": id, "Name": fmt.Sprintf("Account %06d", (i*7919)%engineBenchAccounts),
				"Phone": fmt.Sprintf("(415) 555-%04d", i%10000), "BillingCity": cities[i%len(cities)],
				"Industry": industries[i%len(industries)], "Type": "Customer - Direct", "OwnerId": owner,
				"CreatedById": owner, "LastModifiedById": owner, "LastModifiedDate": stamp, "SystemModstamp": stamp}
			recs = append(recs, cache.Record{Object: "Account", ID: id, Name: f["Name"].(string), View: f, Server: f})
		}
		return tx.PutRecords(ctx, recs)
	})
	if err != nil {
		b.Fatal(err)
	}
	return path, client
}

// BenchmarkEngineObjectHomeFirstFrame: open Accounts on the real engine (tui.New, the first
// page's List, View). Target ≤ 50 ms.
func BenchmarkEngineObjectHomeFirstFrame(b *testing.B) {
	eng := realEngine(b)
	b.ResetTimer()
	for b.Loop() {
		m := New(Options{Backend: eng})
		mm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		m = mm.(Model)
		home, cmd := m.home.open("Account")
		home, _ = home.Update(cmd())
		m.home = home
		m.stack = []ScreenID{ScreenNav, ScreenHome}
		if len(m.View()) == 0 {
			b.Fatal("empty frame")
		}
	}
}

// BenchmarkEngineScrollKeypress: one ↓ (or ↑) on a loaded Accounts home, Update (with the page
// it loads, when it loads one) and View. Target ≤ 2 ms.
func BenchmarkEngineScrollKeypress(b *testing.B) { benchScroll(b, realEngine(b)) }

// BenchmarkEngineStartupToFirstFrame: build the root model on the real engine and draw its
// first frame. Target ≤ 200 ms.
func BenchmarkEngineStartupToFirstFrame(b *testing.B) {
	eng := realEngine(b)
	b.ResetTimer()
	for b.Loop() {
		m := New(Options{Backend: eng})
		mm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		if len(mm.View()) == 0 {
			b.Fatal("empty frame")
		}
	}
}

// BenchmarkEngineOpenToFirstFrame: what a start-up costs on the device: open the database
// (100,000 Accounts), open the engine, build the root model and draw its first frame.
func BenchmarkEngineOpenToFirstFrame(b *testing.B) {
	path, client := realDevice(b)
	b.ResetTimer()
	for b.Loop() {
		db, err := cache.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		eng, err := pending.Open(db, client, pending.Options{Objects: pending.DefaultObjects})
		if err != nil {
			b.Fatal(err)
		}
		eng.SetOnline(false)
		m := New(Options{Backend: eng})
		mm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		if len(mm.View()) == 0 {
			b.Fatal("empty frame")
		}
		_ = eng.Close()
		_ = db.Close()
	}
}
