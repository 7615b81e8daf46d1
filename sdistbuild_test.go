package pylock

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/buildtest"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

// buildIndex is a local directory index with setuptools and wheel (for
// builds) and:
//   - oldpkg 1.0: sdist only, Metadata-Version 1.1, needs six (setup.py)
//   - six 1.16.0: wheel
//   - broken 2.0: sdist whose setup.py fails; broken 1.0: a wheel
//   - modern 1.0: sdist with PKG-INFO 2.1 and a static [project] needing six
func buildIndex(t *testing.T) string {
	py := buildtest.Python(t)
	t.Setenv("TMPDIR", t.TempDir()) // failed builds keep their directory
	dir := t.TempDir()
	buildtest.IndexWith(t, dir, py, "setuptools", "wheel")
	buildtest.Put(t, dir, "oldpkg", "oldpkg-1.0.tar.gz", buildtest.SetuptoolsSdist("oldpkg", "1.0", []string{"six>=1.0"}, ""))
	fn, data := buildtest.Wheel("six", "1.16.0")
	buildtest.Put(t, dir, "six", fn, data)
	buildtest.Put(t, dir, "broken", "broken-2.0.tar.gz", buildtest.SetuptoolsSdist("broken", "2.0", nil,
		"import sys\nprint('checking for the frobnicator')\nsys.exit('error: frobnicator not found')\n"))
	fn, data = buildtest.Wheel("broken", "1.0")
	buildtest.Put(t, dir, "broken", fn, data)
	buildtest.Put(t, dir, "modern", "modern-1.0.tar.gz", buildtest.TarGz(map[string]string{
		"modern-1.0/PKG-INFO":       "Metadata-Version: 2.1\nName: modern\nVersion: 1.0\n",
		"modern-1.0/pyproject.toml": "[project]\nname = 'modern'\nversion = '1.0'\ndependencies = ['six']\n",
	}))
	return dir
}

type lines struct {
	mu sync.Mutex
	l  []string
}

func (l *lines) add(s string) { l.mu.Lock(); l.l = append(l.l, s); l.mu.Unlock() }
func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.l, "\n")
}

func resolveWithBuilds(t *testing.T, dir string, bo BuildOptions, reqs ...string) (*resolver.Result, *sdistBuilds, error) {
	t.Helper()
	c, err := index.New(index.Options{IndexURL: dir, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	tg, err := target.New("3.11", "linux")
	if err != nil {
		t.Fatal(err)
	}
	s := newSdistBuilds(c, bo, t.TempDir(), time.Time{})
	p := NewProvider(c, tg)
	p.enableBuilds(s)
	t.Cleanup(p.StartPrefetch(context.Background()))
	var rs []pep508.Requirement
	for _, r := range reqs {
		q, err := pep508.ParseRequirement(r)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, q)
	}
	sol, err := resolver.Resolve(context.Background(), p, rs, resolver.Options{Env: tg.Env(), Python: tg.Python})
	return sol, s, err
}

func pins(sol *resolver.Result) string {
	var out []string
	for _, p := range sol.Packages {
		out = append(out, p.Name+"=="+p.Version.String())
	}
	return strings.Join(out, " ")
}

func TestSdistBuildInResolve(t *testing.T) {
	dir := buildIndex(t)
	var log lines
	sol, s, err := resolveWithBuilds(t, dir, BuildOptions{Log: log.add}, "oldpkg", "broken", "modern")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := pins(sol), "broken==1.0 modern==1.0 oldpkg==1.0 six==1.16.0"; got != want {
		t.Errorf("pins = %s, want %s", got, want)
	}
	for _, want := range []string{
		"oldpkg 1.0: metadata from PEP 517 build (oldpkg-1.0.tar.gz)",
		"modern 1.0: metadata from static pyproject.toml (modern-1.0.tar.gz)",
		"six 1.16.0: metadata from wheel METADATA (six-1.16.0-py3-none-any.whl)",
	} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.String())
		}
	}
	w := strings.Join(s.Warnings(), "\n")
	for _, want := range []string{"skipped broken 2.0", "frobnicator not found", "to reproduce:"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q:\n%s", want, w)
		}
	}
}

func TestSdistBuildFailureExplained(t *testing.T) {
	dir := buildIndex(t)
	_, _, err := resolveWithBuilds(t, dir, BuildOptions{}, "broken>=2")
	var ns *resolver.NoSolutionError
	if !errors.As(err, &ns) || !strings.Contains(err.Error(), "broken==2.0 cannot be used: its sdist failed to build (") {
		t.Fatalf("err = %v, want a no-solution explanation naming the failed build", err)
	}
	if strings.Contains(err.Error(), "invalid metadata") {
		t.Errorf("a failed build is not invalid metadata: %v", err)
	}
	t.Log(err)
}

func TestNoBuild(t *testing.T) {
	dir := buildIndex(t)
	// Static pyproject.toml needs no build, even with --no-build.
	sol, _, err := resolveWithBuilds(t, dir, BuildOptions{NoBuild: true}, "modern")
	if err != nil || pins(sol) != "modern==1.0 six==1.16.0" {
		t.Fatalf("modern with --no-build: %v", err)
	}
	for _, tc := range []struct {
		bo   BuildOptions
		flag string
	}{{BuildOptions{NoBuild: true}, "--no-build,"}, {BuildOptions{NoBuildPackages: []string{"six,OldPkg"}}, "--no-build-package oldpkg,"}} {
		// The version is unusable (an older one could fit): no solution,
		// explained.
		_, _, err = resolveWithBuilds(t, dir, tc.bo, "oldpkg")
		var ns *resolver.NoSolutionError
		if !errors.As(err, &ns) || KindOf(err) != KindNoSolution || !strings.Contains(err.Error(), "building is disabled by "+tc.flag) {
			t.Errorf("%+v: err = %v", tc.bo, err)
		}
	}
}

func TestBuildNoInterpreter(t *testing.T) {
	dir := buildIndex(t)
	_, _, err := resolveWithBuilds(t, dir, BuildOptions{Python: "/nonexistent/python3"}, "oldpkg")
	if err == nil || !strings.Contains(err.Error(), "--python") || !strings.Contains(err.Error(), "--no-build") {
		t.Fatalf("err = %v", err)
	}
	t.Log(err)
}

// A prefetch builds only a project's newest final release; older versions
// (hinted for backtracking) are never built in the background.
func TestPrefetchBuildsOnlyNewest(t *testing.T) {
	dir := buildIndex(t)
	buildtest.Put(t, dir, "oldpkg", "oldpkg-0.9.tar.gz", buildtest.SetuptoolsSdist("oldpkg", "0.9", nil, ""))
	buildtest.Put(t, dir, "oldpkg", "oldpkg-1.1rc1.tar.gz", buildtest.SetuptoolsSdist("oldpkg", "1.1rc1", nil, ""))
	c, err := index.New(index.Options{IndexURL: dir, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tg, _ := target.New("3.11", "linux")
	var log lines
	p := NewProvider(c, tg)
	p.enableBuilds(newSdistBuilds(c, BuildOptions{Log: log.add}, t.TempDir(), time.Time{}))
	if _, err := p.Candidates(context.Background(), "oldpkg"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, v := range []string{"0.9", "1.1rc1"} {
		_, err = p.Metadata(p.prefetchContext(ctx, "oldpkg", pep440.MustParse(v)), "oldpkg", pep440.MustParse(v))
		if !errors.Is(err, index.ErrNeedsBuild) || log.String() != "" {
			t.Fatalf("prefetch of %s: err = %v, log = %q", v, err, log.String())
		}
	}
	v := pep440.MustParse("1.0")
	md, err := p.Metadata(p.prefetchContext(ctx, "oldpkg", v), "oldpkg", v)
	if err != nil || len(md.RequiresDist) != 1 || md.RequiresDist[0].Name != "six" {
		t.Fatalf("prefetch of the newest: %+v %v", md, err)
	}
}

// Independent sdists build concurrently during one resolve: each backend
// waits for the other to start (a sequential pipeline would time out).
func TestSdistsBuildConcurrently(t *testing.T) {
	buildtest.Python(t)
	dir := t.TempDir()
	meet := t.TempDir()
	for _, n := range []string{"alpha", "beta"} {
		other := map[string]string{"alpha": "beta", "beta": "alpha"}[n]
		be := "import os, time\n" +
			"def prepare_metadata_for_build_wheel(md, config_settings=None):\n" +
			"    open(os.path.join(" + strconv.Quote(meet) + ", '" + n + "'), 'w').close()\n" +
			"    for _ in range(600):\n" +
			"        if os.path.exists(os.path.join(" + strconv.Quote(meet) + ", '" + other + "')):\n" +
			"            break\n" +
			"        time.sleep(0.05)\n" +
			"    else:\n" +
			"        raise RuntimeError('" + other + " never started: builds are sequential')\n" +
			"    d = os.path.join(md, '" + n + "-1.0.dist-info')\n" +
			"    os.makedirs(d)\n" +
			"    open(os.path.join(d, 'METADATA'), 'w').write('Metadata-Version: 2.1\\nName: " + n + "\\nVersion: 1.0\\n')\n" +
			"    return os.path.basename(d)\n"
		buildtest.Put(t, dir, n, n+"-1.0.tar.gz", buildtest.TarGz(map[string]string{
			n + "-1.0/pyproject.toml": "[build-system]\nrequires = []\nbuild-backend = \"be\"\nbackend-path = [\"_b\"]\n",
			n + "-1.0/_b/be.py":       be,
		}))
	}
	sol, s, err := resolveWithBuilds(t, dir, BuildOptions{Jobs: 2}, "alpha", "beta")
	if err != nil {
		t.Fatal(err)
	}
	if pins(sol) != "alpha==1.0 beta==1.0" || len(s.Warnings()) != 0 {
		t.Fatalf("pins %s, warnings %q", pins(sol), s.Warnings())
	}
}

// TestNoBuildSkipsVersion: under --no-build a version that needs a build
// is skipped as resolver.ErrNeedsBuild (its cause in the derivation), and
// an older version with a wheel is chosen.
func TestNoBuildSkipsVersion(t *testing.T) {
	dir := buildIndex(t)
	_, _, err := resolveWithBuilds(t, dir, BuildOptions{NoBuild: true}, "oldpkg")
	var ns *resolver.NoSolutionError
	if !errors.As(err, &ns) || !strings.Contains(err.Error(), "oldpkg==1.0 cannot be used: its sdist needs a build (") ||
		!strings.Contains(err.Error(), ") and building is disabled by --no-build") {
		t.Fatalf("err = %v, want no solution: oldpkg==1.0 cannot be used: its sdist needs a build (…) and building is disabled by --no-build", err)
	}
	var needs error
	ns.Derivation.Walk(func(ic *resolver.Incompatibility) {
		if errors.Is(ic.Err, resolver.ErrNeedsBuild) && errors.Is(ic.Err, index.ErrNeedsBuild) {
			needs = ic.Err
		}
	})
	if needs == nil {
		t.Errorf("the derivation has no ErrNeedsBuild cause")
	}
	// broken 2.0 (sdist only, setup.py) is skipped for the wheel of 1.0.
	sol, _, err := resolveWithBuilds(t, dir, BuildOptions{NoBuild: true}, "broken")
	if err != nil || pins(sol) != "broken==1.0" {
		t.Errorf("broken with --no-build: %v, want broken==1.0 from its wheel", err)
	}
}
