package resolver

import (
	"context"
	"slices"

	"github.com/pylock/pylock/pypi/pep440"
)

// choose is PubGrub decision making: it picks the undecided package with
// a positive derivation that comes first in the decision order (queue.go:
// conflict class, fewest usable versions, the one seen first), then its
// best version, adding that version's dependencies. It
// returns the package to propagate from, or nil when every package is
// decided.
func (s *solver) choose(ctx context.Context) (*pkg, error) {
	best, err := s.next(ctx)
	if best == nil || err != nil {
		return nil, err
	}
	return best, s.tryPackage(ctx, best)
}

// usableCount counts the usable candidates of p allowed by its current
// term, recounting only when the term changed.
func (s *solver) usableCount(p *pkg, st *pkgState) int {
	if p.countGen == st.gen {
		return p.count
	}
	n := 0
	for _, c := range p.base.cands {
		if c.usable && st.acc.set.Contains(c.v) {
			n++
		}
	}
	p.count, p.countGen = n, st.gen
	return n
}

func (s *solver) tryPackage(ctx context.Context, p *pkg) error {
	set := s.sol.acc(p).set
	c := s.pick(p, set)
	if c == nil {
		s.addIncompat(&incompat{terms: []term{{p, true, set}}, kind: causeNoVersions, reason: s.noVersionsReason(p, set)})
		return nil
	}
	s.hintWalk(p, set, c)
	dl, err := s.dependencies(ctx, p, c)
	if err != nil {
		return err
	}
	if dl.unavailable != "" {
		s.addIncompat(&incompat{terms: []term{{p, true, s.span(p, c)}}, kind: causeUnavailable, reason: dl.unavailable, why: dl.why, err: dl.err})
		s.hintFailed(p, set, c)
		return nil
	}
	if ic := s.addDependencies(ctx, p, c, dl); ic != nil {
		s.recordConflict(p, ic)
		s.hintFailed(p, set, c)
		return nil
	}
	s.sol.decide(p, c, c.exact())
	s.walkDecided(dl)
	s.walkSiblings(ctx, p, c)
	s.stats.Decisions++
	s.event("decide", p, c, nil)
	return nil
}

// pick returns the candidate to try for p within set: the locked
// preference, the version another node of the same project already
// decided, else the highest (or lowest) usable one.
func (s *solver) pick(p *pkg, set pep440.Set) *cand {
	cands := p.base.cands
	ok := func(c *cand) bool { return c.usable && set.Contains(c.v) }
	if v, found := s.preferred(p.name); found {
		for _, c := range cands {
			if c.v.Equal(v) && ok(c) {
				return c
			}
		}
	}
	if c := s.siblingDecision(p); c != nil && ok(c) {
		return c
	}
	lowest := s.opts.Resolution == ResolutionLowest || s.opts.Resolution == ResolutionLowestDirect && p.base.direct
	if lowest {
		for _, c := range cands {
			if ok(c) {
				return c
			}
		}
		return nil
	}
	for i := len(cands) - 1; i >= 0; i-- {
		if ok(cands[i]) {
			return cands[i]
		}
	}
	return nil
}

func (s *solver) preferred(name string) (pep440.Version, bool) {
	if s.opts.Upgrade || slices.Contains(s.opts.UpgradePackages, name) {
		return pep440.Version{}, false
	}
	v, ok := s.opts.Preferences[name]
	return v, ok
}

// siblingDecision returns the version decided for p's project or one of
// its extras, if any.
func (s *solver) siblingDecision(p *pkg) *cand {
	if p.isRoot() {
		return nil
	}
	if st := s.sol.st(p.base); st.decided {
		return st.cand
	}
	for _, q := range p.base.extras {
		if q != p {
			if st := s.sol.st(q); st.decided {
				return st.cand
			}
		}
	}
	return nil
}

// addDependencies adds c's dependency (and conflict-hook) incompatibilities
// for node p and returns the first of them that the partial solution
// already violates given p = c, if any.
func (s *solver) addDependencies(ctx context.Context, p *pkg, c *cand, dl *depList) *incompat {
	if !c.t().markAdded(p) {
		return nil
	}
	// Adding incompatibilities does not change the partial solution, so
	// checking each as it is added finds the same first violated one.
	var first *incompat
	span := s.span(p, c)
	for _, d := range dl.deps {
		if ic := s.addDependency(p, span, d); first == nil && s.violatedGiven(ic, p) {
			first = ic
		}
	}
	for _, ic := range s.conflictHooks(ctx, p, c) {
		if first == nil && s.violatedGiven(ic, p) {
			first = ic
		}
	}
	return first
}

// violatedGiven reports whether every term of ic other than p's is
// satisfied by the partial solution.
func (s *solver) violatedGiven(ic *incompat, p *pkg) bool {
	for _, t := range ic.terms {
		if t.pkg != p && !satisfies(s.sol.acc(t.pkg), t) {
			return false
		}
	}
	return true
}

// addDependency adds {p ∈ span, not d}, merging it with the incompatibility
// for the neighbouring versions when they have the same requirement.
func (s *solver) addDependency(p *pkg, span pep440.Set, d dep) *incompat {
	if d.bad != "" {
		// {p ∈ span, not d ∈ ∅} always has its second term true, so it is
		// {p ∈ span}; kept as written, that term would have no satisfier in
		// conflict resolution. A self-requirement is not a second package.
		ic := &incompat{terms: []term{{p, true, span}}, kind: causeBadDep, req: d.spec, to: d.pkg, reason: d.bad}
		s.addIncompat(ic)
		return ic
	}
	key := depKey(p, d.pkg)
	if prev := s.depMerge[key]; prev != nil && prev.terms[1].set.Equal(d.set) {
		merged := newDependency(p, prev.terms[0].set.Union(span), d.pkg, d.set, d.spec)
		s.replaceIncompat(prev, merged)
		s.depMerge[key] = merged
		return merged
	}
	ic := newDependency(p, span, d.pkg, d.set, d.spec)
	s.addIncompat(ic)
	s.depMerge[key] = ic
	return ic
}

// depKey identifies the dependency of node p on node to (depMerge).
func depKey(p, to *pkg) uint64 { return uint64(p.id)<<32 | uint64(uint32(to.id)) }

// span returns a set containing c and no other candidate of p: the
// interval from c up to the next candidate (from the bottom for the lowest
// candidate), so that merged ranges stay few intervals and learned terms
// never leave gaps between candidates; {c} for local versions.
func (s *solver) span(p *pkg, c *cand) pep440.Set {
	t := c.t()
	if t.span.IsEmpty() { // a span is never empty: it holds c
		t.span = computeSpan(p, c)
	}
	return t.span
}

// computeSpan is span without the cache (the result depends only on c and
// its project's candidates, shared by the project and its extras).
func computeSpan(p *pkg, c *cand) pep440.Set {
	if p.isRoot() || c.v.Local() != "" {
		return exact(c.v)
	}
	cands := p.base.cands
	i := slices.Index(cands, c)
	set, ok := atLeast(c.v)
	if !ok {
		return exact(c.v)
	}
	if i == 0 {
		set = pep440.Full()
	}
	if i+1 < len(cands) {
		next := cands[i+1].v
		above, ok := atLeast(next)
		if next.Local() != "" || !ok {
			return exact(c.v)
		}
		set = set.Difference(above)
	}
	if !set.Contains(c.v) || i+1 < len(cands) && set.Contains(cands[i+1].v) || i > 0 && set.Contains(cands[i-1].v) {
		return exact(c.v)
	}
	return set
}

// atLeast returns {x : x >= v}.
func atLeast(v pep440.Version) (pep440.Set, bool) { return pep440.AtLeast(v) }

// conflictHooks turns Options.Conflicts into incompatibilities.
func (s *solver) conflictHooks(ctx context.Context, p *pkg, c *cand) []*incompat {
	if s.opts.Conflicts == nil || p.isRoot() || p.extra != "" {
		return nil
	}
	var out []*incompat
	for _, cf := range s.opts.Conflicts(ctx, p.name, c.v) {
		other := s.reg.get(cf.Name, "")
		terms := []term{{p, true, s.span(p, c)}, {other, true, cf.Set}}
		if other == p {
			// A rule on the candidate's own project: one project has one
			// version, so the rule rules out this version when its set
			// holds it and says nothing otherwise (two positive terms on
			// one package are no incompatibility the solver can learn).
			if !cf.Set.Contains(c.v) {
				continue
			}
			terms = []term{{p, true, exact(c.v)}}
		}
		ic := &incompat{terms: terms, kind: causeConflictHook, reason: cf.Reason}
		s.addIncompat(ic)
		out = append(out, ic)
	}
	return out
}
