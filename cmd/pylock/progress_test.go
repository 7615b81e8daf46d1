package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/resolver"
)

// TestProgressLine checks the live line: drawn on a terminal only, never
// with -q, -v or --no-progress, and cleared before the summary.
func TestProgressLine(t *testing.T) {
	defer func(f func(io.Writer) bool) { isTerminal = f }(isTerminal)
	for _, tc := range []struct {
		name                         string
		tty, quiet, verbose, noProgr bool
		wantLive                     bool
	}{
		{name: "terminal", tty: true, wantLive: true},
		{name: "pipe", tty: false},
		{name: "quiet", tty: true, quiet: true},
		{name: "no-progress", tty: true, noProgr: true},
		{name: "verbose", tty: true, verbose: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isTerminal = func(io.Writer) bool { return tc.tty }
			var b bytes.Buffer
			p := newProgress(&b, tc.quiet, tc.verbose, tc.noProgr)
			p.indexEvent(index.Event{Kind: "project", Project: "numpy"})
			p.resolverEvent(resolver.Event{Kind: "conflict", Name: "numpy", Message: "numpy<2 vs numpy>=2"})
			p.stop()
			p.printf("Resolved 1 package in 1 ms (1 requests, 0 cached)\n")
			out := b.String()
			if live := strings.Contains(out, "\r\x1b[2KResolving: 1 projects fetched"); live != tc.wantLive {
				t.Errorf("live line drawn = %v, want %v; output %q", live, tc.wantLive, out)
			}
			if tc.wantLive && !strings.HasSuffix(out, "\r\x1b[2KResolved 1 package in 1 ms (1 requests, 0 cached)\n") {
				t.Errorf("live line not cleared before the summary: %q", out)
			}
			if tc.quiet && out != "" {
				t.Errorf("-q printed %q", out)
			}
			if tc.verbose && !strings.Contains(out, "resolve: conflict numpy") {
				t.Errorf("-v did not log the conflict: %q", out)
			}
		})
	}
}

// TestProgressCounts: the live line shows the real request and cache
// counts; cache hits for local files (a directory index) are neither.
func TestProgressCounts(t *testing.T) {
	defer func(f func(io.Writer) bool) { isTerminal = f }(isTerminal)
	isTerminal = func(io.Writer) bool { return true }
	var b bytes.Buffer
	p := newProgress(&b, false, false, false)
	for _, e := range []index.Event{
		{Kind: "request", URL: "http://127.0.0.1/simple/numpy/"},
		{Kind: "request", URL: "http://127.0.0.1/simple/idna/"},
		{Kind: "revalidated", URL: "http://127.0.0.1/simple/idna/"},
		{Kind: "cache-hit", URL: "http://127.0.0.1/files/idna-3.6-py3-none-any.whl"},
		{Kind: "cache-hit", URL: "file:///srv/index/files/sniffio-1.3.0-py3-none-any.whl"},
	} {
		p.indexEvent(e)
	}
	p.lastDraw = time.Time{} // force a redraw with the final counts
	p.indexEvent(index.Event{Kind: "project", Project: "numpy"})
	if !strings.Contains(b.String(), "Resolving: 1 projects fetched, 0 decided, 2 requests, 2 cached") {
		t.Errorf("live line %q, want 2 requests, 2 cached", b.String())
	}
	if got := p.localHits(); got != 1 {
		t.Errorf("localHits = %d, want 1", got)
	}
}
