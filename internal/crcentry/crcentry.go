// Package crcentry writes and reads the small cache entries that are
// written in place rather than through a temporary file (the previous
// lock's pins, the interpreter probes): a first line of a magic string and
// the CRC-32 (IEEE) of the rest in 8 hex digits, then the rest. A torn or
// damaged entry fails the check and is treated as missing.
package crcentry

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"strconv"
)

// Encode returns the entry holding body under magic.
func Encode(magic string, body []byte) []byte {
	out := fmt.Appendf(nil, "%s%08x\n", magic, crc32.ChecksumIEEE(body))
	return append(out, body...)
}

// Decode returns the body of an entry written by Encode with magic; false
// when data is not one (another magic, a missing or wrong checksum).
func Decode(magic string, data []byte) ([]byte, bool) {
	head, body, ok := bytes.Cut(data, []byte{'\n'})
	if !ok {
		return nil, false
	}
	sum, ok := bytes.CutPrefix(head, []byte(magic))
	if !ok || len(sum) != 8 {
		return nil, false
	}
	want, err := strconv.ParseUint(string(sum), 16, 32)
	if err != nil || uint32(want) != crc32.ChecksumIEEE(body) {
		return nil, false
	}
	return body, true
}
