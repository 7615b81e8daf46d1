package lockfile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestToolInputRoundTrip(t *testing.T) {
	l := &Lock{LockVersion: "1.0", CreatedBy: "test", Tool: Tool{
		Inputs: []string{"pyproject.toml", "cons.txt"},
		InputRoles: []ToolInput{
			{Path: "pyproject.toml", Role: "pyproject", Extras: []string{"fast"}, Groups: []string{"dev", "test"}, AllExtras: true},
			{Path: "cons.txt", Role: "constraint"},
			{Path: "-", Role: "requirements"},
		},
	}}
	data, err := l.MarshalTOML()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "[[tool.pylock.input]]\npath = \"cons.txt\"\nrole = \"constraint\"\n") {
		t.Errorf("marshalled:\n%s", data)
	}
	back, err := Parse("pylock.toml", data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l.Tool.InputRoles, back.Tool.InputRoles); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestToolInputBadTypes(t *testing.T) {
	base := "lock-version = \"1.0\"\ncreated-by = \"t\"\npackages = []\n"
	for _, tc := range []struct{ toml, want string }{
		{"[tool.pylock]\ninput = \"x\"\n", "tool.pylock.input: expected an array of tables"},
		{"[[tool.pylock.input]]\npath = 1\n", "tool.pylock.input[0].path"},
		{"[[tool.pylock.input]]\nall-extras = \"yes\"\n", "tool.pylock.input[0].all-extras: expected a boolean"},
	} {
		_, err := Parse("pylock.toml", []byte(base+tc.toml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.toml, err, tc.want)
		}
	}
}
