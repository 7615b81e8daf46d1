package resolver

import (
	"strings"
	"testing"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// FuzzRequiresPythonMarker checks that the root fork's marker built from a
// Requires-Python never excludes a Python the specifier allows, and that
// the lowest Python it reports is allowed by every lower bound.
func FuzzRequiresPythonMarker(f *testing.F) {
	for _, s := range []string{">=3.8", ">=3.10.1", ">=3.8,<4", "~=3.11", "==3.12.*", "!=3.9.*,>=3.7", ">3.10", "<3.13", "===3.12.1"} {
		f.Add(s)
	}
	pythons := []string{"2.7.18", "3.6.0", "3.7.9", "3.8.0", "3.9.1", "3.10.0", "3.10.2", "3.11.4", "3.12.0", "3.12.1", "3.13.0", "3.14.2", "4.0.0"}
	f.Fuzz(func(t *testing.T, spec string) {
		ss, err := pep440.ParseSpecifierSet(spec)
		m, low, merr := requiresPythonMarker(spec)
		if strings.TrimSpace(spec) == "" {
			if merr != nil || !m.IsTrue() || !low.IsZero() {
				t.Fatalf("empty spec: %v %q %v", merr, m, low)
			}
			return
		}
		if err != nil {
			if merr == nil {
				t.Fatalf("%q: invalid specifier accepted", spec)
			}
			return
		}
		if merr != nil {
			return // a clause no marker can express (reported, never silently wrong)
		}
		for _, py := range pythons {
			v := pep440.MustParse(py)
			if !ss.Contains(v) {
				continue
			}
			env := pep508.Env{"python_full_version": py, "python_version": py[:strings.LastIndexByte(py, '.')]}
			if ok, err := m.Evaluate(env); err != nil || !ok {
				t.Fatalf("%q allows %s but its marker %q is %v (%v)", spec, py, m, ok, err)
			}
		}
		if low.IsZero() {
			return
		}
		for _, sp := range ss.Specifiers() {
			if sp.Op == ">=" || sp.Op == ">" || sp.Op == "~=" {
				if b, err := pep440.Parse(sp.Version); err == nil && low.Less(b) {
					t.Fatalf("%q: lowest Python %s is below the bound %s", spec, low, b)
				}
			}
		}
	})
}
