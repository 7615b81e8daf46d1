package resolver

import (
	"context"
	"slices"
	"strings"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
)

// prepareRequirements indexes overrides, constraints, explicit pre-release
// opt-ins and yank pins from the root, constraints and overrides.
func (s *solver) prepareRequirements(root []pep508.Requirement) {
	s.overrides = map[string][]pep508.Requirement{}
	for _, r := range s.opts.Overrides {
		n := r.NormalizedName()
		s.overrides[n] = append(s.overrides[n], r)
	}
	s.explicitPre = map[string]bool{}
	s.pins = map[string][]pep440.SpecifierSet{}
	firstParty := append(append(append([]pep508.Requirement(nil), root...), s.opts.Constraints...), s.opts.Overrides...)
	for _, r := range firstParty {
		n := r.NormalizedName()
		if r.Specifier.MentionsPrerelease() {
			s.explicitPre[n] = true
		}
		for _, sp := range r.Specifier.Specifiers() {
			if sp.Op == "===" || sp.Op == "==" && !hasWildcard(sp.Version) {
				if ss, err := pep440.ParseSpecifierSet(sp.Op + sp.Version); err == nil {
					s.pins[n] = append(s.pins[n], ss)
				}
			}
		}
	}
	s.rootReqs = root
}

func hasWildcard(v string) bool { return len(v) > 0 && v[len(v)-1] == '*' }

// addConstraints adds {p ∈ ¬C} for every active constraint on p.
func (s *solver) addConstraints(p *pkg) {
	for _, c := range s.opts.Constraints {
		if c.NormalizedName() != p.name || !s.markerTrue(c.Marker, "") {
			continue
		}
		set := c.Specifier.Set()
		s.addIncompat(&incompat{
			terms: []term{{p, true, set.Complement()}},
			kind:  causeConstraint,
			req:   c.Specifier.String(),
		})
	}
}

// markerTrue evaluates m for the target with extra bound to extra ("" for
// none). Evaluation errors count as false, deterministically.
func (s *solver) markerTrue(m pep508.Marker, extra string) bool {
	if m.IsTrue() {
		return true
	}
	if s.univ != nil {
		return s.univ.possible(m, extra)
	}
	var ok bool
	var err error
	if extra == "" {
		ok, err = m.Evaluate(s.opts.Env)
	} else {
		ok, err = m.EvaluateExtras(s.opts.Env, []string{extra})
	}
	return ok && err == nil
}

// active reports whether requirement r applies to node p: for a project,
// its marker is true without extras; for p[x], it is true with extra x and
// not without (the project node carries the unconditional ones).
func (s *solver) active(m pep508.Marker, extra string) bool {
	if extra == "" {
		return s.markerTrue(m, "")
	}
	return !s.markerTrue(m, "") && s.markerTrue(m, extra)
}

// applyOverrides replaces a requirement on an overridden project by the
// overrides, each also conditioned on the original marker.
func (s *solver) applyOverrides(r pep508.Requirement, extra string) []pep508.Requirement {
	ovs, ok := s.overrides[r.NormalizedName()]
	if !ok {
		if s.active(r.Marker, extra) {
			return []pep508.Requirement{r}
		}
		return nil
	}
	if !s.active(r.Marker, extra) {
		return nil
	}
	var out []pep508.Requirement
	for _, o := range ovs {
		if s.markerTrue(o.Marker, "") {
			out = append(out, o)
		}
	}
	return out
}

// dependencies returns node p's requirements at candidate c (cached).
func (s *solver) dependencies(ctx context.Context, p *pkg, c *cand) (*depList, error) {
	if dl := depsOf(p, c); dl != nil {
		return dl, nil
	}
	dl := &depList{}
	var reqs []pep508.Requirement
	if p.isRoot() {
		reqs = s.rootReqs
	} else {
		md, err := s.provider.Metadata(ctx, p.name, c.v)
		switch why := classifyMetadataErr(err); {
		case err != nil && why == whyNone:
			return nil, withContext(p.name, p.name+"=="+c.v.String(), err)
		case err != nil:
			dl.why, dl.err = why, err
			dl.unavailable = unavailableReason(why) + ": " + err.Error()
		case !s.pythonOK(md.RequiresPython):
			dl.why = whyPython
			dl.unavailable = s.pythonReason(md.RequiresPython)
		default:
			reqs = md.RequiresDist
		}
		if p.extra != "" && dl.unavailable == "" {
			dl.deps = append(dl.deps, dep{pkg: p.base, set: s.span(p.base, c), spec: "==" + c.v.String()})
		}
	}
	active := reqs
	if len(s.overrides) > 0 || p.extra != "" || !allTrue(reqs) {
		active = nil
		for _, r := range reqs {
			active = append(active, s.applyOverrides(r, p.extra)...)
		}
	}
	if s.univ != nil {
		if err := s.univ.checkFork(p.name, p.String(), p.extra, c.v, active); err != nil {
			return nil, err
		}
	}
	if dl.deps == nil {
		dl.deps = make([]dep, 0, len(active))
	}
	dl.edges = make([]Edge, 0, len(active))
	for _, a := range active {
		s.addDep(dl, p, c.v, a)
	}
	byName := func(a, b Edge) int { return strings.Compare(a.Name, b.Name) }
	if !slices.IsSortedFunc(dl.edges, byName) {
		slices.SortStableFunc(dl.edges, byName)
	}
	setDeps(p, c, dl)
	return dl, nil
}

// allTrue reports whether every requirement of reqs is unconditional.
func allTrue(reqs []pep508.Requirement) bool {
	for i := range reqs {
		if !reqs[i].Marker.IsTrue() {
			return false
		}
	}
	return true
}

// addDep records requirement r of node p at version v: a term on the
// project and one on each requested extra. A requirement no version can
// satisfy, or one on p's own project that excludes v, makes v unusable;
// one on p's own project that v satisfies is trivially met (uv enforces
// self-requirements the same way).
func (s *solver) addDep(dl *depList, p *pkg, v pep440.Version, r pep508.Requirement) {
	name := r.NormalizedName()
	extras := r.NormalizedExtras()
	text := r.String()
	set := pep440.Full()
	spec := ""
	if r.URL == "" && r.Specifier.Len() > 0 {
		set = r.Specifier.Set()
		if len(r.Extras) == 0 && r.Marker.IsTrue() && strings.HasPrefix(text, r.Name) {
			spec = text[len(r.Name):] // the text is name + specifier: no second String
		} else {
			spec = r.Specifier.String()
		}
	}
	where := ""
	if s.univ != nil && !r.Marker.IsTrue() {
		where = " (where " + r.Marker.String() + ")" // markers matter in universal explanations
	}
	spec += where
	dl.edges = append(dl.edges, Edge{Name: name, Extras: extras, Requirement: text})
	target := s.reg.get(name, "")
	if p.isRoot() {
		target.direct = true
	}
	self := target == p.base && p.extra == ""
	if bad := badRequirement(set, self, p, v); bad != "" {
		shown := specAsWritten(r.Specifier)
		if len(extras) > 0 {
			shown = "[" + strings.Join(extras, ",") + "]" + shown
		}
		shown += where
		dl.deps = append(dl.deps, dep{pkg: target, set: set, spec: shown, bad: bad})
		return
	}
	if !self {
		dl.deps = append(dl.deps, dep{pkg: target, set: set, spec: spec})
	}
	for _, e := range extras {
		x := s.reg.get(name, e)
		if x != p {
			dl.deps = append(dl.deps, dep{pkg: x, set: set, spec: spec})
		}
	}
}

// badRequirement says why a requirement with version set can never be met
// by node p at v, or "".
func badRequirement(set pep440.Set, self bool, p *pkg, v pep440.Version) string {
	switch {
	case set.IsEmpty():
		return ", which no version can satisfy"
	case self && !set.Contains(v):
		return ", which excludes " + p.name + "==" + v.String() + " itself"
	}
	return ""
}

// specAsWritten joins the clauses of ss in input order ("String" sorts).
func specAsWritten(ss pep440.SpecifierSet) string {
	parts := make([]string, 0, ss.Len())
	for _, sp := range ss.Specifiers() {
		parts = append(parts, sp.Op+sp.Version)
	}
	return strings.Join(parts, ",")
}

// unavailableReason words a Provider.Metadata error kind.
func unavailableReason(why whyKind) string {
	switch why {
	case whyNeedsBuild:
		return "needs a source build for its metadata"
	case whyCannotBuild:
		return "cannot be used"
	case whyYanked:
		return "was yanked"
	}
	return "has invalid metadata"
}
