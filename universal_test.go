package pylock

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/fakeindex"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/lockfile"
	pyinputs "github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/pypi/target"
)

// resolveUniversalFor runs Resolve with Options.Universal, no cache, an
// empty environment and CPython 3.11 unless req names a Python (no probe
// of python3 on PATH).
func resolveUniversalFor(t *testing.T, req Options) (*Result, error) {
	t.Helper()
	req.Universal, req.NoCache = true, true
	req.Getenv = func(string) string { return "" }
	req.Target.PythonVersion = firstNonEmpty(req.Target.PythonVersion, "3.11")
	return Resolve(context.Background(), req)
}

func mustUniversal(t *testing.T, req Options) *lockfile.Lock {
	t.Helper()
	res, err := resolveUniversalFor(t, req)
	if err != nil {
		t.Fatalf("universal resolve: %v", err)
	}
	if err := res.Lock.Validate(); err != nil {
		t.Fatalf("lock does not validate: %v", err)
	}
	return res.Lock
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o666); err != nil {
		t.Fatal(err)
	}
	return p
}

// platformEnv is the marker environment of CPython python on platform.
func platformEnv(t *testing.T, python, platform string) pep508.Env {
	t.Helper()
	tg, err := target.New(python, platform)
	if err != nil {
		t.Fatal(err)
	}
	return tg.Env()
}

// installed returns, pip-style, the lock entries whose marker holds in env,
// as "name==version".
func installed(t *testing.T, l *lockfile.Lock, env pep508.Env) []string {
	t.Helper()
	var out []string
	for _, p := range l.Packages {
		if p.Marker == "" {
			out = append(out, p.Name+"=="+p.Version)
			continue
		}
		m, err := pep508.ParseMarker(p.Marker)
		if err != nil {
			t.Fatalf("%s marker %q: %v", p.Name, p.Marker, err)
		}
		ok, err := m.Evaluate(env)
		if err != nil {
			t.Fatalf("%s marker %q: %v", p.Name, p.Marker, err)
		}
		if ok {
			out = append(out, p.Name+"=="+p.Version)
		}
	}
	return out
}

func TestUniversalForkBasic(t *testing.T) {
	sc, err := corpus.LoadPackse(filepath.Join(testenv.CorpusDir(t), "packse", "fork", "basic.toml"))
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeindex.New(sc.Index, fakeindex.Options{})
	defer srv.Close()
	reqs := writeFile(t, "requirements.txt", strings.Join(sc.Root, "\n")+"\n")
	l := mustUniversal(t, Options{Inputs: pyinputs.FromPaths(reqfile.PyprojectOptions{}, reqs), IndexURL: srv.SimpleURL(), Target: TargetSpec{PythonVersion: sc.Python}})

	if want := ">=" + sc.Python; l.RequiresPython != want {
		t.Errorf("requires-python = %q, want %s (from --python-version)", l.RequiresPython, want)
	}
	if len(l.Environments) != 0 {
		t.Errorf("environments = %q, want none", l.Environments)
	}
	if l.Tool.Options["universal"] != "true" {
		t.Errorf("tool options = %v, want universal = true", l.Tool.Options)
	}
	var versions []string
	var markers []pep508.Marker
	for _, p := range l.Packages {
		if p.Name != "a" {
			t.Errorf("unexpected package %s", p.Name)
			continue
		}
		versions = append(versions, p.Version)
		m, err := pep508.ParseMarker(p.Marker)
		if err != nil || m.IsTrue() {
			t.Errorf("a %s: marker %q should be a real condition (%v)", p.Version, p.Marker, err)
		}
		markers = append(markers, m)
		if p.Sdist == nil && len(p.Wheels) == 0 {
			t.Errorf("a %s: no files", p.Version)
		}
	}
	if !slices.Equal(versions, []string{"1.0.0", "2.0.0"}) {
		t.Fatalf("a versions = %q, want 1.0.0 and 2.0.0", versions)
	}
	if !pep508.Disjoint(markers[0], markers[1]) {
		t.Errorf("markers %q and %q overlap", markers[0], markers[1])
	}
	for _, tc := range []struct{ platform, want string }{
		{"linux", "a==2.0.0"},
		{"macos", "a==1.0.0"},
	} {
		got := installed(t, l, platformEnv(t, sc.Python, tc.platform))
		if !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s installs %q, want exactly %s", tc.platform, got, tc.want)
		}
	}
	// Pinned requirements carry each entry's marker.
	txt := string(lockfile.RenderRequirements(l, ""))
	for _, want := range []string{"a==1.0.0 ; " + markers[0].String(), "a==2.0.0 ; " + markers[1].String()} {
		if !strings.Contains(txt, want) {
			t.Errorf("requirements output lacks %q:\n%s", want, txt)
		}
	}
}

func TestUniversalFixtureIndex(t *testing.T) {
	root := testenv.ModuleRoot()
	req := Options{
		Inputs:   pyinputs.FromPaths(reqfile.PyprojectOptions{}, filepath.Join(root, "examples", "webapp", "requirements.txt")),
		IndexURL: filepath.Join(root, "testdata", "index"),
	}
	l := mustUniversal(t, req)
	byName := map[string][]lockfile.Package{}
	for _, p := range l.Packages {
		byName[p.Name] = append(byName[p.Name], p)
	}
	// colorama is click's Windows-only dependency: locked with a marker.
	col := byName["colorama"]
	if len(col) != 1 || !strings.Contains(col[0].Marker, "Windows") && !strings.Contains(col[0].Marker, "win32") {
		t.Errorf("colorama = %+v, want one entry with a Windows marker", col)
	}
	np := byName["numpy"]
	if len(np) != 1 {
		t.Fatalf("numpy entries = %d, want 1", len(np))
	}
	if np[0].Marker != "" || byName["fastapi"][0].Marker != "" {
		t.Errorf("numpy marker %q, fastapi marker %q: want none (installed everywhere)", np[0].Marker, byName["fastapi"][0].Marker)
	}
	var wheels []string
	for _, w := range np[0].Wheels {
		wheels = append(wheels, w.Name)
	}
	all := strings.Join(wheels, " ")
	// Every platform's wheels, not only the resolving machine's.
	for _, want := range []string{"cp311-cp311-manylinux", "cp312-cp312-manylinux", "aarch64", "macosx", "win_amd64"} {
		if !strings.Contains(all, want) {
			t.Errorf("numpy wheels lack %s: %s", want, all)
		}
	}
	if np[0].Sdist == nil {
		t.Error("numpy has no sdist")
	}
	// Each environment installs one version of every project it needs:
	// colorama only on Windows, numpy everywhere.
	for _, tc := range []struct {
		python, platform string
		colorama         bool
	}{
		{"3.11", "linux", false}, {"3.12", "linux", false}, {"3.11", "macos", false},
		{"3.12", "windows", true}, {"3.11", "x86_64-manylinux2014", false}, {"3.12", "aarch64-manylinux_2_28", false},
	} {
		got := installed(t, l, platformEnv(t, tc.python, tc.platform))
		seen := map[string]bool{}
		for _, s := range got {
			n, _, _ := strings.Cut(s, "==")
			if seen[n] {
				t.Errorf("%s %s installs %s twice: %q", tc.python, tc.platform, n, got)
			}
			seen[n] = true
		}
		if !seen["numpy"] || !seen["fastapi"] || seen["colorama"] != tc.colorama {
			t.Errorf("%s %s installs %q", tc.python, tc.platform, got)
		}
	}
	// Same inputs, same bytes.
	a, err := l.MarshalTOML()
	if err != nil {
		t.Fatal(err)
	}
	b, err := mustUniversal(t, req).MarshalTOML()
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Error("two universal resolutions of the same inputs differ")
	}
}

func TestUniversalRequiresPython(t *testing.T) {
	root := testenv.ModuleRoot()
	idx := filepath.Join(root, "testdata", "index")
	for _, tc := range []struct {
		name string
		req  Options
		want string
	}{
		{"pyproject", Options{Inputs: pyinputs.FromPaths(reqfile.PyprojectOptions{}, filepath.Join(root, "examples", "webapp", "pyproject.toml")), Target: TargetSpec{PythonVersion: "3.12"}}, ">=3.11"},
		{"python-version", Options{Inputs: pyinputs.FromPaths(reqfile.PyprojectOptions{}, writeFile(t, "r.txt", "pillow==10.1.0\n")), Target: TargetSpec{PythonVersion: "3.12"}}, ">=3.12"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.IndexURL = idx
			l := mustUniversal(t, tc.req)
			if l.RequiresPython != tc.want {
				t.Errorf("requires-python = %q, want %q", l.RequiresPython, tc.want)
			}
		})
	}
}

func TestUniversalRejectsPlatform(t *testing.T) {
	_, err := resolveUniversalFor(t, Options{Inputs: pyinputs.FromPaths(reqfile.PyprojectOptions{}, writeFile(t, "r.txt", "x\n")), Target: TargetSpec{Platform: "linux"}})
	if err == nil || KindOf(err) != KindUsage || !strings.Contains(err.Error(), "--python-platform") {
		t.Errorf("err = %v (kind %s), want a usage error naming --python-platform", err, KindOf(err))
	}
}

// TestLockMarker covers what lockMarker and lockRegion add to
// pep508.Minimize (whose table of markers is TestMinimize): the lock's
// requires-python and environments as the region, none when they are empty
// or unreadable.
func TestLockMarker(t *testing.T) {
	for _, tc := range []struct {
		marker, requiresPython, want string
		envs                         []string
	}{
		{`platform_system == "Windows"`, ">=3.11", "", []string{`sys_platform == "win32"`}},
		{`platform_system == "Windows"`, ">=3.11", `platform_system == "Windows"`, []string{`sys_platform == "win32"`, `sys_platform == "linux"`}},
		{`sys_platform == "linux" and python_version < "3.12"`, ">=3.11", `python_version < "3.12"`, []string{`sys_platform == "linux"`}},
		{`sys_platform == "linux" and python_version < "3.12"`, ">=3.11", `sys_platform == "linux"`, []string{`python_version < "3.12"`}},
		{`sys_platform == "linux" and python_version < "3.12"`, ">=3.11", `sys_platform == "linux" and python_version < "3.12"`, []string{`bad marker`}},
		{`python_version >= "3.11"`, ">=3.11", "", nil},
		{`python_version >= "3.11"`, ">=3.10", `python_version >= "3.11"`, nil},
		{`python_version < "3.12" or python_version >= "3.12"`, "", "", nil},
		{`python_version >= "3.11" and sys_platform == "linux"`, "", `python_version >= "3.11" and sys_platform == "linux"`, nil},
		{`python_version >= "3.11" and sys_platform == "linux"`, ">=3.x", `python_version >= "3.11" and sys_platform == "linux"`, nil},
		{`platform_system == "Darwin" and python_version >= "3.12" or platform_system != "Darwin"`, ">=3.12", "", nil},
	} {
		want := tc.want
		if want != "" {
			want = pep508.MustParseMarker(want).String()
		}
		region := lockRegion(LockOptions{RequiresPython: tc.requiresPython, Environments: tc.envs, Universal: true})
		if got := lockMarker(pep508.MustParseMarker(tc.marker), region); got != want {
			t.Errorf("lockMarker(%s, %q, %q) = %q, want %q", tc.marker, tc.requiresPython, tc.envs, got, want)
		}
	}
}

// TestUniversalPackseForks locks every satisfiable packse fork scenario
// through a fakeindex server (the project as a pyproject.toml carrying the
// scenario's requires-python): each lock validates, and in every sample
// environment the entries whose markers hold name each project once.
func TestUniversalPackseForks(t *testing.T) {
	all, err := corpus.LoadAllPackse(filepath.Join(testenv.CorpusDir(t), "packse", "fork"))
	if err != nil {
		t.Fatal(err)
	}
	versioned, locked := 0, 0
	for _, sc := range all {
		if !sc.Expected.Satisfiable || !sc.Options.Universal {
			continue
		}
		t.Run(sc.Name, func(t *testing.T) {
			srv := fakeindex.New(sc.Index, fakeindex.Options{})
			defer srv.Close()
			rp := sc.RequiresPython
			if rp == "" {
				rp = ">=" + sc.Python
			}
			var deps []string
			for _, r := range sc.Root {
				deps = append(deps, strconv.Quote(r))
			}
			py := writeFile(t, "pyproject.toml", "[project]\nname = \"p\"\nversion = \"1\"\nrequires-python = "+
				strconv.Quote(rp)+"\ndependencies = ["+strings.Join(deps, ", ")+"]\n")
			res, err := resolveUniversalFor(t, Options{Inputs: pyinputs.FromPaths(reqfile.PyprojectOptions{}, py), IndexURL: srv.SimpleURL(), Target: TargetSpec{PythonVersion: "3.12"}})
			if err != nil {
				t.Fatalf("expected a lock (the scenario is satisfiable), got: %v", err)
			}
			l := res.Lock
			if err := l.Validate(); err != nil {
				t.Fatal(err)
			}
			locked++
			if l.RequiresPython != rp {
				t.Errorf("requires-python = %q, want %q", l.RequiresPython, rp)
			}
			for _, p := range l.Packages {
				for _, d := range p.Dependencies {
					if d.Version != "" {
						versioned++
					}
				}
			}
			spec, _ := pep440.ParseSpecifierSet(rp)
			for _, python := range []string{"3.8", "3.9", "3.10", "3.11", "3.12", "3.13"} {
				if !spec.Contains(pep440.MustParse(python)) {
					continue
				}
				for _, platform := range []string{"linux", "macos", "windows", "aarch64-manylinux_2_28"} {
					seen := map[string]string{}
					for _, s := range installed(t, l, platformEnv(t, python, platform)) {
						n, v, _ := strings.Cut(s, "==")
						if seen[n] != "" {
							t.Errorf("%s %s installs %s at %s and %s", python, platform, n, seen[n], v)
						}
						seen[n] = v
					}
				}
			}
		})
	}
	if locked < 10 || versioned == 0 {
		t.Errorf("%d scenarios locked, %d versioned dependencies: want at least 10 and some", locked, versioned)
	}
}

// BenchmarkLockMarker simplifies a merged marker of six forks (the shape
// the resolver gives colorama in the seed stack from Python 3.9).
func BenchmarkLockMarker(b *testing.B) {
	m, err := pep508.ParseMarker(`(python_version < "3.10" or platform_system != "Darwin") and python_version >= "3.12" and (python_version < "3.6" or platform_system != "Linux" or platform_machine != "aarch64") and platform_system == "Windows" or (python_version < "3.10" or platform_system != "Darwin") and python_version >= "3.11" and python_version < "3.12" and (python_version < "3.6" or platform_system != "Linux" or platform_machine != "aarch64") and platform_system == "Windows" or python_version >= "3.10" and (python_version < "3.10" or platform_system != "Darwin") and python_version < "3.11" and (python_version < "3.6" or platform_system != "Linux" or platform_machine != "aarch64") and platform_system == "Windows" or (python_version > "3.9" or platform_system != "Darwin" or platform_machine != "arm64") and python_version < "3.10" and (python_version < "3.6" or platform_system != "Linux" or platform_machine != "aarch64") and platform_system == "Windows"`)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if got := lockMarker(m, lockRegion(LockOptions{RequiresPython: ">=3.9"})); got != `platform_system == "Windows"` {
			b.Fatalf("lockMarker = %q", got)
		}
	}
}
