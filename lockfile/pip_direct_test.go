package lockfile

import (
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

// makeProject writes a project built by the test backend
// (testdata/inbackend/_build/backend.py: no build dependencies, so pip
// builds it offline) into dir.
func makeProject(t *testing.T, dir, name, version string, deps ...string) {
	t.Helper()
	backend, err := os.ReadFile(filepath.Join("testdata", "inbackend", "_build", "backend.py"))
	if err != nil {
		t.Fatal(err)
	}
	mod := strings.ReplaceAll(name, "-", "_")
	quoted := make([]string, len(deps))
	for i, d := range deps {
		quoted[i] = fmt.Sprintf("%q", d)
	}
	files := map[string]string{
		"_build/backend.py": string(backend),
		"pyproject.toml": fmt.Sprintf("[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\"_build\"]\n\n"+
			"[project]\nname = %q\nversion = %q\ndependencies = [%s]\n", name, version, strings.Join(quoted, ", ")),
		"src/" + mod + "/__init__.py": fmt.Sprintf("VALUE = %q\n", name+" "+version),
	}
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPipInstallsDirectSources runs the shell plan of a lock holding an
// editable directory, a git repository at a commit and a local wheel with
// real pip in a fresh venv (offline), and checks what got installed.
func TestPipInstallsDirectSources(t *testing.T) {
	py := havePip(t)
	root := t.TempDir()
	lockDir := filepath.Join(root, "app")
	makeProject(t, filepath.Join(lockDir, "localpkg"), "localpkg", "0.1", "gitpkg", "wheelpkg")
	repo := filepath.Join(root, "repo")
	makeProject(t, filepath.Join(repo, "sub"), "gitpkg", "1.0")
	testenv.Git(t, repo, "init", "--quiet")
	testenv.Git(t, repo, "add", "-A")
	testenv.Git(t, repo, "commit", "--quiet", "-m", "v1")
	commit := testenv.Git(t, repo, "rev-parse", "HEAD")
	os.MkdirAll(filepath.Join(lockDir, "dist"), 0o755)
	w := buildWheel(t, filepath.Join(lockDir, "dist"), "wheelpkg", "2.0")
	w.URL, w.Path = "", "dist/"+w.Name

	l := &Lock{LockVersion: "1.0", CreatedBy: "test", Packages: []Package{
		{Name: "localpkg", Dependencies: deps("gitpkg", "wheelpkg"), Directory: DirectorySource{Path: "localpkg", Editable: true}.Table()},
		{Name: "gitpkg", Version: "1.0", VCS: VCSSource{Type: "git", URL: "file://" + filepath.ToSlash(repo), RequestedRevision: "main", CommitID: commit, Subdirectory: "sub"}.Table()},
		{Name: "wheelpkg", Version: "2.0", Archive: &w},
	}}
	if err := l.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := Plan(l, nil)
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(lockDir, "plan.sh")
	if err := os.WriteFile(script, p.Shell(RenderOptions{}), 0o755); err != nil {
		t.Fatal(err)
	}
	venv := filepath.Join(root, "venv")
	if out, err := exec.Command(py, "-m", "venv", venv).CombinedOutput(); err != nil {
		t.Fatalf("venv: %v\n%s", err, out)
	}
	cmd := exec.Command("sh", script)
	cmd.Dir = lockDir
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(venv, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PIP_NO_INDEX=1", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1", "PIP_CONFIG_FILE=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("plan: %v\n%s\n%s", err, p.Shell(RenderOptions{}), out)
	}
	vpy := filepath.Join(venv, "bin", "python")
	out, err := exec.Command(vpy, "-m", "pip", "list", "--format", "json", "--disable-pip-version-check").Output()
	if err != nil {
		t.Fatal(err)
	}
	var list []struct{ Name, Version string }
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range list {
		if x.Name != "pip" && x.Name != "setuptools" {
			got = append(got, x.Name+"=="+x.Version)
		}
	}
	sort.Strings(got)
	if strings.Join(got, " ") != "gitpkg==1.0 localpkg==0.1 wheelpkg==2.0" {
		t.Errorf("installed %v", got)
	}
	// The directory is editable: a change to its source shows at once.
	os.WriteFile(filepath.Join(lockDir, "localpkg", "src", "localpkg", "__init__.py"), []byte("VALUE = 'edited'\n"), 0o644)
	out, err = exec.Command(vpy, "-c", "import localpkg, gitpkg, wheelpkg; print(localpkg.VALUE, gitpkg.VALUE)").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "edited gitpkg 1.0" {
		t.Errorf("import: %v: %s", err, out)
	}
}
