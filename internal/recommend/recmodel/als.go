package recmodel

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// factors is a trained implicit-ALS model: a row of k float32 per user and
// per item; a row of zeros for those unseen at training.
type factors struct {
	k      int
	x, y   []float32 // users, items: row-major, k per row
	nU, nI int
	gram   []float64 // YᵀY, for folding in new shoppers
}

// user returns user's factor row, nil when unknown.
func (f *factors) user(u uint32) []float32 {
	if f == nil || int(u) >= f.nU {
		return nil
	}
	r := f.x[int(u)*f.k : int(u+1)*f.k]
	for _, v := range r {
		if v != 0 {
			return r
		}
	}
	return nil
}

// score is the predicted preference of the user whose row is xu for item.
func (f *factors) score(xu []float32, item uint32) float32 {
	if int(item) >= f.nI {
		return 0
	}
	y := f.y[int(item)*f.k : int(item+1)*f.k]
	var s float32
	for i, v := range xu {
		s += v * y[i]
	}
	return s
}

// csr is a sparse matrix by rows: row r's columns are idx[ptr[r]:ptr[r+1]].
type csr struct {
	ptr []int
	idx []uint32
	val []float32
}

// train fits the factors: Hu, Koren and Volinsky's implicit ALS. A pair
// (u, i) of summed weight w has preference p = 1 if w > 0 else 0 and
// confidence c = 1 + alpha*|w| (so a returned item is a confident 0); every
// other pair has p = 0, c = 1. Each half-sweep solves, per row,
// (YᵀY + Yᵤᵀ(Cᵤ-I)Yᵤ + λI) xᵤ = YᵤᵀCᵤp(u) with YᵀY computed once per
// half-sweep, so a row costs O(nᵤk² + k³) (a Cholesky solve by LAPACK).
func (m *Model) train(ctx context.Context) error {
	m.mu.RLock()
	if m.version == m.trained {
		m.mu.RUnlock()
		return ctx.Err()
	}
	ver := m.version
	byUser := csr{ptr: make([]int, len(m.users)+1)}
	for u, s := range m.users {
		if s != nil {
			for _, w := range s.w {
				if w.W != 0 {
					byUser.idx = append(byUser.idx, w.Item)
					byUser.val = append(byUser.val, w.W)
				}
			}
		}
		byUser.ptr[u+1] = len(byUser.idx)
	}
	nI := len(m.products)
	old := m.fac
	m.mu.RUnlock()

	o := m.opts
	k := o.Factors
	nU := len(byUser.ptr) - 1
	byItem := transpose(byUser, nI)
	f := &factors{k: k, nU: nU, nI: nI, x: make([]float32, nU*k), y: make([]float32, nI*k)}
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	for i := range f.y {
		f.y[i] = float32(rng.NormFloat64() * 0.1)
	}
	if old != nil && old.k == k { // warm start from the last factors
		copy(f.y, old.y)
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	for it := 0; it < o.Iterations; it++ {
		if err := solve(ctx, f.x, f.y, byUser, k, o.Alpha, o.Lambda, workers); err != nil {
			return err
		}
		if err := solve(ctx, f.y, f.x, byItem, k, o.Alpha, o.Lambda, workers); err != nil {
			return err
		}
	}
	f.gram = gramian(f.y, k, workers)
	m.mu.Lock()
	m.fac, m.trained = f, ver
	m.mu.Unlock()
	return nil
}

// transpose turns a by-user matrix into a by-item one of n rows.
func transpose(a csr, n int) csr {
	t := csr{ptr: make([]int, n+1), idx: make([]uint32, len(a.idx)), val: make([]float32, len(a.val))}
	for _, i := range a.idx {
		t.ptr[i+1]++
	}
	for i := 1; i <= n; i++ {
		t.ptr[i] += t.ptr[i-1]
	}
	next := append([]int(nil), t.ptr[:n]...)
	for r := 0; r+1 < len(a.ptr); r++ {
		for j := a.ptr[r]; j < a.ptr[r+1]; j++ {
			c := a.idx[j]
			t.idx[next[c]] = uint32(r)
			t.val[next[c]] = a.val[j]
			next[c]++
		}
	}
	return t
}

// solve sets every row of dst (row r has the columns of a's row r in src)
// to its least-squares solution given src, in parallel.
func solve(ctx context.Context, dst, src []float32, a csr, k int, alpha, lambda float64, workers int) error {
	gram := gramian(src, k, workers)
	rows := len(a.ptr) - 1
	const chunk = 256
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Bool
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			A := make([]float64, k*k)
			b := make([]float64, k)
			for ctx.Err() == nil && !failed.Load() {
				lo := int(next.Add(chunk)) - chunk
				if lo >= rows {
					return
				}
				for r := lo; r < min(lo+chunk, rows); r++ {
					out := dst[r*k : (r+1)*k]
					if a.ptr[r] == a.ptr[r+1] {
						clear(out)
						continue
					}
					if !solveRow(A, b, gram, src, a.idx[a.ptr[r]:a.ptr[r+1]], a.val[a.ptr[r]:a.ptr[r+1]], k, alpha, lambda) {
						failed.Store(true)
						return
					}
					for p := range out {
						out[p] = float32(b[p])
					}
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() {
		return fmt.Errorf("recmodel: train: a normal matrix is not positive definite")
	}
	return ctx.Err()
}

// solveRow solves one row's normal equations into b, given the Gramian of
// src and the row's columns idx of weights val; A is k×k scratch. It
// reports false when the matrix is not positive definite.
func solveRow(A, b, gram []float64, src []float32, idx []uint32, val []float32, k int, alpha, lambda float64) bool {
	copy(A, gram)
	clear(b)
	for j, i := range idx {
		w := float64(val[j])
		c := 1 + alpha*math.Abs(w)
		y := src[int(i)*k : int(i+1)*k]
		for p := 0; p < k; p++ {
			yp := (c - 1) * float64(y[p])
			row := A[p*k:]
			for q := p; q < k; q++ {
				row[q] += yp * float64(y[q])
			}
			if w > 0 {
				b[p] += c * float64(y[p])
			}
		}
	}
	for p := 0; p < k; p++ {
		A[p*k+p] += lambda
	}
	t, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: k, Stride: k, Data: A})
	if !ok {
		return false
	}
	substitute(t.Data, b, k)
	return true
}

// foldIn returns the factor row of a shopper the factors do not know (new
// since the last Train), solved from its weights against the trained item
// factors: one ALS half-step, O(nk² + k³). Nil when none of its items
// were trained.
func (f *factors) foldIn(ws []itemWeight, alpha, lambda float64) []float32 {
	if f == nil || f.gram == nil {
		return nil
	}
	idx := make([]uint32, 0, len(ws))
	val := make([]float32, 0, len(ws))
	pos := false
	for _, w := range ws {
		if int(w.Item) < f.nI && w.W != 0 {
			idx = append(idx, w.Item)
			val = append(val, w.W)
			pos = pos || w.W > 0
		}
	}
	if !pos {
		return nil
	}
	A, b := make([]float64, f.k*f.k), make([]float64, f.k)
	if !solveRow(A, b, f.gram, f.y, idx, val, f.k, alpha, lambda) {
		return nil
	}
	out := make([]float32, f.k)
	for i, v := range b {
		out[i] = float32(v)
	}
	return out
}

// substitute solves UᵀUx = b in place for the upper-triangular Cholesky
// factor u (k×k, row-major): forward then back substitution, cheaper for
// one vector than a general triangular solve.
func substitute(u, b []float64, k int) {
	for i := 0; i < k; i++ {
		s := b[i]
		for j := 0; j < i; j++ {
			s -= u[j*k+i] * b[j]
		}
		b[i] = s / u[i*k+i]
	}
	for i := k - 1; i >= 0; i-- {
		s := b[i]
		row := u[i*k:]
		for j := i + 1; j < k; j++ {
			s -= row[j] * b[j]
		}
		b[i] = s / row[i]
	}
}

// gramian returns SᵀS (upper triangle, k×k, row-major) for the rows of s.
func gramian(s []float32, k, workers int) []float64 {
	rows := len(s) / k
	parts := make([][]float64, workers)
	var wg sync.WaitGroup
	for w := range parts {
		parts[w] = make([]float64, k*k)
		wg.Add(1)
		go func(g []float64, lo, hi int) {
			defer wg.Done()
			for r := lo; r < hi; r++ {
				y := s[r*k : (r+1)*k]
				for p := 0; p < k; p++ {
					yp := float64(y[p])
					if yp == 0 {
						continue
					}
					row := g[p*k:]
					for q := p; q < k; q++ {
						row[q] += yp * float64(y[q])
					}
				}
			}
		}(parts[w], rows*w/workers, rows*(w+1)/workers)
	}
	wg.Wait()
	for _, p := range parts[1:] {
		for i, v := range p {
			parts[0][i] += v
		}
	}
	return parts[0]
}
