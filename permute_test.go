package pylock

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// permute applies any permutation in place: all[i] becomes the old
// all[order[i]], keys alike.
func TestPermute(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 40 {
		for range 5 {
			all := make([]file, n)
			keys := make([]string, n)
			for i := range all {
				all[i].Filename = strconv.Itoa(i)
				keys[i] = "k" + strconv.Itoa(i)
			}
			order := r.Perm(n)
			want := append([]int(nil), order...)
			got := permute(all, keys, order)
			for i, k := range want {
				if got[i].Filename != strconv.Itoa(k) || keys[i] != "k"+strconv.Itoa(k) {
					t.Fatalf("n=%d order %v: position %d holds %s/%s, want %d", n, want, i, got[i].Filename, keys[i], k)
				}
			}
		}
	}
}
