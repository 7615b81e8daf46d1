package index

import (
	"bufio"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// credentials applies HTTP basic auth per host: userinfo of the configured
// index URLs first (for every URL on that host, as pip does), then
// ~/.netrc. Credentials never leave this type except as an Authorization
// header.
type credentials struct {
	hosts map[string]*url.Userinfo // host (with port) -> userinfo from index URLs

	netrcPath string
	once      sync.Once
	netrc     map[string]netrcEntry // machine -> login/password; "" = default
}

type netrcEntry struct{ login, password string }

func newCredentials(netrcPath string) *credentials {
	if netrcPath == "" {
		if env := os.Getenv("NETRC"); env != "" {
			netrcPath = env
		} else if home, err := os.UserHomeDir(); err == nil {
			netrcPath = filepath.Join(home, ".netrc")
		}
	}
	return &credentials{hosts: map[string]*url.Userinfo{}, netrcPath: netrcPath}
}

// remember records the userinfo of an index URL for its host.
func (c *credentials) remember(u *url.URL) {
	if u.User != nil && u.Host != "" {
		c.hosts[strings.ToLower(u.Host)] = u.User
	}
}

// apply moves userinfo from req.URL into an Authorization header, or adds
// the host's remembered or netrc credentials.
func (c *credentials) apply(req *http.Request) {
	u := req.URL
	ui := u.User
	u.User = nil
	if ui == nil {
		ui = c.hosts[strings.ToLower(u.Host)]
	}
	if ui != nil {
		pw, _ := ui.Password()
		req.SetBasicAuth(ui.Username(), pw)
		return
	}
	if e, ok := c.lookupNetrc(u.Hostname()); ok {
		req.SetBasicAuth(e.login, e.password)
	}
}

func (c *credentials) lookupNetrc(host string) (netrcEntry, bool) {
	c.once.Do(func() { c.netrc = parseNetrc(c.netrcPath) })
	if e, ok := c.netrc[strings.ToLower(host)]; ok {
		return e, true
	}
	e, ok := c.netrc[""]
	return e, ok
}

// parseNetrc reads machine/default entries (login, password; macdef
// bodies skipped). A missing or unreadable file yields no entries.
func parseNetrc(path string) map[string]netrcEntry {
	out := map[string]netrcEntry{}
	if path == "" {
		return out
	}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	var toks []string
	sc := bufio.NewScanner(f)
	inMacdef := false
	for sc.Scan() {
		line := sc.Text()
		if inMacdef {
			if strings.TrimSpace(line) == "" {
				inMacdef = false
			}
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		fs := strings.Fields(line)
		for i, t := range fs {
			if t == "macdef" {
				fs = fs[:i]
				inMacdef = true
				break
			}
		}
		toks = append(toks, fs...)
	}
	machine, have := "", false
	var cur netrcEntry
	flush := func() {
		if have {
			if _, dup := out[machine]; !dup {
				out[machine] = cur
			}
		}
		cur, have = netrcEntry{}, false
	}
	for i := 0; i < len(toks); i++ {
		next := func() string {
			if i+1 < len(toks) {
				i++
				return toks[i]
			}
			return ""
		}
		switch toks[i] {
		case "machine":
			flush()
			machine, have = strings.ToLower(next()), true
		case "default":
			flush()
			machine, have = "", true
		case "login":
			cur.login = next()
		case "password":
			cur.password = next()
		case "account":
			next()
		}
	}
	flush()
	return out
}
