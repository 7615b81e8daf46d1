package pep440

import "strings"

// String renders s for people as PEP 440 specifiers where possible
// (">=1.0, <2.0", "==1.2", "*" for full, "∅" for empty; unions joined " | ").
// Holes of one version or one prefix family inside an interval are written
// as "!=1.5" / "!=1.5.*". Cut points that no specifier expresses are shown
// in plain version order: an upper bound "<1.0" that came from "!=1.0" or a
// complement of ">=1.0" includes 1.0's pre-releases, and "==1.0" / "!=1.0"
// also stand for the exact {1.0} (without local variants).
func (s Set) String() string {
	if len(s.b) == 0 {
		return "∅"
	}
	if s.IsFull() {
		return "*"
	}
	var groups []string
	var clauses []string
	lo := s.b[0]
	for i := 0; i+1 < len(s.b); i += 2 {
		hi := s.b[i+1]
		if i+2 < len(s.b) {
			if hole := renderHole(hi, s.b[i+2]); hole != "" {
				clauses = append(clauses, hole)
				continue
			}
		}
		groups = append(groups, renderGroup(lo, hi, clauses))
		clauses = nil
		if i+2 < len(s.b) {
			lo = s.b[i+2]
		}
	}
	return strings.Join(groups, " | ")
}

// renderGroup renders [lo, hi) minus the holes already rendered as clauses.
func renderGroup(lo, hi bound, holes []string) string {
	var out []string
	if eq := renderPoint(lo, hi); eq != "" && len(holes) == 0 {
		return eq
	}
	if l := renderLower(lo); l != "" {
		out = append(out, l)
	}
	if h := renderUpper(hi); h != "" {
		out = append(out, h)
	}
	out = append(out, holes...)
	if len(out) == 0 {
		return "*"
	}
	return strings.Join(out, ", ")
}

// renderPoint renders [lo, hi) as "==X" or "==X.*" when it is one.
func renderPoint(lo, hi bound) string {
	if x, ok := pointVersion(lo); ok {
		if hi.key == x.key+"\x00" || (!x.HasLocal() && hi.key == afterLocalsB(x).key) {
			return "==" + x.s
		}
	}
	if lo.d.kind == bBelowDev0 && hi.key == nextPrefixDev0(lo.d.v).key {
		return "==" + lo.d.v.BaseVersion() + ".*"
	}
	return ""
}

// renderHole renders the gap [a, b) between two intervals as "!=X" or
// "!=X.*", or returns "".
func renderHole(a, b bound) string {
	if eq := renderPoint(a, b); eq != "" {
		return "!" + eq[1:]
	}
	return ""
}

// pointVersion returns X when the cut is below(X).
func pointVersion(b bound) (Version, bool) {
	switch b.d.kind {
	case bBelow, bBelowLess:
		if b.key == b.d.v.key {
			return b.d.v, true
		}
	}
	return Version{}, false
}

func renderLower(b bound) string {
	switch b.d.kind {
	case bMin:
		return ""
	case bBelowDev0:
		return ">=" + b.d.v.BaseVersion() + ".dev0"
	case bBelowLess:
		if b.key != b.d.v.key {
			p := b.d.v.Parts()
			return ">=" + b.d.v.with("", "", p.Post, "0").s
		}
	case bAbove, bAfterPosts, bGreater:
		return ">" + b.d.v.s
	case bAfterLocals:
		// The first version after b.d.v and its local variants.
		p := b.d.v.Parts()
		switch {
		case p.Dev != "":
			return ">=" + b.d.v.with(p.PreLabel, p.Pre, p.Post, incDecimal(p.Dev)).s
		case p.Post != "":
			return ">=" + b.d.v.with(p.PreLabel, p.Pre, incDecimal(p.Post), "0").s
		}
		return ">=" + b.d.v.with(p.PreLabel, p.Pre, "0", "0").s
	}
	return ">=" + b.d.v.s
}

func renderUpper(b bound) string {
	switch b.d.kind {
	case bInf:
		return ""
	case bAbove, bAfterLocals, bGreater:
		return "<=" + b.d.v.s
	case bAfterPosts:
		return "<=" + b.d.v.s + ".post*"
	case bBelowDev0:
		return "<" + b.d.v.s
	}
	return "<" + b.d.v.s
}
