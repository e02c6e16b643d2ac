package tfjs

import (
	"fmt"
	"slices"
	"strings"
)

// Tensor is a dense float32 tensor in row-major order.
type Tensor struct {
	Shape []int
	Data  []float32
}

// NewTensor returns a zero tensor of the given shape.
func NewTensor(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, numElements(shape))}
}

func numElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// kernel computes one node from its inputs' values.
type kernel func(in []*Tensor) (*Tensor, error)

type compiledNode struct {
	name   string
	op     string
	inputs []int
	run    kernel
	// value is set for Const nodes.
	value *Tensor
}

// Model is a loaded graph model. Run may be called from several goroutines
// at once, because it keeps no state between calls.
type Model struct {
	nodes []compiledNode
	index map[string]int
	// lastUse[i] is the position in nodes after which node i's value is
	// no longer needed, so Run can release it.
	lastUse []int
}

// Inputs returns the names of the graph's Placeholder nodes.
func (m *Model) Inputs() []string {
	var names []string
	for _, n := range m.nodes {
		if n.op == "Placeholder" {
			names = append(names, n.name)
		}
	}
	return names
}

// newModel resolves the inputs of every node, orders the nodes so each
// follows its inputs and compiles a kernel per node.
func newModel(mf modelFile, weights map[string]*Tensor) (*Model, error) {
	if mf.Format != "" && mf.Format != "graph-model" {
		return nil, fmt.Errorf("format %q is not a graph model", mf.Format)
	}
	defs := mf.ModelTopology.Node
	if len(defs) == 0 {
		return nil, fmt.Errorf("the topology has no nodes")
	}
	byName := make(map[string]int, len(defs))
	for i, d := range defs {
		if _, dup := byName[d.Name]; dup {
			return nil, fmt.Errorf("node name %q appears twice", d.Name)
		}
		byName[d.Name] = i
	}

	order, deps, err := topoSort(defs, byName)
	if err != nil {
		return nil, err
	}

	m := &Model{index: make(map[string]int, len(defs))}
	for _, i := range order {
		d := defs[i]
		cn := compiledNode{name: d.Name, op: d.Op}
		for _, dep := range deps[i] {
			cn.inputs = append(cn.inputs, m.index[defs[dep].Name])
		}
		if d.Op == "Const" {
			w, ok := weights[d.Name]
			if !ok {
				return nil, fmt.Errorf("const node %s has no weights in the manifest", d.Name)
			}
			cn.value = w
		} else if d.Op != "Placeholder" {
			run, err := compile(d)
			if err != nil {
				return nil, err
			}
			cn.run = run
		}
		m.index[d.Name] = len(m.nodes)
		m.nodes = append(m.nodes, cn)
	}

	m.lastUse = make([]int, len(m.nodes))
	for i := range m.lastUse {
		m.lastUse[i] = -1
	}
	for pos, n := range m.nodes {
		for _, in := range n.inputs {
			m.lastUse[in] = pos
		}
	}
	return m, nil
}

// topoSort returns the node indices in an order where every node follows
// its data inputs, and each node's data inputs. Control inputs ("^name")
// carry no data and are dropped.
func topoSort(defs []nodeDef, byName map[string]int) ([]int, [][]int, error) {
	deps := make([][]int, len(defs))
	for i, d := range defs {
		for _, in := range d.Input {
			if strings.HasPrefix(in, "^") {
				continue
			}
			name, port, found := strings.Cut(in, ":")
			if found && port != "0" {
				return nil, nil, fmt.Errorf("node %s: input %q: only the first output of a node is supported", d.Name, in)
			}
			j, ok := byName[name]
			if !ok {
				return nil, nil, fmt.Errorf("node %s: input %q is not a node of the graph", d.Name, in)
			}
			deps[i] = append(deps[i], j)
		}
	}

	const (
		unvisited = iota
		visiting
		done
	)
	state := make([]int, len(defs))
	order := make([]int, 0, len(defs))
	// An explicit stack keeps deep graphs from exhausting the goroutine
	// stack.
	type frame struct{ node, next int }
	for root := range defs {
		if state[root] != unvisited {
			continue
		}
		stack := []frame{{node: root}}
		state[root] = visiting
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next < len(deps[top.node]) {
				dep := deps[top.node][top.next]
				top.next++
				switch state[dep] {
				case visiting:
					return nil, nil, fmt.Errorf("node %s is part of a cycle", defs[dep].Name)
				case unvisited:
					state[dep] = visiting
					stack = append(stack, frame{node: dep})
				}
				continue
			}
			state[top.node] = done
			order = append(order, top.node)
			stack = stack[:len(stack)-1]
		}
	}
	return order, deps, nil
}

// Run feeds the inputs to their Placeholder nodes and returns the value of
// the output node. Every Placeholder the output depends on needs a value.
func (m *Model) Run(inputs map[string]*Tensor, output string) (*Tensor, error) {
	target, ok := m.index[strings.TrimSuffix(output, ":0")]
	if !ok {
		return nil, fmt.Errorf("running graph: output %q is not a node of the graph", output)
	}

	needed := make([]bool, target+1)
	needed[target] = true
	for pos := target; pos >= 0; pos-- {
		if needed[pos] {
			for _, in := range m.nodes[pos].inputs {
				needed[in] = true
			}
		}
	}

	values := make([]*Tensor, target+1)
	args := make([]*Tensor, 0, 4)
	for pos := 0; pos <= target; pos++ {
		if !needed[pos] {
			continue
		}
		n := &m.nodes[pos]
		switch {
		case n.value != nil:
			values[pos] = n.value
		case n.op == "Placeholder":
			in, ok := inputs[n.name]
			if !ok || in == nil {
				return nil, fmt.Errorf("running graph: no value for input %s", n.name)
			}
			if len(in.Data) != numElements(in.Shape) {
				return nil, fmt.Errorf("running graph: input %s has %d values for shape %v", n.name, len(in.Data), in.Shape)
			}
			values[pos] = in
		default:
			args = args[:0]
			for _, in := range n.inputs {
				args = append(args, values[in])
			}
			out, err := n.run(args)
			if err != nil {
				return nil, fmt.Errorf("running node %s (%s): %w", n.name, n.op, err)
			}
			values[pos] = out
		}
		for _, in := range n.inputs {
			if m.lastUse[in] == pos && in != target {
				values[in] = nil
			}
		}
	}
	return values[target], nil
}

// compile returns the kernel of a non-Const, non-Placeholder node, or an
// error naming what is not supported.
func compile(d nodeDef) (kernel, error) {
	var (
		run kernel
		err error
	)
	switch d.Op {
	case "Identity":
		run = identity
	case "Add", "AddV2", "BiasAdd":
		run = elementwise(d.Op, func(a, b float32) float32 { return a + b })
	case "Sub":
		run = elementwise(d.Op, func(a, b float32) float32 { return a - b })
	case "Mul":
		run = elementwise(d.Op, func(a, b float32) float32 { return a * b })
	case "Relu", "Relu6":
		act, _ := activationOf(d.Op)
		run = unary(act)
	case "Conv2D", "_FusedConv2D":
		run, err = compileConv2D(d)
	case "DepthwiseConv2dNative", "FusedDepthwiseConv2dNative":
		run, err = compileDepthwise(d)
	case "AvgPool", "MaxPool":
		run, err = compilePool(d)
	case "Squeeze":
		run, err = compileSqueeze(d)
	case "MatMul", "_FusedMatMul":
		run, err = compileMatMul(d)
	case "Softmax":
		run = softmax
	default:
		return nil, fmt.Errorf("node %s: operation %s is %w", d.Name, d.Op, errUnsupported)
	}
	if err != nil {
		return nil, fmt.Errorf("node %s (%s): %w", d.Name, d.Op, err)
	}

	want := map[string]int{"Identity": 1, "Relu": 1, "Relu6": 1, "Softmax": 1, "AvgPool": 1, "MaxPool": 1, "Squeeze": 1}
	if n, ok := want[d.Op]; ok {
		run = checkArity(n, run)
	}
	return run, nil
}

func checkArity(n int, run kernel) kernel {
	return func(in []*Tensor) (*Tensor, error) {
		if len(in) != n {
			return nil, fmt.Errorf("expected %d inputs, got %d", n, len(in))
		}
		return run(in)
	}
}

func identity(in []*Tensor) (*Tensor, error) {
	return in[0], nil
}

// sameShape reports whether two shapes are equal.
func sameShape(a, b []int) bool {
	return slices.Equal(a, b)
}
