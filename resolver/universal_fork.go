package resolver

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// fork is one marker-partitioned sub-resolution of a universal resolution.
type fork struct {
	marker pep508.Marker // environments of the fork, Requires-Python included
	split  pep508.Marker // the fork conditions alone (true for the root fork)
	// requiresPython is the project's Requires-Python, for explanations.
	requiresPython string
	cache          map[string]bool
	// noFork lists the versions ("node\x00version") whose dependency lists
	// may not fork here: an earlier split on them was discarded.
	noFork map[string]bool
	// exclusions are versions made unusable by required environments
	// (shared by every fork of one round; see universal_required.go).
	exclusions *[]exclusion
}

// forbidFork records that node (of project) at v may no longer fork f.
func (f *fork) forbidFork(project, node string, v pep440.Version) {
	if f.noFork == nil {
		f.noFork = map[string]bool{}
	}
	f.noFork[node+"\x00"+v.String()] = true
}

// derive returns a child fork of f with marker and split.
func (f *fork) derive(marker, split pep508.Marker) *fork {
	return &fork{marker: marker, split: split, requiresPython: f.requiresPython, exclusions: f.exclusions}
}

// possible reports whether marker m, with extra bound to extra ("" for
// none), can hold in some environment of the fork.
func (f *fork) possible(m pep508.Marker, extra string) bool {
	key := extra + "\x00" + m.String()
	if ok, found := f.cache[key]; found {
		return ok
	}
	if f.cache == nil {
		f.cache = map[string]bool{}
	}
	ok := !pep508.Disjoint(pep508.And(m, extraMarker(extra)), f.marker)
	f.cache[key] = ok
	return ok
}

// extraMarker is `extra == "x"`, or `extra == ""` for no extra.
func extraMarker(extra string) pep508.Marker {
	m, err := pep508.Compare("extra", "==", extra)
	if err != nil {
		return pep508.Marker{}
	}
	return m
}

// forkSignal stops a fork's solver: the dependency list of node at version
// v requires the fork to split into children.
type forkSignal struct {
	project  string // node's project ("" for the root)
	node     string
	v        pep440.Version
	name     string
	children []*fork
}

// Error describes the fork (a forkSignal is internal control flow).
func (e *forkSignal) Error() string {
	return fmt.Sprintf("%s==%s forks on %s into %d environments", e.node, e.v, e.name, len(e.children))
}

// checkFork returns a *forkSignal when the active requirements reqs of one
// dependency list name a project with markers in two or more groups of
// disjoint environments within the fork.
// The requirements of an extra's node ("a[x]") carry `extra == "x"`;
// it is taken off (pep508.WithoutExtra) before splitting.
func (f *fork) checkFork(project, node, extra string, v pep440.Version, reqs []pep508.Requirement) error {
	if f.noFork[node+"\x00"+v.String()] {
		return nil
	}
	var order []string
	byName := map[string][]pep508.Marker{}
	for _, r := range reqs {
		n := r.NormalizedName()
		if _, ok := byName[n]; !ok {
			order = append(order, n)
		}
		m := r.Marker
		if extra != "" {
			if s, ok := pep508.WithoutExtra(m, extra); ok {
				m = s
			}
		}
		byName[n] = append(byName[n], m)
	}
	for _, n := range order {
		if children := f.cut(byName[n]); children != nil {
			return &forkSignal{project: project, node: node, v: v, name: n, children: children}
		}
	}
	return nil
}

// cut partitions the fork by the markers of the requirements on one
// project, as uv does: every marker that holds in part of a cell (and not
// all of it) cuts the cell in two, so each resulting cell sees each
// requirement either everywhere or nowhere. It returns the cells as child
// forks, or nil when the markers do not cut the fork. Cells with identical
// resolutions merge later (merge).
func (f *fork) cut(ms []pep508.Marker) []*fork {
	if len(ms) < 2 {
		return nil
	}
	for _, m := range ms {
		if m.Mentions("extra") {
			return nil
		}
	}
	cells := []pep508.Marker{f.split}
	var simp *pep508.Simplifier // made when a cell is cut
	for _, m := range ms {
		if m.IsTrue() {
			continue
		}
		var next []pep508.Marker
		for _, c := range cells {
			in, out := pep508.And(c, m), pep508.And(c, pep508.Not(m))
			if f.empty(in) || f.empty(out) || in.Equal(c) || out.Equal(c) {
				next = append(next, c) // m holds in all of c or in none of it
				continue
			}
			if simp == nil {
				simp = pep508.NewSimplifier(pep508.Marker{}, ms...)
			}
			next = append(next, simp.Simplify(in), simp.Simplify(out))
		}
		cells = next
	}
	if len(cells) < 2 {
		return nil
	}
	children := make([]*fork, len(cells))
	for i, c := range cells {
		children[i] = f.derive(pep508.And(f.marker, c), c)
	}
	return children
}

// child is the fork of f restricted to m.
func (f *fork) child(m pep508.Marker) *fork {
	return f.derive(pep508.And(f.marker, m), pep508.And(f.split, m))
}

// empty reports whether no environment of the fork satisfies m (as far
// as pep508.Disjoint can prove).
func (f *fork) empty(m pep508.Marker) bool {
	return m.IsFalse() || pep508.Disjoint(m, f.marker)
}

// requiresPythonMarker turns a Requires-Python specifier into the root
// fork's marker (pep508.RequiresPython) and the lowest allowed Python,
// which candidates' Requires-Python must admit (zero when unbounded).
func requiresPythonMarker(spec string) (pep508.Marker, pep440.Version, error) {
	var low pep440.Version
	m, err := pep508.RequiresPython(spec)
	if err != nil {
		return m, low, fmt.Errorf("requires-python %q: %w", spec, err)
	}
	if strings.TrimSpace(spec) == "" {
		return m, low, nil
	}
	ss, err := pep440.ParseSpecifierSet(spec)
	if err != nil {
		return m, low, fmt.Errorf("requires-python %q: %w", spec, err)
	}
	for _, sp := range ss.Specifiers() {
		if sp.Op != ">=" && sp.Op != ">" && sp.Op != "~=" {
			continue
		}
		v, err := pep440.Parse(sp.Version)
		if err != nil {
			return m, low, fmt.Errorf("requires-python %q: %w", spec, err)
		}
		if low.IsZero() || low.Less(v) {
			low = v
		}
	}
	return m, low, nil
}

// majorMinor is "X.Y" of v's release.
func majorMinor(v pep440.Version) string {
	parts := strings.Split(v.Release(), ".")
	for len(parts) < 2 {
		parts = append(parts, "0")
	}
	return parts[0] + "." + parts[1]
}

// universalProvider marks every wheel compatible: a universal lock lists
// all wheels, whatever the machine running the resolver.
type universalProvider struct{ Provider }

// Candidates returns p's candidates with every wheel compatible.
func (u universalProvider) Candidates(ctx context.Context, name string) ([]Candidate, error) {
	cs, err := u.Provider.Candidates(ctx, name)
	out := make([]Candidate, len(cs))
	for i, c := range cs {
		out[i] = Candidate{Version: c.Version, Dists: append([]Dist(nil), c.Dists...)}
		for j := range out[i].Dists {
			if out[i].Dists[j].Wheel {
				out[i].Dists[j].Compatible = true
			}
		}
	}
	return out, err
}

// lowestPython is the lowest Python of the fork's environments: the
// highest version v, among floor and those the fork's marker compares
// Python with, such that the fork proves Python >= v. Candidates'
// Requires-Python must admit it (so a fork for python_version >= "3.10"
// may use versions that need 3.10 although the project allows 3.8).
func (f *fork) lowestPython(floor pep440.Version) pep440.Version {
	var vs []pep440.Version
	for _, c := range f.marker.Comparisons() {
		if key, val, reversed, ok := c.VarValue(); ok && !reversed &&
			(key == "python_version" || key == "python_full_version") && !strings.Contains(val, "*") {
			if v, err := pep440.Parse(val); err == nil {
				vs = append(vs, v)
			}
		}
	}
	sort.Slice(vs, func(i, j int) bool { return vs[j].Less(vs[i]) })
	for _, v := range vs {
		if !floor.IsZero() && !floor.Less(v) {
			break
		}
		if f.provesAtLeast(v) {
			return v
		}
	}
	return floor
}

// provesAtLeast reports whether every environment of the fork has
// Python >= v (by python_full_version, or python_version for "X.Y").
func (f *fork) provesAtLeast(v pep440.Version) bool {
	full, err := pep508.Compare("python_full_version", "<", v.String())
	if err == nil && pep508.Disjoint(f.marker, full) {
		return true
	}
	if strings.Count(v.String(), ".") != 1 {
		return false
	}
	short, err := pep508.Compare("python_version", "<", v.String())
	return err == nil && pep508.Disjoint(f.marker, short)
}
