package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/names"
)

// e2eCase is one end-to-end run: an index built by pyindex.py from source,
// the requirements to lock, and install hints for the plan.
type e2eCase struct {
	name         string
	source       string // pyindex.py SOURCE (packse:/resolvelib: path)
	reqs         []string
	installFirst []string
	// requirements: install the pinned requirements output with
	// `pip install --no-deps --require-hashes -r` instead of the plan.
	requirements bool
}

// TestE2EPip locks with pylock against a real pyindex.py server, installs the
// plan with real pip (--require-hashes) into a fresh venv and checks the
// installed distributions equal the lock. It skips only when python3 cannot
// create a venv.
func TestE2EPip(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	bench := testenv.BenchDir(t)
	corpusDir := testenv.CorpusDir(t)
	root := testenv.ModuleRoot()
	work := t.TempDir()
	if out, err := exec.Command("python3", "-m", "venv", "--without-pip", filepath.Join(work, "probe-venv")).CombinedOutput(); err != nil {
		testenv.Require(t, false, "python3 -m venv is unavailable: %v\n%s", err, out)
	}
	pipWheel := bundledPip()
	cases := []e2eCase{
		{name: "seed-stack", source: "packse:" + filepath.Join(root, "testdata", "index.toml"),
			reqs: []string{"fastapi==0.104.1", "uvicorn==0.24.0", "gunicorn==21.2.0", "opencv-python==4.8.1.78", "pillow==10.1.0", "numpy"}, installFirst: []string{"numpy"}},
		{name: "seed-numpy-lt2", source: "packse:" + filepath.Join(root, "testdata", "index.toml"),
			reqs: []string{"opencv-python==4.8.1.78", "numpy<2"}, requirements: true},
		{name: "packse-extras-required", source: "packse:" + filepath.Join(corpusDir, "packse", "extras", "extra-required.toml"),
			reqs: []string{"a[extra]"}},
		{name: "resolvelib-same-package", source: "resolvelib:" + filepath.Join(corpusDir, "resolvelib", "index", "same-package.json"),
			reqs: []string{"package_a >=1.1", "package_a >=1.0,<1.3", "package_a >=1.2"}},
	}
	var passed, failed int
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := runE2E(t, bench, pipWheel, c); err != nil {
				failed++
				t.Error(err)
				return
			}
			passed++
		})
	}
	fmt.Printf("e2e pip: %d passed, %d failed\n", passed, failed)
}

func runE2E(t *testing.T, bench, pipWheel string, c e2eCase) error {
	dir := t.TempDir()
	start := time.Now()
	defer func() { t.Logf("%s: %v", c.name, time.Since(start).Round(time.Millisecond)) }()
	step := func(what string) { t.Logf("%7v %s", time.Since(start).Round(time.Millisecond), what) }
	idx := filepath.Join(dir, "index")
	if out, err := exec.Command("python3", filepath.Join(bench, "pyindex.py"), "build", c.source,
		"--packse-default-requires-python", "", "--out", idx).CombinedOutput(); err != nil {
		return fmt.Errorf("pyindex build: %v\n%s", err, out)
	}
	step("index built")
	url, stop, err := serveIndex(t, bench, idx)
	if err != nil {
		return err
	}
	defer stop()

	// Lock for the machine's python3 (the default target), as a user would.
	lockPath := filepath.Join(dir, "pylock.toml")
	if c.requirements {
		lockPath = filepath.Join(dir, "requirements.lock.txt")
	}
	resolve := func(out string) error {
		args := []string{"resolve", "-", "--index-url", url, "--no-cache", "-q", "-o", out}
		for _, p := range c.installFirst {
			args = append(args, "--install-first", p)
		}
		var stderr bytes.Buffer
		if code := run(args, strings.NewReader(strings.Join(c.reqs, "\n")+"\n"), io.Discard, &stderr); code != 0 {
			return fmt.Errorf("pylock resolve: exit %d\n%s", code, stderr.String())
		}
		return nil
	}
	if err := resolve(lockPath); err != nil {
		return err
	}
	step("resolved")
	script, err := installScript(lockPath, url, c.requirements)
	if err != nil {
		return err
	}
	t.Logf("install:\n%s", script)

	venv := filepath.Join(dir, "venv")
	venvArgs := []string{"-m", "venv", venv}
	if pipWheel != "" {
		venvArgs = []string{"-m", "venv", "--without-pip", venv}
	}
	if out, err := exec.Command("python3", venvArgs...).CombinedOutput(); err != nil {
		return fmt.Errorf("venv: %v\n%s", err, out)
	}
	step("venv created")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sh := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	sh.Dir = dir
	sh.Env = pipEnv(venv, url, pipWheel)
	if out, err := sh.CombinedOutput(); err != nil {
		return fmt.Errorf("running the plan: %v\n%s", err, out)
	}
	step("plan installed")
	if !strings.Contains(script, "--require-hashes") {
		return fmt.Errorf("the plan does not use --require-hashes:\n%s", script)
	}
	if c.requirements { // compare with the same resolution as a PEP 751 lock
		lockPath = filepath.Join(dir, "pylock.toml")
		if err := resolve(lockPath); err != nil {
			return err
		}
	}
	return compareInstalled(venv, lockPath, pipWheel)
}

// installScript is the plan's shell script, or for pinned requirements the
// pip command their header documents.
func installScript(out, url string, requirements bool) (string, error) {
	if requirements {
		return fmt.Sprintf("python -m pip install --no-deps --require-hashes --index-url %s -r %s\n", url, out), nil
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"plan", out, "--format", "shell"}, nil, &stdout, &stderr); code != 0 {
		return "", fmt.Errorf("pylock plan: exit %d\n%s", code, stderr.String())
	}
	return stdout.String(), nil
}

// bundledPip returns the pip wheel ensurepip ships, or "". Running pip from
// it (PYTHONPATH=wheel python -m pip) into a venv created --without-pip
// installs exactly what a venv's own pip would, without the half minute
// ensurepip takes to install pip into every venv.
func bundledPip() string {
	out, err := exec.Command("python3", "-c",
		"import ensurepip, glob, os; print(next(iter(sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'pip-*.whl')))), ''))").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// pipEnv is a scrubbed environment (no PIP_* or proxies from the machine)
// with the venv first on PATH and pip pointed at the local index only.
func pipEnv(venv, url, pipWheel string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PIP_") || strings.HasSuffix(strings.ToLower(k), "_proxy") || k == "PATH" || k == "VIRTUAL_ENV" || k == "PYTHONPATH" {
			continue
		}
		env = append(env, kv)
	}
	if pipWheel != "" {
		env = append(env, "PYTHONPATH="+pipWheel)
	}
	return append(env,
		"PATH="+filepath.Join(venv, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
		"VIRTUAL_ENV="+venv,
		"PIP_CONFIG_FILE=/dev/null",
		"PIP_INDEX_URL="+url,
		"PIP_DISABLE_PIP_VERSION_CHECK=1",
		"PIP_NO_INPUT=1",
		"PIP_NO_CACHE_DIR=1",
		"NO_PROXY=*",
	)
}

var portLine = regexp.MustCompile(`port=(\d+)`)

// serveIndex starts `pyindex.py serve DIR --port 0` and returns its simple URL.
func serveIndex(t *testing.T, bench, dir string) (string, func(), error) {
	cmd := exec.Command("python3", filepath.Join(bench, "pyindex.py"), "serve", dir, "--port", "0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
		}
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	go io.Copy(io.Discard, out)
	m := portLine.FindStringSubmatch(line)
	if err != nil || m == nil {
		stop()
		return "", nil, fmt.Errorf("pyindex serve: no port in %q (%v)", line, err)
	}
	return "http://127.0.0.1:" + m[1] + "/simple/", stop, nil
}

// compareInstalled checks that pip list in the venv equals the lock
// (pip's own bootstrap packages aside).
func compareInstalled(venv, lockPath, pipWheel string) error {
	cmd := exec.Command(filepath.Join(venv, "bin", "python"), "-m", "pip", "list", "--format", "json",
		"--disable-pip-version-check")
	cmd.Env = pipEnv(venv, "", pipWheel)
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("pip list: %v", err)
	}
	var listed []struct{ Name, Version string }
	if err := json.Unmarshal(out, &listed); err != nil {
		return fmt.Errorf("pip list: %v", err)
	}
	got := map[string]string{}
	for _, d := range listed {
		switch n := names.Canonicalize(d.Name); n {
		case "pip", "setuptools", "wheel":
		default:
			got[n] = normVersion(d.Version)
		}
	}
	l, err := lockfile.ReadFile(lockPath)
	if err != nil {
		return err
	}
	want := map[string]string{}
	for _, p := range l.Packages {
		want[names.Canonicalize(p.Name)] = normVersion(p.Version)
	}
	if !equalPins(got, want) {
		return fmt.Errorf("installed %s\nlocked    %s", pins(got), pins(want))
	}
	return nil
}
