package sdist

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// skipDirs are directories TreeHash leaves out: version control data,
// caches, virtual environments and build outputs that installing or
// testing a project writes into its tree.
var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, "__pycache__": true, ".tox": true, ".nox": true,
	".venv": true, "venv": true, ".mypy_cache": true, ".pytest_cache": true, ".ruff_cache": true,
	"build": true, "dist": true, "node_modules": true,
}

func skipName(name string, dir bool) bool {
	if dir {
		return skipDirs[name] || strings.HasSuffix(name, ".egg-info")
	}
	return strings.HasSuffix(name, ".pyc") || strings.HasSuffix(name, ".pyo")
}

// lockName reports whether a file name is one PEP 751 gives lock files
// (pylock.toml, pylock.<name>.toml). A lock at the top of a project
// describes an environment, not the project's source, and a lock of the
// project records the project's tree hash: counted in the hash, every lock
// written beside `-e .` would change the hash it records, so no two runs
// would agree. Deeper in the tree such a name is more likely the project's
// own data (a lock parser's test files) and counts.
func lockName(name string) bool {
	mid, ok := strings.CutPrefix(name, "pylock.")
	if !ok {
		return false
	}
	mid, ok = strings.CutSuffix(mid, "toml")
	if !ok {
		return false
	}
	if mid == "" {
		return true
	}
	label, ok := strings.CutSuffix(mid, ".")
	return ok && label != "" && !strings.Contains(label, ".")
}

// TreeHash returns "sha256:<hex>" over a source tree: every regular file's
// slash-separated relative path, executable bit and content, and every
// symbolic link's target, in path order. Version control data, caches,
// virtual environments, build outputs (build/, dist/, *.egg-info),
// compiled Python files and PEP 751 lock files at the top of the tree
// (lockName) are left out, so installing, testing or locking the project
// does not change its hash.
func TreeHash(root string) (string, error) {
	type entry struct{ rel, path string }
	var files []entry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		if skipName(d.Name(), d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && filepath.Dir(p) == filepath.Clean(root) && lockName(d.Name()) {
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		files = append(files, entry{filepath.ToSlash(rel), p})
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hashing tree %s: %w", root, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	h := sha256.New()
	for _, f := range files {
		if err := hashEntry(h, f.rel, f.path); err != nil {
			return "", fmt.Errorf("hashing tree %s: %w", root, err)
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

func hashEntry(h io.Writer, rel, p string) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "link %q %q\n", rel, filepath.ToSlash(target))
	case fi.Mode().IsRegular():
		mode := "file"
		if fi.Mode()&0o111 != 0 {
			mode = "exec"
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s %q %d\n", mode, rel, fi.Size())
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
	}
	return nil
}
