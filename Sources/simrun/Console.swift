import Foundation

/// Unbuffered console output, so lines appear at once even when stdout is a pipe (logs, `make demo`).
enum Console {
    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func err(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
