// Package mask replaces protected health information in X12 files and case
// records with consistent look-alikes, so that a real file can be shared as
// a test sample.
//
// What is masked follows the HIPAA de-identification "Safe Harbor" list,
// 45 CFR 164.514(b)(2)(i): (A) names, (B) street address, city and ZIP
// code (the first three ZIP digits may stay, (b)(2)(i)(B)(1), 000 for the
// prefixes of 20,000 people or fewer, (B)(2)), (C) every
// element of a date directly related to an individual except the year,
// (G) social security numbers, (I) health plan beneficiary numbers, (J)
// account numbers (the patient control number), (R) any other unique
// identifying number (payer claim numbers, authorisations, attachment ids,
// line control numbers). Free text (NTE, narratives, 277CA STC12, 999
// IK404) is masked whole, since it may hold any of them. Providers, payers,
// submitters and receivers are not the individual: their names, NPIs, tax
// ids (EIN) and addresses stay, and so do the state (not in the list),
// amounts, counts, codes, qualifiers and the envelope.
//
// Masks are consistent and keep the shape: under one key the same value
// always gets the same mask (so CLM01 still matches the 835's CLP01, and
// REF*6R its line), letters stay letters of the same case, digits stay
// digits, other characters stay as they are, and the length never changes.
// Birth dates stay valid dates in the same year (Safe Harbor keeps years;
// a birth year 90 or more years back becomes 91 years back, so ages over 89
// are one category);
// dates of service move back by the same 1-28 days (the key's), so the
// intervals between them, their order and same-day edits hold.
//
// The key is random per run by default: a fixed public key would let anyone
// invert short values (a birth date has only 365 candidates in its year) by
// trying them all. A key given by the user (--mask-key, CASEBRIDGE_MASK_KEY)
// makes masks reproducible across files, e.g. an 837D and its 835.
package mask

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// Masker masks values under one key. It is safe for concurrent use.
type Masker struct {
	key   []byte
	shift int // days dates of service move back, 1-28
	year  int // the current year, for ages over 89
}

// New returns a masker for key (any bytes; empty is refused by the
// callers, which draw a random one instead).
func New(key []byte) *Masker {
	m := &Masker{key: append([]byte(nil), key...), year: time.Now().UTC().Year()}
	sum := m.mac("shift", "")
	m.shift = 1 + int(binary.BigEndian.Uint32(sum[:4])%28)
	return m
}

// Random returns a masker with a fresh random 32-byte key.
func Random() (*Masker, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	return New(k), nil
}

// Kind is what a value is, which decides how it is masked. Values of the
// same kind and text get the same mask.
type Kind uint8

const (
	Keep        Kind = iota
	Name             // a person's name
	ID               // an identifier: member id, SSN, account, claim, line, attachment number
	Text             // free text
	Street           // N301/N302, address lines
	City             // N401
	ZIP              // N403: the first three digits stay
	BirthDate        // CCYYMMDD, DMG02: another valid day of the same year
	ServiceDate      // CCYYMMDD or CCYYMMDD-CCYYMMDD: moved back by the key's shift
)

var kindName = [...]string{"keep", "name", "id", "text", "street", "city", "zip", "birth", "service"}

func (k Kind) String() string {
	if int(k) < len(kindName) {
		return kindName[k]
	}
	return "?"
}

func (m *Masker) mac(domain, v string) []byte {
	h := hmac.New(sha256.New, m.key)
	h.Write([]byte(domain))
	h.Write([]byte{0})
	h.Write([]byte(v))
	return h.Sum(nil)
}

// Value masks v as a kind. Dates that are not valid dates in the kind's
// format are masked as IDs (digits stay digits), never left as they are.
func (m *Masker) Value(k Kind, v string) string {
	if v == "" {
		return v
	}
	switch k {
	case Keep:
		return v
	case BirthDate:
		if d, ok := m.birthDate(v); ok {
			return d
		}
		return m.chars("date", v, 0)
	case ServiceDate:
		if d, ok := m.serviceDate(v); ok {
			return d
		}
		return m.chars("date", v, 0)
	case ZIP:
		if len(v) > 3 {
			prefix := v[:3]
			if restrictedZIP3[prefix] {
				prefix = "000"
			}
			return prefix + m.chars("zip", v, 3)[3:]
		}
		return m.chars("zip", v, 0)
	case Name, Street, City:
		return m.chars("name", v, 0) // one domain: a name in an address masks alike
	case Text:
		return m.chars("text", v, 0)
	}
	return m.chars("id", v, 0)
}

// chars maps every letter and digit of v from position from on to a
// pseudo-random one of the same class, driven by HMAC(key, domain, v); a
// mask equal to v (possible for a short value) is drawn again.
func (m *Masker) chars(domain, v string, from int) string {
	for round := 0; ; round++ {
		out := []byte(v)
		stream := m.mac(domain, v)
		if round > 0 {
			stream = m.mac(domain+string(rune('0'+round%10)), v)
		}
		j := 0
		changed := false
		for i := from; i < len(out); i++ {
			c := out[i]
			if j == len(stream) {
				stream = m.mac(domain+"+", string(stream))
				j = 0
			}
			r := int(stream[j])
			switch {
			case c >= '0' && c <= '9':
				out[i] = byte('0' + r%10)
				j++
			case c >= 'A' && c <= 'Z':
				out[i] = byte('A' + r%26)
				j++
			case c >= 'a' && c <= 'z':
				out[i] = byte('a' + r%26)
				j++
			}
			if out[i] != c {
				changed = true
			}
		}
		if changed || round >= 8 || !hasAlnum(v[min(from, len(v)):]) {
			return string(out)
		}
	}
}

func hasAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

// restrictedZIP3 are the three-digit ZIP prefixes whose areas hold 20,000
// people or fewer, which Safe Harbor turns into 000 (45 CFR
// 164.514(b)(2)(i)(B)(2); the list of HHS "Guidance Regarding Methods for
// De-identification of PHI" (2012), §3.3, from the 2000 Census).
var restrictedZIP3 = map[string]bool{
	"036": true, "059": true, "063": true, "102": true, "203": true, "556": true, "692": true, "790": true, "821": true,
	"823": true, "830": true, "831": true, "878": true, "879": true, "884": true, "890": true, "893": true,
}

// parseDate reads CCYYMMDD or CCYY-MM-DD.
func parseDate(v string) (time.Time, string, bool) {
	for _, layout := range []string{"20060102", "2006-01-02"} {
		if len(v) == len(layout) {
			if t, err := time.Parse(layout, v); err == nil {
				return t, layout, true
			}
		}
	}
	return time.Time{}, "", false
}

// birthDate is another day of the same year, derived from the date itself
// (CCYYMMDD or CCYY-MM-DD, the same day in both forms).
func (m *Masker) birthDate(v string) (string, bool) {
	t, layout, ok := parseDate(v)
	if !ok {
		return "", false
	}
	year := t.Year()
	if year <= m.year-90 {
		// Safe Harbor (C): ages over 89 and the years that tell them are one
		// category, 90 or older: every such birth date falls in the year 91
		// years back, 90 or older all this year
		year = m.year - 91
	}
	days := 365
	if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		days = 366
	}
	sum := m.mac("birth", t.Format("20060102"))
	n := int(binary.BigEndian.Uint32(sum[:4]) % uint32(days-1))
	jan1 := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	if year == t.Year() && n >= t.YearDay()-1 {
		n++ // never the day itself
	}
	return jan1.AddDate(0, 0, n).Format(layout), true
}

// serviceDate moves a date, or both ends of a CCYYMMDD-CCYYMMDD range,
// back by the key's shift.
func (m *Masker) serviceDate(v string) (string, bool) {
	if len(v) == 17 && v[8] == '-' {
		a, ok1 := m.serviceDate(v[:8])
		b, ok2 := m.serviceDate(v[9:])
		return a + "-" + b, ok1 && ok2
	}
	t, layout, ok := parseDate(v)
	if !ok {
		return "", false
	}
	return t.AddDate(0, 0, -m.shift).Format(layout), true
}
