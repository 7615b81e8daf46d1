package resolver

import "github.com/pylock/pylock/pypi/pep440"

// CauseKind says why an Incompatibility holds.
type CauseKind int

const (
	// CauseRoot: the root (your requirements) must be selected.
	CauseRoot CauseKind = iota
	// CauseDependency: the versions of Terms[0] depend on Terms[1]'s
	// package within its versions (Requirement is the specifier).
	CauseDependency
	// CauseNoVersions: no usable version of Terms[0] exists (Reason; Err
	// wraps ErrProjectNotFound when the project is not on the index).
	CauseNoVersions
	// CauseUnavailable: these versions of Terms[0] cannot be used (Reason;
	// Err is the provider error behind it, if any).
	CauseUnavailable
	// CauseConstraint: a constraint excludes these versions of Terms[0]
	// (Requirement is the constraint's specifier).
	CauseConstraint
	// CauseConflictHook: Options.Conflicts declared Terms[0] and Terms[1]
	// incompatible (Reason).
	CauseConflictHook
	// CauseBadRequirement: the versions of Terms[0] have a requirement no
	// version can satisfy (Requirement, Reason).
	CauseBadRequirement
	// CauseDerived: learned from the two Causes by conflict resolution.
	CauseDerived
)

var causeNames = [...]string{"root", "dependency", "no-versions", "unavailable", "constraint", "conflict-hook", "bad-requirement", "derived"}

// String names the kind ("dependency", "derived", ...).
func (k CauseKind) String() string {
	if k < 0 || int(k) >= len(causeNames) {
		return "unknown"
	}
	return causeNames[k]
}

// Term is one statement of an Incompatibility: Package is selected at a
// version in Versions (Positive) or is not (!Positive, which also holds
// when the package is not selected at all).
type Term struct {
	Package  string     // "a", "a[x]", or "" for the root (your requirements)
	Name     string     // canonical project name ("" for the root)
	Extra    string     // the extra, for "a[x]"
	Positive bool       // is (true) or is not (false) selected in Versions
	Versions pep440.Set // the versions the term is about
	// Range is Versions as explanations show it (">=1.0", "==2.0",
	// ">=1.0,<=2.0" over the candidates known); "" means every version.
	Range string
}

// Incompatibility is one node of the derivation of a NoSolutionError: a
// set of terms that cannot all hold, and why. Derived incompatibilities
// point to the two they were learned from, down to external facts
// (dependencies, missing versions, constraints); a node shared by several
// branches is the same pointer.
type Incompatibility struct {
	Terms       []Term
	Kind        CauseKind
	Reason      string             // CauseNoVersions, CauseUnavailable, CauseConflictHook, CauseBadRequirement
	Requirement string             // CauseDependency, CauseBadRequirement: the specifier as written; CauseConstraint: the constraint
	Err         error              // CauseNoVersions (project not found), CauseUnavailable: the provider's error
	Causes      []*Incompatibility // CauseDerived: the two incompatibilities it was learned from
	// Text is the incompatibility as the explanation words it ("a==1.0
	// depends on b>=2", "b>=2 cannot be used", ...).
	Text string
}

// External reports whether the incompatibility is a fact from the inputs
// or the index rather than derived.
func (ic *Incompatibility) External() bool { return ic.Kind != CauseDerived }

// Walk calls f for ic and every incompatibility it was derived from,
// depth first, causes before the incompatibility, each once.
func (ic *Incompatibility) Walk(f func(*Incompatibility)) {
	seen := map[*Incompatibility]bool{}
	var walk func(*Incompatibility)
	walk = func(n *Incompatibility) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		for _, c := range n.Causes {
			walk(c)
		}
		f(n)
	}
	walk(ic)
}

// derivation converts the failure ic and everything it was derived from.
func (s *solver) derivation(ic *incompat) *Incompatibility {
	memo := map[*incompat]*Incompatibility{}
	var conv func(*incompat) *Incompatibility
	conv = func(ic *incompat) *Incompatibility {
		if out := memo[ic]; out != nil {
			return out
		}
		out := &Incompatibility{Kind: causeKinds[ic.kind], Reason: ic.reason, Requirement: ic.req, Err: ic.err}
		memo[ic] = out
		if ic.isFailure() {
			out.Text = "your requirements are unsatisfiable"
		} else {
			out.Text = s.describe(ic)
		}
		for _, t := range ic.terms {
			out.Terms = append(out.Terms, s.publicTerm(t))
		}
		switch ic.kind {
		case causeDerived:
			out.Causes = []*Incompatibility{conv(ic.c1), conv(ic.c2)}
		case causeNoVersions:
			out.Err = ic.terms[0].pkg.base.notFound
		}
		return out
	}
	return conv(ic)
}

var causeKinds = map[causeKind]CauseKind{
	causeRoot: CauseRoot, causeDependency: CauseDependency, causeNoVersions: CauseNoVersions,
	causeUnavailable: CauseUnavailable, causeConstraint: CauseConstraint, causeConflictHook: CauseConflictHook,
	causeBadDep: CauseBadRequirement, causeDerived: CauseDerived,
}

func (s *solver) publicTerm(t term) Term {
	out := Term{Package: t.pkg.String(), Name: t.pkg.name, Extra: t.pkg.extra, Positive: t.pos, Versions: t.set}
	if t.pkg.isRoot() {
		out.Package = ""
		return out
	}
	if r, all := s.rangeStr(t.pkg, t.set); !all {
		out.Range = r
	}
	return out
}
