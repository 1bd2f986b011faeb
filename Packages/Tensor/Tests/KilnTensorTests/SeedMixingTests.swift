import KilnTensor
import Testing

/// `mixSeed` is the one seed derivation; these values were computed from its formula
/// (SplitMix64's finalizer over seed + φ·(stream + 1) + ψ·substream) outside Swift, so a
/// change to the function, which would change every saved run's randomness, fails here.
@Suite struct SeedMixingTests {
    @Test func matchesTheFormula() {
        #expect(mixSeed(42, stream: 7) == 0xCCF6_35EE_9E9E_2FA4)
        #expect(mixSeed(1, stream: 3) == 0x71C1_8690_EE42_C90B)
        #expect(mixSeed(1, stream: 3, substream: 2) == 0xB7A0_56BA_02C7_8EAB)
        #expect(mixSeed(1, stream: 3, substream: 0) == mixSeed(1, stream: 3))
    }

    @Test func streamsGiveDifferentSeeds() {
        let seeds = Set((0..<1000 as Range<UInt64>).map { mixSeed(7, stream: $0) })
        #expect(seeds.count == 1000)
        #expect(mixSeed(7, stream: 1) != mixSeed(8, stream: 1))
        #expect(mixSeed(7, stream: 1, substream: 1) != mixSeed(7, stream: 1, substream: 2))
    }
}
