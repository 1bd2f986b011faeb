/// Kept float buffers and 8-wide unaligned loads and stores: what the vector kernels of the
/// convolutions (Winograd3x3, DirectConv3x3) share.

/// Eight floats from `p` (unaligned).
@inline(__always)
func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
@inline(__always)
func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

/// Stores eight floats at `p` (unaligned).
@inline(__always)
func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self) }

/// A float buffer that grows to the largest size asked for and is kept (no per-step
/// allocation); freed with its owner. New memory is zeroed, so padding lanes that no pass
/// writes read as zeros.
final class Scratch {
    private var pointer: UnsafeMutablePointer<Float>?
    private var capacity = 0

    /// At least `count` floats.
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity || pointer == nil {
            pointer?.deallocate()
            capacity = max(count, 1)
            pointer = .allocate(capacity: capacity)
            pointer!.initialize(repeating: 0, count: capacity)
        }
        return pointer!
    }

    deinit { pointer?.deallocate() }
}
