package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/fakeindex"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// The conformance corpora (packse scenarios, resolvelib cases) run through
// the `pylock resolve` command path with one scenario runner, lockCLI, once
// per mode that applies to them: the flags from the scenario's options are
// shared, the mode adds its own (--python-platform, or --universal and
// --required-environment) and picks the checker of the lock.

// A cliMode is one way `pylock resolve` locks a corpus entry: for one
// target, or for every environment at once (--universal).
type cliMode struct {
	name      string // the subtest's name
	universal bool
}

var (
	singleCLI    = cliMode{name: "single"}
	universalCLI = cliMode{name: "universal", universal: true}
)

// printSummary writes the summary line .ci/run collects: "<corpus> cli:"
// or "<corpus> universal cli:"; skipped counts the corpus's entries run in
// the other mode.
func (m cliMode) printSummary(corpusName string, passed, failed, skipped int) {
	label := corpusName + " cli"
	if m.universal {
		label = corpusName + " universal cli"
	}
	fmt.Printf("%s: %d passed, %d failed, %d skipped\n", label, passed, failed, skipped)
}

// cliResult is one `pylock resolve` run through run() in-process.
type cliResult struct {
	code     int
	stderr   string
	lock     *lockfile.Lock    // the written pylock.toml (exit 0)
	packages map[string]string // its packages, name -> version (one of each name's entries in a universal lock)
}

// cliCase is a corpus entry as input of `pylock resolve`.
type cliCase struct {
	idx            *corpus.Index
	root           []string
	requiresPython string   // the project's range: the root goes in a pyproject.toml (universal mode)
	python         string   // --python-version
	platform       string   // --python-platform (single-target mode)
	flags          []string // the options shared by every mode
	requiredEnvs   []string // --required-environment (universal mode)
}

// lockCLI runs `pylock resolve` for c in mode m against c's index served by
// a fakeindex server, and reads back and validates the lock it wrote. The
// root is a pyproject.toml when the mode is universal and c has a
// requires-python (the only way to give the CLI a project range), else it
// goes on stdin.
func lockCLI(t *testing.T, m cliMode, c cliCase) cliResult {
	t.Helper()
	srv := fakeindex.New(c.idx, fakeindex.Options{})
	defer srv.Close()
	dir := t.TempDir()
	out := filepath.Join(dir, "pylock.toml")
	input, stdin := "-", strings.Join(c.root, "\n")+"\n"
	if m.universal && c.requiresPython != "" {
		input = filepath.Join(dir, "pyproject.toml")
		var deps []string
		for _, r := range c.root {
			deps = append(deps, strconv.Quote(r))
		}
		py := fmt.Sprintf("[project]\nname = \"scenario\"\nversion = \"0\"\nrequires-python = %q\ndependencies = [%s]\n",
			c.requiresPython, strings.Join(deps, ", "))
		if err := os.WriteFile(input, []byte(py), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"resolve", input, "--index-url", srv.SimpleURL(), "--no-cache", "-q", "-o", out, "--python-version", c.python}
	if m.universal {
		args = append(args, "--universal")
		for _, e := range c.requiredEnvs {
			args = append(args, "--required-environment", e)
		}
	} else {
		args = append(args, "--python-platform", c.platform)
	}
	args = append(args, c.flags...)
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(stdin), &stdout, &stderr)
	r := cliResult{code: code, stderr: stderr.String()}
	t.Logf("exit %d", code)
	if code == 0 {
		l, err := lockfile.ReadFile(out)
		if err != nil {
			t.Fatalf("reading the lock pylock wrote: %v", err)
		}
		if err := l.Validate(); err != nil {
			t.Errorf("the lock pylock wrote does not validate: %v", err)
		}
		r.lock = l
		r.packages = map[string]string{}
		var entries []string
		for _, p := range l.Packages {
			r.packages[names.Canonicalize(p.Name)] = p.Version
			entries = append(entries, p.Name+"=="+p.Version+" ; "+p.Marker)
		}
		t.Logf("locked:\n%s", strings.Join(entries, "\n"))
	}
	return r
}

// packseCase maps a scenario and its [resolver_options] to the input and
// flags of every mode.
func packseCase(sc *corpus.Scenario) cliCase {
	o := sc.Options
	c := cliCase{idx: sc.Index, root: sc.Root, requiresPython: sc.RequiresPython, python: sc.Python,
		platform: o.PythonPlatform, requiredEnvs: o.RequiredEnvironments}
	if c.platform == "" {
		c.platform = "x86_64-unknown-linux-gnu" // as the resolver's conformance test (uv's suite runs on Linux x86_64)
	}
	if o.Prereleases {
		c.flags = append(c.flags, "--prerelease", "allow")
	}
	for _, p := range o.NoBinary {
		c.flags = append(c.flags, "--no-binary", p)
	}
	for _, p := range o.NoBuild {
		c.flags = append(c.flags, "--only-binary", p)
	}
	return c
}

// cliEntry is one corpus entry: its input and the check of a run.
type cliEntry struct {
	name    string
	input   cliCase
	applies func(cliMode) bool // the modes it runs in (nil: every mode)
	check   func(cliMode, cliResult) string
}

// runCLIConformance runs every entry in every mode that applies to it, one
// subtest a mode and entry, and prints each mode's summary line.
func runCLIConformance(t *testing.T, corpusName string, entries []cliEntry) {
	for _, m := range []cliMode{singleCLI, universalCLI} {
		var passed, failed, other int
		t.Run(m.name, func(t *testing.T) {
			for _, e := range entries {
				if e.applies != nil && !e.applies(m) {
					other++ // runs in the other mode
					continue
				}
				ok := t.Run(e.name, func(t *testing.T) {
					r := lockCLI(t, m, e.input)
					if msg := e.check(m, r); msg != "" {
						t.Errorf("%s\nstderr:\n%s", msg, r.stderr)
					}
				})
				if ok {
					passed++
				} else {
					failed++
				}
			}
			if passed+failed == 0 {
				t.Errorf("no %s entries run in mode %s", corpusName, m.name)
			}
		})
		m.printSummary(corpusName, passed, failed, other)
	}
}

// TestPackseCLI runs every packse scenario through the pylock resolve
// command path in its mode (universal scenarios with --universal) and
// checks uv's expected outcome; any failure fails the test (there is no
// list of known failures).
func TestPackseCLI(t *testing.T) {
	dir := filepath.Join(testenv.CorpusDir(t), "packse")
	scs, err := corpus.LoadAllPackse(dir)
	if err != nil {
		t.Fatal(err)
	}
	var entries []cliEntry
	for _, sc := range scs {
		entries = append(entries, cliEntry{name: sc.Topic(dir), input: packseCase(sc),
			applies: func(m cliMode) bool { return m.universal == sc.Options.Universal },
			check:   func(m cliMode, r cliResult) string { return checkPackse(sc, m, r) }})
	}
	runCLIConformance(t, "packse", entries)
}

// checkPackse compares a run with the scenario's expectation: the verdict
// (exit 1 for no solution), then the pins: exactly the expected ones in a
// single-target lock, every expected one among a universal lock's entries.
func checkPackse(sc *corpus.Scenario, m cliMode, r cliResult) string {
	if msg := checkVerdict(sc.Expected.Satisfiable, r); msg != "" || r.code != 0 || sc.Expected.Packages == nil {
		return msg
	}
	if !m.universal {
		if !equalPins(r.packages, sc.Expected.Packages) {
			return fmt.Sprintf("resolved %s, want %s", pins(r.packages), pins(sc.Expected.Packages))
		}
		return ""
	}
	for name, want := range sc.Expected.Packages {
		found := false
		for _, p := range r.lock.Packages {
			found = found || names.Canonicalize(p.Name) == name && versionsEqual(p.Version, want)
		}
		if !found {
			return fmt.Sprintf("no entry %s==%s in the lock", name, want)
		}
	}
	return ""
}

// checkVerdict compares the exit code with the corpus's answer: 0 with a
// resolution, 1 without.
func checkVerdict(satisfiable bool, r cliResult) string {
	switch {
	case !satisfiable && r.code != 1:
		return fmt.Sprintf("want no solution (exit 1), got exit %d %v", r.code, pins(r.packages))
	case satisfiable && r.code != 0:
		return fmt.Sprintf("want a resolution, got exit %d", r.code)
	}
	return ""
}

// TestResolvelibCLI runs every resolvelib case through the command path
// for CPython 3.11 on x86_64 Linux (the resolver's "normal" mode target)
// and universally for Python >=3.8 (a pyproject.toml). The expected sets
// were computed with marker-guarded dependencies dropped
// (corpus/README.md), which the CLI cannot do, so a package reached only
// through such a dependency may be extra in a single-target lock (chalice
// gets urllib3 from botocore's `python_version != "3.4"`); every expected
// pin must match exactly, and any other extra package fails the case. A
// universal lock must give the corpus's verdict. A case without a known
// answer must get a verdict (exit 0 or 1).
func TestResolvelibCLI(t *testing.T) {
	cases, err := corpus.LoadAllResolvelib(testenv.CorpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	var entries []cliEntry
	for _, c := range cases {
		entries = append(entries, cliEntry{name: c.Name,
			input: cliCase{idx: c.Index, root: c.Requested, requiresPython: ">=3.8", python: "3.11", platform: "x86_64-unknown-linux-gnu"},
			check: func(m cliMode, r cliResult) string { return checkResolvelib(c, m, r) }})
	}
	runCLIConformance(t, "resolvelib", entries)
}

// checkResolvelib compares a run with the corpus's answer: the verdict in
// every mode, then (single-target) the pins.
func checkResolvelib(c *corpus.Case, m cliMode, r cliResult) string {
	if !c.Known() { // no known answer (pyrex-1.9.8): any verdict, but a verdict
		if r.code != 0 && r.code != 1 {
			return fmt.Sprintf("exit %d, want a resolution (0) or no solution (1)", r.code)
		}
		return ""
	}
	if msg := checkVerdict(c.Satisfiable(), r); msg != "" || r.code != 0 || m.universal {
		return msg
	}
	for n, v := range c.Resolved {
		if got, ok := r.packages[n]; !ok || !versionsEqual(got, v) {
			return fmt.Sprintf("resolved %s, want %s", pins(r.packages), pins(c.Resolved))
		}
	}
	if extra := unexplainedExtras(c, r.packages); len(extra) > 0 {
		return fmt.Sprintf("resolved %s, want %s: %v are neither expected nor required through a marker-guarded dependency",
			pins(r.packages), pins(c.Resolved), extra)
	}
	return ""
}

// unexplainedExtras lists the packages of got that the corpus answer does
// not have and that no marker-guarded requirement explains: the corpus
// harness dropped every dependency carrying a (non-extra) marker, which the
// CLI evaluates for its target, so a package reached through one (or
// through a package so reached) may legitimately be extra; any other is an
// error.
func unexplainedExtras(c *corpus.Case, got map[string]string) []string {
	explained := map[string]bool{}
	for n := range c.Resolved {
		explained[names.Canonicalize(n)] = true
	}
	for changed := true; changed; {
		changed = false
		for from, v := range got {
			if !explained[from] {
				continue
			}
			for _, line := range requiresOf(c.Index, from, v) {
				req, err := pep508.ParseRequirement(line)
				n := req.NormalizedName()
				if err != nil || explained[n] || got[n] == "" {
					continue
				}
				if _, expected := c.Resolved[from]; !expected || !req.Marker.IsTrue() && !req.Marker.Mentions("extra") {
					explained[n], changed = true, true
				}
			}
		}
	}
	var out []string
	for n := range got {
		if !explained[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// requiresOf is the requirement lines of name at version v in idx.
func requiresOf(idx *corpus.Index, name, v string) []string {
	p := idx.Projects[name]
	if p == nil {
		return nil
	}
	for _, rel := range p.Releases {
		if versionsEqual(rel.Version, v) {
			return rel.Requires
		}
	}
	return nil
}

func equalPins(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for n, v := range want {
		if g, ok := got[names.Canonicalize(n)]; !ok || !versionsEqual(g, v) {
			return false
		}
	}
	return true
}

// versionsEqual compares versions as written in the corpus with the
// normalised versions in the lock by PEP 440 equality (7.0 == 7.0.0).
func versionsEqual(a, b string) bool {
	va, errA := pep440.Parse(a)
	vb, errB := pep440.Parse(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return va.Equal(vb)
}

func pins(m map[string]string) string {
	var out []string
	for n, v := range m {
		out = append(out, n+"=="+v)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func normVersion(s string) string {
	if v, err := pep440.Parse(s); err == nil {
		return v.String()
	}
	return s
}

// TestCheckResolvelibExtras makes sure checkResolvelib fails on a package
// the corpus answer does not have, unless a marker-guarded dependency (which
// the corpus harness dropped) explains it.
func TestCheckResolvelibExtras(t *testing.T) {
	idx := &corpus.Index{Projects: map[string]*corpus.Project{
		"a": {Name: "a", Releases: []*corpus.Release{{Version: "1.0", Requires: []string{"b ; python_version >= '3'", "c"}}}},
		"b": {Name: "b", Releases: []*corpus.Release{{Version: "1.0", Requires: []string{"d"}}}},
		"c": {Name: "c", Releases: []*corpus.Release{{Version: "1.0"}}},
		"d": {Name: "d", Releases: []*corpus.Release{{Version: "1.0"}}},
		"e": {Name: "e", Releases: []*corpus.Release{{Version: "1.0"}}},
	}}
	c := &corpus.Case{Name: "t", Index: idx, Resolved: map[string]string{"a": "1.0", "c": "1.0"}}
	tests := []struct {
		got  map[string]string
		want string // substring of the problem; "" = passes
	}{
		{map[string]string{"a": "1.0", "c": "1.0"}, ""},
		{map[string]string{"a": "1.0", "b": "1.0", "c": "1.0", "d": "1.0"}, ""},
		{map[string]string{"a": "1.0", "c": "1.0", "e": "1.0"}, "[e] are neither expected"},
		{map[string]string{"a": "1.0", "c": "2.0"}, "resolved"},
		{map[string]string{"a": "1.0"}, "resolved"},
	}
	for _, tc := range tests {
		msg := checkResolvelib(c, singleCLI, cliResult{code: 0, packages: tc.got})
		if tc.want == "" && msg != "" || tc.want != "" && !strings.Contains(msg, tc.want) {
			t.Errorf("%v: %q, want %q", tc.got, msg, tc.want)
		}
	}
}

// TestCheckPackse makes sure checkPackse fails a wrong verdict in either
// mode, a single-target lock whose pins differ from the expected ones in
// any way, and a universal lock lacking an expected entry.
func TestCheckPackse(t *testing.T) {
	sc := &corpus.Scenario{Expected: corpus.Expected{Satisfiable: true, Packages: map[string]string{"a": "2.0"}}}
	unsat := &corpus.Scenario{Expected: corpus.Expected{Satisfiable: false}}
	lock := func(entries ...string) cliResult {
		r := cliResult{lock: &lockfile.Lock{}, packages: map[string]string{}}
		for _, e := range entries {
			n, v, _ := strings.Cut(e, "==")
			r.lock.Packages = append(r.lock.Packages, lockfile.Package{Name: n, Version: v})
			r.packages[n] = v
		}
		return r
	}
	tests := []struct {
		name string
		sc   *corpus.Scenario
		m    cliMode
		r    cliResult
		want string // substring of the problem; "" = passes
	}{
		{"single ok", sc, singleCLI, lock("a==2.0.0"), ""},
		{"single extra", sc, singleCLI, lock("a==2.0", "b==1.0"), "resolved"},
		{"single older", sc, singleCLI, lock("a==1.0"), "resolved"},
		{"single no solution", sc, singleCLI, cliResult{code: 1}, "want a resolution"},
		{"single lock for no solution", unsat, singleCLI, lock("a==1.0"), "want no solution"},
		{"single input error", unsat, singleCLI, cliResult{code: 2}, "want no solution"},
		{"universal ok", sc, universalCLI, lock("a==1.0", "a==2.0"), ""},
		{"universal missing", sc, universalCLI, lock("a==1.0"), "no entry a==2.0"},
		{"universal no solution", sc, universalCLI, cliResult{code: 1}, "want a resolution"},
		{"universal lock for no solution", unsat, universalCLI, lock("a==1.0"), "want no solution"},
	}
	for _, tc := range tests {
		msg := checkPackse(tc.sc, tc.m, tc.r)
		if tc.want == "" && msg != "" || tc.want != "" && !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, msg, tc.want)
		}
	}
}
