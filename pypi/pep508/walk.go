package pep508

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is the shape of a marker expression's top node.
type Kind uint8

const (
	// KindTrue is the empty marker (the zero Marker): true everywhere.
	KindTrue Kind = iota
	// KindFalse is the always-false marker built by the algebra (False()).
	KindFalse
	// KindAnd is a conjunction of two or more operands.
	KindAnd
	// KindOr is a disjunction of two or more operands.
	KindOr
	// KindCompare is one comparison.
	KindCompare
)

// String names the kind.
func (k Kind) String() string {
	return [...]string{"true", "false", "and", "or", "compare"}[k]
}

// Operand is one side of a comparison: a marker variable or a literal.
type Operand struct {
	// Variable is the canonical variable name (os.name reads "os_name"),
	// or "" for a literal.
	Variable string
	// Value is the literal's value (its Python string, decoded) when
	// Variable is "". Values compared with extra, extras and
	// dependency_groups are PEP 685-normalised.
	Value string
}

// Comparison is one comparison of a marker: `Left Op Right`.
type Comparison struct {
	Left, Right Operand
	// Op is the operator: ==, !=, <, <=, >, >=, ~=, ===, in or "not in".
	Op string
	// Negated is set for a comparison Not built where no operator expresses
	// the complement (see the package comment): it holds exactly where
	// `Left Op Right` does not, and prints with the nearest operator.
	Negated bool
}

// VarValue returns the variable and the literal of a comparison between a
// variable and a literal; reversed is true when the literal is on the left
// (`"linux" in sys_platform`). ok is false when both sides are variables
// or both literals.
func (c Comparison) VarValue() (variable, value string, reversed, ok bool) {
	switch {
	case c.Left.Variable != "" && c.Right.Variable == "":
		return c.Left.Variable, c.Right.Value, false, true
	case c.Left.Variable == "" && c.Right.Variable != "":
		return c.Right.Variable, c.Left.Value, true, true
	}
	return "", "", false, false
}

// String prints the comparison as Marker.String does.
func (c Comparison) String() string {
	m, err := NewComparison(c)
	if err != nil {
		return "<invalid comparison: " + err.Error() + ">"
	}
	return m.String()
}

// Kind reports the shape of m's top node.
func (m Marker) Kind() Kind {
	if m.n == nil {
		return KindTrue
	}
	return [...]Kind{kAtom: KindCompare, kAnd: KindAnd, kOr: KindOr, kFalse: KindFalse}[m.n.kind]
}

// Operands returns the operands of an and / or marker, in order (nil for
// other kinds). Together with Kind and Comparison they describe the whole
// tree; And / Or of the operands is equivalent to m.
func (m Marker) Operands() []Marker {
	if m.n == nil || (m.n.kind != kAnd && m.n.kind != kOr) {
		return nil
	}
	out := make([]Marker, len(m.n.kids))
	for i, k := range m.n.kids {
		out[i] = Marker{n: unparen(k)}
	}
	return out
}

// Comparison returns the comparison of a KindCompare marker; ok is false
// for other kinds.
func (m Marker) Comparison() (c Comparison, ok bool) {
	if m.n == nil || m.n.kind != kAtom {
		return Comparison{}, false
	}
	a := m.n.a
	side := func(o operand) Operand {
		if o.isVar {
			return Operand{Variable: o.v}
		}
		return Operand{Value: o.v}
	}
	return Comparison{Left: side(a.lhs), Right: side(a.rhs), Op: opText[a.op], Negated: m.n.neg}, true
}

// Walk calls visit for m and, depth first in order, for every operand
// below it, while visit returns true (false skips the node's operands).
func (m Marker) Walk(visit func(Marker) bool) {
	if !visit(m) {
		return
	}
	for _, o := range m.Operands() {
		o.Walk(visit)
	}
}

// Comparisons returns m's distinct comparisons in the order they appear.
func (m Marker) Comparisons() []Comparison {
	var out []Comparison
	seen := map[string]bool{}
	m.Walk(func(x Marker) bool {
		if c, ok := x.Comparison(); ok {
			if k := nodeKey(x.n); !seen[k] {
				seen[k] = true
				out = append(out, c)
			}
		}
		return true
	})
	return out
}

// Mentions reports whether some comparison of m reads variable (a
// canonical name such as "extra" or "python_version").
func (m Marker) Mentions(variable string) bool {
	found := false
	m.Walk(func(x Marker) bool {
		if c, ok := x.Comparison(); ok && (c.Left.Variable == variable || c.Right.Variable == variable) {
			found = true
		}
		return !found
	})
	return found
}

// NewComparison builds the marker of one comparison. Variable names are
// canonical or legacy spellings; values are normalised as the parser does.
func NewComparison(c Comparison) (Marker, error) {
	side := func(o Operand) (operand, error) {
		if o.Variable == "" {
			return operand{v: o.Value}, nil
		}
		name, end := matchVariable(o.Variable, 0)
		if end != len(o.Variable) {
			return operand{}, fmt.Errorf("pep508: %q is not a marker variable", o.Variable)
		}
		return operand{isVar: true, v: name}, nil
	}
	l, err := side(c.Left)
	if err != nil {
		return Marker{}, err
	}
	r, err := side(c.Right)
	if err != nil {
		return Marker{}, err
	}
	op := -1
	for k, t := range opText {
		if t == strings.Join(strings.Fields(c.Op), " ") {
			op = k
		}
	}
	if op < 0 {
		return Marker{}, fmt.Errorf("pep508: %q is not a marker operator", c.Op)
	}
	return Marker{n: &node{kind: kAtom, a: newAtom(l, opKind(op), r), neg: c.Negated}}, nil
}

// Compare builds `variable op "value"`, e.g. Compare("python_version",
// ">=", "3.10"). It is NewComparison for the common case.
func Compare(variable, op, value string) (Marker, error) {
	return NewComparison(Comparison{Left: Operand{Variable: variable}, Op: op, Right: Operand{Value: value}})
}

// Extras returns the extras m tests with `extra == "x"` (either way round,
// PEP 685-normalised), in order of appearance without duplicates: the
// extras a requirement carrying m belongs to.
func (m Marker) Extras() []string {
	var out []string
	for _, c := range m.Comparisons() {
		if v, val, _, ok := c.VarValue(); ok && v == "extra" && c.Op == "==" && !c.Negated && !slices.Contains(out, val) {
			out = append(out, val)
		}
	}
	return out
}
