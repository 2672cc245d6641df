package app_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/internal/app"
)

func TestCorrectClaim(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newPayerService(t, st)
		orig := submitOK(t, svc, "t1", recordWith(t, "CC1", "", [2]string{"2026-11-02", "120.00"}))
		other := submitOK(t, svc, "t1", recordWith(t, "CC2", "", [2]string{"2026-10-02", "100.00"}))
		refused := func(err error, code string) {
			t.Helper()
			var ce *app.CorrectionError
			if !errors.As(err, &ce) || ce.Code != code {
				t.Fatalf("error %v, want %s", err, code)
			}
		}
		// no 835 yet: no payer claim number
		_, err := svc.CorrectClaim(ctx, "t1", orig.ID, []byte(`{}`), app.SubmitOptions{})
		refused(err, app.CodePayerClaimNumberUnknown)

		x := build835(t, 9,
			clp{id: "CC1", status: "4", charge: "120", paid: "0", icn: "ICN-CC1", line: "CC1-1", cas: []string{"CO*16*120"}},
			clp{id: "CC2", status: "4", charge: "100", paid: "0", icn: "ICN-CC2", line: "CC2-1", cas: []string{"CO*16*100"}})
		if _, err := svc.SubmitRemittance(ctx, "t1", x); err != nil {
			t.Fatal(err)
		}
		// refused patches
		_, err = svc.CorrectClaim(ctx, "t1", orig.ID, []byte(`[1]`), app.SubmitOptions{})
		refused(err, app.CodePatchNotObject)
		_, err = svc.CorrectClaim(ctx, "t1", orig.ID, []byte(`{"frequency":"original"}`), app.SubmitOptions{})
		refused(err, app.CodeFrequencyNotCorrection)
		_, err = svc.CorrectClaim(ctx, "t1", orig.ID, []byte(`{"narrative":`), app.SubmitOptions{})
		if app.HTTPStatus(err) != 400 {
			t.Fatalf("truncated patch: %v", err)
		}
		_, err = svc.CorrectClaim(ctx, "t1", orig.ID, []byte(`{"colour":"red"}`), app.SubmitOptions{})
		var de *app.DecodeError
		if !errors.As(err, &de) || de.Status != 422 || de.Problems[0].Code != "UNKNOWN_FIELD" || de.Problems[0].Pointer != "/colour" {
			t.Fatalf("unknown field: %v", err)
		}
		// another tenant's claim
		_, err = svc.CorrectClaim(ctx, "t2", orig.ID, []byte(`{}`), app.SubmitOptions{})
		wantErr(t, err, app.ErrNotFound, "another tenant")

		if w := must(svc.Worklist(ctx, "t1", "", app.WorklistQuery{}))(t); len(w.Items) != 2 {
			t.Fatalf("worklist before: %+v", w.Items)
		}
		// the replacement: narrative patched, frequency 7, REF*F8 = CLP07
		patch := `{"narrative":"Case management: desensitization visit coordinated with the caregiver; documentation attached.","prior_authorization":null}`
		res := must(svc.CorrectClaim(ctx, "t1", orig.ID, []byte(patch), app.SubmitOptions{IdempotencyKey: "fix-1"}))(t)
		if res.Status != app.StatusSubmitted || res.RecordID != "CC1" || res.ID == orig.ID {
			t.Fatalf("replacement: %+v", res)
		}
		for _, p := range res.Problems {
			if p.Code == app.CodeDuplicateService {
				t.Errorf("a replacement is not a duplicate of what it replaces: %+v", p)
			}
		}
		d := must(svc.GetClaim(ctx, "t1", res.ID))(t)
		var rec map[string]any
		if err := json.Unmarshal(d.Record, &rec); err != nil {
			t.Fatal(err)
		}
		if rec["frequency"] != "replacement" || rec["payer_claim_number"] != "ICN-CC1" || rec["narrative"] == nil || rec["prior_authorization"] != nil {
			t.Errorf("replacement record: %v", rec)
		}
		x837 := string(must(svc.ClaimX12(ctx, "t1", res.ID))(t))
		if !contains(x837, "*11:B:7*") || !contains(x837, "REF*F8*ICN-CC1~") {
			t.Errorf("837D of the replacement lacks CLM05-3 7 or REF*F8: %s", x837)
		}
		// the same key again: the same replacement
		again := must(svc.CorrectClaim(ctx, "t1", orig.ID, []byte(patch), app.SubmitOptions{IdempotencyKey: "fix-1"}))(t)
		if again.ID != res.ID {
			t.Errorf("idempotent correction: %s, then %s", res.ID, again.ID)
		}
		// both timelines show the link
		tl := must(svc.Timeline(ctx, "t1", orig.ID))(t)
		last := tl.Events[len(tl.Events)-1]
		if last.Kind != app.EventCorrection || string(last.Data) != `{"claim_id":"`+res.ID+`","frequency":"replacement","status":"submitted"}` {
			t.Errorf("original's last event: %s %s", last.Kind, last.Data)
		}
		tr := must(svc.Timeline(ctx, "t1", res.ID))(t)
		var stored struct{ Replaces string }
		_ = json.Unmarshal(tr.Events[0].Data, &stored)
		if tr.Events[0].Kind != app.EventStored || stored.Replaces != orig.ID {
			t.Errorf("replacement's stored event: %s", tr.Events[0].Data)
		}
		// a new claim for the same patient and date duplicates the
		// replacement, not the original it superseded
		dup := must(svc.SubmitRecord(ctx, "t1", recordWith(t, "CC9", "", [2]string{"2026-11-02", "120.00"}), app.SubmitOptions{}))(t)
		if dup.Status != app.StatusRejected || dup.Problems[0].Code != app.CodeDuplicateService ||
			!contains(dup.Problems[0].Message, res.ID) || contains(dup.Problems[0].Message, orig.ID) {
			t.Errorf("duplicate of a replaced claim: %+v", dup.Problems)
		}
		// a void of the other claim
		v := must(svc.CorrectClaim(ctx, "t1", other.ID, []byte(`{"frequency":"void"}`), app.SubmitOptions{}))(t)
		if v.Status != app.StatusSubmitted {
			t.Fatalf("void: %+v", v)
		}
		if x := string(must(svc.ClaimX12(ctx, "t1", v.ID))(t)); !contains(x, "*11:B:8*") || !contains(x, "REF*F8*ICN-CC2~") {
			t.Errorf("void 837D: %s", x)
		}
		// both corrected: nothing left open
		if w := must(svc.Worklist(ctx, "t1", "", app.WorklistQuery{}))(t); len(w.Items) != 0 {
			t.Errorf("worklist after the corrections: %+v", w.Items)
		}
		// a rejected claim is not corrected
		bad := recordWith(t, "CC3", "", [2]string{"2030-01-01", "10.00"}) // in the future: scrub error
		r, err := svc.SubmitRecord(ctx, "t1", bad, app.SubmitOptions{})
		if err != nil || r.Status != app.StatusRejected {
			t.Fatalf("rejected: %+v %v", r, err)
		}
		_, err = svc.CorrectClaim(ctx, "t1", r.ID, []byte(`{}`), app.SubmitOptions{})
		refused(err, app.CodeCorrectionOfRejected)
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// The examples of RFC 7396, Appendix A.
func TestMergePatch(t *testing.T) {
	for _, tc := range []struct{ target, patch, want string }{
		{`{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{`{"a":"b"}`, `{"a":null}`, `{}`},
		{`{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{`{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{`{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{`["a","b"]`, `["c","d"]`, `["c","d"]`},
		{`{"a":"b"}`, `["c"]`, `["c"]`},
		{`{"a":"foo"}`, `null`, `null`},
		{`{"a":"foo"}`, `"bar"`, `"bar"`},
		{`{"e":null}`, `{"a":1}`, `{"a":1,"e":null}`},
		{`[1,2]`, `{"a":"b","c":null}`, `{"a":"b"}`},
		{`{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
		{`{"n":120.10}`, `{"m":85.00}`, `{"m":85.00,"n":120.10}`}, // numbers as written
	} {
		var target, patch, want any
		for _, p := range []struct {
			s string
			v *any
		}{{tc.target, &target}, {tc.patch, &patch}, {tc.want, &want}} {
			dec := json.NewDecoder(stringsReader(p.s))
			dec.UseNumber()
			if err := dec.Decode(p.v); err != nil {
				t.Fatal(err)
			}
		}
		got := app.MergePatch(target, patch)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s + %s = %v, want %v", tc.target, tc.patch, got, want)
		}
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
