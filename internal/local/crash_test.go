package local

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/localstore"
	"github.com/moderato/moderato/internal/policy"
	"github.com/moderato/moderato/internal/review"
)

// reviewCrashDataDirEnv names the data directory of the child process of
// TestDecideAfterCrash.
const reviewCrashDataDirEnv = "MODERATO_TEST_REVIEW_CRASH_DATA_DIR"

// TestReviewCrashHelper runs in a child process: it sends a borderline
// text to review and then hangs, holding the execution's lease, until the
// parent kills it.
func TestReviewCrashHelper(t *testing.T) {
	dir := os.Getenv(reviewCrashDataDirEnv)
	if dir == "" {
		t.Skip("run by TestDecideAfterCrash")
	}
	h := newHarness(t, Config{DataDir: dir, Lease: time.Second})
	res := h.process("borderline.txt", []byte(borderlineText))
	require.Equal(t, policy.Review, res.Verdict)
	select {}
}

// TestDecideAfterCrash checks that a decision on a review whose execution
// a killed process still leases completes once the lease expires, instead
// of leaving the review decided and the execution waiting for ever.
func TestDecideAfterCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	require.NoError(t, os.MkdirAll(dataDir, 0o755))
	cmd := exec.Command(os.Args[0], "-test.run=^TestReviewCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), reviewCrashDataDirEnv+"="+dataDir)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	db, err := localstore.Open(context.Background(), filepath.Join(dataDir, "moderato.db"))
	require.NoError(t, err)
	defer db.Close()
	var pending review.Review
	require.Eventually(t, func() bool {
		reviews, err := db.Reviews().ListReviews(context.Background(), review.StatusPending)
		if err != nil || len(reviews) == 0 {
			return false
		}
		pending = reviews[0]
		return true
	}, 60*time.Second, 50*time.Millisecond, "the child process never paused for review")
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()

	h := newHarness(t, Config{DataDir: dataDir, Lease: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := h.rt.Decide(ctx, pending.ID, review.Approve, "fine after all", "alice")
	require.NoError(t, err)
	assert.Equal(t, policy.Approved, res.Verdict)
	stored, err := h.rt.DB.Reviews().GetReview(ctx, pending.ID)
	require.NoError(t, err)
	assert.Equal(t, review.StatusApproved, stored.Status)
}
