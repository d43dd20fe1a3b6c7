import Testing
@Test func placeholderMarket() { #expect(Bool(true)) }
