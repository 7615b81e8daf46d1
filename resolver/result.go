package resolver

import (
	"slices"
	"strings"
)

// result builds the Result from the decisions.
func (s *solver) result() *Result {
	res := &Result{}
	// slot[base id] is 1 + the index in pkgs of the project's Package.
	slot := make([]int32, len(s.reg.byID))
	var pkgs []Package
	for _, p := range s.reg.byID {
		st := s.sol.st(p)
		if !st.decided || p.isRoot() {
			continue
		}
		i := slot[p.base.id] - 1
		if i < 0 {
			if pkgs == nil {
				pkgs = make([]Package, 0, len(s.reg.byID))
			}
			pkgs = append(pkgs, Package{Name: p.name, Version: st.cand.v, Direct: p.base.direct})
			i = int32(len(pkgs) - 1)
			slot[p.base.id] = i + 1
		}
		pk := &pkgs[i]
		if p.extra != "" {
			pk.Extras = append(pk.Extras, p.extra)
		}
		if dl := depsOf(p, st.cand); dl != nil && len(dl.edges) > 0 {
			if pk.Dependencies == nil {
				pk.Dependencies = slices.Clone(dl.edges)
			} else {
				pk.Dependencies = append(pk.Dependencies, dl.edges...)
			}
		}
	}
	slices.SortFunc(pkgs, func(a, b Package) int { return strings.Compare(a.Name, b.Name) })
	for i := range pkgs {
		slices.Sort(pkgs[i].Extras)
		sortEdges(pkgs[i].Dependencies)
	}
	res.Packages = pkgs
	if dl := depsOf(s.root, s.sol.st(s.root).cand); dl != nil {
		res.Root = append(res.Root, dl.edges...)
		sortEdges(res.Root)
	}
	return res
}

// sortEdges sorts by name, then extras and requirement text (stable).
func sortEdges(es []Edge) {
	if !slices.IsSortedFunc(es, cmpEdge) {
		slices.SortStableFunc(es, cmpEdge)
	}
}

// cmpEdge orders edges by Name, then by the comma-joined extras followed
// by the requirement text, compared as one string.
func cmpEdge(a, b Edge) int {
	if c := strings.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	if len(a.Extras) == 0 && len(b.Extras) == 0 {
		return strings.Compare(a.Requirement, b.Requirement)
	}
	return strings.Compare(strings.Join(a.Extras, ",")+a.Requirement, strings.Join(b.Extras, ",")+b.Requirement)
}
