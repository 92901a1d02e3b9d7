using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace X64Emu.Linux.Elf;

/// <summary>
/// Our own ELF64 reader (the registry does not serve ELFSharp): parses and validates the header and
/// program headers of an x86-64 executable, checking every field the loader uses.
/// </summary>
public sealed class ElfFile
{
    public const ushort EtExec = 2;
    public const ushort EtDyn = 3;
    public const ushort EmX8664 = 62;

    /// <summary>Highest user address + 1 (TASK_SIZE).</summary>
    private const ulong UserTop = 0x7FFF_FFFF_F000UL;

    private ElfFile()
    {
    }

    public ushort Type { get; private set; }

    public ushort Machine { get; private set; }

    public ulong Entry { get; private set; }

    public ulong PhOff { get; private set; }

    public ushort PhEntSize { get; private set; }

    public ushort PhNum { get; private set; }

    public IReadOnlyList<ProgramHeader> ProgramHeaders { get; private set; } = Array.Empty<ProgramHeader>();

    /// <summary>PT_LOAD segments in file order (ascending addresses, validated).</summary>
    public IReadOnlyList<ProgramHeader> LoadSegments { get; private set; } = Array.Empty<ProgramHeader>();

    /// <summary>PT_INTERP path, or null for a static executable.</summary>
    public string? Interpreter { get; private set; }

    /// <summary>Where the program headers are in memory (before the load bias): PT_PHDR, or the PT_LOAD covering e_phoff.</summary>
    public ulong? PhdrVAddr { get; private set; }

    /// <summary>PT_GNU_STACK asks for an executable stack (since Linux 5.8 an absent header no longer implies one on x86-64).</summary>
    public bool ExecStack { get; private set; }

    public ProgramHeader? Tls { get; private set; }

    /// <summary>Page-rounded lowest and highest addresses the loads cover (before the load bias).</summary>
    public ulong MinVAddr { get; private set; }

    public ulong MaxVAddr { get; private set; }

    public bool IsDyn => Type == EtDyn;

    /// <summary>Parses a whole file. Never throws: returns null with the reason and a one-line message.</summary>
    public static ElfFile? Parse(ReadOnlySpan<byte> data, out ElfError error, out string message)
    {
        ElfFile elf = new();
        (error, message) = elf.ParseInto(data);
        return error == ElfError.None ? elf : null;
    }

    private static (ElfError, string) Fail(ElfError e, string m) => (e, m);

    private (ElfError, string) ParseInto(ReadOnlySpan<byte> d)
    {
        if (d.Length < 4 || d[0] != 0x7F || d[1] != (byte)'E' || d[2] != (byte)'L' || d[3] != (byte)'F')
        {
            return Fail(d.Length < 4 ? ElfError.TooShort : ElfError.BadMagic, "not an ELF file (cannot execute binary file: Exec format error)");
        }

        if (d.Length < 64)
        {
            return Fail(ElfError.TooShort, $"truncated ELF file ({d.Length} bytes, the ELF header alone needs 64)");
        }

        switch (d[4])
        {
            case 1: return Fail(ElfError.Class32, "32-bit ELF (ELFCLASS32) is not supported: X64Emu runs x86-64 programs");
            case 2: break;
            default: return Fail(ElfError.BadClass, $"ELF file with invalid class {d[4]}");
        }

        if (d[5] != 1)
        {
            return Fail(ElfError.BigEndian, d[5] == 2 ? "big-endian ELF is not supported" : $"ELF file with invalid data encoding {d[5]}");
        }

        if (d[6] != 1 || BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(20)) != 1)
        {
            return Fail(ElfError.BadVersion, "ELF file with an invalid version");
        }

        Type = BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(16));
        Machine = BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(18));
        Entry = BinaryPrimitives.ReadUInt64LittleEndian(d.Slice(24));
        PhOff = BinaryPrimitives.ReadUInt64LittleEndian(d.Slice(32));
        PhEntSize = BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(54));
        PhNum = BinaryPrimitives.ReadUInt16LittleEndian(d.Slice(56));

        if (Machine != EmX8664)
        {
            return Fail(ElfError.WrongMachine, $"ELF for machine {Machine} ({MachineName(Machine)}), not x86-64");
        }

        if (Type != EtExec && Type != EtDyn)
        {
            string what = Type switch
            {
                1 => "a relocatable object (ET_REL), not an executable",
                4 => "a core dump (ET_CORE), not an executable",
                _ => $"ELF type {Type}, not an executable",
            };
            return Fail(ElfError.WrongType, what);
        }

        if (PhEntSize != 56)
        {
            return Fail(ElfError.BadPhEntSize, $"ELF program header entries of {PhEntSize} bytes (expected 56)");
        }

        if (PhNum == 0 || PhNum > 4096 || PhOff > (ulong)d.Length || (ulong)PhNum * 56 > (ulong)d.Length - PhOff)
        {
            return Fail(ElfError.BadProgramHeaders, "ELF program header table lies outside the file");
        }

        return ParseProgramHeaders(d);
    }

    private (ElfError, string) ParseProgramHeaders(ReadOnlySpan<byte> d)
    {
        List<ProgramHeader> all = new(PhNum);
        List<ProgramHeader> loads = new();
        ulong? phdr = null;
        for (int i = 0; i < PhNum; i++)
        {
            ReadOnlySpan<byte> p = d.Slice((int)PhOff + (i * 56), 56);
            ProgramHeader h = new(
                BinaryPrimitives.ReadUInt32LittleEndian(p),
                BinaryPrimitives.ReadUInt32LittleEndian(p.Slice(4)),
                BinaryPrimitives.ReadUInt64LittleEndian(p.Slice(8)),
                BinaryPrimitives.ReadUInt64LittleEndian(p.Slice(16)),
                BinaryPrimitives.ReadUInt64LittleEndian(p.Slice(24)),
                BinaryPrimitives.ReadUInt64LittleEndian(p.Slice(32)),
                BinaryPrimitives.ReadUInt64LittleEndian(p.Slice(40)),
                BinaryPrimitives.ReadUInt64LittleEndian(p.Slice(48)));
            all.Add(h);
            switch (h.Type)
            {
                case ProgramHeader.PtLoad:
                {
                    (ElfError e, string m) = CheckLoad(h, d.Length, i);
                    if (e != ElfError.None)
                    {
                        return (e, m);
                    }

                    if (loads.Count > 0)
                    {
                        ProgramHeader prev = loads[^1];
                        if (h.VAddr < prev.VAddr)
                        {
                            return Fail(ElfError.SegmentsOverlap, $"ELF PT_LOAD segment {i} is not in ascending address order");
                        }

                        if (h.VAddr < prev.VAddr + prev.MemSize)
                        {
                            return Fail(ElfError.SegmentsOverlap, $"ELF PT_LOAD segments overlap at 0x{h.VAddr:x}");
                        }
                    }

                    loads.Add(h);
                    break;
                }

                case ProgramHeader.PtInterp:
                {
                    if (Interpreter != null)
                    {
                        return Fail(ElfError.BadInterpreter, "ELF file with two PT_INTERP headers");
                    }

                    if (h.FileSize < 2 || h.FileSize > 4096 || h.Offset > (ulong)d.Length || h.FileSize > (ulong)d.Length - h.Offset)
                    {
                        return Fail(ElfError.BadInterpreter, "ELF PT_INTERP lies outside the file or has a bad size");
                    }

                    ReadOnlySpan<byte> s = d.Slice((int)h.Offset, (int)h.FileSize);
                    if (s[^1] != 0 || s.Slice(0, s.Length - 1).IndexOf((byte)0) >= 0)
                    {
                        return Fail(ElfError.BadInterpreter, "ELF PT_INTERP is not a NUL-terminated path");
                    }

                    Interpreter = Encoding.UTF8.GetString(s.Slice(0, s.Length - 1));
                    break;
                }

                case ProgramHeader.PtPhdr:
                    phdr = h.VAddr;
                    break;
                case ProgramHeader.PtGnuStack:
                    ExecStack = h.Executable;
                    break;
                case ProgramHeader.PtTls:
                    Tls = h;
                    break;
            }
        }

        if (loads.Count == 0)
        {
            return Fail(ElfError.NoLoadSegment, "ELF file has no PT_LOAD segment");
        }

        ProgramHeaders = all;
        LoadSegments = loads;
        MinVAddr = loads[0].VAddr & ~0xFFFUL;
        ProgramHeader last = loads[^1];
        MaxVAddr = (last.VAddr + last.MemSize + 0xFFF) & ~0xFFFUL;
        if (MaxVAddr - MinVAddr > UserTop)
        {
            return Fail(ElfError.BadSegment, "ELF segments span more than the user address space");
        }

        if (phdr == null)
        {
            foreach (ProgramHeader l in loads)
            {
                if (PhOff >= l.Offset && PhOff + ((ulong)PhNum * 56) <= l.Offset + l.FileSize)
                {
                    phdr = l.VAddr + (PhOff - l.Offset);
                    break;
                }
            }
        }

        PhdrVAddr = phdr;

        bool entryOk = false;
        foreach (ProgramHeader l in loads)
        {
            if (l.Executable && Entry >= l.VAddr && Entry < l.VAddr + l.MemSize)
            {
                entryOk = true;
            }
        }

        if (!entryOk)
        {
            return Fail(ElfError.BadEntry, $"ELF entry point 0x{Entry:x} is not inside an executable segment");
        }

        return (ElfError.None, string.Empty);
    }

    private (ElfError, string) CheckLoad(ProgramHeader h, int fileLength, int index)
    {
        if (h.FileSize > h.MemSize)
        {
            return Fail(ElfError.BadSegment, $"ELF PT_LOAD segment {index} has p_filesz > p_memsz");
        }

        if (h.Offset > (ulong)fileLength || h.FileSize > (ulong)fileLength - h.Offset)
        {
            return Fail(ElfError.BadSegment, $"ELF PT_LOAD segment {index} extends beyond the end of the file (truncated?)");
        }

        if (h.VAddr >= UserTop || h.MemSize > UserTop - h.VAddr)
        {
            return Fail(ElfError.BadSegment, $"ELF PT_LOAD segment {index} lies outside the user address space");
        }

        if (h.Align > 1)
        {
            if ((h.Align & (h.Align - 1)) != 0)
            {
                return Fail(ElfError.BadSegment, $"ELF PT_LOAD segment {index} has a p_align that is not a power of two");
            }

            if ((h.Offset & 0xFFF) != (h.VAddr & 0xFFF))
            {
                return Fail(ElfError.BadSegment, $"ELF PT_LOAD segment {index} has p_offset and p_vaddr on different page offsets");
            }
        }
        else if ((h.Offset & 0xFFF) != (h.VAddr & 0xFFF))
        {
            return Fail(ElfError.BadSegment, $"ELF PT_LOAD segment {index} has p_offset and p_vaddr on different page offsets");
        }

        return (ElfError.None, string.Empty);
    }

    /// <summary>Name of a common e_machine value.</summary>
    public static string MachineName(ushort machine) => machine switch
    {
        3 => "Intel 80386",
        8 => "MIPS",
        20 => "PowerPC",
        21 => "PowerPC64",
        22 => "IBM S/390",
        40 => "ARM",
        43 => "SPARC v9",
        50 => "IA-64",
        62 => "x86-64",
        183 => "AArch64",
        243 => "RISC-V",
        258 => "LoongArch",
        _ => "unknown",
    };
}
