package pep508

import (
	"strings"
	"unicode/utf8"
)

// Marker strings are Python string literals: packaging reads the quoted token
// (a quote, anything but that quote, the same quote) with ast.literal_eval.
// decodePyString does the same for the token's content and reports the byte
// offset (within content) of the first problem.
//
// Supported: \\ \' \" \a \b \f \n \r \t \v, \ooo (1-3 octal digits),
// \xhh, \uhhhh, \Uhhhhhhhh, backslash-newline continuation, and unknown
// escapes kept verbatim ("\q" is backslash, q) as Python does. Errors, as in
// Python: a raw line break or NUL, a truncated \x/\u/\U escape, a code point
// above U+10FFFF, and a trailing backslash (it would escape the closing
// quote). Deviations: \N{name} is rejected (Go has no Unicode name table in
// the standard library), and a lone surrogate from \ud800 decodes to U+FFFD.
func decodePyString(content string) (string, int, string) {
	if strings.IndexByte(content, '\\') < 0 {
		if k := strings.IndexAny(content, "\n\r\x00"); k >= 0 {
			return "", k, rawCharError(content[k])
		}
		return content, 0, ""
	}
	var b strings.Builder
	b.Grow(len(content))
	for i := 0; i < len(content); {
		c := content[i]
		switch c {
		case '\n', '\r', 0:
			return "", i, rawCharError(c)
		case '\\':
		default:
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(content) {
			return "", i, "unterminated string (trailing backslash escapes the closing quote)"
		}
		start := i
		e := content[i+1]
		i += 2
		switch e {
		case '\n':
		case '\r':
			if i < len(content) && content[i] == '\n' {
				i++
			}
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'f':
			b.WriteByte(12)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte(11)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := rune(e - '0')
			for n := 1; n < 3 && i < len(content) && content[i] >= '0' && content[i] <= '7'; n++ {
				v = v*8 + rune(content[i]-'0')
				i++
			}
			b.WriteRune(v)
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			v, ok := hexValue(content, i, n)
			if !ok {
				return "", start, `truncated \` + string(e) + " escape"
			}
			if v > utf8.MaxRune {
				return "", start, "illegal Unicode character in escape"
			}
			i += n
			b.WriteRune(v)
		case 'N':
			return "", start, `\N{...} escapes are not supported`
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String(), 0, ""
}

func rawCharError(c byte) string {
	if c == 0 {
		return "string contains a NUL character"
	}
	return "unterminated string (line break inside quotes)"
}

func hexValue(s string, i, n int) (rune, bool) {
	if i+n > len(s) {
		return 0, false
	}
	var v rune
	for k := 0; k < n; k++ {
		c := s[i+k]
		switch {
		case c >= '0' && c <= '9':
			v = v*16 + rune(c-'0')
		case c >= 'a' && c <= 'f':
			v = v*16 + rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v*16 + rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// writePyString renders a marker value the way packaging does: in double
// quotes, or in single quotes when the value contains a double quote. Where
// packaging's output would not parse back (a value holding both quote
// characters, a backslash, a line break or a NUL), the offending characters
// are written as Python escapes instead, so the result always re-parses to
// the same value.
func writePyString(b *strings.Builder, v string) {
	q := byte('"')
	if strings.IndexByte(v, '"') >= 0 {
		q = '\''
	}
	b.WriteByte(q)
	if !strings.ContainsAny(v, "\\\n\r\x00") && !(q == '\'' && strings.IndexByte(v, '\'') >= 0) {
		b.WriteString(v)
		b.WriteByte(q)
		return
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\x00`)
		case q:
			b.WriteString(`\x27`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(q)
}
