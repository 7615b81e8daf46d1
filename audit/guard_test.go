package audit

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/memprovider"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

// TestGuardResolve runs the real resolver over the seed-stack fixture with
// the guard reading upload times and metadata from the bundled local index.
func TestGuardResolve(t *testing.T) {
	root := testenv.ModuleRoot()
	sc, err := corpus.LoadPackse(filepath.Join(root, "testdata", "index.toml"))
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := target.New("3.11", "linux")
	if err != nil {
		t.Fatal(err)
	}
	client, err := index.New(index.Options{IndexURL: filepath.Join(root, "testdata", "index"), NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		reqs          []string
		guard         bool
		opencv, numpy string // "" = no solution
		applied       int
	}{
		{[]string{"opencv-python==4.8.1.78", "numpy"}, false, "4.8.1.78", "2.1.3", 0},
		{[]string{"opencv-python==4.8.1.78", "numpy"}, true, "4.8.1.78", "1.26.4", 1},
		{[]string{"opencv-python", "numpy"}, true, "4.10.0.84", "2.1.3", 0},
		{[]string{"opencv-python<4.10", "numpy>=2"}, true, "", "", 0},
	} {
		t.Run(strings.Join(tc.reqs, ",")+map[bool]string{true: "+guard"}[tc.guard], func(t *testing.T) {
			var reqs []pep508.Requirement
			for _, s := range tc.reqs {
				reqs = append(reqs, pep508.MustParseRequirement(s))
			}
			opts := resolver.Options{Env: tgt.Env(), Python: tgt.Python}
			g := NewGuard(DefaultRules(), client)
			if tc.guard {
				opts.Conflicts = g.Conflicts
			}
			res, err := resolver.Resolve(context.Background(), memprovider.New(sc.Index, tgt, memprovider.Options{}), reqs, opts)
			if tc.opencv == "" {
				var ns *resolver.NoSolutionError
				if !errors.As(err, &ns) || !strings.Contains(ns.Explanation, "built against the numpy 1.x ABI (ABI guard; --no-abi-guard turns it off)") {
					t.Fatalf("want a no-solution error naming the guard, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			chosen := map[string]string{}
			for _, p := range res.Packages {
				chosen[p.Name] = p.Version.String()
			}
			if chosen["opencv-python"] != tc.opencv || chosen["numpy"] != tc.numpy {
				t.Errorf("chose opencv-python %s, numpy %s; want %s, %s", chosen["opencv-python"], chosen["numpy"], tc.opencv, tc.numpy)
			}
			if got := len(g.Applied(chosen)); got != tc.applied {
				t.Errorf("applied %d guard conflicts to the solution, want %d: %+v", got, tc.applied, g.Applied(chosen))
			}
		})
	}
}

func TestCheckCoverage(t *testing.T) {
	linux, err := target.New("3.11", "linux")
	if err != nil {
		t.Fatal(err)
	}
	mac, err := target.New("3.11", "macos")
	if err != nil {
		t.Fatal(err)
	}
	l := seedLock("1.26.4")
	sd := lockfile.Artifact{Name: "pillow-10.1.0.tar.gz"}
	l.Packages[2].Sdist = &sd // pillow: linux wheel + sdist
	l.Packages = append(l.Packages,
		lockfile.Package{Name: "pure", Version: "1.0", Wheels: []lockfile.Artifact{{Name: "pure-1.0-py3-none-any.whl"}}},
		lockfile.Package{Name: "winonly", Version: "1.0", Marker: `sys_platform == "win32"`},
	)
	if got := kinds(CheckCoverage(l, linux)); got != "" {
		t.Errorf("linux: %s, want no findings", got)
	}
	fs := CheckCoverage(l, mac)
	if got, want := kinds(fs), "no-wheel:numpy no-wheel:opencv-python no-wheel:pillow"; got != want {
		t.Fatalf("macos: %q, want %q", got, want)
	}
	if fs[0].Severity != Error || fs[2].Severity != Warning || !strings.Contains(fs[2].Message, "pip will build pillow-10.1.0.tar.gz") {
		t.Errorf("macos findings: %+v", fs)
	}
}

func TestRunSkips(t *testing.T) {
	r, err := Run(context.Background(), Options{LockPath: "pylock.toml", Lock: seedLock("1.26.4"), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(r.Checks, ",") != "abi" || len(r.Findings) != 0 {
		t.Errorf("checks %v findings %v", r.Checks, kinds(r.Findings))
	}
	skipped := strings.Join(r.Skipped, "\n")
	for _, want := range []string{"inputs: no input files", "index: --offline"} {
		if !strings.Contains(skipped, want) {
			t.Errorf("skipped %q lacks %q", skipped, want)
		}
	}
	// numpy 2 offline: the ABI check falls back to the rule table and says so.
	r, err = Run(context.Background(), Options{LockPath: "pylock.toml", Lock: seedLock("2.1.3"), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if kinds(r.Findings) != "abi:opencv-python" || !strings.Contains(strings.Join(r.Skipped, "\n"), "index not consulted") {
		t.Errorf("findings %v skipped %v", kinds(r.Findings), r.Skipped)
	}
	// An index failure is an error, not a finding.
	fail := func(context.Context, string, string) (*index.Project, error) {
		return nil, errors.New("connection refused")
	}
	if _, err := Run(context.Background(), Options{LockPath: "pylock.toml", Lock: seedLock("2.1.3"), Lookup: fail}); err == nil {
		t.Error("lookup failure: want error")
	}
}

func TestCheckIndexTarget(t *testing.T) {
	linux, err := target.New("3.11", "linux")
	if err != nil {
		t.Fatal(err)
	}
	idx := seedIndex()
	// A macOS wheel is not something a linux lock would hold; a new linux
	// build of the same version is.
	idx["pillow"].Files = append(idx["pillow"].Files,
		ifile("Pillow-10.1.0-cp311-cp311-macosx_11_0_arm64.whl", "2023-10-15", "m"),
		ifile("Pillow-10.1.0-1-cp311-cp311-manylinux_2_28_x86_64.whl", "2024-01-01", "b"))
	l := seedLock("1.26.4")
	l.Packages = l.Packages[2:] // pillow only
	fs, err := CheckIndex(context.Background(), l, nil, &linux, idx.lookup)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kinds(fs), "file-added:pillow"; got != want || !strings.Contains(fs[0].Message, "Pillow-10.1.0-1-cp311") {
		t.Errorf("findings %q (%v), want %q", got, fs, want)
	}
}

func FuzzParseRules(f *testing.F) {
	f.Add(defaultRules)
	f.Add([]byte("[[rule]]\nprovider = \"torch\"\nmajor = 2\n"))
	f.Add([]byte("[[rule]]\nprovider = \"\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, err := ParseRules(data)
		if err != nil {
			return
		}
		for _, r := range rules {
			if r.Provider == "" || r.Major <= 0 || r.Provider != canonical(r.Provider) {
				t.Fatalf("accepted rule %+v", r)
			}
		}
	})
}

// An sdist (or pure wheel) uploaded after numpy 2.0.0 does not make the
// old compiled wheels safe: only compiled wheels count, in the audit and in
// the guard.
func TestABICompiledWheelsOnly(t *testing.T) {
	idx := seedIndex()
	idx["opencv-python"].Files = append(idx["opencv-python"].Files,
		ifile("opencv-python-4.8.1.78.tar.gz", "2024-07-01", "sd"),
		ifile("opencv_python-4.8.1.78-py3-none-any.whl", "2024-07-01", "pure"))
	l := seedLock("2.1.3")
	sd := lockfile.Artifact{Name: "opencv-python-4.8.1.78.tar.gz", UploadTime: day("2024-07-01")}
	l.Packages[1].Sdist = &sd
	for _, lk := range []Lookup{idx.lookup, nil} {
		fs, _, err := CheckABI(context.Background(), l, DefaultRules(), lk)
		if err != nil {
			t.Fatal(err)
		}
		if kinds(fs) != "abi:opencv-python" {
			t.Errorf("index=%v: findings %q, want the ABI finding", lk != nil, kinds(fs))
		}
	}
	g := NewGuard(DefaultRules(), idx)
	if c := g.Conflicts(context.Background(), "opencv-python", pep440.MustParse("4.8.1.78")); len(c) != 1 {
		t.Errorf("guard conflicts %+v, want one on numpy", c)
	}
	// numpy gone from the index: the rule table's date is used, with a note.
	delete(idx, "numpy")
	fs, notes, err := CheckABI(context.Background(), l, DefaultRules(), idx.lookup)
	if err != nil || kinds(fs) != "abi:opencv-python" || len(notes) != 1 {
		t.Errorf("numpy not on the index: findings %q notes %v err %v", kinds(fs), notes, err)
	}
}

func TestEdgeRequirements(t *testing.T) {
	l := seedLock("2.1.3")
	g := lockfile.NewGraph(l)
	env := pep508.Env{"python_version": "3.11", "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"}
	fetched := []string{}
	fetch := func(_ context.Context, p *lockfile.Package) (*index.Metadata, error) {
		fetched = append(fetched, p.Name)
		return &index.Metadata{RequiresDist: []string{
			`numpy>=1.21.2; python_version >= "3.10"`,
			`numpy>=1.26.0; python_version >= "3.12"`,
			`numpy>=1.23.5; python_version >= "3.11"`,
			`numpy>=1.21.2; python_version >= "3.10"`,
			`pytest; extra == "test"`,
		}}, nil
	}
	if err := AddEdgeRequirements(context.Background(), g, l, env, g.OnPaths("numpy"), fetch); err != nil {
		t.Fatal(err)
	}
	if strings.Join(fetched, ",") != "opencv-python" {
		t.Errorf("fetched metadata of %v, want only opencv-python (the only package with an edge on a path)", fetched)
	}
	out, err := g.RenderWhy("numpy")
	if err != nil {
		t.Fatal(err)
	}
	want := `you require "numpy" -> numpy==2.1.3
you require "opencv-python==4.8.1.78" -> opencv-python==4.8.1.78 -(numpy>=1.21.2,>=1.23.5)-> numpy==2.1.3
`
	if out != want {
		t.Errorf("why numpy:\n%s\nwant:\n%s", out, want)
	}
	boom := func(context.Context, *lockfile.Package) (*index.Metadata, error) { return nil, errors.New("boom") }
	if err := AddEdgeRequirements(context.Background(), lockfile.NewGraph(l), l, env, nil, boom); err == nil {
		t.Error("fetch error: want it returned")
	}
}

// BenchmarkCheckIndex compares a 300-package lock with an in-memory index
// (the work done per package once the index pages are fetched).
func BenchmarkCheckIndex(b *testing.B) {
	l := &lockfile.Lock{LockVersion: "1.0"}
	idx := fakeIndex{}
	for i := range 300 {
		name := fmt.Sprintf("pkg%03d", i)
		var files []index.File
		for v := range 20 {
			files = append(files, ifile(fmt.Sprintf("%s-1.%d-py3-none-any.whl", name, v), "2024-01-01", fmt.Sprint(v)))
		}
		idx[name] = &index.Project{Name: name, Files: files}
		l.Packages = append(l.Packages, lockfile.Package{Name: name, Version: "1.3",
			Wheels: []lockfile.Artifact{whl(name+"-1.3-py3-none-any.whl", "2024-01-01", "3")}})
	}
	roots := []pep508.Requirement{pep508.MustParseRequirement("pkg000<1.10")}
	b.ResetTimer()
	for b.Loop() {
		fs, err := CheckIndex(context.Background(), l, roots, nil, idx.lookup)
		if err != nil || len(fs) != 300 {
			b.Fatalf("%d findings, %v", len(fs), err)
		}
	}
}

// With the target's environment, a Requires-Dist on the provider whose
// marker does not hold for the target does not trigger the guard.
func TestGuardMarkers(t *testing.T) {
	src := markerIndex{seedIndex()}
	linux := pep508.Env{"python_version": "3.11", "sys_platform": "linux"}
	win := pep508.Env{"python_version": "3.11", "sys_platform": "win32"}
	for env, want := range map[string]int{"none": 1, "linux": 0, "win32": 1} {
		g := NewGuard(DefaultRules(), src)
		switch env {
		case "linux":
			g.WithEnv(linux)
		case "win32":
			g.WithEnv(win)
		}
		if got := len(g.Conflicts(context.Background(), "opencv-python", pep440.MustParse("4.8.1.78"))); got != want {
			t.Errorf("env %s: %d conflicts, want %d", env, got, want)
		}
	}
}

// markerIndex is seedIndex whose opencv-python needs numpy on Windows only.
type markerIndex struct{ fakeIndex }

func (m markerIndex) Metadata(context.Context, index.File) (*index.Metadata, error) {
	return &index.Metadata{RequiresDist: []string{`numpy>=1.21; sys_platform == "win32"`}}, nil
}

// A layered lock where every package depends on both packages of the layer
// below has 2^layers paths to the bottom; Why stops at lockfile.MaxWhyPaths.
func TestWhyBounded(t *testing.T) {
	l := &lockfile.Lock{}
	const layers = 16
	for i := range layers {
		for _, side := range []string{"a", "b"} {
			p := lockfile.Package{Name: fmt.Sprintf("%s%02d", side, i), Version: "1"}
			if i+1 < layers {
				p.Dependencies = []lockfile.Dependency{{Name: fmt.Sprintf("a%02d", i+1)}, {Name: fmt.Sprintf("b%02d", i+1)}}
			}
			l.Packages = append(l.Packages, p)
		}
	}
	l.Tool.Requirements = []string{"a00", "b00"}
	g := lockfile.NewGraph(l)
	paths, err := g.Why("a15")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != lockfile.MaxWhyPaths {
		t.Errorf("%d paths, want the cap %d", len(paths), lockfile.MaxWhyPaths)
	}
	out, _ := g.RenderWhy("a15")
	if !strings.HasSuffix(out, fmt.Sprintf("(stopped after %d paths)\n", lockfile.MaxWhyPaths)) {
		t.Errorf("no truncation note: ...%s", out[len(out)-80:])
	}
	// 32 packages, 2^16 paths: the tree expands each package once.
	if n := strings.Count(lockfile.RenderTree(g.Tree(false, 0)), "\n"); n > 2*32+2 {
		t.Errorf("tree has %d lines for 32 packages", n)
	}
	if p, _ := g.Why("a01"); len(p) != 2 {
		t.Errorf("paths to a01: %d, want 2 (from a00 and from b00)", len(p))
	}
}

// reqIndex is seedIndex whose opencv-python requires numpy with the given
// requirement strings.
type reqIndex struct {
	fakeIndex
	reqs []string
}

func (m reqIndex) Metadata(context.Context, index.File) (*index.Metadata, error) {
	return &index.Metadata{RequiresDist: m.reqs}, nil
}

// The rule's rebuilt-when evidence: a release whose Requires-Dist keeps the
// provider below the major needs no conflict, one that requires the new
// major was built for it (requires-new-major), and a rule that does not
// accept that evidence still guards it.
func TestGuardRequiresBound(t *testing.T) {
	onlyDate := DefaultRules()
	onlyDate[0].RebuiltWhen = []string{EvidenceUploadedAfter}
	for _, tc := range []struct {
		name  string
		reqs  []string
		rules []Rule
		want  int
	}{
		{"unbounded", []string{"numpy>=1.21"}, DefaultRules(), 1},
		{"kept below", []string{"numpy>=1.21,<2"}, DefaultRules(), 0},
		{"requires new major", []string{"numpy>=2.0.0rc1"}, DefaultRules(), 0},
		{"requires new major, rule ignores it", []string{"numpy>=2.0.0rc1"}, onlyDate, 1},
		{"one of two markers unbounded", []string{`numpy<2; python_version < "3.9"`, `numpy>=1.22; python_version >= "3.9"`}, DefaultRules(), 1},
		{"no dependency", []string{"six"}, DefaultRules(), 0},
	} {
		g := NewGuard(tc.rules, reqIndex{seedIndex(), tc.reqs})
		if got := len(g.Conflicts(context.Background(), "opencv-python", pep440.MustParse("4.8.1.78"))); got != tc.want {
			t.Errorf("%s: %d conflicts, want %d", tc.name, got, tc.want)
		}
	}
	if _, err := ParseRules([]byte("[[rule]]\nprovider = \"numpy\"\nmajor = 2\nrebuilt-when = [\"vibes\"]\n")); err == nil || !strings.Contains(err.Error(), `unknown rebuilt-when "vibes"`) {
		t.Errorf("unknown evidence: %v", err)
	}
}

// partialIndex is seedIndex whose metadata can be read only for the files
// named in readable (offline, with only what the resolver fetched cached).
type partialIndex struct {
	fakeIndex
	readable map[string]bool
}

func (p partialIndex) Metadata(ctx context.Context, f index.File) (*index.Metadata, error) {
	if !p.readable[f.Filename] {
		return nil, fmt.Errorf("%s: %w", f.Filename, index.ErrOffline)
	}
	return p.fakeIndex.Metadata(ctx, f)
}

// The guard reads a release's metadata from whichever of its compiled wheels
// it can (offline, only the target's wheel may be cached), never decides by
// map order, and when it can read none it says so instead of passing the
// release (the seed's numpy 2 crash came back that way).
func TestGuardMetadataReadOrder(t *testing.T) {
	linux := "opencv_python-4.8.1.78-cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
	win := "opencv_python-4.8.1.78-cp37-abi3-win_amd64.whl"
	for _, tc := range []struct {
		name     string
		readable []string
		want     int
		unread   bool
	}{
		{"all readable", []string{linux, win}, 1, false},
		{"only the linux wheel", []string{linux}, 1, false},
		{"only the windows wheel", []string{win}, 1, false},
		{"none readable", nil, 0, true},
	} {
		for range 20 { // map order differs between runs: the answer must not
			src := partialIndex{seedIndex(), map[string]bool{}}
			for _, f := range tc.readable {
				src.readable[f] = true
			}
			g := NewGuard(DefaultRules(), src)
			if got := len(g.Conflicts(context.Background(), "opencv-python", pep440.MustParse("4.8.1.78"))); got != tc.want {
				t.Fatalf("%s: %d conflicts, want %d", tc.name, got, tc.want)
			}
			unread := g.Unread(map[string]string{"opencv-python": "4.8.1.78"})
			if (len(unread) > 0) != tc.unread || tc.unread && !strings.Contains(unread[0], "could not check opencv-python==4.8.1.78") {
				t.Fatalf("%s: unread %q", tc.name, unread)
			}
		}
	}
}

// recordIndex is seedIndex recording the files whose metadata is read.
type recordIndex struct {
	fakeIndex
	read *[]string
}

func (r recordIndex) Metadata(ctx context.Context, f index.File) (*index.Metadata, error) {
	*r.read = append(*r.read, f.Filename)
	return r.fakeIndex.Metadata(ctx, f)
}

// With the resolver's wheel rank the guard reads the metadata of the wheel
// the resolver ranks first for its target (the one it read itself, so no
// second request: opencv-python's macOS wheel came before its manylinux
// one by name); wheels the rank rejects come after, by name.
func TestGuardWheelRank(t *testing.T) {
	linux := "opencv_python-4.8.1.78-cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
	win := "opencv_python-4.8.1.78-cp37-abi3-win_amd64.whl"
	only := func(fn string) func(string) (int, bool) {
		return func(name string) (int, bool) { return 0, name == fn }
	}
	for _, tc := range []struct {
		name string
		rank func(string) (int, bool)
		want string
	}{
		{"no rank: file name order", nil, linux},
		{"a windows target", only(win), win},
		{"a linux target", only(linux), linux},
		{"no wheel compatible: file name order", only("none"), linux},
		{"by rank", func(name string) (int, bool) { return map[string]int{linux: 2, win: 1}[name], true }, win},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var read []string
			g := NewGuard(DefaultRules(), recordIndex{seedIndex(), &read})
			if tc.rank != nil {
				g.WithWheelRank(tc.rank)
			}
			if got := len(g.Conflicts(context.Background(), "opencv-python", pep440.MustParse("4.8.1.78"))); got != 1 {
				t.Fatalf("%d conflicts, want 1", got)
			}
			if len(read) != 1 || read[0] != tc.want {
				t.Errorf("read the metadata of %q, want only %s", read, tc.want)
			}
		})
	}
}
