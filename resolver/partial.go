package resolver

import "github.com/pylock/pylock/pypi/pep440"

// assignment is one entry of the partial solution: a decision (pkg = v) or
// a derivation (term, caused by an incompatibility).
type assignment struct {
	term     term
	cause    *incompat // nil for decisions
	cand     *cand     // decisions only
	level    int32
	index    int32
	decision bool
}

// pkgState is what the partial solution knows about one package.
type pkgState struct {
	acc     term // intersection of all assignments' terms
	has     bool
	decided bool
	cand    *cand   // the decision's candidate
	idx     []int32 // indices of its assignments (partial.at)
	gen     int     // changes whenever acc changes
}

// assignBits sets the size of the blocks holding the assignments: 64, so a
// small resolution allocates little, and a large one never copies its
// assignments to grow (pointers into the blocks stay valid).
const assignBits = 6

// partial is PubGrub's partial solution.
type partial struct {
	blocks [][]assignment // assignment i is blocks[i>>assignBits][i&mask]
	n      int            // number of assignments
	level  int
	gen    int
	dirty  []*pkg // packages whose assignments changed since takeDirty
	spare  []*pkg // the previous takeDirty's storage, reused
}

// touch records that p's assignments changed.
func (ps *partial) touch(p *pkg) {
	if !p.dirty {
		p.dirty = true
		ps.dirty = append(ps.dirty, p)
	}
}

// takeDirty returns (and forgets) the packages touched since the last call;
// the slice is valid until the next call.
func (ps *partial) takeDirty() []*pkg {
	d := ps.dirty
	ps.dirty, ps.spare = ps.spare[:0], d
	for _, p := range d {
		p.dirty = false
	}
	return d
}

// st returns p's state (kept in the node: every solver has its own nodes).
func (ps *partial) st(p *pkg) *pkgState { return &p.state }

// acc returns the accumulated term for p (¬(p ∈ ∅), i.e. anything, if none).
func (ps *partial) acc(p *pkg) term {
	st := ps.st(p)
	if !st.has {
		return term{p, false, pep440.Empty()}
	}
	return st.acc
}

// at returns assignment i.
func (ps *partial) at(i int32) *assignment {
	return &ps.blocks[i>>assignBits][i&(1<<assignBits-1)]
}

func (ps *partial) add(a assignment) {
	if ps.n>>assignBits == len(ps.blocks) {
		ps.blocks = append(ps.blocks, make([]assignment, 1<<assignBits))
	}
	a.level, a.index = int32(ps.level), int32(ps.n)
	ps.n++
	slot := ps.at(a.index)
	*slot = a
	ps.touch(a.term.pkg)
	ps.reapply(ps.st(a.term.pkg), slot)
}

func (ps *partial) derive(t term, cause *incompat) { ps.add(assignment{term: t, cause: cause}) }

func (ps *partial) decide(p *pkg, c *cand, set pep440.Set) {
	ps.level++
	ps.add(assignment{term: term{p, true, set}, decision: true, cand: c})
}

// backtrack removes every assignment above level.
func (ps *partial) backtrack(level int) {
	n := ps.n
	for n > 0 && int(ps.at(int32(n-1)).level) > level {
		n--
	}
	removed := ps.n
	ps.n = n
	ps.level = level
	// The removed assignments stay readable until the next add.
	for k := n; k < removed; k++ {
		p := ps.at(int32(k)).term.pkg
		ps.touch(p)
		st := ps.st(p)
		if !st.has {
			continue // already rebuilt
		}
		old := st.idx
		*st = pkgState{idx: old[:0]} // filtered in place: writes trail reads
		for _, i := range old {
			if int(i) < n {
				ps.reapply(st, ps.at(i))
			}
		}
		if len(st.idx) == 0 {
			st.has = false
		}
	}
}

func (ps *partial) reapply(st *pkgState, a *assignment) {
	ps.gen++
	st.gen = ps.gen
	if st.has {
		st.acc = st.acc.intersect(a.term)
	} else {
		st.acc, st.has = a.term, true
	}
	if a.decision {
		st.decided, st.cand = true, a.cand
	}
	st.idx = append(st.idx, a.index)
}

// decisionLevel returns the level of p's decision, or 0 when p is not
// decided.
func (ps *partial) decisionLevel(p *pkg) int {
	st := ps.st(p)
	if !st.decided {
		return 0
	}
	for _, i := range st.idx {
		if a := ps.at(i); a.decision {
			return int(a.level)
		}
	}
	return 0
}

// satisfier returns the earliest assignment after which the partial
// solution satisfies t.
func (ps *partial) satisfier(t term) *assignment {
	var acc term
	has := false
	for _, i := range ps.st(t.pkg).idx {
		a := ps.at(i)
		if has {
			acc = acc.intersect(a.term)
		} else {
			acc, has = a.term, true
		}
		if satisfies(acc, t) {
			return a
		}
	}
	return nil
}
