package pep440

import "strings"

// String renders s for people as PEP 440 specifiers where possible
// (">=1.0, <2.0", "==1.2", "*" for full, "∅" for empty; unions joined " | ").
func (s Set) String() string {
	if len(s.b) == 0 {
		return "∅"
	}
	if s.IsFull() {
		return "*"
	}
	var parts []string
	for i := 0; i+1 < len(s.b); i += 2 {
		parts = append(parts, renderInterval(s.b[i], s.b[i+1]))
	}
	return strings.Join(parts, " | ")
}

func renderInterval(lo, hi bound) string {
	if lo.kind == bBelow && (hi.kind == bAbove || hi.kind == bAfterLocals) && lo.v.key == hi.v.key {
		return "==" + lo.v.s
	}
	var out []string
	if l := renderLower(lo); l != "" {
		out = append(out, l)
	}
	if h := renderUpper(hi); h != "" {
		out = append(out, h)
	}
	return strings.Join(out, ", ")
}

func renderLower(b bound) string {
	switch b.kind {
	case bMin:
		return ""
	case bBelowDev0:
		return ">=" + b.v.BaseVersion() + ".dev0"
	case bAbove, bAfterPosts:
		return ">" + b.v.s
	case bAfterLocals:
		return ">" + b.v.s
	}
	return ">=" + b.v.s
}

func renderUpper(b bound) string {
	switch b.kind {
	case bInf:
		return ""
	case bAbove, bAfterLocals:
		return "<=" + b.v.s
	case bAfterPosts:
		return "<=" + b.v.s + ".post*"
	}
	return "<" + b.v.s
}
