package reqfile

import (
	"errors"
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// source is one decoded input file with its physical line starts.
type source struct {
	name   string
	text   string
	starts []int // byte offset of each physical line's first byte
}

// pos converts a byte offset in s.text to a 1-based line and byte column.
func (s *source) pos(off int) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > len(s.text) {
		off = len(s.text)
	}
	i := sort.Search(len(s.starts), func(i int) bool { return s.starts[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, off - s.starts[i] + 1
}

// errAt returns an *Error positioned at byte offset off of s.
func (s *source) errAt(off int, msg, text string, err error) *Error {
	line, col := s.pos(off)
	return &Error{File: s.name, Line: line, Col: col, Text: text, Msg: msg, Err: err}
}

// decode turns file bytes into text the way pip's auto_decode does for the
// common cases: a UTF-8, UTF-16 or UTF-32 byte-order mark selects the
// encoding; otherwise the bytes must be UTF-8. It returns the offset of an
// invalid byte on failure.
func decode(data []byte) (string, int, error) {
	switch {
	case hasPrefix(data, 0xEF, 0xBB, 0xBF):
		data = data[3:]
	case hasPrefix(data, 0xFF, 0xFE, 0, 0):
		return decodeUTF32(data[4:], false)
	case hasPrefix(data, 0, 0, 0xFE, 0xFF):
		return decodeUTF32(data[4:], true)
	case hasPrefix(data, 0xFF, 0xFE):
		return decodeUTF16(data[2:], false)
	case hasPrefix(data, 0xFE, 0xFF):
		return decodeUTF16(data[2:], true)
	}
	if utf8.Valid(data) {
		return string(data), 0, nil
	}
	off := 0
	for off < len(data) {
		r, n := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	return string(data[:off]), off, errors.New("not valid UTF-8 (save the file as UTF-8)")
}

func hasPrefix(b []byte, p ...byte) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == string(p)
}

func decodeUTF16(b []byte, big bool) (string, int, error) {
	if len(b)%2 != 0 {
		return "", 0, errors.New("truncated UTF-16 text")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		if big {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(u)), 0, nil
}

func decodeUTF32(b []byte, big bool) (string, int, error) {
	if len(b)%4 != 0 {
		return "", 0, errors.New("truncated UTF-32 text")
	}
	var sb strings.Builder
	for i := 0; i < len(b); i += 4 {
		var r uint32
		if big {
			r = uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
		} else {
			r = uint32(b[i+3])<<24 | uint32(b[i+2])<<16 | uint32(b[i+1])<<8 | uint32(b[i])
		}
		if r > unicode.MaxRune || (r >= 0xD800 && r < 0xE000) {
			return "", 0, errors.New("invalid UTF-32 text")
		}
		sb.WriteRune(rune(r))
	}
	return sb.String(), 0, nil
}

// physLine is one line as Python's str.splitlines() yields it.
type physLine struct{ start, end int } // end excludes the line break

// splitLines splits text at Python's line boundaries: \n, \r, \r\n, \v, \f,
// \x1c, \x1d, \x1e, \x85, \u2028 and \u2029. Like splitlines, a final line
// break does not start another line.
func splitLines(text string) []physLine {
	var lines []physLine
	start := 0
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		switch r {
		case '\r':
			lines = append(lines, physLine{start, i})
			if i+1 < len(text) && text[i+1] == '\n' {
				n = 2
			}
			start = i + n
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			lines = append(lines, physLine{start, i})
			start = i + n
		}
		i += n
	}
	if start < len(text) {
		lines = append(lines, physLine{start, len(text)})
	}
	return lines
}

// isSpace is Python's str.isspace() (and the regular expression \s) for one
// rune: Go's unicode.IsSpace plus the separators \x1c-\x1f.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// logical is a line after joining continuations, removing comments,
// stripping and expanding ${VAR}s, with a map back to source offsets.
type logical struct {
	text string
	segs []seg // sorted by at; segs[0].at == 0 when text is not empty
	line int   // first physical line (pip's line number)
}

// seg maps text[at:] (up to the next seg) to the source: byte at+k comes
// from source offset src+k, or from src itself when fixed (inserted text,
// which maps to where it was inserted).
type seg struct {
	at, src int
	fixed   bool
}

// lineBuilder accumulates a logical line.
type lineBuilder struct {
	b    []byte
	segs []seg
	line int
}

func (lb *lineBuilder) add(s string, off int) {
	lb.segs = append(lb.segs, seg{len(lb.b), off, false})
	lb.b = append(lb.b, s...)
}

func (lb *lineBuilder) addFixed(s string, off int) {
	lb.segs = append(lb.segs, seg{len(lb.b), off, true})
	lb.b = append(lb.b, s...)
}

// addSlice appends l.text[i:j] with its source positions.
func (lb *lineBuilder) addSlice(l logical, i, j int) {
	if i >= j {
		return
	}
	part := l.slice(i, j)
	base := len(lb.b)
	for _, sg := range part.segs {
		lb.segs = append(lb.segs, seg{base + sg.at, sg.src, sg.fixed})
	}
	lb.b = append(lb.b, part.text...)
}

func (lb *lineBuilder) done() logical {
	return logical{text: string(lb.b), segs: lb.segs, line: lb.line}
}

// offset returns the source offset of text[i] (just past the last byte for
// i at or past the end).
func (l *logical) offset(i int) int {
	if len(l.segs) == 0 {
		return 0
	}
	if i >= len(l.text) {
		if len(l.text) == 0 {
			return l.segs[0].src
		}
		return l.offset(len(l.text)-1) + 1
	}
	i = max(i, 0)
	k := sort.Search(len(l.segs), func(k int) bool { return l.segs[k].at > i }) - 1
	sg := l.segs[max(k, 0)]
	if sg.fixed {
		return sg.src
	}
	return sg.src + i - sg.at
}

// slice returns text[i:j] with its source positions.
func (l logical) slice(i, j int) logical {
	out := logical{text: l.text[i:j], line: l.line}
	if i == j {
		out.segs = []seg{{0, l.offset(i), true}}
		return out
	}
	for k, sg := range l.segs {
		end := len(l.text)
		if k+1 < len(l.segs) {
			end = l.segs[k+1].at
		}
		if end <= i || sg.at >= j {
			continue
		}
		if sg.at < i {
			if !sg.fixed {
				sg.src += i - sg.at
			}
			sg.at = i
		}
		sg.at -= i
		out.segs = append(out.segs, sg)
	}
	return out
}

// commentAtStart reports whether s matches pip's COMMENT_RE at its start:
// optional whitespace and then "#".
func commentAtStart(s string) bool {
	t := strings.TrimLeftFunc(s, isSpace)
	return strings.HasPrefix(t, "#")
}

// joinLines is pip's join_lines: a line ending in "\" continues on the next
// one, unless it is a comment line.
func joinLines(src *source, lines []physLine) []logical {
	var out []logical
	var cur *lineBuilder
	for n, pl := range lines {
		s := src.text[pl.start:pl.end]
		if !strings.HasSuffix(s, `\`) || commentAtStart(s) {
			lb := cur
			if lb == nil {
				lb = &lineBuilder{line: n + 1}
			}
			cur = nil
			if commentAtStart(s) {
				lb.add(" ", pl.start) // pip prefixes a space so the comment is removed later
			}
			lb.add(s, pl.start)
			out = append(out, lb.done())
			continue
		}
		if cur == nil {
			cur = &lineBuilder{line: n + 1}
		}
		t := strings.TrimLeft(s, `\`)
		cur.add(strings.TrimRight(t, `\`), pl.start+len(s)-len(t))
	}
	if cur != nil {
		out = append(out, cur.done())
	}
	return out
}

// stripComment is pip's ignore_comments for one line: everything from the
// first "#" that starts the line or follows whitespace (with that
// whitespace) is removed, then the line is stripped.
func stripComment(l logical) logical {
	for i := 0; i < len(l.text); i++ {
		if l.text[i] != '#' {
			continue
		}
		j := i
		for j > 0 {
			r, n := utf8.DecodeLastRuneInString(l.text[:j])
			if !isSpace(r) {
				break
			}
			j -= n
		}
		if i == 0 || j < i {
			l = l.slice(0, j)
			break
		}
	}
	t := strings.TrimLeftFunc(l.text, isSpace)
	start := len(l.text) - len(t)
	t = strings.TrimRightFunc(t, isSpace)
	return l.slice(start, start+len(t))
}

// expandVars is pip's expand_env_variables: every ${NAME} (NAME in
// [A-Z0-9_]) whose variable is set and non-empty is replaced everywhere in
// the line, in order of first appearance. Unlike pip, each distinct reference
// is replaced once, so a value containing a reference seen earlier is not
// expanded again (pip's repeated passes make that case quadratic). It
// returns the names left unexpanded.
func expandVars(l logical, lookup func(string) (string, bool)) (logical, []string) {
	var missing []string
	done := map[string]bool{}
	for _, ref := range findVarRefs(l.text) {
		if done[ref] {
			continue
		}
		done[ref] = true
		name := ref[2 : len(ref)-1]
		v, ok := lookup(name)
		if !ok || v == "" {
			missing = append(missing, name)
			continue
		}
		l = replaceAll(l, ref, v)
	}
	return l, missing
}

// findVarRefs returns every "${NAME}" in s, in order, duplicates included.
func findVarRefs(s string) []string {
	var refs []string
	for i := 0; i+3 < len(s); i++ {
		if s[i] != '$' || s[i+1] != '{' {
			continue
		}
		j := i + 2
		for j < len(s) && (s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9' || s[j] == '_') {
			j++
		}
		if j > i+2 && j < len(s) && s[j] == '}' {
			refs = append(refs, s[i:j+1])
			i = j
		}
	}
	return refs
}

func replaceAll(l logical, old, repl string) logical {
	out := lineBuilder{line: l.line}
	pos := 0
	for {
		i := strings.Index(l.text[pos:], old)
		if i < 0 {
			break
		}
		out.addSlice(l, pos, pos+i)
		out.addFixed(repl, l.offset(pos+i))
		pos += i + len(old)
	}
	out.addSlice(l, pos, len(l.text))
	return out.done()
}
