import Testing
@testable import HTTPKit

@Suite struct PercentDecodingTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("a+b", "a b"),
        ("%E2%82%AC", "€"),
        ("task_type%3Dverify", "task_type=verify"),
        ("%zz", "%zz"),
        ("100%", "100%"),
        ("%4", "%4"),
        ("%FF", "%FF"),
        ("a%2Bb+c", "a+b c"),
    ])
    func percentDecodingKeepsWhatIsNotAValidEscape(input: String, expected: String) {
        #expect(HTTPRequest.percentDecode(input) == expected)
    }

    @Test func targetSplitsIntoPathAndDecodedOrderedQuery() {
        let (path, query) = HTTPRequest.splitTarget("/api/workers/feed?task_type=verify&worker_type=human&budget_min=100&q=a%20b&flag")
        #expect(path == "/api/workers/feed")
        #expect(query.map(\.name) == ["task_type", "worker_type", "budget_min", "q", "flag"])
        #expect(query.map(\.value) == ["verify", "human", "100", "a b", ""])
    }
}
