package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pylock/pylock/pypi/index"
)

// TestProgressWaitingAndWarnings: a slow request is named on the live line
// (terminal only); index warnings print without -v, but not with -q.
func TestProgressWaitingAndWarnings(t *testing.T) {
	defer func(f func(io.Writer) bool) { isTerminal = f }(isTerminal)
	for _, tc := range []struct {
		name       string
		tty, quiet bool
		wantWait   bool
		wantWarn   bool
	}{
		{name: "terminal", tty: true, wantWait: true, wantWarn: true},
		{name: "pipe", wantWarn: true},
		{name: "quiet", tty: true, quiet: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			isTerminal = func(io.Writer) bool { return tc.tty }
			var b bytes.Buffer
			p := newProgress(&b, tc.quiet, false, false)
			p.indexEvent(index.Event{Kind: "waiting", URL: "https://slow.example/simple/numpy/", Waited: 6 * time.Second})
			p.indexEvent(index.Event{Kind: "warning", Project: "numpy", Message: "numpy: 2 files rejected"})
			p.stop()
			out := b.String()
			if got := strings.Contains(out, "waiting 6s for https://slow.example/simple/numpy/"); got != tc.wantWait {
				t.Errorf("waiting shown = %v, want %v: %q", got, tc.wantWait, out)
			}
			if got := strings.Contains(out, "warning: numpy: 2 files rejected\n"); got != tc.wantWarn {
				t.Errorf("warning shown = %v, want %v: %q", got, tc.wantWarn, out)
			}
		})
	}
}
