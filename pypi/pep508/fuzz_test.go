package pep508

import (
	"errors"
	"testing"
)

// fuzzEnv is a complete metadata environment for evaluation in fuzz targets.
var fuzzEnv = Env{
	"implementation_name": "cpython", "implementation_version": "3.13.0rc1", "os_name": "posix",
	"platform_machine": "x86_64", "platform_release": "6.5.0-1025-azure", "platform_system": "Linux",
	"platform_version": "#1 SMP", "python_full_version": "3.12.1+",
	"platform_python_implementation": "CPython", "python_version": "3.12", "sys_platform": "linux",
	"extra": "Foo_Bar",
}

func checkSyntaxError(t *testing.T, in string, err error) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("%q: error %T %v is not a *SyntaxError", in, err, err)
	}
	if se.Input != in || se.Pos < 0 || se.Pos > len(in) || se.End < se.Pos || se.End > len(in) {
		t.Fatalf("%q: bad error span %d..%d (input %q)", in, se.Pos, se.End, se.Input)
	}
	_ = se.Error()
}

func checkEvaluations(t *testing.T, m Marker) {
	t.Helper()
	for _, f := range []func() (bool, error){
		func() (bool, error) { return m.Evaluate(fuzzEnv) },
		func() (bool, error) { return m.Evaluate(Env{}) },
		func() (bool, error) { return m.EvaluateExtras(fuzzEnv, []string{"a", "Foo.Bar"}) },
		func() (bool, error) { return m.EvaluateLock(fuzzEnv, []string{"test"}, []string{"dev"}) },
	} {
		if _, err := f(); err != nil {
			var uc *UndefinedComparisonError
			var un *UndefinedEnvironmentNameError
			if !errors.As(err, &uc) && !errors.As(err, &un) {
				t.Fatalf("%q: unexpected error type %T", m, err)
			}
		}
	}
}

// FuzzParseRequirement: no panics; errors are *SyntaxError naming the input;
// String() re-parses and prints identically.
func FuzzParseRequirement(f *testing.F) {
	for _, s := range []string{
		"requests", "requests[security,socks] (>=2.0, <3) ; python_version < '3.12'",
		"name @ https://example.com/a.whl ; extra == 'x'", "foo===bar", "foo_[]()",
		`foo; os_name == "a\x22b\\c" or ("x" in sys_platform and extra != "Y.Z")`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRequirement(s)
		if err != nil {
			checkSyntaxError(t, s, err)
			return
		}
		out := r.String()
		r2, err := ParseRequirement(out)
		if err != nil {
			t.Fatalf("%q prints %q, which does not parse: %v", s, out, err)
		}
		if out2 := r2.String(); out2 != out {
			t.Fatalf("%q prints %q, which re-prints as %q", s, out, out2)
		}
		if r2.NormalizedName() != r.NormalizedName() || r2.URL != r.URL {
			t.Fatalf("%q: round trip changed name or URL", s)
		}
		checkEvaluations(t, r.Marker)
	})
}

// FuzzParseMarker: as FuzzParseRequirement, plus evaluation never panics and
// the algebra's output always parses.
func FuzzParseMarker(f *testing.F) {
	for _, s := range []string{
		`python_version >= "3.8"`, `os_name == "nt" and (sys_platform == 'linux' or extra == "A_B")`,
		`"x" in extras`, `python_full_version ~= "3.11.2"`, `os_name == "po\x73ix"`, `(a)`,
	} {
		f.Add(s)
	}
	other := MustParseMarker(`python_version < "3.10" or sys_platform == "win32"`)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMarker(s)
		if err != nil {
			checkSyntaxError(t, s, err)
			return
		}
		out := m.String()
		m2, err := ParseMarker(out)
		if err != nil {
			t.Fatalf("%q prints %q, which does not parse: %v", s, out, err)
		}
		if out2 := m2.String(); out2 != out {
			t.Fatalf("%q prints %q, which re-prints as %q", s, out, out2)
		}
		checkEvaluations(t, m)
		v1, err1 := m.Evaluate(fuzzEnv)
		v2, err2 := m2.Evaluate(fuzzEnv)
		if v1 != v2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("%q and its printed form %q evaluate differently", s, out)
		}
		for _, x := range []Marker{Not(m), And(m, other), Or(m, other)} {
			if x.IsTrue() {
				continue
			}
			if _, err := ParseMarker(x.String()); err != nil {
				t.Fatalf("algebra on %q prints %q, which does not parse: %v", s, x, err)
			}
			checkEvaluations(t, x)
		}
		_ = Disjoint(m, other)
		if err1 == nil {
			if n, err := Not(m).Evaluate(fuzzEnv); err == nil && n == v1 && !printsApproximately(Not(m).n) {
				t.Fatalf("Not(%q) = %q evaluates like the original (%v)", s, Not(m), v1)
			}
		}
	})
}
