package main

import (
	"strings"
	"testing"
	"time"

	"github.com/pylock/pylock"
)

func TestExcludeNewerCutoff(t *testing.T) {
	fixed := time.Date(2026, 11, 28, 12, 30, 45, 500, time.UTC)
	defer func(f func() time.Time) { now = f }(now)
	now = func() time.Time { return fixed }
	day := 24 * time.Hour
	tests := []struct {
		in         string
		want       time.Time
		wantRecord string
	}{
		{"2024-06-01", time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), "2024-06-01"},
		{"2024-06-16T23:59:59Z", time.Date(2024, 6, 16, 23, 59, 59, 0, time.UTC), "2024-06-16T23:59:59Z"},
		{"2024-06-16T23:59:59+02:00", time.Date(2024, 6, 16, 21, 59, 59, 0, time.UTC), "2024-06-16T21:59:59Z"},
		{"7d", fixed.Add(-7 * day).Truncate(time.Second), "2026-11-21T12:30:45Z"},
		{"24h", fixed.Add(-day).Truncate(time.Second), "2026-11-27T12:30:45Z"},
		{"1 week", fixed.Add(-7 * day).Truncate(time.Second), "2026-11-21T12:30:45Z"},
		{"2 weeks", fixed.Add(-14 * day).Truncate(time.Second), "2026-11-14T12:30:45Z"},
		{"1 week 2 days", fixed.Add(-9 * day).Truncate(time.Second), "2026-11-19T12:30:45Z"},
		{"30 Days", fixed.Add(-30 * day).Truncate(time.Second), "2026-10-29T12:30:45Z"},
		{"1h30m", fixed.Add(-90 * time.Minute).Truncate(time.Second), "2026-11-28T11:00:45Z"},
		{"P7D", fixed.Add(-7 * day).Truncate(time.Second), "2026-11-21T12:30:45Z"},
		{"PT24H", fixed.Add(-day).Truncate(time.Second), "2026-11-27T12:30:45Z"},
	}
	for _, tt := range tests {
		got, err := parseExcludeNewer(tt.in)
		rec := pylock.FormatCutoff(got)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) || rec != tt.wantRecord {
			t.Errorf("%q = %v, %q; want %v, %q", tt.in, got, rec, tt.want, tt.wantRecord)
		}
		// The recorded value parses back to the same cutoff.
		if again, err := parseExcludeNewer(rec); err != nil || !again.Equal(got) {
			t.Errorf("%q: recorded %q parses to %v, %v", tt.in, rec, again, err)
		}
	}
	for _, bad := range []string{"", "yesterday", "7", "d", "1 month", "2 years", "P", "PT", "7x", "-7d", "2024-13-01"} {
		if _, err := parseExcludeNewer(bad); err == nil || !strings.Contains(err.Error(), "duration") {
			t.Errorf("%q: err = %v, want an error naming the accepted forms", bad, err)
		}
	}
}
