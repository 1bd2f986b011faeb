import Testing
@testable import KilnAugmentation

/// Kiln's warps against OpenCV's (values from Benchmarks/opencv_reference.py,
/// opencv 5.0.0). OpenCV quantizes warp coordinates to 1/32 pixel, hence the tolerance.
@Suite struct OpenCVReferenceTests {
    static let rotated: [Float] = [0.153460, 0.518591, 0.743897, 0.409598, 0.753152, 0.563353, 0.503172, 0.381801, 0.338073, 0.291506, 0.436596, 0.224519, 0.313836, 0.400606, 0.625481, 0.356748, 0.375160, 0.800000, 0.303423, 0.549679, 0.563341, 0.644303, 0.291786, 0.611004, 0.572761, 0.360684, 0.769217, 0.410434, 0.883033, 0.540704, 0.817468, 0.681927, 0.613716, 0.638675, 0.225251]
    static let resized: [Float] = [0.112500, 0.637500, 0.200000, 0.587500, 0.279167, 0.437500, 0.320833, 0.525000, 0.556944, 0.104167, 0.522222, 0.420833, 0.651389, 0.259722, 0.356944, 0.438889, 0.700000, 0.537500, 0.100000, 0.487500, 0.595833, 0.738889, 0.301389, 0.383333, 0.522222, 0.848611, 0.518056, 0.309722, 0.570833, 0.591667, 0.795833, 0.358333, 0.600000, 0.437500, 0.962500, 0.387500]

    let image = grayImage(7, 5) { x, y in Float((3 * x + 5 * y) % 11) / 10 }

    @Test func rotationAndZoomMatchWarpAffine() throws {
        let out = try TransformPipeline("rotate(degrees=30)|scale(factor=1.2)").apply(image)
        #expect(out.pixels.count == Self.rotated.count)
        for (a, b) in zip(out.pixels, Self.rotated) { #expect(abs(a - b) < 0.02, "kiln \(a), opencv \(b)") }
    }

    @Test func resizeMatchesInterLinear() throws {
        let out = try TransformPipeline("resize(width=4, height=9)").apply(image)
        #expect(out.width == 4 && out.height == 9)
        for (a, b) in zip(out.pixels, Self.resized) { #expect(abs(a - b) < 1e-5, "kiln \(a), opencv \(b)") }
    }
}
