package reqfile

import (
	"os"
	"strings"
	"testing"
)

// BenchmarkParse500 parses a 500-line pip-compile style requirements file
// (the first 500 lines of testdata/big-requirements.txt).
func BenchmarkParse500(b *testing.B) {
	data, err := os.ReadFile("testdata/big-requirements.txt")
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")[:500]
	// End on a complete requirement: drop a trailing continuation.
	for strings.HasSuffix(strings.TrimSpace(lines[len(lines)-1]), `\`) {
		lines = lines[:len(lines)-1]
	}
	in := []byte(strings.Join(lines, ""))
	opts := memFS{}.options(map[string]string{"PRIVATE_INDEX_HOST": "pypi.internal.example"})
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("requirements.txt", in, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePyproject(b *testing.B) {
	data := []byte(`[project]
name = "app"
requires-python = ">=3.10"
dependencies = ["fastapi==0.104.1", "uvicorn[standard]>=0.24", "numpy>=1.26,<2", "pydantic>=2,<3"]
[project.optional-dependencies]
dev = ["pytest>=7", "ruff"]
[dependency-groups]
test = ["pytest", {include-group = "lint"}]
lint = ["ruff", "mypy"]
`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePyproject("pyproject.toml", data, PyprojectOptions{AllExtras: true, AllGroups: true}); err != nil {
			b.Fatal(err)
		}
	}
}
