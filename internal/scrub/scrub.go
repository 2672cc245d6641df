// Package scrub checks a case-management record the way a careful billing
// office would before a D9997 claim goes out. Errors block the claim;
// warnings inform. Every problem has a stable code and a JSON pointer, and no
// message quotes record data (PHI).
package scrub

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/casebridge/casebridge/internal/cdt"
	"github.com/casebridge/casebridge/internal/record"
)

// Limits of the contract and of the 837D.
const (
	MaxRecordID     = 20
	MaxLineID       = 30 // REF*6R: receivers need only keep 30 characters (spec x12.md §3.11)
	MaxServices     = 50
	MaxAttachments  = 10
	MaxDiagnoses    = 4
	MaxNarrative    = 400
	NarrativeChunk  = 80
	FirstDateD9997  = "2020-01-01"
	MinAttachmentID = 2
	MaxAttachmentID = 50
)

// Options tune a check.
type Options struct {
	// AttachmentDelivery is how PWK02=EL attachments reach the payer (from the
	// trading-partner profile); empty means none is configured.
	AttachmentDelivery string
	// Today, when set, refuses service dates after it.
	Today time.Time
}

// Check returns every problem of rec, errors first in record order, then
// warnings. rec is taken as decoded (defaults are applied here).
func Check(in *record.Record, opts Options) record.Problems {
	c := &checker{opts: opts}
	r := in.Defaulted()
	c.ids(r)
	c.parties(r)
	c.claim(r)
	c.facility(r)
	c.services(r)
	c.attachments(r)
	c.documentation(r)
	c.text(in)
	// empty but not nil when there is no problem; one kind alone is
	// returned as gathered, both in one list sized once
	switch {
	case len(c.errs) == 0 && len(c.warns) == 0:
		return record.Problems{}
	case len(c.errs) == 0:
		return c.warns
	case len(c.warns) == 0:
		return c.errs
	}
	out := make(record.Problems, 0, len(c.errs)+len(c.warns))
	out = append(out, c.errs...)
	return append(out, c.warns...)
}

// chargePlaces is the number of decimal places of a line's charge as
// written (2 for "85.00"; the charge is set); on the int64 path it is read
// from the exponent without building a decimal.
func chargePlaces(s *record.Service) int32 {
	if _, e, ok := s.Charge.Parts(); ok {
		return -e
	}
	return -s.Charge.Decimal().Exponent()
}

type checker struct {
	opts  Options
	errs  record.Problems
	warns record.Problems
}

func (c *checker) err(ptr, code, format string, args ...any) {
	c.errs = append(c.errs, record.Problem{Severity: record.SeverityError, Code: code, Pointer: ptr, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) warn(ptr, code, format string, args ...any) {
	c.warns = append(c.warns, record.Problem{Severity: record.SeverityWarning, Code: code, Pointer: ptr, Message: message(format, args...)})
}

// Warnings are formatted from constant formats, line and attachment
// numbers and words of the code tables (never record data): each distinct
// message, and each item pointer, is built once and then reused, not
// formatted again for every claim. The caches are bounded.
var (
	messages, pointers sync.Map
	cached             atomic.Int32
)

const maxCached = 4096

type messageKey struct {
	format string
	args   [3]any
}

// message is fmt.Sprintf(format, args...), remembered when args are at
// most three small ints and short strings.
func message(format string, args ...any) string {
	if len(args) == 0 && strings.IndexByte(format, '%') < 0 {
		return format
	}
	k := messageKey{format: format}
	if len(args) > len(k.args) {
		return fmt.Sprintf(format, args...)
	}
	for i, a := range args {
		switch v := a.(type) {
		case int:
			if v < 0 || v > 1024 {
				return fmt.Sprintf(format, args...)
			}
		case string:
			if len(v) > 64 {
				return fmt.Sprintf(format, args...)
			}
		default:
			return fmt.Sprintf(format, args...)
		}
		k.args[i] = a
	}
	return remember(&messages, k, func() string { return fmt.Sprintf(format, args...) })
}

type pointerKey struct {
	list  string
	i     int
	field string
}

// itemPointer is record.Pointer(list, i, field), remembered for the first
// items of a list.
func itemPointer(list string, i int, field string) string {
	if i < 0 || i >= 64 {
		return p(list, i, field)
	}
	return remember(&pointers, pointerKey{list, i, field}, func() string { return p(list, i, field) })
}

func remember[K comparable](m *sync.Map, k K, build func() string) string {
	if v, ok := m.Load(k); ok {
		return v.(string)
	}
	v := build()
	if cached.Load() < maxCached {
		if _, loaded := m.LoadOrStore(k, v); !loaded {
			cached.Add(1)
		}
	}
	return v
}

// errMsg adds an error whose message is already written.
func (c *checker) errMsg(ptr, code, msg string) {
	c.errs = append(c.errs, record.Problem{Severity: record.SeverityError, Code: code, Pointer: ptr, Message: msg})
}

var p = record.Pointer

// delimiters are the characters that may never travel inside an X12 element.
const delimiters = "*:^~|>\r\n"

// identifier checks an id that travels to X12 as is.
func (c *checker) identifier(ptr, what, v string, min, max int, required bool) {
	if code, msg := identifierProblem(what, v, min, max, required); code != "" {
		c.errMsg(ptr, code, msg)
	}
}

// identifierProblem is the check of identifier: the code and message of
// the problem of v, or "" when it has none. Callers in loops build the
// pointer only when there is a problem.
func identifierProblem(what, v string, min, max int, required bool) (code, msg string) {
	switch {
	case v == "" && required:
		return "REQUIRED", fmt.Sprintf("%s is required.", what)
	case v == "":
	case len(v) < min || len(v) > max:
		return "ID_LENGTH", fmt.Sprintf("%s must be %d to %d characters long.", what, min, max)
	case containsDelimiter(v):
		return "ID_DELIMITER", fmt.Sprintf("%s must not contain X12 delimiter characters (* : ^ ~ | >) or line breaks.", what)
	case !trimmed(v) || !printable(v):
		return "ID_CHARACTERS", fmt.Sprintf("%s must be printable ASCII without leading or trailing spaces.", what)
	}
	return "", ""
}

// containsDelimiter is strings.ContainsAny(v, delimiters) without building
// the character set on every call.
func containsDelimiter(v string) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '*', ':', '^', '~', '|', '>', '\r', '\n':
			return true
		}
	}
	return false
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func (c *checker) ids(r *record.Record) {
	c.identifier("/record_id", "The record id (CLM01)", r.RecordID, 1, MaxRecordID, true)
	switch r.Frequency {
	case record.FrequencyOriginal:
	case record.FrequencyReplacement, record.FrequencyVoid:
		if r.PayerClaimNumber == "" {
			c.err("/payer_claim_number", "PAYER_CLAIM_NUMBER_REQUIRED", "A %s needs the payer claim number of the claim it corrects (REF*F8).", r.Frequency)
		}
	default:
		c.err("/frequency", "FREQUENCY_UNKNOWN", "Frequency must be original, replacement or void.")
	}
	c.identifier("/payer_claim_number", "The payer claim number (REF*F8)", r.PayerClaimNumber, 1, 50, false)
	c.identifier("/prior_authorization", "The prior authorization number (REF*G1)", r.PriorAuthorization, 1, 50, false)
}

// The formats below are written out by hand (they run for every claim);
// each names the pattern it implements, and scrub_test.go holds each to its
// regular expression.

// rePOBox finds post-office and lock boxes in an address line.
var rePOBox = regexp.MustCompile(`(?i)\b(p\.?\s*o\.?\s*box|post\s+office\s+box|lock\s*box)\b`)

// poBox is rePOBox.MatchString, skipping the regexp for lines without
// "box" (every alternative ends in it; b, o and x fold only to ASCII).
func poBox(s string) bool {
	for i := 0; i+3 <= len(s); i++ {
		if s[i]|0x20 == 'b' && s[i+1]|0x20 == 'o' && s[i+2]|0x20 == 'x' {
			return rePOBox.MatchString(s)
		}
	}
	return false
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isUpper(c byte) bool      { return c >= 'A' && c <= 'Z' }
func isDigitUpper(c byte) bool { return isDigit(c) || isUpper(c) }
func allOf(s string, f func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !f(s[i]) {
			return false
		}
	}
	return true
}

// digits is ^[0-9]+$.
func digits(s string) bool { return s != "" && allOf(s, isDigit) }

// taxonomy is ^[0-9]{3}[0-9A-Z]{6}X$.
func taxonomy(s string) bool {
	return len(s) == 10 && allOf(s[:3], isDigit) && allOf(s[3:9], isDigitUpper) && s[9] == 'X'
}

// state is ^[A-Z]{2}$.
func state(s string) bool { return len(s) == 2 && allOf(s, isUpper) }

// postal is ^([0-9]{5}|[0-9]{9})$.
func postal(s string) bool { return (len(s) == 5 || len(s) == 9) && allOf(s, isDigit) }

// pos is ^[0-9]{2}$.
func pos(s string) bool { return len(s) == 2 && allOf(s, isDigit) }

// icd10 is ^[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$.
func icd10(s string) bool {
	if len(s) < 3 || !isUpper(s[0]) || s[0] == 'U' || !isDigit(s[1]) || !isDigitUpper(s[2]) {
		return false
	}
	rest := s[3:]
	if rest == "" {
		return true
	}
	if rest[0] == '.' {
		rest = rest[1:]
	}
	return len(rest) >= 1 && len(rest) <= 4 && allOf(rest, isDigitUpper)
}

// phone is ^[0-9]{10,15}$.
func phone(s string) bool { return len(s) >= 10 && len(s) <= 15 && allOf(s, isDigit) }

// NPIValid reports whether npi is 10 digits with a valid Luhn check digit
// over the 80840 prefix.
func NPIValid(npi string) bool {
	if len(npi) != 10 || !digits(npi) {
		return false
	}
	sum := 24 // the constant contribution of the 80840 prefix
	for i := 8; i >= 0; i-- {
		d := int(npi[i] - '0')
		if (8-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10-sum%10)%10 == int(npi[9]-'0')
}

func (c *checker) npi(ptr, what, v string) {
	switch {
	case v == "":
		c.err(ptr, "REQUIRED", "%s NPI is required.", what)
	case len(v) != 10 || !digits(v):
		c.err(ptr, "NPI_FORMAT", "%s NPI must be exactly 10 digits.", what)
	case !NPIValid(v):
		c.err(ptr, "NPI_CHECK_DIGIT", "%s NPI fails the check-digit test; it is mistyped.", what)
	}
}

func (c *checker) required(ptr, what, v string) bool {
	if blank(v) {
		c.err(ptr, "REQUIRED", "%s is required.", what)
		return false
	}
	return true
}

func (c *checker) maxLen(ptr, what, v string, n int) {
	if len(v) > n {
		c.err(ptr, "TOO_LONG", "%s must be at most %d characters.", what, n)
	}
}

// addressOf names the pointers and labels of one party's address; they
// are built once, not for every claim.
type addressOf struct {
	ptr, what                                       string
	line1, line2, city, state, postal               string // pointers
	street, second, cityWhat, stateWhat, postalWhat string
}

func newAddressOf(ptr, what string) *addressOf {
	return &addressOf{
		ptr: ptr, what: what,
		line1: ptr + "/line1", line2: ptr + "/line2", city: ptr + "/city", state: ptr + "/state", postal: ptr + "/postal_code",
		street: what + " street address", second: what + " second address line", cityWhat: what + " city", stateWhat: what + " state", postalWhat: what + " postal code",
	}
}

var (
	billingAddress    = newAddressOf("/billing_provider/address", "The billing provider")
	subscriberAddress = newAddressOf("/subscriber/address", "The subscriber")
	patientAddress    = newAddressOf("/patient/address", "The patient")
	facilityAddress   = newAddressOf("/service_facility/address", "The service facility")
)

func (c *checker) address(l *addressOf, a *record.Address, required bool) {
	if a == nil {
		if required {
			c.err(l.ptr, "ADDRESS_REQUIRED", "%s address is required.", l.what)
		}
		return
	}
	if c.required(l.line1, l.street, a.Line1) {
		c.maxLen(l.line1, l.street, a.Line1, 55)
	}
	c.maxLen(l.line2, l.second, a.Line2, 55)
	if c.required(l.city, l.cityWhat, a.City) {
		c.maxLen(l.city, l.cityWhat, a.City, 30)
	}
	// casebridge bills US payers: N4 needs the state and the ZIP code
	if c.required(l.state, l.stateWhat, a.State) && !state(a.State) {
		c.err(l.state, "STATE_INVALID", "%s state must be a two-letter upper-case code.", l.what)
	}
	if c.required(l.postal, l.postalWhat, a.PostalCode) && !postal(a.PostalCode) {
		c.err(l.postal, "POSTAL_CODE_INVALID", "%s postal code must be 5 or 9 digits.", l.what)
	}
}

func (c *checker) date(ptr, what, v string, required bool) (time.Time, bool) {
	t, code, format := dateCheck(v, required)
	if code != "" {
		c.err(ptr, code, format, what)
	}
	return t, code == "" && v != ""
}

// dateCheck is the check of date: the date, or the code and message format
// (%s: what) of its problem. A missing date that is not required is the
// zero time without a problem.
func dateCheck(v string, required bool) (t time.Time, code, format string) {
	if v == "" {
		if required {
			return time.Time{}, "REQUIRED", "%s is required."
		}
		return time.Time{}, "", ""
	}
	t, err := parseDate(v)
	if err != nil || len(v) != 10 {
		return time.Time{}, "DATE_INVALID", "%s must be a real calendar date written YYYY-MM-DD."
	}
	if t.Year() < 1900 {
		return time.Time{}, "DATE_INVALID", "%s is before 1900."
	}
	return t, "", ""
}

// parseDate is time.Parse(time.DateOnly, v), read by hand when v is
// DDDD-DD-DD (every date a record should hold) and by time.Parse otherwise.
func parseDate(v string) (time.Time, error) {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' || !allOf(v[:4], isDigit) || !allOf(v[5:7], isDigit) || !allOf(v[8:], isDigit) {
		return time.Parse(time.DateOnly, v)
	}
	num := func(s string) int {
		n := 0
		for i := 0; i < len(s); i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	y, m, d := num(v[:4]), num(v[5:7]), num(v[8:])
	if m < 1 || m > 12 || d < 1 || d > daysIn(time.Month(m), y) {
		return time.Parse(time.DateOnly, v) // its error
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

// daysIn is the length of month m (1-12) of year, as time.Date counts it
// (proleptic Gregorian).
func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// blank is strings.TrimSpace(v) == "", answered from the first byte when
// it is ASCII and not space.
func blank(v string) bool {
	if v == "" {
		return true
	}
	if c := v[0]; c > ' ' && c < utf8.RuneSelf {
		return false
	}
	return strings.TrimSpace(v) == ""
}

// trimmed is strings.TrimSpace(v) == v, answered from the end bytes when
// they are ASCII and not space.
func trimmed(v string) bool {
	if v == "" {
		return true
	}
	if a, b := v[0], v[len(v)-1]; a > ' ' && a < utf8.RuneSelf && b > ' ' && b < utf8.RuneSelf {
		return true
	}
	return strings.TrimSpace(v) == v
}

// personOf names the pointers and labels of the subscriber or patient,
// built once.
type personOf struct {
	what                           string
	last, first, birth, gender     string // pointers
	lastWhat, firstWhat, birthWhat string
}

func newPersonOf(ptr, what string) *personOf {
	return &personOf{
		what: what, last: ptr + "/last_name", first: ptr + "/first_name", birth: ptr + "/birth_date", gender: ptr + "/gender",
		lastWhat: what + " last name", firstWhat: what + " first name", birthWhat: what + " birth date",
	}
}

var (
	subscriberPerson = newPersonOf("/subscriber", "The subscriber")
	patientPerson    = newPersonOf("/patient", "The patient")
)

func (c *checker) person(l *personOf, first, last, birth, gender string, demographicsRequired bool) {
	if c.required(l.last, l.lastWhat, last) {
		c.maxLen(l.last, l.lastWhat, last, 60)
	}
	c.maxLen(l.first, l.firstWhat, first, 35)
	if bd, ok := c.date(l.birth, l.birthWhat, birth, demographicsRequired); ok {
		if !c.opts.Today.IsZero() && bd.After(c.opts.Today) {
			c.err(l.birth, "DATE_IMPOSSIBLE", "%s birth date is in the future.", l.what)
		}
	}
	switch gender {
	case "F", "M", "U":
	case "":
		if demographicsRequired {
			c.err(l.gender, "REQUIRED", "%s gender (F, M or U) is required.", l.what)
		}
	default:
		c.err(l.gender, "GENDER_INVALID", "%s gender must be F, M or U.", l.what)
	}
}

func (c *checker) parties(r *record.Record) {
	if s := r.Submitter; s != nil {
		c.identifier("/submitter/id", "The submitter id", s.ID, 2, 80, false)
		if (s.ContactName != "" || s.Phone != "" || s.Email != "") && s.Phone == "" && s.Email == "" {
			c.err("/submitter/phone", "SUBMITTER_CONTACT_INCOMPLETE", "A submitter contact replaces the profile's and needs a phone or an email (PER*IC).")
		}
		if s.Phone != "" && !phone(s.Phone) {
			c.err("/submitter/phone", "PHONE_INVALID", "The submitter phone must be 10 to 15 digits, no punctuation.")
		}
	}
	if rc := r.Receiver; rc != nil {
		c.identifier("/receiver/id", "The receiver id", rc.ID, 2, 80, false)
	}

	c.billingProvider(r)
	c.renderingProvider(r)

	if c.required("/payer/name", "The payer name", r.Payer.Name) {
		c.maxLen("/payer/name", "The payer name", r.Payer.Name, 60)
	}
	c.identifier("/payer/id", "The payer id", r.Payer.ID, 2, 80, true)

	s := r.Subscriber
	if s.MemberID == "" {
		c.err("/subscriber/member_id", "MEMBER_ID_REQUIRED", "The subscriber member id is required.")
	} else {
		c.identifier("/subscriber/member_id", "The subscriber member id", s.MemberID, 2, 80, true)
	}
	c.identifier("/subscriber/group_number", "The group number", s.GroupNumber, 1, 50, false)
	self := r.Patient == nil
	c.person(subscriberPerson, s.FirstName, s.LastName, s.BirthDate, s.Gender, self)
	c.address(subscriberAddress, s.Address, self)

	if pt := r.Patient; pt != nil {
		c.person(patientPerson, pt.FirstName, pt.LastName, pt.BirthDate, pt.Gender, true)
		c.address(patientAddress, pt.Address, true)
		switch pt.Relationship {
		case "spouse", "child", "other":
		case "":
			c.err("/patient/relationship", "REQUIRED", "The patient relationship to the subscriber (spouse, child or other) is required.")
		default:
			c.err("/patient/relationship", "RELATIONSHIP_INVALID", "The patient relationship must be spouse, child or other.")
		}
	}
}

func (c *checker) billingProvider(r *record.Record) {
	bp := r.BillingProvider
	switch {
	case bp.Name != "" && (bp.FirstName != "" || bp.LastName != ""):
		c.err("/billing_provider/name", "BILLING_PROVIDER_NAME_AMBIGUOUS", "Give the billing provider either a name (an organization) or first_name and last_name (an individual dentist), not both.")
	case bp.Individual():
		c.maxLen("/billing_provider/last_name", "The billing dentist last name", bp.LastName, 60)
		c.maxLen("/billing_provider/first_name", "The billing dentist first name", bp.FirstName, 35)
	case c.required("/billing_provider/name", "The billing provider name (or an individual dentist's last_name)", bp.Name):
		c.maxLen("/billing_provider/name", "The billing provider name", bp.Name, 60)
	}
	c.npi("/billing_provider/npi", "The billing provider", bp.NPI)
	switch bp.TaxIDType {
	case "", record.TaxIDEIN:
	case record.TaxIDSSN:
		if !bp.Individual() {
			c.err("/billing_provider/tax_id_type", "TAX_ID_TYPE_INVALID", "An organization bills under its EIN; ssn is only for an individual dentist (first_name/last_name).")
		}
	default:
		c.err("/billing_provider/tax_id_type", "TAX_ID_TYPE_INVALID", "The tax id type must be ein (REF*EI) or ssn (REF*SY).")
	}
	switch {
	case bp.TaxID == "":
		c.err("/billing_provider/tax_id", "REQUIRED", "The billing provider tax id (EIN or SSN, 2010AA REF) is required.")
	case len(bp.TaxID) != 9 || !digits(bp.TaxID):
		c.err("/billing_provider/tax_id", "TAX_ID_INVALID", "The billing provider tax id must be 9 digits without a hyphen.")
	}
	switch {
	case bp.Taxonomy != "" && !taxonomy(bp.Taxonomy):
		c.err("/billing_provider/taxonomy", "TAXONOMY_INVALID", "The billing provider taxonomy must be a 10-character NUCC code such as 1223G0001X.")
	case !bp.Individual() || r.RenderingProvider != nil:
	case bp.Taxonomy == "":
		// the billing dentist renders the care: PRV*BI carries the taxonomy
		c.err("/billing_provider/taxonomy", "REQUIRED", "An individual billing dentist who renders the care needs a taxonomy (PRV*BI).")
	default:
		c.dentist("/billing_provider/taxonomy", bp.Taxonomy)
	}
	c.address(billingAddress, bp.Address, true)
	if a := bp.Address; a != nil {
		if poBox(a.Line1) || poBox(a.Line2) {
			c.err("/billing_provider/address/line1", "BILLING_PO_BOX", "The billing provider address must be a street address, not a post-office or lock box (a PO box belongs in a pay-to address).")
		}
		if postal(a.PostalCode) && len(a.PostalCode) == 5 {
			c.err("/billing_provider/address/postal_code", "BILLING_ZIP_PLUS4_MISSING", "The billing provider ZIP code must have all 9 digits (2010AA N403).")
		}
	}
}

// renderingProvider checks 2310B. An organization cannot render care, so an
// organization billing provider needs an individual rendering dentist.
func (c *checker) renderingProvider(r *record.Record) {
	bp := r.BillingProvider
	rp := r.RenderingProvider
	if rp == nil {
		if !bp.Individual() && bp.Name != "" {
			c.err("/rendering_provider", "RENDERING_PROVIDER_REQUIRED", "The billing provider is an organization, which cannot render care: give the rendering dentist (2310B) with an individual NPI and a taxonomy.")
		}
		return
	}
	if c.required("/rendering_provider/last_name", "The rendering dentist last name", rp.LastName) {
		c.maxLen("/rendering_provider/last_name", "The rendering dentist last name", rp.LastName, 60)
	}
	c.maxLen("/rendering_provider/first_name", "The rendering dentist first name", rp.FirstName, 35)
	c.npi("/rendering_provider/npi", "The rendering dentist", rp.NPI)
	if rp.NPI != "" && rp.NPI == bp.NPI && !bp.Individual() {
		c.err("/rendering_provider/npi", "RENDERING_NPI_NOT_INDIVIDUAL", "The rendering dentist NPI is the billing organization's NPI; give the individual dentist's own NPI.")
	}
	switch {
	case rp.Taxonomy == "":
		c.err("/rendering_provider/taxonomy", "REQUIRED", "The rendering dentist taxonomy (PRV*PE) is required when a rendering dentist is given.")
	case !taxonomy(rp.Taxonomy):
		c.err("/rendering_provider/taxonomy", "TAXONOMY_INVALID", "The rendering dentist taxonomy must be a 10-character NUCC code.")
	default:
		c.dentist("/rendering_provider/taxonomy", rp.Taxonomy)
	}
}

// dentist warns when the taxonomy of whoever renders the care is not a
// dentist's (NUCC 1223…). Some states let hygienists bill; most payers deny.
// Staff on the service lines may hold any role.
func (c *checker) dentist(ptr, taxonomy string) {
	if !strings.HasPrefix(taxonomy, "1223") {
		c.warn(ptr, "RENDERING_NOT_DENTIST", "The taxonomy of the provider who renders the care is not a dentist's (NUCC 1223...); most payers deny D9997 rendered by others, such as hygienists.")
	}
}

// facilityPOS are the places of service that cannot be the billing office:
// the claim must say where care happened (2310C).
var facilityPOS = map[string]string{
	"03": "a school", "19": "a hospital", "21": "a hospital", "22": "a hospital", "23": "a hospital",
	"31": "a nursing facility", "32": "a nursing facility",
}

// POSHome is the patient's home: the service facility loop is not used
// (X12 RFI #423: "If rendered at a patient's home the loop is not used";
// a payer cannot require it). The place of service says where care happened.
const POSHome = "12"

func (c *checker) facility(r *record.Record) {
	f := r.ServiceFacility
	if f == nil {
		if what, ok := facilityPOS[r.PlaceOfService]; ok {
			c.err("/service_facility", "SERVICE_FACILITY_REQUIRED", "The place of service is %s, not the billing office: give the service facility (2310C name and address).", what)
		}
		return
	}
	if r.PlaceOfService == POSHome {
		c.err("/service_facility", "SERVICE_FACILITY_AT_HOME", "Care at the patient's home (place of service 12) does not use the service facility loop (2310C); leave service_facility out.")
		return
	}
	if c.required("/service_facility/name", "The service facility name", f.Name) {
		c.maxLen("/service_facility/name", "The service facility name", f.Name, 60)
	}
	if f.NPI != "" {
		c.npi("/service_facility/npi", "The service facility", f.NPI)
	}
	c.address(facilityAddress, f.Address, true)
}

func (c *checker) claim(r *record.Record) {
	if !pos(r.PlaceOfService) {
		c.err("/place_of_service", "PLACE_OF_SERVICE_INVALID", "The place of service must be a two-digit CMS code such as 11.")
	}
	if len(r.Diagnoses) > MaxDiagnoses {
		c.err("/diagnoses", "DIAGNOSES_TOO_MANY", "A dental claim carries at most %d diagnoses; this record has %d.", MaxDiagnoses, len(r.Diagnoses))
	}
	seen := map[string]bool{}
	for i, d := range r.Diagnoses {
		if !icd10(strings.ToUpper(strings.TrimSpace(d))) {
			c.err(p("diagnoses", i), "DIAGNOSIS_INVALID", "Diagnosis %d is not an ICD-10-CM code (letter, two characters, optional dot and up to four more).", i+1)
			continue
		}
		if len(r.Diagnoses) == 1 {
			break // nothing to repeat: no normalized copy to build
		}
		n := record.NormalizeDiagnosis(d)
		if seen[n] {
			c.err(p("diagnoses", i), "DIAGNOSIS_DUPLICATE", "Diagnosis %d repeats an earlier one.", i+1)
		}
		seen[n] = true
	}
	if len(r.Attachments) > MaxAttachments {
		c.err("/attachments", "ATTACHMENTS_TOO_MANY", "A claim carries at most %d attachments (PWK); this record has %d.", MaxAttachments, len(r.Attachments))
	}
}

func (c *checker) services(r *record.Record) {
	switch n := len(r.Services); {
	case n == 0:
		c.err("/services", "SERVICES_REQUIRED", "At least one service line is required.")
	case n > MaxServices:
		c.err("/services", "SERVICES_TOO_MANY", "A claim carries at most %d service lines; this record has %d.", MaxServices, n)
	}
	lineIDs := map[string]int{}
	d9997Dates := map[string]int{}
	caseManagement := false
	for _, s := range r.Services {
		if info, ok := cdt.Lookup(s.Code); ok && info.CaseManagement {
			caseManagement = true
		}
	}
	for i, s := range r.Services {
		at := func(field string) string { return itemPointer("services", i, field) }
		if code, msg := identifierProblem("The line id (REF*6R)", s.LineID, 1, MaxLineID, true); code != "" {
			c.errMsg(at("line_id"), code, msg)
		}
		if j, dup := lineIDs[s.LineID]; dup && s.LineID != "" {
			c.err(at("line_id"), "LINE_ID_DUPLICATE", "Line %d has the same line id as line %d; the 835 could not be matched back.", i+1, j+1)
		} else {
			lineIDs[s.LineID] = i
		}
		code := s.Code
		info, known := cdt.Lookup(code)
		switch {
		case known && info.CaseManagement:
		case known && info.Companion:
			if !caseManagement {
				c.err(at("code"), "CODE_COMPANION_ALONE", "%s is allowed only as an additional line beside a case-management line (D9997 or D9990-D9994) on the same claim.", info.Code)
			}
		case known:
			c.err(at("code"), "CODE_LOOKALIKE", "%s is not a case-management code: it is %s. Use D9997 (or D9990-D9994) for case management.", info.Code, info.LookAlike)
		default:
			c.err(at("code"), "CODE_NOT_CASE_MANAGEMENT", "The service code is not in the dental case-management set (D9990-D9994, D9997).")
		}
		date, problem, format := dateCheck(s.Date, true)
		if problem != "" {
			c.err(at("date"), problem, format, fmt.Sprintf("The service date of line %d", i+1))
		}
		dateOK := problem == ""
		if dateOK {
			if known && info.Since != "" && s.Date < info.Since {
				c.err(at("date"), "CODE_NOT_YET_VALID", "%s did not exist before %s; this date of service cannot use it.", info.Code, info.Since)
			}
			if !c.opts.Today.IsZero() && date.After(c.opts.Today) {
				c.err(at("date"), "DATE_IN_FUTURE", "The service date of line %d is in the future.", i+1)
			}
		}
		switch {
		case s.Charge == nil:
			c.err(at("charge"), "REQUIRED", "The charge of line %d is required.", i+1)
		case s.Charge.Sign() <= 0:
			c.err(at("charge"), "CHARGE_NOT_POSITIVE", "The charge of line %d must be greater than zero.", i+1)
		case chargePlaces(&s) > 2:
			c.err(at("charge"), "CHARGE_PRECISION", "The charge of line %d has more than two decimal places.", i+1)
		}
		if s.Units < 0 || s.Units > 999 {
			c.err(at("units"), "UNITS_INVALID", "Units must be between 1 and 999.")
		}
		if s.Minutes < 0 || s.Minutes > 24*60 {
			c.err(at("minutes"), "MINUTES_INVALID", "Minutes must be between 1 and 1440.")
		}
		if s.CaseManagementType != "" && !slices.Contains(record.CaseManagementTypes, s.CaseManagementType) {
			c.err(at("case_management_type"), "CASE_MANAGEMENT_TYPE_INVALID", "The case management type must be one of: %s.", strings.Join(record.CaseManagementTypes, ", "))
		}
		if code != cdt.D9997 {
			continue
		}
		if s.Units > 1 {
			c.warn(at("units"), "UNITS_OVER_ONE", "Line %d bills D9997 with more than one unit; payers expect one D9997 per visit and deny the extra units.", i+1)
		}
		if dateOK {
			if j, dup := d9997Dates[s.Date]; dup {
				c.err(at("date"), "D9997_SAME_DATE", "Lines %d and %d both bill D9997 on the same date; bill one D9997 per date of service.", j+1, i+1)
			} else {
				d9997Dates[s.Date] = i
			}
		}
		c.lineDocumentation(i, s)
	}
	for i, s := range r.Services {
		if _, same := d9997Dates[s.Date]; same && s.Code == cdt.D9920 {
			c.warn(itemPointer("services", i, "code"), "BUNDLING_RISK_D9920", "Line %d bills behavior management (D9920) on a date that also bills D9997; payers often bundle the two and pay one.", i+1)
		}
	}
	if !hasCode(r, cdt.D9997) {
		return
	}
	switch sn := r.SpecialNeeds; {
	case sn == nil:
		c.err("/special_needs", "SPECIAL_NEEDS_UNDOCUMENTED", "D9997 needs the special-needs documentation (special_needs: condition, functional limitations, delivery modifications); a diagnosis alone is not enough.")
	case blank(sn.Condition):
		c.err("/special_needs/condition", "SPECIAL_NEEDS_UNDOCUMENTED", "D9997 needs the special-needs condition that makes modified delivery necessary.")
	}
}

func (c *checker) lineDocumentation(i int, s record.Service) {
	at := func(field string) string { return itemPointer("services", i, field) }
	if s.Minutes == 0 {
		c.warn(at("minutes"), "MINUTES_MISSING", "Line %d does not record the time spent; payers ask for it on D9997.", i+1)
	}
	if s.CaseManagementType == "" {
		c.warn(at("case_management_type"), "TYPE_MISSING", "Line %d does not say which kind of case management was done.", i+1)
	} else if better, ok := cdt.MoreSpecific[s.CaseManagementType]; ok {
		c.warn(at("case_management_type"), "MORE_SPECIFIC_CODE", "Line %d describes an activity that %s describes more specifically; use %s unless the special-needs modification is what was billed.", i+1, better, better)
	}
	staff := record.Staff{}
	if s.Staff != nil {
		staff = *s.Staff
	}
	if blank(staff.Name) {
		c.warn(at("staff"), "STAFF_MISSING", "Line %d does not name the staff member who did the work.", i+1)
	}
	if staff.Credential == "" {
		c.warn(at("staff")+"/credential", "STAFF_CREDENTIAL_MISSING", "Line %d does not give the staff member's credential.", i+1)
	}
	for _, f := range []struct{ field, code, what, v string }{
		{"reason", "REASON_MISSING", "why the case management was needed", s.Reason},
		{"actions", "ACTIONS_MISSING", "what was done", s.Actions},
		{"patient_benefit", "PATIENT_BENEFIT_MISSING", "how the patient benefited", s.PatientBenefit},
		{"follow_up", "FOLLOW_UP_MISSING", "the follow-up planned", s.FollowUp},
	} {
		if blank(f.v) {
			c.warn(at(f.field), f.code, "Line %d does not record %s.", i+1, f.what)
		}
	}
}

var (
	reportTypes   = []string{"B4", "DA", "DG", "EB", "OZ", "P6", "RB", "RR"}
	transmissions = []string{"AA", "BM", "EL", "EM", "FT", "FX"}
)

func (c *checker) attachments(r *record.Record) {
	ids := map[string]int{}
	for i, a := range r.Attachments {
		at := func(field string) string { return itemPointer("attachments", i, field) }
		if code, msg := identifierProblem("The attachment control number (PWK06)", a.ID, MinAttachmentID, MaxAttachmentID, true); code != "" {
			c.errMsg(at("id"), code, msg)
		}
		if j, dup := ids[a.ID]; dup && a.ID != "" {
			c.err(at("id"), "ATTACHMENT_ID_DUPLICATE", "Attachment %d has the same control number as attachment %d.", i+1, j+1)
		} else {
			ids[a.ID] = i
		}
		if !slices.Contains(reportTypes, a.ReportType) {
			c.err(at("report_type"), "ATTACHMENT_REPORT_TYPE", "The report type must be one of the 837D codes %s (OZ for narratives and case notes).", strings.Join(reportTypes, " "))
		}
		if !slices.Contains(transmissions, a.Transmission) {
			c.err(at("transmission"), "ATTACHMENT_TRANSMISSION", "The transmission code must be one of %s.", strings.Join(transmissions, " "))
		}
		if a.Data != "" {
			if _, err := base64.StdEncoding.DecodeString(a.Data); err != nil {
				c.err(at("data"), "ATTACHMENT_DATA_INVALID", "The attachment data must be standard base64.")
			}
		}
		if a.Transmission == "EL" && c.opts.AttachmentDelivery == "" {
			c.warn(at("transmission"), "ATTACHMENT_DELIVERY_UNCONFIGURED", "Attachment %d is to be sent electronically (EL) but the trading-partner profile sets no way to deliver it (attachment_delivery).", i+1)
		}
	}
}

func (c *checker) documentation(r *record.Record) {
	if blank(r.Narrative) && len(r.Attachments) == 0 {
		c.warn("/narrative", "DOCUMENTATION_MISSING", "The record has neither a narrative nor an attachment; D9997 is most often denied for missing documentation.")
	}
	if len(r.Narrative) > MaxNarrative {
		c.warn("/narrative", "NARRATIVE_TRUNCATED", "The narrative is longer than %d characters; the 837D carries only the first %d (the FHIR claim and an attachment carry it in full).", MaxNarrative, MaxNarrative)
	}
	if r.PriorAuthorization == "" && hasCode(r, cdt.D9997) {
		c.warn("/prior_authorization", "PRIOR_AUTH_MISSING", "No prior authorization number; many plans require one for D9997.")
	}
}

func hasCode(r *record.Record, code string) bool {
	for _, s := range r.Services {
		if s.Code == code {
			return true
		}
	}
	return false
}

// text warns where free text has to be cleaned for X12.
func (c *checker) text(r *record.Record) {
	r.EachX12Text(func(ptr, v string) {
		if record.TextChanged(v) {
			c.warn(ptr, "TEXT_CLEANED", "This text holds X12 delimiters (* : ^ ~), line breaks or non-ASCII characters; they are replaced by spaces in the 837D.")
		}
	})
}
