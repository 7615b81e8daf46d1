package pep440

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// pyLower approximates Python's str.lower(): Unicode simple lower-casing
// plus the one unconditional multi-rune mapping, U+0130 -> "i\u0307". The
// context-dependent final sigma is not applied.
func pyLower(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	for _, r := range s {
		if r == 0x130 {
			b.WriteString("i\u0307")
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
