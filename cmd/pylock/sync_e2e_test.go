package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/testenv"
)

// syncE2E is the shared setup of the sync and export end-to-end tests: a
// lock of the bundled fixture index (a local directory, so nothing leaves
// the machine) and pip from ensurepip's bundled wheel. A missing python3,
// venv or pip skips, or fails under PYLOCK_REQUIRE_SHARED=1 (CI).
type syncE2E struct {
	t        *testing.T
	work     string
	lock     string
	files    string // the fixture index's files directory
	pipWheel string
}

func newSyncE2E(t *testing.T, reqs string) *syncE2E {
	if testing.Short() {
		t.Skip("-short")
	}
	e := &syncE2E{t: t, work: t.TempDir(), files: filepath.Join(testenv.ModuleRoot(), "testdata", "index", "files")}
	out, err := exec.Command("python3", "-m", "venv", "--without-pip", filepath.Join(e.work, "probe")).CombinedOutput()
	testenv.Require(t, err == nil, "python3 -m venv is unavailable: %v\n%s", err, out)
	e.pipWheel = bundledPip()
	testenv.Require(t, e.pipWheel != "", "ensurepip has no bundled pip wheel")
	// pip runs from the bundled wheel in venvs made --without-pip (as the
	// other e2e tests do), with no configuration or cache from the machine.
	for _, kv := range pipEnv(filepath.Join(e.work, "none"), "", e.pipWheel) {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PIP_") || k == "PYTHONPATH" || k == "NO_PROXY" {
			t.Setenv(k, v)
		}
	}
	t.Setenv("PIP_INDEX_URL", "")
	t.Setenv("PIP_RETRIES", "0")
	t.Setenv("PIP_TIMEOUT", "5")
	reqFile := filepath.Join(e.work, "requirements.txt")
	if err := os.WriteFile(reqFile, []byte(reqs), 0o644); err != nil {
		t.Fatal(err)
	}
	e.lock = filepath.Join(e.work, "pylock.toml")
	index := filepath.Join(testenv.ModuleRoot(), "testdata", "index")
	e.pylock(0, "resolve", reqFile, "--index-url", index, "--no-cache", "-q", "-o", e.lock)
	return e
}

// pylock runs pylock in-process, checks the exit code and returns stdout
// and stderr.
func (e *syncE2E) pylock(want int, args ...string) (string, string) {
	e.t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(args, nil, &stdout, &stderr); code != want {
		e.t.Fatalf("pylock %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, stdout.String(), stderr.String())
	}
	return stdout.String(), stderr.String()
}

// venv creates a venv without pip (pip comes from the bundled wheel).
func (e *syncE2E) venv(name string) (dir, python string) {
	e.t.Helper()
	dir = filepath.Join(e.work, name)
	if out, err := exec.Command("python3", "-m", "venv", "--without-pip", dir).CombinedOutput(); err != nil {
		e.t.Fatalf("venv: %v\n%s", err, out)
	}
	return dir, filepath.Join(dir, "bin", "python")
}

func (e *syncE2E) pip(python string, args ...string) string {
	e.t.Helper()
	out, err := exec.Command(python, append([]string{"-m", "pip"}, args...)...).CombinedOutput()
	if err != nil {
		e.t.Fatalf("pip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestSyncE2E takes a venv holding extra, wrong-version, edited and missing
// packages to exactly the lock with pylock sync, with real pip, and proves
// it with the environment check of pylock audit --python and pip list.
func TestSyncE2E(t *testing.T) {
	e := newSyncE2E(t, "anyio==3.7.1\nidna==3.6\nnumpy<2\nopencv-python==4.8.1.78\n")
	venv, python := e.venv("venv")
	e.pip(python, "install", "--no-index", "--find-links", e.files, "--no-deps",
		"idna==3.4", "colorama==0.4.6", "click==8.1.7", "sniffio==1.3.0")
	appendFile(t, filepath.Join(sitePackages(t, python), "sniffio", "__init__.py"), "# patched by hand\n")
	drift := []string{"extra:click", "extra:colorama", "missing:anyio", "missing:numpy", "missing:opencv-python", "tampered:sniffio", "version-mismatch:idna"}
	if got, _, err := auditKinds(e.lock, python); err != nil || strings.Join(got, " ") != strings.Join(drift, " ") {
		t.Fatalf("before: audit found %q (%v), want %q", got, err, drift)
	}

	// --dry-run says what it would do and changes nothing.
	out, _ := e.pylock(0, "sync", e.lock, "--python", python, "--dry-run")
	for _, want := range []string{
		"dry run: nothing is changed\n",
		"would remove click==8.1.7\nwould remove colorama==0.4.6\n",
		"  would change idna 3.4 -> 3.6\n",
		"  would reinstall sniffio==1.3.0 (files changed since installation)\n",
		"  would install numpy==1.26.4\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if got, _, _ := auditKinds(e.lock, python); strings.Join(got, " ") != strings.Join(drift, " ") {
		t.Fatalf("the dry run changed the environment: audit finds %q", got)
	}

	out, _ = e.pylock(0, "sync", e.lock, "--python", python)
	if !regexp.MustCompile(`(?m)^verified: the environment of \S+ matches \S+pylock.toml \(5 locked, 5 installed or replaced, 2 removed\)$`).MatchString(out) {
		t.Errorf("sync output:\n%s", out)
	}
	if got, code, err := auditKinds(e.lock, python); err != nil || len(got) != 0 || code != 0 {
		t.Errorf("after sync: audit found %q (exit %d, %v)", got, code, err)
	}
	if err := compareInstalled(venv, e.lock, e.pipWheel); err != nil {
		t.Error(err)
	}
	out, _ = e.pylock(0, "sync", e.lock, "--venv", venv)
	if !strings.Contains(out, "already matches the lock") {
		t.Errorf("second sync:\n%s", out)
	}

	// A failed step: the index is unreachable. Exit 3, pip's message, the
	// environment as pip left it and the command to resume.
	e.pip(python, "uninstall", "--yes", "idna")
	dead := "http://127.0.0.1:" + closedPort(t) + "/simple/"
	_, errOut := e.pylock(3, "sync", e.lock, "--python", python, "--index-url", dead)
	for _, want := range []string{"error: install step 1/1 failed: ", "-m pip install --no-deps --require-hashes --force-reinstall --index-url " + dead,
		"the environment is as pip left it; fix the cause and resume with: pylock sync " + e.lock + " --python " + python + " --index-url " + dead} {
		if !strings.Contains(errOut, want) {
			t.Errorf("failure message lacks %q:\n%s", want, errOut)
		}
	}
	// With credentials in the index URL: never printed; the resume command
	// shows a USER:PASSWORD placeholder where they were and says so (pasted
	// as is it would not log in).
	credDead := strings.Replace(dead, "http://", "http://user:s3cret@", 1)
	_, errOut = e.pylock(3, "sync", e.lock, "--python", python, "--index-url", credDead)
	placeholder := strings.Replace(dead, "http://", "http://USER:PASSWORD@", 1)
	if strings.Contains(errOut, "s3cret") || !strings.Contains(errOut, "--index-url "+placeholder+" (index credentials removed: put them back in place of USER:PASSWORD") {
		t.Errorf("credentialed index: the failure message leaks the password or does not say it was left out:\n%s", errOut)
	}
	if got, _, _ := auditKinds(e.lock, python); strings.Join(got, " ") != "missing:idna" {
		t.Errorf("after the failed step: audit finds %q", got)
	}
	e.pylock(0, "sync", e.lock, "--python", python) // resume
	if got, _, _ := auditKinds(e.lock, python); len(got) != 0 {
		t.Errorf("after resuming: audit finds %q", got)
	}
}

// TestSyncE2ECreatesVenv: --venv DIR that does not exist is created with
// python3 -m venv (pip included), which sync keeps as installer tooling.
func TestSyncE2ECreatesVenv(t *testing.T) {
	e := newSyncE2E(t, "idna==3.6\nsniffio\n")
	dir := filepath.Join(e.work, "new-venv")
	out, _ := e.pylock(0, "sync", e.lock, "--venv", dir, "--dry-run")
	if _, err := os.Stat(dir); err == nil || !strings.Contains(out, "would create the venv "+dir+"\n") || !strings.Contains(out, "  would install idna==3.6\n") {
		t.Fatalf("dry run with a missing venv (exists: %v):\n%s", err == nil, out)
	}
	t.Setenv("PYTHONPATH", "") // the new venv has its own pip
	out, _ = e.pylock(0, "sync", e.lock, "--venv", dir)
	for _, want := range []string{"creating the venv " + dir + " (python3 -m venv)\n", "keep pip==", "verified: "} {
		if !strings.Contains(out, want) {
			t.Errorf("sync output lacks %q:\n%s", want, out)
		}
	}
	if got, code, err := auditKinds(e.lock, filepath.Join(dir, "bin", "python")); err != nil || len(got) != 0 || code != 0 {
		t.Errorf("audit of the created venv: %q (exit %d, %v)", got, code, err)
	}
	// A directory that is not a venv is refused (2).
	notVenv := filepath.Join(e.work, "not-a-venv")
	os.MkdirAll(notVenv, 0o755)
	os.WriteFile(filepath.Join(notVenv, "file"), nil, 0o644)
	_, errOut := e.pylock(2, "sync", e.lock, "--venv", notVenv)
	if !strings.Contains(errOut, "exists but is not a virtual environment") {
		t.Errorf("not a venv: %s", errOut)
	}
}

// TestExportE2E: export writes the lock as pinned requirements that real
// pip installs with --require-hashes into a fresh venv, offline from the
// bundled index, giving exactly the lock; the shell plan's
// --verify-imports check then imports the compiled packages' modules.
func TestExportE2E(t *testing.T) {
	e := newSyncE2E(t, "anyio==3.7.1\nnumpy<2\nopencv-python==4.8.1.78\npillow==10.1.0\n")
	reqs := filepath.Join(e.work, "exported.txt")
	e.pylock(0, "export", e.lock, "--format", "requirements", "-o", reqs)
	venv, python := e.venv("venv")
	e.pip(python, "install", "--no-index", "--find-links", e.files, "--no-deps", "--require-hashes", "-r", reqs)
	if err := compareInstalled(venv, e.lock, e.pipWheel); err != nil {
		t.Error(err)
	}
	plan, _ := e.pylock(0, "plan", e.lock, "--verify-imports")
	m := regexp.MustCompile(`(?m)^python -c '(import [^']+)'$`).FindStringSubmatch(plan)
	if m == nil {
		t.Fatalf("no import check in the plan:\n%s", plan)
	}
	if m[1] != "import numpy, opencv_python, pillow" {
		t.Errorf("import check = %q", m[1])
	}
	if out, err := exec.Command(python, "-c", m[1]).CombinedOutput(); err != nil {
		t.Errorf("%s: %v\n%s", m[1], err, out)
	}
}
