package resolver

import (
	"context"
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
// "" for the project itself); ctx must be cancelled before stopLookahead
// waits for the walk.
func (s *solver) lookahead(ctx context.Context, name, extra string, v pep440.Version) {
	if s.walk == nil {
		s.walk = &walked{}
	}
	var extras []string
	if extra != "" {
		extras = []string{extra}
	}
	if s.walk.first(walkKey(name, extras, v)) {
		s.walk.goWalk(func() { s.walkVersion(withSpeculation(ctx), name, extras, v, lookaheadDepth) })
	}
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
// one of extras included) and, depth > 0, walks each of them.
func (s *solver) walkVersion(ctx context.Context, name string, extras []string, v pep440.Version, depth int) {
	if ctx.Err() != nil {
		return
	}
	md, err := s.provider.Metadata(ctx, name, v)
	if err != nil {
		return // the decision loop reports it if it ever needs it
	}
	var next []pep508.Requirement
	for _, r := range md.RequiresDist {
		if !s.applies(r.Marker, extras) {
			continue
		}
		n := r.NormalizedName()
		if n == name || !s.walk.first(n) || ctx.Err() != nil {
			continue
		}
		s.provider.Prefetch(n)
		next = append(next, r)
	}
	if depth == 0 || s.univ != nil {
		return
	}
	for _, r := range next {
		s.walk.goWalk(func() { s.walkProject(ctx, r, depth-1) })
	}
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
// metadata and walks it.
func (s *solver) walkProject(ctx context.Context, r pep508.Requirement, depth int) {
	name := r.NormalizedName()
	if _, ok := s.overrides[name]; ok {
		return // the requirement is replaced: the guess would be wrong
	}
	if ctx.Err() != nil {
		return
	}
	cs, err := s.provider.Candidates(ctx, name)
	if err != nil || len(cs) == 0 {
		return
	}
	c, ok := s.guess(name, r, cs)
	extras := r.NormalizedExtras()
	if !ok || !s.walk.first(walkKey(name, extras, c)) || ctx.Err() != nil {
		return
	}
	s.provider.Prefetch(name, c)
	s.walkVersion(ctx, name, extras, c, depth)
}

// guess returns the version pick would most likely choose for name given
// only requirement r, the constraints and the preferences. It walks cs in
// version order through one scratch candidate instead of building the
// project's candidate list.
func (s *solver) guess(name string, r pep508.Requirement, cs []Candidate) (pep440.Version, bool) {
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
	set := r.Specifier.Set()
	for _, c := range s.opts.Constraints {
		if c.NormalizedName() == name && s.applies(c.Marker, nil) {
			set = set.Intersect(c.Specifier.Set())
		}
	}
	var c cand
	usable := func(i int) bool {
		c = cand{v: cs[i].Version, dists: cs[i].Dists}
		return set.Contains(c.v) && s.usable(p, &c)
	}
	if v, ok := s.preferred(name); ok {
		for _, i := range order {
			if cs[i].Version.Equal(v) && usable(i) {
				return c.v, true
			}
		}
	}
	lowest := s.opts.Resolution == ResolutionLowest
	for k := range order {
		i := order[len(order)-1-k]
		if lowest {
			i = order[k]
		}
		if usable(i) {
			return c.v, true
		}
	}
	return pep440.Version{}, false
}
