package pep508

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the lexical rules. They mirror the regular expressions of
// packaging's tokenizer, including Python's notions of whitespace (\s is
// str.isspace) and word boundaries (\b between \w and \W, \w being Unicode
// letters, numbers and '_').

// isPySpace reports whether r is whitespace for Python's str.isspace().
func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680,
		0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// isWordRune reports whether r matches Python's \w in a str pattern.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsNumber(r))
}

// wordBefore / wordAt report whether the character ending / starting at i is
// a word character (false at the ends of s).
func wordBefore(s string, i int) bool {
	if i <= 0 {
		return false
	}
	r, size := utf8.DecodeLastRuneInString(s[:i])
	if r == utf8.RuneError && size <= 1 {
		return false
	}
	return isWordRune(r)
}

func wordAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size <= 1 {
		return false
	}
	return isWordRune(r)
}

// boundary is Python's \b at byte offset i.
func boundary(s string, i int) bool { return wordBefore(s, i) != wordAt(s, i) }

// skipWS skips [ \t]* (the tokenizer's WS).
func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// skipPySpace skips \s* (Python whitespace).
func skipPySpace(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isPySpace(r) {
			break
		}
		i += size
	}
	return i
}

// matchWord matches \bword\b at i (for "and", "or", "in", "not").
func matchWord(s string, i int, word string) bool {
	return strings.HasPrefix(s[i:], word) && boundary(s, i) && boundary(s, i+len(word))
}

// matchIdentifier matches \b[a-zA-Z0-9][a-zA-Z0-9._-]*\b at i and returns
// the end offset, or -1.
func matchIdentifier(s string, i int) int {
	if i >= len(s) || !isASCIIAlnum(s[i]) || !boundary(s, i) {
		return -1
	}
	end := i + 1
	for end < len(s) && (isASCIIAlnum(s[end]) || s[end] == '.' || s[end] == '_' || s[end] == '-') {
		end++
	}
	// Backtrack to the longest prefix that ends on a word boundary.
	for ; end > i; end-- {
		if boundary(s, end) {
			return end
		}
	}
	return -1
}

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// markerVariables lists the spellings the tokenizer's VARIABLE rule accepts,
// each with its canonical name.
var markerVariables = []struct{ spelling, name string }{
	{"python_version", "python_version"},
	{"python_full_version", "python_full_version"},
	{"os_name", "os_name"},
	{"os.name", "os_name"},
	{"sys_platform", "sys_platform"},
	{"sys.platform", "sys_platform"},
	{"platform_release", "platform_release"},
	{"platform_system", "platform_system"},
	{"platform_version", "platform_version"},
	{"platform.version", "platform_version"},
	{"platform_machine", "platform_machine"},
	{"platform.machine", "platform_machine"},
	{"platform_python_implementation", "platform_python_implementation"},
	{"platform.python_implementation", "platform_python_implementation"},
	{"python_implementation", "platform_python_implementation"},
	{"implementation_name", "implementation_name"},
	{"implementation_version", "implementation_version"},
	{"extras", "extras"},
	{"extra", "extra"},
	{"dependency_groups", "dependency_groups"},
}

// matchVariable matches a marker variable at i and returns its canonical
// name and end offset.
func matchVariable(s string, i int) (string, int) {
	if !boundary(s, i) {
		return "", -1
	}
	for _, v := range markerVariables {
		if strings.HasPrefix(s[i:], v.spelling) && boundary(s, i+len(v.spelling)) {
			return v.name, i + len(v.spelling)
		}
	}
	return "", -1
}

// markerOps are the comparison operators in the tokenizer's order.
var markerOps = []string{"===", "==", "~=", "!=", "<=", ">=", "<", ">"}

// hasPrefixFold reports whether s[i:] starts with the lower-case ASCII word w,
// ignoring ASCII case.
func hasPrefixFold(s string, i int, w string) bool {
	if len(s)-i < len(w) {
		return false
	}
	for k := 0; k < len(w); k++ {
		c := s[i+k]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[k] {
			return false
		}
	}
	return true
}

// specOps are the specifier operators in the order of packaging's regex
// alternation (=== last, reached only when == fails).
var specOps = []string{"~=", "==", "!=", "<=", ">=", "<", ">", "==="}

// matchSpecifier matches packaging's specifier regex (operator, optional
// whitespace, version) at i and returns the operator, the offset where the
// version starts, and the end offset (-1 when there is no match).
func matchSpecifier(s string, i int) (op string, verStart, end int) {
	for _, op := range specOps {
		if !strings.HasPrefix(s[i:], op) {
			continue
		}
		j := skipPySpace(s, i+len(op))
		if e := matchSpecVersion(s, j, op); e >= 0 {
			return op, j, e
		}
	}
	return "", -1, -1
}

// matchSpecVersion matches the version part for op at j (after whitespace).
func matchSpecVersion(s string, j int, op string) int {
	if op == "===" {
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if r == ';' || r == ')' || isPySpace(r) {
				break
			}
			j += size
		}
		return j
	}
	if j < len(s) && (s[j] == 'v' || s[j] == 'V') {
		j++
	}
	// Epoch: [0-9]+! (optional).
	k := j
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	if k > j && k < len(s) && s[k] == '!' {
		j = k + 1
	}
	// Release: [0-9]+(\.[0-9]+)* , or (\.[0-9]+)+ for ~=.
	k = j
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	if k == j {
		return -1
	}
	j = k
	parts := 1
	for j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
		j += 2
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		parts++
	}
	if op == "~=" && parts < 2 {
		return -1
	}
	eq := op == "==" || op == "!="
	if eq && strings.HasPrefix(s[j:], ".*") {
		return j + 2
	}
	j = matchPre(s, j)
	j = matchPost(s, j)
	j = matchDev(s, j)
	if eq {
		j = matchLocal(s, j, true)
	}
	return j
}

func isSep(c byte) bool { return c == '-' || c == '_' || c == '.' }

// optSepKeyword matches [-_.]?(kw1|kw2|...) at j, trying the separator first.
func optSepKeyword(s string, j int, kws []string) int {
	try := func(k int) int {
		for _, kw := range kws {
			if hasPrefixFold(s, k, kw) {
				return k + len(kw)
			}
		}
		return -1
	}
	if j < len(s) && isSep(s[j]) {
		if e := try(j + 1); e >= 0 {
			return e
		}
	}
	return try(j)
}

// sepDigits matches [-_.]?[0-9]* at j.
func sepDigits(s string, j int) int {
	if j < len(s) && isSep(s[j]) {
		j++
	}
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	return j
}

var preKeywords = []string{"alpha", "beta", "preview", "pre", "a", "b", "c", "rc"}
var postKeywords = []string{"post", "rev", "r"}
var devKeywords = []string{"dev"}

func matchPre(s string, j int) int {
	if e := optSepKeyword(s, j, preKeywords); e >= 0 {
		return sepDigits(s, e)
	}
	return j
}

func matchPost(s string, j int) int {
	if j+1 < len(s) && s[j] == '-' && isDigit(s[j+1]) {
		j += 2
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		return j
	}
	if e := optSepKeyword(s, j, postKeywords); e >= 0 {
		return sepDigits(s, e)
	}
	return j
}

func matchDev(s string, j int) int {
	if e := optSepKeyword(s, j, devKeywords); e >= 0 {
		return sepDigits(s, e)
	}
	return j
}

// matchLocal matches \+[a-z0-9]+([-_.][a-z0-9]+)* at j (ASCII case folded
// when fold is set); it returns j itself when there is no match.
func matchLocal(s string, j int, fold bool) int {
	alnum := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || fold && c >= 'A' && c <= 'Z'
	}
	if j >= len(s) || s[j] != '+' || j+1 >= len(s) || !alnum(s[j+1]) {
		return j
	}
	k := j + 1
	for k < len(s) && alnum(s[k]) {
		k++
	}
	for k+1 < len(s) && isSep(s[k]) && alnum(s[k+1]) {
		k++
		for k < len(s) && alnum(s[k]) {
			k++
		}
	}
	return k
}

// parseSingleSpecifier reports whether text is one valid specifier for
// packaging's Specifier() (the whole text: \s* op \s* version \s*) and returns
// its operator and stripped version text.
func parseSingleSpecifier(text string) (op, version string, ok bool) {
	i := skipPySpace(text, 0)
	op, vs, end := matchSpecifier(text, i)
	if end < 0 || skipPySpace(text, end) != len(text) {
		return "", "", false
	}
	return op, text[vs:end], true
}
