package review

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStatusFor(t *testing.T) {
	tests := []struct {
		decision string
		want     Status
		wantErr  bool
	}{
		{decision: "approve", want: StatusApproved},
		{decision: "reject", want: StatusRejected},
		{decision: "Approve", wantErr: true},
		{decision: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.decision, func(t *testing.T) {
			got, err := StatusFor(tt.decision)
			if tt.wantErr {
				assert.ErrorContains(t, err, "invalid decision")
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
