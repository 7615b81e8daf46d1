package pep508

import (
	"strings"
	"sync"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
)

// opKind is a marker comparison operator.
type opKind uint8

const (
	opIn opKind = iota
	opNotIn
	opLT
	opLE
	opEQ
	opNE
	opGE
	opGT
	opCompat
	opArb
)

var opText = [...]string{"in", "not in", "<", "<=", "==", "!=", ">=", ">", "~=", "==="}

func opFromText(s string) opKind {
	for k, t := range opText {
		if t == s {
			return opKind(k)
		}
	}
	panic("pep508: unknown operator " + s)
}

// operand is one side of a comparison: a marker variable (canonical name) or
// a string value.
type operand struct {
	isVar bool
	v     string
}

func (o operand) write(b *strings.Builder) {
	if o.isVar {
		b.WriteString(o.v)
		return
	}
	writePyString(b, o.v)
}

// versionKeys are the variables compared as PEP 440 versions.
func isVersionKey(k string) bool {
	switch k {
	case "python_version", "python_full_version", "implementation_version", "platform_release":
		return true
	}
	return false
}

// isSetKey reports the PEP 751 lock-file set variables.
func isSetKey(k string) bool { return k == "extras" || k == "dependency_groups" }

// atom is one comparison. Immutable once built.
type atom struct {
	lhs, rhs operand
	op       opKind
	// vs is the pre-parsed specifier `op rhs` when lhs is a version variable
	// and `op rhs` is a valid specifier; nil otherwise (string comparison, or
	// the specifier depends on the environment).
	vs *verSpec
}

// verSpec is a parsed single specifier used by a version comparison.
type verSpec struct {
	arbitrary bool   // "===": case-insensitive string equality with text
	text      string // the === operand, lower-cased
	set       pep440.SpecifierSet

	once sync.Once
	vset pep440.Set // set.Set(), computed on first use by the algebra
}

// versions returns the exact set of versions the specifier matches.
func (vs *verSpec) versions() pep440.Set {
	vs.once.Do(func() { vs.vset = vs.set.Set() })
	return vs.vset
}

// newVerSpec parses `op rhs` as packaging's Specifier(f"{op}{rhs}") does; nil
// when it is not a valid specifier.
func newVerSpec(op opKind, rhs string) *verSpec {
	sop, ver, ok := parseSingleSpecifier(opText[op] + rhs)
	if !ok {
		return nil
	}
	if sop == "===" {
		return &verSpec{arbitrary: true, text: names.Lower(ver)}
	}
	set, err := pep440.ParseSpecifierSet(sop + ver)
	if err != nil || set.Len() != 1 {
		return nil
	}
	return &verSpec{set: set}
}

func (vs *verSpec) contains(value string) bool {
	if vs.arbitrary {
		return names.Lower(value) == vs.text
	}
	v, err := pep440.Parse(value)
	if err != nil {
		return false
	}
	return vs.set.Contains(v)
}

// isNameKey reports the variables whose values are names compared after
// PEP 503 normalisation: extra (PEP 685), extras and dependency_groups.
func isNameKey(k string) bool { return k == "extra" || isSetKey(k) }

// newAtom builds a comparison, normalising name values (PEP 685) and
// pre-parsing the version operand.
func newAtom(lhs operand, op opKind, rhs operand) *atom {
	if lhs.isVar && isNameKey(lhs.v) && !rhs.isVar {
		rhs.v = names.Canonicalize(rhs.v)
	} else if rhs.isVar && isNameKey(rhs.v) && !lhs.isVar {
		lhs.v = names.Canonicalize(lhs.v)
	}
	a := &atom{lhs: lhs, op: op, rhs: rhs}
	if lhs.isVar && isVersionKey(lhs.v) {
		a.vs = newVerSpec(op, rhs.v)
	}
	return a
}

func (a *atom) String() string {
	var b strings.Builder
	a.write(&b, a.op)
	return b.String()
}

// write prints the comparison with operator op (a.op, or the nearest
// inverse for a negated comparison).
func (a *atom) write(b *strings.Builder, op opKind) {
	a.lhs.write(b)
	b.WriteByte(' ')
	b.WriteString(opText[op])
	b.WriteByte(' ')
	a.rhs.write(b)
}

// nodeKind distinguishes marker tree nodes.
type nodeKind uint8

const (
	kAtom nodeKind = iota
	kAnd
	kOr
	kFalse
)

// node is an immutable marker expression. Parsed trees keep the grouping
// packaging prints: paren marks a parenthesised group of two or more atoms.
type node struct {
	kind  nodeKind
	paren bool
	neg   bool // kAtom: the negation of a (built by Not when no operator inverts it exactly)
	a     *atom
	kids  []*node
}

// falseText is how the always-false marker prints: a comparison packaging
// also evaluates to false for every Python version.
const falseText = `python_version < "0"`

// Marker is a parsed environment marker. The zero value is the always-true
// marker (no marker).
type Marker struct {
	// owner: unexported fields only
	n *node
}

// ParseMarker parses a marker expression. Errors name the input and column.
func ParseMarker(s string) (Marker, error) {
	p := &parser{s: s, what: "marker"}
	n, _, i, err := p.marker(0)
	if err != nil {
		return Marker{}, err
	}
	if i != len(s) {
		return Marker{}, p.errAt(i, i, "expected end of marker expression")
	}
	return Marker{n: n}, nil
}

// MustParseMarker is ParseMarker that panics; for tests.
func MustParseMarker(s string) Marker {
	m, err := ParseMarker(s)
	if err != nil {
		panic(err)
	}
	return m
}

// IsTrue reports whether m is the empty (always true) marker.
func (m Marker) IsTrue() bool { return m.n == nil }

// IsFalse reports whether m is the always-false marker built by the algebra
// (for example And of two disjoint markers).
func (m Marker) IsFalse() bool { return m.n != nil && m.n.kind == kFalse }

// False returns the always-false marker. It prints as `python_version < "0"`.
func False() Marker { return Marker{n: &node{kind: kFalse}} }

// Equal reports whether m and o print identically (packaging's Marker
// equality).
func (m Marker) Equal(o Marker) bool { return m.String() == o.String() }

// String returns str(Marker) in packaging's normal form ("" for the zero
// Marker): single quotes only around values holding a double quote, one
// space around operators, parentheses only around groups of two or more.
func (m Marker) String() string {
	if m.n == nil {
		return ""
	}
	var b strings.Builder
	m.n.write(&b, true, kAtom)
	return b.String()
}

func (n *node) write(b *strings.Builder, top bool, parent nodeKind) {
	switch n.kind {
	case kFalse:
		b.WriteString(falseText)
	case kAtom:
		if n.neg {
			writeNegatedAtom(b, n.a)
			return
		}
		n.a.write(b, n.a.op)
	default:
		paren := !top && (n.paren || parent == kAnd && n.kind == kOr)
		if paren {
			b.WriteByte('(')
		}
		sep := " and "
		if n.kind == kOr {
			sep = " or "
		}
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			k.write(b, false, n.kind)
		}
		if paren {
			b.WriteByte(')')
		}
	}
}

// parser is a recursive-descent parser over s following packaging's grammar.
type parser struct {
	s    string
	what string
}

func (p *parser) errAt(pos, end int, msg string) error {
	if end < pos {
		end = pos
	}
	return &SyntaxError{What: p.what, Input: p.s, Pos: pos, End: end, Msg: msg}
}

// marker parses `marker_atom (BOOLOP marker_atom)*` at i. It returns the
// node, the number of atoms in the list and the end offset.
func (p *parser) marker(i int) (*node, int, int, error) {
	n, i, err := p.markerAtom(i)
	if err != nil {
		return nil, 0, i, err
	}
	groups := [][]*node{{n}}
	count := 1
	for {
		var isOr bool
		switch {
		case matchWord(p.s, i, "or"):
			isOr = true
			i += 2
		case matchWord(p.s, i, "and"):
			i += 3
		default:
			return buildList(groups), count, i, nil
		}
		n, i, err = p.markerAtom(i)
		if err != nil {
			return nil, 0, i, err
		}
		count++
		if isOr {
			groups = append(groups, []*node{n})
		} else {
			groups[len(groups)-1] = append(groups[len(groups)-1], n)
		}
	}
}

// buildList turns or-separated groups of and-ed atoms into a tree.
func buildList(groups [][]*node) *node {
	ors := make([]*node, len(groups))
	for k, g := range groups {
		if len(g) == 1 {
			ors[k] = g[0]
		} else {
			ors[k] = &node{kind: kAnd, kids: g}
		}
	}
	if len(ors) == 1 {
		return ors[0]
	}
	return &node{kind: kOr, kids: ors}
}

func (p *parser) markerAtom(i int) (*node, int, error) {
	i = skipWS(p.s, i)
	if i < len(p.s) && p.s[i] == '(' {
		open := i
		n, count, j, err := p.marker(skipWS(p.s, i+1))
		if err != nil {
			return nil, j, err
		}
		j = skipWS(p.s, j)
		if j >= len(p.s) || p.s[j] != ')' {
			return nil, j, p.errAt(open, j, "expected matching ')' for '(' after marker expression")
		}
		if count > 1 {
			n.paren = true
		}
		return n, skipWS(p.s, j+1), nil
	}
	n, i, err := p.markerItem(i)
	if err != nil {
		return nil, i, err
	}
	return n, skipWS(p.s, i), nil
}

func (p *parser) markerItem(i int) (*node, int, error) {
	lhs, i, err := p.markerVar(skipWS(p.s, i))
	if err != nil {
		return nil, i, err
	}
	op, i, err := p.markerOp(skipWS(p.s, i))
	if err != nil {
		return nil, i, err
	}
	rhs, i, err := p.markerVar(skipWS(p.s, i))
	if err != nil {
		return nil, i, err
	}
	return &node{kind: kAtom, a: newAtom(lhs, op, rhs)}, skipWS(p.s, i), nil
}

func (p *parser) markerVar(i int) (operand, int, error) {
	if name, end := matchVariable(p.s, i); end >= 0 {
		return operand{isVar: true, v: name}, end, nil
	}
	if i < len(p.s) && (p.s[i] == '"' || p.s[i] == '\'') {
		if k := strings.IndexByte(p.s[i+1:], p.s[i]); k >= 0 {
			end := i + 1 + k + 1
			v, at, msg := decodePyString(p.s[i+1 : end-1])
			if msg != "" {
				return operand{}, i, p.errAt(i+1+at, end, "invalid quoted string: "+msg)
			}
			return operand{v: v}, end, nil
		}
	}
	return operand{}, i, p.errAt(i, i, "expected a marker variable or quoted string")
}

func (p *parser) markerOp(i int) (opKind, int, error) {
	switch {
	case matchWord(p.s, i, "in"):
		return opIn, i + 2, nil
	case matchWord(p.s, i, "not"):
		j := skipWS(p.s, i+3)
		if j == i+3 {
			return 0, j, p.errAt(j, j, "expected whitespace after 'not'")
		}
		if !matchWord(p.s, j, "in") {
			return 0, j, p.errAt(j, j, "expected 'in' after 'not'")
		}
		return opNotIn, j + 2, nil
	}
	for _, op := range markerOps {
		if strings.HasPrefix(p.s[i:], op) {
			return opFromText(op), i + len(op), nil
		}
	}
	return 0, i, p.errAt(i, i, "expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in")
}
