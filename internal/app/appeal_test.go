package app_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/app"
	"github.com/casebridge/casebridge/internal/golden"
)

// deniedClaim stores testdata/records/FILE (tenant t) and the 835 that
// denies its CLM01 (testdata/appeals/denial_cm000123.x12: CO-16 with
// M127), and returns the claim id.
func deniedClaim(t *testing.T, svc *app.Service, tenant string, recordJSON []byte) string {
	t.Helper()
	res := must(svc.SubmitRecord(ctx, tenant, recordJSON, app.SubmitOptions{}))(t)
	if res.Status != app.StatusSubmitted {
		t.Fatalf("record: %s %+v", res.Status, res.Problems)
	}
	rem := must(svc.SubmitRemittance(ctx, tenant, testdata(t, "appeals/denial_cm000123.x12")))(t)
	if rem.Matched != 1 {
		t.Fatalf("835 matched %d claims", rem.Matched)
	}
	return res.ID
}

// pdfText reads the text a PDF written by the letter shows: every string
// of a Tj operator of its (uncompressed) content streams, one per line.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf, []byte("%%EOF")) {
		t.Fatalf("not a whole PDF")
	}
	if bytes.Contains(pdf, []byte("/FlateDecode")) {
		t.Fatalf("compressed content stream: the text cannot be read back")
	}
	var b strings.Builder
	for _, m := range regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\) ?Tj`).FindAllSubmatch(pdf, -1) {
		s := string(m[1])
		var out strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] == '\\' && i+1 < len(s) {
				i++
				switch s[i] {
				case 'n':
					out.WriteByte('\n')
				case 'r':
					out.WriteByte('\r')
				case 't':
					out.WriteByte('\t')
				default:
					if s[i] >= '0' && s[i] <= '7' { // \ddd octal
						j := i
						for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
							j++
						}
						n, _ := strconv.ParseUint(s[i:j], 8, 8)
						out.WriteByte(byte(n))
						i = j - 1
						continue
					}
					out.WriteByte(s[i])
				}
				continue
			}
			out.WriteByte(s[i])
		}
		b.WriteString(out.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func TestAppealPacket(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		id := deniedClaim(t, svc, "local", testdata(t, "records/self.json"))
		res := must(svc.CreateAppeal(ctx, "local", id, nil, app.AppealOptions{}))(t)
		if res.Appeal != 1 || res.Finding != 0 || res.Category != "documentation" || res.PayerClaimNumber != "ICN0201CM123" ||
			res.HTML != "/v1/claims/"+id+"/appeals/1.html" || res.PDF != "/v1/claims/"+id+"/appeals/1.pdf" {
			t.Fatalf("appeal: %+v", res)
		}
		want := []app.AppealCode{{Code: "16", Group: "CO", Text: "Information needed to decide the claim is missing or the claim has billing errors; the remark code says what."},
			{Code: "M127", Text: "The patient's medical record for this service is missing."}}
		if len(res.Codes) != 2 || res.Codes[0] != want[0] || res.Codes[1] != want[1] {
			t.Fatalf("codes: %+v", res.Codes)
		}
		if len(res.Attachments) != 1 || res.Attachments[0] != "ATT000123" {
			t.Fatalf("attachments: %v", res.Attachments)
		}
		for _, it := range res.Checklist {
			if it.Status != "present" || !it.RequiredForCategory {
				t.Errorf("checklist %s: %+v", it.Item, it)
			}
		}
		// the stored letter, HTML and PDF, against the golden files
		html, ctype := must2(svc.AppealDocument(ctx, "local", id, "1.html"))(t)
		if ctype != "text/html; charset=utf-8" {
			t.Fatalf("html type %s", ctype)
		}
		golden.Check(t, filepath.Join("..", "..", "testdata", "appeals", "letter.html"), html)
		pdf, ctype := must2(svc.AppealDocument(ctx, "local", id, "1.pdf"))(t)
		if ctype != "application/pdf" {
			t.Fatalf("pdf type %s", ctype)
		}
		golden.Check(t, filepath.Join("..", "..", "testdata", "appeals", "letter.pdf.txt"), []byte(pdfText(t, pdf)))
		// the JSON (claim id and the Communication aside)
		body, _ := must2(svc.AppealDocument(ctx, "local", id, "1"))(t)
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		comm := m["fhir"].(map[string]any)
		delete(m, "fhir")
		out, _ := json.MarshalIndent(m, "", "  ")
		golden.Check(t, filepath.Join("..", "..", "testdata", "appeals", "appeal.json"), []byte(strings.NewReplacer(id, "CLAIM_ID", res.RemittanceID, "REMITTANCE_ID").Replace(string(out))+"\n"))
		// the Communication: valid R4 (google/fhir's validating reader), about
		// the Claim and its ClaimResponse, the PDF as payload
		if parsed, status, _ := fhir.Parse(res.FHIR); status != fhir.Parsed || parsed.GetCommunication() == nil {
			t.Fatalf("the Communication does not read back as valid R4: %v", status)
		}
		if comm["resourceType"] != "Communication" || comm["status"] != "preparation" {
			t.Fatalf("communication: %v %v", comm["resourceType"], comm["status"])
		}
		about := comm["about"].([]any)
		if len(about) != 2 || about[0].(map[string]any)["reference"] != "Claim/"+id ||
			!strings.HasPrefix(about[1].(map[string]any)["reference"].(string), "ClaimResponse/") {
			t.Fatalf("about: %v", about)
		}
		crs := string(must(svc.SearchFHIRClaimResponses(ctx, "local", must(app.ParseFHIRClaimResponseSearch(map[string][]string{"request": {"Claim/" + id}}, "", false))(t), ""))(t))
		if !strings.Contains(crs, `"id":"`+strings.TrimPrefix(about[1].(map[string]any)["reference"].(string), "ClaimResponse/")+`"`) {
			t.Fatalf("the ClaimResponse referenced is not the one served: %s", crs)
		}
		cat := comm["category"].([]any)[0].(map[string]any)
		coding := cat["coding"].([]any)[0].(map[string]any)
		if cat["text"] != "appeal" || coding["system"] != "http://terminology.hl7.org/CodeSystem/v2-0922" || coding["code"] != "RA" {
			t.Fatalf("category: %v", cat)
		}
		att := comm["payload"].([]any)[0].(map[string]any)["contentAttachment"].(map[string]any)
		data, err := base64.StdEncoding.DecodeString(att["data"].(string))
		if err != nil || att["contentType"] != "application/pdf" || !bytes.Equal(data, pdf) {
			t.Fatalf("payload: %v %v", att["contentType"], err)
		}
		// the Communication as a golden file under testdata/fhir/golden, which
		// .ci/fhir-validate.sh checks with two independent R4 validators: the
		// ids are made fixed and the PDF is cut to its signature
		att["data"] = base64.StdEncoding.EncodeToString([]byte("%PDF-"))
		comm["id"] = "appeal-communication"
		commOut, _ := json.MarshalIndent(comm, "", "  ")
		crID := strings.TrimPrefix(about[1].(map[string]any)["reference"].(string), "ClaimResponse/")
		golden.Check(t, filepath.Join("..", "..", "testdata", "fhir", "golden", "appeal-communication.json"),
			[]byte(strings.NewReplacer(id, "claim-id", crID, "claimresponse-id").Replace(string(commOut))+"\n"))
		// the timeline's "appeal" event
		tl := must(svc.Timeline(ctx, "local", id))(t)
		last := tl.Events[len(tl.Events)-1]
		wantEv := `{"appeal":1,"finding":0,"category":"documentation","codes":["CO-16","M127"],"html":"/v1/claims/` + id +
			`/appeals/1.html","pdf":"/v1/claims/` + id + `/appeals/1.pdf"}`
		if last.Kind != "appeal" || string(last.Data) != wantEv {
			t.Fatalf("event %s %s", last.Kind, last.Data)
		}
		// a second appeal with notes, by code; the list
		res2 := must(svc.CreateAppeal(ctx, "local", id, []byte(`{"finding": "M127", "additional_notes": "Records enclosed.", "contact": "Front desk 555-0100"}`), app.AppealOptions{}))(t)
		if res2.Appeal != 2 || res2.Finding != 0 {
			t.Fatalf("second: %+v", res2)
		}
		html2, _ := must2(svc.AppealDocument(ctx, "local", id, "2.html"))(t)
		if !bytes.Contains(html2, []byte("<p>Records enclosed.</p>")) || !bytes.Contains(html2, []byte("Contact: Front desk 555-0100")) {
			t.Fatalf("notes and contact not in the letter")
		}
		list := must(svc.ListAppeals(ctx, "local", id))(t)
		if len(list.Items) != 2 || list.Items[0].Appeal != 1 || list.Items[1].Appeal != 2 || list.Items[0].FHIR != nil {
			t.Fatalf("list: %+v", list)
		}
		// another tenant sees nothing
		_, err = svc.CreateAppeal(ctx, "other", id, nil, app.AppealOptions{})
		wantErr(t, err, app.ErrNotFound, "other tenant's claim")
		_, _, err = svc.AppealDocument(ctx, "other", id, "1.pdf")
		wantErr(t, err, app.ErrNotFound, "other tenant's letter")
		for _, f := range []string{"3.pdf", "0.pdf", "01.pdf", "1.txt", "1.pdf.pdf", "x", ""} {
			_, _, err = svc.AppealDocument(ctx, "local", id, f)
			wantErr(t, err, app.ErrNotFound, "document "+f)
		}
	})
}

func must2[A, B any](a A, b B, err error) func(t *testing.T) (A, B) {
	return func(t *testing.T) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}

func TestAppealIdempotencyKey(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		id := deniedClaim(t, svc, "local", testdata(t, "records/self.json"))
		a := must(svc.CreateAppeal(ctx, "local", id, nil, app.AppealOptions{IdempotencyKey: "k1"}))(t)
		b := must(svc.CreateAppeal(ctx, "local", id, nil, app.AppealOptions{IdempotencyKey: "k1"}))(t)
		if a.Appeal != 1 || b.Appeal != 1 {
			t.Fatalf("retry made appeal %d", b.Appeal)
		}
		if list := must(svc.ListAppeals(ctx, "local", id))(t); len(list.Items) != 1 {
			t.Fatalf("%d appeals stored", len(list.Items))
		}
		tl := must(svc.Timeline(ctx, "local", id))(t)
		n := 0
		for _, e := range tl.Events {
			if e.Kind == "appeal" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d appeal events", n)
		}
	})
}

// refusal asserts a 422 AppealRefused with these codes and pointers.
func refusal(t *testing.T, err error, code string, pointers ...string) *app.AppealRefused {
	t.Helper()
	var ar *app.AppealRefused
	if !errors.As(err, &ar) {
		t.Fatalf("error %v, want AppealRefused %s", err, code)
	}
	var got []string
	for _, p := range ar.Problems {
		if p.Code != code {
			t.Errorf("problem code %s, want %s", p.Code, code)
		}
		got = append(got, p.Pointer)
	}
	if len(pointers) > 0 && strings.Join(got, " ") != strings.Join(pointers, " ") {
		t.Errorf("pointers %v, want %v", got, pointers)
	}
	return ar
}

func TestAppealRefused(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		// no remittance yet
		sub := must(svc.SubmitRecord(ctx, "local", testdata(t, "records/dependent.json"), app.SubmitOptions{}))(t)
		_, err := svc.CreateAppeal(ctx, "local", sub.ID, nil, app.AppealOptions{})
		refusal(t, err, "APPEAL_NO_DENIAL")
		// the denial needs the documentation the record lacks: staff and time on the line
		rec := strings.NewReplacer(`"minutes": 45,`, ``, `"staff": {"name": "Maria Lopez", "credential": "RDH", "role": "case manager"},`, ``).
			Replace(string(testdata(t, "records/self.json")))
		id := deniedClaim(t, svc, "local", []byte(rec))
		_, err = svc.CreateAppeal(ctx, "local", id, nil, app.AppealOptions{})
		ar := refusal(t, err, "APPEAL_DOCUMENTATION_MISSING", "/services/0/minutes", "/services/0/staff/name", "/services/0/staff/credential")
		if strings.Contains(ar.Detail+ar.Problems[0].Message, "Lopez") {
			t.Fatal("refusal quotes the record")
		}
		if list := must(svc.ListAppeals(ctx, "local", id))(t); len(list.Items) != 0 {
			t.Fatal("a refused appeal was stored")
		}
		// a finding that is not an open denial
		for _, body := range []string{`{"finding": 1}`, `{"finding": "CO-45"}`} {
			_, err = svc.CreateAppeal(ctx, "local", id, []byte(body), app.AppealOptions{})
			refusal(t, err, "APPEAL_FINDING_INVALID", "/finding")
		}
		// bodies that are not the contract
		for body, status := range map[string]int{`{"finding": -1}`: 422, `{"notes": "x"}`: 422, `{"contact": 5}`: 422,
			`{"finding": 0`: 400, `[1]`: 400, `{} {}`: 400, `"x"`: 400} {
			_, err = svc.CreateAppeal(ctx, "local", id, []byte(body), app.AppealOptions{})
			var de *app.DecodeError
			if !errors.As(err, &de) || de.Status != status {
				t.Errorf("%s: %v, want a %d DecodeError", body, err, status)
			}
		}
	})
}

// A dependent's claim with two dates of service, denied as not medically
// necessary (CO-50): the letter names the patient (not the subscriber) and
// argues each date; a paid claim has nothing to appeal.
func TestAppealDependentPerDate(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		sub := submitted(t, svc, "local", "dependent.json")
		must(svc.SubmitRemittance(ctx, "local", build835(t, 301, clp{id: "CM000124", status: "4", charge: "182.5", paid: "0", pr: "0",
			icn: "ICN124", cas: []string{"CO*50*182.5"}})))(t)
		res := must(svc.CreateAppeal(ctx, "local", sub.ID, nil, app.AppealOptions{}))(t)
		if res.Category != "medical_necessity" || res.Codes[0].Code != "50" || res.Codes[0].Group != "CO" {
			t.Fatalf("appeal: %+v", res)
		}
		html, _ := must2(svc.AppealDocument(ctx, "local", sub.ID, "1.html"))(t)
		pdf, _ := must2(svc.AppealDocument(ctx, "local", sub.ID, "1.pdf"))(t)
		text := pdfText(t, pdf)
		for _, want := range []string{"Patient: Lily Nguyen", "Patient birth date: 2015-09-14", "Member: Robert Nguyen",
			"Dates of service: 2026-10-05, 2026-10-19", "2026-10-05, line CM000124-A (D9997, 95.00): 30 minutes of specialty scheduling by Tom",
			"2026-10-19, line CM000124-B (D9997, 87.50): 25 minutes", "Functional limitations: Wheelchair user",
			"CO-50 (contractual obligation, reason 50): The payer does not consider the service medically necessary."} {
			if !strings.Contains(strings.ReplaceAll(text, "\n", " "), want) {
				t.Errorf("PDF text lacks %q", want)
			}
		}
		if !bytes.Contains(html, []byte("<th scope=\"row\">Patient</th><td>Lily Nguyen</td>")) {
			t.Errorf("HTML does not name the patient")
		}
		// paid in full later: the latest remittance denies nothing
		must(svc.SubmitRemittance(ctx, "local", build835(t, 302, clp{id: "CM000124", status: "1", charge: "182.5", paid: "182.5", pr: "0", icn: "ICN124"})))(t)
		_, err := svc.CreateAppeal(ctx, "local", sub.ID, nil, app.AppealOptions{})
		refusal(t, err, "APPEAL_NO_DENIAL")
	})
}

// Text outside Windows-1252 (the PDF's core font) prints as "." in the PDF
// and as itself in the HTML; the letter is still written whole.
func TestAppealLetterCharacters(t *testing.T) {
	eachStore(t, func(t *testing.T, st app.Store) {
		svc, _ := newService(t, st)
		rec := strings.NewReplacer(`"Jane"`, `"Zoë 李"`, `"Doe"`, `"O'Brien (Smith)"`).Replace(string(testdata(t, "records/self.json")))
		id := deniedClaim(t, svc, "local", []byte(rec))
		must(svc.CreateAppeal(ctx, "local", id, nil, app.AppealOptions{}))(t)
		pdf, _ := must2(svc.AppealDocument(ctx, "local", id, "1.pdf"))(t)
		if text := pdfText(t, pdf); !strings.Contains(text, "Member: Zo\xeb . O'Brien (Smith)") {
			t.Errorf("PDF text: %q", text[:400])
		}
		html, _ := must2(svc.AppealDocument(ctx, "local", id, "1.html"))(t)
		if !bytes.Contains(html, []byte("Zoë 李 O&#39;Brien (Smith)")) {
			t.Errorf("HTML does not carry the name escaped")
		}
	})
}
