package index

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// parseHTMLPage reads the anchors of a PEP 503 page (plus PEP 592, 629,
// 658, 714 attributes). A <base href> changes the base URL.
//
// It scans the page by hand and gives exactly what the regular
// expressions of parseHTMLPageRegexp give (FuzzParseHTMLPage checks),
// about ten times faster, with the JSON decoder's economies: attribute
// values are sub-strings of one copy of the page, escaped
// requires-python values are unescaped once per page, plain URLs are
// resolved without url.Parse, hashes go straight into their maps. A page
// where a tag does not end (an unclosed quote, the end of the page) goes
// to parseHTMLPageRegexp: a scanner would rescan the rest of the page for
// every such tag.
func parseHTMLPage(body []byte, base *url.URL) ([]File, error) {
	return decodeHTMLPage(body, base, false)
}

// decodeHTMLPage is parseHTMLPage; remote: see parsePageFrom.
func decodeHTMLPage(body []byte, base *url.URL, remote bool) ([]File, error) {
	s := string(body)
	sc := htmlScanner{s: s, base: base, remote: remote, noCommentEnd: len(s) + 1}
	files, ok := sc.scan()
	if !ok {
		files, err := parseHTMLPageRegexp(body, base)
		if remote {
			for i := range files {
				if f := &files[i]; f.Reject == "" {
					f.Reject = remoteReject(f.URL)
				}
			}
		}
		return files, err
	}
	if len(files) == 0 && !looksLikeHTML(body) {
		return nil, fmt.Errorf("%w: the response is neither a PEP 503 HTML nor a PEP 691 JSON page (%d bytes)", ErrIndexFault, len(body))
	}
	if n := anchorOpenings(s); n > sc.anchors {
		files = append(files, File{Filename: fmt.Sprintf("%d link(s)", n-sc.anchors), Reject: "malformed <a> tag", Size: -1})
	}
	return files, nil
}

type htmlScanner struct {
	s       string
	base    *url.URL
	remote  bool // a remote page: non-http(s) URLs are rejected
	anchors int  // <a> tags read
	first   int  // offset of the first file's tag

	noCommentEnd int // no "-->" at or after this offset
	rel          relBase
	relDone      bool
	interns      map[string]string // escaped attribute value -> unescaped
	buf          []byte
}

// scan reads the tags as tagRE finds them: the leftmost "<!--...-->" or
// <a ...>/<base ...> tag, then on after it. ok is false when a tag does
// not end (parseHTMLPageRegexp handles the page).
func (sc *htmlScanner) scan() (files []File, ok bool) {
	s := sc.s
	for i := 0; ; {
		k := strings.IndexByte(s[i:], '<')
		if k < 0 {
			return files, true
		}
		p := i + k
		if strings.HasPrefix(s[p:], "<!--") && p+4 < sc.noCommentEnd {
			if e := strings.Index(s[p+4:], "-->"); e >= 0 {
				i = p + 4 + e + 3
				continue
			}
			sc.noCommentEnd = p + 4
		}
		tag, n := htmlTagName(s[p:])
		switch {
		case n < 0:
			return nil, false
		case tag == 0:
			i = p + 1
			continue
		}
		end, ok := htmlTagEnd(s, p+n)
		if !ok {
			return nil, false
		}
		i = end + 1
		a := sc.attrs(s[p+n : end])
		if tag == 'a' {
			sc.anchors++
		}
		if a.has&attrHref == 0 {
			continue
		}
		if tag == 'b' {
			if u, err := sc.base.Parse(a.href); err == nil {
				sc.base, sc.relDone = u, false
			}
			continue
		}
		if files == nil {
			sc.first = p
		}
		files = growFiles(files, p-sc.first, len(s)-p)
		files = append(files, sc.file(&a))
	}
}

// htmlTagName matches `<(?i:a|base)\b` at the start of s: the tag ('a',
// 'b' for base or 0 for neither) and its length; n < 0 when s may spell
// "base" with a long s (U+017F, which (?i) folds to 's').
func htmlTagName(s string) (tag byte, n int) {
	switch {
	case len(s) >= 2 && s[1]|0x20 == 'a':
		tag, n = 'a', 2
	case len(s) >= 5 && s[1]|0x20 == 'b' && s[2]|0x20 == 'a' && s[3]|0x20 == 's' && s[4]|0x20 == 'e':
		tag, n = 'b', 5
	case len(s) >= 4 && s[1]|0x20 == 'b' && s[2]|0x20 == 'a' && s[3] == 0xc5:
		return 0, -1
	default:
		return 0, 0
	}
	if n < len(s) && isWordByte(s[n]) { // \b
		return 0, 0
	}
	return tag, n
}

// isWordByte is \w: ASCII letters, digits, '_'.
func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// htmlTagEnd returns the offset of the '>' that ends a tag whose
// attributes start at i: `(?:[^>"']|"[^"]*"|'[^']*')*>`.
func htmlTagEnd(s string, i int) (int, bool) {
	for i < len(s) {
		j := i
		for j < len(s) && !tagSpecial[s[j]] {
			j++
		}
		if j == len(s) {
			break
		}
		if s[j] == '>' {
			return j, true
		}
		e := strings.IndexByte(s[j+1:], s[j])
		if e < 0 {
			break
		}
		i = j + 1 + e + 1
	}
	return 0, false
}

var tagSpecial = [256]bool{'>': true, '"': true, '\'': true}

// htmlAttrs are the attributes of a tag pylock reads; has says which were
// present (a value-less attribute is present with "").
type htmlAttrs struct {
	href, requiresPython, yanked, core, distInfo string
	has                                          uint8
}

const (
	attrHref = 1 << iota
	attrRequiresPython
	attrYanked
	attrCore
	attrDistInfo
)

// attrs reads a tag's attributes as attrRE does: names are runs of bytes
// other than space, '"', '\”, '>', '/', '='; a value follows "=" (spaces
// around it allowed) quoted or as a run of bytes other than space and
// "'=<>`; an attribute's first occurrence wins (names compared
// lower-cased); values are HTML-unescaped.
func (sc *htmlScanner) attrs(t string) htmlAttrs {
	var a htmlAttrs
	noQuote := [2]int{len(t) + 1, len(t) + 1} // no '"' / '\'' at or after
	for i := 0; i < len(t); {
		if attrNameStop[t[i]] {
			i++
			continue
		}
		j := i + 1
		for j < len(t) && !attrNameStop[t[j]] {
			j++
		}
		name := t[i:j]
		i = j
		val := ""
		k := skipSpace(t, j)
		if k < len(t) && t[k] == '=' {
			k = skipSpace(t, k+1)
			if k < len(t) {
				switch c := t[k]; {
				case c == '"' || c == '\'':
					q := 0
					if c == '\'' {
						q = 1
					}
					if k+1 < noQuote[q] {
						if e := strings.IndexByte(t[k+1:], c); e >= 0 {
							val, i = t[k+1:k+1+e], k+2+e
						} else {
							noQuote[q] = k + 1
						}
					}
				case !unquotedStop[c]:
					e := k + 1
					for e < len(t) && !unquotedStop[t[e]] {
						e++
					}
					val, i = t[k:e], e
				}
			}
		}
		bit := htmlAttrBit(name)
		if bit == 0 || a.has&bit != 0 {
			continue
		}
		a.has |= bit
		switch bit {
		case attrHref:
			a.href = html.UnescapeString(val)
		case attrRequiresPython:
			a.requiresPython = sc.unescape(val)
		case attrYanked:
			a.yanked = sc.unescape(val)
		case attrCore:
			a.core = html.UnescapeString(val)
		case attrDistInfo:
			a.distInfo = html.UnescapeString(val)
		}
	}
	return a
}

// unescape is html.UnescapeString, once per page for each escaped value
// (requires-python values repeat: "&gt;=3.8").
func (sc *htmlScanner) unescape(v string) string {
	if strings.IndexByte(v, '&') < 0 {
		return v
	}
	if u, ok := sc.interns[v]; ok {
		return u
	}
	u := html.UnescapeString(v)
	if sc.interns == nil {
		sc.interns = map[string]string{}
	}
	if len(sc.interns) < 64 {
		sc.interns[v] = u
	}
	return u
}

// attrNameStop and unquotedStop end an attribute name and an unquoted
// value. (Static data: nothing is built at start-up.)
var (
	attrNameStop = [256]bool{
		'\t': true, '\n': true, '\f': true, '\r': true, ' ': true, '"': true, '\'': true, '>': true,
		'/': true, '=': true,
	}
	unquotedStop = [256]bool{
		'\t': true, '\n': true, '\f': true, '\r': true, ' ': true, '"': true, '\'': true, '=': true,
		'<': true, '>': true, '`': true,
	}
)

// skipSpace skips \s: '\t', '\n', '\f', '\r', ' '.
func skipSpace(t string, i int) int {
	for i < len(t) && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\f' || t[i] == '\r') {
		i++
	}
	return i
}

// htmlAttrNames are the attributes read, in the order of their bits.
var htmlAttrNames = [...]string{"href", "data-requires-python", "data-yanked", "data-core-metadata", "data-dist-info-metadata"}

// htmlAttrBit is the bit of strings.ToLower(name), or 0.
func htmlAttrBit(name string) uint8 {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			name = strings.ToLower(name)
			break
		}
	}
	for i, n := range htmlAttrNames {
		if len(name) == len(n) && asciiEqualLower(name, n) {
			return 1 << i
		}
	}
	return 0
}

// file makes the File of an anchor with an href.
func (sc *htmlScanner) file(a *htmlAttrs) File {
	f := File{Size: -1}
	ref, frag, _ := strings.Cut(a.href, "#")
	abs, fast := sc.resolve(ref, frag)
	if fast {
		f.URL = abs
		f.Filename = lastSegment(abs)
	} else {
		u, err := sc.base.Parse(a.href)
		if err != nil {
			return File{Filename: truncate(a.href, 80), Reject: "unparsable link", Size: -1}
		}
		frag = u.Fragment
		u.Fragment = ""
		f.URL = u.String()
		f.Filename = filenameOf(u)
	}
	var pair [1]hashPair
	pairs := pair[:0]
	if algo, hex, ok := strings.Cut(frag, "="); ok {
		pairs = append(pairs, hashPair{algo, hex})
	}
	f.Hashes = hashMap(pairs)
	f.Reject = unsafeName(f.Filename)
	if sc.remote && f.Reject == "" && !fast {
		f.Reject = remoteReject(f.URL)
	}
	f.RequiresPython = a.requiresPython
	if a.has&attrYanked != 0 {
		f.Yanked, f.YankedReason = true, a.yanked
	}
	meta, ok := a.core, a.has&attrCore != 0
	if !ok {
		meta, ok = a.distInfo, a.has&attrDistInfo != 0
	}
	if ok {
		f.CoreMetadata = true
		if algo, hex, ok := strings.Cut(meta, "="); ok {
			f.CoreMetadataHashes = hashMap(append(pair[:0], hashPair{algo, hex}))
		} else if strings.EqualFold(meta, "false") {
			f.CoreMetadata = false
		}
	}
	return f
}

// resolve is the URL base.Parse(ref + "#" + frag) prints without its
// fragment, when the fast paths of resolveFileURL apply and frag (no '%')
// is the fragment url would decode.
func (sc *htmlScanner) resolve(ref, frag string) (string, bool) {
	if strings.IndexByte(frag, '%') >= 0 {
		return "", false
	}
	if plainAbsURL(ref) {
		return ref, true
	}
	if !sc.relDone {
		sc.rel, sc.relDone = newRelBase(sc.base), true
	}
	var s string
	var ok bool
	s, sc.buf, ok = sc.rel.resolve(sc.buf[:0], ref)
	return s, ok
}

// lastSegment is filenameOf for a URL the fast paths made: no query or
// fragment, a well-formed escaped path.
func lastSegment(abs string) string {
	seg := abs[strings.LastIndexByte(abs, '/')+1:]
	if strings.IndexByte(seg, '%') >= 0 {
		if name, err := url.PathUnescape(seg); err == nil {
			return name
		}
	}
	return seg
}

// anchorOpenings counts `(?i)<a\s` in s once `<!--...-->` comments are
// removed (links the tag scan could not read are reported).
func anchorOpenings(s string) int {
	if !strings.Contains(s, "<!--") {
		return countAnchorOpenings(s)
	}
	var b strings.Builder
	for rest := s; ; {
		i := strings.Index(rest, "<!--")
		j := -1
		if i >= 0 {
			j = strings.Index(rest[i+4:], "-->")
		}
		if j < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		rest = rest[i+4+j+3:]
	}
	return countAnchorOpenings(b.String())
}

func countAnchorOpenings(s string) int {
	n := 0
	for i := 0; ; {
		k := strings.IndexByte(s[i:], '<')
		if k < 0 {
			return n
		}
		i += k + 1
		if i+1 < len(s) && s[i]|0x20 == 'a' && (s[i+1] == ' ' || s[i+1] == '\t' || s[i+1] == '\n' || s[i+1] == '\f' || s[i+1] == '\r') {
			n++
		}
	}
}

// htmlTagRE tells an HTML page without links from junk (compiled on first
// use).
var htmlTagRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)<(!doctype|html|head|body|meta|title|a\s|h1|pre)`)
})

// looksLikeHTML reports whether a body with no links is still an HTML page
// (a project with no files), not junk.
func looksLikeHTML(body []byte) bool { return htmlTagRE().Match(body) }

// The regular expressions of parseHTMLPageRegexp, compiled on first use.
var (
	tagRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?is)<!--.*?-->|<(a|base)\b((?:[^>"']|"[^"]*"|'[^']*')*)>`)
	})
	attrRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?s)([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+)))?`)
	})
)

// parseHTMLPageRegexp is parseHTMLPage written with regular expressions:
// the reference the scanner in parseHTMLPage is checked against
// (FuzzParseHTMLPage), and what it falls back on for the pages it does not
// handle (a tag that does not end, an odd Unicode spelling of <base>).
func parseHTMLPageRegexp(body []byte, base *url.URL) ([]File, error) {
	var files []File
	anchors := 0
	for _, m := range tagRE().FindAllSubmatch(body, -1) {
		if len(m[1]) == 0 { // comment
			continue
		}
		if !strings.EqualFold(string(m[1]), "base") {
			anchors++
		}
		attrs := parseAttrs(string(m[2]))
		href, ok := attrs["href"]
		if !ok {
			continue
		}
		if strings.EqualFold(string(m[1]), "base") {
			if u, err := base.Parse(href); err == nil {
				base = u
			}
			continue
		}
		u, err := base.Parse(href)
		if err != nil {
			files = append(files, File{Filename: truncate(href, 80), Reject: "unparsable link", Size: -1})
			continue
		}
		f := File{URL: u.String(), Size: -1, Hashes: map[string]string{}}
		if algo, hex, ok := strings.Cut(u.Fragment, "="); ok {
			f.Hashes = cleanHashes(map[string]string{algo: hex})
		}
		u.Fragment = ""
		f.URL = u.String()
		f.Filename = filenameOf(u)
		f.Reject = unsafeName(f.Filename)
		f.RequiresPython = attrs["data-requires-python"]
		if r, ok := attrs["data-yanked"]; ok {
			f.Yanked, f.YankedReason = true, r
		}
		meta, ok := attrs["data-core-metadata"]
		if !ok {
			meta, ok = attrs["data-dist-info-metadata"]
		}
		if ok {
			f.CoreMetadata = true
			if algo, hex, ok := strings.Cut(meta, "="); ok {
				f.CoreMetadataHashes = cleanHashes(map[string]string{algo: hex})
			} else if strings.EqualFold(meta, "false") {
				f.CoreMetadata = false
			}
		}
		files = append(files, f)
	}
	if len(files) == 0 && !looksLikeHTML(body) {
		return nil, fmt.Errorf("%w: the response is neither a PEP 503 HTML nor a PEP 691 JSON page (%d bytes)", ErrIndexFault, len(body))
	}
	if n := len(anchorOpenRE().FindAllIndex(commentRE().ReplaceAll(body, nil), -1)); n > anchors {
		files = append(files, File{Filename: fmt.Sprintf("%d link(s)", n-anchors), Reject: "malformed <a> tag", Size: -1})
	}
	return files, nil
}

var (
	anchorOpenRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)<a\s`) })
	commentRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)<!--.*?-->`) })
)

func parseAttrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRE().FindAllStringSubmatch(s, -1) {
		k := strings.ToLower(m[1])
		if _, dup := out[k]; dup {
			continue
		}
		out[k] = html.UnescapeString(m[2] + m[3] + m[4])
	}
	return out
}
