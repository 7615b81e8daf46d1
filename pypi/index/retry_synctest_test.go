package index

import (
	"context"
	"net/http"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pylock/pylock/internal/fakeindex"
)

// TestBackoffVirtualTime checks waiting between retries on a virtual clock
// (testing/synctest), over an in-memory transport to the fake index.
func TestBackoffVirtualTime(t *testing.T) {
	f503, f429, f500 := fakeindex.Fault503, fakeindex.Fault429, fakeindex.Fault500
	httpDate := func() string { return time.Now().Add(4 * time.Second).UTC().Format(http.TimeFormat) }
	for _, tc := range []struct {
		name       string
		retryAfter func() string
		faults     []fakeindex.Fault
		opts       Options
		min, max   time.Duration
	}{
		{"retry-after seconds", func() string { return "3" }, []fakeindex.Fault{f503, f429}, Options{},
			6 * time.Second, 6*time.Second + 2*300*time.Millisecond},
		{"retry-after capped", func() string { return "3600" }, []fakeindex.Fault{f503}, Options{MaxRetryAfter: 10 * time.Second},
			10 * time.Second, 11 * time.Second},
		{"retry-after http date", httpDate, []fakeindex.Fault{f503}, Options{},
			3 * time.Second, 4*time.Second + 400*time.Millisecond},
		{"exponential without retry-after", nil, []fakeindex.Fault{f500, f500, f500},
			Options{RetryWaitMin: time.Second, RetryWaitMax: 8 * time.Second},
			(1 + 2 + 4) * time.Second / 2, (1 + 2 + 4) * time.Second},
		{"exponential capped", nil, []fakeindex.Fault{f500, f500, f500, f500, f500},
			Options{RetryWaitMin: time.Second, RetryWaitMax: 3 * time.Second},
			(1 + 2 + 3 + 3 + 3) * time.Second / 2, (1 + 2 + 3 + 3 + 3) * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ra := "0"
				if tc.retryAfter != nil {
					ra = tc.retryAfter()
				}
				h := fakeindex.NewHandler(testIndex(), fakeindex.Options{RetryAfter: ra,
					Script: map[string][]fakeindex.Fault{"/simple/qux/": tc.faults}})
				o := tc.opts
				o.IndexURL, o.NoCache, o.NetrcPath = "http://index.test/simple/", true, os.DevNull
				o.HTTPClient = &http.Client{Transport: fakeindex.Transport(h)}
				c, err := New(o)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				start := time.Now()
				if _, err := c.Project(context.Background(), "qux"); err != nil {
					t.Fatal(err)
				}
				el := time.Since(start)
				if el < tc.min || el > tc.max {
					t.Errorf("waited %v, want [%v, %v]", el, tc.min, tc.max)
				}
				if st := c.Stats(); st.Retries != len(tc.faults) {
					t.Errorf("stats %+v", st)
				}
			})
		})
	}
}

// TestTotalTimeout: a server that keeps answering 503 with a long
// Retry-After is abandoned at TotalTimeout.
func TestTotalTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := fakeindex.NewHandler(testIndex(), fakeindex.Options{FailRate: 1, FailKinds: []fakeindex.Fault{fakeindex.Fault503}, RetryAfter: "60"})
		c, err := New(Options{IndexURL: "http://index.test/simple/", NoCache: true, NetrcPath: os.DevNull, Retries: 100,
			MaxRetryAfter: time.Minute, TotalTimeout: 3 * time.Minute, HTTPClient: &http.Client{Transport: fakeindex.Transport(h)}})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = c.Project(context.Background(), "qux")
		if err == nil || time.Since(start) > 3*time.Minute+time.Second {
			t.Fatalf("%v after %v", err, time.Since(start))
		}
		t.Log(err)
	})
}
