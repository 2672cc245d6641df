package httpapi

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/internal/app"
)

// bodyKey holds the request body once a middleware has read it.
const bodyKey = "casebridge.body"

// requestBody is the request body, read once (within the body limit) and
// kept in the context, so the idempotency middleware and the handler share
// one read. false means an answer (413, 400) was sent. Every handler behind
// s.idempotent must read its body with it.
func (s *Server) requestBody(c *gin.Context) ([]byte, bool) {
	if v, ok := c.Get(bodyKey); ok {
		return v.([]byte), true
	}
	data, ok := readBody(c, s.cfg.MaxBodyBytes)
	if ok {
		c.Set(bodyKey, data)
	}
	return data, ok
}

// IdempotencyKeyHeader names the request header of s.idempotent.
const IdempotencyKeyHeader = "Idempotency-Key"

// idempotent is the Idempotency-Key middleware of the storing POST routes
// (put it before the handler: v1.POST(path, s.idempotent, handler); the
// handler must read its body with s.requestBody). Without the header, or
// without a service, the request just runs. With it, per tenant:
//
//   - first use: the request runs; a 2xx or 4xx answer is kept (status, the
//     headers but X-Request-ID, the body) for at least 24 h, a 5xx (or a
//     panic) forgets the key so a retry runs again;
//   - the same key, method, route, query, media type and body again: the
//     kept answer, byte for byte, without running anything;
//   - the same key with another request: 422 IDEMPOTENCY_KEY_REUSED;
//   - while the first is still running: 409 IDEMPOTENCY_IN_FLIGHT
//     (Retry-After: 1);
//   - a key that is not 1-255 visible ASCII characters: 400.
//
// Under /fhir/ the errors are OperationOutcomes, as every error there.
func (s *Server) idempotent(c *gin.Context) {
	key := c.GetHeader(IdempotencyKeyHeader)
	if s.svc == nil || key == "" {
		c.Next()
		return
	}
	body, ok := s.requestBody(c)
	if !ok {
		return
	}
	tenant := tenantOf(c)
	idem := s.svc.Idempotency()
	b, err := idem.Begin(c.Request.Context(), tenant, key, c.Request.Method, fingerprintRoute(c), body)
	if errors.Is(err, app.ErrInvalid) {
		problem(c, http.StatusBadRequest, "Invalid Idempotency-Key", "Idempotency-Key must be 1-255 visible ASCII characters.",
			one("IDEMPOTENCY_KEY_INVALID", "", "Idempotency-Key must be 1-255 visible ASCII characters."))
		return
	}
	if err != nil {
		s.log.Error().Str("request_id", c.GetString("request_id")).Str("cause", err.Error()).Msg("idempotency begin failed")
		internalError(c)
		return
	}
	switch b.Outcome {
	case app.IdemReplay:
		replay(c, b.Response)
	case app.IdemInFlight:
		c.Header("Retry-After", "1")
		problem(c, http.StatusConflict, "Request in flight", "A request with this Idempotency-Key is still running; retry later.",
			one("IDEMPOTENCY_IN_FLIGHT", "", "A request with this Idempotency-Key is still running."))
	case app.IdemMismatch:
		keyReused(c)
	case app.IdemNew:
		s.runIdempotent(c, tenant, key, b.Token)
	default:
		internalError(c)
	}
}

// keyReused is the 422 of a key used for another request (the stored claim
// or remittance holding the key is app.ErrIdempotencyKeyReused too; under
// /fhir/ problem answers an OperationOutcome).
func keyReused(c *gin.Context) {
	problem(c, http.StatusUnprocessableEntity, "Idempotency-Key reused", "This Idempotency-Key was used for another request; use a new key.",
		one("IDEMPOTENCY_KEY_REUSED", "", "This Idempotency-Key was used for another request."))
}

// runIdempotent runs the handler, capturing its answer, then keeps it
// (Finish) or forgets the key (Release), and only then sends it: a client
// never sees an answer that a retry with the key would not get again.
func (s *Server) runIdempotent(c *gin.Context, tenant, key, token string) {
	idem := s.svc.Idempotency()
	// a client that hangs up must not leave the key in flight
	ctx := context.WithoutCancel(c.Request.Context())
	cw := &captureWriter{ResponseWriter: c.Writer}
	c.Writer = cw
	settled := false
	defer func() {
		if !settled { // a panic: the recovery middleware answers 500
			c.Writer = cw.ResponseWriter
			_ = idem.Release(ctx, tenant, key, token)
		}
	}()
	c.Next()
	var err error
	status := cw.Status()
	if status >= 500 {
		err = idem.Release(ctx, tenant, key, token)
	} else {
		h := cw.Header().Clone()
		h.Del("X-Request-ID")
		err = idem.Finish(ctx, tenant, key, token, status, h, cw.buf.Bytes())
	}
	settled = true
	if err != nil && !errors.Is(err, app.ErrLeaseLost) {
		s.log.Error().Str("request_id", c.GetString("request_id")).Str("cause", err.Error()).Msg("idempotency finish failed")
		if status < 500 {
			// the answer is not kept: the client must retry, and the
			// retry runs again (the stored object, if any, holds the key
			// and is answered again then)
			_ = idem.Release(ctx, tenant, key, token)
			cw.buf.Reset()
			c.Writer = cw.ResponseWriter
			for k := range c.Writer.Header() {
				if k != "X-Request-Id" {
					c.Writer.Header().Del(k)
				}
			}
			internalError(c)
			return
		}
	}
	c.Writer = cw.ResponseWriter
	cw.flush()
}

// replay sends a kept answer again.
func replay(c *gin.Context, r *app.StoredResponse) {
	c.Abort()
	h := c.Writer.Header()
	for k, v := range r.Header {
		h[k] = append([]string(nil), v...)
	}
	c.Status(r.Status)
	if len(r.Body) == 0 {
		c.Writer.WriteHeaderNow()
		return
	}
	_, _ = c.Writer.Write(r.Body)
}

// fingerprintRoute is what identifies a request besides its method and
// body: the route template, the query (sorted) and the media type.
func fingerprintRoute(c *gin.Context) string {
	// If-None-Exist changes what a FHIR create does with the same body
	return c.FullPath() + "?" + c.Request.URL.Query().Encode() + " " + mediaType(c) + " " + c.GetHeader("If-None-Exist")
}

// captureWriter holds what the handler writes, status and body, until
// flush: nothing reaches the client (not even the header, whatever the
// body's size) before the key's answer is stored. Headers go to the
// underlying writer's map, which is sent only with the status. It keeps
// gin's rules: the status may change until the first write, 200 when none
// was set.
type captureWriter struct {
	gin.ResponseWriter
	buf    bytes.Buffer
	status int
	wrote  bool
}

func (w *captureWriter) WriteHeader(code int) {
	if code > 0 && !w.wrote {
		w.status = code
	}
}

// WriteHeaderNow fixes the status; it is sent at flush.
func (w *captureWriter) WriteHeaderNow() { w.wrote = true }

func (w *captureWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.buf.Write(b)
}

func (w *captureWriter) WriteString(s string) (int, error) {
	w.wrote = true
	return w.buf.WriteString(s)
}

// Status is the status the handler set (200 when it set none).
func (w *captureWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Size is the body's size so far (-1 before anything was written).
func (w *captureWriter) Size() int {
	if !w.wrote {
		return -1
	}
	return w.buf.Len()
}

// Written tells whether the handler wrote its answer (status or body).
func (w *captureWriter) Written() bool { return w.wrote }

// Flush is deferred: the body goes out at flush.
func (w *captureWriter) Flush() {}

// flush sends the held answer.
func (w *captureWriter) flush() {
	w.ResponseWriter.WriteHeader(w.Status())
	if w.buf.Len() == 0 {
		w.ResponseWriter.WriteHeaderNow()
		return
	}
	_, _ = w.ResponseWriter.Write(w.buf.Bytes())
}
