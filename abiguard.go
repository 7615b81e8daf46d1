package pylock

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/pylock/pylock/audit"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/resolver"
)

// newABIGuard installs the audit ABI rules (audit/abi_rules.toml) as the
// resolver's Conflicts hook unless req.NoABIGuard: a candidate whose
// compiled wheels were all uploaded before a provider's next major (numpy
// 2.0.0, dated from the index) conflicts with that major. Requires-Dist
// markers are evaluated in opts.Env (nil, for universal locks: every
// marker counts). It reads a release's metadata from the wheel p reads it
// from (WheelRank), not another file. It returns nil when the guard is off.
func newABIGuard(req Options, c *index.Client, p *Provider, opts *resolver.Options) *audit.Guard {
	if req.NoABIGuard {
		return nil
	}
	g := audit.NewGuard(audit.DefaultRules(), c).WithEnv(opts.Env).WithWheelRank(p.WheelRank)
	opts.Conflicts = g.Conflicts
	return g
}

// abiGuardRecord returns the guard conflicts that applied to a package of
// the solution: as [[tool.pylock.abi-guard]] tables (one per rule) and as
// summary lines (one per rule). A nil guard gives none, and so does a rule
// whose provider the inputs themselves keep below the major (numpy<2 in
// the requirements or constraints): the guard held nothing back there.
func abiGuardRecord(g *audit.Guard, sol *resolver.Result, in *inputs) ([]lockfile.ToolABIGuard, []string) {
	if g == nil {
		return nil, nil
	}
	chosen, versions := map[string]bool{}, map[string]string{}
	for _, p := range sol.Packages {
		chosen[p.Name+"=="+p.Version.String()] = true
		versions[p.Name] = p.Version.String()
	}
	byProvider := map[string][]audit.Applied{}
	for _, a := range g.Applied(nil) {
		if chosen[a.Package+"=="+a.Version] && !inputsExclude(in, a.Provider, a.Rule.Major) {
			byProvider[a.Provider] = append(byProvider[a.Provider], a)
		}
	}
	var tools []lockfile.ToolABIGuard
	var lines []string
	for _, prov := range sortedKeys(byProvider) {
		as := byProvider[prov]
		a := as[0]
		t := lockfile.ToolABIGuard{Provider: prov, Major: a.Rule.Major, FirstRelease: a.FirstMajor,
			Boundary: a.Boundary.UTC().Format("2006-01-02"), Reason: a.Rule.Reason}
		for _, x := range as {
			t.HeldBack = append(t.HeldBack, x.Package+"=="+x.Version)
		}
		tools = append(tools, t)
		lines = append(lines, fmt.Sprintf("abi-guard: kept %s below %s for %s: %s compiled wheels were all uploaded before %s %s (%s)",
			prov, a.FirstMajor, strings.Join(t.HeldBack, ", "), possessive(len(as)), prov, a.FirstMajor, t.Boundary))
	}
	// A release whose metadata the guard could not read was not judged: say
	// so, never pass it silently.
	lines = append(lines, g.Unread(versions)...)
	return tools, lines
}

// inputsExclude reports whether a requirement, constraint or override of
// the inputs on provider admits no release of major or later.
func inputsExclude(in *inputs, provider string, major int) bool {
	spec, err := pep440.ParseSpecifierSet(fmt.Sprintf(">=%d.dev0", major))
	if err != nil {
		return false
	}
	for _, rs := range [][]pep508.Requirement{in.requirements, in.constraints, in.overrides} {
		for _, r := range rs {
			if r.NormalizedName() == provider && r.Marker.IsTrue() && r.Specifier.Set().Disjoint(spec.Set()) {
				return true
			}
		}
	}
	return false
}

func possessive(n int) string {
	if n == 1 {
		return "its"
	}
	return "their"
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkUnguarded runs audit's ABI check on a lock made with NoABIGuard:
// each risky pair becomes a warning with audit's two ways out, and is
// recorded as "unsafe" in [[tool.pylock.abi-guard]]. With the guard on it
// does nothing. An index failure here is an index error.
func checkUnguarded(ctx context.Context, req Options, c *index.Client, res *Result) error {
	if !req.NoABIGuard {
		return nil
	}
	lookup := func(ctx context.Context, name, _ string) (*index.Project, error) { return c.Project(ctx, name) }
	hs, _, err := audit.FindABIHazards(ctx, res.Lock, audit.DefaultRules(), lookup)
	if err != nil {
		return budgetErr(ctx, req.Budget, err)
	}
	byProvider := map[string]*lockfile.ToolABIGuard{}
	var order []string
	for _, h := range hs {
		res.Warnings = append(res.Warnings, "abi (--no-abi-guard): "+h.Finding.Message+"\n"+indent(h.Finding.Hint, "  "))
		t := byProvider[h.Rule.Provider]
		if t == nil {
			t = &lockfile.ToolABIGuard{Provider: h.Rule.Provider, Major: h.Rule.Major, FirstRelease: h.FirstRelease,
				Boundary: h.Boundary.UTC().Format("2006-01-02"), Reason: h.Rule.Reason}
			byProvider[h.Rule.Provider] = t
			order = append(order, h.Rule.Provider)
		}
		t.Unsafe = append(t.Unsafe, h.Package+"=="+h.Version)
	}
	for _, p := range order {
		res.Lock.Tool.ABIGuard = append(res.Lock.Tool.ABIGuard, *byProvider[p])
	}
	return nil
}

// indent prefixes every line of s with pre.
func indent(s, pre string) string {
	return pre + strings.ReplaceAll(s, "\n", "\n"+pre)
}
