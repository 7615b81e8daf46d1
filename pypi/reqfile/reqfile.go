package reqfile

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pylock/pylock/pypi/pep508"
)

// Options configures reading. The zero value reads the file system and the
// process environment.
type Options struct {
	// ReadFile reads included files (-r, -c) and, for ParseFile and
	// ReadPyproject, the file itself. Default os.ReadFile.
	ReadFile func(path string) ([]byte, error)
	// LookupEnv resolves ${NAME} references. Default os.LookupEnv.
	LookupEnv func(name string) (string, bool)
}

func (o Options) readFile(path string) ([]byte, error) {
	if o.ReadFile != nil {
		return o.ReadFile(path)
	}
	return os.ReadFile(path)
}

func (o Options) lookupEnv(name string) (string, bool) {
	if o.LookupEnv != nil {
		return o.LookupEnv(name)
	}
	return os.LookupEnv(name)
}

// File is what a requirements file and the files it includes say.
type File struct {
	Name         string  // the top-level file's name
	Requirements []Entry // in file order, includes expanded in place
	Constraints  []Entry // from -c files, in order

	// Index options, accumulated over all files in reading order as pip
	// does: the last -i wins and, as in pip, discards the extra index URLs
	// read before it; --no-index clears both and ignores later ones.
	IndexURL       string
	ExtraIndexURLs []string
	NoIndex        bool
	FindLinks      []string // relative paths joined to the file's directory
	TrustedHosts   []string
	Pre            bool
	PreferBinary   bool
	RequireHashes  bool
	FormatControl  // --no-binary / --only-binary (f.NoBinary, f.OnlyBinary)

	Files    []string // every file read: the top-level name first, then includes in first-read order
	Warnings []*Error // things pip ignores that the caller may want to show
}

// Entry is one requirement line.
type Entry struct {
	// Requirement is the parsed requirement. For a local path or an
	// editable it holds only what is known: a name from "#egg=" or a
	// wheel file name, and the URL when the target is a URL.
	Requirement pep508.Requirement
	Raw         string   // the requirement as written, without options and comments
	File        string   // the file it is in
	Line        int      // its first line
	Col         int      // the column where Raw starts
	Hashes      []string // "sha256:<hex>" from --hash options, in order
	Editable    bool     // -e/--editable
	LocalPath   bool     // a local directory or archive, or a file: URL
	Options     []string // --config-settings / --global-option as written (recorded, not acted on)
	// Direct is the direct reference (URL, local path or editable) in
	// structured form, nil for a requirement on an index.
	Direct *DirectRef
}

// Errorf returns an *Error positioned at the entry and quoting its text, for
// callers that reject it (e.g. "editable requirements are not supported").
func (e Entry) Errorf(format string, args ...any) *Error {
	return &Error{File: e.File, Line: e.Line, Col: e.Col, Msg: fmt.Sprintf(format, args...), Text: e.Raw}
}

// maxFiles bounds the files read for one Parse (an include "diamond" is
// read again each time, as pip does).
const maxFiles = 1000

// Parse parses requirements-file data named name ("<stdin>" for standard
// input). Included files are read with opts.ReadFile, relative to the
// directory of name.
func Parse(name string, data []byte, opts Options) (*File, error) {
	p := &parser{opts: opts, f: &File{Name: name}, seen: map[string]bool{}}
	p.record(name)
	if err := p.parse(name, data, false); err != nil {
		return nil, err
	}
	return p.f, nil
}

// ParseFile reads path with opts.ReadFile and parses it.
func ParseFile(path string, opts Options) (*File, error) {
	data, err := opts.readFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read file", Err: unwrapPathError(err)}
	}
	return Parse(path, data, opts)
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

type parser struct {
	opts  Options
	f     *File
	stack []string // files being read (keys), outermost first
	names []string // their display names
	seen  map[string]bool
	reads int
}

func (p *parser) record(name string) {
	if !p.seen[name] {
		p.seen[name] = true
		p.f.Files = append(p.f.Files, name)
	}
}

func fileKey(name string) string {
	if abs, err := filepath.Abs(name); err == nil {
		return abs
	}
	return filepath.Clean(name)
}

// parse reads one file's lines; constraint says whether its requirements are
// constraints (-c).
func (p *parser) parse(name string, data []byte, constraint bool) error {
	p.reads++
	p.stack = append(p.stack, fileKey(name))
	p.names = append(p.names, name)
	defer func() {
		p.stack = p.stack[:len(p.stack)-1]
		p.names = p.names[:len(p.names)-1]
	}()
	text, bad, err := decode(data)
	src := &source{name: name, text: text}
	lines := splitLines(text)
	src.starts = make([]int, 0, len(lines))
	for _, pl := range lines {
		src.starts = append(src.starts, pl.start)
	}
	if len(src.starts) == 0 {
		src.starts = []int{0}
	}
	if err != nil {
		return src.errAt(bad, "cannot decode file", "", err)
	}
	for _, l := range joinLines(src, lines) {
		l = stripComment(l)
		if l.text == "" {
			continue
		}
		var missing []string
		l, missing = expandVars(l, p.opts.lookupEnv)
		for _, m := range missing {
			i := strings.Index(l.text, "${"+m+"}")
			p.warn(src.errAt(l.offset(i), "environment variable not set or empty; left as written:", "${"+m+"}", nil))
		}
		if err := p.line(src, l, constraint); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) warn(e *Error) { p.f.Warnings = append(p.f.Warnings, e) }

// line handles one logical line: pip's break_args_options, the option
// parser, then a requirement, an editable, an include or option settings.
func (p *parser) line(src *source, l logical, constraint bool) error {
	reqEnd, optStart := splitArgs(l.text)
	toks, err := shlexSplit(l.text[optStart:], optStart)
	if err != nil {
		return src.errAt(l.offset(optStart), "cannot split options", l.text[optStart:], err)
	}
	opts, extra, oerr := parseOptions(toks)
	if oerr != nil {
		return src.errAt(l.offset(oerr.off), oerr.msg, oerr.text, nil)
	}
	if len(extra) > 0 {
		return src.errAt(l.offset(extra[0].off), "unexpected argument (pip would ignore it)", extra[0].val, nil)
	}
	raw := strings.TrimRightFunc(l.text[:reqEnd], isSpace)
	switch {
	case raw != "":
		return p.requirementLine(src, l, raw, opts, constraint)
	case hasKind(opts, optEditable):
		return p.editableLine(src, l, opts, constraint)
	case hasKind(opts, optRequirement) || hasKind(opts, optConstraint):
		return p.includeLine(src, l, opts)
	}
	return p.optionLine(src, l, opts)
}

// splitArgs is pip's break_args_options: the requirement is every
// space-separated token before the first one that starts with "-". It
// returns the end of the requirement text and the start of the options.
func splitArgs(s string) (reqEnd, optStart int) {
	i := 0
	for {
		if strings.HasPrefix(s[i:], "-") {
			return max(i-1, 0), i
		}
		j := strings.IndexByte(s[i:], ' ')
		if j < 0 {
			return len(s), len(s)
		}
		i += j + 1
	}
}

func hasKind(opts []option, k optKind) bool {
	for _, o := range opts {
		if o.spec.kind == k {
			return true
		}
	}
	return false
}

func (p *parser) add(e Entry, constraint bool) {
	if constraint {
		p.f.Constraints = append(p.f.Constraints, e)
	} else {
		p.f.Requirements = append(p.f.Requirements, e)
	}
}

func (p *parser) requirementLine(src *source, l logical, raw string, opts []option, constraint bool) error {
	e := Entry{Raw: raw, File: src.name, Line: l.line}
	_, e.Col = src.pos(l.offset(0))
	for _, o := range opts {
		switch o.spec.kind {
		case optHash:
			h, err := parseHash(o.value)
			if err != nil {
				return src.errAt(l.offset(o.off), "invalid", o.text, err)
			}
			e.Hashes = append(e.Hashes, h)
		case optConfigSettings, optGlobalOption:
			e.Options = append(e.Options, o.text)
		default:
			return src.errAt(l.offset(o.off), "option not allowed on a requirement line (pip would ignore it):", o.name, nil)
		}
	}
	if err := classify(&e); err != nil {
		off := 0
		if strings.HasPrefix(l.text, raw) {
			off = reqErrorOffset(raw, err)
		}
		return src.errAt(l.offset(off), "invalid requirement", raw, syntaxReason(err))
	}
	if err := directRef(&e, baseDir(src.name)); err != nil {
		return src.errAt(l.offset(0), "invalid direct reference", raw, err)
	}
	p.add(e, constraint)
	return nil
}

func (p *parser) editableLine(src *source, l logical, opts []option, constraint bool) error {
	var e Entry
	for _, o := range opts {
		switch o.spec.kind {
		case optEditable:
			if e.Editable {
				return src.errAt(l.offset(o.off), "only one -e per line (pip would ignore the rest):", o.text, nil)
			}
			e = Entry{Raw: o.value, File: src.name, Line: l.line, Editable: true, Options: e.Options}
			_, e.Col = src.pos(l.offset(o.off))
		case optConfigSettings:
			e.Options = append(e.Options, o.text)
		default:
			return src.errAt(l.offset(o.off), "option not allowed on an -e line (pip would ignore it):", o.name, nil)
		}
	}
	if strings.TrimSpace(e.Raw) == "" {
		return src.errAt(l.offset(0), "empty -e target", "", nil)
	}
	setTarget(&e, strings.TrimSpace(e.Raw))
	if err := directRef(&e, baseDir(src.name)); err != nil {
		return &Error{File: e.File, Line: e.Line, Col: e.Col, Msg: "invalid editable requirement", Text: e.Raw, Err: err}
	}
	p.add(e, constraint)
	return nil
}

func (p *parser) includeLine(src *source, l logical, opts []option) error {
	if len(opts) > 1 {
		return src.errAt(l.offset(opts[1].off), "put -r/-c alone on its line (pip would ignore this):", opts[1].text, nil)
	}
	o := opts[0]
	target, err := p.includePath(src.name, o.value)
	if err != nil {
		return src.errAt(l.offset(o.off), "cannot include", o.text, err)
	}
	key := fileKey(target)
	for i, k := range p.stack {
		if k == key {
			chain := append(append([]string{}, p.names[i:]...), target)
			return src.errAt(l.offset(o.off), "include cycle: "+strings.Join(chain, " -> ")+":", o.text, nil)
		}
	}
	if p.reads >= maxFiles {
		return src.errAt(l.offset(o.off), fmt.Sprintf("more than %d files included:", maxFiles), o.text, nil)
	}
	data, err := p.opts.readFile(target)
	if err != nil {
		return src.errAt(l.offset(o.off), "cannot read included file", target, unwrapPathError(err))
	}
	p.record(target)
	// As in pip, -r inside a constraints file reads requirements.
	return p.parse(target, data, o.spec.kind == optConstraint)
}

// includePath resolves an -r/-c value against the including file.
func (p *parser) includePath(from, value string) (string, error) {
	if value == "" {
		return "", errors.New("empty path")
	}
	switch scheme(value) {
	case "http", "https":
		return "", errors.New("pylock does not download requirement files; fetch it and pass the local path")
	case "file":
		u, err := url.Parse(value)
		if err != nil || u.Path == "" {
			return "", fmt.Errorf("bad file: URL %q", value)
		}
		return filepath.FromSlash(u.Path), nil
	}
	if filepath.IsAbs(value) {
		return filepath.Clean(value), nil
	}
	return filepath.Join(filepath.Dir(from), value), nil
}

// optionLine applies a line of global options.
func (p *parser) optionLine(src *source, l logical, opts []option) error {
	f := p.f
	for _, o := range opts {
		switch o.spec.kind {
		case optIndexURL:
			if !f.NoIndex {
				f.IndexURL, f.ExtraIndexURLs = o.value, nil
			}
		case optExtraIndexURL:
			if !f.NoIndex {
				f.ExtraIndexURLs = append(f.ExtraIndexURLs, o.value)
			}
		case optNoIndex:
			f.NoIndex, f.IndexURL, f.ExtraIndexURLs = true, "", nil
		case optFindLinks:
			f.FindLinks = append(f.FindLinks, findLink(src.name, o.value))
		case optTrustedHost:
			f.TrustedHosts = append(f.TrustedHosts, o.value)
		case optPre:
			f.Pre = true
		case optPreferBinary:
			f.PreferBinary = true
		case optRequireHashes:
			f.RequireHashes = true
		case optNoBinary, optOnlyBinary:
			add := f.AddNoBinary
			if o.spec.kind == optOnlyBinary {
				add = f.AddOnlyBinary
			}
			if err := add(o.value); err != nil {
				return src.errAt(l.offset(o.off), "invalid", o.text, err)
			}
		case optHash:
			if _, err := parseHash(o.value); err != nil {
				return src.errAt(l.offset(o.off), "invalid", o.text, err)
			}
			p.warn(src.errAt(l.offset(o.off), "--hash without a requirement on its line is ignored:", o.text, nil))
		default: // --use-feature, --global-option, --config-settings
			p.warn(src.errAt(l.offset(o.off), "option ignored:", o.text, nil))
		}
	}
	return nil
}

// baseDir is the directory relative paths in file name are joined to:
// the file's directory, or the working directory for standard input.
func baseDir(name string) string {
	if name == "<stdin>" || name == "-" {
		return "."
	}
	return filepath.Dir(name)
}

// findLink joins a relative find-links path to the file's directory.
func findLink(from, value string) string {
	if scheme(value) != "" || filepath.IsAbs(value) || from == "<stdin>" || from == "-" {
		return value
	}
	return filepath.Join(filepath.Dir(from), value)
}

var hashLen = map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}

// parseHash checks an --hash value "algo:hexdigest".
func parseHash(v string) (string, error) {
	algo, digest, ok := strings.Cut(v, ":")
	if !ok {
		return "", errors.New("--hash needs a hash name and a value, like --hash=sha256:abcde...")
	}
	n, ok := hashLen[algo]
	if !ok {
		return "", fmt.Errorf("hash algorithm %q not allowed (use sha256, sha384 or sha512)", algo)
	}
	if len(digest) != n || strings.Trim(digest, "0123456789abcdef") != "" {
		return "", fmt.Errorf("%s digest must be %d lowercase hex digits", algo, n)
	}
	return v, nil
}
