package corpus

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/pylock/pylock/pypi/names"
)

// Packse defaults (packse's own schema, see corpus/README.md).
const (
	DefaultRequiresPython = ">=3.12"
	DefaultWheelTag       = "py3-none-any"
	DefaultPython         = "3.12"
)

type packseFile struct {
	Name        string
	Description string
	Root        struct {
		Requires       []string
		RequiresPython string `toml:"requires_python"`
	}
	Expected struct {
		Satisfiable *bool
		Packages    map[string]string
		Explanation string
	}
	Environment struct {
		Python           string
		AdditionalPython []string `toml:"additional_python"`
	}
	ResolverOptions struct {
		Python               string
		Universal            bool
		PythonPlatform       string   `toml:"python_platform"`
		Prereleases          bool     `toml:"prereleases"`
		NoBuild              []string `toml:"no_build"`
		NoBinary             []string `toml:"no_binary"`
		RequiredEnvironments []string `toml:"required_environments"`
	} `toml:"resolver_options"`
	Packages map[string]struct {
		Versions map[string]packseVersion
	}
}

type packseVersion struct {
	Requires       []string
	Extras         map[string][]string
	RequiresPython *string  `toml:"requires_python"`
	WheelTags      []string `toml:"wheel_tags"`
	Sdist          *bool
	Wheel          *bool
	Yanked         bool
	UploadTime     any `toml:"upload_time"`
}

// LoadPackse reads one packse scenario TOML file. Unknown keys are errors so
// that a scenario option the runner does not understand is never silently
// ignored. Absent fields take packse's defaults: requires_python ">=3.12",
// sdist and wheel true, wheel tag py3-none-any, target Python
// resolver_options.python, else environment.python, else "3.12". Extras
// become Requires lines with an `extra == "x"` marker (names normalised as
// PEP 685), combined with an existing marker as `(m) and extra == "x"`.
func LoadPackse(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("packse: %w", err)
	}
	return ParsePackse(data, path)
}

// ParsePackse is LoadPackse on file contents; path is used in errors and
// recorded as Scenario.Path.
func ParsePackse(data []byte, path string) (*Scenario, error) {
	var f packseFile
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("packse %s: %w", path, describeTOMLError(err))
	}
	if f.Expected.Satisfiable == nil {
		return nil, fmt.Errorf("packse %s: [expected] satisfiable is missing", path)
	}
	s := &Scenario{
		Name:           f.Name,
		Description:    f.Description,
		Path:           path,
		Root:           f.Root.Requires,
		RequiresPython: f.Root.RequiresPython,
		Expected: Expected{
			Satisfiable: *f.Expected.Satisfiable,
			Explanation: f.Expected.Explanation,
		},
		Python:          firstNonEmpty(f.ResolverOptions.Python, f.Environment.Python, DefaultPython),
		InstalledPython: firstNonEmpty(f.Environment.Python, DefaultPython),
		Options: ScenarioOptions{
			Universal:            f.ResolverOptions.Universal,
			PythonPlatform:       f.ResolverOptions.PythonPlatform,
			Prereleases:          f.ResolverOptions.Prereleases,
			NoBuild:              f.ResolverOptions.NoBuild,
			NoBinary:             f.ResolverOptions.NoBinary,
			RequiredEnvironments: f.ResolverOptions.RequiredEnvironments,
			AdditionalPython:     f.Environment.AdditionalPython,
		},
		Index: &Index{Projects: map[string]*Project{}},
	}
	if f.Expected.Packages != nil {
		s.Expected.Packages = map[string]string{}
		for n, v := range f.Expected.Packages {
			s.Expected.Packages[names.Canonicalize(n)] = v
		}
	}
	for name, pkg := range f.Packages {
		p := s.Index.project(name)
		for ver, pv := range pkg.Versions {
			r, err := pv.release(ver)
			if err != nil {
				return nil, fmt.Errorf("packse %s: package %s %s: %w", path, name, ver, err)
			}
			p.Releases = append(p.Releases, r)
		}
	}
	s.Index.sortReleases()
	return s, nil
}

func (pv packseVersion) release(ver string) (*Release, error) {
	r := &Release{
		Version:        ver,
		Requires:       append([]string(nil), pv.Requires...),
		RequiresPython: DefaultRequiresPython,
		Wheel:          pv.Wheel == nil || *pv.Wheel,
		Sdist:          pv.Sdist == nil || *pv.Sdist,
		Yanked:         pv.Yanked,
	}
	if pv.RequiresPython != nil {
		r.RequiresPython = *pv.RequiresPython
	}
	if r.Wheel {
		r.WheelTags = pv.WheelTags
		if len(r.WheelTags) == 0 {
			r.WheelTags = []string{DefaultWheelTag}
		}
	}
	extras := make([]string, 0, len(pv.Extras))
	for e := range pv.Extras {
		extras = append(extras, e)
	}
	sort.Strings(extras)
	for _, e := range extras {
		norm := names.Canonicalize(e)
		r.Extras = append(r.Extras, norm)
		for _, req := range pv.Extras[e] {
			r.Requires = append(r.Requires, withExtraMarker(req, norm))
		}
	}
	t, err := parseUploadTime(pv.UploadTime)
	if err != nil {
		return nil, err
	}
	r.UploadTime = t
	return r, nil
}

// withExtraMarker appends `extra == "x"` to a requirement string, combining it
// with an existing marker as `(m) and extra == "x"`.
func withExtraMarker(req, extra string) string {
	cond := fmt.Sprintf("extra == %q", extra)
	if i := strings.IndexByte(req, ';'); i >= 0 {
		m := strings.TrimSpace(req[i+1:])
		if m != "" {
			return strings.TrimSpace(req[:i]) + " ; (" + m + ") and " + cond
		}
		req = req[:i]
	}
	return strings.TrimSpace(req) + " ; " + cond
}

func parseUploadTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return t.UTC(), nil
	case toml.LocalDateTime:
		return t.AsTime(time.UTC), nil
	case string:
		tt, err := time.Parse(time.RFC3339, t)
		if err != nil {
			return time.Time{}, fmt.Errorf("upload_time %q: not RFC 3339: %w", t, err)
		}
		return tt.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("upload_time: unsupported value %v (%T)", v, v)
}

// LoadAllPackse loads every *.toml scenario under dir (recursively), sorted
// by path.
func LoadAllPackse(dir string) ([]*Scenario, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".toml") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("packse: %w", err)
	}
	sort.Strings(paths)
	out := make([]*Scenario, 0, len(paths))
	for _, p := range paths {
		s, err := LoadPackse(p)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Topic returns the scenario's group directory and file stem relative to
// root ("local/local-simple"), for test names.
func (s *Scenario) Topic(root string) string {
	rel, err := filepath.Rel(root, s.Path)
	if err != nil {
		rel = filepath.Base(s.Path)
	}
	return strings.TrimSuffix(filepath.ToSlash(rel), ".toml")
}

func describeTOMLError(err error) error {
	var de *toml.DecodeError
	if ok := asDecodeError(err, &de); ok {
		row, col := de.Position()
		return fmt.Errorf("%d:%d: %s", row, col, de.Error())
	}
	var sm *toml.StrictMissingError
	if asStrict(err, &sm) {
		return fmt.Errorf("%s", strings.TrimSpace(sm.String()))
	}
	return err
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
