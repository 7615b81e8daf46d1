package pep508_test

import (
	"fmt"

	"github.com/pylock/pylock/pypi/pep508"
)

func ExampleParseRequirement() {
	r, err := pep508.ParseRequirement("Requests[Socks] (>=2.8.1, <3) ; python_version<'3.12'")
	if err != nil {
		panic(err)
	}
	fmt.Println(r.NormalizedName(), r.Extras, r.Specifier.String())
	fmt.Println(r)
	// Output:
	// requests [Socks] <3,>=2.8.1
	// Requests[Socks]<3,>=2.8.1; python_version < "3.12"
}

func ExampleMarker_Evaluate() {
	m := pep508.MustParseMarker(`python_version >= "3.9" and extra == "Foo.Bar"`)
	env := pep508.Env{"python_version": "3.11", "extra": "foo_bar"}
	ok, err := m.Evaluate(env)
	fmt.Println(ok, err)
	// Output: true <nil>
}

func ExampleDisjoint() {
	a := pep508.MustParseMarker(`python_version >= "3.10"`)
	b := pep508.MustParseMarker(`python_version < "3.9" or sys_platform == "win32"`)
	fmt.Println(pep508.Disjoint(a, b), pep508.Disjoint(a, pep508.Not(a)))
	fmt.Println(pep508.Not(b))
	// Output:
	// false true
	// python_version >= "3.9" and sys_platform != "win32"
}
