package pep508

import (
	"fmt"
	"strings"

	"github.com/pylock/pylock/pypi/names"
)

// Env is a marker environment: variable name (python_version, sys_platform,
// platform_machine, implementation_name, ..., and "extra") to value.
type Env map[string]string

// evalCtx is one evaluation: the environment plus the context rules.
type evalCtx struct {
	env      Env
	lock     bool   // PEP 751 lock-file context: extras/dependency_groups are sets
	setExtra bool   // extra bound by EvaluateExtras
	extra    string // canonical
	extras   []string
	groups   []string
}

// Evaluate evaluates m in the metadata context. A missing "extra" is "".
// Errors are *UndefinedComparisonError or *UndefinedEnvironmentNameError.
//
// As in packaging, every comparison is evaluated (no short-circuit), so an
// error anywhere in the marker is reported.
func (m Marker) Evaluate(env Env) (bool, error) {
	if m.n == nil {
		return true, nil
	}
	return m.n.eval(&evalCtx{env: env})
}

// EvaluateExtras evaluates m with "extra" bound to each of extras in turn (and
// to "" when extras is empty) and reports whether any evaluation is true.
func (m Marker) EvaluateExtras(env Env, extras []string) (bool, error) {
	if m.n == nil {
		return true, nil
	}
	if len(extras) == 0 || !m.n.mentions("extra") {
		c := &evalCtx{env: env, setExtra: true}
		return m.n.eval(c)
	}
	for _, e := range extras {
		ok, err := m.n.eval(&evalCtx{env: env, setExtra: true, extra: canonicalExtra(e)})
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// EvaluateLock evaluates m in the PEP 751 lock-file context, where "extras"
// and "dependency_groups" are sets ("'x' in extras"). Names are compared
// after PEP 503 normalisation. "extra" is not defaulted in this context.
func (m Marker) EvaluateLock(env Env, extras, groups []string) (bool, error) {
	if m.n == nil {
		return true, nil
	}
	c := &evalCtx{env: env, lock: true, extras: canonicalAll(extras), groups: canonicalAll(groups)}
	return m.n.eval(c)
}

func canonicalAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = names.Canonicalize(s)
	}
	return out
}

func canonicalExtra(e string) string {
	if e == "" {
		return ""
	}
	return names.Canonicalize(e)
}

// mentions reports whether variable v occurs anywhere in n (as a variable or
// as a string looked up as a variable name).
func (n *node) mentions(v string) bool {
	switch n.kind {
	case kAtom:
		return n.a.lhs.v == v || n.a.rhs.v == v
	case kAnd, kOr:
		for _, k := range n.kids {
			if k.mentions(v) {
				return true
			}
		}
	}
	return false
}

func (n *node) eval(c *evalCtx) (bool, error) {
	switch n.kind {
	case kFalse:
		return false, nil
	case kAtom:
		ok, err := n.a.eval(c)
		return ok != n.neg, err
	}
	and := n.kind == kAnd
	result := and
	for _, k := range n.kids {
		ok, err := k.eval(c)
		if err != nil {
			return false, err
		}
		if and {
			result = result && ok
		} else {
			result = result || ok
		}
	}
	return result, nil
}

func (c *evalCtx) lookup(key string) (string, error) {
	switch key {
	case "extra":
		if c.setExtra {
			return c.extra, nil
		}
		v, ok := c.env["extra"]
		if !ok {
			if c.lock {
				return "", &UndefinedEnvironmentNameError{Name: key}
			}
			return "", nil
		}
		return canonicalExtra(v), nil
	case "python_full_version":
		v, ok := c.env[key]
		if !ok {
			return "", &UndefinedEnvironmentNameError{Name: key}
		}
		// platform.python_version() of an untagged build ends in "+".
		if strings.HasSuffix(v, "+") {
			v += "local"
		}
		return v, nil
	}
	v, ok := c.env[key]
	if !ok {
		return "", &UndefinedEnvironmentNameError{Name: key}
	}
	return v, nil
}

func (c *evalCtx) set(key string) []string {
	if key == "extras" {
		return c.extras
	}
	return c.groups
}

func undefinedComparison(op opKind, lhs, rhs string) error {
	return &UndefinedComparisonError{Msg: fmt.Sprintf("undefined comparison %q between %q and %q", opText[op], lhs, rhs)}
}

func (a *atom) eval(c *evalCtx) (bool, error) {
	var key, lhs, rhs string
	var err error
	if a.lhs.isVar {
		key = a.lhs.v
		if c.lock && isSetKey(key) {
			return false, undefinedComparison(a.op, key, a.rhs.v)
		}
		lhs, err = c.lookup(key)
		rhs = a.rhs.v
	} else {
		key, lhs = a.rhs.v, a.lhs.v
		if c.lock && isSetKey(key) {
			return a.evalSet(c.set(key), lhs)
		}
		rhs, err = c.lookup(key)
	}
	if err != nil {
		return false, err
	}
	if isSetKey(key) {
		lhs, rhs = names.Canonicalize(lhs), names.Canonicalize(rhs)
	}
	if isVersionKey(key) {
		vs := a.vs
		if !a.lhs.isVar {
			vs = newVerSpec(a.op, rhs) // the specifier comes from the environment
		}
		if vs != nil {
			return vs.contains(lhs), nil
		}
	}
	return compareStrings(a.op, lhs, rhs)
}

// evalSet evaluates `"name" in extras` style comparisons in the lock context.
func (a *atom) evalSet(set []string, lhs string) (bool, error) {
	if a.op != opIn && a.op != opNotIn {
		return false, undefinedComparison(a.op, lhs, a.rhs.v)
	}
	want := names.Canonicalize(lhs)
	found := false
	for _, s := range set {
		if s == want {
			found = true
			break
		}
	}
	return found == (a.op == opIn), nil
}

// compareStrings is packaging's fallback when a comparison is not between
// versions: "<" and ">" are false, "<=" and ">=" mean equality, "in" is a
// substring test, "~=" and "===" are undefined.
func compareStrings(op opKind, lhs, rhs string) (bool, error) {
	switch op {
	case opIn:
		return strings.Contains(rhs, lhs), nil
	case opNotIn:
		return !strings.Contains(rhs, lhs), nil
	case opLT, opGT:
		return false, nil
	case opLE, opEQ, opGE:
		return lhs == rhs, nil
	case opNE:
		return lhs != rhs, nil
	}
	return false, undefinedComparison(op, lhs, rhs)
}

// UndefinedComparisonError is returned when a comparison has no meaning
// (e.g. "~=" between non-version strings).
type UndefinedComparisonError struct{ Msg string }

// Error returns the message.
func (e *UndefinedComparisonError) Error() string { return e.Msg }

// UndefinedEnvironmentNameError is returned for a variable the environment
// does not define.
type UndefinedEnvironmentNameError struct{ Name string }

// Error names the undefined variable.
func (e *UndefinedEnvironmentNameError) Error() string {
	return "undefined environment name " + `"` + e.Name + `"`
}
