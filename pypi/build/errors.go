package build

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
)

// TailLines is how many lines of backend output a build error shows.
const TailLines = 30

// Error is a failed build step: a hook or the environment setup.
type Error struct {
	Package Package
	Step    string   // "prepare_metadata_for_build_wheel", "build_wheel", "get_requires_for_build_wheel", "create venv"...
	Output  []string // the last TailLines lines of output
	Command string   // shell command that reproduces the step ("" when none)
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "building metadata of %s: %s failed: %v", e.Package, e.Step, e.Err)
	if len(e.Output) > 0 {
		fmt.Fprintf(&b, "\n  last %d lines of output:", len(e.Output))
		for _, l := range e.Output {
			b.WriteString("\n    " + l)
		}
	}
	if e.Command != "" {
		b.WriteString("\n  to reproduce: " + e.Command)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// tail is an io.Writer keeping the last n complete lines (and a partial
// one), in bounded memory.
type tail struct {
	mu    sync.Mutex
	n     int
	lines []string
	part  []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.part = append(t.part, p...)
	for {
		i := bytes.IndexByte(t.part, '\n')
		if i < 0 {
			break
		}
		t.add(string(bytes.TrimRight(t.part[:i], "\r")))
		t.part = t.part[i+1:]
	}
	if len(t.part) > 64<<10 { // a huge line without newline
		t.add(string(t.part[:4096]) + " [...]")
		t.part = t.part[:0]
	}
	return len(p), nil
}

func (t *tail) add(l string) {
	if len(l) > 1000 {
		l = l[:1000] + " [...]"
	}
	t.lines = append(t.lines, l)
	if len(t.lines) > 2*t.n {
		t.lines = append(t.lines[:0], t.lines[len(t.lines)-t.n:]...)
	}
}

// Lines returns the last n lines.
func (t *tail) Lines() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]string(nil), t.lines...)
	if len(t.part) > 0 {
		out = append(out, string(t.part))
	}
	if len(out) > t.n {
		out = out[len(out)-t.n:]
	}
	return out
}
