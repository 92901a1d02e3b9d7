using System;
using System.Buffers.Binary;

namespace X64Emu.Linux.Vfs;

/// <summary>Writes the x86-64 kernel <c>struct stat</c> (144 bytes) for synthetic files.</summary>
public static class StatBuf
{
    public const int Size = 144;
    public const uint IfReg = 0x8000;
    public const uint IfDir = 0x4000;
    public const uint IfLnk = 0xA000;
    public const uint IfChr = 0x2000;
    public const uint IfIfo = 0x1000;

    public static void Fill(Span<byte> st, ulong dev, ulong ino, uint mode, ulong nlink, uint uid, uint gid, long size, ulong rdev = 0, long blksize = 4096)
    {
        st.Slice(0, Size).Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(st, dev);
        BinaryPrimitives.WriteUInt64LittleEndian(st.Slice(8), ino);
        BinaryPrimitives.WriteUInt64LittleEndian(st.Slice(16), nlink);
        BinaryPrimitives.WriteUInt32LittleEndian(st.Slice(24), mode);
        BinaryPrimitives.WriteUInt32LittleEndian(st.Slice(28), uid);
        BinaryPrimitives.WriteUInt32LittleEndian(st.Slice(32), gid);
        BinaryPrimitives.WriteUInt64LittleEndian(st.Slice(40), rdev);
        BinaryPrimitives.WriteInt64LittleEndian(st.Slice(48), size);
        BinaryPrimitives.WriteInt64LittleEndian(st.Slice(56), blksize);
        BinaryPrimitives.WriteInt64LittleEndian(st.Slice(64), (size + 511) / 512);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        BinaryPrimitives.WriteInt64LittleEndian(st.Slice(72), now);
        BinaryPrimitives.WriteInt64LittleEndian(st.Slice(88), now);
        BinaryPrimitives.WriteInt64LittleEndian(st.Slice(104), now);
    }

    public static ulong Dev(ReadOnlySpan<byte> st) => BinaryPrimitives.ReadUInt64LittleEndian(st);

    public static ulong Ino(ReadOnlySpan<byte> st) => BinaryPrimitives.ReadUInt64LittleEndian(st.Slice(8));

    public static uint Mode(ReadOnlySpan<byte> st) => BinaryPrimitives.ReadUInt32LittleEndian(st.Slice(24));

    public static long FileSize(ReadOnlySpan<byte> st) => BinaryPrimitives.ReadInt64LittleEndian(st.Slice(48));

    /// <summary>Linux's new_encode_dev split: major.</summary>
    public static uint Major(ulong dev) => (uint)(((dev >> 8) & 0xFFF) | ((dev >> 32) & ~0xFFFUL));

    public static uint Minor(ulong dev) => (uint)((dev & 0xFF) | ((dev >> 12) & ~0xFFUL));
}
