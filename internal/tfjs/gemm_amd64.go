//go:build amd64 && !purego

package tfjs

// The assembly kernels need AVX2 and FMA3, so other amd64 CPUs use the
// portable code.

func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

func xgetbv0() (eax uint32)

//go:noescape
func kernel6x16(a *[6]*float32, b *float32, ldb int, c *[6]*float32, k int)

//go:noescape
func kernel6x8(a *[6]*float32, b *float32, ldb int, c *[6]*float32, k int)

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

// matMulRowsSIMD is matMulRows with the AVX2 kernels: 6 rows by 16 (or 8)
// columns of the output per call, accumulated in registers over all of k.
func matMulRowsSIMD(rows, outs [][]float32, b []float32, k, n int) {
	m := len(rows)
	if m == 0 || k == 0 || n == 0 {
		return
	}
	if len(b) < k*n {
		panic("tfjs: matrix B is shorter than k×n")
	}
	for r := range m {
		if len(rows[r]) < k || len(outs[r]) < n {
			panic("tfjs: matrix row shorter than its width")
		}
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
					kernel6x16(&a, &b[j], n, &c, k)
				} else {
					kernel6x8(&a, &b[j], n, &c, k)
				}
			}
		}
	}

	if narrow < n {
		for r := range m {
			out := outs[r][narrow:n]
			for p, v := range rows[r][:k] {
				if v != 0 {
					axpy(v, b[p*n+narrow:p*n+n], out)
				}
			}
		}
	}
}
