package record

// DecodeStrict and DecodeFull are the two passes of DecodeBytes.
var (
	DecodeStrict = decodeStrict
	DecodeFull   = decodeFull
)
