package tfjs

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// weight is a float32 constant of a test graph.
type weight struct {
	name   string
	shape  []int
	values []float32
}

// node builds a nodeDef in the JSON form the converter writes.
func node(name, op string, inputs []string, attrs map[string]any) map[string]any {
	n := map[string]any{"name": name, "op": op, "input": inputs}
	if attrs != nil {
		n["attr"] = attrs
	}
	return n
}

func ints(v ...int) map[string]any {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = json.Number(itoa(x)).String()
	}
	return map[string]any{"list": map[string]any{"i": s}}
}

func itoa(v int) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func str(s string) map[string]any {
	return map[string]any{"s": []byte(s)}
}

func strs(v ...string) map[string]any {
	b := make([][]byte, len(v))
	for i, s := range v {
		b[i] = []byte(s)
	}
	return map[string]any{"list": map[string]any{"s": b}}
}

// writeModel writes a graph model with float32 weights into a temporary
// directory and returns the directory.
func writeModel(t *testing.T, nodes []map[string]any, weights []weight) string {
	t.Helper()
	dir := t.TempDir()
	var shard []byte
	specs := make([]map[string]any, 0, len(weights))
	for _, w := range weights {
		nodes = append(nodes, node(w.name, "Const", nil, nil))
		specs = append(specs, map[string]any{"name": w.name, "shape": w.shape, "dtype": "float32"})
		for _, v := range w.values {
			shard = binary.LittleEndian.AppendUint32(shard, math.Float32bits(v))
		}
	}
	model := map[string]any{
		"format":          "graph-model",
		"modelTopology":   map[string]any{"node": nodes},
		"weightsManifest": []any{map[string]any{"paths": []string{"shard"}, "weights": specs}},
	}
	data, err := json.Marshal(model)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "model.json"), data, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shard"), shard, 0o644))
	return dir
}

func placeholder() map[string]any {
	return node("x", "Placeholder", nil, nil)
}

func TestOperations(t *testing.T) {
	same := map[string]any{"padding": str("SAME"), "strides": ints(1, 1, 1, 1), "data_format": str("NHWC")}
	stride2 := map[string]any{"padding": str("SAME"), "strides": ints(1, 2, 2, 1)}
	valid := map[string]any{"padding": str("VALID"), "strides": ints(1, 1, 1, 1)}
	withFused := func(attrs map[string]any, ops ...string) map[string]any {
		out := map[string]any{"fused_ops": strs(ops...), "num_args": map[string]any{"i": "1"}}
		for k, v := range attrs {
			out[k] = v
		}
		return out
	}

	tests := []struct {
		name    string
		nodes   []map[string]any
		weights []weight
		input   *Tensor
		want    *Tensor
	}{
		{
			name:    "mul and sub by scalars",
			nodes:   []map[string]any{placeholder(), node("m", "Mul", []string{"two", "x"}, nil), node("out", "Sub", []string{"m", "one"}, nil)},
			weights: []weight{{"two", nil, []float32{2}}, {"one", nil, []float32{1}}},
			input:   &Tensor{Shape: []int{1, 3}, Data: []float32{0, 0.5, 1}},
			want:    &Tensor{Shape: []int{1, 3}, Data: []float32{-1, 0, 1}},
		},
		{
			name:    "add broadcasts a row",
			nodes:   []map[string]any{placeholder(), node("out", "AddV2", []string{"x", "row"}, nil)},
			weights: []weight{{"row", []int{1, 2}, []float32{10, 20}}},
			input:   &Tensor{Shape: []int{2, 1, 2}, Data: []float32{1, 2, 3, 4}},
			want:    &Tensor{Shape: []int{2, 1, 2}, Data: []float32{11, 22, 13, 24}},
		},
		{
			name:    "add broadcasts a column",
			nodes:   []map[string]any{placeholder(), node("out", "Add", []string{"x", "col"}, nil)},
			weights: []weight{{"col", []int{2, 1}, []float32{10, 20}}},
			input:   &Tensor{Shape: []int{3}, Data: []float32{1, 2, 3}},
			want:    &Tensor{Shape: []int{2, 3}, Data: []float32{11, 12, 13, 21, 22, 23}},
		},
		{
			name:  "relu6 clips both ends",
			nodes: []map[string]any{placeholder(), node("out", "Relu6", []string{"x"}, nil)},
			input: &Tensor{Shape: []int{4}, Data: []float32{-1, 0.5, 6, 7}},
			want:  &Tensor{Shape: []int{4}, Data: []float32{0, 0.5, 6, 6}},
		},
		{
			// A 3×3 all-ones kernel over a 3×3 image with SAME padding
			// sums each pixel's neighbourhood.
			name:    "conv2d same padding",
			nodes:   []map[string]any{placeholder(), node("out", "Conv2D", []string{"x", "w"}, same)},
			weights: []weight{{"w", []int{3, 3, 1, 1}, []float32{1, 1, 1, 1, 1, 1, 1, 1, 1}}},
			input:   &Tensor{Shape: []int{1, 3, 3, 1}, Data: []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}},
			want:    &Tensor{Shape: []int{1, 3, 3, 1}, Data: []float32{12, 21, 16, 27, 45, 33, 24, 39, 28}},
		},
		{
			// Stride 2 over 4×4 gives 2×2 outputs. TensorFlow pads 1 after
			// the last row and column and none before.
			name:    "conv2d stride two pads after",
			nodes:   []map[string]any{placeholder(), node("out", "Conv2D", []string{"x", "w"}, stride2)},
			weights: []weight{{"w", []int{3, 3, 1, 1}, []float32{1, 1, 1, 1, 1, 1, 1, 1, 1}}},
			input:   &Tensor{Shape: []int{1, 4, 4, 1}, Data: []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
			want:    &Tensor{Shape: []int{1, 2, 2, 1}, Data: []float32{54, 45, 72, 54}},
		},
		{
			name:  "fused pointwise conv with bias and relu",
			nodes: []map[string]any{placeholder(), node("out", "_FusedConv2D", []string{"x", "w", "b"}, withFused(same, "BiasAdd", "Relu"))},
			weights: []weight{
				{"w", []int{1, 1, 2, 3}, []float32{1, 0, -1, 0, 1, -1}},
				{"b", []int{3}, []float32{0.5, 0, 0}},
			},
			input: &Tensor{Shape: []int{1, 1, 5, 2}, Data: []float32{1, 2, 3, 4, 0, 0, -1, 1, 2, 2}},
			want:  &Tensor{Shape: []int{1, 1, 5, 3}, Data: []float32{1.5, 2, 0, 3.5, 4, 0, 0.5, 0, 0, 0, 1, 0, 2.5, 2, 0}},
		},
		{
			name:  "fused depthwise conv",
			nodes: []map[string]any{placeholder(), node("out", "FusedDepthwiseConv2dNative", []string{"x", "w", "b"}, withFused(valid, "BiasAdd"))},
			weights: []weight{
				{"w", []int{2, 1, 2, 1}, []float32{1, 10, 2, 20}},
				{"b", []int{2}, []float32{0, 1}},
			},
			input: &Tensor{Shape: []int{1, 2, 1, 2}, Data: []float32{1, 1, 3, 2}},
			want:  &Tensor{Shape: []int{1, 1, 1, 2}, Data: []float32{7, 51}},
		},
		{
			name:  "depthwise conv with multiplier",
			nodes: []map[string]any{placeholder(), node("out", "DepthwiseConv2dNative", []string{"x", "w"}, valid)},
			weights: []weight{
				{"w", []int{1, 1, 2, 2}, []float32{1, 2, 3, 4}},
			},
			input: &Tensor{Shape: []int{1, 1, 1, 2}, Data: []float32{1, 10}},
			want:  &Tensor{Shape: []int{1, 1, 1, 4}, Data: []float32{1, 2, 30, 40}},
		},
		{
			name:  "avg pool same ignores padding",
			nodes: []map[string]any{placeholder(), node("out", "AvgPool", []string{"x"}, map[string]any{"ksize": ints(1, 2, 2, 1), "strides": ints(1, 2, 2, 1), "padding": str("SAME")})},
			input: &Tensor{Shape: []int{1, 3, 3, 1}, Data: []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}},
			want:  &Tensor{Shape: []int{1, 2, 2, 1}, Data: []float32{3, 4.5, 7.5, 9}},
		},
		{
			name:  "max pool valid",
			nodes: []map[string]any{placeholder(), node("out", "MaxPool", []string{"x"}, map[string]any{"ksize": ints(1, 2, 2, 1), "strides": ints(1, 1, 1, 1), "padding": str("VALID")})},
			input: &Tensor{Shape: []int{1, 2, 3, 1}, Data: []float32{1, -5, 3, 4, -5, -6}},
			want:  &Tensor{Shape: []int{1, 1, 2, 1}, Data: []float32{4, 3}},
		},
		{
			name:  "squeeze listed dims",
			nodes: []map[string]any{placeholder(), node("out", "Squeeze", []string{"x"}, map[string]any{"squeeze_dims": ints(1, 2)})},
			input: &Tensor{Shape: []int{1, 1, 1, 2}, Data: []float32{1, 2}},
			want:  &Tensor{Shape: []int{1, 2}, Data: []float32{1, 2}},
		},
		{
			name:  "fused matmul with bias",
			nodes: []map[string]any{placeholder(), node("out", "_FusedMatMul", []string{"x", "w", "b"}, map[string]any{"fused_ops": strs("BiasAdd"), "num_args": map[string]any{"i": "1"}})},
			weights: []weight{
				{"w", []int{2, 3}, []float32{1, 2, 3, 4, 5, 6}},
				{"b", []int{3}, []float32{1, 1, 1}},
			},
			input: &Tensor{Shape: []int{1, 2}, Data: []float32{1, 1}},
			want:  &Tensor{Shape: []int{1, 3}, Data: []float32{6, 8, 10}},
		},
		{
			name:  "matmul transposed b",
			nodes: []map[string]any{placeholder(), node("out", "MatMul", []string{"x", "w"}, map[string]any{"transpose_b": map[string]any{"b": true}})},
			weights: []weight{
				{"w", []int{3, 2}, []float32{1, 4, 2, 5, 3, 6}},
			},
			input: &Tensor{Shape: []int{1, 2}, Data: []float32{1, 1}},
			want:  &Tensor{Shape: []int{1, 3}, Data: []float32{5, 7, 9}},
		},
		{
			name:  "softmax of large logits",
			nodes: []map[string]any{placeholder(), node("out", "Softmax", []string{"x"}, nil)},
			input: &Tensor{Shape: []int{1, 2}, Data: []float32{1000, 1000}},
			want:  &Tensor{Shape: []int{1, 2}, Data: []float32{0.5, 0.5}},
		},
		{
			name:  "identity through control input",
			nodes: []map[string]any{placeholder(), node("out", "Identity", []string{"x:0", "^x"}, nil)},
			input: &Tensor{Shape: []int{1}, Data: []float32{3}},
			want:  &Tensor{Shape: []int{1}, Data: []float32{3}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Load(writeModel(t, tt.nodes, tt.weights))
			require.NoError(t, err)
			assert.Equal(t, []string{"x"}, m.Inputs())

			got, err := m.Run(map[string]*Tensor{"x": tt.input}, "out")
			require.NoError(t, err)
			assert.Equal(t, tt.want.Shape, got.Shape)
			assert.InDeltaSlice(t, tt.want.Data, got.Data, 1e-5)
		})
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name    string
		nodes   []map[string]any
		weights []weight
		want    string
	}{
		{
			name:  "unknown operation",
			nodes: []map[string]any{placeholder(), node("out", "Erf", []string{"x"}, nil)},
			want:  "operation Erf is unsupported",
		},
		{
			name:  "unknown fused activation",
			nodes: []map[string]any{placeholder(), node("out", "_FusedConv2D", []string{"x", "w", "b"}, map[string]any{"padding": str("SAME"), "strides": ints(1, 1, 1, 1), "fused_ops": strs("BiasAdd", "Elu"), "num_args": map[string]any{"i": "1"}})},
			weights: []weight{
				{"w", []int{1, 1, 1, 1}, []float32{1}},
				{"b", []int{1}, []float32{1}},
			},
			want: "fused operation Elu is unsupported",
		},
		{
			name:  "dilated convolution",
			nodes: []map[string]any{placeholder(), node("out", "Conv2D", []string{"x", "w"}, map[string]any{"padding": str("SAME"), "strides": ints(1, 1, 1, 1), "dilations": ints(1, 2, 2, 1)})},
			weights: []weight{
				{"w", []int{1, 1, 1, 1}, []float32{1}},
			},
			want: "dilations [1 2 2 1] are unsupported",
		},
		{
			name:  "channels first",
			nodes: []map[string]any{placeholder(), node("out", "AvgPool", []string{"x"}, map[string]any{"padding": str("SAME"), "strides": ints(1, 1, 1, 1), "ksize": ints(1, 1, 1, 1), "data_format": str("NCHW")})},
			want:  "data format NCHW is unsupported",
		},
		{
			name:  "missing input node",
			nodes: []map[string]any{placeholder(), node("out", "Relu", []string{"y"}, nil)},
			want:  `input "y" is not a node of the graph`,
		},
		{
			name:  "cycle",
			nodes: []map[string]any{node("a", "Relu", []string{"b"}, nil), node("b", "Relu", []string{"a"}, nil)},
			want:  "is part of a cycle",
		},
		{
			name:  "const without weights",
			nodes: []map[string]any{node("c", "Const", nil, nil)},
			want:  "const node c has no weights",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeModel(t, tt.nodes, tt.weights))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestRunErrors(t *testing.T) {
	dir := writeModel(t, []map[string]any{
		placeholder(),
		node("out", "Conv2D", []string{"x", "w"}, map[string]any{"padding": str("SAME"), "strides": ints(1, 1, 1, 1)}),
	}, []weight{{"w", []int{1, 1, 2, 1}, []float32{1, 1}}})
	m, err := Load(dir)
	require.NoError(t, err)

	tests := []struct {
		name   string
		inputs map[string]*Tensor
		output string
		want   string
	}{
		{name: "missing input", inputs: nil, output: "out", want: "no value for input x"},
		{name: "unknown output", inputs: nil, output: "nope", want: `output "nope" is not a node`},
		{name: "wrong rank", inputs: map[string]*Tensor{"x": NewTensor(2, 2)}, output: "out", want: "expected an NHWC tensor"},
		{name: "wrong channels", inputs: map[string]*Tensor{"x": NewTensor(1, 2, 2, 3)}, output: "out", want: "does not match input shape"},
		{name: "data shorter than shape", inputs: map[string]*Tensor{"x": {Shape: []int{1, 1, 1, 2}, Data: []float32{1}}}, output: "out", want: "has 1 values for shape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Run(tt.inputs, tt.output)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestDequantize(t *testing.T) {
	tests := []struct {
		name string
		spec weightSpec
		raw  []byte
		want []float32
	}{
		{
			name: "uint8 affine",
			spec: weightSpec{Name: "w", DType: "float32", Quantization: &quantization{DType: "uint8", Min: -1, Scale: 0.5}},
			raw:  []byte{0, 2, 4},
			want: []float32{-1, 0, 1},
		},
		{
			name: "uint16 affine",
			spec: weightSpec{Name: "w", DType: "float32", Quantization: &quantization{DType: "uint16", Min: 1, Scale: 0.25}},
			raw:  []byte{4, 0, 0, 1},
			want: []float32{2, 65},
		},
		{
			name: "float16",
			spec: weightSpec{Name: "w", DType: "float32", Quantization: &quantization{DType: "float16"}},
			raw:  []byte{0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00},
			want: []float32{1, -2, float32(math.Ldexp(1, -24))},
		},
		{
			name: "int32 as float",
			spec: weightSpec{Name: "w", DType: "int32"},
			raw:  []byte{0xff, 0xff, 0xff, 0xff, 7, 0, 0, 0},
			want: []float32{-1, 7},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size, err := storedSize(tt.spec)
			require.NoError(t, err)
			got, err := dequantize(tt.spec, tt.raw, len(tt.raw)/size)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDecodeWeightsChecksSizes(t *testing.T) {
	specs := []weightSpec{{Name: "w", Shape: []int{2, 2}, DType: "float32"}}
	err := decodeWeights(specs, make([]byte, 12), map[string]*Tensor{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "needs 16 bytes")

	err = decodeWeights(specs, make([]byte, 20), map[string]*Tensor{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the manifest describes 16 bytes, the shards hold 20")
}

// matMulFunc is the signature of matMulBias and its implementations.
type matMulFunc func(rows, outs [][]float32, b []float32, k, n int, bias []float32, act activation)

func TestMatMulBiasMatchesNaive(t *testing.T) {
	const k, n = 37, 300
	b := make([]float32, k*n)
	bias := make([]float32, n)
	for i := range b {
		b[i] = float32(i%13) - 6
	}
	for j := range bias {
		bias[j] = float32(j%7) - 3
	}
	relu6, ok := activationOf("Relu6")
	require.True(t, ok)

	impls := map[string]matMulFunc{"dispatch": matMulBias, "generic": matMulBiasGeneric}
	for name, matMul := range impls {
		for _, m := range []int{1, 3, 4, 9} {
			checkMatMul(t, name+" plain", matMul, b, nil, activation{}, m, k, n)
			checkMatMul(t, name+" bias relu6", matMul, b, bias, relu6, m, k, n)
		}
	}
}

// checkMatMul compares matMul with a naive product on m rows whose outputs
// start as garbage, because matMulBias overwrites them.
func checkMatMul(t *testing.T, name string, matMul matMulFunc, b, bias []float32, act activation, m, k, n int) {
	t.Helper()
	rows := make([][]float32, m)
	outs := make([][]float32, m)
	for r := range m {
		rows[r] = make([]float32, k)
		for p := range rows[r] {
			rows[r][p] = float32((r+p)%5) - 2
		}
		outs[r] = make([]float32, n)
		for j := range outs[r] {
			outs[r][j] = 1e6
		}
	}

	matMul(rows, outs, b, k, n, bias, act)
	for r := range m {
		for j := range n {
			var want float32
			if bias != nil {
				want = bias[j]
			}
			for p := range k {
				want += rows[r][p] * b[p*n+j]
			}
			if act.clamp {
				want = min(max(want, act.lo), act.hi)
			}
			require.InDelta(t, want, outs[r][j], 1e-3, "%s m=%d row %d column %d", name, m, r, j)
		}
	}
}

func TestMatMulBiasChunked(t *testing.T) {
	// With k = 2000 the SIMD path processes 12 rows per chunk, so 30 rows
	// span three chunks, the last one partial.
	const m, k, n = 30, 2000, 24
	b := make([]float32, k*n)
	for i := range b {
		b[i] = float32(i%7) * 0.25
	}
	rows := make([][]float32, m)
	outs := make([][]float32, m)
	for r := range m {
		rows[r] = make([]float32, k)
		for p := range rows[r] {
			rows[r][p] = float32((r*p)%3) - 1
		}
		outs[r] = make([]float32, n)
	}

	matMulBias(rows, outs, b, k, n, nil, activation{})
	for r := range m {
		for j := range n {
			var want float64
			for p := range k {
				want += float64(rows[r][p]) * float64(b[p*n+j])
			}
			require.InDelta(t, want, outs[r][j], 1e-2, "row %d column %d", r, j)
		}
	}
}

func TestVectorHelpers(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 16, 23} {
		x := make([]float32, n)
		w := make([]float32, n)
		for i := range n {
			x[i] = float32(i) - 4
			w[i] = float32(i%3) + 0.5
		}

		y := make([]float32, n)
		axpy(2, x, y)
		for i := range n {
			assert.Equal(t, 2*x[i], y[i], "axpy n=%d i=%d", n, i)
		}

		y = make([]float32, n)
		mulAdd(x, w, y)
		for i := range n {
			assert.Equal(t, x[i]*w[i], y[i], "mulAdd n=%d i=%d", n, i)
		}

		relu6, ok := activationOf("Relu6")
		require.True(t, ok)
		y = make([]float32, n)
		for i := range n {
			y[i] = float32(i) - 2
		}
		relu6.apply(y)
		for i := range n {
			assert.Equal(t, min(max(float32(i)-2, 0), 6), y[i], "relu6 n=%d i=%d", n, i)
		}
	}
}

func TestDepthwiseMatchesNaive(t *testing.T) {
	tests := []struct {
		name     string
		channels int
		stride   int
	}{
		{name: "8 channels stride 1", channels: 8, stride: 1},
		{name: "11 channels stride 2", channels: 11, stride: 2},
		{name: "24 channels stride 2", channels: 24, stride: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const h, w, k = 7, 6, 3
			c := tt.channels
			filter := make([]float32, k*k*c)
			bias := make([]float32, c)
			for i := range filter {
				filter[i] = float32(i%11)/5 - 1
			}
			for i := range bias {
				bias[i] = float32(i%3) - 1
			}
			input := NewTensor(1, h, w, c)
			for i := range input.Data {
				input.Data[i] = float32(i%17)/4 - 2
			}
			attrs := map[string]any{
				"padding": str("SAME"), "strides": ints(1, tt.stride, tt.stride, 1),
				"fused_ops": strs("BiasAdd", "Relu6"), "num_args": map[string]any{"i": "1"},
			}
			m, err := Load(writeModel(t,
				[]map[string]any{placeholder(), node("out", "FusedDepthwiseConv2dNative", []string{"x", "w", "b"}, attrs)},
				[]weight{{"w", []int{k, k, c, 1}, filter}, {"b", []int{c}, bias}}))
			require.NoError(t, err)

			got, err := m.Run(map[string]*Tensor{"x": input}, "out")
			require.NoError(t, err)

			oh, padTop := outputSize(h, k, tt.stride, true)
			ow, padLeft := outputSize(w, k, tt.stride, true)
			require.Equal(t, []int{1, oh, ow, c}, got.Shape)
			for oy := range oh {
				for ox := range ow {
					for ch := range c {
						want := bias[ch]
						for ky := range k {
							for kx := range k {
								iy, ix := oy*tt.stride-padTop+ky, ox*tt.stride-padLeft+kx
								if iy < 0 || iy >= h || ix < 0 || ix >= w {
									continue
								}
								want += input.Data[(iy*w+ix)*c+ch] * filter[(ky*k+kx)*c+ch]
							}
						}
						want = min(max(want, 0), 6)
						require.InDelta(t, want, got.Data[(oy*ow+ox)*c+ch], 1e-4, "pixel (%d, %d) channel %d", oy, ox, ch)
					}
				}
			}
		})
	}
}
