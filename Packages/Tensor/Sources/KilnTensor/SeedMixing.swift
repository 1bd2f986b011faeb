/// The one way Kiln derives a seed from another: SplitMix64's output function (Steele, Lea
/// and Flood's finalizer) applied to `seed + φ·(stream + 1) + ψ·substream`, with
/// φ = 0x9E3779B97F4A7C15 (the golden-ratio increment) and ψ = 0xD1B54A32D192ED03.
///
///     z  = seed &+ φ &* (stream &+ 1) &+ ψ &* substream
///     z  = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
///     z  = (z ^ (z >> 27)) &* 0x94D049BB133111EB
///     out = z ^ (z >> 31)
///
/// Different stream numbers give unrelated 64-bit seeds, and the same inputs give the same
/// seed on every platform, so a component that needs several independent generators (the
/// layers of a model, the epochs of a run, the trials of a search, the rows of a dropout
/// mask) names each one by its stream numbers instead of drawing from a shared generator.
/// That is what keeps results independent of thread and process counts: a seed depends on
/// *which* thing it is for, never on the order in which workers ask for it.
///
/// `mixSeed(x, stream: 0)` is exactly SplitMix64's step from state `x`
/// (``RandomGenerator`` seeds its four words with it).
@inlinable
public func mixSeed(_ seed: UInt64, stream: UInt64, substream: UInt64 = 0) -> UInt64 {
    var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1) &+ substream &* 0xD1B5_4A32_D192_ED03
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
