package pep440

import (
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// refVersionRE is packaging's VERSION_PATTERN, matched against input whose
// ASCII letters were lower-cased (packaging matches case-insensitively).
// Go's regexp picks the same submatches as Python's backtracking engine.
var refVersionRE = regexp.MustCompile(`^v?(?:(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)` +
	`([._-]?(alpha|a|beta|b|preview|pre|c|rc)[._-]?([0-9]+)?)?` +
	`((?:-([0-9]+))|(?:[._-]?(post|rev|r)[._-]?([0-9]+)?))?` +
	`([._-]?(dev)[._-]?([0-9]+)?)?)` +
	`(?:\+([a-z0-9]+(?:[._-][a-z0-9]+)*))?$`)

var localSepRE = regexp.MustCompile(`[._-]`)

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func decimal(d string) string {
	if d == "" {
		return "0"
	}
	n, _ := new(big.Int).SetString(d, 10)
	return n.String()
}

// refNormalize parses s with the reference regexp and normalises it the
// way packaging's Version.__str__ does.
func refNormalize(s string) (string, bool) {
	m := refVersionRE.FindStringSubmatch(asciiLower(pyStrip(s)))
	if m == nil {
		return "", false
	}
	var b strings.Builder
	if m[1] != "" && decimal(m[1]) != "0" {
		b.WriteString(decimal(m[1]) + "!")
	}
	for i, c := range strings.Split(m[2], ".") {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(decimal(c))
	}
	if m[4] != "" {
		b.WriteString(map[string]string{"alpha": "a", "a": "a", "beta": "b", "b": "b",
			"preview": "rc", "pre": "rc", "c": "rc", "rc": "rc"}[m[4]] + decimal(m[5]))
	}
	if m[6] != "" {
		b.WriteString(".post" + decimal(m[7]+m[9]))
	}
	if m[10] != "" {
		b.WriteString(".dev" + decimal(m[12]))
	}
	if m[13] != "" {
		b.WriteByte('+')
		for i, p := range localSepRE.Split(m[13], -1) {
			if i > 0 {
				b.WriteByte('.')
			}
			if strings.Trim(p, "0123456789") == "" {
				p = decimal(p)
			}
			b.WriteString(p)
		}
	}
	return b.String(), true
}

// refCompare is packaging's _cmpkey comparison over Parts, with big ints.
func refCompare(a, b Version) int {
	pa, pb := a.Parts(), b.Parts()
	num := func(s string) *big.Int { n, _ := new(big.Int).SetString(decimal(s), 10); return n }
	if c := num(pa.Epoch).Cmp(num(pb.Epoch)); c != 0 {
		return c
	}
	trim := func(r []string) []string {
		for len(r) > 0 && num(r[len(r)-1]).Sign() == 0 {
			r = r[:len(r)-1]
		}
		return r
	}
	ra, rb := trim(pa.Release), trim(pb.Release)
	for i := 0; i < len(ra) && i < len(rb); i++ {
		if c := num(ra[i]).Cmp(num(rb[i])); c != 0 {
			return c
		}
	}
	if c := len(ra) - len(rb); c != 0 {
		return sign(c)
	}
	// (class, n): class orders -inf < tuples < +inf.
	type part struct {
		class int
		s     string
		n     *big.Int
	}
	cmpPart := func(x, y part) int {
		if x.class != y.class {
			return sign(x.class - y.class)
		}
		if x.s != y.s {
			return strings.Compare(x.s, y.s)
		}
		if x.n != nil {
			return x.n.Cmp(y.n)
		}
		return 0
	}
	key := func(p Parts) []part {
		var pre part
		switch {
		case p.PreLabel == "" && p.Post == "" && p.Dev != "":
			pre = part{class: 0}
		case p.PreLabel == "":
			pre = part{class: 2}
		default:
			pre = part{class: 1, s: p.PreLabel, n: num(p.Pre)}
		}
		post := part{class: 0}
		if p.Post != "" {
			post = part{class: 1, n: num(p.Post)}
		}
		dev := part{class: 2}
		if p.Dev != "" {
			dev = part{class: 1, n: num(p.Dev)}
		}
		return []part{pre, post, dev}
	}
	ka, kb := key(pa), key(pb)
	for i := range ka {
		if c := cmpPart(ka[i], kb[i]); c != 0 {
			return c
		}
	}
	if pa.Local == "" || pb.Local == "" {
		return sign(len(pa.Local) - len(pb.Local))
	}
	la, lb := strings.Split(pa.Local, "."), strings.Split(pb.Local, ".")
	lp := func(s string) part {
		if strings.Trim(s, "0123456789") == "" {
			return part{class: 1, n: num(s)}
		}
		return part{class: 0, s: s}
	}
	for i := 0; i < len(la) && i < len(lb); i++ {
		if c := cmpPart(lp(la[i]), lp(lb[i])); c != 0 {
			return c
		}
	}
	return sign(len(la) - len(lb))
}

// fuzzSeeds are shared by the fuzz targets; testdata/fuzz holds more.
var fuzzSeeds = []string{
	"1.0", "v1!2.0.0-rc.1.post2.dev3+Ubuntu-01", "1.0-1", "1.0a1-1", " 1.0\u3000", "1.0.dev",
	"1.0a..post1", "1.0.dev.", "0!0.0.0", "1.0+abc.01", "123456789012345678901234567890.1",
	"1.0.post", "1.0rc", "1.0_1", "1!v1.0", "1.0.0-alpha.beta", "1.0+İ", "ſ1.0", "",
}

var specSeeds = []string{
	">=1.0,<2.0", "==1.0.*", "!=1.0.*", "~=2.2.post3", "===foo", "", ",", ">1.7", "<1.7",
	"==1.0+local", "<=1.7", " >= 1.0 , < 2.0 ", "==1.0.0,==1.0", "~=1", "===", "<0",
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		want, ok := refNormalize(s)
		if ok != (err == nil) {
			t.Fatalf("Parse(%q) err = %v, reference valid = %v", s, err, ok)
		}
		if err != nil {
			e := err.(*Error)
			if e.Pos < 0 || e.Pos > len(s) || e.Input != s {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		if v.String() != want {
			t.Fatalf("Parse(%q) = %q, reference %q", s, v, want)
		}
		w, err := Parse(v.String())
		if err != nil || !w.Equal(v) || w.String() != v.String() || w.key != v.key {
			t.Fatalf("round trip of %q: %q, %v", s, w, err)
		}
		if refCompare(v, w) != 0 {
			t.Fatalf("refCompare(%q, itself) != 0", v)
		}
		if c := v.Canonical(); c != v.s && MustParse(c).Compare(v) != 0 {
			t.Fatalf("Canonical(%q) = %q is not equal", v, c)
		}
	})
}

func FuzzCompare(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, fuzzSeeds[(i+1)%len(fuzzSeeds)], fuzzSeeds[(i+5)%len(fuzzSeeds)])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		va, ea := Parse(a)
		vb, eb := Parse(b)
		vc, ec := Parse(c)
		if ea != nil || eb != nil || ec != nil {
			return
		}
		ab, ba := va.Compare(vb), vb.Compare(va)
		if ab != -ba {
			t.Fatalf("antisymmetry: %q vs %q: %d, %d", va, vb, ab, ba)
		}
		if ref := refCompare(va, vb); ref != ab {
			t.Fatalf("Compare(%q, %q) = %d, reference %d", va, vb, ab, ref)
		}
		bc, ac := vb.Compare(vc), va.Compare(vc)
		if ab <= 0 && bc <= 0 && ac > 0 {
			t.Fatalf("transitivity: %q <= %q <= %q but %d", va, vb, vc, ac)
		}
		if ab == 0 && bc == 0 && ac != 0 {
			t.Fatalf("equality not transitive: %q %q %q", va, vb, vc)
		}
		if (ab == 0) != (va.key == vb.key) || va.Equal(vb) != (ab == 0) || va.Less(vb) != (ab < 0) {
			t.Fatalf("Equal/Less inconsistent for %q, %q", va, vb)
		}
	})
}

func FuzzParseSpecifierSet(f *testing.F) {
	for _, s := range specSeeds {
		f.Add(s, "1.0")
	}
	f.Fuzz(func(t *testing.T, s, version string) {
		ss, err := ParseSpecifierSet(s)
		if err != nil {
			e := err.(*Error)
			if e.Pos < 0 || e.Pos > len(s) || e.Input != s {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		text := ss.String()
		tt, err := ParseSpecifierSet(text)
		if err != nil {
			t.Fatalf("String() of %q = %q does not parse: %v", s, text, err)
		}
		if tt.String() != text {
			t.Fatalf("String() not stable: %q -> %q -> %q", s, text, tt.String())
		}
		if !ss.Set().Equal(tt.Set()) {
			t.Fatalf("%q and %q have different sets: %s vs %s", s, text, ss.Set(), tt.Set())
		}
		set := ss.Set()
		_ = set.String()
		v, err := Parse(version)
		if err != nil {
			return
		}
		if ss.slowContains(v) != ss.Contains(v) {
			t.Fatalf("%q: clause-by-clause Contains(%s) = %v, Contains = %v", s, v, ss.slowContains(v), ss.Contains(v))
		}
		if !ss.hasArbitrary() && set.Contains(v) != ss.Contains(v) {
			t.Fatalf("%q: Set %s Contains(%s) = %v, SpecifierSet.Contains = %v", s, set, v, set.Contains(v), ss.Contains(v))
		}
		ref := true
		for _, sp := range ss.Specifiers() {
			ref = ref && refContains(sp.Op, sp.Version, v)
		}
		if ref != ss.Contains(v) {
			t.Fatalf("%q.Contains(%s) = %v, reference %v", s, v, ss.Contains(v), ref)
		}
	})
}

func FuzzSet(f *testing.F) {
	for i, s := range specSeeds {
		f.Add(s, specSeeds[(i+3)%len(specSeeds)], specSeeds[(i+7)%len(specSeeds)], fuzzSeeds[i%len(fuzzSeeds)], uint8(i))
	}
	f.Fuzz(func(t *testing.T, sa, sb, sc, version string, ops uint8) {
		var sets []Set
		for _, s := range []string{sa, sb, sc} {
			ss, err := ParseSpecifierSet(s)
			if err != nil {
				return
			}
			sets = append(sets, ss.Set())
		}
		a, b, c := sets[0], sets[1], sets[2]
		// Mix in exact sets and complements so every cut kind occurs.
		if v, err := Parse(version); err == nil && ops&1 != 0 {
			c = c.Union(Exactly(v))
		}
		if ops&2 != 0 {
			a = a.Complement()
		}
		if ops&4 != 0 {
			b = b.Difference(c)
		}
		for _, s := range []Set{a, b, c} {
			checkInvariants(t, s)
		}
		na := a.Complement()
		laws := []struct {
			name string
			x, y Set
		}{
			{"¬¬A", na.Complement(), a},
			{"A∩¬A", a.Intersect(na), Empty()},
			{"A∪¬A", a.Union(na), Full()},
			{"De Morgan ∪", a.Union(b).Complement(), na.Intersect(b.Complement())},
			{"De Morgan ∩", a.Intersect(b).Complement(), na.Union(b.Complement())},
			{"distributive", a.Union(b.Intersect(c)), a.Union(b).Intersect(a.Union(c))},
			{"associative", a.Union(b).Union(c), a.Union(b.Union(c))},
		}
		for _, l := range laws {
			if !l.x.Equal(l.y) {
				t.Fatalf("%s: %s != %s (A=%s B=%s C=%s)", l.name, l.x, l.y, a, b, c)
			}
		}
		if a.SubsetOf(b) != a.Difference(b).IsEmpty() || a.Disjoint(b) != a.Intersect(b).IsEmpty() {
			t.Fatalf("SubsetOf/Disjoint disagree with Difference/Intersect: A=%s B=%s", a, b)
		}
		v, err := Parse(version)
		if err != nil {
			return
		}
		for _, w := range neighbours(v) {
			ia, ib := a.Contains(w), b.Contains(w)
			if a.Union(b).Contains(w) != (ia || ib) || a.Intersect(b).Contains(w) != (ia && ib) ||
				na.Contains(w) == ia || a.Difference(b).Contains(w) != (ia && !ib) {
				t.Fatalf("membership of %s in A=%s B=%s", w, a, b)
			}
		}
	})
}

// neighbours returns v and versions just around it.
func neighbours(v Version) []Version {
	out := []Version{v}
	pub, base := v.Public(), v.BaseVersion()
	for _, s := range []string{pub + "+a", pub + ".post0", base + ".dev0", base + ".0.1", base + "a1", pub} {
		if w, err := Parse(s); err == nil {
			out = append(out, w)
		}
	}
	return out
}

// TestWriteFuzzSeeds writes testdata/fuzz seed corpora from the vectors
// when PEP440_WRITE_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("PEP440_WRITE_SEEDS") != "1" {
		t.Skip("set PEP440_WRITE_SEEDS=1 to regenerate testdata/fuzz")
	}
	var vdoc versionVectors
	loadJSON(t, "versions.json", &vdoc)
	write := func(target string, i int, args ...any) {
		var b strings.Builder
		b.WriteString("go test fuzz v1\n")
		for _, a := range args {
			switch a := a.(type) {
			case string:
				b.WriteString("string(" + strconv.Quote(a) + ")\n")
			case uint8:
				b.WriteString("uint8(" + strconv.Itoa(int(a)) + ")\n")
			}
		}
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "seed"+strconv.Itoa(i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var inputs []string
	for _, c := range vdoc.Cases {
		inputs = append(inputs, c.Input)
	}
	for i, s := range inputs {
		write("FuzzParseVersion", i, s)
		if i%3 == 0 {
			write("FuzzCompare", i, s, inputs[(i*7+1)%len(inputs)], inputs[(i*13+2)%len(inputs)])
		}
	}
	specs := vectorSpecs(t)
	for i, s := range specs {
		write("FuzzParseSpecifierSet", i, s, inputs[(i*11)%len(inputs)])
		write("FuzzSet", i, s, specs[(i*5+1)%len(specs)], specs[(i*3+2)%len(specs)], inputs[(i*17)%len(inputs)], uint8(i))
	}
}
