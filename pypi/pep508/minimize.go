package pep508

import (
	"slices"
	"strconv"
	"strings"

	"github.com/pylock/pylock/pypi/pep440"
)

// Marker simplification for universal locks
//
// A universal resolver merges the markers of many forks into long Or
// expressions that often reduce to one comparison, or to true, within the
// environments the lock covers. And / Or only see local redundancy; the
// functions below prove equivalence within a region (Equivalent), pick the
// shortest proven-equivalent candidate (Simplify), drop the comparisons a
// region decides (Restrict), and minimise by a truth table over every region
// the comparisons cut (Minimize).

// Equivalent reports whether a and b are proven to hold in the same
// environments among those where within holds (conservative: false when
// unsure, see Disjoint).
func Equivalent(a, b, within Marker) bool {
	return Disjoint(And(a, within), Not(b)) && Disjoint(And(b, within), Not(a))
}

// Simplify returns the shortest marker, among m, true and each candidate
// and its negation, proven equivalent to m where within holds (m itself
// when none is shorter). To simplify many markers against the same
// candidates, a Simplifier computes what depends on the candidates once.
func Simplify(m, within Marker, candidates ...Marker) Marker {
	return NewSimplifier(within, candidates...).Simplify(m)
}

// A Simplifier is Simplify for one within and one list of candidates: the
// negation, length and restriction to within of each candidate (and of
// its negation) are computed once, when first needed, not per marker
// simplified (a universal lock simplifies every package's marker against
// the same forks' and edges' markers: most of its CPU went to negating the
// same candidates again). Its results are Simplify's. It is not safe for
// concurrent use.
type Simplifier struct {
	within Marker
	tries  []simplifyTry
}

// simplifyTry is one marker Simplify tries: a (for a negation, the
// candidate it negates until negated), its length, and once ready, a where
// within holds and not-a, the two sides Equivalent needs of it.
type simplifyTry struct {
	a             Marker
	aWithin, notA normal
	size          int
	negate, ready bool
}

// normal is a marker in disjunctive normal form, for Disjoint; ok is false
// when it is too large to reason about (Disjoint then proves nothing).
type normal struct {
	d  [][]*node
	ok bool
}

func normalOf(m Marker) normal {
	d, ok := dnf(m.n)
	return normal{d, ok}
}

// disjoint is Disjoint of the markers a and b are the forms of.
func (a normal) disjoint(b normal) bool { return a.ok && b.ok && disjointDNF(a.d, b.d) }

// NewSimplifier returns the Simplifier of within and candidates. A
// candidate repeated is tried once (Simplify keeps the first of equally
// short ones, so the result is the same).
func NewSimplifier(within Marker, candidates ...Marker) *Simplifier {
	s := &Simplifier{within: within}
	s.tries = append(s.tries, simplifyTry{size: 0})
	seen := map[string]bool{}
	for _, c := range candidates {
		key := c.String()
		if seen[key] {
			continue
		}
		seen[key] = true
		s.tries = append(s.tries, simplifyTry{a: c, size: len(key)}, simplifyTry{a: c, negate: true})
	}
	return s
}

// Simplify is the package's Simplify of m with the Simplifier's within
// and candidates.
func (s *Simplifier) Simplify(m Marker) Marker {
	if m.IsTrue() || m.IsFalse() {
		return m
	}
	best, size := m, len(m.String())
	var mWithin, notM normal
	mReady := false
	for i := range s.tries {
		t := &s.tries[i]
		if t.negate { // its length is known once it is negated
			t.a, t.negate = Not(t.a), false
			t.size = len(t.a.String())
		}
		if t.size >= size {
			continue
		}
		if !t.ready {
			t.aWithin, t.notA, t.ready = normalOf(And(t.a, s.within)), normalOf(Not(t.a)), true
		}
		if !mReady {
			mWithin, notM, mReady = normalOf(And(m, s.within)), normalOf(Not(m)), true
		}
		// Equivalent(t.a, m, within), with t's sides computed once.
		if t.aWithin.disjoint(notM) && mWithin.disjoint(t.notA) {
			best, size = t.a, t.size
		}
	}
	return best
}

// Restrict returns m with every comparison that within decides replaced by
// its value there (true where within implies it, false where within
// excludes it), simplified: a marker equal to m wherever within holds,
// usually shorter. within is typically a fork's or a lock's environments.
func Restrict(m, within Marker) Marker {
	if m.n == nil || within.n == nil {
		return m
	}
	return Marker{n: restrict(m.n, within)}
}

func restrict(n *node, within Marker) *node {
	switch n.kind {
	case kFalse:
		return n
	case kAtom:
		a := Marker{n: n}
		switch {
		case Disjoint(within, a):
			return falseNode
		case Disjoint(within, Not(a)):
			return nil
		}
		return n
	}
	kids := make([]*node, len(n.kids))
	for i, k := range n.kids {
		kids[i] = restrict(k, within)
	}
	return combine(kids, n.kind == kAnd)
}

// WithoutExtra returns rest when m is `extra == "x"` (rest is true) or a
// conjunction of `extra == "x"` with parts that do not mention extra (rest
// is their conjunction): the environments where m holds once extra x is
// requested. ok is false for every other shape.
func WithoutExtra(m Marker, extra string) (rest Marker, ok bool) {
	em, err := Compare("extra", "==", extra)
	if err != nil {
		return m, false
	}
	key := nodeKey(em.n)
	isExtra := func(n *node) bool { return n.kind == kAtom && !n.neg && nodeKey(n) == key }
	switch {
	case m.n == nil:
		return m, false
	case isExtra(m.n):
		return Marker{}, true
	case m.n.kind != kAnd:
		return m, false
	}
	var others []*node
	found := false
	for _, k := range m.n.kids {
		if isExtra(k) {
			found = true
			continue
		}
		if k.mentions("extra") {
			return m, false
		}
		others = append(others, k)
	}
	if !found {
		return m, false
	}
	return Marker{n: andNodes(others)}, true
}

// maxPairWork bounds the evaluations Minimize spends on two-comparison
// candidates (pairs of literals times points).
const maxPairWork = 2_000_000

// maxMarkerPoints bounds the environments of a truth table.
const maxMarkerPoints = 20000

// tableStringKeys are the string variables a truth table enumerates by value.
var tableStringKeys = []string{"os_name", "sys_platform", "platform_system", "platform_machine",
	"platform_python_implementation", "implementation_name"}

// Minimize returns a marker equivalent to m wherever within holds: true
// when m holds everywhere there, else the shortest among m, Restrict(m,
// within), m's comparisons, their negations and the And / Or of two of
// them. Equivalence is decided on a truth table: one environment in every
// region cut by the comparisons of m and within (each Python version they
// name, its neighbours and every X.Y.0 from 2.7 to one past the highest
// minor named; each compared string value plus one other value). Markers
// the table cannot enumerate (comparisons on other variables, other
// operators on strings, values on the left, more than maxMarkerPoints
// environments) get Restrict alone, when it is shorter.
func Minimize(m, within Marker) Marker {
	if m.IsTrue() {
		return m
	}
	best, size := m, len(m.String())
	if r := Restrict(m, within); len(r.String()) < size || r.IsTrue() {
		best, size = r, len(r.String())
	}
	if best.IsTrue() || best.IsFalse() {
		return best
	}
	tt, atoms := newTruthTable(m, within)
	if tt == nil {
		return best
	}
	want, ok := tt.vector(m)
	if !ok {
		return best
	}
	if !slices.Contains(want, false) {
		return Marker{}
	}
	try := func(c Marker) {
		if s := len(c.String()); s < size {
			if v, ok := tt.vector(c); ok && slices.Equal(v, want) {
				best, size = c, s
			}
		}
	}
	var lits []Marker
	for _, a := range atoms {
		lits = append(lits, a, Not(a))
	}
	for _, a := range lits {
		try(a)
	}
	if len(lits)*len(lits)*len(tt.points) > maxPairWork {
		return best
	}
	for i, a := range lits {
		for _, b := range lits[i+1:] {
			try(And(a, b))
			try(Or(a, b))
		}
	}
	return best
}

// truthTable is one environment in every region the comparisons of a
// marker (and of the region it is minimised within) cut, among those where
// within holds. Two markers over those comparisons agree everywhere within
// when they agree on every point.
type truthTable struct{ points []Env }

// newTruthTable builds the table for m within `within` and returns m's
// distinct comparisons as markers; nil when the comparisons cannot be
// enumerated.
func newTruthTable(m, within Marker) (*truthTable, []Marker) {
	values := map[string][]string{}
	var pyBounds []string
	var atoms []Marker
	seen := map[string]bool{}
	ok := true
	collect := func(x Marker, keep bool) {
		x.Walk(func(y Marker) bool {
			if y.n == nil || y.n.kind != kAtom {
				return ok
			}
			a := y.n.a
			key, val := a.lhs.v, a.rhs.v
			switch {
			case !a.lhs.isVar || a.rhs.isVar:
				ok = false
			case (key == "python_version" || key == "python_full_version") && a.vs != nil && !a.vs.arbitrary:
				pyBounds = append(pyBounds, strings.TrimSuffix(val, ".*"))
			case (a.op == opEQ || a.op == opNE) && slices.Contains(tableStringKeys, key):
				if !slices.Contains(values[key], val) {
					values[key] = append(values[key], val)
				}
			default:
				ok = false
			}
			if k := nodeKey(y.n); keep && !seen[k] {
				seen[k] = true
				atoms = append(atoms, Marker{n: &node{kind: kAtom, a: a, neg: y.n.neg}})
			}
			return ok
		})
	}
	collect(m, true)
	collect(within, false)
	if !ok || len(atoms) == 0 {
		return nil, nil
	}
	for _, sp := range values["sys_platform"] {
		// Regions such as sys_platform == "linux" and platform_system
		// other than "Linux" are empty (PossibleEnv): give the possible
		// one its own point.
		if imp, ok := platformImplies[sp]; ok {
			for i, key := range [2]string{"platform_system", "os_name"} {
				if !slices.Contains(values[key], imp[i]) {
					values[key] = append(values[key], imp[i])
				}
			}
		}
	}
	pythons := pythonPoints(pyBounds)
	if pythons == nil {
		return nil, nil
	}
	envs := []Env{{}}
	for _, k := range tableStringKeys {
		vals := append(slices.Clone(values[k]), "\x00other")
		if len(envs)*len(vals)*len(pythons) > maxMarkerPoints {
			return nil, nil
		}
		envs = expandEnvs(envs, k, vals)
	}
	tt := &truthTable{}
	for _, py := range pythons {
		for _, env := range envs {
			e := Env{"python_full_version": py.full, "python_version": py.minor}
			for k, v := range env {
				e[k] = v
			}
			if !PossibleEnv(e) {
				continue
			}
			if in, err := within.Evaluate(e); err == nil && in {
				tt.points = append(tt.points, e)
			}
		}
	}
	if len(tt.points) == 0 {
		return nil, nil
	}
	return tt, atoms
}

// vector evaluates m at every point; ok is false when an evaluation fails.
func (tt *truthTable) vector(m Marker) ([]bool, bool) {
	out := make([]bool, len(tt.points))
	for i, env := range tt.points {
		v, err := m.Evaluate(env)
		if err != nil {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// expandEnvs returns every env of envs with k set to each of vals.
func expandEnvs(envs []Env, k string, vals []string) []Env {
	out := make([]Env, 0, len(envs)*len(vals))
	for _, e := range envs {
		for _, v := range vals {
			n := make(Env, len(e)+1)
			for kk, vv := range e {
				n[kk] = vv
			}
			n[k] = v
			out = append(out, n)
		}
	}
	return out
}

// pyPoint is one Python version: python_full_version and python_version.
type pyPoint struct{ full, minor string }

// pythonPoints lists Python versions covering every region the bounds cut:
// X.Y.0 for every minor of 2.7 and 3.0 up to one past the highest minor
// named (at least 3.20), 2.7.18, 4.0.0, and each X.Y.Z bound with its
// neighbours. Nil when a bound is not a plain release of at most three
// components.
func pythonPoints(bounds []string) []pyPoint {
	maxMinor := 20
	type rel struct{ major, minor, patch int }
	cands := []rel{{2, 7, 0}, {2, 7, 18}, {4, 0, 0}}
	for _, b := range bounds {
		parts := strings.Split(b, ".")
		if len(parts) > 3 {
			return nil
		}
		nums := make([]int, 3)
		for i, p := range parts {
			n, err := strconv.Atoi(p)
			if err != nil || n < 0 {
				return nil
			}
			nums[i] = n
		}
		if nums[0] == 3 && nums[1]+1 > maxMinor {
			maxMinor = nums[1] + 1
		}
		for d := -1; d <= 1; d++ {
			if nums[2]+d >= 0 {
				cands = append(cands, rel{nums[0], nums[1], nums[2] + d})
			}
		}
	}
	for minor := 0; minor <= maxMinor; minor++ {
		cands = append(cands, rel{3, minor, 0})
	}
	out := []pyPoint{}
	seen := map[string]bool{}
	for _, c := range cands {
		full := strconv.Itoa(c.major) + "." + strconv.Itoa(c.minor) + "." + strconv.Itoa(c.patch)
		if seen[full] {
			continue
		}
		seen[full] = true
		out = append(out, pyPoint{full, strconv.Itoa(c.major) + "." + strconv.Itoa(c.minor)})
	}
	return out
}

// RequiresPython turns a Requires-Python specifier set into a marker:
// python_full_version for every clause, plus python_version >= "X.Y" for
// lower bounds (truncated to X.Y, so ">=3.10.1" keeps python_version ==
// "3.10" possible). "===" clauses are skipped; "" gives the true marker.
func RequiresPython(spec string) (Marker, error) {
	var m Marker
	if strings.TrimSpace(spec) == "" {
		return m, nil
	}
	ss, err := pep440.ParseSpecifierSet(spec)
	if err != nil {
		return m, err
	}
	for _, sp := range ss.Specifiers() {
		if sp.Op == "===" {
			continue
		}
		a, err := Compare("python_full_version", sp.Op, sp.Version)
		if err != nil {
			return m, err
		}
		m = And(m, a)
		if sp.Op == ">=" || sp.Op == ">" || sp.Op == "~=" {
			v, err := pep440.Parse(sp.Version)
			if err != nil {
				return m, err
			}
			parts := strings.Split(v.Release(), ".")
			for len(parts) < 2 {
				parts = append(parts, "0")
			}
			low, err := Compare("python_version", ">=", parts[0]+"."+parts[1])
			if err != nil {
				return m, err
			}
			m = And(m, low)
		}
	}
	return m, nil
}
