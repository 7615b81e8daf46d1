package wheel

import (
	"strings"
	"testing"
)

// Tag.compare orders tags exactly as their String() forms sort.
func TestTagCompareMatchesString(t *testing.T) {
	parts := []string{"", "a", "ab", "b", "py3", "py3x", "cp311", "none", "any", "a+b", "a!", "a-", "z", "A", "é"}
	var tags []Tag
	for _, i := range parts {
		for _, a := range parts {
			for _, p := range parts {
				tags = append(tags, Tag{i, a, p})
			}
		}
	}
	for _, x := range tags {
		for _, y := range tags {
			want := strings.Compare(x.String(), y.String())
			if got := x.compare(y); sign(got) != want {
				t.Fatalf("compare(%q, %q) = %d, want sign %d", x, y, got, want)
			}
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func FuzzTagCompare(f *testing.F) {
	f.Add("py3", "none", "any", "py2", "none", "any")
	f.Fuzz(func(t *testing.T, a, b, c, d, e, g string) {
		x, y := Tag{a, b, c}, Tag{d, e, g}
		if sign(x.compare(y)) != strings.Compare(x.String(), y.String()) {
			t.Fatalf("compare(%q, %q) disagrees with String order", x, y)
		}
	})
}
