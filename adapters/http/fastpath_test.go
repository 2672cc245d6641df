package httpapi

import (
	"bytes"
	"io"
	"mime"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
)

// The fast paths of the request middleware answer exactly what the slow
// ones they skip would: isToken's bare type/subtype is what
// mime.ParseMediaType returns for it, validRequestID is the regexp it
// replaced, readAll is io.ReadAll whatever Content-Length claims.

var reRequestIDWas = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

func checkMediaType(t *testing.T, h string) {
	t.Helper()
	if !isToken(h) {
		return
	}
	mt, _, err := mime.ParseMediaType(h)
	if err != nil || strings.ToLower(mt) != strings.ToLower(h) {
		t.Fatalf("isToken(%q) but ParseMediaType says %q %v", h, mt, err)
	}
}

func checkRequestID(t *testing.T, id string) {
	t.Helper()
	if validRequestID(id) != reRequestIDWas.MatchString(id) {
		t.Fatalf("validRequestID(%q) = %v", id, validRequestID(id))
	}
}

func checkReadAll(t *testing.T, body []byte, length int64) {
	t.Helper()
	for _, r := range []io.Reader{bytes.NewReader(body), iotest.OneByteReader(bytes.NewReader(body)), iotest.HalfReader(bytes.NewReader(body))} {
		got, err := readAll(r, length, 1<<20)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("readAll(%d bytes, length %d) = %d bytes %v", len(body), length, len(got), err)
		}
	}
}

var fastPathSeeds = []string{
	"application/json", "Application/JSON", "application/json; charset=utf-8", "application/fhir+json",
	"application/edi-x12", "text/plain", "", "/", "a/", "/b", "a/b/c", "a b/c", "application/json ", "*/*",
	"abcdef0123456789", "req-1.2_3", strings.Repeat("a", 64), strings.Repeat("a", 65), "é", "a\x00b",
}

func TestFastPaths(t *testing.T) {
	for _, s := range fastPathSeeds {
		checkMediaType(t, s)
		checkRequestID(t, s)
		for _, n := range []int64{-1, 0, 1, int64(len(s)), int64(len(s)) + 7, 1 << 30} {
			checkReadAll(t, []byte(s), n)
		}
	}
	if !isToken("application/json") || isToken("application/json; charset=utf-8") {
		t.Fatal("isToken misses the common case")
	}
}

func FuzzFastPaths(f *testing.F) {
	for _, s := range fastPathSeeds {
		f.Add(s, int64(len(s)))
	}
	f.Fuzz(func(t *testing.T, s string, length int64) {
		checkMediaType(t, s)
		checkRequestID(t, s)
		checkReadAll(t, []byte(s), length)
	})
}
