package pylock

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pylock/pylock/pypi/direct"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/resolver"
)

// urlDepProvider serves "idx 1.0" depending on a direct reference.
type urlDepProvider struct{}

func (urlDepProvider) Candidates(ctx context.Context, name string) ([]resolver.Candidate, error) {
	return []resolver.Candidate{{Version: pep440.MustParse("1.0"), Dists: []resolver.Dist{{Filename: name + "-1.0-py3-none-any.whl", Wheel: true, Compatible: true}}}}, nil
}

func (urlDepProvider) Metadata(ctx context.Context, name string, v pep440.Version) (resolver.Metadata, error) {
	r, _ := pep508.ParseRequirement("evil @ https://h.example/evil-1.0-py3-none-any.whl")
	return resolver.Metadata{RequiresDist: []pep508.Requirement{r}}, nil
}

func (urlDepProvider) Prefetch(string, ...pep440.Version) {}

func writeProject(t *testing.T, dir, name, version string) {
	t.Helper()
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \""+name+"\"\nversion = \""+version+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func staticTree(ctx context.Context, dir, key string) (*index.Metadata, string, error) {
	p, err := reqfile.ParsePyproject("pyproject.toml", mustRead(dir+"/pyproject.toml"), reqfile.PyprojectOptions{})
	if err != nil {
		return nil, "", err
	}
	return &index.Metadata{Name: p.Name, Version: "0.1"}, "pyproject.toml", nil
}

func mustRead(p string) []byte { b, _ := os.ReadFile(p); return b }

func TestDirectProvider(t *testing.T) {
	dir := t.TempDir()
	writeProject(t, filepath.Join(dir, "a"), "proj-a", "0.1")
	writeProject(t, filepath.Join(dir, "b"), "proj-a", "0.1")
	req := filepath.Join(dir, "requirements.txt")
	f, err := reqfile.Parse(req, []byte("-e ./a\nidx\n"), reqfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &direct.Resolver{Tree: staticTree, LockDir: dir}
	refs, reqs, err := loadDirect(context.Background(), r, f.Requirements)
	if err != nil {
		t.Fatal(err)
	}
	if got := reqs[0]; got.Name != "proj-a" || got.URL != "file:a" {
		t.Errorf("requirement %+v", got)
	}
	if _, ok := reqs[1]; ok {
		t.Errorf("index requirement treated as direct")
	}
	p := &directProvider{Provider: urlDepProvider{}, refs: refs}
	cs, err := p.Candidates(context.Background(), "proj-a")
	if err != nil || len(cs) != 1 || cs[0].Version.String() != "0.1" {
		t.Errorf("candidates %+v, %v", cs, err)
	}
	_, err = p.Metadata(context.Background(), "idx", pep440.MustParse("1.0"))
	var te *TransitiveURLError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "idx 1.0 depends on") || KindOf(err) != KindUsage {
		t.Errorf("transitive URL: %v (kind %v)", err, KindOf(err))
	}

	f, _ = reqfile.Parse(req, []byte("-e ./a\n./b\n"), reqfile.Options{})
	_, _, err = loadDirect(context.Background(), r, f.Requirements)
	if err == nil || !strings.Contains(err.Error(), "second direct reference to proj-a") || !strings.Contains(err.Error(), "requirements.txt:2:1") {
		t.Errorf("two references: %v", err)
	}
}
