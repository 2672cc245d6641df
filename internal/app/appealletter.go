package app

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/remit"
)

// The appeal letter: one model (letter), written as HTML (html/template)
// and as PDF (fpdf) from the same paragraphs. It holds PHI by nature
// (names, member id, birth date, clinical narrative): never log it.

type letterInput struct {
	rec     *record.Record
	ev      *remittanceEvent
	finding remit.Finding
	res     *AppealResult
	notes   string
	contact string
}

type letterFact struct{ Label, Value string }

type letterSection struct {
	Heading string
	Paras   []string
}

type letter struct {
	Title    string
	Date     string
	From     []string
	To       []string
	Facts    []letterFact
	Sections []letterSection
	Closing  []string
}

func personName(first, last string) string {
	return strings.TrimSpace(first + " " + last)
}

func addressLines(a *record.Address) []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, l := range []string{a.Line1, a.Line2} {
		if l != "" {
			out = append(out, l)
		}
	}
	zip := a.PostalCode
	if len(zip) == 9 {
		zip = zip[:5] + "-" + zip[5:]
	}
	if city := strings.TrimSpace(strings.TrimSpace(a.City+", "+a.State) + " " + zip); city != "," {
		out = append(out, strings.Trim(city, ", "))
	}
	return out
}

// categoryArgument is the letter's answer to each denial category: what
// the documentation above shows (data, one sentence each).
var categoryArgument = map[codes.Category]string{
	codes.Documentation:      "The documentation the payer found missing is set out above for each date of service and enclosed: the special-needs condition, the functional limitations, how delivery was modified, the time spent, the staff who did the work, and the outcome.",
	codes.MedicalNecessity:   "The record above shows why the case management was medically necessary: without the modified delivery the patient could not receive comprehensive dental care.",
	codes.Attachment:         "The supporting documents referenced on the claim are enclosed again with this letter.",
	codes.CodeMismatch:       "D9997 is the code that describes this service: it is case management for a patient with special health care needs whose treatment delivery had to be modified, which the general case-management codes (D9991-D9994) do not describe.",
	codes.AlternateBenefit:   "An alternate benefit does not fit this service: the modified delivery for a patient with special health care needs is what D9997 describes, and a less costly code does not describe it.",
	codes.Frequency:          "Each service was needed on its own date because of the patient's condition; the record above shows the reason, the work done and its result for each one.",
	codes.BenefitMax:         "The patient's condition required each service billed; we ask that the plan review the services above against any exception it allows for patients with special health care needs.",
	codes.PriorAuthorization: "The services were those the patient's condition called for; where an authorization number is on file it is given above.",
	codes.NotCovered:         "The patient's special health care needs are what bring this service within the plan's dental benefits, as the record above shows.",
	codes.Bundling:           "The case management was a separate service from any treatment on the same date, with its own time, staff and purpose, as the record above shows.",
}

// d9997Basis paraphrases CDT D9997 (shared spec x12.md §7; CDT's own
// descriptor is the ADA's and is not quoted).
const d9997Basis = "CDT code D9997 (dental case management for patients with special health care needs) applies when a patient's physical, medical, developmental or cognitive condition causes substantial functional limitation, so that how treatment is delivered must be modified to provide comprehensive care."

func buildLetter(in letterInput) letter {
	r, ev, f, res := in.rec, in.ev, in.finding, in.res
	l := letter{
		Title: fmt.Sprintf("Appeal %d: request for reconsideration of claim %s", res.Appeal, r.RecordID),
		Date:  res.CreatedAt.Format("2006-01-02"),
	}
	bp := r.BillingProvider
	from := bp.Name
	if from == "" {
		from = personName(bp.FirstName, bp.LastName)
	}
	l.From = append([]string{from}, addressLines(bp.Address)...)
	if bp.NPI != "" {
		l.From = append(l.From, "NPI "+bp.NPI)
	}
	payerName, payerID := r.Payer.Name, r.Payer.ID
	if payerName == "" {
		payerName = ev.Payer.Name
	}
	if payerID == "" {
		payerID = ev.Payer.ID
	}
	l.To = []string{payerName + " - Appeals"}
	if payerID != "" {
		l.To = append(l.To, "Payer ID "+payerID)
	}
	sub := r.Subscriber
	member := personName(sub.FirstName, sub.LastName)
	patient, birth := member, sub.BirthDate
	if r.Patient != nil {
		patient, birth = personName(r.Patient.FirstName, r.Patient.LastName), r.Patient.BirthDate
	}
	var dates []string
	billed := money.Amount{}
	for _, s := range r.Services {
		if !strings.Contains(strings.Join(dates, " "), s.Date) {
			dates = append(dates, s.Date)
		}
		if s.Charge != nil {
			billed = billed.Add(*s.Charge)
		}
	}
	l.Facts = []letterFact{
		{"Payer", payerName},
		{"Member", member},
		{"Member ID", sub.MemberID},
	}
	if sub.GroupNumber != "" {
		l.Facts = append(l.Facts, letterFact{"Group number", sub.GroupNumber})
	}
	l.Facts = append(l.Facts,
		letterFact{"Patient", patient},
		letterFact{"Patient birth date", birth},
		letterFact{"Claim number (patient control number)", r.RecordID},
		letterFact{"Payer claim number", res.PayerClaimNumber},
		letterFact{"Dates of service", strings.Join(dates, ", ")},
		letterFact{"Billed", billed.String()},
		letterFact{"Amount appealed", f.Amount.String()},
	)
	if ev.PaymentDate != "" {
		l.Facts = append(l.Facts, letterFact{"Remittance date", ev.PaymentDate})
	}
	if r.PriorAuthorization != "" {
		l.Facts = append(l.Facts, letterFact{"Prior authorization", r.PriorAuthorization})
	}

	denial := letterSection{Heading: "The denial"}
	what := "the claim"
	if f.LineControlNumber != "" {
		what = "service line " + f.LineControlNumber
	}
	denial.Paras = append(denial.Paras, fmt.Sprintf("Your remittance%s denied %s of %s (category: %s) with the codes below. We ask you to reconsider it.",
		onDate(ev.PaymentDate), f.Amount.String(), what, strings.ReplaceAll(string(f.Category), "_", " ")))
	for _, c := range res.Codes {
		t := c.Text
		if t == "" {
			t = "(no description on file)"
		}
		if c.Group != "" {
			g := adjustmentGroups[c.Group]
			if g == "" {
				g = "group " + c.Group
			}
			denial.Paras = append(denial.Paras, fmt.Sprintf("%s-%s (%s, reason %s): %s", c.Group, c.Code, g, c.Code, t))
		} else {
			denial.Paras = append(denial.Paras, fmt.Sprintf("Remark %s: %s", c.Code, t))
		}
	}
	l.Sections = append(l.Sections, denial)

	sn := specialNeeds(r)
	why := letterSection{Heading: "Why D9997 applies", Paras: []string{d9997Basis}}
	if sn.Condition != "" {
		p := "The patient's condition: " + sentence(sn.Condition)
		if len(r.Diagnoses) > 0 {
			p += " Diagnoses (ICD-10-CM): " + strings.Join(r.Diagnoses, ", ") + "."
		}
		why.Paras = append(why.Paras, p)
	}
	if sn.FunctionalLimitations != "" {
		why.Paras = append(why.Paras, "Functional limitations: "+sentence(sn.FunctionalLimitations))
	}
	if sn.DeliveryModifications != "" {
		why.Paras = append(why.Paras, "How treatment delivery was modified: "+sentence(sn.DeliveryModifications))
	}
	l.Sections = append(l.Sections, why)

	svc := letterSection{Heading: "Services, by date of service"}
	for _, s := range r.Services {
		p := fmt.Sprintf("%s, line %s (%s, %s)", s.Date, s.LineID, s.Code, chargeOf(s))
		var parts []string
		if s.Minutes > 0 {
			parts = append(parts, strconv.Itoa(s.Minutes)+" minutes")
		}
		if s.CaseManagementType != "" {
			parts = append(parts, "of "+strings.ReplaceAll(s.CaseManagementType, "_", " "))
		}
		if s.Staff != nil && s.Staff.Name != "" {
			who := s.Staff.Name
			if s.Staff.Credential != "" {
				who += ", " + s.Staff.Credential
			}
			if s.Staff.Role != "" {
				who += " (" + s.Staff.Role + ")"
			}
			parts = append(parts, "by "+who)
		}
		if len(parts) > 0 {
			p += ": " + strings.Join(parts, " ")
		}
		p += "."
		for _, kv := range [][2]string{{"Reason", s.Reason}, {"Actions", s.Actions}, {"Patient benefit", s.PatientBenefit},
			{"Follow-up", s.FollowUp}, {"Note", s.Note}} {
			if strings.TrimSpace(kv[1]) != "" {
				p += " " + kv[0] + ": " + sentence(kv[1])
			}
		}
		svc.Paras = append(svc.Paras, p)
	}
	l.Sections = append(l.Sections, svc)

	if strings.TrimSpace(r.Narrative) != "" {
		l.Sections = append(l.Sections, letterSection{Heading: "Case narrative", Paras: []string{sentence(r.Narrative)}})
	}
	if in.notes != "" {
		l.Sections = append(l.Sections, letterSection{Heading: "Additional notes", Paras: strings.Split(in.notes, "\n")})
	}

	req := letterSection{Heading: "Our request"}
	if a := categoryArgument[f.Category]; a != "" {
		req.Paras = append(req.Paras, a)
	}
	req.Paras = append(req.Paras, "Please reconsider the denial and process the claim for payment as billed.")
	l.Sections = append(l.Sections, req)

	enc := letterSection{Heading: "Enclosures"}
	for _, a := range r.Attachments {
		t := a.ID
		if a.Title != "" {
			t += ": " + a.Title
		}
		enc.Paras = append(enc.Paras, "Attachment "+t)
	}
	for _, it := range res.Checklist {
		enc.Paras = append(enc.Paras, "Checklist, "+it.Title+": "+it.Status+".")
	}
	l.Sections = append(l.Sections, enc)

	l.Closing = []string{"Sincerely,"}
	if rp := r.RenderingProvider; rp != nil && rp.LastName != "" {
		l.Closing = append(l.Closing, personName(rp.FirstName, rp.LastName)+", NPI "+rp.NPI)
	}
	l.Closing = append(l.Closing, from)
	contact := in.contact
	if contact == "" && r.Submitter != nil && r.Submitter.ContactName != "" {
		contact = strings.TrimSpace(r.Submitter.ContactName + " " + r.Submitter.Phone + " " + r.Submitter.Email)
	}
	if contact != "" {
		l.Closing = append(l.Closing, "Contact: "+contact)
	}
	return l
}

func onDate(d string) string {
	if d == "" {
		return ""
	}
	return " of " + d
}

func chargeOf(s record.Service) string {
	if s.Charge == nil {
		return "no charge"
	}
	return s.Charge.String()
}

// sentence ends s with a period unless it ends with punctuation.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".!?") {
		return s
	}
	return s + "."
}

var letterTemplate = template.Must(template.New("letter").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; font-size: 11pt; max-width: 48em; margin: 2em auto; line-height: 1.4; }
address { font-style: normal; margin-bottom: 1em; }
table { border-collapse: collapse; margin: 1em 0; }
th { text-align: left; padding-right: 1em; font-weight: normal; color: #444; }
h1 { font-size: 14pt; } h2 { font-size: 12pt; margin-top: 1.5em; }
</style>
</head>
<body>
<address>{{range .From}}{{.}}<br>
{{end}}</address>
<p>{{.Date}}</p>
<address>{{range .To}}{{.}}<br>
{{end}}</address>
<h1>{{.Title}}</h1>
<table>
{{range .Facts}}<tr><th scope="row">{{.Label}}</th><td>{{.Value}}</td></tr>
{{end}}</table>
{{range .Sections}}<h2>{{.Heading}}</h2>
{{range .Paras}}<p>{{.}}</p>
{{end}}{{end}}<p>{{range $i, $l := .Closing}}{{if $i}}<br>
{{end}}{{$l}}{{end}}</p>
</body>
</html>
`))

func renderLetterHTML(l letter) ([]byte, error) {
	var b bytes.Buffer
	if err := letterTemplate.Execute(&b, l); err != nil {
		return nil, fmt.Errorf("app: appeal letter HTML: %w", err)
	}
	return b.Bytes(), nil
}

// renderLetterPDF writes the letter as an A4 PDF in a core font (Helvetica,
// text in Windows-1252). Content streams are not compressed: a one- or
// two-page letter stays small (~10 KB), and its text can be read back with
// the PDF's text operators (the tests do). Dates in the document
// information are the appeal's, so one appeal always gives the same bytes.
func renderLetterPDF(l letter, at time.Time) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false)
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetProducer("casebridge", true)
	pdf.SetTitle("Appeal letter", true)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()
	const lh = 5.0
	para := func(style string, size float64, s string) {
		pdf.SetFont("Helvetica", style, size)
		pdf.MultiCell(0, lh, tr(s), "", "L", false)
	}
	for _, s := range l.From {
		para("", 10, s)
	}
	pdf.Ln(lh)
	para("", 10, l.Date)
	pdf.Ln(lh)
	for _, s := range l.To {
		para("", 10, s)
	}
	pdf.Ln(lh)
	para("B", 13, l.Title)
	pdf.Ln(2)
	for _, f := range l.Facts {
		para("", 10, f.Label+": "+f.Value)
	}
	for _, sec := range l.Sections {
		pdf.Ln(3)
		para("B", 11, sec.Heading)
		for _, p := range sec.Paras {
			pdf.Ln(1)
			para("", 10, p)
		}
	}
	pdf.Ln(lh)
	for _, s := range l.Closing {
		para("", 10, s)
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("app: appeal letter PDF: %w", err)
	}
	return b.Bytes(), nil
}
