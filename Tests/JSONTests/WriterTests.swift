import Testing
import JSON

@Test func writerEmitsKeysInCallerOrderWithCommasAndColons() {
    var w = JSONWriter()
    w.beginObject()
    w.key("id"); w.int(42)
    w.key("tags"); w.beginArray(); w.string("a"); w.string("b"); w.endArray()
    w.field("price", 1.5)
    w.field("count", 3)
    w.field("big", Int64.min)
    w.field("ok", true)
    w.field("note", "say \"hi\"\n")
    w.field("none", .null)
    w.key("empty"); w.beginObject(); w.endObject()
    w.key("list"); w.beginArray(); w.beginObject(); w.endObject(); w.beginArray(); w.endArray(); w.null(); w.endArray()
    w.endObject()
    #expect(w.isComplete)
    #expect(w.text == #"{"id":42,"tags":["a","b"],"price":1.5,"count":3,"big":-9223372036854775808,"ok":true,"note":"say \"hi\"\n","none":null,"empty":{},"list":[{},[],null]}"#)
}

@Test func writerClosureHelpersNestContainers() throws {
    var w = JSONWriter(capacity: 64)
    w.object { o in
        o.field("b", 2)
        o.key("items")
        o.array { a in
            for i in 0..<3 {
                a.object { item in item.field("i", i) }
            }
        }
        o.field("nested", ["z": 1, "a": [true]] as JSONValue)
        o.key("d"); o.double(.infinity)
    }
    #expect(w.text == #"{"b":2,"items":[{"i":0},{"i":1},{"i":2}],"nested":{"a":[true],"z":1},"d":null}"#)
    let parsed = try JSONValue.parse(w.bytes)
    #expect(parsed["items"]?[2]?["i"] == 2)
}

@Test func writerOutputEqualsValueSerializationForSortedKeys() throws {
    var random = RandomJSON(rng: SplitMix64(seed: 11))
    for _ in 0..<300 {
        let value = random.value(depth: 0)
        var w = JSONWriter()
        write(value, to: &w)
        #expect(w.bytes == value.serialized())
        var whole = JSONWriter()
        whole.value(value)
        #expect(whole.bytes == value.serialized())
    }
}

/// Writes `value` through the primitive writer calls, keys sorted like the serializer.
private func write(_ value: JSONValue, to w: inout JSONWriter) {
    switch value {
    case .null: w.null()
    case .bool(let b): w.bool(b)
    case .int(let i): w.int(i)
    case .double(let d): w.double(d)
    case .string(let s): w.string(s)
    case .array(let items):
        w.beginArray()
        for item in items { write(item, to: &w) }
        w.endArray()
    case .object(let object):
        w.beginObject()
        let keys = object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for key in keys {
            w.key(key)
            if let member = object[key] { write(member, to: &w) }
        }
        w.endObject()
    }
}

@Test func writerResetKeepsNothingButCapacity() {
    var w = JSONWriter()
    w.array { a in a.int(1) }
    #expect(w.text == "[1]")
    w.reset()
    #expect(w.bytes.isEmpty)
    #expect(!w.isComplete)
    w.string("x")
    #expect(w.text == #""x""#)
    #expect(w.isComplete)
}
