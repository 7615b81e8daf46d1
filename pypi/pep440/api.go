// Package pep440 implements PEP 440 versions, specifiers and version sets.
//
// CONTRACT (stub written by the lead; the owner replaces the panics, may add
// API, must not rename or remove what is declared here).
//
// Matching ("does v satisfy >=1.0") is separate from selection ("should a
// pre-release be chosen"): SpecifierSet.Contains and Set answer the first
// question only and accept pre-releases; pre-release policy lives in the
// resolver. ContainsPolicy/Filter reproduce packaging 26's behaviour for the
// conformance vectors.
package pep440

// Version is a parsed PEP 440 version. The zero value is not a valid version
// (IsZero reports it). Versions are immutable and cheap to copy; Compare is
// allocation-free. Numeric components of any size are supported exactly.
type Version struct {
	// owner: unexported fields only
	s string
}

// Parse parses s (surrounding Python whitespace allowed) into a Version.
// The error names the input and the offending position.
func Parse(s string) (Version, error) { panic("pep440.Parse: not implemented") }

// MustParse is Parse that panics on error; for tests and constants.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the normalised form (str(Version) in packaging).
func (v Version) String() string { panic("not implemented") }

// Compare returns -1, 0 or +1 following PEP 440 total order (1.0 == 1.0.0).
func (v Version) Compare(w Version) int { panic("not implemented") }

// Equal reports v.Compare(w) == 0.
func (v Version) Equal(w Version) bool { return v.Compare(w) == 0 }

// Less reports v.Compare(w) < 0.
func (v Version) Less(w Version) bool { return v.Compare(w) < 0 }

// IsZero reports whether v is the zero Version (never produced by Parse).
func (v Version) IsZero() bool { panic("not implemented") }

// IsPrerelease reports whether v has a pre-release or dev segment.
func (v Version) IsPrerelease() bool { panic("not implemented") }

// IsPostrelease reports whether v has a post segment.
func (v Version) IsPostrelease() bool { panic("not implemented") }

// IsDevrelease reports whether v has a dev segment.
func (v Version) IsDevrelease() bool { panic("not implemented") }

// Public returns v without its local segment, normalised.
func (v Version) Public() string { panic("not implemented") }

// BaseVersion returns epoch and release only, normalised ("1!2.0").
func (v Version) BaseVersion() string { panic("not implemented") }

// Local returns the normalised local segment without "+", or "".
func (v Version) Local() string { panic("not implemented") }

// Major returns the first release component (0 if it does not fit an int)
// and the epoch; used by rules such as "numpy 2.x".
func (v Version) Major() int { panic("not implemented") }

// Specifier is one clause such as ">=1.0" or "==1.0.*".
type Specifier struct {
	Op      string // one of == != <= >= < > ~= ===
	Version string // operand as written (stripped), e.g. "1.0.*"
}

// SpecifierSet is a comma-separated conjunction of Specifiers. The zero value
// is the empty set, which matches every version.
type SpecifierSet struct {
	specs []Specifier
}

// ParseSpecifierSet parses "", ">=1.0,<2", ">=1.0,,<2.0," (empty items are
// ignored). Errors name the input and position.
func ParseSpecifierSet(s string) (SpecifierSet, error) {
	panic("pep440.ParseSpecifierSet: not implemented")
}

// Specifiers returns the clauses in input order.
func (s SpecifierSet) Specifiers() []Specifier { return s.specs }

// Len returns the number of clauses.
func (s SpecifierSet) Len() int { return len(s.specs) }

// String returns str(SpecifierSet): sorted, de-duplicated, comma-joined.
func (s SpecifierSet) String() string { panic("not implemented") }

// Contains reports whether v satisfies every clause under PEP 440 operator
// rules, admitting pre-releases (selection policy is the caller's).
func (s SpecifierSet) Contains(v Version) bool { panic("not implemented") }

// MentionsPrerelease reports whether any clause's operand is itself a
// pre-release (uv's "explicit" pre-release opt-in; packaging's auto
// prereleases property). "!=1.0a1" does not count.
func (s SpecifierSet) MentionsPrerelease() bool { panic("not implemented") }

// Set returns the exact set of versions matched by s (as Contains).
func (s SpecifierSet) Set() Set { panic("not implemented") }

// Set is a set of versions: a sorted union of disjoint intervals over the
// PEP 440 total order, able to express every specifier exactly (local and
// post-release rules included). The zero value is the empty set.
type Set struct {
	// owner: unexported fields only
	ivs []struct{}
}

// Full returns the set of all versions.
func Full() Set { panic("not implemented") }

// Empty returns the empty set.
func Empty() Set { return Set{} }

// Exactly returns {v} (v itself only; not v's local variants).
func Exactly(v Version) Set { panic("not implemented") }

// Union returns s ∪ o.
func (s Set) Union(o Set) Set { panic("not implemented") }

// Intersect returns s ∩ o.
func (s Set) Intersect(o Set) Set { panic("not implemented") }

// Complement returns all versions not in s.
func (s Set) Complement() Set { panic("not implemented") }

// Difference returns s \ o.
func (s Set) Difference(o Set) Set { return s.Intersect(o.Complement()) }

// IsEmpty reports whether s contains no version.
func (s Set) IsEmpty() bool { panic("not implemented") }

// IsFull reports whether s contains every version.
func (s Set) IsFull() bool { panic("not implemented") }

// Contains reports whether v ∈ s.
func (s Set) Contains(v Version) bool { panic("not implemented") }

// Equal reports whether s and o contain the same versions.
func (s Set) Equal(o Set) bool { panic("not implemented") }

// SubsetOf reports whether s ⊆ o.
func (s Set) SubsetOf(o Set) bool { return s.Difference(o).IsEmpty() }

// Disjoint reports whether s ∩ o is empty.
func (s Set) Disjoint(o Set) bool { return s.Intersect(o).IsEmpty() }

// String renders s for people as PEP 440 specifiers where possible
// (">=1.0, <2.0", "==1.2", "*" for full, "∅" for empty; unions joined " | ").
func (s Set) String() string { panic("not implemented") }
