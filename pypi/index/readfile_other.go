//go:build !unix

package index

import "os"

// readCacheFile reads a whole cache file into a new buffer (the caller's
// to keep).
func readCacheFile(path string) ([]byte, error) { return os.ReadFile(path) }
