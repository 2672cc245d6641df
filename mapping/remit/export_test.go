package remit

// SetClaimBlockSize sets the size of the recycled claim-text blocks (see
// parser.own) and returns a function that restores it.
func SetClaimBlockSize(n int) (restore func()) {
	old := claimBlockSize
	claimBlockSize = n
	return func() { claimBlockSize = old }
}
