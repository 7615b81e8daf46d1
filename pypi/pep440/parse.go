package pep440

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a parse error for a version or specifier. Pos is the byte offset
// in Input where parsing failed.
type Error struct {
	Kind  string // "version" or "specifier"
	Input string
	Pos   int
	Msg   string
}

// unexpectedAt describes the text at byte pos of s for an error message.
func unexpectedAt(s string, pos int) string {
	if pos >= len(s) {
		return "unexpected end of input"
	}
	r, _ := utf8.DecodeRuneInString(s[pos:])
	return fmt.Sprintf("unexpected %q", r)
}

// Error names the input, what was being parsed and the position of the
// problem.
func (e *Error) Error() string {
	return fmt.Sprintf("pep440: %s %q: %s at position %d", e.Kind, e.Input, e.Msg, e.Pos)
}

// parsed holds the segments of a version as substrings of the input, so
// parsing allocates nothing. Numbers are digit runs as written.
type parsed struct {
	epoch    string // digits, "" if absent
	release  string // "1.02.3" as written
	preL     byte   // 0, 'a', 'b' or 'c' (rc)
	preN     string
	hasPost  bool
	postN    string
	hasDev   bool
	devN     string
	hasLocal bool
	local    string // as written, without '+'
	wildcard bool   // ".*" after the release (specifier operands only)
}

// parse reads a whole version from s (already stripped of whitespace). It
// follows packaging's VERSION_PATTERN (ASCII, case-insensitive) exactly; the
// pattern needs no backtracking, so a greedy left-to-right scan is
// equivalent. With wildcard, a ".*" directly after the release ends the
// version. With noLocal, a local segment is an error. It returns the
// failing offset and false on error.
func (p *parsed) parse(s string, wildcard, noLocal bool) (int, bool) {
	i := 0
	if i < len(s) && (s[i] == 'v' || s[i] == 'V') {
		i++
	}
	j := digitsEnd(s, i)
	if j == i {
		return i, false
	}
	if j < len(s) && s[j] == '!' {
		p.epoch = s[i:j]
		i = j + 1
		j = digitsEnd(s, i)
		if j == i {
			return i, false
		}
	}
	// Release: digits ('.' digits)*
	start := i
	i = j
	for i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		i = digitsEnd(s, i+1)
	}
	p.release = s[start:i]
	if wildcard && i+2 == len(s) && s[i] == '.' && s[i+1] == '*' {
		p.wildcard = true
		return len(s), true
	}
	i = p.parsePre(s, i)
	i = p.parsePost(s, i)
	i = p.parseDev(s, i)
	if i < len(s) && s[i] == '+' {
		if noLocal {
			return i, false
		}
		k, ok := parseLocal(s, i+1)
		if !ok {
			return k, false
		}
		p.hasLocal = true
		p.local = s[i+1 : k]
		i = k
	}
	if i != len(s) {
		return i, false
	}
	return i, true
}

func (p *parsed) parsePre(s string, i int) int {
	j := i
	if j < len(s) && isSep(s[j]) {
		j++
	}
	label, n := matchPreLabel(s, j)
	if n == 0 {
		return i
	}
	p.preL = label
	j = sepDigits(s, j+n, &p.preN)
	return j
}

func (p *parsed) parsePost(s string, i int) int {
	if i+1 < len(s) && s[i] == '-' && isDigit(s[i+1]) {
		j := digitsEnd(s, i+1)
		p.hasPost, p.postN = true, s[i+1:j]
		return j
	}
	j := i
	if j < len(s) && isSep(s[j]) {
		j++
	}
	n := 0
	switch {
	case hasFold(s, j, "post"):
		n = 4
	case hasFold(s, j, "rev"):
		n = 3
	case hasFold(s, j, "r"):
		n = 1
	default:
		return i
	}
	p.hasPost = true
	return sepDigits(s, j+n, &p.postN)
}

func (p *parsed) parseDev(s string, i int) int {
	j := i
	if j < len(s) && isSep(s[j]) {
		j++
	}
	if !hasFold(s, j, "dev") {
		return i
	}
	p.hasDev = true
	return sepDigits(s, j+3, &p.devN)
}

// sepDigits consumes an optional separator and optional digits after a
// pre/post/dev label, storing the digits (possibly "") in *n.
func sepDigits(s string, j int, n *string) int {
	if j < len(s) && isSep(s[j]) {
		j++
	}
	k := digitsEnd(s, j)
	*n = s[j:k]
	return k
}

// matchPreLabel matches alpha|a|beta|b|preview|pre|c|rc at s[i:],
// returning the normalised label ('a', 'b', 'c' for rc) and its length.
func matchPreLabel(s string, i int) (byte, int) {
	if i >= len(s) {
		return 0, 0
	}
	switch s[i] | 0x20 {
	case 'a':
		if hasFold(s, i, "alpha") {
			return 'a', 5
		}
		return 'a', 1
	case 'b':
		if hasFold(s, i, "beta") {
			return 'b', 4
		}
		return 'b', 1
	case 'p':
		if hasFold(s, i, "preview") {
			return 'c', 7
		}
		if hasFold(s, i, "pre") {
			return 'c', 3
		}
	case 'c':
		return 'c', 1
	case 'r':
		if hasFold(s, i, "rc") {
			return 'c', 2
		}
	}
	return 0, 0
}

// parseLocal reads [a-z0-9]+([-_.][a-z0-9]+)* from s[i:], which must run to
// the end of s.
func parseLocal(s string, i int) (int, bool) {
	for {
		j := i
		for j < len(s) && isAlnum(s[j]) {
			j++
		}
		if j == i {
			return i, false
		}
		if j == len(s) {
			return j, true
		}
		if !isSep(s[j]) {
			return j, false
		}
		i = j + 1
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isSep(c byte) bool   { return c == '.' || c == '-' || c == '_' }
func isAlnum(c byte) bool {
	c2 := c | 0x20
	return isDigit(c) || ('a' <= c2 && c2 <= 'z')
}

func digitsEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// hasFold reports whether s[i:] starts with the lower-case ASCII word lit,
// ignoring ASCII case.
func hasFold(s string, i int, lit string) bool {
	if len(s)-i < len(lit) {
		return false
	}
	for k := 0; k < len(lit); k++ {
		if s[i+k]|0x20 != lit[k] {
			return false
		}
	}
	return true
}

// stripZeros removes leading zeros from a digit run; zero becomes "".
func stripZeros(d string) string {
	for len(d) > 0 && d[0] == '0' {
		d = d[1:]
	}
	return d
}

// appendDecimal appends the normalised decimal for digits d.
func appendDecimal(b []byte, d string) []byte {
	d = stripZeros(d)
	if d == "" {
		return append(b, '0')
	}
	return append(b, d...)
}

// build produces the Version: normalised text and key in one allocation.
func (p *parsed) build() Version {
	var stack [160]byte
	b := stack[:0]
	var v Version
	// Normalised text.
	if e := stripZeros(p.epoch); e != "" {
		b = append(b, e...)
		b = append(b, '!')
		v.rel = uint32(len(b))
	}
	for r := p.release; ; {
		k := strings.IndexByte(r, '.')
		if k < 0 {
			b = appendDecimal(b, r)
			break
		}
		b = appendDecimal(b, r[:k])
		b = append(b, '.')
		r = r[k+1:]
	}
	v.base = uint32(len(b))
	if p.preL != 0 {
		v.fl |= flagPre
		b = append(b, preLabels[p.preL]...)
		b = appendDecimal(b, p.preN)
	}
	if p.hasPost {
		v.fl |= flagPost
		b = append(b, ".post"...)
		b = appendDecimal(b, p.postN)
	}
	if p.hasDev {
		v.fl |= flagDev
		b = append(b, ".dev"...)
		b = appendDecimal(b, p.devN)
	}
	v.pub = uint32(len(b))
	if p.hasLocal {
		v.fl |= flagLocal
		b = append(b, '+')
		b = appendLocalText(b, p.local)
	}
	n := len(b)
	b, kpre, kloc := p.appendKey(b)
	v.kpre, v.kloc = uint32(kpre-n), uint32(kloc-n)
	all := string(b)
	v.s, v.key = all[:n], all[n:]
	return v
}

// appendLocalText appends the normalised local segment: lower-case, '.'
// separators, numeric parts without leading zeros.
func appendLocalText(b []byte, local string) []byte {
	forLocalParts(local, func(part string, numeric bool) {
		if len(b) > 0 && b[len(b)-1] != '+' {
			b = append(b, '.')
		}
		if numeric {
			b = appendDecimal(b, part)
			return
		}
		for i := 0; i < len(part); i++ {
			c := part[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
	})
	return b
}

// forLocalParts calls f for each part of a local segment split on [-_.].
func forLocalParts(local string, f func(part string, numeric bool)) {
	for len(local) > 0 {
		k := 0
		numeric := true
		for k < len(local) && !isSep(local[k]) {
			if !isDigit(local[k]) {
				numeric = false
			}
			k++
		}
		f(local[:k], numeric)
		if k == len(local) {
			return
		}
		local = local[k+1:]
	}
}

// Python's str.isspace() set, which str.strip() and \s use.
func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f,
		0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return 0x2000 <= r && r <= 0x200a
}

// trimSpaceBounds returns the bounds of s without Python whitespace.
func trimSpaceBounds(s string) (int, int) {
	lo, hi := 0, len(s)
	for lo < hi {
		c := s[lo]
		if c < utf8.RuneSelf {
			if !isPySpace(rune(c)) {
				break
			}
			lo++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[lo:])
		if !isPySpace(r) {
			break
		}
		lo += n
	}
	for hi > lo {
		c := s[hi-1]
		if c < utf8.RuneSelf {
			if !isPySpace(rune(c)) {
				break
			}
			hi--
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s[lo:hi])
		if !isPySpace(r) {
			break
		}
		hi -= n
	}
	return lo, hi
}

// pyStrip is Python's str.strip().
func pyStrip(s string) string {
	lo, hi := trimSpaceBounds(s)
	return s[lo:hi]
}
