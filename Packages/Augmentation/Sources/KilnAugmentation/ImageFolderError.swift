/// An image folder that cannot be loaded: missing root, no class folders, no images, an
/// unreadable or undecodable file (the PNG error's text, which names the file). One line.
public struct ImageFolderError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
