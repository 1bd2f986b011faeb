import CBLAS

/// Whether the calling thread flushes subnormal floats to zero: results below
/// `Float.leastNormalMagnitude` (about 1.2e-38) become 0, and such inputs read as 0
/// (x86-64: MXCSR's FTZ and DAZ bits; arm64: FPCR's FZ bit).
///
/// Why: an operation on a subnormal float costs a microcode assist on x86 CPUs, about 100
/// times an ordinary one. Training makes them: Adam's second moment v decays by β₂ every
/// step, and the weights of pixels that are almost always 0 see gradients near 1e-20, so
/// some v and g² fall below 1e-38. Measured here on one core: an Adam pass over 235,000
/// parameters takes 0.22 ms with normal values and 7.6 ms when they are subnormal. The
/// ``Parallel`` workers and the trainer therefore run with subnormals flushed, as
/// TensorFlow's threads do (PyTorch offers it as `torch.set_flush_denormal(True)`).
///
/// The mode is per thread. ``Parallel/forEach(_:threads:_:)`` runs its workers in the
/// calling thread's mode, so a computation gives the same bits at any thread count in
/// either mode. Values that would be subnormal differ between the modes (0 against a
/// number below 1.2e-38), which changes results only in their last bits, if at all.
public enum FloatEnvironment {
    /// Whether the calling thread flushes subnormals to zero now.
    public static var flushesSubnormals: Bool {
        let bits = kiln_flush_denormals_bits()
        return bits != 0 && kiln_float_control() & bits == bits
    }

    /// Runs `body` with subnormals flushed to zero on the calling thread (and, through
    /// ``Parallel/forEach(_:threads:_:)``, on its workers), then restores the mode it had.
    public static func withSubnormalsFlushed<T>(_ body: () throws -> T) rethrows -> T {
        let saved = kiln_float_control()
        kiln_set_float_control(saved | kiln_flush_denormals_bits())
        defer { kiln_set_float_control(saved) }
        return try body()
    }

    /// The calling thread's control word, to hand to workers.
    static var controlWord: UInt64 { kiln_float_control() }

    /// Runs `body` with the control word `word`, then restores the thread's own.
    @inline(__always)
    static func with<T>(controlWord word: UInt64, _ body: () throws -> T) rethrows -> T {
        let saved = kiln_float_control()
        if saved == word { return try body() }
        kiln_set_float_control(word)
        defer { kiln_set_float_control(saved) }
        return try body()
    }
}
