package httpapi_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The console's page and its two assets are served with the page's
// security headers and their own content types.
func TestConsoleAssetsAndHeaders(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ path, ctype, marker string }{
		{"/", "text/html; charset=utf-8", "<main id=\"main\""},
		{"/app.js", "text/javascript; charset=utf-8", "function drawChart("},
		{"/app.css", "text/css; charset=utf-8", "svg.chart .bar"},
	} {
		w := h.do("GET", tc.path, "", "", nil)
		if w.Code != 200 || w.Header().Get("Content-Type") != tc.ctype || !strings.Contains(w.Body.String(), tc.marker) {
			t.Errorf("GET %s: %d %q, marker %q present: %v", tc.path, w.Code, w.Header().Get("Content-Type"), tc.marker, strings.Contains(w.Body.String(), tc.marker))
		}
		for header, want := range map[string]string{"Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
			if got := w.Header().Get(header); got != want {
				t.Errorf("GET %s: %s %q, want %q", tc.path, header, got, want)
			}
		}
		csp := w.Header().Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %s", tc.path, csp, want)
			}
		}
	}
}

var (
	reID        = regexp.MustCompile(`\bid="([^"]+)"`)
	reJSID      = regexp.MustCompile(`(?:\$|getElementById)\("([^"]+)"\)`)
	reControl   = regexp.MustCompile(`<(input|select|textarea)\b([^>]*)>`)
	reLabelFor  = regexp.MustCompile(`<label\b[^>]*\bfor="([^"]+)"`)
	reSection   = regexp.MustCompile(`<section\b[^>]*\baria-labelledby="([^"]+)"`)
	reLiveMsg   = regexp.MustCompile(`<p id="([a-z]+-msg)" class="msg" role="status" aria-live="polite">`)
	reAttrValue = func(name string) *regexp.Regexp { return regexp.MustCompile(`\b` + name + `="([^"]*)"`) }
)

// Every element the script looks up exists on the page; every form control
// has a label (label for= or aria-label); the page has its landmarks, one
// h1, a heading for every section and a live region for each section's
// results; and the script writes the gateway's answers as text only.
func TestConsoleStructureAndAccessibility(t *testing.T) {
	h := newHarness(t)
	page := h.do("GET", "/", "", "", nil).Body.String()
	js := h.do("GET", "/app.js", "", "", nil).Body.String()

	ids := map[string]int{}
	for _, m := range reID.FindAllStringSubmatch(page, -1) {
		ids[m[1]]++
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("id %q appears %d times", id, n)
		}
	}
	looked := reJSID.FindAllStringSubmatch(js, -1)
	if len(looked) < 40 {
		t.Fatalf("the script looks up only %d elements: the pattern no longer matches its code", len(looked))
	}
	for _, m := range looked {
		if ids[m[1]] == 0 {
			t.Errorf("app.js looks up #%s, which the page lacks", m[1])
		}
	}

	labelled := map[string]bool{}
	for _, m := range reLabelFor.FindAllStringSubmatch(page, -1) {
		labelled[m[1]] = true
	}
	controls := reControl.FindAllStringSubmatch(page, -1)
	if len(controls) < 15 {
		t.Fatalf("only %d controls found", len(controls))
	}
	for _, m := range controls {
		id := reAttrValue("id").FindStringSubmatch(m[2])
		if strings.Contains(m[2], `type="hidden"`) {
			continue
		}
		if (id == nil || !labelled[id[1]]) && !strings.Contains(m[2], "aria-label=") {
			t.Errorf("<%s%s> has no label", m[1], m[2])
		}
	}

	for _, want := range []string{"<header>", `<nav aria-label="Sections">`, `<main id="main"`, `<html lang="en">`, `class="skip" href="#main"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if n := strings.Count(page, "<h1"); n != 1 {
		t.Errorf("%d h1 headings", n)
	}
	sections := reSection.FindAllStringSubmatch(page, -1)
	if len(sections) != strings.Count(page, "<section") || len(sections) < 6 {
		t.Errorf("%d sections with aria-labelledby of %d", len(sections), strings.Count(page, "<section"))
	}
	for _, m := range sections {
		if !strings.Contains(page, `<h2 id="`+m[1]+`"`) {
			t.Errorf("section labelled by %s, which is not an h2", m[1])
		}
	}
	var live []string
	for _, m := range reLiveMsg.FindAllStringSubmatch(page, -1) {
		live = append(live, m[1])
	}
	for _, want := range []string{"claims-msg", "claim-msg", "worklist-msg", "analytics-msg", "appeal-msg"} {
		if !slices.Contains(live, want) {
			t.Errorf("no live region %s (have %v)", want, live)
		}
	}

	// answers go in as text; the appeal letter through sanitizeInto only;
	// nothing reaches the browser's console (answers hold PHI)
	for _, banned := range []string{"console.", "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", `setAttribute("style"`, "srcdoc"} {
		if strings.Contains(js, banned) {
			t.Errorf("app.js uses %s", banned)
		}
	}
	for _, tag := range []string{`"SCRIPT"`, `"STYLE"`, `"IFRAME"`, `"OBJECT"`, `"LINK"`, `"BASE"`, `"FORM"`} {
		if !strings.Contains(js[strings.Index(js, "const dropTags"):], tag) {
			t.Errorf("sanitizeInto does not drop %s", tag)
		}
	}
	if !strings.Contains(js, `sessionStorage`) || strings.Contains(js, "localStorage") {
		t.Error("the API key must live in sessionStorage only")
	}
}

var (
	reJSRoute   = regexp.MustCompile(`"(/(?:v1|fhir)/[^"?]*)`)
	reJSSuffix  = regexp.MustCompile(`encodeURIComponent\([a-zA-Z.]+\) \+ "(/[a-z]+)"`)
	reSpecPaths = regexp.MustCompile(`(?m)^  (/[^:\s]*):`)
)

// Every route the console calls is one the API documents (openapi.yaml):
// literal paths, and the claim routes it builds from an id.
func TestConsoleCallsDocumentedRoutes(t *testing.T) {
	h := newHarness(t)
	js := h.do("GET", "/app.js", "", "", nil).Body.String()
	spec := h.do("GET", "/openapi.yaml", "", "", nil).Body.String()
	documented := map[string]bool{}
	for _, m := range reSpecPaths.FindAllStringSubmatch(spec, -1) {
		documented[m[1]] = true
	}
	var called []string
	for _, m := range reJSRoute.FindAllStringSubmatch(js, -1) {
		p := m[1]
		if p == "/v1/claims/" { // the prefix of the id routes below
			p = "/v1/claims/{id}"
		}
		called = append(called, p)
	}
	for _, m := range reJSSuffix.FindAllStringSubmatch(js, -1) {
		called = append(called, "/v1/claims/{id}"+m[1])
	}
	for _, want := range []string{"/v1/worklist", "/v1/analytics", "/v1/claims/{id}/appeals", "/v1/claims/{id}/corrections", "/v1/claims/{id}/timeline"} {
		if !slices.Contains(called, want) {
			t.Errorf("the console no longer calls %s (or the pattern misses it): %v", want, called)
		}
	}
	for _, p := range called {
		if !documented[p] {
			t.Errorf("app.js calls %s, which openapi.yaml does not document", p)
		}
	}
}
