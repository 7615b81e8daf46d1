package pep508

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func mustRP(t testing.TB, spec string) Marker {
	t.Helper()
	m, err := RequiresPython(spec)
	if err != nil {
		t.Fatalf("RequiresPython(%q): %v", spec, err)
	}
	return m
}

func TestMinimize(t *testing.T) {
	for _, tc := range []struct {
		marker, requiresPython, want string
	}{
		{`sys_platform == "linux" or sys_platform != "linux"`, ">=3.8", ""},
		{`sys_platform == "linux"`, ">=3.8", `sys_platform == "linux"`},
		{`python_version >= "3.11"`, ">=3.11", ""},
		{`python_version >= "3.11"`, ">=3.10", `python_version >= "3.11"`},
		{`python_version < "3.12" or python_version >= "3.12"`, "", ""},
		{`python_full_version < "3.11.4" or python_full_version >= "3.11.4"`, ">=3.8", ""},
		{`python_full_version < "3.11.4" or python_full_version > "3.11.4"`, ">=3.8", `python_full_version < "3.11.4" or python_full_version > "3.11.4"`},
		{`python_version < "3.12" and platform_system == "Darwin" or platform_system != "Darwin" or python_version >= "3.12"`, ">=3.8", ""},
		{`platform_system == "Darwin" and python_version >= "3.12" or platform_system != "Darwin"`, ">=3.8", `platform_system != "Darwin" or python_version >= "3.12"`},
		// Fork conditions that add up to one comparison.
		{`(python_version < "3.10" or platform_system != "Darwin") and python_version >= "3.12" and platform_system == "Windows" or python_version >= "3.10" and python_version < "3.12" and platform_system == "Windows" or python_version < "3.10" and platform_system == "Windows"`, ">=3.9", `platform_system == "Windows"`},
		{`python_version <= "3.9" and platform_machine == "arm64" or python_version >= "3.10" and python_version < "3.11" or python_version < "3.10" and platform_machine != "arm64"`, ">=3.9", `python_version < "3.11"`},
		// sys_platform decides platform_system and os_name.
		{`sys_platform == "linux" and platform_system == "Linux" or sys_platform == "win32" and os_name == "nt"`, ">=3.8", `sys_platform == "linux" or sys_platform == "win32"`},
		{`platform_system == "Linux" and sys_platform == "linux"`, ">=3.8", `sys_platform == "linux"`},
		{`platform_system == "Linux" or sys_platform == "linux"`, ">=3.8", `platform_system == "Linux"`},
		// Nothing shorter is equivalent.
		{`sys_platform == "linux" and python_version >= "3.12" or sys_platform == "win32" and python_version < "3.10"`, ">=3.8", `sys_platform == "linux" and python_version >= "3.12" or sys_platform == "win32" and python_version < "3.10"`},
		// Variables and operators it does not enumerate stay as written...
		{`platform_release == "5" or platform_release != "5"`, ">=3.8", `platform_release == "5" or platform_release != "5"`},
		{`"linux" in sys_platform or sys_platform != "linux"`, ">=3.8", `"linux" in sys_platform or sys_platform != "linux"`},
		// ...but comparisons the region decides still go (Restrict).
		{`platform_release == "5" and python_version >= "3.8"`, ">=3.9", `platform_release == "5"`},
	} {
		m := MustParseMarker(tc.marker)
		want := tc.want
		if want != "" {
			want = MustParseMarker(want).String()
		}
		if got := Minimize(m, mustRP(t, tc.requiresPython)).String(); got != want {
			t.Errorf("Minimize(%s, %q) = %q, want %q", tc.marker, tc.requiresPython, got, want)
		}
	}
}

func TestRestrict(t *testing.T) {
	for _, tc := range []struct{ marker, within, want string }{
		{`sys_platform == "linux" and python_version >= "3.8"`, `python_version >= "3.10"`, `sys_platform == "linux"`},
		{`sys_platform == "linux" or python_version < "3.8"`, `python_version >= "3.10"`, `sys_platform == "linux"`},
		{`sys_platform == "linux" or python_version >= "3.8"`, `python_version >= "3.10"`, ``},
		{`sys_platform == "linux" and os_name == "nt"`, `sys_platform == "win32"`, `python_version < "0"`},
		{`sys_platform == "linux" and os_name == "nt"`, `sys_platform != "win32"`, `python_version < "0"`}, // linux implies posix
		{`sys_platform == "cygwin" and os_name == "nt"`, `sys_platform != "win32"`, `sys_platform == "cygwin" and os_name == "nt"`},
		{`platform_system == "Windows" and python_version >= "3.9"`, `sys_platform == "linux"`, `python_version < "0"`},
		{`platform_system == "Windows" or python_version >= "3.9"`, `sys_platform == "win32"`, ``},
		{`platform_system == "Linux" or os_name == "nt"`, `sys_platform != "linux"`, `platform_system == "Linux" or os_name == "nt"`},
		{`extra == "x" and sys_platform == "linux"`, `sys_platform == "linux"`, `extra == "x"`},
	} {
		var within Marker
		if tc.within != "" {
			within = MustParseMarker(tc.within)
		}
		if got := Restrict(MustParseMarker(tc.marker), within).String(); got != tc.want {
			t.Errorf("Restrict(%s, %s) = %q, want %q", tc.marker, tc.within, got, tc.want)
		}
	}
}

func TestWithoutExtra(t *testing.T) {
	tests := []struct {
		marker, extra, want string
		ok                  bool
	}{
		{`extra == "x"`, "x", "", true},
		{`extra == "X_"`, "x-", "", true},
		{`extra == "x" and sys_platform == "win32"`, "x", `sys_platform == "win32"`, true},
		{`sys_platform == "win32" and extra == "x"`, "x", `sys_platform == "win32"`, true},
		{`os_name == "nt" and extra == "x" and sys_platform == "win32"`, "x", `os_name == "nt" and sys_platform == "win32"`, true},
		{`extra == "x" and (os_name == "nt" or sys_platform == "linux")`, "x", `os_name == "nt" or sys_platform == "linux"`, true},
		// `extra == "x" and a or b` is (extra and a) or b: not a conjunction.
		{`extra == "x" and os_name == "nt" or sys_platform == "linux"`, "x", "", false},
		{`extra == "y" and os_name == "nt"`, "x", "", false},
		{`extra == "x" and extra == "y"`, "x", "", false},
		{`extra != "x" and os_name == "nt"`, "x", "", false},
		{`os_name == "nt"`, "x", "", false},
	}
	for _, tc := range tests {
		got, ok := WithoutExtra(MustParseMarker(tc.marker), tc.extra)
		if ok != tc.ok || ok && got.String() != tc.want {
			t.Errorf("WithoutExtra(%q, %q) = %q, %v; want %q, %v", tc.marker, tc.extra, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := WithoutExtra(Marker{}, "x"); ok {
		t.Error("WithoutExtra(true) reported a conjunction")
	}
}

func TestSimplifyEquivalent(t *testing.T) {
	m := MustParseMarker
	a := Or(And(m(`sys_platform == "linux"`), m(`python_version >= "3.11"`)), And(m(`sys_platform == "linux"`), m(`python_version < "3.11"`)))
	if got := Simplify(a, Marker{}, m(`os_name == "nt"`), m(`sys_platform == "linux"`)).String(); got != `sys_platform == "linux"` {
		t.Errorf("Simplify = %q, want the candidate", got)
	}
	if got := Simplify(m(`sys_platform != "linux"`), Marker{}, m(`sys_platform == "linux"`)).String(); got != `sys_platform != "linux"` {
		t.Errorf("Simplify kept %q; a negated candidate is no shorter", got)
	}
	if got := Simplify(m(`python_version >= "3.10"`), mustRP(t, ">=3.11")); !got.IsTrue() {
		t.Errorf("Simplify within >=3.11 = %q, want true", got)
	}
	if !Equivalent(m(`python_version >= "3.10"`), m(`python_version >= "3.10.0"`), Marker{}) {
		t.Error(`python_version >= "3.10" and >= "3.10.0" are equivalent`)
	}
	if Equivalent(m(`sys_platform == "linux"`), m(`os_name == "posix"`), Marker{}) {
		t.Error("different variables are never equivalent")
	}
}

func TestRequiresPython(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", ""},
		{">=3.10", `python_full_version >= "3.10" and python_version >= "3.10"`},
		{">=3.10.1", `python_full_version >= "3.10.1" and python_version >= "3.10"`},
		{">=3.8,<4", `python_full_version >= "3.8" and python_version >= "3.8" and python_full_version < "4"`},
		{"~=3.11", `python_full_version ~= "3.11" and python_version >= "3.11"`},
		{"<3.13", `python_full_version < "3.13"`},
	}
	for _, tc := range tests {
		if got := mustRP(t, tc.spec).String(); got != tc.want {
			t.Errorf("RequiresPython(%q) = %q, want %q", tc.spec, got, tc.want)
		}
	}
	if _, err := RequiresPython(">=three"); err == nil {
		t.Error(`">=three": no error`)
	}
}

// minimizeEnvs is a grid of environments over the variables random markers use.
func minimizeEnvs() []Env {
	var out []Env
	for _, py := range []string{"2.7.18", "3.8.0", "3.9.7", "3.10.0", "3.10.1", "3.11.4", "3.12.0", "3.13.2", "4.0.0"} {
		for _, pl := range [][3]string{{"linux", "posix", "Linux"}, {"win32", "nt", "Windows"}, {"darwin", "posix", "Darwin"},
			{"cygwin", "nt", ""}, {"cli", "nt", "Windows"}, {"linux2", "posix", "Linux"}} {
			for _, mach := range []string{"x86_64", "arm64"} {
				out = append(out, Env{"python_full_version": py, "python_version": py[:strings.LastIndexByte(py, '.')],
					"sys_platform": pl[0], "os_name": pl[1], "platform_machine": mach, "platform_system": pl[2],
					"implementation_name": "cpython", "platform_python_implementation": "CPython"})
			}
		}
	}
	return out
}

var randomAlgebraAtoms = []string{
	`sys_platform == "linux"`, `sys_platform != "win32"`, `sys_platform == "darwin"`, `os_name == "nt"`,
	`platform_machine == "arm64"`, `python_version >= "3.10"`, `python_version < "3.12"`, `python_full_version >= "3.10.1"`,
	`python_full_version < "3.11.4"`, `python_version == "3.9"`, `python_version != "3.13"`, `python_version ~= "3.10"`,
	`platform_system == "Windows"`, `platform_system != "Linux"`, `os_name == "posix"`,
}

func randomAlgebraMarker(r *rand.Rand, depth int) Marker {
	return randomMarkerOver(r, randomAlgebraAtoms, depth)
}

// randomMarkerOver builds a random marker of at most depth levels of and, or
// and not over atoms.
func randomMarkerOver(r *rand.Rand, atoms []string, depth int) Marker {
	if depth == 0 || r.IntN(3) == 0 {
		return MustParseMarker(atoms[r.IntN(len(atoms))])
	}
	a, b := randomMarkerOver(r, atoms, depth-1), randomMarkerOver(r, atoms, depth-1)
	switch r.IntN(3) {
	case 0:
		return And(a, b)
	case 1:
		return Or(a, b)
	}
	return Not(a)
}

// TestMinimizeSound checks Minimize and Restrict on random markers: the
// result agrees with the marker in every grid environment where within
// holds, and is never longer.
func TestMinimizeSound(t *testing.T) {
	envs := minimizeEnvs()
	withins := []Marker{{}, mustRP(t, ">=3.9"), mustRP(t, ">=3.10.1,<4"), MustParseMarker(`sys_platform != "win32"`)}
	r := rand.New(rand.NewPCG(508, 1))
	n := 600
	if testing.Short() {
		n = 100
	}
	for range n {
		m := randomAlgebraMarker(r, 4)
		within := withins[r.IntN(len(withins))]
		for what, got := range map[string]Marker{"Minimize": Minimize(m, within), "Restrict": Restrict(m, within)} {
			if len(got.String()) > len(m.String()) {
				t.Errorf("%s(%s, %s) = %s is longer", what, m, within, got)
			}
			for _, env := range envs {
				in, err1 := within.Evaluate(env)
				want, err2 := m.Evaluate(env)
				have, err3 := got.Evaluate(env)
				if err1 != nil || err2 != nil || err3 != nil {
					t.Fatalf("evaluation error: %v %v %v", err1, err2, err3)
				}
				if in && want != have {
					t.Errorf("%s(%s, %s) = %s differs at %v", what, m, within, got, env)
					break
				}
			}
		}
	}
}

// BenchmarkMinimize simplifies a merged marker of six forks (the shape a
// universal resolution gives colorama in the seed stack from Python 3.9).
func BenchmarkMinimize(b *testing.B) {
	m := MustParseMarker(`(python_version < "3.10" or platform_system != "Darwin") and python_version >= "3.12" and (python_version < "3.6" or platform_system != "Linux" or platform_machine != "aarch64") and platform_system == "Windows" or (python_version < "3.10" or platform_system != "Darwin") and python_version >= "3.11" and python_version < "3.12" and (python_version < "3.6" or platform_system != "Linux" or platform_machine != "aarch64") and platform_system == "Windows" or python_version >= "3.10" and (python_version < "3.10" or platform_system != "Darwin") and python_version < "3.11" and (python_version < "3.6" or platform_system != "Linux" or platform_machine != "aarch64") and platform_system == "Windows" or (python_version > "3.9" or platform_system != "Darwin" or platform_machine != "arm64") and python_version < "3.10" and (python_version < "3.6" or platform_system != "Linux" or platform_machine != "aarch64") and platform_system == "Windows"`)
	within := mustRP(b, ">=3.9")
	for b.Loop() {
		if got := Minimize(m, within).String(); got != `platform_system == "Windows"` {
			b.Fatalf("Minimize = %q", got)
		}
	}
}

// FuzzMarkerAlgebra checks, for any marker that parses, that the marker
// rebuilt from its structure, Minimize, Restrict and Not agree with it in
// a grid of environments (where it evaluates without error).
func FuzzMarkerAlgebra(f *testing.F) {
	for _, s := range append(append([]string(nil), randomAlgebraAtoms...),
		`os_name == "nt" and (sys_platform == "win32" or python_version >= "3.10")`,
		`python_full_version > "3.8" or extra == "x"`, `"linux" in sys_platform and platform_machine != "arm64"`,
		`(python_version < "3.10" or sys_platform != "darwin") and python_version >= "3.12" or sys_platform == "win32"`) {
		f.Add(s)
	}
	envs := minimizeEnvs()
	within := MustParseMarker(`python_full_version >= "3.9"`)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMarker(s)
		if err != nil {
			return
		}
		checks := map[string]Marker{"rebuilt": rebuild(t, m), "Minimize": Minimize(m, within), "Restrict": Restrict(m, within)}
		for _, env := range envs {
			want, err := m.Evaluate(env)
			if err != nil {
				continue
			}
			if in, _ := within.Evaluate(env); in {
				for what, x := range checks {
					if got, err := x.Evaluate(env); err == nil && got != want {
						t.Fatalf("%s(%q) = %q gives %v at %v, want %v", what, s, x, got, env, want)
					}
				}
			}
			if got, err := Not(m).Evaluate(env); err == nil && got == want {
				t.Fatalf("Not(%q) = %q gives %v at %v", s, Not(m), got, env)
			}
		}
	})
}

// simplifyReference is Simplify as it was written before the Simplifier:
// every candidate's negation and sides computed again for each marker.
func simplifyReference(m, within Marker, candidates ...Marker) Marker {
	if m.IsTrue() || m.IsFalse() {
		return m
	}
	best, size := m, len(m.String())
	try := func(a Marker) {
		if s := len(a.String()); s < size && Equivalent(a, m, within) {
			best, size = a, s
		}
	}
	try(Marker{})
	for _, c := range candidates {
		try(c)
		try(Not(c))
	}
	return best
}

// One Simplifier, reused over many markers, gives what simplifyReference
// gives for each: markers built from a few atoms (And, Or, Not of one to
// three of them), against candidates that repeat, within nothing and
// within a Requires-Python.
func TestSimplifierMatchesReference(t *testing.T) {
	atoms := []Marker{
		MustParseMarker(`sys_platform == "linux"`), MustParseMarker(`sys_platform == "win32"`),
		MustParseMarker(`python_version < "3.11"`), MustParseMarker(`python_version >= "3.10"`),
		MustParseMarker(`platform_machine == "x86_64"`), MustParseMarker(`os_name == "nt"`),
	}
	var ms []Marker
	for i, a := range atoms {
		ms = append(ms, a, Not(a))
		for _, b := range atoms[i+1:] {
			ms = append(ms, And(a, b), Or(a, b), And(a, Not(b)), Or(Not(a), b))
			for _, c := range atoms {
				ms = append(ms, Or(And(a, b), And(a, c)), And(Or(a, b), Not(c)))
			}
		}
	}
	cands := append(append([]Marker(nil), atoms...), atoms[0], Or(atoms[0], atoms[1]), atoms[2])
	changed := 0
	for _, within := range []Marker{{}, mustRP(t, ">=3.10")} {
		s := NewSimplifier(within, cands...)
		for _, m := range ms {
			want := simplifyReference(m, within, cands...)
			if want.String() != m.String() {
				changed++
			}
			if got := s.Simplify(m); got.String() != want.String() {
				t.Errorf("within %q: Simplifier(%q) = %q, reference %q", within, m, got, want)
			}
			if got := Simplify(m, within, cands...); got.String() != want.String() {
				t.Errorf("within %q: Simplify(%q) = %q, reference %q", within, m, got, want)
			}
		}
	}
	if changed < 10 {
		t.Errorf("only %d of %d markers simplify: the comparison shows little", changed, 2*len(ms))
	}
	t.Logf("%d of %d markers simplified", changed, 2*len(ms))
}
