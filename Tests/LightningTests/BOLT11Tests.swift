import Testing
@testable import Lightning

/// Invoices from BOLT #11 (lightning/bolts `11-payment-encoding.md`, "Examples" and "Examples of Invalid Invoices").
enum SpecInvoice {
    static let donation = "lnbc1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq9qrsgq357wnc5r2ueh7ck6q93dj32dlqnls087fxdwk8qakdyafkq3yap9us6v52vjjsrvywa6rt52cm9r9zqt8r2t7mlcwspyetp5h2tztugp9lfyql"
    static let coffee = "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fkpmdla2087ne0xh8nhedh8w27kyke0lp53ut353s06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh"
    static let nonsense = "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpu9qrsgqhtjpauu9ur7fw2thcl4y9vfvh4m9wlfyz2gem29g5ghe2aak2pm3ps8fdhtceqsaagty2vph7utlgj48u0ged6a337aewvraedendscp573dxr"
    static let hashed = "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqs9qrsgq7ea976txfraylvgzuxs8kgcw23ezlrszfnh8r6qtfpr6cxga50aj6txm9rxrydzd06dfeawfk6swupvz4erwnyutnjq7x39ymw6j38gp7ynn44"
    static let testnetP2PKH = "lntb20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygshp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfpp3x9et2e20v6pu37c5d9vax37wxq72un989qrsgqdj545axuxtnfemtpwkc45hx9d2ft7x04mt8q7y6t0k2dge9e7h8kpy9p34ytyslj3yu569aalz2xdk8xkd7ltxqld94u8h2esmsmacgpghe9k8"
    static let mainnetRoute = "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqsfpp3qjmp7lwpagxun9pygexvgpjdc4jdj85fr9yq20q82gphp2nflc7jtzrcazrra7wwgzxqc8u7754cdlpfrmccae92qgzqvzq2ps8pqqqqqqpqqqqq9qqqvpeuqafqxu92d8lr6fvg0r5gv0heeeqgcrqlnm6jhphu9y00rrhy4grqszsvpcgpy9qqqqqqgqqqqq7qqzq9qrsgqdfjcdk6w3ak5pca9hwfwfh63zrrz06wwfya0ydlzpgzxkn5xagsqz7x9j4jwe7yj7vaf2k9lqsdk45kts2fd0fkr28am0u4w95tt2nsq76cqw0"
    static let p2sh = "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygshp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfppj3a24vwu6r8ejrss3axul8rxldph2q7z99qrsgqz6qsgww34xlatfj6e3sngrwfy3ytkt29d2qttr8qz2mnedfqysuqypgqex4haa2h8fx3wnypranf3pdwyluftwe680jjcfp438u82xqphf75ym"
    static let p2wpkh = "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygshp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfppqw508d6qejxtdg4y5r3zarvary0c5xw7k9qrsgqt29a0wturnys2hhxpner2e3plp6jyj8qx7548zr2z7ptgjjc7hljm98xhjym0dg52sdrvqamxdezkmqg4gdrvwwnf0kv2jdfnl4xatsqmrnsse"
    static let p2wsh = "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygshp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfp4qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q9qrsgq9vlvyj8cqvq6ggvpwd53jncp9nwc47xlrsnenq2zp70fq83qlgesn4u3uyf4tesfkkwwfg3qs54qe426hp3tz7z6sweqdjg05axsrjqp9yrrwc"
    static let p2tr = "lnbc20m1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqsfp4pptdvg0d2nj99568qn6ssdy4cygnwuxgw2ukmnwgwz7jpqjz2kszs9qrsgqy606dznq28exnydt2r4c29y56xjtn3sk4mhgjtl4pg2y4ar3249rq4ajlmj9jy8zvlzw7cr8mggqzm842xfr0v72rswzq9xvr4hknfsqwmn6xd"
    static let pico = "lnbc9678785340p1pwmna7lpp5gc3xfm08u9qy06djf8dfflhugl6p7lgza6dsjxq454gxhj9t7a0sd8dgfkx7cmtwd68yetpd5s9xar0wfjn5gpc8qhrsdfq24f5ggrxdaezqsnvda3kkum5wfjkzmfqf3jkgem9wgsyuctwdus9xgrcyqcjcgpzgfskx6eqf9hzqnteypzxz7fzypfhg6trddjhygrcyqezcgpzfysywmm5ypxxjemgw3hxjmn8yptk7untd9hxwg3q2d6xjcmtv4ezq7pqxgsxzmnyyqcjqmt0wfjjq6t5v4khxsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygsxqyjw5qcqp2rzjq0gxwkzc8w6323m55m4jyxcjwmy7stt9hwkwe2qxmy8zpsgg7jcuwz87fcqqeuqqqyqqqqlgqqqqn3qq9q9qrsgqrvgkpnmps664wgkp43l22qsgdw4ve24aca4nymnxddlnp8vh9v2sdxlu5ywdxefsfvm0fq3sesf08uf6q9a2ke0hc9j6z6wlxg5z5kqpu2v9wz"
    static let features = "lnbc25m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5vdhkven9v5sxyetpdeessp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q5sqqqqqqqqqqqqqqqqsgq2a25dxl5hrntdtn6zvydt7d66hyzsyhqs4wdynavys42xgl6sgx9c4g7me86a27t07mdtfry458rtjr0v92cnmswpsjscgt2vcse3sgpz3uapa"
    static let featuresUpper = "LNBC25M1PVJLUEZPP5QQQSYQCYQ5RQWZQFQQQSYQCYQ5RQWZQFQQQSYQCYQ5RQWZQFQYPQDQ5VDHKVEN9V5SXYETPDEESSP5ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYGS9Q5SQQQQQQQQQQQQQQQQSGQ2A25DXL5HRNTDTN6ZVYDT7D66HYZSYHQS4WDYNAVYS42XGL6SGX9C4G7ME86A27T07MDTFRY458RTJR0V92CNMSWPSJSCGT2VCSE3SGPZ3UAPA"
    static let ignoredFields = "lnbc25m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5vdhkven9v5sxyetpdeessp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q5sqqqqqqqqqqqqqqqqsgq2qrqqqfppnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqppnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqpp4qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhpnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhp4qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqspnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqsp4qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnp5qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnpkqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqz599y53s3ujmcfjp5xrdap68qxymkqphwsexhmhr8wdz5usdzkzrse33chw6dlp3jhuhge9ley7j2ayx36kawe7kmgg8sv5ugdyusdcqzn8z9x"
    static let metadata = "lnbc10m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdp9wpshjmt9de6zqmt9w3skgct5vysxjmnnd9jx2mq8q8a04uqsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q2gqqqqqqsgq7hf8he7ecf7n4ffphs6awl9t6676rrclv9ckg3d3ncn7fct63p6s365duk5wrk202cfy3aj5xnnp5gs3vrdvruverwwq7yzhkf5a3xqpd05wjc"
    static let highS = "lnbc1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq9qrsgq357wnc5r2ueh7ck6q93dj32dlqnls087fxdwk8qakdyafkq3yap2r09nt4ndd0unm3z9u5t48y6ucv4r5sg7lk98c77ctvjczkspk5qprc90gx"
    static let invalidFeature100 = "lnbc25m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5vdhkven9v5sxyetpdeessp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q4psqqqqqqqqqqqqqqqqsgqtqyx5vggfcsll4wu246hz02kp85x4katwsk9639we5n5yngc3yhqkm35jnjw4len8vrnqnf5ejh0mzj9n3vz2px97evektfm2l6wqccp3y7372"
    static let invalidChecksum = "lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrnt"
    static let invalidNoSeparator = "pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrny"
    static let invalidMixedCase = "LNBC2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrny"
    static let invalidNotRecoverable = "lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpusp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9qrsgqwgt7mcn5yqw3yx0w94pswkpq6j9uh6xfqqqtsk4tnarugeektd4hg5975x9am52rz4qskukxdmjemg92vvqz8nvmsye63r5ykel43pgz7zq0g2"
    static let invalidTooShort = "lnbc1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6na6hlh"
    static let invalidMultiplier = "lnbc2500x1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpusp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9qrsgqrrzc4cvfue4zp3hggxp47ag7xnrlr8vgcmkjxk3j5jqethnumgkpqp23z9jclu3v0a7e0aruz366e9wqdykw6dxhdzcjjhldxq0w6wgqcnu43j"
    static let invalidSubMsat = "lnbc2500000001p1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpusp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9qrsgq0lzc236j96a95uv0m3umg28gclm5lqxtqqwk32uuk4k6673k6n5kfvx3d2h8s295fad45fdhmusm8sjudfhlf6dcsxmfvkeywmjdkxcp99202x"
    static let invalidMissingS = "lnbc20m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqs9qrsgq7ea976txfraylvgzuxs8kgcw23ezlrszfnh8r6qtfpr6cxga50aj6txm9rxrydzd06dfeawfk6swupvz4erwnyutnjq7x39ymw6j38gp49qdkj"
    static let invalidHighSWithN = "lnbc25m1p70xwfzpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaqnp4q0n326hr8v9zprg8gsvezcch06gfaqqhde2aj730yg0durunfhv66sp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9qrsgqsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygsp5cfzp9ugllvk03rltd6hvndxj26ux6gcxc5azyxk060rj9tzghct5zvjlps76gx8wpq5yuu79688k8gnm2c0al6v608s96l0xzrrlqqwnzxmu"
}

/// Field values used throughout the spec examples.
enum Spec {
    static let key = "e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734"
    static let payee = "03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad"
    static let timestamp: UInt64 = 1_496_314_658
    static let paymentHash = hex("0001020304050607080900010203040506070809000102030405060708090102")
    static let secret = [UInt8](repeating: 0x11, count: 32)
    static let descriptionHash = hex("3925b6f67e2c340036ed12093dd44e0368df1b6ea26c53dbe4811f58fd5db8c1")
    static let features = Bolt11Features(bits: [8, 14])

    static func hex(_ s: String) -> [UInt8] { Hex.decode(s) ?? [] }

    static func signingKey() throws -> NodeKey { try NodeKey(secretKey: hex(key)) }

    static func mainnet(_ amount: Int64?, _ fields: [Bolt11Field], network: Bolt11Network = .bitcoin,
                        timestamp: UInt64 = Spec.timestamp) -> Bolt11Invoice {
        Bolt11Invoice(network: network, amount: amount.map(MilliSats.init(rawValue:)), timestamp: timestamp, fields: fields)
    }

    static let sat: Int64 = 1000
    static let btc: Int64 = 100_000_000 * sat

    /// Each valid example's text with the invoice the spec describes (fields in invoice order).
    static let valid: [(name: String, text: String, invoice: Bolt11Invoice)] = [
        ("donation of any amount", SpecInvoice.donation, mainnet(nil, [
            .paymentSecret(secret), .paymentHash(paymentHash),
            .description("Please consider supporting this project"), .features(features)])),
        ("$3 for a cup of coffee within one minute", SpecInvoice.coffee, mainnet(btc * 25 / 10_000, [
            .paymentSecret(secret), .paymentHash(paymentHash), .description("1 cup coffee"), .expiry(60), .features(features)])),
        ("a cup of nonsense (UTF-8 description)", SpecInvoice.nonsense, mainnet(btc * 25 / 10_000, [
            .paymentSecret(secret), .paymentHash(paymentHash), .description("ナンセンス 1杯"), .expiry(60), .features(features)])),
        ("hashed description", SpecInvoice.hashed, mainnet(btc / 50, [
            .paymentSecret(secret), .paymentHash(paymentHash), .descriptionHash(descriptionHash), .features(features)])),
        ("testnet with P2PKH fallback", SpecInvoice.testnetP2PKH, mainnet(btc / 50, [
            .paymentSecret(secret), .descriptionHash(descriptionHash), .paymentHash(paymentHash),
            .fallback(Bolt11Fallback(version: 17, program: hex("3172b5654f6683c8fb146959d347ce303cae4ca7"))),
            .features(features)], network: .testnet)),
        ("P2PKH fallback and two-hop route hint", SpecInvoice.mainnetRoute, mainnet(btc / 50, [
            .paymentSecret(secret), .paymentHash(paymentHash), .descriptionHash(descriptionHash),
            .fallback(Bolt11Fallback(version: 17, program: hex("04b61f7dc1ea0dc99424464cc4064dc564d91e89"))),
            .routeHint([
                Bolt11RouteHop(publicKey: hex("029e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255"),
                               shortChannelID: 0x0102_0304_0506_0708, feeBaseMsat: 1, feeProportionalMillionths: 20, cltvExpiryDelta: 3),
                Bolt11RouteHop(publicKey: hex("039e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255"),
                               shortChannelID: 0x0304_0506_0708_090a, feeBaseMsat: 2, feeProportionalMillionths: 30, cltvExpiryDelta: 4),
            ]),
            .features(features)])),
        ("P2SH fallback", SpecInvoice.p2sh, mainnet(btc / 50, [
            .paymentSecret(secret), .descriptionHash(descriptionHash), .paymentHash(paymentHash),
            .fallback(Bolt11Fallback(version: 18, program: hex("8f55563b9a19f321c211e9b9f38cdf686ea07845"))),
            .features(features)])),
        ("P2WPKH fallback", SpecInvoice.p2wpkh, mainnet(btc / 50, [
            .paymentSecret(secret), .descriptionHash(descriptionHash), .paymentHash(paymentHash),
            .fallback(Bolt11Fallback(version: 0, program: hex("751e76e8199196d454941c45d1b3a323f1433bd6"))),
            .features(features)])),
        ("P2WSH fallback", SpecInvoice.p2wsh, mainnet(btc / 50, [
            .paymentSecret(secret), .descriptionHash(descriptionHash), .paymentHash(paymentHash),
            .fallback(Bolt11Fallback(version: 0, program: hex("1863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"))),
            .features(features)])),
        ("P2TR fallback", SpecInvoice.p2tr, mainnet(btc / 50, [
            .paymentSecret(secret), .paymentHash(paymentHash), .descriptionHash(descriptionHash),
            .fallback(Bolt11Fallback(version: 1, program: hex("0adac43daa9c8a5a68e09ea10692b82226ee190e572db9b90e17a410484ab405"))),
            .features(features)])),
        ("pico-BTC amount, expiry one week, c=10, route hint", SpecInvoice.pico, mainnet(967_878_534, [
            .paymentHash(hex("462264ede7e14047e9b249da94fefc47f41f7d02ee9b091815a5506bc8abf75f")),
            .description("Blockstream Store: 88.85 USD for Blockstream Ledger Nano S x 1, \"Back In My Day\" Sticker x 2, \"I Got Lightning Working\" Sticker x 2 and 1 more items"),
            .paymentSecret(secret), .expiry(604_800), .minFinalCLTVExpiry(10),
            .routeHint([Bolt11RouteHop(publicKey: hex("03d06758583bb5154774a6eb221b1276c9e82d65bbaceca806d90e20c108f4b1c7"),
                                       shortChannelID: 589_390 << 40 | 3312 << 16 | 1, feeBaseMsat: 1000,
                                       feeProportionalMillionths: 2500, cltvExpiryDelta: 40)]),
            .features(features)], timestamp: 1_572_468_703)),
        ("features 8, 14 and 99", SpecInvoice.features, mainnet(btc / 40, [
            .paymentHash(paymentHash), .description("coffee beans"), .paymentSecret(secret),
            .features(Bolt11Features(bits: [8, 14, 99]))])),
        ("payment metadata", SpecInvoice.metadata, mainnet(btc / 100, [
            .paymentHash(paymentHash), .description("payment metadata inside"), .metadata(hex("01fafaf0")),
            .paymentSecret(secret), .features(Bolt11Features(bits: [8, 14, 48]))])),
    ]

    /// The "fields which must be ignored" example, its skipped fields kept raw.
    static let ignoredFieldsInvoice = mainnet(btc / 40, [
        .paymentHash(paymentHash), .description("coffee beans"), .paymentSecret(secret),
        .features(Bolt11Features(bits: [8, 14, 99])),
        .unknown(tag: 10, words: zeros(3)),
        .unknown(tag: 9, words: [19] + zeros(32)),
        .unknown(tag: 1, words: zeros(51)), .unknown(tag: 1, words: zeros(53)),
        .unknown(tag: 23, words: zeros(51)), .unknown(tag: 23, words: zeros(53)),
        .unknown(tag: 16, words: zeros(51)), .unknown(tag: 16, words: zeros(53)),
        .unknown(tag: 19, words: zeros(52)), .unknown(tag: 19, words: zeros(54)),
    ])

    static func zeros(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: n) }
}

// MARK: - Spec examples

@Test(arguments: Spec.valid.map { ($0.name, $0.text) })
func encoderReproducesSpecExampleByteForByte(name: String, text: String) throws {
    let expected = try #require(Spec.valid.first { $0.name == name }).invoice
    let encoded = try Bolt11.encode(expected, signingKey: Spec.signingKey())
    #expect(encoded == text, "\(name)")
}

@Test(arguments: Spec.valid.map { ($0.name, $0.text) })
func decoderReadsSpecExampleFields(name: String, text: String) throws {
    let expected = try #require(Spec.valid.first { $0.name == name }).invoice
    let decoded = try Bolt11.decode(text)
    #expect(decoded.unsigned == expected, "\(name)")
    #expect(decoded.payeePublicKey.map { Hex.encode($0) } == Spec.payee, "\(name)")
    #expect(decoded.signingHash?.count == 32)
}

@Test func upperCaseSpecExampleDecodesLikeLowerCase() throws {
    let upper = try Bolt11.decode(SpecInvoice.featuresUpper)
    let lower = try Bolt11.decode(SpecInvoice.features)
    #expect(upper == lower)
    #expect(try Bolt11.encode(upper.unsigned, signingKey: Spec.signingKey()) == SpecInvoice.featuresUpper.lowercased())
}

@Test func lightningURIPrefixIsAccepted() throws {
    let plain = try Bolt11.decode(SpecInvoice.coffee)
    #expect(try Bolt11.decode("lightning:" + SpecInvoice.coffee) == plain)
    #expect(try Bolt11.decode("LIGHTNING:" + SpecInvoice.featuresUpper) == Bolt11.decode(SpecInvoice.features))
}

@Test func highSSignatureIsAcceptedThroughPublicKeyRecovery() throws {
    // The reader must accept a high-S signature when there is no n field (recovery, not verify).
    let decoded = try Bolt11.decode(SpecInvoice.highS)
    let sig = try #require(decoded.signature)
    #expect(Hex.encode(sig.signature64.suffix(32)) == "a1bcb35d66d6bf93dc445e51753935cc32a3a411efd8a7c7bd85b25815a01b50")
    #expect(sig.recoveryID == 1)
    // Same fields as the donation example; our signer produces the low-S form, which is that example.
    #expect(decoded.unsigned == Spec.valid[0].invoice)
    #expect(try Bolt11.encode(decoded.unsigned, signingKey: Spec.signingKey()) == SpecInvoice.donation)
    // The vector negates S but keeps the low-S recovery id (1), so honest recovery with the transmitted id
    // yields a different key; the spec key comes back with the flipped id (0), as negating S requires.
    #expect(decoded.payeePublicKey.map { Hex.encode($0) } == "02d0139ce7427d6dfffd26a326c18be754ef1e64672b42694ba5b23ef6e6e7803d")
    #expect(NodeKey.recoverPublicKey(signature64: sig.signature64, recoveryID: 0, messageHash32: sig.signingHash)
        .map { Hex.encode($0) } == Spec.payee)
}

@Test func signingHashMatchesSpecBreakdown() throws {
    let decoded = try Bolt11.decode(SpecInvoice.donation)
    #expect(decoded.signingHash.map { Hex.encode($0) } == "6daf4d488be41ce7cbb487cab1ef2975e5efcea879b20d421f0ef86b07cbb987")
    #expect(decoded.signature.map { Hex.encode($0.signature64) }
        == "8d3ce9e28357337f62da0162d9454df827f83cfe499aeb1c1db349d4d81127425e434ca29929406c23bba1ae8ac6ca32880b38d4bf6ff874024cac34ba9625f1")
    let coffee = try Bolt11.decode(SpecInvoice.coffee)
    #expect(coffee.signingHash.map { Hex.encode($0) } == "047e24bf270b25d42a56d57b2578faa3a10684641bab817c2851a871cb41dbc0")
}

@Test func wrongLengthFixedFieldsAreRejectedByDefault() {
    // The current spec text: "MUST fail the payment if any field with fixed data_length (p, h, s, n) does not have the correct length".
    #expect(throws: Bolt11Error.invalidFieldLength(tag: "p", length: 51)) { try Bolt11.decode(SpecInvoice.ignoredFields) }
}

@Test func wrongLengthFixedFieldsAreSkippedInLegacyModeAndReencodeLosslessly() throws {
    let decoded = try Bolt11.decode(SpecInvoice.ignoredFields, skippingWrongLengthFields: true)
    #expect(decoded.unsigned == Spec.ignoredFieldsInvoice)
    #expect(decoded.paymentHash == Spec.paymentHash)
    #expect(decoded.fallbacks.isEmpty)
    #expect(decoded.payeeNodeKey == nil)
    #expect(try Bolt11.encode(Spec.ignoredFieldsInvoice, signingKey: Spec.signingKey()) == SpecInvoice.ignoredFields)
}

@Test func decodedFieldAccessorsAndDefaults() throws {
    let coffee = try Bolt11.decode(SpecInvoice.coffee)
    #expect(coffee.amount == MilliSats(250_000_000))
    #expect(coffee.expiry == 60)
    #expect(coffee.expiresAt == Spec.timestamp + 60)
    #expect(coffee.minFinalCLTVExpiry == 18)
    #expect(coffee.isExpired(at: Spec.timestamp + 61))
    #expect(!coffee.isExpired(at: Spec.timestamp + 60))
    let donation = try Bolt11.decode(SpecInvoice.donation)
    #expect(donation.amount == nil)
    #expect(donation.expiry == 3600)
    let pico = try Bolt11.decode(SpecInvoice.pico)
    #expect(pico.minFinalCLTVExpiry == 10)
    #expect(pico.routeHints.first?.first?.shortChannelIDString == "589390x3312x1")
    let hashed = try Bolt11.decode(SpecInvoice.hashed)
    #expect(hashed.commits(toDescription: "One piece of chocolate cake, one icecream cone, one pickle, one slice of swiss cheese, one slice of salami, one lollypop, one piece of cherry pie, one sausage, one cupcake, and one slice of watermelon"))
    #expect(!hashed.commits(toDescription: "cake"))
    #expect(try Bolt11.decode(SpecInvoice.features).features?.setBits == [8, 14, 99])
}

// MARK: - Spec invalid examples

@Test(arguments: [
    ("unknown required feature 100", SpecInvoice.invalidFeature100, Bolt11Error.unknownRequiredFeature(bit: 100)),
    ("bech32 checksum is invalid", SpecInvoice.invalidChecksum, .bech32(.invalidChecksum)),
    ("malformed bech32 (no 1)", SpecInvoice.invalidNoSeparator, .bech32(.missingSeparator)),
    ("malformed bech32 (mixed case)", SpecInvoice.invalidMixedCase, .bech32(.mixedCase)),
    ("signature is not recoverable", SpecInvoice.invalidNotRecoverable, .signatureRecoveryFailed),
    ("string is too short", SpecInvoice.invalidTooShort, .tooShort(words: 103)),
    ("invalid multiplier", SpecInvoice.invalidMultiplier, .invalidMultiplier("2500x")),
    ("invalid sub-millisatoshi precision", SpecInvoice.invalidSubMsat, .subMillisatoshiAmount("2500000001p")),
    ("missing required s field", SpecInvoice.invalidMissingS, .missingField(tag: "s")),
    ("high-S signature with n field", SpecInvoice.invalidHighSWithN, .signatureMismatch),
])
func specInvalidExampleIsRejected(name: String, text: String, expected: Bolt11Error) {
    #expect(throws: expected, "\(name)") { try Bolt11.decode(text) }
}

// MARK: - Round trips and writer rules

enum Regtest {
    static let key = NodeKey(seed: Array("prooflayer-regtest-payee".utf8))
    static let preimage = [UInt8](repeating: 0x42, count: 32)
    static let secret = [UInt8](repeating: 0x07, count: 32)

    static func invoice(_ amount: MilliSats?, description: String = "round trip", expiry: UInt64? = 600) -> Bolt11Invoice {
        Bolt11Invoice(network: .regtest, amount: amount, timestamp: 1_700_000_000,
                      paymentHash: Hash.sha256(preimage), paymentSecret: secret,
                      description: description, expiry: expiry, minFinalCLTVExpiry: 18,
                      features: Bolt11Features(bits: [8, 14, 16]))
    }
}

@Test(arguments: [
    (Int64(1), "lnbcrt10p1"),
    (1_000, "lnbcrt10n1"),
    (100_000, "lnbcrt1u1"),
    (21_000_000 * 100_000_000 * 1_000, "lnbcrt21000000"),
    (2_100_000_000_000_000_000 - 1, "lnbcrt20999999999999999990p1"),
    (250_000_000, "lnbcrt2500u1"),
    (2_000_000_000, "lnbcrt20m1"),
] as [(Int64, String)])
func regtestInvoiceRoundTripsAmountWithLargestWholeUnit(msat: Int64, prefix: String) throws {
    let key = try #require(Regtest.key)
    let invoice = Regtest.invoice(MilliSats(msat))
    let text = try Bolt11.encode(invoice, signingKey: key)
    #expect(text.hasPrefix(prefix))
    let decoded = try Bolt11.decode(text)
    #expect(decoded.unsigned == invoice)
    #expect(decoded.amount == MilliSats(msat))
    #expect(decoded.payeePublicKey == key.publicKey)
    #expect(try Bolt11.encode(decoded.unsigned, signingKey: key) == text)
}

@Test func amountlessInvoiceRoundTrips() throws {
    let key = try #require(Regtest.key)
    let text = try Bolt11.encode(Regtest.invoice(nil), signingKey: key)
    #expect(text.hasPrefix("lnbcrt1"))
    #expect(try Bolt11.decode(text).amount == nil)
}

@Test(arguments: [0, -1, 21_000_000 * 100_000_000 * 1_000 + 1] as [Int64])
func encoderRejectsNonPositiveOrOversupplyAmount(msat: Int64) throws {
    let key = try #require(Regtest.key)
    #expect(throws: Bolt11Error.invalidAmount("\(msat) msat")) {
        try Bolt11.encode(Regtest.invoice(MilliSats(msat)), signingKey: key)
    }
}

@Test(arguments: [
    ("lnbc", nil),
    ("lnbc1", Int64(100_000_000_000)),
    ("lnbc2500u", 250_000_000),
    ("lnbc10p", 1),
    ("lnbc9678785340p", 967_878_534),
    ("lnbcrt100n", 10_000),
    ("lntbs3m", 300_000_000),
    ("lnsb1u", 100_000),
] as [(String, Int64?)])
func humanReadablePartParsesNetworkAndAmount(hrp: String, msat: Int64?) throws {
    let (_, amount) = try Bolt11.parseHumanReadablePart(hrp)
    #expect(amount == msat.map(MilliSats.init(rawValue:)))
}

@Test(arguments: [
    ("lnbc2500x", Bolt11Error.invalidMultiplier("2500x")),
    ("lnbc25001p", .subMillisatoshiAmount("25001p")),
    ("lnbc0250u", .invalidAmount("0250u")),
    ("lnbc0", .invalidAmount("0")),
    ("lnbc0p", .invalidAmount("0p")),
    ("lnbc25u0", .invalidAmount("25u0")),
    ("lnbc99999999999999999999", .invalidAmount("99999999999999999999")),
    ("lnbc21000001", .invalidAmount("21000001")),
    ("lnxy1m", .unknownPrefix("lnxy")),
    ("bc1m", .unknownPrefix("bc")),
    ("lnbcm", .unknownPrefix("lnbcm")),
])
func malformedHumanReadablePartIsRejected(hrp: String, expected: Bolt11Error) {
    #expect(throws: expected) { try Bolt11.parseHumanReadablePart(hrp) }
}

@Test func signetAndNetworkPrefixesRoundTrip() throws {
    let key = try #require(Regtest.key)
    for network in Bolt11Network.allCases {
        var invoice = Regtest.invoice(MilliSats(100_000))
        invoice.network = network
        let decoded = try Bolt11.decode(Bolt11.encode(invoice, signingKey: key))
        #expect(decoded.network == network)
    }
}

@Test func payeeNodeKeyFieldIsVerifiedInsteadOfRecovered() throws {
    let key = try #require(Regtest.key)
    var invoice = Regtest.invoice(MilliSats(1_000))
    invoice.fields.append(.payeeNodeKey(key.publicKey))
    let text = try Bolt11.encode(invoice, signingKey: key)
    let decoded = try Bolt11.decode(text)
    #expect(decoded.payeeNodeKey == key.publicKey)
    #expect(decoded.payeePublicKey == key.publicKey)

    let other = try #require(NodeKey(seed: [9]))
    #expect(throws: Bolt11Error.payeeKeyMismatch) { try Bolt11.encode(invoice, signingKey: other) }
}

@Test func nFieldNamingAnotherKeyFailsSignatureCheck() throws {
    // Sign with one key while the n field names another: build the words by hand, bypassing the encoder's check.
    let key = try #require(Regtest.key)
    let other = try #require(NodeKey(seed: [9]))
    var invoice = Regtest.invoice(MilliSats(1_000))
    invoice.fields.append(.payeeNodeKey(other.publicKey))
    let hrp = try Bolt11.humanReadablePart(invoice)
    var words = try Bolt11.dataWords(invoice)
    let sig = try key.signRecoverable(messageHash32: Bolt11.signingHash(hrp: hrp, words: words))
    words += Bech32.words(fromBytes: sig.signature64 + [UInt8(sig.recoveryID)])
    let text = try Bech32.encode(hrp: hrp, words: words)
    #expect(throws: Bolt11Error.signatureMismatch) { try Bolt11.decode(text) }
}

@Test func tamperedInvoiceRecoversADifferentPayee() throws {
    // A valid-checksum invoice whose signed content changed: recovery yields some other key, never the signer's.
    let key = try #require(Regtest.key)
    var invoice = Regtest.invoice(MilliSats(1_000))
    let hrp = try Bolt11.humanReadablePart(invoice)
    let words = try Bolt11.dataWords(invoice)
    let sig = try key.signRecoverable(messageHash32: Bolt11.signingHash(hrp: hrp, words: words))
    invoice.timestamp += 1
    let tampered = try Bolt11.dataWords(invoice) + Bech32.words(fromBytes: sig.signature64 + [UInt8(sig.recoveryID)])
    let decoded = try Bolt11.decode(Bech32.encode(hrp: hrp, words: tampered))
    #expect(decoded.payeePublicKey != key.publicKey)
}

@Test(arguments: [
    ([Bolt11Field.paymentSecret(Regtest.secret), .description("x")], Bolt11Error.missingField(tag: "p")),
    ([.paymentHash(Regtest.secret), .description("x")], .missingField(tag: "s")),
    ([.paymentHash(Regtest.secret), .paymentSecret(Regtest.secret)], .missingDescription),
    ([.paymentHash(Regtest.secret), .paymentSecret(Regtest.secret), .description("x"), .descriptionHash(Regtest.secret)], .descriptionAndHash),
    ([.paymentHash(Regtest.secret), .paymentHash(Regtest.secret), .paymentSecret(Regtest.secret), .description("x")], .duplicateField(tag: "p")),
    ([.paymentHash(Regtest.secret), .paymentSecret(Regtest.secret), .description("x"), .expiry(1), .expiry(2)], .duplicateField(tag: "x")),
    ([.paymentHash([1, 2]), .paymentSecret(Regtest.secret), .description("x")], .invalidFieldLength(tag: "p", length: 4)),
    ([.paymentHash(Regtest.secret), .paymentSecret(Regtest.secret), .description("x"), .features(Bolt11Features(bits: [8, 14, 20]))], .unknownRequiredFeature(bit: 20)),
    ([.paymentHash(Regtest.secret), .paymentSecret(Regtest.secret), .description(String(repeating: "a", count: 640))], .fieldTooLong(tag: "d", words: 1024)),
])
func encoderEnforcesWriterRules(fields: [Bolt11Field], expected: Bolt11Error) throws {
    let key = try #require(Regtest.key)
    let invoice = Bolt11Invoice(network: .regtest, amount: nil, timestamp: 1, fields: fields)
    #expect(throws: expected) { try Bolt11.encode(invoice, signingKey: key) }
}

@Test func decoderEnforcesReaderRulesOnHandBuiltInvoices() throws {
    let key = try #require(Regtest.key)
    // Sign arbitrary words so that only the rule under test fails.
    func signed(_ fieldWords: [UInt8]) throws -> String {
        var words: [UInt8] = [0, 0, 0, 0, 0, 0, 1] + fieldWords
        let hash = Bolt11.signingHash(hrp: "lnbcrt", words: words)
        let sig = try key.signRecoverable(messageHash32: hash)
        words += Bech32.words(fromBytes: sig.signature64 + [UInt8(sig.recoveryID)])
        return try Bech32.encode(hrp: "lnbcrt", words: words)
    }
    func field(_ tag: UInt8, _ data: [UInt8]) -> [UInt8] { [tag, UInt8(data.count >> 5), UInt8(data.count & 31)] + data }
    let p = field(1, Bech32.words(fromBytes: Regtest.secret))
    let s = field(16, Bech32.words(fromBytes: Regtest.secret))
    let d = field(13, Bech32.words(fromBytes: Array("hi".utf8)))

    #expect(try Bolt11.decode(signed(p + s + d)).description == "hi")
    #expect(throws: Bolt11Error.nonMinimalField(tag: "x")) { try Bolt11.decode(signed(p + s + d + field(6, [0, 1]))) }
    #expect(throws: Bolt11Error.nonMinimalField(tag: "c")) { try Bolt11.decode(signed(p + s + d + field(24, [0, 18]))) }
    #expect(throws: Bolt11Error.nonMinimalField(tag: "9")) { try Bolt11.decode(signed(p + s + d + field(5, [0, 8, 0]))) }
    #expect(throws: Bolt11Error.invalidField(tag: "d", reason: "description is not valid UTF-8")) {
        try Bolt11.decode(signed(p + s + field(13, Bech32.words(fromBytes: [0xff, 0xfe]))))
    }
    #expect(throws: Bolt11Error.invalidField(tag: "d", reason: "non-zero padding bits")) {
        try Bolt11.decode(signed(p + s + field(13, [1, 1])))
    }
    #expect(throws: Bolt11Error.invalidField(tag: "x", reason: "value does not fit in 64 bits")) {
        try Bolt11.decode(signed(p + s + d + field(6, [16] + [UInt8](repeating: 0, count: 12))))
    }
    #expect(try Bolt11.decode(signed(p + s + d + field(6, [15] + [UInt8](repeating: 31, count: 12)))).expiry == UInt64.max)
    #expect(throws: Bolt11Error.truncatedField(tag: "d")) { try Bolt11.decode(signed(p + s + [13, 0, 9, 1])) }
    #expect(throws: Bolt11Error.truncatedField(tag: "q")) { try Bolt11.decode(signed(p + s + d + [0, 0])) }
    #expect(throws: Bolt11Error.invalidField(tag: "r", reason: "route hint is 10 bytes, not a positive multiple of 51")) {
        try Bolt11.decode(signed(p + s + d + field(3, Bech32.words(fromBytes: [UInt8](repeating: 0, count: 10)))))
    }
    #expect(throws: Bolt11Error.invalidFieldLength(tag: "s", length: 51)) { try Bolt11.decode(signed(p + field(16, [UInt8](repeating: 0, count: 51)) + d)) }
    #expect(throws: Bolt11Error.duplicateField(tag: "p")) { try Bolt11.decode(signed(p + p + s + d)) }
    #expect(throws: Bolt11Error.missingField(tag: "p")) { try Bolt11.decode(signed(s + d)) }

    // Unknown tags and unknown fallback versions are kept raw and re-encode losslessly.
    let text = try signed(p + s + d + field(0, [1, 2, 3]) + field(9, [25, 1, 2, 3]) + field(30, []))
    let decoded = try Bolt11.decode(text)
    #expect(decoded.fields.count == 6)
    #expect(decoded.fields[3] == .unknown(tag: 0, words: [1, 2, 3]))
    #expect(decoded.fields[4] == .unknown(tag: 9, words: [25, 1, 2, 3]))
    #expect(decoded.fallbacks.isEmpty)
    #expect(try Bolt11.encode(decoded.unsigned, signingKey: key) == text)
}

@Test func invalidRecoveryIDIsRejected() throws {
    let key = try #require(Regtest.key)
    let invoice = Regtest.invoice(MilliSats(1_000))
    let hrp = try Bolt11.humanReadablePart(invoice)
    var words = try Bolt11.dataWords(invoice)
    let sig = try key.signRecoverable(messageHash32: Bolt11.signingHash(hrp: hrp, words: words))
    words += Bech32.words(fromBytes: sig.signature64 + [7])
    #expect(throws: Bolt11Error.invalidRecoveryID(7)) { try Bolt11.decode(Bech32.encode(hrp: hrp, words: words)) }
}

@Test func timestampMustFitIn35Bits() throws {
    let key = try #require(Regtest.key)
    var invoice = Regtest.invoice(nil)
    invoice.timestamp = 1 << 35
    #expect(throws: Bolt11Error.timestampOutOfRange(1 << 35)) { try Bolt11.encode(invoice, signingKey: key) }
    invoice.timestamp = (1 << 35) - 1
    #expect(try Bolt11.decode(Bolt11.encode(invoice, signingKey: key)).timestamp == (1 << 35) - 1)
}

@Test func expiryZeroAndLargeValuesRoundTrip() throws {
    let key = try #require(Regtest.key)
    for expiry: UInt64 in [0, 1, 31, 32, 604_800, UInt64.max] {
        let invoice = Regtest.invoice(MilliSats(1_000), expiry: expiry)
        let decoded = try Bolt11.decode(Bolt11.encode(invoice, signingKey: key))
        #expect(decoded.expiry == expiry)
    }
    #expect(Regtest.invoice(nil, expiry: UInt64.max).expiresAt == UInt64.max)
}

@Test func errorDescriptionsNameTheProblem() {
    #expect(Bolt11Error.missingField(tag: "s").description.contains("'s'"))
    #expect(Bolt11Error.bech32(.invalidChecksum).description.contains("checksum"))
    #expect(Bolt11Error.unknownRequiredFeature(bit: 100).description.contains("100"))
}

@Test func featureBitsAreNumberedFromTheLastWord() {
    let f = Bolt11Features(bits: [8, 14])
    #expect(f.words == [16, 8, 0])
    #expect(f.isSet(8) && f.isSet(14) && !f.isSet(9) && !f.isSet(500))
    #expect(Bolt11Features(bits: [8, 14, 99]).firstUnknownRequiredBit == nil)
    #expect(Bolt11Features(bits: [8, 14, 100]).firstUnknownRequiredBit == 100)
    #expect(Bolt11Features(bits: []).words.isEmpty)
}
