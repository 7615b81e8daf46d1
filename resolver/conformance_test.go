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

// defaultPlatform is the platform packse scenarios are resolved for when
// they name none (uv's test suite runs them on Linux x86_64).
const defaultPlatform = "x86_64-unknown-linux-gnu"

// packseSetup turns a scenario into a provider, root requirements and
// options, or a skip reason.
func packseSetup(s *corpus.Scenario) (*memprovider.Provider, []pep508.Requirement, resolver.Options, string, error) {
	if s.Options.Universal {
		return nil, nil, resolver.Options{}, "universal scenario: run by TestPackseUniversal (packse universal: line)", nil
	}
	platform := s.Options.PythonPlatform
	if platform == "" {
		platform = defaultPlatform
	}
	tg, err := target.New(s.Python, platform)
	if err != nil {
		return nil, nil, resolver.Options{}, "", err
	}
	py, err := pep440.Parse(s.Python)
	if err != nil {
		return nil, nil, resolver.Options{}, "", err
	}
	opts := resolver.Options{Env: tg.Env(), Python: py,
		OnlyBinary: binaryPolicy(s.Options.NoBuild), NoBinary: binaryPolicy(s.Options.NoBinary)}
	if s.Options.Prereleases {
		opts.Prerelease = resolver.PrereleaseAllow
	}
	root, err := parseReqs(s.Root)
	return memprovider.New(s.Index, tg, memprovider.Options{}), root, opts, "", err
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

func TestPackse(t *testing.T) {
	dir := filepath.Join(testenv.CorpusDir(t), "packse")
	all, err := corpus.LoadAllPackse(dir)
	if err != nil {
		t.Fatal(err)
	}
	passed, failed, skipped := 0, 0, 0
	var skips []string
	for _, s := range all {
		name := s.Topic(dir)
		ok := t.Run(name, func(t *testing.T) {
			p, root, opts, skip, err := packseSetup(s)
			if err != nil {
				t.Fatal(err)
			}
			if skip != "" {
				skipped++
				skips = append(skips, name+": "+skip)
				t.Skip(skip)
			}
			res, err := resolver.Resolve(context.Background(), p, root, opts)
			checkPackse(t, s, res, err)
		})
		switch {
		case !ok:
			failed++
		default:
			passed++
		}
	}
	passed -= skipped
	fmt.Printf("packse: %d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if testing.Verbose() {
		for _, s := range skips {
			fmt.Println("  skip", s)
		}
	}
}

func checkPackse(t *testing.T, s *corpus.Scenario, res *resolver.Result, err error) {
	t.Helper()
	var ns *resolver.NoSolutionError
	switch {
	case err != nil && !errors.As(err, &ns):
		t.Fatalf("unexpected error: %v", err)
	case s.Expected.Satisfiable && err != nil:
		t.Fatalf("expected a resolution, got:\n%v", err)
	case !s.Expected.Satisfiable && err == nil:
		t.Fatalf("expected no solution, got %v", summary(res))
	case err != nil:
		t.Logf("explanation:\n%v", err)
		return
	}
	if s.Expected.Packages == nil {
		return
	}
	got := map[string]string{}
	for _, p := range res.Packages {
		got[p.Name] = p.Version.String()
	}
	if !sameVersions(s.Expected.Packages, got) {
		t.Errorf("packages: got %v, want %v", got, s.Expected.Packages)
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

func TestResolvelib(t *testing.T) {
	cases, err := corpus.LoadAllResolvelib(testenv.CorpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	passed, failed := 0, 0
	for _, c := range cases {
		for _, mode := range []string{"drop-markers", "normal"} {
			ok := t.Run(c.Name+"/"+mode, func(t *testing.T) {
				runResolvelib(t, c, mode == "drop-markers")
			})
			if ok {
				passed++
			} else {
				failed++
			}
		}
	}
	fmt.Printf("resolvelib: %d passed, %d failed\n", passed, failed)
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

func runResolvelib(t *testing.T, c *corpus.Case, drop bool) {
	tg, opts := resolvelibEnv(t)
	p := memprovider.New(c.Index, tg, memprovider.Options{DropMarkers: drop})
	root, err := parseReqs(c.Requested)
	if err != nil {
		t.Fatal(err)
	}
	res, err := resolver.Resolve(context.Background(), p, root, opts)
	var ns *resolver.NoSolutionError
	if err != nil && !errors.As(err, &ns) {
		t.Fatalf("unexpected error: %v", err)
	}
	if res != nil {
		t.Logf("%s: %d steps, %d decisions, %d conflicts, %d backtracks", summary(res), res.Stats.Steps, res.Stats.Decisions, res.Stats.Conflicts, res.Stats.Backtracks)
		if problems := verify(c.Index, root, opts, res, drop); len(problems) > 0 {
			t.Errorf("invalid resolution:\n%s", strings.Join(problems, "\n"))
		}
	} else {
		t.Logf("no solution:\n%v", err)
		checkGolden(t, filepath.Join("testdata", "explain", c.Name+"-"+modeName(drop)+".golden"), ns.Explanation+"\n")
	}
	// The verdict is compared with the corpus in both modes; the versions
	// only in drop-markers mode, the one the corpus answers were computed
	// in (normal mode answers are checked by verify above).
	if !c.Known() {
		return
	}
	if !c.Satisfiable() {
		if err == nil {
			t.Errorf("expected no solution (the corpus's answer), got %s", summary(res))
		}
		return
	}
	if err != nil {
		t.Fatalf("expected a resolution (the corpus has %v), got:\n%v", c.Resolved, err)
	}
	if !drop {
		return
	}
	got := map[string]string{}
	for _, p := range res.Packages {
		got[p.Name] = p.Version.String()
	}
	if !sameVersions(c.Resolved, got) {
		t.Errorf("got  %v\nwant %v", got, c.Resolved)
	}
}
