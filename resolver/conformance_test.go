package resolver_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/memprovider"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

// The conformance corpora (packse scenarios, resolvelib cases) run through
// one scenario runner, runConformance, once per mode that applies to them:
// the setup (index, root requirements, options) is shared, the mode picks
// the resolver entry point and the independent checker of its answers.

// defaultPlatform is the platform packse scenarios are resolved for when
// they name none (uv's test suite runs them on Linux x86_64).
const defaultPlatform = "x86_64-unknown-linux-gnu"

// A mode is one way the corpora are resolved: for one target environment
// (resolver.Resolve, checked by verify) or for every environment at once
// (resolver.ResolveUniversal, checked by verifyUniversal).
type mode struct {
	name      string // the subtest's name
	universal bool
	// drop applies the resolvelib harness rule: requirements with a
	// non-extra marker are ignored (single-target only).
	drop bool
}

var (
	singleMode    = mode{name: "single"}
	universalMode = mode{name: "universal", universal: true}
)

// resolve runs the mode's resolver entry point; a single-target mode
// reads only opts.Options.
func (m mode) resolve(p resolver.Provider, root []pep508.Requirement, opts resolver.UniversalOptions) (*resolver.Result, error) {
	if m.universal {
		return resolver.ResolveUniversal(context.Background(), p, root, opts)
	}
	return resolver.Resolve(context.Background(), p, root, opts.Options)
}

// verify is the mode's independent checker of a result.
func (m mode) verify(idx *corpus.Index, root []pep508.Requirement, opts resolver.UniversalOptions, res *resolver.Result) []string {
	if m.universal {
		return verifyUniversal(idx, root, opts.RequiresPython, res, opts.Environments...)
	}
	return verify(idx, root, opts.Options, res, m.drop)
}

// label is the name of the mode's summary line for corpusName ("packse",
// "packse universal"): .ci/run collects these lines.
func (m mode) label(corpusName string) string {
	if m.universal {
		return corpusName + " universal"
	}
	return corpusName
}

// summary is the result as "name==version[ ; marker]" items.
func (m mode) summary(res *resolver.Result) string {
	if m.universal {
		return universalSummary(res)
	}
	return summary(res)
}

// conformanceCase is one corpus entry set up for a mode, with the corpus's
// expected answer.
type conformanceCase struct {
	idx     *corpus.Index
	drop    bool // serve the index with marker-guarded dependencies dropped
	target  target.Target
	root    []pep508.Requirement
	opts    resolver.UniversalOptions
	known   bool              // the corpus knows the answer
	solves  bool              // the corpus's answer: a resolution, or none
	want    map[string]string // the expected versions (nil: not compared)
	explain string            // golden file of a "no solution" explanation ("": logged only)
}

// runConformance resolves c in mode m twice and checks the outcome: no
// error but "no solution", a result that passes the mode's independent
// checker, the corpus's verdict and versions, the golden explanation, and
// the same answer on the second run.
func runConformance(t *testing.T, m mode, c conformanceCase) {
	t.Helper()
	run := func() (*resolver.Result, error) {
		return m.resolve(memprovider.New(c.idx, c.target, memprovider.Options{DropMarkers: c.drop}), c.root, c.opts)
	}
	res, err := run()
	var ns *resolver.NoSolutionError
	if err != nil && !errors.As(err, &ns) {
		t.Fatalf("unexpected error: %v", err)
	}
	if res != nil {
		t.Logf("%s: %d steps, %d decisions, %d conflicts, %d backtracks", m.summary(res), res.Stats.Steps, res.Stats.Decisions, res.Stats.Conflicts, res.Stats.Backtracks)
		if problems := m.verify(c.idx, c.root, c.opts, res); len(problems) > 0 {
			t.Errorf("invalid resolution:\n%s", strings.Join(problems, "\n"))
		}
	} else {
		t.Logf("no solution:\n%v", err)
		if c.explain != "" {
			checkGolden(t, c.explain, ns.Explanation+"\n")
		}
	}
	if res2, err2 := run(); renderResult(res2, err2) != renderResult(res, err) {
		t.Errorf("second run differs:\n%s\nfirst:\n%s", renderResult(res2, err2), renderResult(res, err))
	}
	switch {
	case !c.known:
	case !c.solves && err == nil:
		t.Errorf("expected no solution (the corpus's answer), got %s", m.summary(res))
	case c.solves && err != nil:
		t.Errorf("expected a resolution (the corpus has one), got:\n%v", err)
	case err == nil && c.want != nil:
		got := map[string]string{}
		for _, p := range res.Packages {
			got[p.Name] = p.Version.String()
		}
		if !sameVersions(c.want, got) {
			t.Errorf("packages: got %v, want %v", got, c.want)
		}
	}
}

// tally counts a summary line's subtests.
type tally struct {
	passed, failed int
	other          []string // entries run in the other mode
}

func (n *tally) add(ok bool) {
	if ok {
		n.passed++
	} else {
		n.failed++
	}
}

// print writes the summary line .ci/run collects ("packse: 78 passed, …");
// skipped counts the corpus's entries run in the other mode.
func (n *tally) print(label string) {
	fmt.Printf("%s: %d passed, %d failed, %d skipped\n", label, n.passed, n.failed, len(n.other))
	if testing.Verbose() {
		for _, s := range n.other {
			fmt.Println("  skip", s)
		}
	}
}

// packseSetup turns a packse scenario into the shared setup of every mode:
// the target (python, platform), the binary and prerelease policies, the
// project's Requires-Python and required environments (universal only).
func packseSetup(s *corpus.Scenario) (conformanceCase, error) {
	c := conformanceCase{idx: s.Index, known: true, solves: s.Expected.Satisfiable, want: s.Expected.Packages}
	platform := s.Options.PythonPlatform
	if platform == "" {
		platform = defaultPlatform
	}
	var err error
	if c.target, err = target.New(s.Python, platform); err != nil {
		return c, err
	}
	py, err := pep440.Parse(s.Python)
	if err != nil {
		return c, err
	}
	o := &c.opts
	o.Env, o.Python = c.target.Env(), py
	o.OnlyBinary, o.NoBinary = binaryPolicy(s.Options.NoBuild), binaryPolicy(s.Options.NoBinary)
	if s.Options.Prereleases {
		o.Prerelease = resolver.PrereleaseAllow
	}
	o.RequiresPython = universalRequiresPython(s)
	for _, e := range s.Options.RequiredEnvironments {
		m, err := pep508.ParseMarker(e)
		if err != nil {
			return c, err
		}
		o.RequiredEnvironments = append(o.RequiredEnvironments, m)
	}
	c.root, err = parseReqs(s.Root)
	return c, err
}

// universalRequiresPython is [root] requires_python, else ">=" the target
// Python's X.Y (uv infers it from the interpreter).
func universalRequiresPython(s *corpus.Scenario) string {
	if s.RequiresPython != "" {
		return s.RequiresPython
	}
	parts := strings.Split(s.Python, ".")
	if len(parts) > 2 {
		parts = parts[:2]
	}
	return ">=" + strings.Join(parts, ".")
}

func binaryPolicy(names []string) resolver.BinaryPolicy {
	var b resolver.BinaryPolicy
	for _, n := range names {
		if n == ":all:" {
			b.All = true
		} else {
			b.Packages = append(b.Packages, n)
		}
	}
	return b
}

func parseReqs(lines []string) ([]pep508.Requirement, error) {
	var out []pep508.Requirement
	for _, l := range lines {
		r, err := pep508.ParseRequirement(l)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// TestPackse runs every packse scenario in its mode: universal scenarios
// universally, the others for their target (summary lines "packse:" and
// "packse universal:"). A universal "no solution" explanation is compared
// with testdata/explain/universal-<name>.golden (-update rewrites it).
func TestPackse(t *testing.T) {
	dir := filepath.Join(testenv.CorpusDir(t), "packse")
	all, err := corpus.LoadAllPackse(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []mode{singleMode, universalMode} {
		var n tally
		t.Run(m.name, func(t *testing.T) {
			for _, s := range all {
				name := s.Topic(dir)
				if s.Options.Universal != m.universal {
					n.other = append(n.other, name+": runs in the other mode")
					continue
				}
				n.add(t.Run(name, func(t *testing.T) {
					c, err := packseSetup(s)
					if err != nil {
						t.Fatal(err)
					}
					if m.universal {
						c.explain = filepath.Join("testdata", "explain", "universal-"+s.Name+".golden")
					}
					runConformance(t, m, c)
				}))
			}
			if n.passed+n.failed == 0 {
				t.Errorf("no %s scenarios", m.name)
			}
		})
		n.print(m.label("packse"))
	}
}

// sameVersions compares name -> version maps with PEP 440 equality
// (local segments included).
func sameVersions(want, got map[string]string) bool {
	if len(want) != len(got) {
		return false
	}
	for n, w := range want {
		g, ok := got[n]
		if !ok {
			return false
		}
		wv, err1 := pep440.Parse(w)
		gv, err2 := pep440.Parse(g)
		if err1 != nil || err2 != nil || !wv.Equal(gv) || wv.Local() != gv.Local() {
			return false
		}
	}
	return true
}

func summary(res *resolver.Result) string {
	var parts []string
	for _, p := range res.Packages {
		parts = append(parts, p.Name+"=="+p.Version.String())
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

var resolvelibTarget = flag.String("resolvelib-target", "3.11:x86_64-unknown-linux-gnu", "python:platform for resolvelib normal mode")

func resolvelibEnv(t testing.TB) (target.Target, resolver.Options) {
	py, plat, _ := strings.Cut(*resolvelibTarget, ":")
	tg, err := target.New(py, plat)
	if err != nil {
		t.Fatal(err)
	}
	return tg, resolver.Options{Env: tg.Env(), Python: pep440.MustParse(py)}
}

// resolvelibRequiresPython is the project range of the universal mode.
const resolvelibRequiresPython = ">=3.8"

// resolvelibModes are the modes every resolvelib case runs in, with their
// summary lines: drop-markers (the corpus harness's rule, in which the
// corpus's versions were computed and are compared), normal (markers
// evaluated for -resolvelib-target) and universal (every environment of
// Python resolvelibRequiresPython).
var resolvelibModes = []mode{
	{name: "drop-markers", drop: true},
	{name: "normal"},
	{name: "universal", universal: true},
}

// TestResolvelib runs every resolvelib case (real PyPI metadata) in every
// mode of resolvelibModes. The corpus's verdict is compared in every mode;
// its versions in drop-markers mode. A "no solution" explanation of a
// single-target mode is compared with testdata/explain/<case>-<mode>.golden.
func TestResolvelib(t *testing.T) {
	cases, err := corpus.LoadAllResolvelib(testenv.CorpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	tallies := map[string]*tally{}
	var labels []string
	for _, c := range cases {
		for _, m := range resolvelibModes {
			l := m.label("resolvelib")
			if tallies[l] == nil {
				tallies[l] = &tally{}
				labels = append(labels, l)
			}
			tallies[l].add(t.Run(c.Name+"/"+m.name, func(t *testing.T) {
				runConformance(t, m, resolvelibSetup(t, c, m))
			}))
		}
	}
	for _, l := range labels {
		fmt.Printf("%s: %d passed, %d failed\n", l, tallies[l].passed, tallies[l].failed)
	}
}

// resolvelibSetup is the shared setup of a resolvelib case for mode m.
func resolvelibSetup(t *testing.T, c *corpus.Case, m mode) conformanceCase {
	tg, opts := resolvelibEnv(t)
	root, err := parseReqs(c.Requested)
	if err != nil {
		t.Fatal(err)
	}
	cc := conformanceCase{idx: c.Index, drop: m.drop, target: tg, root: root, known: c.Known()}
	cc.opts.Options, cc.opts.RequiresPython = opts, resolvelibRequiresPython
	cc.solves = cc.known && c.Satisfiable()
	if m.drop && cc.solves {
		cc.want = c.Resolved
	}
	if m.universal {
		cc.target = mustTarget(t)
	} else {
		cc.explain = filepath.Join("testdata", "explain", c.Name+"-"+modeName(m.drop)+".golden")
	}
	return cc
}

func modeName(drop bool) string {
	if drop {
		return "drop-markers"
	}
	return "normal"
}

// checkGolden compares got with the golden file (-update rewrites it).
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s: explanation changed:\n%s\nwant:\n%s", path, got, want)
	}
}
