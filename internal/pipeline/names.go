package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strings"
)

// ExecutionName returns the state machine execution name for an S3 event:
// derived from the bucket, the key, the version ID (or the ETag when the
// bucket is unversioned) and the sequencer, so that a redelivered event maps
// to the execution it already started. The name starts with a readable form
// of the key's last segment and stays within Step Functions' 80 characters
// of letters, digits, "-" and "_".
func ExecutionName(d ObjectCreated) string {
	version := d.Object.VersionID
	if version == "" {
		version = d.Object.ETag
	}
	sum := sha256.Sum256([]byte(d.Bucket.Name + "\x00" + d.Object.Key + "\x00" + version + "\x00" + d.Object.Sequencer))
	return readable(path.Base(d.Object.Key), 40) + "-" + hex.EncodeToString(sum[:12])
}

func readable(s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r < 128 && (r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= max {
			break
		}
	}
	name := strings.Trim(b.String(), "-")
	if name == "" {
		return "object"
	}
	return name
}
