package target

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/wheel"
)

func mustNew(t testing.TB, py, plat string) Target {
	t.Helper()
	tg, err := New(py, plat)
	if err != nil {
		t.Fatalf("New(%q, %q): %v", py, plat, err)
	}
	return tg
}

func tagStrings(tags []wheel.Tag) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.String()
	}
	return out
}

// Every uv --python-platform value, with what it means here.
func TestPresets(t *testing.T) {
	tests := []struct {
		platform, want, firstTag string
		tags                     int // len(Tags()) for CPython 3.12: 27 × platforms + 15
	}{
		{"linux", "CPython 3.12 x86_64-manylinux_2_28", "cp312-cp312-linux_x86_64", 771},
		{"macos", "CPython 3.12 arm64-macosx_13_0", "cp312-cp312-macosx_13_0_arm64", 528},
		{"windows", "CPython 3.12 win_amd64", "cp312-cp312-win_amd64", 42},
		{"x86_64-pc-windows-msvc", "CPython 3.12 win_amd64", "cp312-cp312-win_amd64", 42},
		{"aarch64-pc-windows-msvc", "CPython 3.12 win_arm64", "cp312-cp312-win_arm64", 42},
		{"i686-pc-windows-msvc", "CPython 3.12 win32", "cp312-cp312-win32", 42},
		{"x86_64-unknown-linux-gnu", "CPython 3.12 x86_64-manylinux_2_28", "cp312-cp312-linux_x86_64", 771},
		{"aarch64-unknown-linux-gnu", "CPython 3.12 aarch64-manylinux_2_28", "cp312-cp312-linux_aarch64", 393},
		{"x86_64-unknown-linux-musl", "CPython 3.12 x86_64-musllinux_1_2", "cp312-cp312-linux_x86_64", 123},
		{"aarch64-unknown-linux-musl", "CPython 3.12 aarch64-musllinux_1_2", "cp312-cp312-linux_aarch64", 123},
		{"aarch64-apple-darwin", "CPython 3.12 arm64-macosx_13_0", "cp312-cp312-macosx_13_0_arm64", 528},
		{"x86_64-apple-darwin", "CPython 3.12 x86_64-macosx_13_0", "cp312-cp312-macosx_13_0_x86_64", 2607},
		{"x86_64-manylinux2014", "CPython 3.12 x86_64-manylinux_2_17", "cp312-cp312-linux_x86_64", 474},
		{"x86_64-manylinux_2_17", "CPython 3.12 x86_64-manylinux_2_17", "cp312-cp312-linux_x86_64", 474},
		{"x86_64-manylinux_2_28", "CPython 3.12 x86_64-manylinux_2_28", "cp312-cp312-linux_x86_64", 771},
		{"x86_64-manylinux_2_40", "CPython 3.12 x86_64-manylinux_2_40", "cp312-cp312-linux_x86_64", 1095},
		{"aarch64-manylinux2014", "CPython 3.12 aarch64-manylinux_2_17", "cp312-cp312-linux_aarch64", 96},
		{"aarch64-manylinux_2_28", "CPython 3.12 aarch64-manylinux_2_28", "cp312-cp312-linux_aarch64", 393},
		{"x86_64-musllinux_1_2", "CPython 3.12 x86_64-musllinux_1_2", "cp312-cp312-linux_x86_64", 123},
		{"x86_64-musllinux_1_1", "CPython 3.12 x86_64-musllinux_1_1", "cp312-cp312-linux_x86_64", 96},
		{"aarch64-macosx_14_0", "CPython 3.12 arm64-macosx_14_0", "cp312-cp312-macosx_14_0_arm64", 582},
		{"X86_64-Manylinux_2_31", "CPython 3.12 x86_64-manylinux_2_31", "cp312-cp312-linux_x86_64", 852},
		{"manylinux_2_17_x86_64", "CPython 3.12 x86_64-manylinux_2_17", "cp312-cp312-linux_x86_64", 474},
		{"manylinux2014_aarch64", "CPython 3.12 aarch64-manylinux_2_17", "cp312-cp312-linux_aarch64", 96},
		{"musllinux_1_2_aarch64", "CPython 3.12 aarch64-musllinux_1_2", "cp312-cp312-linux_aarch64", 123},
		{"macosx_14_0_arm64", "CPython 3.12 arm64-macosx_14_0", "cp312-cp312-macosx_14_0_arm64", 582},
		{"macosx_10_9_x86_64", "CPython 3.12 x86_64-macosx_10_9", "cp312-cp312-macosx_10_9_x86_64", 987},
		{"win_amd64", "CPython 3.12 win_amd64", "cp312-cp312-win_amd64", 42},
		{"win_arm64", "CPython 3.12 win_arm64", "cp312-cp312-win_arm64", 42},
		{"win32", "CPython 3.12 win32", "cp312-cp312-win32", 42},
		{"linux_x86_64", "CPython 3.12 x86_64-manylinux_2_28", "cp312-cp312-linux_x86_64", 771},
		{"armv7-unknown-linux-gnueabihf", "CPython 3.12 armv7l-manylinux_2_28", "cp312-cp312-linux_armv7l", 393},
		{"ppc64le-unknown-linux-gnu", "CPython 3.12 ppc64le-manylinux_2_28", "cp312-cp312-linux_ppc64le", 393},
	}
	for _, tc := range tests {
		tg := mustNew(t, "3.12", tc.platform)
		tags := tg.Tags()
		if got := tg.String(); got != tc.want || tags[0].String() != tc.firstTag || len(tags) != tc.tags {
			t.Errorf("New(3.12, %q) = %s, first tag %s, %d tags; want %s, %s, %d", tc.platform, got, tags[0], len(tags), tc.want, tc.firstTag, tc.tags)
		}
		// Platform()/PythonSpec() round-trip through New.
		back := mustNew(t, tg.PythonSpec(), tg.Platform())
		if back.String() != tg.String() || !reflect.DeepEqual(back.Tags(), tags) {
			t.Errorf("round trip of %s through New(%q, %q) = %s", tg, tg.PythonSpec(), tg.Platform(), back)
		}
	}
}

func TestPythonVersions(t *testing.T) {
	tests := []struct{ in, str, full, firstTag, lastTag string }{
		{"3.11", "CPython 3.11 win_amd64", "3.11.0", "cp311-cp311-win_amd64", "py30-none-any"},
		{"3.11.4", "CPython 3.11.4 win_amd64", "3.11.4", "cp311-cp311-win_amd64", "py30-none-any"},
		{" 3.12 ", "CPython 3.12 win_amd64", "3.12.0", "cp312-cp312-win_amd64", "py30-none-any"},
		{"", "CPython 3.12 win_amd64", "3.12.0", "cp312-cp312-win_amd64", "py30-none-any"},
		{"cp311", "CPython 3.11 win_amd64", "3.11.0", "cp311-cp311-win_amd64", "py30-none-any"},
		{"cpython3.10", "CPython 3.10 win_amd64", "3.10.0", "cp310-cp310-win_amd64", "py30-none-any"},
		{"cpython@3.10", "CPython 3.10 win_amd64", "3.10.0", "cp310-cp310-win_amd64", "py30-none-any"},
		{"3.13.0rc1", "CPython 3.13.0rc1 win_amd64", "3.13.0rc1", "cp313-cp313-win_amd64", "py30-none-any"},
		{"3.14.0a1", "CPython 3.14.0a1 win_amd64", "3.14.0a1", "cp314-cp314-win_amd64", "py30-none-any"},
		{"3.13t", "CPython 3.13t win_amd64", "3.13.0", "cp313-cp313t-win_amd64", "py30-none-any"},
		{"3.7", "CPython 3.7 win_amd64", "3.7.0", "cp37-cp37m-win_amd64", "py30-none-any"},
		{"pypy3.10", "PyPy 3.10 win_amd64", "3.10.0", "pp310-pypy310_pp73-win_amd64", "py30-none-any"},
		{"pypy@3.9.18", "PyPy 3.9.18 win_amd64", "3.9.18", "pp39-pypy39_pp73-win_amd64", "py30-none-any"},
		{"pp310", "PyPy 3.10 win_amd64", "3.10.0", "pp310-pypy310_pp73-win_amd64", "py30-none-any"},
	}
	for _, tc := range tests {
		tg := mustNew(t, tc.in, "windows")
		tags := tg.Tags()
		if tg.String() != tc.str || tg.Python.String() != tc.full || tags[0].String() != tc.firstTag || tags[len(tags)-1].String() != tc.lastTag {
			t.Errorf("New(%q) = %s (%s), tags %s … %s; want %s (%s), %s … %s", tc.in, tg, tg.Python, tags[0], tags[len(tags)-1], tc.str, tc.full, tc.firstTag, tc.lastTag)
		}
	}
	// The free-threaded build has no abi3 but abi3t; PyPy ends with pp3-none-any then py*-none-any.
	ft := tagStrings(mustNew(t, "3.13t", "windows").Tags())
	if strings.Contains(strings.Join(ft, " "), "-abi3-") || !contains(ft, "cp312-abi3t-win_amd64") {
		t.Errorf("3.13t tags: %v", ft)
	}
	pp := tagStrings(mustNew(t, "pypy3.10", "windows").Tags())
	if !contains(pp, "pp3-none-any") || contains(pp, "cp310-abi3-win_amd64") {
		t.Errorf("pypy3.10 tags: %v", pp)
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestNewErrors(t *testing.T) {
	tests := []struct{ py, plat, want string }{
		{"2.7", "linux", `"2.7": only Python 3`},
		{"3.5", "linux", "3.6 or newer"},
		{"3", "linux", "want a Python version such as"},
		{"3.x", "linux", "invalid python version"},
		{"3.11.4.5", "linux", "invalid python version"},
		{"3.12t", "linux", "free-threaded"},
		{"pypy3.13t", "linux", "free-threaded"},
		{"3.11.0.dev1", "linux", "invalid python version"},
		{"jython2.7", "linux", "invalid python version"},
		{"3.12", "foo", `unsupported python platform "foo"`},
		{"3.12", "x86_64-unknown-freebsd", `unknown system "unknown-freebsd"`},
		{"3.12", "mips-unknown-linux-gnu", `unknown linux architecture "mips"`},
		{"3.12", "i686-apple-darwin", `unknown macos architecture "i686"`},
		{"3.12", "aarch64-manylinux_2_5", "manylinux for aarch64 starts at glibc 2.17"},
		{"3.12", "x86_64-manylinux_1_5", "glibc versions are 2.0 to 2.99"},
		{"3.12", "x86_64-manylinux_3_0", "glibc versions are 2.0 to 2.99"},
		{"3.12", "x86_64-manylinux_2_100", "glibc versions are 2.0 to 2.99"},
		{"3.12", "x86_64-musllinux_2_0", "musl versions are 1.0 to 1.99"},
		{"3.12", "x86_64-macosx_100_0", "macOS versions are 10.0 to 99.99"},
		{"3.12", "arm64-macosx_10_15", "arm64 macOS starts at 11.0"},
		{"3.12", "x86_64-macosx_9_0", "macOS versions start at 10.0"},
		{"3.12", "x86_64-musllinux_0_9", "musl versions are 1.0 to 1.99"},
		{"3.12", "x86_64-manylinux_2", `unknown system "manylinux_2"`},
		{"3.12", "manylinux_2_x86_64", "want <name>_<major>_<minor>_<arch>"},
		{"3.12", "wasm32-pyodide2024", `unknown system "pyodide2024"`},
	}
	for _, tc := range tests {
		_, err := New(tc.py, tc.plat)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%q, %q) error = %v; want it to contain %q", tc.py, tc.plat, err, tc.want)
		}
	}
	// Platform errors list the accepted values.
	if _, err := New("3.12", "solaris"); err == nil || !strings.Contains(err.Error(), "<arch>-unknown-linux-gnu") {
		t.Errorf("platform error does not list accepted values: %v", err)
	}
}

// Env matches the named environments of markers.json where they describe
// the same interpreter (platform_release and platform_version are host
// details: "" unless set, so they are set here from the vector).
func TestEnvAgainstMarkerVectors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testenv.VectorsDir(t), "markers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Environments map[string]map[string]any `json:"environments"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ env, py, plat, implVersion string }{
		{"linux_x86_64_cp311", "3.11.7", "x86_64-unknown-linux-gnu", ""},
		{"macos_arm64_cp312", "3.12.4", "aarch64-apple-darwin", ""},
		{"windows_amd64_cp39", "3.9.13", "windows", ""},
		{"linux_aarch64_pypy310", "pypy3.10.13", "aarch64-unknown-linux-gnu", "7.3.15"},
		{"linux_x86_64_cp313rc1", "3.13.0rc1", "linux", ""},
	}
	passed := 0
	for _, tc := range tests {
		want := doc.Environments[tc.env]
		if want == nil {
			t.Errorf("markers.json has no environment %q", tc.env)
			continue
		}
		tg := mustNew(t, tc.py, tc.plat)
		tg.ImplementationVersion = tc.implVersion
		env := tg.Env()
		if env["platform_release"] != "" || env["platform_version"] != "" {
			t.Errorf("%s: platform_release/version = %q/%q, want empty", tc.env, env["platform_release"], env["platform_version"])
		}
		tg.PlatformRelease, tg.PlatformVersion = want["platform_release"].(string), want["platform_version"].(string)
		got := tg.Env()
		wantEnv := pep508.Env{}
		for k, v := range want {
			if k != "extra" {
				wantEnv[k] = v.(string)
			}
		}
		if !reflect.DeepEqual(got, wantEnv) {
			t.Errorf("%s: Env() =\n%v\nwant\n%v", tc.env, got, wantEnv)
			continue
		}
		passed++
	}
	fmt.Printf("vectors markers.json environments via target: %d passed, %d failed\n", passed, len(tests)-passed)
}

func TestMarker(t *testing.T) {
	tests := []struct{ py, plat, want string }{
		{"3.11.7", "linux", `sys_platform == "linux" and platform_machine == "x86_64" and python_full_version == "3.11.7" and implementation_name == "cpython"`},
		{"3.11", "linux", `sys_platform == "linux" and platform_machine == "x86_64" and python_version == "3.11" and implementation_name == "cpython"`},
		{"3.12", "macos", `sys_platform == "darwin" and platform_machine == "arm64" and python_version == "3.12" and implementation_name == "cpython"`},
		{"3.9", "windows", `sys_platform == "win32" and platform_machine == "AMD64" and python_version == "3.9" and implementation_name == "cpython"`},
		{"3.13.0rc1", "linux", `sys_platform == "linux" and platform_machine == "x86_64" and python_full_version == "3.13.0rc1" and implementation_name == "cpython"`},
		{"pypy3.10", "aarch64-unknown-linux-gnu", `sys_platform == "linux" and platform_machine == "aarch64" and python_version == "3.10" and implementation_name == "pypy"`},
	}
	for _, tc := range tests {
		if got := mustNew(t, tc.py, tc.plat).Marker(); got != tc.want {
			t.Errorf("Marker(%s, %s) =\n %s\nwant\n %s", tc.py, tc.plat, got, tc.want)
		}
	}
}

// The marker describes the target's own environment (needs pep508).
func TestMarkerEvaluatesTrue(t *testing.T) {
	for _, plat := range []string{"linux", "macos", "windows", "aarch64-unknown-linux-musl"} {
		for _, py := range []string{"3.9", "3.12.3", "pypy3.10"} {
			tg := mustNew(t, py, plat)
			m, err := pep508.ParseMarker(tg.Marker())
			if err != nil {
				t.Fatalf("ParseMarker(%q): %v", tg.Marker(), err)
			}
			if ok, err := m.Evaluate(tg.Env()); !ok || err != nil {
				t.Errorf("%s: %s evaluates to %v, %v in its own environment", tg, tg.Marker(), ok, err)
			}
		}
	}
}

func TestRank(t *testing.T) {
	tg := mustNew(t, "3.11", "x86_64-manylinux_2_28")
	tags := tg.Tags()
	for _, tc := range []struct {
		file string
		ok   bool
	}{
		{"numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", true},
		{"numpy-1.26.4-cp311-cp311-manylinux_2_31_x86_64.whl", false},
		{"numpy-1.26.4-cp311-cp311-musllinux_1_1_x86_64.whl", false},
		{"numpy-1.26.4-cp311-cp311-win_amd64.whl", false},
		{"six-1.16.0-py2.py3-none-any.whl", true},
		{"cryptography-42.0.5-cp39-abi3-manylinux_2_28_x86_64.whl", true},
		{"numpy-2.1.0-cp313-cp313t-manylinux_2_17_x86_64.whl", false},
	} {
		w, err := wheel.ParseFilename(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		r, ok := tg.Rank(w)
		if ok != tc.ok {
			t.Errorf("Rank(%s) = %d, %v; want ok %v", tc.file, r, ok, tc.ok)
			continue
		}
		if ok && !contains(tagStrings(w.Tags), tags[r].String()) {
			t.Errorf("Rank(%s) = %d (%s), not one of the wheel's tags", tc.file, r, tags[r])
		}
	}
}

// The compat targets of wheels.json, rebuilt as Targets from the entry's
// fields, give packaging's full tag list, ranks and selector order.
func TestTargetWheelVectors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testenv.VectorsDir(t), "wheels.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Compat []struct {
			Name          string   `json:"name"`
			PythonVersion []int    `json:"python_version"`
			Interpreter   string   `json:"interpreter"`
			ABIs          []string `json:"abis"`
			Platforms     []string `json:"platforms"`
			SupportedTags []string `json:"supported_tags"`
			Wheels        []struct {
				Filename   string  `json:"filename"`
				Compatible bool    `json:"compatible"`
				Rank       *int    `json:"rank"`
				BestTag    *string `json:"best_tag"`
			} `json:"wheels"`
			SelectorOrder []string `json:"selector_order"`
		} `json:"compat"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	pass, fail := 0, 0
	check := func(ok bool, format string, args ...any) {
		if ok {
			pass++
			return
		}
		fail++
		t.Errorf(format, args...)
	}
	for _, cv := range doc.Compat {
		// The most specific platform names the target: the first one that
		// is not linux_<arch>.
		plat := cv.Platforms[0]
		if strings.HasPrefix(plat, "linux_") && len(cv.Platforms) > 1 {
			plat = cv.Platforms[1]
		}
		tg := mustNew(t, fmt.Sprintf("%d.%d", cv.PythonVersion[0], cv.PythonVersion[1]), plat)
		s := tg.Supported()
		check(reflect.DeepEqual(tg.Platforms(), cv.Platforms), "%s: Platforms() = %v\nwant %v", cv.Name, tg.Platforms(), cv.Platforms)
		check(reflect.DeepEqual(tagStrings(tg.Tags()), cv.SupportedTags), "%s (%s): Tags() differ from supported_tags", cv.Name, tg)
		check(len(cv.ABIs) == 1 && s.Tags()[0].ABI == cv.ABIs[0] && s.Tags()[0].Interpreter == cv.Interpreter,
			"%s: interpreter/ABI %s, want %s %v", cv.Name, s.Tags()[0], cv.Interpreter, cv.ABIs)
		var files []wheel.Filename
		for _, w := range cv.Wheels {
			f, err := wheel.ParseFilename(w.Filename)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
			r, ok := tg.Rank(f)
			good := ok == w.Compatible && (w.Rank == nil || r == *w.Rank)
			if best, _, _ := s.Best(f); w.BestTag != nil {
				good = good && best.String() == *w.BestTag
			}
			check(good, "%s: Rank(%s) = %d, %v; want %v", cv.Name, w.Filename, r, ok, w.Rank)
		}
		var order []string
		for _, i := range s.Order(files) {
			order = append(order, cv.Wheels[i].Filename)
		}
		check(reflect.DeepEqual(order, cv.SelectorOrder), "%s: order %v\nwant %v", cv.Name, order, cv.SelectorOrder)
	}
	fmt.Printf("vectors wheels.json compat via target: %d passed, %d failed\n", pass, fail)
}

func TestProbeTarget(t *testing.T) {
	tests := []struct {
		name string
		p    probe
		want string
	}{
		{"glibc", probe{ImplementationName: "cpython", PythonFullVersion: "3.11.7", SysPlatform: "linux", PlatformMachine: "x86_64", Glibc: "glibc 2.36", PointerBits: 64}, "CPython 3.11.7 x86_64-manylinux_2_36"},
		{"musl", probe{ImplementationName: "cpython", PythonFullVersion: "3.12.1", SysPlatform: "linux", PlatformMachine: "aarch64", Musl: "1.2.4", PointerBits: 64}, "CPython 3.12.1 aarch64-musllinux_1_2"},
		{"no libc", probe{ImplementationName: "cpython", PythonFullVersion: "3.12.1", SysPlatform: "linux", PlatformMachine: "x86_64", PointerBits: 64}, "CPython 3.12.1 x86_64-unknown-linux"},
		{"32-bit on 64-bit", probe{ImplementationName: "cpython", PythonFullVersion: "3.10.2", SysPlatform: "linux", PlatformMachine: "x86_64", Glibc: "glibc 2.31", PointerBits: 32}, "CPython 3.10.2 i686-manylinux_2_31"},
		{"dev build", probe{ImplementationName: "cpython", PythonFullVersion: "3.12.1+", SysPlatform: "linux", PlatformMachine: "x86_64", Glibc: "glibc 2.35", PointerBits: 64}, "CPython 3.12.1 x86_64-manylinux_2_35"},
		{"free-threaded", probe{ImplementationName: "cpython", PythonFullVersion: "3.13.1", SysPlatform: "linux", PlatformMachine: "x86_64", Glibc: "glibc 2.35", GILDisabled: true, PointerBits: 64}, "CPython 3.13.1t x86_64-manylinux_2_35"},
		{"macos", probe{ImplementationName: "cpython", PythonFullVersion: "3.12.4", SysPlatform: "darwin", PlatformMachine: "arm64", MacVer: "14.5", PointerBits: 64}, "CPython 3.12.4 arm64-macosx_14_5"},
		{"windows", probe{ImplementationName: "cpython", PythonFullVersion: "3.9.13", SysPlatform: "win32", PlatformMachine: "AMD64", PointerBits: 64}, "CPython 3.9.13 win_amd64"},
		{"windows 32-bit", probe{ImplementationName: "cpython", PythonFullVersion: "3.9.13", SysPlatform: "win32", PlatformMachine: "AMD64", PointerBits: 32}, "CPython 3.9.13 win32"},
		{"pypy", probe{ImplementationName: "pypy", ImplementationVersion: "7.3.15", PythonFullVersion: "3.10.13", SysPlatform: "linux", PlatformMachine: "aarch64", Glibc: "glibc 2.36", PointerBits: 64}, "PyPy 3.10.13 aarch64-manylinux_2_36"},
	}
	for _, tc := range tests {
		tg, err := tc.p.target()
		if err != nil || tg.String() != tc.want {
			t.Errorf("%s: target() = %s, %v; want %s", tc.name, tg, err, tc.want)
		}
	}
	for _, p := range []probe{
		{ImplementationName: "graalpy", PythonFullVersion: "3.11.7", SysPlatform: "linux"},
		{ImplementationName: "cpython", PythonFullVersion: "3.11.7", SysPlatform: "cygwin"},
		{ImplementationName: "cpython", PythonFullVersion: "3.11.7", SysPlatform: "darwin", PlatformMachine: "ppc"},
	} {
		if tg, err := p.target(); err == nil {
			t.Errorf("%+v: target() = %s, want error", p, tg)
		}
	}
}

func TestDefault(t *testing.T) {
	tg := Default(context.Background())
	if len(tg.Tags()) == 0 || tg.Env()["python_version"] == "" {
		t.Errorf("Default() = %s: no tags or environment", tg)
	}
	t.Logf("Default() = %s", tg)

	t.Setenv("PATH", t.TempDir()) // no python3: CPython 3.12 on the host
	tg = Default(context.Background())
	host := mustNew(t, DefaultPython, "")
	if tg.String() != host.String() || !strings.HasPrefix(tg.String(), "CPython 3.12 ") {
		t.Errorf("Default() without python3 = %s, want %s", tg, host)
	}
}

// hangingPython writes an executable "python3" that never prints anything
// (it sleeps for a minute) and returns its directory.
func hangingPython(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs a shell script interpreter")
	}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command")
	}
	dir := t.TempDir()
	script := "#!/bin/sh\nexec " + sleep + " 60\n" // absolute: tests may empty PATH
	if err := os.WriteFile(filepath.Join(dir, "python3"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestProbeHangs checks that an interpreter that never answers is given up
// on (at the caller's deadline or at ProbeTimeout) and that Default then
// falls back to the host target. The 30 s bounds are safety nets that only
// a probe waiting for the 60 s script to exit would exceed.
func TestProbeHangs(t *testing.T) {
	dir := hangingPython(t)
	py := filepath.Join(dir, "python3")
	t.Run("ProbeTimeout", func(t *testing.T) {
		t.Parallel()
		start := time.Now()
		if tg, err := FromInterpreter(context.Background(), py); err == nil {
			t.Errorf("FromInterpreter(hanging) = %s, want an error", tg)
		} else if !strings.Contains(err.Error(), py) {
			t.Errorf("error %q does not name the interpreter", err)
		}
		if el := time.Since(start); el > 30*time.Second {
			t.Errorf("FromInterpreter waited %v for a hanging interpreter", el)
		}
	})
	t.Run("caller deadline", func(t *testing.T) {
		t.Setenv("PATH", dir)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		tg := Default(ctx)
		if host := mustNew(t, DefaultPython, ""); tg.String() != host.String() {
			t.Errorf("Default() with a hanging python3 = %s, want %s", tg, host)
		}
		if el := time.Since(start); el > 30*time.Second {
			t.Errorf("Default waited %v for a hanging python3", el)
		}
	})
}

// fakePython writes an executable "python3" that prints the probe answer of
// a CPython with the given version on x86_64 glibc Linux, and returns its
// directory.
func fakePython(t *testing.T, version string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("needs a shell script interpreter")
	}
	minor := version[:strings.LastIndex(version, ".")]
	answer := `{"implementation_name":"cpython","implementation_version":"` + version + `","os_name":"posix",` +
		`"platform_machine":"x86_64","platform_release":"6.1","platform_version":"#1","python_full_version":"` + version + `",` +
		`"platform_python_implementation":"CPython","python_version":"` + minor + `","sys_platform":"linux",` +
		`"gil_disabled":false,"pointer_bits":64,"mac_ver":"","glibc":"glibc 2.36","musl":""}`
	dir := t.TempDir()
	script := "#!/bin/sh\nexec " + catPath(t) + " <<'EOF'\n" + answer + "\nEOF\n"
	if err := os.WriteFile(filepath.Join(dir, "python3"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSelect checks that a platform flag alone keeps the default
// interpreter's Python (issue: --python-platform linux switched 3.11 to 3.12).
func TestSelect(t *testing.T) {
	t.Setenv("PATH", fakePython(t, "3.10.9"))
	ctx := context.Background()
	for _, tc := range []struct {
		version, platform string
		want              string // prefix of Target.String()
	}{
		{"", "", "CPython 3.10.9 x86_64-manylinux_2_36"},
		{"", "linux", "CPython 3.10.9 x86_64-manylinux_2_28"},
		{"", "windows", "CPython 3.10.9 win_amd64"},
		{"3.12", "", "CPython 3.12 "},
		{"3.13", "macos", "CPython 3.13 arm64-macos"},
	} {
		tg, err := Select(ctx, tc.version, tc.platform)
		if err != nil {
			t.Fatalf("Select(%q, %q): %v", tc.version, tc.platform, err)
		}
		if !strings.HasPrefix(tg.String(), tc.want) {
			t.Errorf("Select(%q, %q) = %s, want prefix %q", tc.version, tc.platform, tg, tc.want)
		}
		if tc.version == "" && tg.Python.String() != "3.10.9" {
			t.Errorf("Select(%q, %q).Python = %s, want the interpreter's 3.10.9", tc.version, tc.platform, tg.Python)
		}
	}
	if _, err := Select(ctx, "", "plan9"); err == nil {
		t.Error("Select with a bad platform: no error")
	}
}

func TestPythonFlagRoundTrip(t *testing.T) {
	for _, in := range []string{"3.11.7", "pypy3.10.14", "3.13.1t", "3.14.0rc1"} {
		tg := mustNew(t, in, "linux")
		back := mustNew(t, tg.PythonFlag(), "linux")
		if back.String() != tg.String() || back.Python.String() != tg.Python.String() || back.FreeThreaded != tg.FreeThreaded {
			t.Errorf("PythonFlag(%s) = %q reads back as %s", tg, tg.PythonFlag(), back)
		}
	}
}

func catPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("cat")
	if err != nil {
		t.Skip("no cat command")
	}
	return p
}
