package engine

import (
	"path/filepath"
)

// LockRelative returns input path p (relative to the working directory)
// as recorded in [tool.pylock] inputs: relative to the directory of
// lockPath ("" or "-": the working directory), with forward slashes. Stdin
// ("-") stays "-"; a path with no relative form (another volume) is
// recorded absolute.
func LockRelative(p, lockPath string) string {
	if p == "-" {
		return p
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	dir := "."
	if lockPath != "" && lockPath != "-" {
		dir = filepath.Dir(lockPath)
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
