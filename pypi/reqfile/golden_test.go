package reqfile

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden runs every testdata/golden/*.txtar: the first file is parsed
// (a requirements file, or pyproject.toml), the others are what it may
// include, and the "want" file holds the expected rendering. The archive
// comment may set "env NAME=value" lines and, for pyproject.toml, "extras a,b",
// "groups a,b", "all-extras", "all-groups", "no-project". -update rewrites
// "want".
func TestGolden(t *testing.T) {
	paths, _ := filepath.Glob("testdata/golden/*.txtar")
	if len(paths) == 0 {
		t.Fatal("no golden files")
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := renderArchive(ar)
			wi := -1
			for i, f := range ar.Files {
				if f.Name == "want" {
					wi = i
				}
			}
			if *update {
				if wi < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "want"})
					wi = len(ar.Files) - 1
				}
				ar.Files[wi].Data = []byte(got)
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if wi < 0 {
				t.Fatal("no want file; run with -update")
			}
			if want := string(ar.Files[wi].Data); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func renderArchive(ar *txtar.Archive) string {
	files := memFS{}
	for _, f := range ar.Files {
		if f.Name != "want" {
			files[f.Name] = string(f.Data)
		}
	}
	env := map[string]string{}
	var popts PyprojectOptions
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch k {
		case "env":
			n, val, _ := strings.Cut(v, "=")
			env[n] = val
		case "extras":
			popts.Extras = strings.Split(v, ",")
		case "groups":
			popts.Groups = strings.Split(v, ",")
		case "all-extras":
			popts.AllExtras = true
		case "all-groups":
			popts.AllGroups = true
		case "no-project":
			popts.NoProject = true
		}
	}
	top := ar.Files[0].Name
	if strings.HasSuffix(top, ".toml") {
		p, err := ParsePyproject(top, []byte(files[top]), popts)
		if err != nil {
			return renderErr(err)
		}
		return renderPyproject(p)
	}
	f, err := Parse(top, []byte(files[top]), files.options(env))
	if err != nil {
		return renderErr(err)
	}
	return renderFile(f)
}

// renderErr renders err, with the reason given by pep508 or pep440 replaced
// by "<reason>" so that the goldens test this package only.
func renderErr(err error) string {
	var re *Error
	if errors.As(err, &re) && re.Err != nil {
		fromDep := re.Msg == "invalid requires-python" ||
			re.Msg == "invalid requirement" && !strings.HasPrefix(re.Err.Error(), "cannot tell")
		if fromDep {
			c := *re
			c.Err = errors.New("<reason>")
			err = &c
		}
	}
	return "error: " + filepath.ToSlash(err.Error()) + "\n"
}

func renderEntry(b *strings.Builder, kind string, e Entry) {
	fmt.Fprintf(b, "%s %s:%d:%d %q", kind, filepath.ToSlash(e.File), e.Line, e.Col, e.Raw)
	r := e.Requirement
	if r.Name != "" {
		fmt.Fprintf(b, " name=%s", r.Name)
	}
	if len(r.Extras) > 0 {
		fmt.Fprintf(b, " extras=%s", strings.Join(r.Extras, ","))
	}
	if r.URL != "" {
		fmt.Fprintf(b, " url=%s", r.URL)
	}
	if e.Editable {
		b.WriteString(" editable")
	}
	if e.LocalPath {
		b.WriteString(" local")
	}
	for _, h := range e.Hashes {
		fmt.Fprintf(b, "\n    hash %s", h)
	}
	for _, o := range e.Options {
		fmt.Fprintf(b, "\n    option %s", o)
	}
	if !r.Marker.IsTrue() {
		fmt.Fprintf(b, "\n    marker %s", r.Marker)
	}
	if d := e.Direct; d != nil {
		fmt.Fprintf(b, "\n    direct %s", d.Kind)
		for _, kv := range [][2]string{{"url", d.URL}, {"path", filepath.ToSlash(d.Path)}, {"vcs", d.VCS}, {"ref", d.Ref}, {"subdirectory", d.Subdirectory}} {
			if kv[1] != "" {
				fmt.Fprintf(b, " %s=%s", kv[0], kv[1])
			}
		}
		if d.Editable {
			b.WriteString(" editable")
		}
		for _, h := range d.Hashes {
			fmt.Fprintf(b, " hash=%s", h)
		}
	}
	b.WriteString("\n")
}

func renderFile(f *File) string {
	var b strings.Builder
	for _, n := range f.Files {
		fmt.Fprintf(&b, "file %s\n", filepath.ToSlash(n))
	}
	field := func(name string, v any) {
		switch v := v.(type) {
		case string:
			if v != "" {
				fmt.Fprintf(&b, "%s %s\n", name, v)
			}
		case bool:
			if v {
				fmt.Fprintf(&b, "%s\n", name)
			}
		case []string:
			for _, s := range v {
				fmt.Fprintf(&b, "%s %s\n", name, filepath.ToSlash(s))
			}
		}
	}
	field("index-url", f.IndexURL)
	field("extra-index-url", f.ExtraIndexURLs)
	field("no-index", f.NoIndex)
	field("find-links", f.FindLinks)
	field("trusted-host", f.TrustedHosts)
	field("pre", f.Pre)
	field("prefer-binary", f.PreferBinary)
	field("require-hashes", f.RequireHashes)
	field("no-binary", f.NoBinary)
	field("only-binary", f.OnlyBinary)
	for _, e := range f.Requirements {
		renderEntry(&b, "requirement", e)
	}
	for _, e := range f.Constraints {
		renderEntry(&b, "constraint", e)
	}
	for _, w := range f.Warnings {
		fmt.Fprintf(&b, "warning %s\n", filepath.ToSlash(w.Error()))
	}
	return b.String()
}

func renderPyproject(p *Pyproject) string {
	var b strings.Builder
	if p.Name != "" {
		fmt.Fprintf(&b, "name %s\n", p.Name)
	}
	if p.RequiresPython != "" {
		fmt.Fprintf(&b, "requires-python %s\n", p.RequiresPython)
	}
	if len(p.Dynamic) > 0 {
		fmt.Fprintf(&b, "dynamic %s\n", strings.Join(p.Dynamic, ","))
	}
	for _, e := range p.Dependencies {
		renderEntry(&b, "dependency", e)
	}
	for _, k := range sortedEntryKeys(p.OptionalDependencies) {
		for _, e := range p.OptionalDependencies[k] {
			renderEntry(&b, "extra "+k, e)
		}
	}
	for _, k := range sortedEntryKeys(p.DependencyGroups) {
		for _, e := range p.DependencyGroups[k] {
			renderEntry(&b, "group "+k, e)
		}
	}
	for _, e := range p.Requirements {
		renderEntry(&b, "selected", e)
	}
	return b.String()
}

// TestBigFile parses a realistic 800-line pip-compile output and compares
// its rendering with testdata/big-requirements.golden (-update rewrites it).
func TestBigFile(t *testing.T) {
	env := map[string]string{"PRIVATE_INDEX_HOST": "pypi.internal.example"}
	f, err := ParseFile("testdata/big-requirements.txt", memFS{}.options(env).withOS())
	if err != nil {
		t.Fatal(err)
	}
	got := renderFile(f)
	const golden = "testdata/big-requirements.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("rendering differs from %s; run go test -update and review the diff", golden)
	}
	if len(f.Requirements) != 142 {
		t.Errorf("%d requirements, want 142", len(f.Requirements))
	}
	for _, e := range f.Requirements {
		if len(e.Hashes) == 0 || e.Requirement.Name == "" {
			t.Errorf("%s:%d: %q has no hashes or no name", e.File, e.Line, e.Raw)
		}
	}
}
