// Package pep508 implements PEP 508 dependency specifiers: requirement
// parsing, environment markers (AST, evaluation, normalised printing) and the
// beginnings of marker algebra for universal locking.
//
// CONTRACT (stub written by the lead; the owner replaces the panics, may add
// API, must not rename or remove what is declared here).
package pep508

import "github.com/pylock/pylock/pypi/pep440"

// Requirement is a parsed PEP 508 requirement such as
// `requests[socks] (>=2.0) ; python_version < "3.12"`.
type Requirement struct {
	Name      string              // as written
	Extras    []string            // as written, input order
	Specifier pep440.SpecifierSet // empty when none
	URL       string              // direct reference after "@", or ""
	Marker    Marker              // zero Marker when none
}

// ParseRequirement parses one requirement. Errors name the input and column.
func ParseRequirement(s string) (Requirement, error) {
	panic("pep508.ParseRequirement: not implemented")
}

// MustParseRequirement is ParseRequirement that panics; for tests.
func MustParseRequirement(s string) Requirement {
	r, err := ParseRequirement(s)
	if err != nil {
		panic(err)
	}
	return r
}

// NormalizedName returns the PEP 503 canonical project name.
func (r Requirement) NormalizedName() string { panic("not implemented") }

// NormalizedExtras returns the PEP 685 canonical extras, sorted, unique.
func (r Requirement) NormalizedExtras() []string { panic("not implemented") }

// String returns str(Requirement) as packaging prints it.
func (r Requirement) String() string { panic("not implemented") }

// Env is a marker environment: variable name (python_version, sys_platform,
// platform_machine, implementation_name, ..., and "extra") to value.
type Env map[string]string

// Marker is a parsed environment marker. The zero value is the always-true
// marker (no marker).
type Marker struct {
	// owner: unexported fields only
	n *struct{}
}

// ParseMarker parses a marker expression. Errors name the input and column.
func ParseMarker(s string) (Marker, error) { panic("pep508.ParseMarker: not implemented") }

// MustParseMarker is ParseMarker that panics; for tests.
func MustParseMarker(s string) Marker {
	m, err := ParseMarker(s)
	if err != nil {
		panic(err)
	}
	return m
}

// IsTrue reports whether m is the empty (always true) marker.
func (m Marker) IsTrue() bool { panic("not implemented") }

// String returns str(Marker) in packaging's normal form ("" for the zero Marker).
func (m Marker) String() string { panic("not implemented") }

// Evaluate evaluates m in the metadata context. A missing "extra" is "".
// Errors are *UndefinedComparisonError or *UndefinedEnvironmentNameError.
func (m Marker) Evaluate(env Env) (bool, error) { panic("not implemented") }

// EvaluateExtras evaluates m with "extra" bound to each of extras in turn (and
// to "" when extras is empty) and reports whether any evaluation is true.
func (m Marker) EvaluateExtras(env Env, extras []string) (bool, error) {
	panic("not implemented")
}

// EvaluateLock evaluates m in the PEP 751 lock-file context, where "extras"
// and "dependency_groups" are sets ("'x' in extras").
func (m Marker) EvaluateLock(env Env, extras, groups []string) (bool, error) {
	panic("not implemented")
}

// And returns a marker true where both are true (simplified; zero if both zero).
func And(a, b Marker) Marker { panic("not implemented") }

// Or returns a marker true where either is true (simplified).
func Or(a, b Marker) Marker { panic("not implemented") }

// Not returns the negation of m.
func Not(m Marker) Marker { panic("not implemented") }

// Disjoint reports whether a and b can never both be true (conservative:
// false when unsure).
func Disjoint(a, b Marker) bool { panic("not implemented") }

// UndefinedComparisonError is returned when a comparison has no meaning
// (e.g. "~=" between non-version strings).
type UndefinedComparisonError struct{ Msg string }

func (e *UndefinedComparisonError) Error() string { return e.Msg }

// UndefinedEnvironmentNameError is returned for a variable the environment
// does not define.
type UndefinedEnvironmentNameError struct{ Name string }

func (e *UndefinedEnvironmentNameError) Error() string {
	return "undefined environment name " + `"` + e.Name + `"`
}
