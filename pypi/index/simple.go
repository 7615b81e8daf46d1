package index

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

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
	if strings.Contains(strings.ToLower(ctype), "json") {
		return parseJSONPage(body, base)
	}
	return parseHTMLPage(body, base)
}

type jsonPage struct {
	Meta struct {
		APIVersion string `json:"api-version"`
	} `json:"meta"`
	Name  string     `json:"name"`
	Files []jsonFile `json:"files"`
}

type jsonFile struct {
	Filename         string            `json:"filename"`
	URL              string            `json:"url"`
	Hashes           map[string]string `json:"hashes"`
	RequiresPython   optString         `json:"requires-python"`
	Size             optInt64          `json:"size"`
	UploadTime       string            `json:"upload-time"`
	Yanked           jsonValue         `json:"yanked"`
	CoreMetadata     jsonValue         `json:"core-metadata"`
	DistInfoMetadata jsonValue         `json:"dist-info-metadata"`
	DataDistInfoMeta jsonValue         `json:"data-dist-info-metadata"`
}

func parseJSONPage(body []byte, base *url.URL) ([]File, error) {
	var p jsonPage
	if err := decodeJSONPage(body, &p); err != nil {
		return nil, fmt.Errorf("%w: bad PEP 691 page: %w", ErrIndexFault, err)
	}
	if major, _, _ := strings.Cut(p.Meta.APIVersion, "."); major != "" && major != "1" {
		return nil, fmt.Errorf("unsupported Simple API version %q", p.Meta.APIVersion)
	}
	files := make([]File, 0, len(p.Files))
	for _, jf := range p.Files {
		abs, ok := resolveFileURL(base, jf.URL)
		if !ok {
			continue
		}
		f := File{Filename: jf.Filename, URL: abs, Hashes: cleanHashes(jf.Hashes), Size: -1}
		if f.Filename == "" {
			u, _ := url.Parse(abs)
			f.Filename = filenameOf(u)
		}
		f.Reject = unsafeName(f.Filename)
		if jf.RequiresPython.ok {
			f.RequiresPython = jf.RequiresPython.s
		}
		if jf.Size.ok {
			f.Size = jf.Size.n
		}
		if jf.UploadTime != "" {
			f.UploadTime, _ = time.Parse(time.RFC3339Nano, jf.UploadTime)
		}
		f.Yanked, f.YankedReason = jsonYanked(jf.Yanked)
		meta := jf.CoreMetadata
		if meta.kind == jsonAbsent || meta.kind == jsonNull {
			meta = jf.DistInfoMetadata
		}
		if meta.kind == jsonAbsent || meta.kind == jsonNull {
			meta = jf.DataDistInfoMeta
		}
		f.CoreMetadata, f.CoreMetadataHashes = jsonCoreMetadata(meta)
		files = append(files, f)
	}
	return files, nil
}

// cleanHashes keeps known algorithms with hex digests, lower-cased. The
// digests name cache files, so anything else (an index sending "../x") is
// dropped rather than trusted.
func cleanHashes(h map[string]string) map[string]string {
	if hashesClean(h) { // the common case: no copy
		return h
	}
	out := map[string]string{}
	for k, v := range h {
		k, v = strings.ToLower(k), strings.ToLower(v)
		if knownHashAlgo(k) && isHex(v) {
			out[k] = v
		}
	}
	return out
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

// jsonValue is one of the polymorphic values of a PEP 691 file: "yanked"
// (false, true or a reason) and "core-metadata" (false, true or a hash
// table).
type jsonValue struct {
	kind   byte // jsonAbsent, jsonNull, jsonBool, jsonString, jsonHashes, jsonOther
	b      bool
	s      string
	hashes map[string]string
}

const (
	jsonAbsent byte = iota
	jsonNull
	jsonBool
	jsonString
	jsonHashes // an object whose values are all strings
	jsonOther
)

// optString is a string that may be absent or null (what a *string holds
// without an allocation per file).
type optString struct {
	s  string
	ok bool
}

// optInt64 is an integer that may be absent or null.
type optInt64 struct {
	n  int64
	ok bool
}

// UnmarshalJSON decodes like a *string field: null unsets (tests use
// encoding/json as the reference for decodeJSONPage).
func (o *optString) UnmarshalJSON(raw []byte) error {
	if string(raw) == "null" {
		*o = optString{}
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	*o = optString{s, true}
	return nil
}

// UnmarshalJSON decodes like a *int64 field: null unsets.
func (o *optInt64) UnmarshalJSON(raw []byte) error {
	if string(raw) == "null" {
		*o = optInt64{}
		return nil
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		return err
	}
	*o = optInt64{n, true}
	return nil
}

// UnmarshalJSON reads the value with encoding/json (tests use it as the
// reference for decodeJSONPage).
func (v *jsonValue) UnmarshalJSON(raw []byte) error {
	var b bool
	var s string
	var h map[string]string
	switch {
	case string(raw) == "null":
		*v = jsonValue{kind: jsonNull}
	case json.Unmarshal(raw, &b) == nil:
		*v = jsonValue{kind: jsonBool, b: b}
	case json.Unmarshal(raw, &s) == nil:
		*v = jsonValue{kind: jsonString, s: s}
	case json.Unmarshal(raw, &h) == nil && h != nil:
		*v = jsonValue{kind: jsonHashes, hashes: h}
	default:
		*v = jsonValue{kind: jsonOther}
	}
	return nil
}

func jsonYanked(v jsonValue) (bool, string) {
	switch v.kind {
	case jsonBool:
		return v.b, ""
	case jsonString:
		return true, v.s
	}
	return false, ""
}

func jsonCoreMetadata(v jsonValue) (bool, map[string]string) {
	switch v.kind {
	case jsonBool:
		return v.b, nil
	case jsonHashes:
		return true, cleanHashes(v.hashes)
	}
	return false, nil
}

// resolveFileURL resolves a file's URL against the page's URL, as
// base.Parse(ref).String() does. Absolute http(s) URLs made only of
// characters that parsing and printing leave alone (PyPI's
// files.pythonhosted.org links) are returned as they are, which spares a
// url.Parse and two allocations per file on pages with thousands of files.
func resolveFileURL(base *url.URL, ref string) (string, bool) {
	if plainAbsURL(ref) {
		return ref, true
	}
	u, err := base.Parse(ref)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// plainAbsURL reports whether s is http(s)://host/path with only
// unreserved and sub-delimiter characters, no userinfo, query, fragment,
// percent-escape or dot segment: a URL that url.Parse then String returns
// unchanged.
func plainAbsURL(s string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(s, "http://"); !ok {
			return false
		}
	}
	host, p, ok := strings.Cut(rest, "/")
	if !ok || host == "" || strings.Contains(p, "/.") || strings.HasPrefix(p, ".") || strings.Contains(p, "//") {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/+!$&'()*,;=:@", c) >= 0) {
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
	case strings.ContainsAny(name, "/\\"):
		return "unsafe file name (path separator)"
	case strings.HasPrefix(name, "."):
		return "unsafe file name (starts with '.')"
	case strings.IndexFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		return "unsafe file name (control character)"
	}
	return ""
}

// The HTML page's regular expressions, compiled on first use.
var (
	tagRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?is)<!--.*?-->|<(a|base)\b((?:[^>"']|"[^"]*"|'[^']*')*)>`)
	})
	attrRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?s)([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+)))?`)
	})
)

// parseHTMLPage reads the anchors of a PEP 503 page (plus PEP 592, 629,
// 658, 714 attributes). A <base href> changes the base URL.
func parseHTMLPage(body []byte, base *url.URL) ([]File, error) {
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
	htmlTagRE    = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)<(!doctype|html|head|body|meta|title|a\s|h1|pre)`)
	})
)

// looksLikeHTML reports whether a body with no links is still an HTML page
// (a project with no files), not junk.
func looksLikeHTML(body []byte) bool { return htmlTagRE().Match(body) }

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
	if len(s) < len(suffix) {
		return false
	}
	s = s[len(s)-len(suffix):]
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != suffix[i] {
			return false
		}
	}
	return true
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
