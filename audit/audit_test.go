package audit

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pylock/pylock/audit/installed"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

var update = flag.Bool("update", false, "rewrite golden files")

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func whl(name, at, sha string) lockfile.Artifact {
	return lockfile.Artifact{Name: name, URL: "https://files.example/" + name, UploadTime: day(at), Hashes: map[string]string{"sha256": sha}}
}

// seedLock is the seed stack as a loose resolve would lock it: opencv-python
// 4.8.1.78 (built 2023) with numpy 2.1.3.
func seedLock(numpy string) *lockfile.Lock {
	numpyWheel := map[string]string{"1.26.4": "2024-02-05", "2.1.3": "2024-11-02"}[numpy]
	return &lockfile.Lock{LockVersion: "1.0", CreatedBy: "pylock",
		Packages: []lockfile.Package{
			{Name: "numpy", Version: numpy, Index: "https://idx.example/simple",
				Wheels: []lockfile.Artifact{whl("numpy-"+numpy+"-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", numpyWheel, "n"+numpy)}},
			{Name: "opencv-python", Version: "4.8.1.78", Index: "https://idx.example/simple",
				Dependencies: []lockfile.Dependency{{Name: "numpy"}},
				Wheels: []lockfile.Artifact{
					whl("opencv_python-4.8.1.78-cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "2023-09-28", "o1"),
					whl("opencv_python-4.8.1.78-cp37-abi3-win_amd64.whl", "2023-09-28", "o2"),
				}},
			{Name: "pillow", Version: "10.1.0", Index: "https://idx.example/simple",
				Wheels: []lockfile.Artifact{whl("Pillow-10.1.0-cp311-cp311-manylinux_2_28_x86_64.whl", "2023-10-15", "p1")}},
		},
		Tool: lockfile.Tool{InputsHash: "sha256:aaaaaaaaaaaaaaaaaaaa", Inputs: []string{"requirements.txt"},
			Requirements: []string{"opencv-python==4.8.1.78", "pillow==10.1.0", "numpy"},
			Command:      "pylock resolve requirements.txt"},
	}
}

// fakeIndex serves index.Projects from memory.
type fakeIndex map[string]*index.Project

func (f fakeIndex) lookup(_ context.Context, name, _ string) (*index.Project, error) {
	if p, ok := f[name]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("no such project %q: %w", name, index.ErrNotFound)
}

func (f fakeIndex) Project(ctx context.Context, name string) (*index.Project, error) {
	return f.lookup(ctx, name, "")
}

func (f fakeIndex) Metadata(_ context.Context, file index.File) (*index.Metadata, error) {
	if strings.HasPrefix(file.Filename, "opencv_python") {
		return &index.Metadata{Name: "opencv-python", RequiresDist: []string{`numpy>=1.21.2; python_version >= "3.10"`}}, nil
	}
	return &index.Metadata{}, nil
}

func ifile(name, at, sha string) index.File {
	return index.File{Filename: name, UploadTime: day(at), Hashes: map[string]string{"sha256": sha}}
}

func seedIndex() fakeIndex {
	return fakeIndex{
		"numpy": {Name: "numpy", Files: []index.File{
			ifile("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "2024-02-05", "n1.26.4"),
			ifile("numpy-2.0.0rc1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "2024-03-30", "rc"),
			ifile("numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "2024-06-16", "n2.0.0"),
			ifile("numpy-2.1.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "2024-11-02", "n2.1.3"),
		}},
		"opencv-python": {Name: "opencv-python", Files: []index.File{
			ifile("opencv_python-4.8.1.78-cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "2023-09-28", "o1"),
			ifile("opencv_python-4.8.1.78-cp37-abi3-win_amd64.whl", "2023-09-28", "o2"),
			ifile("opencv_python-4.10.0.84-cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "2024-06-17", "o3"),
		}},
		"pillow": {Name: "pillow", Files: []index.File{
			ifile("Pillow-10.1.0-cp311-cp311-manylinux_2_28_x86_64.whl", "2023-10-15", "p1"),
		}},
	}
}

func kinds(fs []Finding) string {
	var s []string
	for _, f := range fs {
		s = append(s, f.Kind+":"+f.Package)
	}
	return strings.Join(s, " ")
}

func TestCheckABI(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		numpy  string
		lookup bool
		want   string
	}{
		{"2.1.3", true, "abi:opencv-python"},
		{"2.1.3", false, "abi:opencv-python"},
		{"1.26.4", true, ""},
	} {
		t.Run(fmt.Sprintf("numpy=%s,index=%v", tc.numpy, tc.lookup), func(t *testing.T) {
			var lk Lookup
			if tc.lookup {
				lk = seedIndex().lookup
			}
			fs, notes, err := CheckABI(ctx, seedLock(tc.numpy), DefaultRules(), lk)
			if err != nil {
				t.Fatal(err)
			}
			if got := kinds(fs); got != tc.want {
				t.Fatalf("findings = %q, want %q", got, tc.want)
			}
			if tc.lookup == (len(notes) > 0) && tc.want != "" {
				t.Errorf("notes = %v (offline runs must say the index was not consulted)", notes)
			}
			if tc.want == "" {
				return
			}
			f := fs[0]
			for _, want := range []string{"opencv-python==4.8.1.78", "numpy 2.0.0", "2024-06-16", "numpy==2.1.3", "NumPy 2.0 changed the C ABI"} {
				if !strings.Contains(f.Message, want) {
					t.Errorf("message %q lacks %q", f.Message, want)
				}
			}
			if !strings.Contains(f.Hint, `"numpy<2"`) {
				t.Errorf("hint %q lacks the numpy<2 way out", f.Hint)
			}
			if tc.lookup && !strings.Contains(f.Hint, "opencv-python>=4.10.0.84") {
				t.Errorf("hint %q lacks the first release built after numpy 2", f.Hint)
			}
		})
	}
}

func TestGuard(t *testing.T) {
	g := NewGuard(DefaultRules(), seedIndex())
	old := g.Conflicts(context.Background(), "opencv-python", pep440.MustParse("4.8.1.78"))
	if len(old) != 1 || old[0].Name != "numpy" {
		t.Fatalf("conflicts for 4.8.1.78 = %+v, want one on numpy", old)
	}
	for v, want := range map[string]bool{"1.26.4": false, "2.0.0": true, "2.1.3": true, "2.0.0rc1": true} {
		if got := old[0].Set.Contains(pep440.MustParse(v)); got != want {
			t.Errorf("conflict set contains numpy %s = %v, want %v", v, got, want)
		}
	}
	if c := g.Conflicts(context.Background(), "opencv-python", pep440.MustParse("4.10.0.84")); len(c) != 0 {
		t.Errorf("4.10.0.84 was built after numpy 2: conflicts %+v", c)
	}
	if c := g.Conflicts(context.Background(), "pillow", pep440.MustParse("10.1.0")); len(c) != 0 {
		t.Errorf("pillow does not depend on numpy: conflicts %+v", c)
	}
	applied := g.Applied(map[string]string{"opencv-python": "4.8.1.78"})
	if len(applied) != 1 || !strings.Contains(applied[0].Explain(), "kept numpy below 2.0.0 for opencv-python==4.8.1.78") {
		t.Errorf("applied = %+v", applied)
	}
}

func TestCheckInputs(t *testing.T) {
	l := seedLock("2.1.3")
	reqs := []pep508.Requirement{
		pep508.MustParseRequirement("opencv-python==4.8.1.78"),
		pep508.MustParseRequirement("numpy<2"),
		pep508.MustParseRequirement("fastapi==0.104.1"),
		pep508.MustParseRequirement(`pywin32; sys_platform == "win32"`),
	}
	env := pep508.Env{"sys_platform": "linux", "python_version": "3.11", "python_full_version": "3.11.7",
		"platform_machine": "x86_64", "implementation_name": "cpython", "os_name": "posix",
		"platform_system": "Linux", "platform_release": "", "platform_version": "", "implementation_version": "3.11.7",
		"platform_python_implementation": "CPython"}
	fs := CheckInputs(l, Inputs{Files: []string{"requirements.txt"}, Hash: "sha256:bbbbbbbbbbbbbbbbbbbbbbb", Requirements: reqs,
		Constraints: []pep508.Requirement{pep508.MustParseRequirement("pillow<10"), pep508.MustParseRequirement("absent<1")}}, env)
	if got, want := kinds(fs), "stale-inputs: unsatisfied-input:numpy unsatisfied-input:fastapi unsatisfied-input:pillow"; got != want {
		t.Fatalf("findings = %q, want %q", got, want)
	}
	if !strings.Contains(fs[1].Message, `"numpy<2" is not satisfied by the locked numpy==2.1.3`) {
		t.Errorf("message = %q", fs[1].Message)
	}
	clean := CheckInputs(seedLock("1.26.4"), Inputs{Hash: l.Tool.InputsHash, Requirements: reqs[:2]}, env)
	if len(clean) != 0 {
		t.Errorf("numpy<2 with numpy 1.26.4 locked: findings %v", kinds(clean))
	}
}

func TestCheckIndex(t *testing.T) {
	idx := seedIndex()
	// opencv's Windows wheel was replaced; numpy 1.26.4 was yanked; a new
	// pillow wheel was added and the locked one removed.
	idx["opencv-python"].Files[1].Hashes = map[string]string{"sha256": "evil"}
	idx["numpy"].Files[0].Yanked, idx["numpy"].Files[0].YankedReason = true, "broken build"
	idx["pillow"] = &index.Project{Name: "pillow", Files: []index.File{ifile("Pillow-10.1.0-cp312-cp312-manylinux_2_28_x86_64.whl", "2023-10-16", "p2")}}
	l := seedLock("1.26.4")
	l.Packages = append(l.Packages, lockfile.Package{Name: "gone", Version: "1.0"})
	roots := []pep508.Requirement{pep508.MustParseRequirement("numpy<2"), pep508.MustParseRequirement("opencv-python>=4")}
	fs, err := CheckIndex(context.Background(), l, roots, nil, idx.lookup)
	if err != nil {
		t.Fatal(err)
	}
	r := &Report{Lock: "pylock.toml", Findings: fs}
	r.Sort()
	golden(t, "index.txt", r)
}

func TestCheckInstalled(t *testing.T) {
	root := t.TempDir()
	dist := func(name, version string) {
		di := filepath.Join(root, name+"-"+version+".dist-info")
		if err := os.MkdirAll(di, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(di, "METADATA"), []byte("Name: "+name+"\nVersion: "+version+"\n"), 0o644)
	}
	dist("numpy", "2.1.3")            // locked 1.26.4: version mismatch
	dist("opencv_python", "4.8.1.78") // ok
	dist("requests", "2.31.0")        // extra
	dist("pip", "23.2.1")             // tooling: info
	// pillow missing
	env, err := installed.ReadSitePackages(root)
	if err != nil {
		t.Fatal(err)
	}
	fs := CheckInstalled(seedLock("1.26.4"), env, nil)
	r := &Report{Lock: "pylock.toml", Checks: []string{"environment"}, Findings: fs}
	golden(t, "installed.txt", r)
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	compare(t, "installed.json", js.Bytes())
	if r.Count(Error) != 2 || r.Count(Warning) != 3 || r.Count(Info) != 4 {
		t.Errorf("counts error=%d warning+=%d info+=%d", r.Count(Error), r.Count(Warning), r.Count(Info))
	}
}

func TestGraph(t *testing.T) {
	l := seedLock("2.1.3")
	l.Packages = append(l.Packages, lockfile.Package{Name: "scikit-image", Version: "0.22.0",
		Dependencies: []lockfile.Dependency{{Name: "numpy"}, {Name: "pillow"}}})
	l.Tool.Requirements = append(l.Tool.Requirements, "scikit-image>=0.20")
	g := lockfile.NewGraph(l)
	why, err := g.RenderWhy("NumPy")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("$ why numpy\n" + why)
	b.WriteString("$ tree\n" + lockfile.RenderTree(g.Tree(false, 0)))
	b.WriteString("$ tree --invert --depth 1\n" + lockfile.RenderTree(g.Tree(true, 1)))
	compare(t, "graph.txt", b.Bytes())
	if _, err := g.Why("nope"); err == nil {
		t.Error("why of an absent package: want error")
	}
}

func golden(t *testing.T, name string, r *Report) {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	compare(t, name, b.Bytes())
}

func compare(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s mismatch:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestRules(t *testing.T) {
	r := DefaultRules()
	if len(r) == 0 || r[0].Provider != "numpy" || r[0].Major != 2 || r[0].FallbackDate.IsZero() {
		t.Fatalf("default rules = %+v", r)
	}
	if _, err := ParseRules([]byte("[[rule]]\nprovider = \"x\"\n")); err == nil {
		t.Error("rule without major: want error")
	}
	if _, err := ParseRules([]byte("[[rule]]\nprovider = \"x\"\nmajor = 2\nbogus = 1\n")); err == nil {
		t.Error("unknown key: want error")
	}
	if _, err := ParseSeverity("fatal"); err == nil {
		t.Error("bad severity: want error")
	}
}
