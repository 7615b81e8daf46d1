package audit

import (
	"strings"
	"testing"

	"github.com/pylock/pylock/lockfile"
)

func TestExplainGuard(t *testing.T) {
	rec := []lockfile.ToolABIGuard{{Provider: "numpy", Major: 2, FirstRelease: "2.0.0", Boundary: "2024-06-16",
		Reason: "NumPy 2.0 changed the C ABI", HeldBack: []string{"opencv-python==4.8.1.78"}}}
	abi := []Finding{{Kind: KindABI, Severity: Error, Package: "opencv-python", Hint: "ways out"}}
	for _, tc := range []struct {
		name     string
		guard    string
		rec      []lockfile.ToolABIGuard
		wantInfo int
		wantHint string
	}{
		{"on, held back", "on", rec, 1, "ways out"},
		{"off", "off", nil, 0, "ways out\n  (the lock was made with --no-abi-guard: re-locking without it avoids the pair)"},
		{"legacy lock", "", nil, 0, "ways out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &lockfile.Lock{Tool: lockfile.Tool{ABIGuard: tc.rec, Options: map[string]string{}}}
			if tc.guard != "" {
				l.Tool.Options["abi-guard"] = tc.guard
			}
			info, got := ExplainGuard(l, abi)
			if len(info) != tc.wantInfo {
				t.Fatalf("info findings = %+v, want %d", info, tc.wantInfo)
			}
			for _, f := range info {
				if f.Severity != Info || f.Package != "opencv-python" ||
					!strings.Contains(f.Message, "the ABI guard kept numpy below 2.0.0 when the lock was made: opencv-python==4.8.1.78 ships compiled wheels all uploaded before numpy 2.0.0 (2024-06-16)") {
					t.Errorf("info finding = %+v", f)
				}
			}
			if got[0].Hint != tc.wantHint {
				t.Errorf("hint = %q, want %q", got[0].Hint, tc.wantHint)
			}
			if abi[0].Hint != "ways out" {
				t.Errorf("input findings modified: %q", abi[0].Hint)
			}
		})
	}
}
