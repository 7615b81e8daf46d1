package reqfile

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// token is one shell word of a line's options, with the offset (in the
// logical line) of its first character.
type token struct {
	val string
	off int
}

// shlexSplit splits s like Python's shlex.split(s) (POSIX mode): words are
// separated by space, tab, CR and LF; '...' is literal; "..." allows \" and
// \\; outside quotes a backslash escapes the next character. base is added
// to every token offset.
func shlexSplit(s string, base int) ([]token, error) {
	var toks []token
	var cur []byte
	in := false // inside a word
	start := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				cur = append(cur, c)
			}
		case quote == '"':
			switch {
			case c == '"':
				quote = 0
			case c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
				i++
				cur = append(cur, s[i])
			default:
				cur = append(cur, c)
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			if in {
				toks = append(toks, token{string(cur), base + start})
				cur, in = cur[:0], false
			}
		default:
			if !in {
				in, start = true, i
			}
			switch c {
			case '\'', '"':
				quote = c
			case '\\':
				if i+1 == len(s) {
					return nil, errors.New("no escaped character after \\")
				}
				i++
				cur = append(cur, s[i])
			default:
				cur = append(cur, c)
			}
		}
	}
	if quote != 0 {
		return nil, errors.New("no closing quotation")
	}
	if in {
		toks = append(toks, token{string(cur), base + start})
	}
	return toks, nil
}

// optKind identifies a supported option.
type optKind int

const (
	optIndexURL optKind = iota
	optExtraIndexURL
	optNoIndex
	optConstraint
	optRequirement
	optEditable
	optFindLinks
	optNoBinary
	optOnlyBinary
	optPreferBinary
	optRequireHashes
	optPre
	optTrustedHost
	optUseFeature
	optGlobalOption
	optConfigSettings
	optHash
)

type optSpec struct {
	kind  optKind
	names []string // "-i", "--index-url", ...
	value bool     // takes an argument
}

// specs are the options pip accepts in requirements files
// (SUPPORTED_OPTIONS and SUPPORTED_OPTIONS_REQ in req_file.py).
var specs = []optSpec{
	{optIndexURL, []string{"-i", "--index-url", "--pypi-url"}, true},
	{optExtraIndexURL, []string{"--extra-index-url"}, true},
	{optNoIndex, []string{"--no-index"}, false},
	{optConstraint, []string{"-c", "--constraint"}, true},
	{optRequirement, []string{"-r", "--requirement"}, true},
	{optEditable, []string{"-e", "--editable"}, true},
	{optFindLinks, []string{"-f", "--find-links"}, true},
	{optNoBinary, []string{"--no-binary"}, true},
	{optOnlyBinary, []string{"--only-binary"}, true},
	{optPreferBinary, []string{"--prefer-binary"}, false},
	{optRequireHashes, []string{"--require-hashes"}, false},
	{optPre, []string{"--pre"}, false},
	{optTrustedHost, []string{"--trusted-host"}, true},
	{optUseFeature, []string{"--use-feature"}, true},
	{optGlobalOption, []string{"--global-option"}, true},
	{optConfigSettings, []string{"-C", "--config-settings"}, true},
	{optHash, []string{"--hash"}, true},
}

// optTables indexes specs by option name (built on first use, not at
// start-up).
type optTables struct {
	short, long map[string]*optSpec
	longNames   []string // sorted
}

var optIndex = sync.OnceValue(func() *optTables {
	t := &optTables{short: map[string]*optSpec{}, long: map[string]*optSpec{}}
	for i := range specs {
		s := &specs[i]
		for _, n := range s.names {
			if strings.HasPrefix(n, "--") {
				t.long[n] = s
				t.longNames = append(t.longNames, n)
			} else {
				t.short[n] = s
			}
		}
	}
	sort.Strings(t.longNames)
	return t
})

// option is one parsed option occurrence.
type option struct {
	spec  *optSpec
	name  string // as matched: "--index-url", "-i"
	value string
	text  string // the option as written (for messages)
	off   int    // offset in the logical line
}

// optError is an option parsing error at an offset of the logical line.
type optError struct {
	off  int
	msg  string
	text string
}

func (e *optError) Error() string { return e.msg }

// parseOptions parses tokens like optparse with pip's requirement-file
// options. Positional arguments are returned separately (pip ignores them).
func parseOptions(toks []token) (opts []option, args []token, err *optError) {
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.val == "--":
			return opts, append(args, toks[i+1:]...), nil
		case strings.HasPrefix(t.val, "--"):
			name, val, hasVal := strings.Cut(t.val, "=")
			spec, full, e := matchLong(name)
			if e != "" {
				return nil, nil, &optError{t.off, e, name}
			}
			o := option{spec: spec, name: full, text: t.val, off: t.off}
			switch {
			case spec.value && hasVal:
				o.value = val
			case spec.value:
				if i+1 == len(toks) {
					return nil, nil, &optError{t.off, "option requires a value:", name}
				}
				i++
				o.value = toks[i].val
				o.text += " " + toks[i].val
			case hasVal:
				return nil, nil, &optError{t.off, "option takes no value:", name}
			}
			opts = append(opts, o)
		case strings.HasPrefix(t.val, "-") && len(t.val) > 1:
			name := t.val[:2]
			spec := optIndex().short[name]
			if spec == nil {
				return nil, nil, &optError{t.off, "unknown option", name}
			}
			o := option{spec: spec, name: name, value: t.val[2:], text: t.val, off: t.off}
			if o.value == "" {
				if i+1 == len(toks) {
					return nil, nil, &optError{t.off, "option requires a value:", name}
				}
				i++
				o.value = toks[i].val
				o.text += " " + toks[i].val
			}
			opts = append(opts, o)
		default:
			args = append(args, t)
		}
	}
	return opts, args, nil
}

// matchLong resolves a long option name, allowing unique prefixes as optparse
// does. It returns a message on failure.
func matchLong(name string) (*optSpec, string, string) {
	if s, ok := optIndex().long[name]; ok {
		return s, name, ""
	}
	var cands []string
	for _, n := range optIndex().longNames {
		if strings.HasPrefix(n, name) {
			cands = append(cands, n)
		}
	}
	switch len(cands) {
	case 0:
		return nil, "", "unknown option"
	case 1:
		return optIndex().long[cands[0]], cands[0], ""
	}
	return nil, "", fmt.Sprintf("ambiguous option (could be %s):", strings.Join(cands, ", "))
}
