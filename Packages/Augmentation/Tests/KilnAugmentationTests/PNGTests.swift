import Foundation
import Testing
@testable import KilnAugmentation

@Suite struct PNGSuiteTests {
    @Test func tableIsComplete() {
        #expect(TestData.rows.count == 770)
        #expect(TestData.rows.filter(\.ok).count == 682)
    }

    /// Every file of the corpus in both formats: valid ones decode to the pixels the oracle
    /// records (CRC-32 of the buffer), broken ones throw an error naming the file, with
    /// libpng's message unless our pre-scan (chunk longer than the file, pixel limit)
    /// stopped it first.
    @Test(arguments: TestData.rows)
    func decodeMatchesOracle(row: TestData.Row) throws {
        let path = TestData.pngSuite + "/" + row.file
        let channels = row.format == "GRAY" ? 1 : 4
        if row.ok {
            let decoded = try PNG.decodeDetailed(contentsOf: path, channels: channels)
            #expect(decoded.image.channels == channels)
            #expect(crc32(decoded.image.pixels) == row.crc, "\(row)")
            #expect(decoded.warning == (row.flags == "warning" ? row.message : nil))
        } else {
            do {
                _ = try PNG.decode(contentsOf: path, channels: channels)
                Issue.record("\(row) decoded but libpng 1.6.39 fails it")
            } catch let error as PNGError {
                #expect(error.file == path)
                #expect("\(error)".hasPrefix(path + ": "))
                switch error.kind {
                case .begin, .finish: #expect(error.message == row.message, "\(row)")
                case .truncatedChunk, .pixelLimit: break
                default: Issue.record("\(row): unexpected \(error)")
                }
            }
        }
    }

    @Test func preScanStopsHugeChunksAndLargeImages() throws {
        let huge = TestData.pngSuite + "/libpng/contrib/testpngs/crashers/huge_iCCP_chunk.png"
        #expect { try PNG.decode(contentsOf: huge) } throws: { ($0 as? PNGError)?.kind == .truncatedChunk }
        let bytes = try PNG.encode(Image(width: 20, height: 10, channels: 1))
        #expect { try PNG.decode(bytes, pixelLimit: 199) } throws: { ($0 as? PNGError)?.kind == .pixelLimit }
        #expect(try PNG.decode(bytes, pixelLimit: 200).width == 20)
    }

    @Test func naturalChannels() throws {
        let dir = TestData.pngSuite + "/image-png/tests/pngsuite/"
        #expect(try PNG.decode(contentsOf: dir + "basn0g08.png").channels == 1)
        #expect(try PNG.decode(contentsOf: dir + "basn2c08.png").channels == 3)
        #expect(try PNG.decode(contentsOf: dir + "basn6a08.png").channels == 4)
        #expect(try PNG.decode(contentsOf: dir + "tbbn0g04.png").channels == 4)   // gray + tRNS
    }

    @Test func missingFileIsAnError() {
        #expect { try PNG.decode(contentsOf: "/nonexistent/x.png") } throws: { error in
            "\(error)" == "/nonexistent/x.png: no such file"
        }
    }
}

@Suite struct PNGEncodeTests {
    @Test(arguments: [1, 3, 4])
    func roundTrip(channels: Int) throws {
        let (w, h) = (13, 7)
        var pixels = [UInt8](repeating: 0, count: w * h * channels)
        for i in pixels.indices { pixels[i] = UInt8((i * 37 + 11) % 256) }
        let image = try Image(width: w, height: h, channels: channels, pixels: pixels)
        let bytes = try PNG.encode(image)
        #expect(Array(bytes.prefix(4)) == [137, 80, 78, 71])
        #expect(try PNG.decode(bytes) == image)
        #expect(try PNG.info(bytes) == PNG.Info(width: w, height: h, channels: channels, isColor: channels > 1))
    }

    @Test func writeIsAtomicAndReadable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-png-\(UInt32.random(in: 0 ... .max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let image = try Image(width: 3, height: 2, channels: 1, pixels: [0, 50, 100, 150, 200, 250])
        try PNG.write(image, to: dir + "/a.png")
        try PNG.write(image, to: dir + "/a.png")   // replaces
        #expect(try PNG.decode(contentsOf: dir + "/a.png") == image)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["a.png"])
        #expect { try PNG.write(image, to: dir + "/missing/b.png") } throws: { ($0 as? PNGError)?.kind == .file }
    }

    @Test func emptyImageIsAnError() throws {
        #expect { try PNG.encode(Image(width: 0, height: 3, channels: 1)) } throws: { $0 is PNGError }
    }

    @Test func emptyFileSaysSo() throws {
        #expect { try PNG.decode([], name: "e.png") } throws: { "\($0)".contains("e.png") && "\($0)".contains("empty file") }
    }
}
