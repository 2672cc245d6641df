package scrub

// ParseDate is parseDate, for its test.
var ParseDate = parseDate
