package index

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"unsafe"
)

// The binary layout of cache entries (see diskCache):
//
//	magic      a line naming the entry format, e.g. "pylock-http-v3\n"
//	           (a format outlives directory layouts: http-v4 entries are
//	           in this one)
//	crc        4 bytes, little endian: CRC-32 (IEEE) of everything after it
//	header     cacheHeader fields in order: strings as uvarint length +
//	           bytes, numbers as varints, Immutable as one byte
//	...        the body: raw bytes (http, meta) or the parsed page (pages)
//
// CRC-32 runs at tens of GB/s with the carry-less multiply instruction,
// so a read checks an entry in microseconds where a SHA-256 took a good
// part of a warm resolve; it detects torn and damaged entries, which is its
// job (see diskCache on trust).
const (
	entryMagic = "pylock-http-v3\n" // http-v4 and meta-v3 entries
	pagesMagic = "pylock-pages-v2\n"
)

// checksum is an entry's CRC-32 (IEEE). It runs at tens of GB/s with the
// carry-less multiply instruction, like CRC-32C with SSE4.2, but its
// tables cost ~20 µs to build where CRC-32C's took ~150 µs, a good part of
// a warm run that reads a dozen small entries.
func checksum(b []byte) uint32 { return crc32.ChecksumIEEE(b) }

// encodeEntry lays out an http-v4 / meta-v3 entry.
func encodeEntry(hdr cacheHeader, body []byte) []byte {
	hdr.Size = len(body)
	b := make([]byte, 0, len(entryMagic)+4+64+len(hdr.Key)+len(hdr.URL)+len(hdr.ETag)+len(hdr.LastModified)+len(hdr.ContentType)+len(body))
	b = append(b, entryMagic...)
	b = append(b, 0, 0, 0, 0)
	b = appendHeader(b, &hdr)
	b = append(b, body...)
	return sealEntry(b, len(entryMagic))
}

// sealEntry writes the CRC of b[at+4:] at b[at:].
func sealEntry(b []byte, at int) []byte {
	binary.LittleEndian.PutUint32(b[at:], checksum(b[at+4:]))
	return b
}

// openEntry checks magic and CRC and returns a decoder past the CRC.
func openEntry(data []byte, magic string) (*entryDecoder, error) {
	if len(data) < len(magic)+4 || string(data[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: bad magic", errCorrupt)
	}
	rest := data[len(magic)+4:]
	if checksum(rest) != binary.LittleEndian.Uint32(data[len(magic):]) {
		return nil, fmt.Errorf("%w: checksum", errCorrupt)
	}
	return &entryDecoder{b: rest}, nil
}

func parseEntry(data []byte) (*cacheEntry, error) {
	d, err := openEntry(data, entryMagic)
	if err != nil {
		return nil, err
	}
	var e cacheEntry
	d.header(&e.hdr)
	if d.err != nil {
		return nil, d.err
	}
	if body := d.b[d.i:]; len(body) != e.hdr.Size {
		return nil, fmt.Errorf("%w: size %d, header says %d", errCorrupt, len(body), e.hdr.Size)
	} else {
		e.body = body
	}
	return &e, nil
}

func appendHeader(b []byte, h *cacheHeader) []byte {
	b = appendString(b, h.Key)
	b = appendString(b, h.URL)
	b = appendString(b, h.ETag)
	b = appendString(b, h.LastModified)
	b = binary.AppendVarint(b, h.Stored)
	b = binary.AppendVarint(b, h.MaxAge)
	b = appendString(b, h.ContentType)
	b = binary.AppendVarint(b, int64(h.Status))
	b = binary.AppendVarint(b, int64(h.Size))
	return appendBool(b, h.Immutable)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// entryDecoder reads the fields of an entry; the first error sticks.
// Strings can be taken as sub-strings of one copy of the entry (str), so
// that decoding a page allocates per file only its hash maps.
type entryDecoder struct {
	b     []byte
	s     string // string(b), made on first use by str
	owned bool   // b never changes: s may alias it
	i     int
	err   error
}

func (d *entryDecoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: bad %s at byte %d", errCorrupt, what, d.i)
	}
}

// uvarint reads one unsigned varint; the one-byte form (lengths, flags,
// counts: most fields) is decoded inline.
func (d *entryDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	if d.i < len(d.b) && d.b[d.i] < 0x80 {
		d.i++
		return uint64(d.b[d.i-1])
	}
	v, n := binary.Uvarint(d.b[d.i:])
	if n <= 0 {
		d.fail("number")
		return 0
	}
	d.i += n
	return v
}

// varint reads one signed (zig-zag) varint.
func (d *entryDecoder) varint() int64 {
	u := d.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x
}

// count reads a length that must fit in what is left of the entry, each
// item taking at least min bytes.
func (d *entryDecoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)-d.i)/uint64(max(min, 1)) {
		d.fail("length")
		return 0
	}
	return int(n)
}

// bytes returns the next length-prefixed field, aliasing the entry.
func (d *entryDecoder) bytes() []byte {
	n := d.count(1)
	if d.err != nil {
		return nil
	}
	v := d.b[d.i : d.i+n]
	d.i += n
	return v
}

// str returns the next length-prefixed string, a sub-string of one copy of
// the entry.
func (d *entryDecoder) str() string {
	n := d.count(1)
	if d.err != nil || n == 0 {
		return ""
	}
	if d.s == "" {
		if d.owned {
			d.s = unsafe.String(unsafe.SliceData(d.b), len(d.b))
		} else {
			d.s = string(d.b)
		}
	}
	v := d.s[d.i : d.i+n]
	d.i += n
	return v
}

// ownStr returns the next string as its own copy (for small header fields
// of entries whose bytes are not otherwise kept).
func (d *entryDecoder) ownStr() string { return string(d.bytes()) }

func (d *entryDecoder) boolean() bool {
	if d.err != nil {
		return false
	}
	if d.i >= len(d.b) || d.b[d.i] > 1 {
		d.fail("flag")
		return false
	}
	d.i++
	return d.b[d.i-1] == 1
}

func (d *entryDecoder) header(h *cacheHeader) {
	h.Key = d.ownStr()
	h.URL = d.ownStr()
	h.ETag = d.ownStr()
	h.LastModified = d.ownStr()
	h.Stored = d.varint()
	h.MaxAge = d.varint()
	h.ContentType = d.ownStr()
	h.Status = int(d.varint())
	h.Size = int(d.varint())
	h.Immutable = d.boolean()
	if h.Size < 0 {
		d.fail("size")
	}
}

// checkEntry validates a cache file of any layout (magic, checksum,
// header, lengths).
func checkEntry(data []byte) error {
	if len(data) >= len(pagesMagic) && string(data[:len(pagesMagic)]) == pagesMagic {
		_, _, err := decodePage(data)
		return err
	}
	_, err := parseEntry(data)
	return err
}
