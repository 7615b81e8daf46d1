package resolver

import "github.com/pylock/pylock/pypi/pep440"

// causeKind says why an incompatibility holds.
type causeKind int

const (
	causeRoot         causeKind = iota // {not root}: the root must be selected
	causeDependency                    // {pkg ∈ S, not dep ∈ T}
	causeNoVersions                    // {pkg ∈ S}: no usable version in S
	causeUnavailable                   // {pkg ∈ S}: these versions cannot be used (reason)
	causeConstraint                    // {pkg ∈ ¬C}: a -c constraint
	causeConflictHook                  // {pkg = v, other ∈ S}: Options.Conflicts
	causeBadDep                        // {pkg ∈ S}: a requirement that cannot be met (empty range, self-exclusion)
	causeDerived                       // learned from two others
)

// incompat is a set of terms that must not all be true.
type incompat struct {
	terms  []term
	kind   causeKind
	c1, c2 *incompat // causeDerived
	reason string    // causeNoVersions, causeUnavailable, causeConflictHook, causeBadDep
	req    string    // causeDependency, causeBadDep: specifier of the requirement; causeConstraint: the constraint
	to     *pkg      // causeBadDep: the required package
	why    whyKind   // causeUnavailable: the kind of reason
	err    error     // causeUnavailable: the provider error behind it, if any
	id     int       // creation order, for deterministic reports
	inline [2]term   // storage for the terms of dependency incompatibilities
}

// newDependency returns {p ∈ span, not dep ∈ set} with its terms stored
// inline (one allocation instead of two).
func newDependency(p *pkg, span pep440.Set, dep *pkg, set pep440.Set, req string) *incompat {
	ic := &incompat{kind: causeDependency, req: req}
	ic.inline = [2]term{{p, true, span}, {dep, false, set}}
	ic.terms = ic.inline[:]
	return ic
}

func (ic *incompat) derived() bool { return ic.kind == causeDerived }

// newDerived builds the incompatibility learned from c1 and c2, merging
// terms of one package and dropping a positive root term when others remain.
func newDerived(terms []term, c1, c2 *incompat) *incompat {
	if len(terms) > 1 {
		kept := terms[:0:0]
		for _, t := range terms {
			if !(t.pos && t.pkg.isRoot()) {
				kept = append(kept, t)
			}
		}
		if len(kept) > 0 {
			terms = kept
		}
	}
	return &incompat{terms: mergeTerms(terms), kind: causeDerived, c1: c1, c2: c2}
}

// mergeTerms intersects terms on the same package, keeping first-seen order.
func mergeTerms(terms []term) []term {
	if len(terms) < 2 || len(terms) == 2 && terms[0].pkg != terms[1].pkg {
		return terms
	}
	out := make([]term, 0, len(terms))
	for _, t := range terms {
		merged := false
		for i := range out {
			if out[i].pkg == t.pkg {
				out[i] = out[i].intersect(t)
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, t)
		}
	}
	return out
}

// isFailure reports whether ic says the root cannot be selected (or is empty).
func (ic *incompat) isFailure() bool {
	return len(ic.terms) == 0 || len(ic.terms) == 1 && ic.terms[0].pkg.isRoot() && ic.terms[0].pos
}

func exact(v pep440.Version) pep440.Set { return pep440.Exactly(v) }
