using System.Runtime.Intrinsics;

namespace X64Emu.Cpu.Interp;

/// <summary>Shuffles with a run-time imm8, done lane by lane (the intrinsics want constants).</summary>
public static class SseShuffle
{
    public static Vector128<byte> Shufps(Vector128<byte> a, Vector128<byte> b, byte imm)
    {
        Vector128<uint> x = a.AsUInt32(), y = b.AsUInt32();
        return Vector128.Create(x.GetElement(imm & 3), x.GetElement((imm >> 2) & 3), y.GetElement((imm >> 4) & 3), y.GetElement((imm >> 6) & 3)).AsByte();
    }

    public static Vector128<byte> Shufpd(Vector128<byte> a, Vector128<byte> b, byte imm)
    {
        Vector128<ulong> x = a.AsUInt64(), y = b.AsUInt64();
        return Vector128.Create(x.GetElement(imm & 1), y.GetElement((imm >> 1) & 1)).AsByte();
    }

    public static Vector128<byte> Pshufd(Vector128<byte> b, byte imm)
    {
        Vector128<uint> y = b.AsUInt32();
        return Vector128.Create(y.GetElement(imm & 3), y.GetElement((imm >> 2) & 3), y.GetElement((imm >> 4) & 3), y.GetElement((imm >> 6) & 3)).AsByte();
    }

    public static Vector128<byte> Pshuflw(Vector128<byte> b, byte imm)
    {
        Vector128<ushort> y = b.AsUInt16();
        return Vector128.Create(y.GetElement(imm & 3), y.GetElement((imm >> 2) & 3), y.GetElement((imm >> 4) & 3), y.GetElement((imm >> 6) & 3),
            y.GetElement(4), y.GetElement(5), y.GetElement(6), y.GetElement(7)).AsByte();
    }

    public static Vector128<byte> Pshufhw(Vector128<byte> b, byte imm)
    {
        Vector128<ushort> y = b.AsUInt16();
        return Vector128.Create(y.GetElement(0), y.GetElement(1), y.GetElement(2), y.GetElement(3),
            y.GetElement(4 + (imm & 3)), y.GetElement(4 + ((imm >> 2) & 3)), y.GetElement(4 + ((imm >> 4) & 3)), y.GetElement(4 + ((imm >> 6) & 3))).AsByte();
    }

    /// <summary>PSLLDQ/PSRLDQ: byte shifts of the whole register (counts over 15 give zero).</summary>
    public static Vector128<byte> ByteShift(Vector128<byte> a, int count, bool left)
    {
        if (count > 15)
        {
            return Vector128<byte>.Zero;
        }

        Vector128<byte> r = Vector128<byte>.Zero;
        for (int k = 0; k < 16; k++)
        {
            int from = left ? k - count : k + count;
            if (from >= 0 && from < 16)
            {
                r = r.WithElement(k, a.GetElement(from));
            }
        }

        return r;
    }
}
