package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/resolver"
)

// progress renders engine events on stderr: a live line on a terminal
// (never when piped, -q or --no-progress), one line per event with -v.
type progress struct {
	w       io.Writer
	quiet   bool
	verbose bool
	live    bool

	mu        sync.Mutex
	projects  int
	requests  int
	cached    int // cache hits and revalidations of remote URLs
	local     int // metadata of local files served from the cache: neither a request nor "cached"
	decided   int
	conflict  string
	waiting   string // what a slow request is waiting for ("" when none)
	lastDraw  time.Time
	drawnLine bool
}

func newProgress(w io.Writer, quiet, verbose, noProgress bool) *progress {
	p := &progress{w: w, quiet: quiet, verbose: verbose && !quiet}
	p.live = !quiet && !noProgress && !verbose && isTerminal(w)
	return p
}

// isTerminal reports whether w is a terminal (a variable for tests).
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (p *progress) indexEvent(e index.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case "warning":
		// Index faults are shown with or without -v (unless -q).
		if !p.quiet {
			p.clearLine()
			fmt.Fprintf(p.w, "warning: %s\n", e.Message)
		}
		return
	case "waiting":
		p.waiting = fmt.Sprintf("waiting %s for %s", e.Waited, e.URL)
		if p.live {
			p.lastDraw = time.Time{}
		}
	case "project":
		p.projects++
		p.waiting = ""
	case "request":
		p.requests++
	case "cache-hit", "revalidated":
		if strings.HasPrefix(e.URL, "file:") {
			p.local++
		} else {
			p.cached++
		}
	}
	if p.verbose {
		fmt.Fprintln(p.w, joinNonEmpty("index:", e.Kind, e.Project, e.URL))
	}
	p.draw()
}

func (p *progress) resolverEvent(e resolver.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case "decide":
		p.decided++
	case "conflict", "backtrack":
		p.conflict = e.Message
	}
	if p.verbose {
		fmt.Fprintln(p.w, joinNonEmpty("resolve:", e.Kind, e.Name, e.Version, e.Message))
	}
	p.draw()
}

// buildLog prints where metadata came from and build progress (-v).
func (p *progress) buildLog(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.verbose {
		fmt.Fprintln(p.w, "metadata: "+msg)
	}
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

// draw repaints the live line at most every 100 ms; callers hold mu.
func (p *progress) draw() {
	if !p.live || time.Since(p.lastDraw) < 100*time.Millisecond {
		return
	}
	p.lastDraw = time.Now()
	line := fmt.Sprintf("Resolving: %d projects fetched, %d decided, %d requests, %d cached", p.projects, p.decided, p.requests, p.cached)
	if p.waiting != "" {
		line = "Resolving: " + p.waiting
	} else if p.conflict != "" {
		line += " — backtracking: " + p.conflict
	}
	if len(line) > 100 {
		line = line[:97] + "..."
	}
	fmt.Fprintf(p.w, "\r\x1b[2K%s", line)
	p.drawnLine = true
}

// clearLine erases the live line before a line of text; callers hold mu.
func (p *progress) clearLine() {
	if p.drawnLine {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.drawnLine = false
		p.lastDraw = time.Time{}
	}
}

// stop clears the live line.
func (p *progress) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawnLine {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.drawnLine = false
	}
	p.live = false
}

// localHits is how many cache hits were for local (file:) URLs: a local
// directory index is read, not fetched, so the summary counts those reads
// neither as requests nor as cached.
func (p *progress) localHits() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.local
}

// printf writes a status line unless quiet.
func (p *progress) printf(format string, args ...any) {
	if p.quiet {
		return
	}
	fmt.Fprintf(p.w, format, args...)
}
