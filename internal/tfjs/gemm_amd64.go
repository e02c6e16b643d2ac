//go:build amd64 && !purego

package tfjs

import (
	"math"
	"unsafe"
)

// The assembly kernels need AVX2 and FMA3, so other amd64 CPUs use the
// portable code.

func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

func xgetbv0() (eax uint32)

//go:noescape
func kernel6x16(a *[6]*float32, b *float32, ldb int, c *[6]*float32, k int, bias *float32, lo, hi float32)

//go:noescape
func kernel6x8(a *[6]*float32, b *float32, ldb int, c *[6]*float32, k int, bias *float32, lo, hi float32)

//go:noescape
func depthwiseTaps(x **float32, taps int, w *float32, ldw int, bias *float32, out *float32, n int, lo, hi float32)

//go:noescape
func axpy8(a float32, x, y *float32, n int)

//go:noescape
func mulAdd8(x, w, y *float32, n int)

//go:noescape
func clamp8(y *float32, n int, lo, hi float32)

var useSIMD = hasAVX2FMA()

// hasAVX2FMA reports whether the CPU has AVX2 and FMA3 and the operating
// system saves the AVX registers on context switches.
func hasAVX2FMA() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	// XCR0 bits 1 and 2: the OS saves the SSE and AVX register state.
	if xgetbv0()&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2 = 1 << 5
	return ebx7&avx2 != 0
}

// rowChunk returns how many rows of A matMulRowsSIMD processes together,
// so that they stay in the L2 cache (about 128 KB of them) while every
// column panel of B passes over them.
func rowChunk(k int) int {
	return max(6, (128<<10)/(4*k)/6*6)
}

// matMulBiasSIMD is matMulBias with the AVX2 kernels: 6 rows by 16 (or 8)
// columns of the output per call, accumulated in registers over all of k,
// then biased, clamped and stored.
func matMulBiasSIMD(rows, outs [][]float32, b []float32, k, n int, bias []float32, act activation) {
	m := len(rows)
	if len(b) < k*n || (bias != nil && len(bias) < n) {
		panic("tfjs: matrix B or the bias is shorter than its dimensions")
	}
	for r := range m {
		if len(rows[r]) < k || len(outs[r]) < n {
			panic("tfjs: matrix row shorter than its width")
		}
	}
	if bias == nil {
		bias = make([]float32, n)
	}
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	if act.clamp {
		lo, hi = act.lo, act.hi
	}

	wide := n / 16 * 16
	narrow := wide
	if n-wide >= 8 {
		narrow = wide + 8
	}
	zero := make([]float32, k)
	var scratch [6 * 16]float32
	chunk := rowChunk(k)

	for r0 := 0; r0 < m; r0 += chunk {
		r1 := min(r0+chunk, m)
		for j := 0; j < narrow; j += 16 {
			for r := r0; r < r1; r += 6 {
				var a, c [6]*float32
				for i := range 6 {
					if r+i < r1 {
						a[i] = &rows[r+i][0]
						c[i] = &outs[r+i][j]
					} else {
						a[i] = &zero[0]
						c[i] = &scratch[i*16]
					}
				}
				if j < wide {
					kernel6x16(&a, &b[j], n, &c, k, &bias[j], lo, hi)
				} else {
					kernel6x8(&a, &b[j], n, &c, k, &bias[j], lo, hi)
				}
			}
		}
	}

	if narrow < n {
		for r := range m {
			out := outs[r][narrow:n]
			copy(out, bias[narrow:n])
			for p, v := range rows[r][:k] {
				if v != 0 {
					axpy(v, b[p*n+narrow:p*n+n], out)
				}
			}
			act.apply(out)
		}
	}
}

// depthwiseSIMD computes a depthwise convolution with channel multiplier 1
// and at least 8 channels: for each output pixel, the kernel cells that
// fall inside the input point at their pixel and the others at zeros.
func depthwiseSIMD(x *Tensor, filter []float32, out *Tensor, kh, kw, sy, sx, padTop, padLeft int, bias []float32, act activation) {
	n, h, w, c := x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]
	oh, ow := out.Shape[1], out.Shape[2]
	if len(filter) < kh*kw*c || (bias != nil && len(bias) < c) || len(out.Data) < n*oh*ow*c {
		panic("tfjs: depthwise filter, bias or output shorter than its shape")
	}
	zero := make([]float32, c)
	if bias == nil {
		bias = zero
	}
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	if act.clamp {
		lo, hi = act.lo, act.hi
	}
	c8 := c &^ 7
	taps := make([]*float32, kh*kw)

	for b := range n {
		for oy := range oh {
			for ox := range ow {
				for ky := range kh {
					iy := oy*sy - padTop + ky
					for kx := range kw {
						ix := ox*sx - padLeft + kx
						if iy < 0 || iy >= h || ix < 0 || ix >= w {
							taps[ky*kw+kx] = &zero[0]
							continue
						}
						taps[ky*kw+kx] = &x.Data[((b*h+iy)*w+ix)*c]
					}
				}
				o := ((b*oh+oy)*ow + ox) * c
				depthwiseTaps(&taps[0], len(taps), &filter[0], c, &bias[0], &out.Data[o], c8, lo, hi)
				for ch := c8; ch < c; ch++ {
					acc := bias[ch]
					for t, p := range taps {
						acc += unsafe.Slice(p, c)[ch] * filter[t*c+ch]
					}
					if act.clamp {
						acc = min(max(acc, act.lo), act.hi)
					}
					out.Data[o+ch] = acc
				}
			}
		}
	}
}
