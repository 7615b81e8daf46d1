package pylock

import (
	"net/url"
	"path/filepath"
	"strings"
)

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
