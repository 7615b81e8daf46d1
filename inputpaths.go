package pylock

import (
	"net/url"
	"path/filepath"
	"strings"
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

// IndexURL returns the URL recorded as a package's index in the lock
// (PEP 751 wants a URL): a local directory index becomes its absolute
// file:// URL, which pip accepts as --index-url; URLs are returned as they
// are.
func IndexURL(s string) string {
	if s == "" || strings.Contains(s, "://") {
		return s
	}
	abs, err := filepath.Abs(s)
	if err != nil {
		return s
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") { // C:/x -> /C:/x
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
