package reqfile

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// fuzzFS holds the files a fuzzed requirements file may include: one that
// includes the fuzzed file back (a cycle) and a plain one.
var fuzzFS = memFS{
	"inc.txt":   "-r requirements.txt\nfoo\n",
	"sub/c.txt": "bar>=1\n--pre\n-r ../inc.txt\n",
}

// lineCount is the number of lines positions may refer to in data.
func lineCount(data []byte) int {
	text, _, _ := decode(data)
	return max(len(splitLines(text)), 1)
}

// addGoldenSeeds adds the first file of every golden archive whose name
// matches suffix.
func addGoldenSeeds(f *testing.F, toml bool) {
	paths, _ := filepath.Glob("testdata/golden/*.txtar")
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		if err != nil || len(ar.Files) == 0 {
			continue
		}
		if strings.HasSuffix(ar.Files[0].Name, ".toml") == toml {
			f.Add(ar.Files[0].Data)
		}
	}
}

func FuzzParseRequirementsTxt(f *testing.F) {
	addGoldenSeeds(f, false) // testdata/big-requirements.txt is left to TestBigFile: big seeds slow mutation
	env := map[string]string{"HOST": "h.example", "EMPTY": ""}
	opts := fuzzFS.options(env)
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("requirements.txt", data, opts)
		content := func(name string) []byte {
			if name == "requirements.txt" {
				return data
			}
			return []byte(fuzzFS[filepath.ToSlash(name)])
		}
		if err != nil {
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("error is %T, not *Error: %v", err, err)
			}
			if n := lineCount(content(re.File)); re.Line < 1 || re.Line > n || re.Col < 1 {
				t.Fatalf("error position %d:%d outside %s (%d lines): %v", re.Line, re.Col, re.File, n, err)
			}
			return
		}
		for _, es := range [][]Entry{file.Requirements, file.Constraints} {
			for _, e := range es {
				if n := lineCount(content(e.File)); e.Line < 1 || e.Line > n || e.Raw == "" {
					t.Fatalf("entry %q at %s:%d outside the file (%d lines)", e.Raw, e.File, e.Line, n)
				}
			}
		}
		for _, w := range file.Warnings {
			if n := lineCount(content(w.File)); w.Line < 1 || w.Line > n {
				t.Fatalf("warning outside the file: %v", w)
			}
		}
		again, err := Parse("requirements.txt", bytes.Clone(data), opts)
		if err != nil || renderFile(again) != renderFile(file) {
			t.Fatalf("second parse differs: %v", err)
		}
	})
}

func FuzzParsePyproject(f *testing.F) {
	addGoldenSeeds(f, true)
	f.Add([]byte("[project]\nname = \"p\"\ndependencies = [\"a\", 1]\n"))
	f.Add([]byte("[dependency-groups]\na = [{include-group = \"a\"}]\n"))
	f.Add([]byte("[[project]]\nname = \"x\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePyproject("pyproject.toml", data, PyprojectOptions{AllExtras: true, AllGroups: true})
		if err != nil {
			var re *Error
			if !errors.As(err, &re) {
				t.Fatalf("error is %T, not *Error: %v", err, err)
			}
			if n := bytes.Count(data, []byte("\n")) + 1; re.Line < 1 || re.Line > n || re.Col < 1 {
				t.Fatalf("error position %d:%d outside the file (%d lines): %v", re.Line, re.Col, n, err)
			}
			return
		}
		n := bytes.Count(data, []byte("\n")) + 1
		for _, e := range p.Requirements {
			if e.Line < 1 || e.Line > n {
				t.Fatalf("entry %q at line %d outside the file", e.Raw, e.Line)
			}
		}
	})
}
