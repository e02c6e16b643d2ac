package local

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/moderato/moderato/internal/objects"
	"github.com/moderato/moderato/internal/pipeline"
)

// Event is an EventBridge event as Amazon S3 sends it for a new object.
type Event struct {
	Version    string                 `json:"version"`
	ID         string                 `json:"id"`
	DetailType string                 `json:"detail-type"`
	Source     string                 `json:"source"`
	Account    string                 `json:"account"`
	Time       string                 `json:"time"`
	Region     string                 `json:"region"`
	Resources  []string               `json:"resources"`
	Detail     pipeline.ObjectCreated `json:"detail"`
}

// ObjectCreatedEvent builds the event that S3 would send to EventBridge for
// a PutObject of loc. The local version ID is derived from the content, so
// the sequencer is too: uploading the same bytes to the same key again is
// the same object version, and it gets no second outcome.
func ObjectCreatedEvent(loc objects.Location, info objects.Info, at time.Time) Event {
	var d pipeline.ObjectCreated
	d.Bucket.Name = loc.Bucket
	d.Object.Key = loc.Key
	d.Object.Size = info.Size
	d.Object.ETag = info.ETag
	d.Object.VersionID = info.VersionID
	d.Object.Sequencer = strings.ToUpper(info.VersionID[:16])
	d.Reason = "PutObject"

	idSum := sha256.Sum256([]byte(loc.Bucket + "\x00" + loc.Key + "\x00" + info.VersionID))
	id := hex.EncodeToString(idSum[:16])
	return Event{
		Version:    "0",
		ID:         id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:32],
		DetailType: "Object Created",
		Source:     "aws.s3",
		Account:    "000000000000",
		Time:       at.UTC().Format(time.RFC3339),
		Region:     "local",
		Resources:  []string{"arn:aws:s3:::" + loc.Bucket},
		Detail:     d,
	}
}

// JSON encodes the event.
func (e Event) JSON() json.RawMessage {
	b, err := json.Marshal(e)
	if err != nil {
		// Every field is a string, a number or a slice of strings.
		panic("encoding an S3 event: " + err.Error())
	}
	return b
}
