package lockfile

import (
	"testing"

	"github.com/pylock/pylock/pypi/pep508"
)

func TestPackageAppliesTo(t *testing.T) {
	linux := pep508.Env{"sys_platform": "linux", "python_version": "3.11"}
	for _, tc := range []struct {
		marker string
		env    pep508.Env
		want   bool
	}{
		{"", linux, true},
		{`sys_platform == "win32"`, nil, true},
		{`sys_platform == "win32"`, linux, false},
		{`sys_platform == "linux" and python_version >= "3.10"`, linux, true},
		{`python_version < "3.9"`, linux, false},
		{`sys_platform ==`, linux, true}, // unparsable: kept
	} {
		p := &Package{Name: "x", Marker: tc.marker}
		if got := p.AppliesTo(tc.env); got != tc.want {
			t.Errorf("marker %q in %v: AppliesTo = %v, want %v", tc.marker, tc.env, got, tc.want)
		}
	}
}
