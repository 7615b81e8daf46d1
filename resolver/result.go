package resolver

import (
	"slices"
	"strings"
)

// result builds the Result from the decisions.
func (s *solver) result() *Result {
	res := &Result{}
	// The projects with a decided node, sorted by name before any Package
	// is built (sorting pointers, not Packages); slot[base id] is then 1 +
	// the project's index in pkgs.
	slot := make([]int32, len(s.reg.byID))
	var order []*pkg
	for _, p := range s.reg.byID {
		if st := s.sol.st(p); st.decided && !p.isRoot() && slot[p.base.id] == 0 {
			slot[p.base.id] = -1
			order = append(order, p.base)
		}
	}
	slices.SortFunc(order, func(a, b *pkg) int { return strings.Compare(a.name, b.name) })
	for i, b := range order {
		slot[b.id] = int32(i + 1)
	}
	var pkgs []Package
	if len(order) > 0 {
		pkgs = make([]Package, len(order))
	}
	for _, p := range s.reg.byID {
		st := s.sol.st(p)
		if !st.decided || p.isRoot() {
			continue
		}
		pk := &pkgs[slot[p.base.id]-1]
		if pk.Name == "" { // the project's first decided node, in creation order
			*pk = Package{Name: p.name, Version: st.cand.v, Direct: p.base.direct}
		}
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
