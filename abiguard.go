package pylock

import (
	"context"

	"github.com/pylock/pylock/audit"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/resolver"
)

// newABIGuard installs the audit ABI rules (audit/abi_rules.toml) as the
// resolver's Conflicts hook when req.ABIGuard is set: a candidate whose
// compiled wheels were all uploaded before a provider's next major (numpy
// 2.0.0, dated from the index) conflicts with that major. It returns nil
// when the guard is off.
func newABIGuard(ctx context.Context, req Options, c *index.Client, opts *resolver.Options) *audit.Guard {
	if !req.ABIGuard {
		return nil
	}
	g := audit.NewGuard(ctx, audit.DefaultRules(), c).WithEnv(opts.Env)
	opts.Conflicts = g.Conflicts
	return g
}

// abiGuardNotes explains each guard conflict that applied to a package of
// the solution (nil guard: none).
func abiGuardNotes(g *audit.Guard, sol *resolver.Result) []string {
	if g == nil {
		return nil
	}
	chosen := map[string]string{}
	for _, p := range sol.Packages {
		chosen[p.Name] = p.Version.String()
	}
	var out []string
	for _, a := range g.Applied(chosen) {
		out = append(out, a.Explain())
	}
	return out
}
