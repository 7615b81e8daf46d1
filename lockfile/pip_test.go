package lockfile

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"github.com/pylock/pylock/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// buildWheel writes a minimal valid pure wheel for name/version into dir
// and returns its artifact entry.
func buildWheel(t *testing.T, dir, name, version string) Artifact {
	t.Helper()
	dist := strings.ReplaceAll(name, "-", "_")
	fn := fmt.Sprintf("%s-%s-py3-none-any.whl", dist, version)
	info := fmt.Sprintf("%s-%s.dist-info", dist, version)
	files := map[string]string{
		dist + "/__init__.py": fmt.Sprintf("VERSION = %q\n", version),
		info + "/METADATA":    fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\n", name, version),
		info + "/WHEEL":       "Wheel-Version: 1.0\nGenerator: pylock-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
	}
	var record strings.Builder
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range paths {
		sum := sha256.Sum256([]byte(files[p]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", p, base64.RawURLEncoding.EncodeToString(sum[:]), len(files[p]))
		w, _ := zw.Create(p)
		w.Write([]byte(files[p]))
	}
	record.WriteString(info + "/RECORD,,\n")
	w, _ := zw.Create(info + "/RECORD")
	w.Write([]byte(record.String()))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fn)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return Artifact{Name: fn, URL: "file://" + filepath.ToSlash(path), Size: int64(buf.Len()), Hashes: map[string]string{"sha256": hex.EncodeToString(sum[:])}}
}

func havePip(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"python3", "python"} {
		if exec.Command(py, "-m", "pip", "--version").Run() == nil {
			return py
		}
	}
	testenv.Require(t, false, "no python with pip")
	return ""
}

// TestPipInstallsRenderedOutputs feeds the pinned requirements and the shell
// plan to real pip (offline: --no-index --find-links), with
// --require-hashes, and checks what got installed.
func TestPipInstallsRenderedOutputs(t *testing.T) {
	py := havePip(t)
	dir := t.TempDir()
	wheels := filepath.Join(dir, "wheels")
	os.MkdirAll(wheels, 0o755)
	l := &Lock{LockVersion: "1.0", CreatedBy: "test", Tool: Tool{Requirements: []string{"alpha"}, Inputs: []string{"requirements.txt"}, InstallFirst: []string{"beta"}}}
	for _, nv := range [][2]string{{"alpha", "1.0"}, {"beta", "2.0.1"}, {"gamma-delta", "0.3"}} {
		l.Packages = append(l.Packages, Package{Name: nv[0], Version: nv[1], Wheels: []Artifact{buildWheel(t, wheels, nv[0], nv[1])}})
	}
	l.Packages[0].Dependencies = deps("beta", "gamma-delta", "never")
	// A package whose marker is false everywhere: pip must skip it, even
	// though no file for it exists.
	l.Packages = append(l.Packages, Package{Name: "never", Version: "9.9", Marker: `python_version < "3"`,
		Wheels: []Artifact{{Name: "never-9.9-py2-none-any.whl", URL: "file:///nonexistent/never-9.9-py2-none-any.whl", Hashes: map[string]string{"sha256": fakeHash("never")}}}})
	env := append(os.Environ(), "PIP_NO_INDEX=1", "PIP_FIND_LINKS="+wheels, "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1", "PYTHONDONTWRITEBYTECODE=1")

	installed := func(target string) string {
		es, _ := os.ReadDir(target)
		var out []string
		for _, e := range es {
			if strings.HasSuffix(e.Name(), ".dist-info") {
				out = append(out, strings.TrimSuffix(e.Name(), ".dist-info"))
			}
		}
		sort.Strings(out)
		return strings.Join(out, " ")
	}
	const want = "alpha-1.0 beta-2.0.1 gamma_delta-0.3"

	t.Run("requirements", func(t *testing.T) {
		req := filepath.Join(dir, "requirements.lock.txt")
		os.WriteFile(req, RenderRequirements(l, "pylock resolve requirements.txt -o requirements.lock.txt"), 0o644)
		target := filepath.Join(dir, "t1")
		cmd := exec.Command(py, "-m", "pip", "install", "--no-deps", "--require-hashes", "--target", target, "-r", req)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pip: %v\n%s", err, out)
		}
		if got := installed(target); got != want {
			t.Errorf("installed %q, want %q", got, want)
		}
	})

	t.Run("shell plan", func(t *testing.T) {
		p, err := Plan(l, nil)
		if err != nil {
			t.Fatal(err)
		}
		if planString(p) != "beta | gamma-delta never alpha" {
			t.Fatalf("plan %q", planString(p))
		}
		script := filepath.Join(dir, "plan.sh")
		os.WriteFile(script, p.Shell(RenderOptions{Python: py}), 0o755)
		target := filepath.Join(dir, "t2")
		cmd := exec.Command("sh", script)
		cmd.Env = append(env, "PIP_TARGET="+target)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("plan: %v\n%s", err, out)
		}
		if got := installed(target); got != want {
			t.Errorf("installed %q, want %q", got, want)
		}
	})

	t.Run("wrong hash is refused", func(t *testing.T) {
		bad := l.clone()
		bad.Packages[1].Wheels[0].Hashes = map[string]string{"sha256": fakeHash("tampered")}
		req := filepath.Join(dir, "bad.txt")
		os.WriteFile(req, RenderRequirements(bad, ""), 0o644)
		cmd := exec.Command(py, "-m", "pip", "install", "--no-deps", "--require-hashes", "--target", filepath.Join(dir, "t3"), "-r", req)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "HASH") {
			t.Errorf("pip accepted a wrong hash: %v\n%s", err, out)
		}
	})
}
