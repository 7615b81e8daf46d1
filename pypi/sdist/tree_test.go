package sdist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTreeHash(t *testing.T) {
	dir := t.TempDir()
	write := func(p, c string) {
		full := filepath.Join(dir, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pyproject.toml", "[project]\nname='x'\n")
	write("src/x/__init__.py", "v = 1\n")
	h1, err := TreeHash(dir)
	if err != nil || !strings.HasPrefix(h1, "sha256:") {
		t.Fatalf("TreeHash: %q, %v", h1, err)
	}
	// Build outputs, caches and VCS data do not count.
	write("src/x/__pycache__/__init__.cpython-311.pyc", "junk")
	write("src/x.egg-info/PKG-INFO", "junk")
	write("build/lib/x/__init__.py", "junk")
	write(".git/HEAD", "junk")
	if h, _ := TreeHash(dir); h != h1 {
		t.Errorf("build outputs changed the hash")
	}
	// Nor do PEP 751 locks at the top, which record this hash: a lock
	// written beside -e . must not change it.
	write("pylock.toml", "lock 1")
	write("pylock.dev.toml", "lock 2")
	if h, _ := TreeHash(dir); h != h1 {
		t.Errorf("a lock file changed the hash")
	}
	// Other TOML files named alike, and lock names deeper down (a lock
	// parser's test data), are the project's.
	for _, name := range []string{"pylock.a.b.toml", "pylock..toml", "xpylock.toml", "pylock.tomlx", "tests/pylock.toml", "tests/pylock.spec.toml"} {
		write(name, "data")
		if h, _ := TreeHash(dir); h == h1 {
			t.Errorf("%s did not change the hash", name)
		}
		os.Remove(filepath.Join(dir, name))
	}
	write("src/x/__init__.py", "v = 2\n")
	h2, _ := TreeHash(dir)
	if h2 == h1 {
		t.Errorf("changed content, same hash")
	}
	write("src/x/__init__.py", "v = 1\n")
	write("src/x/new.py", "")
	if h, _ := TreeHash(dir); h == h1 {
		t.Errorf("added file, same hash")
	}
	if _, err := TreeHash(filepath.Join(dir, "missing")); err == nil {
		t.Errorf("missing directory hashed")
	}
}
