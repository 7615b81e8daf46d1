// Package buildtest holds test helpers for PEP 517 builds: the host
// Python, the setuptools and wheel wheels available offline, and small
// sdists and wheels made in memory. A missing Python or wheel skips the
// test, unless PYLOCK_REQUIRE_SHARED is set (CI), where it fails.
package buildtest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("PYLOCK_REQUIRE_SHARED") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// Python returns the path of python3 on PATH.
func Python(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		missing(t, "no python3 on PATH: %v", err)
	}
	return p
}

// BundledWheel finds an offline py3-none-any wheel of project (setuptools,
// wheel, pip): CPython's ensurepip/_bundled, else Debian's
// /usr/share/python-wheels (python3-setuptools-whl, python3-wheel-whl,
// installed by .ci/run).
func BundledWheel(t testing.TB, python, project string) string {
	t.Helper()
	var dirs []string
	if out, err := exec.Command(python, "-I", "-c", "import ensurepip, os; print(os.path.dirname(ensurepip.__file__))").Output(); err == nil {
		d := strings.TrimSpace(string(out))
		dirs = append(dirs, filepath.Join(d, "_bundled"), d)
	}
	dirs = append(dirs, "/usr/share/python-wheels")
	for _, d := range dirs {
		m, _ := filepath.Glob(filepath.Join(d, project+"-*-py3-none-any.whl"))
		if len(m) > 0 {
			sort.Strings(m)
			return m[len(m)-1]
		}
	}
	missing(t, "no %s wheel in %v (.ci/run installs python3-%s-whl)", project, dirs, project)
	return ""
}

// IndexWith copies the bundled setuptools and wheel wheels into a local
// directory index at dir (dir/<project>/<file>).
func IndexWith(t testing.TB, dir, python string, projects ...string) {
	t.Helper()
	for _, p := range projects {
		src := BundledWheel(t, python, p)
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		Put(t, dir, p, filepath.Base(src), data)
	}
}

// Put writes dir/<project>/<filename>.
func Put(t testing.TB, dir, project, filename string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, project, filename)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TarGz returns a .tar.gz of files (path -> content), sorted by path.
func TarGz(files map[string]string) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, k := range sortedKeys(files) {
		tw.WriteHeader(&tar.Header{Name: k, Mode: 0o644, Size: int64(len(files[k])), Typeflag: tar.TypeReg})
		tw.Write([]byte(files[k]))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// SetuptoolsSdist is an sdist name-version.tar.gz whose PKG-INFO is
// Metadata-Version 1.1 and whose dependencies live only in setup.py
// (install_requires; setupBody is extra setup() keyword text, or setup.py's
// whole text when it does not start with "setup(").
func SetuptoolsSdist(name, version string, installRequires []string, setupBody string) []byte {
	top := name + "-" + version + "/"
	var reqs []string
	for _, r := range installRequires {
		reqs = append(reqs, "'"+strings.ReplaceAll(r, "'", `\'`)+"'")
	}
	setup := "from setuptools import setup\nsetup(name='" + name + "', version='" + version + "', py_modules=[], install_requires=[" + strings.Join(reqs, ", ") + "]" + setupBody + ")\n"
	if setupBody != "" && !strings.HasPrefix(setupBody, ",") {
		setup = setupBody
	}
	return TarGz(map[string]string{
		top + "PKG-INFO": "Metadata-Version: 1.1\nName: " + name + "\nVersion: " + version + "\n",
		top + "setup.py": setup,
	})
}

// Wheel returns a minimal py3-none-any wheel with the given Requires-Dist;
// its module sets VALUE = "name version", so a test can tell which
// distribution pip installed.
func Wheel(name, version string, requires ...string) (filename string, data []byte) {
	dist := strings.ReplaceAll(name, "-", "_")
	di := dist + "-" + version + ".dist-info/"
	md := "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"
	for _, r := range requires {
		md += "Requires-Dist: " + r + "\n"
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct{ n, b string }{
		{dist + "/__init__.py", fmt.Sprintf("VALUE = %q\n", name+" "+version)},
		{di + "METADATA", md},
		{di + "WHEEL", "Wheel-Version: 1.0\nGenerator: buildtest\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
		{di + "RECORD", ""},
	} {
		w, _ := zw.Create(f.n)
		w.Write([]byte(f.b))
	}
	zw.Close()
	return dist + "-" + version + "-py3-none-any.whl", buf.Bytes()
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
