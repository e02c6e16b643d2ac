// Package tfjs loads TensorFlow.js graph models (a model.json topology plus
// binary weight shards, format "graph-model") and runs them in pure Go.
//
// Only the operations that convolutional image classifiers such as
// MobileNetV2 use are implemented, all on float32 tensors in NHWC layout.
// They are Placeholder, Const, Identity, Add, AddV2, Sub, Mul, BiasAdd,
// Relu, Relu6, Conv2D, _FusedConv2D, DepthwiseConv2dNative,
// FusedDepthwiseConv2dNative, AvgPool, MaxPool, Squeeze, MatMul,
// _FusedMatMul and Softmax. Load rejects a graph that uses any other
// operation or an unsupported attribute, so a model either runs as
// TensorFlow.js would run it or does not load.
//
// On amd64 CPUs with AVX2 and FMA3 the matrix and vector kernels run in Go
// assembly. The build tag purego selects the portable Go code everywhere.
package tfjs

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// maxWeightBytes bounds the weight data a model may declare, so a damaged
// manifest cannot make Load allocate without limit.
const maxWeightBytes = 1 << 30

// modelFile is the part of model.json that Load reads.
type modelFile struct {
	Format          string          `json:"format"`
	ModelTopology   graphDef        `json:"modelTopology"`
	WeightsManifest []manifestGroup `json:"weightsManifest"`
}

type graphDef struct {
	Node []nodeDef `json:"node"`
}

type nodeDef struct {
	Name  string               `json:"name"`
	Op    string               `json:"op"`
	Input []string             `json:"input"`
	Attr  map[string]attrValue `json:"attr"`
}

// attrValue is TensorFlow's AttrValue in its protobuf JSON form: integers
// are strings and byte strings are base64, which encoding/json decodes into
// []byte.
type attrValue struct {
	S    []byte   `json:"s"`
	I    string   `json:"i"`
	F    *float64 `json:"f"`
	B    *bool    `json:"b"`
	Type string   `json:"type"`
	List *struct {
		S [][]byte `json:"s"`
		I []string `json:"i"`
	} `json:"list"`
}

type manifestGroup struct {
	Paths   []string     `json:"paths"`
	Weights []weightSpec `json:"weights"`
}

type weightSpec struct {
	Name         string        `json:"name"`
	Shape        []int         `json:"shape"`
	DType        string        `json:"dtype"`
	Quantization *quantization `json:"quantization"`
}

// quantization describes weights stored as uint8 or uint16 codes q that
// stand for q*Scale+Min, or as float16 values.
type quantization struct {
	DType string  `json:"dtype"`
	Min   float64 `json:"min"`
	Scale float64 `json:"scale"`
}

// Load reads dir/model.json and the weight shards that its manifest names
// from dir, and prepares the graph for Run.
func Load(dir string) (*Model, error) {
	path := filepath.Join(dir, "model.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading model %s: %w", path, err)
	}
	var mf modelFile
	if err := json.Unmarshal(data, &mf); err != nil {
		return nil, fmt.Errorf("parsing model %s: %w", path, err)
	}

	weights := make(map[string]*Tensor)
	for _, group := range mf.WeightsManifest {
		var buf []byte
		for _, p := range group.Paths {
			if filepath.Base(p) != p || p == "." || p == ".." {
				return nil, fmt.Errorf("loading model %s: weight shard path %q leaves the model directory", path, p)
			}
			shard, err := os.ReadFile(filepath.Join(dir, p))
			if err != nil {
				return nil, fmt.Errorf("reading weight shard of model %s: %w", path, err)
			}
			buf = append(buf, shard...)
		}
		if err := decodeWeights(group.Weights, buf, weights); err != nil {
			return nil, fmt.Errorf("loading weights of model %s: %w", path, err)
		}
	}

	m, err := newModel(mf, weights)
	if err != nil {
		return nil, fmt.Errorf("loading model %s: %w", path, err)
	}
	return m, nil
}

// decodeWeights splits the concatenated shards of one manifest group into
// tensors, in manifest order, as TensorFlow.js does.
func decodeWeights(specs []weightSpec, buf []byte, out map[string]*Tensor) error {
	offset := 0
	for _, spec := range specs {
		n := 1
		for _, d := range spec.Shape {
			if d < 0 || (d > 0 && n > maxWeightBytes/d) {
				return fmt.Errorf("weight %s: invalid shape %v", spec.Name, spec.Shape)
			}
			n *= d
		}

		size, err := storedSize(spec)
		if err != nil {
			return err
		}
		if n > maxWeightBytes/size || offset+n*size > len(buf) {
			return fmt.Errorf("weight %s: needs %d bytes at offset %d, the shards hold %d", spec.Name, n*size, offset, len(buf))
		}
		raw := buf[offset : offset+n*size]
		offset += n * size

		values, err := dequantize(spec, raw, n)
		if err != nil {
			return err
		}
		out[spec.Name] = &Tensor{Shape: append([]int(nil), spec.Shape...), Data: values}
	}
	if offset != len(buf) {
		return fmt.Errorf("the manifest describes %d bytes, the shards hold %d", offset, len(buf))
	}
	return nil
}

// storedSize returns the bytes per stored value of a weight.
func storedSize(spec weightSpec) (int, error) {
	if q := spec.Quantization; q != nil {
		switch q.DType {
		case "uint8":
			return 1, nil
		case "uint16", "float16":
			return 2, nil
		}
		return 0, fmt.Errorf("weight %s: unsupported quantization dtype %q", spec.Name, q.DType)
	}
	switch spec.DType {
	case "float32", "int32":
		return 4, nil
	}
	return 0, fmt.Errorf("weight %s: unsupported dtype %q", spec.Name, spec.DType)
}

// dequantize turns stored values into float32. Like TensorFlow.js, it
// computes q*scale+min in float64 and rounds once to float32. Int32 weights
// are converted to float32, because every supported operation works on
// float32.
func dequantize(spec weightSpec, raw []byte, n int) ([]float32, error) {
	if spec.DType != "float32" && spec.DType != "int32" {
		return nil, fmt.Errorf("weight %s: unsupported dtype %q", spec.Name, spec.DType)
	}
	values := make([]float32, n)
	q := spec.Quantization
	switch {
	case q == nil && spec.DType == "float32":
		for i := range values {
			values[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case q == nil:
		for i := range values {
			values[i] = float32(int32(binary.LittleEndian.Uint32(raw[4*i:])))
		}
	case q.DType == "uint8":
		for i := range values {
			values[i] = float32(float64(raw[i])*q.Scale + q.Min)
		}
	case q.DType == "uint16":
		for i := range values {
			values[i] = float32(float64(binary.LittleEndian.Uint16(raw[2*i:]))*q.Scale + q.Min)
		}
	case q.DType == "float16":
		for i := range values {
			values[i] = float16ToFloat32(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	}
	if spec.DType == "int32" && q != nil {
		for i, v := range values {
			values[i] = float32(math.Round(float64(v)))
		}
	}
	return values, nil
}

// float16ToFloat32 converts an IEEE 754 half-precision value.
func float16ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		// A subnormal half is frac * 2^-24.
		v := float32(frac) / (1 << 24)
		if sign != 0 {
			return -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

// attrInts returns an integer list attribute.
func attrInts(n nodeDef, key string) ([]int, bool, error) {
	a, ok := n.Attr[key]
	if !ok || a.List == nil {
		return nil, false, nil
	}
	out := make([]int, len(a.List.I))
	for i, s := range a.List.I {
		v, err := strconv.Atoi(s)
		if err != nil {
			return nil, true, fmt.Errorf("node %s: attribute %s: %w", n.Name, key, err)
		}
		out[i] = v
	}
	return out, true, nil
}

// attrString returns a byte string attribute as text.
func attrString(n nodeDef, key string) string {
	return string(n.Attr[key].S)
}

// attrBool returns a boolean attribute, false when absent.
func attrBool(n nodeDef, key string) bool {
	b := n.Attr[key].B
	return b != nil && *b
}

// attrStrings returns a string list attribute.
func attrStrings(n nodeDef, key string) []string {
	a := n.Attr[key]
	if a.List == nil {
		return nil
	}
	out := make([]string, len(a.List.S))
	for i, s := range a.List.S {
		out[i] = string(s)
	}
	return out
}

var errUnsupported = errors.New("unsupported")
