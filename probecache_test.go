package pylock_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
	if runtime.GOOS == "windows" {
		t.Skip("needs a shell script interpreter")
	}
	cat, err := exec.LookPath("cat")
	if err != nil {
		t.Skip("no cat command")
	}
	bin := t.TempDir()
	log := filepath.Join(bin, "runs")
	probe := `{"implementation_name": "cpython", "implementation_version": "3.11.7", "platform_machine": "x86_64", "platform_release": "6.1", "platform_version": "#1", "python_full_version": "3.11.7", "sys_platform": "linux", "gil_disabled": false, "pointer_bits": 64, "mac_ver": "", "glibc": "glibc 2.36", "musl": ""}`
	script := "#!/bin/sh\necho run >> '" + log + "'\n" + cat + " <<'EOF'\n" + probe + "\nEOF\n"
	if err := os.WriteFile(filepath.Join(bin, "python3"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	runs := func() int {
		data, _ := os.ReadFile(log)
		return strings.Count(string(data), "run\n")
	}
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
