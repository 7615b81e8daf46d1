package corpus

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep508"
)

// LoadResolvelibIndex reads a resolvelib PyPI snapshot
// ({project: {version: {"dependencies": [...]}}}). Every version becomes one
// py3-none-any wheel with no sdist, no Requires-Python and no upload time;
// Provides-Extra is derived from the `extra == '...'` markers. Top-level
// entries that are not objects (e.g. "needs_optimistic": true) are skipped.
// Versions that are not valid PEP 440 are kept as written.
func LoadResolvelibIndex(path string) (*Index, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("resolvelib index: %w", err)
	}
	return ParseResolvelibIndex(data, path)
}

// ParseResolvelibIndex is LoadResolvelibIndex on file contents; path is
// used in errors.
func ParseResolvelibIndex(data []byte, path string) (*Index, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("resolvelib index %s: %w", path, err)
	}
	idx := &Index{Projects: map[string]*Project{}}
	for name, msg := range raw {
		var vers map[string]struct {
			Dependencies json.RawMessage `json:"dependencies"`
		}
		if len(msg) == 0 || msg[0] != '{' {
			continue
		}
		if err := json.Unmarshal(msg, &vers); err != nil {
			return nil, fmt.Errorf("resolvelib index %s: project %s: %w", path, name, err)
		}
		p := idx.project(name)
		for v, d := range vers {
			deps, err := dependencyList(d.Dependencies)
			if err != nil {
				return nil, fmt.Errorf("resolvelib index %s: %s %s: %w", path, name, v, err)
			}
			p.Releases = append(p.Releases, &Release{
				Version:   v,
				Requires:  deps,
				Extras:    extrasOf(deps),
				WheelTags: []string{DefaultWheelTag},
				Wheel:     true,
			})
		}
	}
	idx.sortReleases()
	return idx, nil
}

// dependencyList decodes a "dependencies" value: a list of strings, or an
// empty object (toolz 0.10.0 in the dask snapshot).
func dependencyList(raw json.RawMessage) ([]string, error) {
	var deps []string
	if err := json.Unmarshal(raw, &deps); err == nil {
		return deps, nil
	}
	var empty map[string]json.RawMessage
	if err := json.Unmarshal(raw, &empty); err == nil && len(empty) == 0 {
		return nil, nil
	}
	return nil, fmt.Errorf("dependencies: want a list of strings, got %.60s", raw)
}

func extrasOf(reqs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range reqs {
		req, err := pep508.ParseRequirement(r)
		if err != nil {
			continue // reported when the requirement is used
		}
		for _, e := range req.Marker.Extras() {
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	sort.Strings(out)
	return out
}

type caseFile struct {
	Index      string                     `json:"index"`
	Requested  []string                   `json:"requested"`
	Resolved   map[string]json.RawMessage `json:"resolved"`
	Conflicted map[string][]string        `json:"conflicted"`
}

// LoadResolvelibCase reads one case file and its index. corpusDir is the
// corpus root (the directory holding resolvelib/) or the resolvelib
// directory itself; the index is <resolvelib>/index/<index>.json. Resolved
// versions may be written "1.0" or {"version": "1.0"}; names are
// canonicalised. A case with an empty "resolved" and no "conflicted" has no
// known answer (pyrex-1.9.8).
func LoadResolvelibCase(path, corpusDir string) (*Case, error) {
	c, indexPath, err := readCase(path, corpusDir)
	if err != nil {
		return nil, err
	}
	if c.Index, err = LoadResolvelibIndex(indexPath); err != nil {
		return nil, err
	}
	return c, nil
}

func readCase(path, corpusDir string) (*Case, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", fmt.Errorf("resolvelib case: %w", err)
	}
	var f caseFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, "", fmt.Errorf("resolvelib case %s: %w", path, err)
	}
	if f.Index == "" {
		return nil, "", fmt.Errorf("resolvelib case %s: no \"index\"", path)
	}
	c := &Case{
		Name:      trimExt(filepath.Base(path)),
		IndexName: f.Index,
		Requested: f.Requested,
		Resolved:  map[string]string{},
	}
	for n, raw := range f.Resolved {
		v, err := resolvedVersion(raw)
		if err != nil {
			return nil, "", fmt.Errorf("resolvelib case %s: resolved %s: %w", path, n, err)
		}
		c.Resolved[names.Canonicalize(n)] = v
	}
	if f.Conflicted != nil {
		c.Conflicted = map[string][]string{}
		for n, specs := range f.Conflicted {
			c.Conflicted[names.Canonicalize(n)] = specs
		}
	}
	dir := corpusDir
	if _, err := os.Stat(filepath.Join(dir, "resolvelib", "index")); err == nil {
		dir = filepath.Join(dir, "resolvelib")
	}
	return c, filepath.Join(dir, "index", f.Index+".json"), nil
}

func resolvedVersion(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var o struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &o); err != nil || o.Version == "" {
		return "", fmt.Errorf("want a version string or {\"version\": ...}, got %s", raw)
	}
	return o.Version, nil
}

// LoadAllResolvelib loads every case under <corpusDir>/resolvelib/case,
// sorted by name; cases naming the same index share one *Index (treat it as
// read-only).
func LoadAllResolvelib(corpusDir string) ([]*Case, error) {
	dir := corpusDir
	if _, err := os.Stat(filepath.Join(dir, "resolvelib", "case")); err == nil {
		dir = filepath.Join(dir, "resolvelib")
	}
	paths, err := filepath.Glob(filepath.Join(dir, "case", "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	indexes := map[string]*Index{}
	var out []*Case
	for _, p := range paths {
		c, ip, err := readCase(p, dir)
		if err != nil {
			return nil, err
		}
		if indexes[ip] == nil {
			if indexes[ip], err = LoadResolvelibIndex(ip); err != nil {
				return nil, err
			}
		}
		c.Index = indexes[ip]
		out = append(out, c)
	}
	return out, nil
}

// Satisfiable reports whether the case expects a resolution: "resolved" is
// non-empty and there is no "conflicted" (bench/run_peers.py's rule).
func (c *Case) Satisfiable() bool { return len(c.Resolved) > 0 && c.Conflicted == nil }

// Known reports whether the case has a known outcome (false for
// pyrex-1.9.8, on which resolvelib gives up).
func (c *Case) Known() bool { return len(c.Resolved) > 0 || c.Conflicted != nil }

func trimExt(s string) string { return s[:len(s)-len(filepath.Ext(s))] }
