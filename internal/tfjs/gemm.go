package tfjs

// axpy adds a*x to y. x is at least as long as y.
func axpy(a float32, x, y []float32) {
	x = x[:len(y)]
	i := 0
	if useSIMD && len(y) >= 8 {
		i = len(y) &^ 7
		axpy8(a, &x[0], &y[0], i)
	}
	for ; i+8 <= len(y); i += 8 {
		xs := x[i : i+8 : i+8]
		ys := y[i : i+8 : i+8]
		ys[0] += a * xs[0]
		ys[1] += a * xs[1]
		ys[2] += a * xs[2]
		ys[3] += a * xs[3]
		ys[4] += a * xs[4]
		ys[5] += a * xs[5]
		ys[6] += a * xs[6]
		ys[7] += a * xs[7]
	}
	for ; i < len(y); i++ {
		y[i] += a * x[i]
	}
}

// mulAdd adds x*w elementwise to y. x and w are at least as long as y.
func mulAdd(x, w, y []float32) {
	x = x[:len(y)]
	w = w[:len(y)]
	i := 0
	if useSIMD && len(y) >= 8 {
		i = len(y) &^ 7
		mulAdd8(&x[0], &w[0], &y[0], i)
	}
	for ; i < len(y); i++ {
		y[i] += x[i] * w[i]
	}
}

// colBlock is the number of output columns matMulRowsGeneric computes per
// pass, so that the four output rows of a pass stay in the L1 cache.
const colBlock = 256

// matMulBias sets outs[r] to act(rows[r] × b + bias) for every r, where each
// row has k values, b is a row-major k×n matrix and each output row has n
// values. bias has n values, or is nil for none. On amd64 CPUs with AVX2
// and FMA3 it runs assembly kernels.
func matMulBias(rows, outs [][]float32, b []float32, k, n int, bias []float32, act activation) {
	if len(rows) == 0 || n == 0 {
		return
	}
	if useSIMD && k > 0 && n >= 8 {
		matMulBiasSIMD(rows, outs, b, k, n, bias, act)
		return
	}
	matMulBiasGeneric(rows, outs, b, k, n, bias, act)
}

// matMulBiasGeneric is matMulBias in portable Go.
func matMulBiasGeneric(rows, outs [][]float32, b []float32, k, n int, bias []float32, act activation) {
	for r := range outs {
		if bias != nil {
			copy(outs[r][:n], bias)
		} else {
			clear(outs[r][:n])
		}
	}
	matMulRowsGeneric(rows, outs, b, k, n)
	for r := range outs {
		act.apply(outs[r][:n])
	}
}

// matMulRowsGeneric adds rows[r] × b to outs[r] for every r in portable
// Go. It computes four rows together, so each value of b loaded from
// memory serves four products.
func matMulRowsGeneric(rows, outs [][]float32, b []float32, k, n int) {
	r := 0
	for ; r+4 <= len(rows); r += 4 {
		a0, a1, a2, a3 := rows[r][:k], rows[r+1][:k], rows[r+2][:k], rows[r+3][:k]
		for j0 := 0; j0 < n; j0 += colBlock {
			j1 := min(j0+colBlock, n)
			o0, o1, o2, o3 := outs[r][j0:j1], outs[r+1][j0:j1], outs[r+2][j0:j1], outs[r+3][j0:j1]
			for p := range k {
				v0, v1, v2, v3 := a0[p], a1[p], a2[p], a3[p]
				if v0 == 0 && v1 == 0 && v2 == 0 && v3 == 0 {
					continue
				}
				brow := b[p*n+j0 : p*n+j1]
				axpy4(v0, v1, v2, v3, brow, o0, o1, o2, o3)
			}
		}
	}
	for ; r < len(rows); r++ {
		for p, v := range rows[r][:k] {
			if v != 0 {
				axpy(v, b[p*n:(p+1)*n], outs[r][:n])
			}
		}
	}
}

// axpy4 adds v0*x to y0, v1*x to y1, v2*x to y2 and v3*x to y3.
func axpy4(v0, v1, v2, v3 float32, x, y0, y1, y2, y3 []float32) {
	n := len(x)
	y0, y1, y2, y3 = y0[:n], y1[:n], y2[:n], y3[:n]
	for i, xv := range x {
		y0[i] += v0 * xv
		y1[i] += v1 * xv
		y2[i] += v2 * xv
		y3[i] += v3 * xv
	}
}
