package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/buildtest"
)

// TestResolveBuildsSdist locks an sdist-only package whose PKG-INFO is
// Metadata-Version 1.1 with dependencies only in setup.py: cold (a real
// setuptools build from the local index's wheels), warm (the build
// cache), and with --no-build (exit 1, explained).
func TestResolveBuildsSdist(t *testing.T) {
	py := buildtest.Python(t)
	idx := t.TempDir()
	buildtest.IndexWith(t, idx, py, "setuptools", "wheel")
	buildtest.Put(t, idx, "oldpkg", "oldpkg-1.0.tar.gz", buildtest.SetuptoolsSdist("oldpkg", "1.0", []string{"six>=1.0"}, ""))
	fn, data := buildtest.Wheel("six", "1.16.0")
	buildtest.Put(t, idx, "six", fn, data)
	dir := t.TempDir()
	reqs := filepath.Join(dir, "requirements.txt")
	os.WriteFile(reqs, []byte("oldpkg\n"), 0o644)
	cache := filepath.Join(dir, "cache")
	lock := filepath.Join(dir, "pylock.toml")

	resolve := func(extra ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		args := append([]string{"resolve", reqs, "--index-url", idx, "--cache-dir", cache, "-o", lock, "--python", py}, extra...)
		code := run(args, nil, &stdout, &stderr)
		return code, stderr.String()
	}
	code, stderr := resolve("-v")
	if code != 0 {
		t.Fatalf("cold: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "metadata: oldpkg 1.0: metadata from PEP 517 build (oldpkg-1.0.tar.gz)") ||
		!strings.Contains(stderr, "metadata: six 1.16.0: metadata from wheel METADATA") {
		t.Errorf("cold -v lacks the metadata sources:\n%s", stderr)
	}
	out, _ := os.ReadFile(lock)
	for _, want := range []string{`name = "oldpkg"`, `name = "six"`, `version = "1.16.0"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("lock lacks %s:\n%s", want, out)
		}
	}
	code, stderr = resolve("-v")
	if code != 0 || !strings.Contains(stderr, "metadata from cached PEP 517 build") {
		t.Errorf("warm: exit %d, want the build cache:\n%s", code, stderr)
	}
	code, stderr = resolve("--no-build", "--no-cache")
	if code != 1 || !strings.Contains(stderr, "building is disabled by --no-build") || !strings.Contains(stderr, `Metadata-Version "1.1"`) {
		t.Errorf("--no-build: exit %d\n%s", code, stderr)
	}
	code, stderr = resolve("--no-cache", "--python", filepath.Join(dir, "nopython"))
	if code != 2 || !strings.Contains(stderr, "--no-build") {
		t.Errorf("missing --python: exit %d\n%s", code, stderr)
	}
}

// TestUniversalBuildsOnce: a universal lock uses one built metadata for
// every environment.
func TestUniversalBuildsOnce(t *testing.T) {
	py := buildtest.Python(t)
	idx := t.TempDir()
	buildtest.IndexWith(t, idx, py, "setuptools", "wheel")
	buildtest.Put(t, idx, "oldpkg", "oldpkg-1.0.tar.gz", buildtest.SetuptoolsSdist("oldpkg", "1.0",
		[]string{"six>=1.0", `colorama; sys_platform == "win32"`}, ""))
	for _, w := range [][2]string{{"six", "1.16.0"}, {"colorama", "0.4.6"}} {
		fn, data := buildtest.Wheel(w[0], w[1])
		buildtest.Put(t, idx, w[0], fn, data)
	}
	dir := t.TempDir()
	reqs := filepath.Join(dir, "requirements.txt")
	os.WriteFile(reqs, []byte("oldpkg\n"), 0o644)
	var stdout, stderr bytes.Buffer
	code := run([]string{"resolve", reqs, "--index-url", idx, "--no-cache", "--universal", "--python-version", "3.11",
		"-o", filepath.Join(dir, "pylock.toml"), "--python", py, "-v"}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	if n := strings.Count(stderr.String(), "oldpkg 1.0: metadata from a PEP 517 build"); n != 1 {
		t.Errorf("built %d times, want once:\n%s", n, stderr.String())
	}
	out, _ := os.ReadFile(filepath.Join(dir, "pylock.toml"))
	if !strings.Contains(string(out), "name = \"colorama\"\nversion = \"0.4.6\"\nmarker = 'sys_platform == \"win32\"'") {
		t.Errorf("universal lock lacks colorama for win32:\n%s", out)
	}
}

// TestNoBuildSkipsVersion: under --no-build (or --no-build-package) a
// version whose sdist has no static metadata is unusable, not an error:
// the resolution moves on to an older version with a wheel (as pip and uv
// do), and when none is left the explanation says why (exit 1). No Python
// is needed.
func TestNoBuildSkipsVersion(t *testing.T) {
	idx := t.TempDir()
	buildtest.Put(t, idx, "oldpkg", "oldpkg-1.0.tar.gz", buildtest.SetuptoolsSdist("oldpkg", "1.0", []string{"six>=1.0"}, ""))
	fn, data := buildtest.Wheel("oldpkg", "0.9")
	buildtest.Put(t, idx, "oldpkg", fn, data)
	dir := t.TempDir()
	reqs := filepath.Join(dir, "requirements.txt")
	os.WriteFile(reqs, []byte("oldpkg\n"), 0o644)
	lock := filepath.Join(dir, "pylock.toml")
	for _, flag := range [][]string{{"--no-build"}, {"--no-build-package", "oldpkg"}} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"resolve", reqs, "--index-url", idx, "--no-cache", "-o", lock}, flag...)
		if code := run(args, nil, &stdout, &stderr); code != 0 {
			t.Fatalf("%v: exit %d, want 0 (oldpkg 0.9 has a wheel)\n%s", flag, code, stderr.String())
		}
		out, _ := os.ReadFile(lock)
		if !strings.Contains(string(out), "name = \"oldpkg\"\nversion = \"0.9\"") {
			t.Errorf("%v: lock does not hold oldpkg 0.9:\n%s", flag, out)
		}
	}
	// Only the sdist-only version fits: no solution, explained.
	var stdout, stderr bytes.Buffer
	os.WriteFile(reqs, []byte("oldpkg>=1.0\n"), 0o644)
	code := run([]string{"resolve", reqs, "--index-url", idx, "--no-cache", "--no-build", "-o", lock}, nil, &stdout, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), "oldpkg==1.0") || !strings.Contains(stderr.String(), "building is disabled by --no-build") {
		t.Errorf("oldpkg>=1.0 --no-build: exit %d, want 1 naming oldpkg==1.0 and --no-build\n%s", code, stderr.String())
	}
}
