#!/usr/bin/env python3
"""Reference pixels for OpenCVReferenceTests.swift (KilnAugmentation's conventions).

A 7x5 float32 image v(x, y) = ((3x + 5y) mod 11) / 10, then:
- warpAffine(getRotationMatrix2D(((w-1)/2, (h-1)/2), 30, 1.2), INTER_LINEAR, BORDER_CONSTANT 0)
  = Kiln "rotate(degrees=30)|scale(factor=1.2)" (one fused warp)
- resize to 4x9 (width 4, height 9), INTER_LINEAR = Kiln "resize(width=4, height=9)"
OpenCV quantizes warp coordinates to 1/32 pixel (INTER_TAB_SIZE), so tests compare with
a tolerance of 0.02. Printed as Swift array literals.
"""
import cv2, numpy as np
h, w = 5, 7
img = np.array([[((3 * x + 5 * y) % 11) / 10 for x in range(w)] for y in range(h)], np.float32)
m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), 30, 1.2)
rot = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
res = cv2.resize(img, (4, 9), interpolation=cv2.INTER_LINEAR)
fmt = lambda a: "[" + ", ".join(f"{v:.6f}" for v in a.ravel()) + "]"
print(f"// opencv {cv2.__version__}")
print("static let rotated: [Float] =", fmt(rot))
print("static let resized: [Float] =", fmt(res))
