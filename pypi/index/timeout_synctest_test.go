package index

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// silentTransport never answers: it waits for the request to be cancelled.
type silentTransport struct{}

func (silentTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	<-req.Context().Done()
	return nil, req.Context().Err()
}

// TestSilentIndexDefaults: with default options a silent index fails within
// about 30 s (two attempts of the 15 s read timeout), not minutes, and
// reports what it was waiting for while it waits.
func TestSilentIndexDefaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var waiting []Event
		c, err := New(Options{IndexURL: "http://index.test/simple/", NoCache: true, NetrcPath: os.DevNull,
			HTTPClient: &http.Client{Transport: silentTransport{}},
			Events: func(e Event) {
				if e.Kind == "waiting" {
					mu.Lock()
					waiting = append(waiting, e)
					mu.Unlock()
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		_, err = c.Project(context.Background(), "qux")
		el := time.Since(start)
		if err == nil || !errors.Is(err, errTimeout) {
			t.Fatalf("err = %v, want a timeout", err)
		}
		if !strings.Contains(err.Error(), "nothing received for 15s") {
			t.Errorf("error does not say what timed out: %v", err)
		}
		if el < 30*time.Second || el > 32*time.Second {
			t.Errorf("gave up after %v, want about 30s", el)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(waiting) < 4 || waiting[0].Waited != waitNotice || !strings.Contains(waiting[0].URL, "/simple/qux/") {
			t.Errorf("waiting events: %+v", waiting)
		}
	})
}

// slowTransport sends headers and then one byte of body every step.
type slowTransport struct{ step time.Duration }

type dripBody struct {
	left int
	step time.Duration
}

func (b *dripBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, errors.New("EOF")
	}
	time.Sleep(b.step)
	b.left--
	p[0] = ' '
	return 1, nil
}

func (b *dripBody) Close() error { return nil }

// TestReadTimeoutIsIdle: a response that keeps sending bytes is not cut
// off by the read timeout, however long it takes in total.
func TestReadTimeoutIsIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/html"}}, ContentLength: -1,
				Body: &dripBody{left: 40, step: time.Second}, Request: req}, nil
		})
		c, err := New(Options{IndexURL: "http://index.test/simple/", NoCache: true, NetrcPath: os.DevNull, Timeout: 5 * time.Second,
			HTTPClient: &http.Client{Transport: rt}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, err = c.get(context.Background(), getReq{url: "http://index.test/simple/qux/", limit: 1 << 20, op: "project"})
		if err == nil || errors.Is(err, errTimeout) {
			t.Fatalf("err = %v, want the body's own error after 40 s of dripping, not a timeout", err)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }
