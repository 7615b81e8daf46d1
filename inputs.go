package pylock

import (
	"errors"

	pyinputs "github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
)

// inputs is everything read from the user's files, as the pipeline uses it.
type inputs struct {
	requirements []pep508.Requirement
	constraints  []pep508.Requirement
	overrides    []pep508.Requirement
	files        []pyinputs.File // every file read, in order (includes too)

	// index options found in requirement files (first setter wins)
	indexURL   string
	extraIndex []string
	findLinks  []string
	pre        bool
	noIndex    bool
	format     reqfile.FormatControl // --only-binary / --no-binary: files, then flags
	warnings   []string

	requiresPython string // from pyproject.toml

	// [tool.pylock] environments / required-environments of a pyproject.toml
	environments, requiredEnvironments []pep508.Marker

	hashPins map[string]*hashPin // canonical name -> --hash options given (see hashpins.go)

	sources []source // where each requirement came from, for Tool.Via
	envRefs []string // the ${NAME}s the input files reference (see placeholderURL)

	direct []reqfile.Entry // requirements that are direct references (see directrefs.go)
	refs   *directRefs     // what they name, once materialised
}

// source is one requirement's provenance: the file that holds it (as
// opened; "<stdin>" for standard input) and its role.
type source struct {
	name, file string
	role       pyinputs.Role
}

// newInputs checks what the loader read (only index requirements can be
// locked) and collects the --hash pins.
func newInputs(s *pyinputs.Set) (*inputs, error) {
	in := &inputs{
		files:          s.Files,
		indexURL:       s.IndexURL,
		extraIndex:     s.ExtraIndexURLs,
		findLinks:      s.FindLinks,
		pre:            s.Pre,
		noIndex:        s.NoIndex,
		format:         s.Format,
		warnings:       s.Warnings,
		requiresPython: s.RequiresPython,

		environments:         s.Environments,
		requiredEnvironments: s.RequiredEnvironments,
	}
	var err error
	if in.requirements, in.direct, err = entries(s.Requirements, true); err != nil {
		return nil, err
	}
	if in.constraints, _, err = entries(s.Constraints, false); err != nil {
		return nil, err
	}
	if in.overrides, _, err = entries(s.Overrides, false); err != nil {
		return nil, err
	}
	for _, es := range [][]reqfile.Entry{s.Requirements, s.Constraints, s.Overrides} {
		if err := in.addHashPins(es); err != nil {
			return nil, err
		}
	}
	for role, es := range map[pyinputs.Role][]reqfile.Entry{pyinputs.Requirements: s.Requirements, pyinputs.Constraint: s.Constraints, pyinputs.Override: s.Overrides} {
		for _, e := range es {
			in.sources = append(in.sources, source{name: e.Requirement.NormalizedName(), file: e.File, role: role})
		}
	}
	in.envRefs = envRefs(s.Files)
	return in, nil
}

// entries returns the index requirements of es and, when allowDirect, its
// direct references (URLs, paths, editables) apart; otherwise a direct
// reference is an error (a constraint or override must name versions).
func entries(es []reqfile.Entry, allowDirect bool) ([]pep508.Requirement, []reqfile.Entry, error) {
	out := make([]pep508.Requirement, 0, len(es))
	var direct []reqfile.Entry
	for _, e := range es {
		switch {
		case e.Direct != nil && allowDirect:
			direct = append(direct, e)
		case e.Direct != nil || e.Editable || e.LocalPath || e.Requirement.URL != "":
			err := e.Errorf("a constraint or override cannot be a direct reference")
			err.Err = errors.New("put it in the requirements, or pin a version (name==1.0)")
			return nil, nil, err
		default:
			out = append(out, e.Requirement)
		}
	}
	return out, direct, nil
}
