package index

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The file objects of a PEP 691 page, decoded straight into File (see
// parseJSONPage). fileFields holds what a file object said until its end,
// since keys come in any order and "core-metadata" falls back on
// "dist-info-metadata"; its slices are scratch reused from file to file.

// hashPair is one member of a hashes object, as the index wrote it.
type hashPair struct{ k, v string }

// fileValue is one of the polymorphic values of a file: "yanked" (false,
// true or a reason) and "core-metadata" (false, true or a hash table).
type fileValue struct {
	kind  byte // valueAbsent, valueNull, ...
	b     bool
	s     string
	pairs []hashPair // valueHashes: members in order, later duplicates replaced
}

const (
	valueAbsent byte = iota
	valueNull
	valueBool
	valueString
	valueHashes // an object whose values are all strings (or null)
	valueOther
)

type fileFields struct {
	filename, url, uploadTime string
	hashes                    []hashPair // "hashes" members (objects merge, null clears)
	requiresPython            string
	hasRequiresPython         bool
	size                      int64
	hasSize                   bool
	yanked, core, distInfo    fileValue
	dataDistInfo              fileValue
}

// reset clears f for the next file, keeping its scratch slices.
func (f *fileFields) reset() {
	*f = fileFields{hashes: f.hashes[:0], yanked: fileValue{pairs: f.yanked.pairs[:0]},
		core: fileValue{pairs: f.core.pairs[:0]}, distInfo: fileValue{pairs: f.distInfo.pairs[:0]},
		dataDistInfo: fileValue{pairs: f.dataDistInfo.pairs[:0]}}
}

// files reads the "files" array; null is no files.
func (d *pageDecoder) files() ([]File, error) {
	if d.null() {
		return nil, nil
	}
	var files []File
	start := d.i
	err := d.array(func() error {
		at := d.i // after the files so far
		d.f.reset()
		if !d.null() {
			if err := d.object(d.fileField); err != nil {
				return err
			}
		}
		f, ok := d.file()
		if !ok {
			return nil
		}
		files = growFiles(files, at-start, len(d.s)-at)
		files = append(files, f)
		return nil
	})
	return files, err
}

// growFiles makes room for one more file in a page's list: room for 8
// first, then, from their size (read bytes so far), for the files the
// unread bytes hold. The files of a page are much alike: the slice is
// sized once (append's doubling would leave up to half of a large page's
// slice unused, and copy it ten times).
func growFiles(files []File, read, unread int) []File {
	const sample = 8
	switch {
	case files == nil:
		return make([]File, 0, sample)
	case len(files) == sample && cap(files) == sample:
		size := max(read/sample, 64)
		n := unread / size
		return append(make([]File, 0, sample+n+n/32+sample), files...)
	}
	return files
}

// fileField reads the value of one key of a file object into d.f.
func (d *pageDecoder) fileField(key string) error {
	f := &d.f
	switch key {
	case "filename":
		return d.nullableString(&f.filename)
	case "url":
		return d.nullableString(&f.url)
	case "hashes":
		return d.hashes()
	case "requires-python":
		if d.null() {
			f.requiresPython, f.hasRequiresPython = "", false
			return nil
		}
		s, err := d.internedString()
		f.requiresPython, f.hasRequiresPython = s, true
		return err
	case "size":
		if d.null() {
			f.size, f.hasSize = 0, false
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
		f.size, f.hasSize = n, true
		return nil
	case "upload-time":
		return d.nullableString(&f.uploadTime)
	case "yanked":
		return d.value(&f.yanked)
	case "core-metadata":
		return d.value(&f.core)
	case "dist-info-metadata":
		return d.value(&f.distInfo)
	case "data-dist-info-metadata":
		return d.value(&f.dataDistInfo)
	}
	return d.skip()
}

// internedString reads a string; escaped ones are decoded once per page.
func (d *pageDecoder) internedString() (string, error) {
	if d.peek() != '"' {
		return "", d.errorf("want a string")
	}
	start := d.i
	escaped, err := d.strSpan()
	if err != nil || !escaped {
		return d.s[start+1 : d.i-1], err
	}
	raw := d.s[start+1 : d.i-1]
	if s, ok := d.interns[raw]; ok {
		return s, nil
	}
	s, ok := unquoteJSON(raw)
	if !ok {
		d.i = start
		return "", d.errorf("bad escape in a string")
	}
	if d.interns == nil {
		d.interns = map[string]string{}
	}
	if len(d.interns) < 64 {
		d.interns[raw] = s
	}
	return s, nil
}

// hashes reads a "hashes" value: an object merges into what an earlier
// "hashes" key gave (as encoding/json fills an existing map), null clears.
func (d *pageDecoder) hashes() error {
	if d.null() {
		d.f.hashes = d.f.hashes[:0]
		return nil
	}
	return d.object(func(key string) error {
		v := ""
		if !d.null() {
			var err error
			if v, err = d.stringValue(); err != nil {
				return err
			}
		}
		d.f.hashes = setPair(d.f.hashes, key, v)
		return nil
	})
}

// setPair sets k to v as a map assignment would.
func setPair(pairs []hashPair, k, v string) []hashPair {
	for i := range pairs {
		if pairs[i].k == k {
			pairs[i].v = v
			return pairs
		}
	}
	return append(pairs, hashPair{k, v})
}

// value reads a polymorphic file value (see fileValue); a value replaces
// an earlier one for the same key.
func (d *pageDecoder) value(v *fileValue) error {
	pairs := v.pairs[:0]
	*v = fileValue{}
	switch c := d.peek(); {
	case c == 'n' && d.literal("null"):
		v.kind = valueNull
	case c == 't' && d.literal("true"):
		v.kind, v.b = valueBool, true
	case c == 'f' && d.literal("false"):
		v.kind = valueBool
	case c == '"':
		s, err := d.str()
		v.kind, v.s = valueString, s
		return err
	case c == '{':
		v.kind = valueHashes
		err := d.object(func(key string) error {
			if d.peek() == '"' {
				s, err := d.str()
				pairs = setPair(pairs, key, s)
				return err
			}
			if d.null() {
				pairs = setPair(pairs, key, "")
				return nil
			}
			v.kind = valueOther
			return d.skip()
		})
		v.pairs = pairs
		return err
	default:
		v.kind = valueOther
		v.pairs = pairs
		return d.skip()
	}
	v.pairs = pairs
	return nil
}

// file makes the File of the object just read; false when its URL does
// not resolve (such a file is dropped).
func (d *pageDecoder) file() (File, bool) {
	f := &d.f
	abs, fast, ok := d.resolve(f.url)
	if !ok {
		return File{}, false
	}
	out := File{Filename: f.filename, URL: abs, Hashes: hashMap(f.hashes), Size: -1}
	if out.Filename == "" {
		u, _ := url.Parse(abs)
		out.Filename = filenameOf(u)
	}
	out.Reject = unsafeName(out.Filename)
	if d.remote && out.Reject == "" && !fast {
		out.Reject = remoteReject(abs)
	}
	out.RequiresPython = f.requiresPython
	if f.hasSize {
		out.Size = f.size
	}
	if f.uploadTime != "" {
		out.UploadTime, _ = time.Parse(time.RFC3339Nano, f.uploadTime)
	}
	switch f.yanked.kind {
	case valueBool:
		out.Yanked = f.yanked.b
	case valueString:
		out.Yanked, out.YankedReason = true, f.yanked.s
	}
	meta := &f.core
	if meta.kind == valueAbsent || meta.kind == valueNull {
		meta = &f.distInfo
	}
	if meta.kind == valueAbsent || meta.kind == valueNull {
		meta = &f.dataDistInfo
	}
	switch meta.kind {
	case valueBool:
		out.CoreMetadata = meta.b
	case valueHashes:
		out.CoreMetadata, out.CoreMetadataHashes = true, hashMap(meta.pairs)
	}
	return out, true
}

// resolve resolves a file's URL against the page's URL (resolveFileURL),
// preparing the base once per page; fast when a fast path made it (a
// plain http(s) URL).
func (d *pageDecoder) resolve(ref string) (abs string, fast, ok bool) {
	if plainAbsURL(ref) {
		return ref, true, true
	}
	if !d.relDone {
		d.rel, d.relDone = newRelBase(d.base), true
	}
	if abs, d.buf, ok = d.rel.resolve(d.buf[:0], ref); ok {
		return abs, true, true
	}
	u, err := d.base.Parse(ref)
	if err != nil {
		return "", false, false
	}
	return u.String(), false, true
}

// hashMap is cleanHashes of the map the pairs make: known algorithms with
// hex digests, lower-cased; where keys differ only in case, the one that
// sorts last wins. It is never nil.
func hashMap(pairs []hashPair) map[string]string {
	var from [len(hashAlgoNames)]string // raw key each algorithm's value came from
	var vals [len(hashAlgoNames)]string
	var set [len(hashAlgoNames)]bool
	n := 0
	for _, p := range pairs {
		a := hashAlgoIndex(p.k)
		if a < 0 {
			continue
		}
		v, ok := hexDigest(p.v)
		if !ok || set[a] && p.k < from[a] {
			continue
		}
		if !set[a] {
			n++
		}
		from[a], vals[a], set[a] = p.k, v, true
	}
	m := make(map[string]string, n)
	for a, ok := range set {
		if ok {
			m[hashAlgoNames[a]] = vals[a]
		}
	}
	return m
}

// hashAlgoNames are the algorithms a page's hashes may name (cleanHashes).
var hashAlgoNames = [...]string{"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b_256"}

// hashAlgoIndex is the index in hashAlgoNames of strings.ToLower(k), or -1.
func hashAlgoIndex(k string) int {
	switch k { // the common case, already lower-case
	case "sha256":
		return 3
	case "md5":
		return 0
	case "blake2b_256":
		return 6
	}
	for i := 0; i < len(k); i++ {
		if k[i] >= 0x80 { // Unicode lower-casing (rare): the reference way
			k = strings.ToLower(k)
			break
		}
	}
	for i, name := range hashAlgoNames {
		if len(k) == len(name) && asciiEqualLower(k, name) {
			return i
		}
	}
	return -1
}

// asciiEqualLower reports whether ASCII-lower-casing s gives lower.
func asciiEqualLower(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// hexClass classifies ASCII bytes for hexDigest: bit 0 a hex digit, bit 1
// upper-case A-F. (Static data: nothing is built at start-up.)
var hexClass = [128]byte{
	'0': 1, '1': 1, '2': 1, '3': 1, '4': 1, '5': 1, '6': 1, '7': 1, '8': 1, '9': 1, 'a': 1, 'b': 1,
	'c': 1, 'd': 1, 'e': 1, 'f': 1, 'A': 3, 'B': 3, 'C': 3, 'D': 3, 'E': 3, 'F': 3,
}

// hexDigest is strings.ToLower(v) when that is a hex digest (isHex).
func hexDigest(v string) (string, bool) {
	i := 0
	for ; i+8 <= len(v); i += 8 { // the common case: lower-case already
		if !lowerHex8(load64(v[i : i+8])) {
			return hexDigestSlow(v)
		}
	}
	for ; i < len(v); i++ {
		if c := v[i]; c >= 0x80 || hexClass[c] != 1 {
			return hexDigestSlow(v)
		}
	}
	if v == "" || len(v) > 256 {
		return "", false
	}
	return v, true
}

// lowerHex8 reports whether the eight bytes of w are all 0-9 or a-f.
// Adding 0x80-k to a byte below 0x80 sets its high bit iff it is >= k,
// with no carry into the next byte.
func lowerHex8(w uint64) bool {
	if w&highs != 0 {
		return false
	}
	ge := func(k uint64) uint64 { return (w + (0x80-k)*ones) & highs }
	return (ge('0')&^ge('9'+1))|(ge('a')&^ge('f'+1)) == highs
}

func hexDigestSlow(v string) (string, bool) {
	and, or := byte(1), byte(0)
	for i := 0; i < len(v); i++ {
		if v[i] >= 0x80 { // not ASCII: lower-case as the reference does
			l := strings.ToLower(v)
			return l, isHex(l)
		}
		c := hexClass[v[i]]
		and &= c
		or |= c
	}
	switch {
	case and == 0 || v == "" || len(v) > 256:
		return "", false
	case or&2 != 0:
		return strings.ToLower(v), true
	}
	return v, true
}
