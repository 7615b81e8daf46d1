package index

import (
	"bytes"
	"net/url"
	"strings"
)

// resolveFileURL resolves a file's URL against the page's URL, as
// base.Parse(ref).String() does. Absolute http(s) URLs made only of
// characters that parsing and printing leave alone (PyPI's
// files.pythonhosted.org links) are returned as they are, and plain
// relative ones (devpi, the bench index) are joined to the base's path,
// which spares a url.Parse and several allocations per file on pages with
// thousands of files. FuzzResolveFileURL checks both against url.
func resolveFileURL(base *url.URL, ref string) (string, bool) {
	if plainAbsURL(ref) {
		return ref, true
	}
	if s, _, ok := newRelBase(base).resolve(nil, ref); ok {
		return s, true
	}
	u, err := base.Parse(ref)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// plainAbsURL reports whether s is http(s)://host/path with a plain host
// (lower-case letters, digits, '-', '.', a port) and a plain path (see
// plainPath), no userinfo, query, fragment, empty or dot segment ("//",
// "/.", a path starting with "."): a URL that url.Parse then String
// returns unchanged.
func plainAbsURL(s string) bool {
	var rest string
	switch {
	case len(s) > 8 && s[:8] == "https://":
		rest = s[8:]
	case len(s) > 7 && s[:7] == "http://":
		rest = s[7:]
	default:
		return false
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 || !plainHost(rest[:slash]) {
		return false
	}
	return scanPath(rest[slash:], true)
}

// Classes of URL path bytes (pathClass).
const (
	pcBad   = iota // needs escaping
	pcPlain        // kept as it is
	pcSlash        // '/'
	pcPct          // '%'
)

// pathClass classifies bytes for scanPath: unreserved characters,
// sub-delimiters, ':' and '@' are kept as they are in an escaped path.
// (Static data: nothing is built at start-up.)
var pathClass = [256]uint8{
	'a': pcPlain, 'b': pcPlain, 'c': pcPlain, 'd': pcPlain, 'e': pcPlain, 'f': pcPlain, 'g': pcPlain,
	'h': pcPlain, 'i': pcPlain, 'j': pcPlain, 'k': pcPlain, 'l': pcPlain, 'm': pcPlain, 'n': pcPlain,
	'o': pcPlain, 'p': pcPlain, 'q': pcPlain, 'r': pcPlain, 's': pcPlain, 't': pcPlain, 'u': pcPlain,
	'v': pcPlain, 'w': pcPlain, 'x': pcPlain, 'y': pcPlain, 'z': pcPlain, 'A': pcPlain, 'B': pcPlain,
	'C': pcPlain, 'D': pcPlain, 'E': pcPlain, 'F': pcPlain, 'G': pcPlain, 'H': pcPlain, 'I': pcPlain,
	'J': pcPlain, 'K': pcPlain, 'L': pcPlain, 'M': pcPlain, 'N': pcPlain, 'O': pcPlain, 'P': pcPlain,
	'Q': pcPlain, 'R': pcPlain, 'S': pcPlain, 'T': pcPlain, 'U': pcPlain, 'V': pcPlain, 'W': pcPlain,
	'X': pcPlain, 'Y': pcPlain, 'Z': pcPlain, '0': pcPlain, '1': pcPlain, '2': pcPlain, '3': pcPlain,
	'4': pcPlain, '5': pcPlain, '6': pcPlain, '7': pcPlain, '8': pcPlain, '9': pcPlain, '-': pcPlain,
	'.': pcPlain, '_': pcPlain, '~': pcPlain, '+': pcPlain, '!': pcPlain, '$': pcPlain, '&': pcPlain,
	'\'': pcPlain, '(': pcPlain, ')': pcPlain, '*': pcPlain, ',': pcPlain, ';': pcPlain, '=': pcPlain,
	':': pcPlain, '@': pcPlain, '/': pcSlash, '%': pcPct,
}

// scanPath reports whether p is plain (plainPath); with segments, a '/'
// may not be followed by '/' or '.' either.
func scanPath(p string, segments bool) bool {
	for i := 0; i < len(p); i++ {
		switch pathClass[p[i]] {
		case pcPlain:
		case pcSlash:
			if segments && i+1 < len(p) && (p[i+1] == '/' || p[i+1] == '.') {
				return false
			}
		case pcPct:
			if i+2 >= len(p) || !isHexDigit(p[i+1]) || !isHexDigit(p[i+2]) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

// plainHost reports whether host is a non-empty lower-case DNS name or
// IPv4 address, optionally with a port.
func plainHost(host string) bool {
	name, port, hasPort := strings.Cut(host, ":")
	if name == "" || hasPort && port == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return true
}

// plainPath reports whether p holds only pcPlain or '/' bytes and well-formed
// percent-escapes: an escaped path that url keeps as it is.
func plainPath(p string) bool { return scanPath(p, false) }

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// relBase is a page URL prepared for resolving plain relative references
// without url.Parse: http(s), a plain host, no userinfo, a plain path.
type relBase struct {
	ok     bool
	prefix string // scheme://host
	dir    string // the escaped path up to and including its last '/'
}

func newRelBase(base *url.URL) relBase {
	if base == nil || base.Scheme != "http" && base.Scheme != "https" || base.Opaque != "" || base.User != nil ||
		!plainHost(base.Host) {
		return relBase{}
	}
	p := base.EscapedPath()
	if p != "" && p[0] != '/' || !plainPath(p) {
		return relBase{}
	}
	return relBase{ok: true, prefix: base.Scheme + "://" + base.Host, dir: p[:strings.LastIndexByte(p, '/')+1]}
}

// resolve returns what url's ResolveReference then String give for a
// plain reference: a non-empty path (plainPath, no ':', not starting with
// "//"), with no scheme, host, query or fragment. It removes dot segments
// as url does (RFC 3986 5.2.4 on the escaped path). buf is scratch,
// returned for reuse; ok is false for any other reference.
func (b relBase) resolve(buf []byte, ref string) (string, []byte, bool) {
	if !b.ok || ref == "" || strings.HasPrefix(ref, "//") || strings.IndexByte(ref, ':') >= 0 || !plainPath(ref) ||
		ref == "%2A" { // url reads a path that unescapes to "*" as "*" (Go issue 11202)
		return "", buf, false
	}
	// The merged path, then the URL being built after it.
	buf = buf[:0]
	if ref[0] != '/' {
		buf = append(buf, b.dir...)
	}
	buf = append(buf, ref...)
	n := len(buf)
	buf = append(buf, b.prefix...)
	root := len(buf)
	buf = append(buf, '/')
	full := buf[:n:n]
	var elem []byte
	first := true
	for found := true; found; {
		if i := bytes.IndexByte(full, '/'); i >= 0 {
			elem, full = full[:i], full[i+1:]
		} else {
			elem, found = full, false
		}
		switch string(elem) {
		case ".":
			first = false
		case "..":
			if i := bytes.LastIndexByte(buf[root+1:], '/'); i >= 0 {
				buf = buf[:root+1+i]
			} else {
				buf = buf[:root+1]
			}
			first = len(buf) == root+1
		default:
			if !first {
				buf = append(buf, '/')
			}
			buf = append(buf, elem...)
			first = false
		}
	}
	if string(elem) == "." || string(elem) == ".." {
		buf = append(buf, '/')
	}
	if len(buf) > root+1 && buf[root+1] == '/' { // url writes one leading '/', not two
		buf = append(buf[:root], buf[root+1:]...)
	}
	return string(buf[n:]), buf, true
}
