package lockfile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestToolABIGuardRoundTrip(t *testing.T) {
	l := &Lock{LockVersion: "1.0", CreatedBy: "test", Tool: Tool{
		Options: map[string]string{"abi-guard": "on"},
		ABIGuard: []ToolABIGuard{
			{Provider: "numpy", Major: 2, FirstRelease: "2.0.0", Boundary: "2024-06-16", Reason: "NumPy 2.0 changed the C ABI",
				HeldBack: []string{"opencv-python==4.8.1.78"}},
			{Provider: "pyarrow", Major: 15, Unsafe: []string{"a==1", "b==2"}},
		},
	}}
	data, err := l.MarshalTOML()
	if err != nil {
		t.Fatal(err)
	}
	want := "[[tool.pylock.abi-guard]]\nprovider = \"numpy\"\nmajor = 2\nfirst-release = \"2.0.0\"\nboundary = \"2024-06-16\"\n" +
		"reason = \"NumPy 2.0 changed the C ABI\"\nheld-back = [\"opencv-python==4.8.1.78\"]\n"
	if !strings.Contains(string(data), want) {
		t.Errorf("marshalled:\n%s\nwant it to contain:\n%s", data, want)
	}
	back, err := Parse("pylock.toml", data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l.Tool.ABIGuard, back.Tool.ABIGuard); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestToolViaRoundTrip(t *testing.T) {
	l := &Lock{LockVersion: "1.0", CreatedBy: "test", Tool: Tool{
		Via: map[string][]string{"numpy": {"-r r1.txt", "-r r2.txt"}, "zope.interface": {"pyproject.toml"}},
	}}
	data, err := l.MarshalTOML()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "[tool.pylock.via]\nnumpy = [\"-r r1.txt\", \"-r r2.txt\"]\n\"zope.interface\" = [\"pyproject.toml\"]\n") {
		t.Errorf("marshalled:\n%s", data)
	}
	back, err := Parse("pylock.toml", data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l.Tool.Via, back.Tool.Via); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"[tool.pylock]\nvia = 1\n", "[tool.pylock.via]\nnumpy = \"-r x\"\n"} {
		if _, err := Parse("pylock.toml", []byte("lock-version = \"1.0\"\ncreated-by = \"t\"\npackages = []\n"+bad)); err == nil || !strings.Contains(err.Error(), "tool.pylock.via") {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
}

func TestToolABIGuardBadTypes(t *testing.T) {
	base := "lock-version = \"1.0\"\ncreated-by = \"t\"\npackages = []\n"
	for _, tc := range []struct{ toml, want string }{
		{"[tool.pylock]\nabi-guard = \"on\"\n", "tool.pylock.abi-guard: expected an array of tables"},
		{"[[tool.pylock.abi-guard]]\nprovider = 1\n", "tool.pylock.abi-guard[0].provider"},
		{"[[tool.pylock.abi-guard]]\nmajor = \"2\"\n", "tool.pylock.abi-guard[0].major: expected a positive integer"},
		{"[[tool.pylock.abi-guard]]\nmajor = -1\n", "tool.pylock.abi-guard[0].major: expected a positive integer"},
		{"[[tool.pylock.abi-guard]]\nheld-back = \"x\"\n", "tool.pylock.abi-guard[0].held-back"},
	} {
		_, err := Parse("pylock.toml", []byte(base+tc.toml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.toml, err, tc.want)
		}
	}
}
