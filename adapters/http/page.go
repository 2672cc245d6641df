package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

//go:embed page.html
var pageHTML []byte

//go:embed app.js
var pageJS []byte

//go:embed app.css
var pageCSS []byte

//go:embed openapi.yaml
var openAPI []byte

// pageCSP is the console's policy: its script and style are the served
// /app.js and /app.css (no inline script or style; the bar chart is SVG
// built through the DOM, the appeal letter is copied in as sanitized nodes,
// not framed), it talks only to this origin, and nobody may frame it.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (s *Server) openapi(c *gin.Context) { c.Data(http.StatusOK, "application/yaml", openAPI) }

// pageHeaders are the security headers of the page and its assets.
func pageHeaders(c *gin.Context) {
	c.Header("Content-Security-Policy", pageCSP)
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("X-Frame-Options", "DENY")
}

// page serves the web console: claims and their timelines, the worklist,
// payer analytics with a bar chart, appeal letters, and the developer tools
// (paste a record, an 835 or a FHIR Claim). It calls the same public /v1
// routes as any client, with the API key from the tab's sessionStorage.
func (s *Server) page(c *gin.Context) {
	pageHeaders(c)
	c.Data(http.StatusOK, "text/html; charset=utf-8", pageHTML)
}

// pageScript is GET /app.js, the page's script.
func (s *Server) pageScript(c *gin.Context) {
	pageHeaders(c)
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", pageJS)
}

// pageStyle is GET /app.css, the page's style sheet.
func (s *Server) pageStyle(c *gin.Context) {
	pageHeaders(c)
	c.Data(http.StatusOK, "text/css; charset=utf-8", pageCSS)
}
