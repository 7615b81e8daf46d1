package resolver

import (
	"sort"
	"strings"
)

// result builds the Result from the decisions.
func (s *solver) result() *Result {
	res := &Result{}
	byName := map[string]*Package{}
	var names []string
	for _, p := range s.reg.byID {
		st := s.sol.st(p)
		if !st.decided || p.isRoot() {
			continue
		}
		pk := byName[p.name]
		if pk == nil {
			pk = &Package{Name: p.name, Version: st.version, Direct: p.base.direct}
			byName[p.name] = pk
			names = append(names, p.name)
		}
		if p.extra != "" {
			pk.Extras = append(pk.Extras, p.extra)
		}
		if dl := p.deps[st.cand]; dl != nil {
			pk.Dependencies = append(pk.Dependencies, dl.edges...)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		pk := byName[n]
		sort.Strings(pk.Extras)
		sortEdges(pk.Dependencies)
		res.Packages = append(res.Packages, *pk)
	}
	if dl := s.root.deps[s.sol.st(s.root).cand]; dl != nil {
		res.Root = append(res.Root, dl.edges...)
		sortEdges(res.Root)
	}
	return res
}

func sortEdges(es []Edge) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Name != es[j].Name {
			return es[i].Name < es[j].Name
		}
		return strings.Join(es[i].Extras, ",")+es[i].Requirement < strings.Join(es[j].Extras, ",")+es[j].Requirement
	})
}
