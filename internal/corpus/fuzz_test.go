package corpus

import (
	"strings"
	"testing"
)

// FuzzParsePackse checks the packse parser never panics and that every
// parsed release has a consistent wheel/tag state.
func FuzzParsePackse(f *testing.F) {
	f.Add([]byte("name='x'\n[root]\nrequires=['a']\n[expected]\nsatisfiable=true\n[packages.a.versions.\"1.0\"]\nrequires=['b; python_version > \"3\"']\nextras={X_y=['c']}\n"))
	f.Add([]byte("[packages.a.versions]\n\"1\" = { wheel = false, upload_time = 2023-01-01T00:00:00Z }\n[expected]\nsatisfiable=false\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParsePackse(data, "fuzz.toml")
		if err != nil {
			return
		}
		for _, p := range s.Index.Projects {
			for _, r := range p.Releases {
				if r.Wheel != (len(r.WheelTags) > 0) {
					t.Fatalf("%s %s: wheel %v tags %v", p.Name, r.Version, r.Wheel, r.WheelTags)
				}
				for _, e := range r.Extras {
					if e != strings.ToLower(e) || strings.Contains(e, "_") {
						t.Fatalf("extra %q not normalised", e)
					}
				}
			}
		}
	})
}

// FuzzParseResolvelibIndex checks the snapshot parser never panics and
// derives extras only from extra markers.
func FuzzParseResolvelibIndex(f *testing.F) {
	f.Add([]byte(`{"A_b": {"1.0": {"dependencies": ["c (>=1) ; extra == 'Test'"]}}, "flag": true}`))
	f.Add([]byte(`{"toolz": {"0.10.0": {"dependencies": {}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		idx, err := ParseResolvelibIndex(data, "fuzz.json")
		if err != nil {
			return
		}
		for name, p := range idx.Projects {
			if name != p.Name {
				t.Fatalf("key %q name %q", name, p.Name)
			}
			for _, r := range p.Releases {
				if len(r.Extras) > 0 && !strings.Contains(strings.Join(r.Requires, "\n"), "extra") {
					t.Fatalf("extras %v without extra markers", r.Extras)
				}
			}
		}
	})
}
