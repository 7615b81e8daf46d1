package target

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/testenv"
)

// A cached probe is not run again while the interpreter file is unchanged;
// a rebuilt interpreter (another modification time), a damaged entry or
// another cache directory probes again, and no cache probes every time.
// The target is the same either way.
func TestProbeCache(t *testing.T) {
	py, runs := testenv.FakePython(t, testenv.LinuxProbe)
	cache := t.TempDir()
	ctx := context.Background()
	want, err := fromInterpreter(ctx, py, "")
	if err != nil {
		t.Fatal(err)
	}
	check := func(step string, dir string, wantRuns int) {
		t.Helper()
		got, err := fromInterpreter(ctx, py, dir)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if got.String() != want.String() || got.Marker() != want.Marker() {
			t.Errorf("%s: target %s (%s), want %s (%s)", step, got, got.Marker(), want, want.Marker())
		}
		if n := runs(); n != wantRuns {
			t.Errorf("%s: the interpreter ran %d times in all, want %d", step, n, wantRuns)
		}
	}
	check("first, cached", cache, 2)
	check("again", cache, 2)
	t.Setenv("PATH", filepath.Dir(py))
	if got, err := SelectCached(ctx, "", "", cache); err != nil || got.String() != want.String() || runs() != 2 {
		t.Errorf("SelectCached = %s, %v after %d runs; want %s from the cache (2 runs)", got, err, runs(), want)
	}
	if got, err := SelectCached(ctx, "", "linux", cache); err != nil || got.PythonFlag() != want.PythonFlag() || runs() != 2 {
		t.Errorf("SelectCached(platform) = %s, %v after %d runs; want Python %s from the cache", got, err, runs(), want.PythonFlag())
	}
	check("no cache", "", 3)
	check("another cache", t.TempDir(), 4)

	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(py, later, later); err != nil {
		t.Fatal(err)
	}
	check("interpreter changed", cache, 5)
	check("changed, cached", cache, 5)

	entries, err := filepath.Glob(filepath.Join(cache, ProbeNamespace, "*"))
	if err != nil || len(entries) != 2 {
		t.Fatalf("entries %q (%v), want 2 (one per interpreter file)", entries, err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(e, data[:len(data)-3], 0o644); err != nil { // torn
			t.Fatal(err)
		}
	}
	check("damaged entry", cache, 6)
	check("replaced", cache, 6)
}

// Through a symbolic link the interpreter is identified by the file it
// points to: a venv's python3 link and the base interpreter share a probe.
func TestProbeCacheFollowsLinks(t *testing.T) {
	py, runs := testenv.FakePython(t, testenv.LinuxProbe)
	link := filepath.Join(t.TempDir(), "python3")
	if err := os.Symlink(py, link); err != nil {
		t.Skip(err)
	}
	cache := t.TempDir()
	for _, p := range []string{py, link, py} {
		if _, err := fromInterpreter(context.Background(), p, cache); err != nil {
			t.Fatal(err)
		}
	}
	if n := runs(); n != 1 {
		t.Errorf("the interpreter ran %d times, want 1", n)
	}
}

// A script on PATH (a pyenv shim: `pyenv local 3.12` changes what it
// starts, not the script) is probed on every run, cache or not; the
// interpreter it starts would be cached under its own path.
func TestProbeCacheSkipsScripts(t *testing.T) {
	bin, runs := testenv.FakePython(t, testenv.LinuxProbe)
	shim := filepath.Join(t.TempDir(), "python3")
	if err := os.WriteFile(shim, []byte("#!/bin/sh\nexec '"+bin+"' \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	for i := 1; i <= 3; i++ {
		if _, err := fromInterpreter(context.Background(), shim, cache); err != nil {
			t.Fatal(err)
		}
		if n := runs(); n != i {
			t.Fatalf("run %d: the shim's interpreter ran %d times, want %d (a script is never cached)", i, n, i)
		}
	}
	if entries, _ := filepath.Glob(filepath.Join(cache, ProbeNamespace, "*")); len(entries) != 0 {
		t.Errorf("entries %q for a script", entries)
	}
}

// pyenvStandIn is libexec/pyenv for the fake pyenv of
// TestProbeCachePyenvShim: `pyenv exec PROGRAM ARGS` starts PROGRAM of the
// version PYENV_VERSION names, else the nearest .python-version above the
// working directory, else $PYENV_ROOT/version.
const pyenvStandIn = `#!/usr/bin/env bash
set -e
[ "$1" = exec ] || exit 2
program="$2"; shift 2
v="$PYENV_VERSION"
if [ -z "$v" ]; then
  d="$PWD"
  while :; do
    if [ -f "$d/.python-version" ]; then v=$(cat "$d/.python-version"); break; fi
    [ "$d" = / ] && break
    d=$(dirname "$d")
  done
fi
[ -n "$v" ] || v=$(cat "$PYENV_ROOT/version")
exec "$PYENV_ROOT/versions/$v/bin/$program" "$@"
`

// pyenvShimText is pyenv 2's shim for python3 under root.
func pyenvShimText(root string) string {
	return `#!/usr/bin/env bash
set -e
[ -n "$PYENV_DEBUG" ] && set -x

program="${0##*/}"

export PYENV_ROOT="` + root + `"
SHIM_PATH=${0%/*}
if [[ $SHIM_PATH != "` + root + `/shims" ]]; then
  export _PYENV_SHIM_PATH="$SHIM_PATH"
fi
exec "` + root + `/libexec/pyenv" exec "$program" "$@"
`
}

// A pyenv shim's choice is cached under what pyenv reads to make it: the
// same directory, version files and environment reuse the interpreter the
// shim started last time without running the shim; `pyenv local`, another
// directory, `pyenv global`, PYENV_VERSION and installing a version ask it
// again, and so does a rebuilt interpreter. Each answer is the version
// pyenv picks.
func TestProbeCachePyenvShim(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash for the pyenv shim")
	}
	root := t.TempDir()
	for _, d := range []string{"shims", "libexec", "versions"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(path, text string, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "libexec", "pyenv"), pyenvStandIn, 0o755)
	write(filepath.Join(root, "shims", "python3"), pyenvShimText(root), 0o755)
	write(filepath.Join(root, "version"), "3.11.7\n", 0o644)
	runs := map[string]func() int{}
	for _, v := range []string{"3.11.7", "3.12.1"} {
		out := strings.TrimSuffix(strings.ReplaceAll(testenv.LinuxProbe, "3.11.7", v), "}") + `, "executable": "@EXECUTABLE@"}`
		py, n := testenv.FakePython(t, out)
		bin := filepath.Join(root, "versions", v, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(py, filepath.Join(bin, "python3")); err != nil {
			t.Skip(err)
		}
		runs[v] = n
	}
	t.Setenv("PATH", filepath.Join(root, "shims")+string(os.PathListSeparator)+os.Getenv("PATH"))
	for _, k := range []string{"PYENV_VERSION", "PYENV_DIR"} {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)
	}
	work := t.TempDir()
	sub := filepath.Join(work, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	cache := t.TempDir()
	step := func(name, want string, want311, want312 int) {
		t.Helper()
		got, err := fromInterpreter(context.Background(), "python3", cache)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.PythonFlag() != want {
			t.Errorf("%s: Python %s, want %s", name, got.PythonFlag(), want)
		}
		if a, b := runs["3.11.7"](), runs["3.12.1"](); a != want311 || b != want312 {
			t.Errorf("%s: 3.11.7 ran %d times and 3.12.1 %d in all, want %d and %d", name, a, b, want311, want312)
		}
	}
	step("global version", "3.11.7", 1, 0)
	step("again: cached", "3.11.7", 1, 0)
	write(filepath.Join(work, ".python-version"), "3.12.1\n", 0o644)
	step("pyenv local", "3.12.1", 1, 1)
	step("pyenv local, cached", "3.12.1", 1, 1)
	t.Chdir(sub)
	step("a directory below", "3.12.1", 1, 2)
	step("a directory below, cached", "3.12.1", 1, 2)
	if err := os.Remove(filepath.Join(work, ".python-version")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	step("local version removed: the first answer again", "3.11.7", 1, 2)
	write(filepath.Join(root, "version"), "3.12.1\n", 0o644)
	step("pyenv global", "3.12.1", 1, 3)
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(root, "versions", "3.12.1", "bin", "python3"), later, later); err != nil {
		t.Fatal(err)
	}
	step("interpreter rebuilt", "3.12.1", 1, 4)
	step("rebuilt, cached", "3.12.1", 1, 4)
	t.Setenv("PYENV_VERSION", "3.11.7")
	step("PYENV_VERSION", "3.11.7", 2, 4)
	step("PYENV_VERSION, cached", "3.11.7", 2, 4)
	if err := os.Mkdir(filepath.Join(root, "versions", "3.13.0"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(root, "versions"), later, later); err != nil {
		t.Fatal(err)
	}
	step("a version installed", "3.11.7", 3, 4)
	if _, err := fromInterpreter(context.Background(), "python3", ""); err != nil || runs["3.11.7"]() != 4 {
		t.Errorf("no cache: %v, 3.11.7 ran %d times in all, want 4", err, runs["3.11.7"]())
	}
}
