package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/casebridge/casebridge/internal/record"
)

// Problem is an RFC 9457 problem document with our error list.
type Problem struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail,omitempty"`
	Instance string         `json:"instance,omitempty"`
	Errors   []ProblemError `json:"errors"`
}

// ProblemError is one error of a problem document. X12 errors also carry
// their position: segment ordinal, segment id, element and component, byte
// offset.
type ProblemError struct {
	record.Problem
	SegmentNumber int    `json:"segment_number,omitempty"`
	SegmentID     string `json:"segment_id,omitempty"`
	Element       int    `json:"element,omitempty"`
	Component     int    `json:"component,omitempty"`
	Offset        *int64 `json:"byte_offset,omitempty"`
}

const problemType = "https://casebridge.dev/problems/"

func problem(c *gin.Context, status int, title, detail string, errs record.Problems) {
	if isFHIR(c) {
		fhirError(c, status, detail)
		return
	}
	list := make([]ProblemError, len(errs))
	for i, e := range errs {
		list[i] = ProblemError{Problem: e}
	}
	problemWith(c, status, title, detail, list)
}

func problemWith(c *gin.Context, status int, title, detail string, errs []ProblemError) {
	if errs == nil {
		errs = []ProblemError{}
	}
	slug := strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "-"))
	c.Abort()
	c.Render(status, problemRender{Problem{
		Type:     problemType + slug,
		Title:    title,
		Status:   status,
		Detail:   detail,
		Instance: c.GetString("request_id"),
		Errors:   errs,
	}})
}

// problemRender writes problem JSON without HTML escaping.
type problemRender struct{ p Problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/problem+json")
}

func one(code, pointer, msg string) record.Problems {
	return record.Problems{{Severity: record.SeverityError, Code: code, Pointer: pointer, Message: msg}}
}

func internalError(c *gin.Context) {
	problem(c, http.StatusInternalServerError, "Internal error", "The gateway failed; the request id identifies it in the logs.", nil)
}

func tooLarge(c *gin.Context, limit int64) {
	problem(c, http.StatusRequestEntityTooLarge, "Body too large",
		fmt.Sprintf("The request body is larger than the limit of %d bytes.", limit), one("BODY_TOO_LARGE", "", "Send a smaller body."))
}

func isFHIR(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/fhir/") }

// mediaType returns the request's media type, lower-cased, without parameters.
func mediaType(c *gin.Context) string {
	h := c.GetHeader("Content-Type")
	if isToken(h) {
		// a bare type/subtype (the common case): what ParseMediaType would
		// return, without its allocations
		return strings.ToLower(h)
	}
	mt, _, err := mime.ParseMediaType(h)
	if err != nil {
		return ""
	}
	return strings.ToLower(mt)
}

// requireType answers 415 unless the request's media type is one of types.
func requireType(c *gin.Context, types ...string) bool {
	mt := mediaType(c)
	for _, t := range types {
		if mt == t {
			return true
		}
	}
	problem(c, http.StatusUnsupportedMediaType, "Unsupported media type",
		"Send the body as "+strings.Join(types, " or ")+".", one("CONTENT_TYPE", "", "Wrong or missing Content-Type."))
	return false
}

// isToken tells whether h is "type/subtype" made of RFC 9110 token
// characters only (letters, digits and !#$%&'*+-.^_`|~), one slash inside.
func isToken(h string) bool {
	slash := strings.IndexByte(h, '/')
	if slash <= 0 || slash == len(h)-1 {
		return false
	}
	for i := 0; i < len(h); i++ {
		b := h[i]
		if i == slash {
			continue
		}
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0) {
			return false
		}
	}
	return true
}

// readBody reads the (already size-capped) body; false means an answer was sent.
func readBody(c *gin.Context, limit int64) ([]byte, bool) {
	return readBodyInto(c, limit, nil)
}

// readBodyInto is readBody into dst[:0] when it has the room (a pooled
// buffer), else into a buffer of its own.
func readBodyInto(c *gin.Context, limit int64, dst []byte) ([]byte, bool) {
	data, err := readAll(c.Request.Body, c.Request.ContentLength, limit, dst)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			tooLarge(c, limit)
			return nil, false
		}
		problem(c, http.StatusBadRequest, "Unreadable body", "The request body could not be read.", nil)
		return nil, false
	}
	return data, true
}

// readAll is io.ReadAll into one buffer of the announced length (a body
// that says its Content-Length, within the limit and up to 64 KiB, is read
// without the doubling copies; larger bodies grow as they arrive, so an
// announced length alone reserves no more than that). dst, when it has
// the room for the announced length, is that buffer.
func readAll(r io.Reader, length, limit int64, dst []byte) ([]byte, error) {
	if length <= 0 || length > limit || length > 64<<10 {
		return io.ReadAll(r)
	}
	buf := dst[:0]
	if int64(cap(buf)) < length+1 {
		buf = make([]byte, 0, length+1) // +1: room to see EOF without growing
	}
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) { // longer than announced: grow as io.ReadAll does
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// Pooled buffers of the hot routes (the body, the 837D): taken and given
// back by the handler, whose answer is written before it returns. A buffer
// grown past maxPooled is left to the collector.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

const maxPooled = 64 << 10

func getBuffer() *[]byte { return buffers.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) > maxPooled {
		return
	}
	*b = (*b)[:0]
	buffers.Put(b)
}

// Header values built once: the answer's media types and the small
// counts (the map of a response takes them as they are; nothing appends
// to or edits a header value in place).
var (
	ediX12Type  = []string{"application/edi-x12"}
	countValues = func() (v [64][]string) {
		for i := range v {
			v[i] = []string{strconv.Itoa(i)}
		}
		return
	}()
)

// countValue is the header value of a count.
func countValue(n int) []string {
	if n >= 0 && n < len(countValues) {
		return countValues[n]
	}
	return []string{strconv.Itoa(n)}
}

// wantsJSON reports whether the client prefers JSON to the default.
func wantsJSON(c *gin.Context) bool {
	accept := c.GetHeader("Accept")
	if accept == "" || accept == "*/*" {
		return false
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		if mt == "application/json" {
			return true
		}
	}
	return false
}
