//go:build !unix

package index

import "os"

// readCacheFile reads a whole cache file (buf is a hint, unused here).
func readCacheFile(path string, _ []byte) ([]byte, error) { return os.ReadFile(path) }
