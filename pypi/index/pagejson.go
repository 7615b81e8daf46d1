package index

import (
	"errors"
	"fmt"
	"math/bits"
	"net/url"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// parseJSONPage parses a PEP 691 project page into files, URLs resolved
// against base. It is a decoder made for this one document shape, several
// times faster than encoding/json's reflection on the large pages
// (botocore: 800 files, 400 KB) that sit on a resolution's critical path,
// and it builds each File while it reads the file's object:
//   - strings without escapes are sub-strings of one copy of the body (no
//     allocation each); escaped requires-python values are decoded once per
//     page (they repeat);
//   - values of keys pylock does not read are skipped without being built;
//   - "hashes" and the core-metadata hashes are checked and lower-cased as
//     they are read (cleanHashes' rules), into one map each;
//   - the polymorphic "yanked" and "core-metadata" values are decoded in
//     place;
//   - file URLs are resolved without url.Parse when they are plain
//     (resolveFileURL);
//   - the []File is allocated once, sized from the first files' size.
//
// Its result is what decoding the page with encoding/json and then
// converting each file would give (FuzzDecodeJSONPage checks both agree),
// except that a second top-level "files" array replaces the first one
// (encoding/json would decode it into the first one's elements).
// Duplicate keys elsewhere behave as in encoding/json: the last value wins,
// and "hashes" objects merge.
func parseJSONPage(body []byte, base *url.URL) ([]File, error) {
	return decodeJSONPage(body, base, false)
}

// decodeJSONPage is parseJSONPage; remote: see parsePageFrom.
func decodeJSONPage(body []byte, base *url.URL, remote bool) ([]File, error) {
	d := pageDecoder{s: string(body), base: base, remote: remote}
	files, apiVersion, err := d.page()
	if err != nil {
		return nil, fmt.Errorf("%w: bad PEP 691 page: %w", ErrIndexFault, err)
	}
	if major, _, _ := strings.Cut(apiVersion, "."); major != "" && major != "1" {
		return nil, fmt.Errorf("unsupported Simple API version %q", apiVersion)
	}
	return files, nil
}

// page decodes the top-level object.
func (d *pageDecoder) page() (files []File, apiVersion string, err error) {
	d.ws()
	err = d.object(func(key string) error {
		switch key {
		case "meta":
			return d.object(func(key string) error {
				if key == "api-version" {
					return d.nullableString(&apiVersion)
				}
				return d.skip()
			})
		case "name":
			var name string
			return d.nullableString(&name)
		case "files":
			var err error
			files, err = d.files()
			return err
		}
		return d.skip()
	})
	if err != nil {
		return nil, "", err
	}
	d.ws()
	if d.i != len(d.s) {
		return nil, "", d.errorf("unexpected data after the page")
	}
	if files == nil {
		files = []File{}
	}
	return files, apiVersion, nil
}

type pageDecoder struct {
	s      string
	i      int
	base   *url.URL
	remote bool // a remote page: non-http(s) URLs are rejected

	f       fileFields        // the file being read (scratch, reused)
	rel     relBase           // base prepared for resolving relative URLs
	relDone bool              // rel is set
	interns map[string]string // escaped requires-python text -> value
	buf     []byte            // scratch for building URLs
}

func (d *pageDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", d.i, fmt.Sprintf(format, args...))
}

func (d *pageDecoder) ws() {
	if d.i < len(d.s) && d.s[d.i] > ' ' { // compact JSON: inlined
		return
	}
	d.skipSpace()
}

func (d *pageDecoder) skipSpace() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte (0 at the end).
func (d *pageDecoder) peek() byte {
	d.ws()
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

func (d *pageDecoder) expect(c byte) error {
	if d.i < len(d.s) && d.s[d.i] == c { // inlined
		d.i++
		return nil
	}
	return d.expectSlow(c)
}

func (d *pageDecoder) expectSlow(c byte) error {
	if d.peek() != c {
		if d.i >= len(d.s) {
			return d.errorf("unexpected end, want %q", c)
		}
		return d.errorf("unexpected %q, want %q", d.s[d.i], c)
	}
	d.i++
	return nil
}

// literal consumes null, true or false.
func (d *pageDecoder) literal(word string) bool {
	if len(d.s)-d.i >= len(word) && d.s[d.i:d.i+len(word)] == word {
		d.i += len(word)
		return true
	}
	return false
}

// object calls field for each key of an object; field must consume the value.
// null is an empty object (encoding/json leaves the struct unchanged).
func (d *pageDecoder) object(field func(key string) error) error {
	if d.null() {
		return nil
	}
	if err := d.expect('{'); err != nil {
		return err
	}
	if d.peek() == '}' {
		d.i++
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.errorf("want an object key")
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		d.ws()
		if err := field(key); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return d.errorf("want ',' or '}' in an object")
		}
	}
}

// array calls elem for each element; null is an empty array.
func (d *pageDecoder) array(elem func() error) error {
	if d.null() {
		return nil
	}
	if err := d.expect('['); err != nil {
		return err
	}
	if d.peek() == ']' {
		d.i++
		return nil
	}
	for {
		d.ws()
		if err := elem(); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return nil
		default:
			return d.errorf("want ',' or ']' in an array")
		}
	}
}

// null consumes a JSON null, if that is what comes next.
func (d *pageDecoder) null() bool {
	d.ws()
	if len(d.s)-d.i >= 4 && d.s[d.i:d.i+4] == "null" {
		d.i += 4
		return true
	}
	return false
}

// stringValue reads a value that must be a string.
func (d *pageDecoder) stringValue() (string, error) {
	if d.peek() != '"' {
		return "", d.errorf("want a string")
	}
	return d.str()
}

// nullableString reads a string; null leaves *out unchanged (encoding/json).
func (d *pageDecoder) nullableString(out *string) error {
	if d.null() {
		return nil
	}
	s, err := d.stringValue()
	*out = s
	return err
}

// number consumes a JSON number (RFC 8259 grammar).
func (d *pageDecoder) number() error {
	start := d.i
	if d.i < len(d.s) && d.s[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.s) && d.s[d.i] == '0':
		d.i++
	case d.i < len(d.s) && d.s[d.i] >= '1' && d.s[d.i] <= '9':
		d.digits()
	default:
		d.i = start
		return d.errorf("want a value")
	}
	if d.i < len(d.s) && d.s[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return d.errorf("bad number")
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i++
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return d.errorf("bad number")
		}
	}
	return nil
}

func (d *pageDecoder) digits() int {
	n := 0
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}

// skip consumes any value.
func (d *pageDecoder) skip() error {
	switch c := d.peek(); {
	case c == '"':
		_, err := d.strSpan()
		return err
	case c == '{':
		return d.object(func(string) error { return d.skip() })
	case c == '[':
		return d.array(d.skip)
	case c == 't' && d.literal("true"), c == 'f' && d.literal("false"), c == 'n' && d.literal("null"):
		return nil
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	return d.errorf("want a value")
}

// strSpan consumes a string and reports whether it holds escapes.
func (d *pageDecoder) strSpan() (escaped bool, err error) {
	if d.i >= len(d.s) || d.s[d.i] != '"' {
		return false, d.errorf("want a string")
	}
	s, i := d.s, d.i+1
	for {
		i = plainRun(s, i)
		if i >= len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '"':
			d.i = i + 1
			return escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(s) {
				d.i = i
				return false, d.errorf("unterminated string")
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, err := hex4(s, i+2); err != nil {
					d.i = i
					return false, d.errorf("bad \\u escape in a string")
				}
				i += 6
			default:
				d.i = i
				return false, d.errorf("bad escape in a string")
			}
		case c < 0x20:
			d.i = i
			return false, d.errorf("control character in a string")
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				escaped = true // invalid UTF-8 becomes U+FFFD, as in encoding/json
			}
			i += size
		}
	}
	d.i = len(s)
	return false, d.errorf("unterminated string")
}

// plainRun returns the index of the first byte at or after i that ends a
// run of plain string bytes (printable ASCII other than '"' and '\\'),
// or len(s). It tests eight bytes at a time.
func plainRun(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if m := specialBytes(load64(s[i : i+8])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return i
		}
	}
	return i
}

const ones, highs = 0x0101010101010101, 0x8080808080808080

// load64 reads eight bytes, little-endian (one load).
func load64(t string) uint64 {
	t = t[:8]
	return uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
		uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
}

// specialBytes sets the high bit of the lowest byte of w that is < 0x20,
// not ASCII, '"' or '\\' (and maybe of bytes above it); 0 when there is
// none. The subtractions borrow only from a byte above a special one, so
// the lowest mark is exact.
func specialBytes(w uint64) uint64 {
	q := w ^ ('"' * ones)
	b := w ^ ('\\' * ones)
	return ((w - 0x20*ones) | (q - ones) | (b - ones) | w) & highs
}

// str reads a string value: a sub-string of the body when it has no escapes.
func (d *pageDecoder) str() (string, error) {
	start := d.i
	escaped, err := d.strSpan()
	if err != nil {
		return "", err
	}
	body := d.s[start+1 : d.i-1]
	if !escaped {
		return body, nil
	}
	s, ok := unquoteJSON(body)
	if !ok {
		d.i = start
		return "", d.errorf("bad escape in a string")
	}
	return s, nil
}

var errBadEscape = errors.New("bad escape")

// unquoteJSON decodes the escapes of a JSON string body (RFC 8259),
// replacing invalid UTF-8 and lone surrogates with U+FFFD as encoding/json
// does.
func unquoteJSON(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			if c < utf8.RuneSelf {
				b = append(b, c)
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r)
			i += size
			continue
		}
		if i+1 >= len(s) {
			return "", false
		}
		switch s[i+1] {
		case '"', '\\', '/':
			b = append(b, s[i+1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, err := hex4(s, i+2)
			if err != nil {
				return "", false
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2, err := hex4(s, i+2); err == nil {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							b = utf8.AppendRune(b, dec)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			return "", false
		}
		i += 2
	}
	return string(b), true
}

func hex4(s string, at int) (rune, error) {
	if at+4 > len(s) {
		return 0, errBadEscape
	}
	var r rune
	for _, c := range []byte(s[at : at+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, errBadEscape
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}
