package resolver

import (
	"sort"
	"strings"

	"github.com/pylock/pylock/pypi/pep508"
)

// merge combines fork results: the same name and version gets the Or of
// its markers; different versions stay separate entries. Markers are then
// simplified (see simplify) within base, the Requires-Python environments.
func merge(done []forkResult, base pep508.Marker, splits []pep508.Marker) *Result {
	out := &Result{}
	byKey := map[string]*Package{}
	var keys []string
	rootSeen := map[string]bool{}
	for _, fr := range done {
		out.Forks = append(out.Forks, fr.f.split)
		markers := reachMarkers(fr.res, fr.f.split)
		for _, p := range fr.res.Packages {
			m, ok := markers[p.Name]
			if !ok || m.IsFalse() || pep508.Disjoint(m, base) {
				continue // not reachable in any environment of the fork
			}
			k := p.Name + "\x00" + p.Version.String()
			up := byKey[k]
			if up == nil {
				up = &Package{Name: p.Name, Version: p.Version, Marker: pep508.False()}
				byKey[k] = up
				keys = append(keys, k)
			}
			up.Marker = pep508.Or(up.Marker, m)
			up.Direct = up.Direct || p.Direct
			up.Extras = unionStrings(up.Extras, p.Extras)
			up.Dependencies = unionEdges(up.Dependencies, p.Dependencies)
		}
		for _, e := range fr.res.Root {
			if k := edgeKey(e); !rootSeen[k] {
				rootSeen[k] = true
				out.Root = append(out.Root, e)
			}
		}
	}
	sortEdges(out.Root)
	cands := append(append([]pep508.Marker(nil), splits...), edgeMarkers(done)...)
	simp := pep508.NewSimplifier(base, cands...)
	for _, k := range keys {
		up := byKey[k]
		up.Marker = simp.Simplify(up.Marker)
		out.Packages = append(out.Packages, *up)
	}
	sort.SliceStable(out.Packages, func(i, j int) bool {
		a, b := out.Packages[i], out.Packages[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Version.Less(b.Version)
	})
	out.pruneEdges(base)
	return out
}

// pruneEdges drops every edge (of the root or of a package) that reaches
// no entry of the result: its target is absent, or the target's entries
// can never hold together with the edge's marker and its source's marker.
// A fork resolves a dependency wherever its own marker can hold in the
// fork, even when the dependent is reachable only elsewhere (a parent
// only on Windows, a child only on Linux); merge leaves such packages out,
// and the edges to them must go too, or the lock would name a dependency
// it does not contain.
func (r *Result) pruneEdges(base pep508.Marker) {
	reaches := func(where pep508.Marker, e Edge, extras []string) bool {
		m := pep508.And(where, edgeMarker(e, extras))
		for _, t := range r.Packages {
			if t.Name == e.Name && !pep508.Disjoint(m, t.Marker) {
				return true
			}
		}
		return false
	}
	keep := func(where pep508.Marker, es []Edge, extras []string) []Edge {
		out := es[:0:0]
		for _, e := range es {
			if reaches(where, e, extras) {
				out = append(out, e)
			}
		}
		return out
	}
	r.Root = keep(base, r.Root, nil)
	for i := range r.Packages {
		p := &r.Packages[i]
		p.Dependencies = keep(pep508.And(base, p.Marker), p.Dependencies, p.Extras)
	}
}

// reachMarkers computes, for each package of one fork's resolution, the
// environments in which some path from the root reaches it: the Or over
// paths of the fork marker and the markers of the edges on the path.
func reachMarkers(res *Result, forkMarker pep508.Marker) map[string]pep508.Marker {
	deps := map[string][]Edge{}
	extras := map[string][]string{}
	for _, p := range res.Packages {
		deps[p.Name] = p.Dependencies
		extras[p.Name] = p.Extras
	}
	cur := map[string]pep508.Marker{}
	for iter := 0; iter < 2*len(res.Packages)+4; iter++ {
		next := map[string]pep508.Marker{}
		add := func(name string, m pep508.Marker) {
			if old, ok := next[name]; ok {
				m = pep508.Or(old, m)
			}
			next[name] = m
		}
		for _, e := range res.Root {
			add(e.Name, pep508.And(forkMarker, edgeMarker(e, nil)))
		}
		for _, p := range res.Packages {
			pm, ok := cur[p.Name]
			if !ok {
				continue
			}
			for _, e := range deps[p.Name] {
				add(e.Name, pep508.And(pm, edgeMarker(e, extras[p.Name])))
			}
		}
		if sameMarkers(cur, next) {
			break
		}
		cur = next
	}
	return cur
}

// edgeMarker is the marker of an edge's requirement from a package with
// the given extras: `extra == "x" and rest` gives rest for a requested x;
// other markers mentioning "extra" count as true (the edge was active for
// the extras requested).
func edgeMarker(e Edge, extras []string) pep508.Marker {
	r, err := pep508.ParseRequirement(e.Requirement)
	if err != nil {
		return pep508.Marker{}
	}
	if !r.Marker.Mentions("extra") {
		return r.Marker
	}
	for _, x := range extras {
		if rest, ok := pep508.WithoutExtra(r.Marker, x); ok {
			return rest
		}
	}
	return pep508.Marker{}
}

func sameMarkers(a, b map[string]pep508.Marker) bool {
	if len(a) != len(b) {
		return false
	}
	for k, m := range a {
		if o, ok := b[k]; !ok || !o.Equal(m) {
			return false
		}
	}
	return true
}

func edgeKey(e Edge) string {
	return e.Name + "\x00" + strings.Join(e.Extras, ",") + "\x00" + e.Requirement
}

func unionEdges(a, b []Edge) []Edge {
	seen := map[string]bool{}
	for _, e := range a {
		seen[edgeKey(e)] = true
	}
	for _, e := range b {
		if k := edgeKey(e); !seen[k] {
			seen[k] = true
			a = append(a, e)
		}
	}
	sortEdges(a)
	return a
}

func unionStrings(a, b []string) []string {
	for _, s := range b {
		found := false
		for _, t := range a {
			found = found || s == t
		}
		if !found {
			a = append(a, s)
		}
	}
	sort.Strings(a)
	return a
}

// edgeMarkers lists the distinct markers of every edge in the forks'
// resolutions, in order of first appearance.
func edgeMarkers(done []forkResult) []pep508.Marker {
	var out []pep508.Marker
	seen := map[string]bool{}
	add := func(m pep508.Marker) {
		if k := m.String(); !m.IsTrue() && !seen[k] {
			seen[k] = true
			out = append(out, m)
		}
	}
	for _, fr := range done {
		for _, e := range fr.res.Root {
			add(edgeMarker(e, nil))
		}
		for _, p := range fr.res.Packages {
			for _, e := range p.Dependencies {
				add(edgeMarker(e, p.Extras))
			}
		}
	}
	return out
}

// DependencyVersions returns the versions of edge e's target that package
// p (nil for the root requirements) uses somewhere: those whose marker can
// hold together with p's marker and e's marker. A lock writer uses it to
// name the version of a dependency that appears at several versions.
func (r *Result) DependencyVersions(p *Package, e Edge) []Package {
	where := pep508.Marker{}
	var extras []string
	if p != nil {
		where, extras = p.Marker, p.Extras
	}
	where = pep508.And(where, edgeMarker(e, extras))
	var out []Package
	for _, t := range r.Packages {
		if t.Name == e.Name && !pep508.Disjoint(t.Marker, where) {
			out = append(out, t)
		}
	}
	return out
}
