/// `log` and `exp` computed with IEEE-754 basic operations only, so every platform gets the same bits.
///
/// The C library's `log`/`exp` may differ in the last bit between glibc, Darwin and musl, and one bit can
/// flip a rounded delay in milliseconds; a seeded run must not depend on which libm it links. These follow
/// the classic argument-reduction-plus-minimax-polynomial method (as in fdlibm) and stay within about one
/// unit in the last place of the correctly rounded result.
public enum PortableMath {
    private static let ln2Hi = Double(bitPattern: 0x3FE6_2E42_FEE0_0000) // ln 2, upper bits (exact k * ln2Hi)
    private static let ln2Lo = Double(bitPattern: 0x3DEA_39EF_3579_3C76) // ln 2 - ln2Hi
    private static let invLn2 = Double(bitPattern: 0x3FF7_1547_652B_82FE)

    // log(1+f) = f - f²/2 + s·(f²/2 + R(s²)), s = f/(2+f); R is a minimax fit on [0, 0.1716].
    private static let lg1 = Double(bitPattern: 0x3FE5_5555_5555_5593)
    private static let lg2 = Double(bitPattern: 0x3FD9_9999_9997_FA04)
    private static let lg3 = Double(bitPattern: 0x3FD2_4924_9422_9359)
    private static let lg4 = Double(bitPattern: 0x3FCC_71C5_1D8E_78AF)
    private static let lg5 = Double(bitPattern: 0x3FC7_4664_96CB_03DE)
    private static let lg6 = Double(bitPattern: 0x3FC3_9A09_D078_C69F)
    private static let lg7 = Double(bitPattern: 0x3FC2_F112_DF3E_5244)

    // exp(r) = 1 + 2r/(2 - c(r)) with c a minimax fit of r·(e^r+1)/(e^r-1) - 2 on [-ln2/2, ln2/2].
    private static let p1 = Double(bitPattern: 0x3FC5_5555_5555_553E)
    private static let p2 = Double(bitPattern: 0xBF66_C16C_16BE_BD93)
    private static let p3 = Double(bitPattern: 0x3F11_566A_AF25_DE2C)
    private static let p4 = Double(bitPattern: 0xBEBB_BD41_C5D2_6BF1)
    private static let p5 = Double(bitPattern: 0x3E66_3769_72BE_A4D0)
    private static let overflowThreshold = Double(bitPattern: 0x4086_2E42_FEFA_39EF)   // ≈ 709.78
    private static let underflowThreshold = Double(bitPattern: 0xC087_4910_D52D_3051)  // ≈ -745.13

    /// Natural logarithm: -inf for 0, NaN for negatives and NaN, +inf for +inf.
    public static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x == .infinity { return x }
        var value = x
        var k = 0
        if value < Double.leastNormalMagnitude {
            value *= 0x1p54
            k = -54
        }
        let bits = value.bitPattern
        var high = Int(truncatingIfNeeded: bits >> 32)
        k += (high >> 20) - 1023
        high &= 0x000F_FFFF
        // Pick the exponent that puts the mantissa m in [sqrt(2)/2, sqrt(2)).
        let i = (high + 0x95F64) & 0x10_0000
        let mantissaHigh = UInt64(high | (i ^ 0x3FF0_0000))
        let m = Double(bitPattern: (mantissaHigh << 32) | (bits & 0xFFFF_FFFF))
        k += i >> 20
        let f = m - 1.0
        let dk = Double(k)
        let s = f / (2.0 + f)
        let z = s * s
        let w = z * z
        let t1 = w * (lg2 + w * (lg4 + w * lg6))
        let t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)))
        let r = t2 + t1
        let hfsq = 0.5 * f * f
        return dk * ln2Hi - ((hfsq - (s * (hfsq + r) + dk * ln2Lo)) - f)
    }

    /// e raised to `x`: +inf above ≈709.78, 0 below ≈-745.13, NaN for NaN.
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > overflowThreshold { return .infinity }
        if x < underflowThreshold { return 0 }
        if abs(x) < 0x1p-28 { return 1.0 + x }
        // x = k·ln2 + r, |r| <= ln2/2; hi - lo carries r with extra precision.
        let k = Int((invLn2 * x + (x < 0 ? -0.5 : 0.5)).rounded(.towardZero))
        let dk = Double(k)
        let hi = x - dk * ln2Hi
        let lo = dk * ln2Lo
        let r = hi - lo
        let t = r * r
        let c = r - t * (p1 + t * (p2 + t * (p3 + t * (p4 + t * p5))))
        let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
        if k == 0 { return y }
        // Scale by 2^k in two exact steps so neither factor overflows or goes subnormal early.
        let half = k / 2
        return y * Double(sign: .plus, exponent: half, significand: 1) * Double(sign: .plus, exponent: k - half, significand: 1)
    }
}
