package fhirmap

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"

	cpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/codes_go_proto"
	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
	claimpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/claim_go_proto"
	covpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/coverage_go_proto"

	"github.com/casebridge/casebridge/internal/money"
	"github.com/casebridge/casebridge/internal/record"
)

// FromResource reads what an EHR posted: a Claim (its resources contained)
// or a Bundle with the Claim first. Any other resource type is refused with a
// not-supported issue and a nil Record.
func FromResource(cr *bcrpb.ContainedResource) *Mapped {
	switch {
	case cr.GetClaim() != nil:
		return FromClaim(cr.GetClaim())
	case cr.GetBundle() != nil:
		return FromBundle(cr.GetBundle())
	}
	typ, _ := ResourceOf(cr)
	if typ == "" {
		typ = "resource"
	}
	return &Mapped{Issues: Issues{{Severity: SeverityError, Code: CodeNotSupported, Rule: "FHIR_RESOURCE_TYPE", Expression: typ,
		Message: "Only a Claim, or a Bundle whose first entry is the Claim, can be turned into an 837D."}}, paths: map[string]string{}}
}

// FromClaim reads a Claim whose referenced resources are contained in it
// (references "#id"). References it cannot resolve are issues, never guesses.
func FromClaim(c *claimpb.Claim) *Mapped {
	rd := newReader("Claim")
	rd.rv.addContained(c.GetContained(), "Claim", rd.badContained("Claim"))
	rd.claim(c)
	return rd.finish()
}

// FromBundle reads a Bundle whose first entry is the Claim; references
// resolve by fullUrl (urn:uuid or absolute), by type and id, or to resources
// contained in the Claim. A collection Bundle is expected; transaction and
// batch Bundles are read the same way with an informational issue.
func FromBundle(b *bcrpb.Bundle) *Mapped {
	rd := newReader("Bundle.entry[0].resource")
	switch b.GetType().GetValue() {
	case cpb.BundleTypeCode_COLLECTION:
	case cpb.BundleTypeCode_TRANSACTION, cpb.BundleTypeCode_BATCH:
		rd.issue(SeverityInformation, CodeInformational, "FHIR_BUNDLE_TYPE", "Bundle.type", "",
			"The Bundle is read as a collection: its entries are not stored, only turned into the claim.")
	default:
		rd.errorf(CodeNotSupported, "FHIR_BUNDLE_TYPE", "Bundle.type", "",
			"The Bundle type must be collection (a Claim first, then the resources it references).")
	}
	entries := b.GetEntry()
	if len(entries) == 0 || entries[0].GetResource().GetClaim() == nil {
		rd.errorf(CodeStructure, "FHIR_CLAIM_NOT_FIRST", "Bundle.entry[0]", "",
			"The first entry of the Bundle must be the Claim.")
		return &Mapped{Issues: rd.issues, paths: rd.paths, covers: rd.covers}
	}
	for i, e := range entries {
		rd.rv.addEntry(e.GetFullUrl().GetValue(), e.GetResource(), fmt.Sprintf("Bundle.entry[%d].resource", i))
	}
	claim := entries[0].GetResource().GetClaim()
	rd.rv.addContained(claim.GetContained(), rd.base, rd.badContained(rd.base))
	rd.claim(claim)
	return rd.finish()
}

type reader struct {
	base   string // FHIRPath of the Claim
	rv     *resolver
	rec    *record.Record
	issues Issues
	paths  map[string]string
	covers []string

	narrative  []string
	lineInfo   map[uint32]*infoEntry // supportingInfo by sequence
	usedInfo   map[uint32]bool
	staffBySeq map[uint32]*record.Staff
	pos        string
	posPath    string
}

type infoEntry struct {
	kind string // activity, or an Info* code
	text string
	min  int
	path string
}

func newReader(base string) *reader {
	return &reader{
		base: base, rv: newResolver(), rec: &record.Record{}, paths: map[string]string{"": base},
		lineInfo: map[uint32]*infoEntry{}, usedInfo: map[uint32]bool{}, staffBySeq: map[uint32]*record.Staff{},
	}
}

func (rd *reader) issue(sev, code, rule, expr, ptr, msg string) {
	rd.issues = append(rd.issues, Issue{Severity: sev, Code: code, Rule: rule, Expression: expr, Message: msg, Pointer: ptr})
	if sev == SeverityError && ptr != "" {
		rd.covers = append(rd.covers, ptr)
	}
}

func (rd *reader) errorf(code, rule, expr, ptr, format string, args ...any) {
	rd.issue(SeverityError, code, rule, expr, ptr, fmt.Sprintf(format, args...))
}

func (rd *reader) warnf(code, rule, expr, ptr, format string, args ...any) {
	rd.issue(SeverityWarning, code, rule, expr, ptr, fmt.Sprintf(format, args...))
}

func (rd *reader) path(ptr, expr string) { rd.paths[ptr] = expr }

func (rd *reader) badContained(base string) func(int) {
	return func(i int) {
		rd.errorf(CodeStructure, "FHIR_CONTAINED", fmt.Sprintf("%s.contained[%d]", base, i), "", "A contained resource could not be read.")
	}
}

func (rd *reader) finish() *Mapped {
	return &Mapped{Record: Canonical(rd.rec), Issues: rd.issues, paths: rd.paths, covers: rd.covers}
}

// codingIn returns the first coding of cc whose system is one of systems
// (an empty entry in systems accepts a coding without a system).
func codingIn(cc *dpb.CodeableConcept, systems ...string) *dpb.Coding {
	for _, c := range cc.GetCoding() {
		sys := strings.TrimSpace(c.GetSystem().GetValue())
		for _, s := range systems {
			if sys == s && c.GetCode().GetValue() != "" {
				return c
			}
		}
	}
	return nil
}

func codeIn(cc *dpb.CodeableConcept, systems ...string) string {
	return strings.TrimSpace(codingIn(cc, systems...).GetCode().GetValue())
}

func extensionsOf(exts []*dpb.Extension, url string) []*dpb.Extension {
	var out []*dpb.Extension
	for _, e := range exts {
		if e.GetUrl().GetValue() == url {
			out = append(out, e)
		}
	}
	return out
}

// extText reads a string-like extension value (string, code, id, Coding code,
// Identifier value).
func extText(e *dpb.Extension) string {
	v := e.GetValue()
	switch {
	case v.GetStringValue() != nil:
		return v.GetStringValue().GetValue()
	case v.GetCode() != nil:
		return v.GetCode().GetValue()
	case v.GetId() != nil:
		return v.GetId().GetValue()
	case v.GetCoding() != nil:
		return v.GetCoding().GetCode().GetValue()
	case v.GetIdentifier() != nil:
		return v.GetIdentifier().GetValue().GetValue()
	}
	return ""
}

func (rd *reader) claim(c *claimpb.Claim) {
	r, base := rd.rec, rd.base
	rd.modifiers(c)

	switch c.GetStatus().GetValue() {
	case cpb.FinancialResourceStatusCode_ACTIVE:
		r.Frequency = record.FrequencyOriginal
	case cpb.FinancialResourceStatusCode_CANCELLED:
		r.Frequency = record.FrequencyVoid
	default:
		rd.errorf(CodeNotSupported, "FHIR_CLAIM_STATUS", base+".status", "/frequency",
			"Claim.status must be active (a new or corrected claim) or cancelled (a void).")
	}
	rd.path("/frequency", base+".status")
	if codingIn(c.GetType(), SystemClaimType, "").GetCode().GetValue() != "oral" {
		rd.errorf(CodeNotSupported, "FHIR_CLAIM_TYPE", base+".type", "",
			"Claim.type must be oral (%s); only dental claims become an 837D.", SystemClaimType)
	}
	switch c.GetUse().GetValue() {
	case cpb.UseCode_CLAIM:
	case cpb.UseCode_PREDETERMINATION, cpb.UseCode_PREAUTHORIZATION:
		rd.errorf(CodeNotSupported, "FHIR_CLAIM_USE", base+".use", "",
			"Claim.use must be claim: predeterminations and prior authorizations are not supported yet.")
	default:
		rd.errorf(CodeNotSupported, "FHIR_CLAIM_USE", base+".use", "", "Claim.use must be claim.")
	}

	rd.identifier(c)
	rd.envelopeParties(c.GetExtension())
	rd.related(c)
	pat := rd.patient(c)
	payerRef := rd.insurance(c, pat)
	rd.payer(c, payerRef)
	rd.billing(c)
	rd.facility(c)
	rd.careTeam(c)
	rd.diagnoses(c)
	rd.supportingInfo(c)
	rd.items(c)
	rd.untiedInfo(c)
	rd.total(c)
}

// modifiers refuses modifier extensions: they change the meaning of what
// they sit on, and a mapper that does not know them must not go on.
func (rd *reader) modifiers(c *claimpb.Claim) {
	check := func(n int, expr string) {
		if n > 0 {
			rd.errorf(CodeNotSupported, "FHIR_MODIFIER_EXTENSION", expr+".modifierExtension", "",
				"Modifier extensions change the meaning of an element and are not understood here.")
		}
	}
	check(len(c.GetModifierExtension()), rd.base)
	for i, x := range c.GetItem() {
		check(len(x.GetModifierExtension()), fmt.Sprintf("%s.item[%d]", rd.base, i))
	}
	for i, x := range c.GetSupportingInfo() {
		check(len(x.GetModifierExtension()), fmt.Sprintf("%s.supportingInfo[%d]", rd.base, i))
	}
	for i, x := range c.GetCareTeam() {
		check(len(x.GetModifierExtension()), fmt.Sprintf("%s.careTeam[%d]", rd.base, i))
	}
	for i, x := range c.GetInsurance() {
		check(len(x.GetModifierExtension()), fmt.Sprintf("%s.insurance[%d]", rd.base, i))
	}
	for i, x := range c.GetDiagnosis() {
		check(len(x.GetModifierExtension()), fmt.Sprintf("%s.diagnosis[%d]", rd.base, i))
	}
}

// identifier: ours first, then the C4BB patient account number, then the
// first identifier with a value.
func (rd *reader) identifier(c *claimpb.Claim) {
	rd.path("/record_id", rd.base+".identifier")
	best := -1
	for i, id := range c.GetIdentifier() {
		if id.GetValue().GetValue() == "" {
			continue
		}
		switch {
		case id.GetSystem().GetValue() == SystemRecordID:
			best = i
		case codingIn(id.GetType(), SystemC4BBIDType).GetCode().GetValue() == "pat" && (best < 0 || c.GetIdentifier()[best].GetSystem().GetValue() != SystemRecordID):
			best = i
		case best < 0:
			best = i
		}
	}
	if best >= 0 {
		rd.rec.RecordID = c.GetIdentifier()[best].GetValue().GetValue()
		rd.path("/record_id", fmt.Sprintf("%s.identifier[%d]", rd.base, best))
	}
}

func (rd *reader) envelopeParties(exts []*dpb.Extension) {
	sub := func(e *dpb.Extension, url string) string {
		for _, s := range e.GetExtension() {
			if s.GetUrl().GetValue() == url {
				return extText(s)
			}
		}
		return ""
	}
	if es := extensionsOf(exts, ExtSubmitter); len(es) > 0 {
		e := es[0]
		rd.rec.Submitter = &record.Submitter{Name: sub(e, "name"), ID: sub(e, "id"), ContactName: sub(e, "contact-name"),
			Phone: sub(e, "phone"), Email: sub(e, "email")}
		rd.path("/submitter", fmt.Sprintf("%s.extension('%s')", rd.base, ExtSubmitter))
	}
	if es := extensionsOf(exts, ExtReceiver); len(es) > 0 {
		rd.rec.Receiver = &record.Receiver{Name: sub(es[0], "name"), ID: sub(es[0], "id")}
		rd.path("/receiver", fmt.Sprintf("%s.extension('%s')", rd.base, ExtReceiver))
	}
}

func (rd *reader) related(c *claimpb.Claim) {
	rd.path("/payer_claim_number", rd.base+".related")
	for i, rel := range c.GetRelated() {
		expr := fmt.Sprintf("%s.related[%d]", rd.base, i)
		if codeIn(rel.GetRelationship(), SystemRelatedClaim, "") != "prior" {
			rd.warnf(CodeInformational, "FHIR_RELATED_IGNORED", expr, "",
				"Only a related claim with relationship prior (the claim being replaced or voided) is used; this one is ignored.")
			continue
		}
		if rd.rec.PayerClaimNumber != "" {
			rd.errorf(CodeNotSupported, "FHIR_RELATED_MULTIPLE", expr, "/payer_claim_number", "Only one prior claim can be replaced or voided.")
			continue
		}
		rd.rec.PayerClaimNumber = rel.GetReference().GetValue().GetValue()
		rd.path("/payer_claim_number", expr+".reference.value")
		if rd.rec.Frequency == record.FrequencyOriginal {
			rd.rec.Frequency = record.FrequencyReplacement
		}
	}
}

// demographic is what a Patient or RelatedPerson gives the record.
type demographic struct {
	first, last, birth, gender string
	addr                       *record.Address
	path                       string
}

func (rd *reader) person(names []*dpb.HumanName, birth *dpb.Date, gender cpb.AdministrativeGenderCode_Value,
	addrs []*dpb.Address, path, ptr string) demographic {
	d := demographic{path: path}
	rd.path(ptr, path)
	rd.path(ptr+"/first_name", path+".name")
	rd.path(ptr+"/last_name", path+".name")
	if i := pickName(names); i >= 0 {
		n := names[i]
		d.last = n.GetFamily().GetValue()
		var given []string
		for _, g := range n.GetGiven() {
			given = append(given, g.GetValue())
		}
		d.first = strings.Join(given, " ")
		rd.path(ptr+"/first_name", fmt.Sprintf("%s.name[%d].given", path, i))
		rd.path(ptr+"/last_name", fmt.Sprintf("%s.name[%d].family", path, i))
	}
	rd.path(ptr+"/birth_date", path+".birthDate")
	if birth != nil {
		if s, ok := recordDate(birth); ok {
			d.birth = s
		} else {
			rd.errorf(CodeValue, "FHIR_DATE_PRECISION", path+".birthDate", ptr+"/birth_date", "The birth date must be a full date (year, month and day).")
		}
	}
	rd.path(ptr+"/gender", path+".gender")
	g, exact := genderFromFHIR(gender)
	if !exact {
		rd.warnf(CodeInformational, "FHIR_GENDER_OTHER", path+".gender", "", "The 837D knows only female, male and unknown; gender other is sent as unknown (U).")
	}
	d.gender = g
	d.addr = rd.address(addrs, path, ptr+"/address")
	return d
}

// pickName prefers the official name, then usual, then the first.
func pickName(names []*dpb.HumanName) int {
	for _, use := range []cpb.NameUseCode_Value{cpb.NameUseCode_OFFICIAL, cpb.NameUseCode_USUAL} {
		for i, n := range names {
			if n.GetUse().GetValue() == use {
				return i
			}
		}
	}
	if len(names) > 0 {
		return 0
	}
	return -1
}

var reZipPlus4 = regexp.MustCompile(`^[0-9]{5}-[0-9]{4}$`)

func (rd *reader) address(addrs []*dpb.Address, path, ptr string) *record.Address {
	rd.path(ptr, path+".address")
	if len(addrs) == 0 {
		return nil
	}
	a := addrs[0]
	ap := path + ".address[0]"
	rd.path(ptr, ap)
	out := &record.Address{City: a.GetCity().GetValue(), State: a.GetState().GetValue(), PostalCode: a.GetPostalCode().GetValue()}
	lines := a.GetLine()
	if len(lines) > 0 {
		out.Line1 = lines[0].GetValue()
	}
	if len(lines) > 1 {
		var rest []string
		for _, l := range lines[1:] {
			rest = append(rest, l.GetValue())
		}
		out.Line2 = strings.Join(rest, " ")
	}
	if reZipPlus4.MatchString(out.PostalCode) {
		out.PostalCode = strings.Replace(out.PostalCode, "-", "", 1)
	}
	rd.path(ptr+"/line1", ap+".line[0]")
	rd.path(ptr+"/line2", ap+".line[1]")
	rd.path(ptr+"/city", ap+".city")
	rd.path(ptr+"/state", ap+".state")
	rd.path(ptr+"/postal_code", ap+".postalCode")
	return out
}

func (rd *reader) patient(c *claimpb.Claim) *demographic {
	l, kind := rd.rv.resolve(c.GetPatient())
	p := l.res.GetPatient()
	if kind != refFound || p == nil {
		rd.unresolved(kind, rd.base+".patient", "/patient", "FHIR_PATIENT_UNRESOLVED",
			"The patient must be a Patient resource (contained in the Claim or in the Bundle) with name, birth date, gender and address.")
		rd.covers = append(rd.covers, "/subscriber")
		return nil
	}
	d := rd.person(p.GetName(), p.GetBirthDate(), p.GetGender().GetValue(), p.GetAddress(), l.path, "/patient")
	return &d
}

// unresolved reports a reference that does not lead to the resource the
// mapping needs, saying why.
func (rd *reader) unresolved(kind resolveKind, expr, ptr, rule, need string) {
	why := map[resolveKind]string{
		refAbsent:     "The reference is missing.",
		refLogical:    "This is a logical reference (identifier or display only), which cannot be read.",
		refUnresolved: "This reference points to nothing contained in the Claim or present in the Bundle.",
		refFound:      "This reference points to a resource of another type.",
	}[kind]
	rd.errorf(CodeRequired, rule, expr, ptr, "%s %s", need, why)
}

// insurance reads the focal insurance, its Coverage and the subscriber; it
// returns the Coverage's first payor as the payer fallback.
func (rd *reader) insurance(c *claimpb.Claim, pat *demographic) *dpb.Reference {
	r, base := rd.rec, rd.base
	rd.path("/subscriber", base+".insurance")
	rd.path("/subscriber/member_id", base+".insurance")
	focal := -1
	for i, ins := range c.GetInsurance() {
		if !ins.GetFocal().GetValue() {
			continue
		}
		if focal >= 0 {
			rd.errorf(CodeNotSupported, "FHIR_FOCAL_INSURANCE", fmt.Sprintf("%s.insurance[%d].focal", base, i), "/subscriber",
				"Exactly one insurance must be focal: the coverage this claim is sent to.")
			continue
		}
		focal = i
	}
	if focal < 0 {
		rd.errorf(CodeRequired, "FHIR_FOCAL_INSURANCE", base+".insurance", "/subscriber",
			"One insurance must be focal (focal = true): the coverage this claim is sent to, with the subscriber's member id.")
		rd.selfIfUnknown(pat)
		return nil
	}
	ins := c.GetInsurance()[focal]
	insPath := fmt.Sprintf("%s.insurance[%d]", base, focal)
	rd.path("/prior_authorization", insPath+".preAuthRef")
	if refs := ins.GetPreAuthRef(); len(refs) > 0 {
		r.PriorAuthorization = refs[0].GetValue()
		rd.path("/prior_authorization", insPath+".preAuthRef[0]")
		if len(refs) > 1 {
			rd.warnf(CodeInformational, "FHIR_PREAUTH_EXTRA", insPath+".preAuthRef[1]", "",
				"Only the first prior authorization number travels in the 837D (REF*G1); the others are ignored.")
		}
	}
	l, kind := rd.rv.resolve(ins.GetCoverage())
	cov := l.res.GetCoverage()
	if kind != refFound || cov == nil {
		rd.unresolved(kind, insPath+".coverage", "/subscriber", "FHIR_COVERAGE_UNRESOLVED",
			"The focal insurance must reference a Coverage (contained or in the Bundle) giving the subscriber's member id (subscriberId), relationship and subscriber.")
		rd.selfIfUnknown(pat)
		return nil
	}
	cp := l.path
	rd.path("/subscriber", cp)
	rd.path("/subscriber/member_id", cp+".subscriberId")
	if v := cov.GetSubscriberId().GetValue(); v != "" {
		r.Subscriber.MemberID = v
	} else {
		for i, id := range cov.GetIdentifier() {
			if codingIn(id.GetType(), SystemIdentifierType).GetCode().GetValue() == "MB" && id.GetValue().GetValue() != "" {
				r.Subscriber.MemberID = id.GetValue().GetValue()
				rd.path("/subscriber/member_id", fmt.Sprintf("%s.identifier[%d]", cp, i))
				break
			}
		}
	}
	rd.path("/subscriber/group_number", cp+".class")
	for i, cl := range cov.GetClassValue() {
		if codeIn(cl.GetType(), SystemCoverageClass, "") == "group" {
			r.Subscriber.GroupNumber = cl.GetValue().GetValue()
			rd.path("/subscriber/group_number", fmt.Sprintf("%s.class[%d].value", cp, i))
			break
		}
	}
	rd.subscriber(cov, cp, pat)
	if len(cov.GetPayor()) > 0 {
		return cov.GetPayor()[0]
	}
	return nil
}

// selfIfUnknown keeps the patient's demographics somewhere when the
// subscriber cannot be known (an error has been reported already).
func (rd *reader) selfIfUnknown(pat *demographic) {
	if pat != nil {
		rd.setSubscriberPerson(*pat, "/subscriber")
	}
	rd.covers = append(rd.covers, "/patient")
}

func (rd *reader) setSubscriberPerson(d demographic, ptr string) {
	s := &rd.rec.Subscriber
	s.FirstName, s.LastName, s.BirthDate, s.Gender, s.Address = d.first, d.last, d.birth, d.gender, d.addr
}

var relationshipToRecord = map[string]string{
	"spouse": "spouse", "common": "spouse", "child": "child", "parent": "other", "other": "other", "injured": "other",
}

func (rd *reader) subscriber(cov *covpb.Coverage, cp string, pat *demographic) {
	rel := codeIn(cov.GetRelationship(), SystemSubscriberRel, "")
	relPath := cp + ".relationship"
	var subj *demographic
	samePerson := false
	switch l, kind := rd.rv.resolve(cov.GetSubscriber()); {
	case kind == refAbsent:
		samePerson = true
	case kind == refFound && l.res.GetPatient() != nil:
		p := l.res.GetPatient()
		samePerson = pat != nil && l.path == pat.path
		if !samePerson {
			d := rd.person(p.GetName(), p.GetBirthDate(), p.GetGender().GetValue(), p.GetAddress(), l.path, "/subscriber")
			subj = &d
		}
	case kind == refFound && l.res.GetRelatedPerson() != nil:
		p := l.res.GetRelatedPerson()
		d := rd.person(p.GetName(), p.GetBirthDate(), p.GetGender().GetValue(), p.GetAddress(), l.path, "/subscriber")
		subj = &d
	default:
		if rel == "self" {
			samePerson = true
			break
		}
		rd.unresolved(kind, cp+".subscriber", "/subscriber", "FHIR_SUBSCRIBER_UNRESOLVED",
			"Coverage.subscriber must be the Patient or a RelatedPerson (contained or in the Bundle) with name, birth date and gender.")
		rd.covers = append(rd.covers, "/patient")
		return
	}
	if rel == "self" || (rel == "" && samePerson) {
		if subj != nil {
			rd.errorf(CodeBusinessRule, "FHIR_RELATIONSHIP_CONFLICT", relPath, "/subscriber",
				"Coverage.relationship is self but Coverage.subscriber is another person than the patient.")
			return
		}
		if pat != nil {
			rd.setSubscriberPerson(*pat, "/subscriber")
			rd.retarget("/patient", "/subscriber", pat.path)
		}
		return
	}
	if samePerson {
		rd.errorf(CodeBusinessRule, "FHIR_RELATIONSHIP_CONFLICT", relPath, "/patient",
			"Coverage.relationship is not self but the subscriber is the patient.")
		return
	}
	// The patient is a dependent of the subscriber.
	p := &record.Patient{}
	if pat != nil {
		p.FirstName, p.LastName, p.BirthDate, p.Gender, p.Address = pat.first, pat.last, pat.birth, pat.gender, pat.addr
	}
	rd.path("/patient/relationship", relPath)
	switch mapped, ok := relationshipToRecord[rel]; {
	case rel == "":
	case !ok:
		rd.errorf(CodeCodeInvalid, "FHIR_RELATIONSHIP", relPath, "/patient/relationship",
			"Coverage.relationship must be a subscriber-relationship code (self, spouse, child, other).")
	default:
		if mapped != rel {
			rd.warnf(CodeInformational, "FHIR_RELATIONSHIP_MAPPED", relPath, "",
				"The 837D knows spouse, child and other (PAT01); this relationship is sent as the nearest of them.")
		}
		p.Relationship = mapped
	}
	rd.rec.Patient = p
	if subj != nil {
		rd.setSubscriberPerson(*subj, "/subscriber")
	}
}

// retarget moves the paths registered under one record pointer to another
// (the patient's demographics become the subscriber's when they are one
// person).
func (rd *reader) retarget(from, to, path string) {
	for p, e := range rd.paths {
		if p == from || strings.HasPrefix(p, from+"/") {
			rd.paths[to+strings.TrimPrefix(p, from)] = e
		}
	}
	rd.paths[to] = path
}

func (rd *reader) payer(c *claimpb.Claim, fallback *dpb.Reference) {
	expr := rd.base + ".insurer"
	rd.path("/payer", expr)
	l, kind := rd.rv.resolve(c.GetInsurer())
	if (kind != refFound || l.res.GetOrganization() == nil) && fallback != nil {
		if fl, fk := rd.rv.resolve(fallback); fk == refFound && fl.res.GetOrganization() != nil {
			l, kind = fl, fk
		}
	}
	o := l.res.GetOrganization()
	if kind != refFound || o == nil {
		rd.unresolved(kind, expr, "/payer", "FHIR_PAYER_UNRESOLVED",
			"The payer must be an Organization (Claim.insurer or Coverage.payor, contained or in the Bundle) with its name and payer id.")
		return
	}
	rd.path("/payer", l.path)
	rd.path("/payer/name", l.path+".name")
	rd.path("/payer/id", l.path+".identifier")
	rd.rec.Payer.Name = o.GetName().GetValue()
	ids := o.GetIdentifier()
	for i, id := range ids {
		sys := id.GetSystem().GetValue()
		if codingIn(id.GetType(), SystemC4BBIDType).GetCode().GetValue() == "payerid" || sys == SystemPayerID || sys == "urn:oid:2.16.840.1.113883.6.300" {
			rd.rec.Payer.ID = id.GetValue().GetValue()
			rd.path("/payer/id", fmt.Sprintf("%s.identifier[%d]", l.path, i))
			return
		}
	}
	if len(ids) == 1 && ids[0].GetValue().GetValue() != "" {
		rd.rec.Payer.ID = ids[0].GetValue().GetValue()
		rd.path("/payer/id", l.path+".identifier[0]")
		rd.warnf(CodeInformational, "FHIR_PAYER_ID_ASSUMED", l.path+".identifier[0]", "",
			"The payer's only identifier is taken as its payer id (NM109); type it payerid (C4BBIdentifierType) to say so.")
	}
}

// billing reads Claim.provider: an Organization (a group, NM102=2) or a
// Practitioner (an individual dentist billing in her own name, NM102=1).
func (rd *reader) billing(c *claimpb.Claim) {
	expr := rd.base + ".provider"
	rd.path("/billing_provider", expr)
	l, kind := rd.rv.resolve(c.GetProvider())
	o, pr := l.res.GetOrganization(), l.res.GetPractitioner()
	if kind == refFound && o == nil && pr == nil {
		rd.errorf(CodeNotSupported, "FHIR_BILLING_PROVIDER_TYPE", expr, "/billing_provider",
			"The billing provider must be an Organization, or a Practitioner for a dentist billing in her own name, with its NPI, tax id and address.")
		return
	}
	if kind != refFound {
		rd.unresolved(kind, expr, "/billing_provider", "FHIR_BILLING_PROVIDER_UNRESOLVED",
			"The billing provider must be an Organization or Practitioner (contained or in the Bundle) with its name, NPI ("+SystemNPI+"), tax id and address.")
		return
	}
	bp := &rd.rec.BillingProvider
	p := l.path
	rd.path("/billing_provider", p)
	rd.path("/billing_provider/name", p+".name")
	rd.path("/billing_provider/npi", p+".identifier")
	rd.path("/billing_provider/tax_id", p+".identifier")
	ids, addrs := o.GetIdentifier(), o.GetAddress()
	if pr != nil {
		ids, addrs = pr.GetIdentifier(), pr.GetAddress()
		rd.path("/billing_provider/taxonomy", p+".qualification")
		if n := pickName(pr.GetName()); n >= 0 {
			bp.LastName = pr.GetName()[n].GetFamily().GetValue()
			var given []string
			for _, g := range pr.GetName()[n].GetGiven() {
				given = append(given, g.GetValue())
			}
			bp.FirstName = strings.Join(given, " ")
			rd.path("/billing_provider/first_name", fmt.Sprintf("%s.name[%d].given", p, n))
			rd.path("/billing_provider/last_name", fmt.Sprintf("%s.name[%d].family", p, n))
		}
		for i, q := range pr.GetQualification() {
			if code := codeIn(q.GetCode(), SystemNUCC); code != "" {
				bp.Taxonomy = code
				rd.path("/billing_provider/taxonomy", fmt.Sprintf("%s.qualification[%d].code", p, i))
				break
			}
		}
	} else {
		bp.Name = o.GetName().GetValue()
		rd.path("/billing_provider/taxonomy", p+".type")
		for i, t := range o.GetType() {
			if code := codeIn(t, SystemNUCC); code != "" {
				bp.Taxonomy = code
				rd.path("/billing_provider/taxonomy", fmt.Sprintf("%s.type[%d]", p, i))
				break
			}
		}
	}
	for i, id := range ids {
		sys, v := strings.TrimSpace(id.GetSystem().GetValue()), id.GetValue().GetValue()
		idType := codingIn(id.GetType(), SystemIdentifierType).GetCode().GetValue()
		switch {
		case sys == SystemNPI && bp.NPI == "":
			bp.NPI = v
			rd.path("/billing_provider/npi", fmt.Sprintf("%s.identifier[%d]", p, i))
		case (sys == SystemTIN || sys == SystemSSN || idType == "TAX" || idType == "SS") && bp.TaxID == "":
			bp.TaxID = strings.ReplaceAll(v, "-", "")
			if sys == SystemSSN || idType == "SS" {
				bp.TaxIDType = record.TaxIDSSN
			}
			rd.path("/billing_provider/tax_id", fmt.Sprintf("%s.identifier[%d]", p, i))
			rd.path("/billing_provider/tax_id_type", fmt.Sprintf("%s.identifier[%d]", p, i))
		}
	}
	bp.Address = rd.address(addrs, p, "/billing_provider/address")
}

// facility reads Claim.facility, a Location, as the service facility (2310C).
func (rd *reader) facility(c *claimpb.Claim) {
	if c.GetFacility() == nil {
		return
	}
	expr := rd.base + ".facility"
	rd.path("/service_facility", expr)
	l, kind := rd.rv.resolve(c.GetFacility())
	loc := l.res.GetLocation()
	if kind != refFound || loc == nil {
		rd.unresolved(kind, expr, "/service_facility", "FHIR_FACILITY_UNRESOLVED",
			"The facility must be a Location (contained or in the Bundle) with its name and address.")
		return
	}
	p := l.path
	f := &record.ServiceFacility{Name: loc.GetName().GetValue()}
	rd.path("/service_facility", p)
	rd.path("/service_facility/name", p+".name")
	rd.path("/service_facility/npi", p+".identifier")
	for i, id := range loc.GetIdentifier() {
		if strings.TrimSpace(id.GetSystem().GetValue()) == SystemNPI {
			f.NPI = id.GetValue().GetValue()
			rd.path("/service_facility/npi", fmt.Sprintf("%s.identifier[%d]", p, i))
			break
		}
	}
	if a := loc.GetAddress(); a != nil {
		f.Address = rd.address([]*dpb.Address{a}, p, "/service_facility/address")
	}
	rd.rec.ServiceFacility = f
}

// careTeam reads the rendering dentist (role primary or rendering, or no
// role) and the case-management staff (any other role).
func (rd *reader) careTeam(c *claimpb.Claim) {
	rendering := -1
	for i, ct := range c.GetCareTeam() {
		expr := fmt.Sprintf("%s.careTeam[%d]", rd.base, i)
		role := codeIn(ct.GetRole(), SystemCareTeamRole, SystemC4BBRole, "")
		l, kind := rd.rv.resolve(ct.GetProvider())
		if role == "" || role == "primary" || role == "rendering" {
			pr := l.res.GetPractitioner()
			if kind != refFound || pr == nil {
				rd.unresolved(kind, expr+".provider", "/rendering_provider", "FHIR_RENDERING_UNRESOLVED",
					"A care team member with role primary or rendering (or no role) is the rendering dentist: it must be a Practitioner (contained or in the Bundle) with name and NPI ("+SystemNPI+"). Give case-management staff the role other.")
				continue
			}
			rp := &record.RenderingProvider{}
			p := l.path
			for j, id := range pr.GetIdentifier() {
				if strings.TrimSpace(id.GetSystem().GetValue()) == SystemNPI {
					rp.NPI = id.GetValue().GetValue()
					rd.path("/rendering_provider/npi", fmt.Sprintf("%s.identifier[%d]", p, j))
					break
				}
			}
			if rendering >= 0 {
				if rd.rec.RenderingProvider.NPI != rp.NPI {
					rd.errorf(CodeNotSupported, "FHIR_RENDERING_MULTIPLE", expr, "/rendering_provider",
						"The 837D carries one rendering dentist per claim; the care team names two.")
				}
				continue
			}
			rendering = i
			if n := pickName(pr.GetName()); n >= 0 {
				rp.LastName = pr.GetName()[n].GetFamily().GetValue()
				var given []string
				for _, g := range pr.GetName()[n].GetGiven() {
					given = append(given, g.GetValue())
				}
				rp.FirstName = strings.Join(given, " ")
			}
			rp.Taxonomy = codeIn(ct.GetQualification(), SystemNUCC)
			rd.rec.RenderingProvider = rp
			rd.path("/rendering_provider", p)
			rd.path("/rendering_provider/first_name", p+".name")
			rd.path("/rendering_provider/last_name", p+".name")
			if _, ok := rd.paths["/rendering_provider/npi"]; !ok {
				rd.path("/rendering_provider/npi", p+".identifier")
			}
			rd.path("/rendering_provider/taxonomy", expr+".qualification")
			continue
		}
		st := &record.Staff{}
		if pr := l.res.GetPractitioner(); kind == refFound && pr != nil {
			if n := pickName(pr.GetName()); n >= 0 {
				st.Name = nameText(pr.GetName()[n])
			}
		} else if kind == refLogical {
			st.Name = ct.GetProvider().GetDisplay().GetValue()
		}
		if q := ct.GetQualification(); q != nil {
			st.Credential = q.GetText().GetValue()
			if st.Credential == "" && len(q.GetCoding()) > 0 {
				st.Credential = q.GetCoding()[0].GetDisplay().GetValue()
				if st.Credential == "" {
					st.Credential = q.GetCoding()[0].GetCode().GetValue()
				}
			}
		}
		if es := extensionsOf(ct.GetExtension(), ExtStaffRole); len(es) > 0 {
			st.Role = extText(es[0])
		}
		rd.staffBySeq[ct.GetSequence().GetValue()] = st
		rd.paths[fmt.Sprintf("careTeam:%d", ct.GetSequence().GetValue())] = expr
	}
}

func nameText(n *dpb.HumanName) string {
	if t := n.GetText().GetValue(); t != "" {
		return t
	}
	var parts []string
	for _, g := range n.GetGiven() {
		parts = append(parts, g.GetValue())
	}
	if f := n.GetFamily().GetValue(); f != "" {
		parts = append(parts, f)
	}
	return strings.Join(parts, " ")
}

func (rd *reader) diagnoses(c *claimpb.Claim) {
	rd.path("/diagnoses", rd.base+".diagnosis")
	for i, d := range c.GetDiagnosis() {
		expr := fmt.Sprintf("%s.diagnosis[%d]", rd.base, i)
		ptr := record.Pointer("diagnoses", len(rd.rec.Diagnoses))
		if d.GetDiagnosis().GetReference() != nil {
			rd.errorf(CodeNotSupported, "FHIR_DIAGNOSIS_REFERENCE", expr+".diagnosisReference", ptr,
				"A diagnosis must be given as diagnosisCodeableConcept with an ICD-10-CM code ("+SystemICD10CM+").")
			rd.rec.Diagnoses = append(rd.rec.Diagnoses, "")
			continue
		}
		code := codeInCanonical(d.GetDiagnosis().GetCodeableConcept(), SystemICD10CM)
		if code == "" {
			rd.errorf(CodeCodeInvalid, "FHIR_ICD10_REQUIRED", expr+".diagnosisCodeableConcept", ptr,
				"The diagnosis needs an ICD-10-CM code (system "+SystemICD10CM+").")
		}
		rd.rec.Diagnoses = append(rd.rec.Diagnoses, code)
		rd.path(ptr, expr+".diagnosisCodeableConcept")
	}
}

// supportingInfo reads the narrative, the special-needs facts, the line
// details (kept by sequence for the items) and the attachments.
func (rd *reader) supportingInfo(c *claimpb.Claim) {
	r := rd.rec
	rd.path("/narrative", rd.base+".supportingInfo")
	rd.path("/special_needs", rd.base+".supportingInfo")
	for i, si := range c.GetSupportingInfo() {
		expr := fmt.Sprintf("%s.supportingInfo[%d]", rd.base, i)
		text := si.GetValue().GetStringValue().GetValue()
		switch codeIn(si.GetCategory(), SystemInfoCategory, "") {
		case "info":
			if act := codeIn(si.GetCode(), CodeSystemActivity); act != "" {
				rd.lineInfo[si.GetSequence().GetValue()] = &infoEntry{kind: "activity", text: act, path: expr}
				continue
			}
			switch kind := codeIn(si.GetCode(), CodeSystemInfo); kind {
			case InfoCondition, InfoLimitations, InfoModifications:
				if r.SpecialNeeds == nil {
					r.SpecialNeeds = &record.SpecialNeeds{}
				}
				field := map[string]*string{InfoCondition: &r.SpecialNeeds.Condition, InfoLimitations: &r.SpecialNeeds.FunctionalLimitations,
					InfoModifications: &r.SpecialNeeds.DeliveryModifications}[kind]
				*field = joinText(*field, text)
				rd.path("/special_needs/"+map[string]string{InfoCondition: "condition", InfoLimitations: "functional_limitations",
					InfoModifications: "delivery_modifications"}[kind], expr)
			case InfoMinutes:
				q := si.GetValue().GetQuantity()
				mins, ok := minutes(q)
				if !ok {
					rd.errorf(CodeValue, "FHIR_MINUTES", expr+".valueQuantity", "",
						"Minutes must be a whole number of minutes (valueQuantity, unit min).")
				}
				rd.lineInfo[si.GetSequence().GetValue()] = &infoEntry{kind: kind, min: mins, path: expr}
			case InfoReason, InfoActions, InfoPatientBenefit, InfoFollowUp, InfoNote:
				rd.lineInfo[si.GetSequence().GetValue()] = &infoEntry{kind: kind, text: text, path: expr}
			default:
				if text == "" {
					rd.warnf(CodeInformational, "FHIR_INFO_IGNORED", expr, "",
						"Only text (valueString) information is used as the narrative; this entry is ignored.")
					continue
				}
				rd.narrative = append(rd.narrative, text)
				if len(rd.narrative) == 1 {
					rd.path("/narrative", expr+".valueString")
				}
			}
		case "attachment":
			rd.attachment(si, expr)
		default:
			rd.warnf(CodeInformational, "FHIR_INFO_IGNORED", expr+".category", "",
				"This supportingInfo category is not used for a D9997 claim; the entry is ignored.")
		}
	}
	r.Narrative = strings.Join(rd.narrative, "\n")
}

func joinText(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + "\n" + b
}

func minutes(q *dpb.Quantity) (int, bool) {
	if q == nil {
		return 0, false
	}
	d, err := decimal.NewFromString(q.GetValue().GetValue())
	if err != nil {
		return 0, false
	}
	switch unit := q.GetCode().GetValue(); unit {
	case "", "min":
	case "h":
		d = d.Mul(decimal.NewFromInt(60))
	default:
		return 0, false
	}
	if !d.IsInteger() || d.Sign() < 0 || d.GreaterThan(decimal.NewFromInt(100000)) {
		return 0, false
	}
	return int(d.IntPart()), true
}

func (rd *reader) attachment(si *claimpb.Claim_SupportingInformation, expr string) {
	j := len(rd.rec.Attachments)
	ptr := record.Pointer("attachments", j)
	a := record.Attachment{}
	rd.path(ptr, expr)
	rd.path(ptr+"/id", expr)
	v := si.GetValue()
	switch {
	case v.GetReference() != nil:
		l, kind := rd.rv.resolve(v.GetReference())
		doc := l.res.GetDocumentReference()
		switch {
		case kind == refFound && doc != nil:
			rd.path(ptr+"/id", l.path+".identifier")
			best := -1
			for i, id := range doc.GetIdentifier() {
				if id.GetValue().GetValue() == "" {
					continue
				}
				if id.GetSystem().GetValue() == SystemAttachmentID || best < 0 {
					best = i
				}
			}
			if best >= 0 {
				a.ID = doc.GetIdentifier()[best].GetValue().GetValue()
				rd.path(ptr+"/id", fmt.Sprintf("%s.identifier[%d]", l.path, best))
			}
			if cs := doc.GetContent(); len(cs) > 0 {
				fillAttachment(&a, cs[0].GetAttachment())
			}
		case kind == refLogical && v.GetReference().GetIdentifier().GetValue().GetValue() != "":
			a.ID = v.GetReference().GetIdentifier().GetValue().GetValue()
		default:
			rd.unresolved(kind, expr+".valueReference", ptr, "FHIR_ATTACHMENT_UNRESOLVED",
				"An attachment must reference a DocumentReference (contained or in the Bundle) whose identifier is the attachment control number.")
		}
	case v.GetAttachment() != nil:
		fillAttachment(&a, v.GetAttachment())
		if es := extensionsOf(si.GetExtension(), ExtAttachmentControlNumber); len(es) > 0 {
			a.ID = extText(es[0])
			rd.path(ptr+"/id", fmt.Sprintf("%s.extension('%s')", expr, ExtAttachmentControlNumber))
		}
	default:
		rd.errorf(CodeRequired, "FHIR_ATTACHMENT_VALUE", expr, ptr,
			"An attachment needs valueReference (a DocumentReference) or valueAttachment.")
	}
	if es := extensionsOf(si.GetExtension(), ExtAttachmentReportType); len(es) > 0 {
		a.ReportType = extText(es[0])
	} else if code := codeIn(si.GetCode(), SystemPWK01); code != "" {
		a.ReportType = code
	}
	rd.path(ptr+"/report_type", fmt.Sprintf("%s.extension('%s')", expr, ExtAttachmentReportType))
	if es := extensionsOf(si.GetExtension(), ExtAttachmentTransmission); len(es) > 0 {
		a.Transmission = extText(es[0])
	}
	rd.path(ptr+"/transmission", fmt.Sprintf("%s.extension('%s')", expr, ExtAttachmentTransmission))
	rd.rec.Attachments = append(rd.rec.Attachments, a)
}

func fillAttachment(a *record.Attachment, att *dpb.Attachment) {
	a.Title = att.GetTitle().GetValue()
	a.ContentType = att.GetContentType().GetValue()
	if data := att.GetData().GetValue(); len(data) > 0 {
		a.Data = b64(data)
	}
}

func (rd *reader) items(c *claimpb.Claim) {
	r := rd.rec
	rd.path("/services", rd.base+".item")
	rd.path("/place_of_service", rd.base+".item")
	for i, it := range c.GetItem() {
		expr := fmt.Sprintf("%s.item[%d]", rd.base, i)
		ptr := record.Pointer("services", i)
		at := func(f string) string { return ptr + "/" + f }
		s := record.Service{}
		rd.path(ptr, expr)

		rd.path(at("line_id"), fmt.Sprintf("%s.extension('%s')", expr, ExtLineItemControlNumber))
		if es := extensionsOf(it.GetExtension(), ExtLineItemControlNumber); len(es) > 0 {
			s.LineID = extText(es[0])
		}

		rd.path(at("code"), expr+".productOrService")
		cdt := ""
		for _, cd := range it.GetProductOrService().GetCoding() {
			sys := cd.GetSystem().GetValue()
			if _, ok := NormalizeCDTSystem(sys); ok && cd.GetCode().GetValue() != "" {
				cdt = strings.TrimSpace(cd.GetCode().GetValue())
				if strings.TrimSpace(sys) != SystemCDT {
					rd.issue(SeverityInformation, CodeInformational, "FHIR_CDT_SYSTEM_NORMALISED", expr+".productOrService", "",
						"The CDT code system is read as "+SystemCDT+".")
				}
				break
			}
		}
		if cdt == "" {
			rd.errorf(CodeCodeInvalid, "FHIR_CDT_REQUIRED", expr+".productOrService", ptr,
				"The item needs a CDT procedure code (system %s), such as D9997.", SystemCDT)
		}
		s.Code = cdt

		rd.path(at("date"), expr+".servicedDate")
		switch sv := it.GetServiced(); {
		case sv.GetDate() != nil:
			if d, ok := recordDate(sv.GetDate()); ok {
				s.Date = d
			} else {
				rd.errorf(CodeValue, "FHIR_SERVICE_DATE", expr+".servicedDate", at("date"), "The service date must be a full date (year, month and day).")
			}
		case sv.GetPeriod() != nil:
			rd.path(at("date"), expr+".servicedPeriod")
			from, ok1 := dateOfDateTime(sv.GetPeriod().GetStart())
			to, ok2 := dateOfDateTime(sv.GetPeriod().GetEnd())
			if ok1 && ok2 && from == to {
				s.Date = from
			} else {
				rd.errorf(CodeNotSupported, "FHIR_SERVICE_DATE", expr+".servicedPeriod", at("date"),
					"Each D9997 line is one date of service: give servicedDate (or a period that starts and ends on the same day).")
			}
		}

		rd.itemLocation(it, expr)
		rd.itemAmounts(it, expr, ptr, &s)

		for _, f := range []struct {
			n    int
			what string
		}{{len(it.GetModifier()), "modifier"}, {len(it.GetSubSite()), "subSite"}, {len(it.GetDetail()), "detail"}} {
			if f.n > 0 {
				rd.errorf(CodeNotSupported, "FHIR_ITEM_ELEMENT", expr+"."+f.what, ptr,
					"A case-management line carries no procedure modifiers, surfaces or detail lines.")
			}
		}
		if it.GetBodySite() != nil {
			rd.errorf(CodeNotSupported, "FHIR_ITEM_ELEMENT", expr+".bodySite", ptr, "A case-management line carries no tooth or area (bodySite).")
		}

		for _, seq := range it.GetCareTeamSequence() {
			if st, ok := rd.staffBySeq[seq.GetValue()]; ok && s.Staff == nil {
				cp := *st
				s.Staff = &cp
				rd.path(at("staff"), rd.paths[fmt.Sprintf("careTeam:%d", seq.GetValue())])
			}
		}
		for _, seq := range it.GetInformationSequence() {
			if e, ok := rd.lineInfo[seq.GetValue()]; ok {
				rd.usedInfo[seq.GetValue()] = true
				rd.applyInfo(&s, e, ptr)
			}
		}
		r.Services = append(r.Services, s)
	}
	if rd.pos != "" {
		r.PlaceOfService = rd.pos
		rd.path("/place_of_service", rd.posPath)
	}
}

func dateOfDateTime(dt *dpb.DateTime) (string, bool) {
	if dt == nil || dt.GetPrecision() < dpb.DateTime_DAY {
		return "", false
	}
	return recordDate(&dpb.Date{ValueUs: dt.GetValueUs(), Timezone: dt.GetTimezone(), Precision: dpb.Date_DAY})
}

var rePOS = regexp.MustCompile(`^[0-9]{2}$`)

func (rd *reader) itemLocation(it *claimpb.Claim_Item, expr string) {
	loc := it.GetLocation()
	if loc == nil {
		return
	}
	if loc.GetCodeableConcept() == nil {
		rd.errorf(CodeNotSupported, "FHIR_POS", expr+".location", "/place_of_service",
			"The place of service must be locationCodeableConcept with a CMS place-of-service code.")
		return
	}
	lp := expr + ".locationCodeableConcept"
	code := codeInCanonical(loc.GetCodeableConcept(), SystemPOS)
	if code == "" {
		if c := codeIn(loc.GetCodeableConcept(), ""); rePOS.MatchString(c) {
			code = c
			rd.warnf(CodeInformational, "FHIR_POS_SYSTEM", lp, "", "The place-of-service code has no system; it is read as a CMS place-of-service code.")
		} else {
			rd.errorf(CodeCodeInvalid, "FHIR_POS", lp, "/place_of_service", "The place of service must be a CMS place-of-service code (system %s).", SystemPOS)
			return
		}
	}
	switch {
	case rd.pos == "":
		rd.pos, rd.posPath = code, lp
	case rd.pos != code:
		rd.errorf(CodeNotSupported, "FHIR_POS_DIFFERS", lp, "/place_of_service",
			"All lines must share one place of service: the record carries it once for the claim.")
	}
}

func (rd *reader) amount(m *dpb.Money, expr, ptr string) (*money.Amount, bool) {
	if m == nil {
		return nil, true
	}
	if cur := m.GetCurrency().GetValue(); cur != "" && cur != "USD" {
		rd.errorf(CodeValue, "FHIR_CURRENCY", expr+".currency", ptr, "Amounts must be in USD.")
		return nil, false
	}
	v := m.GetValue().GetValue()
	a, err := money.Parse(v)
	if err != nil {
		if d, derr := decimal.NewFromString(v); derr == nil {
			a, err = money.Parse(d.String())
		}
	}
	if err != nil {
		rd.errorf(CodeValue, "FHIR_AMOUNT", expr+".value", ptr, "The amount is not a decimal number.")
		return nil, false
	}
	return &a, true
}

func (rd *reader) itemAmounts(it *claimpb.Claim_Item, expr, ptr string, s *record.Service) {
	at := func(f string) string { return ptr + "/" + f }
	rd.path(at("units"), expr+".quantity")
	rd.path(at("charge"), expr+".net")
	if q := it.GetQuantity(); q != nil {
		d, err := decimal.NewFromString(q.GetValue().GetValue())
		if err != nil || !d.IsInteger() || d.Sign() <= 0 || d.GreaterThan(decimal.NewFromInt(9999)) {
			rd.errorf(CodeValue, "FHIR_QUANTITY", expr+".quantity", at("units"), "The quantity (units) must be a whole number of at least 1.")
		} else {
			s.Units = int(d.IntPart())
		}
	}
	units := s.Units
	if units == 0 {
		units = 1
	}
	factorRefused := false
	if f := it.GetFactor(); f != nil {
		if d, err := decimal.NewFromString(f.GetValue()); err != nil || !d.Equal(decimal.NewFromInt(1)) {
			factorRefused = true
			rd.errorf(CodeNotSupported, "FHIR_FACTOR", expr+".factor", at("charge"), "A price factor other than 1 is not supported: give the charge as net.")
		}
	}
	net, okNet := rd.amount(it.GetNet(), expr+".net", at("charge"))
	unit, okUnit := rd.amount(it.GetUnitPrice(), expr+".unitPrice", at("charge"))
	if !okNet || !okUnit {
		return
	}
	switch {
	case net != nil:
		s.Charge = net
		// R4: net = quantity × unitPrice × factor. A refused factor is
		// reported once (FHIR_FACTOR), not again as a mismatch.
		if unit != nil && !factorRefused && !unit.Mul(money.FromInt(int64(units))).Equal(*net) {
			rd.errorf(CodeBusinessRule, "FHIR_NET_MISMATCH", expr+".net", at("charge"), "The net amount must equal unitPrice times quantity.")
		}
	case unit != nil:
		v := unit.Mul(money.FromInt(int64(units)))
		s.Charge = &v
		rd.path(at("charge"), expr+".unitPrice")
	}
}

func (rd *reader) applyInfo(s *record.Service, e *infoEntry, ptr string) {
	set := func(field *string, name string) {
		*field = joinText(*field, e.text)
		rd.path(ptr+"/"+name, e.path)
	}
	switch e.kind {
	case "activity":
		if s.CaseManagementType != "" && s.CaseManagementType != e.text {
			rd.errorf(CodeNotSupported, "FHIR_ACTIVITY_MULTIPLE", e.path, ptr+"/case_management_type", "A line has one case-management type.")
			return
		}
		s.CaseManagementType = e.text
		rd.path(ptr+"/case_management_type", e.path)
	case InfoMinutes:
		s.Minutes += e.min
		rd.path(ptr+"/minutes", e.path)
	case InfoReason:
		set(&s.Reason, "reason")
	case InfoActions:
		set(&s.Actions, "actions")
	case InfoPatientBenefit:
		set(&s.PatientBenefit, "patient_benefit")
	case InfoFollowUp:
		set(&s.FollowUp, "follow_up")
	case InfoNote:
		set(&s.Note, "note")
	}
}

// untiedInfo handles line details no item points to: with one line they
// belong to it; otherwise they cannot be placed and are reported.
func (rd *reader) untiedInfo(c *claimpb.Claim) {
	for _, si := range c.GetSupportingInfo() {
		seq := si.GetSequence().GetValue()
		e, ok := rd.lineInfo[seq]
		if !ok || rd.usedInfo[seq] {
			continue
		}
		if len(rd.rec.Services) == 1 {
			rd.applyInfo(&rd.rec.Services[0], e, record.Pointer("services", 0))
			continue
		}
		rd.warnf(CodeInformational, "FHIR_INFO_UNTIED", e.path, "",
			"This case-management detail is not tied to an item (item.informationSequence) and cannot be placed on a line; it is not used.")
	}
}

func (rd *reader) total(c *claimpb.Claim) {
	if c.GetTotal() == nil {
		return
	}
	expr := rd.base + ".total"
	t, ok := rd.amount(c.GetTotal(), expr, "")
	if !ok || t == nil {
		return
	}
	sum := money.Zero
	for _, s := range rd.rec.Services {
		if s.Charge == nil {
			return
		}
		sum = sum.Add(*s.Charge)
	}
	if !sum.Equal(*t) {
		rd.errorf(CodeBusinessRule, "FHIR_TOTAL_MISMATCH", expr, "", "Claim.total must equal the sum of the item net amounts.")
	}
}

func b64(raw []byte) string { return base64.StdEncoding.EncodeToString(raw) }
