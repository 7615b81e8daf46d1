package index

import (
	"context"
	"net/url"
)

// Download returns the bytes of a distribution file, checked against the
// index's strongest hash (file:// URLs are read from disk). Its size is
// bounded by Options.MaxFileBytes.
func (c *Client) Download(ctx context.Context, f File) ([]byte, error) {
	project, version := splitFilename(f.Filename)
	u, err := url.Parse(f.URL)
	if err == nil && u.Scheme == "file" {
		data, err := readFileLimit(u.Path, c.opts.MaxFileBytes)
		if err == nil {
			err = verifyHashes(data, f.Hashes)
		}
		if err != nil {
			return nil, &Error{Op: "download", Project: project, Version: version, URL: Redact(f.URL), Err: err}
		}
		return data, nil
	}
	return c.download(ctx, f, project, version)
}
