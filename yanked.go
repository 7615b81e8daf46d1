package pylock

import (
	"fmt"
	"time"

	"github.com/pylock/pylock/pypi/reqfile"
	"github.com/pylock/pylock/resolver"
)

// yankWarnings names every locked release that is yanked (PEP 592: the
// resolver takes a yanked version only when it is pinned exactly), with the
// index's reason, so that locking it is never silent.
func yankWarnings(snap *IndexSnapshot, sol *resolver.Result, fc reqfile.FormatControl, cutoff time.Time) []string {
	var out []string
	for _, rp := range sol.Packages {
		r, ok := snap.release(rp.Name, rp.Version)
		if !ok {
			continue
		}
		files := lockableFiles(r.Files, rp.Name, fc, cutoff)
		if len(files) == 0 || !files[0].Yanked { // lockableFiles keeps yanked files only when nothing else is left
			continue
		}
		reason := "no reason given"
		for _, f := range files {
			if f.YankedReason != "" {
				reason = fmt.Sprintf("reason: %q", f.YankedReason)
				break
			}
		}
		out = append(out, fmt.Sprintf("%s==%s is yanked (%s); it is locked because it was pinned exactly (PEP 592)", rp.Name, rp.Version, reason))
	}
	return out
}
