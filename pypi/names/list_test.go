package names

import (
	"slices"
	"testing"
)

func TestCanonicalList(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want []string
	}{
		{nil, nil},
		{[]string{""}, nil},
		{[]string{"Foo_Bar"}, []string{"foo-bar"}},
		{[]string{"a, B ,,c.d", "E"}, []string{"a", "b", "c-d", "e"}},
		{[]string{" , "}, nil},
	} {
		if got := CanonicalList(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("CanonicalList(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
