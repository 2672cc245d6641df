// Command emptygin is the baseline of scripts/load.sh: gin.New() with no
// middleware and one POST handler that reads the body and answers 200, so
// the gateway's req/s can be given as a fraction of Gin's own floor on the
// same machine, in the same run.
//
//	emptygin -addr 127.0.0.1:PORT
package main

import (
	"flag"
	"io"
	"log"
	"net/http"

	"github.com/gin-gonic/gin"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	flag.Parse()
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/livez", func(c *gin.Context) { c.Status(http.StatusOK) })
	r.POST("/*path", func(c *gin.Context) {
		_, _ = io.ReadAll(c.Request.Body)
		c.Status(http.StatusOK)
	})
	log.Fatal(http.ListenAndServe(*addr, r))
}
