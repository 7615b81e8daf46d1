package pep508

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
)

// Requirement is a parsed PEP 508 requirement such as
// `requests[socks] (>=2.0) ; python_version < "3.12"`.
type Requirement struct {
	Name      string              // as written
	Extras    []string            // as written, input order
	Specifier pep440.SpecifierSet // empty when none
	URL       string              // direct reference after "@", or ""
	Marker    Marker              // zero Marker when none
}

// ParseRequirement parses one requirement. Errors name the input and column.
//
// The grammar is packaging's, quirks included: only space and tab are
// whitespace between tokens; the name may end in "_"; a trailing comma,
// "()" and "[]" are accepted; the legacy parenthesised specifier
// `name (>=1.0, <2.0)` is accepted; a URL runs to the next space or tab, so
// `name @ url;marker` keeps ";marker" in the URL and `name @ url; marker` is
// an error.
func ParseRequirement(s string) (Requirement, error) {
	p := &parser{s: s, what: "requirement"}
	var r Requirement
	i := skipWS(s, 0)
	end := matchIdentifier(s, i)
	if end < 0 {
		return Requirement{}, p.errAt(i, i, "expected package name at the start of dependency specifier")
	}
	if end-i > MaxNameLength {
		return Requirement{}, p.errAt(i, end, fmt.Sprintf("package name is %d characters long (at most %d)", end-i, MaxNameLength))
	}
	r.Name = s[i:end]
	i = skipWS(s, end)
	extras, i, err := p.extras(i)
	if err != nil {
		return Requirement{}, err
	}
	r.Extras = extras
	i = skipWS(s, i)
	if i, err = p.details(&r, i); err != nil {
		return Requirement{}, err
	}
	if i != len(s) {
		return Requirement{}, p.errAt(i, i, "expected end of dependency specifier")
	}
	return r, nil
}

// MustParseRequirement is ParseRequirement that panics; for tests.
func MustParseRequirement(s string) Requirement {
	r, err := ParseRequirement(s)
	if err != nil {
		panic(err)
	}
	return r
}

// extras parses `( "[" WS? (IDENTIFIER (WS? "," WS? IDENTIFIER)*)? WS? "]" )?`.
func (p *parser) extras(i int) ([]string, int, error) {
	s := p.s
	if i >= len(s) || s[i] != '[' {
		return nil, i, nil
	}
	open := i
	i = skipWS(s, i+1)
	var extras []string
	if end := matchIdentifier(s, i); end >= 0 {
		if end-i > MaxNameLength {
			return nil, i, p.errAt(i, end, fmt.Sprintf("extra name is %d characters long (at most %d)", end-i, MaxNameLength))
		}
		extras = append(extras, s[i:end])
		i = end
		for {
			i = skipWS(s, i)
			if matchIdentifier(s, i) >= 0 {
				return nil, i, p.errAt(i, i, "expected comma between extra names")
			}
			if i >= len(s) || s[i] != ',' {
				break
			}
			i = skipWS(s, i+1)
			end := matchIdentifier(s, i)
			if end < 0 {
				return nil, i, p.errAt(i, i, "expected extra name after comma")
			}
			if end-i > MaxNameLength {
				return nil, i, p.errAt(i, end, fmt.Sprintf("extra name is %d characters long (at most %d)", end-i, MaxNameLength))
			}
			extras = append(extras, s[i:end])
			i = end
		}
	}
	i = skipWS(s, i)
	if i >= len(s) || s[i] != ']' {
		return nil, i, p.errAt(open, i, "expected matching ']' for '[' after extras")
	}
	return extras, i + 1, nil
}

// details parses `"@" WS? URL (WS (";" marker)?)?` or
// `specifier WS? (";" marker)?`, then trailing whitespace.
func (p *parser) details(r *Requirement, i int) (int, error) {
	s := p.s
	if i < len(s) && s[i] == '@' {
		i = skipWS(s, i+1)
		urlStart := i
		for i < len(s) && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		if i == urlStart {
			return i, p.errAt(i, i, "expected URL after @")
		}
		r.URL = s[urlStart:i]
		if i == len(s) {
			return i, nil
		}
		i = skipWS(s, i)
		if i == len(s) {
			return i, nil
		}
		return p.requirementMarker(r, i, urlStart, "semicolon (after URL and whitespace)")
	}
	specStart := i
	spec, i, err := p.specifier(i)
	if err != nil {
		return i, err
	}
	set, err := pep440.ParseSpecifierSet(spec)
	if err != nil {
		return i, p.errAt(specStart, i, "invalid version specifier: "+err.Error())
	}
	for _, sp := range set.Specifiers() {
		if len(sp.Version) > MaxNameLength { // a valid but absurd version would be echoed in every conflict explanation
			return i, p.errAt(specStart, i, fmt.Sprintf("version in specifier is %d characters long (at most %d)", len(sp.Version), MaxNameLength))
		}
	}
	r.Specifier = set
	i = skipWS(s, i)
	if i == len(s) {
		return i, nil
	}
	expected := "semicolon (after name with no version specifier)"
	if spec != "" {
		expected = "comma (within version specifier), semicolon (after version specifier)"
	}
	return p.requirementMarker(r, i, specStart, expected)
}

func (p *parser) requirementMarker(r *Requirement, i, spanStart int, expected string) (int, error) {
	if i >= len(p.s) || p.s[i] != ';' {
		return i, p.errAt(spanStart, i, "expected "+expected+" or end")
	}
	n, _, i, err := p.marker(i + 1)
	if err != nil {
		return i, err
	}
	r.Marker = Marker{n: n}
	return skipWS(p.s, i), nil
}

// specifier parses `"(" WS? version_many WS? ")"` or `WS? version_many WS?`
// and returns the specifier text (items and commas, without whitespace
// between them).
func (p *parser) specifier(i int) (string, int, error) {
	s := p.s
	open := -1
	if i < len(s) && s[i] == '(' {
		open = i
		i++
	}
	i = skipWS(s, i)
	var b strings.Builder
	for {
		_, _, end := matchSpecifier(s, i)
		if end < 0 {
			break
		}
		b.WriteString(s[i:end])
		if strings.HasPrefix(s[end:], ".*") {
			return "", end, p.errAt(i, end+1, "'.*' suffix can only be used with '==' or '!=' operators, and not after pre-, post-, dev- or local versions")
		}
		if matchLocal(s, end, false) > end {
			return "", end, p.errAt(i, end, "local version label can only be used with '==' or '!=' operators")
		}
		i = skipWS(s, end)
		if i >= len(s) || s[i] != ',' {
			break
		}
		b.WriteByte(',')
		i = skipWS(s, i+1)
	}
	i = skipWS(s, i)
	if open >= 0 {
		if i >= len(s) || s[i] != ')' {
			return "", i, p.errAt(open, i, "expected matching ')' for '(' after version specifier")
		}
		i++
	}
	return b.String(), i, nil
}

// NormalizedName returns the PEP 503 canonical project name.
func (r Requirement) NormalizedName() string { return names.Canonicalize(r.Name) }

// NormalizedExtras returns the PEP 685 canonical extras, sorted, unique.
func (r Requirement) NormalizedExtras() []string {
	if len(r.Extras) == 0 {
		return nil
	}
	out := make([]string, 0, len(r.Extras))
	for _, e := range r.Extras {
		out = append(out, names.Canonicalize(e))
	}
	return sortUnique(out)
}

func sortUnique(in []string) []string {
	sort.Strings(in)
	out := in[:0]
	for i, s := range in {
		if i == 0 || s != in[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// String returns str(Requirement) as packaging prints it: the name as
// written, the distinct extras sorted, the normalised specifier set, then
// " @ url" and "; marker" (" ; marker" after a URL, so that it re-parses).
func (r Requirement) String() string {
	var b strings.Builder
	b.WriteString(r.Name)
	if len(r.Extras) > 0 {
		b.WriteByte('[')
		b.WriteString(strings.Join(sortUnique(append([]string(nil), r.Extras...)), ","))
		b.WriteByte(']')
	}
	if r.Specifier.Len() > 0 {
		b.WriteString(r.Specifier.String())
	}
	if r.URL != "" {
		b.WriteString(" @ ")
		b.WriteString(r.URL)
		if !r.Marker.IsTrue() {
			b.WriteByte(' ')
		}
	}
	if !r.Marker.IsTrue() {
		b.WriteString("; ")
		b.WriteString(r.Marker.String())
	}
	return b.String()
}
