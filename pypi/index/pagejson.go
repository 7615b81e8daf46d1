package index

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeJSONPage decodes a PEP 691 project page into p. It is a decoder
// made for this one document shape, several times faster than
// encoding/json's reflection on the large pages (botocore: 800 files, 400
// KB) that sit on a resolution's critical path: strings without escapes
// are sub-strings of one copy of the body (no allocation each), values of
// keys pylock does not read are skipped without being built, and the
// polymorphic "yanked" and "core-metadata" values are decoded in place
// instead of through json.RawMessage. It accepts exactly the JSON that
// encoding/json accepts for jsonPage (FuzzDecodeJSONPage checks both agree)
// except that, like encoding/json, duplicate keys keep the last value.
func decodeJSONPage(body []byte, p *jsonPage) error {
	d := pageDecoder{s: string(body)}
	d.ws()
	if err := d.object(func(key string) error {
		switch key {
		case "meta":
			return d.object(func(key string) error {
				if key == "api-version" {
					return d.nullableString(&p.Meta.APIVersion)
				}
				return d.skip()
			})
		case "name":
			return d.nullableString(&p.Name)
		case "files":
			return d.files(&p.Files)
		}
		return d.skip()
	}); err != nil {
		return err
	}
	d.ws()
	if d.i != len(d.s) {
		return d.errorf("unexpected data after the page")
	}
	return nil
}

type pageDecoder struct {
	s string
	i int
}

func (d *pageDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", d.i, fmt.Sprintf(format, args...))
}

func (d *pageDecoder) ws() {
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

func (d *pageDecoder) files(out *[]jsonFile) error {
	if d.null() {
		*out = nil
		return nil
	}
	files := make([]jsonFile, 0, 64)
	err := d.array(func() error {
		var f jsonFile
		if err := d.file(&f); err != nil {
			return err
		}
		files = append(files, f)
		return nil
	})
	*out = files
	return err
}

func (d *pageDecoder) file(f *jsonFile) error {
	if d.null() {
		return nil
	}
	return d.object(func(key string) error {
		switch key {
		case "filename":
			return d.nullableString(&f.Filename)
		case "url":
			return d.nullableString(&f.URL)
		case "hashes":
			return d.hashes(&f.Hashes)
		case "requires-python":
			return d.optString(&f.RequiresPython)
		case "size":
			return d.optInt64(&f.Size)
		case "upload-time":
			return d.nullableString(&f.UploadTime)
		case "yanked":
			return d.value(&f.Yanked)
		case "core-metadata":
			return d.value(&f.CoreMetadata)
		case "dist-info-metadata":
			return d.value(&f.DistInfoMetadata)
		case "data-dist-info-metadata":
			return d.value(&f.DataDistInfoMeta)
		}
		return d.skip()
	})
}

func (d *pageDecoder) hashes(out *map[string]string) error {
	if d.null() {
		*out = nil
		return nil
	}
	if *out == nil {
		*out = make(map[string]string, 1)
	}
	m := *out
	return d.object(func(key string) error {
		if d.null() {
			m[key] = "" // encoding/json stores the zero value for null
			return nil
		}
		v, err := d.str()
		m[key] = v
		return err
	})
}

// value reads a polymorphic file value (see jsonValue).
func (d *pageDecoder) value(v *jsonValue) error {
	switch c := d.peek(); {
	case c == 'n' && d.literal("null"):
		*v = jsonValue{kind: jsonNull}
	case c == 't' && d.literal("true"):
		*v = jsonValue{kind: jsonBool, b: true}
	case c == 'f' && d.literal("false"):
		*v = jsonValue{kind: jsonBool}
	case c == '"':
		s, err := d.str()
		*v = jsonValue{kind: jsonString, s: s}
		return err
	case c == '{':
		h := map[string]string{}
		other := false
		err := d.object(func(key string) error {
			if d.peek() == '"' {
				s, err := d.str()
				h[key] = s
				return err
			}
			if d.null() {
				h[key] = ""
				return nil
			}
			other = true
			return d.skip()
		})
		*v = jsonValue{kind: jsonHashes, hashes: h}
		if other {
			*v = jsonValue{kind: jsonOther}
		}
		return err
	default:
		*v = jsonValue{kind: jsonOther}
		return d.skip()
	}
	return nil
}

// null consumes a JSON null, if that is what comes next.
func (d *pageDecoder) null() bool { return d.peek() == 'n' && d.literal("null") }

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

func (d *pageDecoder) optString(out *optString) error {
	if d.peek() == 'n' && d.literal("null") {
		*out = optString{}
		return nil
	}
	if d.peek() != '"' {
		return d.errorf("want a string")
	}
	s, err := d.str()
	*out = optString{s, true}
	return err
}

func (d *pageDecoder) optInt64(out *optInt64) error {
	if d.peek() == 'n' && d.literal("null") {
		*out = optInt64{}
		return nil
	}
	start := d.i
	if err := d.number(); err != nil {
		return err
	}
	n, err := strconv.ParseInt(d.s[start:d.i], 10, 64)
	if err != nil {
		return d.errorf("size %q is not an integer", d.s[start:d.i])
	}
	*out = optInt64{n, true}
	return nil
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
	d.i++
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return escaped, nil
		case c == '\\':
			escaped = true
			if d.i+1 >= len(d.s) {
				return false, d.errorf("unterminated string")
			}
			switch d.s[d.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.i += 2
			case 'u':
				if _, err := hex4(d.s, d.i+2); err != nil {
					return false, d.errorf("bad \\u escape in a string")
				}
				d.i += 6
			default:
				return false, d.errorf("bad escape in a string")
			}
		case c < 0x20:
			return false, d.errorf("control character in a string")
		case c < utf8.RuneSelf:
			d.i++
		default:
			r, size := utf8.DecodeRuneInString(d.s[d.i:])
			if r == utf8.RuneError && size == 1 {
				escaped = true // invalid UTF-8 becomes U+FFFD, as in encoding/json
			}
			d.i += size
		}
	}
	return false, d.errorf("unterminated string")
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
