package resolver

import "github.com/pylock/pylock/pypi/pep440"

// term is a PubGrub term: "pkg is selected with a version in set" (pos) or
// its negation "pkg is not selected with a version in set" (!pos), which
// also holds when pkg is not selected at all.
type term struct {
	pkg *pkg
	pos bool
	set pep440.Set
}

func (t term) negate() term { return term{t.pkg, !t.pos, t.set} }

// intersect returns the term true exactly where t and u both are (same pkg).
func (t term) intersect(u term) term {
	switch {
	case t.pos && u.pos:
		return term{t.pkg, true, t.set.Intersect(u.set)}
	case t.pos:
		return term{t.pkg, true, t.set.Difference(u.set)}
	case u.pos:
		return term{t.pkg, true, u.set.Difference(t.set)}
	}
	return term{t.pkg, false, t.set.Union(u.set)}
}

// difference returns t ∧ ¬u.
func (t term) difference(u term) term { return t.intersect(u.negate()) }

// isEmpty reports whether no assignment satisfies t.
func (t term) isEmpty() bool { return t.pos && t.set.IsEmpty() }

type relation int

const (
	relInconclusive relation = iota
	relSatisfied
	relContradicted
)

// relate returns how the accumulated term a (everything known about the
// package) relates to t: a ⊆ t (satisfied), a ∩ t = ∅ (contradicted) or
// neither.
func relate(a, t term) relation {
	switch {
	case a.pos && t.pos:
		if a.set.SubsetOf(t.set) {
			return relSatisfied
		}
		if a.set.Disjoint(t.set) {
			return relContradicted
		}
	case !a.pos && t.pos:
		if t.set.SubsetOf(a.set) {
			return relContradicted
		}
	case a.pos && !t.pos:
		if a.set.Disjoint(t.set) {
			return relSatisfied
		}
		if a.set.SubsetOf(t.set) {
			return relContradicted
		}
	default:
		if t.set.SubsetOf(a.set) {
			return relSatisfied
		}
	}
	return relInconclusive
}

// satisfies reports whether a ⊆ t.
func satisfies(a, t term) bool { return relate(a, t) == relSatisfied }
