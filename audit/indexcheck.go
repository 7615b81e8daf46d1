package audit

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/target"
	"github.com/pylock/pylock/pypi/wheel"
)

// Lookup returns the index's current view of a locked package's project.
// Errors wrapping index.ErrNotFound mean the project is gone.
type Lookup func(ctx context.Context, name, indexURL string) (*index.Project, error)

func canonical(s string) string { return names.Canonicalize(s) }

// CheckIndex compares each locked package with the index: yanked pins, file
// hashes, files added or removed, newer versions (inside and outside the
// root requirements), and projects gone. Added files are those the lock
// would hold: for target t, its compatible wheels and sdists; without a
// target (nil), files uploaded after the newest locked file. A non-not-found
// lookup error aborts the check (an index failure, exit 3).
func CheckIndex(ctx context.Context, l *lockfile.Lock, roots []pep508.Requirement, t *target.Target, lookup Lookup) ([]Finding, error) {
	rootSpec := map[string][]pep440.SpecifierSet{}
	for _, r := range roots {
		rootSpec[r.NormalizedName()] = append(rootSpec[r.NormalizedName()], r.Specifier)
	}
	projs, errs := fetchAll(ctx, l, lookup)
	var out []Finding
	for i := range l.Packages {
		p := &l.Packages[i]
		if isDirect(p) {
			continue // not from an index: CheckSources looks at it
		}
		name := canonical(p.Name)
		proj, err := projs[i], errs[i]
		if errors.Is(err, index.ErrNotFound) {
			out = append(out, Finding{Kind: KindProjectGone, Severity: Error, Package: name,
				Message: fmt.Sprintf("%s==%s: the index no longer has a project %q", name, p.Version, name),
				Hint:    "the project was removed or renamed; find a replacement and re-lock"})
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, compareFiles(p, proj, t)...)
		if f := newer(p, proj, rootSpec[name]); f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

// lookupConcurrency bounds the index lookups CheckIndex runs at once.
const lookupConcurrency = 8

// fetchAll looks up every locked package, a few at a time; results are in
// lock order.
func fetchAll(ctx context.Context, l *lockfile.Lock, lookup Lookup) ([]*index.Project, []error) {
	projs := make([]*index.Project, len(l.Packages))
	errs := make([]error, len(l.Packages))
	sem := make(chan struct{}, lookupConcurrency)
	var wg sync.WaitGroup
	for i := range l.Packages {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			p := &l.Packages[i]
			if !isDirect(p) {
				projs[i], errs[i] = lookup(ctx, canonical(p.Name), p.Index)
			}
		}(i)
	}
	wg.Wait()
	return projs, errs
}

// filesOf returns the index files of one version, by filename.
func filesOf(proj *index.Project, version string) map[string]index.File {
	want, err := pep440.Parse(version)
	out := map[string]index.File{}
	for _, f := range proj.Files {
		v, ok := fileVersion(f.Filename)
		if ok && err == nil && v.Equal(want) {
			out[f.Filename] = f
		}
	}
	return out
}

// lockable reports whether the lock would hold f: a wheel compatible with
// t, or an sdist; without a target, a file uploaded after newest.
func lockable(f index.File, t *target.Target, newest time.Time) bool {
	if t == nil {
		return !newest.IsZero() && f.UploadTime.After(newest)
	}
	if !strings.HasSuffix(f.Filename, ".whl") {
		return true
	}
	w, err := wheel.ParseFilename(f.Filename)
	if err != nil {
		return false
	}
	_, ok := t.Rank(w)
	return ok
}

func compareFiles(p *lockfile.Package, proj *index.Project, t *target.Target) []Finding {
	name := canonical(p.Name)
	idx := filesOf(proj, p.Version)
	var out []Finding
	locked := map[string]bool{}
	arts := append([]lockfile.Artifact{}, p.Wheels...)
	if p.Sdist != nil {
		arts = append(arts, *p.Sdist)
	}
	yanked := ""
	var newest time.Time
	for _, a := range arts {
		if a.UploadTime.After(newest) {
			newest = a.UploadTime
		}
		fn := a.Name
		if fn == "" {
			fn = baseName(a.URL)
		}
		locked[fn] = true
		f, ok := idx[fn]
		if !ok {
			out = append(out, Finding{Kind: KindFileRemoved, Severity: Warning, Package: name,
				Message: fmt.Sprintf("%s==%s: locked file %s is no longer listed", name, p.Version, fn)})
			continue
		}
		if f.Yanked && yanked == "" {
			yanked = "yanked"
			if f.YankedReason != "" {
				yanked = fmt.Sprintf("yanked: %q", f.YankedReason)
			}
		}
		for algo, want := range a.Hashes {
			if got, ok := f.Hashes[algo]; ok && !strings.EqualFold(got, want) {
				out = append(out, Finding{Kind: KindHashMismatch, Severity: Error, Package: name,
					Message: fmt.Sprintf("%s==%s: %s %s is %s on the index, %s in the lock", name, p.Version, fn, algo, got, want),
					Hint:    "the file was replaced on the index; do not install it until you know why"})
			}
		}
	}
	if yanked != "" {
		out = append(out, Finding{Kind: KindYanked, Severity: Error, Package: name,
			Message: fmt.Sprintf("%s==%s is %s", name, p.Version, yanked),
			Hint:    "re-lock to move off it (pylock resolve -P " + name + ")"})
	}
	added := []string{}
	for fn := range idx {
		if !locked[fn] && lockable(idx[fn], t, newest) {
			added = append(added, fn)
		}
	}
	sort.Strings(added)
	for _, fn := range added {
		out = append(out, Finding{Kind: KindFileAdded, Severity: Info, Package: name,
			Message: fmt.Sprintf("%s==%s: %s was added to the index after the lock", name, p.Version, fn)})
	}
	return out
}

// newer reports the newest final, non-yanked release above the locked one.
func newer(p *lockfile.Package, proj *index.Project, specs []pep440.SpecifierSet) *Finding {
	cur, err := pep440.Parse(p.Version)
	if err != nil {
		return nil
	}
	var best, bestInside pep440.Version
	yanked := map[string]bool{}
	seen := map[string]bool{}
	for _, f := range proj.Files {
		v, ok := fileVersion(f.Filename)
		if !ok {
			continue
		}
		if f.Yanked {
			yanked[v.String()] = true
		} else {
			seen[v.String()] = true
		}
	}
	for s := range seen {
		v, _ := pep440.Parse(s)
		if yanked[s] && !seen[s] || v.IsPrerelease() || !cur.Less(v) {
			continue
		}
		if best.IsZero() || best.Less(v) {
			best = v
		}
		inside := true
		for _, sp := range specs {
			inside = inside && sp.Contains(v)
		}
		if inside && (bestInside.IsZero() || bestInside.Less(v)) {
			bestInside = v
		}
	}
	if best.IsZero() {
		return nil
	}
	name := canonical(p.Name)
	msg := fmt.Sprintf("%s: locked %s, newest %s", name, p.Version, best)
	switch {
	case len(specs) == 0:
	case bestInside.IsZero():
		msg += fmt.Sprintf(" (outside your requirement %s)", joinSpecs(name, specs))
	case bestInside.Equal(best):
		msg += fmt.Sprintf(" (allowed by your requirement %s)", joinSpecs(name, specs))
	default:
		msg += fmt.Sprintf("; newest allowed by %s is %s", joinSpecs(name, specs), bestInside)
	}
	return &Finding{Kind: KindNewerVersion, Severity: Info, Package: name, Message: msg}
}

func joinSpecs(name string, specs []pep440.SpecifierSet) string {
	parts := []string{}
	for _, s := range specs {
		if s.Len() > 0 {
			parts = append(parts, s.String())
		}
	}
	if len(parts) == 0 {
		return name
	}
	return name + strings.Join(parts, ",")
}

func baseName(u string) string {
	if i := strings.LastIndexAny(u, "/\\"); i >= 0 {
		u = u[i+1:]
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return u
}
