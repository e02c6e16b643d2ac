package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
)

// ExecutionName returns the state machine execution name for an S3 event:
// derived from the bucket, the key, the version ID (or the ETag when the
// bucket is unversioned) and the sequencer, so that a redelivered event maps
// to the execution it already started. The name is a digest only: object
// keys can hold personal data (a file named after a person), and execution
// names appear in logs, metrics and the Step Functions console.
func ExecutionName(d ObjectCreated) string {
	version := d.Object.VersionID
	if version == "" {
		version = d.Object.ETag
	}
	sum := sha256.Sum256([]byte(d.Bucket.Name + "\x00" + d.Object.Key + "\x00" + version + "\x00" + d.Object.Sequencer))
	return "object-" + hex.EncodeToString(sum[:16])
}
