package build

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// needPython returns the python3 on PATH; CI (PYLOCK_REQUIRE_SHARED=1)
// must have one, elsewhere the test is skipped.
func needPython(t *testing.T) *Interpreter {
	t.Helper()
	py, err := FindInterpreter(context.Background(), "")
	if err != nil {
		if os.Getenv("PYLOCK_REQUIRE_SHARED") != "" {
			t.Fatalf("CI needs python3: %v", err)
		}
		t.Skipf("no python3: %v", err)
	}
	return py
}

// fixture copies testdata/name to a temp dir (builds may write into it).
func fixture(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(filepath.Join("testdata", name))); err != nil {
		t.Fatal(err)
	}
	return dst
}

type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) log(s string) { l.mu.Lock(); l.lines = append(l.lines, s); l.mu.Unlock() }
func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestInTreeBackend(t *testing.T) {
	needPython(t)
	t.Setenv("TMPDIR", t.TempDir())
	cache := t.TempDir()
	dir := fixture(t, "inbackend")
	var log logSink
	b := New(Options{CacheDir: cache, Log: log.log})
	res, err := b.DirMetadata(context.Background(), dir, Package{Name: "inproj"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Source != SourceBuild {
		t.Errorf("source = %q, want %q", res.Source, SourceBuild)
	}
	want := []string{"attrs>=20", `tomli; python_version < "3.11"`, "idna==3.4", `click; extra == "cli"`}
	if diff := cmp.Diff(want, res.Metadata.RequiresDist); diff != "" {
		t.Errorf("Requires-Dist (-want +got):\n%s", diff)
	}
	if res.Metadata.Version != "0.3" || res.Metadata.RequiresPython != ">=3.7" || !slicesEqual(res.Metadata.ProvidesExtra, []string{"cli"}) {
		t.Errorf("metadata = %+v", res.Metadata)
	}
	if !strings.Contains(log.String(), "metadata from a PEP 517 build") {
		t.Errorf("log = %q", log.String())
	}
	// Warm: a new builder whose interpreter does not even exist answers from the cache.
	b2 := New(Options{CacheDir: cache, Python: filepath.Join(t.TempDir(), "no-python")})
	res2, err := b2.DirMetadata(context.Background(), dir, Package{Name: "inproj"}, "")
	if err != nil {
		t.Fatalf("warm run built (or failed): %v", err)
	}
	if res2.Source != SourceCache || !cmp.Equal(res2.Metadata.RequiresDist, res.Metadata.RequiresDist) {
		t.Errorf("warm: %q %+v", res2.Source, res2.Metadata)
	}
	// A changed tree is a new key: the missing interpreter now matters.
	os.WriteFile(filepath.Join(dir, "NEWS"), []byte("x"), 0o644)
	if _, err := b2.DirMetadata(context.Background(), dir, Package{}, ""); !errors.Is(err, ErrNoInterpreter) {
		t.Errorf("changed tree: err = %v, want ErrNoInterpreter", err)
	}
	// Scratch directories are gone after a successful build.
	if left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "pylock-build-*")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestBuildWheelFallback(t *testing.T) {
	needPython(t)
	var log logSink
	b := New(Options{Log: log.log})
	res, err := b.DirMetadata(context.Background(), fixture(t, "wheelonly"), Package{Name: "wheelonly", Version: "1.2"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !slicesEqual(res.Metadata.RequiresDist, []string{"packaging>=21"}) {
		t.Errorf("Requires-Dist = %q", res.Metadata.RequiresDist)
	}
	if !strings.Contains(log.String(), "has no prepare_metadata_for_build_wheel") {
		t.Errorf("log = %q", log.String())
	}
	// The built metadata must be for the package asked for.
	b = New(Options{})
	_, err = b.DirMetadata(context.Background(), fixture(t, "wheelonly"), Package{Name: "wheelonly", Version: "9.9"}, "")
	if err == nil || !strings.Contains(err.Error(), `version "1.2"`) {
		t.Errorf("version mismatch: err = %v", err)
	}
}

func TestBuildFailure(t *testing.T) {
	needPython(t)
	t.Setenv("TMPDIR", t.TempDir())
	b := New(Options{})
	_, err := b.DirMetadata(context.Background(), fixture(t, "failing"), Package{Name: "failing", Version: "2.0"}, "")
	var be *Error
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want *Error", err)
	}
	msg := err.Error()
	for _, s := range []string{"failing 2.0", "prepare_metadata_for_build_wheel", "Microsoft Visual C++", "to reproduce: cd "} {
		if !strings.Contains(msg, s) {
			t.Errorf("error lacks %q:\n%s", s, msg)
		}
	}
	if len(be.Output) != TailLines {
		t.Errorf("output has %d lines, want %d", len(be.Output), TailLines)
	}
	if strings.Contains(msg, "compiler line 50\n") {
		t.Errorf("error shows more than the tail:\n%s", msg)
	}
	// The traceback starts at the backend's frame: the hook runner's own
	// frames would push the backend's output out of the tail.
	for _, l := range be.Output {
		if strings.Contains(l, "pep517_hooks.py") {
			t.Errorf("output shows the hook runner's frames:\n%s", strings.Join(be.Output, "\n"))
			break
		}
	}
	if !strings.Contains(msg, "failing.py") || !strings.Contains(msg, "compiler line 75\n") {
		t.Errorf("want the backend's frame and its last 25 output lines:\n%s", msg)
	}
	// The command reproduces the failure (the build directory was kept).
	out, rerr := exec.Command("sh", "-c", be.Command).CombinedOutput()
	if rerr == nil || !strings.Contains(string(out), "compiler line 99") || !strings.Contains(string(out), "Visual C++") {
		t.Errorf("reproduce command: %v\n%s", rerr, out)
	}
}

func TestNoInterpreter(t *testing.T) {
	b := New(Options{Python: filepath.Join(t.TempDir(), "python9")})
	_, err := b.DirMetadata(context.Background(), fixture(t, "inbackend"), Package{Name: "inproj"}, "")
	if !errors.Is(err, ErrNoInterpreter) || !strings.Contains(err.Error(), "--python") || !strings.Contains(err.Error(), "--no-build") {
		t.Fatalf("err = %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	_, err = New(Options{}).DirMetadata(context.Background(), fixture(t, "inbackend"), Package{}, "")
	if !errors.Is(err, ErrNoInterpreter) || !strings.Contains(err.Error(), "python3 is not on PATH") {
		t.Fatalf("empty PATH: err = %v", err)
	}
}

// writeBackend makes a project whose in-tree backend runs body in
// prepare_metadata_for_build_wheel before writing METADATA for name.
func writeBackend(t *testing.T, name, body string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	os.MkdirAll(filepath.Join(dir, "_b"), 0o755)
	os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[build-system]\nrequires = []\nbuild-backend = \"be\"\nbackend-path = [\"_b\"]\n"), 0o644)
	py := "import os, sys, subprocess, time\n" +
		"def prepare_metadata_for_build_wheel(md, config_settings=None):\n" +
		"    " + strings.ReplaceAll(strings.TrimSpace(body), "\n", "\n    ") + "\n" +
		"    d = os.path.join(md, '" + name + "-1.0.dist-info')\n" +
		"    os.makedirs(d)\n" +
		"    open(os.path.join(d, 'METADATA'), 'w').write('Metadata-Version: 2.1\\nName: " + name + "\\nVersion: 1.0\\n')\n" +
		"    return os.path.basename(d)\n"
	os.WriteFile(filepath.Join(dir, "_b", "be.py"), []byte(py), 0o644)
	return dir
}

func TestBoundedAndCollapsed(t *testing.T) {
	needPython(t)
	shared := t.TempDir()
	lock := filepath.Join(shared, "lock")
	calls := filepath.Join(shared, "calls")
	body := `
open(` + strconv.Quote(calls) + `, "a").write("x")
fd = os.open(` + strconv.Quote(lock) + `, os.O_CREAT | os.O_EXCL)
time.sleep(0.3)
os.close(fd)
os.remove(` + strconv.Quote(lock) + `)`
	dirs := []string{writeBackend(t, "one", body), writeBackend(t, "two", body), writeBackend(t, "three", body)}
	b := New(Options{Jobs: 1})
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = b.DirMetadata(context.Background(), dirs[i%3], Package{}, "")
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent builds overlapped or failed: %v", err)
		}
	}
	if got, _ := os.ReadFile(calls); len(got) != 3 {
		t.Errorf("backend ran %d times for 3 trees requested twice each", len(got))
	}
}

func TestReadBuildSystem(t *testing.T) {
	tests := []struct {
		pyproject string
		want      BuildSystem
		err       string
	}{
		{"", BuildSystem{Requires: []string{DefaultRequires}, Backend: DefaultBackend}, ""},
		{"[project]\nname='x'\n", BuildSystem{Requires: []string{DefaultRequires}, Backend: DefaultBackend}, ""},
		{"[build-system]\nrequires=['setuptools>=61', 'wheel']\n", BuildSystem{Requires: []string{"setuptools>=61", "wheel"}, Backend: DefaultBackend}, ""},
		{"[build-system]\nrequires=['hatchling']\nbuild-backend='hatchling.build'\n", BuildSystem{Requires: []string{"hatchling"}, Backend: "hatchling.build"}, ""},
		{"[build-system]\nbuild-backend='x'\n", BuildSystem{}, "has no requires"},
		{"[build-system]\nrequires=[]\nbuild-backend='x'\nbackend-path=['../x']\n", BuildSystem{}, "outside the source tree"},
		{"[build-system]\nrequires=[]\nbuild-backend='x'\nbackend-path=['/abs']\n", BuildSystem{}, "outside the source tree"},
		{"[build-system\n", BuildSystem{}, "pyproject.toml:1:"},
	}
	for i, tc := range tests {
		dir := t.TempDir()
		if tc.pyproject != "" {
			os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(tc.pyproject), 0o644)
		}
		got, err := ReadBuildSystem(dir)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%d: err = %v, want %q", i, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%d: %v", i, err)
		} else if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%d: (-want +got)\n%s", i, diff)
		}
	}
}

func TestTreeHash(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "setup.py"), []byte("x"), 0o644)
	h1, err := treeKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ignored := range []string{".git/HEAD", "x.egg-info/PKG-INFO", "build/lib/a.py", "pkg/__pycache__/a.pyc"} {
		p := filepath.Join(dir, ignored)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("y"), 0o644)
	}
	if h2, _ := treeKey(dir); h2 != h1 {
		t.Error("ignored directories changed the hash")
	}
	os.WriteFile(filepath.Join(dir, "pkg", "mod.py"), []byte("z"), 0o644)
	if h3, _ := treeKey(dir); h3 == h1 {
		t.Error("a new source file did not change the hash")
	}
}

func TestTail(t *testing.T) {
	tl := &tail{n: 3}
	for i := range 10 {
		tl.Write([]byte("line " + strconv.Itoa(i) + "\n"))
	}
	tl.Write([]byte("part"))
	if got := tl.Lines(); !slicesEqual(got, []string{"line 8", "line 9", "part"}) {
		t.Errorf("tail = %q", got)
	}
}

func slicesEqual(a, b []string) bool {
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	return cmp.Equal(a, b)
}

// NoIsolation runs hooks with the caller's interpreter and environment;
// isolated builds see a clean environment.
func TestNoIsolation(t *testing.T) {
	needPython(t)
	t.Setenv("PYLOCK_TEST_MARK", "from-caller")
	t.Setenv("TMPDIR", t.TempDir())
	body := `
if os.environ.get("PYLOCK_TEST_MARK") != "from-caller":
    raise RuntimeError("isolated environment: PYLOCK_TEST_MARK is %r" % os.environ.get("PYLOCK_TEST_MARK"))
if sys.prefix != sys.base_prefix and "pylock-build-" in sys.prefix:
    raise RuntimeError("running in the build venv " + sys.prefix)`
	res, err := New(Options{NoIsolation: true}).DirMetadata(context.Background(), writeBackend(t, "noiso", body), Package{Name: "noiso"}, "")
	if err != nil || res.Source != SourceBuild {
		t.Fatalf("--no-build-isolation: %v", err)
	}
	_, err = New(Options{}).DirMetadata(context.Background(), writeBackend(t, "iso", body), Package{Name: "iso"}, "")
	if err == nil || !strings.Contains(err.Error(), "isolated environment: PYLOCK_TEST_MARK is None") {
		t.Fatalf("isolated: err = %v", err)
	}
}
