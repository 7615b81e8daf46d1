package lockfile

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestTopLevelModules(t *testing.T) {
	for _, tt := range []struct {
		files []string
		want  []string
	}{
		{[]string{"numpy/__init__.py", "numpy/core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so", "numpy-1.26.4.dist-info/RECORD", "numpy.libs/libopenblas.so"}, []string{"numpy"}},
		{[]string{"cv2/__init__.py", "cv2/cv2.abi3.so", "opencv_python.libs/libavcodec.so", "opencv_python-4.8.1.78.dist-info/METADATA"}, []string{"cv2"}},
		{[]string{"six.py", "six-1.16.0.dist-info/RECORD"}, []string{"six"}},
		{[]string{"_cffi_backend.cpython-311-x86_64-linux-gnu.so", "cffi/__init__.py"}, []string{"cffi"}},
		{[]string{"yaml/__init__.py", "_yaml/__init__.py", "PyYAML-6.0.dist-info/top_level.txt"}, []string{"yaml"}},
		{[]string{"pkg-1.0.data/scripts/run.py", "win32api.pyd"}, []string{"win32api"}},
		{[]string{"README.txt", "bad-name/x.py"}, nil},
	} {
		if got := topLevelModules(tt.files); !cmp.Equal(got, tt.want, cmpopts.EquateEmpty()) {
			t.Errorf("topLevelModules(%q) = %q, want %q", tt.files, got, tt.want)
		}
	}
}

// writeWheel writes a zip with the given files (name -> content).
func writeWheel(t *testing.T, dir, name string, files map[string]string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	z := zip.NewWriter(f)
	for n, c := range files {
		w, err := z.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(c))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

func TestNewImportCheck(t *testing.T) {
	dir := t.TempDir()
	yamlWheel := writeWheel(t, dir, "PyYAML-6.0.1-cp311-cp311-manylinux_2_17_x86_64.whl", map[string]string{
		"PyYAML-6.0.1.dist-info/top_level.txt": "_yaml\nyaml\n",
		"yaml/__init__.py":                     "",
	})
	writeWheel(t, dir, "fancy-1.0-cp311-cp311-linux_x86_64.whl", map[string]string{
		"fancy_impl/__init__.py":     "",
		"fancy_impl/_c.abi3.so":      "",
		"fancy-1.0.dist-info/RECORD": "",
	})
	pkgs := []Package{
		// Local wheels: top_level.txt, else the listing.
		{Name: "pyyaml", Version: "6.0.1", Wheels: []Artifact{{Name: filepath.Base(yamlWheel), URL: "file://" + filepath.ToSlash(yamlWheel)}}},
		{Name: "fancy", Version: "1.0", Wheels: []Artifact{{Name: "fancy-1.0-cp311-cp311-linux_x86_64.whl", Path: "fancy-1.0-cp311-cp311-linux_x86_64.whl"}}},
		// Remote wheels: the table, else the project name.
		{Name: "opencv-python", Version: "4.8.1.78", Wheels: []Artifact{whl("opencv_python-4.8.1.78-cp37-abi3-manylinux_2_17_x86_64.whl", 1)}},
		{Name: "pydantic-core", Version: "2.10.1", Wheels: []Artifact{whl("pydantic_core-2.10.1-cp311-cp311-win_amd64.whl", 1)}},
		// Pure Python, sdist only, or under a marker: not imported.
		{Name: "idna", Version: "3.6", Wheels: []Artifact{whl("idna-3.6-py3-none-any.whl", 1)}},
		{Name: "sdistonly", Version: "1", Sdist: sdist("sdistonly-1.tar.gz", 1)},
		{Name: "pywin32", Version: "306", Marker: `sys_platform == "win32"`, Wheels: []Artifact{whl("pywin32-306-cp311-cp311-win_amd64.whl", 1)}},
	}
	c := NewImportCheck(pkgs, dir)
	if want := []string{"_yaml", "cv2", "fancy_impl", "pydantic_core", "yaml"}; !cmp.Equal(c.Modules, want) {
		t.Errorf("modules = %q, want %q", c.Modules, want)
	}
	notes := strings.Join(c.Notes, "\n")
	for _, want := range []string{"pydantic-core guessed", `not import-checked: pywin32 (installed only when sys_platform == "win32")`} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if strings.Contains(notes, "opencv") {
		t.Errorf("a tabled name is not a guess:\n%s", notes)
	}
	if got := strings.Join(c.Command("python"), " "); got != "python -c import _yaml, cv2, fancy_impl, pydantic_core, yaml" {
		t.Errorf("command = %q", got)
	}
	if (&ImportCheck{}).Command("python") != nil {
		t.Error("an empty check has a command")
	}
}

func TestPlanVerifyImportsAndSecrets(t *testing.T) {
	l := sampleLock()
	p, err := Plan(l, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := RenderOptions{IndexURL: "https://user:s3cret@pkgs.example/simple", Inline: true, VerifyImports: NewImportCheck(l.Packages, "")}
	docker := string(p.Dockerfile(o))
	if strings.Contains(docker, "s3cret") || strings.Contains(docker, "user@") {
		t.Errorf("credentials in the Dockerfile:\n%s", docker)
	}
	for _, want := range []string{
		"RUN --mount=type=secret,id=netrc,target=/root/.netrc pip install --no-cache-dir --no-deps --require-hashes --index-url https://pkgs.example/simple -r /dev/stdin <<'EOF'\n",
		"\nRUN python -c 'import cv2, numpy, pydantic_core'\n",
	} {
		if !strings.Contains(docker, want) {
			t.Errorf("Dockerfile lacks %q:\n%s", want, docker)
		}
	}
	if !strings.HasSuffix(docker, "RUN python -c 'import cv2, numpy, pydantic_core'\n") {
		t.Errorf("the import check is not the last step:\n%s", docker)
	}
	sh := string(p.Shell(RenderOptions{Python: "/venv/bin/python", VerifyImports: o.VerifyImports}))
	if !strings.HasSuffix(sh, "\n/venv/bin/python -c 'import cv2, numpy, pydantic_core'\n") {
		t.Errorf("shell plan does not end with the import check:\n%s", sh)
	}
	// Without credentials or the flag: plain RUN; with NetrcSecret: mounted.
	if d := string(p.Dockerfile(RenderOptions{})); strings.Contains(d, "--mount") || strings.Contains(d, "python -c") {
		t.Errorf("plain Dockerfile mounts a secret or verifies:\n%s", d)
	}
	if d := string(p.Dockerfile(RenderOptions{NetrcSecret: true})); strings.Count(d, "RUN --mount=type=secret,id=netrc,target=/root/.netrc pip") != 3 {
		t.Errorf("NetrcSecret: want every pip RUN mounted:\n%s", d)
	}
	sh = string(p.Shell(o))
	if strings.Contains(sh, "s3cret") || !strings.Contains(sh, "--index-url https://pkgs.example/simple -r /dev/stdin") || !strings.Contains(sh, "pip reads them from ~/.netrc") {
		t.Errorf("shell plan with a credentialed index:\n%s", sh)
	}
	js, err := p.JSON(o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"verify_imports": [`) || strings.Contains(string(js), "s3cret") {
		t.Errorf("JSON plan lacks verify_imports:\n%s", js)
	}
}

func FuzzTopLevelModules(f *testing.F) {
	f.Add("numpy/__init__.py\nsix.py\n_x.so\na-1.dist-info/RECORD")
	f.Add("x.y/z.py\n\n/")
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range topLevelModules(strings.Split(s, "\n")) {
			if !isModuleName(m) || strings.HasPrefix(m, "_") || strings.Contains(m, "/") {
				t.Fatalf("invalid module %q from %q", m, s)
			}
		}
	})
}
