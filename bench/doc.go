// Package bench measures the embedded state machine executor: executions
// per second and time per state transition, on the project's moderation
// definition with stub Lambda handlers and on a Pass, Choice and Map heavy
// definition. run.sh runs the same definitions through moto's Step
// Functions engine and prints the ratio; README.md records the figures.
package bench
