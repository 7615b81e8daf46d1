package wheel

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
)

// FilenameError reports a wheel or sdist filename that does not parse. It
// names the file, the byte offset of the offending part and the reason.
type FilenameError struct {
	Kind     string // "wheel" or "sdist"
	Filename string
	Offset   int // byte offset in Filename of the offending part
	Reason   string
	Err      error // underlying error (a version parse error), or nil
}

// Error describes the filename, the offending part and its offset.
func (e *FilenameError) Error() string {
	return fmt.Sprintf("invalid %s filename %q: %s (at offset %d)", e.Kind, e.Filename, e.Reason, e.Offset)
}

// Unwrap returns the underlying error, or nil.
func (e *FilenameError) Unwrap() error { return e.Err }

func wheelErr(s string, off int, format string, args ...any) *FilenameError {
	return &FilenameError{Kind: "wheel", Filename: s, Offset: off, Reason: fmt.Sprintf(format, args...)}
}

// ParseFilenameStrict is ParseFilename that also requires every compressed
// tag set component to be sorted, as PEP 425 asks (packaging's
// parse_wheel_filename(..., validate_order=True)). It rejects the common
// "manylinux_2_17_x86_64.manylinux2014_x86_64", since "2" sorts before "_".
func ParseFilenameStrict(s string) (Filename, error) { return parseFilename(s, true) }

// parseFilename follows packaging 26's parse_wheel_filename: the stem holds
// 4 or 5 dashes; the name is word characters and dots without "__"; the
// version goes through PEP 440 parsing (so "v1.0" is accepted); a build tag
// starts with an ASCII digit and splits into (int, rest); each tag component
// is a non-empty dotted set whose interpreters are Python identifiers.
// Deliberate deviations: an empty name, a name ending in a newline (which
// Python's `$` lets through) and invalid UTF-8 are rejected, and a build
// number too large for an int saturates at math.MaxInt (Build keeps the
// exact text); a tag set expanding to more than MaxTags tags is rejected.
// Python's Unicode `\w` and str.isidentifier() are approximated with Go's
// Unicode tables (see ident.go).
func parseFilename(s string, validateOrder bool) (Filename, error) {
	return parseFilenameWith(s, validateOrder, nil)
}

// parsedTags is parseTagSet's answer for one tag part.
type parsedTags struct {
	tags   []Tag
	off    int
	reason string
}

// FilenameParser parses wheel filenames like ParseFilename, parsing each
// distinct tag part ("py2.py3-none-any") once: the hundreds of files of one
// project page share a few. The Tags of the Filenames it returns are
// shared between them: callers must not modify them. The zero value is
// ready to use; a FilenameParser is not safe for concurrent use.
type FilenameParser struct {
	tags map[string]parsedTags
}

// Parse is ParseFilename.
func (p *FilenameParser) Parse(s string) (Filename, error) {
	if p.tags == nil {
		p.tags = map[string]parsedTags{}
	}
	return parseFilenameWith(s, false, p.tags)
}

// parseFilenameWith is parseFilename with the tag parts' answers memoised
// in cache (nil: none).
func parseFilenameWith(s string, validateOrder bool, cache map[string]parsedTags) (Filename, error) {
	if !utf8.ValidString(s) {
		return Filename{}, wheelErr(s, firstInvalidUTF8(s), "not valid UTF-8")
	}
	if !strings.HasSuffix(s, ".whl") {
		return Filename{}, wheelErr(s, max(len(s)-4, 0), "extension must be '.whl'")
	}
	stem := s[:len(s)-4]
	dashes := strings.Count(stem, "-")
	if dashes != 4 && dashes != 5 {
		return Filename{}, wheelErr(s, 0, "wrong number of parts: want name-version[-build]-python-abi-platform, found %d dashes", dashes)
	}
	var buf [5]string
	parts := splitN(buf[:0], stem, '-', dashes-1)
	offs := partOffsets(parts)
	f := Filename{BuildNumber: -1}

	name := parts[0]
	if off, ok := validWheelName(name); !ok {
		return Filename{}, wheelErr(s, off, "invalid project name %q", name)
	}
	f.Name = names.Canonicalize(name)

	v, err := pep440.Parse(parts[1])
	if err != nil {
		e := wheelErr(s, offs[1], "invalid version %q", parts[1])
		e.Err = err
		return Filename{}, e
	}
	f.Version = v

	if dashes == 5 {
		n, suffix, ok := parseBuild(parts[2])
		if !ok {
			return Filename{}, wheelErr(s, offs[2], "invalid build tag %q: must start with a digit", parts[2])
		}
		f.Build, f.BuildNumber, f.BuildSuffix = parts[2], n, suffix
	}

	last := len(parts) - 1
	pt, ok := cache[parts[last]]
	if !ok {
		pt.tags, pt.off, pt.reason = parseTagSet(parts[last], validateOrder)
		if cache != nil {
			cache[parts[last]] = pt
		}
	}
	tags, off, reason := pt.tags, pt.off, pt.reason
	if reason != "" {
		return Filename{}, wheelErr(s, offs[last]+off, "%s", reason)
	}
	f.Tags = tags
	return f, nil
}

// splitN is strings.SplitN(s, string(sep), n) (n < 0: all) appending to
// dst, so that a caller's array can hold the parts.
func splitN(dst []string, s string, sep byte, n int) []string {
	for n < 0 || len(dst) < n-1 {
		i := strings.IndexByte(s, sep)
		if i < 0 {
			break
		}
		dst = append(dst, s[:i])
		s = s[i+1:]
	}
	return append(dst, s)
}

func partOffsets(parts []string) []int {
	offs := make([]int, len(parts))
	o := 0
	for i, p := range parts {
		offs[i] = o
		o += len(p) + 1
	}
	return offs
}

func firstInvalidUTF8(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return 0
}

// validWheelName reports whether name matches packaging's `^[\w\d._]*$`
// without "__" (and, unlike packaging, is non-empty). On failure it returns
// the offset of the offending character.
func validWheelName(name string) (int, bool) {
	if name == "" {
		return 0, false
	}
	if i := strings.Index(name, "__"); i >= 0 {
		return i, false
	}
	for i, r := range name {
		if r != '.' && !isWordRune(r) {
			return i, false
		}
	}
	return 0, true
}

// parseBuild splits a build tag into its leading ASCII digits (as an int,
// saturating) and the rest, which like Python's `(\d+)(.*)` stops at the
// first newline.
func parseBuild(b string) (int, string, bool) {
	k := 0
	n := 0
	for k < len(b) && b[k] >= '0' && b[k] <= '9' {
		d := int(b[k] - '0')
		if n > (math.MaxInt-d)/10 {
			n = math.MaxInt
		} else if n != math.MaxInt {
			n = n*10 + d
		}
		k++
	}
	if k == 0 {
		return 0, "", false
	}
	rest := b[k:]
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	return n, rest, true
}

// MaxTags bounds the tags one compressed tag set may expand to (packaging's
// parse_tag limit, which is off by default there): a filename such as
// "x-1-a.b.c…-a.b.c…-a.b.c….whl" would otherwise expand to millions.
const MaxTags = 4096

// parseTagSet parses "interp-abi-platform" with dotted compressed sets into
// sorted, de-duplicated, lower-cased tags. On failure it returns the offset
// within s and a reason.
func parseTagSet(s string, validateOrder bool) ([]Tag, int, string) {
	if t, ok := singleTag(s); ok {
		return []Tag{t}, 0, ""
	}
	var compBuf [3]string
	comps := splitN(compBuf[:0], s, '-', -1)
	var splitBuf [3][]string
	split := splitBuf[:0]
	if len(comps) > len(splitBuf) {
		split = make([][]string, 0, len(comps))
	}
	split = split[:len(comps)]
	var partBuf [12]string
	parts0 := partBuf[:0]
	off := 0
	for i, c := range comps {
		parts := splitN(parts0, c, '.', -1)
		parts0 = parts[len(parts):len(parts):cap(parts)]
		o := off
		for _, p := range parts {
			if p == "" {
				return nil, o, fmt.Sprintf("tag %q has an empty component in %q", s, c)
			}
			o += len(p) + 1
		}
		if validateOrder && !sort.StringsAreSorted(parts) {
			return nil, off, fmt.Sprintf("compressed tag set %q is not in sorted order (PEP 425)", c)
		}
		split[i] = parts
		off += len(c) + 1
	}
	if len(split) != 3 {
		return nil, 0, fmt.Sprintf("tag %q must have exactly three components", s)
	}
	if n := len(split[0]) * len(split[1]) * len(split[2]); n > MaxTags {
		return nil, 0, fmt.Sprintf("compressed tag set expands to %d tags (limit %d)", n, MaxTags)
	}
	o := 0
	for _, interp := range split[0] {
		if !isIdentifier(interp) {
			return nil, o, fmt.Sprintf("invalid interpreter tag %q: not an identifier", interp)
		}
		o += len(interp) + 1
	}
	tags := make([]Tag, 0, len(split[0])*len(split[1])*len(split[2]))
	for _, i := range split[0] {
		for _, a := range split[1] {
			for _, p := range split[2] {
				tags = append(tags, Tag{strings.ToLower(i), strings.ToLower(a), strings.ToLower(p)})
			}
		}
	}
	return sortTags(tags), 0, ""
}

// ParseTag parses a tag such as "py2.py3-none-any" into its expanded,
// sorted, de-duplicated, lower-cased tags (packaging's parse_tag).
func ParseTag(s string) ([]Tag, error) {
	tags, off, reason := parseTagSet(s, false)
	if reason != "" {
		return nil, fmt.Errorf("invalid tag %q: %s (at offset %d)", s, reason, off)
	}
	return tags, nil
}

func sortTags(tags []Tag) []Tag {
	if len(tags) > 1 {
		slices.SortFunc(tags, Tag.compare)
	}
	out := tags[:0]
	for i, t := range tags {
		if i == 0 || t != tags[i-1] {
			out = append(out, t)
		}
	}
	return out
}

// singleTag is parseTagSet's fast path for the common uncompressed tag
// ("py3-none-any"): three non-empty components without dots, the first an
// identifier. Anything else (errors included) takes the general path.
func singleTag(s string) (Tag, bool) {
	if strings.IndexByte(s, '.') >= 0 {
		return Tag{}, false
	}
	i, rest, ok1 := strings.Cut(s, "-")
	a, p, ok2 := strings.Cut(rest, "-")
	if !ok1 || !ok2 || i == "" || a == "" || p == "" || strings.IndexByte(p, '-') >= 0 || !isIdentifier(i) {
		return Tag{}, false
	}
	return Tag{strings.ToLower(i), strings.ToLower(a), strings.ToLower(p)}, true
}

// less orders tags as their String() forms sort.
func (t Tag) less(u Tag) bool { return t.compare(u) < 0 }

// compare orders tags as their String() forms ("i-a-p") sort, without
// building them.
func (t Tag) compare(u Tag) int {
	a := [3]string{t.Interpreter, t.ABI, t.Platform}
	b := [3]string{u.Interpreter, u.ABI, u.Platform}
	i, j := 0, 0 // component index in a, b
	x, y := a[0], b[0]
	for {
		// The next byte of each joined form: the component's, else the
		// "-" between components, else the end.
		var cx, cy int
		switch {
		case x != "":
			cx = int(x[0])
		case i < 2:
			cx = '-'
		default:
			cx = -1
		}
		switch {
		case y != "":
			cy = int(y[0])
		case j < 2:
			cy = '-'
		default:
			cy = -1
		}
		if cx != cy {
			return cx - cy
		}
		if cx == -1 {
			return 0
		}
		if x != "" {
			x = x[1:]
		} else {
			i++
			x = a[i]
		}
		if y != "" {
			y = y[1:]
		} else {
			j++
			y = b[j]
		}
	}
}

// String renders f as a wheel filename: the canonical name with "_" for
// "-", the normalised version, the build tag as written, and the tags
// compressed into dotted sets (sorted). Parsing the result gives back f's
// name, version, build and tags when f.Tags is a full product of its
// interpreters, ABIs and platforms (always true for parsed filenames).
func (f Filename) String() string {
	var b strings.Builder
	b.WriteString(strings.ReplaceAll(f.Name, "-", "_"))
	b.WriteByte('-')
	b.WriteString(f.Version.String())
	if f.Build != "" {
		b.WriteByte('-')
		b.WriteString(f.Build)
	} else if f.BuildNumber >= 0 {
		fmt.Fprintf(&b, "-%d%s", f.BuildNumber, f.BuildSuffix)
	}
	var in, ab, pl []string
	for _, t := range f.Tags {
		in, ab, pl = append(in, t.Interpreter), append(ab, t.ABI), append(pl, t.Platform)
	}
	for _, set := range [][]string{in, ab, pl} {
		b.WriteByte('-')
		b.WriteString(strings.Join(uniqueSorted(set), "."))
	}
	b.WriteString(".whl")
	return b.String()
}

func uniqueSorted(ss []string) []string {
	sort.Strings(ss)
	out := ss[:0]
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// sdistExts are the source archive extensions accepted, longest first. PEP
// 625 allows only .tar.gz; .zip and the older tar variants are still served
// by indexes for old releases.
var sdistExts = []string{".tar.gz", ".tar.bz2", ".tar.xz", ".zip", ".tgz", ".tbz", ".txz", ".tar"}

func parseSdist(s string) (Sdist, error) {
	fail := func(off int, format string, args ...any) (Sdist, error) {
		return Sdist{}, &FilenameError{Kind: "sdist", Filename: s, Offset: off, Reason: fmt.Sprintf(format, args...)}
	}
	if !utf8.ValidString(s) {
		return fail(firstInvalidUTF8(s), "not valid UTF-8")
	}
	ext := ""
	for _, e := range sdistExts {
		if strings.HasSuffix(s, e) {
			ext = e
			break
		}
	}
	if ext == "" {
		return fail(max(strings.LastIndexByte(s, '.'), 0), "extension must be .tar.gz or .zip (or .tar.bz2, .tar.xz, .tgz, .tbz, .txz, .tar)")
	}
	stem := s[:len(s)-len(ext)]
	var verErr error
	for i := strings.LastIndexByte(stem, '-'); i > 0; i = strings.LastIndexByte(stem[:i], '-') {
		name, ver := stem[:i], stem[i+1:]
		v, err := pep440.Parse(ver)
		if err != nil {
			if verErr == nil {
				verErr = err
			}
			continue
		}
		if !validSdistName(name) {
			return fail(0, "invalid project name %q", name)
		}
		return Sdist{Name: names.Canonicalize(name), Version: v, Ext: ext}, nil
	}
	if strings.LastIndexByte(stem, '-') <= 0 {
		return fail(0, "no '-' separates the name from the version")
	}
	e := &FilenameError{Kind: "sdist", Filename: s, Offset: strings.LastIndexByte(stem, '-') + 1,
		Reason: "no '-' is followed by a valid PEP 440 version", Err: verErr}
	return Sdist{}, e
}

// validSdistName accepts ASCII letters, digits, '.', '_' and '-' with at
// least one letter or digit (legacy sdist names predate the strict rules).
func validSdistName(name string) bool {
	alnum := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			alnum = true
		case c == '.' || c == '_' || c == '-':
		default:
			return false
		}
	}
	return alnum
}
