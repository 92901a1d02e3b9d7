using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;
using X64Emu.Linux.Elf;

namespace X64Emu.Linux.Tests.Elf;

/// <summary>
/// Writes an Elf64 header, a program header table and arbitrary blobs into a byte[], with every
/// field settable so that tests can break exactly one of them.
/// </summary>
internal sealed class ElfBuilder
{
    public const int EhdrSize = 64;
    public const int PhdrSize = 56;

    public byte Class { get; set; } = 2;

    public byte Data { get; set; } = 1;

    public byte IdentVersion { get; set; } = 1;

    public ushort Type { get; set; } = ElfFile.EtExec;

    public ushort Machine { get; set; } = ElfFile.EmX8664;

    public uint Version { get; set; } = 1;

    public ulong Entry { get; set; }

    public ulong PhOff { get; set; } = EhdrSize;

    public ushort PhEntSize { get; set; } = PhdrSize;

    /// <summary>e_phnum as written; null writes Phdrs.Count.</summary>
    public ushort? PhNum { get; set; }

    public List<ProgramHeader> Phdrs { get; } = new();

    /// <summary>Total file size; the image is zero-filled up to it.</summary>
    public int FileSize { get; set; } = 0x3000;

    private readonly List<(int Offset, byte[] Bytes)> _blobs = new();

    public ElfBuilder Add(ProgramHeader h)
    {
        Phdrs.Add(h);
        return this;
    }

    public ElfBuilder Blob(int offset, byte[] bytes)
    {
        _blobs.Add((offset, bytes));
        return this;
    }

    public static ProgramHeader Load(uint flags, ulong offset, ulong va, ulong fileSize, ulong memSize, ulong align = 0x1000) =>
        new(ProgramHeader.PtLoad, flags, offset, va, va, fileSize, memSize, align);

    public static ProgramHeader Other(uint type, uint flags, ulong offset, ulong va, ulong size, ulong align = 8) =>
        new(type, flags, offset, va, va, size, size, align);

    /// <summary>
    /// A static ET_EXEC as ld lays it out: R headers page, RX text, RW data+bss, PT_GNU_STACK.
    /// Entry 0x401000; no PT_PHDR (the phdrs are found in the first PT_LOAD).
    /// </summary>
    public static ElfBuilder StaticExec()
    {
        ElfBuilder b = new() { Type = ElfFile.EtExec, Entry = 0x401000, FileSize = 0x2100 };
        b.Add(Load(ProgramHeader.PfR, 0, 0x400000, 0x1000, 0x1000));
        b.Add(Load(ProgramHeader.PfR | ProgramHeader.PfX, 0x1000, 0x401000, 0x1000, 0x1000));
        b.Add(Load(ProgramHeader.PfR | ProgramHeader.PfW, 0x2000, 0x402000, 0x100, 0x2000));
        b.Add(Other(ProgramHeader.PtGnuStack, ProgramHeader.PfR | ProgramHeader.PfW, 0, 0, 0, 16));
        b.Blob(0x1000, new byte[] { 0xB8, 60, 0, 0, 0, 0x31, 0xFF, 0x0F, 0x05 }); // mov eax,60; xor edi,edi; syscall
        return b;
    }

    /// <summary>A static-pie ET_DYN linked at 0: PT_PHDR, three PT_LOADs, PT_DYNAMIC, PT_TLS, PT_GNU_STACK.</summary>
    public static ElfBuilder StaticPie()
    {
        ElfBuilder b = new() { Type = ElfFile.EtDyn, Entry = 0x1040, FileSize = 0x3000 };
        b.Add(Other(ProgramHeader.PtPhdr, ProgramHeader.PfR, EhdrSize, EhdrSize, 7 * PhdrSize));
        b.Add(Load(ProgramHeader.PfR, 0, 0, 0x800, 0x800));
        b.Add(Load(ProgramHeader.PfR | ProgramHeader.PfX, 0x1000, 0x1000, 0x800, 0x800));
        b.Add(Load(ProgramHeader.PfR | ProgramHeader.PfW, 0x2e00, 0x2e00, 0x200, 0x1400));
        b.Add(Other(ProgramHeader.PtDynamic, ProgramHeader.PfR | ProgramHeader.PfW, 0x2e80, 0x2e80, 0x100));
        b.Add(Other(ProgramHeader.PtTls, ProgramHeader.PfR, 0x2e00, 0x2e00, 0x10));
        b.Add(Other(ProgramHeader.PtGnuStack, ProgramHeader.PfR | ProgramHeader.PfW, 0, 0, 0, 16));
        return b;
    }

    /// <summary>A PIE with PT_INTERP (its string at file offset 0x200, inside the first PT_LOAD).</summary>
    public static ElfBuilder DynamicPie(string interp = "/lib64/ld-linux-x86-64.so.2")
    {
        ElfBuilder b = new() { Type = ElfFile.EtDyn, Entry = 0x1000, FileSize = 0x2000 };
        byte[] path = Encoding.ASCII.GetBytes(interp + "\0");
        b.Add(Other(ProgramHeader.PtPhdr, ProgramHeader.PfR, EhdrSize, EhdrSize, 4 * PhdrSize));
        b.Add(Other(ProgramHeader.PtInterp, ProgramHeader.PfR, 0x200, 0x200, (ulong)path.Length, 1));
        b.Add(Load(ProgramHeader.PfR, 0, 0, 0x300, 0x300));
        b.Add(Load(ProgramHeader.PfR | ProgramHeader.PfX, 0x1000, 0x1000, 0x100, 0x100));
        b.Blob(0x200, path);
        return b;
    }

    public byte[] Build()
    {
        int need = EhdrSize;
        if (PhOff < (ulong)FileSize)
        {
            need = Math.Max(need, (int)PhOff + (Phdrs.Count * PhdrSize));
        }

        foreach ((int off, byte[] bytes) in _blobs)
        {
            need = Math.Max(need, off + bytes.Length);
        }

        if (need > FileSize)
        {
            throw new InvalidOperationException($"FileSize 0x{FileSize:x} is too small for the contents (0x{need:x})");
        }

        byte[] d = new byte[FileSize];
        Span<byte> s = d;
        s[0] = 0x7F;
        s[1] = (byte)'E';
        s[2] = (byte)'L';
        s[3] = (byte)'F';
        s[4] = Class;
        s[5] = Data;
        s[6] = IdentVersion;
        BinaryPrimitives.WriteUInt16LittleEndian(s.Slice(16), Type);
        BinaryPrimitives.WriteUInt16LittleEndian(s.Slice(18), Machine);
        BinaryPrimitives.WriteUInt32LittleEndian(s.Slice(20), Version);
        BinaryPrimitives.WriteUInt64LittleEndian(s.Slice(24), Entry);
        BinaryPrimitives.WriteUInt64LittleEndian(s.Slice(32), PhOff);
        BinaryPrimitives.WriteUInt64LittleEndian(s.Slice(40), 0); // e_shoff
        BinaryPrimitives.WriteUInt32LittleEndian(s.Slice(48), 0); // e_flags
        BinaryPrimitives.WriteUInt16LittleEndian(s.Slice(52), EhdrSize);
        BinaryPrimitives.WriteUInt16LittleEndian(s.Slice(54), PhEntSize);
        BinaryPrimitives.WriteUInt16LittleEndian(s.Slice(56), PhNum ?? (ushort)Phdrs.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(s.Slice(58), 64); // e_shentsize
        if (PhOff < (ulong)FileSize)
        {
            for (int i = 0; i < Phdrs.Count; i++)
            {
                WritePhdr(s.Slice((int)PhOff + (i * PhdrSize)), Phdrs[i]);
            }
        }

        foreach ((int off, byte[] bytes) in _blobs)
        {
            bytes.CopyTo(s.Slice(off));
        }

        return d;
    }

    private static void WritePhdr(Span<byte> p, ProgramHeader h)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(p, h.Type);
        BinaryPrimitives.WriteUInt32LittleEndian(p.Slice(4), h.Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(p.Slice(8), h.Offset);
        BinaryPrimitives.WriteUInt64LittleEndian(p.Slice(16), h.VAddr);
        BinaryPrimitives.WriteUInt64LittleEndian(p.Slice(24), h.PAddr);
        BinaryPrimitives.WriteUInt64LittleEndian(p.Slice(32), h.FileSize);
        BinaryPrimitives.WriteUInt64LittleEndian(p.Slice(40), h.MemSize);
        BinaryPrimitives.WriteUInt64LittleEndian(p.Slice(48), h.Align);
    }
}
