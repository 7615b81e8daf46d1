// Package testenv locates the shared conformance data (../shared beside the
// project root) for tests. Tests skip cleanly when the data is absent, unless
// PYLOCK_REQUIRE_SHARED=1 (set by .ci/run), in which case they fail.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// ModuleRoot returns the directory holding go.mod, searching upward from the
// working directory.
func ModuleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

func find(t testing.TB, env, sub, probe string) string {
	t.Helper()
	dir := os.Getenv(env)
	if dir == "" {
		if s := os.Getenv("PYLOCK_SHARED"); s != "" {
			dir = filepath.Join(s, sub)
		} else {
			dir = filepath.Join(ModuleRoot(), "..", "shared", sub)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, probe)); err != nil {
		if os.Getenv("PYLOCK_REQUIRE_SHARED") == "1" {
			t.Fatalf("shared data not found: %s (%s); PYLOCK_REQUIRE_SHARED=1", filepath.Join(dir, probe), env)
		}
		t.Skipf("shared data not found in %s (set %s)", dir, env)
	}
	abs, _ := filepath.Abs(dir)
	return abs
}

// VectorsDir returns ../shared/vectors (env PYLOCK_VECTORS overrides).
func VectorsDir(t testing.TB) string { return find(t, "PYLOCK_VECTORS", "vectors", "versions.json") }

// CorpusDir returns ../shared/corpus (env PYLOCK_CORPUS overrides).
func CorpusDir(t testing.TB) string { return find(t, "PYLOCK_CORPUS", "corpus", "README.md") }

// BenchDir returns ../shared/bench (env PYLOCK_BENCH overrides).
func BenchDir(t testing.TB) string { return find(t, "PYLOCK_BENCH", "bench", "pyindex.py") }
