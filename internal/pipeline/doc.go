// Package pipeline implements the tasks of the moderation state machine:
// inspect an uploaded object, normalise images, moderate and detect PII in
// parallel, decide by policy, request a human review, and record the outcome.
//
// The same handlers run inside AWS Lambda functions and in local mode. They
// depend only on small interfaces (object storage, engines, review and
// outcome stores), so each environment wires its own implementations.
// Every input and output is a JSON document that the state machine passes
// between states. Large data (text, detections, images) stays in object
// storage and travels as a Location.
package pipeline
