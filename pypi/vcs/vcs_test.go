package vcs

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repo is a git repository made by a test.
type repo struct {
	t   *testing.T
	dir string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("git is needed: %v", err)
	}
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "--quiet", "--initial-branch=main")
	return r
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files (path -> content) and commits them.
func (r *repo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	for p, c := range files {
		full := filepath.Join(r.dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
	r.git("add", "-A")
	r.git("commit", "--quiet", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

func (r *repo) url() string { return "file://" + filepath.ToSlash(r.dir) }

func TestResolve(t *testing.T) {
	r := newRepo(t)
	c1 := r.commit("one", map[string]string{"README": "one\n"})
	r.git("tag", "v1.0")
	r.git("tag", "-a", "-m", "annotated", "v1.1")
	c2 := r.commit("two", map[string]string{"README": "two\n"})
	r.git("branch", "feature", c1)
	r.git("checkout", "--quiet", "-b", "dev")
	c3 := r.commit("three", map[string]string{"README": "three\n"})
	r.git("checkout", "--quiet", "main")
	c4 := r.commit("four", map[string]string{"README": "four\n"})
	r.git("branch", "-D", "dev") // c3 is now on no branch or tag

	g := &Git{CacheDir: t.TempDir()}
	ctx := context.Background()
	for _, c := range []struct{ ref, want string }{
		{"", c4},
		{"main", c4},
		{"v1.0", c1},
		{"v1.1", c1}, // annotated: peeled to its commit
		{"feature", c1},
		{c2, c2},
		{c2[:7], c2},
		{"refs/heads/main", c4},
	} {
		got, err := g.Resolve(ctx, r.url(), c.ref)
		if err != nil {
			t.Errorf("Resolve(%q): %v", c.ref, err)
			continue
		}
		if got != c.want {
			t.Errorf("Resolve(%q) = %s, want %s", c.ref, got, c.want)
		}
	}
	for _, ref := range []string{"v9.9", "nope", "deadbeef", strings.Repeat("a", 40), "--upload-pack=x"} {
		_, err := g.Resolve(ctx, r.url(), ref)
		var nf *RefNotFoundError
		if !errors.As(err, &nf) {
			t.Errorf("Resolve(%q): err %v, want RefNotFoundError", ref, err)
			continue
		}
		if want := "has no branch, tag or commit \"" + ref + "\""; !strings.Contains(err.Error(), want) {
			t.Errorf("Resolve(%q): %v, want it to say %s", ref, err, want)
		}
	}
	_ = c3
}

func TestResolveMissingRepository(t *testing.T) {
	g := &Git{CacheDir: t.TempDir()}
	_, err := g.Resolve(context.Background(), "file://"+filepath.ToSlash(t.TempDir())+"/none", "v1")
	var ce *CommandError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "ls-remote") {
		t.Fatalf("err %v, want a CommandError naming ls-remote", err)
	}
}

func TestCheckout(t *testing.T) {
	r := newRepo(t)
	c1 := r.commit("one", map[string]string{"pkg/pyproject.toml": "[project]\nname = \"pkg\"\n", "pkg/src/pkg/__init__.py": "v = 1\n", "top.txt": "top\n"})
	r.git("tag", "v1")
	r.commit("two", map[string]string{"pkg/src/pkg/__init__.py": "v = 2\n"})

	g := &Git{CacheDir: t.TempDir()}
	ctx := context.Background()
	id, err := g.Resolve(ctx, r.url(), "v1")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := g.Checkout(ctx, r.url(), id, "pkg")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "src", "pkg", "__init__.py"))
	if err != nil || string(data) != "v = 1\n" {
		t.Fatalf("checkout of %s: %q, %v", c1, data, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "..", "top.txt")); err != nil {
		t.Errorf("root of the checkout is missing top.txt: %v", err)
	}
	again, err := g.Checkout(ctx, r.url(), id, "pkg")
	if err != nil || again != dir {
		t.Errorf("second checkout: %s, %v; want cached %s", again, err, dir)
	}
	if _, err := g.Checkout(ctx, r.url(), id, "nope"); err == nil || !strings.Contains(err.Error(), `no subdirectory "nope"`) {
		t.Errorf("missing subdirectory: err %v", err)
	}
	if _, err := g.Checkout(ctx, r.url(), "v1", ""); err == nil {
		t.Errorf("Checkout accepted a tag name instead of a commit id")
	}
	_, err = g.Checkout(ctx, r.url(), strings.Repeat("b", 40), "")
	var nf *RefNotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("checkout of a commit the repository lacks: %v", err)
	}
}

func TestCheckoutContextCancelled(t *testing.T) {
	r := newRepo(t)
	r.commit("one", map[string]string{"a": "a"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := &Git{CacheDir: t.TempDir()}
	if _, err := g.Resolve(ctx, r.url(), "main"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

func TestMatchRef(t *testing.T) {
	out := "aaa\tHEAD\nbbb\trefs/heads/main\nccc\trefs/tags/v1\nddd\trefs/tags/v1^{}\neee\trefs/heads/v2\nfff\trefs/tags/v2\n"
	for ref, want := range map[string]string{"": "aaa", "main": "bbb", "v1": "ddd", "v2": "fff", "refs/heads/v2": "eee", "x": ""} {
		if got := matchRef(out, ref); got != want {
			t.Errorf("matchRef(%q) = %q, want %q", ref, got, want)
		}
	}
}
