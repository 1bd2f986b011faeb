#!/usr/bin/env python3
"""Side-by-side peers for `kiln-bench augment` and `kiln-bench png-decode` (one core).

Same work as the Kiln cases on the same images (the first N Fashion-MNIST test images):
- augment: random-crop(28, 28, padding=2) | random-flip | random-rotate(10) |
  random-scale(0.9, 1.1), per image, with OpenCV (pad + crop slice, cv2.flip, one
  cv2.warpAffine of getRotationMatrix2D(angle, scale), INTER_LINEAR, BORDER_CONSTANT)
  and with Pillow (ImageOps.expand + crop, transpose, rotate + affine zoom, BILINEAR).
- png-decode: the same 28x28 gray PNGs (encoded by OpenCV, default settings) decoded
  from memory with cv2.imdecode(IMREAD_UNCHANGED) and with PIL.Image.open(...).load().
Prints images/s, median of 5. Run: OMP_NUM_THREADS=1 python3 peer_bench.py
"""
import gzip, io, random, statistics, struct, time, sys
import numpy as np
import cv2
from PIL import Image, ImageOps
cv2.setNumThreads(1)

N = 10000
with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz") as f:
    _, n, rows, cols = struct.unpack(">IIII", f.read(16))
    images = np.frombuffer(f.read(), dtype=np.uint8).reshape(n, rows, cols)[:N]
floats = [im.astype(np.float32) / 255 for im in images]

def median_rate(fn, count, samples=5):
    fn()
    times = []
    for _ in range(samples):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    return count / statistics.median(times)

rng = random.Random(1)
def augment_cv2():
    for im in floats:
        p = cv2.copyMakeBorder(im, 2, 2, 2, 2, cv2.BORDER_CONSTANT, value=0)
        x, y = rng.randint(0, 4), rng.randint(0, 4)
        c = p[y:y + 28, x:x + 28]
        if rng.random() < 0.5:
            c = cv2.flip(c, 1)
        m = cv2.getRotationMatrix2D((13.5, 13.5), rng.uniform(-10, 10), rng.uniform(0.9, 1.1))
        cv2.warpAffine(c, m, (28, 28), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)

pil_images = [Image.fromarray(im) for im in floats]   # mode F
def augment_pil():
    for im in pil_images:
        p = ImageOps.expand(im, border=2, fill=0)
        x, y = rng.randint(0, 4), rng.randint(0, 4)
        c = p.crop((x, y, x + 28, y + 28))
        if rng.random() < 0.5:
            c = c.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        c = c.rotate(rng.uniform(-10, 10), resample=Image.Resampling.BILINEAR)
        s = rng.uniform(0.9, 1.1)
        cx = 13.5
        c.transform((28, 28), Image.Transform.AFFINE, (1 / s, 0, cx - cx / s, 0, 1 / s, cx - cx / s),
                    resample=Image.Resampling.BILINEAR)

pngs = [cv2.imencode(".png", im)[1].tobytes() for im in images]
def decode_cv2():
    for b in pngs:
        cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_UNCHANGED)
def decode_pil():
    for b in pngs:
        Image.open(io.BytesIO(b)).load()

print(f"python {sys.version.split()[0]}, opencv {cv2.__version__}, pillow {Image.__version__}, numpy {np.__version__}")
print(f"augment    opencv: {median_rate(augment_cv2, N):9.0f} images/s")
print(f"augment    pillow: {median_rate(augment_pil, N):9.0f} images/s")
print(f"png-decode opencv: {median_rate(decode_cv2, N):9.0f} images/s  (mean {sum(map(len, pngs)) / N:.0f} bytes)")
print(f"png-decode pillow: {median_rate(decode_pil, N):9.0f} images/s")
