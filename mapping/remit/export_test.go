package remit

// SetClaimBlockSize sets the size of the recycled claim-text blocks (see
// parser.own) and returns a function that restores it.
func SetClaimBlockSize(n int) (restore func()) {
	old := claimBlockSize
	claimBlockSize = n
	return func() { claimBlockSize = old }
}

// SetCountedSpillAt sets how many remembered claims the reversal rule's
// table keeps in memory before it spills them to its temporary file (see
// spill.go) and returns a function that restores it.
func SetCountedSpillAt(n int) (restore func()) {
	old := countedSpillAt
	countedSpillAt = n
	return func() { countedSpillAt = old }
}

// WarningsCap is the capacity of the collector's list of warnings.
func WarningsCap(ws *Warnings) int { return cap(ws.list) }
