package index

import (
	"net/url"
	"path"
	"strings"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/wheel"
)

const (
	ctSimpleJSON = "application/vnd.pypi.simple.v1+json"
	// acceptSimple asks for PEP 691 JSON and accepts PEP 503 HTML.
	acceptSimple = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
)

// knownHashAlgo reports whether k names a hash algorithm pylock keeps.
func knownHashAlgo(k string) bool {
	switch k {
	case "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b_256":
		return true
	}
	return false
}

// parsePage parses a Simple API project page (JSON when the content type
// says so, else HTML). URLs are resolved against base.
func parsePage(body []byte, ctype string, base *url.URL) ([]File, error) {
	return parsePageFrom(body, ctype, base, false)
}

// parsePageFrom is parsePage; for a remote page it also rejects the files
// whose URL is not http(s) (see remoteReject).
func parsePageFrom(body []byte, ctype string, base *url.URL, remote bool) ([]File, error) {
	if strings.Contains(strings.ToLower(ctype), "json") {
		return decodeJSONPage(body, base, remote)
	}
	return decodeHTMLPage(body, base, remote)
}

// remoteReject says why a file URL from a remote page cannot be used (a
// remote page may not point at local files), or "". The parsers call it
// only for URLs their fast paths did not make (those are plain http(s)).
func remoteReject(u string) string {
	if plainAbsURL(u) {
		return ""
	}
	fu, err := url.Parse(u)
	switch {
	case err == nil && (fu.Scheme == "http" || fu.Scheme == "https"):
		return ""
	case err == nil && fu.Scheme == "file":
		return "file:// URL on a remote index"
	}
	return "not an http(s) URL on a remote index"
}

// cleanHashes keeps known algorithms with hex digests, lower-cased. The
// digests name cache files, so anything else (an index sending "../x") is
// dropped rather than trusted. Where keys differ only in case, the one
// that sorts last wins (hashMap).
func cleanHashes(h map[string]string) map[string]string {
	if hashesClean(h) { // the common case: no copy
		return h
	}
	pairs := make([]hashPair, 0, len(h))
	for k, v := range h {
		pairs = append(pairs, hashPair{k, v})
	}
	return hashMap(pairs)
}

// hashesClean reports whether cleanHashes would return h unchanged: a
// non-nil map of known algorithms in lower case with lower-case hex digests.
func hashesClean(h map[string]string) bool {
	if h == nil {
		return false
	}
	for k, v := range h {
		if !knownHashAlgo(k) || !isHex(v) {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// filenameOf is the last segment of u's escaped path, unescaped (so that
// "..%2Fx.whl" stays one, unsafe, name instead of becoming "x.whl").
func filenameOf(u *url.URL) string {
	p := u.EscapedPath()
	seg := p[strings.LastIndexByte(p, '/')+1:]
	if name, err := url.PathUnescape(seg); err == nil {
		return name
	}
	return path.Base(u.Path)
}

// unsafeName says why a distribution file name from an index cannot be
// used (it names the file pylock and installers write), or "".
func unsafeName(name string) string {
	switch {
	case name == "" || name == "." || name == "..":
		return "empty file name"
	case !hasUnsafeByte(name):
		if name[0] == '.' {
			return "unsafe file name (starts with '.')"
		}
		return ""
	}
	sep, ctl := false, false
	for i := 0; i < len(name); i++ { // bytes: no rune of a multi-byte sequence is one of these
		switch c := name[i]; {
		case c == '/' || c == '\\':
			sep = true
		case c < 0x20 || c == 0x7f:
			ctl = true
		}
	}
	switch {
	case sep:
		return "unsafe file name (path separator)"
	case name[0] == '.':
		return "unsafe file name (starts with '.')"
	case ctl:
		return "unsafe file name (control character)"
	}
	return ""
}

// hasUnsafeByte reports whether s holds '/', '\\', a control byte or DEL,
// eight bytes at a time. hasZero(x) is exact as a whole: a borrow only
// flags a byte above a zero byte.
func hasUnsafeByte(s string) bool {
	hasZero := func(x uint64) uint64 { return (x - ones) &^ x & highs }
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := load64(s[i : i+8])
		if ((w-0x20*ones)&^w&highs)|hasZero(w^(0x7f*ones))|hasZero(w^('/'*ones))|hasZero(w^('\\'*ones)) != 0 {
			return true
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '/' || c == '\\' {
			return true
		}
	}
	return false
}

// distExts are the distribution file types pylock considers; others
// (.egg, .exe, .msi, ...) are dropped from project pages.
var distExts = []string{".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar"}

// distExt returns filename's distribution extension (lower case), "" for
// none. Extensions match ASCII case-insensitively, without lower-casing
// (and copying) the whole name of every file of a page.
func distExt(filename string) string {
	for _, e := range distExts {
		if hasSuffixFold(filename, e) {
			return e
		}
	}
	return ""
}

func isWheel(filename string) bool { return hasSuffixFold(filename, ".whl") }

// hasSuffixFold reports whether s ends with the lower-case ASCII suffix,
// ignoring ASCII case.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && asciiEqualLower(s[len(s)-len(suffix):], suffix)
}

// filenameMatches reports whether a distribution filename can belong to
// project: a wheel's first field, or for an sdist any prefix ending before a
// '-' that is followed by a digit (or "v"), canonicalises to project.
func filenameMatches(filename, project string) bool {
	ext := distExt(filename)
	if ext == "" {
		return false
	}
	stem := filename[:len(filename)-len(ext)]
	if ext == ".whl" {
		n, _, _ := strings.Cut(stem, "-")
		return names.Canonicalize(n) == project
	}
	for i := 0; i < len(stem); i++ {
		if stem[i] == '-' && i+1 < len(stem) && (stem[i+1] >= '0' && stem[i+1] <= '9' || stem[i+1] == 'v') {
			if names.Canonicalize(stem[:i]) == project {
				return true
			}
		}
	}
	return false
}

// splitFilename returns the canonical project and the version field of a
// distribution filename: parsed by pypi/wheel when it can, else (legacy,
// non-PEP 440 versions) guessed by projectOfFilename / versionOfFilename.
func splitFilename(filename string) (project, version string) {
	if isWheel(filename) {
		if w, err := wheel.ParseFilename(filename); err == nil {
			return w.Name, strings.Split(filename, "-")[1]
		}
	} else if sd, err := wheel.ParseSdistFilename(filename); err == nil {
		stem := strings.TrimSuffix(filename, sd.Ext)
		return sd.Name, stem[strings.LastIndexByte(stem, '-')+1:]
	}
	p := projectOfFilename(filename)
	return p, versionOfFilename(filename, p)
}

// projectOfFilename guesses the project of an sdist filename: the text before
// the first '-' followed by a digit.
func projectOfFilename(filename string) string {
	ext := distExt(filename)
	stem := filename[:len(filename)-len(ext)]
	if ext == ".whl" {
		n, _, _ := strings.Cut(stem, "-")
		return names.Canonicalize(n)
	}
	for i := 0; i < len(stem); i++ {
		if stem[i] == '-' && i+1 < len(stem) && stem[i+1] >= '0' && stem[i+1] <= '9' {
			return names.Canonicalize(stem[:i])
		}
	}
	return names.Canonicalize(stem)
}

// versionOfFilename returns the version field of a distribution filename.
func versionOfFilename(filename, project string) string {
	ext := distExt(filename)
	stem := filename[:len(filename)-len(ext)]
	if ext == ".whl" {
		parts := strings.Split(stem, "-")
		if len(parts) >= 2 {
			return parts[1]
		}
		return ""
	}
	for i := 0; i < len(stem); i++ {
		if stem[i] == '-' && names.Canonicalize(stem[:i]) == project {
			return stem[i+1:]
		}
	}
	return ""
}
