package remit

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sync"

	"github.com/casebridge/casebridge/internal/money"
)

// ClaimSpool keeps the claims of one transaction set, in order, for
// mappings that can only write a claim once the whole set is read (the
// FHIR ClaimResponse of a claim depends on PLBs at the set's end and on
// reversals anywhere after it), without holding the set in memory: claims
// are encoded (every field of Claim, by reflection, so a field added to
// the model travels too) into a buffer of at most MemoryBytes, and past
// that into a temporary file that is unlinked as soon as it is created
// (nothing is left behind, even after a kill) and encrypted with AES-CTR
// under a key that only this process holds: the claims carry PHI, and the
// disk never sees it in the clear. Each replays the claims as often as
// needed; Reset empties the spool for the next set.
type ClaimSpool struct {
	// MemoryBytes is how much encoded claim text stays in memory before
	// the spool moves to a temporary file.
	MemoryBytes int

	n     int
	mem   []byte
	f     *os.File
	w     *bufio.Writer
	size  int64
	block cipher.Block
	iv    [aes.BlockSize]byte
	enc   []byte
	err   error
}

// NewClaimSpool returns an empty spool that keeps up to memoryBytes of
// encoded claims in memory.
func NewClaimSpool(memoryBytes int) *ClaimSpool {
	return &ClaimSpool{MemoryBytes: memoryBytes}
}

// Len is the number of claims appended since the last Reset.
func (s *ClaimSpool) Len() int { return s.n }

// Spilled reports whether the claims went to the temporary file.
func (s *ClaimSpool) Spilled() bool { return s.w != nil }

// Append adds a copy of c.
func (s *ClaimSpool) Append(c *Claim) error {
	if s.err != nil {
		return s.err
	}
	if err := claimCodecErr(); err != nil {
		return err
	}
	rec := encodeValue(s.enc[:0], reflect.ValueOf(c).Elem())
	s.enc = rec
	var head [binary.MaxVarintLen64]byte
	hn := binary.PutUvarint(head[:], uint64(len(rec)))
	if s.w == nil && len(s.mem)+hn+len(rec) > s.MemoryBytes {
		if err := s.toFile(); err != nil {
			s.err = err
			return err
		}
	}
	if s.w == nil {
		s.mem = append(append(s.mem, head[:hn]...), rec...)
	} else {
		_, _ = s.w.Write(head[:hn])
		if _, err := s.w.Write(rec); err != nil {
			s.err = fmt.Errorf("remit: writing the claim spool: %w", err)
			return s.err
		}
		s.size += int64(hn + len(rec))
	}
	s.n++
	return nil
}

// toFile moves the spool to an encrypted, unlinked temporary file.
func (s *ClaimSpool) toFile() error {
	if s.f == nil {
		f, err := createUnlinkedTemp("casebridge-claims-*")
		if err != nil {
			return fmt.Errorf("remit: creating the claim spool: %w", err)
		}
		var key [32]byte
		if _, err := rand.Read(key[:]); err != nil {
			f.Close()
			return err
		}
		s.block, _ = aes.NewCipher(key[:])
		s.f = f
	}
	// a fresh IV for every set: a key stream is never used twice
	if _, err := rand.Read(s.iv[:]); err != nil {
		return err
	}
	s.w = bufio.NewWriterSize(&cipher.StreamWriter{S: cipher.NewCTR(s.block, s.iv[:]), W: s.f}, 64<<10)
	s.size = int64(len(s.mem))
	_, err := s.w.Write(s.mem)
	s.mem = nil
	return err
}

// Each calls fn with every claim, in the order appended. c is reused from
// one call to the next: fn must not keep it.
func (s *ClaimSpool) Each(fn func(i int, c *Claim) error) error {
	if s.err != nil {
		return s.err
	}
	var r *bufio.Reader
	var data []byte
	if s.w != nil {
		if err := s.w.Flush(); err != nil {
			s.err = fmt.Errorf("remit: writing the claim spool: %w", err)
			return s.err
		}
		r = bufio.NewReaderSize(cipher.StreamReader{S: cipher.NewCTR(s.block, s.iv[:]), R: io.NewSectionReader(s.f, 0, s.size)}, 64<<10)
	} else {
		data = s.mem
	}
	var c Claim
	cv := reflect.ValueOf(&c).Elem()
	var rec []byte
	for i := 0; i < s.n; i++ {
		if r != nil {
			l, err := binary.ReadUvarint(r)
			if err != nil {
				return s.corrupt(err)
			}
			if cap(rec) < int(l) {
				rec = make([]byte, l)
			}
			rec = rec[:l]
			if _, err := io.ReadFull(r, rec); err != nil {
				return s.corrupt(err)
			}
		} else {
			l, hn := binary.Uvarint(data)
			if hn <= 0 || l > uint64(len(data)-hn) {
				return s.corrupt(nil)
			}
			rec, data = data[hn:hn+int(l)], data[hn+int(l):]
		}
		rd := spoolReader{b: rec, ok: true}
		if rd.value(cv); !rd.ok || len(rd.b) != 0 {
			return s.corrupt(nil)
		}
		if err := fn(i, &c); err != nil {
			return err
		}
	}
	return nil
}

func (s *ClaimSpool) corrupt(err error) error {
	s.err = errors.Join(errors.New("remit: reading the claim spool"), err)
	return s.err
}

// Reset empties the spool (the temporary file, if any, is kept for the
// next set and truncated).
func (s *ClaimSpool) Reset() error {
	s.n, s.mem, s.w, s.size = 0, s.mem[:0], nil, 0
	if s.f != nil {
		if err := s.f.Truncate(0); err != nil {
			s.err = err
			return err
		}
		if _, err := s.f.Seek(0, io.SeekStart); err != nil {
			s.err = err
			return err
		}
	}
	return s.err
}

// Close releases the temporary file.
func (s *ClaimSpool) Close() error {
	s.mem, s.enc = nil, nil
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f, s.w = nil, nil
	return err
}

// The claim codec: every field of Claim in declaration order. Strings and
// slices are a length then their content (a slice's length is +1, 0 for
// nil), integers varints, pointers a presence byte, money.Amount its
// coefficient and exponent (or its exact text off the int64 path).
var (
	amountType   = reflect.TypeFor[money.Amount]()
	claimCodecOK = sync.OnceValue(func() error { return checkCodec(reflect.TypeFor[Claim](), "Claim") })
)

func claimCodecErr() error { return claimCodecOK() }

func checkCodec(t reflect.Type, path string) error {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return nil
	case reflect.Slice, reflect.Pointer:
		return checkCodec(t.Elem(), path+"[]")
	case reflect.Struct:
		if t == amountType {
			return nil
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				return fmt.Errorf("remit: claim spool cannot copy unexported field %s.%s", path, f.Name)
			}
			if err := checkCodec(f.Type, path+"."+f.Name); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("remit: claim spool cannot copy %s (%s)", path, t.Kind())
}

func encodeValue(b []byte, v reflect.Value) []byte {
	switch v.Kind() {
	case reflect.String:
		return appendText(b, v.String())
	case reflect.Bool:
		if v.Bool() {
			return append(b, 1)
		}
		return append(b, 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return binary.AppendVarint(b, v.Int())
	case reflect.Slice:
		if v.IsNil() {
			return append(b, 0)
		}
		b = binary.AppendUvarint(b, uint64(v.Len())+1)
		for i := 0; i < v.Len(); i++ {
			b = encodeValue(b, v.Index(i))
		}
		return b
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, 0)
		}
		return encodeValue(append(b, 1), v.Elem())
	case reflect.Struct:
		if v.Type() == amountType {
			a := v.Interface().(money.Amount)
			if c, e, ok := a.Parts(); ok {
				b = append(b, 0)
				b = binary.AppendVarint(b, c)
				return binary.AppendVarint(b, int64(e))
			}
			return appendAmount(append(b, 1), a) // its exact text (spill.go)
		}
		for i := 0; i < v.NumField(); i++ {
			b = encodeValue(b, v.Field(i))
		}
		return b
	}
	panic("remit: claim spool: unchecked kind " + v.Kind().String()) // checkCodec refuses it first
}

// spoolReader reads what encodeValue wrote; ok turns false at the first
// malformed value.
type spoolReader struct {
	b  []byte
	ok bool
}

func (r *spoolReader) uvarint() uint64 {
	x, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.ok = false
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *spoolReader) varint() int64 {
	x, n := binary.Varint(r.b)
	if n <= 0 {
		r.ok = false
		return 0
	}
	r.b = r.b[n:]
	return x
}

func (r *spoolReader) byte01() byte {
	if len(r.b) == 0 || r.b[0] > 1 {
		r.ok = false
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *spoolReader) text() string {
	l := r.uvarint()
	if !r.ok || l > uint64(len(r.b)) {
		r.ok = false
		return ""
	}
	s := string(r.b[:l])
	r.b = r.b[l:]
	return s
}

func (r *spoolReader) amount() money.Amount {
	if r.byte01() == 0 {
		c := r.varint()
		return money.FromParts(c, int32(r.varint()))
	}
	a, err := money.Parse(r.text())
	if err != nil {
		r.ok = false
	}
	return a
}

func (r *spoolReader) value(v reflect.Value) {
	if !r.ok {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(r.text())
	case reflect.Bool:
		v.SetBool(r.byte01() == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(r.varint())
	case reflect.Slice:
		l := r.uvarint()
		if !r.ok || l > uint64(len(r.b))+1 { // every element takes a byte at least
			r.ok = false
			return
		}
		if l == 0 {
			v.SetZero()
			return
		}
		n := int(l - 1)
		if v.Cap() >= n && !v.IsNil() {
			v.SetLen(n)
		} else {
			v.Set(reflect.MakeSlice(v.Type(), n, n))
		}
		for i := 0; i < n && r.ok; i++ {
			r.value(v.Index(i))
		}
	case reflect.Pointer:
		if r.byte01() == 0 {
			v.SetZero()
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		r.value(v.Elem())
	case reflect.Struct:
		if v.Type() == amountType {
			v.Set(reflect.ValueOf(r.amount()))
			return
		}
		for i := 0; i < v.NumField() && r.ok; i++ {
			r.value(v.Field(i))
		}
	default:
		r.ok = false
	}
}
