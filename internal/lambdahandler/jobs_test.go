package lambdahandler

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/moderato/moderato/internal/awsadapter/sfnexec"
	"github.com/moderato/moderato/internal/jobs"
)

func TestClosedTaskReportedToJobs(t *testing.T) {
	closed := closedTask(fmt.Errorf("sending task success: %w", sfnexec.ErrTaskClosed))
	assert.ErrorIs(t, closed, jobs.ErrTaskClosed)
	assert.ErrorIs(t, closed, sfnexec.ErrTaskClosed)

	other := errors.New("throttled")
	assert.Same(t, other, closedTask(other))
	assert.NoError(t, closedTask(nil))
}
