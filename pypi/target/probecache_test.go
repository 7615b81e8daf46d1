package target

import (
	"context"
	"os"
	"path/filepath"
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
