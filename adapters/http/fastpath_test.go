package httpapi

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gin-gonic/gin"
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

// checkEnvelopeQuery: the envelope parameters read from the raw query are
// the ones Gin's c.Query and c.GetQuery give.
func checkEnvelopeQuery(t *testing.T, raw string) {
	t.Helper()
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = &http.Request{URL: &url.URL{RawQuery: raw}}
	got := readEnvelopeQuery(c)
	var want envelopeQuery
	want.profile, want.hasProfile = c.GetQuery("profile")
	want.controlNumber, want.at, want.usage, want.newlines = c.Query("control_number"), c.Query("at"), c.Query("usage"), c.Query("newlines")
	if got != want {
		t.Fatalf("%q: got %+v, want %+v", raw, got, want)
	}
}

func checkReadAll(t *testing.T, body []byte, length int64) {
	t.Helper()
	readers := []func() io.Reader{
		func() io.Reader { return bytes.NewReader(body) },
		func() io.Reader { return iotest.OneByteReader(bytes.NewReader(body)) },
		func() io.Reader { return iotest.HalfReader(bytes.NewReader(body)) },
	}
	for _, r := range readers {
		// without a buffer, with one too small and with a used one that has the room
		for _, dst := range [][]byte{nil, make([]byte, 3, 4), append(make([]byte, 0, 1<<10), "stale"...)} {
			got, err := readAll(r(), length, 1<<20, dst)
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("readAll(%d bytes, length %d, cap %d) = %d bytes %v", len(body), length, cap(dst), len(got), err)
			}
		}
	}
}

var fastPathSeeds = []string{
	"control_number=1&at=2026-11-27T10:00:00Z", "profile=&control_number=2&control_number=3&newlines=true",
	"profile", "profile=acme&profile=other&usage=P", "at=2026-11-27T10%3A00%3A00Z", "usage=T;x=1", "=1&&control_number",
	"a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11&l=12&m=13&n=14&o=15&p=16&q=17&r=18&s=19&t=20&u=21&v=22&w=23&x=24&y=25&z=26&aa=1&bb=2&cc=3&dd=4&ee=5&ff=6&usage=P",
	"at=2026-11-27T10:00:00+01:00", "newlines=%zz&newlines=true", "control_number=%31",
	"application/json", "Application/JSON", "application/json; charset=utf-8", "application/fhir+json",
	"application/edi-x12", "text/plain", "", "/", "a/", "/b", "a/b/c", "a b/c", "application/json ", "*/*",
	"abcdef0123456789", "req-1.2_3", strings.Repeat("a", 64), strings.Repeat("a", 65), "é", "a\x00b",
}

func TestFastPaths(t *testing.T) {
	for _, s := range fastPathSeeds {
		checkMediaType(t, s)
		checkRequestID(t, s)
		checkEnvelopeQuery(t, s)
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
		checkEnvelopeQuery(t, s)
		checkReadAll(t, []byte(s), length)
	})
}
