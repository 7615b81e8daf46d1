// Package names implements project and extra name handling as the Python
// packaging library does it: PEP 503 normalisation ("canonicalize_name"),
// the core-metadata Name validity rule and "is_normalized_name".
//
// Deliberate behaviour, matching packaging rather than intuition:
//   - Canonicalize does not validate: "_foo" becomes "-foo".
//   - Lower-casing is Python's str.lower (full Unicode mapping: "\u0130"
//     becomes "i\u0307", a final capital sigma becomes "ς"), not Go's
//     strings.ToLower. Go's Unicode tables may be a version apart from the
//     Python that produced a given expectation; ASCII is exact.
//   - Validate and IsNormalized are ASCII-only (the Kelvin sign "\u212a"
//     is not a letter here, although it lower-cases to "k").
//   - IsNormalized is packaging's regular expression, quirk included:
//     "a--b" counts as normalised, "foo--bar" does not.
package names

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Canonicalize returns the PEP 503 normalised form of name: lower-cased,
// with every run of "-", "_" and "." replaced by a single "-". Like
// packaging's canonicalize_name it does not validate.
func Canonicalize(name string) string {
	if isCanonicalASCII(name) {
		return name
	}
	lowered := Lower(name)
	var b strings.Builder
	b.Grow(len(lowered))
	inRun := false
	for i := 0; i < len(lowered); i++ {
		c := lowered[i]
		if c == '-' || c == '_' || c == '.' {
			if !inRun {
				b.WriteByte('-')
			}
			inRun = true
			continue
		}
		inRun = false
		b.WriteByte(c)
	}
	return b.String()
}

// isCanonicalASCII reports whether Canonicalize(name) == name can be decided
// without allocating: ASCII, no upper case, no '_' or '.', no "--".
func isCanonicalASCII(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= utf8.RuneSelf, c >= 'A' && c <= 'Z', c == '_', c == '.':
			return false
		case c == '-' && i+1 < len(name) && name[i+1] == '-':
			return false
		}
	}
	return true
}

// IsNormalized reports whether name is already in canonical form, exactly as
// packaging's is_normalized_name: it matches
// [a-z0-9]|[a-z0-9]([a-z0-9-](?!--))*[a-z0-9].
func IsNormalized(name string) bool {
	n := len(name)
	if n == 0 || !isLowerAlnum(name[0]) || !isLowerAlnum(name[n-1]) {
		return false
	}
	for i := 1; i < n-1; i++ {
		c := name[i]
		if !isLowerAlnum(c) && c != '-' {
			return false
		}
		if i+2 < n && name[i+1] == '-' && name[i+2] == '-' {
			return false
		}
	}
	return true
}

// Validate reports whether name is a valid project name: ASCII letters and
// digits at both ends, and letters, digits, '-', '_' and '.' in between.
func Validate(name string) error {
	if IsValid(name) {
		return nil
	}
	if len(name) > 200 {
		return fmt.Errorf("invalid project name %q... (%d bytes): must", name[:200], len(name))
	}
	return fmt.Errorf("invalid project name %q: must start and end with an ASCII letter or digit and contain only letters, digits, '-', '_' and '.'", name)
}

// IsValid is Validate without the error value.
func IsValid(name string) bool {
	n := len(name)
	if n == 0 || !isAlnum(name[0]) || !isAlnum(name[n-1]) {
		return false
	}
	for i := 1; i < n-1; i++ {
		c := name[i]
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isLowerAlnum(c) || c >= 'A' && c <= 'Z' }

// Lower returns s lower-cased the way Python's str.lower does it: the full
// Unicode lower-case mapping (U+0130 becomes "i\u0307") and the Final_Sigma
// rule for U+03A3. Invalid UTF-8 bytes are kept as they are.
func Lower(s string) string {
	ascii := true
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if c >= 'A' && c <= 'Z' {
			upper = true
		}
	}
	if ascii {
		if !upper {
			return s
		}
		b := []byte(s)
		for i, c := range b {
			if c >= 'A' && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		return string(b)
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteByte(s[i])
		case r == 0x130: // LATIN CAPITAL LETTER I WITH DOT ABOVE
			b.WriteString("i\u0307")
		case r == 0x3a3: // GREEK CAPITAL LETTER SIGMA
			if finalSigma(s, i, i+size) {
				b.WriteRune(0x3c2)
			} else {
				b.WriteRune(0x3c3)
			}
		default:
			b.WriteRune(unicode.ToLower(r))
		}
		i += size
	}
	return b.String()
}

// finalSigma applies Unicode's Final_Sigma condition to the sigma at
// s[start:end]: a cased letter before it and none after it, skipping
// case-ignorable characters on both sides.
func finalSigma(s string, start, end int) bool {
	before := false
	for j := start; j > 0; {
		r, size := utf8.DecodeLastRuneInString(s[:j])
		j -= size
		if caseIgnorable(r) {
			continue
		}
		before = cased(r)
		break
	}
	if !before {
		return false
	}
	for j := end; j < len(s); {
		r, size := utf8.DecodeRuneInString(s[j:])
		j += size
		if caseIgnorable(r) {
			continue
		}
		return !cased(r)
	}
	return true
}

func cased(r rune) bool {
	return unicode.In(r, unicode.Lu, unicode.Ll, unicode.Lt, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

func caseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', 0xb7, 0x387, 0x55f, 0x5f4, 0x2018, 0x2019, 0x2024, 0x2027,
		0xfe13, 0xfe52, 0xfe55, 0xff07, 0xff0e, 0xff1a:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}
