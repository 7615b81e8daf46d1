package resolver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pylock/pylock/pypi/pep440"
)

// ErrInvalidMetadata may be wrapped by Provider.Metadata when one version's
// metadata cannot be used (unparsable Requires-Dist, ...): the resolver then
// skips that version with the error as the reason instead of failing
// (see errors.go for the other kinds).
var ErrInvalidMetadata = errors.New("invalid metadata")

// pkg is one node of the PubGrub graph: the root, a project ("a") or an
// extra of a project ("a[x]", a virtual package that depends on a==v plus
// the extra's requirements). The identity is (name, extra); universal
// forking would add a marker to it.
type pkg struct {
	id     int
	name   string // canonical project name; "" for the root
	extra  string // canonical extra, "" for the project itself
	base   *pkg   // the project node (itself for projects)
	direct bool   // required by the root

	// Project nodes only: candidate versions, ascending.
	loaded   bool
	cands    []*cand
	notFound error // non-nil: the provider's ErrProjectNotFound error
	allowPre bool

	deps       map[*cand]*depList // extra nodes: per-candidate dependencies (projects use cand.deps)
	prefetched bool               // hintBest done
	misses     int                // project nodes: versions that failed at once (see hintFailed)
	lastTried  *cand              // project nodes: the version last decided or tried (see hintWalk)
	count      int                // usable versions under the term of generation countGen
	countGen   int

	extras []*pkg   // project nodes: the extra nodes of the project, in id order
	state  pkgState // what the partial solution knows about it (partial.st)
	dirty  bool     // in partial.dirty
	stamp  int      // bumped when the package is re-keyed in the decision queue
	// Conflict-driven prioritisation (conflicts.go).
	affected, culprit int  // conflicts in which it was rejected / did the rejecting
	early, late       bool // decided before / after the others
}

func (p *pkg) isRoot() bool { return p.name == "" }

// String is the display name: "a", "a[x]" or "your requirements" for the root.
func (p *pkg) String() string {
	switch {
	case p.isRoot():
		return "your requirements"
	case p.extra != "":
		return p.name + "[" + p.extra + "]"
	}
	return p.name
}

// cand is one candidate version of a project with its availability.
type cand struct {
	v      pep440.Version
	dists  []Dist
	usable bool
	hinted bool    // its metadata was hinted to Provider.Prefetch
	why    whyKind // the kind of reason
	reason string  // why not usable, e.g. "requires Python >=3.12, the target is 3.11"
	tried  *tried  // solver state once the candidate is tried, else nil
}

// tried is what the solver keeps about a candidate it tried (kept apart
// from cand: most candidates are never tried, and the walk's guesses
// build candidates too).
type tried struct {
	added *pkg       // the first node whose dependency incompatibilities at c were added
	more  []*pkg     // the others (a project and its extras share candidates)
	deps  *depList   // the project node's dependencies at c (depsOf)
	span  pep440.Set // cached span (choose.go), empty until computed
	exact pep440.Set // cached {v}, empty until computed
}

// markAdded records that node p's dependency incompatibilities at the
// candidate are added; false if they already were.
func (t *tried) markAdded(p *pkg) bool {
	switch {
	case t.added == p || slices.Contains(t.more, p):
		return false
	case t.added == nil:
		t.added = p
	default:
		t.more = append(t.more, p)
	}
	return true
}

// t returns c's tried state, creating it.
func (c *cand) t() *tried {
	if c.tried == nil {
		c.tried = &tried{}
	}
	return c.tried
}

// depsOf returns node p's dependencies at c, if computed.
func depsOf(p *pkg, c *cand) *depList {
	if p.extra == "" {
		if c.tried == nil {
			return nil
		}
		return c.tried.deps
	}
	return p.deps[c]
}

// setDeps records node p's dependencies at c.
func setDeps(p *pkg, c *cand, dl *depList) {
	if p.extra == "" {
		c.t().deps = dl
		return
	}
	if p.deps == nil {
		p.deps = map[*cand]*depList{}
	}
	p.deps[c] = dl
}

// exact returns {c.v}, built once.
func (c *cand) exact() pep440.Set {
	t := c.t()
	if t.exact.IsEmpty() {
		t.exact = exact(c.v)
	}
	return t.exact
}

// dep is one active requirement of a candidate.
type dep struct {
	pkg  *pkg
	set  pep440.Set
	spec string // specifier as written ("" = any)
	// bad, when set, says why the requirement can never be met at this
	// version (", which no version can satisfy"): the version is unusable.
	bad string
}

type depList struct {
	deps        []dep
	edges       []Edge  // for the result
	unavailable string  // non-empty: this version cannot be used
	why         whyKind // the kind of unavailable
	err         error   // the provider error behind unavailable, if any
}

// registry interns packages and loads their candidates.
type registry struct {
	s        *solver
	byID     []*pkg
	projects map[string]*pkg    // project nodes (and the root, "") by name
	extras   map[[2]string]*pkg // extra nodes by (name, extra)
}

// get returns the node for (name, extra), creating it (and prefetching).
func (r *registry) get(name, extra string) *pkg {
	if extra == "" {
		if p := r.projects[name]; p != nil {
			return p
		}
	} else if p := r.extras[[2]string{name, extra}]; p != nil {
		return p
	}
	p := &pkg{id: len(r.byID), name: name, extra: extra}
	p.base = p
	if extra != "" {
		p.base = r.get(name, "")
		p.base.extras = append(p.base.extras, p)
	}
	r.byID = append(r.byID, p)
	if extra == "" {
		r.projects[name] = p
	} else {
		if r.extras == nil {
			r.extras = map[[2]string]*pkg{}
		}
		r.extras[[2]string{name, extra}] = p
	}
	if name != "" && extra == "" {
		r.s.provider.Prefetch(name)
		r.s.addConstraints(p)
	}
	return p
}

// load fetches and filters p's candidates once.
func (r *registry) load(ctx context.Context, p *pkg) error {
	b := p.base
	if b.loaded {
		return nil
	}
	if b.isRoot() {
		b.cands = []*cand{{v: rootVersion, usable: true}}
		b.loaded = true
		return nil
	}
	cs, err := r.s.provider.Candidates(ctx, b.name)
	if err != nil && !errors.Is(err, ErrProjectNotFound) {
		return withContext(b.name, b.name, err)
	}
	b.loaded = true
	b.notFound = err
	b.cands = newCands(cs)
	r.s.filter(b)
	return nil
}

// newCands returns the candidates of cs in ascending version order (stable),
// allocated together.
func newCands(cs []Candidate) []*cand {
	store := make([]cand, len(cs))
	out := make([]*cand, len(cs))
	for i := range cs {
		store[i] = cand{v: cs[i].Version, dists: cs[i].Dists}
		out[i] = &store[i]
	}
	byVersion := func(a, b *cand) int { return a.v.Compare(b.v) }
	if !slices.IsSortedFunc(out, byVersion) {
		slices.SortStableFunc(out, byVersion)
	}
	return out
}

// versionOrder returns the indices of cs in ascending version order
// (stable).
func versionOrder(cs []Candidate) []int {
	order := make([]int, len(cs))
	for i := range order {
		order[i] = i
	}
	byVersion := func(a, b int) int { return cs[a].Version.Compare(cs[b].Version) }
	if !slices.IsSortedFunc(order, byVersion) {
		slices.SortStableFunc(order, byVersion)
	}
	return order
}

var rootVersion = pep440.MustParse("0")

// filter decides which candidates of project p are usable, recording why
// the others are not.
func (s *solver) filter(p *pkg) {
	p.allowPre = s.allowPrereleases(p)
	for _, c := range p.cands {
		c.why, c.reason = s.unusable(p, c)
		c.usable = c.reason == ""
	}
}

func (s *solver) allowPrereleases(p *pkg) bool {
	necessary := true
	for _, c := range p.cands {
		if !c.v.IsPrerelease() {
			necessary = false
			break
		}
	}
	return s.allowPre(p.name, necessary)
}

// allowPre applies the pre-release policy to project name, given whether
// every candidate is a pre-release.
func (s *solver) allowPre(name string, necessary bool) bool {
	explicit := s.explicitPre[name]
	switch s.opts.Prerelease {
	case PrereleaseAllow:
		return true
	case PrereleaseDisallow:
		return false
	case PrereleaseExplicit:
		return explicit
	case PrereleaseIfNecessary:
		return necessary
	}
	return explicit || necessary
}

// unusable returns why candidate c of p cannot be used (kind and words),
// or whyNone and "".
func (s *solver) unusable(p *pkg, c *cand) (whyKind, string) {
	if c.v.IsPrerelease() && !p.allowPre {
		return whyPrerelease, "is a pre-release (pre-releases were not enabled for " + p.name + ")"
	}
	if len(c.dists) == 0 {
		return whyNoFiles, "has no files"
	}
	// One pass over the files: passed[k] says that some file passes the
	// first k+1 filters (yanked, --exclude-newer, Requires-Python, binary
	// policy); the first filter no file passes gives the reason.
	yankOK := s.yankAllowed(p.name, c.v)
	onlyBin, noBin := s.binaryPolicy(p.name)
	var passed [4]bool
	var timely *Dist // the first file passing the first two filters
	for i := range c.dists {
		d := &c.dists[i]
		if d.Yanked && !yankOK {
			continue
		}
		passed[0] = true
		if !s.opts.ExcludeNewer.IsZero() && !d.UploadTime.IsZero() && d.UploadTime.After(s.opts.ExcludeNewer) {
			continue
		}
		passed[1] = true
		if timely == nil {
			timely = d
		}
		if !s.pythonOK(d.RequiresPython) {
			continue
		}
		passed[2] = true
		if d.Wheel && d.Compatible && !noBin || !d.Wheel && !onlyBin {
			passed[3] = true
			break
		}
	}
	switch {
	case !passed[0]:
		why := "was yanked"
		if r := c.dists[0].YankedReason; r != "" {
			why += " (reason: " + r + ")"
		}
		return whyYanked, why
	case !passed[1]:
		return whyExcludeNewer, "was uploaded after " + s.opts.ExcludeNewer.UTC().Format("2006-01-02T15:04:05Z")
	case !passed[2]:
		return whyPython, s.pythonReason(timely.RequiresPython)
	case !passed[3]:
		switch {
		case noBin && onlyBin:
			return whyBinaryPolicy, "cannot be used with both --no-binary and --only-binary"
		case noBin:
			return whyBinaryPolicy, "has no source distribution and binaries are disabled (--no-binary)"
		case onlyBin:
			return whyBinaryPolicy, "has no wheel for the target and source builds are disabled (--only-binary)"
		}
		return whyNoCompatibleDist, "has no wheel for the target platform and no source distribution"
	}
	if s.univ != nil {
		if why := s.univ.excluded(p.name, c.v); why != "" { // required environments (universal_required.go)
			return whyRequiredEnv, why
		}
	}
	return whyNone, ""
}

// usable reports whether candidate c of p can be used.
func (s *solver) usable(p *pkg, c *cand) bool {
	why, _ := s.unusable(p, c)
	return why == whyNone
}

// pythonOK reports whether the target Python satisfies Requires-Python
// spec, memoised per spec (the background walk calls it too).
func (s *solver) pythonOK(spec string) bool {
	if spec == "" || s.opts.Python.IsZero() {
		return true
	}
	s.pyMu.Lock()
	defer s.pyMu.Unlock()
	if ok, found := s.pyOK[spec]; found {
		return ok
	}
	ok := true // unparsable Requires-Python is ignored, as pip does
	if ss, err := pep440.ParseSpecifierSet(spec); err == nil {
		ok = ss.Contains(s.opts.Python)
	}
	if s.pyOK == nil {
		s.pyOK = map[string]bool{}
	}
	s.pyOK[spec] = ok
	return ok
}

func (s *solver) pythonReason(spec string) string {
	if s.univ != nil {
		return "requires Python " + spec + ", but these environments include Python " + s.opts.Python.String() + " (requires-python " + s.univ.requiresPython + ")"
	}
	return "requires Python " + spec + ", the target is " + s.opts.Python.String()
}

func (s *solver) binaryPolicy(name string) (onlyBin, noBin bool) {
	return inPolicy(s.opts.OnlyBinary, name), inPolicy(s.opts.NoBinary, name)
}

func inPolicy(b BinaryPolicy, name string) bool {
	if b.All {
		return true
	}
	for _, n := range b.Packages {
		if n == name || n == ":all:" {
			return true
		}
	}
	return false
}

// yankAllowed reports whether a root requirement or constraint pins name to
// v with == or === (PEP 592).
func (s *solver) yankAllowed(name string, v pep440.Version) bool {
	for _, ss := range s.pins[name] {
		if ss.Contains(v) {
			return true
		}
	}
	return false
}

// withContext prefixes a provider error with label unless the provider
// already named the project (index errors read "sniffio: GET …"), so
// messages never say "sniffio: sniffio: GET …".
func withContext(name, label string, err error) error {
	msg := err.Error()
	if strings.HasPrefix(msg, name+":") || strings.HasPrefix(msg, name+" ") || strings.HasPrefix(msg, name+"==") {
		return err
	}
	return fmt.Errorf("%s: %w", label, err)
}
