//go:build unix

package index

import (
	"io/fs"
	"syscall"
)

// readCacheFile reads a whole cache file into a new buffer of its size,
// with open, fstat, read and close only: os.ReadFile also registers the
// descriptor with the poller (refused for regular files) and reads once
// more to see the end, and a buffer grown by doubling would copy (and
// fault in) a large page entry several times over. A read that comes back
// short is the end of a regular file; entries are replaced by rename,
// never written in place, so the size fstat gives is the entry's, and the
// checksum catches anything else. The buffer is the caller's to keep:
// decoded strings may alias it.
func readCacheFile(path string) ([]byte, error) {
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
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	// One spare byte: a read that fills the buffer means the file grew
	// (it cannot, see above), and the loop goes on growing it.
	buf := make([]byte, 0, max(int(st.Size), 0)+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
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
