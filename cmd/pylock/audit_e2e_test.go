package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/testenv"
)

// TestAuditE2EPip installs a lock of the bundled fixture index into a real
// venv with real pip, then changes the environment by hand, one drift at a
// time, and checks `pylock audit --python` reports exactly that drift (and
// nothing once it is undone). It skips only when python3 cannot create a
// venv.
func TestAuditE2EPip(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	work := t.TempDir()
	venv := filepath.Join(work, "venv")
	if out, err := exec.Command("python3", "-m", "venv", "--without-pip", venv).CombinedOutput(); err != nil {
		testenv.Require(t, false, "python3 -m venv is unavailable: %v\n%s", err, out)
	}
	pipWheel := bundledPip()
	if pipWheel == "" {
		os.RemoveAll(venv)
		if out, err := exec.Command("python3", "-m", "venv", venv).CombinedOutput(); err != nil {
			testenv.Require(t, false, "python3 -m venv is unavailable: %v\n%s", err, out)
		}
	}
	python := filepath.Join(venv, "bin", "python")
	files := filepath.Join(testenv.ModuleRoot(), "testdata", "index", "files")
	pip := func(args ...string) {
		t.Helper()
		cmd := exec.Command(python, append([]string{"-m", "pip"}, args...)...)
		cmd.Env = pipEnv(venv, "http://127.0.0.1:9/simple/", pipWheel)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	// Lock for the venv's interpreter (python3, the default target).
	reqs := filepath.Join(work, "requirements.txt")
	if err := os.WriteFile(reqs, []byte("anyio==3.7.1\nidna==3.6\nh11\nnumpy<2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(work, "pylock.toml")
	index := filepath.Join(testenv.ModuleRoot(), "testdata", "index")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"resolve", reqs, "--index-url", index, "--no-cache", "-q", "-o", lock}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("pylock resolve: exit %d\n%s", code, stderr.String())
	}
	pinned := filepath.Join(work, "pinned.txt")
	if code := run([]string{"resolve", reqs, "--index-url", index, "--no-cache", "-q", "-o", pinned}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("pylock resolve -o pinned.txt: exit %d\n%s", code, stderr.String())
	}
	pip("install", "--no-index", "--find-links", files, "--no-deps", "--require-hashes", "-r", pinned)

	site := sitePackages(t, python)
	steps := []struct {
		name   string
		change func()
		want   []string // kind:package of every finding at warning or above
	}{
		{"as installed", func() {}, nil},
		{"pip install idna==3.4 (locked 3.6)", func() {
			pip("install", "--no-index", "--find-links", files, "--no-deps", "idna==3.4")
		}, []string{"version-mismatch:idna"}},
		{"pip install idna==3.6 again", func() {
			pip("install", "--no-index", "--find-links", files, "--no-deps", "idna==3.6")
		}, nil},
		{"edit an installed file of sniffio", func() {
			appendFile(t, filepath.Join(site, "sniffio", "__init__.py"), "# patched by hand\n")
		}, []string{"tampered:sniffio"}},
		{"pip uninstall sniffio", func() { pip("uninstall", "-y", "sniffio") }, []string{"missing:sniffio"}},
		{"reinstall sniffio, add colorama by hand", func() {
			pip("install", "--no-index", "--find-links", files, "--no-deps", "sniffio==1.3.0", "colorama==0.4.6")
		}, []string{"extra:colorama"}},
	}
	var passed, failed int
	for _, s := range steps {
		s.change()
		got, code, err := auditKinds(lock, python)
		wantCode := 0
		if len(s.want) > 0 {
			wantCode = 1
		}
		switch {
		case err != nil:
			t.Errorf("%s: %v", s.name, err)
		case strings.Join(got, " ") != strings.Join(s.want, " ") || code != wantCode:
			t.Errorf("%s: audit found %q (exit %d), want %q (exit %d)", s.name, got, code, s.want, wantCode)
		default:
			passed++
			continue
		}
		failed++
	}
	fmt.Printf("audit e2e: %d passed, %d failed\n", passed, failed)

	// A universal lock records no target: audit --python evaluates its
	// package markers with the interpreter's, so colorama (locked for
	// Windows only) is not "locked but not installed" here.
	pip("uninstall", "-y", "colorama")
	ureqs := filepath.Join(work, "universal.txt")
	if err := os.WriteFile(ureqs, []byte("anyio==3.7.1\nidna==3.6\nh11\nnumpy<2\ncolorama==0.4.6 ; sys_platform == \"win32\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ulock := filepath.Join(work, "pylock.universal.toml")
	if code := run([]string{"resolve", ureqs, "--universal", "--index-url", index, "--no-cache", "-q", "-o", ulock}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("pylock resolve --universal: exit %d\n%s", code, stderr.String())
	}
	if got, code, err := auditKinds(ulock, python); err != nil || len(got) > 0 || code != 0 {
		t.Errorf("universal lock: audit found %q (exit %d, %v), want nothing", got, code, err)
	}
}

// auditKinds runs pylock audit --python --format json and returns the
// kind:package of each finding at warning or above, sorted.
func auditKinds(lock, python string) ([]string, int, error) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"audit", "--lock", lock, "--python", python, "--offline", "--format", "json"}, nil, &stdout, &stderr)
	if code > 1 {
		return nil, code, fmt.Errorf("pylock audit: exit %d\n%s", code, stderr.String())
	}
	var rep struct {
		Checks   []string
		Findings []struct{ Kind, Severity, Package string }
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		return nil, code, fmt.Errorf("audit JSON: %v\n%s", err, stdout.String())
	}
	if !strings.Contains(strings.Join(rep.Checks, ","), "environment") {
		return nil, code, fmt.Errorf("the environment check did not run: %v", rep.Checks)
	}
	var out []string
	for _, f := range rep.Findings {
		if f.Severity != "info" {
			out = append(out, f.Kind+":"+f.Package)
		}
	}
	sort.Strings(out)
	return out, code, nil
}

// sitePackages asks python for its purelib directory.
func sitePackages(t *testing.T, python string) string {
	t.Helper()
	out, err := exec.Command(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}
