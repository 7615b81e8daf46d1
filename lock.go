package pylock

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

// buildLock turns a resolution into a PEP 751 lock for target t: every
// wheel of the chosen version compatible with t plus the sdist, with URL,
// size, upload time and hashes, and [tool.pylock] describing how it was made.
func buildLock(ctx context.Context, p *Provider, sol *resolver.Result, t target.Target,
	req Options, in *inputs, iopts index.Options) (*lockfile.Lock, error) {
	l := &lockfile.Lock{
		LockVersion:    "1.0",
		Environments:   []string{t.Marker()},
		RequiresPython: in.requiresPython,
		CreatedBy:      "pylock",
	}
	if l.RequiresPython == "" {
		l.RequiresPython = minorSeries(t)
	}
	for _, rp := range sol.Packages {
		pkg, err := lockPackage(ctx, p, rp, in.format, req.ExcludeNewer)
		if err != nil {
			return nil, err
		}
		if err := applyHashPin(&pkg, in.hashPins[names.Canonicalize(rp.Name)]); err != nil {
			return nil, err
		}
		l.Packages = append(l.Packages, pkg)
	}
	sort.Slice(l.Packages, func(i, j int) bool { return l.Packages[i].Name < l.Packages[j].Name })
	l.Tool = buildTool(req, in, iopts, t)
	plan, err := lockfile.Plan(l, l.Tool.InstallFirst)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--install-first: %w", err))
	}
	l.Tool.InstallOrder = plan.Order()
	return l, nil
}

// minorSeries returns "==X.Y.*" for the target's Python.
func minorSeries(t target.Target) string {
	parts := strings.SplitN(t.Python.BaseVersion(), ".", 3)
	if len(parts) < 2 {
		parts = append(parts, "0")
	}
	return "==" + parts[0] + "." + parts[1] + ".*"
}

// lockPackage locks one package: the compatible wheels and the sdist of its
// version, as far as --only-binary / --no-binary allow them (an installer
// must not fall back to a format the user excluded) and, with
// --exclude-newer, only files uploaded by the cutoff (those the resolver saw).
func lockPackage(ctx context.Context, p *Provider, rp resolver.Package, fc reqfile.FormatControl, cutoff time.Time) (lockfile.Package, error) {
	r, err := p.release(ctx, rp.Name, rp.Version)
	if err != nil {
		return lockfile.Package{}, err
	}
	pr, _ := p.project(ctx, rp.Name)
	pkg := lockfile.Package{Name: rp.Name, Version: rp.Version.String(), Index: pr.index}
	if md, err := p.metadata(ctx, rp.Name, rp.Version); err == nil {
		pkg.RequiresPython = md.RequiresPython
	}
	for _, e := range rp.Dependencies {
		if !slices.ContainsFunc(pkg.Dependencies, func(d lockfile.Dependency) bool { return d.Name == e.Name }) {
			pkg.Dependencies = append(pkg.Dependencies, lockfile.Dependency{Name: e.Name})
		}
	}
	addFiles(&pkg, lockableFiles(r.files, rp.Name, fc, cutoff))
	return pkg, nil
}

// addFiles lists files (best first) in pkg: every wheel, sorted by name, and
// the first sdist; the first wheel's Requires-Python fills the package's.
func addFiles(pkg *lockfile.Package, files []file) {
	for _, f := range files {
		switch {
		case f.wheel:
			pkg.Wheels = append(pkg.Wheels, artifact(f))
			if pkg.RequiresPython == "" {
				pkg.RequiresPython = f.RequiresPython
			}
		case pkg.Sdist == nil:
			a := artifact(f)
			pkg.Sdist = &a
		}
	}
	sort.Slice(pkg.Wheels, func(i, j int) bool { return pkg.Wheels[i].Name < pkg.Wheels[j].Name })
}

// lockableFiles filters a release's files (best first) down to what the
// lock may list: compatible wheels and sdists of the allowed formats,
// uploaded by the cutoff, and yanked files only when nothing else is left
// (the version was pinned exactly, PEP 592).
func lockableFiles(files []file, name string, fc reqfile.FormatControl, cutoff time.Time) []file {
	binary, source := fc.Allowed(name)
	var ok, yanked []file
	for _, f := range files {
		switch {
		case !cutoff.IsZero() && f.UploadTime.After(cutoff):
		case f.wheel && (!f.compat || !binary), !f.wheel && !source:
		case f.Yanked:
			yanked = append(yanked, f)
		default:
			ok = append(ok, f)
		}
	}
	if len(ok) == 0 {
		return yanked
	}
	return ok
}

func artifact(f file) lockfile.Artifact {
	a := lockfile.Artifact{
		Name:       f.Filename,
		URL:        index.Redact(f.URL),
		UploadTime: f.UploadTime.UTC(),
		Hashes:     map[string]string{},
	}
	if f.Size > 0 {
		a.Size = f.Size
	}
	if h, ok := f.Hashes["sha256"]; ok {
		a.Hashes["sha256"] = h
	} else {
		maps.Copy(a.Hashes, f.Hashes)
	}
	return a
}
