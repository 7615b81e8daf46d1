package pylock

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

// Universal locks
//
// With Options.Universal the pipeline resolves for every environment at
// once (resolver.ResolveUniversal) and the lock (BuildLock with
// LockOptions.Universal) lists, for each package
// version, the marker of the environments that install it, every wheel of
// that version (whatever its platform) and the sdist. Its requires-python
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

// resolveUniversal is Resolve for Options.Universal: the rest of the
// pipeline once inputs, resolver options and the target are known.
func resolveUniversal(ctx context.Context, req Options, in *inputs, opts resolver.Options, t target.Target,
	getenv func(string) string, start time.Time) (*Result, error) {
	if req.Target.Platform != "" {
		return nil, usageErr(fmt.Errorf("--universal locks every platform: it cannot be combined with --python-platform %q", req.Target.Platform))
	}
	client, iopts, res, err := openIndex(req, in, t, getenv)
	if err != nil {
		return nil, err
	}
	defer client.Close() // joins the client's prefetches: nothing outlives Resolve
	prefs, warn := readPreferences(req.PreviousLock)
	opts.Preferences, res.Warnings = prefs, append(res.Warnings, warn...)
	opts.Env = nil
	p := NewProvider(client, t)
	builds := newSdistBuilds(client, req.Build, buildCacheDir(iopts), req.ExcludeNewer) // one per run: built metadata serves every fork
	p.enableBuilds(builds)
	if err := resolveDirect(ctx, req, in, iopts, builds); err != nil {
		return nil, err
	}
	stop := p.StartPrefetch(ctx)
	defer stop()
	guard := newABIGuard(req, client, &opts) // nil Env: every marker counts
	in.refs.unguard(&opts)
	rp := universalRequiresPython(in, t)
	uo := resolver.UniversalOptions{Options: opts, RequiresPython: rp,
		Environments: req.Environments, RequiredEnvironments: req.RequiredEnvironments}
	if uo.Environments == nil {
		uo.Environments = in.environments
	}
	if uo.RequiredEnvironments == nil {
		uo.RequiredEnvironments = in.requiredEnvironments
	}
	sol, err := resolver.ResolveUniversal(ctx, in.refs.wrap(p), in.requirements, uo)
	if err != nil {
		return nil, builds.annotate(budgetErr(ctx, req.Budget, in.refs.explain(err)))
	}
	stop()
	res.Warnings = append(res.Warnings, builds.Warnings()...)
	lo := LockOptions{RequiresPython: rp, Format: in.format, ExcludeNewer: req.ExcludeNewer,
		Universal: true, Tool: universalTool(req, in, iopts, t, rp), direct: in.refs}
	for _, e := range uo.Environments {
		lo.Environments = append(lo.Environments, e.String())
	}
	lo.Tool.ABIGuard, res.ABIGuard = abiGuardRecord(guard, sol, in)
	lock, snap, err := lockResolution(ctx, req, p, sol, lo)
	if err != nil {
		return nil, err
	}
	if err := verifyFiles(ctx, req, client, lock); err != nil {
		return nil, err
	}
	res.Lock, res.Universal, res.Resolution = lock, sol, sol
	res.Warnings = append(res.Warnings, extraWarnings(snap, sol, nil)...)
	if err := checkUnguarded(ctx, req, client, res); err != nil {
		return nil, err
	}
	res.IndexStats = client.Stats()
	res.Duration = time.Since(start)
	return res, nil
}
