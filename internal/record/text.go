package record

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// X12Delimiters are the delimiters casebridge writes (element, component,
// repetition, segment). Free text that contains them is cleaned.
const X12Delimiters = "*:^~"

// CleanText makes free text safe for an X12 element: diacritics are dropped
// ("José" → "JOSE"), delimiters, control characters and other characters
// outside printable ASCII become spaces, runs of
// spaces collapse, the ends are trimmed, and letters are upper-cased (what
// payers expect). changed reports whether anything but case and surrounding
// space was altered.
func CleanText(s string) (clean string, changed bool) {
	if PlainText(s) {
		return strings.ToUpper(s), false
	}
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading spaces
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			changed = true // a diacritic: "é" travels as "E"
			continue
		}
		if r < 0x20 || r > 0x7e || strings.ContainsRune(X12Delimiters, r) {
			changed = true
			r = ' '
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(strings.TrimRight(b.String(), " ")), changed
}

// PlainText reports whether s needs no cleaning but upper-casing:
// printable ASCII without X12 delimiters, no space at either end, no run of
// spaces. For such s, CleanText(s) is strings.ToUpper(s), unchanged.
func PlainText(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !plainByte[c] || (c == ' ' && s[i-1] == ' ') { // s[0] is not a space
			return false
		}
	}
	return true
}

// plainByte marks printable ASCII but the X12 delimiters.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c <= 0x7e; c++ {
		t[c] = !strings.ContainsRune(X12Delimiters, rune(c))
	}
	return
}()

// TextChanged reports whether CleanText would alter s beyond case and
// surrounding space (its changed result), without building the clean text
// when s is plain.
func TextChanged(s string) bool {
	if PlainText(s) {
		return false
	}
	_, changed := CleanText(s)
	return changed
}

// TextField is one piece of free text that travels in the 837D.
type TextField struct {
	Pointer string
	Value   string
}

// X12Text lists the free text of r that the 837D carries, with pointers.
func (r *Record) X12Text() []TextField {
	out := make([]TextField, 0, 24)
	r.EachX12Text(func(ptr, v string) { out = append(out, TextField{ptr, v}) })
	return out
}

// EachX12Text calls f with the pointer and value of each non-empty free
// text of r that the 837D carries, in the order of X12Text, building no
// list (the scrubber runs it per request).
func (r *Record) EachX12Text(f func(ptr, v string)) {
	add := func(v, ptr string) {
		if v != "" {
			f(ptr, v)
		}
	}
	addr := func(a *Address, line1, line2, city string) {
		if a == nil {
			return
		}
		add(a.Line1, line1)
		add(a.Line2, line2)
		add(a.City, city)
	}
	if s := r.Submitter; s != nil {
		add(s.Name, "/submitter/name")
		add(s.ContactName, "/submitter/contact_name")
		add(s.Email, "/submitter/email")
	}
	if rc := r.Receiver; rc != nil {
		add(rc.Name, "/receiver/name")
	}
	add(r.BillingProvider.Name, "/billing_provider/name")
	add(r.BillingProvider.FirstName, "/billing_provider/first_name")
	add(r.BillingProvider.LastName, "/billing_provider/last_name")
	addr(r.BillingProvider.Address, "/billing_provider/address/line1", "/billing_provider/address/line2", "/billing_provider/address/city")
	if rp := r.RenderingProvider; rp != nil {
		add(rp.FirstName, "/rendering_provider/first_name")
		add(rp.LastName, "/rendering_provider/last_name")
	}
	if f := r.ServiceFacility; f != nil {
		add(f.Name, "/service_facility/name")
		addr(f.Address, "/service_facility/address/line1", "/service_facility/address/line2", "/service_facility/address/city")
	}
	add(r.Payer.Name, "/payer/name")
	add(r.Subscriber.FirstName, "/subscriber/first_name")
	add(r.Subscriber.LastName, "/subscriber/last_name")
	addr(r.Subscriber.Address, "/subscriber/address/line1", "/subscriber/address/line2", "/subscriber/address/city")
	if pt := r.Patient; pt != nil {
		add(pt.FirstName, "/patient/first_name")
		add(pt.LastName, "/patient/last_name")
		addr(pt.Address, "/patient/address/line1", "/patient/address/line2", "/patient/address/city")
	}
	add(r.Narrative, "/narrative")
}
