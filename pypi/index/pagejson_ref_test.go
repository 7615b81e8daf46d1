package index

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The reference for parseJSONPage: the page decoded with encoding/json
// into the types below, then converted file by file (the decoder this
// package used before pagefile.go). FuzzDecodeJSONPage checks that both
// give the same files.

type jsonPage struct {
	Meta struct {
		APIVersion string `json:"api-version"`
	} `json:"meta"`
	Name  string     `json:"name"`
	Files []jsonFile `json:"files"`
}

type jsonFile struct {
	Filename         string            `json:"filename"`
	URL              string            `json:"url"`
	Hashes           map[string]string `json:"hashes"`
	RequiresPython   optString         `json:"requires-python"`
	Size             optInt64          `json:"size"`
	UploadTime       string            `json:"upload-time"`
	Yanked           jsonValue         `json:"yanked"`
	CoreMetadata     jsonValue         `json:"core-metadata"`
	DistInfoMetadata jsonValue         `json:"dist-info-metadata"`
	DataDistInfoMeta jsonValue         `json:"data-dist-info-metadata"`
}

// refParseJSONPage is parseJSONPage through encoding/json and url.
func refParseJSONPage(body []byte, base *url.URL) ([]File, error) {
	var p jsonPage
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("%w: bad PEP 691 page: %w", ErrIndexFault, err)
	}
	if major, _, _ := strings.Cut(p.Meta.APIVersion, "."); major != "" && major != "1" {
		return nil, fmt.Errorf("unsupported Simple API version %q", p.Meta.APIVersion)
	}
	files := make([]File, 0, len(p.Files))
	for _, jf := range p.Files {
		u, err := base.Parse(jf.URL)
		if err != nil {
			continue
		}
		abs := u.String()
		f := File{Filename: jf.Filename, URL: abs, Hashes: refCleanHashes(jf.Hashes), Size: -1}
		if f.Filename == "" {
			u, _ := url.Parse(abs)
			f.Filename = filenameOf(u)
		}
		f.Reject = unsafeName(f.Filename)
		if jf.RequiresPython.ok {
			f.RequiresPython = jf.RequiresPython.s
		}
		if jf.Size.ok {
			f.Size = jf.Size.n
		}
		if jf.UploadTime != "" {
			f.UploadTime, _ = time.Parse(time.RFC3339Nano, jf.UploadTime)
		}
		f.Yanked, f.YankedReason = jsonYanked(jf.Yanked)
		meta := jf.CoreMetadata
		if meta.kind == jsonAbsent || meta.kind == jsonNull {
			meta = jf.DistInfoMetadata
		}
		if meta.kind == jsonAbsent || meta.kind == jsonNull {
			meta = jf.DataDistInfoMeta
		}
		f.CoreMetadata, f.CoreMetadataHashes = jsonCoreMetadata(meta)
		files = append(files, f)
	}
	return files, nil
}

// jsonValue is one of the polymorphic values of a PEP 691 file: "yanked"
// (false, true or a reason) and "core-metadata" (false, true or a hash
// table).
type jsonValue struct {
	kind   byte // jsonAbsent, jsonNull, jsonBool, jsonString, jsonHashes, jsonOther
	b      bool
	s      string
	hashes map[string]string
}

const (
	jsonAbsent byte = iota
	jsonNull
	jsonBool
	jsonString
	jsonHashes // an object whose values are all strings
	jsonOther
)

// optString is a string that may be absent or null (what a *string holds
// without an allocation per file).
type optString struct {
	s  string
	ok bool
}

// optInt64 is an integer that may be absent or null.
type optInt64 struct {
	n  int64
	ok bool
}

// UnmarshalJSON decodes like a *string field: null unsets (tests use
// encoding/json as the reference for decodeJSONPage).
func (o *optString) UnmarshalJSON(raw []byte) error {
	if string(raw) == "null" {
		*o = optString{}
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	*o = optString{s, true}
	return nil
}

// UnmarshalJSON decodes like a *int64 field: null unsets.
func (o *optInt64) UnmarshalJSON(raw []byte) error {
	if string(raw) == "null" {
		*o = optInt64{}
		return nil
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		return err
	}
	*o = optInt64{n, true}
	return nil
}

// UnmarshalJSON reads the value with encoding/json (tests use it as the
// reference for decodeJSONPage).
func (v *jsonValue) UnmarshalJSON(raw []byte) error {
	var b bool
	var s string
	var h map[string]string
	switch {
	case string(raw) == "null":
		*v = jsonValue{kind: jsonNull}
	case json.Unmarshal(raw, &b) == nil:
		*v = jsonValue{kind: jsonBool, b: b}
	case json.Unmarshal(raw, &s) == nil:
		*v = jsonValue{kind: jsonString, s: s}
	case json.Unmarshal(raw, &h) == nil && h != nil:
		*v = jsonValue{kind: jsonHashes, hashes: h}
	default:
		*v = jsonValue{kind: jsonOther}
	}
	return nil
}

func jsonYanked(v jsonValue) (bool, string) {
	switch v.kind {
	case jsonBool:
		return v.b, ""
	case jsonString:
		return true, v.s
	}
	return false, ""
}

func jsonCoreMetadata(v jsonValue) (bool, map[string]string) {
	switch v.kind {
	case jsonBool:
		return v.b, nil
	case jsonHashes:
		return true, refCleanHashes(v.hashes)
	}
	return false, nil
}

// refCleanHashes is cleanHashes as it was written first (lower-case, known
// algorithm, hex), with keys visited in sorted order so that of two keys
// differing only in case the one sorting last wins.
func refCleanHashes(h map[string]string) map[string]string {
	out := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		lk, lv := strings.ToLower(k), strings.ToLower(h[k])
		if knownHashAlgo(lk) && isHex(lv) {
			out[lk] = lv
		}
	}
	return out
}

// refRemote is what parseRemotePage did after parsing a page: reject the
// files whose URL is not http(s).
func refRemote(files []File) []File {
	for i := range files {
		f := &files[i]
		if f.Reject != "" {
			continue
		}
		fu, err := url.Parse(f.URL)
		if err != nil || (fu.Scheme != "http" && fu.Scheme != "https") {
			f.Reject = "not an http(s) URL on a remote index"
			if err == nil && fu.Scheme == "file" {
				f.Reject = "file:// URL on a remote index"
			}
		}
	}
	return files
}
