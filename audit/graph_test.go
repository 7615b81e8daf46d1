package audit

import (
	"context"
	"testing"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
)

// TestEdgeRequirementsUniversal checks why's edge labels on a universal
// lock (no target environment): requirements whose markers cannot hold
// where the package is installed are left out, those whose markers still
// matter are shown with the marker, not merged into one specifier.
func TestEdgeRequirementsUniversal(t *testing.T) {
	requiresDist := []string{
		`numpy>=1.13.3; python_version < "3.7"`,
		`numpy>=1.21.0; python_version <= "3.9" and platform_system == "Darwin"`,
		`numpy>=1.21.2; python_version >= "3.10"`,
		`numpy>=1.21.4; python_version >= "3.10" and platform_system == "Darwin"`,
		`numpy>=1.23.5; python_version >= "3.11"`,
		`numpy>=1.26.0; python_version >= "3.12"`,
		`numpy>=1.21.2; python_version >= "3.10"`,
		`numpy>=1.99; sys_platform == "win32"`,
	}
	tests := []struct {
		name         string
		envs         []string
		opencvMarker string
		want         string
	}{
		{"requires-python only", nil, "",
			`numpy>=1.21.2,>=1.23.5 | numpy>=1.21.4 ; platform_system == "Darwin" | numpy>=1.26.0 ; python_version >= "3.12" | numpy>=1.99 ; sys_platform == "win32"`},
		// sys_platform == "linux" / "win32" rule out platform_system == "Darwin" (pep508).
		{"environments", []string{`sys_platform == "linux"`}, "",
			`numpy>=1.21.2,>=1.23.5 | numpy>=1.26.0 ; python_version >= "3.12"`},
		{"package marker", nil, `python_version >= "3.12" and sys_platform == "win32"`,
			`numpy>=1.21.2,>=1.23.5,>=1.26.0,>=1.99`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := seedLock("1.26.4")
			l.RequiresPython = ">=3.11"
			l.Environments = tc.envs
			l.Packages[1].Marker = tc.opencvMarker
			g := lockfile.NewGraph(l)
			fetch := func(context.Context, *lockfile.Package) (*index.Metadata, error) {
				return &index.Metadata{RequiresDist: requiresDist}, nil
			}
			if err := AddEdgeRequirements(context.Background(), g, l, nil, nil, fetch); err != nil {
				t.Fatal(err)
			}
			out, err := g.RenderWhy("numpy")
			if err != nil {
				t.Fatal(err)
			}
			want := `you require "numpy" -> numpy==1.26.4
you require "opencv-python==4.8.1.78" -> opencv-python==4.8.1.78 -(` + tc.want + `)-> numpy==1.26.4
`
			if out != want {
				t.Errorf("why numpy:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}
