package pep508

import (
	"math/rand/v2"
	"testing"
)

// realPlatforms are (sys_platform, platform_system, os_name) triples that
// real Pythons report, the odd ones included: the implications between the
// variables must never rule one out. (Python 2.5 on Windows Vista reported
// platform.system() "Microsoft", a bug fixed in 2.6; no installer that reads
// these markers runs there.)
var realPlatforms = [][3]string{
	{"linux", "Linux", "posix"},  // also Android before 3.13, Termux
	{"linux2", "Linux", "posix"}, // Python 2
	{"darwin", "Darwin", "posix"},
	{"win32", "Windows", "nt"}, // also MinGW and MSYS2's mingw Pythons
	{"cli", "Windows", "nt"},   // IronPython 2
	{"cygwin", "CYGWIN_NT-10.0-19045", "posix"},
	{"msys", "MSYS_NT-10.0-19045", "posix"},
	{"java1.8.0_392", "Java", "java"}, // Jython
	{"java1.8.0_392", "Linux", "java"},
	{"java1.8.0_392", "Windows", "java"},
	{"freebsd14", "FreeBSD", "posix"},
	{"openbsd7", "OpenBSD", "posix"},
	{"sunos5", "SunOS", "posix"},
	{"aix", "AIX", "posix"},
	{"emscripten", "Emscripten", "posix"},
	{"wasi", "WASI", "posix"},
	{"ios", "iOS", "posix"},         // 3.13+
	{"android", "Android", "posix"}, // 3.13+
}

// platformEnvs is every real platform at a few Python versions.
func platformEnvs() []Env {
	var out []Env
	for _, py := range []string{"2.7.18", "3.9.7", "3.11.4", "3.13.2"} {
		for _, p := range realPlatforms {
			out = append(out, Env{"python_full_version": py, "python_version": py[:len(py)-2],
				"sys_platform": p[0], "platform_system": p[1], "os_name": p[2], "platform_machine": "x86_64",
				"implementation_name": "cpython", "platform_python_implementation": "CPython"})
		}
	}
	return out
}

var platformAtoms = []string{
	`sys_platform == "linux"`, `sys_platform == "win32"`, `sys_platform == "darwin"`, `sys_platform != "linux"`,
	`sys_platform != "win32"`, `sys_platform == "cli"`, `sys_platform == "cygwin"`,
	`platform_system == "Linux"`, `platform_system == "Windows"`, `platform_system == "Darwin"`,
	`platform_system != "Windows"`, `platform_system != "Linux"`, `platform_system == "Java"`,
	`os_name == "nt"`, `os_name == "posix"`, `os_name != "nt"`, `os_name == "java"`,
	`python_version >= "3.10"`, `python_version < "3"`,
}

func randomPlatformMarker(r *rand.Rand, depth int) Marker {
	return randomMarkerOver(r, platformAtoms, depth)
}

func TestPossibleEnv(t *testing.T) {
	for _, env := range platformEnvs() {
		if !PossibleEnv(env) {
			t.Errorf("PossibleEnv rules out the real %v", env)
		}
	}
	for _, env := range []Env{
		{"sys_platform": "linux", "platform_system": "Windows"},
		{"sys_platform": "win32", "os_name": "posix"},
		{"sys_platform": "darwin", "platform_system": "Linux", "os_name": "posix"},
	} {
		if PossibleEnv(env) {
			t.Errorf("PossibleEnv(%v) = true", env)
		}
	}
	if !PossibleEnv(Env{"platform_system": "Windows"}) {
		t.Error("PossibleEnv without sys_platform = false")
	}
}

// TestPlatformRelationsSound checks on random markers over the platform
// variables that Disjoint never calls a combination impossible that a real
// platform satisfies, and that Minimize and Restrict keep every real
// platform's value.
func TestPlatformRelationsSound(t *testing.T) {
	envs := platformEnvs()
	r := rand.New(rand.NewPCG(15, 3))
	n := 1500
	if testing.Short() {
		n = 200
	}
	disjoint := 0
	for range n {
		a, b := randomPlatformMarker(r, 3), randomPlatformMarker(r, 3)
		isDisjoint := Disjoint(a, b)
		if isDisjoint {
			disjoint++
		}
		checks := map[string]Marker{"Minimize": Minimize(a, b), "Restrict": Restrict(a, b)}
		for _, env := range envs {
			va, err1 := a.Evaluate(env)
			vb, err2 := b.Evaluate(env)
			if err1 != nil || err2 != nil {
				t.Fatalf("evaluation error: %v %v", err1, err2)
			}
			if va && vb && isDisjoint {
				t.Fatalf("Disjoint(%s, %s), but both hold at %v", a, b, env)
			}
			if !vb {
				continue
			}
			for what, x := range checks {
				if got, err := x.Evaluate(env); err != nil || got != va {
					t.Fatalf("%s(%s, %s) = %s gives %v (%v) at %v, want %v", what, a, b, x, got, err, env, va)
				}
			}
		}
	}
	t.Logf("%d of %d random pairs disjoint", disjoint, n)
	if disjoint == 0 {
		t.Fatal("no random pair was disjoint: the check proves nothing")
	}
}

// FuzzPlatformRelations is TestPlatformRelationsSound for any two markers.
func FuzzPlatformRelations(f *testing.F) {
	f.Add(`sys_platform == "linux"`, `platform_system == "Windows"`)
	f.Add(`sys_platform == "win32" or os_name == "posix"`, `platform_system == "Windows" and sys_platform != "cli"`)
	f.Add(`platform_system == "Linux"`, `sys_platform != "linux"`)
	envs := platformEnvs()
	f.Fuzz(func(t *testing.T, sa, sb string) {
		a, err := ParseMarker(sa)
		if err != nil {
			return
		}
		b, err := ParseMarker(sb)
		if err != nil {
			return
		}
		isDisjoint := Disjoint(a, b)
		for _, env := range envs {
			va, err1 := a.Evaluate(env)
			vb, err2 := b.Evaluate(env)
			if err1 != nil || err2 != nil || !vb {
				continue
			}
			if va && isDisjoint {
				t.Fatalf("Disjoint(%s, %s), but both hold at %v", a, b, env)
			}
			if got, err := Restrict(a, b).Evaluate(env); err == nil && got != va {
				t.Fatalf("Restrict(%s, %s) gives %v at %v, want %v", a, b, got, env, va)
			}
		}
	})
}
