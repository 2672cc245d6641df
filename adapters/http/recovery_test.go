package httpapi_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/rs/zerolog"

	httpapi "github.com/casebridge/casebridge/adapters/http"
	"github.com/casebridge/casebridge/internal/config"
)

// TestPanicAfterOutputBreaksConnection: a handler that panics after its
// 200 began (a streamed answer) must not end the body as if it were
// whole: the client sees a broken response, not a clean, cut 200. A panic
// before any output is still a 500 problem.
func TestPanicAfterOutputBreaksConnection(t *testing.T) {
	var logs lockedBuffer // the server logs from its own goroutines
	s := httpapi.New(config.Config{Profile: "default", MaxBodyBytes: 1 << 20}, zerolog.New(suiteLog(&logs)))
	r := s.Engine()
	r.GET("/test/streamed-then-panic", func(c *gin.Context) {
		c.Status(http.StatusOK)
		_, _ = c.Writer.Write(bytes.Repeat([]byte("x"), 64<<10))
		c.Writer.Flush()
		panic("exploded mid-stream")
	})
	r.GET("/test/panic", func(c *gin.Context) { panic("exploded before output") })
	ts := httptest.NewServer(r)

	resp, err := http.Get(ts.URL + "/test/streamed-then-panic")
	if err != nil {
		t.Fatal(err)
	}
	_, readErr := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || readErr == nil {
		t.Errorf("status %d, read error %v: want a 200 whose body fails to read to its end", resp.StatusCode, readErr)
	}

	resp, err = http.Get(ts.URL + "/test/panic")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !bytes.Contains(body, []byte(`"status":500`)) {
		t.Errorf("panic before output: %d %.200s", resp.StatusCode, body)
	}
	ts.Close() // waits for the handlers: their log lines are written
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if bytes.Contains(logs.buf.Bytes(), []byte("exploded")) {
		t.Errorf("the panic value reached the log: %s", logs.buf.String())
	}
}
