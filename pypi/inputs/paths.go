package inputs

import (
	"os"
	"path/filepath"
)

// LockRelative returns input path p (relative to the working directory)
// as a lock records it ([tool.pylock] inputs, [[tool.pylock.input]] path): relative to the directory of
// lockPath ("" or "-": the working directory), with forward slashes. Stdin
// ("-") stays "-"; a path with no relative form (another volume) is
// recorded absolute.
func LockRelative(p, lockPath string) string {
	if p == "-" {
		return p
	}
	dir := "."
	if lockPath != "" && lockPath != "-" {
		dir = filepath.Dir(lockPath)
	}
	if filepath.IsLocal(p) && filepath.IsLocal(dir) {
		// Both below the working directory: the same answer without
		// asking for it (filepath.Abs stats "." and $PWD every time).
		if rel, err := filepath.Rel(dir, p); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return lockRelativeAbs(p, dir)
}

// lockRelativeAbs is LockRelative through absolute paths.
func lockRelativeAbs(p, dir string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return filepath.ToSlash(p)
	}
	rel, err := filepath.Rel(absDir, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}

// Locate finds an input recorded in the lock at lockPath: relative to the
// lock's directory (as LockRelative records it), else as given (relative to
// the working directory, as older locks recorded them).
func Locate(p, lockPath string) (string, bool) {
	if !filepath.IsAbs(p) {
		alt := filepath.Join(filepath.Dir(lockPath), filepath.FromSlash(p))
		if fileExists(alt) {
			return alt, true
		}
	}
	if fileExists(p) {
		return p, true
	}
	return "", false
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
