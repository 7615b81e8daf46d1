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
	if in.requirements, err = entries(s.Requirements); err != nil {
		return nil, err
	}
	if in.constraints, err = entries(s.Constraints); err != nil {
		return nil, err
	}
	if in.overrides, err = entries(s.Overrides); err != nil {
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
