//go:build !amd64 || purego

package tfjs

// NOTE: without the assembly kernels an nsfwjs MobileNetV2 inference takes
// about 234 ms of CPU on an AMD EPYC, about four times as long as nsfwjs on
// the TensorFlow.js WASM backend; only amd64 has kernels so far.
const useSIMD = false

func matMulBiasSIMD(rows, outs [][]float32, b []float32, k, n int, bias []float32, act activation) {
	panic("tfjs: no SIMD kernels on this platform")
}

func axpy8(a float32, x, y *float32, n int) { panic("tfjs: no SIMD kernels on this platform") }

func mulAdd8(x, w, y *float32, n int) { panic("tfjs: no SIMD kernels on this platform") }

func clamp8(y *float32, n int, lo, hi float32) { panic("tfjs: no SIMD kernels on this platform") }

func depthwiseSIMD(x *Tensor, filter []float32, out *Tensor, kh, kw, sy, sx, padTop, padLeft int, bias []float32, act activation) {
	panic("tfjs: no SIMD kernels on this platform")
}
