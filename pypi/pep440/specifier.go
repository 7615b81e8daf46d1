package pep440

import (
	"slices"
	"strings"
)

// Specifier is one clause such as ">=1.0" or "==1.0.*".
type Specifier struct {
	Op      string // one of == != <= >= < > ~= ===
	Version string // operand as written (stripped), e.g. "1.0.*"
}

// String returns the clause as written (operator and stripped operand).
func (sp Specifier) String() string { return sp.Op + sp.Version }

// SpecifierSet is a comma-separated conjunction of Specifiers. The zero value
// is the empty set, which matches every version.
type SpecifierSet struct {
	specs []Specifier
	cl    []clause // compiled clauses, parallel to specs
	set   *Set     // intersection of the clauses' sets; nil means all versions
	arb   bool     // some clause is "==="
}

// clause is a compiled Specifier.
type clause struct {
	v         Version // operand (zero for an unparsable === operand)
	set       Set     // versions matched (=== excluded; see arbitrary)
	arbitrary bool    // "===": compare text
	lower     string  // "===": operand lower-cased (Python str.lower)
	pre       bool    // packaging's Specifier.prereleases auto value
}

// ParseSpecifierSet parses "", ">=1.0,<2", ">=1.0,,<2.0," (empty items are
// ignored). Errors name the input and position.
func ParseSpecifierSet(s string) (SpecifierSet, error) {
	var out SpecifierSet
	off := 0
	for {
		k := strings.IndexByte(s[off:], ',')
		end := len(s)
		if k >= 0 {
			end = off + k
		}
		item := s[off:end]
		lo, hi := trimSpaceBounds(item)
		if lo < hi {
			sp, c, pos, msg := parseSpecifier(item[lo:hi])
			if msg != "" {
				return SpecifierSet{}, &Error{Kind: "specifier", Input: s, Pos: off + lo + pos, Msg: msg}
			}
			out.specs = append(out.specs, sp)
			out.cl = append(out.cl, c)
		}
		if k < 0 {
			out.compile()
			return out, nil
		}
		off = end + 1
	}
}

// ParseSpecifier parses a single clause such as ">=1.0".
func ParseSpecifier(s string) (Specifier, error) {
	lo, hi := trimSpaceBounds(s)
	sp, _, pos, msg := parseSpecifier(s[lo:hi])
	if msg != "" {
		if lo == hi {
			pos, msg = 0, "empty specifier"
		}
		return Specifier{}, &Error{Kind: "specifier", Input: s, Pos: lo + pos, Msg: msg}
	}
	return sp, nil
}

// MustParseSpecifierSet is ParseSpecifierSet that panics on error.
func MustParseSpecifierSet(s string) SpecifierSet {
	ss, err := ParseSpecifierSet(s)
	if err != nil {
		panic(err)
	}
	return ss
}

// parseSpecifier parses a stripped, non-empty clause following packaging's
// Specifier regex. On error it returns the offset and a message.
func parseSpecifier(s string) (Specifier, clause, int, string) {
	var op string
	switch {
	case strings.HasPrefix(s, "==="):
		op = "==="
	case len(s) >= 2 && (s[:2] == "~=" || s[:2] == "==" || s[:2] == "!=" || s[:2] == "<=" || s[:2] == ">="):
		op = s[:2]
	case len(s) >= 1 && (s[0] == '<' || s[0] == '>'):
		op = s[:1]
	default:
		return Specifier{}, clause{}, 0, "expected an operator (== != <= >= < > ~= ===)"
	}
	lo, hi := trimSpaceBounds(s[len(op):])
	lo += len(op)
	hi += len(op)
	operand := s[lo:hi]
	sp := Specifier{Op: op, Version: operand}
	if op == "===" {
		for i, r := range operand {
			if r == ';' || r == ')' || isPySpace(r) {
				return Specifier{}, clause{}, lo + i, unexpectedAt(operand, i) + " in arbitrary version"
			}
		}
		c := clause{arbitrary: true, lower: pyLower(operand)}
		if v, err := Parse(operand); err == nil {
			c.v = v
			c.pre = v.IsPrerelease()
			if v.s == c.lower {
				c.set = Exactly(v)
			}
		}
		return sp, c, 0, ""
	}
	var p parsed
	wild := op == "==" || op == "!="
	if pos, ok := p.parse(operand, wild, !wild); !ok {
		msg := unexpectedAt(operand, pos) + " in version"
		if operand == "" {
			msg = "missing version after " + op
		}
		return Specifier{}, clause{}, lo + pos, msg
	}
	if op == "~=" && strings.IndexByte(p.release, '.') < 0 {
		return Specifier{}, clause{}, lo, "~= needs at least two release components"
	}
	var c clause
	if p.wildcard {
		var q parsed
		q.parse(operand[:len(operand)-2], false, false)
		c.v = q.build()
	} else {
		c.v = p.build()
		c.pre = op != "!=" && c.v.IsPrerelease()
	}
	c.set = clauseSet(op, c.v, p.wildcard)
	return sp, c, 0, ""
}

// compile caches the intersection of the clauses' sets, so Contains is one
// binary search.
func (s *SpecifierSet) compile() {
	s.set, s.arb = nil, false
	if len(s.cl) == 0 {
		return
	}
	all := Full()
	for i := range s.cl {
		s.arb = s.arb || s.cl[i].arbitrary
		all = all.Intersect(s.cl[i].set)
	}
	s.set = &all
}

// And returns the conjunction of s and o (packaging's s & o): the clauses
// of s followed by those of o.
func (s SpecifierSet) And(o SpecifierSet) SpecifierSet {
	out := SpecifierSet{
		specs: append(append([]Specifier(nil), s.specs...), o.specs...),
		cl:    append(append([]clause(nil), s.cl...), o.cl...),
	}
	out.compile()
	return out
}

// Specifiers returns the clauses in input order.
func (s SpecifierSet) Specifiers() []Specifier { return s.specs }

// Len returns the number of clauses.
func (s SpecifierSet) Len() int { return len(s.specs) }

// String returns str(SpecifierSet): sorted, de-duplicated, comma-joined.
func (s SpecifierSet) String() string {
	if len(s.specs) == 1 {
		return s.specs[0].String()
	}
	cs := s.CanonicalSpecifiers()
	n := 0
	for _, sp := range cs {
		n += len(sp.Op) + len(sp.Version) + 1
	}
	var b strings.Builder
	b.Grow(n)
	for i, sp := range cs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(sp.Op)
		b.WriteString(sp.Version)
	}
	return b.String()
}

// CanonicalSpecifiers returns the clauses sorted by text with equivalent
// duplicates removed (the first in sorted order is kept), as str() lists
// them: "==1.0.0,==1.0" gives [==1.0].
func (s SpecifierSet) CanonicalSpecifiers() []Specifier {
	if len(s.specs) <= 1 {
		return s.specs
	}
	idx := make([]int, len(s.specs))
	for i := range idx {
		idx[i] = i
	}
	// Stable sort by the clause text Op+Version, compared without
	// building it.
	slices.SortStableFunc(idx, func(a, b int) int {
		x, y := s.specs[a], s.specs[b]
		return compareJoined(x.Op, x.Version, y.Op, y.Version)
	})
	out := make([]Specifier, 0, len(idx))
	keys := make([][2]string, 0, len(idx))
	for _, i := range idx {
		k := s.canonicalSpec(i)
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
			out = append(out, s.specs[i])
		}
	}
	return out
}

// compareJoined compares a1+a2 with b1+b2 without concatenating.
func compareJoined(a1, a2, b1, b2 string) int {
	for i := 0; ; i++ {
		ca, okA := byteAt(a1, a2, i)
		cb, okB := byteAt(b1, b2, i)
		switch {
		case !okA && !okB:
			return 0
		case !okA:
			return -1
		case !okB:
			return 1
		case ca != cb:
			if ca < cb {
				return -1
			}
			return 1
		}
	}
}

// byteAt returns byte i of x+y.
func byteAt(x, y string, i int) (byte, bool) {
	if i < len(x) {
		return x[i], true
	}
	if i -= len(x); i < len(y) {
		return y[i], true
	}
	return 0, false
}

// canonicalSpec is packaging's Specifier._canonical_spec, the identity
// used to de-duplicate clauses.
func (s SpecifierSet) canonicalSpec(i int) [2]string {
	sp := s.specs[i]
	if sp.Op == "===" || strings.HasSuffix(sp.Version, ".*") {
		return [2]string{sp.Op, sp.Version}
	}
	v := s.cl[i].v
	if sp.Op == "~=" {
		return [2]string{sp.Op, v.s}
	}
	return [2]string{sp.Op, v.Canonical()}
}

// Contains reports whether v satisfies every clause under PEP 440 operator
// rules, admitting pre-releases (selection policy is the caller's).
func (s SpecifierSet) Contains(v Version) bool {
	if s.set == nil { // the empty set of clauses (zero value)
		return true
	}
	if !s.set.Contains(v) {
		return false
	}
	if s.arb {
		return s.slowContains(v)
	}
	return true
}

// slowContains checks clause by clause.
func (s SpecifierSet) slowContains(v Version) bool {
	for i := range s.cl {
		if !s.cl[i].matches(v) {
			return false
		}
	}
	return true
}

func (c *clause) matches(v Version) bool {
	if c.arbitrary {
		return v.s == c.lower
	}
	return c.set.Contains(v)
}

// matchesText is clause matching for a version given as text: "===" compares
// the raw text, other operators need a valid version.
func (c *clause) matchesText(item string, v Version, ok bool) bool {
	if c.arbitrary {
		return pyLower(item) == c.lower
	}
	return ok && c.set.Contains(v)
}

// MentionsPrerelease reports whether any clause's operand is itself a
// pre-release (uv's "explicit" pre-release opt-in; packaging's auto
// prereleases property). "!=1.0a1" does not count.
func (s SpecifierSet) MentionsPrerelease() bool {
	for i := range s.cl {
		if s.cl[i].pre {
			return true
		}
	}
	return false
}

// Prereleases returns packaging's SpecifierSet.prereleases property for a
// set constructed without an explicit value: true when some clause mentions
// a pre-release, else nil.
func (s SpecifierSet) Prereleases() *bool {
	if s.MentionsPrerelease() {
		t := true
		return &t
	}
	return nil
}

// Set returns the exact set of versions matched by s (as Contains):
// s.Set().Contains(v) == s.Contains(v) for every v, except that "===X"
// matches text, not versions, so its set holds every spelling of X (1.0.0
// as well as 1.0) when X is in normal form, and nothing otherwise.
func (s SpecifierSet) Set() Set {
	if s.set == nil {
		return Full()
	}
	return *s.set
}

func (s SpecifierSet) hasArbitrary() bool { return s.arb }

// ContainsPolicy is packaging 26's SpecifierSet(s, prereleases=
// setPrereleases).contains(version, prereleases=prereleases) for a version
// given as text. Pre-releases are rejected only when the effective setting
// (the argument, else the set's) is false. Unparsable text matches only the
// empty set and "===".
func (s SpecifierSet) ContainsPolicy(version string, prereleases, setPrereleases *bool) bool {
	eff := prereleases
	if eff == nil {
		eff = setPrereleases
	}
	v, err := Parse(version)
	ok := err == nil
	rejectPre := eff != nil && !*eff && ok && v.IsPrerelease()
	if len(s.cl) == 0 {
		return !rejectPre
	}
	if !s.hasArbitrary() {
		if !ok || rejectPre {
			return false
		}
		return s.Contains(v)
	}
	for i := range s.cl {
		if !s.cl[i].matchesText(version, v, ok) {
			return false
		}
	}
	return !rejectPre
}

// Filter is packaging 26's list(SpecifierSet(s, prereleases=setPrereleases)
// .filter(versions, prereleases=prereleases)). With no effective setting it
// drops pre-releases once any final release matches (or returns the
// matching pre-releases when none does). Input order is kept.
func (s SpecifierSet) Filter(versions []string, prereleases, setPrereleases *bool) []string {
	eff := prereleases
	if eff == nil {
		eff = setPrereleases
	}
	if eff == nil && s.MentionsPrerelease() {
		t := true
		eff = &t
	}
	if len(s.cl) == 0 {
		return applyPrereleases(versions, eff)
	}
	if s.hasArbitrary() {
		var matches []string
		for _, item := range versions {
			v, err := Parse(item)
			all := true
			for i := range s.cl {
				if !s.cl[i].matchesText(item, v, err == nil) {
					all = false
					break
				}
			}
			if all {
				matches = append(matches, item)
			}
		}
		return applyPrereleases(matches, eff)
	}
	out := []string{}
	var buffer []string
	foundFinal := false
	for _, item := range versions {
		v, err := Parse(item)
		if err != nil || !s.Contains(v) {
			continue
		}
		pre := v.IsPrerelease()
		switch {
		case eff != nil && *eff:
			out = append(out, item)
		case eff != nil:
			if !pre {
				out = append(out, item)
			}
		case !pre:
			foundFinal = true
			out = append(out, item)
		case !foundFinal:
			buffer = append(buffer, item)
		}
	}
	if eff == nil && !foundFinal {
		out = append(out, buffer...)
	}
	return out
}

// applyPrereleases is packaging's _apply_prereleases_filter over items that
// already matched: unparsable text is kept as it cannot be classified.
func applyPrereleases(items []string, eff *bool) []string {
	out := []string{}
	if eff != nil {
		for _, item := range items {
			v, err := Parse(item)
			if *eff || err != nil || !v.IsPrerelease() {
				out = append(out, item)
			}
		}
		return out
	}
	var nonFinal, arbitrary []string
	foundFinal := false
	for _, item := range items {
		v, err := Parse(item)
		switch {
		case err != nil:
			if foundFinal {
				out = append(out, item)
			} else {
				arbitrary = append(arbitrary, item)
				nonFinal = append(nonFinal, item)
			}
		case !v.IsPrerelease():
			if !foundFinal {
				out = append(out, arbitrary...)
				foundFinal = true
			}
			out = append(out, item)
		case !foundFinal:
			nonFinal = append(nonFinal, item)
		}
	}
	if !foundFinal {
		out = append(out, nonFinal...)
	}
	return out
}
