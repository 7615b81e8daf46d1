package pylock

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

// Universal locks
//
// With Options.Universal the pipeline resolves for every environment at
// once (resolver.ResolveUniversal) and the lock lists, for each package
// version, the marker of the environments that install it, every wheel of
// that version (whatever its platform) and the sdist. Its requires-python
// is the project's (pyproject.toml) or ">=X.Y" of the target Python
// (--python-version, else the host's); it has no environments key.
// [tool.pylock] options carry universal = "true".

// UniversalLockOptions describe a universal lock beyond its resolution.
type UniversalLockOptions struct {
	// RequiresPython is the lock's requires-python (normally the
	// resolution's own).
	RequiresPython string
	// Environments are the lock's environments markers (nil: omitted).
	Environments []string
	// Format limits the files listed (--only-binary / --no-binary).
	Format reqfile.FormatControl
	// ExcludeNewer drops files uploaded after it (zero: no cutoff).
	ExcludeNewer time.Time
	// Tool is the [tool.pylock] table; Options["universal"] is set to
	// "true" and InstallOrder is computed.
	Tool lockfile.Tool
}

// BuildUniversalLock turns a universal resolution into a PEP 751 lock,
// reading the files and metadata p saw while resolving: one [[packages]]
// entry per resolved version with its marker (omitted when always true),
// every wheel of that version plus the sdist, and dependencies naming the
// version where a project is locked at several.
func BuildUniversalLock(ctx context.Context, p *Provider, sol *resolver.Result, o UniversalLockOptions) (*lockfile.Lock, error) {
	l := &lockfile.Lock{
		LockVersion:    "1.0",
		Environments:   o.Environments,
		RequiresPython: o.RequiresPython,
		CreatedBy:      "pylock",
	}
	count := map[string]int{}
	for _, up := range sol.Packages {
		count[up.Name]++
	}
	for i := range sol.Packages {
		pkg, err := universalPackage(ctx, p, sol, &sol.Packages[i], count, o)
		if err != nil {
			return nil, err
		}
		l.Packages = append(l.Packages, pkg)
	}
	sort.SliceStable(l.Packages, func(i, j int) bool { return packageLess(&l.Packages[i], &l.Packages[j]) })
	l.Tool = o.Tool
	if l.Tool.Options == nil {
		l.Tool.Options = map[string]string{}
	}
	l.Tool.Options["universal"] = "true"
	plan, err := lockfile.Plan(l, l.Tool.InstallFirst)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--install-first: %w", err))
	}
	l.Tool.InstallOrder = plan.Order()
	return l, nil
}

// packageLess orders lock entries by name, then version.
func packageLess(a, b *lockfile.Package) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	va, ea := pep440.Parse(a.Version)
	vb, eb := pep440.Parse(b.Version)
	if ea != nil || eb != nil {
		return a.Version < b.Version
	}
	return va.Less(vb)
}

// universalPackage locks one version of a universal resolution.
func universalPackage(ctx context.Context, p *Provider, sol *resolver.Result, up *resolver.Package,
	count map[string]int, o UniversalLockOptions) (lockfile.Package, error) {
	r, err := p.release(ctx, up.Name, up.Version)
	if err != nil {
		return lockfile.Package{}, err
	}
	pr, _ := p.project(ctx, up.Name)
	pkg := lockfile.Package{Name: up.Name, Version: up.Version.String(), Index: pr.index}
	pkg.Marker = lockMarker(up.Marker, o.RequiresPython)
	if md, err := p.metadata(ctx, up.Name, up.Version); err == nil {
		pkg.RequiresPython = md.RequiresPython
	}
	pkg.Dependencies = universalDependencies(sol, up, count)
	all := make([]file, len(r.files))
	for i, f := range r.files {
		f.compat = true // a universal lock lists every wheel
		all[i] = f
	}
	addFiles(&pkg, lockableFiles(all, up.Name, o.Format, o.ExcludeNewer))
	return pkg, nil
}

// universalDependencies lists up's dependencies once per name, or once per
// version the package uses (with version set) when the lock holds that name
// at several versions.
func universalDependencies(sol *resolver.Result, up *resolver.Package, count map[string]int) []lockfile.Dependency {
	var out []lockfile.Dependency
	add := func(d lockfile.Dependency) {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	for _, e := range up.Dependencies {
		if count[e.Name] < 2 {
			add(lockfile.Dependency{Name: e.Name})
			continue
		}
		for _, t := range sol.DependencyVersions(up, e) {
			add(lockfile.Dependency{Name: e.Name, Version: t.Version.String()})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

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
	if req.ABIGuard {
		res.Warnings = append(res.Warnings, "--abi-guard is not applied to universal resolutions (run pylock audit on the lock)")
	}
	prefs, warn := readPreferences(req.PreviousLock)
	opts.Preferences, res.Warnings = prefs, append(res.Warnings, warn...)
	opts.Env = nil
	bg, cancel := context.WithCancel(ctx)
	defer cancel()
	p := NewProvider(bg, client, t)
	rp := universalRequiresPython(in, t)
	sol, err := resolver.ResolveUniversal(ctx, p, in.requirements, resolver.UniversalOptions{Options: opts, RequiresPython: rp})
	if err != nil {
		return nil, budgetErr(ctx, req.Budget, err)
	}
	lo := UniversalLockOptions{RequiresPython: rp, Format: in.format, ExcludeNewer: req.ExcludeNewer, Tool: universalTool(req, in, iopts, t, rp)}
	lock, err := BuildUniversalLock(ctx, p, sol, lo)
	if err != nil {
		return nil, budgetErr(ctx, req.Budget, err)
	}
	if err := lock.Validate(); err != nil { // a pylock bug, never the user's
		return nil, usageErr(fmt.Errorf("internal error: the universal lock pylock built is invalid: %w", err))
	}
	res.Lock, res.Universal, res.Resolution = lock, sol, sol
	res.IndexStats = client.Stats()
	res.Duration = time.Since(start)
	return res, nil
}
