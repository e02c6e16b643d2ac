package tfjs

import (
	"fmt"
	"math"
)

// activation is a fused or stand-alone activation. Both supported ones
// clamp: Relu to [0, +Inf] and Relu6 to [0, 6]. The zero value is the
// identity.
type activation struct {
	clamp  bool
	lo, hi float32
}

// activationOf maps a TensorFlow activation name to its function.
func activationOf(name string) (activation, bool) {
	switch name {
	case "Relu":
		return activation{clamp: true, lo: 0, hi: float32(math.Inf(1))}, true
	case "Relu6":
		return activation{clamp: true, lo: 0, hi: 6}, true
	}
	return activation{}, false
}

// apply applies the activation to data in place.
func (a activation) apply(data []float32) {
	if !a.clamp {
		return
	}
	n := 0
	if useSIMD && len(data) >= 8 {
		n = len(data) &^ 7
		clamp8(&data[0], n, a.lo, a.hi)
	}
	for i, v := range data[n:] {
		data[n+i] = min(max(v, a.lo), a.hi)
	}
}

// fusedOps parses the fused_ops attribute of _FusedConv2D,
// FusedDepthwiseConv2dNative and _FusedMatMul: an optional BiasAdd followed
// by an optional activation. It returns whether a bias input follows the
// two operands.
func fusedOps(d nodeDef) (hasBias bool, act activation, err error) {
	ops := attrStrings(d, "fused_ops")
	if len(ops) > 0 && ops[0] == "BiasAdd" {
		hasBias = true
		ops = ops[1:]
	}
	if len(ops) > 0 {
		a, ok := activationOf(ops[0])
		if !ok {
			return false, activation{}, fmt.Errorf("fused operation %s is %w", ops[0], errUnsupported)
		}
		act = a
		ops = ops[1:]
	}
	if len(ops) > 0 {
		return false, activation{}, fmt.Errorf("fused operations %v are %w", attrStrings(d, "fused_ops"), errUnsupported)
	}

	args := 0
	if hasBias {
		args = 1
	}
	if n := d.Attr["num_args"].I; n != "" && n != fmt.Sprint(args) {
		return false, activation{}, fmt.Errorf("num_args %s with fused operations %v is %w", n, attrStrings(d, "fused_ops"), errUnsupported)
	}
	wantInputs := 2 + args
	if len(dataInputs(d)) != wantInputs {
		return false, activation{}, fmt.Errorf("expected %d inputs, got %d", wantInputs, len(dataInputs(d)))
	}
	return hasBias, act, nil
}

// dataInputs returns the inputs of a node without its control inputs.
func dataInputs(d nodeDef) []string {
	var out []string
	for _, in := range d.Input {
		if len(in) > 0 && in[0] != '^' {
			out = append(out, in)
		}
	}
	return out
}

// fillBias sets every row of data (one value per channel, the last
// dimension) to bias, so a kernel can accumulate onto it. It leaves data
// zero when there is no bias.
func fillBias(data, bias []float32) {
	c := len(bias)
	if c == 0 {
		return
	}
	for i := 0; i+c <= len(data); i += c {
		copy(data[i:i+c], bias)
	}
}

func unary(act activation) kernel {
	return func(in []*Tensor) (*Tensor, error) {
		out := &Tensor{Shape: in[0].Shape, Data: append([]float32(nil), in[0].Data...)}
		act.apply(out.Data)
		return out, nil
	}
}

// elementwise returns a binary kernel with NumPy broadcasting, as
// TensorFlow applies it.
func elementwise(op string, f func(a, b float32) float32) kernel {
	return func(in []*Tensor) (*Tensor, error) {
		if len(in) != 2 {
			return nil, fmt.Errorf("expected 2 inputs, got %d", len(in))
		}
		a, b := in[0], in[1]
		if op == "BiasAdd" && (len(b.Shape) != 1 || len(a.Shape) == 0 || a.Shape[len(a.Shape)-1] != b.Shape[0]) {
			return nil, fmt.Errorf("bias of shape %v does not match the last dimension of %v", b.Shape, a.Shape)
		}

		switch {
		case sameShape(a.Shape, b.Shape):
			out := &Tensor{Shape: a.Shape, Data: make([]float32, len(a.Data))}
			for i := range out.Data {
				out.Data[i] = f(a.Data[i], b.Data[i])
			}
			return out, nil
		case len(b.Data) == 1:
			out := &Tensor{Shape: a.Shape, Data: make([]float32, len(a.Data))}
			y := b.Data[0]
			for i, x := range a.Data {
				out.Data[i] = f(x, y)
			}
			return out, nil
		case len(a.Data) == 1:
			out := &Tensor{Shape: b.Shape, Data: make([]float32, len(b.Data))}
			x := a.Data[0]
			for i, y := range b.Data {
				out.Data[i] = f(x, y)
			}
			return out, nil
		}
		return broadcast(a, b, f)
	}
}

// broadcast applies f to every pair of elements that NumPy broadcasting
// pairs up.
func broadcast(a, b *Tensor, f func(a, b float32) float32) (*Tensor, error) {
	rank := max(len(a.Shape), len(b.Shape))
	shape := make([]int, rank)
	sa := padStrides(a.Shape, rank)
	sb := padStrides(b.Shape, rank)
	for i := range rank {
		da := dimAt(a.Shape, rank, i)
		db := dimAt(b.Shape, rank, i)
		switch {
		case da == db:
			shape[i] = da
		case da == 1:
			shape[i] = db
			sa[i] = 0
		case db == 1:
			shape[i] = da
			sb[i] = 0
		default:
			return nil, fmt.Errorf("shapes %v and %v cannot be broadcast", a.Shape, b.Shape)
		}
	}

	out := NewTensor(shape...)
	idx := make([]int, rank)
	ia, ib := 0, 0
	for o := range out.Data {
		out.Data[o] = f(a.Data[ia], b.Data[ib])
		for d := rank - 1; d >= 0; d-- {
			idx[d]++
			ia += sa[d]
			ib += sb[d]
			if idx[d] < shape[d] {
				break
			}
			ia -= sa[d] * shape[d]
			ib -= sb[d] * shape[d]
			idx[d] = 0
		}
	}
	return out, nil
}

// dimAt returns dimension i of shape aligned right to rank dimensions.
func dimAt(shape []int, rank, i int) int {
	j := i - (rank - len(shape))
	if j < 0 {
		return 1
	}
	return shape[j]
}

// padStrides returns the row-major strides of shape aligned right to rank
// dimensions. Missing leading dimensions get stride 0.
func padStrides(shape []int, rank int) []int {
	strides := make([]int, rank)
	s := 1
	for i := rank - 1; i >= 0; i-- {
		d := dimAt(shape, rank, i)
		if i >= rank-len(shape) {
			strides[i] = s
		}
		s *= d
	}
	return strides
}

// softmax normalises the last dimension. It subtracts the maximum before
// exponentiating, so large logits do not overflow.
func softmax(in []*Tensor) (*Tensor, error) {
	x := in[0]
	if len(x.Shape) == 0 {
		return nil, fmt.Errorf("softmax of a scalar")
	}
	c := x.Shape[len(x.Shape)-1]
	out := &Tensor{Shape: x.Shape, Data: make([]float32, len(x.Data))}
	if c == 0 {
		return out, nil
	}
	for i := 0; i < len(x.Data); i += c {
		row := x.Data[i : i+c]
		peak := row[0]
		for _, v := range row {
			peak = max(peak, v)
		}
		var sum float64
		for j, v := range row {
			e := math.Exp(float64(v - peak))
			out.Data[i+j] = float32(e)
			sum += e
		}
		for j := range row {
			out.Data[i+j] = float32(float64(out.Data[i+j]) / sum)
		}
	}
	return out, nil
}

// compileSqueeze removes the listed size-1 dimensions, or every size-1
// dimension when none is listed.
func compileSqueeze(d nodeDef) (kernel, error) {
	dims, _, err := attrInts(d, "squeeze_dims")
	if err != nil {
		return nil, err
	}
	if len(dims) == 0 {
		if axis, _, err := attrInts(d, "axis"); err == nil {
			dims = axis
		}
	}
	return func(in []*Tensor) (*Tensor, error) {
		x := in[0]
		drop := make([]bool, len(x.Shape))
		for _, dim := range dims {
			if dim < 0 {
				dim += len(x.Shape)
			}
			if dim < 0 || dim >= len(x.Shape) || x.Shape[dim] != 1 {
				return nil, fmt.Errorf("cannot squeeze dimension %d of shape %v", dim, x.Shape)
			}
			drop[dim] = true
		}
		var shape []int
		for i, s := range x.Shape {
			if drop[i] || (len(dims) == 0 && s == 1) {
				continue
			}
			shape = append(shape, s)
		}
		return &Tensor{Shape: shape, Data: x.Data}, nil
	}, nil
}
