/// Seeds in JSON: written as strings, because JSON numbers above 2^53 lose digits in most
/// readers (JavaScript, Python's float path); read back with a check.
extension KeyedDecodingContainer {
    func decodeSeed(forKey key: Key) throws -> UInt64 {
        guard let seed = UInt64(try decode(String.self, forKey: key)) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "seed is not an unsigned 64-bit integer")
        }
        return seed
    }
}
