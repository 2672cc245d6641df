package x12

import "time"

// AppendDate appends t as the X12 dates and times write it, for the
// layouts "20060102" (CCYYMMDD), "060102" (YYMMDD) and "1504" (HHMM); it is
// t.AppendFormat(b, layout) without the layout parsing, and falls back to
// it for any other layout or a year outside 0–9999.
func AppendDate(b []byte, t time.Time, layout string) []byte {
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, layout)
	}
	switch layout {
	case "20060102":
		return append2(append2(append2(append2(b, year/100), year%100), int(month)), day)
	case "060102":
		return append2(append2(append2(b, year%100), int(month)), day)
	case "1504":
		hour, minute, _ := t.Clock()
		return append2(append2(b, hour), minute)
	}
	return t.AppendFormat(b, layout)
}

// append2 appends n (0–99) as two digits.
func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }
