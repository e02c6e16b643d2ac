package tfjs

import (
	"fmt"
	"math"
)

// window is the geometry shared by convolutions and pooling: NHWC input,
// a kernel of kh×kw cells moved by strides, padded as TensorFlow pads.
type window struct {
	kh, kw int
	sy, sx int
	same   bool
}

// spatial parses strides, dilations, data_format and padding.
func spatial(d nodeDef) (window, error) {
	var w window
	if f := attrString(d, "data_format"); f != "" && f != "NHWC" {
		return w, fmt.Errorf("data format %s is %w", f, errUnsupported)
	}
	strides, _, err := attrInts(d, "strides")
	if err != nil {
		return w, err
	}
	if len(strides) != 4 || strides[0] != 1 || strides[3] != 1 || strides[1] < 1 || strides[2] < 1 {
		return w, fmt.Errorf("strides %v are %w", strides, errUnsupported)
	}
	w.sy, w.sx = strides[1], strides[2]
	if dil, ok, err := attrInts(d, "dilations"); err != nil {
		return w, err
	} else if ok {
		for _, v := range dil {
			if v != 1 {
				return w, fmt.Errorf("dilations %v are %w", dil, errUnsupported)
			}
		}
	}
	switch p := attrString(d, "padding"); p {
	case "SAME":
		w.same = true
	case "VALID":
	default:
		return w, fmt.Errorf("padding %q is %w", p, errUnsupported)
	}
	return w, nil
}

// outputSize returns the output length and the padding before the first
// cell along one axis, by TensorFlow's rules. SAME gives ceil(in/stride)
// outputs and puts the smaller half of the padding first. VALID gives
// ceil((in-k+1)/stride) outputs and no padding.
func outputSize(in, k, stride int, same bool) (int, int) {
	if same {
		out := (in + stride - 1) / stride
		total := max((out-1)*stride+k-in, 0)
		return out, total / 2
	}
	if in < k {
		return 0, 0
	}
	return (in-k)/stride + 1, 0
}

func nhwc(x *Tensor) (n, h, w, c int, err error) {
	if len(x.Shape) != 4 {
		return 0, 0, 0, 0, fmt.Errorf("expected an NHWC tensor, got shape %v", x.Shape)
	}
	return x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], nil
}

// compileConv2D compiles Conv2D and _FusedConv2D. The filter is HWIO:
// [kh, kw, in channels, out channels].
func compileConv2D(d nodeDef) (kernel, error) {
	win, err := spatial(d)
	if err != nil {
		return nil, err
	}
	hasBias, act := false, activation{}
	if d.Op == "_FusedConv2D" {
		if hasBias, act, err = fusedOps(d); err != nil {
			return nil, err
		}
	}

	return func(in []*Tensor) (*Tensor, error) {
		x, f := in[0], in[1]
		n, h, w, ci, err := nhwc(x)
		if err != nil {
			return nil, err
		}
		if len(f.Shape) != 4 || f.Shape[2] != ci {
			return nil, fmt.Errorf("filter shape %v does not match input shape %v", f.Shape, x.Shape)
		}
		kh, kw, co := f.Shape[0], f.Shape[1], f.Shape[3]
		var bias []float32
		if hasBias {
			if len(in[2].Data) != co {
				return nil, fmt.Errorf("bias has %d values for %d output channels", len(in[2].Data), co)
			}
			bias = in[2].Data
		}

		oh, padTop := outputSize(h, kh, win.sy, win.same)
		ow, padLeft := outputSize(w, kw, win.sx, win.same)
		out := NewTensor(n, oh, ow, co)
		if kh == 1 && kw == 1 && padTop == 0 && padLeft == 0 {
			conv1x1(x, f.Data, out, win.sy, win.sx, bias, act)
			return out, nil
		}
		fillBias(out.Data, bias)
		convDirect(x, f.Data, out, kh, kw, win.sy, win.sx, padTop, padLeft)
		act.apply(out.Data)
		return out, nil
	}, nil
}

// conv1x1 computes a pointwise convolution, which is a matrix product of
// the pixels (rows of in channels) with the [ci, co] filter, followed by
// the bias and the activation.
func conv1x1(x *Tensor, filter []float32, out *Tensor, sy, sx int, bias []float32, act activation) {
	n, h, w, ci := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	oh, ow, co := out.Shape[1], out.Shape[2], out.Shape[3]
	rows := make([][]float32, 0, n*oh*ow)
	outs := make([][]float32, 0, n*oh*ow)
	for b := range n {
		for oy := range oh {
			for ox := range ow {
				p := (b*h+oy*sy)*w + ox*sx
				rows = append(rows, x.Data[p*ci:(p+1)*ci])
				o := (b*oh+oy)*ow + ox
				outs = append(outs, out.Data[o*co:(o+1)*co])
			}
		}
	}
	matMulBias(rows, outs, filter, ci, co, bias, act)
}

// convDirect computes a convolution with any kernel size, one output pixel
// at a time. Cells of the kernel that fall on padding contribute zero.
func convDirect(x *Tensor, filter []float32, out *Tensor, kh, kw, sy, sx, padTop, padLeft int) {
	n, h, w, ci := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	oh, ow, co := out.Shape[1], out.Shape[2], out.Shape[3]
	for b := range n {
		for oy := range oh {
			for ox := range ow {
				o := ((b*oh+oy)*ow + ox) * co
				acc := out.Data[o : o+co]
				for ky := range kh {
					iy := oy*sy - padTop + ky
					if iy < 0 || iy >= h {
						continue
					}
					for kx := range kw {
						ix := ox*sx - padLeft + kx
						if ix < 0 || ix >= w {
							continue
						}
						p := ((b*h+iy)*w + ix) * ci
						pixel := x.Data[p : p+ci]
						base := (ky*kw + kx) * ci * co
						for c, a := range pixel {
							if a == 0 {
								continue
							}
							axpy(a, filter[base+c*co:base+(c+1)*co], acc)
						}
					}
				}
			}
		}
	}
}

// compileDepthwise compiles DepthwiseConv2dNative and
// FusedDepthwiseConv2dNative. The filter is [kh, kw, channels,
// multiplier], and output channel c*multiplier+m convolves input channel c.
func compileDepthwise(d nodeDef) (kernel, error) {
	win, err := spatial(d)
	if err != nil {
		return nil, err
	}
	hasBias, act := false, activation{}
	if d.Op == "FusedDepthwiseConv2dNative" {
		if hasBias, act, err = fusedOps(d); err != nil {
			return nil, err
		}
	}

	return func(in []*Tensor) (*Tensor, error) {
		x, f := in[0], in[1]
		n, h, w, c, err := nhwc(x)
		if err != nil {
			return nil, err
		}
		if len(f.Shape) != 4 || f.Shape[2] != c {
			return nil, fmt.Errorf("filter shape %v does not match input shape %v", f.Shape, x.Shape)
		}
		kh, kw, mult := f.Shape[0], f.Shape[1], f.Shape[3]
		co := c * mult
		var bias []float32
		if hasBias {
			if len(in[2].Data) != co {
				return nil, fmt.Errorf("bias has %d values for %d output channels", len(in[2].Data), co)
			}
			bias = in[2].Data
		}

		oh, padTop := outputSize(h, kh, win.sy, win.same)
		ow, padLeft := outputSize(w, kw, win.sx, win.same)
		out := NewTensor(n, oh, ow, co)
		if useSIMD && mult == 1 && c >= 8 && kh*kw > 0 {
			depthwiseSIMD(x, f.Data, out, kh, kw, win.sy, win.sx, padTop, padLeft, bias, act)
			return out, nil
		}
		fillBias(out.Data, bias)
		for b := range n {
			for oy := range oh {
				for ox := range ow {
					o := ((b*oh+oy)*ow + ox) * co
					acc := out.Data[o : o+co]
					for ky := range kh {
						iy := oy*win.sy - padTop + ky
						if iy < 0 || iy >= h {
							continue
						}
						for kx := range kw {
							ix := ox*win.sx - padLeft + kx
							if ix < 0 || ix >= w {
								continue
							}
							p := ((b*h+iy)*w + ix) * c
							pixel := x.Data[p : p+c]
							taps := f.Data[(ky*kw+kx)*co : (ky*kw+kx+1)*co]
							if mult == 1 {
								mulAdd(pixel, taps, acc)
								continue
							}
							for ch, v := range pixel {
								for m := range mult {
									acc[ch*mult+m] += v * taps[ch*mult+m]
								}
							}
						}
					}
				}
			}
		}
		act.apply(out.Data)
		return out, nil
	}, nil
}

// compilePool compiles AvgPool and MaxPool. Like TensorFlow, an average
// over a window that overlaps SAME padding divides by the number of real
// cells, and a maximum ignores padding.
func compilePool(d nodeDef) (kernel, error) {
	win, err := spatial(d)
	if err != nil {
		return nil, err
	}
	ksize, _, err := attrInts(d, "ksize")
	if err != nil {
		return nil, err
	}
	if len(ksize) != 4 || ksize[0] != 1 || ksize[3] != 1 || ksize[1] < 1 || ksize[2] < 1 {
		return nil, fmt.Errorf("ksize %v is %w", ksize, errUnsupported)
	}
	win.kh, win.kw = ksize[1], ksize[2]
	isMax := d.Op == "MaxPool"

	return func(in []*Tensor) (*Tensor, error) {
		x := in[0]
		n, h, w, c, err := nhwc(x)
		if err != nil {
			return nil, err
		}
		oh, padTop := outputSize(h, win.kh, win.sy, win.same)
		ow, padLeft := outputSize(w, win.kw, win.sx, win.same)
		out := NewTensor(n, oh, ow, c)
		for b := range n {
			for oy := range oh {
				for ox := range ow {
					o := ((b*oh+oy)*ow + ox) * c
					acc := out.Data[o : o+c]
					if isMax {
						for i := range acc {
							acc[i] = float32(math.Inf(-1))
						}
					}
					count := 0
					for ky := range win.kh {
						iy := oy*win.sy - padTop + ky
						if iy < 0 || iy >= h {
							continue
						}
						for kx := range win.kw {
							ix := ox*win.sx - padLeft + kx
							if ix < 0 || ix >= w {
								continue
							}
							p := ((b*h+iy)*w + ix) * c
							count++
							for i, v := range x.Data[p : p+c] {
								if isMax {
									acc[i] = max(acc[i], v)
								} else {
									acc[i] += v
								}
							}
						}
					}
					if !isMax && count > 0 {
						for i := range acc {
							acc[i] /= float32(count)
						}
					}
				}
			}
		}
		return out, nil
	}, nil
}

// compileMatMul compiles MatMul and _FusedMatMul on rank-2 tensors.
func compileMatMul(d nodeDef) (kernel, error) {
	hasBias, act := false, activation{}
	if d.Op == "_FusedMatMul" {
		var err error
		if hasBias, act, err = fusedOps(d); err != nil {
			return nil, err
		}
	}
	transA, transB := attrBool(d, "transpose_a"), attrBool(d, "transpose_b")

	return func(in []*Tensor) (*Tensor, error) {
		a, b := in[0], in[1]
		if len(a.Shape) != 2 || len(b.Shape) != 2 {
			return nil, fmt.Errorf("expected two matrices, got shapes %v and %v", a.Shape, b.Shape)
		}
		if transA {
			a = transpose(a)
		}
		if transB {
			b = transpose(b)
		}
		m, k, n := a.Shape[0], a.Shape[1], b.Shape[1]
		if b.Shape[0] != k {
			return nil, fmt.Errorf("shapes %v and %v cannot be multiplied", a.Shape, b.Shape)
		}
		var bias []float32
		if hasBias {
			if len(in[2].Data) != n {
				return nil, fmt.Errorf("bias has %d values for %d columns", len(in[2].Data), n)
			}
			bias = in[2].Data
		}

		out := NewTensor(m, n)
		rows := make([][]float32, m)
		outs := make([][]float32, m)
		for i := range m {
			rows[i] = a.Data[i*k : (i+1)*k]
			outs[i] = out.Data[i*n : (i+1)*n]
		}
		matMulBias(rows, outs, b.Data, k, n, bias, act)
		return out, nil
	}, nil
}

func transpose(x *Tensor) *Tensor {
	r, c := x.Shape[0], x.Shape[1]
	out := NewTensor(c, r)
	for i := range r {
		for j := range c {
			out.Data[j*r+i] = x.Data[i*c+j]
		}
	}
	return out
}
