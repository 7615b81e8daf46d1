package audit

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/resolver"
)

// boundary finds when the provider's first final release of rule.Major was
// uploaded (the earliest upload among its files), from the index's files.
func boundary(rule Rule, files []index.File) (time.Time, string, bool) {
	var first pep440.Version
	for _, f := range files {
		v, ok := fileVersion(f.Filename)
		if !ok || v.IsPrerelease() || v.Major() < rule.Major {
			continue
		}
		if first.IsZero() || v.Less(first) {
			first = v
		}
	}
	if first.IsZero() {
		return time.Time{}, "", false
	}
	var at time.Time
	for _, f := range files {
		if v, ok := fileVersion(f.Filename); ok && v.Equal(first) && !f.UploadTime.IsZero() {
			if at.IsZero() || f.UploadTime.Before(at) {
				at = f.UploadTime
			}
		}
	}
	return at, first.String(), !at.IsZero()
}

// majorSet is every version of major m or later, pre-releases included.
func majorSet(m int) pep440.Set {
	s, err := pep440.ParseSpecifierSet(fmt.Sprintf(">=%d.dev0", m))
	if err != nil {
		panic(err)
	}
	return s.Set()
}

func abiHint(rule Rule, pkg, firstAfter string) string {
	h := fmt.Sprintf("ways out:\n  1. constrain the provider: add \"%s<%d\" to your requirements or constraints and re-lock\n", rule.Provider, rule.Major)
	if firstAfter != "" {
		return h + fmt.Sprintf("  2. move %s to a release built after it (%s>=%s) and re-lock", pkg, pkg, firstAfter)
	}
	return h + fmt.Sprintf("  2. move %s to a release built after it and re-lock", pkg)
}

// Hazard is one risky pair found in a lock: a dependent whose compiled
// wheels predate a rule's boundary, locked with the provider at the rule's
// major or later.
type Hazard struct {
	Rule            Rule
	Package         string    // the dependent, canonical
	Version         string    // its locked version
	ProviderVersion string    // the provider's locked version
	Boundary        time.Time // the upload date of FirstRelease (or the rule's fallback date)
	FirstRelease    string    // the provider's first final release of the major, "2.0.0"
	Finding         Finding   // the audit finding (KindABI, error) with the ways out
}

// CheckABI flags locked packages that ship compiled wheels, depend on a rule's
// provider, and whose wheels were all uploaded before the provider's first
// release of the rule's major while the lock holds that major or later.
// lookup may be nil (offline): the rule's fallback date is used and a note
// says so.
func CheckABI(ctx context.Context, l *lockfile.Lock, rules []Rule, lookup Lookup) ([]Finding, []string, error) {
	hs, notes, err := FindABIHazards(ctx, l, rules, lookup)
	out := make([]Finding, 0, len(hs))
	for _, h := range hs {
		out = append(out, h.Finding)
	}
	return out, notes, err
}

// FindABIHazards is CheckABI with the evidence of each finding: see Hazard.
func FindABIHazards(ctx context.Context, l *lockfile.Lock, rules []Rule, lookup Lookup) ([]Hazard, []string, error) {
	var out []Hazard
	var notes []string
	idx := lockIndex(l)
	for _, rule := range rules {
		for _, prov := range idx[rule.Provider] {
			pv, err := pep440.Parse(prov.Version)
			if err != nil || pv.Major() < rule.Major {
				continue
			}
			when, firstMajor := rule.FallbackDate, fmt.Sprintf("%d.0.0", rule.Major)
			var provFiles []index.File
			if lookup != nil {
				proj, err := lookup(ctx, rule.Provider, prov.Index)
				switch {
				case errors.Is(err, index.ErrNotFound):
					notes = append(notes, fmt.Sprintf("abi guard: %s is not on the index; using %s %d.0 date %s from the rule table", rule.Provider, rule.Provider, rule.Major, rule.FallbackDate.Format("2006-01-02")))
				case err != nil:
					return out, notes, fmt.Errorf("abi guard: looking up %s: %w", rule.Provider, err)
				default:
					provFiles = proj.Files
				}
				if at, v, ok := boundary(rule, provFiles); ok {
					when, firstMajor = at, v
				}
			} else {
				notes = append(notes, fmt.Sprintf("abi guard: index not consulted; using %s %d.0 date %s from the rule table", rule.Provider, rule.Major, rule.FallbackDate.Format("2006-01-02")))
			}
			for i := range l.Packages {
				p := &l.Packages[i]
				f, err := abiFinding(ctx, rule, p, prov, when, firstMajor, lookup)
				if err != nil {
					return out, notes, err
				}
				if f != nil {
					out = append(out, Hazard{Rule: rule, Package: canonical(p.Name), Version: p.Version, ProviderVersion: prov.Version,
						Boundary: when, FirstRelease: firstMajor, Finding: *f})
				}
			}
		}
	}
	return out, notes, nil
}

func dependsOn(p *lockfile.Package, name string) bool {
	for _, d := range p.Dependencies {
		if canonical(d.Name) == name {
			return true
		}
	}
	return false
}

func abiFinding(ctx context.Context, rule Rule, p, prov *lockfile.Package, when time.Time, firstMajor string, lookup Lookup) (*Finding, error) {
	name := canonical(p.Name)
	if name == rule.Provider || !dependsOn(p, rule.Provider) {
		return nil, nil
	}
	// Only compiled wheels carry the ABI; an sdist or pure wheel uploaded
	// later says nothing about them.
	var times []time.Time
	for _, w := range p.Wheels {
		if compiled(w.Name) {
			times = append(times, w.UploadTime)
		}
	}
	if len(times) == 0 {
		return nil, nil
	}
	var proj *index.Project
	if lookup != nil {
		if pr, err := lookup(ctx, name, p.Index); err == nil {
			proj = pr
			var idx []time.Time
			for _, f := range filesOf(pr, p.Version) {
				if compiled(f.Filename) {
					idx = append(idx, f.UploadTime)
				}
			}
			if len(idx) > 0 {
				times = idx
			}
		}
	}
	latest := time.Time{}
	for _, t := range times {
		if t.IsZero() {
			return nil, nil // unknown upload time: cannot judge
		}
		if t.After(latest) {
			latest = t
		}
	}
	if latest.IsZero() || !latest.Before(when) {
		return nil, nil
	}
	after := ""
	if proj != nil {
		after = firstReleaseAfter(proj, when)
	}
	return &Finding{Kind: KindABI, Severity: Error, Package: name, Related: rule.Provider + "==" + prov.Version,
		Message: fmt.Sprintf("%s==%s ships compiled wheels, all uploaded before %s %s (%s; newest wheel %s), so they were built against the %s %d.x ABI, but the lock holds %s==%s. %s.",
			name, p.Version, rule.Provider, firstMajor, when.UTC().Format("2006-01-02"), latest.UTC().Format("2006-01-02"),
			rule.Provider, rule.Major-1, rule.Provider, prov.Version, rule.Reason),
		Hint: abiHint(rule, name, after)}, nil
}

// firstReleaseAfter returns the lowest final version all of whose files were
// uploaded on or after t and that ships a compiled wheel.
func firstReleaseAfter(proj *index.Project, t time.Time) string {
	type agg struct {
		v        pep440.Version
		earliest time.Time
		compiled bool
	}
	by := map[string]*agg{}
	for _, f := range proj.Files {
		v, ok := fileVersion(f.Filename)
		if !ok || v.IsPrerelease() || f.Yanked {
			continue
		}
		a := by[v.String()]
		if a == nil {
			a = &agg{v: v, earliest: f.UploadTime}
			by[v.String()] = a
		}
		if f.UploadTime.Before(a.earliest) {
			a.earliest = f.UploadTime
		}
		a.compiled = a.compiled || compiled(f.Filename)
	}
	var best pep440.Version
	for _, a := range by {
		if a.compiled && !a.earliest.IsZero() && !a.earliest.Before(t) && (best.IsZero() || a.v.Less(best)) {
			best = a.v
		}
	}
	if best.IsZero() {
		return ""
	}
	return best.String()
}

// Source is what the resolve-time guard needs from the index.
type Source interface {
	Project(ctx context.Context, name string) (*index.Project, error)
	Metadata(ctx context.Context, f index.File) (*index.Metadata, error)
}

// Applied records one conflict the guard declared.
type Applied struct {
	Package, Version, Provider string
	Boundary                   time.Time
	FirstMajor                 string
	Rule                       Rule // the rule that applied
}

// Guard applies the ABI rules while resolving: a candidate with compiled
// wheels built before a provider's next major conflicts with that major.
type Guard struct {
	rules []Rule
	src   Source
	env   pep508.Env // markers of Requires-Dist evaluated here; nil = all count
	mu    sync.Mutex
	bound map[string]boundInfo
	seen  map[string]Applied

	unread map[string]string                  // "name==version" -> why its metadata could not be read
	byVer  map[string]map[string][]index.File // project -> version key -> compiled wheels (compiledWheels)
	// rank orders the wheels whose metadata requires reads first (nil:
	// file name order alone; see WithWheelRank).
	rank func(filename string) (int, bool)
}

// WithEnv makes the guard evaluate Requires-Dist markers in env (the
// resolve target), so a dependency on the provider that does not apply to
// the target does not trigger the rule. It returns g.
func (g *Guard) WithEnv(env pep508.Env) *Guard {
	g.env = env
	return g
}

// WithWheelRank makes the guard read a release's metadata from its
// compiled wheels in the order rank gives (the lowest first; wheels it
// reports false for after the others, each group in file name order):
// given the resolver's own ranking for its target, the guard reads the
// wheel whose metadata the resolver already read, instead of fetching
// another one's (opencv-python's macOS wheel before its manylinux one).
// It must be called before the guard is used, and returns g.
func (g *Guard) WithWheelRank(rank func(filename string) (int, bool)) *Guard {
	g.rank = rank
	return g
}

type boundInfo struct {
	at    time.Time
	first string
}

// NewGuard returns a guard over src. It keeps no context: each call that
// may fetch takes the caller's.
func NewGuard(rules []Rule, src Source) *Guard {
	return &Guard{rules: rules, src: src, bound: map[string]boundInfo{}, seen: map[string]Applied{}, unread: map[string]string{},
		byVer: map[string]map[string][]index.File{}}
}

// NewABIGuard returns the resolver hook of a new guard.
func NewABIGuard(rules []Rule, src Source) func(context.Context, string, pep440.Version) []resolver.Conflict {
	return NewGuard(rules, src).Conflicts
}

func (g *Guard) boundary(ctx context.Context, rule Rule) boundInfo {
	g.mu.Lock()
	defer g.mu.Unlock()
	if b, ok := g.bound[rule.Provider]; ok {
		return b
	}
	b := boundInfo{at: rule.FallbackDate, first: fmt.Sprintf("%d.0.0", rule.Major)}
	if proj, err := g.src.Project(ctx, rule.Provider); err == nil {
		if at, v, ok := boundary(rule, proj.Files); ok {
			b = boundInfo{at: at, first: v}
		}
	}
	g.bound[rule.Provider] = b
	return b
}

// Conflicts is the resolver.Options.Conflicts hook; ctx bounds the index
// requests it makes.
func (g *Guard) Conflicts(ctx context.Context, name string, v pep440.Version) []resolver.Conflict {
	var out []resolver.Conflict
	for _, rule := range g.rules {
		if name == rule.Provider {
			continue
		}
		proj, err := g.src.Project(ctx, name)
		if err != nil {
			return nil
		}
		var wheels []index.File // compiled wheels, in file name order
		latest := time.Time{}
		for _, f := range g.compiledWheels(name, proj, v) {
			if !compiled(f.Filename) {
				continue // sdists and pure wheels do not carry the ABI
			}
			if f.UploadTime.IsZero() {
				return nil
			}
			if f.UploadTime.After(latest) {
				latest = f.UploadTime
			}
			wheels = append(wheels, f)
		}
		if len(wheels) == 0 {
			continue
		}
		b := g.boundary(ctx, rule)
		if rule.accepts(EvidenceUploadedAfter) && !latest.Before(b.at) {
			continue
		}
		deps, set, err := g.requires(ctx, wheels, rule.Provider)
		if err != nil {
			g.mu.Lock()
			g.unread[name+"=="+v.String()] = err.Error()
			g.mu.Unlock()
			continue
		}
		if !deps || set.Disjoint(majorSet(rule.Major)) {
			continue // no dependency, or it already keeps the provider below the major
		}
		if rule.accepts(EvidenceRequiresNewMajor) && set.SubsetOf(majorSet(rule.Major)) {
			continue // built for the new major
		}
		g.mu.Lock()
		g.seen[name+"=="+v.String()+"|"+rule.Provider] = Applied{Package: name, Version: v.String(), Provider: rule.Provider, Boundary: b.at, FirstMajor: b.first, Rule: rule}
		g.mu.Unlock()
		out = append(out, resolver.Conflict{Name: rule.Provider, Set: majorSet(rule.Major),
			Reason: fmt.Sprintf("%s==%s ships compiled wheels uploaded before %s %s (%s), built against the %s %d.x ABI (ABI guard; --no-abi-guard turns it off)",
				name, v, rule.Provider, b.first, b.at.UTC().Format("2006-01-02"), rule.Provider, rule.Major-1)})
	}
	return out
}

// requires reports whether the metadata of a release's compiled wheels
// requires provider (under the guard's environment) and the versions its
// requirements admit together. It reads the first wheel whose metadata it
// can get, wheels (in file name order) taken in the order WithWheelRank
// sets (ranked): wheels of one release share their Requires-Dist, and the
// one the resolver ranks first is the one it has read already (and,
// offline, may be the only one cached). The answer does not depend on map
// order or on which metadata is cached.
// When no wheel's metadata can be read it returns the error: the guard
// cannot tell, and says so (Unread) rather than passing the release.
func (g *Guard) requires(ctx context.Context, wheels []index.File, provider string) (bool, pep440.Set, error) {
	var md *index.Metadata
	var lastErr error
	for _, f := range g.ranked(wheels) {
		m, err := g.src.Metadata(ctx, f)
		if err == nil {
			md = m
			break
		}
		lastErr = err
	}
	if md == nil {
		return false, pep440.Set{}, lastErr
	}
	found, set := false, pep440.Set{}
	for _, r := range md.RequiresDist {
		req, err := pep508.ParseRequirement(r)
		if err != nil || req.NormalizedName() != provider {
			continue
		}
		if g.env != nil && !req.Marker.IsTrue() {
			if ok, err := req.Marker.Evaluate(g.env); err == nil && !ok {
				continue
			}
		}
		if !found {
			found, set = true, req.Specifier.Set()
		} else {
			set = set.Union(req.Specifier.Set()) // either may apply (universal); conservative
		}
	}
	return found, set, nil
}

// Unread returns, for the chosen releases (name -> version; nil = all),
// why the guard could not judge them: no compiled wheel's metadata could
// be read. Sorted; one line each.
func (g *Guard) Unread(chosen map[string]string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for key, why := range g.unread {
		name, version, _ := strings.Cut(key, "==")
		if chosen == nil || chosen[name] == version {
			out = append(out, fmt.Sprintf("abi-guard: could not check %s: reading its metadata failed: %s", key, why))
		}
	}
	sort.Strings(out)
	return out
}

// Applied returns the conflicts declared so far whose package was chosen
// in the given resolution (name -> version), sorted.
func (g *Guard) Applied(chosen map[string]string) []Applied {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Applied
	for _, a := range g.seen {
		if chosen == nil || chosen[a.Package] == a.Version {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Package+out[i].Version+out[i].Provider < out[j].Package+out[j].Version+out[j].Provider
	})
	return out
}

// Explain renders applied conflicts for the resolve summary.
func (a Applied) Explain() string {
	return fmt.Sprintf("abi-guard: kept %s below %s for %s==%s: its compiled wheels were all uploaded before %s %s (%s)",
		a.Provider, a.FirstMajor, a.Package, a.Version, a.Provider, a.FirstMajor, a.Boundary.UTC().Format("2006-01-02"))
}

// compiledWheels returns the compiled wheels of name==v in proj, once per
// file name, in file name order: only they carry an ABI. The resolver asks
// about every version it tries, so the project's wheels are grouped by
// version once (sdists and "-any" wheels skipped without parsing their
// names), not parsed again per question.
func (g *Guard) compiledWheels(name string, proj *index.Project, v pep440.Version) []index.File {
	g.mu.Lock()
	idx, ok := g.byVer[name]
	g.mu.Unlock()
	if !ok {
		byName := map[string]map[string]index.File{}
		for _, f := range proj.Files {
			fn := f.Filename
			if !strings.HasSuffix(fn, ".whl") || strings.HasSuffix(fn, "-any.whl") || !compiled(fn) {
				continue
			}
			if fv, ok := fileVersion(fn); ok {
				if byName[fv.Key()] == nil {
					byName[fv.Key()] = map[string]index.File{}
				}
				byName[fv.Key()][fn] = f
			}
		}
		idx = make(map[string][]index.File, len(byName))
		for k, files := range byName {
			idx[k] = sortedFiles(files)
		}
		g.mu.Lock()
		g.byVer[name] = idx
		g.mu.Unlock()
	}
	return idx[v.Key()]
}

// sortedFiles lists files in file name order.
func sortedFiles(files map[string]index.File) []index.File {
	out := make([]index.File, 0, len(files))
	for _, name := range slices.Sorted(maps.Keys(files)) {
		out = append(out, files[name])
	}
	return out
}

// ranked returns the wheels of one release (in file name order) in the
// order WithWheelRank sets, in a new slice; only the releases whose
// metadata the guard reads are ranked.
func (g *Guard) ranked(files []index.File) []index.File {
	if g.rank == nil || len(files) < 2 {
		return files
	}
	out := slices.Clone(files)
	type ranked struct {
		r  int
		ok bool
	}
	rs := make(map[string]ranked, len(out))
	for _, f := range out {
		r, ok := g.rank(f.Filename)
		rs[f.Filename] = ranked{r, ok}
	}
	slices.SortStableFunc(out, func(a, b index.File) int {
		ra, rb := rs[a.Filename], rs[b.Filename]
		switch {
		case ra.ok != rb.ok:
			if ra.ok {
				return -1
			}
			return 1
		case ra.ok && ra.r != rb.r:
			return ra.r - rb.r
		}
		return 0
	})
	return out
}
