package fhirmap

import (
	"fmt"
	"strings"

	dpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/datatypes_go_proto"
	bcrpb "github.com/google/fhir/go/proto/google/fhir/proto/r4/core/resources/bundle_and_contained_resource_go_proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	anypb "google.golang.org/protobuf/types/known/anypb"
)

// referenceString renders a Reference the way it reads in JSON:
// "Patient/123", "#frag", "urn:uuid:…" or an absolute URL. ok is false for a
// logical reference (identifier or display only) or no reference at all.
func referenceString(r *dpb.Reference) (s string, ok bool) {
	if r == nil {
		return "", false
	}
	switch x := r.GetReference().(type) {
	case nil:
		return "", false
	case *dpb.Reference_Uri:
		return x.Uri.GetValue(), x.Uri.GetValue() != ""
	case *dpb.Reference_Fragment:
		return "#" + x.Fragment.GetValue(), true
	}
	// Typed references (Reference_PatientId, …): the oneof field is named
	// "<snake_type>_id" and holds a ReferenceId.
	m := r.ProtoReflect()
	fd := m.WhichOneof(m.Descriptor().Oneofs().ByName("reference"))
	if fd == nil {
		return "", false
	}
	rid, isID := m.Get(fd).Message().Interface().(*dpb.ReferenceId)
	if !isID {
		return "", false
	}
	s = camel(strings.TrimSuffix(string(fd.Name()), "_id")) + "/" + rid.GetValue()
	if h := rid.GetHistory().GetValue(); h != "" {
		s += "/_history/" + h
	}
	return s, true
}

func camel(snake string) string {
	var b strings.Builder
	for _, part := range strings.Split(snake, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// ResourceOf returns the resource type name and message a ContainedResource
// holds.
func ResourceOf(cr *bcrpb.ContainedResource) (string, protoreflect.Message) {
	if cr == nil {
		return "", nil
	}
	m := cr.ProtoReflect()
	fd := m.WhichOneof(m.Descriptor().Oneofs().ByName("oneof_resource"))
	if fd == nil {
		return "", nil
	}
	rm := m.Get(fd).Message()
	return string(rm.Descriptor().Name()), rm
}

func resourceID(rm protoreflect.Message) string {
	if rm == nil {
		return ""
	}
	fd := rm.Descriptor().Fields().ByName("id")
	if fd == nil || !rm.Has(fd) {
		return ""
	}
	if id, ok := rm.Get(fd).Message().Interface().(*dpb.Id); ok {
		return id.GetValue()
	}
	return ""
}

// located is a resource found by a reference, with its FHIRPath.
type located struct {
	res  *bcrpb.ContainedResource
	path string
}

// resolver finds the targets of references inside one posted Claim or
// Bundle: Bundle entries by fullUrl or by type and id, contained resources by
// fragment.
type resolver struct {
	byURL     map[string]located
	byTypeID  map[string]located
	contained map[string]located
}

func newResolver() *resolver {
	return &resolver{byURL: map[string]located{}, byTypeID: map[string]located{}, contained: map[string]located{}}
}

func (rv *resolver) addEntry(fullURL string, cr *bcrpb.ContainedResource, path string) {
	l := located{cr, path}
	if fullURL != "" {
		if _, dup := rv.byURL[fullURL]; !dup {
			rv.byURL[fullURL] = l
		}
	}
	typ, rm := ResourceOf(cr)
	if id := resourceID(rm); id != "" {
		if _, dup := rv.byTypeID[typ+"/"+id]; !dup {
			rv.byTypeID[typ+"/"+id] = l
		}
	}
}

// addContained indexes the contained resources of a resource at path.
// Contained entries that cannot be read are reported through bad.
func (rv *resolver) addContained(contained []*anypb.Any, path string, bad func(i int)) {
	for i, a := range contained {
		cr := &bcrpb.ContainedResource{}
		if err := a.UnmarshalTo(cr); err != nil {
			bad(i)
			continue
		}
		_, rm := ResourceOf(cr)
		if id := resourceID(rm); id != "" {
			rv.contained["#"+id] = located{cr, fmt.Sprintf("%s.contained[%d]", path, i)}
		}
	}
}

// resolveKind says how a reference resolved.
type resolveKind int

const (
	refAbsent     resolveKind = iota // no reference at all
	refLogical                       // identifier or display only
	refUnresolved                    // a literal reference not found in the input
	refFound
)

func (rv *resolver) resolve(r *dpb.Reference) (located, resolveKind) {
	if r == nil {
		return located{}, refAbsent
	}
	s, ok := referenceString(r)
	if !ok {
		if r.GetIdentifier() != nil || r.GetDisplay() != nil {
			return located{}, refLogical
		}
		return located{}, refAbsent
	}
	if strings.HasPrefix(s, "#") {
		if l, ok := rv.contained[s]; ok {
			return l, refFound
		}
		return located{}, refUnresolved
	}
	if l, ok := rv.byURL[s]; ok {
		return l, refFound
	}
	// "Patient/123" or ".../Patient/123" (history dropped).
	if i := strings.Index(s, "/_history/"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(s, "/")
	if len(parts) >= 2 {
		if l, ok := rv.byTypeID[parts[len(parts)-2]+"/"+parts[len(parts)-1]]; ok {
			return l, refFound
		}
	}
	return located{}, refUnresolved
}
