package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/mapping/fhirmap"
)

const testBase = "https://gw.example/fhir"

// fhirDoc is the part of a FHIR resource or Bundle the tests read.
type fhirDoc struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Meta         struct {
		VersionID   string `json:"versionId"`
		LastUpdated string `json:"lastUpdated"`
	} `json:"meta"`
	Type      string          `json:"-"` // a Bundle's type
	RawType   json.RawMessage `json:"type"`
	Total     *int            `json:"-"` // a Bundle's total
	RawTotal  json.RawMessage `json:"total"`
	Contained []struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	} `json:"contained"`
	Patient struct {
		Reference string `json:"reference"`
	} `json:"patient"`
	Request struct {
		Reference string `json:"reference"`
	} `json:"request"`
	Identifier []struct {
		System, Value string
	} `json:"identifier"`
	Link []struct {
		Relation, URL string
	} `json:"link"`
	Entry []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   struct {
			Mode string `json:"mode"`
		} `json:"search"`
	} `json:"entry"`
}

// readFHIR checks that data is valid R4 (google/fhir reads it back) and
// decodes it.
func readFHIR(t *testing.T, data []byte) fhirDoc {
	t.Helper()
	if _, st, out := fhir.Parse(data); st != fhir.Parsed {
		t.Fatalf("not valid R4 (%v): %+v\n%s", st, out.Issues, data)
	}
	var d fhirDoc
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if d.ResourceType == "Bundle" {
		_ = json.Unmarshal(d.RawType, &d.Type)
	}
	if d.ResourceType == "Bundle" && d.RawTotal != nil {
		var n int
		if err := json.Unmarshal(d.RawTotal, &n); err != nil {
			t.Fatal(err)
		}
		d.Total = &n
	}
	return d
}

func fhirError(t *testing.T, err error, status int, rule string) *app.FHIRError {
	t.Helper()
	var fe *app.FHIRError
	if !errors.As(err, &fe) || fe.Status != status {
		t.Fatalf("error %v, want a FHIRError %d", err, status)
	}
	if rule != "" {
		found := false
		for _, i := range fe.Outcome.Issues {
			found = found || i.Rule == rule
		}
		if !found {
			t.Errorf("no issue %s in %+v", rule, fe.Outcome.Issues)
		}
	}
	if _, err := fhir.Marshal(fe.Outcome.Resource(), false); err != nil {
		t.Fatal(err)
	}
	return fe
}

const ehrSystem = fhirmap.SystemRecordID

func TestFHIRClaimCreateRead(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		body := testdata(t, "fhir/ehr/claim-contained.json")
		res := must(svc.CreateFHIRClaim(ctx, "t1", body, app.SubmitOptions{}, ""))(t)
		if !res.Created || res.HTTPStatus() != 201 || res.Location() != "/fhir/Claim/"+res.ID+"/_history/1" {
			t.Fatalf("%+v", res)
		}
		d := readFHIR(t, res.Claim)
		if d.ResourceType != "Claim" || d.ID != res.ID || d.Meta.VersionID != "1" || d.Meta.LastUpdated == "" {
			t.Errorf("claim head %+v", d)
		}
		if !strings.HasPrefix(d.Patient.Reference, "#") || len(d.Contained) < 4 {
			t.Errorf("not self-contained: patient %q, %d contained", d.Patient.Reference, len(d.Contained))
		}
		if len(d.Identifier) != 1 || d.Identifier[0].System != ehrSystem || d.Identifier[0].Value != "SPD2002" {
			t.Errorf("identifier %+v", d.Identifier)
		}
		// the served Claim maps back to the same record (it can be posted again)
		if _, err := svc.CreateFHIRClaim(ctx, "t1", res.Claim, app.SubmitOptions{}, ""); err != nil {
			t.Errorf("served Claim does not post again: %v", err)
		}
		got := must(svc.ReadFHIRClaim(ctx, "t1", res.ID))(t)
		if !bytes.Equal(got.Claim, res.Claim) {
			t.Errorf("read back differs:\n%s\n%s", got.Claim, res.Claim)
		}
		// another tenant's claim, an unknown id: not found
		_, err := svc.ReadFHIRClaim(ctx, "t2", res.ID)
		wantErr(t, err, app.ErrNotFound, "other tenant")
		_, err = svc.ReadFHIRClaim(ctx, "t1", "nope")
		wantErr(t, err, app.ErrNotFound, "unknown id")

		// a control character in a contained name is accepted (TEXT_CLEANED);
		// the served Claim has a space there, as the 837D has, and is valid R4
		ctl := bytes.Replace(body, []byte(`"Noah"`), []byte(`"No\u0007ah \\u0007"`), 1)
		cc := must(svc.CreateFHIRClaim(ctx, "t1", ctl, app.SubmitOptions{}, ""))(t)
		readFHIR(t, cc.Claim)
		if !bytes.Contains(cc.Claim, []byte(`"No ah \\u0007"`)) {
			t.Errorf("control character: %s", cc.Claim)
		}

		// a Bundle with the Claim first is accepted too
		b := must(svc.CreateFHIRClaim(ctx, "t1", testdata(t, "fhir/ehr/bundle-claim-first.json"), app.SubmitOptions{}, ""))(t)
		readFHIR(t, b.Claim)
	})
}

func TestFHIRClaimCreateErrors(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		_, err := svc.CreateFHIRClaim(ctx, "t1", []byte(`{"resourceType": "Patient"}`), app.SubmitOptions{}, "")
		fhirError(t, err, 400, "")
		_, err = svc.CreateFHIRClaim(ctx, "t1", []byte(`not json`), app.SubmitOptions{}, "")
		fhirError(t, err, 400, fhir.RuleNotJSON)

		// a scrub error (a delimiter in the record id): stored as rejected,
		// answered 422 with the scrub issue located in the Claim
		body := strings.Replace(string(testdata(t, "fhir/ehr/claim-contained.json")), `"SPD2002"`, `"SPD*2002"`, 1)
		_, err = svc.CreateFHIRClaim(ctx, "t1", []byte(body), app.SubmitOptions{}, "")
		fe := fhirError(t, err, 422, app.RuleClaimRejected)
		located := false
		for _, i := range fe.Outcome.Issues {
			located = located || (i.Severity == "error" && strings.HasPrefix(i.Expression, "Claim.identifier"))
		}
		if !located {
			t.Errorf("no located error: %+v", fe.Outcome.Issues)
		}
		rej := must(svc.ListClaims(ctx, "t1", app.ClaimQuery{Status: app.StatusRejected}))(t)
		if len(rej.Items) != 1 {
			t.Fatalf("%d rejected stored", len(rej.Items))
		}
		// it has no FHIR form: not readable, not found by a search or a
		// conditional create
		_, err = svc.ReadFHIRClaim(ctx, "t1", rej.Items[0].ID)
		wantErr(t, err, app.ErrNotFound, "rejected claim")
		q := must(app.ParseFHIRClaimSearch(url.Values{}, false))(t)
		if d := readFHIR(t, must(svc.SearchFHIRClaims(ctx, "t1", q, testBase))(t)); len(d.Entry) != 0 || *d.Total != 0 {
			t.Errorf("search finds a rejected claim")
		}
		_, err = svc.CreateFHIRClaim(ctx, "t1", []byte(body), app.SubmitOptions{}, "identifier="+url.QueryEscape("SPD*2002"))
		fhirError(t, err, 422, app.RuleClaimRejected) // the rejected one did not match: posted (and rejected) again
	})
}

func TestFHIRConditionalCreate(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		body := testdata(t, "fhir/ehr/claim-contained.json")
		cond := "identifier=" + url.QueryEscape(ehrSystem+"|SPD2002")
		// none: created
		first := must(svc.CreateFHIRClaim(ctx, "t1", body, app.SubmitOptions{}, cond))(t)
		if !first.Created {
			t.Fatal("not created")
		}
		// one: the existing one, nothing stored
		again := must(svc.CreateFHIRClaim(ctx, "t1", body, app.SubmitOptions{}, cond))(t)
		if again.Created || again.HTTPStatus() != 200 || again.ID != first.ID || !bytes.Equal(again.Claim, first.Claim) {
			t.Fatalf("%+v", again)
		}
		for _, v := range []string{"identifier=SPD2002", "Claim?identifier=" + url.QueryEscape(ehrSystem+"|SPD2002")} {
			if r := must(svc.CreateFHIRClaim(ctx, "t1", body, app.SubmitOptions{}, v))(t); r.Created || r.ID != first.ID {
				t.Errorf("%s: %+v", v, r)
			}
		}
		list := must(svc.ListClaims(ctx, "t1", app.ClaimQuery{}))(t)
		if len(list.Items) != 1 {
			t.Fatalf("%d claims stored", len(list.Items))
		}
		// another system, or no system: no match, created
		other := must(svc.CreateFHIRClaim(ctx, "t1", body, app.SubmitOptions{}, "identifier=urn:oid:1.2.3|SPD2002"))(t)
		if !other.Created {
			t.Fatal("other system matched")
		}
		// several: 412, nothing created
		_, err := svc.CreateFHIRClaim(ctx, "t1", body, app.SubmitOptions{}, cond)
		fhirError(t, err, 412, app.RuleMultipleMatches)
		if n := len(must(svc.ListClaims(ctx, "t1", app.ClaimQuery{}))(t).Items); n != 2 {
			t.Fatalf("%d claims stored", n)
		}
		// another tenant sees none of them
		if r := must(svc.CreateFHIRClaim(ctx, "t2", body, app.SubmitOptions{}, cond))(t); !r.Created {
			t.Fatal("matched another tenant's claim")
		}
		// bad headers
		for _, h := range []string{"patient=Patient/1", "identifier=a&identifier=b", "identifier=", "identifier=a,b"} {
			_, err := svc.CreateFHIRClaim(ctx, "t1", body, app.SubmitOptions{}, h)
			fhirError(t, err, 400, "")
		}
	})
}

func TestFHIRClaimSearchPaging(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, c := newService(t, st)
		var ids []string
		for range 5 {
			ids = append(ids, submitted(t, svc, "t1", "self.json").ID)
			c.advance(1e9)
		}
		submitted(t, svc, "t1", "dependent.json")
		submitted(t, svc, "t2", "self.json")

		// identifier search, two a page, following next
		params := url.Values{"identifier": {ehrSystem + "|CM000123"}, "_count": {"2"}}
		var got []string
		for page := 0; ; page++ {
			q := must(app.ParseFHIRClaimSearch(params, false))(t)
			d := readFHIR(t, must(svc.SearchFHIRClaims(ctx, "t1", q, testBase))(t))
			if d.Type != "searchset" || d.Total == nil || *d.Total != 5 {
				t.Fatalf("page %d: type %s total %v", page, d.Type, d.Total)
			}
			for _, e := range d.Entry {
				r := readFHIR(t, e.Resource)
				if e.Search.Mode != "match" || e.FullURL != testBase+"/Claim/"+r.ID {
					t.Errorf("entry %s %s", e.FullURL, e.Search.Mode)
				}
				got = append(got, r.ID)
			}
			next := ""
			for _, l := range d.Link {
				if l.Relation == "next" {
					next = l.URL
				}
			}
			if next == "" {
				break
			}
			u, err := url.Parse(next)
			if err != nil || !strings.HasPrefix(next, testBase+"/Claim?") {
				t.Fatalf("next %q", next)
			}
			params = u.Query()
			if page > 5 {
				t.Fatal("no end")
			}
		}
		want := []string{ids[4], ids[3], ids[2], ids[1], ids[0]}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("pages %v, want %v", got, want)
		}

		// everything: six claims, one page
		q := must(app.ParseFHIRClaimSearch(url.Values{}, false))(t)
		d := readFHIR(t, must(svc.SearchFHIRClaims(ctx, "t1", q, testBase))(t))
		if d.Total == nil || *d.Total != 6 || len(d.Entry) != 6 {
			t.Errorf("all: total %v, %d entries", d.Total, len(d.Entry))
		}
		// another system: nothing
		q = must(app.ParseFHIRClaimSearch(url.Values{"identifier": {"urn:x|CM000123"}}, false))(t)
		d = readFHIR(t, must(svc.SearchFHIRClaims(ctx, "t1", q, testBase))(t))
		if d.Total == nil || *d.Total != 0 || len(d.Entry) != 0 {
			t.Errorf("other system: %v", d.Total)
		}
		// bad parameters
		for _, p := range []url.Values{{"patient": {"Patient/1"}}, {"foo": {"1"}}, {"_count": {"x"}}, {"_count": {"0"}}, {"_cursor": {"zz"}}} {
			_, err := app.ParseFHIRClaimSearch(p, false)
			fhirError(t, err, 400, "")
		}
		// lenient: ignored
		if _, err := app.ParseFHIRClaimSearch(url.Values{"foo": {"1"}, "patient": {"x"}}, true); err != nil {
			t.Error(err)
		}
		if q := must(app.ParseFHIRClaimSearch(url.Values{"_count": {"9999"}}, false))(t); q.Count != app.MaxListLimit {
			t.Errorf("count %d", q.Count)
		}
	})
}

func TestFHIRClaimResponseSearch(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, c := newService(t, st)
		self := submitted(t, svc, "t1", "self.json")
		dep := submitted(t, svc, "t1", "dependent.json")
		c.advance(1e9)
		must(svc.SubmitRemittance(ctx, "t1", build835(t, 401,
			clp{id: "CM000124", status: "1", charge: "182.5", paid: "182.5", pr: "0", icn: "ICN-D"},
			clp{id: "CM000123", status: "4", charge: "120", paid: "0", pr: "0", icn: "ICN-1", line: "CM000123-1", cas: []string{"CO*16*120"}})))(t)
		c.advance(1e9)
		must(svc.SubmitRemittance(ctx, "t1", build835(t, 402,
			clp{id: "CM000123", status: "1", charge: "120", paid: "100", pr: "20", icn: "ICN-2", line: "CM000123-1", cas: []string{"PR*1*20"}})))(t)

		for _, ref := range []string{"Claim/" + self.ID, self.ID, testBase + "/Claim/" + self.ID} {
			q := must(app.ParseFHIRClaimResponseSearch(url.Values{"request": {ref}}, testBase, false))(t)
			d := readFHIR(t, must(svc.SearchFHIRClaimResponses(ctx, "t1", q, testBase))(t))
			if d.Type != "searchset" || d.Total == nil || *d.Total != 2 || len(d.Entry) != 2 {
				t.Fatalf("%s: total %v, %d entries", ref, d.Total, len(d.Entry))
			}
			var idents []string
			for _, e := range d.Entry {
				r := readFHIR(t, e.Resource)
				if r.ResourceType != "ClaimResponse" || r.Request.Reference != "Claim/"+self.ID || e.FullURL != testBase+"/ClaimResponse/"+r.ID || e.Search.Mode != "match" {
					t.Errorf("entry %+v %s", r, e.FullURL)
				}
				for _, i := range r.Identifier {
					idents = append(idents, i.Value)
				}
			}
			if strings.Join(idents, ",") != "ICN-1,ICN-2" {
				t.Errorf("payer claim numbers %v", idents)
			}
		}
		q := must(app.ParseFHIRClaimResponseSearch(url.Values{"request": {"Claim/" + dep.ID}}, testBase, false))(t)
		if d := readFHIR(t, must(svc.SearchFHIRClaimResponses(ctx, "t1", q, testBase))(t)); len(d.Entry) != 1 {
			t.Errorf("dependent: %d", len(d.Entry))
		}
		// another tenant, an unknown claim: empty
		q = must(app.ParseFHIRClaimResponseSearch(url.Values{"request": {"Claim/" + self.ID}}, testBase, false))(t)
		if d := readFHIR(t, must(svc.SearchFHIRClaimResponses(ctx, "t2", q, testBase))(t)); len(d.Entry) != 0 || *d.Total != 0 {
			t.Errorf("other tenant: %d", len(d.Entry))
		}
		for _, p := range []url.Values{{}, {"request": {"Claim/x"}, "patient": {"y"}}} {
			_, err := app.ParseFHIRClaimResponseSearch(p, testBase, false)
			fhirError(t, err, 400, "")
		}
	})
}
