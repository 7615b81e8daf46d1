package pep508

import (
	"strings"

	"github.com/pylock/pylock/pypi/pep440"
)

// dnfLimit bounds the number of conjunctions Disjoint expands to.
const dnfLimit = 256

// And returns a marker true where both are true (simplified; zero if both zero).
func And(a, b Marker) Marker { return Marker{n: andNodes([]*node{a.n, b.n})} }

// Or returns a marker true where either is true (simplified).
func Or(a, b Marker) Marker { return Marker{n: orNodes([]*node{a.n, b.n})} }

// Not returns the negation of m. Not of the zero Marker is False(); Not of
// False() is the zero Marker.
func Not(m Marker) Marker {
	if m.n == nil {
		return False()
	}
	return Marker{n: negate(m.n)}
}

// Disjoint reports whether a and b can never both be true (conservative:
// false when unsure).
func Disjoint(a, b Marker) bool {
	da, ok := dnf(a.n)
	if !ok {
		return false
	}
	db, ok := dnf(b.n)
	if !ok {
		return false
	}
	return disjointDNF(da, db)
}

// disjointDNF is Disjoint of two markers in disjunctive normal form.
func disjointDNF(da, db [][]*node) bool {
	for _, ca := range da {
		for _, cb := range db {
			conj := append(append([]*node(nil), ca...), cb...)
			if !unsatisfiable(conj) {
				return false
			}
		}
	}
	return true
}

var falseNode = &node{kind: kFalse}

// unparen returns n without the parse-time parenthesis flag.
func unparen(n *node) *node {
	if !n.paren {
		return n
	}
	c := *n
	c.paren = false
	return &c
}

// nodeKey is a structural key: like String, but a negated comparison is
// distinct from the comparison with the nearest operator it prints as.
func nodeKey(n *node) string {
	var b strings.Builder
	n.writeKey(&b)
	return b.String()
}

func (n *node) writeKey(b *strings.Builder) {
	switch n.kind {
	case kFalse:
		b.WriteString("false")
	case kAtom:
		if n.neg {
			b.WriteString("not ")
		}
		b.WriteString(n.a.String())
	default:
		b.WriteString([...]string{kAnd: "and(", kOr: "or("}[n.kind])
		for i, k := range n.kids {
			if i > 0 {
				b.WriteByte(',')
			}
			k.writeKey(b)
		}
		b.WriteByte(')')
	}
}

// andNodes conjoins ns (nil entries are true).
func andNodes(ns []*node) *node { return combine(ns, true) }

// orNodes disjoins ns (a nil entry makes the result true).
func orNodes(ns []*node) *node { return combine(ns, false) }

// combine conjoins (and) or disjoins (!and) ns: it flattens nested nodes of
// the same kind, folds constants, drops duplicates and redundant literals.
// In the dual description below, "unit" is true for And and false for Or,
// and "zero" is the other constant; nil stands for true.
func combine(ns []*node, and bool) *node {
	kind, zero, unit := kAnd, falseNode, (*node)(nil)
	if !and {
		kind, zero, unit = kOr, nil, falseNode
	}
	isConst := func(n *node, c *node) bool {
		if c == nil {
			return n == nil
		}
		return n != nil && n.kind == kFalse
	}
	var kids []*node
	seen := map[string]bool{}
	var add func(n *node) bool // false: the result is zero
	add = func(n *node) bool {
		switch {
		case isConst(n, unit):
			return true
		case isConst(n, zero):
			return false
		case n.kind == kind:
			for _, k := range n.kids {
				if !add(k) {
					return false
				}
			}
			return true
		}
		if n.kind == kAtom {
			if v, known := constLiteral(n); known {
				return v == and
			}
		}
		if k := nodeKey(n); !seen[k] {
			seen[k] = true
			kids = append(kids, unparen(n))
		}
		return true
	}
	for _, n := range ns {
		if !add(n) {
			return zero
		}
	}
	kids, ok := reduceLiterals(kids, and)
	if !ok {
		return zero
	}
	switch len(kids) {
	case 0:
		return unit
	case 1:
		return kids[0]
	}
	return &node{kind: kind, kids: kids}
}

// reduceLiterals drops comparisons made redundant by another one among kids
// (implied by it under And, implying it under Or). ok is false when two
// comparisons contradict (And: the result is false) or complement each
// other (Or: the result is true).
func reduceLiterals(kids []*node, and bool) ([]*node, bool) {
	lits := make([]*lit, len(kids))
	for i, k := range kids {
		if k.kind == kAtom {
			lits[i] = classify(k)
		}
	}
	if and {
		var conj []*node
		for _, k := range kids {
			if k.kind == kAtom {
				conj = append(conj, k)
			}
		}
		if unsatisfiable(conj) {
			return nil, false
		}
	}
	dropped := make([]bool, len(kids))
	for i, x := range lits {
		if x == nil {
			continue
		}
		for j, y := range lits {
			if i == j || y == nil || dropped[j] || dropped[i] {
				continue
			}
			if !and && (complementary(x, y) || x.key != "" && x.key == y.key && isNegationOf(kids[i], kids[j])) {
				return nil, false
			}
			// Under And keep the stronger (drop y when x implies it); under
			// Or keep the weaker (drop x when it implies y).
			if implies(x, y) {
				if and {
					dropped[j] = true
				} else {
					dropped[i] = true
				}
			}
		}
	}
	out := kids[:0:0]
	for i, k := range kids {
		if !dropped[i] {
			out = append(out, k)
		}
	}
	return out, true
}

// negate pushes a negation through n (De Morgan) down to comparisons.
func negate(n *node) *node {
	if n == nil {
		return falseNode
	}
	switch n.kind {
	case kFalse:
		return nil
	case kAtom:
		if n.neg {
			return &node{kind: kAtom, a: n.a}
		}
		return negateAtom(n.a)
	}
	neg := make([]*node, len(n.kids))
	for i, k := range n.kids {
		neg[i] = negate(k)
	}
	if n.kind == kAnd {
		return orNodes(neg)
	}
	return andNodes(neg)
}

var inverseOp = [...]opKind{opIn: opNotIn, opNotIn: opIn, opEQ: opNE, opNE: opEQ, opLE: opNE, opGE: opNE}

// negateAtom returns the exact negation of a as a marker expression, or a
// negated comparison when no operator expresses it.
func negateAtom(a *atom) *node {
	if n := invertAtom(a); n != nil {
		return n
	}
	return &node{kind: kAtom, a: a, neg: true}
}

func invertAtom(a *atom) *node {
	l, r := a.lhs, a.rhs
	switch {
	case l.isVar && !r.isVar && (!isVersionKey(l.v) || a.vs == nil),
		!l.isVar && r.isVar && !isVersionKey(r.v):
		// String comparison: == != in, not in invert; <= and >= mean ==.
		switch a.op {
		case opIn, opNotIn, opEQ, opNE, opLE, opGE:
			inv := newAtom(l, inverseOp[a.op], r)
			if l.isVar && isVersionKey(l.v) && inv.vs != nil {
				// `python_version >= "3.*"` compares strings (">=3.*" is
				// no specifier) but `!= "3.*"` would compare versions.
				return nil
			}
			return atomNode(inv)
		}
		return nil
	case l.isVar && !r.isVar && a.vs != nil && !a.vs.arbitrary && l.v != "platform_release":
		return invertVersion(a)
	}
	return nil
}

func atomNode(a *atom) *node { return &node{kind: kAtom, a: a} }

func verAtom(key string, op opKind, v string) *node {
	return atomNode(newAtom(operand{isVar: true, v: key}, op, operand{v: v}))
}

// invertVersion negates `key op V` for a version variable (see the comment
// at the top of this file for the domain assumptions).
func invertVersion(a *atom) *node {
	key := a.lhs.v
	spec := a.vs.set.Specifiers()[0]
	v := spec.Version
	switch a.op {
	case opEQ:
		return verAtom(key, opNE, v)
	case opNE:
		return verAtom(key, opEQ, v)
	case opCompat:
		if n, ok := expandCompat(key, v); ok {
			return negate(n)
		}
		return nil
	}
	if key == "python_version" {
		return verAtom(key, map[opKind]opKind{opLT: opGE, opGE: opLT, opLE: opGT, opGT: opLE}[a.op], v)
	}
	switch a.op {
	case opGE:
		return andNodes([]*node{verAtom(key, opLE, v), verAtom(key, opNE, v)})
	case opLE:
		return andNodes([]*node{verAtom(key, opGE, v), verAtom(key, opNE, v)})
	case opLT:
		ver, err := pep440.Parse(v)
		if err != nil {
			return nil
		}
		if ver.IsPrerelease() {
			return verAtom(key, opGE, v)
		}
		if !ver.IsPostrelease() && ver.Local() == "" {
			// `< V` excludes V's pre-releases, so its complement starts at V.dev0.
			return verAtom(key, opGE, ver.String()+".dev0")
		}
	}
	return nil
}

// expandCompat rewrites `key ~= V` as `key >= V and key == P.*`, P being V's
// release without its last component.
func expandCompat(key, v string) (*node, bool) {
	ver, err := pep440.Parse(v)
	if err != nil {
		return nil, false
	}
	base := ver.BaseVersion()
	dot := strings.LastIndexByte(base, '.')
	if dot < 0 || strings.LastIndexByte(base, '!') > dot {
		return nil, false
	}
	return andNodes([]*node{verAtom(key, opGE, v), verAtom(key, opEQ, base[:dot]+".*")}), true
}

// writeNegatedAtom prints a negated comparison with the nearest operator.
func writeNegatedAtom(b *strings.Builder, a *atom) {
	a.write(b, nearestInverse[a.op])
}

var nearestInverse = [...]opKind{opIn: opNotIn, opNotIn: opIn, opLT: opGE, opLE: opGT, opEQ: opNE,
	opNE: opEQ, opGE: opLT, opGT: opLE, opCompat: opLT, opArb: opNE}

// dnf expands n into a list of conjunctions of comparisons (nil n: one empty
// conjunction). ok is false past dnfLimit.
func dnf(n *node) ([][]*node, bool) {
	if n == nil {
		return [][]*node{{}}, true
	}
	switch n.kind {
	case kFalse:
		return nil, true
	case kAtom:
		return [][]*node{{n}}, true
	case kOr:
		var out [][]*node
		for _, k := range n.kids {
			d, ok := dnf(k)
			if !ok {
				return nil, false
			}
			out = append(out, d...)
			if len(out) > dnfLimit {
				return nil, false
			}
		}
		return out, true
	}
	out := [][]*node{{}}
	for _, k := range n.kids {
		d, ok := dnf(k)
		if !ok || len(out)*len(d) > dnfLimit {
			return nil, false
		}
		var next [][]*node
		for _, x := range out {
			for _, y := range d {
				next = append(next, append(append([]*node(nil), x...), y...))
			}
		}
		out = next
	}
	return out, true
}

// litKind classifies a comparison for reasoning.
type litKind uint8

const (
	litOpaque  litKind = iota // only identity reasoning
	litVersion                // key's value lies in set
	litString                 // a constraint on key's string value
)

// strOp is a constraint on a string variable's value x.
type strOp uint8

const (
	sEq     strOp = iota // x == val
	sNe                  // x != val
	sSub                 // x is a substring of val (x in "val")
	sNotSub              // x not in "val"
	sHas                 // val is a substring of x ("val" in x)
	sNotHas              // "val" not in x
)

type lit struct {
	kind  litKind
	key   string
	id    string // atom text, for opaque reasoning
	neg   bool
	set   pep440.Set // litVersion
	valid bool       // litVersion: the algebra may assume the value is a valid version
	op    strOp      // litString
	val   string     // litString
}

var strOpOf = map[opKind]strOp{opEQ: sEq, opLE: sEq, opGE: sEq, opNE: sNe, opIn: sSub, opNotIn: sNotSub}
var strOpNeg = [...]strOp{sEq: sNe, sNe: sEq, sSub: sNotSub, sNotSub: sSub, sHas: sNotHas, sNotHas: sHas}

func classify(n *node) *lit {
	x := classifyKind(n)
	if x.kind == litOpaque {
		x.id = n.a.String()
	}
	return x
}

func classifyKind(n *node) *lit {
	a := n.a
	x := &lit{neg: n.neg}
	l, r := a.lhs, a.rhs
	switch {
	case l.isVar && !r.isVar && isVersionKey(l.v) && a.vs != nil && !a.vs.arbitrary:
		if n.neg && l.v == "platform_release" {
			return x
		}
		x.kind, x.key, x.valid = litVersion, l.v, l.v != "platform_release"
		x.set = a.vs.versions()
		if n.neg {
			x.set = x.set.Complement()
		}
	case l.isVar && !r.isVar && (!isVersionKey(l.v) || a.vs == nil):
		op, ok := strOpOf[a.op]
		if !ok {
			return x
		}
		x.kind, x.key, x.op, x.val = litString, l.v, op, r.v
	case !l.isVar && r.isVar && !isVersionKey(r.v):
		// For extras / dependency_groups this is set membership in the lock
		// context and a substring test otherwise; either way `"x" in k` and
		// `"x" not in k` are complements, which is all the reasoning uses
		// (an == on these variables is an error in the lock context).
		op, ok := map[opKind]strOp{opEQ: sEq, opLE: sEq, opGE: sEq, opNE: sNe, opIn: sHas, opNotIn: sNotHas}[a.op]
		if !ok {
			return x
		}
		x.kind, x.key, x.op, x.val = litString, r.v, op, l.v
	default:
		return x
	}
	if x.kind == litString && n.neg {
		x.op = strOpNeg[x.op]
	}
	return x
}

// constLiteral reports whether the comparison n is always true or false
// (when the variable is defined): "<" / ">" between strings are false, a
// version comparison matching no version is false.
func constLiteral(n *node) (value, known bool) {
	a := n.a
	if a.lhs.isVar && !a.rhs.isVar && (a.op == opLT || a.op == opGT) &&
		(!isVersionKey(a.lhs.v) || a.vs == nil) && !isSetKey(a.lhs.v) {
		return n.neg, true
	}
	x := classify(n)
	if x.kind == litVersion {
		if x.set.IsEmpty() {
			return false, true
		}
		if x.valid && x.set.IsFull() {
			return true, true
		}
	}
	return false, false
}

func (x *lit) holds(v string) bool {
	switch x.op {
	case sEq:
		return v == x.val
	case sNe:
		return v != x.val
	case sSub:
		return strings.Contains(x.val, v)
	case sNotSub:
		return !strings.Contains(x.val, v)
	case sHas:
		return strings.Contains(v, x.val)
	}
	return !strings.Contains(v, x.val)
}

// implies reports whether x being true guarantees y (conservatively).
func implies(x, y *lit) bool {
	switch {
	case x.kind == litOpaque || y.kind == litOpaque:
		return x.kind == y.kind && x.id == y.id && x.neg == y.neg
	case x.kind != y.kind || x.key != y.key:
		return false
	case x.kind == litVersion:
		return x.set.SubsetOf(y.set)
	case x.op == sEq:
		return y.holds(x.val)
	}
	return x.op == y.op && x.val == y.val
}

// isNegationOf reports whether comparison y is how Not prints comparison x.
func isNegationOf(x, y *node) bool {
	n := negate(x)
	return n != nil && n.kind == kAtom && nodeKey(n) == nodeKey(y)
}

// complementary reports whether x or y is always true.
func complementary(x, y *lit) bool {
	switch {
	case x.kind == litOpaque || y.kind == litOpaque:
		return x.kind == y.kind && x.id == y.id && x.neg != y.neg
	case x.kind != y.kind || x.key != y.key:
		return false
	case x.kind == litVersion:
		return x.valid && y.valid && x.set.Union(y.set).IsFull()
	}
	return x.val == y.val && strOpNeg[x.op] == y.op
}

// unsatisfiable reports whether the conjunction of comparisons conj can
// never be true (conservatively).
func unsatisfiable(conj []*node) bool {
	lits := make([]*lit, 0, len(conj))
	for _, n := range conj {
		if v, known := constLiteral(n); known && !v {
			return true
		}
		lits = append(lits, classify(n))
	}
	sets := map[string]pep440.Set{}
	eq := map[string]string{}
	for _, x := range lits {
		switch x.kind {
		case litVersion:
			s, ok := sets[x.key]
			if !ok {
				s = x.set
			} else {
				s = s.Intersect(x.set)
			}
			if s.IsEmpty() {
				return true
			}
			sets[x.key] = s
		case litString:
			if x.op == sEq {
				if v, ok := eq[x.key]; ok && v != x.val {
					return true
				}
				eq[x.key] = x.val
			}
		}
	}
	if platformImplied(eq) {
		return true
	}
	for i, x := range lits {
		if x.kind == litString {
			if v, ok := eq[x.key]; ok && !x.holds(v) {
				return true
			}
		}
		for _, y := range lits[i+1:] {
			if x.kind == litOpaque && y.kind == litOpaque && x.id == y.id && x.neg != y.neg {
				return true
			}
			if x.kind == litString && y.kind == litString && x.key == y.key && x.val == y.val && strOpNeg[x.op] == y.op {
				return true
			}
		}
	}
	return false
}

// Platform variables
//
// sys_platform, platform_system and os_name are not independent: on every
// Python where sys.platform is "linux", "darwin" or "win32", platform.system()
// and os.name are the values below (uv reasons the same way). Only these
// implications from sys_platform are used: the other directions have
// exceptions (Python 2's "linux2", IronPython's "cli" on Windows, Jython's
// "java…" with os.name "java", Cygwin and MSYS2 with their own
// platform.system()), so for instance `platform_system == "Linux" and
// sys_platform != "linux"` stays satisfiable.
var platformImplies = map[string][2]string{ // sys_platform: platform_system, os_name
	"linux":  {"Linux", "posix"},
	"darwin": {"Darwin", "posix"},
	"win32":  {"Windows", "nt"},
}

// platformImplied adds to eq (variable: the value it must equal) the values
// its sys_platform implies, and reports a contradiction with a value eq
// already holds.
func platformImplied(eq map[string]string) (contradiction bool) {
	imp, ok := platformImplies[eq["sys_platform"]]
	if !ok {
		return false
	}
	for i, key := range [2]string{"platform_system", "os_name"} {
		if v, ok := eq[key]; ok && v != imp[i] {
			return true
		}
		eq[key] = imp[i]
	}
	return false
}

// PossibleEnv reports whether env's sys_platform, platform_system and
// os_name can occur together (see platformImplies); variables env lacks
// are not checked.
func PossibleEnv(env Env) bool {
	sp, ok := env["sys_platform"]
	if !ok {
		return true
	}
	imp, ok := platformImplies[sp]
	if !ok {
		return true
	}
	for i, key := range [2]string{"platform_system", "os_name"} {
		if v, ok := env[key]; ok && v != imp[i] {
			return false
		}
	}
	return true
}
