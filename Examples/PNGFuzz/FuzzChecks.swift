import KilnAugmentation

/// The invariants of a decoded image: the buffer matches the size, and encoding then
/// decoding gives the same pixels. A violation stops the fuzzer (a finding).
func checkDecoded(_ image: Image) {
    precondition(image.pixels.count == image.width * image.height * image.channels, "pixel buffer of the wrong size")
    guard image.width > 0, image.height > 0, let encoded = try? PNG.encode(image) else { return }
    let again = try? PNG.decode(encoded)
    precondition(again == image, "PNG round trip changed the pixels")
}
