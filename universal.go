package pylock

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

// Universal locks
//
// With Options.Universal the pipeline resolves for every environment at
// once (resolver.ResolveUniversal) and the lock (BuildLock with
// LockOptions.Universal) lists, for each package
// version, the marker of the environments that install it (minimised
// within requires-python and the environments), every wheel of that
// version that can run there (whatever its platform) and the sdist. Its requires-python
// is the project's (pyproject.toml) or ">=X.Y" of the target Python
// (--python-version, else the host's). Options.Environments (or a
// pyproject's [tool.pylock] environments) limit it and become its
// environments key; Options.RequiredEnvironments (or [tool.pylock]
// required-environments) must have files for every locked package.
// [tool.pylock] options carry universal = "true".

// universalRequiresPython is the lock's requires-python: the project's
// (pyproject.toml) when given, else ">=X.Y" of the target Python.
func universalRequiresPython(in *inputs, t target.Target) string {
	if in.requiresPython != "" {
		return in.requiresPython
	}
	return ">=" + strings.TrimSuffix(strings.TrimPrefix(minorSeries(t), "=="), ".*")
}

// checkEnvironments rejects environments (--environment, [tool.pylock]
// environments) none of which any Python allowed by requires-python can
// satisfy, as uv does: the lock would hold no package and suit no machine.
func checkEnvironments(requiresPython string, envs []pep508.Marker) error {
	if len(envs) == 0 {
		return nil
	}
	py, err := pep508.RequiresPython(requiresPython)
	if err != nil {
		return nil // the resolver reports a bad requires-python
	}
	var shown []string
	for _, e := range envs {
		if !pep508.Disjoint(py, e) {
			return nil
		}
		shown = append(shown, "'"+e.String()+"'")
	}
	return fmt.Errorf("no environment of %s holds under requires-python %q: the lock would cover no environment (check --environment or [tool.pylock] environments)", strings.Join(shown, ", "), requiresPython)
}

// resolveUniversal is Resolve for Options.Universal: the rest of the
// pipeline once inputs, resolver options and the target are known.
func resolveUniversal(ctx context.Context, req Options, in *inputs, opts resolver.Options, t target.Target,
	getenv func(string) string, start time.Time, reuseKey string) (*Result, error) {
	if req.Target.Platform != "" {
		return nil, usageErr(fmt.Errorf("--universal locks every platform: it cannot be combined with --python-platform %q", req.Target.Platform))
	}
	opts.Env = nil // every marker counts (the ABI guard's too)
	r, err := openRun(ctx, req, in, t, getenv, &opts)
	if err != nil {
		return nil, err
	}
	defer r.close() // joins every prefetch: nothing outlives Resolve
	r.reuseKey = reuseKey
	p, builds := r.p, r.builds
	rp := universalRequiresPython(in, t)
	uo := resolver.UniversalOptions{Options: opts, RequiresPython: rp,
		Environments: req.Environments, RequiredEnvironments: req.RequiredEnvironments}
	if uo.Environments == nil {
		uo.Environments = in.environments
	}
	if uo.RequiredEnvironments == nil {
		uo.RequiredEnvironments = in.requiredEnvironments
	}
	if err := checkEnvironments(rp, uo.Environments); err != nil {
		return nil, usageErr(err)
	}
	sol, err := resolver.ResolveUniversal(ctx, in.refs.wrap(p), in.requirements, uo)
	if err != nil {
		return nil, builds.annotate(budgetErr(ctx, req.Budget, in.refs.explain(err)))
	}
	lo := LockOptions{RequiresPython: rp, Format: in.format, ExcludeNewer: req.ExcludeNewer,
		Universal: true, Tool: universalTool(req, in, r.iopts, t, rp), direct: in.refs}
	for _, e := range uo.Environments {
		lo.Environments = append(lo.Environments, e.String())
	}
	snap, err := r.lock(ctx, req, in, sol, lo)
	if err != nil {
		return nil, err
	}
	r.res.Universal = sol
	r.res.Warnings = append(r.res.Warnings, extraWarnings(snap, sol, nil)...)
	return r.done(ctx, req, start)
}
