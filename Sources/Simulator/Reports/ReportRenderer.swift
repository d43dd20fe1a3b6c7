/// A run of text in a report paragraph.
enum ReportInline {
    case text(String)
    case strong(String)
    case code(String)
}

/// A table in a report: a header row, rows of already formatted cells, right-aligned numeric columns.
struct ReportTable {
    var columns: [String]
    var numeric: [Bool]
    var rows: [[String]]

    init(columns: [String], numeric: [Bool]? = nil, rows: [[String]]) {
        self.columns = columns
        self.numeric = numeric ?? columns.indices.map { $0 > 0 }
        self.rows = rows
    }
}

/// One block of a report, rendered to both Markdown and HTML so the two always say the same thing.
enum ReportBlock {
    case heading(level: Int, String)
    case paragraph([ReportInline])
    case bullets([[ReportInline]])
    case table(ReportTable)
    /// A chart of the HTML report, by id; Markdown leaves it out.
    case chart(String)
}

/// Renders report blocks as Markdown or as one self-contained HTML page.
enum ReportRenderer {
    // MARK: Markdown

    static func markdown(_ blocks: [ReportBlock]) -> String {
        var out: [String] = []
        for block in blocks {
            switch block {
            case .heading(let level, let text):
                out.append(String(repeating: "#", count: max(1, min(6, level))) + " " + mdEscapeLine(text))
            case .paragraph(let inlines):
                out.append(inlines.map(md).joined())
            case .bullets(let items):
                out.append(items.map { "- " + $0.map(md).joined() }.joined(separator: "\n"))
            case .table(let table):
                out.append(mdTable(table))
            case .chart:
                continue
            }
        }
        return out.joined(separator: "\n\n") + "\n"
    }

    private static func md(_ inline: ReportInline) -> String {
        switch inline {
        case .text(let s): return mdEscapeLine(s)
        case .strong(let s): return "**" + mdEscapeLine(s) + "**"
        case .code(let s): return "`" + s.replacingNewlines() + "`"
        }
    }

    /// Text on one line with the characters that would start Markdown syntax escaped.
    static func mdEscapeLine(_ text: String) -> String {
        let scalars = Array(text.replacingNewlines().unicodeScalars)
        var out = ""
        for (index, ch) in scalars.enumerated() {
            switch ch {
            case "\\", "`", "*", "|", "<", ">", "[", "]":
                out += "\\"
            case "_":
                // An underscore inside a word (research_agent) is never emphasis; escape only at word edges.
                let before = index > 0 ? scalars[index - 1] : " "
                let after = index + 1 < scalars.count ? scalars[index + 1] : " "
                if !(before.properties.isAlphabetic || ("0"..."9").contains(before))
                    || !(after.properties.isAlphabetic || ("0"..."9").contains(after)) {
                    out += "\\"
                }
            default:
                break
            }
            out.unicodeScalars.append(ch)
        }
        return out
    }

    private static func mdTable(_ table: ReportTable) -> String {
        var lines: [String] = []
        lines.append("| " + table.columns.map(mdEscapeLine).joined(separator: " | ") + " |")
        lines.append("|" + table.numeric.map { $0 ? "---:" : ":---" }.joined(separator: "|") + "|")
        for row in table.rows {
            lines.append("| " + row.map(mdEscapeLine).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: HTML

    static func html(_ blocks: [ReportBlock], title: String, charts: [String: String]) -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(SVGPlot.escape(title))</title>
        <style>
        :root { color-scheme: light; }
        body { margin: 0; background: #f6f6f4; color: #222; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
        main { max-width: 920px; margin: 0 auto; padding: 16px 20px 48px; background: #fff; }
        h1 { font-size: 1.6rem; margin: 0.6em 0 0.3em; }
        h2 { font-size: 1.3rem; margin: 1.6em 0 0.4em; padding-top: 0.4em; border-top: 2px solid #e6e6e6; }
        h3 { font-size: 1.05rem; margin: 1.2em 0 0.3em; }
        p, ul { margin: 0.5em 0; }
        code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f1f1ef; padding: 0.1em 0.3em; border-radius: 3px; overflow-wrap: anywhere; }
        .table-wrap { overflow-x: auto; margin: 0.5em 0 1em; }
        table { border-collapse: collapse; font-size: 0.92rem; font-variant-numeric: tabular-nums; }
        th, td { padding: 4px 8px; border-bottom: 1px solid #e3e3e3; text-align: left; white-space: nowrap; }
        th { background: #f4f4f2; font-weight: 600; white-space: normal; vertical-align: bottom; }
        td.num, th.num { text-align: right; }
        figure { margin: 1em 0 1.6em; }
        .chart-title { font-weight: 600; margin: 1em 0 0.2em; }
        figcaption { font-size: 0.9rem; color: #555; margin-top: 0.2em; }
        .chart { overflow-x: auto; }
        svg { display: block; width: 100%; height: auto; }
        /* On a phone the charts keep a legible size and scroll sideways rather than shrink to tiny text. */
        .chart svg { min-width: 480px; }
        strong.ok { color: #006b4e; }
        strong.bad { color: #b3261e; }
        </style>
        </head>
        <body>
        <main>

        """
        for block in blocks {
            switch block {
            case .heading(let level, let text):
                let l = max(1, min(6, level))
                out += "<h\(l)>\(SVGPlot.escape(text))</h\(l)>\n"
            case .paragraph(let inlines):
                out += "<p>" + inlines.map(html).joined() + "</p>\n"
            case .bullets(let items):
                out += "<ul>\n" + items.map { "<li>" + $0.map(html).joined() + "</li>\n" }.joined() + "</ul>\n"
            case .table(let table):
                out += htmlTable(table)
            case .chart(let id):
                if let chart = charts[id] { out += chart + "\n" }
            }
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    private static func html(_ inline: ReportInline) -> String {
        switch inline {
        case .text(let s): return SVGPlot.escape(s)
        case .strong(let s):
            let cls = s == "BALANCED" ? " class=\"ok\"" : (s == "BROKEN" ? " class=\"bad\"" : "")
            return "<strong\(cls)>" + SVGPlot.escape(s) + "</strong>"
        case .code(let s): return "<code>" + SVGPlot.escape(s) + "</code>"
        }
    }

    private static func htmlTable(_ table: ReportTable) -> String {
        var out = "<div class=\"table-wrap\"><table>\n<thead><tr>"
        for (index, column) in table.columns.enumerated() {
            let cls = table.numeric[index] ? " class=\"num\"" : ""
            out += "<th\(cls)>\(SVGPlot.escape(column))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            out += "<tr>"
            for (index, cell) in row.enumerated() {
                let cls = index < table.numeric.count && table.numeric[index] ? " class=\"num\"" : ""
                out += "<td\(cls)>\(SVGPlot.escape(cell))</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table></div>\n"
        return out
    }
}

extension String {
    /// The text with CR and LF replaced by spaces, for one-line contexts.
    func replacingNewlines() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : $0 }))
    }
}
