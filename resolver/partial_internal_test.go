package resolver

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/pylock/pylock/pypi/pep440"
)

// refAssign is one assignment of refPartial.
type refAssign struct {
	term     term
	level    int
	decision bool
	cand     *cand
}

// refPartial is the partial solution as a plain list, every answer
// recomputed from the list: the model TestPartialAgainstModel checks
// partial (blocks of assignments, per-node state rebuilt in place on
// backtrack) against.
type refPartial struct {
	as    []refAssign
	level int
}

func (r *refPartial) indices(p *pkg) []int32 {
	var out []int32
	for i, a := range r.as {
		if a.term.pkg == p {
			out = append(out, int32(i))
		}
	}
	return out
}

func (r *refPartial) backtrack(level int) {
	for len(r.as) > 0 && r.as[len(r.as)-1].level > level {
		r.as = r.as[:len(r.as)-1]
	}
	r.level = level
}

// TestPartialAgainstModel runs random decisions, derivations and
// backtracks (well past one 64-assignment block) on partial and on
// refPartial, comparing after every step each node's state, its
// satisfiers and decision level, and the dirty list.
func TestPartialAgainstModel(t *testing.T) {
	vs := []string{"1", "2", "3", "4", "5", "6"}
	var sets []pep440.Set
	for _, spec := range []string{">=1", ">=2", "<4", "!=3", ">=2,<5", "==6", "<2", ">=3"} {
		ss, err := pep440.ParseSpecifierSet(spec)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, ss.Set())
	}
	most := 0
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 3))
		pkgs := make([]*pkg, 3+rng.IntN(12))
		for i := range pkgs {
			pkgs[i] = &pkg{id: i, name: fmt.Sprint("p", i)}
			pkgs[i].base = pkgs[i]
			for _, v := range vs {
				pkgs[i].cands = append(pkgs[i].cands, &cand{v: pep440.MustParse(v)})
			}
		}
		var ps partial
		var ref refPartial
		touched := map[*pkg]bool{}
		var prev, prevCopy []*pkg // the last takeDirty, valid until the next
		for step := range 400 {
			p := pkgs[rng.IntN(len(pkgs))]
			switch k := rng.IntN(40); {
			case k < 1 && ref.level > 0:
				level := max(0, ref.level-1-rng.IntN(4))
				if rng.IntN(4) == 0 {
					level = rng.IntN(ref.level)
				}
				n := len(ref.as)
				ref.backtrack(level)
				for _, a := range ps.blocksTail(len(ref.as), n) {
					touched[a] = true
				}
				ps.backtrack(level)
			case k < 8 && !ps.st(p).decided:
				c := p.cands[rng.IntN(len(p.cands))]
				ref.level++
				ref.as = append(ref.as, refAssign{term{p, true, exact(c.v)}, ref.level, true, c})
				ps.decide(p, c, exact(c.v))
				touched[p] = true
			default:
				tm := term{p, rng.IntN(2) == 0, sets[rng.IntN(len(sets))]}
				ref.as = append(ref.as, refAssign{term: tm, level: ref.level})
				ps.derive(tm, nil)
				touched[p] = true
			}
			most = max(most, ps.n)
			where := fmt.Sprintf("seed %d step %d", seed, step)
			if ps.n != len(ref.as) || ps.level != ref.level {
				t.Fatalf("%s: %d assignments at level %d, model %d at %d", where, ps.n, ps.level, len(ref.as), ref.level)
			}
			if !slices.Equal(prev, prevCopy) {
				t.Fatalf("%s: the last takeDirty's list changed before the next call", where)
			}
			if rng.IntN(3) == 0 {
				d := ps.takeDirty()
				prev, prevCopy = d, slices.Clone(d)
				for _, q := range d {
					if !touched[q] {
						t.Fatalf("%s: %s dirty but not touched", where, q.name)
					}
					delete(touched, q)
				}
				if len(touched) > 0 {
					t.Fatalf("%s: touched packages missing from the dirty list: %d", where, len(touched))
				}
			}
			for _, q := range pkgs {
				checkNode(t, where, &ps, &ref, q, sets)
			}
		}
	}
	if most <= 2<<assignBits {
		t.Errorf("at most %d assignments: not past two blocks", most)
	}
}

// blocksTail returns the nodes of assignments from..to-1 (those a
// backtrack to from assignments removes).
func (ps *partial) blocksTail(from, to int) []*pkg {
	var out []*pkg
	for i := from; i < to; i++ {
		out = append(out, ps.at(int32(i)).term.pkg)
	}
	return out
}

func checkNode(t *testing.T, where string, ps *partial, ref *refPartial, q *pkg, sets []pep440.Set) {
	t.Helper()
	idx := ref.indices(q)
	st := ps.st(q)
	if !slices.Equal(st.idx, idx) || st.has != (len(idx) > 0) {
		t.Fatalf("%s: %s: indices %v (has %v), model %v", where, q.name, st.idx, st.has, idx)
	}
	var acc term
	decided, level := false, 0
	var c *cand
	for k, i := range idx {
		a := ref.as[i]
		if k == 0 {
			acc = a.term
		} else {
			acc = acc.intersect(a.term)
		}
		if a.decision {
			decided, c, level = true, a.cand, a.level
		}
		got := ps.at(i)
		if got.term.pkg != a.term.pkg || got.term.pos != a.term.pos || !got.term.set.Equal(a.term.set) ||
			int(got.level) != a.level || got.decision != a.decision || got.cand != a.cand || int(got.index) != int(i) {
			t.Fatalf("%s: assignment %d differs from the model", where, i)
		}
	}
	if len(idx) > 0 && (st.acc.pos != acc.pos || !st.acc.set.Equal(acc.set)) {
		t.Fatalf("%s: %s: acc differs from the model", where, q.name)
	}
	if st.decided != decided || st.cand != c || ps.decisionLevel(q) != level {
		t.Fatalf("%s: %s: decided %v %v level %d, model %v %v %d", where, q.name, st.decided, st.cand, ps.decisionLevel(q), decided, c, level)
	}
	for _, set := range sets {
		for _, pos := range []bool{true, false} {
			tm := term{q, pos, set}
			want := -1
			var run term
			for k, i := range idx {
				if k == 0 {
					run = ref.as[i].term
				} else {
					run = run.intersect(ref.as[i].term)
				}
				if satisfies(run, tm) {
					want = int(i)
					break
				}
			}
			got := -1
			if a := ps.satisfier(tm); a != nil {
				got = int(a.index)
			}
			if got != want {
				t.Fatalf("%s: %s: satisfier of %v %v is %d, model %d", where, q.name, pos, set, got, want)
			}
		}
	}
}
