//go:build unix

package build

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/buildtest"
	"github.com/pylock/pylock/pypi/index"
)

// traceBackendSource is an installed PEP 517 backend that logs, with its
// process id, each import of itself and each hook it runs to LOG.
// get_requires_for_build_wheel first waits (at most 5 s) for a second
// import, the runner of the next hook started beside it, then sleeps
// SLEEP seconds and returns REQS; prepare_metadata_for_build_wheel raises
// when FAIL is set.
const traceBackendSource = `import os, time
LOG = %q
REQS = %s
SLEEP = %d
FAIL = %s

def _log(what):
    with open(LOG, "a") as f:
        f.write("%%s %%d\n" %% (what, os.getpid()))

_log("import")

def get_requires_for_build_wheel(config_settings=None):
    deadline = time.time() + 5
    while time.time() < deadline and open(LOG).read().count("import") < 2:
        time.sleep(0.01)
    _log("get_requires")
    time.sleep(SLEEP)
    return REQS

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    _log("prepare")
    if FAIL:
        raise RuntimeError("prepare failed on purpose")
    d = os.path.join(metadata_directory, "proj-1.0.dist-info")
    os.makedirs(d)
    with open(os.path.join(d, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\nName: proj\nVersion: 1.0\nRequires-Dist: six>=1.16\n")
    return "proj-1.0.dist-info"

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise RuntimeError("not expected")
`

// traceLog is the backend's log: one (event, pid) per line.
type traceLog struct{ events, pids []string }

func readTrace(t *testing.T, path string) traceLog {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var l traceLog
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		ev, pid, _ := strings.Cut(line, " ")
		l.events, l.pids = append(l.events, ev), append(l.pids, pid)
	}
	return l
}

// pidOf returns the process id of the n-th (from 0) event ev.
func (l traceLog) pidOf(ev string, n int) string {
	for i, e := range l.events {
		if e == ev {
			if n == 0 {
				return l.pids[i]
			}
			n--
		}
	}
	return ""
}

func (l traceLog) count(ev string) int {
	n := 0
	for _, e := range l.events {
		if e == ev {
			n++
		}
	}
	return n
}

// alive reports whether process pid still exists.
func alive(pid string) bool {
	n, err := strconv.Atoi(pid)
	return err == nil && syscall.Kill(n, 0) == nil
}

// preloadSetup makes a source tree built by the trace backend (installed
// from a local index beside "extra-dep") and a builder for it.
func preloadSetup(t *testing.T, reqs string, sleep int, fail bool) (b *Builder, dir, logPath string, res *dirResolver) {
	t.Helper()
	needPython(t)
	t.Setenv("TMPDIR", t.TempDir())
	logPath = filepath.Join(t.TempDir(), "trace.log")
	failPy := "False"
	if fail {
		failPy = "True"
	}
	src := fmt.Sprintf(traceBackendSource, logPath, reqs, sleep, failPy)
	idx := t.TempDir()
	name, data := buildtest.Wheel("tracebackend", "1.0")
	data = replaceInZip(t, data, "tracebackend/__init__.py", src)
	buildtest.Put(t, idx, "tracebackend", name, data)
	name, data = buildtest.Wheel("extra-dep", "1.0")
	buildtest.Put(t, idx, "extra-dep", name, data)
	c, err := index.New(index.Options{IndexURL: idx, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	dir = t.TempDir()
	pyproject := "[build-system]\nrequires = [\"tracebackend\"]\nbuild-backend = \"tracebackend\"\n"
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(pyproject), 0o644); err != nil {
		t.Fatal(err)
	}
	res = &dirResolver{c: c}
	return New(Options{Resolver: res}), dir, logPath, res
}

// The runner of prepare_metadata_for_build_wheel is started beside
// get_requires_for_build_wheel and imports the backend while it runs; it
// runs the hook when nothing is installed in between (no requirements, or
// only installed ones) and is killed, for a fresh one, when something is.
// The metadata is the same either way.
func TestPreloadedHookRunner(t *testing.T) {
	for _, tc := range []struct {
		name, reqs string
		preloaded  bool
		asked      int // resolver calls: [build-system] requires, then get_requires' answer
	}{
		{"nothing more", "[]", true, 1},
		{"already installed", `["tracebackend>=1.0"]`, true, 1},
		{"something new", `["extra-dep"]`, false, 2},
		{"a marker", `["tracebackend; python_version >= '3'"]`, false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, dir, logPath, res := preloadSetup(t, tc.reqs, 0, false)
			r, err := b.DirMetadata(context.Background(), dir, Package{Name: "proj"}, "")
			if err != nil {
				t.Fatal(err)
			}
			if r.Metadata.Name != "proj" || strings.Join(r.Metadata.RequiresDist, "|") != "six>=1.16" {
				t.Errorf("metadata = %+v", r.Metadata)
			}
			if len(res.asked) != tc.asked {
				t.Errorf("resolver asked %q, want %d calls", res.asked, tc.asked)
			}
			l := readTrace(t, logPath)
			// The first two imports (in either order): the runner of
			// get_requires_for_build_wheel and the one started beside it.
			getRequires, second := l.pidOf("get_requires", 0), l.pidOf("import", 0)
			if second == getRequires {
				second = l.pidOf("import", 1)
			}
			if second == "" || second == getRequires || l.pidOf("import", 1) == "" || l.events[2] != "get_requires" {
				t.Fatalf("get_requires_for_build_wheel did not run beside a second runner: %q %q", l.events, l.pids)
			}
			prepare := l.pidOf("prepare", 0)
			if tc.preloaded {
				if l.count("import") != 2 || prepare != second {
					t.Errorf("prepare_metadata_for_build_wheel ran in %s, want the preloaded runner %s (log %q %q)", prepare, second, l.events, l.pids)
				}
			} else {
				third := l.pidOf("import", 2)
				if l.count("import") != 3 || prepare != third || prepare == second {
					t.Errorf("prepare_metadata_for_build_wheel ran in %s, want a fresh runner after the install (log %q %q)", prepare, l.events, l.pids)
				}
				if alive(second) {
					t.Errorf("the preloaded runner %s is still running", second)
				}
			}
			if l.count("prepare") != 1 {
				t.Errorf("prepare ran %d times", l.count("prepare"))
			}
		})
	}
}

// A hook that fails in the preloaded runner fails as it would in a runner
// of its own: the step, the backend's message and output, and the command
// that reruns it on its own.
func TestPreloadedHookRunnerFailure(t *testing.T) {
	b, dir, logPath, _ := preloadSetup(t, "[]", 0, true)
	_, err := b.DirMetadata(context.Background(), dir, Package{Name: "proj"}, "")
	var be *Error
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want a build *Error", err)
	}
	if be.Step != "prepare_metadata_for_build_wheel" || !strings.Contains(be.Err.Error(), "prepare failed on purpose") {
		t.Errorf("error = %v (step %q)", be, be.Step)
	}
	if !strings.Contains(strings.Join(be.Output, "\n"), "RuntimeError: prepare failed on purpose") {
		t.Errorf("output lacks the traceback:\n%s", strings.Join(be.Output, "\n"))
	}
	if !strings.Contains(be.Command, "pep517_hooks.py prepare_metadata_for_build_wheel ") || strings.Contains(be.Command, "--wait") {
		t.Errorf("reproduce command = %q", be.Command)
	}
	if l := readTrace(t, logPath); l.count("import") != 2 || l.pidOf("prepare", 0) == l.pidOf("get_requires", 0) {
		t.Errorf("the hook did not run in the preloaded runner: %q %q", l.events, l.pids)
	}
}

// Cancelling the build while get_requires_for_build_wheel runs kills the
// preloaded runner too.
func TestPreloadedHookRunnerCancel(t *testing.T) {
	b, dir, logPath, _ := preloadSetup(t, "[]", 60, false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := b.DirMetadata(ctx, dir, Package{Name: "proj"}, "")
		done <- err
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if data, _ := os.ReadFile(logPath); strings.Contains(string(data), "get_requires") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("get_requires_for_build_wheel never started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	l := readTrace(t, logPath)
	for i := 0; i < l.count("import"); i++ {
		pid := l.pidOf("import", i)
		for n := 0; alive(pid); n++ {
			if n == 500 {
				t.Fatalf("runner %s survived the cancellation", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// replaceInZip returns the zip archive data with the file name's content
// replaced by body.
func replaceInZip(t *testing.T, data []byte, name, body string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			w.Write([]byte(body))
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(w, rc)
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
