package target

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// countingPython writes an executable "python3" that prints out (a probe's
// answer) and appends a line to a log on each run; it returns the
// interpreter's path and a function counting its runs.
func countingPython(t *testing.T, out string) (string, func() int) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs a shell script interpreter")
	}
	cat, err := exec.LookPath("cat")
	if err != nil {
		t.Skip("no cat command")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "runs")
	// Absolute: the test runs it with PATH set to its directory alone.
	script := "#!/bin/sh\necho run >> '" + log + "'\n" + cat + " <<'EOF'\n" + out + "\nEOF\n"
	py := filepath.Join(dir, "python3")
	if err := os.WriteFile(py, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return py, func() int {
		data, _ := os.ReadFile(log)
		return strings.Count(string(data), "run\n")
	}
}

const linuxProbe = `{"implementation_name": "cpython", "implementation_version": "3.11.7", "platform_machine": "x86_64", "platform_release": "6.1", "platform_version": "#1", "python_full_version": "3.11.7", "sys_platform": "linux", "gil_disabled": false, "pointer_bits": 64, "mac_ver": "", "glibc": "glibc 2.36", "musl": ""}`

// A cached probe is not run again while the interpreter file is unchanged;
// a rebuilt interpreter (another modification time), a damaged entry or
// another cache directory probes again, and no cache probes every time.
// The target is the same either way.
func TestProbeCache(t *testing.T) {
	py, runs := countingPython(t, linuxProbe)
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
	py, runs := countingPython(t, linuxProbe)
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

func TestProbeEntryRoundTrip(t *testing.T) {
	for _, out := range []string{"", "{}", linuxProbe, "a\nb\n"} {
		got, ok := decodeProbeEntry(encodeProbeEntry([]byte(out)))
		if !ok || string(got) != out {
			t.Errorf("round trip of %q: %q, %v", out, got, ok)
		}
	}
	for _, bad := range []string{"", "pylock-interp-v1 ", "pylock-interp-v1 0000000\n{}", "pylock-interp-v2 00000000\n", "pylock-interp-v1 zzzzzzzz\n{}"} {
		if _, ok := decodeProbeEntry([]byte(bad)); ok {
			t.Errorf("decodeProbeEntry(%q) accepted", bad)
		}
	}
}

func FuzzDecodeProbeEntry(f *testing.F) {
	f.Add(encodeProbeEntry([]byte(linuxProbe)))
	f.Add([]byte("pylock-interp-v1 00000000\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, ok := decodeProbeEntry(data)
		if !ok {
			return
		}
		if back, ok := decodeProbeEntry(encodeProbeEntry(out)); !ok || string(back) != string(out) {
			t.Fatalf("accepted %q, which does not round-trip", data)
		}
	})
}
