package pep508

import (
	"errors"
	"math/rand"
	"strings"
	"testing"
)

func TestRequirementErrors(t *testing.T) {
	for _, c := range []struct {
		in  string
		col int
		msg string
	}{
		{"", 1, "package name"},
		{"_foo", 1, "package name"},
		{"foo>=1.0 os_name=='nt'", 4, "semicolon"},
		{"foo @ https://x.com/a b", 7, "semicolon (after URL"},
		{"foo[bar", 4, "']'"},
		{"foo[a b]", 7, "comma between extra names"},
		{"foo (==1.0", 5, "')'"},
		{"foo>=1.0.*", 4, "'.*' suffix"},
		{"foo>=1.0+local", 4, "local version label"},
		{"foo; os_name == nt", 17, "marker variable or quoted string"},
		{"foo; os_name = 'nt'", 14, "marker operator"},
		{`foo; os_name == "n\xt"`, 19, "invalid quoted string"},
		{"café", 1, "package name"},
		{"foo; os_name not'x'", 17, "whitespace after 'not'"},
	} {
		_, err := ParseRequirement(c.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseRequirement(%q) error = %v, want *SyntaxError", c.in, err)
			continue
		}
		if se.Column() != c.col || !strings.Contains(se.Msg, c.msg) || se.Input != c.in {
			t.Errorf("ParseRequirement(%q) = %v (column %d), want column %d and %q", c.in, err, se.Column(), c.col, c.msg)
		}
		if !strings.Contains(err.Error(), "column") || !strings.Contains(err.Error(), "invalid requirement") {
			t.Errorf("error text %q lacks input or column", err)
		}
	}
}

func TestRequirementFields(t *testing.T) {
	r := MustParseRequirement("Foo.Bar[Sec, sec, b_x] (>=1.0, <2) ; extra == 'Dev'")
	if r.Name != "Foo.Bar" || strings.Join(r.Extras, ",") != "Sec,sec,b_x" {
		t.Fatalf("got %+v", r)
	}
	if got := strings.Join(r.NormalizedExtras(), ","); got != "b-x,sec" {
		t.Errorf("NormalizedExtras = %q", got)
	}
	if got := r.String(); got != `Foo.Bar[Sec,b_x,sec]<2,>=1.0; extra == "dev"` {
		t.Errorf("String = %q", got)
	}
	if r.NormalizedName() != "foo-bar" {
		t.Errorf("NormalizedName = %q", r.NormalizedName())
	}
}

func TestMarkerStrings(t *testing.T) {
	for in, want := range map[string]string{
		`os_name=='nt'`:                         `os_name == "nt"`,
		`(a_b)`:                                 "",
		`os_name == "a\\b"`:                     `os_name == "a\\b"`,
		`os_name == '\x22\x27'`:                 `os_name == '"\x27'`,
		`os_name == "\n"`:                       `os_name == "\n"`,
		`os_name == "\101\x42\u0043\U00000044"`: `os_name == "ABCD"`,
		`os_name == "\q"`:                       `os_name == "\\q"`,
		`(os_name == "a" and (os_name == "b"))`: `os_name == "a" and os_name == "b"`,
		`os_name == "a" and (os_name == "b" or os_name == "c")`: `os_name == "a" and (os_name == "b" or os_name == "c")`,
		`(os_name == "a" and os_name == "b") or os_name == "c"`: `(os_name == "a" and os_name == "b") or os_name == "c"`,
		`os_name == "a" and os_name == "b" or os_name == "c"`:   `os_name == "a" and os_name == "b" or os_name == "c"`,
		`extra == "Foo__Bar"`:        `extra == "foo-bar"`,
		`"Foo" == extra`:             `"foo" == extra`,
		`python_implementation=="x"`: `platform_python_implementation == "x"`,
	} {
		m, err := ParseMarker(in)
		if want == "" {
			if err == nil {
				t.Errorf("ParseMarker(%q) = %q, want error", in, m)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseMarker(%q): %v", in, err)
			continue
		}
		if m.String() != want {
			t.Errorf("ParseMarker(%q).String() = %q, want %q", in, m.String(), want)
		}
		m2, err := ParseMarker(m.String())
		if err != nil || m2.String() != m.String() {
			t.Errorf("round trip of %q: %q, %v", m.String(), m2.String(), err)
		}
	}
}

var linuxEnv = Env{
	"implementation_name": "cpython", "implementation_version": "3.11.7", "os_name": "posix",
	"platform_machine": "x86_64", "platform_release": "6.5.0-1025-azure", "platform_system": "Linux",
	"platform_version": "#26 SMP", "python_full_version": "3.11.7",
	"platform_python_implementation": "CPython", "python_version": "3.11", "sys_platform": "linux",
}

func TestEvaluateContexts(t *testing.T) {
	m := MustParseMarker(`extra == "Foo.Bar" and python_version >= "3.8"`)
	if ok, err := m.Evaluate(linuxEnv); ok || err != nil {
		t.Errorf("Evaluate without extra = %v, %v", ok, err)
	}
	if ok, err := m.EvaluateExtras(linuxEnv, []string{"x", "foo_bar"}); !ok || err != nil {
		t.Errorf("EvaluateExtras = %v, %v", ok, err)
	}
	if ok, err := m.EvaluateExtras(linuxEnv, nil); ok || err != nil {
		t.Errorf("EvaluateExtras(nil) = %v, %v", ok, err)
	}
	if _, err := m.EvaluateLock(linuxEnv, []string{"foo-bar"}, nil); err == nil {
		t.Errorf("EvaluateLock: extra is undefined in the lock context")
	}
	l := MustParseMarker(`"Foo.Bar" in extras and "docs" not in dependency_groups`)
	if ok, err := l.EvaluateLock(linuxEnv, []string{"foo_bar"}, []string{"test"}); !ok || err != nil {
		t.Errorf("EvaluateLock = %v, %v", ok, err)
	}
	var un *UndefinedEnvironmentNameError
	if _, err := l.Evaluate(linuxEnv); !errors.As(err, &un) || un.Name != "extras" {
		t.Errorf("metadata context: extras should be undefined, got %v", err)
	}
	var uc *UndefinedComparisonError
	if _, err := MustParseMarker(`extras == "x"`).EvaluateLock(linuxEnv, nil, nil); !errors.As(err, &uc) {
		t.Errorf("extras == x: %v", err)
	}
	// No short-circuit: packaging evaluates every comparison.
	if _, err := MustParseMarker(`os_name == "posix" or os_name ~= "x"`).Evaluate(linuxEnv); !errors.As(err, &uc) {
		t.Errorf("error in a decided or: %v", err)
	}
	dev := Env{"python_full_version": "3.12.1+"}
	for in, want := range map[string]bool{
		`python_full_version == "3.12.1"`:        true,
		`python_full_version === "3.12.1+"`:      false,
		`python_full_version === "3.12.1+LOCAL"`: true,
		`python_full_version == "=3.12.1+local"`: true, // "===" + operand
	} {
		if got, err := MustParseMarker(in).Evaluate(dev); got != want || err != nil {
			t.Errorf("%s on 3.12.1+: %v, %v", in, got, err)
		}
	}
	if ok, err := (Marker{}).Evaluate(nil); !ok || err != nil {
		t.Errorf("zero marker: %v %v", ok, err)
	}
}

func TestAlgebraTable(t *testing.T) {
	m := func(s string) Marker {
		if s == "" {
			return Marker{}
		}
		if s == "false" {
			return False()
		}
		return MustParseMarker(s)
	}
	for _, c := range []struct{ op, a, b, want string }{
		{"and", "", "", ""},
		{"and", `os_name == "nt"`, "", `os_name == "nt"`},
		{"and", `os_name == "nt"`, "false", `python_version < "0"`},
		{"and", `os_name == "nt"`, `os_name == "nt"`, `os_name == "nt"`},
		{"and", `sys_platform == "linux"`, `sys_platform == "win32"`, `python_version < "0"`},
		{"and", `sys_platform == "linux"`, `sys_platform != "win32"`, `sys_platform == "linux"`},
		{"and", `sys_platform == "linux"`, `sys_platform in "linux darwin"`, `sys_platform == "linux"`},
		{"and", `sys_platform == "linux"`, `sys_platform not in "linux darwin"`, `python_version < "0"`},
		{"and", `python_version >= "3.8"`, `python_version >= "3.9"`, `python_version >= "3.9"`},
		{"and", `python_version >= "3.10"`, `python_version < "3.9"`, `python_version < "0"`},
		{"and", `python_version >= "3.8"`, `python_version < "3.11"`, `python_version >= "3.8" and python_version < "3.11"`},
		{"and", `os_name == "nt" or os_name == "posix"`, `python_version < "3"`, `(os_name == "nt" or os_name == "posix") and python_version < "3"`},
		{"and", `os_name == "a" and os_name != "b"`, `(platform_machine == "x" and os_name != "c")`, `os_name == "a" and platform_machine == "x"`},
		{"and", `os_name < "z"`, `os_name == "nt"`, `python_version < "0"`},
		{"or", `os_name == "nt"`, "", ""},
		{"or", `os_name == "nt"`, "false", `os_name == "nt"`},
		{"or", `python_version >= "3.8"`, `python_version >= "3.9"`, `python_version >= "3.8"`},
		{"or", `python_version >= "3.8"`, `python_version < "3.8"`, ""},
		{"or", `sys_platform == "linux"`, `sys_platform != "linux"`, ""},
		{"or", `"linux" in sys_platform`, `"linux" not in sys_platform`, ""},
		{"or", `sys_platform == "linux"`, `sys_platform != "win32"`, `sys_platform != "win32"`},
		{"or", `os_name == "nt" and python_version < "3"`, `os_name == "posix"`, `os_name == "nt" and python_version < "3" or os_name == "posix"`},
		{"or", `os_name == "a" or os_name == "b"`, `os_name == "b" or os_name == "c"`, `os_name == "a" or os_name == "b" or os_name == "c"`},
		{"not", "", "", `python_version < "0"`},
		{"not", "false", "", ""},
		{"not", `os_name == "nt"`, "", `os_name != "nt"`},
		{"not", `"x" in sys_platform`, "", `"x" not in sys_platform`},
		{"not", `sys_platform not in "linux darwin"`, "", `sys_platform in "linux darwin"`},
		{"not", `python_version >= "3.9"`, "", `python_version < "3.9"`},
		{"not", `python_version > "3.9"`, "", `python_version <= "3.9"`},
		{"not", `python_version ~= "3.9"`, "", `python_version < "3.9" or python_version != "3.*"`},
		{"not", `python_full_version >= "3.9.1"`, "", `python_full_version <= "3.9.1" and python_full_version != "3.9.1"`},
		{"not", `python_full_version < "3.13"`, "", `python_full_version >= "3.13.dev0"`},
		{"not", `python_full_version < "3.13.0rc1"`, "", `python_full_version >= "3.13.0rc1"`},
		{"not", `python_full_version == "3.12.*"`, "", `python_full_version != "3.12.*"`},
		{"not", `python_full_version > "3.12"`, "", `python_full_version <= "3.12"`}, // nearest form
		{"not", `sys_platform == "linux" and platform_machine == "x86_64"`, "", `sys_platform != "linux" or platform_machine != "x86_64"`},
		{"not", `sys_platform == "linux" or python_version < "3.9"`, "", `sys_platform != "linux" and python_version >= "3.9"`},
	} {
		var got Marker
		switch c.op {
		case "and":
			got = And(m(c.a), m(c.b))
		case "or":
			got = Or(m(c.a), m(c.b))
		case "not":
			got = Not(m(c.a))
		}
		if got.String() != c.want {
			t.Errorf("%s(%q, %q) = %q, want %q", c.op, c.a, c.b, got.String(), c.want)
		}
	}
	if !Not(Marker{}).IsFalse() || !Not(False()).IsTrue() {
		t.Error("Not of true/false")
	}
}

func TestDisjointTable(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{`sys_platform == "linux"`, `sys_platform == "win32"`, true},
		{`sys_platform == "linux"`, `sys_platform == "linux"`, false},
		{`sys_platform == "linux"`, `sys_platform != "linux"`, true},
		{`python_version >= "3.10"`, `python_version < "3.9"`, true},
		{`python_version >= "3.10"`, `python_version < "3.11"`, false},
		{`python_version >= "3.10"`, `python_version < "3.10"`, true},
		{`python_full_version >= "3.13"`, `python_full_version < "3.13"`, true},
		{`python_version == "3.8.*"`, `python_version >= "3.9"`, true},
		{`python_version ~= "3.8"`, `python_version < "3.8"`, true},
		{`sys_platform == "linux" and python_version < "3.9"`, `sys_platform == "linux" and python_version >= "3.9"`, true},
		{`sys_platform == "linux" or sys_platform == "darwin"`, `sys_platform == "win32"`, true},
		{`sys_platform == "linux" or sys_platform == "darwin"`, `sys_platform != "darwin"`, false},
		{`platform_machine in "x86_64 AMD64"`, `platform_machine == "arm64"`, true},
		{`platform_machine in "x86_64 AMD64"`, `platform_machine == "x86"`, false}, // "x86" is a substring
		{`"linux" in sys_platform`, `sys_platform == "win32"`, true},
		{`extra == "a"`, `extra == "b"`, true},
		{`"a" in extras`, `"a" not in extras`, true},
		{`"a" in extras`, `"b" in extras`, false},
		// sys_platform implies platform_system and os_name (platformImplies)...
		{`os_name == "nt"`, `sys_platform == "linux"`, true},
		{`platform_system == "Windows"`, `sys_platform == "linux"`, true},
		{`platform_system == "Linux"`, `sys_platform == "win32"`, true},
		{`platform_system != "Darwin"`, `sys_platform == "darwin"`, true},
		{`os_name == "posix"`, `sys_platform == "win32"`, true},
		{`platform_system == "Windows" and python_version >= "3.9"`, `sys_platform == "linux" or sys_platform == "darwin"`, true},
		{`platform_system == "Windows"`, `sys_platform == "win32"`, false},
		{`os_name == "nt"`, `sys_platform == "win32" and platform_system == "Windows"`, false},
		// ...but nothing implies sys_platform: Python 2's "linux2", IronPython's "cli" on Windows, Jython.
		{`platform_system == "Linux"`, `sys_platform != "linux"`, false},
		{`platform_system == "Windows"`, `sys_platform != "win32"`, false},
		{`os_name == "nt"`, `sys_platform != "win32"`, false},
		{`os_name == "nt"`, `platform_system == "Linux"`, false},
		{`sys_platform == "cygwin"`, `platform_system == "Windows"`, false},
		{`platform_release >= "6"`, `platform_release < "5"`, true},
		{`os_name < "x"`, `os_name == "nt"`, true},
		{`python_version >= "3.9"`, `python_full_version < "3.8"`, false}, // different variables: unsure
	} {
		a, b := MustParseMarker(c.a), MustParseMarker(c.b)
		if got := Disjoint(a, b); got != c.want {
			t.Errorf("Disjoint(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := Disjoint(b, a); got != c.want {
			t.Errorf("Disjoint(%q, %q) = %v, want %v (swapped)", c.b, c.a, got, c.want)
		}
		if c.want != Disjoint(a, Not(Not(b))) {
			t.Errorf("Disjoint changes under double negation: %q %q", c.a, c.b)
		}
	}
	if !Disjoint(False(), Marker{}) || Disjoint(Marker{}, Marker{}) {
		t.Error("Disjoint with constants")
	}
}

// algebraAtoms is the pool the semantic check draws comparisons from.
var algebraAtoms = []string{
	`python_version >= "3.8"`, `python_version < "3.10"`, `python_version == "3.11"`,
	`python_version != "3.9"`, `python_version > "3.9"`, `python_version <= "3.12"`,
	`python_version ~= "3.10"`, `python_version == "3.1*"`, `python_version == "3.*"`,
	`python_full_version >= "3.11.4"`, `python_full_version < "3.13"`, `python_full_version > "3.12"`,
	`python_full_version <= "3.9.13"`, `python_full_version ~= "3.11.2"`, `python_full_version == "3.12.1"`,
	`python_full_version < "3.13.0rc2"`, `python_full_version === "3.11.7"`,
	`implementation_version >= "7.3"`, `platform_release >= "6"`, `platform_release == "10"`,
	`sys_platform == "linux"`, `sys_platform != "win32"`, `sys_platform in "linux darwin"`,
	`"linux" in sys_platform`, `sys_platform not in "win32 cygwin"`, `platform_machine == "x86_64"`,
	`platform_machine == "arm64"`, `os_name == "nt"`, `implementation_name == "pypy"`,
	`platform_system != "Windows"`, `platform_system == "Linux"`, `platform_system == "Darwin"`,
	`os_name == "posix"`, `sys_platform == "darwin"`, `extra == "test"`, `os_name < "z"`, `os_name >= "posix"`,
	`"3.10" >= python_version`, `"posix" == "os_name"`,
}

func randomMarker(r *rand.Rand, depth int) Marker {
	if depth == 0 || r.Intn(3) == 0 {
		switch r.Intn(12) {
		case 0:
			return Marker{}
		case 1:
			return False()
		}
		return MustParseMarker(algebraAtoms[r.Intn(len(algebraAtoms))])
	}
	a, b := randomMarker(r, depth-1), randomMarker(r, depth-1)
	switch r.Intn(3) {
	case 0:
		return And(a, b)
	case 1:
		return Or(a, b)
	}
	return Not(a)
}

// testEnvironments are the vector environments (metadata context) plus a few
// with extra set; all have valid versions for the Python variables.
func testEnvironments(t *testing.T) []Env {
	var doc markerDoc
	loadJSON(t, "markers.json", &doc)
	var envs []Env
	for _, raw := range doc.Environments {
		env, extras, _, err := splitEnv(raw)
		if err != nil || extras != nil {
			continue
		}
		envs = append(envs, env)
	}
	return envs
}

func evalNoErr(m Marker, env Env) (bool, bool) {
	v, err := m.Evaluate(env)
	return v, err == nil
}

// TestAlgebraSemantics checks And, Or, Not and Disjoint against evaluation on
// every test environment, and that String() of each result re-parses to a
// marker that evaluates the same.
func TestAlgebraSemantics(t *testing.T) {
	envs := testEnvironments(t)
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		a, b := randomMarker(r, 3), randomMarker(r, 3)
		and, or, not := And(a, b), Or(a, b), Not(a)
		reparsed := map[string]Marker{}
		for _, x := range []Marker{and, or, not} {
			if x.IsTrue() {
				continue
			}
			p, err := ParseMarker(x.String())
			if err != nil {
				t.Fatalf("String() of algebra result does not parse: %q: %v", x, err)
			}
			reparsed[x.String()] = p
		}
		for _, env := range envs {
			va, okA := evalNoErr(a, env)
			vb, okB := evalNoErr(b, env)
			if !okA || !okB {
				continue
			}
			check := func(name string, x Marker, want bool) {
				got, ok := evalNoErr(x, env)
				if !ok || got != want {
					t.Fatalf("%s: a=%q b=%q -> %q: got %v (ok %v), want %v in %v", name, a, b, x, got, ok, want, env)
				}
				if p, has := reparsed[x.String()]; has && !printsApproximately(x.n) {
					if got, ok := evalNoErr(p, env); !ok || got != want {
						t.Fatalf("%s: printed form %q evaluates to %v, want %v in %v", name, x, got, want, env)
					}
				}
			}
			check("And", and, va && vb)
			check("Or", or, va || vb)
			check("Not", not, !va)
			if va && vb && Disjoint(a, b) {
				t.Fatalf("Disjoint(%q, %q) but both true in %v", a, b, env)
			}
		}
	}
}

// printsApproximately reports a negated comparison whose printed nearest
// operator may differ from the exact negation in the test environments
// (platform_release is not a version there).
func printsApproximately(n *node) bool {
	if n == nil {
		return false
	}
	if n.kind == kAtom {
		return n.neg && !(n.a.lhs.isVar && isVersionKey(n.a.lhs.v) && n.a.lhs.v != "platform_release")
	}
	for _, k := range n.kids {
		if printsApproximately(k) {
			return true
		}
	}
	return false
}
