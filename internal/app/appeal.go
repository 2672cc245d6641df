package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/internal/codes"
	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/record"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// EventAppeal is the timeline event of a stored appeal packet. Data:
// {appeal (n, 1-based per claim), finding (its index in the latest
// remittance event's findings), category, codes[] (the finding's codes as
// in the findings report, e.g. "CO-16", "N850"), html, pdf (URL paths)}.
const EventAppeal = "appeal"

// Limits of POST /v1/claims/{id}/appeals's body.
const (
	MaxAppealNotes   = 4000
	MaxAppealContact = 200
)

// AppealOptions are the request's options besides its body.
type AppealOptions struct {
	// IdempotencyKey: stored with the appeal; a retry with the key answers
	// the stored appeal again (as for claims).
	IdempotencyKey string
}

// AppealResult is an appeal packet as POST /v1/claims/{id}/appeals (201)
// and GET /v1/claims/{id}/appeals/{n} answer it. Listing leaves FHIR out.
type AppealResult struct {
	ClaimID          string          `json:"claim_id"`
	Appeal           int             `json:"appeal"`  // n, 1-based per claim
	Finding          int             `json:"finding"` // index in the latest remittance event's findings (zero-based)
	Category         codes.Category  `json:"category"`
	Amount           money.Amount    `json:"amount"`
	RemittanceID     string          `json:"remittance_id"`
	PayerClaimNumber string          `json:"payer_claim_number"`
	Codes            []AppealCode    `json:"codes"`
	Checklist        []ChecklistItem `json:"checklist"`
	Attachments      []string        `json:"attachments"` // PWK06 ids to enclose
	HTML             string          `json:"html"`        // URL path of the letter
	PDF              string          `json:"pdf"`
	FHIR             json.RawMessage `json:"fhir,omitempty"` // the R4 Communication
	CreatedAt        time.Time       `json:"created_at"`
}

// AppealCode is one code of the appealed finding: a CARC with its group
// (CAS01) or a RARC (group "").
type AppealCode struct {
	Code  string `json:"code"`
	Group string `json:"group"`
	Text  string `json:"text"`
}

// AppealList is GET /v1/claims/{id}/appeals.
type AppealList struct {
	ClaimID string         `json:"claim_id"`
	Items   []AppealResult `json:"items"`
}

// AppealPath is the URL path of a claim's appeal n; ext is "", ".html" or ".pdf".
func AppealPath(claimID string, n int, ext string) string {
	return ClaimPath(claimID) + "/appeals/" + strconv.Itoa(n) + ext
}

// AppealRefused is a 422 of POST /v1/claims/{id}/appeals: the claim has no
// denial to appeal (APPEAL_NO_DENIAL), the finding asked for is not one
// (APPEAL_FINDING_INVALID, pointer into the request body), or the record
// lacks what the denial category needs (APPEAL_DOCUMENTATION_MISSING, one
// problem per record field to fill, pointers into the stored record).
// Messages name fields and rules, never values.
type AppealRefused struct {
	Detail    string
	Problems  record.Problems
	Checklist []ChecklistItem // set for APPEAL_DOCUMENTATION_MISSING
}

func (e *AppealRefused) Error() string { return "app: appeal refused: " + e.Detail }

// appealRequest is the optional body.
type appealRequest struct {
	finding     json.RawMessage
	notes       string
	contact     string
	findingCode string
	findingIdx  int // -1 when not given as an index
}

// parseAppealRequest reads the body: empty, or one object with the optional
// members finding (an index into the findings, or a code such as "CO-16"),
// additional_notes and contact (strings).
func parseAppealRequest(body []byte) (appealRequest, error) {
	req := appealRequest{findingIdx: -1}
	if len(bytes.TrimSpace(body)) == 0 {
		return req, nil
	}
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		off := dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		return req, &DecodeError{Status: 400, Syntax: &record.SyntaxError{Offset: off, Msg: "the body must be one JSON object"}}
	}
	var probs record.Problems
	bad := func(ptr, code, msg string) {
		probs = append(probs, record.Problem{Severity: record.SeverityError, Code: code, Pointer: ptr, Message: msg})
	}
	str := func(key string, max int) string {
		raw, ok := m[key]
		if !ok || string(raw) == "null" {
			return ""
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			bad("/"+key, "TYPE_MISMATCH", "Must be a string.")
			return ""
		}
		if len(s) > max {
			bad("/"+key, "TOO_LONG", fmt.Sprintf("Must be at most %d bytes.", max))
		}
		return strings.TrimSpace(s)
	}
	for k := range m {
		switch k {
		case "finding", "additional_notes", "contact":
		default:
			bad("", "UNKNOWN_FIELD", "The body takes only finding, additional_notes and contact.")
		}
	}
	req.notes = str("additional_notes", MaxAppealNotes)
	req.contact = str("contact", MaxAppealContact)
	if raw, ok := m["finding"]; ok && string(raw) != "null" {
		var n int
		var s string
		switch {
		case json.Unmarshal(raw, &n) == nil && n >= 0:
			req.findingIdx = n
		case json.Unmarshal(raw, &s) == nil && s != "" && len(s) <= 20:
			req.findingCode = s
		default:
			bad("/finding", "TYPE_MISMATCH", "Must be a finding's zero-based index or one of its codes (e.g. CO-16).")
		}
	}
	if len(probs) > 0 {
		return req, &DecodeError{Status: 422, Problems: probs}
	}
	return req, nil
}

// appealFinding picks the finding to appeal from the claim's latest
// remittance event: the one asked for, else the first denial. Open
// findings are the denial categories (codes.Category.IsDenial) except
// pended: a pended claim has no decision to appeal yet.
func appealFinding(ev *remittanceEvent, req appealRequest) (int, error) {
	open := func(f remit.Finding) bool { return f.Category.IsDenial() && f.Category != codes.Pended }
	switch {
	case req.findingIdx >= 0:
		if req.findingIdx < len(ev.Findings) && open(ev.Findings[req.findingIdx]) {
			return req.findingIdx, nil
		}
	case req.findingCode != "":
		for i, f := range ev.Findings {
			if !open(f) {
				continue
			}
			for _, c := range f.Codes {
				if c == req.findingCode || (strings.Contains(c, "-") && c[strings.IndexByte(c, '-')+1:] == req.findingCode) {
					return i, nil
				}
			}
		}
	default:
		for i, f := range ev.Findings {
			if open(f) {
				return i, nil
			}
		}
		return 0, &AppealRefused{Detail: "The claim's latest remittance denied nothing: there is no denial to appeal.",
			Problems: record.Problems{{Severity: record.SeverityError, Code: "APPEAL_NO_DENIAL",
				Message: "The claim's latest remittance has no open denial finding."}}}
	}
	return 0, &AppealRefused{Detail: "The finding asked for is not an open denial of the claim's latest remittance.",
		Problems: record.Problems{{Severity: record.SeverityError, Code: "APPEAL_FINDING_INVALID", Pointer: "/finding",
			Message: "No open denial finding of the claim's latest remittance has this index or code."}}}
}

// latestRemittance is the claim's last "remittance" event, nil when none.
func latestRemittance(evs []Event) (*remittanceEvent, error) {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind != EventRemittance {
			continue
		}
		var ev remittanceEvent
		if err := json.Unmarshal(evs[i].Payload, &ev); err != nil {
			return nil, fmt.Errorf("app: a stored remittance event does not read back: %w", err)
		}
		return &ev, nil
	}
	return nil, nil
}

// adjustmentGroups are the CAS01 claim adjustment group codes
// (005010X221A1 CAS01; X12 code list 1033).
var adjustmentGroups = map[string]string{
	"CO": "contractual obligation",
	"CR": "correction or reversal",
	"OA": "other adjustment",
	"PI": "payer-initiated reduction",
	"PR": "patient responsibility",
}

// appealCodes explains a finding's codes: "CO-16" is CARC 16 under group
// CO, "N850" a RARC (internal/codes tables; "" text for a code they lack).
func appealCodes(list []string) []AppealCode {
	out := make([]AppealCode, 0, len(list))
	for _, c := range list {
		if g, r, ok := strings.Cut(c, "-"); ok {
			info, _ := codes.CARC(r)
			out = append(out, AppealCode{Code: r, Group: g, Text: info.Text()})
			continue
		}
		info, _ := codes.RARC(c)
		out = append(out, AppealCode{Code: c, Text: info.Text()})
	}
	return out
}

// CreateAppeal is POST /v1/claims/{id}/appeals: the appeal packet of the
// claim's latest remittance's denial (body: optional {finding,
// additional_notes, contact}). It decides which finding is appealed, marks
// the documentation checklist from the stored record, refuses (422,
// *AppealRefused) when the claim has no denial or the record lacks an item
// the denial category needs, writes the letter (HTML and PDF) and the FHIR
// Communication, and stores the appeal with an "appeal" timeline event in
// one transaction. ErrNotFound for a claim that is not the tenant's. The
// letter holds PHI: callers log ids and counts only.
func (s *Service) CreateAppeal(ctx context.Context, tenant, claimID string, body []byte, opts AppealOptions) (*AppealResult, error) {
	req, err := parseAppealRequest(body)
	if err != nil {
		return nil, err
	}
	c, err := s.claim(ctx, tenant, claimID)
	if err != nil {
		return nil, err
	}
	if opts.IdempotencyKey != "" {
		if old, ok, err := s.appealByKey(ctx, tenant, claimID, opts.IdempotencyKey); err != nil || ok {
			return old, err
		}
	}
	rec, probs, err := record.DecodeBytes(c.Record)
	if err != nil || probs.HasErrors() {
		return nil, fmt.Errorf("app: claim %s: the stored record does not read back", c.ID)
	}
	rec = rec.WithDefaults()
	evs, err := s.store.ListEvents(ctx, tenant, c.ID)
	if err != nil {
		return nil, err
	}
	ev, err := latestRemittance(evs)
	if err != nil {
		return nil, err
	}
	if ev == nil {
		return nil, &AppealRefused{Detail: "No remittance has been reconciled to this claim: there is no denial to appeal.",
			Problems: record.Problems{{Severity: record.SeverityError, Code: "APPEAL_NO_DENIAL",
				Message: "No remittance (835) names this claim yet."}}}
	}
	idx, err := appealFinding(ev, req)
	if err != nil {
		return nil, err
	}
	f := ev.Findings[idx]
	checklist := Checklist(rec, f.Category)
	if missing := missingRequired(checklist); len(missing) > 0 {
		return nil, &AppealRefused{
			Detail:    "The record lacks documentation that a " + string(f.Category) + " denial needs; fill the fields named and appeal again.",
			Problems:  missing,
			Checklist: checklist,
		}
	}
	crID, err := s.claimResponseID(ctx, tenant, c.ID, ev.RemittanceID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	res := &AppealResult{
		ClaimID: c.ID, Finding: idx, Category: f.Category, Amount: f.Amount, RemittanceID: ev.RemittanceID,
		PayerClaimNumber: ev.PayerClaimNumber, Codes: appealCodes(f.Codes), Checklist: checklist,
		Attachments: []string{}, CreatedAt: now,
	}
	for _, a := range rec.Attachments {
		res.Attachments = append(res.Attachments, a.ID)
	}
	in := letterInput{rec: rec, ev: ev, finding: f, res: res, notes: req.notes, contact: req.contact}
	var stored Appeal
	for try := 0; ; try++ {
		err = s.store.WithTx(ctx, func(tx Store) error {
			prev, err := tx.ListAppeals(ctx, tenant, c.ID)
			if err != nil {
				return err
			}
			n := len(prev) + 1
			if len(prev) > 0 {
				n = prev[len(prev)-1].N + 1
			}
			a, err := buildAppeal(in, n, crID)
			if err != nil {
				return err
			}
			a.Tenant, a.IdempotencyKey = tenant, opts.IdempotencyKey
			if stored, err = tx.CreateAppeal(ctx, a); err != nil {
				return err
			}
			if stored.N != n {
				return errAppealNumberTaken
			}
			_, err = tx.AppendEvent(ctx, tenant, Event{ClaimID: c.ID, Kind: EventAppeal, At: now, Payload: mustJSON(appealEvent{
				Appeal: n, Finding: idx, Category: f.Category, Codes: nonNil(f.Codes),
				HTML: AppealPath(c.ID, n, ".html"), PDF: AppealPath(c.ID, n, ".pdf"),
			})})
			return err
		})
		if errors.Is(err, errAppealNumberTaken) && try < 5 {
			continue
		}
		break
	}
	if errors.Is(err, ErrConflict) && opts.IdempotencyKey != "" {
		if old, ok, err := s.appealByKey(ctx, tenant, claimID, opts.IdempotencyKey); err != nil || ok {
			return old, err
		}
	}
	if err != nil {
		return nil, err
	}
	var out AppealResult
	if err := json.Unmarshal(stored.Body, &out); err != nil {
		return nil, fmt.Errorf("app: appeal body: %w", err)
	}
	return &out, nil
}

// errAppealNumberTaken: a concurrent appeal of the claim took the number
// the letter was written with; the transaction is run again.
var errAppealNumberTaken = errors.New("app: appeal number taken meanwhile")

type appealEvent struct {
	Appeal   int            `json:"appeal"`
	Finding  int            `json:"finding"`
	Category codes.Category `json:"category"`
	Codes    []string       `json:"codes"`
	HTML     string         `json:"html"`
	PDF      string         `json:"pdf"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// buildAppeal writes the letter (HTML, PDF) and the Communication for
// appeal number n and returns the row to store.
func buildAppeal(in letterInput, n int, claimResponseID string) (Appeal, error) {
	res := *in.res
	res.Appeal = n
	res.HTML = AppealPath(res.ClaimID, n, ".html")
	res.PDF = AppealPath(res.ClaimID, n, ".pdf")
	in.res = &res
	l := buildLetter(in)
	html, err := renderLetterHTML(l)
	if err != nil {
		return Appeal{}, err
	}
	pdf, err := renderLetterPDF(l, res.CreatedAt)
	if err != nil {
		return Appeal{}, err
	}
	comm := fhirmap.AppealCommunication(fhirmap.Appeal{
		ID:      uuid.NewSHA1(appealNS, []byte(res.ClaimID+"/"+strconv.Itoa(n))).String(),
		ClaimID: res.ClaimID, ClaimResponseID: claimResponseID, PDF: pdf,
		Title: "Appeal " + strconv.Itoa(n) + " of claim " + in.rec.RecordID, Created: res.CreatedAt,
	})
	if res.FHIR, err = fhir.Marshal(comm, false); err != nil {
		return Appeal{}, fmt.Errorf("app: appeal Communication: %w", err)
	}
	body, err := json.Marshal(res)
	if err != nil {
		return Appeal{}, fmt.Errorf("app: appeal body: %w", err)
	}
	return Appeal{ClaimID: res.ClaimID, N: n, Finding: strconv.Itoa(res.Finding), Body: body, HTML: html, PDF: pdf, CreatedAt: res.CreatedAt}, nil
}

// appealNS is the UUIDv5 namespace of appeal Communication ids.
var appealNS = uuid.NewSHA1(uuid.NameSpaceURL, []byte(fhirmap.Base+"Communication/appeal"))

// claimResponseID is the id GET /fhir/ClaimResponse serves for the claim's
// CLP of this remittance (the last one linked to the claim: CLPs apply in
// file order, so it is the one the latest event came from).
func (s *Service) claimResponseID(ctx context.Context, tenant, claimID, remittanceID string) (string, error) {
	if remittanceID == "" {
		return "", nil
	}
	rem, err := s.store.GetRemittance(ctx, tenant, remittanceID)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	pos := -1
	for i, l := range rem.Links {
		if l.ClaimID == claimID {
			pos = i
		}
	}
	if pos < 0 {
		return "", nil
	}
	return uuid.NewSHA1(claimResponseNS, []byte(rem.ID+"/"+strconv.Itoa(pos))).String(), nil
}

// appealByKey answers a retry: the appeal stored under the key, when it is
// this claim's; ErrIdempotencyKeyReused when the key made another claim's.
func (s *Service) appealByKey(ctx context.Context, tenant, claimID, key string) (*AppealResult, bool, error) {
	a, err := s.store.AppealByIdempotencyKey(ctx, tenant, key)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if a.ClaimID != claimID {
		return nil, false, ErrIdempotencyKeyReused
	}
	var out AppealResult
	if err := json.Unmarshal(a.Body, &out); err != nil {
		return nil, false, fmt.Errorf("app: appeal body: %w", err)
	}
	return &out, true, nil
}

// ListAppeals is GET /v1/claims/{id}/appeals: the claim's appeals, oldest
// first, without their Communications.
func (s *Service) ListAppeals(ctx context.Context, tenant, claimID string) (*AppealList, error) {
	c, err := s.claim(ctx, tenant, claimID)
	if err != nil {
		return nil, err
	}
	as, err := s.store.ListAppeals(ctx, tenant, c.ID)
	if err != nil {
		return nil, err
	}
	out := &AppealList{ClaimID: c.ID, Items: make([]AppealResult, 0, len(as))}
	for _, a := range as {
		var r AppealResult
		if err := json.Unmarshal(a.Body, &r); err != nil {
			return nil, fmt.Errorf("app: appeal body: %w", err)
		}
		r.FHIR = nil
		out.Items = append(out.Items, r)
	}
	return out, nil
}

// AppealDocument is GET /v1/claims/{id}/appeals/{file}: file is "n" (the
// appeal as JSON), "n.html" or "n.pdf". It returns the bytes and their
// media type. ErrNotFound for anything else.
func (s *Service) AppealDocument(ctx context.Context, tenant, claimID, file string) ([]byte, string, error) {
	num, ext, _ := strings.Cut(file, ".")
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || strconv.Itoa(n) != num {
		return nil, "", fmt.Errorf("app: appeal %w", ErrNotFound)
	}
	c, err := s.claim(ctx, tenant, claimID)
	if err != nil {
		return nil, "", err
	}
	a, err := s.store.GetAppeal(ctx, tenant, c.ID, n)
	if err != nil {
		return nil, "", err
	}
	switch {
	case ext == "html" && strings.Contains(file, "."):
		return a.HTML, "text/html; charset=utf-8", nil
	case ext == "pdf":
		return a.PDF, "application/pdf", nil
	case !strings.Contains(file, "."):
		return a.Body, "application/json", nil
	}
	return nil, "", fmt.Errorf("app: appeal document %w", ErrNotFound)
}
