// Package cwmetrics publishes moderato's custom CloudWatch metrics.
// Publisher implements reviewapi.AgeRecorder.
package cwmetrics

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/moderato/moderato/internal/awsadapter/awserr"
	"github.com/moderato/moderato/internal/reviewapi"
)

// Names of the metric that the Terraform module's oldest-pending-review
// alarm watches. The module's IAM policy allows cloudwatch:PutMetricData
// in Namespace only.
const (
	Namespace                 = "Moderato"
	OldestPendingReviewMetric = "OldestPendingReviewAgeSeconds"
	// StateMachineDimension names the state machine whose reviews the
	// metric measures, so two stacks in one account keep apart.
	StateMachineDimension = "StateMachine"
)

// QueryProtocol is a cloudwatch.Options function that makes the client
// speak the awsQuery protocol, which CloudWatch accepts next to the CBOR
// protocol that the SDK uses by default. moto 5.2.1, which the tests run
// against, returns 404 for CloudWatch requests in the CBOR protocol.
func QueryProtocol(o *cloudwatch.Options) {
	o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
}

// API is the part of the CloudWatch client Publisher calls.
type API interface {
	PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

// Publisher puts metrics of one state machine's reviews.
type Publisher struct {
	API API
	// StateMachine is the value of the StateMachine dimension: the name of
	// the moderation state machine.
	StateMachine string
	// Now returns the metric's timestamp; nil means time.Now.
	Now func() time.Time
}

var _ reviewapi.AgeRecorder = Publisher{}

// RecordOldestPendingAge puts the age of the oldest pending review, in
// whole seconds.
func (p Publisher) RecordOldestPendingAge(ctx context.Context, age time.Duration) error {
	if p.StateMachine == "" {
		return errors.New("putting " + Namespace + "/" + OldestPendingReviewMetric + ": the state machine name for its dimension is missing")
	}
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	_, err := p.API.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{
		Namespace: aws.String(Namespace),
		MetricData: []types.MetricDatum{{
			MetricName: aws.String(OldestPendingReviewMetric),
			Dimensions: []types.Dimension{{Name: aws.String(StateMachineDimension), Value: aws.String(p.StateMachine)}},
			Timestamp:  aws.Time(now),
			Unit:       types.StandardUnitSeconds,
			Value:      aws.Float64(float64(age / time.Second)),
		}},
	})
	if err != nil {
		return awserr.Classify("putting "+Namespace+"/"+OldestPendingReviewMetric, err)
	}
	return nil
}
