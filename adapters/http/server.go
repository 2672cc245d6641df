// Package httpapi is casebridge's HTTP gateway: thin Gin handlers that
// parse the request, call the application layer (internal/app) and render
// its result (problem JSON, FHIR, X12). It decides nothing about claims, and
// httptest can drive it.
package httpapi

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/rs/zerolog"

	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/config"
)

// Server holds the gateway's dependencies.
type Server struct {
	cfg     config.Config
	log     zerolog.Logger
	now     func() time.Time
	next    func() (int, error) // control-number allocator replacing the store's (tests)
	svc     *app.Service        // the service of record (stored claims, remittances, keys, control numbers)
	metrics *metrics            // GET /metrics
}

// Option changes a Server.
type Option func(*Server)

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithControlNumbers replaces the store's control-number allocator of the
// stateless 837D routes (tests).
func WithControlNumbers(next func() (int, error)) Option { return func(s *Server) { s.next = next } }

// New builds the gateway.
func New(cfg config.Config, log zerolog.Logger, opts ...Option) *Server {
	s := &Server{cfg: cfg, log: log, now: time.Now, metrics: newMetrics()}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler { return s.engine() }

// Routes lists "METHOD path" of every route (for the OpenAPI test).
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.engine().Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func (s *Server) engine() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	_ = r.SetTrustedProxies(nil)
	r.Use(s.requestID, s.accessLog, s.observe, s.recovery, s.auth, s.limitBody)
	r.NoRoute(func(c *gin.Context) { problem(c, http.StatusNotFound, "Not found", "No such route.", nil) })
	r.NoMethod(func(c *gin.Context) {
		problem(c, http.StatusMethodNotAllowed, "Method not allowed", "This route does not accept that method.", nil)
	})

	r.GET("/livez", func(c *gin.Context) { c.PureJSON(http.StatusOK, gin.H{"status": "ok"}) })
	r.GET("/readyz", s.readyz)
	r.GET("/", s.page)
	r.GET("/app.js", s.pageScript)
	r.GET("/app.css", s.pageStyle)
	r.GET("/openapi.yaml", s.openapi)
	r.GET("/metrics", s.serveMetrics)

	v1 := r.Group("/v1")
	v1.POST("/claims/837d", s.claim837d)
	v1.POST("/claims/batch", s.claimBatch)
	v1.POST("/records/check", s.checkRecord)
	v1.POST("/x12/validate", s.validateX12)
	s.routes835(v1)
	s.routesFHIR(r, v1)
	s.routesFHIRREST(r)
	s.routesStored(v1)
	s.routesAppeals(v1)         // appeal packets (appeals.go)
	s.routesAcknowledgments(v1) // acknowledgments.go: 999, TA1, 277CA in
	s.routesWorklist(v1)        // worklist.go: worklist, corrections, analytics
	return r
}

// readyz is 503 unless the default profile loads and the store (which
// allocates the control numbers) answers a ping and accepts a write; the
// check consumes no number. The cause goes to the log (paths or hosts,
// never data), the answer names only the failing dependency.
func (s *Server) readyz(c *gin.Context) {
	if _, err := app.LoadProfile(s.cfg.Profile, s.cfg.ProfilesDir); err != nil {
		s.log.Warn().Str("request_id", c.GetString("request_id")).Str("check", "profile").Msg("not ready")
		problem(c, http.StatusServiceUnavailable, "Not ready", "The configured trading-partner profile cannot be loaded.", one("NOT_READY_PROFILE", "", "The default profile does not load."))
		return
	}
	if s.svc == nil && s.next == nil {
		s.log.Warn().Str("request_id", c.GetString("request_id")).Str("check", "store").Str("cause", "no store configured").Msg("not ready")
		problem(c, http.StatusServiceUnavailable, "Not ready", "No store is configured: control numbers cannot be allocated.",
			one("NOT_READY_STORE", "", "No store is configured."))
		return
	}
	if s.svc != nil {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 5*time.Second)
		defer cancel()
		if err := s.svc.Ping(ctx); err != nil {
			// the driver's error: a path or a host, never data
			s.log.Warn().Str("request_id", c.GetString("request_id")).Str("check", "store").Str("cause", err.Error()).Msg("not ready")
			problem(c, http.StatusServiceUnavailable, "Not ready", "The database does not answer or does not accept writes.",
				one("NOT_READY_STORE", "", "The store fails its ping."))
			return
		}
	}
	c.PureJSON(http.StatusOK, gin.H{"status": "ready"})
}

// validRequestID: 1-64 of A-Z a-z 0-9 . _ - (a caller's X-Request-ID is
// kept only then).
func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '.' || b == '_' || b == '-') {
			return false
		}
	}
	return true
}

// requestID takes a well-formed X-Request-ID or makes one (16 hex digits),
// and echoes it. The id correlates log lines and is no secret: it comes
// from math/rand/v2 (ChaCha8, seeded by the runtime), not from a system
// call per request.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-ID")
	if !validRequestID(id) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], rand.Uint64())
		id = hex.EncodeToString(b[:])
	}
	c.Set("request_id", id)
	c.Header("X-Request-ID", id)
	c.Next()
}

// accessLog logs route template, status, latency, sizes and request id: never
// bodies, query values or anything else that may hold PHI.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	ev := s.log.Info()
	if c.Writer.Status() >= 500 {
		ev = s.log.Error()
	}
	if ev == nil { // the level is off: nothing to gather
		return
	}
	ev.Str("request_id", c.GetString("request_id")).
		Str("method", c.Request.Method).
		Str("route", route).
		Int("status", c.Writer.Status()).
		Dur("latency", time.Since(start)).
		Int64("bytes_in", c.Request.ContentLength).
		Int("bytes_out", c.Writer.Size()).
		Msg("request")
}

// recovery turns a panic into a problem (or OperationOutcome) 500 and logs
// only the route: the panic value could hold PHI.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { //nolint:errorlint // the sentinel itself, as net/http compares it
				panic(v) // a handler breaking its connection on purpose (logged there)
			}
			s.log.Error().Str("request_id", c.GetString("request_id")).Str("route", c.FullPath()).Msg("panic recovered")
			if c.Writer.Written() {
				// A 200 is on its way: break the connection rather
				// than end a cut body as if it were whole.
				panic(http.ErrAbortHandler)
			}
			internalError(c)
		}
	}()
	c.Next()
}

// limitBody caps request bodies; reads past the cap fail and answer 413.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.cfg.MaxBodyBytes {
		tooLarge(c, s.cfg.MaxBodyBytes)
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
	c.Next()
}
