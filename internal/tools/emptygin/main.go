// Command emptygin is the baseline of scripts/load.sh: gin.New() with no
// middleware and one POST handler that reads the body and answers 200, so
// the gateway's req/s can be given as a fraction of Gin's own floor on the
// same machine, in the same run. With -answer N it answers N bytes with
// three extra headers instead of nothing, as the gateway's 837D answer
// does: the floor of Gin answering the same bytes, which tells the cost
// of the answer itself (the write system call grows with it) from the
// cost of making it.
//
//	emptygin -addr 127.0.0.1:PORT [-answer N]
package main

import (
	"bytes"
	"flag"
	"io"
	"log"
	"net/http"

	"github.com/gin-gonic/gin"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	answer := flag.Int("answer", 0, "answer this many bytes (application/edi-x12, three extra headers) instead of nothing")
	flag.Parse()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/livez", func(c *gin.Context) { c.Status(http.StatusOK) })
	body := bytes.Repeat([]byte("X"), *answer)
	r.POST("/*path", func(c *gin.Context) {
		_, _ = io.ReadAll(c.Request.Body)
		if *answer == 0 {
			c.Status(http.StatusOK)
			return
		}
		c.Header("Casebridge-Control-Number", "000000001")
		c.Header("Casebridge-Warnings", "1")
		c.Header("X-Request-Id", "0123456789abcdef")
		c.Data(http.StatusOK, "application/edi-x12", body)
	})
	log.Fatal(http.ListenAndServe(*addr, r))
}
