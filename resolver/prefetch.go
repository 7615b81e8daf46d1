package resolver

import (
	"context"

	"github.com/pylock/pylock/pypi/pep440"
)

// Prefetch hints
//
// The decision loop is single-threaded and deterministic; it only tells the
// provider, through Provider.Prefetch, which metadata it will probably read
// next so that the provider can fetch it in the background. Hints never
// change a result: they are sent after the decision they follow from and
// nothing reads them back.
//
//   - A project page is hinted when its node is created (registry.get),
//     so the pages of a whole dependency list are requested at once.
//   - When a pending node's candidates are loaded, the metadata of the
//     version pick would choose is hinted (hintBest), and the dependency
//     graph below it is walked ahead in the background (lookahead.go).
//   - When a version is decided, the next alternative in pick order is
//     hinted, in case a later conflict sends the solver back to it: only
//     once the resolution has met a conflict or a failed version (one that
//     never backtracks never uses an alternative), and only when another
//     decision follows (flushHints), so no hint goes out after the last.
//   - When a version fails (its dependencies conflict at once, or it is
//     unavailable), the next versions in pick order are hinted, in a
//     window that doubles with each failure of the project (4, 8, up to
//     maxHintWindow): a walk down a long version list then runs at the
//     provider's throughput instead of one round trip per version, and a
//     project that settles after one or two failures wastes little.
//
// Each version is hinted at most once per resolution (cand.hinted).

// maxHintWindow bounds how many versions of one project are hinted ahead.
const maxHintWindow = 16

// hint asks the provider to prefetch the metadata of those of cs that were
// not hinted yet.
func (s *solver) hint(p *pkg, cs []*cand) {
	if p.isRoot() {
		return
	}
	var vs []pep440.Version
	for _, c := range cs {
		if !c.hinted {
			c.hinted = true
			vs = append(vs, c.v)
		}
	}
	if len(vs) > 0 {
		s.provider.Prefetch(p.name, vs...)
	}
}

// hintBest hints, once per node, the metadata of the version p will most
// likely be tried at, as soon as p is pending and its candidates are known.
func (s *solver) hintBest(ctx context.Context, p *pkg, set pep440.Set) {
	if p.prefetched || p.isRoot() {
		return
	}
	p.prefetched = true
	best := s.upcoming(p, set, nil, 1)
	s.hint(p, best)
	if len(best) == 1 {
		s.lookahead(ctx, p.name, p.extra, best[0].v)
	}
}

// hintDecided notes the version p would be tried at next if the decision
// p = c is undone by a later conflict, to be hinted by flushHints.
func (s *solver) hintDecided(p *pkg, set pep440.Set, c *cand) {
	s.deferred = append(s.deferred, deferredHint{p, set, c})
}

// deferredHint is a next-alternative hint waiting for flushHints.
type deferredHint struct {
	p   *pkg
	set pep440.Set
	c   *cand
}

// flushHints sends the next-alternative hints of the decisions made since
// the last call, once another decision is due (so none goes out after the
// last decision) and only once the resolution has met a conflict (a
// resolution that never backtracks never needs an alternative).
func (s *solver) flushHints() {
	if s.stats.Conflicts == 0 && s.stats.Backtracks == 0 && !s.anyMiss {
		s.deferred = s.deferred[:0]
		return
	}
	for _, h := range s.deferred {
		if st := s.sol.st(h.p); st.decided && st.cand == h.c {
			s.hint(h.p, s.upcoming(h.p, h.set, h.c, 1))
		}
	}
	s.deferred = s.deferred[:0]
}

// hintFailed records that p could not use c and hints the versions pick
// would try next, widening the window with each failure of p's project.
func (s *solver) hintFailed(p *pkg, set pep440.Set, c *cand) {
	b := p.base
	if b.misses < 8 {
		b.misses++
	}
	s.anyMiss = true
	w := min(2<<b.misses, maxHintWindow)
	s.hint(p, s.upcoming(p, set, c, w))
}

// upcoming returns up to k usable candidates of p within set in the order
// pick would try them once every candidate up to and including after
// (none when after is nil) has been ruled out: the preferred version, the
// version a sibling node decided, then by --resolution.
func (s *solver) upcoming(p *pkg, set pep440.Set, after *cand, k int) []*cand {
	cands := p.base.cands
	ok := func(c *cand) bool { return c.usable && set.Contains(c.v) }
	var first []*cand
	if v, found := s.preferred(p.name); found {
		for _, c := range cands {
			if c.v.Equal(v) && ok(c) {
				first = append(first, c)
				break
			}
		}
	}
	if c := s.siblingDecision(p); c != nil && ok(c) && (len(first) == 0 || first[0] != c) {
		first = append(first, c)
	}
	var out []*cand
	seen := after == nil
	take := func(c *cand) bool {
		if !seen {
			seen = c == after
			return false
		}
		out = append(out, c)
		return len(out) >= k
	}
	for _, c := range first {
		if take(c) {
			return out
		}
	}
	lowest := s.opts.Resolution == ResolutionLowest || s.opts.Resolution == ResolutionLowestDirect && p.base.direct
	for i := range cands {
		c := cands[len(cands)-1-i]
		if lowest {
			c = cands[i]
		}
		if !ok(c) || containsCand(first, c) {
			continue
		}
		if take(c) {
			return out
		}
	}
	return out
}

func containsCand(cs []*cand, c *cand) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}
