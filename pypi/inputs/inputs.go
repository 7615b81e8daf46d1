// Package inputs is the one loader of a resolution's inputs, shared by
// `pylock resolve` and `pylock audit`: requirements files (with their -r/-c
// includes), pyproject.toml files (with the extras and groups chosen) and
// stdin, each in a role (requirements, constraint, override). Parsing is
// pypi/reqfile's; this package decides what each file means and records
// every file read, in order, for the lock's inputs hash.
package inputs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
)

// Role is what an input means to the resolver.
type Role string

// The roles of an input, as recorded in [[tool.pylock.input]] role.
const (
	Requirements Role = "requirements" // a requirements file (positional or -r), or stdin
	Pyproject    Role = "pyproject"    // a pyproject.toml: [project] dependencies, extras, groups
	Constraint   Role = "constraint"   // -c: versions limited, nothing added
	Override     Role = "override"     // --override: replaces every requirement on the package
)

// Input is one input as the user gave it.
type Input struct {
	Path string // file path; "-" is stdin
	Role Role
	// Select chooses the optional dependencies and dependency groups of
	// a pyproject.toml input (Role Pyproject only).
	Select reqfile.PyprojectOptions
}

// IsPyproject reports whether path names a pyproject.toml-style input
// (a .toml file, or a project directory holding pyproject.toml; stdin
// never is).
func IsPyproject(path string) bool {
	return path != "-" && (filepath.Ext(path) == ".toml" || projectFile(path) != "")
}

// projectFile returns dir/pyproject.toml when path is a directory holding
// one, else "".
func projectFile(path string) string {
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		return ""
	}
	pp := filepath.Join(path, "pyproject.toml")
	if _, err := os.Stat(pp); err != nil {
		return ""
	}
	return pp
}

// FromPaths returns requirement inputs for paths: Pyproject for .toml
// files, else Requirements; sel applies to the pyproject ones.
func FromPaths(sel reqfile.PyprojectOptions, paths ...string) []Input {
	out := make([]Input, 0, len(paths))
	for _, p := range paths {
		in := Input{Path: p, Role: Requirements}
		if pp := projectFile(p); pp != "" { // a project directory means its pyproject.toml
			in.Path = pp
		}
		if IsPyproject(in.Path) {
			in.Role, in.Select = Pyproject, sel
		}
		out = append(out, in)
	}
	return out
}

// WithRole returns inputs of one role for paths (constraints, overrides).
func WithRole(role Role, paths ...string) []Input {
	out := make([]Input, 0, len(paths))
	for _, p := range paths {
		out = append(out, Input{Path: p, Role: role})
	}
	return out
}

// File is one file read: an input or a file it includes.
type File struct {
	Path string // as opened ("-" for stdin)
	Data []byte
}

// Set is everything read from the inputs.
type Set struct {
	// Requirements, Constraints and Overrides are the entries by role;
	// -c lines inside any file add to Constraints.
	Requirements []reqfile.Entry
	Constraints  []reqfile.Entry
	Overrides    []reqfile.Entry
	// Files lists every file read, in order, each once (includes too).
	Files []File

	// Index options found in requirements files (the first -i wins).
	IndexURL       string
	ExtraIndexURLs []string
	FindLinks      []string
	Pre            bool
	NoIndex        bool
	Format         reqfile.FormatControl // --only-binary / --no-binary lines
	Warnings       []string

	RequiresPython string // of the first pyproject.toml that sets it

	// Environments and RequiredEnvironments are [tool.pylock]
	// environments / required-environments of the first pyproject.toml
	// that sets each (universal locks).
	Environments         []pep508.Marker
	RequiredEnvironments []pep508.Marker
}

// Hash is the lock's inputs-hash over the files read: see HashContents.
func (s *Set) Hash() string {
	cs := make([][]byte, len(s.Files))
	for i, f := range s.Files {
		cs[i] = f.Data
	}
	return HashContents(cs)
}

// HashContents is the [tool.pylock] inputs-hash: "sha256:" + hex sha256
// over the lines "<hex sha256 of file bytes>\n", one per file in the order
// read. Paths are not hashed, so moving the project does not change it.
func HashContents(contents [][]byte) string {
	h := sha256.New()
	for _, c := range contents {
		s := sha256.Sum256(c)
		h.Write([]byte(hex.EncodeToString(s[:]) + "\n"))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// Load reads ins in order; stdin (nil: empty) is read once, however many
// inputs name "-". Errors name the file and line.
func Load(ins []Input, stdin io.Reader) (*Set, error) {
	l := &loader{stdin: stdin, set: &Set{}, seen: map[string]bool{}}
	for _, in := range ins {
		if err := l.load(in); err != nil {
			return nil, err
		}
	}
	return l.set, nil
}

// loader reads input files; stdin is read once.
type loader struct {
	stdin     io.Reader
	stdinData []byte
	stdinRead bool
	set       *Set
	seen      map[string]bool
}

func (l *loader) readFile(path string) ([]byte, error) {
	if path == "-" {
		if !l.stdinRead {
			l.stdinRead = true
			if l.stdin == nil {
				l.stdin = strings.NewReader("")
			}
			data, err := io.ReadAll(l.stdin)
			if err != nil {
				return nil, fmt.Errorf("reading stdin: %w", err)
			}
			l.stdinData = data
		}
		l.record("-", l.stdinData)
		return l.stdinData, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, unwrapPathError(err))
	}
	l.record(path, data)
	return data, nil
}

func (l *loader) record(path string, data []byte) {
	if l.seen[path] {
		return
	}
	l.seen[path] = true
	l.set.Files = append(l.set.Files, File{Path: path, Data: data})
}

// unwrapPathError turns "open x: no such file or directory" into "no such
// file or directory" (the caller names the file).
func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// load reads one input into the set.
func (l *loader) load(in Input) error {
	if in.Role == Pyproject {
		return l.loadPyproject(in)
	}
	if fi, err := os.Stat(in.Path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory without a pyproject.toml: give a requirements file, or lock the project itself with a requirements line \"-e %s\"", in.Path, in.Path)
	}
	data, err := l.readFile(in.Path)
	if err != nil {
		return err
	}
	name := in.Path
	if in.Path == "-" {
		name = "<stdin>"
	}
	f, err := reqfile.Parse(name, data, reqfile.Options{ReadFile: l.readFile})
	if err != nil {
		return err
	}
	s := l.set
	switch in.Role {
	case Constraint:
		s.Constraints = append(s.Constraints, f.Requirements...)
	case Override:
		s.Overrides = append(s.Overrides, f.Requirements...)
	default:
		s.Requirements = append(s.Requirements, f.Requirements...)
	}
	s.Constraints = append(s.Constraints, f.Constraints...)
	if s.IndexURL == "" {
		s.IndexURL = f.IndexURL
	}
	s.ExtraIndexURLs = append(s.ExtraIndexURLs, f.ExtraIndexURLs...)
	s.FindLinks = append(s.FindLinks, f.FindLinks...)
	s.Pre = s.Pre || f.Pre
	s.NoIndex = s.NoIndex || f.NoIndex
	for _, v := range f.OnlyBinary {
		_ = s.Format.AddOnlyBinary(v) // reqfile validated the values
	}
	for _, v := range f.NoBinary {
		_ = s.Format.AddNoBinary(v)
	}
	for _, w := range f.Warnings {
		s.Warnings = append(s.Warnings, w.Error())
	}
	return nil
}

func (l *loader) loadPyproject(in Input) error {
	data, err := l.readFile(in.Path)
	if err != nil {
		return err
	}
	p, err := reqfile.ParsePyproject(in.Path, data, in.Select)
	if err != nil {
		return err
	}
	if p.Name == "" && len(p.Requirements) == 0 {
		// Not a PEP 621 project (e.g. [tool.poetry] only): an empty lock
		// would look like success.
		dir := filepath.Dir(in.Path)
		if !strings.HasPrefix(dir, ".") && !filepath.IsAbs(dir) {
			dir = "./" + dir
		}
		return fmt.Errorf("%s has no [project] table: nothing to lock (pylock reads [project] dependencies, optional-dependencies and [dependency-groups] chosen with --group; a project whose metadata comes from its build backend, such as setup.py, is locked with a requirements line \"-e %s\")", in.Path, dir)
	}
	l.set.Requirements = append(l.set.Requirements, p.Requirements...)
	if l.set.RequiresPython == "" {
		l.set.RequiresPython = p.RequiresPython
	}
	if l.set.Environments == nil {
		l.set.Environments = p.Environments
	}
	if l.set.RequiredEnvironments == nil {
		l.set.RequiredEnvironments = p.RequiredEnvironments
	}
	return nil
}
