package resolver

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// DefaultMaxSteps bounds the search when Options.MaxSteps is 0.
const DefaultMaxSteps = 200000

// solver holds the state of one resolution.
type solver struct {
	provider Provider
	opts     Options
	reg      registry
	root     *pkg
	rootReqs []pep508.Requirement

	overrides   map[string][]pep508.Requirement
	explicitPre map[string]bool
	pins        map[string][]pep440.SpecifierSet

	incs     [][]*incompat // by pkg id: incompatibilities mentioning it
	nextID   int
	depMerge map[uint64]*incompat // by depKey
	sol      partial
	stats    Stats
	last     *incompat // most recent learned incompatibility
	maxSteps int
	// univ, when set, makes markers symbolic for universal resolution
	// (see universal.go): a marker is true when it can hold in the fork.
	univ *fork
	// walk is the state of the background lookahead (lookahead.go).
	walk *walked
	// held are pending packages whose hintBest waits for flushBest while
	// hold is set (prefetch.go).
	held []*pkg
	hold bool
	// queue orders the pending packages (queue.go).
	queue queue
	// pyOK memoises pythonOK (guarded by pyMu: the walk reads it too).
	pyMu sync.Mutex
	pyOK map[string]bool
	// changed is propagate's work list, kept for reuse.
	changed []*pkg
	// jump holds the packages marked conflict-late whose decisions are to
	// be undone (conflicts.go).
	jump []*pkg
}

func resolve(ctx context.Context, p Provider, root []pep508.Requirement, opts Options) (*Result, error) {
	start := time.Now()
	s := newSolver(p, root, opts)
	res, err := s.run(ctx)
	if res != nil {
		res.Stats = s.stats
		res.Stats.Duration = time.Since(start)
	}
	return res, err
}

func newSolver(p Provider, root []pep508.Requirement, opts Options) *solver {
	if opts.Prerelease == "" {
		opts.Prerelease = PrereleaseIfNecessaryOrExplicit
	}
	if opts.Resolution == "" {
		opts.Resolution = ResolutionHighest
	}
	if opts.Python.IsZero() {
		// Fall back to the marker environment's Python.
		for _, k := range []string{"python_full_version", "python_version"} {
			if v, err := pep440.Parse(opts.Env[k]); err == nil {
				opts.Python = v
				break
			}
		}
	}
	s := &solver{provider: p, opts: opts, maxSteps: opts.MaxSteps,
		depMerge: map[uint64]*incompat{}}
	if s.maxSteps <= 0 {
		s.maxSteps = DefaultMaxSteps
	}
	s.reg = registry{s: s, projects: map[string]*pkg{}}
	s.prepareRequirements(root)
	s.root = s.reg.get("", "")
	return s
}

// run is the decision loop. It returns only after the background
// lookahead it started has stopped.
func (s *solver) run(ctx context.Context) (*Result, error) {
	ctx, stop := context.WithCancel(ctx)
	defer s.stopLookahead(stop)
	s.addIncompat(&incompat{terms: []term{{s.root, false, exact(rootVersion)}}, kind: causeRoot})
	next := s.root
	for {
		if err := s.propagate(next); err != nil {
			return nil, err
		}
		if err := s.reprioritise(); err != nil {
			return nil, err
		}
		if err := s.checkBudget(ctx); err != nil {
			return nil, err
		}
		p, err := s.choose(ctx)
		if err != nil {
			return nil, err
		}
		if p == nil {
			return s.result(), nil
		}
		next = p
	}
}

func (s *solver) checkBudget(ctx context.Context) error {
	s.stats.Steps++
	if s.stats.Steps > s.maxSteps {
		return &BudgetError{Steps: s.stats.Steps, Partial: s.partialExplanation("the step budget (" + itoa(s.maxSteps) + " steps) ran out")}
	}
	if err := ctx.Err(); err != nil {
		return &BudgetError{Steps: s.stats.Steps, Partial: s.partialExplanation("the deadline passed (" + err.Error() + ")")}
	}
	return nil
}

// addIncompat registers ic with every package it mentions.
func (s *solver) addIncompat(ic *incompat) {
	ic.id = s.nextID
	s.nextID++
	for _, t := range ic.terms {
		for len(s.incs) <= t.pkg.id {
			s.incs = append(s.incs, nil)
		}
		list := s.incs[t.pkg.id]
		if list == nil {
			list = make([]*incompat, 0, 4) // most packages collect a few
		}
		s.incs[t.pkg.id] = append(list, ic)
	}
}

// replaceIncompat swaps old for ic in the per-package lists (ic implies old).
func (s *solver) replaceIncompat(old, ic *incompat) {
	ic.id = s.nextID
	s.nextID++
	for _, t := range ic.terms {
		list := s.incs[t.pkg.id]
		for i := range list {
			if list[i] == old {
				list[i] = ic
			}
		}
	}
}

// relation of an incompatibility to the partial solution: satisfied,
// contradicted, almost satisfied (one term inconclusive: returned) or
// inconclusive.
func (s *solver) relation(ic *incompat) (relation, *term, bool) {
	var un *term
	for i := range ic.terms {
		t := &ic.terms[i]
		switch relate(s.sol.acc(t.pkg), *t) {
		case relContradicted:
			return relContradicted, nil, false
		case relInconclusive:
			if un != nil {
				return relInconclusive, nil, false
			}
			un = t
		}
	}
	if un == nil {
		return relSatisfied, nil, false
	}
	return relInconclusive, un, true
}

// propagate is PubGrub unit propagation starting from package start.
func (s *solver) propagate(start *pkg) error {
	changed := append(s.changed[:0], start)
	defer func() { s.changed = changed[:0] }()
	for len(changed) > 0 {
		p := changed[len(changed)-1]
		changed = changed[:len(changed)-1]
		if p.id >= len(s.incs) {
			continue
		}
		list := s.incs[p.id]
		for i := len(list) - 1; i >= 0; i-- {
			ic := list[i]
			rel, t, almost := s.relation(ic)
			if rel == relSatisfied {
				learned, err := s.resolveConflict(ic)
				if err != nil {
					return err
				}
				_, t, ok := s.relation(learned)
				if !ok {
					return fmt.Errorf("resolver: internal error: learned incompatibility %q is not almost satisfied", s.describe(learned))
				}
				s.sol.derive(t.negate(), learned)
				s.recordConflict(t.pkg, learned)
				changed = append(changed[:0], t.pkg)
				break
			}
			if almost {
				s.sol.derive(t.negate(), ic)
				changed = append(changed, t.pkg)
			}
		}
	}
	return nil
}

// resolveConflict is PubGrub conflict resolution: it learns an
// incompatibility and backjumps, or fails with the explanation.
func (s *solver) resolveConflict(ic *incompat) (*incompat, error) {
	s.stats.Conflicts++
	s.event("conflict", nil, nil, ic)
	learned := false
	for !ic.isFailure() {
		var recent *assignment
		var recentTerm term
		var diff *term
		prevLevel := 0
		for _, t := range ic.terms {
			sat := s.sol.satisfier(t)
			if sat == nil {
				return nil, fmt.Errorf("resolver: internal error: term %q of conflict %q has no satisfier", s.termStr(t), s.describe(ic))
			}
			if recent == nil || recent.index < sat.index {
				if recent != nil {
					prevLevel = max(prevLevel, int(recent.level))
				}
				recent, recentTerm, diff = sat, t, nil
			} else {
				prevLevel = max(prevLevel, int(sat.level))
			}
			if recentTerm.pkg == t.pkg && recent == sat {
				d := recent.term.difference(recentTerm)
				if !d.isEmpty() {
					diff = &d
					if ds := s.sol.satisfier(d.negate()); ds != nil {
						prevLevel = max(prevLevel, int(ds.level))
					}
				}
			}
		}
		if recent.decision || prevLevel < int(recent.level) {
			s.sol.backtrack(prevLevel)
			s.stats.Backtracks++
			s.event("backtrack", nil, nil, ic)
			if learned {
				s.addIncompat(ic)
			}
			s.last = ic
			return ic, nil
		}
		terms := make([]term, 0, len(ic.terms)+len(recent.cause.terms))
		for _, t := range ic.terms {
			if t.pkg != recentTerm.pkg {
				terms = append(terms, t)
			}
		}
		for _, t := range recent.cause.terms {
			if t.pkg != recent.term.pkg {
				terms = append(terms, t)
			}
		}
		if diff != nil {
			terms = append(terms, diff.negate())
		}
		ic = newDerived(terms, ic, recent.cause)
		learned = true
	}
	return nil, &NoSolutionError{Explanation: s.explain(ic), Derivation: s.derivation(ic)}
}

// event reports progress; strings are only built when someone listens.
func (s *solver) event(kind string, p *pkg, c *cand, ic *incompat) {
	if s.opts.Progress == nil {
		return
	}
	e := Event{Kind: kind, Steps: s.stats.Steps}
	if p != nil {
		e.Name, e.Version = p.String(), c.v.String()
	}
	if ic != nil {
		e.Message = s.describe(ic)
	}
	s.opts.Progress(e)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
