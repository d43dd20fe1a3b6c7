/// Writes RFC 4180 CSV rows into a `BufferedFileWriter`, one field at a time.
///
/// Rules: fields are separated by `,` and rows end with `\n`; a field containing `,`, `"`, CR or LF is
/// wrapped in double quotes with its quotes doubled; integers print as integers; doubles with a fixed number
/// of decimals (`ReportFormat.fixed`); booleans as `true`/`false`; nil (and non-finite doubles) as an empty
/// field.
public struct CSVWriter {
    /// The file the rows go to.
    public let output: BufferedFileWriter
    private var atRowStart = true

    /// Writes rows to `output`.
    public init(output: BufferedFileWriter) {
        self.output = output
    }

    /// `field` as it appears in a CSV file: quoted (quotes doubled) only when it contains `,`, `"`, CR or LF.
    public static func escape(_ field: String) -> String {
        guard needsQuoting(field) else { return field }
        var quoted = "\""
        for ch in field.unicodeScalars {
            if ch == "\"" { quoted.unicodeScalars.append(ch) }
            quoted.unicodeScalars.append(ch)
        }
        quoted += "\""
        return quoted
    }

    static func needsQuoting(_ field: String) -> Bool {
        field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
    }

    /// Writes a header row from column names.
    public mutating func header(_ columns: [String]) {
        for column in columns { field(column) }
        endRow()
    }

    /// A text field, quoted when needed.
    public mutating func field(_ value: String) {
        separate()
        if CSVWriter.needsQuoting(value) {
            output.write(byte: UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") { output.write(byte: byte) }
                output.write(byte: byte)
            }
            output.write(byte: UInt8(ascii: "\""))
        } else {
            output.write(value)
        }
    }

    /// An optional text field; nil is empty.
    public mutating func field(_ value: String?) {
        if let value { field(value) } else { empty() }
    }

    /// An integer field.
    public mutating func field(_ value: Int64) {
        separate()
        output.write(int: value)
    }

    /// An optional integer field; nil is empty.
    public mutating func field(_ value: Int64?) {
        if let value { field(value) } else { empty() }
    }

    /// An integer field.
    public mutating func field(_ value: Int) {
        field(Int64(value))
    }

    /// A boolean field: `true` or `false`; nil is empty.
    public mutating func field(_ value: Bool?) {
        separate()
        if let value { output.write(value ? "true" : "false") }
    }

    /// A double with `places` decimals (6 by default); nil and non-finite values are empty.
    public mutating func field(_ value: Double?, places: Int = 6) {
        separate()
        if let value { output.write(ReportFormat.fixed(value, places: places)) }
    }

    /// An empty field.
    public mutating func empty() {
        separate()
    }

    /// Ends the row.
    public mutating func endRow() {
        output.write(byte: 0x0A)
        atRowStart = true
    }

    private mutating func separate() {
        if atRowStart {
            atRowStart = false
        } else {
            output.write(byte: UInt8(ascii: ","))
        }
    }
}
