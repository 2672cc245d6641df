package record

import (
	"encoding/binary"
	"encoding/json"
	"strconv"

	"github.com/casebridge/casebridge/internal/money"
)

// The strict pass of DecodeBytes: one walk over the bytes straight into a
// Record, written by hand for each type of the contract (no reflection, no
// field table lookups: a switch on the key). It accepts only what the full
// pass (generic parse, shape check, struct decode) accepts with no problem,
// and gives up — returning false — at the first thing it does not take as
// is: a syntax error, an unknown or repeated field, a wrong type, a bad
// amount, a null where an object must be, a string with escapes or
// non-ASCII it cannot copy (those it hands to encoding/json). DecodeBytes
// then runs the full pass, which finds every problem with its pointer.
// TestStrictPassTakesEveryField holds the switches to the structs' fields.

// recordArena is the memory of one decoded record: the record and the
// parts most records have, allocated at once and pointed into (a part past
// the room here gets an allocation of its own).
type recordArena struct {
	rec         Record
	submitter   Submitter
	receiver    Receiver
	rendering   RenderingProvider
	facility    ServiceFacility
	patient     Patient
	needs       SpecialNeeds
	addresses   [4]Address
	staff       [4]Staff
	charges     [4]money.Amount
	services    [4]Service
	attachments [4]Attachment
	diagnoses   [4]string

	nAddresses, nStaff, nCharges int
}

func (a *recordArena) address() *Address {
	if a.nAddresses == len(a.addresses) {
		return new(Address)
	}
	a.nAddresses++
	return &a.addresses[a.nAddresses-1]
}

func (a *recordArena) staffMember() *Staff {
	if a.nStaff == len(a.staff) {
		return new(Staff)
	}
	a.nStaff++
	return &a.staff[a.nStaff-1]
}

func (a *recordArena) charge(v money.Amount) *money.Amount {
	var p *money.Amount
	if a.nCharges == len(a.charges) {
		p = new(money.Amount)
	} else {
		a.nCharges++
		p = &a.charges[a.nCharges-1]
	}
	*p = v
	return p
}

// decodeStrict is the strict pass; false means "take the full pass".
func decodeStrict(data []byte) (*Record, bool) {
	// the record's strings are cut from one copy of the input: one
	// allocation instead of one per field
	d := strictDecoder{data: data, text: string(data), a: new(recordArena)}
	rec := &d.a.rec
	d.space()
	if !d.record(rec) {
		return nil, false
	}
	d.space()
	if d.pos != len(d.data) {
		return nil, false
	}
	return rec, true
}

type strictDecoder struct {
	data []byte
	text string // data as a string
	pos  int
	a    *recordArena
}

func (d *strictDecoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// next skips space and returns the next byte without consuming it (0 at the end).
func (d *strictDecoder) next() byte {
	d.space()
	if d.pos == len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

// null reads a null at pos: isNull when the value is one, ok false when
// it starts like one and is not.
func (d *strictDecoder) null() (isNull, ok bool) {
	if d.data[d.pos] != 'n' {
		return false, true
	}
	if len(d.data)-d.pos >= 4 && d.text[d.pos:d.pos+4] == "null" {
		d.pos += 4
		return true, true
	}
	return true, false
}

// str reads a JSON string at pos.
func (d *strictDecoder) str() (string, bool) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return "", false
	}
	start := d.pos
	simple := true
	i := start + 1
	// eight bytes at a time while none of them ends the string or needs a
	// second look (a quote, a backslash, a control byte, non-ASCII)
	for ; i+8 <= len(d.data); i += 8 {
		if special(binary.LittleEndian.Uint64(d.data[i:])) {
			break
		}
	}
	for ; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			if simple {
				return d.text[start+1 : i], true
			}
			var s string // escapes or non-ASCII: exactly as encoding/json reads them
			if json.Unmarshal(d.data[start:i+1], &s) != nil {
				return "", false
			}
			return s, true
		case c == '\\':
			simple = false
			i++ // the escaped character, never the closing quote
		case c < 0x20:
			return "", false
		case c >= 0x80:
			simple = false
		}
	}
	return "", false
}

// special reports whether any byte of x (eight bytes of a string) is a
// quote, a backslash, below 0x20 or at or above 0x80: the has-zero-byte and
// has-less-than tests of "Bit Twiddling Hacks", which can report a byte
// that is not there (str then looks at each) but never miss one.
func special(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := x ^ (ones * '"')
	b := x ^ (ones * '\\')
	return ((q-ones)&^q|(b-ones)&^b|(x-ones*0x20)|x)&highs != 0
}

// number reads a JSON number at pos; integer reports no fraction or exponent.
func (d *strictDecoder) number() (tok string, integer bool, ok bool) {
	b, i := d.data, d.pos
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return "", false, false
	}
	integer = true
	if i < len(b) && b[i] == '.' {
		i++
		integer = false
		if digits() == 0 {
			return "", false, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		integer = false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return "", false, false
		}
	}
	tok, d.pos = d.text[d.pos:i], i
	return tok, integer, true
}

// object reads a JSON object at pos (space skipped). For each key, field
// reads the value at pos (space skipped, not the end) and returns the
// key's bit — 0 for a key the type does not have — and whether the value
// was taken. A repeated key gives up.
func (d *strictDecoder) object(field func(key string) (bit uint64, ok bool)) bool {
	if d.next() != '{' {
		return false
	}
	d.pos++
	if d.next() == '}' {
		d.pos++
		return true
	}
	var seen uint64
	for {
		d.space()
		key, ok := d.str()
		if !ok || d.next() != ':' {
			return false
		}
		d.pos++
		if d.next() == 0 {
			return false
		}
		bit, ok := field(key)
		if !ok || bit == 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
		switch d.next() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return true
		default:
			return false
		}
	}
}

// array reads a JSON array at pos (space skipped) whose elements all start
// with first ('"' or '{'): elem reads each, at pos. empty is called for [].
func (d *strictDecoder) array(first byte, elem func() bool) bool {
	if d.data[d.pos] != '[' {
		return false
	}
	d.pos++
	if d.next() == ']' {
		d.pos++
		return true
	}
	for {
		if d.next() != first || !elem() {
			return false
		}
		switch d.next() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return true
		default:
			return false
		}
	}
}

// The values of one field. null leaves a string, number, pointer or list
// at its zero value; a struct that must be an object is a shape problem.

func (d *strictDecoder) string(p *string) bool {
	if isNull, ok := d.null(); isNull {
		return ok
	}
	s, ok := d.str()
	*p = s
	return ok
}

func (d *strictDecoder) int(p *int) bool {
	if isNull, ok := d.null(); isNull {
		return ok
	}
	tok, integer, ok := d.number()
	if !ok || !integer {
		return false
	}
	n, err := strconv.ParseInt(tok, 10, 64)
	*p = int(n)
	return err == nil
}

func (d *strictDecoder) amount(p **money.Amount) bool {
	if isNull, ok := d.null(); isNull {
		return ok
	}
	var text string
	if d.data[d.pos] == '"' {
		s, ok := d.str()
		if !ok {
			return false
		}
		text = s
	} else {
		tok, _, ok := d.number()
		if !ok {
			return false
		}
		text = tok
	}
	a, err := money.Parse(text)
	if err != nil {
		return false
	}
	*p = d.a.charge(a)
	return true
}

func (d *strictDecoder) strings(p *[]string, room []string) bool {
	if isNull, ok := d.null(); isNull {
		return ok
	}
	// an empty array is an empty, non-nil list as encoding/json makes it
	list := room[:0]
	ok := d.array('"', func() bool {
		s, ok := d.str()
		list = append(list, s)
		return ok
	})
	*p = list
	return ok
}

// ptr reads an object into the struct alloc gives, or leaves *p nil for null.
func ptr[T any](d *strictDecoder, p **T, alloc func() *T, read func(*T) bool) bool {
	if isNull, ok := d.null(); isNull {
		return ok
	}
	v := alloc()
	*p = v
	return read(v)
}

func (d *strictDecoder) record(r *Record) bool {
	return d.object(func(key string) (uint64, bool) {
		switch key {
		case "record_id":
			return 1 << 0, d.string(&r.RecordID)
		case "frequency":
			return 1 << 1, d.string(&r.Frequency)
		case "payer_claim_number":
			return 1 << 2, d.string(&r.PayerClaimNumber)
		case "submitter":
			return 1 << 3, ptr(d, &r.Submitter, func() *Submitter { return &d.a.submitter }, d.submitter)
		case "receiver":
			return 1 << 4, ptr(d, &r.Receiver, func() *Receiver { return &d.a.receiver }, d.receiver)
		case "billing_provider":
			return 1 << 5, d.billingProvider(&r.BillingProvider)
		case "rendering_provider":
			return 1 << 6, ptr(d, &r.RenderingProvider, func() *RenderingProvider { return &d.a.rendering }, d.renderingProvider)
		case "service_facility":
			return 1 << 7, ptr(d, &r.ServiceFacility, func() *ServiceFacility { return &d.a.facility }, d.serviceFacility)
		case "payer":
			return 1 << 8, d.payer(&r.Payer)
		case "subscriber":
			return 1 << 9, d.subscriber(&r.Subscriber)
		case "patient":
			return 1 << 10, ptr(d, &r.Patient, func() *Patient { return &d.a.patient }, d.patient)
		case "special_needs":
			return 1 << 11, ptr(d, &r.SpecialNeeds, func() *SpecialNeeds { return &d.a.needs }, d.specialNeeds)
		case "place_of_service":
			return 1 << 12, d.string(&r.PlaceOfService)
		case "prior_authorization":
			return 1 << 13, d.string(&r.PriorAuthorization)
		case "diagnoses":
			return 1 << 14, d.strings(&r.Diagnoses, d.a.diagnoses[:])
		case "narrative":
			return 1 << 15, d.string(&r.Narrative)
		case "services":
			return 1 << 16, d.services(&r.Services)
		case "attachments":
			return 1 << 17, d.attachments(&r.Attachments)
		}
		return 0, false
	})
}

func (d *strictDecoder) nullIsShapeProblem() bool { return d.data[d.pos] != 'n' }

func (d *strictDecoder) submitter(s *Submitter) bool {
	return d.object(func(key string) (uint64, bool) {
		switch key {
		case "name":
			return 1 << 0, d.string(&s.Name)
		case "id":
			return 1 << 1, d.string(&s.ID)
		case "contact_name":
			return 1 << 2, d.string(&s.ContactName)
		case "phone":
			return 1 << 3, d.string(&s.Phone)
		case "email":
			return 1 << 4, d.string(&s.Email)
		}
		return 0, false
	})
}

func (d *strictDecoder) receiver(r *Receiver) bool {
	return d.object(func(key string) (uint64, bool) {
		switch key {
		case "name":
			return 1 << 0, d.string(&r.Name)
		case "id":
			return 1 << 1, d.string(&r.ID)
		}
		return 0, false
	})
}

func (d *strictDecoder) address(p **Address) bool {
	return ptr(d, p, d.a.address, func(a *Address) bool {
		return d.object(func(key string) (uint64, bool) {
			switch key {
			case "line1":
				return 1 << 0, d.string(&a.Line1)
			case "line2":
				return 1 << 1, d.string(&a.Line2)
			case "city":
				return 1 << 2, d.string(&a.City)
			case "state":
				return 1 << 3, d.string(&a.State)
			case "postal_code":
				return 1 << 4, d.string(&a.PostalCode)
			}
			return 0, false
		})
	})
}

func (d *strictDecoder) billingProvider(b *BillingProvider) bool {
	return d.nullIsShapeProblem() && d.object(func(key string) (uint64, bool) {
		switch key {
		case "name":
			return 1 << 0, d.string(&b.Name)
		case "first_name":
			return 1 << 1, d.string(&b.FirstName)
		case "last_name":
			return 1 << 2, d.string(&b.LastName)
		case "npi":
			return 1 << 3, d.string(&b.NPI)
		case "tax_id":
			return 1 << 4, d.string(&b.TaxID)
		case "tax_id_type":
			return 1 << 5, d.string(&b.TaxIDType)
		case "taxonomy":
			return 1 << 6, d.string(&b.Taxonomy)
		case "address":
			return 1 << 7, d.address(&b.Address)
		}
		return 0, false
	})
}

func (d *strictDecoder) renderingProvider(r *RenderingProvider) bool {
	return d.object(func(key string) (uint64, bool) {
		switch key {
		case "first_name":
			return 1 << 0, d.string(&r.FirstName)
		case "last_name":
			return 1 << 1, d.string(&r.LastName)
		case "npi":
			return 1 << 2, d.string(&r.NPI)
		case "taxonomy":
			return 1 << 3, d.string(&r.Taxonomy)
		}
		return 0, false
	})
}

func (d *strictDecoder) serviceFacility(f *ServiceFacility) bool {
	return d.object(func(key string) (uint64, bool) {
		switch key {
		case "name":
			return 1 << 0, d.string(&f.Name)
		case "npi":
			return 1 << 1, d.string(&f.NPI)
		case "address":
			return 1 << 2, d.address(&f.Address)
		}
		return 0, false
	})
}

func (d *strictDecoder) payer(p *Payer) bool {
	return d.nullIsShapeProblem() && d.object(func(key string) (uint64, bool) {
		switch key {
		case "name":
			return 1 << 0, d.string(&p.Name)
		case "id":
			return 1 << 1, d.string(&p.ID)
		}
		return 0, false
	})
}

func (d *strictDecoder) subscriber(s *Subscriber) bool {
	return d.nullIsShapeProblem() && d.object(func(key string) (uint64, bool) {
		switch key {
		case "member_id":
			return 1 << 0, d.string(&s.MemberID)
		case "group_number":
			return 1 << 1, d.string(&s.GroupNumber)
		case "first_name":
			return 1 << 2, d.string(&s.FirstName)
		case "last_name":
			return 1 << 3, d.string(&s.LastName)
		case "birth_date":
			return 1 << 4, d.string(&s.BirthDate)
		case "gender":
			return 1 << 5, d.string(&s.Gender)
		case "address":
			return 1 << 6, d.address(&s.Address)
		}
		return 0, false
	})
}

func (d *strictDecoder) patient(p *Patient) bool {
	return d.object(func(key string) (uint64, bool) {
		switch key {
		case "first_name":
			return 1 << 0, d.string(&p.FirstName)
		case "last_name":
			return 1 << 1, d.string(&p.LastName)
		case "birth_date":
			return 1 << 2, d.string(&p.BirthDate)
		case "gender":
			return 1 << 3, d.string(&p.Gender)
		case "relationship":
			return 1 << 4, d.string(&p.Relationship)
		case "address":
			return 1 << 5, d.address(&p.Address)
		}
		return 0, false
	})
}

func (d *strictDecoder) specialNeeds(s *SpecialNeeds) bool {
	return d.object(func(key string) (uint64, bool) {
		switch key {
		case "condition":
			return 1 << 0, d.string(&s.Condition)
		case "functional_limitations":
			return 1 << 1, d.string(&s.FunctionalLimitations)
		case "delivery_modifications":
			return 1 << 2, d.string(&s.DeliveryModifications)
		}
		return 0, false
	})
}

func (d *strictDecoder) staff(s *Staff) bool {
	return d.object(func(key string) (uint64, bool) {
		switch key {
		case "name":
			return 1 << 0, d.string(&s.Name)
		case "credential":
			return 1 << 1, d.string(&s.Credential)
		case "role":
			return 1 << 2, d.string(&s.Role)
		}
		return 0, false
	})
}

func (d *strictDecoder) services(p *[]Service) bool {
	if isNull, ok := d.null(); isNull {
		return ok
	}
	list := d.a.services[:0]
	ok := d.array('{', func() bool {
		list = append(list, Service{})
		return d.service(&list[len(list)-1])
	})
	*p = list
	return ok
}

func (d *strictDecoder) service(s *Service) bool {
	return d.object(func(key string) (uint64, bool) {
		switch key {
		case "line_id":
			return 1 << 0, d.string(&s.LineID)
		case "date":
			return 1 << 1, d.string(&s.Date)
		case "code":
			return 1 << 2, d.string(&s.Code)
		case "charge":
			return 1 << 3, d.amount(&s.Charge)
		case "units":
			return 1 << 4, d.int(&s.Units)
		case "minutes":
			return 1 << 5, d.int(&s.Minutes)
		case "case_management_type":
			return 1 << 6, d.string(&s.CaseManagementType)
		case "staff":
			return 1 << 7, ptr(d, &s.Staff, d.a.staffMember, d.staff)
		case "reason":
			return 1 << 8, d.string(&s.Reason)
		case "actions":
			return 1 << 9, d.string(&s.Actions)
		case "patient_benefit":
			return 1 << 10, d.string(&s.PatientBenefit)
		case "follow_up":
			return 1 << 11, d.string(&s.FollowUp)
		case "note":
			return 1 << 12, d.string(&s.Note)
		}
		return 0, false
	})
}

func (d *strictDecoder) attachments(p *[]Attachment) bool {
	if isNull, ok := d.null(); isNull {
		return ok
	}
	list := d.a.attachments[:0]
	ok := d.array('{', func() bool {
		list = append(list, Attachment{})
		a := &list[len(list)-1]
		return d.object(func(key string) (uint64, bool) {
			switch key {
			case "id":
				return 1 << 0, d.string(&a.ID)
			case "title":
				return 1 << 1, d.string(&a.Title)
			case "content_type":
				return 1 << 2, d.string(&a.ContentType)
			case "data":
				return 1 << 3, d.string(&a.Data)
			case "report_type":
				return 1 << 4, d.string(&a.ReportType)
			case "transmission":
				return 1 << 5, d.string(&a.Transmission)
			}
			return 0, false
		})
	})
	*p = list
	return ok
}
