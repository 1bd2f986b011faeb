#!/usr/bin/env bash
# Models in and out of Kiln, checked against the real libraries: a Python venv (made here,
# in .build/interop-venv) with numpy, safetensors, onnx and onnxruntime from PyPI. Called
# by scripts/test.sh after the Swift tests; needs the release build of the examples.
#
#   scripts/test-interop.sh [BIN]     BIN: the release bin folder (default: swift's)
#
# 1. export-onnx: the graphs of a CNN (conv, batchnorm, pooling, flatten, dense, layernorm,
#    leaky-relu, dropout) and of an MLP (sigmoid, tanh, elu, softmax) pass onnx.checker
#    (full check) and onnxruntime gives kiln-model predict's probabilities within 1e-4.
# 2. export-torch: the state_dict opens with safetensors (keys, dtypes, shapes as
#    PyTorch's), a NumPy forward pass of the MLP from it gives Kiln's probabilities, and
#    import-torch of it gives the same predictions as the original model.
# 3. import-torch of a state_dict written by NumPy as PyTorch would (random weights,
#    BatchNorm statistics, num_batches_tracked) predicts like a NumPy forward pass.
# 4. Kiln's own model files open with safetensors; broken state_dicts are errors naming the key.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=${1:-$(swift build -c release --show-bin-path)}
bin=$(cd "$bin" && pwd)

venv=$root/.build/interop-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import numpy, safetensors, onnx, onnxruntime" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check numpy safetensors onnx onnxruntime
fi
py=$venv/bin/python

work=$(mktemp -d /tmp/kiln-interop.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

failures=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1" >&2; failures=$((failures + 1)); }

cnn="conv(4, kernel=3, padding=1)|batchnorm|relu|maxpool(2)|flatten|dense(16)|layernorm|leaky-relu(slope=0.1)|dropout(0.1)|dense(10)"
mlp="dense(24)|sigmoid|dense(16)|tanh|batchnorm|dense(12)|elu(alpha=0.5)|dense(10)|softmax"
"$bin/mnist-classifier" --limit 3000 --epochs 1 --model "$cnn" --save cnn.safetensors > /dev/null
# A residual network: nested blocks, a projection shortcut, bias=false, global average pooling.
res="conv(4, kernel=3, padding=1, bias=false)|batchnorm|relu|residual(conv(4, kernel=3, padding=1)|batchnorm|relu|conv(4, kernel=3, padding=1, bias=false)|batchnorm)|relu|residual(conv(8, kernel=3, stride=2, padding=1)|relu, shortcut=conv(8, kernel=1, stride=2, bias=false)|batchnorm)|global-avgpool|dense(10, bias=false)"
"$bin/mnist-classifier" --limit 3000 --epochs 1 --model "$mlp" --save mlp.safetensors > /dev/null
"$bin/mnist-classifier" --limit 3000 --epochs 1 --model "$res" --save res.safetensors > /dev/null
for m in cnn mlp res; do
    "$bin/kiln-model" predict $m.safetensors --data fashion-mnist --out $m.csv > /dev/null
    "$bin/kiln-model" export-onnx $m.safetensors $m.onnx > /dev/null
    "$bin/kiln-model" export-onnx $m.safetensors $m-softmax.onnx --softmax > /dev/null
done

cat > check.py <<'PY'
import csv, gzip, json, sys
import numpy as np

def test_images():
    data = gzip.decompress(open('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz', 'rb').read())
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255

def kiln_probabilities(path):
    rows = list(csv.reader(open(path)))
    assert rows[0][:3] == ['index', 'label', 'predicted'], rows[0]
    return np.array([[float(v) for v in r[3:]] for r in rows[1:]])

def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)

def check(name, ok, detail=''):
    print(('ok   ' if ok else 'FAIL ') + name + (' (' + detail + ')' if detail else ''))
    if not ok:
        sys.exit(1)

what = sys.argv[1]
if what == 'onnx':
    import onnx, onnxruntime as ort
    path, csv_path, applies_softmax = sys.argv[2], sys.argv[3], sys.argv[4] == 'softmax'
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    dims = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    check(path + ': batch dimension symbolic', model.graph.input[0].type.tensor_type.shape.dim[0].dim_param == 'N')
    check(path + ': opset >= 13', max(o.version for o in model.opset_import) >= 13)
    x = test_images().reshape([-1] + dims[1:])
    out = ort.InferenceSession(path).run(None, {'input': x})[0]
    p = out if applies_softmax else softmax(out.astype(np.float64))
    diff = float(np.abs(p - kiln_probabilities(csv_path)).max())
    check(path + ': onnx.checker passes; onnxruntime gives Kiln\'s probabilities within 1e-4', diff < 1e-4, 'max difference %.2g' % diff)
elif what == 'torch-export':
    from safetensors.numpy import load_file
    state = load_file(sys.argv[2])
    expected = {'0.weight': (24, 784), '0.bias': (24,), '2.weight': (16, 24), '2.bias': (16,), '4.weight': (16,), '4.bias': (16,),
                '4.running_mean': (16,), '4.running_var': (16,), '4.num_batches_tracked': (), '5.weight': (12, 16), '5.bias': (12,),
                '7.weight': (10, 12), '7.bias': (10,)}
    check('export-torch: the keys and shapes of PyTorch\'s nn.Sequential state_dict',
          {k: v.shape for k, v in state.items()} == expected, str(sorted(state)))
    check('export-torch: float32 tensors, num_batches_tracked int64',
          all(v.dtype == (np.int64 if k.endswith('num_batches_tracked') else np.float32) for k, v in state.items()))
    s = state
    h = test_images() @ s['0.weight'].T + s['0.bias']; h = 1 / (1 + np.exp(-h))
    h = np.tanh(h @ s['2.weight'].T + s['2.bias'])
    h = (h - s['4.running_mean']) / np.sqrt(s['4.running_var'] + 1e-5) * s['4.weight'] + s['4.bias']
    h = h @ s['5.weight'].T + s['5.bias']; h = np.where(h > 0, h, 0.5 * (np.exp(h) - 1))
    h = softmax(h @ s['7.weight'].T + s['7.bias'])
    p = softmax(h)   # Kiln's predict applies softmax to the model's output (its last layer is a softmax here)
    diff = float(np.abs(p - kiln_probabilities(sys.argv[3])).max())
    check('export-torch: a NumPy forward pass of the state_dict gives Kiln\'s probabilities', diff < 1e-4, 'max difference %.2g' % diff)
    kiln = load_file(sys.argv[4])
    check('a Kiln model file opens with safetensors', '0.dense.weight' in ''.join(kiln.keys()) and kiln['model/0.dense.weight'].shape == (784, 24))
elif what == 'torch-write':
    from safetensors.numpy import save_file
    rng = np.random.default_rng(7)
    state = {
        '0.weight': rng.normal(0, 0.05, (32, 784)).astype(np.float32), '0.bias': rng.normal(0, 0.1, 32).astype(np.float32),
        '1.weight': rng.uniform(0.5, 1.5, 32).astype(np.float32), '1.bias': rng.normal(0, 0.1, 32).astype(np.float32),
        '1.running_mean': rng.normal(0, 0.2, 32).astype(np.float32), '1.running_var': rng.uniform(0.5, 2, 32).astype(np.float32),
        '1.num_batches_tracked': np.array(1234, dtype=np.int64),
        '3.weight': rng.normal(0, 0.2, (10, 32)).astype(np.float32), '3.bias': rng.normal(0, 0.1, 10).astype(np.float32),
    }
    save_file(state, sys.argv[2], metadata={'format': 'pt'})
    broken = dict(state); del broken['3.bias']; save_file(broken, sys.argv[3])
    extra = dict(state); extra['4.weight'] = np.zeros((2, 2), np.float32); save_file(extra, sys.argv[4])
    shaped = dict(state); shaped['0.weight'] = np.zeros((784, 32), np.float32); save_file(shaped, sys.argv[5])
    s = state
    h = test_images() @ s['0.weight'].T + s['0.bias']
    h = (h - s['1.running_mean']) / np.sqrt(s['1.running_var'] + 1e-5) * s['1.weight'] + s['1.bias']
    h = np.maximum(h, 0) @ s['3.weight'].T + s['3.bias']
    np.save(sys.argv[6], softmax(h.astype(np.float64)))
elif what == 'torch-compare':
    p = np.load(sys.argv[2])
    diff = float(np.abs(p - kiln_probabilities(sys.argv[3])).max())
    check('import-torch: a NumPy-written PyTorch state_dict predicts like its NumPy forward pass', diff < 1e-4, 'max difference %.2g' % diff)
PY

for m in cnn mlp res; do
    "$py" check.py onnx $m.onnx $m.csv logits || fail "$m.onnx"
    "$py" check.py onnx $m-softmax.onnx $m.csv softmax || fail "$m-softmax.onnx"
done

"$bin/kiln-model" export-torch mlp.safetensors mlp-torch.safetensors --code mlp.py > /dev/null
grep -q "nn.BatchNorm1d(16" mlp.py && grep -q "nn.ELU(alpha=0.5)" mlp.py && pass "export-torch: the nn.Sequential code" || fail "export-torch code: $(cat mlp.py)"
"$py" check.py torch-export mlp-torch.safetensors mlp.csv mlp.safetensors || fail "export-torch state_dict"
"$bin/kiln-model" import-torch mlp-torch.safetensors --model "$mlp" --input-shape 784 --out mlp-back.safetensors > /dev/null
"$bin/kiln-model" predict mlp-back.safetensors --data fashion-mnist --out mlp-back.csv > /dev/null
cmp -s mlp.csv mlp-back.csv && pass "export-torch then import-torch: the same predictions" || fail "import-torch of an exported state_dict predicts differently"

"$py" check.py torch-write torch.safetensors missing.safetensors extra.safetensors shaped.safetensors reference.npy
spec="dense(32)|batchnorm|relu|dense(10)"
"$bin/kiln-model" import-torch torch.safetensors --model "$spec" --input-shape 784 --class-names "a,b,c,d,e,f,g,h,i,j" --out imported.safetensors > /dev/null
"$bin/kiln-model" predict imported.safetensors --data fashion-mnist --out imported.csv > /dev/null
"$py" check.py torch-compare reference.npy imported.csv || fail "import-torch"
for case in "missing 3.bias" "extra 4.weight" "shaped 0.weight"; do
    set -- $case
    status=0
    "$bin/kiln-model" import-torch $1.safetensors --model "$spec" --input-shape 784 --out bad.safetensors > out.txt 2> err.txt || status=$?
    if [ "$status" = 1 ] && grep -q "$2" err.txt && [ "$(wc -l < err.txt)" = 1 ] && [ ! -e bad.safetensors ]; then
        pass "import-torch of a state_dict with a $1 tensor: exit 1, one line naming $2, no file"
    else
        fail "import-torch $1: exit $status, $(cat err.txt)"
    fi
done

if [ "$failures" -gt 0 ]; then
    echo "test-interop: $failures check(s) failed" >&2
    exit 1
fi
echo "test-interop: all checks passed"
