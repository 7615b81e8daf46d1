package lockfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseLock: Parse never panics and fails only with *Error; whatever
// parses re-marshals to a document that parses back equal (in canonical
// order) and marshals to the same bytes; the other consumers of a parsed
// lock (Validate, Plan, renderers, Diff) do not panic. Seeds: the spec
// example, the golden locks, the invalid fixtures and testdata/fuzz.
func FuzzParseLock(f *testing.F) {
	for _, pattern := range []string{"testdata/golden/*.toml", "testdata/invalid/*.toml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	shared := os.Getenv("PYLOCK_SHARED")
	if shared == "" {
		shared = filepath.Join("..", "..", "shared")
	}
	if spec, err := os.ReadFile(filepath.Join(shared, "vectors", "pylock", "pylock.spec-example.toml")); err == nil {
		f.Add(spec)
	}
	f.Add([]byte("lock-version = \"1.0\"\ncreated-by = \"t\"\npackages = []\n[tool.pylock]\ninputs = [\"a.toml\"]\n" +
		"[[tool.pylock.input]]\npath = \"a.toml\"\nrole = \"pyproject\"\nextras = []\ngroups = [\"dev\"]\nall-extras = true\n" +
		"[[tool.pylock.input]]\n"))
	f.Add([]byte("lock-version = \"1.0\"\ncreated-by = \"t\"\npackages = []\n[tool.pylock.via]\nnumpy = [\"-r r1.txt\", \"-c c.txt\"]\n" +
		"[[tool.pylock.abi-guard]]\nprovider = \"numpy\"\nmajor = 2\nboundary = \"2024-06-16\"\nheld-back = [\"cv==1\"]\nunsafe = []\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("fuzz.toml", data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			return
		}
		_ = l.Validate()
		out, err := l.MarshalTOML()
		if err != nil {
			t.Fatalf("MarshalTOML: %v", err)
		}
		back, err := Parse("out.toml", out)
		if err != nil {
			t.Fatalf("re-parse: %v\n--- input\n%s\n--- output\n%s", err, data, out)
		}
		want := l.clone()
		want.Sort()
		if d := lockDiff(want, back); d != "" {
			t.Fatalf("round trip (-want +got):\n%s\n--- output\n%s", d, out)
		}
		again, err := back.MarshalTOML()
		if err != nil || string(again) != string(out) {
			t.Fatalf("not idempotent: %v\n%s\n---\n%s", err, out, again)
		}
		if p, err := Plan(l, nil); err == nil {
			p.Shell(RenderOptions{})
			p.Dockerfile(RenderOptions{Inline: true})
			if _, err := RenderJSON(l, p); err != nil {
				t.Fatalf("RenderJSON: %v", err)
			}
		}
		RenderRequirements(l, "")
		if d := Diff(l, back); len(d) != 0 {
			t.Fatalf("Diff(l, round trip) = %v", d)
		}
	})
}
