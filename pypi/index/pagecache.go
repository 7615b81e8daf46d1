package index

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// Parsed project pages (pages-v3). A warm resolve reads dozens of project
// pages, some of them hundreds of kilobytes of JSON; decoding them was the
// largest part of its time. The cache keeps each page's file list in a
// compact binary form, with the response's HTTP cache header (validators,
// freshness), so that a page is one file: a warm run reads it and decides
// freshness from it; a stale one is revalidated with its validators (a 304
// keeps its files) or refetched, and rewritten atomically. Strings decode
// as sub-strings of one copy of the entry: a page costs one read, one
// CRC-32 and, per file, only its hash maps.
//
// The raw page is not kept: the parsed form is what every reader uses, and
// a pylock whose parser changes bumps pagesDir (its entries are then
// refetched). A torn or damaged entry is removed and the page refetched.

// pageParser turns a page body into files (no credentials in the result:
// it is cached).
type pageParser func(body []byte, ctype string, final *url.URL) ([]File, error)

func (d *diskCache) pagesPath(key string) string {
	h := hashKey(key)
	return filepath.Join(d.dir, pagesDir, h)
}

// getPage returns a project page's files: from a fresh pages entry when
// there is one, else from the index (revalidating a stale entry with its
// validators: a 304 keeps its files) and parse, storing the result when
// the response may be cached. The pages entry is the page's only cache
// entry: a cold run creates one file per page, not an HTTP entry beside it.
func (c *Client) getPage(ctx context.Context, r getReq, parse pageParser) ([]File, error) {
	if !r.cache || c.cache == nil {
		c.consult.elsewhere()
		resp, err := c.get(ctx, r)
		if err != nil {
			return nil, err
		}
		files, err := parse(resp.body, resp.ctype, resp.final)
		if err != nil {
			return nil, r.err(0, 0, err)
		}
		return files, nil
	}
	key := Redact(r.url) + "\x00" + r.accept
	path := c.cache.pagesPath(key)
	files, hdr, crc, corrupt, err := c.cache.readPage(path, key)
	if err != nil {
		return nil, r.err(0, 0, err)
	}
	if corrupt {
		c.emit(Event{Kind: "cache-corrupt", Project: r.project, URL: r.url})
	}
	if files != nil {
		if c.opts.Offline || (!c.opts.Refresh && hdr.fresh(c.cache.now())) {
			c.countHit(r.project, r.url)
			c.consult.page(filepath.Base(path), crc)
			return files, nil
		}
		r.reval = &hdr
	}
	c.consult.elsewhere()
	r.cache, r.ownCache = false, true
	resp, err := c.get(ctx, r)
	if err != nil {
		return nil, err
	}
	if !resp.notModified {
		if files, err = parse(resp.body, resp.ctype, resp.final); err != nil {
			return nil, r.err(0, 0, err)
		}
	}
	if resp.stored != nil {
		c.cacheStore(path, encodePage(*resp.stored, files))
	}
	return files, nil
}

// readPage returns the files of the pages entry at path (nil when absent)
// and the entry's CRC-32; a corrupt entry is removed and reported.
func (d *diskCache) readPage(path, key string) (files []File, hdr cacheHeader, crc uint32, corrupt bool, err error) {
	data, err := readCacheFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, hdr, 0, false, nil
	}
	if err != nil {
		return nil, hdr, 0, false, fmt.Errorf("cache: %w", err)
	}
	files, hdr, perr := decodeOwnedPage(data) // the files' strings alias data
	if perr == nil && hdr.Key != key {
		perr = fmt.Errorf("%w: key mismatch", errCorrupt)
	}
	if perr != nil {
		os.Remove(path)
		return nil, hdr, 0, true, nil
	}
	return files, hdr, binary.LittleEndian.Uint32(data[len(pagesMagic):]), false, nil
}

// File flags in a pages entry.
const (
	pageYanked = 1 << iota
	pageCoreMetadata
	pageUploadTime
)

// encodePage lays out a pages entry: the HTTP header, then the files.
func encodePage(hdr cacheHeader, files []File) []byte {
	n := len(pagesMagic) + 4 + 128
	for i := range files {
		f := &files[i]
		n += 64 + len(f.Filename) + len(f.URL) + len(f.RequiresPython) + len(f.YankedReason) + len(f.Index) + len(f.Reject)
		for k, v := range f.Hashes {
			n += 2 + len(k) + len(v)
		}
		for k, v := range f.CoreMetadataHashes {
			n += 2 + len(k) + len(v)
		}
	}
	b := make([]byte, 0, n)
	b = append(b, pagesMagic...)
	b = append(b, 0, 0, 0, 0)
	hdr.Size = 0
	b = appendHeader(b, &hdr)
	b = binary.AppendUvarint(b, uint64(len(files)))
	for i := range files {
		b = appendFile(b, &files[i])
	}
	return sealEntry(b, len(pagesMagic))
}

func appendFile(b []byte, f *File) []byte {
	b = appendString(b, f.Filename)
	b = appendString(b, f.URL)
	b = appendHashes(b, f.Hashes)
	b = binary.AppendVarint(b, f.Size)
	b = appendString(b, f.RequiresPython)
	var flags byte
	if f.Yanked {
		flags |= pageYanked
	}
	if f.CoreMetadata {
		flags |= pageCoreMetadata
	}
	if !f.UploadTime.IsZero() {
		flags |= pageUploadTime
	}
	b = append(b, flags)
	b = appendString(b, f.YankedReason)
	if !f.UploadTime.IsZero() {
		_, off := f.UploadTime.Zone()
		b = binary.AppendVarint(b, f.UploadTime.Unix())
		b = binary.AppendUvarint(b, uint64(f.UploadTime.Nanosecond()))
		b = binary.AppendVarint(b, int64(off))
	}
	b = appendHashes(b, f.CoreMetadataHashes)
	b = appendString(b, f.Index)
	return appendString(b, f.Reject)
}

// appendHashes writes a map as a count (0 for nil, else len+1) and its
// pairs.
func appendHashes(b []byte, h map[string]string) []byte {
	if h == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(h))+1)
	for k, v := range h {
		b = appendString(b, k)
		b = appendString(b, v)
	}
	return b
}

// decodePage decodes a pages entry; the files' strings are copies.
func decodePage(data []byte) ([]File, cacheHeader, error) { return decodePageIn(data, false) }

// decodeOwnedPage decodes a pages entry whose bytes the caller hands over:
// nothing may change data afterwards, as the files' strings alias it
// (a page costs no copy of its entry).
func decodeOwnedPage(data []byte) ([]File, cacheHeader, error) { return decodePageIn(data, true) }

func decodePageIn(data []byte, owned bool) ([]File, cacheHeader, error) {
	var hdr cacheHeader
	d, err := openEntry(data, pagesMagic)
	if err != nil {
		return nil, hdr, err
	}
	d.owned = owned
	d.header(&hdr)
	n := d.count(8)
	if d.err != nil {
		return nil, hdr, d.err
	}
	files := make([]File, n)
	for i := range files {
		d.file(&files[i])
	}
	if d.err == nil && d.i != len(d.b) {
		d.fail("end")
	}
	if d.err != nil {
		return nil, hdr, d.err
	}
	return files, hdr, nil
}

func (d *entryDecoder) file(f *File) {
	f.Filename = d.str()
	f.URL = d.str()
	f.Hashes = d.hashes()
	f.Size = d.varint()
	f.RequiresPython = d.str()
	flags := byte(0)
	if d.err == nil && d.i < len(d.b) {
		flags = d.b[d.i]
		d.i++
	} else {
		d.fail("flags")
	}
	f.Yanked = flags&pageYanked != 0
	f.CoreMetadata = flags&pageCoreMetadata != 0
	f.YankedReason = d.str()
	if flags&pageUploadTime != 0 {
		sec, nsec, off := d.varint(), d.uvarint(), d.varint()
		if nsec >= 1e9 || off < -24*3600 || off > 24*3600 {
			d.fail("time")
			return
		}
		t := time.Unix(sec, int64(nsec))
		if off == 0 {
			f.UploadTime = t.UTC()
		} else {
			f.UploadTime = t.In(time.FixedZone("", int(off)))
		}
	}
	f.CoreMetadataHashes = d.hashes()
	f.Index = d.str()
	f.Reject = d.str()
}

func (d *entryDecoder) hashes() map[string]string {
	n := d.count(2)
	if n == 0 || d.err != nil {
		return nil
	}
	n--
	h := make(map[string]string, n)
	for range n {
		k := d.str()
		h[k] = d.str()
	}
	return h
}
