package resolver_test

import (
	"fmt"
	"slices"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/resolver"
)

// verify checks a Result against the index independently of the solver:
// every active requirement of the root and of each chosen package (with
// its activated extras) is met by a chosen version, every chosen version
// exists, suits the target Python, is not a yanked version the user did not
// pin, satisfies every active constraint, and every package is reachable
// from the root. A requirement on an overridden project is checked against
// the overrides instead (those whose marker holds, when the original's
// does); preferences never excuse anything. drop applies the resolvelib
// harness rule (requirements with a non-extra marker ignored).
func verify(idx *corpus.Index, root []pep508.Requirement, opts resolver.Options, res *resolver.Result, drop bool) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	chosen := map[string]resolver.Package{}
	for _, p := range res.Packages {
		chosen[p.Name] = p
	}
	reached := map[string]bool{}
	overrides := map[string][]pep508.Requirement{}
	for _, o := range opts.Overrides {
		overrides[o.NormalizedName()] = append(overrides[o.NormalizedName()], o)
	}
	var needOne func(from string, r pep508.Requirement)
	need := func(from string, r pep508.Requirement) {
		ovs, ok := overrides[r.NormalizedName()]
		if !ok {
			needOne(from, r)
			return
		}
		for _, o := range ovs {
			if ok, err := o.Marker.Evaluate(opts.Env); o.Marker.IsTrue() || ok && err == nil {
				needOne(from+" (overridden by "+o.String()+")", o)
			}
		}
	}
	needOne = func(from string, r pep508.Requirement) {
		n := r.NormalizedName()
		p, ok := chosen[n]
		if !ok {
			bad("%s requires %s: not in the resolution", from, r)
			return
		}
		reached[n] = true
		if !r.Specifier.Contains(p.Version) {
			bad("%s requires %s: got %s", from, r, p.Version)
		}
		for _, e := range r.NormalizedExtras() {
			if !slices.Contains(p.Extras, e) {
				bad("%s requires %s: extra %q not activated (%v)", from, r, e, p.Extras)
			}
		}
	}
	for _, r := range root {
		if ok, _ := r.Marker.Evaluate(opts.Env); ok || r.Marker.IsTrue() {
			need("root", r)
		}
	}
	for _, p := range res.Packages {
		rel := findRelease(idx, p.Name, p.Version)
		if rel == nil {
			bad("%s %s: no such release", p.Name, p.Version)
			continue
		}
		from := p.Name + "==" + p.Version.String()
		if rel.RequiresPython != "" {
			if ss, err := pep440.ParseSpecifierSet(rel.RequiresPython); err == nil && !ss.Contains(opts.Python) {
				bad("%s requires Python %s", from, rel.RequiresPython)
			}
		}
		// PEP 592: a yanked version is usable when a first-party
		// requirement (root, constraint or override) pins it with == or ===.
		if rel.Yanked && !pinned(root, p.Name, p.Version) && !pinned(opts.Constraints, p.Name, p.Version) && !pinned(opts.Overrides, p.Name, p.Version) {
			bad("%s is yanked and not pinned", from)
		}
		for _, line := range rel.Requires {
			r, err := pep508.ParseRequirement(line)
			if err != nil {
				bad("%s: %v", from, err)
				continue
			}
			if drop && !r.Marker.IsTrue() && !r.Marker.Mentions("extra") {
				continue
			}
			if activeFor(r, opts.Env, p.Extras) {
				need(from, r)
			}
		}
	}
	for _, c := range opts.Constraints {
		p, ok := chosen[c.NormalizedName()]
		if active, err := c.Marker.Evaluate(opts.Env); ok && (c.Marker.IsTrue() || active && err == nil) && !c.Specifier.Contains(p.Version) {
			bad("constraint %s: got %s", c, p.Version)
		}
	}
	for _, p := range res.Packages {
		if !reached[p.Name] {
			bad("%s %s is not required by anything", p.Name, p.Version)
		}
	}
	return problems
}

func activeFor(r pep508.Requirement, env pep508.Env, extras []string) bool {
	if r.Marker.IsTrue() {
		return true
	}
	if ok, err := r.Marker.Evaluate(env); ok && err == nil {
		return true
	}
	for _, e := range extras {
		if ok, err := r.Marker.EvaluateExtras(env, []string{e}); ok && err == nil {
			return true
		}
	}
	return false
}

func findRelease(idx *corpus.Index, name string, v pep440.Version) *corpus.Release {
	p := idx.Projects[name]
	if p == nil {
		return nil
	}
	for _, r := range p.Releases {
		if rv, err := pep440.Parse(r.Version); err == nil && rv.Equal(v) && rv.Local() == v.Local() {
			return r
		}
	}
	return nil
}

func pinned(root []pep508.Requirement, name string, v pep440.Version) bool {
	for _, r := range root {
		if r.NormalizedName() != name {
			continue
		}
		for _, sp := range r.Specifier.Specifiers() {
			if (sp.Op == "==" || sp.Op == "===") && r.Specifier.Contains(v) {
				return true
			}
		}
	}
	return false
}
