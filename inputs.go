package pylock

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
)

// inputs is everything read from the user's files.
type inputs struct {
	requirements []pep508.Requirement
	constraints  []pep508.Requirement
	overrides    []pep508.Requirement
	files        []inputFile // every file read, in order (includes too)

	// index options found in requirement files (first setter wins)
	indexURL   string
	extraIndex []string
	findLinks  []string
	pre        bool
	noIndex    bool
	format     reqfile.FormatControl // --only-binary / --no-binary: files, then flags
	warnings   []string

	requiresPython string // from pyproject.toml

	hashPins map[string]*hashPin // canonical name -> --hash options given (see hashpins.go)
}

type inputFile struct {
	path string
	data []byte
}

// reader loads input files; stdin is read once.
type reader struct {
	stdin     io.Reader
	stdinData []byte
	stdinRead bool
	in        *inputs
	seen      map[string]bool
	pyopts    reqfile.PyprojectOptions // extras and groups of pyproject.toml inputs
}

func (r *reader) readFile(path string) ([]byte, error) {
	if path == "-" {
		if !r.stdinRead {
			r.stdinRead = true
			if r.stdin == nil {
				r.stdin = strings.NewReader("")
			}
			data, err := io.ReadAll(r.stdin)
			if err != nil {
				return nil, fmt.Errorf("reading stdin: %w", err)
			}
			r.stdinData = data
		}
		r.record("-", r.stdinData)
		return r.stdinData, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, unwrapPathError(err))
	}
	r.record(path, data)
	return data, nil
}

func (r *reader) record(path string, data []byte) {
	if r.seen[path] {
		return
	}
	r.seen[path] = true
	r.in.files = append(r.in.files, inputFile{path: path, data: data})
}

// unwrapPathError turns "open x: no such file or directory" into "no such
// file or directory" (the caller names the file).
func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// kind of an input file.
const (
	kindRequirements = iota
	kindConstraints
	kindOverrides
)

// load reads one input (requirements file, pyproject.toml or "-") into in.
func (r *reader) load(path string, kind int) error {
	if kind == kindRequirements && isPyproject(path) {
		return r.loadPyproject(path)
	}
	data, err := r.readFile(path)
	if err != nil {
		return err
	}
	name := path
	if path == "-" {
		name = "<stdin>"
	}
	f, err := reqfile.Parse(name, data, reqfile.Options{ReadFile: r.readFile})
	if err != nil {
		return err
	}
	reqs, err := entries(f.Requirements)
	if err != nil {
		return err
	}
	cons, err := entries(f.Constraints)
	if err != nil {
		return err
	}
	if err := r.in.addHashPins(append(slices.Clone(f.Requirements), f.Constraints...)); err != nil {
		return err
	}
	switch kind {
	case kindRequirements:
		r.in.requirements = append(r.in.requirements, reqs...)
	case kindConstraints:
		r.in.constraints = append(r.in.constraints, reqs...)
	case kindOverrides:
		r.in.overrides = append(r.in.overrides, reqs...)
	}
	r.in.constraints = append(r.in.constraints, cons...)
	if r.in.indexURL == "" {
		r.in.indexURL = f.IndexURL
	}
	r.in.extraIndex = append(r.in.extraIndex, f.ExtraIndexURLs...)
	r.in.findLinks = append(r.in.findLinks, f.FindLinks...)
	r.in.pre = r.in.pre || f.Pre
	r.in.noIndex = r.in.noIndex || f.NoIndex
	for _, v := range f.OnlyBinary {
		_ = r.in.format.AddOnlyBinary(v)
	}
	for _, v := range f.NoBinary {
		_ = r.in.format.AddNoBinary(v)
	}
	for _, w := range f.Warnings {
		r.in.warnings = append(r.in.warnings, w.Error())
	}
	return nil
}

// entries checks entries pylock can lock and returns their requirements.
func entries(es []reqfile.Entry) ([]pep508.Requirement, error) {
	out := make([]pep508.Requirement, 0, len(es))
	for _, e := range es {
		var what string
		switch {
		case e.Editable:
			what = "editable requirement"
		case e.LocalPath:
			what = "local path requirement"
		case e.Requirement.URL != "":
			what = "direct URL requirement"
		default:
			out = append(out, e.Requirement)
			continue
		}
		err := e.Errorf("unsupported %s", what)
		err.Err = errors.New("pylock locks packages from indexes only")
		return nil, err
	}
	return out, nil
}

func isPyproject(path string) bool {
	return path != "-" && filepath.Ext(path) == ".toml"
}

func (r *reader) loadPyproject(path string) error {
	data, err := r.readFile(path)
	if err != nil {
		return err
	}
	p, err := reqfile.ParsePyproject(path, data, r.pyopts)
	if err != nil {
		return err
	}
	reqs, err := entries(p.Requirements)
	if err != nil {
		return err
	}
	r.in.requirements = append(r.in.requirements, reqs...)
	if r.in.requiresPython == "" {
		r.in.requiresPython = p.RequiresPython
	}
	return nil
}

// HashInputs is the [tool.pylock] inputs-hash: "sha256:" + hex sha256 over
// the lines "<hex sha256 of file bytes>\n", one per input file in the order
// recorded in Tool.Inputs. Paths are not hashed, so moving the project does
// not change it.
func HashInputs(contents [][]byte) string {
	h := sha256.New()
	for _, c := range contents {
		s := sha256.Sum256(c)
		h.Write([]byte(hex.EncodeToString(s[:]) + "\n"))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// HashInputFiles reads paths (the files recorded in Tool.Inputs, in that
// order, as paths to open: Tool.Inputs are relative to the lock's
// directory) and returns HashInputs over their contents.
func HashInputFiles(paths []string) (string, error) {
	var cs [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		cs = append(cs, data)
	}
	return HashInputs(cs), nil
}
