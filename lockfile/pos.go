package lockfile

import (
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// position is a 1-based line and column in a TOML document.
type position struct{ line, col int }

// positions maps the paths of a document's keys and tables
// ("packages[1].wheels[0].hashes") to where they are written, so errors found
// after decoding can still point at file:line:col. Array-of-tables elements
// and array items are indexed in document order, matching the decoded slices.
type positions map[string]position

// indexPositions walks data's expressions. It assumes data already decoded
// without a syntax error; on a parser error it returns what it has.
func indexPositions(data []byte) positions {
	pos := positions{}
	var p unstable.Parser
	p.Reset(data)
	counts := map[string]int{} // array-of-tables path -> elements so far
	current := ""
	at := func(n *unstable.Node) position {
		s := p.Shape(n.Raw)
		return position{s.Start.Line, s.Start.Column}
	}
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			path, first := "", position{}
			it := e.Key()
			var parts []*unstable.Node
			for it.Next() {
				parts = append(parts, it.Node())
			}
			for i, k := range parts {
				if i == 0 {
					first = at(k)
				}
				path = joinPath(path, string(k.Data))
				last := i == len(parts)-1
				if last && e.Kind == unstable.ArrayTable {
					counts[path]++
					path += "[" + strconv.Itoa(counts[path]-1) + "]"
				} else if n := counts[path]; n > 0 {
					path += "[" + strconv.Itoa(n-1) + "]"
				}
			}
			current = path
			if _, ok := pos[path]; !ok || e.Kind == unstable.ArrayTable {
				pos[path] = first
			}
		case unstable.KeyValue:
			indexKeyValue(pos, current, e, at)
		}
	}
	return pos
}

// indexKeyValue records a key-value and, recursively, the items of arrays
// and the keys of inline tables it holds.
func indexKeyValue(pos positions, base string, kv *unstable.Node, at func(*unstable.Node) position) {
	path := base
	var first position
	it := kv.Key()
	i := 0
	for it.Next() {
		if i == 0 {
			first = at(it.Node())
		}
		path = joinPath(path, string(it.Node().Data))
		if _, ok := pos[path]; !ok {
			pos[path] = first
		}
		i++
	}
	indexValue(pos, path, kv.Value(), first, at)
}

func indexValue(pos positions, path string, v *unstable.Node, here position, at func(*unstable.Node) position) {
	switch v.Kind {
	case unstable.Array:
		it := v.Children()
		i := 0
		for it.Next() {
			item := it.Node()
			ip := path + "[" + strconv.Itoa(i) + "]"
			p := here
			if item.Kind == unstable.InlineTable {
				if c := item.Child(); c != nil && c.Kind == unstable.KeyValue {
					k := c.Key()
					if k.Next() {
						p = at(k.Node())
					}
				}
			} else if item.Raw.Length > 0 {
				p = at(item)
			}
			pos[ip] = p
			indexValue(pos, ip, item, p, at)
			i++
		}
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			if it.Node().Kind == unstable.KeyValue {
				indexKeyValue(pos, path, it.Node(), at)
			}
		}
	}
}

func joinPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

// lookup returns the position of path or of its nearest recorded ancestor.
func (pos positions) lookup(path string) (position, bool) {
	for path != "" {
		if p, ok := pos[path]; ok {
			return p, true
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return position{}, false
}
