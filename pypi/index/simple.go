package index

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/wheel"
)

const (
	ctSimpleJSON = "application/vnd.pypi.simple.v1+json"
	// acceptSimple asks for PEP 691 JSON and accepts PEP 503 HTML.
	acceptSimple = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
)

var hashAlgos = map[string]bool{"md5": true, "sha1": true, "sha224": true, "sha256": true, "sha384": true, "sha512": true,
	"blake2b_256": true}

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
	RequiresPython   *string           `json:"requires-python"`
	Size             *int64            `json:"size"`
	UploadTime       string            `json:"upload-time"`
	Yanked           json.RawMessage   `json:"yanked"`
	CoreMetadata     json.RawMessage   `json:"core-metadata"`
	DistInfoMetadata json.RawMessage   `json:"dist-info-metadata"`
	DataDistInfoMeta json.RawMessage   `json:"data-dist-info-metadata"`
}

func parseJSONPage(body []byte, base *url.URL) ([]File, error) {
	var p jsonPage
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("bad PEP 691 page: %w", err)
	}
	if major, _, _ := strings.Cut(p.Meta.APIVersion, "."); major != "" && major != "1" {
		return nil, fmt.Errorf("unsupported Simple API version %q", p.Meta.APIVersion)
	}
	files := make([]File, 0, len(p.Files))
	for _, jf := range p.Files {
		u, err := base.Parse(jf.URL)
		if err != nil {
			continue
		}
		f := File{Filename: jf.Filename, URL: u.String(), Hashes: cleanHashes(jf.Hashes), Size: -1}
		if f.Filename == "" {
			f.Filename = filenameOf(u)
		}
		if jf.RequiresPython != nil {
			f.RequiresPython = *jf.RequiresPython
		}
		if jf.Size != nil {
			f.Size = *jf.Size
		}
		if jf.UploadTime != "" {
			f.UploadTime, _ = time.Parse(time.RFC3339Nano, jf.UploadTime)
		}
		f.Yanked, f.YankedReason = jsonYanked(jf.Yanked)
		meta := jf.CoreMetadata
		if len(meta) == 0 || string(meta) == "null" {
			meta = jf.DistInfoMetadata
		}
		if len(meta) == 0 || string(meta) == "null" {
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
	out := map[string]string{}
	for k, v := range h {
		k, v = strings.ToLower(k), strings.ToLower(v)
		if hashAlgos[k] && isHex(v) {
			out[k] = v
		}
	}
	return out
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

func jsonYanked(raw json.RawMessage) (bool, string) {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return true, s
	}
	return false, ""
}

func jsonCoreMetadata(raw json.RawMessage) (bool, map[string]string) {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	var h map[string]string
	if json.Unmarshal(raw, &h) == nil {
		return true, cleanHashes(h)
	}
	return false, nil
}

// filenameOf is the last path segment of u, unescaped.
func filenameOf(u *url.URL) string { return path.Base(u.Path) }

var (
	tagRE  = regexp.MustCompile(`(?is)<!--.*?-->|<(a|base)\b((?:[^>"']|"[^"]*"|'[^']*')*)>`)
	attrRE = regexp.MustCompile(`(?s)([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+)))?`)
)

// parseHTMLPage reads the anchors of a PEP 503 page (plus PEP 592, 629,
// 658, 714 attributes). A <base href> changes the base URL.
func parseHTMLPage(body []byte, base *url.URL) ([]File, error) {
	var files []File
	for _, m := range tagRE.FindAllSubmatch(body, -1) {
		if len(m[1]) == 0 { // comment
			continue
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
			continue
		}
		f := File{URL: u.String(), Size: -1, Hashes: map[string]string{}}
		if algo, hex, ok := strings.Cut(u.Fragment, "="); ok {
			f.Hashes = cleanHashes(map[string]string{algo: hex})
		}
		u.Fragment = ""
		f.URL = u.String()
		f.Filename = filenameOf(u)
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
	return files, nil
}

func parseAttrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(s, -1) {
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

func distExt(filename string) string {
	l := strings.ToLower(filename)
	for _, e := range distExts {
		if strings.HasSuffix(l, e) {
			return e
		}
	}
	return ""
}

func isWheel(filename string) bool { return strings.HasSuffix(strings.ToLower(filename), ".whl") }

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
