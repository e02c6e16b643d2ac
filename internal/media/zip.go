package media

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// Office Open XML MIME types, by the folder that holds the main part.
var ooxmlKinds = []struct {
	folder string
	mime   string
	format string
}{
	{"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
	{"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
	{"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"},
}

// OpenDocument formats, by the suffix of the MIME type in their "mimetype"
// entry.
var odfFormats = map[string]string{
	"text":         "odt",
	"spreadsheet":  "ods",
	"presentation": "odp",
}

// sniffZIP distinguishes Office Open XML and OpenDocument files from other ZIP
// archives by the names of the entries whose local headers fit in the head.
//
// NOTE: Sniff gives these files the Document type, but Textract reads only
// PDF, TIFF, JPEG and PNG, so the document branch must convert or reject
// them.
func sniffZIP(head []byte) (Sniffed, bool) {
	if !bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return Sniffed{}, false
	}

	const (
		localHeaderLen = 30
		dataDescriptor = 1 << 3 // sizes follow the data instead of the header
		maxEntries     = 64
	)
	sawContentTypes := false
	off := 0
	for range maxEntries {
		if off+localHeaderLen > len(head) || !bytes.HasPrefix(head[off:], []byte("PK\x03\x04")) {
			break
		}
		flags := binary.LittleEndian.Uint16(head[off+6:])
		compressed := int(binary.LittleEndian.Uint32(head[off+18:]))
		nameLen := int(binary.LittleEndian.Uint16(head[off+26:]))
		extraLen := int(binary.LittleEndian.Uint16(head[off+28:]))
		nameStart := off + localHeaderLen
		if nameStart+nameLen > len(head) {
			break
		}
		name := string(head[nameStart : nameStart+nameLen])
		dataStart := nameStart + nameLen + extraLen

		// OpenDocument and EPUB store "mimetype" uncompressed, but some
		// writers leave its size to the data descriptor, so the type is read
		// up to the first byte that cannot be part of it.
		if name == "mimetype" && dataStart < len(head) {
			content := head[dataStart:]
			if compressed > 0 && dataStart+compressed <= len(head) {
				content = content[:compressed]
			}
			if s, ok := sniffODF(leadingMIME(content)); ok {
				return s, true
			}
		}
		if name == "[Content_Types].xml" {
			sawContentTypes = true
		}
		for _, kind := range ooxmlKinds {
			if strings.HasPrefix(name, kind.folder) {
				return recognised(Document, kind.mime, kind.format), true
			}
		}

		if flags&dataDescriptor != 0 && compressed == 0 {
			// The size is unknown until the data descriptor, so the next
			// entry is found by its signature.
			next := bytes.Index(head[min(dataStart, len(head)):], []byte("PK\x03\x04"))
			if next < 0 {
				break
			}
			off = dataStart + next
			continue
		}
		off = dataStart + compressed
	}

	if sawContentTypes {
		return unsupported("Office Open XML package of an unknown kind is not supported"), true
	}
	return unsupported("ZIP archive is not supported"), true
}

func sniffODF(mime string) (Sniffed, bool) {
	const prefix = "application/vnd.oasis.opendocument."
	if mime == "application/epub+zip" {
		return unsupported("EPUB e-book is not supported"), true
	}
	if !strings.HasPrefix(mime, prefix) {
		return Sniffed{}, false
	}
	format, ok := odfFormats[strings.TrimPrefix(mime, prefix)]
	if !ok {
		return unsupported("OpenDocument file of type " + printable(mime) + " is not supported"), true
	}
	return recognised(Document, mime, format), true
}

// leadingMIME returns the longest prefix of b made of the characters that a
// MIME type without parameters may contain, and ending before the "PK" of
// the next ZIP record.
func leadingMIME(b []byte) string {
	if i := bytes.Index(b, []byte("PK")); i >= 0 {
		b = b[:i]
	}
	const maxLen = 128
	end := 0
	for end < len(b) && end < maxLen {
		c := b[end]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("./+-", c) >= 0) {
			break
		}
		end++
	}
	return string(b[:end])
}
