package audit

import (
	"fmt"
	"strings"

	"github.com/pylock/pylock/lockfile"
)

// ExplainGuard explains what the ABI guard did when the lock was made, from
// [[tool.pylock.abi-guard]] and [tool.pylock.options] abi-guard: each
// dependent it held back is an info finding (why the provider is below its
// new major), and when the lock was made with --no-abi-guard the ABI
// findings of CheckABI (passed in abi) get a hint saying so. It returns
// the info findings and abi with the hints amended.
func ExplainGuard(l *lockfile.Lock, abi []Finding) ([]Finding, []Finding) {
	var out []Finding
	for _, g := range l.Tool.ABIGuard {
		for _, held := range g.HeldBack {
			name, _, _ := strings.Cut(held, "==")
			msg := fmt.Sprintf("the ABI guard kept %s below %s when the lock was made: %s ships compiled wheels all uploaded before %s %s (%s).",
				g.Provider, firstRelease(g), held, g.Provider, firstRelease(g), g.Boundary)
			if g.Reason != "" {
				msg += " " + g.Reason + "."
			}
			out = append(out, Finding{Kind: KindABI, Severity: Info, Package: canonical(name), Related: g.Provider,
				Message: msg,
				Hint: fmt.Sprintf("to move to %s %s, move %s to a release built after %s and re-lock (or re-lock with --no-abi-guard to take the risk)",
					g.Provider, firstRelease(g), canonical(name), g.Boundary)})
		}
	}
	if l.Tool.Options["abi-guard"] == "off" {
		amended := make([]Finding, len(abi))
		for i, f := range abi {
			if f.Kind == KindABI && f.Severity == Error {
				f.Hint += "\n  (the lock was made with --no-abi-guard: re-locking without it avoids the pair)"
			}
			amended[i] = f
		}
		abi = amended
	}
	return out, abi
}

func firstRelease(g lockfile.ToolABIGuard) string {
	if g.FirstRelease != "" {
		return g.FirstRelease
	}
	return fmt.Sprintf("%d.0.0", g.Major)
}
