#!/usr/bin/env python3
"""Reference values for the first three steps of every built-in optimizer.

Independent float64 NumPy implementations of the update rules as documented by
torch.optim (SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW, NAdam, Adamax) and the course
notes (momentum: v = mu*v + lr*g, theta -= v). Each configuration starts at THETA0 and
takes three steps on the gradient g(theta) = C*theta + D (elementwise), so the gradients
depend on the path. Writes the Swift table the tests compare with:

    python3 Reference/reference.py > Tests/KilnOptimizersTests/ReferenceValues.swift

The Swift test runs the same specs in Float32 and compares with a relative tolerance.
"""
import math
import re
import sys
import platform

import numpy as np

THETA0 = np.array([1.0, -2.0, 0.5, 3.0])
C = np.array([0.5, 2.0, 1.0, 0.1])
D = np.array([0.1, -0.3, 0.0, 0.2])
STEPS = 3

CONFIGS = [
    "sgd(lr=0.1)",
    "sgd(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)",
    "sgd(lr=0.1, momentum=0.9, nesterov=true)",
    "momentum(lr=0.1)",
    "momentum(lr=0.1, momentum=0.5, weight_decay=0.1)",
    "nesterov(lr=0.1)",
    "adagrad(lr=0.1)",
    "adagrad(lr=0.1, initial_accumulator=0.1, lr_decay=0.01, weight_decay=0.1)",
    "adadelta",
    "adadelta(lr=0.5, rho=0.95, weight_decay=0.1)",
    "rmsprop(lr=0.01)",
    "rmsprop(lr=0.01, momentum=0.5)",
    "rmsprop(lr=0.01, centered=true)",
    "rmsprop(lr=0.01, alpha=0.99, momentum=0.9, centered=true, weight_decay=0.1)",
    "adam(lr=0.1)",
    "adam(lr=0.1, amsgrad=true, weight_decay=0.1)",
    "adamw(lr=0.1)",
    "adamw(lr=0.1, amsgrad=true, weight_decay=0.5)",
    "nadam(lr=0.1)",
    "nadam(lr=0.1, momentum_decay=0.01, weight_decay=0.1)",
    "adamax(lr=0.1)",
    "adamax(lr=0.1, beta2=0.9, weight_decay=0.1)",
    # Large epsilons: where epsilon sits (inside or outside the root) changes these visibly.
    "adagrad(lr=0.1, eps=0.1)",
    "adadelta(eps=0.1)",
    "rmsprop(lr=0.01, eps=0.1)",
    "rmsprop(lr=0.01, eps=0.1, centered=true)",
    "adam(lr=0.1, eps=0.1)",
    "nadam(lr=0.1, eps=0.1)",
    "adamax(lr=0.1, eps=0.1)",
]

DEFAULTS = {
    "sgd": dict(lr=0.01, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0),
    "momentum": dict(lr=0.01, momentum=0.9, weight_decay=0.0),
    "nesterov": dict(lr=0.01, momentum=0.9, weight_decay=0.0),
    "adagrad": dict(lr=0.01, eps=1e-6, initial_accumulator=0.0, lr_decay=0.0, weight_decay=0.0),
    "adadelta": dict(lr=1.0, rho=0.9, eps=1e-5, weight_decay=0.0),
    "rmsprop": dict(lr=0.001, alpha=0.9, eps=1e-8, momentum=0.0, centered=False, weight_decay=0.0),
    "adam": dict(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False, weight_decay=0.0),
    "adamw": dict(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False, weight_decay=0.01),
    "nadam": dict(lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8, momentum_decay=0.004, weight_decay=0.0),
    "adamax": dict(lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0),
}


def parse(spec):
    m = re.fullmatch(r"([a-z-]+)(?:\((.*)\))?", spec)
    name, args = m.group(1), m.group(2)
    h = dict(DEFAULTS[name])
    if args:
        for part in args.split(","):
            k, v = (s.strip() for s in part.split("="))
            h[k] = {"true": True, "false": False}.get(v, None)
            if h[k] is None:
                h[k] = float(v)
    return name, h


def run(spec):
    name, h = parse(spec)
    theta = THETA0.copy()
    zeros = lambda: np.zeros_like(theta)
    s = {}
    out = []
    for t in range(1, STEPS + 1):
        g = C * theta + D
        lr, wd = h["lr"], h["weight_decay"]
        if name != "adamw":
            g = g + wd * theta
        if name == "sgd":
            mu, tau = h["momentum"], h["dampening"]
            if mu != 0:
                s["b"] = g.copy() if t == 1 else mu * s["b"] + (1 - tau) * g
                g = g + mu * s["b"] if h["nesterov"] else s["b"]
            theta = theta - lr * g
        elif name == "momentum":
            s["v"] = h["momentum"] * s.get("v", zeros()) + lr * g
            theta = theta - s["v"]
        elif name == "nesterov":
            mu = h["momentum"]
            s["b"] = mu * s.get("b", zeros()) + g
            theta = theta - lr * (g + mu * s["b"])
        elif name == "adagrad":
            clr = lr / (1 + (t - 1) * h["lr_decay"])
            s["sum"] = s.get("sum", np.full_like(theta, h["initial_accumulator"])) + g * g
            theta = theta - clr * g / (np.sqrt(s["sum"]) + h["eps"])
        elif name == "adadelta":
            rho, eps = h["rho"], h["eps"]
            s["sq"] = rho * s.get("sq", zeros()) + (1 - rho) * g * g
            delta = np.sqrt(s.get("acc", zeros()) + eps) / np.sqrt(s["sq"] + eps) * g
            s["acc"] = rho * s.get("acc", zeros()) + (1 - rho) * delta * delta
            theta = theta - lr * delta
        elif name == "rmsprop":
            a, eps, mu = h["alpha"], h["eps"], h["momentum"]
            s["sq"] = a * s.get("sq", zeros()) + (1 - a) * g * g
            if h["centered"]:
                s["ga"] = a * s.get("ga", zeros()) + (1 - a) * g
                avg = np.sqrt(s["sq"] - s["ga"] ** 2) + eps
            else:
                avg = np.sqrt(s["sq"]) + eps
            if mu > 0:
                s["b"] = mu * s.get("b", zeros()) + g / avg
                theta = theta - lr * s["b"]
            else:
                theta = theta - lr * g / avg
        elif name in ("adam", "adamw"):
            b1, b2, eps = h["beta1"], h["beta2"], h["eps"]
            if name == "adamw":
                theta = theta * (1 - lr * wd)
            s["m"] = b1 * s.get("m", zeros()) + (1 - b1) * g
            s["v"] = b2 * s.get("v", zeros()) + (1 - b2) * g * g
            v = s["v"]
            if h["amsgrad"]:
                s["vmax"] = np.maximum(s.get("vmax", zeros()), s["v"])
                v = s["vmax"]
            denom = np.sqrt(v) / math.sqrt(1 - b2 ** t) + eps
            theta = theta - lr / (1 - b1 ** t) * s["m"] / denom
        elif name == "nadam":
            b1, b2, eps, psi = h["beta1"], h["beta2"], h["eps"], h["momentum_decay"]
            mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
            mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
            s["prod"] = s.get("prod", 1.0) * mu
            s["m"] = b1 * s.get("m", zeros()) + (1 - b1) * g
            s["v"] = b2 * s.get("v", zeros()) + (1 - b2) * g * g
            denom = np.sqrt(s["v"] / (1 - b2 ** t)) + eps
            theta = theta - lr * (1 - mu) / (1 - s["prod"]) * g / denom
            theta = theta - lr * mu_next / (1 - s["prod"] * mu_next) * s["m"] / denom
        elif name == "adamax":
            b1, b2, eps = h["beta1"], h["beta2"], h["eps"]
            s["m"] = b1 * s.get("m", zeros()) + (1 - b1) * g
            s["u"] = np.maximum(b2 * s.get("u", zeros()), np.abs(g) + eps)
            theta = theta - lr / (1 - b1 ** t) * s["m"] / s["u"]
        out.append(theta.copy())
    return out


def main():
    w = sys.stdout.write
    w("// Generated by Packages/Optimizers/Reference/reference.py; do not edit.\n")
    w(f"// Python {platform.python_version()}, NumPy {np.__version__}, float64.\n")
    w("// theta0 = %s, gradient = C*theta + D with C = %s, D = %s.\n\n" % ([float(x) for x in THETA0], [float(x) for x in C], [float(x) for x in D]))
    w("let referenceStart: [Float] = [%s]\n" % ", ".join(repr(float(x)) for x in THETA0))
    w("let referenceC: [Float] = [%s]\n" % ", ".join(repr(float(x)) for x in C))
    w("let referenceD: [Float] = [%s]\n\n" % ", ".join(repr(float(x)) for x in D))
    w("/// (spec, values after steps 1, 2, 3)\n")
    w("let referenceSteps: [(spec: String, steps: [[Double]])] = [\n")
    for spec in CONFIGS:
        steps = run(spec)
        w(f'    ("{spec}", [\n')
        for theta in steps:
            w("        [%s],\n" % ", ".join(repr(float(x)) for x in theta))
        w("    ]),\n")
    w("]\n")


if __name__ == "__main__":
    main()
