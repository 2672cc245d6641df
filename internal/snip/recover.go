package snip

import (
	"bytes"
	"strings"
)

// RecoverInterchange reads, best effort, the interchange header of a file
// whose ISA is not a usable 106-byte fixed-width header (a padding space
// missing or added: the most common defect of hand-edited samples) so that
// a TA1 can still answer it. X12.5 (Interchange Control Structures) has the
// receiver answer an interchange it cannot process with a TA1 naming the
// interchange's ISA13, date and time; those are recoverable when the ISA
// still splits on the byte after "ISA" into its 16 elements with a 9-digit
// ISA13, a 6-digit ISA09 and a 4-digit ISA10. Nothing else of the file is
// trusted. ok is false when the header cannot be recovered.
func RecoverInterchange(data []byte) (ic Interchange, ok bool) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) < 4 || string(data[:3]) != "ISA" {
		return ic, false
	}
	sep := data[3]
	if isAlnum(sep) || sep == ' ' || sep == '\r' || sep == '\n' {
		return ic, false
	}
	head := data
	if len(head) > 200 { // a 106-byte header, give or take padding
		head = head[:200]
	}
	// ISA has 16 elements; the 17th field holds ISA16 (one byte) and then
	// the segment terminator and what follows.
	el := strings.SplitN(string(head), string(sep), 18)
	if len(el) < 17 {
		return ic, false
	}
	ctl, date, tm := strings.TrimSpace(el[13]), strings.TrimSpace(el[9]), strings.TrimSpace(el[10])
	if !digits(ctl, 9) || !digits(date, 6) || !digits(tm, 4) {
		return ic, false
	}
	return Interchange{
		ControlNumber: ctl,
		SenderQual:    strings.TrimSpace(el[5]), Sender: strings.TrimSpace(el[6]),
		ReceiverQual: strings.TrimSpace(el[7]), Receiver: strings.TrimSpace(el[8]),
		Date: date, Time: tm, Usage: strings.TrimSpace(el[15]),
	}, true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
