package pep508

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// shape renders m from its structure alone (Kind, Operands, Comparison).
func shape(m Marker) string {
	switch m.Kind() {
	case KindTrue, KindFalse:
		return m.Kind().String()
	case KindCompare:
		c, _ := m.Comparison()
		side := func(o Operand) string {
			if o.Variable != "" {
				return o.Variable
			}
			return fmt.Sprintf("%q", o.Value)
		}
		s := side(c.Left) + " " + c.Op + " " + side(c.Right)
		if c.Negated {
			s = "not(" + s + ")"
		}
		return s
	}
	var parts []string
	for _, o := range m.Operands() {
		parts = append(parts, shape(o))
	}
	return m.Kind().String() + "(" + strings.Join(parts, ", ") + ")"
}

func TestMarkerStructure(t *testing.T) {
	tests := []struct{ marker, want string }{
		{``, `true`},
		{`os.name == "nt"`, `os_name == "nt"`},
		{`"linux" in sys_platform`, `"linux" in sys_platform`},
		{`python_version not  in "3.8 3.9"`, `python_version not in "3.8 3.9"`},
		{`a == "1" and b == "2"`, ``}, // not a marker: checked below as an error
		{`os_name == "nt" and (sys_platform == "win32" or python_version >= "3.10")`,
			`and(os_name == "nt", or(sys_platform == "win32", python_version >= "3.10"))`},
		{`os_name == "nt" and sys_platform == "win32" or extra == "Foo_Bar"`,
			`or(and(os_name == "nt", sys_platform == "win32"), extra == "foo-bar")`},
	}
	for _, tc := range tests {
		var m Marker
		var err error
		if tc.marker != "" {
			m, err = ParseMarker(tc.marker)
		}
		if tc.want == "" {
			if err == nil {
				t.Errorf("%q parsed", tc.marker)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%q: %v", tc.marker, err)
		}
		if got := shape(m); got != tc.want {
			t.Errorf("shape(%q) = %s, want %s", tc.marker, got, tc.want)
		}
	}
	if got := shape(False()); got != "false" {
		t.Errorf("shape(False()) = %s", got)
	}
	// A negated comparison made by Not where no operator inverts it.
	n := Not(MustParseMarker(`python_full_version > "3.8"`))
	if got := shape(n); got != `not(python_full_version > "3.8")` {
		t.Errorf("shape(Not(>)) = %s", got)
	}
	if c, _ := n.Comparison(); c.String() != n.String() {
		t.Errorf("Comparison.String() = %q, want %q", c.String(), n.String())
	}
}

func TestComparisonsAndMentions(t *testing.T) {
	m := MustParseMarker(`(extra == "x" and os_name == "nt") or os_name == "nt" or "3" in python_version`)
	var got []string
	for _, c := range m.Comparisons() {
		v, val, rev, ok := c.VarValue()
		got = append(got, fmt.Sprintf("%s|%s|%v|%v", v, val, rev, ok))
	}
	want := []string{"extra|x|false|true", "os_name|nt|false|true", "python_version|3|true|true"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Comparisons = %v, want %v", got, want)
	}
	for v, want := range map[string]bool{"extra": true, "os_name": true, "python_version": true, "sys_platform": false} {
		if m.Mentions(v) != want {
			t.Errorf("Mentions(%s) = %v", v, !want)
		}
	}
	if MustParseMarker(`os_name == "extra"`).Mentions("extra") {
		t.Error(`a value "extra" is not the variable extra`)
	}
	if c, ok := MustParseMarker(`os_name == sys_platform`).Comparisons()[0], true; ok {
		if _, _, _, ok := c.VarValue(); ok {
			t.Error("VarValue of a comparison between two variables")
		}
	}
	skipped := 0
	m.Walk(func(x Marker) bool {
		if x.Kind() == KindAnd {
			skipped++
			return false
		}
		if x.Kind() == KindCompare {
			if c, _ := x.Comparison(); c.Left.Variable == "extra" {
				t.Error("Walk visited an operand of a node whose visit returned false")
			}
		}
		return true
	})
	if skipped != 1 {
		t.Errorf("Walk visited %d and nodes, want 1", skipped)
	}
}

func TestCompare(t *testing.T) {
	tests := []struct{ variable, op, value, want, err string }{
		{"python_version", ">=", "3.10", `python_version >= "3.10"`, ""},
		{"os.name", "==", "nt", `os_name == "nt"`, ""},
		{"extra", "==", "Foo.Bar", `extra == "foo-bar"`, ""},
		{"sys_platform", "not  in", "linux", `sys_platform not in "linux"`, ""},
		{"python", "==", "3", "", `"python" is not a marker variable`},
		{"os_name", "=", "nt", "", `"=" is not a marker operator`},
	}
	for _, tc := range tests {
		m, err := Compare(tc.variable, tc.op, tc.value)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("Compare(%s %s %s): error %v, want %q", tc.variable, tc.op, tc.value, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("Compare(%s %s %s): %v", tc.variable, tc.op, tc.value, err)
		case tc.err == "" && m.String() != tc.want:
			t.Errorf("Compare(%s %s %s) = %q, want %q", tc.variable, tc.op, tc.value, m, tc.want)
		}
	}
}

// rebuild makes a marker from m's structure with the public constructors.
func rebuild(t *testing.T, m Marker) Marker {
	switch m.Kind() {
	case KindTrue:
		return Marker{}
	case KindFalse:
		return False()
	case KindCompare:
		c, _ := m.Comparison()
		r, err := NewComparison(c)
		if err != nil {
			t.Fatalf("NewComparison(%+v): %v", c, err)
		}
		return r
	}
	var out Marker
	for i, o := range m.Operands() {
		r := rebuild(t, o)
		switch {
		case i == 0:
			out = r
		case m.Kind() == KindAnd:
			out = And(out, r)
		default:
			out = Or(out, r)
		}
	}
	return out
}

// TestMarkerVectorsAlgebra runs the structure and the algebra over every
// valid marker of the conformance vectors, in the case's environment
// (metadata context, where packaging evaluates without error): the marker
// rebuilt from its structure, Not, Minimize and Restrict all agree with
// packaging's answer.
func TestMarkerVectorsAlgebra(t *testing.T) {
	var doc markerDoc
	loadJSON(t, "markers.json", &doc)
	checked := 0
	for _, c := range doc.Cases {
		if !c.Valid || c.Context != "metadata" || c.Result == nil {
			continue
		}
		m, err := ParseMarker(c.Marker)
		if err != nil {
			t.Fatalf("%q: %v", c.Marker, err)
		}
		env, _, _, err := splitEnv(c.Environment)
		if err != nil {
			t.Fatal(err)
		}
		want := *c.Result
		eval := func(what string, x Marker, want bool) {
			got, err := x.Evaluate(env)
			var uc *UndefinedComparisonError
			if errors.As(err, &uc) {
				return // the algebra may turn a comparison packaging skips into one it cannot make
			}
			if err != nil || got != want {
				t.Errorf("%s of %q = %q evaluates to (%v, %v), want %v", what, c.Marker, x, got, err, want)
			}
		}
		eval("rebuilt", rebuild(t, m), want)
		eval("Not", Not(m), !want)
		eval("Minimize", Minimize(m, Marker{}), want)
		eval("Minimize within its own environment's Python", Minimize(m, pythonOf(t, env)), want)
		eval("Restrict", Restrict(m, pythonOf(t, env)), want)
		checked++
	}
	t.Logf("%d vector cases checked", checked)
	if checked < 100 {
		t.Fatalf("only %d vector cases checked", checked)
	}
}

// pythonOf is the marker of env's Python version (python_full_version ==).
func pythonOf(t *testing.T, env Env) Marker {
	m, err := Compare("python_full_version", "==", env["python_full_version"])
	if err != nil {
		t.Fatal(err)
	}
	return m
}
