package httpapi

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the gateway's Prometheus metrics, on a registry of the
// Server's own (GET /metrics). Labels are route templates, methods, status
// codes, claim statuses and finding categories: never ids, query values or
// anything from a body.
type metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	claims      *prometheus.CounterVec
	remittances *prometheus.CounterVec
	findings    *prometheus.CounterVec
	handler     http.Handler

	mu    sync.Mutex                               // writers of cache
	cache atomic.Pointer[map[seriesKey]seriesPair] // see series: read without a lock, replaced whole
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "casebridge_http_requests_total", Help: "HTTP requests by method, route template and status code.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "casebridge_http_request_duration_seconds", Help: "HTTP request latency by method and route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route"}),
		claims: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "casebridge_claims_stored_total", Help: "Claims stored, by status (submitted, rejected).",
		}, []string{"status"}),
		remittances: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "casebridge_remittances_read_total", Help: "835 remittances read successfully, by route template.",
		}, []string{"route"}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "casebridge_findings_total", Help: "Denial findings of stored remittances, by category.",
		}, []string{"category"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.claims, m.remittances, m.findings,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	m.cache.Store(&map[seriesKey]seriesPair{})
	return m
}

// remittanceRoutes are the routes whose success means an 835 was read.
var remittanceRoutes = map[string]int{"/v1/remittances": http.StatusCreated, "/v1/remittances/findings": http.StatusOK}

// observe is the metrics middleware: requests and latency by route
// template (unmatched routes share one label).
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	req, lat := s.metrics.series(c.Request.Method, route, status)
	req.Inc()
	lat.Observe(time.Since(start).Seconds())
	if want, ok := remittanceRoutes[route]; ok && c.Request.Method == http.MethodPost && status == want {
		s.metrics.remittances.WithLabelValues(route).Inc()
	}
}

// seriesKey names the request counter and latency histogram of a request.
type seriesKey struct {
	method, route string
	status        int
}

type seriesPair struct {
	requests prometheus.Counter
	latency  prometheus.Observer
}

// series returns the request counter and the latency histogram of (method,
// route, status), looked up in the vectors once and then kept: the labels
// come from a bounded set (route templates, "unmatched", methods Gin routes,
// status codes), so the map stays small.
func (m *metrics) series(method, route string, status int) (prometheus.Counter, prometheus.Observer) {
	k := seriesKey{method, route, status}
	if p, ok := (*m.cache.Load())[k]; ok {
		return p.requests, p.latency
	}
	p := seriesPair{
		requests: m.requests.WithLabelValues(method, route, strconv.Itoa(status)),
		latency:  m.latency.WithLabelValues(method, route),
	}
	m.mu.Lock()
	if old := *m.cache.Load(); len(old) < maxSeries {
		// copy on write: the few series of a gateway settle after its
		// first requests, and every later lookup takes no lock
		next := make(map[seriesKey]seriesPair, len(old)+1)
		maps.Copy(next, old)
		next[k] = p
		m.cache.Store(&next)
	}
	m.mu.Unlock()
	return p.requests, p.latency
}

// maxSeries bounds the cache of series (arbitrary methods on unmatched
// routes could otherwise grow it; past it the vectors are asked each time).
const maxSeries = 1024

func (s *Server) serveMetrics(c *gin.Context) { s.metrics.handler.ServeHTTP(c.Writer, c.Request) }

// claimStored counts a stored claim.
func (m *metrics) claimStored(status string) { m.claims.WithLabelValues(status).Inc() }

var reCategory = regexp.MustCompile(`^[a-z_]{1,40}$`)

// findingsOf counts the findings of a findings report by category (the
// categories of our code tables; anything else counts as other).
func (m *metrics) findingsOf(report []byte) {
	var rep struct {
		Remittances []struct {
			Claims []struct {
				Findings []struct {
					Category string `json:"category"`
				} `json:"findings"`
			} `json:"claims"`
		} `json:"remittances"`
	}
	if json.Unmarshal(report, &rep) != nil {
		return
	}
	for _, r := range rep.Remittances {
		for _, c := range r.Claims {
			for _, f := range c.Findings {
				cat := f.Category
				if !reCategory.MatchString(cat) {
					cat = "other"
				}
				m.findings.WithLabelValues(cat).Inc()
			}
		}
	}
}
