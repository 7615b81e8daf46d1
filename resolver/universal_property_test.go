package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/memprovider"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/resolver"
)

// propertyGraphs is how many random graphs TestUniversalProperty checks
// (fewer with -short). Each takes a few milliseconds.
const propertyGraphs = 400

// propertyMarkers are the markers random edges carry: platforms that
// exclude each other, Python ranges that cut requires-python, os_name
// (related to no other variable) and combinations.
var propertyMarkers = []string{
	"", "", "",
	`sys_platform == 'linux'`, `sys_platform == 'win32'`, `sys_platform != 'win32'`, `sys_platform == 'darwin'`,
	`python_version >= '3.11'`, `python_version < '3.11'`, `python_full_version >= '3.12.1'`,
	`os_name == 'nt'`, `os_name != 'nt'`,
	`sys_platform == 'linux' and python_version >= '3.11'`, `sys_platform == 'win32' or python_version < '3.11'`,
	`sys_platform == 'darwin' and os_name == 'nt'`,
}

// propertyEnvs are the concrete environments the lock is compared in.
func propertyEnvs() []pep508.Env {
	var out []pep508.Env
	// Real platforms only (pep508 knows sys_platform decides platform_system
	// and os_name): IronPython's "cli" is an "nt" that is not win32.
	for _, pl := range [][3]string{{"linux", "posix", "Linux"}, {"win32", "nt", "Windows"}, {"darwin", "posix", "Darwin"}, {"cli", "nt", "Windows"}} {
		for _, py := range []string{"3.10.4", "3.11.0", "3.12.0", "3.12.3"} {
			out = append(out, pep508.Env{"sys_platform": pl[0], "os_name": pl[1], "python_full_version": py,
				"python_version": py[:strings.LastIndexByte(py, '.')], "platform_system": pl[2], "platform_machine": "x86_64",
				"implementation_name": "cpython", "platform_python_implementation": "CPython", "implementation_version": py,
				"platform_release": "", "platform_version": ""})
		}
	}
	return out
}

// randomGraph writes a random index in TestScenarios' format: projects p0..pN
// with one to three versions, each depending on up to three other projects
// with random specifiers and markers, and a root of one to three
// requirements.
func randomGraph(r *rand.Rand) (index string, root []string) {
	n := 3 + r.IntN(3)
	spec := func(target int) string {
		v := 1 + r.IntN(3)
		switch r.IntN(5) {
		case 0:
			return fmt.Sprintf("==%d.0", v)
		case 1:
			return fmt.Sprintf(">=%d.0", v)
		case 2:
			return fmt.Sprintf("<%d.0", v)
		}
		return ""
	}
	req := func(target int) string {
		s := fmt.Sprintf("p%d%s", target, spec(target))
		if m := propertyMarkers[r.IntN(len(propertyMarkers))]; m != "" {
			s += " ; " + m
		}
		return s
	}
	var b strings.Builder
	for i := range n {
		for v := 1; v <= 1+r.IntN(3); v++ {
			var deps []string
			for range r.IntN(4) {
				if t := r.IntN(n); t != i {
					deps = append(deps, req(t))
				}
			}
			fmt.Fprintf(&b, "p%d %d.0", i, v)
			if len(deps) > 0 {
				b.WriteString(": " + strings.Join(deps, " | "))
			}
			b.WriteByte('\n')
		}
	}
	for range 1 + r.IntN(3) {
		root = append(root, req(r.IntN(n)))
	}
	return b.String(), root
}

// installations lists every valid installation for env, by brute force: a
// version (or nothing) for each project such that every requirement active
// there (of the root and of installed versions) is met, and every installed
// project is reached from the root through active requirements. Each is
// rendered as sorted "name==version" lines.
func installations(idx *corpus.Index, root []pep508.Requirement, env pep508.Env) []string {
	var projects []string
	for n := range idx.Projects {
		projects = append(projects, n)
	}
	sort.Strings(projects)
	reqs := map[string][]pep508.Requirement{} // "name==version" -> active requirements
	for _, n := range projects {
		for _, rel := range idx.Projects[n].Releases {
			var rs []pep508.Requirement
			for _, line := range rel.Requires {
				rq := pep508.MustParseRequirement(line)
				if ok, err := rq.Marker.Evaluate(env); ok && err == nil {
					rs = append(rs, rq)
				}
			}
			reqs[n+"=="+pep440.MustParse(rel.Version).String()] = rs
		}
	}
	var activeRoot []pep508.Requirement
	for _, rq := range root {
		if ok, err := rq.Marker.Evaluate(env); ok && err == nil {
			activeRoot = append(activeRoot, rq)
		}
	}
	var out []string
	pick := map[string]pep440.Version{}
	var walk func(i int)
	walk = func(i int) {
		if i == len(projects) {
			if s, ok := validInstall(projects, pick, activeRoot, reqs); ok {
				out = append(out, s)
			}
			return
		}
		walk(i + 1) // not installed
		for _, rel := range idx.Projects[projects[i]].Releases {
			pick[projects[i]] = pep440.MustParse(rel.Version)
			walk(i + 1)
		}
		delete(pick, projects[i])
	}
	walk(0)
	return out
}

func validInstall(projects []string, pick map[string]pep440.Version, root []pep508.Requirement, reqs map[string][]pep508.Requirement) (string, bool) {
	reached := map[string]bool{}
	var visit func(rs []pep508.Requirement) bool
	visit = func(rs []pep508.Requirement) bool {
		for _, rq := range rs {
			n := rq.NormalizedName()
			v, ok := pick[n]
			if !ok || !rq.Specifier.Set().Contains(v) {
				return false
			}
			if !reached[n] {
				reached[n] = true
				if !visit(reqs[n+"=="+v.String()]) {
					return false
				}
			}
		}
		return true
	}
	if !visit(root) || len(reached) != len(pick) {
		return "", false
	}
	var lines []string
	for _, n := range projects {
		if v, ok := pick[n]; ok {
			lines = append(lines, n+"=="+v.String())
		}
	}
	return strings.Join(lines, "\n"), true
}

// selection is what a universal result installs in env.
func selection(res *resolver.Result, env pep508.Env) string {
	var lines []string
	for _, p := range res.Packages {
		if ok, err := p.Marker.Evaluate(env); ok && err == nil {
			lines = append(lines, p.Name+"=="+p.Version.String())
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestUniversalProperty resolves random marker-annotated graphs for every
// environment of Python >= 3.10. When the universal resolution succeeds,
// its edges and packages agree (edgeProblems, what lock validation checks),
// and in each concrete environment its selection is a valid installation;
// where the environment has exactly one valid installation (found by brute
// force), both the universal selection and a single-target resolution for
// that environment are that installation.
func TestUniversalProperty(t *testing.T) {
	graphs := propertyGraphs
	if testing.Short() {
		graphs = 60
	}
	envs := propertyEnvs()
	resolved, unique := 0, 0
	for seed := range graphs {
		r := rand.New(rand.NewPCG(uint64(seed), 15))
		index, rootLines := randomGraph(r)
		idx, err := parseIndex(index)
		if err != nil {
			t.Fatal(err)
		}
		root, err := parseReqs(rootLines)
		if err != nil {
			t.Fatal(err)
		}
		graph := fmt.Sprintf("seed %d\nroot: %s\nindex:\n%s", seed, strings.Join(rootLines, " | "), index)
		p := memprovider.New(idx, mustTarget(t), memprovider.Options{})
		res, err := resolver.ResolveUniversal(context.Background(), p, root, resolver.UniversalOptions{RequiresPython: ">=3.10"})
		var ns *resolver.NoSolutionError
		switch {
		case errors.As(err, &ns):
			continue // a universal lock may fail where each environment alone resolves
		case err != nil:
			t.Fatalf("%s\nunexpected error: %v", graph, err)
		}
		resolved++
		if problems := edgeProblems(res); len(problems) > 0 {
			t.Errorf("%s\ninconsistent result:\n%s\n%s", graph, renderResult(res, nil), strings.Join(problems, "\n"))
			continue
		}
		for _, env := range envs {
			if msg := verifyEnv(idx, root, res, env); msg != "" {
				t.Errorf("%s\n%s\nresult:\n%s", graph, msg, renderResult(res, nil))
				break
			}
			all := installations(idx, root, env)
			if len(all) != 1 {
				continue
			}
			unique++
			where := env["sys_platform"] + "/" + env["os_name"] + " py" + env["python_full_version"]
			if got := selection(res, env); got != all[0] {
				t.Errorf("%s\n%s: universal selection\n%s\nwant the only installation\n%s", graph, where, got, all[0])
			}
			single := singleTarget(t, idx, root, env)
			if single != all[0] {
				t.Errorf("%s\n%s: single-target resolution\n%s\nwant the only installation\n%s", graph, where, single, all[0])
			}
		}
	}
	t.Logf("%d graphs, %d resolved universally, %d environments with a unique installation compared", graphs, resolved, unique)
	if resolved < graphs/4 || unique < graphs {
		t.Errorf("too few cases exercised (%d resolved, %d unique): the generator needs adjusting", resolved, unique)
	}
}

// singleTarget resolves root for env alone and renders the packages.
func singleTarget(t *testing.T, idx *corpus.Index, root []pep508.Requirement, env pep508.Env) string {
	p := memprovider.New(idx, mustTarget(t), memprovider.Options{})
	res, err := resolver.Resolve(context.Background(), p, root, resolver.Options{Env: env, Python: pep440.MustParse(env["python_full_version"])})
	if err != nil {
		return "error: " + err.Error()
	}
	var lines []string
	for _, pk := range res.Packages {
		lines = append(lines, pk.Name+"=="+pk.Version.String())
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
