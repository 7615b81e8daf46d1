//go:build unix

package index

import (
	"io/fs"
	"slices"
	"syscall"
)

// readCacheFile reads a whole cache file into buf (grown as needed) with
// open, read and close only: os.ReadFile also registers the descriptor
// with the poller (refused for regular files), stats it and reads once
// more to see the end, doubling the system calls of a warm resolve that
// reads hundreds of small entries. A read that comes back short is the
// end of a regular file; entries are replaced by rename, never written in
// place, and their checksum catches anything else.
func readCacheFile(path string, buf []byte) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, max(cap(buf), 4096))
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if len(buf) < cap(buf) {
			return buf, nil
		}
	}
}
