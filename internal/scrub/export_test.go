package scrub

// ParseDate is parseDate, for its test.
var ParseDate = parseDate

// Formats are the hand-written formats with the patterns they implement.
var Formats = []struct {
	Pattern string
	Match   func(string) bool
}{
	{`^[0-9]+$`, digits},
	{`^[0-9]{3}[0-9A-Z]{6}X$`, taxonomy},
	{`^[A-Z]{2}$`, state},
	{`^([0-9]{5}|[0-9]{9})$`, postal},
	{`^[0-9]{2}$`, pos},
	{`^[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$`, icd10},
	{`^[0-9]{10,15}$`, phone},
	{rePOBox.String(), poBox},
}

// Message and ItemPointer are the remembered formatting, for its test.
var (
	Message     = message
	ItemPointer = itemPointer
)

// DaysIn, Blank and Trimmed are the hand-written checks, for their test.
var (
	DaysIn  = daysIn
	Blank   = blank
	Trimmed = trimmed
)
