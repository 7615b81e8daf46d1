package pep440

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

// vectorSpecs returns every valid specifier set in specifiers.json.
func vectorSpecs(t testing.TB) []string {
	var doc specVectors
	loadJSON(t, "specifiers.json", &doc)
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			if _, err := ParseSpecifierSet(s); err == nil {
				out = append(out, s)
			}
		}
	}
	for _, c := range doc.Cases {
		add(c.Specifier)
	}
	for _, p := range doc.Parse {
		add(p.Specifier)
	}
	for _, f := range doc.Filter {
		add(f.Specifier)
	}
	return out
}

// vectorVersions returns every valid version in versions.json and
// specifiers.json, plus versions near each specifier operand (its local,
// post, dev and deeper-release neighbours), so every cut point has
// versions on both sides.
func vectorVersions(t testing.TB) []Version {
	var vdoc versionVectors
	loadJSON(t, "versions.json", &vdoc)
	var sdoc specVectors
	loadJSON(t, "specifiers.json", &sdoc)
	seen := map[string]bool{}
	var out []Version
	add := func(s string) {
		v, err := Parse(s)
		if err == nil && !seen[v.s] {
			seen[v.s] = true
			out = append(out, v)
		}
	}
	for _, c := range vdoc.Cases {
		add(c.Input)
	}
	for _, c := range sdoc.Cases {
		add(c.Version)
	}
	for _, f := range sdoc.Filter {
		for _, v := range f.Versions {
			add(v)
		}
	}
	for _, spec := range vectorSpecs(t) {
		for _, sp := range MustParseSpecifierSet(spec).Specifiers() {
			x, err := Parse(strings.TrimSuffix(sp.Version, ".*"))
			if err != nil {
				continue
			}
			pub, base := x.Public(), x.BaseVersion()
			for _, s := range []string{
				pub, pub + "+a", pub + "+0", pub + "+zz.9", pub + ".post0", pub + ".post0.dev0",
				pub + ".post1+a", pub + ".dev0", pub + ".dev0+a", pub + "1", x.s + ".0",
				base + ".0.1", base + ".0.0.1.dev0", base + ".1", base + ".1.dev0", base + "a0.dev0",
				base + "a1", base + "rc9.post3", base + ".post7", base + ".post7.dev2",
			} {
				add(s)
			}
		}
	}
	return out
}

// refContains is an independent reference for one clause, written from
// PEP 440's prose and packaging's older comparison functions rather than
// from cut points.
func refContains(op, operand string, v Version) bool {
	if op == "===" {
		return v.s == strings.ToLower(operand)
	}
	if strings.HasSuffix(operand, ".*") {
		m := refPrefixMatch(v, operand[:len(operand)-2])
		return m == (op == "==")
	}
	V := MustParse(operand)
	pub := MustParse(v.Public())
	switch op {
	case ">=":
		return v.Compare(V) >= 0
	case "<=":
		return v.Compare(V) <= 0 || pub.Equal(V)
	case "==", "!=":
		eq := pub.Equal(V)
		if V.HasLocal() {
			eq = v.Equal(V)
		}
		return eq == (op == "==")
	case "<":
		bound := V
		if !V.IsPrerelease() {
			bound = MustParse(V.Public() + ".dev0")
		}
		return v.Less(bound)
	case ">":
		if !V.Less(v) {
			return false
		}
		vp, Vp := v.Parts(), V.Parts()
		sameFamily := vp.Epoch == Vp.Epoch &&
			MustParse(v.BaseVersion()).Equal(MustParse(V.BaseVersion())) &&
			vp.PreLabel == Vp.PreLabel && vp.Pre == Vp.Pre
		if !sameFamily {
			return true
		}
		switch {
		case Vp.Dev != "":
			// Only V's own local variants sit between V and V.dev(N+1).
			return !pub.Equal(V)
		case Vp.Post != "":
			// V.postN+local is excluded; V.post(N+1).devM is not.
			return !(vp.Post == Vp.Post && vp.Dev == "")
		}
		// Not V's post-releases, nor V's local variants.
		return false
	case "~=":
		rel := V.Release()
		prefix := V.s[:V.rel] + rel[:strings.LastIndexByte(rel, '.')]
		return v.Compare(V) >= 0 && refPrefixMatch(v, prefix)
	}
	panic(op)
}

var preSplit = regexp.MustCompile(`^([0-9]+)((?:a|b|c|rc)[0-9]+)$`)

// refPrefixMatch is packaging's pre-26 "==X.*" algorithm: split both
// versions on "!" and ".", pad the release with zeros, compare prefixes.
func refPrefixMatch(v Version, prefix string) bool {
	split := func(s string) []string {
		epoch, rest := "0", s
		if i := strings.LastIndexByte(s, '!'); i >= 0 {
			epoch, rest = s[:i], s[i+1:]
		}
		out := []string{epoch}
		for _, item := range strings.Split(rest, ".") {
			if m := preSplit.FindStringSubmatch(item); m != nil {
				out = append(out, m[1], m[2])
			} else {
				out = append(out, item)
			}
		}
		return out
	}
	digits := func(xs []string) int {
		n := 0
		for n < len(xs) && xs[n] != "" && strings.Trim(xs[n], "0123456789") == "" {
			n++
		}
		return n
	}
	left, right := split(v.Public()), split(MustParse(prefix).s)
	if d := digits(right) - digits(left); d > 0 {
		l := digits(left)
		padded := append(append(append([]string{}, left[:l]...), make([]string, d)...), left[l:]...)
		for i := l; i < l+d; i++ {
			padded[i] = "0"
		}
		left = padded
	}
	if len(left) < len(right) {
		return false
	}
	return strings.Join(left[:len(right)], ".") == strings.Join(right, ".")
}

// TestSetMatchesContains: for every specifier in specifiers.json and every
// version, Set().Contains == Contains, and both agree with refContains.
func TestSetMatchesContains(t *testing.T) {
	specs := vectorSpecs(t)
	versions := vectorVersions(t)
	checked, failed := 0, 0
	for _, spec := range specs {
		ss := MustParseSpecifierSet(spec)
		set := ss.Set()
		arbitrary := ss.hasArbitrary()
		for _, v := range versions {
			got := ss.Contains(v)
			ref := true
			for _, sp := range ss.Specifiers() {
				ref = ref && refContains(sp.Op, sp.Version, v)
			}
			checked++
			if got != ref {
				failed++
				t.Errorf("%q.Contains(%s) = %v, reference says %v", spec, v, got, ref)
			}
			// Contains uses the cached intersection; slowContains checks
			// each clause's own set.
			if slow := ss.slowContains(v); slow != got {
				failed++
				t.Errorf("%q: clause-by-clause Contains(%s) = %v, Contains = %v", spec, v, slow, got)
			}
			if !arbitrary && set.Contains(v) != got {
				failed++
				t.Errorf("%q: Set %s Contains(%s) = %v, SpecifierSet.Contains = %v", spec, set, v, !got, got)
			}
			if failed > 20 {
				t.Fatal("too many failures")
			}
		}
	}
	t.Logf("%d specifier sets × %d versions: %d checks", len(specs), len(versions), checked)
}

// randomSet builds a set from random vector specifiers with unions,
// intersections and complements.
func randomSet(r *rand.Rand, specs []Set, depth int) Set {
	if depth == 0 || r.Intn(3) == 0 {
		switch r.Intn(10) {
		case 0:
			return Empty()
		case 1:
			return Full()
		}
		return specs[r.Intn(len(specs))]
	}
	a := randomSet(r, specs, depth-1)
	switch r.Intn(4) {
	case 0:
		return a.Complement()
	case 1:
		return a.Union(randomSet(r, specs, depth-1))
	case 2:
		return a.Intersect(randomSet(r, specs, depth-1))
	}
	return a.Difference(randomSet(r, specs, depth-1))
}

func checkInvariants(t *testing.T, s Set) {
	t.Helper()
	if len(s.b)%2 != 0 {
		t.Fatalf("odd number of cuts in %s", s)
	}
	for i := 1; i < len(s.b); i++ {
		if s.b[i-1].key >= s.b[i].key {
			t.Fatalf("cuts not increasing in %s at %d", s, i)
		}
	}
}

func TestSetLaws(t *testing.T) {
	var specs []Set
	for _, s := range vectorSpecs(t) {
		specs = append(specs, MustParseSpecifierSet(s).Set())
	}
	for _, v := range vectorVersions(t)[:200] {
		specs = append(specs, Exactly(v))
	}
	versions := vectorVersions(t)
	r := rand.New(rand.NewSource(1))
	eq := func(what string, a, b Set) {
		t.Helper()
		if !a.Equal(b) {
			t.Errorf("%s: %s != %s", what, a, b)
		}
	}
	for iter := 0; iter < 3000; iter++ {
		a, b, c := randomSet(r, specs, 3), randomSet(r, specs, 3), randomSet(r, specs, 2)
		for _, s := range []Set{a, b, c} {
			checkInvariants(t, s)
		}
		na := a.Complement()
		eq("¬¬A", na.Complement(), a)
		eq("A∩¬A", a.Intersect(na), Empty())
		eq("A∪¬A", a.Union(na), Full())
		eq("De Morgan ∪", a.Union(b).Complement(), na.Intersect(b.Complement()))
		eq("De Morgan ∩", a.Intersect(b).Complement(), na.Union(b.Complement()))
		eq("distributive", a.Intersect(b.Union(c)), a.Intersect(b).Union(a.Intersect(c)))
		eq("commutative", a.Union(b), b.Union(a))
		eq("A\\B", a.Difference(b), a.Intersect(b.Complement()))
		if !a.Intersect(b).SubsetOf(a) || !a.SubsetOf(a.Union(b)) {
			t.Errorf("subset laws fail for %s, %s", a, b)
		}
		if a.Disjoint(b) != a.Intersect(b).IsEmpty() || a.Disjoint(a) != a.IsEmpty() {
			t.Errorf("Disjoint inconsistent for %s, %s", a, b)
		}
		if a.SubsetOf(b) != a.Difference(b).IsEmpty() || b.SubsetOf(a) != b.Difference(a).IsEmpty() || !a.SubsetOf(a) {
			t.Errorf("SubsetOf inconsistent for %s, %s", a, b)
		}
		if a.IsFull() != na.IsEmpty() {
			t.Errorf("IsFull(%s) inconsistent", a)
		}
		u, n, d := a.Union(b), a.Intersect(b), a.Difference(b)
		for k := 0; k < 40; k++ {
			v := versions[r.Intn(len(versions))]
			ia, ib := a.Contains(v), b.Contains(v)
			if u.Contains(v) != (ia || ib) || n.Contains(v) != (ia && ib) ||
				d.Contains(v) != (ia && !ib) || na.Contains(v) == ia {
				t.Fatalf("membership of %s: A=%s B=%s", v, a, b)
			}
		}
		// Canonical cuts: different sets differ on some nearby version.
		if !a.Equal(b) {
			differs := false
			for _, v := range versions {
				if a.Contains(v) != b.Contains(v) {
					differs = true
					break
				}
			}
			if !differs {
				t.Errorf("%s and %s are unequal but agree on every sample version", a, b)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
	}
}

func TestSetBasics(t *testing.T) {
	v := MustParse("1.0")
	cases := []struct {
		set  Set
		in   []string
		out  []string
		text string
	}{
		{Exactly(v), []string{"1.0", "1.0.0", "1"}, []string{"1.0+local", "1.0.post0", "1.0.dev0"}, "==1.0"},
		{MustParseSpecifierSet(">1.7").Set(), []string{"1.7.0.1", "1.8.dev0", "1.7.0.0.1"}, []string{"1.7.post1", "1.7+local", "1.7.post1.dev1"}, ">1.7"},
		{MustParseSpecifierSet("<=1.7").Set(), []string{"1.7+local", "1.7", "1.7rc1"}, []string{"1.7.post0.dev0", "1.7.0.1"}, "<=1.7"},
		{MustParseSpecifierSet("==1.0.*").Set(), []string{"1", "1.0a1", "1.0.dev0", "1.0.post1", "1.0.9+x"}, []string{"1.1.dev0", "0.9"}, "==1.0.*"},
		{MustParseSpecifierSet(">=1.0,<2.0").Set(), []string{"1.0", "1.9.9"}, []string{"2.0rc1", "0.9"}, ">=1.0, <2.0"},
		{MustParseSpecifierSet(">=1.0,<2.0,!=1.5").Set(), []string{"1.5.1"}, []string{"1.5", "1.5+l"}, ">=1.0, <2.0, !=1.5"},
		{MustParseSpecifierSet("!=1.5.*").Set(), []string{"1.6.dev0"}, []string{"1.5", "1.5.dev0"}, "!=1.5.*"},
		{MustParseSpecifierSet("<0").Set(), nil, []string{"0.dev0", "0"}, "∅"},
		{MustParseSpecifierSet("").Set(), []string{"0.dev0", "99"}, nil, "*"},
		{MustParseSpecifierSet("~=2.2.post3").Set(), []string{"2.3", "2.2.post3"}, []string{"3.0.dev0", "2.2"}, ">=2.2.post3, <3"},
		{MustParseSpecifierSet("==1.0").Set().Union(MustParseSpecifierSet("==2.0").Set()), []string{"1.0", "2.0+x"}, []string{"1.5"}, "==1.0 | ==2.0"},
	}
	texts := map[string]string{
		">1.0.post1":              ">1.0.post1",
		"¬>1.0.dev1":              "<=1.0.dev1",
		"¬>1.7":                   "<=1.7.post*",
		"¬<=1.7":                  ">=1.7.post0.dev0",
		"¬>=1.0,!=1.5,!=1.6.*,<3": "<1.0 | ==1.5 | ==1.6.* | >=3.dev0",
		"!=1.0.*,>=0.5":           ">=0.5, !=1.0.*",
		"¬==1.0+abc":              "!=1.0+abc",
	}
	for in, want := range texts {
		set := MustParseSpecifierSet(strings.TrimPrefix(in, "¬")).Set()
		if strings.HasPrefix(in, "¬") {
			set = set.Complement()
		}
		if got := set.String(); got != want {
			t.Errorf("%s: String() = %q, want %q", in, got, want)
		}
	}
	for _, c := range cases {
		for _, s := range c.in {
			if !c.set.Contains(MustParse(s)) {
				t.Errorf("%s should contain %s", c.set, s)
			}
		}
		for _, s := range c.out {
			if c.set.Contains(MustParse(s)) {
				t.Errorf("%s should not contain %s", c.set, s)
			}
		}
		if got := c.set.String(); got != c.text {
			t.Errorf("String() = %q, want %q", got, c.text)
		}
	}
	if !MustParseSpecifierSet(">=1.0").Set().Equal(MustParseSpecifierSet(">=1.0.0").Set()) {
		t.Error(">=1.0 and >=1.0.0 differ")
	}
	if !MustParseSpecifierSet(">1.0.dev1").Set().Equal(MustParseSpecifierSet(">=1.0.dev2").Set()) {
		t.Error(">1.0.dev1 and >=1.0.dev2 differ")
	}
	if !MustParseSpecifierSet("<=1.0.dev1").Set().Equal(MustParseSpecifierSet("<1.0.dev2").Set()) {
		t.Error("<=1.0.dev1 and <1.0.dev2 differ")
	}
	if !MustParseSpecifierSet(">1.0a1").Set().Equal(MustParseSpecifierSet(">=1.0a2.dev0").Set()) {
		t.Error(">1.0a1 and >=1.0a2.dev0 differ")
	}
	if s := MustParseSpecifierSet(">1.0,<1.0.post1").Set(); !s.IsEmpty() {
		t.Errorf(">1.0,<1.0.post1 = %s, want empty", s)
	}
	if s := MustParseSpecifierSet(">=1.0.post0.dev0").Set().Intersect(MustParseSpecifierSet("<=1.0").Set()); !s.IsEmpty() {
		t.Errorf("intersection = %s, want empty", s)
	}
}

// TestAtLeast checks AtLeast against parsing ">=v": the same set, the same
// rendering, and ok exactly when the clause parses.
func TestAtLeast(t *testing.T) {
	vs := append(vectorVersions(t), MustParse("1.0+local"), MustParse("1!2.0.post3.dev4"))
	for _, v := range vs {
		got, ok := AtLeast(v)
		ss, err := ParseSpecifierSet(">=" + v.String())
		if ok != (err == nil) {
			t.Errorf("AtLeast(%s): ok = %v, parse error %v", v, ok, err)
			continue
		}
		if !ok {
			continue
		}
		if want := ss.Set(); !got.Equal(want) || got.String() != want.String() {
			t.Errorf("AtLeast(%s) = %s, want %s", v, got, want)
		}
	}
	if _, ok := AtLeast(Version{}); ok {
		t.Error("AtLeast(zero version) is ok")
	}
}

// TestCompareJoined checks compareJoined against comparing the built
// strings, over every split of short operator/version texts.
func TestCompareJoined(t *testing.T) {
	texts := []string{"", "<", "<=", "==", "==1", "==1.0", "!=1.0.*", ">=2", ">2", "~=1.4", "===x", "<=1.0", "<1.0"}
	sign := func(n int) int { return min(max(n, -1), 1) }
	for _, x := range texts {
		for _, y := range texts {
			want := sign(strings.Compare(x, y))
			for i := 0; i <= len(x); i++ {
				for j := 0; j <= len(y); j++ {
					if got := sign(compareJoined(x[:i], x[i:], y[:j], y[j:])); got != want {
						t.Errorf("compareJoined(%q, %q, %q, %q) = %d, want %d", x[:i], x[i:], y[:j], y[j:], got, want)
					}
				}
			}
		}
	}
}
