package asl_test

import (
	"testing"

	"github.com/moderato/moderato/internal/asl"
	"github.com/moderato/moderato/internal/asl/asltest"
)

func TestMemoryStore(t *testing.T) {
	asltest.TestStore(t, func(t *testing.T) asl.Store { return asl.NewMemoryStore() })
}
