package sdist

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// Pyproject is what pylock reads from pyproject.toml: the PEP 518/517
// [build-system] table and the PEP 621 [project] table.
type Pyproject struct {
	BuildSystem *BuildSystem // nil when the table is absent
	Project     *Project     // nil when the table is absent
}

// BuildSystem is pyproject.toml's [build-system] table.
type BuildSystem struct {
	Requires     []string `toml:"requires"`
	BuildBackend string   `toml:"build-backend"`
	BackendPath  []string `toml:"backend-path"`
}

// Project is the part of PEP 621's [project] table that determines
// dependencies.
type Project struct {
	Name                 string              `toml:"name"`
	Version              string              `toml:"version"`
	RequiresPython       string              `toml:"requires-python"`
	Dependencies         []string            `toml:"dependencies"`
	OptionalDependencies map[string][]string `toml:"optional-dependencies"`
	Dynamic              []string            `toml:"dynamic"`
}

// ParsePyproject decodes pyproject.toml. Errors name the file, and the
// line and column for TOML syntax errors.
func ParsePyproject(data []byte) (*Pyproject, error) {
	var raw struct {
		BuildSystem *BuildSystem `toml:"build-system"`
		Project     *Project     `toml:"project"`
	}
	if err := toml.Unmarshal(data, &raw); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return nil, fmt.Errorf("pyproject.toml:%d:%d: %s", row, col, de.Error())
		}
		return nil, fmt.Errorf("pyproject.toml: %w", err)
	}
	return &Pyproject{BuildSystem: raw.BuildSystem, Project: raw.Project}, nil
}

// isDynamic reports whether [project].dynamic lists field.
func (p *Project) isDynamic(field string) bool {
	for _, d := range p.Dynamic {
		if strings.EqualFold(strings.TrimSpace(d), field) {
			return true
		}
	}
	return false
}

// StaticMetadata converts [project] to core metadata when its dependency
// fields are static. why is non-empty (and m nil) when a build is needed.
// version is used when [project].version is dynamic ("" = unknown). A
// malformed dependency is an error naming it.
func (pp *Pyproject) StaticMetadata(version string) (m *index.Metadata, why string, err error) {
	p := pp.Project
	if p == nil {
		return nil, "pyproject.toml has no [project] table", nil
	}
	for _, f := range []string{"dependencies", "optional-dependencies", "requires-python"} {
		if p.isDynamic(f) {
			return nil, "pyproject.toml lists " + f + " in [project].dynamic", nil
		}
	}
	if p.Name == "" || p.isDynamic("name") {
		return nil, "", errors.New("pyproject.toml: [project].name is missing")
	}
	if p.Version != "" && !p.isDynamic("version") {
		version = p.Version
	}
	if version == "" {
		return nil, "pyproject.toml lists version in [project].dynamic", nil
	}
	m = &index.Metadata{MetadataVersion: "2.2", Name: p.Name, Version: version, RequiresPython: p.RequiresPython}
	if p.RequiresPython != "" {
		if _, err := pep440.ParseSpecifierSet(p.RequiresPython); err != nil {
			return nil, "", fmt.Errorf("pyproject.toml: [project].requires-python: %q: %w", p.RequiresPython, err)
		}
	}
	for _, d := range p.Dependencies {
		if _, err := pep508.ParseRequirement(d); err != nil {
			return nil, "", fmt.Errorf("pyproject.toml: [project].dependencies: %q: %w", d, err)
		}
		m.RequiresDist = append(m.RequiresDist, d)
	}
	extras := make([]string, 0, len(p.OptionalDependencies))
	for e := range p.OptionalDependencies {
		extras = append(extras, e)
	}
	sort.Strings(extras)
	for _, e := range extras {
		if !names.IsValid(e) {
			return nil, "", fmt.Errorf("pyproject.toml: [project.optional-dependencies]: invalid extra name %q", e)
		}
		ne := names.Canonicalize(e)
		m.ProvidesExtra = append(m.ProvidesExtra, ne)
		for _, d := range p.OptionalDependencies[e] {
			s, err := withExtra(d, ne)
			if err != nil {
				return nil, "", fmt.Errorf("pyproject.toml: [project.optional-dependencies].%s: %q: %w", e, d, err)
			}
			m.RequiresDist = append(m.RequiresDist, s)
		}
	}
	return m, "", nil
}

// withExtra returns requirement d restricted to extra e, as a backend
// writes it into METADATA: `d; extra == "e"`, or `d; (m) and extra == "e"`.
func withExtra(d, e string) (string, error) {
	r, err := pep508.ParseRequirement(d)
	if err != nil {
		return "", err
	}
	extra := `extra == "` + e + `"`
	marker := r.Marker.String()
	r.Marker = pep508.Marker{}
	base := r.String()
	if r.URL != "" {
		base += " " // "name @ url ;" needs the space
	}
	if marker == "" {
		return base + "; " + extra, nil
	}
	return base + "; (" + marker + ") and " + extra, nil
}
