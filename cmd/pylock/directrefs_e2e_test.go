package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/buildtest"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/lockfile"
)

// staticIndex writes a PEP 503 tree under dir: simple/<project>/index.html
// linking files/<filename> with its sha256.
type staticIndex struct {
	t   *testing.T
	dir string
}

func (x staticIndex) add(project, filename string, data []byte) {
	x.t.Helper()
	files := filepath.Join(x.dir, "files")
	if err := os.MkdirAll(files, 0o755); err != nil {
		x.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(files, filename), data, 0o644); err != nil {
		x.t.Fatal(err)
	}
	page := filepath.Join(x.dir, "simple", project, "index.html")
	os.MkdirAll(filepath.Dir(page), 0o755)
	old, _ := os.ReadFile(page)
	body := strings.TrimSuffix(string(old), "</body></html>\n")
	if body == "" {
		body = "<!DOCTYPE html><html><body>\n"
	}
	sum := sha256.Sum256(data)
	body += fmt.Sprintf("<a href=\"../../files/%s#sha256=%s\">%s</a>\n</body></html>\n", filename, hex.EncodeToString(sum[:]), filename)
	if err := os.WriteFile(page, []byte(body), 0o644); err != nil {
		x.t.Fatal(err)
	}
}

// backendProject writes a project built by the test backend (no build
// requirements: pip and pylock build it offline) with static metadata.
func backendProject(t *testing.T, dir, name, version string, deps ...string) {
	t.Helper()
	backend, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(), "lockfile", "testdata", "inbackend", "_build", "backend.py"))
	if err != nil {
		t.Fatal(err)
	}
	var quoted []string
	for _, d := range deps {
		quoted = append(quoted, fmt.Sprintf("%q", d))
	}
	files := map[string]string{
		"_build/backend.py": string(backend),
		"pyproject.toml": "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\"_build\"]\n\n" +
			fmt.Sprintf("[project]\nname = %q\nversion = %q\ndependencies = [%s]\n", name, version, strings.Join(quoted, ", ")),
		"src/" + strings.ReplaceAll(name, "-", "_") + "/__init__.py": fmt.Sprintf("VALUE = %q\n", name+" "+version),
	}
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestE2EDirectReferences is issue 11's "done means": a requirements file
// mixing index packages, -e ./localpkg, a git+file:// repository at a tag
// and a wheel URL resolves (exit 0) to a valid lock whose plan real pip
// installs into a fresh venv (offline), with the installed set equal to the
// lock.
func TestE2EDirectReferences(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	work := t.TempDir()
	out, err := exec.Command("python3", "-m", "venv", "--without-pip", filepath.Join(work, "probe-venv")).CombinedOutput()
	testenv.Require(t, err == nil, "python3 -m venv is unavailable: %v\n%s", err, out)
	// The index: idxdep (needed by the local project and by gitpkg).
	idx := staticIndex{t, filepath.Join(work, "index")}
	fn, data := buildtest.Wheel("idxdep", "1.5")
	idx.add("idxdep", fn, data)
	fn, data = buildtest.Wheel("idxdep", "1.0")
	idx.add("idxdep", fn, data)
	// An sdist whose PKG-INFO is Metadata-Version 1.1 and whose
	// dependencies are only in setup.py: pylock builds its metadata with
	// real setuptools, pip builds it at install time; both get setuptools
	// and wheel from the index.
	py := buildtest.Python(t)
	for _, p := range []string{"setuptools", "wheel"} {
		w := buildtest.BundledWheel(t, py, p)
		data, err := os.ReadFile(w)
		if err != nil {
			t.Fatal(err)
		}
		idx.add(p, filepath.Base(w), data)
	}
	idx.add("oldsdist", "oldsdist-0.6.2.tar.gz", buildtest.SetuptoolsSdist("oldsdist", "0.6.2", []string{"idxdep"}, ""))
	// A wheel at a URL (not on the index).
	urlFile, urlWheel := buildtest.Wheel("urlpkg", "2.0", "idxdep")
	os.MkdirAll(filepath.Join(work, "index", "direct"), 0o755)
	os.WriteFile(filepath.Join(work, "index", "direct", urlFile), urlWheel, 0o644)
	srv := httptest.NewServer(http.FileServer(http.Dir(idx.dir)))
	defer srv.Close()
	indexURL := srv.URL + "/simple/"
	urlSum := sha256.Sum256(urlWheel)

	// A git repository with the project at tag v1.0 (and a later commit).
	repo := filepath.Join(work, "repo")
	backendProject(t, repo, "gitpkg", "1.0", "idxdep<1.5")
	testenv.Git(t, repo, "init", "--quiet")
	testenv.Git(t, repo, "add", "-A")
	testenv.Git(t, repo, "commit", "--quiet", "-m", "1.0")
	testenv.Git(t, repo, "tag", "v1.0")
	tagged := testenv.Git(t, repo, "rev-parse", "HEAD")
	backendProject(t, repo, "gitpkg", "2.0")
	testenv.Git(t, repo, "commit", "--quiet", "-am", "2.0")

	app := filepath.Join(work, "app")
	backendProject(t, filepath.Join(app, "localpkg"), "localpkg", "0.1", "gitpkg", "urlpkg")
	// A local sdist archive with the same kind of legacy metadata.
	os.MkdirAll(filepath.Join(app, "vendor"), 0o755)
	vendored := buildtest.SetuptoolsSdist("vendored", "1.0", []string{"idxdep>=1"}, "")
	os.WriteFile(filepath.Join(app, "vendor", "vendored-1.0.tar.gz"), vendored, 0o644)
	reqs := strings.Join([]string{
		"idxdep",
		"oldsdist",
		"./vendor/vendored-1.0.tar.gz",
		"-e ./localpkg",
		"gitpkg @ git+file://" + filepath.ToSlash(repo) + "@v1.0",
		"urlpkg @ " + srv.URL + "/direct/" + urlFile + "#sha256=" + hex.EncodeToString(urlSum[:]),
	}, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(app, "requirements.txt"), []byte(reqs), 0o644); err != nil {
		t.Fatal(err)
	}
	lockPath := filepath.Join(app, "pylock.toml")
	var stderr bytes.Buffer
	args := []string{"resolve", filepath.Join(app, "requirements.txt"), "--index-url", indexURL, "--cache-dir", filepath.Join(work, "cache"), "-o", lockPath}
	if code := run(args, nil, io.Discard, &stderr); code != 0 {
		t.Fatalf("pylock resolve: exit %d\n%s", code, stderr.String())
	}
	l, err := lockfile.ReadFileValid(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*lockfile.Package{}
	for i := range l.Packages {
		got[l.Packages[i].Name] = &l.Packages[i]
	}
	if p := got["idxdep"]; p == nil || p.Version != "1.0" {
		t.Errorf("idxdep: %+v (gitpkg at v1.0 needs idxdep<1.5)", p)
	}
	if p := got["gitpkg"]; p == nil || p.Version != "1.0" {
		t.Errorf("gitpkg %+v", p)
	} else if v, ok := p.VCSSource(); !ok || v.CommitID != tagged || v.RequestedRevision != "v1.0" {
		t.Errorf("gitpkg source %+v, want commit %s", v, tagged)
	}
	if p := got["localpkg"]; p == nil || p.Directory == nil {
		t.Errorf("localpkg %+v", p)
	} else if d, _ := p.DirectorySource(); d.Path != "localpkg" || !d.Editable || p.TreeHash() == "" {
		t.Errorf("localpkg source %+v", d)
	}
	if p := got["urlpkg"]; p == nil || p.Archive == nil || p.Archive.Hashes["sha256"] != hex.EncodeToString(urlSum[:]) {
		t.Errorf("urlpkg %+v", p)
	}
	if p := got["oldsdist"]; p == nil || p.Version != "0.6.2" || p.Sdist == nil || len(p.Dependencies) != 1 || p.Dependencies[0].Name != "idxdep" {
		t.Errorf("oldsdist (dependencies from setup.py): %+v", p)
	}
	if p := got["vendored"]; p == nil || p.Archive == nil || p.Archive.Path != "vendor/vendored-1.0.tar.gz" || len(p.Dependencies) != 1 {
		t.Errorf("vendored sdist: %+v", p)
	}
	if len(l.Packages) != 6 {
		t.Errorf("%d packages, want 6", len(l.Packages))
	}

	// Install the plan with real pip into a fresh venv.
	var plan bytes.Buffer
	if code := run([]string{"plan", lockPath, "--format", "shell"}, nil, &plan, &stderr); code != 0 {
		t.Fatalf("pylock plan: exit %d\n%s", code, stderr.String())
	}
	venv := filepath.Join(work, "venv")
	pipWheel := bundledPip()
	venvArgs := []string{"-m", "venv", venv}
	if pipWheel != "" {
		venvArgs = []string{"-m", "venv", "--without-pip", venv}
	}
	if out, err := exec.Command("python3", venvArgs...).CombinedOutput(); err != nil {
		t.Fatalf("venv: %v\n%s", err, out)
	}
	sh := exec.Command("bash", "-euo", "pipefail", "-c", plan.String())
	sh.Dir = app
	sh.Env = pipEnv(venv, indexURL, pipWheel)
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("running the plan: %v\n%s\n%s", err, plan.String(), out)
	}
	cmd := exec.Command(filepath.Join(venv, "bin", "python"), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check")
	cmd.Env = pipEnv(venv, "", pipWheel)
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("pip list: %v", err)
	}
	var list []struct{ Name, Version string }
	json.Unmarshal(out, &list)
	var installed, want []string
	for _, x := range list {
		if x.Name != "pip" && x.Name != "setuptools" && x.Name != "wheel" {
			installed = append(installed, strings.ToLower(x.Name)+"=="+x.Version)
		}
	}
	for _, p := range l.Packages {
		v := p.Version
		if v == "" { // a directory: its version is what the tree says
			v = "0.1"
		}
		want = append(want, p.Name+"=="+v)
	}
	sort.Strings(installed)
	sort.Strings(want)
	if strings.Join(installed, " ") != strings.Join(want, " ") {
		t.Errorf("installed %v, lock %v", installed, want)
	}

	// pylock sync agrees that the venv matches the lock: nothing to do, the
	// editable directory (installed editable from the same path at the
	// version in [packages.tool.pylock]), the git commit, the local sdist
	// and the wheel URL included.
	for _, kv := range pipEnv(venv, indexURL, pipWheel) {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PIP_") || k == "PYTHONPATH" {
			t.Setenv(k, v)
		}
	}
	stderr.Reset()
	var stdout bytes.Buffer
	if code := run([]string{"sync", lockPath, "--python", filepath.Join(venv, "bin", "python")}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("pylock sync: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if out := stdout.String() + stderr.String(); !strings.Contains(out, "nothing to do") {
		t.Errorf("pylock sync after installing the plan:\n%s", out)
	}
	t.Logf("sync:\n%s%s", stdout.String(), stderr.String())
}

// TestDirectReferenceErrors checks the exit code and message of every way a
// direct reference can fail.
func TestDirectReferenceErrors(t *testing.T) {
	work := t.TempDir()
	idx := staticIndex{t, filepath.Join(work, "index")}
	fn, data := buildtest.Wheel("evil", "1.0", "sneaky @ https://example.com/sneaky-1.0-py3-none-any.whl")
	idx.add("evil", fn, data)
	fn, data = buildtest.Wheel("needs-new", "1.0", "localpkg>=1.0")
	idx.add("needs-new", fn, data)
	fn, data = buildtest.Wheel("plain", "1.0")
	idx.add("plain", fn, data)
	os.MkdirAll(filepath.Join(idx.dir, "direct"), 0o755)
	os.WriteFile(filepath.Join(idx.dir, "direct", fn), data, 0o644)
	srv := httptest.NewServer(http.FileServer(http.Dir(idx.dir)))
	defer srv.Close()

	repo := filepath.Join(work, "repo")
	backendProject(t, repo, "gitpkg", "1.0")
	testenv.Git(t, repo, "init", "--quiet")
	testenv.Git(t, repo, "add", "-A")
	testenv.Git(t, repo, "commit", "--quiet", "-m", "1.0")
	backendProject(t, filepath.Join(work, "localpkg"), "localpkg", "0.1")
	os.MkdirAll(filepath.Join(work, "notaproject"), 0o755)
	sum := sha256.Sum256(data)

	for _, c := range []struct {
		name, reqs string
		code       int
		want       string
	}{
		{"missing ref", "gitpkg @ git+file://" + filepath.ToSlash(repo) + "@v9\n", 2, `has no branch, tag or commit "v9"`},
		{"editable git is locked non-editable", "-e git+file://" + filepath.ToSlash(repo) + "#egg=gitpkg\n", 0, "requirements.txt:1: -e git+file://" + filepath.ToSlash(repo) + ": PEP 751 has no editable VCS packages: gitpkg is locked as a non-editable git package at commit "},
		{"not a project", "./notaproject\n", 2, "is not a Python project (no pyproject.toml, setup.py or setup.cfg)"},
		{"hash mismatch", "plain @ " + srv.URL + "/direct/" + fn + "#sha256=" + strings.Repeat("0", 64) + "\n", 2, "sha256 hash mismatch: the requirement says 0000"},
		{"hash ok", "plain @ " + srv.URL + "/direct/" + fn + " --hash=sha256:" + hex.EncodeToString(sum[:]) + "\n", 0, ""},
		{"download fails", "plain @ " + srv.URL + "/direct/missing-1.0-py3-none-any.whl\n", 3, "404"},
		{"name mismatch", "other @ " + srv.URL + "/direct/" + fn + "\n", 2, `is project "plain", but the requirement names "other"`},
		{"two references", "./localpkg\n-e ./localpkg\n", 2, "already pins it to"},
		{"same reference twice", "./localpkg\n./localpkg\n", 0, ""},
		{"transitive direct reference", "evil\n", 2, `evil 1.0 depends on "sneaky @ https://example.com/sneaky-1.0-py3-none-any.whl", a direct reference`},
		{"conflict with an index requirement", "./localpkg\nneeds-new\n", 1, "localpkg is pinned to 0.1 by its direct reference"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := filepath.Join(work, "requirements.txt")
			os.WriteFile(req, []byte(c.reqs), 0o644)
			var stderr bytes.Buffer
			code := run([]string{"resolve", req, "--index-url", srv.URL + "/simple/", "--cache-dir", filepath.Join(work, "cache"), "-o", filepath.Join(work, "pylock.toml")}, nil, io.Discard, &stderr)
			if code != c.code || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("exit %d, want %d; stderr:\n%s\nwant it to contain %q", code, c.code, stderr.String(), c.want)
			}
		})
	}
}
