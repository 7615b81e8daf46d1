package resolver_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/resolver"
)

// The independent checker of universal results (verifyUniversal), the
// counterpart of verify in check_test.go.

// universalSummary is "name==version ; marker" per package, one per line.
func universalSummary(res *resolver.Result) string {
	var lines []string
	for _, p := range res.Packages {
		l := p.Name + "==" + p.Version.String()
		if !p.Marker.IsTrue() {
			l += " ; " + p.Marker.String()
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// sampleEnvs are the environments a universal result is checked in: the
// product of the values the packse scenarios' markers distinguish.
func sampleEnvs() []pep508.Env {
	var out []pep508.Env
	plats := [][3]string{{"linux", "Linux", "posix"}, {"darwin", "Darwin", "posix"}, {"win32", "Windows", "nt"},
		{"os1", "", "posix"}, {"os2", "", "nt"}, {"illumos", "SunOS", "posix"}, {"windows", "", "linux"}, {"freebsd", "FreeBSD", "darwin"}}
	for _, pl := range plats {
		for _, py := range []string{"3.8.0", "3.9.1", "3.10.0", "3.10.2", "3.11.4", "3.12.1", "3.13.0", "3.14.2"} {
			for _, impl := range []string{"cpython", "pypy", "iron"} {
				for _, mach := range []string{"x86_64", "aarch64", "i686"} {
					out = append(out, pep508.Env{"sys_platform": pl[0], "platform_system": pl[1], "os_name": pl[2],
						"python_full_version": py, "python_version": strings.Join(strings.Split(py, ".")[:2], "."),
						"implementation_name": impl, "platform_python_implementation": impl, "platform_machine": mach,
						"implementation_version": py, "platform_release": "", "platform_version": ""})
				}
			}
		}
	}
	return out
}

// verifyUniversal checks a universal result in every sample environment
// allowed by requiresPython (and by one of environments, when given): at
// most one version of each package is installed, and every requirement
// active there (from the root and from the installed packages, with their
// extras) is met by an installed version.
func verifyUniversal(idx *corpus.Index, root []pep508.Requirement, requiresPython string, res *resolver.Result, environments ...pep508.Marker) []string {
	rp := pep440.Full()
	if requiresPython != "" {
		rp = pep440.MustParseSpecifierSet(requiresPython).Set()
	}
	problems := edgeProblems(res)
	for _, env := range sampleEnvs() {
		if !rp.Contains(pep440.MustParse(env["python_full_version"])) || !inSome(environments, env) {
			continue
		}
		if p := verifyEnv(idx, root, res, env); p != "" {
			problems = append(problems, p)
			if len(problems) > 3 {
				break
			}
		}
	}
	return problems
}

// inSome reports whether env satisfies one of ms (true when ms is empty).
func inSome(ms []pep508.Marker, env pep508.Env) bool {
	for _, m := range ms {
		if ok, err := m.Evaluate(env); ok && err == nil {
			return true
		}
	}
	return len(ms) == 0
}

// edgeProblems checks what a lock file's validation checks: every edge,
// of the root or of a package, names a package of the result whose entry
// can hold together with the edge's source (edges to packages the lock
// leaves out must be left out too).
func edgeProblems(res *resolver.Result) []string {
	var problems []string
	check := func(from string, where pep508.Marker, es []resolver.Edge) {
		for _, e := range es {
			found := false
			for _, t := range res.Packages {
				found = found || t.Name == e.Name && !pep508.Disjoint(where, t.Marker)
			}
			if !found {
				problems = append(problems, fmt.Sprintf("%s: dependency %s (%s) is not a package of the result", from, e.Name, e.Requirement))
			}
		}
	}
	check("root", pep508.Marker{}, res.Root)
	for _, p := range res.Packages {
		check(p.Name+"=="+p.Version.String(), p.Marker, p.Dependencies)
	}
	return problems
}

func verifyEnv(idx *corpus.Index, root []pep508.Requirement, res *resolver.Result, env pep508.Env) string {
	where := fmt.Sprintf("[%s py%s %s %s %s]", env["sys_platform"], env["python_full_version"], env["implementation_name"], env["os_name"], env["platform_machine"])
	installed := map[string]resolver.Package{}
	for _, p := range res.Packages {
		if ok, err := p.Marker.Evaluate(env); err != nil || !ok {
			continue
		}
		if o, dup := installed[p.Name]; dup {
			return fmt.Sprintf("%s: %s installed at %s and %s", where, p.Name, o.Version, p.Version)
		}
		installed[p.Name] = p
	}
	need := func(from string, r pep508.Requirement) string {
		p, ok := installed[r.NormalizedName()]
		switch {
		case !ok:
			return fmt.Sprintf("%s: %s requires %s, not installed", where, from, r)
		case !r.Specifier.Set().Contains(p.Version):
			return fmt.Sprintf("%s: %s requires %s, got %s", where, from, r, p.Version)
		}
		for _, e := range r.NormalizedExtras() {
			if !slices.Contains(p.Extras, e) {
				return fmt.Sprintf("%s: %s requires %s, extra %q not activated", where, from, r, e)
			}
		}
		return ""
	}
	for _, r := range root {
		if ok, err := r.Marker.Evaluate(env); err == nil && ok {
			if msg := need("root", r); msg != "" {
				return msg
			}
		}
	}
	for _, n := range slices.Sorted(maps.Keys(installed)) {
		p := installed[n]
		rel := findRelease(idx, n, p.Version)
		if rel == nil {
			return fmt.Sprintf("%s: %s %s: no such release", where, n, p.Version)
		}
		if rel.RequiresPython != "" && !pep440.MustParseSpecifierSet(rel.RequiresPython).Contains(pep440.MustParse(env["python_full_version"])) {
			return fmt.Sprintf("%s: %s %s requires Python %s", where, n, p.Version, rel.RequiresPython)
		}
		for _, line := range rel.Requires {
			r, err := pep508.ParseRequirement(line)
			if err != nil {
				return fmt.Sprintf("%s: %s: %v", where, n, err)
			}
			if activeFor(r, env, p.Extras) {
				if msg := need(n+"=="+p.Version.String(), r); msg != "" {
					return msg
				}
			}
		}
	}
	return ""
}
