package resolver

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/pylock/pylock/pypi/pep440"
)

// rangeStr renders set for p as a specifier suffix ("==1.0", ">=1.0",
// ">=1.0,<=2.0"), collapsing to the candidate versions it covers when they
// are contiguous; all is true when set covers every candidate.
func (s *solver) rangeStr(p *pkg, set pep440.Set) (str string, all bool) {
	cands := p.base.cands
	if set.IsFull() && len(cands) != 1 {
		return "", true
	}
	if p.isRoot() || len(cands) == 0 {
		return s.setStr(set), false
	}
	first, last, n := -1, -1, 0
	for i, c := range cands {
		if !c.usable {
			continue // neither here nor there
		}
		if set.Contains(c.v) {
			if first < 0 {
				first = i
			}
			last = i
			n++
		}
	}
	usable := 0
	lo, hi := -1, -1
	for i, c := range cands {
		if c.usable {
			if lo < 0 {
				lo = i
			}
			hi = i
			usable++
		}
	}
	inside := 0
	for i := first; i >= 0 && i <= last; i++ {
		if cands[i].usable {
			inside++
		}
	}
	switch {
	case n == 0 || n != inside:
		return s.setStr(set), false
	case n == usable && n > 1:
		return "", true
	case first == last:
		return "==" + cands[first].v.String(), false
	case last == hi:
		return ">=" + cands[first].v.String(), false
	case first == lo:
		return "<=" + cands[last].v.String(), false
	}
	return ">=" + cands[first].v.String() + ",<=" + cands[last].v.String(), false
}

func (s *solver) setStr(set pep440.Set) string {
	str := strings.ReplaceAll(set.String(), ", ", ",")
	if strings.Contains(str, " | ") {
		return " " + str
	}
	return str
}

// pkgRange renders "a>=1.0" or "a" / "all versions of a".
func (s *solver) pkgRange(p *pkg, set pep440.Set, allWord string) string {
	r, all := s.rangeStr(p, set)
	if all {
		return allWord + p.String()
	}
	return p.String() + r
}

// termStr renders a term as a positive statement about the package.
func (s *solver) termStr(t term) string {
	if t.pkg.isRoot() {
		return "your requirements"
	}
	return s.pkgRange(t.pkg, t.set, "")
}

// describe renders one incompatibility as a clause.
func (s *solver) describe(ic *incompat) string {
	switch ic.kind {
	case causeRoot:
		return "you require your requirements"
	case causeDependency:
		return s.describeDep(ic)
	case causeNoVersions:
		return ic.reason
	case causeUnavailable:
		return s.termStr(ic.terms[0]) + " " + ic.reason
	case causeConstraint:
		return "your constraints require " + ic.terms[0].pkg.String() + ic.req
	case causeConflictHook:
		return s.termStr(ic.terms[0]) + " cannot be installed with " + s.termStr(ic.terms[1]) + " (" + ic.reason + ")"
	case causeBadDep:
		return s.requirer(ic.terms[0]) + ic.to.String() + ic.req + ic.reason
	}
	return s.describeDerived(ic)
}

// requirer renders the requiring side of a dependency, verb included:
// "you require ", "a==1.0 depends on ", "all versions of a depend on ".
func (s *solver) requirer(from term) string {
	if from.pkg.isRoot() {
		return "you require "
	}
	if r, all := s.rangeStr(from.pkg, from.set); !all {
		return from.pkg.String() + r + " depends on "
	}
	return "all versions of " + from.pkg.String() + " depend on "
}

func (s *solver) describeDep(ic *incompat) string {
	from, to := ic.terms[0], ic.terms[1]
	target := to.pkg.String() + ic.req
	if ic.req == "" && !to.set.IsFull() {
		target = s.pkgRange(to.pkg, to.set, "")
	}
	return s.requirer(from) + target
}

func (s *solver) describeDerived(ic *incompat) string {
	var pos, neg []term
	for _, t := range ic.terms {
		if t.pos {
			pos = append(pos, t)
		} else {
			neg = append(neg, t)
		}
	}
	switch {
	case ic.isFailure():
		return "your requirements are unsatisfiable"
	case len(ic.terms) == 1 && len(pos) == 1:
		return s.termStr(pos[0]) + " cannot be used"
	case len(ic.terms) == 1:
		return s.termStr(neg[0]) + " is required"
	case len(ic.terms) == 2 && len(pos) == 1:
		if pos[0].pkg.isRoot() {
			return "you require " + s.termStr(neg[0])
		}
		return s.termStr(pos[0]) + " requires " + s.termStr(neg[0])
	case len(ic.terms) == 2 && len(pos) == 2:
		return s.termStr(pos[0]) + " is incompatible with " + s.termStr(pos[1])
	case len(ic.terms) == 2:
		return "either " + s.termStr(neg[0]) + " or " + s.termStr(neg[1]) + " is required"
	case len(neg) == 0:
		return "one of " + s.joinTerms(pos, ", ") + " must be false"
	case len(pos) == 0:
		return "one of " + s.joinTerms(neg, ", ") + " must be true"
	}
	return "if " + s.joinTerms(pos, " and ") + " then " + s.joinTerms(neg, " or ")
}

func (s *solver) joinTerms(ts []term, sep string) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = s.termStr(t)
	}
	return strings.Join(parts, sep)
}

// noVersionsReason explains why no candidate of p in set is usable.
func (s *solver) noVersionsReason(p *pkg, set pep440.Set) string {
	what := s.pkgRange(p, set, "")
	if p.base.notFound != nil {
		return notFoundReason(p.name, p.base.notFound)
	}
	var in []*cand
	for _, c := range p.base.cands {
		if set.Contains(c.v) {
			in = append(in, c)
		}
	}
	if len(in) == 0 {
		if len(p.base.cands) == 0 {
			return "there is no version of " + p.name
		}
		return "there is no version of " + p.String() + s.setStr(set)
	}
	// Group consecutive versions with the same reason.
	var parts []string
	for i := 0; i < len(in); {
		j := i
		for j+1 < len(in) && in[j+1].reason == in[i].reason {
			j++
		}
		vs := p.name + "==" + in[i].v.String()
		if j > i {
			vs = p.name + ">=" + in[i].v.String() + ",<=" + in[j].v.String()
		}
		parts = append(parts, vs+" "+in[i].reason)
		i = j + 1
	}
	if len(in) == 1 {
		return parts[0]
	}
	return "no version of " + what + " can be used (" + strings.Join(parts, "; ") + ")"
}

// notFoundReason says that project name is not on the index, and where
// it was looked for when the provider said so with a *ProviderError.
func notFoundReason(name string, err error) string {
	var pe *ProviderError
	if !errors.As(err, &pe) {
		return name + " was not found in the package index"
	}
	switch {
	case pe.Where != "":
		msg := name + " was not found on " + pe.Where
		if pe.Status != 0 {
			msg += " (" + strconv.Itoa(pe.Status) + ")"
		}
		return msg
	case pe.Err != nil:
		return name + " was not found in the package index (" + pe.Err.Error() + ")"
	}
	return name + " was not found in the package index"
}

// explain renders the derivation of the failure ic (PubGrub's error
// reporting: numbered lines for shared sub-derivations), then hints.
func (s *solver) explain(ic *incompat) string {
	r := &reporter{s: s, counts: map[*incompat]int{}, lines: map[*incompat]int{}}
	r.count(ic)
	if !ic.derived() {
		r.write(nil, "Because "+s.describe(ic)+", your requirements are unsatisfiable.", false)
	} else {
		r.visit(ic, false)
	}
	return r.String() + s.hints(ic)
}

// partialExplanation describes the most recent learned conflict, for
// BudgetError.
func (s *solver) partialExplanation(why string) string {
	if s.last == nil {
		return why + " before any conflict was found"
	}
	r := &reporter{s: s, counts: map[*incompat]int{}, lines: map[*incompat]int{}}
	r.count(s.last)
	if s.last.derived() {
		r.visit(s.last, false)
	} else {
		r.write(nil, s.describe(s.last)+".", false)
	}
	return why + "; the last conflict found:\n" + r.String()
}

type reporter struct {
	s      *solver
	counts map[*incompat]int
	lines  map[*incompat]int
	out    []line
	next   int
}

type line struct {
	text string
	num  int
}

func (r *reporter) count(ic *incompat) {
	r.counts[ic]++
	if r.counts[ic] > 1 || !ic.derived() {
		return
	}
	r.count(ic.c1)
	r.count(ic.c2)
}

func (r *reporter) write(ic *incompat, text string, numbered bool) {
	if numbered && ic != nil {
		r.next++
		r.lines[ic] = r.next
		r.out = append(r.out, line{text, r.next})
		return
	}
	r.out = append(r.out, line{text, 0})
}

func (r *reporter) str(ic *incompat) string {
	if ic.isFailure() {
		return "your requirements are unsatisfiable"
	}
	return r.s.describe(ic)
}

func (r *reporter) ref(ic *incompat) string {
	return r.str(ic) + " (" + itoa(r.lines[ic]) + ")"
}

func (r *reporter) and(a, b *incompat) string {
	if isNotFound(b) && !isNotFound(a) {
		a, b = b, a // "x was not found on URL and you require x"
	}
	as, bs := r.str(a), r.str(b)
	if n := r.lines[a]; n > 0 {
		as += " (" + itoa(n) + ")"
	}
	if n := r.lines[b]; n > 0 {
		bs += " (" + itoa(n) + ")"
	}
	if both := r.dependsOnBoth(a, b); both != "" {
		return both
	}
	if as == bs {
		return as
	}
	if a.kind == causeBadDep && r.lines[a] == 0 {
		as += "," // its trailing ", which ..." clause needs closing
	}
	return as + " and " + bs
}

// isNotFound reports whether ic says a project is not on the index.
func isNotFound(ic *incompat) bool {
	return ic.kind == causeNoVersions && ic.terms[0].pkg.base.notFound != nil
}

// dependsOnBoth collapses two dependencies of the same package.
func (r *reporter) dependsOnBoth(a, b *incompat) string {
	if a.kind != causeDependency || b.kind != causeDependency || r.lines[a] > 0 || r.lines[b] > 0 {
		return ""
	}
	if a.terms[0].pkg != b.terms[0].pkg || !a.terms[0].set.Equal(b.terms[0].set) {
		return ""
	}
	da, db := r.s.describeDep(a), r.s.describeDep(b)
	ia := strings.Index(da, " depends on ")
	verb := " depends on "
	if ia < 0 {
		ia, verb = strings.Index(da, " depend on "), " depend on "
	}
	if ia < 0 || a.terms[0].pkg.isRoot() {
		return ""
	}
	ib := strings.Index(db, verb)
	if ib < 0 {
		return ""
	}
	return da[:ia] + verb + "both " + da[ia+len(verb):] + " and " + db[ib+len(verb):]
}

func (r *reporter) visit(ic *incompat, conclusion bool) {
	numbered := conclusion || r.counts[ic] > 1
	conj := "And"
	if conclusion || ic.isFailure() {
		conj = "So,"
	}
	str := r.str(ic)
	a, b := ic.c1, ic.c2
	switch {
	case a.derived() && b.derived():
		la, lb := r.lines[a], r.lines[b]
		switch {
		case la > 0 && lb > 0:
			r.write(ic, "Because "+r.and(a, b)+", "+str+".", numbered)
		case la > 0 || lb > 0:
			with, without := a, b
			if lb > 0 {
				with, without = b, a
			}
			r.visit(without, false)
			r.write(ic, conj+" because "+r.ref(with)+", "+str+".", numbered)
		default:
			singleA, singleB := isSingleLine(a), isSingleLine(b)
			if singleA || singleB {
				first, second := a, b // the single-line one last
				if !singleB {
					first, second = b, a
				}
				r.visit(first, false)
				r.visit(second, false)
				r.write(ic, "Thus, "+str+".", numbered)
			} else {
				r.visit(a, true)
				r.out = append(r.out, line{"", 0})
				r.visit(b, false)
				r.write(ic, conj+" because "+r.ref(a)+", "+str+".", numbered)
			}
		}
	case a.derived() || b.derived():
		derived, ext := a, b
		if b.derived() {
			derived, ext = b, a
		}
		if r.lines[derived] > 0 {
			r.write(ic, "Because "+r.and(ext, derived)+", "+str+".", numbered)
		} else if r.collapsible(derived) {
			dc1, dc2 := derived.c1, derived.c2
			collapsedDerived, collapsedExt := dc1, dc2
			if dc2.derived() {
				collapsedDerived, collapsedExt = dc2, dc1
			}
			r.visit(collapsedDerived, false)
			r.write(ic, conj+" because "+r.and(collapsedExt, ext)+", "+str+".", numbered)
		} else {
			r.visit(derived, false)
			r.write(ic, conj+" because "+r.str(ext)+", "+str+".", numbered)
		}
	default:
		r.write(ic, "Because "+r.and(a, b)+", "+str+".", numbered)
	}
}

func isSingleLine(ic *incompat) bool { return !ic.c1.derived() && !ic.c2.derived() }

func (r *reporter) collapsible(ic *incompat) bool {
	if r.counts[ic] > 1 {
		return false
	}
	a, b := ic.c1, ic.c2
	if a.derived() == b.derived() {
		return false
	}
	complex := a
	if b.derived() {
		complex = b
	}
	return r.lines[complex] == 0
}

// String renders the lines, numbered ones prefixed "(n) " and the others
// padded to match.
func (r *reporter) String() string {
	width := 0
	if r.next > 0 {
		width = len("(" + itoa(r.next) + ") ")
	}
	var b strings.Builder
	for _, l := range r.out {
		switch {
		case l.text == "":
		case l.num > 0:
			p := "(" + itoa(l.num) + ") "
			b.WriteString(p + strings.Repeat(" ", width-len(p)) + l.text)
		default:
			b.WriteString(strings.Repeat(" ", width) + l.text)
		}
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}

// hints suggests relaxations for the external causes of a failure.
func (s *solver) hints(ic *incompat) string {
	seen := map[*incompat]bool{}
	var ext []*incompat
	var walk func(*incompat)
	walk = func(ic *incompat) {
		if seen[ic] {
			return
		}
		seen[ic] = true
		if ic.derived() {
			walk(ic.c1)
			walk(ic.c2)
			return
		}
		ext = append(ext, ic)
	}
	walk(ic)
	sort.Slice(ext, func(i, j int) bool { return ext[i].id < ext[j].id })
	var hs, roots []string
	add := func(list *[]string, h string) {
		for _, x := range *list {
			if x == h {
				return
			}
		}
		*list = append(*list, h)
	}
	for _, e := range ext {
		if e.kind == causeDependency && e.terms[0].pkg.isRoot() && e.req != "" {
			add(&roots, e.terms[1].pkg.String()+e.req)
		}
		for _, h := range s.hintFor(e) {
			add(&hs, h)
		}
	}
	switch len(roots) {
	case 0:
	case 1:
		hs = append([]string{"the conflict involves your requirement " + roots[0] + "; relaxing it may allow a solution"}, hs...)
	default:
		hs = append([]string{"the conflict involves your requirements " + strings.Join(roots, ", ") + "; relaxing one of them may allow a solution"}, hs...)
	}
	if len(hs) == 0 {
		return ""
	}
	return "\n\nhint: " + strings.Join(hs, "\nhint: ")
}

func (s *solver) hintFor(ic *incompat) []string {
	var out []string
	switch ic.kind {
	case causeNoVersions, causeUnavailable:
		p := ic.terms[0].pkg
		for _, c := range p.base.cands {
			if !ic.terms[0].set.Contains(c.v) || c.usable && ic.kind == causeNoVersions {
				continue
			}
			why := c.why
			if ic.kind == causeUnavailable {
				why = ic.why
			}
			switch why {
			case whyPrerelease:
				out = append(out, s.prereleaseHint(p.name, c.v))
			case whyYanked:
				out = append(out, p.name+"=="+c.v.String()+" was yanked; pin it exactly ("+p.name+"=="+c.v.String()+") to use it anyway")
			case whyPython:
				if s.univ != nil {
					out = append(out, "some versions of "+p.name+" need a newer Python; raising the project's requires-python may help")
				} else {
					out = append(out, "some versions of "+p.name+" need a different Python; try another target with --python-version")
				}
			case whyBinaryPolicy:
				out = append(out, p.name+" is restricted by --only-binary/--no-binary; lifting the restriction may help")
			}
		}
	}
	return out
}

func (s *solver) prereleaseHint(name string, v pep440.Version) string {
	h := "pre-releases of " + name + " are available (e.g. " + name + "==" + v.String() + ")"
	switch s.opts.Prerelease {
	case PrereleaseDisallow:
		return h + " but --prerelease disallow is set"
	case PrereleaseIfNecessary:
		return h + "; allow them with --prerelease allow"
	}
	return h + "; allow them with --prerelease allow or by requiring a pre-release version (" + name + ">=" + v.String() + ")"
}
