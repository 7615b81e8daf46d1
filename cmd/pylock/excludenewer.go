package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// now is the clock --exclude-newer durations count back from (a variable
// for tests).
var now = time.Now

// durationUnit returns the length of a friendly duration's unit word
// (lower case).
func durationUnit(w string) (time.Duration, bool) {
	switch w {
	case "s", "sec", "secs", "second", "seconds":
		return time.Second, true
	case "m", "min", "mins", "minute", "minutes":
		return time.Minute, true
	case "h", "hr", "hrs", "hour", "hours":
		return time.Hour, true
	case "d", "day", "days":
		return 24 * time.Hour, true
	case "w", "week", "weeks":
		return 7 * 24 * time.Hour, true
	}
	return 0, false
}

// durationTerm is one "<number> <unit>" of a friendly duration (compiled
// on first use, as every regular expression of pylock: start-up compiles
// none).
var durationTerm = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*(\d+)\s*([a-zA-Z]+)\s*,?`) })

// isoDuration is an ISO 8601 duration restricted to weeks, days, hours,
// minutes and seconds (P7D, PT24H, P1W, P1DT12H).
var isoDuration = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[Pp](?:(\d+)[Ww])?(?:(\d+)[Dd])?(?:[Tt](?:(\d+)[Hh])?(?:(\d+)[Mm])?(?:(\d+)[Ss])?)?$`)
})

// parseExcludeDuration parses a duration as uv accepts them for
// --exclude-newer: friendly ("7d", "24h", "1 week", "2 weeks 3 days",
// "1h30m") or ISO 8601 ("P7D", "PT24H"). Months and years are rejected
// (their length is ambiguous).
func parseExcludeDuration(s string) (time.Duration, bool) {
	if m := isoDuration().FindStringSubmatch(s); m != nil && s != "P" && s != "p" && !strings.EqualFold(s, "PT") {
		var d time.Duration
		for i, unit := range []time.Duration{7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute, time.Second} {
			if m[i+1] != "" {
				n, err := strconv.Atoi(m[i+1])
				if err != nil {
					return 0, false
				}
				d += time.Duration(n) * unit
			}
		}
		return d, d > 0
	}
	rest := strings.TrimSpace(s)
	if rest == "" {
		return 0, false
	}
	var d time.Duration
	for rest != "" {
		m := durationTerm().FindStringSubmatch(rest)
		if m == nil {
			return 0, false
		}
		unit, ok := durationUnit(strings.ToLower(m[2]))
		n, err := strconv.Atoi(m[1])
		if !ok || err != nil || n > 1<<20 {
			return 0, false
		}
		d += time.Duration(n) * unit
		rest = strings.TrimSpace(rest[len(m[0]):])
	}
	return d, d > 0
}

// parseExcludeNewer resolves --exclude-newer to one absolute cutoff for
// the whole run: an RFC 3339 timestamp, a date (UTC midnight) or a duration
// before now (to the second). The lock records the cutoff itself
// (pylock.FormatCutoff), so that re-running with the recorded options
// reproduces the lock.
func parseExcludeNewer(s string) (time.Time, error) {
	if d, ok := parseExcludeDuration(s); ok {
		return now().UTC().Add(-d).Truncate(time.Second), nil
	}
	return parseExcludeAbsolute(s)
}

func parseExcludeAbsolute(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("invalid --exclude-newer %q: want a date (2024-06-01), an RFC 3339 timestamp (2024-06-01T00:00:00Z) or a duration (7d, 24h, \"2 weeks\", P7D)", s)
}
