package remote

import (
	"testing"
	"time"
)

func TestParseTimeAcceptsWireAndISOForms(t *testing.T) {
	want := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2024-01-02T03:04:05.000+0000", want},
		{"2024-01-02T03:04:05+0000", want},
		{"2024-01-02T03:04:05Z", want},
		{"2024-01-02T03:04:05.000Z", want},
		{"2024-01-02T04:04:05+01:00", want},
		{"2024-01-01T22:04:05.000-0500", want},
		{"2024-01-02T03:04:05.123+0000", want.Add(123 * time.Millisecond)},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "2024-01-02", "yesterday", "2024-13-02T03:04:05.000+0000", "2024-01-02 03:04:05"} {
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
}

func TestFormatTimeRoundTripsInUTCWithMillis(t *testing.T) {
	in := time.Date(2024, 1, 2, 4, 4, 5, 678e6, time.FixedZone("CET", 3600))
	s := FormatTime(in)
	if s != "2024-01-02T03:04:05.678+0000" {
		t.Fatalf("FormatTime = %q", s)
	}
	back, err := ParseTime(s)
	if err != nil || !back.Equal(in) {
		t.Fatalf("round trip = %v, %v", back, err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{" 3 ", 3 * time.Second},
		{"0", 0},
		{"-5", 0},
		{"99999999999", 24 * time.Hour},
		{"Tue, 02 Jan 2024 03:05:05 GMT", time.Minute},
		{"Tue, 02 Jan 2024 03:00:00 GMT", 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeVersion(t *testing.T) {
	for in, want := range map[string]string{"62.0": "62.0", "v62.0": "62.0", "62": "62.0", " 50.0 ": "50.0"} {
		if got, err := normalizeVersion(in); err != nil || got != want {
			t.Errorf("normalizeVersion(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "v", "62.1", "x.0", "-1.0", "0", "1000.0"} {
		if _, err := normalizeVersion(bad); err == nil {
			t.Errorf("normalizeVersion(%q) accepted", bad)
		}
	}
}

func TestCalendarProblemNamesTheMissingDayOrMonth(t *testing.T) {
	for in, want := range map[string]string{
		"2026-02-30T10:00:00Z": "February 2026 has no day 30: it has 28 days",
		"2024-02-30":           "February 2024 has no day 30: it has 29 days",
		"2026-13-01":           "there is no month 13: months go from 01 to 12",
		"2026-04-31":           "April 2026 has no day 31: it has 30 days",
		"2026-04-00":           "April 2026 has no day 00: it has 30 days",
		"2026-02-28":           "",
		"next week":            "",
		"":                     "",
	} {
		if got := CalendarProblem(in); got != want {
			t.Errorf("CalendarProblem(%q) = %q, want %q", in, got, want)
		}
	}
}
