package pep440

// A Set is a union of disjoint half-open intervals [lo, hi) between cuts.
// A cut is a point between versions, written as a byte string in key space
// (see key.go): the versions above a cut are those whose key is >= the cut.
// Every cut is canonical — two different cut strings always have some
// version between them — so set equality is slice equality and an interval
// [a, b) is non-empty exactly when a < b. The cut kinds are:
//
//	below(v)       key(v)                     (v itself and above)
//	above(v)       key(v) + 0x00              (just past v; v has no successor)
//	afterLocals(v) below(next version after every v+local), always exists
//	afterPosts(v)  after v, v+local and every v.postN[.devM][+local]:
//	               below(v.a(N+1).dev0) for a pre-release v, or the limit
//	               key(epoch, release) + kAfterPre for a final v
//	-∞             below(0.dev0), the least version
//	+∞             "\xff", above every key
//
// Each bound also keeps the version and kind it was made from, for String.

import (
	"strings"
)

// Set is a set of versions: a sorted union of disjoint intervals over the
// PEP 440 total order, able to express every specifier exactly (local and
// post-release rules included). The zero value is the empty set.
type Set struct {
	b []bound // even length; keys strictly increasing; [b0,b1) ∪ [b2,b3) ∪ …
}

// bound is a cut with its display origin.
type bound struct {
	key string
	d   *origin
}

// origin is the version and kind a cut was made from, for String.
type origin struct {
	v    Version
	kind uint8
}

func mkBound(key string, v Version, kind uint8) bound {
	return bound{key: key, d: &origin{v: v, kind: kind}}
}

// Display kinds of a bound.
const (
	bMin         uint8 = iota // -∞
	bInf                      // +∞
	bBelow                    // below(v): ">=v" / "<v"
	bBelowLess                // from "<v": below(v.dev0) or below(v)
	bBelowDev0                // below(v.dev0) from "==v.*"/"~=": ">=v.dev0" / "<v"
	bAbove                    // above(v): ">v" / "<=v" (exact)
	bAfterLocals              // afterLocals(v): "<=v"
	bAfterPosts               // afterPosts(v): ">v"
	bGreater                  // from ">v" with v a dev or post release: ">v" / "<=v"
)

const infKey = "\xff"

var (
	minVersion = MustParse("0.dev0")
	minBound   = mkBound(minVersion.key, Version{}, bMin)
	infBound   = mkBound(infKey, Version{}, bInf)
)

// fullBounds are the cuts of Full, shared by every full set (Sets are
// immutable and never append to their bounds in place).
var fullBounds = []bound{minBound, infBound}

// Full returns the set of all versions.
func Full() Set { return Set{b: fullBounds[:2:2]} }

// Empty returns the empty set.
func Empty() Set { return Set{} }

// Exactly returns {v} (v itself only; not v's local variants).
func Exactly(v Version) Set {
	if v.IsZero() {
		return Set{}
	}
	o := &[2]origin{{v, bBelow}, {v, bAbove}} // belowB(v, bBelow), aboveB(v) in one allocation
	return Set{b: []bound{{v.key, &o[0]}, {v.key + "\x00", &o[1]}}}
}

// AtLeast returns the set of ">=v" (ParseSpecifierSet(">=" + v.String())
// without the parse); ok is false when v is zero or has a local label,
// which ">=" does not accept.
func AtLeast(v Version) (s Set, ok bool) {
	if v.IsZero() || v.HasLocal() {
		return Set{}, false
	}
	return interval(belowB(v, bBelow), infBound), true
}

// interval returns [lo, hi), or the empty set when lo >= hi.
func interval(lo, hi bound) Set {
	if lo.key >= hi.key {
		return Set{}
	}
	return Set{b: []bound{lo, hi}}
}

func belowB(v Version, kind uint8) bound { return mkBound(v.key, v, kind) }
func aboveB(v Version) bound             { return mkBound(v.key+"\x00", v, bAbove) }

// afterLocalsB is the cut above v and every v+local (v has no local): the
// next version is v.dev(N+1), v.post(N+1).dev0 or v.post0.dev0.
func afterLocalsB(v Version) bound {
	p := v.Parts()
	var next Version
	switch {
	case p.Dev != "":
		next = v.with(p.PreLabel, p.Pre, p.Post, incDecimal(p.Dev))
	case p.Post != "":
		next = v.with(p.PreLabel, p.Pre, incDecimal(p.Post), "0")
	default:
		next = v.with(p.PreLabel, p.Pre, "0", "0")
	}
	return mkBound(next.key, v, bAfterLocals)
}

// afterPostsB is the cut above v's post-release family (v has no dev, post
// or local): versions sharing v's epoch, release and pre-release.
func afterPostsB(v Version) bound {
	p := v.Parts()
	if p.PreLabel != "" {
		next := v.with(p.PreLabel, incDecimal(p.Pre), "", "0")
		return mkBound(next.key, v, bAfterPosts)
	}
	return mkBound(v.key[:v.kpre]+string(rune(kAfterPre)), v, bAfterPosts)
}

// nextPrefixDev0 is 1.2 -> 1.3.dev0 (the release's last component + 1).
func nextPrefixDev0(v Version) Version {
	rel := v.Release()
	k := strings.LastIndexByte(rel, '.') + 1
	t := v.s[:v.rel] + rel[:k] + incDecimal(rel[k:]) + ".dev0"
	return MustParse(t)
}

// clauseSet is the set matched by one non-=== clause (packaging's
// standard_ranges / wildcard_ranges).
func clauseSet(op string, v Version, wildcard bool) Set {
	if wildcard {
		next := nextPrefixDev0(v)
		in := interval(mkBound(v.with("", "", "", "0").key, v, bBelowDev0),
			mkBound(next.key, next.with("", "", "", ""), bBelowDev0))
		if op == "==" {
			return in
		}
		return in.Complement()
	}
	switch op {
	case ">=":
		return interval(belowB(v, bBelow), infBound)
	case "<=":
		return interval(minBound, afterLocalsB(v))
	case ">":
		p := v.Parts()
		switch {
		case p.Dev != "":
			next := v.with(p.PreLabel, p.Pre, p.Post, incDecimal(p.Dev))
			return interval(mkBound(next.key, v, bGreater), infBound)
		case p.Post != "":
			next := v.with(p.PreLabel, p.Pre, incDecimal(p.Post), "0")
			return interval(mkBound(next.key, v, bGreater), infBound)
		}
		return interval(afterPostsB(v), infBound)
	case "<":
		hi := belowB(v, bBelowLess)
		if !v.IsPrerelease() {
			p := v.Parts()
			hi = mkBound(v.with("", "", p.Post, "0").key, v, bBelowLess)
		}
		return interval(minBound, hi)
	case "==", "!=":
		hi := aboveB(v)
		if !v.HasLocal() {
			hi = afterLocalsB(v)
		}
		eq := interval(belowB(v, bBelow), hi)
		if op == "==" {
			return eq
		}
		return eq.Complement()
	case "~=":
		rel := v.Release()
		prefix := MustParse(v.s[:v.rel] + rel[:strings.LastIndexByte(rel, '.')])
		next := nextPrefixDev0(prefix)
		hi := mkBound(next.key, MustParse(next.BaseVersion()), bBelowDev0)
		return interval(belowB(v, bBelow), hi)
	}
	panic("pep440: unknown operator " + op)
}

// Union returns s ∪ o.
func (s Set) Union(o Set) Set { return combine(s, o, func(a, b bool) bool { return a || b }) }

// Intersect returns s ∩ o.
func (s Set) Intersect(o Set) Set { return combine(s, o, func(a, b bool) bool { return a && b }) }

// combine sweeps the cuts of s and o, keeping a cut wherever op's value
// changes. When the result is exactly the cuts of s or of o (common:
// intersecting with a superset, removing a disjoint set) that set is
// returned as is: Sets are immutable, so sharing is safe and saves the
// allocation.
func combine(s, o Set, op func(a, b bool) bool) Set {
	if len(s.b)+len(o.b) == 0 {
		return Set{}
	}
	n, likeS, likeO := 0, true, true
	sweep(s, o, op, func(c bound) bool {
		likeS = likeS && n < len(s.b) && s.b[n] == c
		likeO = likeO && n < len(o.b) && o.b[n] == c
		n++
		return true
	})
	switch {
	case n == 0:
		return Set{}
	case likeS && n == len(s.b):
		return s
	case likeO && n == len(o.b):
		return o
	}
	out := make([]bound, 0, n)
	sweep(s, o, op, func(c bound) bool {
		out = append(out, c)
		return true
	})
	return Set{b: out}
}

// sweep calls emit with each cut of op(s, o) in order, until it returns
// false.
func sweep(s, o Set, op func(a, b bool) bool, emit func(bound) bool) {
	i, j := 0, 0
	inS, inO, cur := false, false, false
	for i < len(s.b) || j < len(o.b) {
		var c bound
		if j >= len(o.b) || (i < len(s.b) && s.b[i].key <= o.b[j].key) {
			c = s.b[i]
		} else {
			c = o.b[j]
		}
		if i < len(s.b) && s.b[i].key == c.key {
			inS = !inS
			i++
		}
		if j < len(o.b) && o.b[j].key == c.key {
			inO = !inO
			j++
		}
		if n := op(inS, inO); n != cur {
			if !emit(c) {
				return
			}
			cur = n
		}
	}
}

// Complement returns all versions not in s.
func (s Set) Complement() Set {
	out := make([]bound, 0, len(s.b)+2)
	if len(s.b) == 0 || s.b[0].key != minBound.key {
		out = append(out, minBound)
		out = append(out, s.b...)
	} else {
		out = append(out, s.b[1:]...)
	}
	if n := len(out); n > 0 && out[n-1].key == infKey {
		out = out[:n-1]
	} else {
		out = append(out, infBound)
	}
	return Set{b: out}
}

// Difference returns s \ o.
func (s Set) Difference(o Set) Set {
	return combine(s, o, func(a, b bool) bool { return a && !b })
}

// IsEmpty reports whether s contains no version.
func (s Set) IsEmpty() bool { return len(s.b) == 0 }

// IsFull reports whether s contains every version.
func (s Set) IsFull() bool {
	return len(s.b) == 2 && s.b[0].key == minBound.key && s.b[1].key == infKey
}

// Contains reports whether v ∈ s.
func (s Set) Contains(v Version) bool {
	if v.key == "" {
		return false
	}
	// Number of cuts at or below v's key; odd means inside an interval.
	lo, hi := 0, len(s.b)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s.b[m].key <= v.key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo&1 == 1
}

// Equal reports whether s and o contain the same versions.
func (s Set) Equal(o Set) bool {
	if len(s.b) != len(o.b) {
		return false
	}
	for i := range s.b {
		if s.b[i].key != o.b[i].key {
			return false
		}
	}
	return true
}

// SubsetOf reports whether s ⊆ o (s.Difference(o).IsEmpty(), without
// building the difference).
func (s Set) SubsetOf(o Set) bool {
	if sameBounds(s, o) {
		return true
	}
	return !anyRegion(s, o, false)
}

// Disjoint reports whether s ∩ o is empty (without building it).
func (s Set) Disjoint(o Set) bool {
	if len(s.b) == 0 || len(o.b) == 0 {
		return true
	}
	if sameBounds(s, o) {
		return false
	}
	return !anyRegion(s, o, true)
}

// sameBounds reports whether s and o share their cuts (one was derived
// from the other unchanged, which combine does whenever it can).
func sameBounds(s, o Set) bool {
	return len(s.b) == len(o.b) && (len(s.b) == 0 || &s.b[0] == &o.b[0])
}

// anyRegion reports whether combine(s, o, op) would be non-empty, for op
// "a && b" (both) or "a && !b" (!both): the same walk over the bounds of
// both sets, stopping at the first region where op holds, with no
// allocation and one key comparison per step (the solver asks these on
// every propagation).
func anyRegion(s, o Set, both bool) bool {
	i, j := 0, 0
	inS, inO := false, false
	for i < len(s.b) || j < len(o.b) {
		switch {
		case j >= len(o.b):
			inS = !inS
			i++
		case i >= len(s.b):
			inO = !inO
			j++
		default:
			switch c := strings.Compare(s.b[i].key, o.b[j].key); {
			case c < 0:
				inS = !inS
				i++
			case c > 0:
				inO = !inO
				j++
			default:
				inS, inO = !inS, !inO
				i++
				j++
			}
		}
		if inS && inO == both {
			return true
		}
	}
	return false
}
