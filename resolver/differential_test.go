package resolver_test

import (
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/pylock/pylock/internal/memprovider"
	"github.com/pylock/pylock/resolver"
)

// Differential regression corpus
//
// testdata/differential/{single,universal}.txtar hold small generated
// scenarios (genScenario: conflicts and backjumps, extras, markers,
// pre-releases, local and post releases, yanked files, Requires-Python,
// binary policies, exclude-newer, constraints, overrides, preferences,
// conflict rules, step budgets, universal forks) and, for each, the
// answer of the solver at commit 9de985c (before the allocation work of
// the scale helper): packages with their extras, markers, Direct flag and
// dependency edges, the root edges, the forks, the no-solution or budget
// explanation, the solver's Stats (steps, decisions, conflicts,
// backtracks) and a digest of the Progress event stream. The solver's
// decisions are deterministic, so any change here is a change of
// behaviour: review it, then -update (which rewrites the want sections
// from the current solver).
//
// -diff-out FILE with -diff-n N and -diff-seed S instead dumps N freshly
// generated scenarios with their answers, for comparing two versions of
// the solver on many more cases than the corpus holds (run the same test
// file in both trees and diff the dumps).

var (
	diffOut  = flag.String("diff-out", "", "TestDifferential: dump -diff-n generated cases with answers to this file")
	diffN    = flag.Int("diff-n", 2000, "TestDifferential: cases to generate with -diff-out")
	diffSeed = flag.Uint64("diff-seed", 1, "TestDifferential: generator seed with -diff-out")
)

// TestDifferential replays the differential corpus (or dumps generated
// cases, see -diff-out).
func TestDifferential(t *testing.T) {
	if *diffOut != "" {
		dumpDifferential(t)
		return
	}
	for _, m := range []mode{singleMode, universalMode} {
		t.Run(m.name, func(t *testing.T) {
			path := "testdata/differential/" + m.name + ".txtar"
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for i := 0; i+3 < len(ar.Files); i += 4 {
				name := strings.TrimSuffix(ar.Files[i].Name, "/index")
				sec := map[string]string{}
				for _, f := range ar.Files[i : i+4] {
					sec[strings.TrimPrefix(f.Name, name+"/")] = string(f.Data)
				}
				got := diffAnswer(t, m, sec)
				if *update {
					ar.Files[i+3].Data = []byte(got)
				} else if got != sec["want"] {
					t.Errorf("%s: %s: answer changed\nindex:\n%soptions:\n%sroot:\n%sgot:\n%swant:\n%s",
						path, name, sec["index"], sec["options"], sec["root"], got, sec["want"])
				}
				n++
			}
			if n < 50 {
				t.Fatalf("%s: only %d cases", path, n)
			}
			if *update {
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// dumpDifferential writes -diff-n generated cases of each mode with their
// answers to -diff-out, in the corpus's format.
func dumpDifferential(t *testing.T) {
	var ar txtar.Archive
	for _, m := range []mode{singleMode, universalMode} {
		rng := rand.New(rand.NewPCG(*diffSeed, 7))
		for i := range *diffN {
			sec := genScenario(rng, m.universal)
			sec["want"] = diffAnswer(t, m, sec)
			name := fmt.Sprintf("%s-%05d", m.name, i)
			for _, k := range []string{"index", "options", "root", "want"} {
				ar.Files = append(ar.Files, txtar.File{Name: name + "/" + k, Data: []byte(sec[k])})
			}
		}
	}
	if err := os.WriteFile(*diffOut, txtar.Format(&ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

// diffAnswer resolves the scenario in mode m and renders everything the
// solver answered. It also resolves a second time on the same provider
// and fails if the first result changed meanwhile (storage reused across
// resolutions) or the second answer differs (determinism).
func diffAnswer(t *testing.T, m mode, sec map[string]string) string {
	t.Helper()
	idx, err := parseIndex(sec["index"])
	if err != nil {
		t.Fatalf("index: %v\n%s", err, sec["index"])
	}
	tg, opts, err := parseModeOptions(sec["options"], m)
	if err != nil {
		t.Fatalf("options: %v\n%s", err, sec["options"])
	}
	if m.universal {
		tg = mustTarget(t)
	}
	root, err := parseReqs(lines(sec["root"]))
	if err != nil {
		t.Fatalf("root: %v\n%s", err, sec["root"])
	}
	h := fnv.New64a()
	events := 0
	opts.Progress = func(e resolver.Event) {
		events++
		fmt.Fprintf(h, "%s|%s|%s|%d|%s\n", e.Kind, e.Name, e.Version, e.Steps, e.Message)
	}
	p := memprovider.New(idx, tg, memprovider.Options{})
	res, err := m.resolve(p, root, opts)
	got := renderDiff(res, err) + fmt.Sprintf("events: %d %016x\n", events, h.Sum64())
	var ns *resolver.NoSolutionError
	var be *resolver.BudgetError
	if err != nil && !errors.As(err, &ns) && !errors.As(err, &be) {
		t.Errorf("unexpected error %v\nindex:\n%s", err, sec["index"])
	}
	if res != nil && len(res.Forks) == 0 {
		if problems := verify(idx, root, opts.Options, res, false); len(problems) > 0 {
			t.Errorf("checker: %s\nindex:\n%soptions:\n%sroot:\n%s", strings.Join(problems, "; "), sec["index"], sec["options"], sec["root"])
		}
	}
	opts.Progress = nil
	res2, err2 := m.resolve(p, root, opts)
	if again := renderDiff(res, err); !strings.HasPrefix(got, again) {
		t.Errorf("the first result changed after a second resolution on the same provider:\n%s\nwas:\n%s", again, got)
	}
	if second := renderDiff(res2, err2); !strings.HasPrefix(got, second) {
		t.Errorf("second resolution differs:\n%s\nfirst:\n%s", second, got)
	}
	return got
}

// renderDiff is renderResult plus the edges, Direct flags, root edges,
// Requires-Python and Stats of a result (Duration excluded).
func renderDiff(res *resolver.Result, err error) string {
	var b strings.Builder
	b.WriteString(renderResult(res, err))
	if res == nil {
		var be *resolver.BudgetError
		if errors.As(err, &be) {
			fmt.Fprintf(&b, "budget steps: %d\n", be.Steps)
		}
		return b.String()
	}
	edge := func(e resolver.Edge) string {
		s := e.Name
		if len(e.Extras) > 0 {
			s += "[" + strings.Join(e.Extras, ",") + "]"
		}
		return s + " <- " + e.Requirement
	}
	for _, p := range res.Packages {
		fmt.Fprintf(&b, "%s %s direct=%v\n", p.Name, p.Version, p.Direct)
		for _, e := range p.Dependencies {
			b.WriteString("  dep " + edge(e) + "\n")
		}
	}
	for _, e := range res.Root {
		b.WriteString("root " + edge(e) + "\n")
	}
	if res.RequiresPython != "" {
		b.WriteString("requires-python " + res.RequiresPython + "\n")
	}
	s := res.Stats
	fmt.Fprintf(&b, "stats: steps=%d decisions=%d conflicts=%d backtracks=%d\n", s.Steps, s.Decisions, s.Conflicts, s.Backtracks)
	return b.String()
}

var (
	genNames    = []string{"a", "b", "c", "d", "e", "f"}
	genVersions = []string{"0.9", "1.0", "1.0.post1", "1.0+loc", "1.5", "2.0rc1", "2.0", "2.1.dev1", "3.0a1", "3.0", "4.0"}
	genMarkers  = []string{`sys_platform == "win32"`, `sys_platform != "win32"`, `python_version >= "3.11"`,
		`python_version < "3.11"`, `os_name == "nt"`, `platform_machine == "aarch64"`}
)

// genScenario returns the index, options and root sections of a random
// small scenario (mode universal adds universal options).
func genScenario(rng *rand.Rand, universal bool) map[string]string {
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	chance := func(p float64) bool { return rng.Float64() < p }
	names := genNames[:3+rng.IntN(len(genNames)-2)]
	if chance(0.25) {
		// A larger graph: more than 64 assignments (partial's block size),
		// longer chains and deeper backjumps.
		names = nil
		for i := range 10 + rng.IntN(20) {
			names = append(names, fmt.Sprintf("p%02d", i))
		}
	}
	vers := map[string][]string{}
	for _, n := range names {
		for _, vi := range rng.Perm(len(genVersions))[:2+rng.IntN(5)] {
			vers[n] = append(vers[n], genVersions[vi])
		}
	}
	// spec returns a specifier, usually on one of name's versions.
	spec := func(name string) string {
		v := pick(genVersions)
		if chance(0.8) {
			v = pick(vers[name])
		}
		base := strings.Split(v, "+")[0] // only == and != take local versions
		switch rng.IntN(11) {
		case 0, 1, 2:
			return ""
		case 9:
			return "==" + v
		case 3:
			return ">=" + base
		case 4:
			return "<" + base
		case 5:
			return "!=" + v
		case 6:
			return ">" + base
		case 7:
			return "<=" + base
		case 8:
			return "~=" + strings.Split(base, ".post")[0]
		}
		return ">=" + base + ",<" + strings.Split(pick(genVersions), "+")[0]
	}
	extra := func() string {
		switch rng.IntN(8) {
		case 0:
			return "[f]"
		case 1:
			return "[g]"
		case 2:
			return "[f,g]"
		}
		return ""
	}
	marker := func() string {
		if chance(0.7) {
			return ""
		}
		return " ; " + pick(genMarkers)
	}
	var idx strings.Builder
	for _, n := range names {
		for _, v := range vers[n] {
			fmt.Fprintf(&idx, "%s %s", n, v)
			var attrs []string
			if chance(0.08) {
				attrs = append(attrs, "yanked")
			}
			if chance(0.08) {
				attrs = append(attrs, "python>="+pick([]string{"3.11", "3.13"}))
			}
			if chance(0.04) {
				attrs = append(attrs, "nowheel")
			} else if chance(0.04) {
				attrs = append(attrs, "tags=cp39-cp39-win_amd64")
			}
			if chance(0.04) {
				attrs = append(attrs, "nosdist")
			}
			if chance(0.05) {
				attrs = append(attrs, "time=2020-03-01T00:00:00Z")
			}
			if len(attrs) > 0 {
				idx.WriteString(" [" + strings.Join(attrs, " ") + "]")
			}
			var deps []string
			for range rng.IntN(5) {
				d := pick(names)
				if d == n && !chance(0.1) {
					continue
				}
				dep := d + extra() + spec(d)
				switch {
				case chance(0.15):
					dep += ` ; extra == "` + pick([]string{"f", "g"}) + `"`
				case chance(0.1) && universal:
					m := pick(genMarkers)
					deps = append(deps, d+spec(d)+" ; "+m)
					dep += " ; not (" + m + ")"
				default:
					dep += marker()
				}
				deps = append(deps, dep)
			}
			idx.WriteString(": " + strings.Join(deps, " | ") + "\n")
		}
	}
	var opts []string
	if chance(0.3) {
		opts = append(opts, "prerelease "+pick([]string{"allow", "disallow", "if-necessary", "explicit", "if-necessary-or-explicit"}))
	}
	if chance(0.3) {
		opts = append(opts, "resolution "+pick([]string{"highest", "lowest", "lowest-direct"}))
	}
	if chance(0.15) {
		n := pick(names)
		opts = append(opts, "constraint "+n+spec(n))
	}
	if chance(0.08) {
		n := pick(names)
		opts = append(opts, "override "+n+spec(n)+marker())
	}
	if chance(0.15) {
		opts = append(opts, "prefer "+pick(names)+"=="+pick(genVersions))
		if chance(0.3) {
			opts = append(opts, "upgrade-package "+pick(names))
		}
	}
	if chance(0.08) {
		a, b := pick(names), pick(names)
		if a != b { // a rule against the project's own versions is not supported
			opts = append(opts, "conflict "+a+"=="+pick(vers[a])+" "+b+" >=1.5 clashes")
		}
	}
	if chance(0.05) {
		opts = append(opts, fmt.Sprintf("max-steps %d", 2+rng.IntN(8)))
	}
	if chance(0.06) {
		opts = append(opts, "exclude-newer 2020-02-01T00:00:00Z")
	}
	if chance(0.04) {
		opts = append(opts, "only-binary "+pick([]string{":all:", pick(names)}))
	}
	if chance(0.04) {
		opts = append(opts, "no-binary "+pick([]string{":all:", pick(names)}))
	}
	if universal {
		if chance(0.5) {
			opts = append(opts, "requires-python "+pick([]string{">=3.8", ">=3.10", ">=3.11"}))
		}
		if chance(0.05) {
			opts = append(opts, "environment "+pick(genMarkers))
		}
		if chance(0.05) {
			opts = append(opts, "required-environment "+pick(genMarkers))
		}
	}
	var root []string
	for range 1 + rng.IntN(3) {
		n := pick(names)
		r := n + extra()
		if chance(0.5) {
			r += spec(n)
		}
		if chance(0.15) {
			r += " ; " + pick(genMarkers)
		}
		root = append(root, r)
	}
	join := func(ls []string) string {
		if len(ls) == 0 {
			return ""
		}
		return strings.Join(ls, "\n") + "\n"
	}
	return map[string]string{"index": idx.String(), "options": join(opts), "root": join(root)}
}
