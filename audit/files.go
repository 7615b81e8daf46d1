package audit

import (
	"strings"

	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/wheel"
)

// fileVersion returns the version a distribution filename carries.
func fileVersion(fn string) (pep440.Version, bool) {
	if strings.HasSuffix(fn, ".whl") {
		w, err := wheel.ParseFilename(fn)
		return w.Version, err == nil
	}
	s, err := wheel.ParseSdistFilename(fn)
	return s.Version, err == nil
}

// compiled reports whether a wheel filename is platform-specific.
func compiled(fn string) bool {
	if !strings.HasSuffix(fn, ".whl") {
		return false
	}
	w, err := wheel.ParseFilename(fn)
	if err != nil {
		return false
	}
	for _, t := range w.Tags {
		if t.Platform != "any" {
			return true
		}
	}
	return false
}
