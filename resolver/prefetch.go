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
//     graph below it is walked ahead in the background (lookahead.go);
//     again when its term comes to exclude that version before the
//     project is first tried (a Conflicts hook such as the ABI guard);
//     not while a package without usable versions is about to be decided
//     (noteBest).
//   - When a version fails (its dependencies conflict at once, or it is
//     unavailable) and the solver has caught up with the versions hinted
//     for its project, the next versions in pick order are hinted in a
//     batch twice as large as the project's failures so far (hintFailed).
//   - When the solver tries a project again at another version after a
//     backtrack undid the one it had decided, and that version was not
//     hinted, the versions after it are hinted with it (hintWalk): a walk
//     down the versions starts one round trip sooner.
//   - A decision starts the background walk below the decided version
//     for the project's other pending nodes (its extras): they will be
//     tried at that version (walkSiblings).
//   - A decision tells the background walk which of its guesses the
//     decided version's requirements exclude; nothing more is hinted
//     below those (walkDecided). So does the version the walk settles on
//     for one of your requirements after its newer versions clash with
//     yours (walkAlternatives); and the versions walked for other pending
//     nodes that require what it rules out are passed over in the walk
//     as if they clashed with yours (walked.settle).
//   - When the versions walked for two pending nodes require one project
//     within disjoint sets, the version after each is hinted: the solver
//     will try one of them once it finds the conflict (hintAfterClashes).
//   - A decided version's next alternative is not hinted: measured on the
//     resolvelib corpus, a conflict almost never sends the solver back to
//     exactly that version before it would ask for it itself, so those
//     requests were wasted (a third of cheroot's and conflict-with-
//     dependency's). Nothing is hinted after the last decision.
//
// Each version is hinted at most once per resolution (cand.hinted).

// minHintWindow and maxHintWindow bound how many versions of one project
// are hinted ahead at once after a failure.
const (
	minHintWindow = 5
	maxHintWindow = 16
)

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

// noteBest runs hintBest for p, whose candidates were just loaded (n
// usable under set), unless a package with no usable version was loaded
// before it in this round: that package is decided next, and the conflict
// it makes usually undoes the decision that brought p in (virtualenv 20
// with distlib unavailable: appdirs and filelock are not needed then), so
// p's hint is held until flushBest.
func (s *solver) noteBest(ctx context.Context, p *pkg, set pep440.Set, n int) {
	if p.isRoot() || p.prefetched && s.bestHinted(p, set) {
		return
	}
	if n == 0 {
		s.hold = true
	}
	if s.hold {
		s.held = append(s.held, p)
		return
	}
	s.hintBest(ctx, p, set)
}

// flushBest runs hintBest for the held packages still pending once the
// package decided next (with headCount usable versions) has some.
func (s *solver) flushBest(ctx context.Context, headCount int) {
	if headCount == 0 || !s.hold {
		return
	}
	s.hold = false
	for _, p := range s.held {
		if s.pending(p) {
			s.hintBest(ctx, p, s.sol.acc(p).set)
		}
	}
	s.held = s.held[:0]
}

// hintBest hints the metadata of the version p will most likely be tried
// at, as soon as p is pending and its candidates are known, and again
// whenever p's term no longer allows the version hinted before the
// project is first tried: numpy, pending at 2.1.3 until opencv-python
// 4.8.1.78's ABI guard keeps it below 2, is hinted at 1.26.4 then, not a
// round trip after the solver tries it.
func (s *solver) hintBest(ctx context.Context, p *pkg, set pep440.Set) {
	if p.isRoot() || p.prefetched && s.bestHinted(p, set) {
		return
	}
	p.prefetched = true
	best := s.upcoming(p, s.withBase(p, set), nil, 1)
	s.hint(p, best)
	if len(best) == 1 {
		s.lookahead(ctx, p.name, p.extra, best[0].v, set)
	}
}

// bestHinted reports whether the version p would be tried at within set
// was hinted (or p has none), or the project was tried already: then a
// version walk hints its next versions in batches (hintWalk, hintFailed),
// which a lone hint here would split.
func (s *solver) bestHinted(p *pkg, set pep440.Set) bool {
	if p.base.lastTried != nil {
		return true
	}
	best := s.upcoming(p, s.withBase(p, set), nil, 1)
	return len(best) == 0 || best[0].hinted
}

// withBase narrows set, the term of p, to the versions the term of p's
// project node allows when p is an extra node and the project node has a
// positive term that leaves some: an extra node is decided at its
// project's version (package-a[z]>=1.1 beside package-a>=1.2,<1.3 is tried
// at 1.2.0, not 1.3.0).
func (s *solver) withBase(p *pkg, set pep440.Set) pep440.Set {
	if p.base == p {
		return set
	}
	if st := s.sol.st(p.base); st.has && st.acc.pos {
		if both := set.Intersect(st.acc.set); !both.IsEmpty() {
			return both
		}
	}
	return set
}

// walkSiblings starts the background walk below c, just decided for p,
// for the other pending nodes of p's project (its extras, or the project
// itself) that allow it: the solver will try them at c (siblingDecision),
// so what their extras require is needed, while the versions hinted for
// them before (package-a[z] at 1.3.0, its newest, before package-a was
// decided at 1.2.0) are not.
func (s *solver) walkSiblings(ctx context.Context, p *pkg, c *cand) {
	if p.isRoot() {
		return
	}
	b := p.base
	for i := -1; i < len(b.extras); i++ {
		q := b
		if i >= 0 {
			q = b.extras[i]
		}
		if q == p || !s.pending(q) {
			continue
		}
		if set := s.sol.acc(q).set; set.Contains(c.v) {
			s.lookahead(ctx, q.name, q.extra, c.v, set)
		}
	}
}

// hintFailed records that p could not use c (the background walk stops
// hinting below it) and, when the version pick
// would try next was not hinted yet (the solver has caught up with its
// hints), hints the next versions in pick order: twice as many as the
// project has failed so far, at least minHintWindow and at most
// maxHintWindow. A version walk then runs in batches that grow with it
// (5, 12, 16, ...) at the provider's throughput instead of one round trip
// per version, and a project that settles within a batch sends nothing
// more; versions that fail while later ones are still in flight (their
// metadata came in one batch) add no hint.
func (s *solver) hintFailed(p *pkg, set pep440.Set, c *cand) {
	b := p.base
	s.walkRejected(p.name, c.v)
	if b.misses < maxHintWindow {
		b.misses++
	}
	next := s.upcoming(p, set, c, 1)
	if len(next) == 0 || next[0].hinted {
		return
	}
	w := min(max(2*b.misses, minHintWindow), maxHintWindow)
	s.hint(p, s.upcoming(p, set, c, w))
}

// hintWalk notes that the solver is about to try c for p and, when c was
// not hinted and the project was tried at another version before (a
// backtrack undid that version, so the solver is walking down its
// versions), counts a miss and hints the versions after c, as many as a
// batch of hintFailed less c itself (which the caller fetches at once),
// so that they travel with c: without it the first version after a
// backtrack is fetched alone, a round trip of its own before the batch
// (virtualenv 20.0.3 after 20.0.4 in conflict-with-dependency).
func (s *solver) hintWalk(p *pkg, set pep440.Set, c *cand) {
	b := p.base
	prev := b.lastTried
	b.lastTried = c
	if p.isRoot() || c.hinted || prev == nil || prev == c {
		return
	}
	if b.misses < maxHintWindow {
		b.misses++
	}
	// c itself is fetched at once by the caller: the batch is the
	// versions after it.
	w := min(max(2*b.misses, minHintWindow), maxHintWindow)
	s.hint(p, s.upcoming(p, set, c, w-1))
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
