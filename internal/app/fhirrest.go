package app

// The FHIR REST view of the stored claims (issue 9): the use cases behind
//
//	POST /fhir/Claim                  CreateFHIRClaim → 201 (200 when If-None-Exist matched one), Location
//	GET  /fhir/Claim/{id}             ReadFHIRClaim
//	GET  /fhir/Claim?identifier=&_count=&_cursor=   ParseFHIRClaimSearch, SearchFHIRClaims → searchset Bundle
//	GET  /fhir/ClaimResponse?request=Claim/{id}     ParseFHIRClaimResponseSearch, SearchFHIRClaimResponses
//
// A stored claim is a FHIR Claim when it was accepted (status anything but
// rejected): only those have a FHIR Bundle, written by fhirmap.ToBundle from
// the record. The Claim served is that Bundle's Claim with every other entry
// of the Bundle contained in it (references rewritten from urn:uuid:… to
// #…), its id the stored claim's id, meta.versionId "1" (a stored Claim
// never changes: remittances change the claim's status, which the
// ClaimResponses carry) and meta.lastUpdated its creation time. A rejected
// claim has no FHIR form: it is not found under /fhir (it is under
// /v1/claims).
//
// Input errors are *FHIRError (an OperationOutcome and a 4xx status), or a
// *OptionError (unknown profile or usage, 400); ErrNotFound is 404;
// anything else is the machine's fault (500).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	anypb "google.golang.org/protobuf/types/known/anypb"

	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
	crpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/claim_response_go_proto"

	"github.com/casebridge/casebridge/adapters/fhir"
	"github.com/casebridge/casebridge/mapping/fhirmap"
	"github.com/casebridge/casebridge/mapping/remit"
)

// FHIRVersionID is the version of every stored Claim (they are never updated).
const FHIRVersionID = "1"

// Rules (OperationOutcome issue.details codes) of the FHIR REST routes.
const (
	RuleSearchParam      = "FHIR_SEARCH_PARAM"       // unknown or unsupported search parameter
	RuleSearchValue      = "FHIR_SEARCH_VALUE"       // a parameter value that cannot be used
	RuleMultipleMatches  = "FHIR_MULTIPLE_MATCHES"   // If-None-Exist matched several claims
	RuleClaimRejected    = "FHIR_CLAIM_REJECTED"     // stored as rejected: not accepted
	RuleClaimNotStorable = "FHIR_CLAIM_NOT_STORABLE" // no record id to store it under
)

// FHIRError is an input error of a FHIR REST route: the HTTP status (4xx)
// and the OperationOutcome to answer. Its issues are PHI-free (they never
// quote the input).
type FHIRError struct {
	Status  int
	Outcome *fhir.Outcome
}

func (e *FHIRError) Error() string { return fmt.Sprintf("app: FHIR request refused (%d)", e.Status) }

func fhirErr(status int, code, rule, expr, details string) *FHIRError {
	return &FHIRError{Status: status, Outcome: &fhir.Outcome{Issues: []fhir.Issue{{
		Severity: "error", Code: code, Rule: rule, Expression: expr, Details: details}}}}
}

// ClaimHistoryPath is the Location of a created FHIR Claim.
func ClaimHistoryPath(id string) string {
	return "/fhir/Claim/" + id + "/_history/" + FHIRVersionID
}

// FHIRCreated is what CreateFHIRClaim did.
type FHIRCreated struct {
	// Created is false when If-None-Exist matched one stored claim: nothing
	// was stored and Claim is the existing one (HTTP 200).
	Created      bool
	ID           string
	LastModified time.Time
	Claim        []byte // the stored Claim (application/fhir+json)
}

// Location is the created (or matched) Claim's version URL path.
func (r *FHIRCreated) Location() string { return ClaimHistoryPath(r.ID) }

// HTTPStatus is 201 for a created Claim, 200 for a conditional match.
func (r *FHIRCreated) HTTPStatus() int {
	if r.Created {
		return 201
	}
	return 200
}

// CreateFHIRClaim is POST /fhir/Claim: a FHIR Claim (its resources
// contained) or a collection Bundle with the Claim first, stored with
// SubmitFHIR. ifNoneExist is the If-None-Exist header ("" for none):
// identifier=[system]|value (see ParseIdentifierToken); one accepted claim
// with that identifier is returned as it is (nothing stored), several are a
// 412, none lets the create go on. The check and the create are not one
// transaction: two concurrent conditional creates of one identifier may
// both store (retries are what the Idempotency-Key is for).
//
// A Claim is created only when accepted. Errors: *FHIRError 400/422 for a
// body SubmitFHIR refuses (nothing stored); *FHIRError 422 with the scrub
// issues (FHIRPath expressions) when the claim was stored as rejected: the
// EHR must not take it as accepted, and a rejected claim has no FHIR form
// (its stored id is named in an information issue, for GET /v1/claims/{id});
// *FHIRError 400 for a bad If-None-Exist, 412 for several matches.
func (s *Service) CreateFHIRClaim(ctx context.Context, tenant string, body []byte, opts SubmitOptions, ifNoneExist string) (*FHIRCreated, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	if strings.TrimSpace(ifNoneExist) != "" && !s.keyUsed(ctx, tenant, opts.IdempotencyKey) {
		q, err := parseIfNoneExist(ifNoneExist)
		if err != nil {
			return nil, err
		}
		matches, err := s.fhirMatches(ctx, tenant, q, 2)
		if err != nil {
			return nil, err
		}
		switch len(matches) {
		case 1:
			body, err := s.fhirClaimJSON(matches[0])
			if err != nil {
				return nil, err
			}
			return &FHIRCreated{ID: matches[0].ID, LastModified: matches[0].CreatedAt, Claim: body}, nil
		case 2:
			return nil, fhirErr(412, "multiple-matches", RuleMultipleMatches, "",
				"If-None-Exist matches more than one stored Claim; nothing was created.")
		}
	}
	res, err := s.SubmitFHIR(ctx, tenant, body, opts)
	if err != nil {
		var de *DecodeError
		if errors.As(err, &de) {
			return nil, decodeToFHIR(de)
		}
		return nil, err
	}
	if res.Status == StatusRejected {
		out := &fhir.Outcome{}
		for _, p := range res.Problems {
			code := "business-rule"
			if p.Severity != "error" {
				code = "informational"
			}
			out.Issues = append(out.Issues, fhir.Issue{Severity: p.Severity, Code: code, Rule: p.Code,
				Expression: p.Expression, Details: p.Message, Diagnostics: p.Message})
		}
		out.Issues = append(out.Issues, fhir.Issue{Severity: "information", Code: "informational", Rule: RuleClaimRejected,
			Details: "The claim was not accepted: it is stored as rejected under id " + res.ID +
				" (GET /v1/claims/" + res.ID + ") and has no FHIR Claim. Correct it and post it again."})
		return nil, &FHIRError{Status: 422, Outcome: out}
	}
	c, err := s.store.GetClaim(ctx, tenant, res.ID)
	if err != nil {
		return nil, err
	}
	claim, err := s.fhirClaimJSON(c)
	if err != nil {
		return nil, err
	}
	return &FHIRCreated{Created: true, ID: c.ID, LastModified: c.CreatedAt, Claim: claim}, nil
}

// keyUsed tells whether a claim is stored under the Idempotency-Key: then
// a conditional create is a retry of one that created that claim, and
// SubmitFHIR answers it as it was answered (201), not as a match (200).
func (s *Service) keyUsed(ctx context.Context, tenant, key string) bool {
	_, ok, err := s.claimByKey(ctx, s.store, tenant, key, nil)
	return ok && err == nil
}

// decodeToFHIR is a SubmitFHIR input error as an OperationOutcome.
func decodeToFHIR(de *DecodeError) *FHIRError {
	if de.FHIR != nil {
		return &FHIRError{Status: de.Status, Outcome: de.FHIR}
	}
	// a mapped record with no record id to store it under: its problems,
	// located at Claim.identifier
	out := &fhir.Outcome{}
	for _, p := range de.Problems {
		expr := ""
		if p.Pointer == "/record_id" {
			expr = "Claim.identifier"
		}
		out.Issues = append(out.Issues, fhir.Issue{Severity: p.Severity, Code: "business-rule", Rule: p.Code,
			Expression: expr, Details: p.Message, Diagnostics: p.Message})
	}
	if len(out.Issues) == 0 {
		out.Issues = append(out.Issues, fhir.Issue{Severity: "error", Code: "business-rule", Rule: RuleClaimNotStorable,
			Expression: "Claim.identifier", Details: "The Claim cannot be stored: it needs an identifier of 1-100 characters."})
	}
	status := de.Status
	if status < 400 || status > 499 {
		status = 422
	}
	return &FHIRError{Status: status, Outcome: out}
}

// ReadFHIRClaim is GET /fhir/Claim/{id}: the stored Claim. ErrNotFound for
// an unknown id, another tenant's claim or a rejected one.
func (s *Service) ReadFHIRClaim(ctx context.Context, tenant, id string) (*FHIRCreated, error) {
	c, err := s.claim(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	if c.Status == StatusRejected || c.FHIRBundle == nil {
		return nil, fmt.Errorf("app: claim has no FHIR form: %w", ErrNotFound)
	}
	body, err := s.fhirClaimJSON(c)
	if err != nil {
		return nil, err
	}
	return &FHIRCreated{ID: c.ID, LastModified: c.CreatedAt, Claim: body}, nil
}

// IdentifierQuery is a parsed identifier token as it applies to our Claims:
// Claim.identifier is always fhirmap.SystemRecordID|record_id.
type IdentifierQuery struct {
	// None: the token can match no stored Claim (another system, or no
	// system given with "|value").
	None bool
	// RecordID is the record id to match; "" with None false matches every
	// Claim (ours|, any value of our system).
	RecordID string
}

// ParseIdentifierToken reads a token search value: "system|value",
// "|value" (no system), "value" (any system) or "system|" (any value of
// that system), with FHIR's escapes (\| \, \$ \\). A list of values
// (unescaped comma) is not supported (*FHIRError 400).
func ParseIdentifierToken(v string) (IdentifierQuery, error) {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(v); i++ {
		switch ch := v[i]; {
		case ch == '\\' && i+1 < len(v):
			i++
			cur.WriteByte(v[i])
		case ch == ',':
			return IdentifierQuery{}, fhirErr(400, "not-supported", RuleSearchValue, "",
				"The identifier parameter takes one value here; lists of values (commas) are not supported.")
		case ch == '|':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(ch)
		}
	}
	parts = append(parts, cur.String())
	switch {
	case len(parts) == 1 && parts[0] != "":
		return IdentifierQuery{RecordID: parts[0]}, nil
	case len(parts) == 2 && (parts[0] != "" || parts[1] != ""):
		if parts[0] != fhirmap.SystemRecordID {
			// no system, or another one: our Claims carry only ours
			return IdentifierQuery{None: true}, nil
		}
		return IdentifierQuery{RecordID: parts[1]}, nil
	}
	return IdentifierQuery{}, fhirErr(400, "invalid", RuleSearchValue, "",
		"The identifier parameter must be system|value, |value or value.")
}

// parseIfNoneExist reads If-None-Exist: a query string with exactly one
// identifier parameter.
func parseIfNoneExist(h string) (IdentifierQuery, error) {
	h = strings.TrimSpace(h)
	if i := strings.IndexByte(h, '?'); i >= 0 {
		h = h[i+1:] // "Claim?identifier=…" is read like "identifier=…"
	}
	vals, err := url.ParseQuery(h)
	if err != nil {
		return IdentifierQuery{}, fhirErr(400, "invalid", RuleSearchValue, "", "If-None-Exist is not a query string.")
	}
	for k := range vals {
		if k != "identifier" {
			return IdentifierQuery{}, fhirErr(400, "not-supported", RuleSearchParam, "",
				"If-None-Exist supports only the identifier parameter.")
		}
	}
	if len(vals["identifier"]) != 1 {
		return IdentifierQuery{}, fhirErr(400, "invalid", RuleSearchValue, "",
			"If-None-Exist must give exactly one identifier=[system]|value.")
	}
	return ParseIdentifierToken(vals["identifier"][0])
}

// fhirMatches returns up to max accepted claims with this identifier,
// newest first.
func (s *Service) fhirMatches(ctx context.Context, tenant string, q IdentifierQuery, max int) ([]Claim, error) {
	if q.None {
		return nil, nil
	}
	if q.RecordID != "" && !storableID(q.RecordID) {
		return nil, nil
	}
	cl, _, err := s.acceptedPage(ctx, tenant, q.RecordID, max, "")
	return cl, err
}

// acceptedPage reads up to limit accepted claims (newest first) after
// cursor, skipping rejected ones, and the cursor of the next page ("" on
// the last one). The cursors are the store's (EncodeCursor), so they keep
// its keyset guarantee.
func (s *Service) acceptedPage(ctx context.Context, tenant, recordID string, limit int, cursor string) ([]Claim, string, error) {
	var out []Claim
	for {
		page, err := s.store.ListClaims(ctx, tenant, ClaimFilter{RecordID: recordID, Limit: min(limit+1, MaxListLimit), Cursor: cursor})
		if err != nil {
			return nil, "", err
		}
		for _, c := range page.Claims {
			if c.Status == StatusRejected || c.FHIRBundle == nil {
				continue
			}
			if len(out) == limit {
				last := out[len(out)-1]
				return out, EncodeCursor(last.CreatedAt, last.ID), nil
			}
			out = append(out, c)
		}
		if page.Next == "" {
			return out, "", nil
		}
		cursor = page.Next
	}
}

// FHIRClaimSearch is GET /fhir/Claim's query, parsed.
type FHIRClaimSearch struct {
	Identifier *IdentifierQuery // nil: every Claim
	identifier string           // as given, for the links
	Count      int
	Cursor     string
}

// The search parameters of GET /fhir/Claim. patient is known and refused:
// the Patient of a stored Claim is contained in it (no Patient resource is
// served, and its id is derived per claim from the record id), and the
// EHR's own Patient id is not kept, so no patient reference can name it.
const (
	ParamIdentifier = "identifier"
	ParamPatient    = "patient"
	ParamCount      = "_count"
	ParamCursor     = "_cursor" // our opaque paging cursor (the next link carries it)
	ParamRequest    = "request"
)

// ParseFHIRClaimSearch reads GET /fhir/Claim's query. Unknown parameters
// (and patient, see above) are *FHIRError 400 unless lenient (Prefer:
// handling=lenient), which ignores them; _format is always accepted and
// ignored (JSON is the only format). _count is 1..MaxListLimit, default
// DefaultListLimit; a larger one is capped (FHIR lets a server return
// fewer). A bad _cursor is 400.
func ParseFHIRClaimSearch(params url.Values, lenient bool) (FHIRClaimSearch, error) {
	q := FHIRClaimSearch{Count: DefaultListLimit}
	for k, vs := range params {
		switch k {
		case ParamIdentifier:
			if len(vs) != 1 {
				if lenient {
					continue
				}
				return q, fhirErr(400, "not-supported", RuleSearchParam, "", "Give identifier once.")
			}
			iq, err := ParseIdentifierToken(vs[0])
			if err != nil {
				return q, err
			}
			q.Identifier, q.identifier = &iq, vs[0]
		case ParamCount:
			n, err := strconv.Atoi(vs[len(vs)-1])
			if err != nil || n < 1 {
				return q, fhirErr(400, "invalid", RuleSearchValue, "", fmt.Sprintf("_count must be a whole number from 1 to %d.", MaxListLimit))
			}
			q.Count = min(n, MaxListLimit)
		case ParamCursor:
			c := vs[len(vs)-1]
			if _, id, err := DecodeCursor(c); err != nil || !storableID(id) {
				return q, fhirErr(400, "invalid", RuleSearchValue, "", "_cursor is not a cursor this server gave.")
			}
			q.Cursor = c
		case "_format":
		case ParamPatient:
			if !lenient {
				return q, fhirErr(400, "not-supported", RuleSearchParam, "",
					"The patient search parameter is not supported: a stored Claim's Patient is contained in it, so no patient reference can name it. Search by identifier.")
			}
		default:
			if !lenient {
				return q, fhirErr(400, "not-supported", RuleSearchParam, "",
					"Unknown or unsupported search parameter; Claim supports identifier, _count (and _cursor from a next link).")
			}
		}
	}
	return q, nil
}

// SearchFHIRClaims is GET /fhir/Claim: a searchset Bundle of the tenant's
// accepted Claims, newest first, q.Count a page, fullUrl base/Claim/{id}.
// Bundle.total is given when it is known without counting every stored
// claim: for an identifier search (when it matches at most 100 claims) and
// for a first page that holds every match; otherwise it is left out (R4
// allows it; the store has no count query). base is the FHIR base URL
// (https://host/fhir).
func (s *Service) SearchFHIRClaims(ctx context.Context, tenant string, q FHIRClaimSearch, base string) ([]byte, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	var claims []Claim
	next, recordID := "", ""
	total := -1
	switch {
	case q.Identifier != nil && q.Identifier.None,
		q.Identifier != nil && q.Identifier.RecordID != "" && !storableID(q.Identifier.RecordID):
		total = 0
	default:
		if q.Identifier != nil {
			recordID = q.Identifier.RecordID
		}
		var err error
		if claims, next, err = s.acceptedPage(ctx, tenant, recordID, q.Count, q.Cursor); err != nil {
			return nil, err
		}
		switch {
		case q.Cursor == "" && next == "":
			total = len(claims)
		case recordID != "":
			all, err := s.store.FindClaims(ctx, tenant, ClaimMatch{RecordID: recordID})
			if err != nil {
				return nil, err
			}
			if len(all) < 100 {
				total = 0
				for _, c := range all {
					if c.Status != StatusRejected && c.FHIRBundle != nil {
						total++
					}
				}
			}
		}
	}
	b := searchset(total)
	params := url.Values{}
	if q.Identifier != nil {
		params.Set(ParamIdentifier, q.identifier)
	}
	params.Set(ParamCount, strconv.Itoa(q.Count))
	self := url.Values{}
	for k, v := range params {
		self[k] = v
	}
	if q.Cursor != "" {
		self.Set(ParamCursor, q.Cursor)
	}
	b.Link = append(b.Link, link("self", base+"/Claim?"+self.Encode()))
	if next != "" {
		params.Set(ParamCursor, next)
		b.Link = append(b.Link, link("next", base+"/Claim?"+params.Encode()))
	}
	for _, c := range claims {
		cr, err := s.fhirClaim(c)
		if err != nil {
			return nil, err
		}
		b.Entry = append(b.Entry, match(base+"/Claim/"+c.ID, cr))
	}
	return fhir.Marshal(b, false)
}

func searchset(total int) *bcrpb.Bundle {
	b := &bcrpb.Bundle{
		Id:   &dpb.Id{Value: uuid.NewString()},
		Type: &bcrpb.Bundle_TypeCode{Value: cpb.BundleTypeCode_SEARCHSET},
	}
	if total >= 0 {
		b.Total = &dpb.UnsignedInt{Value: uint32(total)}
	}
	return b
}

func link(rel, u string) *bcrpb.Bundle_Link {
	return &bcrpb.Bundle_Link{Relation: &dpb.String{Value: rel}, Url: &dpb.Uri{Value: u}}
}

func match(fullURL string, cr *bcrpb.ContainedResource) *bcrpb.Bundle_Entry {
	return &bcrpb.Bundle_Entry{
		FullUrl:  &dpb.Uri{Value: fullURL},
		Resource: cr,
		Search:   &bcrpb.Bundle_Entry_Search{Mode: &bcrpb.Bundle_Entry_Search_ModeCode{Value: cpb.SearchEntryModeCode_MATCH}},
	}
}

// fhirClaimJSON is the stored Claim as FHIR JSON.
func (s *Service) fhirClaimJSON(c Claim) ([]byte, error) {
	cr, err := s.fhirClaim(c)
	if err != nil {
		return nil, err
	}
	return fhir.Marshal(cr, false)
}

// fhirClaim is the stored claim's Claim: the stored Bundle's Claim with the
// Bundle's other resources contained, its id the stored claim's.
func (s *Service) fhirClaim(c Claim) (*bcrpb.ContainedResource, error) {
	if c.FHIRBundle == nil {
		return nil, fmt.Errorf("app: claim has no FHIR form: %w", ErrNotFound)
	}
	res, st, _ := fhir.Parse(withoutControls(c.FHIRBundle))
	if st != fhir.Parsed || res.GetBundle() == nil || len(res.GetBundle().GetEntry()) == 0 || res.GetBundle().GetEntry()[0].GetResource().GetClaim() == nil {
		return nil, errors.New("app: a stored FHIR bundle does not read back")
	}
	entries := res.GetBundle().GetEntry()
	claim := entries[0].GetResource().GetClaim()
	if err := containReferenced(claim, entries[1:], func(a []*anypb.Any) { claim.Contained = a }); err != nil {
		return nil, err
	}
	claim.Id = &dpb.Id{Value: c.ID}
	claim.Meta = meta(c.CreatedAt)
	return &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_Claim{Claim: claim}}, nil
}

// reControlEscape finds JSON escapes: an escaped backslash (skipped, so
// that "\\u0007" stays text) or a control character.
var reControlEscape = regexp.MustCompile(`\\\\|\\u00[01][0-9a-fA-F]`)

// withoutControls replaces the control characters of a stored Bundle's
// strings (other than tab, line feed and carriage return) with spaces. R4
// strings may not hold them, yet a Claim whose contained resources carry one
// is read and accepted (the scrubber warns TEXT_CLEANED and the 837D has a
// space there too), so the stored Bundle may have one and would not read
// back.
func withoutControls(b []byte) []byte {
	return reControlEscape.ReplaceAllFunc(b, func(m []byte) []byte {
		switch string(m) {
		case `\\`, `\u0009`, `\u000a`, `\u000A`, `\u000d`, `\u000D`:
			return m
		}
		return []byte(" ")
	})
}

func meta(at time.Time) *dpb.Meta {
	return &dpb.Meta{
		VersionId:   &dpb.Id{Value: FHIRVersionID},
		LastUpdated: &dpb.Instant{ValueUs: at.UTC().UnixMicro(), Precision: dpb.Instant_MICROSECOND, Timezone: "Z"},
	}
}

// containReferenced makes focal self-contained: every entry it references
// by urn:uuid fullUrl, directly or through another such entry, becomes a
// contained resource (set with setContained, in entry order), and those
// references become #id fragments, in focal and in the contained ones.
// Entries nothing references are left out (dom-3).
func containReferenced(focal proto.Message, entries []*bcrpb.Bundle_Entry, setContained func([]*anypb.Any)) error {
	byURL := map[string]int{}
	for i, e := range entries {
		byURL[e.GetFullUrl().GetValue()] = i
	}
	used := make([]*bcrpb.ContainedResource, len(entries)) // clones: entries are not changed
	var visit func(m protoreflect.Message)
	rewrite := func(m protoreflect.Message) {
		ref, ok := m.Interface().(*dpb.Reference)
		if !ok {
			return
		}
		u, ok := ref.GetReference().(*dpb.Reference_Uri)
		if !ok {
			return
		}
		i, ok := byURL[u.Uri.GetValue()]
		if !ok {
			return
		}
		id := strings.TrimPrefix(u.Uri.GetValue(), "urn:uuid:")
		ref.Reference = &dpb.Reference_Fragment{Fragment: &dpb.String{Value: id}}
		if used[i] == nil {
			used[i] = proto.Clone(entries[i].GetResource()).(*bcrpb.ContainedResource)
			if _, rm := fhirmap.ResourceOf(used[i]); rm != nil {
				visit(rm)
			}
		}
	}
	visit = func(m protoreflect.Message) {
		rewrite(m)
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			if fd.Kind() != protoreflect.MessageKind && fd.Kind() != protoreflect.GroupKind {
				return true
			}
			switch {
			case fd.IsList():
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					visit(l.Get(i).Message())
				}
			case fd.IsMap():
			default:
				visit(v.Message())
			}
			return true
		})
	}
	visit(focal.ProtoReflect())
	var contained []*anypb.Any
	for _, cr := range used {
		if cr == nil {
			continue
		}
		a, err := anypb.New(cr)
		if err != nil {
			return fmt.Errorf("app: contain: %w", err)
		}
		contained = append(contained, a)
	}
	setContained(contained)
	return nil
}

// FHIRClaimResponseSearch is GET /fhir/ClaimResponse's query, parsed.
type FHIRClaimResponseSearch struct {
	ClaimID string // "" when the reference names no Claim of this server
	request string
}

// ParseFHIRClaimResponseSearch reads GET /fhir/ClaimResponse's query:
// request (required) is Claim/{id}, {id} or base/Claim/{id}; _format is
// ignored; anything else is 400 unless lenient.
func ParseFHIRClaimResponseSearch(params url.Values, base string, lenient bool) (FHIRClaimResponseSearch, error) {
	var q FHIRClaimResponseSearch
	for k, vs := range params {
		switch k {
		case ParamRequest:
			if len(vs) != 1 || vs[0] == "" || strings.Contains(vs[0], ",") {
				return q, fhirErr(400, "invalid", RuleSearchValue, "", "request must be one reference, Claim/{id}.")
			}
			q.request = vs[0]
			ref := strings.TrimPrefix(vs[0], base+"/")
			ref = strings.TrimPrefix(ref, "Claim/")
			if strings.Contains(ref, "/") || !storableID(ref) {
				ref = "" // another server's or another type's resource: no match
			}
			q.ClaimID = ref
		case "_format":
		default:
			if !lenient {
				return q, fhirErr(400, "not-supported", RuleSearchParam, "",
					"Unknown or unsupported search parameter; ClaimResponse supports request.")
			}
		}
	}
	if q.request == "" {
		return q, fhirErr(400, "not-supported", RuleSearchParam, "",
			"Search ClaimResponse by request=Claim/{id}; a search without it is not supported.")
	}
	return q, nil
}

// SearchFHIRClaimResponses is GET /fhir/ClaimResponse?request=Claim/{id}:
// a searchset Bundle with one ClaimResponse per 835 claim (CLP) that was
// reconciled to this claim, oldest remittance first, built from the stored
// 835s with fhirmap.RemitBundle. Each has the referenced Organizations
// contained, request Claim/{id} (with the record-id identifier the 835
// gave), an id derived from the stored remittance and the CLP's position
// (so one 835 stored twice gives two ClaimResponses), and meta.lastUpdated
// the remittance's storing time. An unknown, rejected or other tenant's
// claim gives an empty Bundle (a search finds nothing; it is not a 404).
func (s *Service) SearchFHIRClaimResponses(ctx context.Context, tenant string, q FHIRClaimResponseSearch, base string) ([]byte, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	var entries []*bcrpb.Bundle_Entry
	if q.ClaimID != "" {
		links, err := s.store.ClaimRemittances(ctx, tenant, q.ClaimID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		seen := map[string]bool{}
		for _, l := range links {
			if seen[l.RemittanceID] {
				continue
			}
			seen[l.RemittanceID] = true
			rem, err := s.store.GetRemittance(ctx, tenant, l.RemittanceID)
			if err != nil {
				return nil, err
			}
			crs, err := claimResponsesOf(rem, q.ClaimID)
			if err != nil {
				return nil, err
			}
			for _, cr := range crs {
				entries = append(entries, match(base+"/ClaimResponse/"+cr.GetClaimResponse().GetId().GetValue(), cr))
			}
		}
	}
	b := searchset(len(entries))
	b.Link = append(b.Link, link("self", base+"/ClaimResponse?"+url.Values{ParamRequest: {q.request}}.Encode()))
	b.Entry = entries
	return fhir.Marshal(b, false)
}

// claimResponsesOf maps the stored 835 again and keeps the ClaimResponses
// of the CLPs linked to the claim. Links are stored in file order, one per
// CLP, as the 835 reader visits them; when their number does not agree
// with the file's CLPs (it always should), none is returned rather than a
// wrong one.
func claimResponsesOf(rem Remittance, claimID string) ([]*bcrpb.ContainedResource, error) {
	var out []*bcrpb.ContainedResource
	k := 0 // CLP position in the file
	_, err := remit.Read(bytes.NewReader(rem.Raw), remit.Options{}, func(tx *remit.Transaction) error {
		b, _ := fhirmap.RemitBundle(tx, fhirmap.RemitOptions{At: rem.CreatedAt})
		for _, e := range b.GetEntry() {
			if e.GetResource().GetClaimResponse() == nil {
				continue
			}
			pos := k
			k++
			if pos >= len(rem.Links) || rem.Links[pos].ClaimID != claimID {
				continue
			}
			cr := proto.Clone(e.GetResource().GetClaimResponse()).(*crpb.ClaimResponse)
			if err := containReferenced(cr, b.GetEntry(), func(a []*anypb.Any) { cr.Contained = a }); err != nil {
				return err
			}
			req := cr.GetRequest()
			if req == nil {
				req = &dpb.Reference{}
			}
			req.Reference = &dpb.Reference_ClaimId{ClaimId: &dpb.ReferenceId{Value: claimID}}
			req.Type = nil // implied by the literal reference
			cr.Request = req
			cr.Id = &dpb.Id{Value: uuid.NewSHA1(claimResponseNS, []byte(rem.ID+"/"+strconv.Itoa(pos))).String()}
			cr.Meta = meta(rem.CreatedAt)
			out = append(out, &bcrpb.ContainedResource{OneofResource: &bcrpb.ContainedResource_ClaimResponse{ClaimResponse: cr}})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("app: a stored 835 does not read back: %w", err)
	}
	if k != len(rem.Links) {
		return nil, nil
	}
	return out, nil
}

// claimResponseNS is the UUIDv5 namespace of served ClaimResponse ids.
var claimResponseNS = uuid.NewSHA1(uuid.NameSpaceURL, []byte(fhirmap.Base+"ClaimResponse/stored"))
