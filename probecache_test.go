package pylock_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pylock/pylock"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/reqfile"
)

// A resolve without --python-version asks python3 on PATH about itself
// once per interpreter: the next run (its result reused or not) reads the
// answer from the cache instead of starting the interpreter (20-50 ms,
// against a few for the resolve); --no-cache asks every time.
func TestResolveCachesTheInterpreterProbe(t *testing.T) {
	py, runs := testenv.FakePython(t, testenv.LinuxProbe)
	t.Setenv("PATH", filepath.Dir(py))
	cache := t.TempDir()
	resolve := func(noCache bool, reqs string) *pylock.Result {
		t.Helper()
		res, err := pylock.Resolve(context.Background(), pylock.Options{
			Inputs:   inputs.FromPaths(reqfile.PyprojectOptions{}, "-"),
			Stdin:    strings.NewReader(reqs),
			IndexURL: filepath.Join(testenv.ModuleRoot(), "testdata", "index"),
			CacheDir: cache,
			NoCache:  noCache,
			Getenv:   func(string) string { return "" },
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	first := resolve(false, "click\n")
	if n := runs(); n != 1 {
		t.Fatalf("first run: python3 ran %d times, want 1", n)
	}
	if got := first.Target.String(); got != "CPython 3.11.7 x86_64-manylinux_2_36" {
		t.Errorf("target %q, want the probed interpreter's", got)
	}
	for _, reqs := range []string{"click\n", "click\nh11\n"} { // reused, then resolved
		if res := resolve(false, reqs); res.Target.String() != first.Target.String() {
			t.Errorf("cached target %s, want %s", res.Target, first.Target)
		}
	}
	if n := runs(); n != 1 {
		t.Errorf("python3 ran %d times over three runs with a cache, want 1", n)
	}
	resolve(true, "click\n")
	if n := runs(); n != 2 {
		t.Errorf("with --no-cache python3 ran %d times in all, want 2", n)
	}
}
