package pep440

import (
	"fmt"
	"testing"
)

var benchInputs = []string{
	"1.0", "2.31.0", "1!2.0.0rc1.post2.dev3+ubuntu.1", "v1.0.0-beta.1", "0.9.8", "10.2.1.dev0",
	"3.12.0a7", "2024.1.15", "1.26.4+cpu", "4.0.0.post1",
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Parse(benchInputs[i%len(benchInputs)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSimple(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("2.31.0"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	vs := make([]Version, len(benchInputs))
	for i, s := range benchInputs {
		vs[i] = MustParse(s)
	}
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		n += vs[i%len(vs)].Compare(vs[(i+3)%len(vs)])
	}
	_ = n
}

// thousandVersions is a realistic release history: finals, pre-releases,
// post-releases and a few locals.
func thousandVersions() []string {
	var out []string
	for i := 0; len(out) < 1000; i++ {
		major, minor, patch := i/100, (i/10)%10, i%10
		base := fmt.Sprintf("%d.%d.%d", major, minor, patch)
		switch i % 7 {
		case 0:
			out = append(out, base+"rc1")
		case 3:
			out = append(out, base+".post1")
		case 5:
			out = append(out, base+"+cpu")
		}
		out = append(out, base)
	}
	return out[:1000]
}

func BenchmarkFilter1000(b *testing.B) {
	ss := MustParseSpecifierSet(">=1.2,<8.0,!=3.5.*,!=4.0.1")
	versions := thousandVersions()
	b.ReportAllocs()
	for b.Loop() {
		if len(ss.Filter(versions, nil, nil)) == 0 {
			b.Fatal("empty")
		}
	}
}

func BenchmarkContains1000(b *testing.B) {
	ss := MustParseSpecifierSet(">=1.2,<8.0,!=3.5.*,!=4.0.1")
	var vs []Version
	for _, s := range thousandVersions() {
		vs = append(vs, MustParse(s))
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, v := range vs {
			if ss.Contains(v) {
				n++
			}
		}
		if n == 0 {
			b.Fatal("empty")
		}
	}
}

func BenchmarkParseSpecifierSet(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSpecifierSet(">=1.2,<8.0,!=3.5.*,!=4.0.1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSetOps(b *testing.B) {
	x := MustParseSpecifierSet(">=1.2,<8.0,!=3.5.*,!=4.0.1").Set()
	y := MustParseSpecifierSet(">=2.0,!=2.5,<9").Set().Union(MustParseSpecifierSet("==0.9.*").Set())
	b.ReportAllocs()
	for b.Loop() {
		u := x.Union(y)
		n := x.Intersect(y)
		c := u.Complement()
		if n.IsEmpty() || c.IsFull() || !n.SubsetOf(u) {
			b.Fatal("unexpected")
		}
	}
}

func BenchmarkSetContains(b *testing.B) {
	x := MustParseSpecifierSet(">=1.2,<8.0,!=3.5.*,!=4.0.1").Set()
	v := MustParse("5.4.3")
	b.ReportAllocs()
	for b.Loop() {
		if !x.Contains(v) {
			b.Fatal("unexpected")
		}
	}
}
