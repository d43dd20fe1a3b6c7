import Testing
@Test func placeholderHTTPKit() { #expect(Bool(true)) }
