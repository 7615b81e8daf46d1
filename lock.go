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
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/resolver"
)

// LockOptions describe a lock beyond its resolution and index snapshot.
type LockOptions struct {
	// RequiresPython is the lock's requires-python.
	RequiresPython string
	// Environments are the lock's environments markers (nil: omitted).
	Environments []string
	// Format limits the files listed (--only-binary / --no-binary): an
	// installer must not fall back to a format the user excluded.
	Format reqfile.FormatControl
	// ExcludeNewer drops files uploaded after it (zero: no cutoff), so the
	// lock lists only files the resolver saw.
	ExcludeNewer time.Time
	// direct are the packages pinned by direct references: their entries
	// get the reference's source instead of index files.
	direct *directRefs
	// Universal lists every wheel of a version that can run somewhere in
	// RequiresPython and Environments, whatever its platform (a universal
	// lock), instead of the wheels compatible with the snapshot's target,
	// minimises package markers within the same region, and records
	// universal = "true" in Tool.Options.
	Universal bool
	// Tool is the [tool.pylock] table; InstallOrder is computed.
	Tool lockfile.Tool

	hashPins map[string]*hashPin // --hash options of the inputs, by canonical name
}

// BuildLock turns a resolution (single-target or universal) into a PEP 751
// lock, reading files and metadata only from snap: one [[packages]] entry
// per resolved version with its marker (omitted when always true), its
// wheels (see LockOptions.Universal) and first sdist with URL, size, upload
// time and hashes, and dependencies naming the version where a project is
// locked at several versions.
func BuildLock(sol *resolver.Result, snap *IndexSnapshot, o LockOptions) (*lockfile.Lock, error) {
	l := &lockfile.Lock{
		LockVersion:    "1.0",
		Environments:   o.Environments,
		RequiresPython: o.RequiresPython,
		CreatedBy:      "pylock",
	}
	count := map[string]int{}
	for _, rp := range sol.Packages {
		count[rp.Name]++
	}
	region := lockRegion(o)
	for i := range sol.Packages {
		pkg, err := lockPackage(sol, &sol.Packages[i], snap, count, region, o)
		if err != nil {
			return nil, err
		}
		l.Packages = append(l.Packages, pkg)
	}
	sort.SliceStable(l.Packages, func(i, j int) bool { return packageLess(&l.Packages[i], &l.Packages[j]) })
	l.Tool = o.Tool
	pruneVia(l)
	if o.Universal {
		if l.Tool.Options == nil {
			l.Tool.Options = map[string]string{}
		}
		l.Tool.Options["universal"] = "true"
	}
	plan, err := lockfile.Plan(l, l.Tool.InstallFirst)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--install-first: %w", err))
	}
	l.Tool.InstallOrder = plan.Order()
	return l, nil
}

// lockResolution is the last stage of both pipelines: it snapshots what
// the index said about sol's versions, builds the lock from the snapshot
// and validates it. The snapshot is returned for the warnings.
func lockResolution(ctx context.Context, req Options, p *Provider, sol *resolver.Result, o LockOptions) (*lockfile.Lock, *IndexSnapshot, error) {
	snap, err := p.Snapshot(ctx, o.direct.indexOnly(sol))
	if err != nil {
		return nil, nil, budgetErr(ctx, req.Budget, err)
	}
	lock, err := BuildLock(sol, snap, o)
	if err != nil {
		return nil, nil, budgetErr(ctx, req.Budget, err)
	}
	if err := lock.Validate(); err != nil { // a pylock bug, never the user's
		kind := ""
		if o.Universal {
			kind = "universal "
		}
		return nil, nil, usageErr(fmt.Errorf("internal error: the %slock pylock built is invalid: %w", kind, err))
	}
	return lock, snap, nil
}

// singleLockOptions are the LockOptions of a lock for target t.
func singleLockOptions(req Options, in *inputs, iopts index.Options, t target.Target) LockOptions {
	o := LockOptions{
		Environments:   []string{t.Marker()},
		RequiresPython: firstNonEmpty(in.requiresPython, minorSeries(t)),
		Format:         in.format,
		ExcludeNewer:   req.ExcludeNewer,
		direct:         in.refs,
		Tool:           buildTool(req, in, iopts, t),
		hashPins:       in.hashPins,
	}
	return o
}

// minorSeries returns "==X.Y.*" for the target's Python.
func minorSeries(t target.Target) string {
	parts := strings.SplitN(t.Python.BaseVersion(), ".", 3)
	if len(parts) < 2 {
		parts = append(parts, "0")
	}
	return "==" + parts[0] + "." + parts[1] + ".*"
}

// lockPackage locks one resolved version; region is lockRegion(o).
func lockPackage(sol *resolver.Result, rp *resolver.Package, snap *IndexSnapshot, count map[string]int, region pep508.Marker, o LockOptions) (lockfile.Package, error) {
	if d := o.direct.get(rp.Name); d != nil {
		pkg := lockfile.Package{Name: rp.Name, Version: rp.Version.String(), Dependencies: lockDependencies(sol, rp, count)}
		pkg.Marker = lockMarker(rp.Marker, region)
		applyDirectSource(&pkg, d)
		return pkg, nil
	}
	r, ok := snap.release(rp.Name, rp.Version)
	if !ok {
		return lockfile.Package{}, fmt.Errorf("%s==%s: not in the index snapshot", rp.Name, rp.Version)
	}
	pkg := lockfile.Package{Name: rp.Name, Version: rp.Version.String(), Index: r.Index}
	pkg.Marker = lockMarker(rp.Marker, region)
	if r.Metadata != nil {
		pkg.RequiresPython = r.Metadata.RequiresPython
	}
	pkg.Dependencies = lockDependencies(sol, rp, count)
	if o.Universal {
		addFiles(&pkg, universalFiles(r.Files, rp.Name, region, o))
	} else {
		addFiles(&pkg, lockableFiles(r.Files, rp.Name, o.Format, o.ExcludeNewer))
	}
	if err := applyHashPin(&pkg, o.hashPins[names.Canonicalize(rp.Name)]); err != nil {
		return lockfile.Package{}, err
	}
	return pkg, nil
}

// universalFiles are the files a universal lock lists for a release: its
// lockable files (lockableFiles) among the wheels that can run somewhere
// in the lock's region (requires-python and environments), as uv does, and
// the sdist, which some environment may need. When no file is left (the
// resolver chose a version with wheels for other Pythons only) every wheel
// is listed, as before this filter, rather than an entry with no file.
func universalFiles(files []SnapshotFile, name string, region pep508.Marker, o LockOptions) []SnapshotFile {
	for i := range files {
		files[i].Compatible = !files[i].Wheel || runsIn(files[i].Filename, region)
	}
	if out := lockableFiles(files, name, o.Format, o.ExcludeNewer); len(out) > 0 {
		return out
	}
	for i := range files {
		files[i].Compatible = true
	}
	return lockableFiles(files, name, o.Format, o.ExcludeNewer)
}

// lockDependencies lists rp's dependencies once per name, or once per
// version the package uses (with version set) when the lock holds that name
// at several versions (universal locks only).
func lockDependencies(sol *resolver.Result, rp *resolver.Package, count map[string]int) []lockfile.Dependency {
	var out []lockfile.Dependency
	add := func(d lockfile.Dependency) {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	for _, e := range rp.Dependencies {
		if count[e.Name] < 2 {
			add(lockfile.Dependency{Name: e.Name})
			continue
		}
		for _, t := range sol.DependencyVersions(rp, e) {
			add(lockfile.Dependency{Name: e.Name, Version: t.Version.String()})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
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

// addFiles lists files (best first) in pkg: every wheel, sorted by name, and
// the first sdist; the first wheel's Requires-Python fills the package's.
func addFiles(pkg *lockfile.Package, files []SnapshotFile) {
	for _, f := range files {
		switch {
		case f.Wheel:
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
func lockableFiles(files []SnapshotFile, name string, fc reqfile.FormatControl, cutoff time.Time) []SnapshotFile {
	binary, source := fc.Allowed(name)
	var ok, yanked []SnapshotFile
	for _, f := range files {
		switch {
		case !cutoff.IsZero() && f.UploadTime.After(cutoff):
		case f.Wheel && (!f.Compatible || !binary), !f.Wheel && !source:
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

func artifact(f SnapshotFile) lockfile.Artifact {
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
