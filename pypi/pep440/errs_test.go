package pep440

import "testing"

func TestErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"1.0x", `pep440: version "1.0x": unexpected 'x' at position 3`},
		{"  ", `pep440: version "  ": empty version at position 2`},
		{"1.0+", `pep440: version "1.0+": unexpected end of input at position 4`},
		{"1!v1.0", `pep440: version "1!v1.0": unexpected 'v' at position 2`},
	}
	for _, c := range cases {
		if _, err := Parse(c.in); err == nil || err.Error() != c.want {
			t.Errorf("Parse(%q) error = %v, want %s", c.in, err, c.want)
		}
	}
	specs := []struct{ in, want string }{
		{">=1.0,<2.0x", `pep440: specifier ">=1.0,<2.0x": unexpected 'x' in version at position 10`},
		{">=1.0, foo", `pep440: specifier ">=1.0, foo": expected an operator (== != <= >= < > ~= ===) at position 7`},
		{"~=1", `pep440: specifier "~=1": ~= needs at least two release components at position 2`},
		{">=", `pep440: specifier ">=": missing version after >= at position 2`},
		{"=== a b", `pep440: specifier "=== a b": unexpected ' ' in arbitrary version at position 5`},
		{"<=1.0+local", `pep440: specifier "<=1.0+local": unexpected '+' in version at position 5`},
	}
	for _, c := range specs {
		if _, err := ParseSpecifierSet(c.in); err == nil || err.Error() != c.want {
			t.Errorf("ParseSpecifierSet(%q) error = %v, want %s", c.in, err, c.want)
		}
	}
}
