package cwmetrics

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/awsadapter/mototest"
)

func TestRecordOldestPendingAgeAgainstMoto(t *testing.T) {
	server := mototest.Start(t)
	client := cloudwatch.NewFromConfig(server.Config(), QueryProtocol)
	ctx := context.Background()
	at := time.Now().UTC().Truncate(time.Second)
	p := Publisher{API: client, StateMachine: "moderato-moderation", Now: func() time.Time { return at }}

	require.NoError(t, p.RecordOldestPendingAge(ctx, 90*time.Minute+500*time.Millisecond))

	dimension := []types.Dimension{{Name: aws.String(StateMachineDimension), Value: aws.String("moderato-moderation")}}
	out, err := client.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace:  aws.String(Namespace),
		MetricName: aws.String(OldestPendingReviewMetric),
		Dimensions: dimension,
		StartTime:  aws.Time(at.Add(-time.Minute)),
		EndTime:    aws.Time(at.Add(time.Minute)),
		Period:     aws.Int32(300),
		Statistics: []types.Statistic{types.StatisticMaximum},
	})
	require.NoError(t, err)
	require.Len(t, out.Datapoints, 1)
	assert.Equal(t, 5400.0, aws.ToFloat64(out.Datapoints[0].Maximum), "whole seconds")
	assert.Equal(t, types.StandardUnitSeconds, out.Datapoints[0].Unit)
}

// failingAPI is a CloudWatch API that rejects every call.
type failingAPI struct{ err error }

func (f failingAPI) PutMetricData(context.Context, *cloudwatch.PutMetricDataInput, ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
	return nil, f.err
}

func TestRecordOldestPendingAgeErrors(t *testing.T) {
	unnamed := Publisher{API: failingAPI{}}
	err := unnamed.RecordOldestPendingAge(context.Background(), time.Minute)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "state machine name")

	denied := Publisher{API: failingAPI{err: errors.New("AccessDenied")}, StateMachine: "moderato-moderation"}
	err = denied.RecordOldestPendingAge(context.Background(), time.Minute)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Moderato/OldestPendingReviewAgeSeconds")
}
