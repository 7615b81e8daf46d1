package resolver

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// Background lookahead
//
// When the solver hints the version it will probably choose for a pending
// node, a goroutine waits for that version's metadata and hints the project
// pages of the requirements it will add, then, lookaheadDepth levels deep,
// the version each of those would most likely be chosen at (the preferred
// version, else the highest usable one, or the lowest with
// --resolution lowest, within the requirement's specifier and the
// constraints) and the pages of its requirements. The pages and metadata of
// the next levels are then in flight while the solver is still deciding
// other packages, instead of being requested one level per round trip once
// each version is tried.
//
// The goroutines only call the provider (which must be safe for concurrent
// use) and read solver fields that are fixed before solving starts (opts,
// pins, explicitPre), so the decision loop and its results do not depend on
// them. Their context is the decision loop's, which run cancels when it
// finishes; run then waits for every one of them, so none outlives Resolve. Universal resolution only hints the pages of unconditional
// requirements: its markers are decided per fork.

// lookaheadDepth is how many levels below a hinted version the background
// walk guesses versions.
const lookaheadDepth = 2

// walked records the versions the background walk has visited (shared by
// its goroutines) and counts the goroutines still running.
type walked struct {
	wg sync.WaitGroup

	mu   sync.Mutex
	seen map[string]bool
	// dead holds versions ("name==version") known to fail: a requirement
	// of theirs has no usable version, or the solver rejected them.
	// Nothing more is hinted below them (doomedBelow).
	dead map[string]bool
	// claims maps each requirement walked (project, specifier, extras) to
	// the walk that claimed it.
	claims map[string]claimRec
	// guessed lists, per project, the versions walks guessed for it.
	guessed map[string][]guessed
	// versions lists, per project, the versions walked (hinted or guessed).
	versions map[string][]pep440.Version
	// queued holds the walks waiting for the provider to need the network;
	// released is set once they were started (or dropped).
	queued   []func()
	released bool
	// depths holds the most levels each walked version was walked below
	// (deeper).
	depths map[string]int
	// settled holds, per project, what the versions the walk settled on
	// for pending nodes (walkAlternatives) require of it, by the project
	// that requires it; tops lists the pending nodes' walked versions
	// that may still clash with a later settle (settle).
	settled map[string][]settledReq
	tops    []*topWalk
	// clashing lists top walks found to clash pairwise (topsClash), for
	// walkVersion to hint the version after each.
	clashing []*topWalk
}

// settledReq is what a settled version of project by requires of another
// project.
type settledReq struct {
	by  string
	set pep440.Set
}

// topWalk is a version walked for a pending node (a walk with no chain
// above it), with what walkAlternatives needs to walk past it.
type topWalk struct {
	name   string
	extras []string
	v      pep440.Version
	set    pep440.Set
	depth  int
	md     Metadata
}

// noteWalked records that a walk visits name==v.
func (w *walked) noteWalked(name string, v pep440.Version) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.versions == nil {
		w.versions = map[string][]pep440.Version{}
	}
	w.versions[name] = append(w.versions[name], v)
}

// exclude kills the walked versions of name outside set: a decided version
// requires name within set, so the solver will not choose them while that
// decision stands, and what the walk would hint below them is wasted.
// Versions walked later are not checked: a backtrack may undo the
// decision, and then they are needed (measured: refusing them costs the
// backjump cases a round trip).
func (w *walked) exclude(name string, set pep440.Set) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, v := range w.versions[name] {
		if !set.Contains(v) {
			if w.dead == nil {
				w.dead = map[string]bool{}
			}
			w.dead[versionKey(name, v)] = true
		}
	}
}

// guessed is a version a walk along chain guessed for a project, to walk
// depth levels below it.
type guessed struct {
	v     pep440.Version
	chain []string
	depth int
}

// claimRec is the walk that claimed a requirement: its chain and the
// levels it walks below the requirement.
type claimRec struct {
	chain []string
	depth int
}

// noteGuess records that the walk along chain guessed v for project name,
// to walk depth levels below it.
func (w *walked) noteGuess(name string, v pep440.Version, chain []string, depth int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.guessed == nil {
		w.guessed = map[string][]guessed{}
	}
	w.guessed[name] = append(w.guessed[name], guessed{v, chain, depth})
}

// covered reports whether a walk that is not doomed guessed a version of
// name within set, to walk at least depth levels below it: a requirement
// allowing that version needs no walk of its own (starlette's anyio<5
// beside fastapi's anyio<4).
func (w *walked) covered(name string, set pep440.Set, depth int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, g := range w.guessed[name] {
		if set.Contains(g.v) && g.depth >= depth && !w.doomedLocked(g.chain) {
			return true
		}
	}
	return false
}

// kill records that the version with key versionKey will not be used.
func (w *walked) kill(key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dead == nil {
		w.dead = map[string]bool{}
	}
	w.dead[key] = true
}

// doomedBelow reports whether a version on chain (the walked versions from
// the hinted one down to the current one) is known to fail, so that what
// the walk would hint below it would never be used.
func (w *walked) doomedBelow(chain []string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.doomedLocked(chain)
}

func (w *walked) doomedLocked(chain []string) bool {
	for _, k := range chain {
		if w.dead[k] {
			return true
		}
	}
	return false
}

// claim reports whether the walk along chain may walk key, depth levels
// below it: no walk has claimed it yet, or the one that did is doomed
// (then nothing it would hint under key will come from it) or walks fewer
// levels (which walk claims a requirement first depends on timing; the
// levels hinted below it must not).
func (w *walked) claim(key string, chain []string, depth int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.claims == nil {
		w.claims = map[string]claimRec{}
	}
	if prev, ok := w.claims[key]; ok && prev.depth >= depth && !w.doomedLocked(prev.chain) {
		return false
	}
	w.claims[key] = claimRec{chain, depth}
	return true
}

// visit records that key (a walked version) is walked depth levels below
// and reports whether it is its first visit, and whether no visit walked
// as many levels before.
func (w *walked) visit(key string, depth int) (first, deeper bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.depths == nil {
		w.depths = map[string]int{}
	}
	d, seen := w.depths[key]
	if seen && d >= depth {
		return false, false
	}
	w.depths[key] = depth
	return !seen, true
}

// versionKey names a version in walked.dead, whatever its extras.
func versionKey(name string, v pep440.Version) string {
	return name + "==" + v.String()
}

// walkRejected tells the background walk that name==v failed: it hints
// nothing more below that version.
func (s *solver) walkRejected(name string, v pep440.Version) {
	if s.walk != nil {
		s.walk.kill(versionKey(name, v))
	}
}

// walkDecided tells the background walk that c was decided for p: the
// walked versions of each of c's requirements that the requirement
// excludes are dead (pytest 6.1.2, guessed for pytest-mock 3.3.1's
// pytest>=5, once pytest-testmon 0.9.13 is decided with pytest<4).
func (s *solver) walkDecided(dl *depList) {
	if s.walk == nil {
		return
	}
	for _, d := range dl.deps {
		if d.spec != "" && !d.pkg.isRoot() {
			s.walk.exclude(d.pkg.name, d.set)
		}
	}
}

// goWalk runs f on a new goroutine counted by w.wg.
func (w *walked) goWalk(f func()) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		f()
	}()
}

// first reports whether key is visited for the first time.
func (w *walked) first(key string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if w.seen[key] {
		return false
	}
	w.seen[key] = true
	return true
}

// lookahead starts the background walk below node name[extra]==v (extra
// "" for the project itself), v being pick's choice within set; ctx must
// be cancelled before stopLookahead waits for the walk.
func (s *solver) lookahead(ctx context.Context, name, extra string, v pep440.Version, set pep440.Set) {
	if s.walk == nil {
		s.walk = &walked{}
	}
	var extras []string
	if extra != "" {
		extras = []string{extra}
	}
	if _, deeper := s.walk.visit(walkKey(name, extras, v), lookaheadDepth); deeper {
		s.walk.start(ctx, s.provider, func() { s.walkVersion(withSpeculation(ctx), name, extras, v, set, lookaheadDepth, nil) })
	}
}

// start runs walk on a new goroutine, or, while the provider says the
// resolution has not needed the network yet (NetworkSignaller), queues it
// for one goroutine that starts the queued walks once it has, or drops
// them when ctx ends: a run served entirely from the cache spawns no walk.
func (w *walked) start(ctx context.Context, p Provider, walk func()) {
	ns, ok := p.(NetworkSignaller)
	var gate <-chan struct{}
	if ok {
		gate = ns.NetworkNeeded()
	}
	if gate == nil {
		w.goWalk(walk)
		return
	}
	select {
	case <-gate:
		w.goWalk(walk)
		return
	default:
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.released {
		w.wg.Go(walk)
		return
	}
	w.queued = append(w.queued, walk)
	if len(w.queued) > 1 {
		return
	}
	w.wg.Go(func() {
		select {
		case <-gate:
		case <-ctx.Done():
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		w.released = true
		if ctx.Err() == nil {
			for _, f := range w.queued {
				w.wg.Go(f)
			}
		}
		w.queued = nil
	})
}

// walkKey identifies a walked version with the extras it was walked for.
func walkKey(name string, extras []string, v pep440.Version) string {
	if len(extras) > 0 {
		name += "[" + strings.Join(extras, ",") + "]"
	}
	return name + "==" + v.String()
}

// stopLookahead cancels the background walk's context with cancel and
// waits until every goroutine of the walk has returned.
func (s *solver) stopLookahead(cancel context.CancelFunc) {
	cancel()
	if s.walk != nil {
		s.walk.wg.Wait()
	}
}

// walkVersion hints the pages of name==v's requirements (those guarded by
// one of extras included) and, depth > 0, walks each of them; when a
// requirement contradicts yours, it walks the versions within set that
// the solver would try next instead (walkAlternatives). chain holds the
// walked versions above name==v.
func (s *solver) walkVersion(ctx context.Context, name string, extras []string, v pep440.Version, set pep440.Set, depth int, chain []string) {
	chain = append(slices.Clip(chain), versionKey(name, v))
	if ctx.Err() != nil || s.walk.doomedBelow(chain) {
		return
	}
	s.walk.noteWalked(name, v)
	md, err := s.provider.Metadata(ctx, name, v)
	if err != nil {
		return // the decision loop reports it if it ever needs it
	}
	if s.univ == nil && (s.clashes(md, extras) || len(chain) == 1 && s.walk.top(&topWalk{name, extras, v, set, depth, md}, s.applies)) {
		s.walk.kill(versionKey(name, v))
		s.walkAlternatives(ctx, name, extras, v, set, depth, chain[:len(chain)-1])
		return
	}
	if len(chain) == 1 && s.univ == nil {
		s.hintAfterClashes(ctx)
	}
	var next []pep508.Requirement
	var later []claimed // claimed by another walk: re-checked once the pages are in
	for _, r := range md.RequiresDist {
		if !s.applies(r.Marker, extras) {
			continue
		}
		n := r.NormalizedName()
		// Check doom before claiming: a claim that hints nothing would
		// keep every other walk from hinting it.
		if n == name || ctx.Err() != nil || s.walk.doomedBelow(chain) {
			continue
		}
		if s.walk.first(n) {
			s.provider.Prefetch(n)
		}
		// Each distinct requirement of a project is walked once (again
		// if the walk that claimed it is doomed, or walks fewer levels
		// below it than this one would) unless a live walk guessed a
		// version it allows, as deep: another specifier may make
		// another version likely (pytest<4 of pytest-testmon 0.9.13
		// beside pytest>=5 of pytest-mock 3.3.1).
		key := n + "|" + r.Specifier.String() + "|" + strings.Join(r.NormalizedExtras(), ",")
		if !s.walk.covered(n, r.Specifier.Set(), depth-1) && s.walk.claim(key, chain, depth-1) {
			next = append(next, r)
		} else {
			later = append(later, claimed{r, key})
		}
	}
	if depth == 0 || s.univ != nil {
		return
	}
	// The requirements' walks wait for each other's pages before hinting
	// anything: one without a usable version dooms name==v, and then the
	// others hint nothing (the decision loop also loads every page of a
	// version's requirements before its next decision, so this delays no
	// hint it would use sooner).
	//
	// The requirements another walk claimed (or covered) are looked at
	// again once those pages are in, by one goroutine: if that walk died
	// meanwhile (the decision loop rejected or ruled out its version:
	// pytest 6.1.2 once pytest-testmon 0.9.13 pins pytest<4), this one
	// walks them, instead of leaving them to a walk that will hint nothing
	// more (attrs, required alike by pytest 6.1.2 and 3.10.1).
	var pages sync.WaitGroup
	pages.Add(len(next))
	for _, r := range next {
		s.walk.goWalk(func() { s.walkProject(ctx, r, depth-1, chain, &pages) })
	}
	if len(later) > 0 {
		s.walk.goWalk(func() { s.walkClaimed(ctx, later, depth-1, chain, &pages) })
	}
}

// walkClaimed waits for pages, then walks each of later whose claiming
// walk is dead by then (and no live walk covers).
func (s *solver) walkClaimed(ctx context.Context, later []claimed, depth int, chain []string, pages *sync.WaitGroup) {
	pages.Wait()
	for _, c := range later {
		if ctx.Err() != nil || s.walk.doomedBelow(chain) {
			return
		}
		if s.walk.covered(c.r.NormalizedName(), c.r.Specifier.Set(), depth) || !s.walk.claim(c.key, chain, depth) {
			continue // the walk that claimed it is alive: it hints what is below
		}
		s.walk.goWalk(func() {
			if v, ok := s.walkGuess(ctx, c.r, chain); ok {
				s.walkGuessed(ctx, c.r, v, depth, chain)
			}
		})
	}
}

// claimed is a requirement another walk claimed, with its claim key.
type claimed struct {
	r   pep508.Requirement
	key string
}

// applies reports whether a requirement with marker m applies with the
// given extras requested, as far as the background walk can tell.
func (s *solver) applies(m pep508.Marker, extras []string) bool {
	if m.IsTrue() {
		return true
	}
	if s.univ != nil {
		return false
	}
	var ok bool
	var err error
	if len(extras) == 0 {
		ok, err = m.Evaluate(s.opts.Env)
	} else {
		ok, err = m.EvaluateExtras(s.opts.Env, extras)
	}
	return ok && err == nil
}

// walkProject guesses the version r's project will be chosen at, hints its
// metadata and walks it; chain holds the walked versions above, the last
// of which requires r. When r's project has no usable version for r, that
// version is doomed: its other requirements' walks hint nothing (a project
// whose candidates the solver cannot use fails the version at once, e.g.
// virtualenv 20 when distlib has no usable file). pages counts the
// requirements of chain's last version whose page is not in yet: each
// walk marks its own and waits for the others before hinting.
func (s *solver) walkProject(ctx context.Context, r pep508.Requirement, depth int, chain []string, pages *sync.WaitGroup) {
	c, ok := s.walkGuess(ctx, r, chain)
	pages.Done()
	if !ok {
		return
	}
	pages.Wait()
	s.walkGuessed(ctx, r, c, depth, chain)
}

// walkGuessed hints the metadata of c, guessed for r, and walks it, unless
// a version on chain is dead by then.
func (s *solver) walkGuessed(ctx context.Context, r pep508.Requirement, c pep440.Version, depth int, chain []string) {
	name, extras := r.NormalizedName(), r.NormalizedExtras()
	if ctx.Err() != nil || s.walk.doomedBelow(chain) {
		return
	}
	s.walk.noteGuess(name, c, chain, depth)
	first, deeper := s.walk.visit(walkKey(name, extras, c), depth)
	if !deeper {
		return
	}
	if first {
		s.provider.Prefetch(name, c)
	}
	s.walkVersion(ctx, name, extras, c, r.Specifier.Set(), depth, chain)
}

// walkGuess loads the candidates of r's project and guesses the version
// it will be chosen at; when none is usable it marks chain's last version
// dead.
func (s *solver) walkGuess(ctx context.Context, r pep508.Requirement, chain []string) (pep440.Version, bool) {
	name := r.NormalizedName()
	if _, ok := s.overrides[name]; ok {
		return pep440.Version{}, false // the requirement is replaced: the guess would be wrong
	}
	if ctx.Err() != nil {
		return pep440.Version{}, false
	}
	cs, err := s.provider.Candidates(ctx, name)
	if ctx.Err() != nil {
		return pep440.Version{}, false
	}
	c, ok := pep440.Version{}, false
	if err == nil && len(cs) > 0 {
		c, ok = s.guess(name, r, cs)
	}
	if !ok {
		s.walk.kill(chain[len(chain)-1])
	}
	return c, ok
}

// guess returns the version pick would most likely choose for name given
// only requirement r, your requirements of name (when they can hold
// together), the constraints and the preferences.
func (s *solver) guess(name string, r pep508.Requirement, cs []Candidate) (pep440.Version, bool) {
	vs := s.guesses(name, r.Specifier.Set(), cs, 1)
	if len(vs) == 0 {
		return pep440.Version{}, false
	}
	return vs[0], true
}

// guesses returns up to k versions of name in the order pick would try
// them given only the set within which a requirement allows them, your
// requirements of name (when they can hold together with set), the
// constraints and the preferences. It walks cs in version order through
// one scratch candidate instead of building the project's candidate list.
func (s *solver) guesses(name string, set pep440.Set, cs []Candidate, k int) []pep440.Version {
	p := &pkg{name: name}
	p.base = p
	necessary := true
	for i := range cs {
		if !cs[i].Version.IsPrerelease() {
			necessary = false
			break
		}
	}
	p.allowPre = s.allowPre(name, necessary)
	order := versionOrder(cs)
	for _, c := range s.opts.Constraints {
		if c.NormalizedName() == name && s.applies(c.Marker, nil) {
			set = set.Intersect(c.Specifier.Set())
		}
	}
	// Your own requirements of the project hold too (six<1.12 beside a
	// dependency's six>=1.9): a guess outside them is never tried.
	for _, rr := range s.rootReqs {
		if rr.NormalizedName() == name && s.applies(rr.Marker, nil) {
			if both := set.Intersect(rr.Specifier.Set()); !both.IsEmpty() {
				set = both
			}
		}
	}
	var c cand
	usable := func(i int) bool {
		c = cand{v: cs[i].Version, dists: cs[i].Dists}
		return set.Contains(c.v) && s.usable(p, &c)
	}
	var out []pep440.Version
	first := -1
	if v, ok := s.preferred(name); ok {
		for _, i := range order {
			if cs[i].Version.Equal(v) && usable(i) {
				first = i
				out = append(out, c.v)
				break
			}
		}
	}
	lowest := s.opts.Resolution == ResolutionLowest
	for j := range order {
		if len(out) >= k {
			break
		}
		i := order[len(order)-1-j]
		if lowest {
			i = order[j]
		}
		if i != first && usable(i) {
			out = append(out, c.v)
		}
	}
	return out
}

// clashes reports whether a requirement of a version's metadata md (with
// extras requested) contradicts one of your requirements or constraints
// (pytest-testmon 0.9.19's coverage<5 against your coverage==5.3): the
// solver will reject that version as soon as it tries it.
func (s *solver) clashes(md Metadata, extras []string) bool {
	for _, r := range md.RequiresDist {
		n := r.NormalizedName()
		if _, ok := s.overrides[n]; ok || !s.applies(r.Marker, extras) {
			continue
		}
		set := r.Specifier.Set()
		for _, rr := range s.rootReqs {
			if rr.NormalizedName() == n && s.applies(rr.Marker, nil) && set.Disjoint(rr.Specifier.Set()) {
				return true
			}
		}
		for _, c := range s.opts.Constraints {
			if c.NormalizedName() == n && s.applies(c.Marker, nil) && set.Disjoint(c.Specifier.Set()) {
				return true
			}
		}
	}
	return false
}

// walkAlternatives walks, in place of name==v (which clashes with your
// requirements), the versions pick would try after it, within set: in
// batches (5, 10, 16) it hints their metadata and reads it in order until
// one does not clash, and walks that one. The solver walks the same
// versions down once it tries the project (hintFailed), so the walk only
// moves those round trips earlier.
func (s *solver) walkAlternatives(ctx context.Context, name string, extras []string, v pep440.Version, set pep440.Set, depth int, chain []string) {
	cs, err := s.provider.Candidates(ctx, name)
	if err != nil {
		return
	}
	all := s.guesses(name, set, cs, len(cs))
	i := slices.IndexFunc(all, func(x pep440.Version) bool { return x.Equal(v) })
	if i < 0 {
		return
	}
	rest := all[i+1:]
	for batch := minHintWindow; len(rest) > 0; batch = min(2*batch, maxHintWindow) {
		b := rest[:min(batch, len(rest))]
		rest = rest[len(b):]
		if ctx.Err() != nil || s.walk.doomedBelow(chain) {
			return
		}
		s.provider.Prefetch(name, b...)
		for _, a := range b {
			if ctx.Err() != nil || s.walk.doomedBelow(chain) {
				return
			}
			md, err := s.provider.Metadata(ctx, name, a)
			if err != nil {
				return
			}
			if s.clashes(md, extras) || len(chain) == 0 && s.walk.clashesSettled(name, md, extras, s.applies) {
				s.walk.kill(versionKey(name, a))
				continue
			}
			if len(chain) == 0 {
				// One of your requirements settles on a: unless something
				// the walk cannot see rules a out too, the solver decides
				// it, so what a requires rules out walked guesses as the
				// decision will (walkDecided), a round trip or more
				// before it: pytest 6.1.2, guessed for pytest-mock 3.3.1,
				// once pytest-testmon settles on 0.9.13 (pytest<4) while
				// the solver still waits for termcolor's metadata. A
				// wrong guess costs only prefetches: the solver asks for
				// what it needs.
				for _, r := range md.RequiresDist {
					if s.applies(r.Marker, extras) && r.Specifier.String() != "" {
						s.walk.exclude(r.NormalizedName(), r.Specifier.Set())
					}
				}
				// The other pending nodes' walked versions that require
				// what a rules out are passed over too (pytest-mock
				// 3.3.1's pytest>=5 against pytest-testmon 0.9.13's
				// pytest<4): their next versions go out with a's
				// requirements instead of a round trip after the solver
				// tries them.
				for _, t := range s.walk.settle(name, md, extras, s.applies) {
					s.walk.goWalk(func() {
						s.walkAlternatives(ctx, t.name, t.extras, t.v, t.set, t.depth, nil)
					})
				}
			}
			if _, deeper := s.walk.visit(walkKey(name, extras, a), depth); deeper {
				s.walkVersion(ctx, name, extras, a, set, depth, chain)
			}
			return
		}
	}
}

// applier reports whether a requirement with the marker applies with the
// extras requested (solver.applies).
type applier func(m pep508.Marker, extras []string) bool

// top records t, a version walked for a pending node, and reports whether
// it clashes with what a settled version of another project requires
// (then the caller walks past it and t is not kept); otherwise a later
// settle checks it (settle).
func (w *walked) top(t *topWalk, applies applier) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.clashesSettledLocked(t.name, t.md, t.extras, applies) {
		return true
	}
	for _, u := range w.tops {
		if u.name != t.name && !w.dead[versionKey(u.name, u.v)] && topsClash(t, u, applies) {
			w.clashing = append(w.clashing, t, u)
		}
	}
	w.tops = append(w.tops, t)
	return false
}

// topsClash reports whether t and u require one project within disjoint
// sets: the solver cannot use both, and tries another version of one.
func topsClash(t, u *topWalk, applies applier) bool {
	for _, r := range t.md.RequiresDist {
		if r.Specifier.String() == "" || !applies(r.Marker, t.extras) {
			continue
		}
		n := r.NormalizedName()
		for _, q := range u.md.RequiresDist {
			if q.NormalizedName() == n && q.Specifier.String() != "" && applies(q.Marker, u.extras) && r.Specifier.Set().Disjoint(q.Specifier.Set()) {
				return true
			}
		}
	}
	return false
}

// takeClashing returns the top walks found clashing since the last call.
func (w *walked) takeClashing() []*topWalk {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.clashing
	w.clashing = nil
	return out
}

// clashesSettled reports whether a requirement of md (name's metadata,
// with extras) is disjoint from what a version settled for another project
// requires of the same project.
func (w *walked) clashesSettled(name string, md Metadata, extras []string, applies applier) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.clashesSettledLocked(name, md, extras, applies)
}

func (w *walked) clashesSettledLocked(name string, md Metadata, extras []string, applies applier) bool {
	if len(w.settled) == 0 {
		return false
	}
	for _, r := range md.RequiresDist {
		sr := w.settled[r.NormalizedName()]
		if len(sr) == 0 || !applies(r.Marker, extras) {
			continue
		}
		set := r.Specifier.Set()
		for _, x := range sr {
			if x.by != name && set.Disjoint(x.set) {
				return true
			}
		}
	}
	return false
}

// settle records what md, the metadata of the version the walk settled on
// for name, requires, and returns the recorded top walks of other projects
// that clash with it and are not dead yet: each is killed and removed, for
// the caller to walk past.
func (w *walked) settle(name string, md Metadata, extras []string, applies applier) []*topWalk {
	w.mu.Lock()
	defer w.mu.Unlock()
	added := false
	for _, r := range md.RequiresDist {
		if !applies(r.Marker, extras) || r.Specifier.String() == "" {
			continue
		}
		if w.settled == nil {
			w.settled = map[string][]settledReq{}
		}
		n := r.NormalizedName()
		w.settled[n] = append(w.settled[n], settledReq{name, r.Specifier.Set()})
		added = true
	}
	if !added {
		return nil
	}
	var out []*topWalk
	kept := w.tops[:0]
	for _, t := range w.tops {
		k := versionKey(t.name, t.v)
		switch {
		case w.dead[k]:
		case t.name != name && w.clashesSettledLocked(t.name, t.md, t.extras, applies):
			if w.dead == nil {
				w.dead = map[string]bool{}
			}
			w.dead[k] = true
			out = append(out, t)
		default:
			kept = append(kept, t)
		}
	}
	clear(w.tops[len(kept):])
	w.tops = kept
	return out
}

// hintAfterClashes hints, for each top walk found clashing with another,
// the version pick would try after it: the solver will need one of them
// (pandas 1.4.0's python-dateutil>=2.8.1 against sat-stac 0.1.1's ~=2.7.5:
// sat-stac 0.1.0 and pandas 1.3.5), a round trip or two before it finds
// the conflict itself.
//
// Only when both have a version after them: when one cannot move, the
// solver rejects the other as soon as it tries it and hints its next
// versions itself (hintFailed).
func (s *solver) hintAfterClashes(ctx context.Context) {
	ts := s.walk.takeClashing()
	for i := 0; i+1 < len(ts); i += 2 {
		t, u := ts[i], ts[i+1]
		tn, tok := s.versionAfter(ctx, t)
		un, uok := s.versionAfter(ctx, u)
		if !tok || !uok {
			continue
		}
		for _, x := range []struct {
			w *topWalk
			v pep440.Version
		}{{t, tn}, {u, un}} {
			if s.walk.first("after|" + versionKey(x.w.name, x.w.v)) {
				s.provider.Prefetch(x.w.name, x.v)
			}
		}
	}
}

// versionAfter returns the version pick would try after t's, within t's
// set; false when there is none.
func (s *solver) versionAfter(ctx context.Context, t *topWalk) (pep440.Version, bool) {
	cs, err := s.provider.Candidates(ctx, t.name)
	if err != nil {
		return pep440.Version{}, false
	}
	all := s.guesses(t.name, t.set, cs, len(cs))
	i := slices.IndexFunc(all, func(x pep440.Version) bool { return x.Equal(t.v) })
	if i < 0 || i+1 >= len(all) {
		return pep440.Version{}, false
	}
	return all[i+1], true
}
