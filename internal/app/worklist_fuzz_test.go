package app_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
)

// FuzzMergePatch: for any JSON target and patch, applying the patch is
// idempotent (RFC 7396 §1: a merge patch applied twice gives the same
// result) and leaves no null member that the patch named.
func FuzzMergePatch(f *testing.F) {
	f.Add(`{"a":"b","c":{"d":1}}`, `{"a":null,"c":{"e":2}}`)
	f.Add(`{"services":[{"charge":"120.00"}]}`, `{"services":[{"charge":"90.00"}],"frequency":"void"}`)
	f.Add(`[1]`, `{"a":{"b":null}}`)
	f.Add(`{}`, `null`)
	f.Fuzz(func(t *testing.T, target, patch string) {
		tv, ok1 := decode(target)
		pv, ok2 := decode(patch)
		if !ok1 || !ok2 {
			return
		}
		once := app.MergePatch(tv, pv)
		twice := app.MergePatch(once, pv)
		if !reflect.DeepEqual(once, twice) {
			t.Fatalf("not idempotent: %v then %v", once, twice)
		}
		if po, ok := pv.(map[string]any); ok {
			om := once.(map[string]any)
			for k, v := range po {
				if _, present := om[k]; v == nil && present {
					t.Fatalf("member %q should be deleted", k)
				}
			}
		}
	})
}

func decode(s string) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		return nil, false
	}
	return v, true
}

// FuzzWorklistQuery: the query parser never panics, and a cursor it takes
// is one it can take again.
func FuzzWorklistQuery(f *testing.F) {
	f.Add("documentation", "EXDP1", "10", "")
	f.Add("", "", "", "w1.eyJkIjoiMjAyNy0wMi0xOCIsImEiOiIxMjAuMDAiLCJjIjoiYSIsImkiOjAsImsiOiJkb2N1bWVudGF0aW9uIn0")
	f.Add("pended", "", "0", "w1.!!")
	f.Fuzz(func(t *testing.T, category, payer, limit, cursor string) {
		q, err := app.ParseWorklistQuery(category, payer, limit, cursor)
		if err != nil {
			return
		}
		if q.Limit < 0 || q.Limit > app.MaxListLimit {
			t.Fatalf("limit %d", q.Limit)
		}
		if _, err := app.ParseWorklistQuery(q.Category, q.Payer, "", q.Cursor); err != nil {
			t.Fatalf("accepted once, refused again: %v", err)
		}
	})
}

// FuzzAnalyticsQuery: the analytics query parser never panics, and what it
// takes it takes again.
func FuzzAnalyticsQuery(f *testing.F) {
	f.Add("2026-01-01", "2026-12-31", "EXDP1", "D9997")
	f.Add("2026-02-30", "", "", "")
	f.Add("", "2026-01-01", "", "D999")
	f.Fuzz(func(t *testing.T, from, to, payer, code string) {
		q, err := app.ParseAnalyticsQuery(from, to, payer, code)
		if err != nil {
			return
		}
		if q.From != "" && q.To != "" && q.To < q.From {
			t.Fatalf("to %q before from %q", q.To, q.From)
		}
		if _, err := app.ParseAnalyticsQuery(q.From, q.To, q.Payer, q.Code); err != nil {
			t.Fatalf("accepted once, refused again: %v", err)
		}
	})
}
