package lockfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateFixtures runs every testdata/invalid/*.toml: its first line
// "# want: TEXT" gives a substring the error must contain (positions
// included), one fixture per rule.
func TestValidateFixtures(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.toml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(data), "\n")
			want, ok := strings.CutPrefix(first, "# want: ")
			if !ok {
				t.Fatalf("first line %q is not a want comment", first)
			}
			_, err = ParseValid("x.toml", data)
			if err == nil {
				t.Fatalf("no error, want %q", want)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error:\n  %s\nwant it to contain:\n  %s", err, want)
			}
			if !strings.HasPrefix(err.Error(), "x.toml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestValidateValid(t *testing.T) {
	spec, err := ParseValid("spec.toml", specExample(t))
	if err != nil {
		t.Fatalf("spec example: %v", err)
	}
	if err := sampleLock().Validate(); err != nil {
		t.Errorf("sample lock: %v", err)
	}
	// What MarshalTOML writes validates too.
	for _, l := range []*Lock{spec, sampleLock()} {
		out, err := l.MarshalTOML()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseValid("out.toml", out); err != nil {
			t.Errorf("marshalled lock: %v", err)
		}
	}
	direct := &Lock{LockVersion: "1.1", CreatedBy: "x", Packages: []Package{
		{Name: "a", VCS: map[string]any{"type": "git", "path": "../a", "commit-id": "abc"}},
		{Name: "b", Directory: map[string]any{"path": "./b", "editable": true}},
		{Name: "c", Version: "1", Archive: &Artifact{Path: "c.zip", Hashes: map[string]string{"sha256": "aa"}}},
		{Name: "d", Version: "1.0.0", Sdist: &Artifact{Path: "d-1.0.tar.gz", Hashes: map[string]string{"sha256": "aa"}},
			Dependencies: []Dependency{{Name: "a"}, {Name: "c", Version: "1.0"}}},
	}}
	if err := direct.Validate(); err != nil {
		t.Errorf("direct references: %v", err)
	}
}

func TestValidationErrorListsAll(t *testing.T) {
	l := &Lock{Packages: []Package{{Name: "A"}}}
	err := l.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v", err)
	}
	if len(ve.Problems) != 4 {
		t.Errorf("problems = %v, want 4 (lock-version, created-by, name, no source)", ve.Problems)
	}
	if !strings.Contains(err.Error(), "(and 3 more problems)") {
		t.Errorf("message %q", err)
	}
}
