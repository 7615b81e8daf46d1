package corpus

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pylock/pylock/internal/testenv"
)

func TestLoadPackseDefaults(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.toml")
	src := `name = "s"
description = "d"
[root]
requires = ["a[Extra_B]"]
[expected]
satisfiable = true
[expected.packages]
A_b = "1.0"
[packages.a.versions."1.0"]
requires = ["c ; sys_platform == 'linux'"]
extras = { Extra_B = ["b>=1 ; python_version > '3'", "d"] }
[packages.b.versions]
"1.0" = { requires_python = "", sdist = false, wheel_tags = ["cp312-cp312-win_amd64"], upload_time = "2023-09-29T12:00:00Z" }
"2.0" = { wheel = false, yanked = true }
[environment]
python = "3.9"
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadPackse(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Python != "3.9" || s.InstalledPython != "3.9" || !s.Expected.Satisfiable {
		t.Errorf("python %q installed %q satisfiable %v", s.Python, s.InstalledPython, s.Expected.Satisfiable)
	}
	if diff := cmp.Diff(map[string]string{"a-b": "1.0"}, s.Expected.Packages); diff != "" {
		t.Errorf("expected packages (-want +got):\n%s", diff)
	}
	want := &Index{Projects: map[string]*Project{
		"a": {Name: "a", Releases: []*Release{{
			Version: "1.0",
			Requires: []string{
				"c ; sys_platform == 'linux'",
				`b>=1 ; (python_version > '3') and extra == "extra-b"`,
				`d ; extra == "extra-b"`,
			},
			Extras:         []string{"extra-b"},
			RequiresPython: ">=3.12", WheelTags: []string{"py3-none-any"}, Wheel: true, Sdist: true,
		}}},
		"b": {Name: "b", Releases: []*Release{
			{Version: "1.0", Requires: []string{}, WheelTags: []string{"cp312-cp312-win_amd64"}, Wheel: true,
				UploadTime: time.Date(2023, 9, 29, 12, 0, 0, 0, time.UTC)},
			{Version: "2.0", Requires: []string{}, RequiresPython: ">=3.12", Sdist: true, Yanked: true},
		}},
	}}
	if diff := cmp.Diff(want, s.Index, cmp.Comparer(func(a, b []string) bool { return cmp.Equal(norm(a), norm(b)) })); diff != "" {
		t.Errorf("index (-want +got):\n%s", diff)
	}
}

func norm(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestLoadPackseErrors(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"unknown-key.toml":    "name='x'\n[root]\nrequires=[]\n[expected]\nsatisfiable=true\n[resolver_options]\nfrobnicate=true\n",
		"no-satisfiable.toml": "name='x'\n[root]\nrequires=[]\n[expected]\n",
		"bad-toml.toml":       "name = \n",
		"bad-time.toml":       "name='x'\n[root]\nrequires=[]\n[expected]\nsatisfiable=true\n[packages.a.versions.\"1\"]\nupload_time='yesterday'\n",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(src), 0o644)
		if _, err := LoadPackse(p); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestLoadAllPackse(t *testing.T) {
	dir := filepath.Join(testenv.CorpusDir(t), "packse")
	all, err := LoadAllPackse(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 100 {
		t.Fatalf("loaded %d scenarios", len(all))
	}
	byName := map[string]*Scenario{}
	for _, s := range all {
		byName[s.Topic(dir)] = s
		if s.Name == "" || len(s.Index.Projects) == 0 && len(s.Root) > 0 && s.Expected.Satisfiable {
			t.Errorf("%s: suspicious scenario %+v", s.Path, s)
		}
	}
	s := byName["extras/all-extras-required"]
	if s == nil {
		t.Fatal("extras/all-extras-required missing")
	}
	a := s.Index.Projects["a"].Releases[0]
	if diff := cmp.Diff([]string{`a[extra_b] ; extra == "all"`, `a[extra_c] ; extra == "all"`, `b ; extra == "extra-b"`, `c ; extra == "extra-c"`}, a.Requires); diff != "" {
		t.Errorf("requires (-want +got):\n%s", diff)
	}
	p := byName["requires_python/python-patch-override-patch-compatible"]
	if p.Python != "3.9.0" || p.InstalledPython != "3.9.21" {
		t.Errorf("python %q installed %q", p.Python, p.InstalledPython)
	}
	if w := byName["wheels/only-wheels-no-binary"]; len(w.Options.NoBinary) != 1 || w.Index.Projects["a"].Releases[0].Sdist {
		t.Errorf("only-wheels-no-binary: %+v", w.Options)
	}
}

func TestLoadAllResolvelib(t *testing.T) {
	cases, err := LoadAllResolvelib(testenv.CorpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]*Case{}
	for _, c := range cases {
		by[c.Name] = c
	}
	if len(cases) != 13 {
		t.Errorf("%d cases", len(cases))
	}
	if c := by["chalice"]; c.Resolved["click"] != "7.0.0" || !c.Satisfiable() || c.Index.Projects["botocore"] == nil {
		t.Errorf("chalice: %+v", c.Resolved)
	}
	if c := by["different-extras"]; c.Satisfiable() || !c.Known() || c.Conflicted["markupsafe"] == nil {
		t.Errorf("different-extras: %+v", c)
	}
	if c := by["pyrex-1.9.8"]; c.Known() {
		t.Errorf("pyrex known")
	}
	if by["same-package"].Resolved["package-a"] != "1.2.0" {
		t.Errorf("same-package: %v", by["same-package"].Resolved)
	}
	if by["with-without-extras"].Index != nil && by["with-without-extras"].Index == by["chalice"].Index {
		t.Errorf("different indexes shared")
	}
	if by["same-package"].Index != by["same-package-extras"].Index {
		t.Errorf("same index not shared")
	}
	c, err := LoadResolvelibCase(filepath.Join(testenv.CorpusDir(t), "resolvelib", "case", "with-without-extras.json"), testenv.CorpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	var pandas *Release
	for _, r := range c.Index.Projects["pandas"].Releases {
		if r.Version == "1.0.1" {
			pandas = r
		}
	}
	if pandas == nil || !cmp.Equal(pandas.Extras, []string{"test"}) || pandas.Sdist || !pandas.Wheel {
		t.Errorf("pandas 1.0.1: %+v", pandas)
	}
	if _, ok := c.Index.Projects["needs-optimistic"]; ok {
		t.Errorf("non-object entry loaded as a project")
	}
}

func TestFileUploadTime(t *testing.T) {
	r := &Release{}
	if got := FileUploadTime(r, 2, 1); !got.Equal(time.Date(2020, 1, 3, 0, 1, 0, 0, time.UTC)) {
		t.Errorf("derived: %v", got)
	}
	r.UploadTime = time.Date(2023, 9, 29, 12, 0, 0, 0, time.UTC)
	if got := FileUploadTime(r, 2, 0); !got.Equal(r.UploadTime) {
		t.Errorf("explicit: %v", got)
	}
}
